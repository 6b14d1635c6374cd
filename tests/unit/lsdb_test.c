/*
 * NLS flooding rules (docs/spec.md §9), driven directly on one node's LSDB with a neighbour
 * on link 0: which received LSAs are newer, older or the same, and what stays pending for
 * retransmission. Pins the bug where an older copy of our own LSA (a neighbour's database
 * sync) cancelled the retransmission of our current one.
 */
#include "lsr_fixture.h"

static struct node n;

static void setup(void)
{
	fixture_node(&n, 0);
	n.lsr.nbr[0] = (struct lsr_nbr){ .state = NBR_TWOWAY, .rid = PEER, .mtu = 1500 };
}

static bool pending(uint64_t origin)
{
	const struct lsdb_entry *e = lsdb_find(&n.lsr, origin);

	return e && (e->pend[0] & 1); /* link 0's bit */
}

/* An update from the peer holding one LSA. */
static void receive(const struct nls_lsa *lsa)
{
	uint8_t msg[2048];
	int len = nls_lsa_encode(msg + NLS_HDR_LEN + 2, sizeof(msg) - 14, lsa);

	CHECK(len > 0);
	nls_put_hdr(msg, NLS_LSU, (uint16_t)(NLS_HDR_LEN + 2 + len), PEER);
	msg[NLS_HDR_LEN] = 1;
	msg[NLS_HDR_LEN + 1] = 0;
	lsdb_lsu_rx(&n.lsr, 0, msg, (size_t)(NLS_HDR_LEN + 2 + len), 1000);
}

static struct nls_lsa mine(uint32_t seq, int n_links)
{
	struct nls_lsa l = { .origin = n.lsr.rid, .seq = seq, .n_links = (uint8_t)n_links };

	strcpy(l.name, "a");
	if (n_links)
		l.links[0].nbr = PEER, l.links[0].metric = 10;
	l.n_prefixes = 1;
	l.prefixes[0].addr = n.cfg.addrs[0];
	l.prefixes[0].plen = 8;
	return l;
}

static void older_own_copy_is_not_an_ack(void)
{
	setup();
	lsdb_originate(&n.lsr, 1000); /* seq 2, listing the peer */
	CHECK_EQ(n.lsr.my_seq, 2);
	CHECK(pending(n.lsr.rid));
	uint64_t stale = n.lsr.st.stale;
	struct nls_lsa old = mine(1, 0); /* what the peer's database sync carries */
	receive(&old);
	CHECK(pending(n.lsr.rid)); /* the bug: this was cleared */
	CHECK_EQ(n.lsr.st.stale, stale + 1);
	CHECK_EQ(n.lsr.my_seq, 2);
}

static void identical_own_copy_is_an_ack(void)
{
	setup();
	lsdb_originate(&n.lsr, 1000);
	struct lsdb_entry *e = lsdb_find(&n.lsr, n.lsr.rid);
	CHECK(e);
	receive(&e->lsa);
	CHECK(!pending(n.lsr.rid));
	CHECK(!n.lsr.originate_due);
}

static void newer_own_copy_after_restart(void)
{
	setup(); /* we restarted: our sequence is 1, the network remembers 57 */
	struct nls_lsa remembered = mine(57, 1);
	receive(&remembered);
	CHECK_EQ(n.lsr.my_seq, 57);
	CHECK(n.lsr.originate_due);
	lsdb_originate(&n.lsr, 1000);
	CHECK_EQ(lsdb_find(&n.lsr, n.lsr.rid)->lsa.seq, 58);
}

static void others_equal_sequence_by_checksum(void)
{
	struct nls_lsa x = { .origin = 0xcc, .seq = 3, .n_prefixes = 1 }, y;

	setup();
	strcpy(x.name, "c");
	nip_addr_parse(&x.prefixes[0].addr, "x0c");
	x.prefixes[0].plen = 8;
	y = x;
	strcpy(y.name, "C"); /* same sequence, other contents */
	uint8_t bx[512], by[512];
	nls_lsa_encode(bx, sizeof(bx), &x);
	nls_lsa_encode(by, sizeof(by), &y);
	bool y_wins = (by[16] << 8 | by[17]) > (bx[16] << 8 | bx[17]);
	receive(&x);
	CHECK_STR(lsdb_find(&n.lsr, 0xcc)->lsa.name, "c");
	receive(&y);
	CHECK_STR(lsdb_find(&n.lsr, 0xcc)->lsa.name, y_wins ? "C" : "c");
	if (!y_wins)
		CHECK(pending(0xcc)); /* ours is newer: the peer gets it back */
	x.seq = 2; /* and a lower sequence is stale whatever its checksum */
	receive(&x);
	CHECK_EQ(lsdb_find(&n.lsr, 0xcc)->lsa.seq, 3);
}

