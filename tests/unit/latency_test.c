/*
 * NLS link latency (docs/spec.md §9): round trips from the hello fields, the windowed minimum,
 * the configured delay added once, the estimate published to the data plane and advertised in
 * the node's own LSA, and re-origination only when it moves by more than 25 % and 100 µs, at
 * most once in LSR_LAT_HOLD_MS unless the topology changes too.
 */
#include "lsr_fixture.h"

static struct node n;

static void setup(uint32_t delay_us)
{
	fixture_node(&n, delay_us);
}

static void hello(uint32_t rx_us, uint32_t echo, uint32_t held, uint64_t now_ms)
{
	fixture_hello(&n, rx_us, echo, held, now_ms);
}

static uint32_t advertised(void)
{
	const struct lsdb_entry *e = lsdb_find(&n.lsr, n.lsr.rid);
	CHECK(e && e->lsa.n_links == 1);
	return e->lsa.links[0].latency_us;
}

static void round_trip_and_delay(void)
{
	setup(2000);
	hello(1000000, 0, 0, 1000); /* no echo yet: only the configured delay is known */
	CHECK_EQ(nbr_latency(&n.lsr, 0), 2000);
	CHECK_EQ(n.lsr.nbr[0].state, NBR_TWOWAY);
	hello(2000000, 2000000 - 1300, 300, 1100); /* RTT 1000 µs */
	CHECK_EQ(nbr_latency(&n.lsr, 0), 500 + 2000);
	CHECK_EQ(atomic_load(&n.dp.links[0].lat_us), 2500); /* published to the data plane */
	hello(3000000, 3000000 - 3500, 500, 1200); /* RTT 3000: queueing noise, not the link */
	CHECK_EQ(nbr_latency(&n.lsr, 0), 2500);	    /* the minimum holds */
	/* two windows later the old minimum is forgotten */
	hello(4000000, 4000000 - 3200, 200, 1200 + 2 * LSR_RTT_WINDOW_MS);
	hello(4100000, 4100000 - 3200, 200, 1200 + 3 * LSR_RTT_WINDOW_MS);
	CHECK_EQ(nbr_latency(&n.lsr, 0), 1500 + 2000);
	/* the clock wraps at 2^32 µs: the subtraction still gives the round trip */
	hello(100, 0xffffffffu - 899, 0, 1300 + 3 * LSR_RTT_WINDOW_MS); /* RTT 1000 */
	CHECK_EQ(nbr_latency(&n.lsr, 0), 500 + 2000);
}

static void advertised_in_lsa(void)
{
	setup(0);
	hello(1000000, 0, 0, 1000);
	lsr_tick(&n.lsr, 1001); /* the new two-way neighbour: re-originate */
	CHECK_EQ(advertised(), 0);
	CHECK(!n.lsr.originate_due);
	hello(2000000, 2000000 - 400, 0, 1100); /* 200 µs one way: moved by > 25 % and 100 µs */
	CHECK(n.lsr.latency_due && !n.lsr.originate_due);
	lsr_tick(&n.lsr, 1101); /* but the last LSA is 100 ms old: held */
	CHECK_EQ(advertised(), 0);
	hello(2200000, 2200000 - 400, 0, 1001 + LSR_LAT_HOLD_MS - 1); /* the neighbour lives on */
	lsr_tick(&n.lsr, 1001 + LSR_LAT_HOLD_MS - 1);
	CHECK_EQ(advertised(), 0);
	lsr_tick(&n.lsr, 1001 + LSR_LAT_HOLD_MS); /* 5 s after the last LSA */
	CHECK_EQ(advertised(), 200);
	CHECK(!n.lsr.latency_due);
	hello(2300000, 2300000 - 380, 0, 1200 + LSR_LAT_HOLD_MS); /* 190: within 25 %, no new LSA */
	CHECK(!n.lsr.originate_due && !n.lsr.latency_due);
	CHECK_EQ(nbr_latency(&n.lsr, 0), 190);
	/* a held latency change goes out at once with an LSA the topology asks for */
	uint64_t t = 1300 + LSR_LAT_HOLD_MS;
	hello(2400000, 2400000 - 100, 0, t); /* 50 µs */
	CHECK(n.lsr.latency_due);
	lsr_tick(&n.lsr, t);
	CHECK_EQ(advertised(), 200);
	n.lsr.originate_due = true; /* as set_state does when a neighbour comes or goes */
	lsr_tick(&n.lsr, t + 1);
	CHECK_EQ(advertised(), 50);
	CHECK(!n.lsr.latency_due);
	/* an absurd sample (from before a restart) is ignored */
	hello(2500000, 2500000 - 20000000, 0, t + 2);
	CHECK_EQ(nbr_latency(&n.lsr, 0), 50);
}

RUN_TESTS(T(round_trip_and_delay), T(advertised_in_lsa))
