/*
 * The emulated LPWAN link (docs/spec.md §13.4). Packets leave compressed by the link's SCHC
 * rules (§13.2), one frame each when they fit and through the fragment sender (§13.3) when
 * not; frames take turns on one radio whose air time follows the bit rate and whose silences
 * follow the duty cycle, and each is lost on air with the link's loss rate. Every frame is one
 * datagram of a connected UDP socket. Received frames are restored, or reassembled and restored,
 * into New IP packets for the forwarding path; whatever cannot be is counted and dropped.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "dp.h"
#include "rnd.h"
#include "schc_link.h"

int schc_link_open(struct link *l, char *err, size_t errlen)
{
	const struct link_cfg *c = &l->cfg;
	struct schc_link *s = calloc(1, sizeof(*s));
	char e[SCHC_ERR + 64];

	if (!s) {
		snprintf(err, errlen, "link %s: out of memory", c->name);
		return -1;
	}
	l->schc = s;
	if (schc_rules_load(&s->rs, c->schc_rules, NULL, e, sizeof(e)) < 0) {
		snprintf(err, errlen, "link %s: %s", c->name, e);
		return -1;
	}
	if (!(s->rule_st = calloc(s->rs.n_rules, sizeof(*s->rule_st)))) {
		snprintf(err, errlen, "link %s: out of memory", c->name);
		return -1;
	}
	s->tx_dir = c->schc_tx;
	s->rx_dir = c->schc_tx == SCHC_UP ? SCHC_DOWN : SCHC_UP;
	s->tx_frag = c->schc_tx == SCHC_UP ? s->rs.frag_up : s->rs.frag_down;
	s->rx_frag = c->schc_tx == SCHC_UP ? s->rs.frag_down : s->rs.frag_up;
	s->frame = c->frame, s->bitrate = c->bitrate, s->duty = c->duty, s->loss = c->loss;
	s->rng = 0x9e3779b97f4a7c15ull ^ ((uint64_t)c->schc_tx << 32) ^ c->local_len;
	for (const char *p = c->name; *p; p++) /* a reproducible loss pattern per link */
		s->rng = (s->rng ^ (uint8_t)*p) * 0x100000001b3ull;
	if (!s->rng)
		s->rng = 1;
	/* New IP's minimum MTU (spec §1): whatever does not fit a frame is fragmented. */
	if (!l->cfg.mtu)
		l->cfg.mtu = LINK_MTU_MIN;
	return link_udp_open(l, err, errlen); /* frames: one a datagram, to the connected peer */
}

void schc_link_close(struct link *l)
{
	if (!l->schc)
		return;
	schc_rules_free(&l->schc->rs);
	free(l->schc->rule_st);
	free(l->schc);
	l->schc = NULL;
}

static uint64_t air_ns(const struct schc_link *s, size_t octets)
{
	return (uint64_t)octets * 8u * 1000000000ull / s->bitrate;
}

/* A frame waits for the radio: false (counted by the caller) when the queue is full. */
static bool air_push(struct schc_link *s, const uint8_t *f, size_t len)
{
	unsigned i = (s->air_head + s->air_n) % SCHC_AIRQ;

	if (s->air_n == SCHC_AIRQ)
		return false;
	memcpy(s->air[i], f, len);
	s->air_len[i] = (uint16_t)len;
	s->air_n++;
	return true;
}

/* One packet of the transmit queue: compressed, then to the radio or the fragment queue. */
static void tx_one(struct link *l, const struct pkt *k, struct dp_stats *st)
{
	struct schc_link *s = l->schc;
	uint8_t out[SCHC_PKT_MAX + 8];
	size_t nbits, n;
	int r = schc_compress(&s->rs, s->tx_dir, k->data, k->len, out, sizeof(out), &nbits);

	if (r < 0) {
		STAT_ADD(s->st.no_rule, 1);
		STAT_ADD(st->drop[DROP_SCHC_NO_RULE], 1);
		return;
	}
	n = (nbits + 7) / 8;
	if (n > s->frame && (s->tx_frag < 0 || n > SCHC_PKT_MAX)) {
		STAT_ADD(s->st.too_big, 1);
		STAT_ADD(st->drop[DROP_TOO_BIG], 1);
		return;
	}
	if (n <= s->frame ? !air_push(s, out, n) : s->fq_n == SCHC_FRAGQ) {
		STAT_ADD(s->st.queue_full, 1);
		STAT_ADD(st->drop[DROP_QUEUE_FULL], 1);
		return;
	}
	if (n > s->frame) {
		unsigned i = (s->fq_head + s->fq_n++) % SCHC_FRAGQ;
		memcpy(s->fq[i], out, n);
		s->fq_len[i] = (uint16_t)n;
	}
	STAT_ADD(s->rule_st[r].tx, 1);
	STAT_ADD(s->rule_st[r].octets_in, k->len);
	STAT_ADD(s->rule_st[r].octets_out, n);
	STAT_ADD(s->st.pkts_tx, 1);
	STAT_ADD(s->st.octets_in, k->len);
	STAT_ADD(s->st.octets_out, n);
}

