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

RUN_TESTS(T(older_own_copy_is_not_an_ack), T(identical_own_copy_is_an_ack),
	  T(newer_own_copy_after_restart), T(others_equal_sequence_by_checksum))
