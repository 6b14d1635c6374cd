/* The per-hop contract formulas of docs/spec.md §10: ranks, early drops, the update,
 * saturation, and a path where one hop does not take part. */
#include "../../dataplane/contract.h"
#include "harness.h"
#include "newip/newip.h"

#define US 1000ull

static uint8_t buf[512];
static struct pkt k = { .data = buf };

/* A packet with a contract (accumulated A, a latency clause if max > 0, a priority if >= 0). */
static void mk(struct nip_pkt *v, uint32_t acc, uint8_t mode, uint32_t min, uint32_t max, int prio)
{
	struct nip_hdr h = { .next_hdr = 17, .hop_limit = 9 };
	struct nip_writer w;

	nip_addr_parse(&h.dst, "x0a01");
	nip_addr_parse(&h.src, "x0a02");
	nip_w_init(&w, buf, sizeof(buf), &h);
	nip_w_contract_begin(&w, 0, acc);
	if (max)
		nip_w_latency(&w, &(struct nip_latency){ mode, min, max }, true);
	if (prio >= 0)
		nip_w_priority(&w, (uint8_t)prio, false);
	nip_w_block_end(&w);
	int n = nip_w_finish(&w, "payload!", 8);
	CHECK(n > 0);
	k.len = (uint32_t)n;
	CHECK_EQ(nip_pkt_parse(v, buf, (size_t)n), 0);
}

static void arrival_ranks(void)
{
	struct nip_pkt v;
	uint64_t now = 7000000;

	/* in-time: E = A + D + S = 500 + 300 + 0; slack 1200 µs shared by 3 hops */
	mk(&v, 500, NIP_LAT_IN_TIME, 0, 2000, 5);
	CHECK_EQ(contract_arrive(&v, &k, 300, 3, 0, now), CV_SCHEDULE);
	CHECK_EQ(k.t_max_ns, now + 400 * US);
	CHECK_EQ(k.t_min_ns, 0);
	CHECK_EQ(k.prio, 5);
	CHECK_EQ(k.ahead_us, 300);
	/* with 12 µs of serialisation the earliest arrival moves by 12 */
	CHECK_EQ(contract_arrive(&v, &k, 300, 3, 12 * US, now), CV_SCHEDULE);
	CHECK_EQ(k.t_max_ns, now + (2000 - 812) * US / 3);
	/* on-time [1500, 2000]: E = 800; hold (1500 - 800) / 2 here, slack (2000 - 800) / 2 */
	mk(&v, 500, NIP_LAT_ON_TIME, 1500, 2000, -1);
	CHECK_EQ(contract_arrive(&v, &k, 300, 2, 0, now), CV_SCHEDULE);
	CHECK_EQ(k.t_min_ns, now + 350 * US);
	CHECK_EQ(k.t_max_ns, now + 600 * US);
	/* the last hop (H = 1) holds all that is left */
	CHECK_EQ(contract_arrive(&v, &k, 300, 1, 0, now), CV_SCHEDULE);
	CHECK_EQ(k.t_min_ns, now + 700 * US);
	/* hops unknown (0) counts as 1 */
	CHECK_EQ(contract_arrive(&v, &k, 300, 0, 0, now), CV_SCHEDULE);
	CHECK_EQ(k.t_min_ns, now + 700 * US);
}

static void early_drops(void)
{
	struct nip_pkt v;

	mk(&v, 2100, NIP_LAT_IN_TIME, 0, 2000, -1); /* already late */
	CHECK_EQ(contract_arrive(&v, &k, 0, 1, 0, 0), CV_PASSED);
	mk(&v, 1800, NIP_LAT_IN_TIME, 0, 2000, -1); /* 1800 + 300 > 2000 */
	CHECK_EQ(contract_arrive(&v, &k, 300, 2, 0, 0), CV_UNREACHABLE);
	CHECK_EQ(contract_arrive(&v, &k, 200, 2, 0, 0), CV_SCHEDULE); /* exactly on the edge */
	CHECK_EQ(k.t_max_ns, 0);
	mk(&v, 0, 0, 0, 0, 3); /* a priority alone: best effort, still accounted */
	CHECK_EQ(contract_arrive(&v, &k, 300, 2, 0, 0), CV_BEST_EFFORT);
	CHECK(k.contract_off != 0);
}

