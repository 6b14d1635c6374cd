/*
 * The forwarding engine without I/O (issue 11): what a router does to each packet between
 * receive and send, on bursts of 64 prebuilt packets: copy it into its buffer (as a receive
 * would), parse and validate it (nip_pkt_parse), check and decrement the hop limit, look up
 * its route (the FIB and its next-hop group, a flow hash for equal-cost paths) and update its
 * latency contract (contract_arrive, contract_depart: spec §10). Two ways, in the same run:
 *   one by one:   each packet parsed, looked up and updated in turn (fib_lookup)
 *   burst:        the burst parsed, then looked up together (fwd_lookup_burst), then updated,
 *                 as dataplane/forward.c's dp_input_burst does
 * The table: ROUTES routes (IPv4 /8-/24, IPv6 /16-/48, 2-octet New IP /8-/16) over 64 next-hop
 * groups of 1-4 links; the packets go to addresses under random routes, a quarter carry a
 * latency contract, all are 64-90 octets. Each packet's outgoing link is summed into a
 * checksum that both ways must agree on. Twice: the same 64 packets every burst (their
 * routes stay in the cache: the best case) and 65,536 different ones in turn (each burst's
 * lookups go to memory, as a router's with many flows do).
 * Usage: engine_bench [SECONDS] [THREADS] [ROUTES]  (defaults 2, 1, 100000)
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../dataplane/contract.h"
#include "../dataplane/fwd.h"
#include "newip/build.h"

#define NPKT 64

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static uint64_t next(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static struct fwd *fw;
static struct fib_route *routes;
static size_t n_routes;
static double seconds = 2;

static void make_table(size_t n)
{
	static struct nh_group g[64];
	uint64_t s = 0x9e3779b97f4a7c15ull;

	for (unsigned i = 0; i < 64; i++) {
		g[i].n = (uint8_t)(1 + i % 4);
		for (unsigned p = 0; p < g[i].n; p++)
			g[i].link[p] = (uint16_t)((i + p) % 8);
		g[i].hops = (uint8_t)(1 + i % 6);
		g[i].lat_us = 100 + 37 * i;
	}
	routes = calloc(n, sizeof(*routes));
	for (size_t i = 0; i < n; i++) {
		struct nip_prefix *p = &routes[i].prefix;
		uint64_t r = next(&s), kind = r % 5;
		p->addr.len = kind < 2 ? 4 : kind < 4 ? 16 : 2;
		for (unsigned b = 0; b < p->addr.len; b++)
			p->addr.b[b] = (uint8_t)(next(&s) >> 24);
		p->plen = (uint16_t)(p->addr.len == 4 ? 8 + r % 17 : p->addr.len == 16 ? 16 + r % 33 :
							       8 + r % 9);
		for (unsigned bit = p->plen; bit < 8u * p->addr.len; bit++) /* canonical */
			p->addr.b[bit / 8] &= (uint8_t)~(0x80 >> (bit % 8));
		routes[i].nh = (uint16_t)(r >> 32) % 64;
	}
	n_routes = n;
	fw = fwd_new(fib_build(routes, n), g, 64);
	if (!fw) {
		fprintf(stderr, "engine_bench: out of memory\n");
		exit(1);
	}
}

struct worker {
	pthread_t t;
	uint64_t seed;
	uint8_t (*tmpl)[128]; /* n_tmpl packets, a burst takes the next NPKT */
	uint16_t *tlen;
	unsigned n_tmpl, at;
	uint8_t buf[NPKT][128] __attribute__((aligned(64)));
	double mpps[2][2]; /* [hot, cold][one by one, burst] */
	uint64_t sum[2][2];
};

static void make_packets(struct worker *w)
{
	static const uint8_t payload[8] = "newip";

	w->tmpl = calloc(w->n_tmpl, sizeof(*w->tmpl));
	w->tlen = calloc(w->n_tmpl, sizeof(*w->tlen));
	for (unsigned i = 0; i < w->n_tmpl; i++) {
		const struct fib_route *r = &routes[next(&w->seed) % n_routes];
		struct nip_hdr h = { .next_hdr = 17, .hop_limit = 64,
				     .flow_label = (uint32_t)next(&w->seed) & 0xfffff };
		struct nip_writer wr;
		h.dst = r->prefix.addr;
		for (unsigned bit = r->prefix.plen; bit < 8u * h.dst.len; bit++) /* under it */
			if (next(&w->seed) & 1)
				h.dst.b[bit / 8] |= (uint8_t)(0x80 >> (bit % 8));
		nip_addr_parse(&h.src, "x0a01");
		nip_w_init(&wr, w->tmpl[i], sizeof(w->tmpl[i]), &h);
		if (i % 4 == 0) {
			struct nip_latency l = { .mode = NIP_LAT_IN_TIME, .max_us = 50000 };
			nip_w_contract_begin(&wr, 0, 0);
			nip_w_latency(&wr, &l, true);
			nip_w_block_end(&wr);
		}
		int n = nip_w_finish(&wr, payload, sizeof(payload));
		if (n < 0) {
			fprintf(stderr, "engine_bench: cannot build a packet (%d)\n", n);
			exit(1);
		}
		w->tlen[i] = (uint16_t)n;
	}
}

/* What happens after the lookup: the outgoing link and the contract's update. */
static inline unsigned finish(const struct nip_pkt *v, struct pkt *k, uint16_t nh, uint64_t now)
{
	const struct nh_group *g = NULL;
	int link = fwd_pick_nh(fw, v, nh, &g);

	if (link < 0)
		return 99;
	if (contract_arrive(v, k, g->lat_us, g->hops, 0, now) == CV_SCHEDULE)
		contract_depart(k, now, 0, g->lat_us / g->hops, false);
	return (unsigned)link;
}