/* Another origin's LSA, stored at `now` as flooding would. */
static void install(uint64_t origin, uint32_t seq, uint64_t now)
{
	struct nls_lsa x = { .origin = origin, .seq = seq, .n_prefixes = 1 };
	uint8_t b[LSR_LSA_MAX];

	strcpy(x.name, "o");
	x.prefixes[0].addr = n.cfg.addrs[0];
	x.prefixes[0].plen = 8;
	int len = nls_lsa_encode(b, sizeof(b), &x);
	CHECK(len > 0 && lsdb_install(&n.lsr, &x, b, (uint16_t)len, now));
}

/* lsr_tick, taking away the table an SPF run published: with no data plane running, the next
 * publication would wait out the grace period for it. */
static void tick(uint64_t now)
{
	lsr_tick(&n.lsr, now);
	fwd_free(atomic_exchange(&n.dp.fwd, NULL));
}

/* SPF runs LSR_SPF_DELAY_MS after a change; while changes keep coming each run waits for the
 * hold after the one before, doubling up to LSR_SPF_HOLD_MAX_MS; a quiet second resets it. */
static void spf_holds_while_changes_come(void)
{
	uint64_t t = 10000, ran = 0, expect_hold = LSR_SPF_DELAY_MS;

	setup();
	n.lsr.spf_due_ms = 0; /* lsr_init's own, on the real clock: not this test's */
	install(0xd1, 1, t);
	CHECK_EQ(n.lsr.spf_due_ms, t + LSR_SPF_DELAY_MS);
	for (int round = 0; round < 12; round++) {
		uint64_t due = n.lsr.spf_due_ms, runs = n.lsr.st.spf_runs;
		CHECK(due >= t + LSR_SPF_DELAY_MS);
		if (ran)
			CHECK_EQ(due, ran + expect_hold > t + LSR_SPF_DELAY_MS ? ran + expect_hold :
								      t + LSR_SPF_DELAY_MS);
		tick(due - 1);
		CHECK_EQ(n.lsr.st.spf_runs, runs); /* not before it is due */
		tick(due);
		CHECK_EQ(n.lsr.st.spf_runs, runs + 1);
		if (ran) {
			expect_hold = 2 * expect_hold;
			if (expect_hold > LSR_SPF_HOLD_MAX_MS)
				expect_hold = LSR_SPF_HOLD_MAX_MS;
		}
		CHECK_EQ(n.lsr.spf_hold_ms, expect_hold);
		ran = due;
		t = due + 1; /* the next change comes at once */
		install(0xd1, (uint32_t)round + 2, t);
	}
	CHECK_EQ(n.lsr.spf_hold_ms, LSR_SPF_HOLD_MAX_MS);
	tick(n.lsr.spf_due_ms);
	t = n.lsr.spf_ran_ms + 1001; /* a quiet second */
	install(0xd1, 100, t);
	CHECK_EQ(n.lsr.spf_due_ms, t + LSR_SPF_DELAY_MS);
	tick(t + LSR_SPF_DELAY_MS);
	CHECK_EQ(n.lsr.spf_hold_ms, LSR_SPF_DELAY_MS);
}

/* A latency change waits 5 s after the last LSA, or 100 ms per LSA held if that is longer. */
static void latency_hold_grows_with_the_area(void)
{
	setup();
	lsdb_originate(&n.lsr, 1000);
	CHECK_EQ(lsr_latency_hold_ms(&n.lsr), LSR_LAT_HOLD_MS);
	for (uint64_t o = 1; o < 100; o++)
		install(0x1000 + o, 1, 1000);
	CHECK_EQ(n.lsr.n_db, 100);
	CHECK_EQ(lsr_latency_hold_ms(&n.lsr), 100 * LSR_LAT_HOLD_PER_LSA_MS);
}

RUN_TESTS(T(older_own_copy_is_not_an_ack), T(identical_own_copy_is_an_ack),
	  T(newer_own_copy_after_restart), T(others_equal_sequence_by_checksum),
	  T(spf_holds_while_changes_come), T(latency_hold_grows_with_the_area))