void schc_link_flush(struct link *l, struct pool *pool, struct dp_stats *st)
{
	for (unsigned i = 0; i < l->n_tx; i++) {
		tx_one(l, l->txq[i], st);
		pool_put(pool, l->txq[i]);
	}
	l->n_tx = 0;
}

/* A SCHC packet (compressed, possibly reassembled) back into a New IP packet for out. */
static void restore(struct dp *dp, struct link *l, const uint8_t *in, size_t len,
		    struct pkt **out, unsigned *n)
{
	struct schc_link *s = l->schc;
	struct pkt *k = pool_get(&dp->pool);
	int rule, plen;

	if (!k) {
		STAT_ADD(dp->st.drop[DROP_POOL], 1);
		return;
	}
	plen = schc_decompress(&s->rs, s->rx_dir, in, 8 * len, k->data, PKT_BUF, &rule);
	if (plen < 0) {
		STAT_ADD(s->st.malformed, 1);
		STAT_ADD(dp->st.drop[DROP_SCHC_MALFORMED], 1);
		pool_put(&dp->pool, k);
		return;
	}
	STAT_ADD(s->rule_st[rule].rx, 1);
	STAT_ADD(s->st.pkts_rx, 1);
	k->len = (uint32_t)plen;
	k->in_link = l->id;
	out[(*n)++] = k;
}

/* A fragment, ACK or abort of one of the link's fragmentation rules. */
static void frag_in(struct dp *dp, struct link *l, int ri, const uint8_t *f, size_t len,
		    struct pkt **out, unsigned *n)
{
	struct schc_link *s = l->schc;
	uint64_t ms = dp->now_ns / 1000000u;
	uint8_t reply[SCHC_FRAME_MAX];
	size_t rlen, plen;
	int rc;

	if (ri == s->tx_frag) { /* an ACK or a Receiver-Abort for our sender */
		if (s->ftx_busy)
			schc_ftx_input(&s->ftx, f, len, ms);
		return;
	}
	if (ri != s->rx_frag) { /* a fragment going our way: only the peer sends those */
		STAT_ADD(s->st.malformed, 1);
		STAT_ADD(dp->st.drop[DROP_SCHC_MALFORMED], 1);
		return;
	}
	rc = schc_frx_input(&s->frx, &s->rs.rules[ri], f, len, ms, reply, s->frame, &rlen, &plen);
	if (rlen && air_push(s, reply, rlen))
		STAT_ADD(s->st.acks_tx, 1);
	if (rc == FRX_COMPLETE) {
		STAT_ADD(s->st.frag_pkts_rx, 1);
		restore(dp, l, s->frx.buf, plen, out, n);
	} else if (rc == FRX_SENDER_ABORT) {
		STAT_ADD(s->st.aborts_rx, 1);
		STAT_ADD(dp->st.drop[DROP_SCHC_ABORT], 1);
	} else if (rc < 0) {
		STAT_ADD(*(rc == FRX_BAD_RCS ? &s->st.bad_rcs : &s->st.malformed), 1);
		STAT_ADD(dp->st.drop[DROP_SCHC_MALFORMED], 1);
	}
}

unsigned schc_link_rx(struct dp *dp, struct link *l, struct pkt **out, unsigned max)
{
	struct schc_link *s = l->schc;
	uint8_t f[BURST][SCHC_FRAME_MAX + 1];
	unsigned n = 0;
	int got;

	if (max > BURST)
		max = BURST;
	for (unsigned i = 0; i < max; i++) {
		l->iov[i] = (struct iovec){ f[i], sizeof(f[i]) };
		l->msgs[i].msg_hdr = (struct msghdr){ .msg_iov = &l->iov[i], .msg_iovlen = 1 };
	}
	got = recvmmsg(l->fd, l->msgs, max, MSG_DONTWAIT, NULL);
	for (int i = 0; i < got; i++) {
		size_t len = l->msgs[i].msg_len;
		int ri;
		STAT_ADD(l->st.rx_pkts, 1);
		STAT_ADD(l->st.rx_bytes, len);
		STAT_ADD(s->st.frames_rx, 1);
		if (len > s->frame || !len || (ri = schc_rule_of(&s->rs, f[i], 8 * len)) < 0) {
			STAT_ADD(s->st.malformed, 1); /* longer than the radio carries, or no rule */
			STAT_ADD(dp->st.drop[DROP_SCHC_MALFORMED], 1);
		} else if (s->rs.rules[ri].kind == SCHC_RULE_FRAG) {
			frag_in(dp, l, ri, f[i], len, out, &n);
		} else {
			restore(dp, l, f[i], len, out, &n);
		}
	}
	return n;
}

