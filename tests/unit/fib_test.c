/* The FIB against a trivially correct reference: a linear scan for the longest match. */
#include "../../dataplane/fib.h"
#include "harness.h"
#include "newip/newip.h"

/* Reference LPM: longest matching prefix wins; equal lengths: the later route wins. */
static uint16_t naive(const struct fib_route *r, size_t n, const struct nip_addr *a)
{
	int best_bits = -1;
	uint16_t nh = FIB_NONE;

	for (size_t i = 0; i < n; i++) {
		int bits = r[i].prefix.addr.len ? 8 + r[i].prefix.plen : 0;
		if (nip_prefix_match(&r[i].prefix, a) && bits >= best_bits) {
			best_bits = bits;
			nh = r[i].nh;
		}
	}
	return nh;
}

static void examples(void)
{
	struct fib_route r[4];
	struct nip_addr a;

	nip_prefix_parse(&r[0].prefix, "10.0.0.0/8");
	r[0].nh = 1;
	nip_prefix_parse(&r[1].prefix, "10.1.0.0/16");
	r[1].nh = 2;
	nip_prefix_parse(&r[2].prefix, "x0a00/8");
	r[2].nh = 3;
	nip_prefix_parse(&r[3].prefix, "default");
	r[3].nh = 4;
	struct fib *f = fib_build(r, 4);
	CHECK(f);
	nip_addr_parse(&a, "10.1.2.3");
	CHECK_EQ(fib_lookup(f, a.b, a.len), 2);
	nip_addr_parse(&a, "10.2.2.3");
	CHECK_EQ(fib_lookup(f, a.b, a.len), 1);
	nip_addr_parse(&a, "x0a77");
	CHECK_EQ(fib_lookup(f, a.b, a.len), 3);
	nip_addr_parse(&a, "x0a77.01"); /* 3 octets: no family route, so the default */
	CHECK_EQ(fib_lookup(f, a.b, a.len), 4);
	fib_free(f);
	f = fib_build(r, 2);
	nip_addr_parse(&a, "11.0.0.1");
	CHECK_EQ(fib_lookup(f, a.b, a.len), FIB_NONE);
	fib_free(f);
}

/* A random prefix of length len: dense bits (values 0..3) when dense, so prefixes overlap. */
static void rand_prefix(struct nip_prefix *p, uint8_t len, bool dense, uint64_t *seed)
{
	memset(p, 0, sizeof(*p));
	p->addr.len = len;
	p->plen = (uint16_t)(rnd(seed) % (8u * len + 1));
	for (unsigned k = 0; k < len; k++)
		p->addr.b[k] = (uint8_t)(dense ? rnd(seed) % 4 : rnd(seed));
	for (unsigned b = p->plen; b < 8u * len; b++)
		p->addr.b[b / 8] &= (uint8_t) ~(0x80 >> (b % 8));
}

/* A key to look up: random, dense, or under a route's prefix with random bits after it. */
static void rand_query(struct nip_addr *a, const struct fib_route *r, size_t n, uint64_t *seed)
{
	const struct nip_prefix *p = &r[rnd(seed) % n].prefix;
	unsigned how = (unsigned)(rnd(seed) % 3);

	memset(a, 0, sizeof(*a));
	a->len = (uint8_t)(how == 2 && p->addr.len ? p->addr.len : 1 + rnd(seed) % NIP_ADDR_MAX);
	for (unsigned k = 0; k < a->len; k++)
		a->b[k] = (uint8_t)(how == 1 ? rnd(seed) % 4 : rnd(seed));
	if (how == 2)
		for (unsigned b = 0; b < p->plen && p->addr.len; b++)
			if ((p->addr.b[b / 8] ^ a->b[b / 8]) & (0x80 >> (b % 8)))
				a->b[b / 8] ^= (uint8_t)(0x80 >> (b % 8));
}

/* fib_lookup and fib_lookup_burst against the reference on q queries. */
static void check_queries(const struct fib *f, const struct fib_route *r, size_t n, int q,
			  uint64_t *seed)
{
	static struct nip_addr a[64];
	const uint8_t *ap[64];
	uint8_t al[64];
	uint16_t nh[64];

	for (int done = 0; done < q; done += 64) {
		for (unsigned i = 0; i < 64; i++) {
			rand_query(&a[i], r, n, seed);
			ap[i] = a[i].b;
			al[i] = a[i].len;
		}
		fib_lookup_burst(f, ap, al, 64, nh);
		for (unsigned i = 0; i < 64; i++) {
			uint16_t want = naive(r, n, &a[i]);
			CHECK_EQ(fib_lookup(f, a[i].b, a[i].len), want);
			CHECK_EQ(nh[i], want);
		}
	}
}

/* Small tables of every address length, every prefix length from 0 to all 256 bits, dense
 * and overlapping, some defaults and some prefixes given twice (the later wins). */
static void reference_model(void)
{
	static struct fib_route r[800];
	uint64_t seed = 1234;

	for (int round = 0; round < 40; round++) {
		size_t n = 1 + rnd(&seed) % 800;
		bool dense = round % 2;
		for (size_t i = 0; i < n; i++) {
			if (rnd(&seed) % 60 == 0) /* default */
				memset(&r[i].prefix, 0, sizeof(r[i].prefix));
			else if (i && rnd(&seed) % 20 == 0) /* the same prefix again */
				r[i].prefix = r[rnd(&seed) % i].prefix;
			else
				rand_prefix(&r[i].prefix, (uint8_t)(1 + rnd(&seed) % NIP_ADDR_MAX),
					    dense, &seed);
			r[i].nh = (uint16_t)(rnd(&seed) % 1000);
		}
		struct fib *f = fib_build(r, n);
		CHECK(f);
		check_queries(f, r, n, 6400, &seed);
		fib_free(f);
	}
}

/* Tables big enough for the wide direct tables (12 and 18 bits): IPv4- and IPv6-sized
 * prefixes, most of them long, as in a real table. */
static void large_tables(void)
{
	static struct fib_route r[40000];
	static const size_t sizes[] = {3000, 40000};
	uint64_t seed = 99;

	for (unsigned t = 0; t < 2; t++) {
		size_t n = sizes[t];
		for (size_t i = 0; i < n; i++) {
			uint8_t len = i % 4 ? 4 : 16;
			rand_prefix(&r[i].prefix, len, false, &seed);
			if (r[i].prefix.plen < 8u * len / 2 && rnd(&seed) % 8)
				rand_prefix(&r[i].prefix, len, false, &seed); /* favour long ones */
			r[i].nh = (uint16_t)(rnd(&seed) % 60000);
		}
		struct fib *f = fib_build(r, n);
		CHECK(f);
		CHECK(fib_memory(f) > 0);
		check_queries(f, r, n, t ? 640 : 3200, &seed);
		fib_free(f);
	}
}

RUN_TESTS(T(examples), T(reference_model), T(large_tables))
