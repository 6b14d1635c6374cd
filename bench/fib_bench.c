/*
 * The FIB and the RIB on a real table (issue 11): the route collectors' IPv4 and IPv6 prefixes
 * of @ip-location-db/asn (fetched by bench/fib_bench.sh, never committed), each range turned
 * into its CIDR blocks, the next hop an AS number folded to 15 bits.
 *
 *   fib_bench ASN_IPV4_CSV ASN_IPV6_CSV
 *
 * Prints, for IPv4 and IPv6 apart: our FIB's build time and memory, lookups/s on random keys
 * and on keys drawn under the table's prefixes (bursts of 64 through fib_lookup_burst, and one
 * at a time), and the same for DPDK's rte_fib (DIR-24-8) and rte_fib6 (trie) on the same
 * prefixes and keys, in the same run, with their answers compared key by key. Then the RIB:
 * loading the whole table as static routes, building the FIB from it, 10k changes, rebuilding.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../control/rib.h"
#include "../dataplane/fib.h"
#include "bench.h"

#ifdef NIP_HAVE_DPDK
#include <rte_eal.h>
#include <rte_fib.h>
#include <rte_fib6.h>
#include <rte_malloc.h>
#endif

#define NH_BITS 15 /* rte_fib's 2-octet next hops hold 15 bits: the same table for both */
#define NO_ROUTE ((1u << NH_BITS) - 1)
#define KEYS (1u << 20)
#define ROUNDS 5
#define KEY_BURST 64 /* a receive burst */

typedef unsigned __int128 u128;

struct table {
	struct fib_route *r;
	size_t n, cap;
	unsigned len; /* address octets: 4 or 16 */
};

static void push(struct table *t, u128 a, unsigned plen, uint16_t nh)
{
	if (t->n == t->cap) {
		t->cap = t->cap ? 2 * t->cap : 1 << 16;
		t->r = realloc(t->r, t->cap * sizeof(*t->r));
		if (!t->r) {
			fprintf(stderr, "fib_bench: out of memory\n");
			exit(1);
		}
	}
	struct fib_route *r = &t->r[t->n++];
	memset(r, 0, sizeof(*r));
	r->prefix.addr.len = (uint8_t)t->len;
	r->prefix.plen = (uint16_t)plen;
	for (unsigned i = 0; i < t->len; i++)
		r->prefix.addr.b[i] = (uint8_t)(a >> (8 * (t->len - 1 - i)));
	r->nh = nh;
}

/* The CIDR blocks that cover [s, e] exactly, largest first. */
static void range_to_cidrs(struct table *t, u128 s, u128 e, uint16_t nh)
{
	unsigned bits = 8 * t->len;

	for (;;) {
		unsigned k = 0; /* the block: 2^k addresses at s */
		while (k < bits && !((s >> k) & 1) && s + (((u128)2 << k) - 1) <= e)
			k++;
		push(t, s, bits - k, nh);
		u128 last = s + (((u128)1 << k) - 1);
		if (last >= e)
			return;
		s = last + 1;
	}
}

static u128 parse_addr(const char *txt, unsigned len)
{
	uint8_t b[16];
	u128 a = 0;

	if (inet_pton(len == 4 ? AF_INET : AF_INET6, txt, b) != 1)
		return ~(u128)0;
	for (unsigned i = 0; i < len; i++)
		a = a << 8 | b[i];
	return a;
}

/* "start,end,asn,name" lines; returns the number of ranges. */
static size_t load_csv(struct table *t, const char *path)
{
	char line[512];
	size_t ranges = 0;
	FILE *f = fopen(path, "r");

	if (!f) {
		perror(path);
		exit(1);
	}
	while (fgets(line, sizeof(line), f)) {
		char *s = strtok(line, ","), *e = strtok(NULL, ","), *asn = strtok(NULL, ",");
		if (!s || !e || !asn)
			continue;
		u128 lo = parse_addr(s, t->len), hi = parse_addr(e, t->len);
		if (lo == ~(u128)0 || hi == ~(u128)0 || hi < lo) {
			fprintf(stderr, "%s: skipping '%s,%s'\n", path, s, e);
			continue;
		}
		range_to_cidrs(t, lo, hi, (uint16_t)(strtoul(asn, NULL, 10) % NO_ROUTE));
		ranges++;
	}
	fclose(f);
	return ranges;
}