/* The fragment sender: account for the packet it finished, start the next one queued. */
static void ftx_feed(struct dp *dp, struct schc_link *s, uint64_t ms)
{
	if (s->ftx_busy && (s->ftx.state == FTX_DONE || s->ftx.state == FTX_ABORTED)) {
		STAT_ADD(s->st.fragments_tx, s->ftx.frags);
		STAT_ADD(s->st.retx_tiles, s->ftx.retx_tiles);
		STAT_ADD(s->st.ack_reqs, s->ftx.ack_reqs);
		if (s->ftx.state == FTX_DONE) {
			STAT_ADD(s->st.frag_pkts_tx, 1);
		} else {
			STAT_ADD(s->st.aborts_tx, 1);
			STAT_ADD(dp->st.drop[DROP_SCHC_ABORT], 1);
		}
		s->ftx_busy = false;
	}
	while (!s->ftx_busy && s->fq_n) {
		unsigned i = s->fq_head;
		s->fq_head = (s->fq_head + 1) % SCHC_FRAGQ, s->fq_n--;
		if (schc_ftx_start(&s->ftx, &s->rs.rules[s->tx_frag], s->fq[i], s->fq_len[i],
				   s->dtag++, s->frame, ms) == 0) {
			s->ftx_busy = true;
		} else { /* more windows than the rule's W counts */
			STAT_ADD(s->st.too_big, 1);
			STAT_ADD(dp->st.drop[DROP_TOO_BIG], 1);
		}
	}
}

/* The frame on air is over: it reaches the peer unless the loss draw says otherwise. */
static void air_end(struct link *l)
{
	struct schc_link *s = l->schc;
	uint64_t t = air_ns(s, s->cur_len);

	s->on_air = false;
	s->radio_free_ns = s->air_done_ns + t * (100u - s->duty) / s->duty;
	STAT_ADD(s->st.frames_tx, 1);
	STAT_ADD(s->st.air_us, t / 1000);
	if (s->loss && dp_rnd(&s->rng) % 100 < s->loss) {
		STAT_ADD(s->st.frames_lost, 1);
		return;
	}
	if (send(l->fd, s->cur, s->cur_len, MSG_DONTWAIT) < 0) {
		STAT_ADD(l->st.tx_err, 1);
		return;
	}
	STAT_ADD(l->st.tx_pkts, 1);
	STAT_ADD(l->st.tx_bytes, s->cur_len);
}

/* The next frame onto the radio: ACKs and whole packets first, then the fragment sender's. */
static bool air_start(struct schc_link *s, uint64_t now, uint64_t ms)
{
	size_t n = 0;

	if (s->air_n) {
		n = s->air_len[s->air_head];
		memcpy(s->cur, s->air[s->air_head], n);
		s->air_head = (s->air_head + 1) % SCHC_AIRQ, s->air_n--;
	} else if (s->ftx_busy && schc_ftx_when(&s->ftx) <= ms) {
		n = schc_ftx_next(&s->ftx, s->cur, ms);
	}
	if (!n)
		return false;
	s->cur_len = (uint16_t)n;
	s->on_air = true;
	s->air_done_ns = now + air_ns(s, n);
	return true;
}

uint64_t schc_link_run(struct dp *dp, struct link *l)
{
	struct schc_link *s = l->schc;
	uint64_t now = dp->now_ns, ms = now / 1000000u, t = UINT64_MAX, w;
	uint8_t reply[SCHC_FRAME_MAX];
	size_t rlen;

	if (s->rx_frag >= 0 && s->frx.state == FRX_RECV &&
	    schc_frx_tick(&s->frx, &s->rs.rules[s->rx_frag], ms, reply, s->frame, &rlen) ==
		    FRX_TIMEOUT) { /* the peer's packet, half received, is given up */
		STAT_ADD(s->st.aborts_rx, 1);
		STAT_ADD(dp->st.drop[DROP_SCHC_ABORT], 1);
		if (rlen)
			air_push(s, reply, rlen);
	}
	for (;;) {
		ftx_feed(dp, s, ms);
		if (s->on_air) {
			if (now < s->air_done_ns)
				return s->air_done_ns;
			air_end(l);
		} else if (now < s->radio_free_ns || !air_start(s, now, ms)) {
			break;
		}
	}
	if (s->air_n)
		t = s->radio_free_ns;
	if (s->ftx_busy && (w = schc_ftx_when(&s->ftx)) != UINT64_MAX) {
		w = w * 1000000u > s->radio_free_ns ? w * 1000000u : s->radio_free_ns;
		t = w < t ? w : t;
	}
	if (s->frx.state == FRX_RECV && s->frx.deadline * 1000000u < t)
		t = s->frx.deadline * 1000000u;
	return t > now ? t : now + 1000000u; /* due now yet not sendable: look again in 1 ms */
}
