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

/* Random prefixes of random lengths and families; random and near-miss addresses. */
static void reference_model(void)
{
	static struct fib_route r[600];
	static const uint8_t lens[] = { 1, 2, 3, 4, 16, 32 };
	uint64_t seed = 1234;

	for (int round = 0; round < 20; round++) {
		size_t n = 1 + rnd(&seed) % 600;
		for (size_t i = 0; i < n; i++) {
			struct nip_prefix *p = &r[i].prefix;
			memset(p, 0, sizeof(*p));
			if (rnd(&seed) % 50 == 0) { /* default */
				r[i].nh = (uint16_t)(rnd(&seed) % 100);
				continue;
			}
			p->addr.len = lens[rnd(&seed) % sizeof(lens)];
			p->plen = (uint16_t)(rnd(&seed) % (8u * p->addr.len + 1));
			if (p->addr.len > 4 && p->plen > 40) /* keep long prefixes few */
				p->plen = (uint16_t)(p->plen % 41);
			for (unsigned k = 0; k < p->addr.len; k++)
				p->addr.b[k] = (uint8_t)(rnd(&seed) % 4); /* dense: many overlaps */
			for (unsigned b = p->plen; b < 8u * p->addr.len; b++)
				p->addr.b[b / 8] &= (uint8_t)~(0x80 >> (b % 8));
			r[i].nh = (uint16_t)(rnd(&seed) % 100);
		}
		struct fib *f = fib_build(r, n);
		CHECK(f);
		for (int q = 0; q < 20000; q++) {
			struct nip_addr a = { .len = lens[rnd(&seed) % sizeof(lens)] };
			for (unsigned k = 0; k < a.len; k++)
				a.b[k] = (uint8_t)(rnd(&seed) % 4);
			CHECK_EQ(fib_lookup(f, a.b, a.len), naive(r, n, &a));
		}
		fib_free(f);
	}
}

RUN_TESTS(T(examples), T(reference_model))