/* Keys: uniformly random, or a random prefix's address with random bits after it. */
static uint8_t *make_keys(const struct table *t, bool under_prefixes, uint64_t *seed)
{
	uint8_t *k = malloc((size_t)KEYS * t->len);

	for (size_t i = 0; i < KEYS; i++) {
		uint8_t *a = k + i * t->len;
		for (unsigned o = 0; o < t->len; o++)
			a[o] = (uint8_t)bench_rnd(seed);
		if (!under_prefixes)
			continue;
		const struct nip_prefix *p = &t->r[bench_rnd(seed) % t->n].prefix;
		for (unsigned b = 0; b < p->plen; b++) {
			uint8_t m = (uint8_t)(0x80 >> (b % 8));
			a[b / 8] = (uint8_t)((a[b / 8] & ~m) | (p->addr.b[b / 8] & m));
		}
	}
	return k;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v)
{
	qsort(v, ROUNDS, sizeof(*v), cmp_double);
	return v[ROUNDS / 2];
}

struct ours {
	const uint8_t **ap;
	uint8_t *al;
	uint16_t *nh;
};

static double ours_burst(const struct fib *f, const struct ours *o)
{
	double t0 = bench_now_s();

	for (size_t i = 0; i < KEYS; i += KEY_BURST)
		fib_lookup_burst(f, o->ap + i, o->al + i, KEY_BURST, o->nh + i);
	return KEYS / (bench_now_s() - t0) / 1e6;
}

static double ours_single(const struct fib *f, const struct ours *o)
{
	double t0 = bench_now_s();

	for (size_t i = 0; i < KEYS; i++)
		o->nh[i] = fib_lookup(f, o->ap[i], o->al[i]);
	return KEYS / (bench_now_s() - t0) / 1e6;
}

/* DPDK's side of one family: its table, its keys in its own form, its answers. */
struct dpdk_side {
	void *fib;
	uint32_t *ip4;	       /* IPv4 keys in host order, as rte_fib takes them */
	uint8_t (*ip6)[16];    /* IPv6 keys */
	uint64_t *nh;
	size_t mem;
	double build_s;
};

#ifdef NIP_HAVE_DPDK
static int cmp_u128(const void *a, const void *b)
{
	u128 x = *(const u128 *)a, y = *(const u128 *)b;

	return x < y ? -1 : x > y;
}

/* tbl8 groups a DIR-24-8 or trie table needs: one per distinct 8-bit step past bit 24. */
static uint32_t tbl8_needed(const struct table *t)
{
	u128 *v = malloc(t->n * sizeof(*v));
	uint32_t total = 0;

	for (unsigned d = 24; d < 8 * t->len; d += 8) {
		size_t m = 0;
		for (size_t i = 0; i < t->n; i++) {
			if (t->r[i].prefix.plen <= d)
				continue;
			u128 a = 0;
			for (unsigned o = 0; o < d / 8; o++)
				a = a << 8 | t->r[i].prefix.addr.b[o];
			v[m++] = a;
		}
		qsort(v, m, sizeof(*v), cmp_u128);
		for (size_t i = 0; i < m; i++)
			total += !i || v[i] != v[i - 1];
	}
	free(v);
	return total;
}

static size_t dpdk_heap(void)
{
	struct rte_malloc_socket_stats st;

	rte_malloc_get_socket_stats(0, &st);
	return st.heap_allocsz_bytes;
}

static bool dpdk_init(void)
{
	char *argv[] = { "fib_bench", "--no-huge", "-m", "6144", "--no-pci", "--no-telemetry",
			 "--log-level", "*:error", "--file-prefix", "nip-fib-bench", "-l", "0",
			 NULL };

	return rte_eal_init(12, argv) >= 0;
}