static void departure_update(void)
{
	struct nip_pkt v;
	uint64_t now = 1000000;

	mk(&v, 500, NIP_LAT_IN_TIME, 0, 2000, -1);
	CHECK_EQ(contract_arrive(&v, &k, 300, 3, 12 * US, now), CV_SCHEDULE);
	/* 100 µs in the queue + 12 µs on the wire + the link's 50 µs */
	CHECK(contract_depart(&k, now + 100 * US, 12 * US, 50, true));
	CHECK_EQ(nip_pkt_parse(&v, buf, k.len), 0);
	CHECK_EQ(v.acc_latency_us, 500 + 100 + 12 + 50);
	CHECK_EQ(v.hops_updated, 1);
	/* too late to make it: A + sojourn + D + S = 662 + 1100 + 312 > 2000, nothing written */
	CHECK_EQ(contract_arrive(&v, &k, 300, 3, 12 * US, now), CV_SCHEDULE);
	CHECK(!contract_depart(&k, now + 1100 * US, 12 * US, 50, true));
	CHECK_EQ(nip_pkt_parse(&v, buf, k.len), 0);
	CHECK_EQ(v.acc_latency_us, 662);
	/* the FIFO baseline does not drop, it only accounts */
	CHECK(contract_depart(&k, now + 1100 * US, 12 * US, 50, false));
	CHECK_EQ(nip_pkt_parse(&v, buf, k.len), 0);
	CHECK_EQ(v.acc_latency_us, 662 + 1100 + 12 + 50);
}

static void saturation(void)
{
	struct nip_pkt v;

	mk(&v, UINT32_MAX - 10, 0, 0, 0, 0);
	contract_arrive(&v, &k, 0, 1, 0, 0);
	CHECK(contract_depart(&k, 0, 0, 100, true));
	CHECK_EQ(nip_pkt_parse(&v, buf, k.len), 0);
	CHECK_EQ(v.acc_latency_us, UINT32_MAX);
	buf[v.contract_off + 1] = 254;
	for (int i = 0; i < 3; i++)
		CHECK(contract_depart(&k, 0, 0, 1, false));
	CHECK_EQ(nip_pkt_parse(&v, buf, k.len), 0);
	CHECK_EQ(v.hops_updated, 255);
	CHECK_EQ(v.acc_latency_us, UINT32_MAX);
}

/* Three hops, the middle one not contract-aware: Hops Updated says 2, A holds what the two
 * aware hops added, and the packet still validates (the update touches no covered octet). */
static void partial_deployment(void)
{
	struct nip_pkt v;
	uint8_t digest0[16], digest1[16];

	CHECK_EQ(nip_crypto_init(), 0);
	mk(&v, 0, NIP_LAT_IN_TIME, 0, 5000, 2);
	nip_pkt_digest(&v, digest0);
	CHECK_EQ(contract_arrive(&v, &k, 300, 3, 0, 0), CV_SCHEDULE);
	CHECK(contract_depart(&k, 40 * US, 0, 100, true)); /* hop 1: 40 + 100 */
	buf[7]--;					   /* hop 2: only the hop limit */
	CHECK_EQ(nip_pkt_parse(&v, buf, k.len), 0);
	CHECK_EQ(contract_arrive(&v, &k, 100, 1, 0, 0), CV_SCHEDULE);
	CHECK(contract_depart(&k, 10 * US, 0, 20, true)); /* hop 3: 10 + 20 */
	CHECK_EQ(nip_pkt_parse(&v, buf, k.len), 0);
	CHECK_EQ(v.hops_updated, 2);
	CHECK_EQ(v.acc_latency_us, 170);
	nip_pkt_digest(&v, digest1);
	CHECK(memcmp(digest0, digest1, 16) == 0);
}

RUN_TESTS(T(arrival_ranks), T(early_drops), T(departure_update), T(saturation),
	  T(partial_deployment))