static uint64_t run_one_by_one(struct worker *w, uint64_t now)
{
	uint8_t (*tmpl)[128] = w->tmpl + w->at;
	uint16_t *tlen = w->tlen + w->at;
	uint64_t sum = 0;
	struct pkt k;

	for (unsigned i = 0; i < NPKT; i++) {
		struct nip_pkt v;
		memcpy(w->buf[i], tmpl[i], tlen[i]);
		if (nip_pkt_parse(&v, w->buf[i], tlen[i]) < 0 || v.hop_limit <= 1)
			continue;
		nip_pkt_dec_hop(w->buf[i]);
		k.data = w->buf[i];
		sum += finish(&v, &k, fib_lookup(fw->fib, v.dst, v.dst_len), now);
	}
	return sum;
}

static uint64_t run_burst(struct worker *w, uint64_t now)
{
	uint8_t (*tmpl)[128] = w->tmpl + w->at;
	uint16_t *tlen = w->tlen + w->at;
	struct nip_pkt v[NPKT];
	uint16_t nh[NPKT];
	unsigned m = 0, idx[NPKT];
	uint64_t sum = 0;
	struct pkt k;

	for (unsigned i = 0; i < NPKT; i++) {
		memcpy(w->buf[i], tmpl[i], tlen[i]);
		if (nip_pkt_parse(&v[m], w->buf[i], tlen[i]) < 0 || v[m].hop_limit <= 1)
			continue;
		nip_pkt_dec_hop(w->buf[i]);
		idx[m++] = i;
	}
	fwd_lookup_burst(fw, v, m, nh);
	for (unsigned j = 0; j < m; j++) {
		k.data = w->buf[idx[j]];
		sum += finish(&v[j], &k, nh[j], now);
	}
	return sum;
}

static void *work(void *arg)
{
	struct worker *w = arg;
	uint64_t now = 1000000000ull;

	w->n_tmpl = 65536;
	make_packets(w);
	for (int cold = 0; cold < 2; cold++)
		for (int rep = 0; rep < 4; rep++) { /* alternate the two, twice each; the best */
			int way = rep % 2;
			uint64_t bursts = 0, sum = 0;
			double t0 = now_s(), t;
			w->at = 0;
			do { /* 1024 bursts: every one of the 65,536 packets once when cold */
				for (int b = 0; b < 1024; b++) {
					sum += way ? run_burst(w, now) : run_one_by_one(w, now);
					if (cold)
						w->at = (w->at + NPKT) % w->n_tmpl;
				}
				bursts += 1024;
			} while ((t = now_s()) - t0 < seconds / 8);
			double mpps = (double)bursts * NPKT / (t - t0) / 1e6;
			if (mpps > w->mpps[cold][way])
				w->mpps[cold][way] = mpps;
			w->sum[cold][way] = sum / (bursts / 1024); /* per 1024 bursts: the same links */
		}
	free(w->tmpl);
	free(w->tlen);
	return NULL;
}

int main(int argc, char **argv)
{
	int threads = argc > 2 ? atoi(argv[2]) : 1;
	size_t n = argc > 3 ? strtoul(argv[3], NULL, 10) : 100000;
	struct worker *w;

	seconds = argc > 1 ? atof(argv[1]) : 2;
	if (threads < 1 || threads > 256 || n < 1 || seconds <= 0) {
		fprintf(stderr, "usage: engine_bench [SECONDS] [THREADS 1-256] [ROUTES]\n");
		return 2;
	}
	make_table(n);
	w = calloc((size_t)threads, sizeof(*w));
	for (int i = 0; i < threads; i++) {
		w[i].seed = 0x243f6a8885a308d3ull + (uint64_t)i * 0x13198a2e03707344ull;
		pthread_create(&w[i].t, NULL, work, &w[i]);
	}
	double tot[2][2] = { { 0 } }, lo[2][2] = { { 1e9, 1e9 }, { 1e9, 1e9 } };
	for (int i = 0; i < threads; i++) {
		pthread_join(w[i].t, NULL);
		for (int c = 0; c < 2; c++) {
			for (int k = 0; k < 2; k++) {
				tot[c][k] += w[i].mpps[c][k];
				lo[c][k] = w[i].mpps[c][k] < lo[c][k] ? w[i].mpps[c][k] : lo[c][k];
			}
			if (w[i].sum[c][0] != w[i].sum[c][1]) {
				fprintf(stderr, "engine_bench: the two ways disagree (thread %d)\n", i);
				return 1;
			}
		}
	}
	printf("engine: %zu routes (FIB %.2f MiB), bursts of %d packets, %d thread%s, %.1f s\n", n,
	       fib_memory(fw->fib) / 1048576.0, NPKT, threads, threads > 1 ? "s" : "", seconds);
	for (int c = 0; c < 2; c++) {
		printf("  %s\n", c ? "65,536 packets in turn (lookups from memory):" :
				     "the same 64 packets (lookups from the cache):");
		printf("    one by one: %7.2f Mpps in all, %6.2f Mpps the slowest thread\n",
		       tot[c][0], lo[c][0]);
		printf("    burst:      %7.2f Mpps in all, %6.2f Mpps the slowest thread  (x%.2f)\n",
		       tot[c][1], lo[c][1], tot[c][1] / tot[c][0]);
	}
	fwd_free(fw);
	free(routes);
	free(w);
	return 0;
}