static bool dpdk_build(struct dpdk_side *d, const struct table *t)
{
	size_t before = dpdk_heap();
	double t0 = bench_now_s();
	int rc = 0;

	if (t->len == 4) {
		struct rte_fib_conf c = { .type = RTE_FIB_DIR24_8, .default_nh = NO_ROUTE,
					  .max_routes = (int)t->n + 1,
					  .dir24_8 = { RTE_FIB_DIR24_8_2B, tbl8_needed(t) + 64 } };
		struct rte_fib *f = d->fib = rte_fib_create("nip4", 0, &c);
		for (size_t i = 0; f && i < t->n && !rc; i++) {
			const uint8_t *b = t->r[i].prefix.addr.b;
			uint32_t a = (uint32_t)b[0] << 24 | b[1] << 16 | b[2] << 8 | b[3];
			rc = rte_fib_add(f, a, (uint8_t)t->r[i].prefix.plen, t->r[i].nh);
		}
	} else {
		struct rte_fib6_conf c = { .type = RTE_FIB6_TRIE, .default_nh = NO_ROUTE,
					   .max_routes = 2 * (int)t->n, /* its RIB: routes and branches */
					   /* 2-octet next hops cap tbl8 groups at 32767, too few
					    * for this table: 4 octets. Its trie takes more groups
					    * than our count of 8-bit steps; 4x was not enough. */
					   .trie = { RTE_FIB6_TRIE_4B, 16 * tbl8_needed(t) } };
		struct rte_fib6 *f = d->fib = rte_fib6_create("nip6", 0, &c);
		for (size_t i = 0; f && i < t->n && !rc; i++)
			if ((rc = rte_fib6_add(f, t->r[i].prefix.addr.b, (uint8_t)t->r[i].prefix.plen,
					  t->r[i].nh)))
				fprintf(stderr, "fib_bench: rte_fib6_add, route %zu: %d\n", i, rc);
	}
	d->build_s = bench_now_s() - t0;
	d->mem = dpdk_heap() - before;
	if (!d->fib || rc)
		fprintf(stderr, "fib_bench: DPDK's table failed (%d): no DPDK figures\n", rc);
	return d->fib && !rc;
}

static double dpdk_lookups(struct dpdk_side *d, unsigned len)
{
	double t0 = bench_now_s();

	for (size_t i = 0; i < KEYS; i += KEY_BURST)
		if (len == 4)
			rte_fib_lookup_bulk(d->fib, d->ip4 + i, d->nh + i, KEY_BURST);
		else
			rte_fib6_lookup_bulk(d->fib, d->ip6 + i, d->nh + i, KEY_BURST);
	return KEYS / (bench_now_s() - t0) / 1e6;
}
#endif

static void report(const char *what, double *ob, double *os, double *dp)
{
	printf("  %-22s ours %7.1f M/s (one at a time %6.1f)", what, median(ob), median(os));
	if (dp[0] > 0)
		printf("   dpdk %7.1f M/s   ours/dpdk x%.2f", median(dp), median(ob) / median(dp));
	printf("\n");
}

/* Both sides' keys for one key set. */
static void set_keys(struct ours *o, struct dpdk_side *d, const uint8_t *keys, unsigned len)
{
	for (size_t i = 0; i < KEYS; i++) {
		const uint8_t *a = keys + i * len;
		o->ap[i] = a;
		o->al[i] = (uint8_t)len;
		if (len == 4)
			d->ip4[i] = (uint32_t)a[0] << 24 | a[1] << 16 | a[2] << 8 | a[3];
		else
			memcpy(d->ip6[i], a, 16);
	}
}

/* One family: build both tables, then each key set, the sides alternating round by round. */
static void family(const char *name, struct table *t, bool dpdk, uint64_t *seed)
{
	struct ours o = { malloc(KEYS * sizeof(*o.ap)), malloc(KEYS), malloc(KEYS * 2) };
	struct dpdk_side d = { .ip4 = malloc(KEYS * 4), .ip6 = malloc(KEYS * 16),
			       .nh = calloc(KEYS, 8) };
	double t0 = bench_now_s();
	struct fib *f = fib_build(t->r, t->n);

	if (!f) {
		fprintf(stderr, "fib_bench: out of memory\n");
		exit(1);
	}
	double built = bench_now_s() - t0;
#ifdef NIP_HAVE_DPDK
	dpdk = dpdk && dpdk_build(&d, t);
#endif
	printf("%s: %zu prefixes\n  build  ours %.3f s, %.2f MiB", name, t->n, built,
	       fib_memory(f) / 1048576.0);
	if (dpdk)
		printf("   dpdk %.3f s, %.2f MiB (its heap: the table and its own RIB)", d.build_s,
		       d.mem / 1048576.0);
	printf("\n");
	for (int set = 0; set < 2; set++) {
		uint8_t *keys = make_keys(t, set == 1, seed);
		double ob[ROUNDS], os[ROUNDS], dp[ROUNDS] = { 0 };
		size_t agree = 0;
		set_keys(&o, &d, keys, t->len);
		for (int r = 0; r < ROUNDS; r++) {
			ob[r] = ours_burst(f, &o);
			os[r] = ours_single(f, &o);
#ifdef NIP_HAVE_DPDK
			if (dpdk)
				dp[r] = dpdk_lookups(&d, t->len);
#endif
		}
		report(set ? "keys under prefixes:" : "random keys:", ob, os, dp);
		if (dpdk) {
			for (size_t i = 0; i < KEYS; i++)
				agree += (o.nh[i] == FIB_NONE ? NO_ROUTE : o.nh[i]) == d.nh[i];
			printf("  %-22s %zu of %u answers the same as DPDK's\n", "", agree, KEYS);
		}
		free(keys);
	}
	fib_free(f);
#ifdef NIP_HAVE_DPDK
	if (d.fib && t->len == 4)
		rte_fib_free(d.fib);
	else if (d.fib)
		rte_fib6_free(d.fib);
#endif
	free(o.ap), free(o.al), free(o.nh), free(d.ip4), free(d.ip6), free(d.nh);
}

/* The RIB: the whole table as static routes (next hop: one of 64 links), the FIB built from
 * it, then 10k changes (5k deletes, 5k adds of host routes) and the FIB again. */
static void rib(const struct table *t4, const struct table *t6, uint64_t *seed)
{
	struct rib rib = { 0 };
	const struct table *tt[2] = { t4, t6 };
	size_t refused = 0;
	int rc;
	double t0 = bench_now_s();

	for (int k = 0; k < 2; k++)
		for (size_t i = 0; i < tt[k]->n; i++)
			refused += rib_add(&rib, &tt[k]->r[i].prefix, tt[k]->r[i].nh % 64,
					   ORIGIN_CONFIG) < 0;
	double load = bench_now_s() - t0;
	t0 = bench_now_s();
	struct fwd *f = rib_build(&rib, &rc);
	double build = bench_now_s() - t0;
	size_t mem = f ? fib_memory(f->fib) : 0;
	fwd_free(f);
	t0 = bench_now_s();
	for (int i = 0; i < 5000; i++) {
		const struct table *t = tt[i % 2];
		rib_del(&rib, &t->r[bench_rnd(seed) % t->n].prefix); /* -ENOENT if gone already */
		struct nip_prefix p = { .addr = { .len = (uint8_t)t->len }, .plen = 8 * t->len };
		for (unsigned o = 0; o < t->len; o++)
			p.addr.b[o] = (uint8_t)bench_rnd(seed);
		rib_add(&rib, &p, (uint16_t)(i % 64), ORIGIN_CLI);
	}
	double changes = bench_now_s() - t0;
	t0 = bench_now_s();
	f = rib_build(&rib, &rc);
	double rebuild = bench_now_s() - t0;
	if (!f)
		fprintf(stderr, "fib_bench: the RIB's build failed: %d\n", rc);
	printf("RIB: %zu static routes (IPv4 and IPv6 in one table, as New IP keys them; %zu "
	       "prefixes the table gives twice refused as existing)\n"
	       "  load %.3f s, FIB built %.3f s (%.2f MiB); 10k changes %.4f s, FIB rebuilt %.3f s\n",
	       rib.n, refused, load, build, mem / 1048576.0, changes, rebuild);
	fwd_free(f);
	rib_free(&rib);
}

int main(int argc, char **argv)
{
	struct table t4 = { .len = 4 }, t6 = { .len = 16 };
	uint64_t seed = 42;
	bool dpdk = false;

	if (argc != 3) {
		fprintf(stderr, "usage: fib_bench ASN_IPV4_CSV ASN_IPV6_CSV\n");
		return 2;
	}
	size_t r4 = load_csv(&t4, argv[1]), r6 = load_csv(&t6, argv[2]);
	printf("table: %zu IPv4 ranges -> %zu prefixes, %zu IPv6 ranges -> %zu prefixes; "
	       "%u keys a set, bursts of %d, median of %d rounds\n",
	       r4, t4.n, r6, t6.n, KEYS, KEY_BURST, ROUNDS);
#ifdef NIP_HAVE_DPDK
	dpdk = dpdk_init();
	if (!dpdk)
		fprintf(stderr, "fib_bench: DPDK's EAL did not start: our figures only\n");
#else
	printf("(built without DPDK: install libdpdk-dev and rebuild for rte_fib beside ours)\n");
#endif
	family("IPv4", &t4, dpdk, &seed);
	family("IPv6", &t6, dpdk, &seed);
	rib(&t4, &t6, &seed);
	free(t4.r);
	free(t6.r);
	return 0;
}
