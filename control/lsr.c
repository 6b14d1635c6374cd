/* NLS glue: packets in from the data plane's ring, out through the other ring, and timers. */
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "lsr.h"
#include "node.h"
#include "zero.h"

uint64_t lsr_now_ms(void)
{
	return mono_ns() / 1000000u;
}

void lsr_init(struct lsr *l, struct node *n)
{
	const struct config *c = &n->cfg;

	zero_fill(l, sizeof(*l));
	l->node = n;
	l->enabled = c->routing;
	l->rid = c->nls_auth ? nls_router_id_key(c->id.pk) : nls_router_id(&c->addrs[0]);
	l->hello_ms = c->hello_ms;
	l->dead_ms = c->dead_ms;
	l->refresh_s = c->lsa_refresh_s;
	l->my_seq = c->lsa_seq_start;
	l->auth = c->nls_auth;
	for (unsigned i = 0; i < c->n_links; i++) {
		l->metric[i] = c->metric[i];
		l->delay_us[i] = c->links[i].delay_us;
		l->nbr[i].rtt_min_us[0] = l->nbr[i].rtt_min_us[1] = LSR_RTT_NONE;
	}
	if (l->enabled)
		lsdb_originate(l, lsr_now_ms());
}

/* Wrap an NLS message in a link-scoped New IP packet (spec §9) and hand it to the data plane;
 * a hello's round-trip fields are stamped by the data plane as it leaves. */
void lsr_send(struct lsr *l, uint16_t link, const uint8_t *msg, size_t len)
{
	struct nip_hdr h = { .next_hdr = NIP_PROTO_NLS, .hop_limit = 1, .tc = 0xc0 /* CS6 */ };
	struct dp *dp = &l->node->dp;
	uint8_t pkt[PKT_BUF];
	struct nip_writer w;

	h.dst.len = 1; /* x00: this link */
	h.src = dp->addrs[0];
	nip_w_init(&w, pkt, sizeof(pkt), &h);
	if (l->auth) { /* spec §9.1: signed, and stamped here rather than as it leaves */
		nip_w_security_begin(&w);
		nip_w_sig(&w, l->node->cfg.id.pk);
		nip_w_replay(&w, real_ns(), randombytes_random());
		nip_w_block_end(&w);
	}
	int n = nip_w_finish(&w, msg, len);
	bool hello = nls_is_hello(msg, len);
	uint16_t stamp = !l->auth && hello ?
				 (uint16_t)((size_t)n - len + NLS_HDR_LEN + 8) : 0;
	if (n > 0 && l->auth && nip_sec_sign(pkt, (size_t)n, l->node->cfg.id.sk) < 0)
		n = -1;
	if (n < 0 || !ring_push(&dp->from_ctl, hello, link, 0, stamp, pkt, (size_t)n)) {
		l->st.tx_dropped++;
		return;
	}
	l->st.msgs_tx++;
	/* One wake-up for all a tick sends (lsr_tick), and one as the ring reaches half full: a
	 * sync with a new neighbour is hundreds of messages, and each wake-up a context switch. */
	if (ring_used(&dp->from_ctl) == RING_SLOTS / 2)
		dp_wake(dp);
	l->wake_dp = true;
}

void lsr_rx(struct lsr *l, uint16_t link, const uint8_t *pkt, size_t len, uint64_t now,
	    uint64_t rx_ns)
{
	struct nip_pkt v;
	uint64_t rid;
	int type;

	if (!l->enabled || link >= l->node->dp.n_links)
		return;
	if (nip_pkt_parse(&v, pkt, len) < 0 || v.next_hdr != NIP_PROTO_NLS ||
	    (type = nls_parse_hdr(v.payload, v.payload_len, &rid)) < 0 || rid == l->rid) {
		l->st.malformed++;
		return;
	}
	if (l->auth && !lsr_auth_msg(l, link, &v, rid, now))
		return;
	if (type == NLS_HELLO)
		return nbr_hello_rx(l, link, &v, v.payload, v.payload_len, now, rx_ns);
	/* Updates and acknowledgements count only from the two-way neighbour on that link. */
	nbr_promote(l, link, rid, now);
	if (l->nbr[link].state != NBR_TWOWAY || l->nbr[link].rid != rid) {
		l->st.stale++;
		return;
	}
	if (type == NLS_LSU)
		lsdb_lsu_rx(l, link, v.payload, v.payload_len, now);
	else
		lsdb_ack_rx(l, link, v.payload, v.payload_len);
}

uint64_t lsr_latency_hold_ms(const struct lsr *l)
{
	uint64_t per = (uint64_t)l->n_db * LSR_LAT_HOLD_PER_LSA_MS;

	return per > LSR_LAT_HOLD_MS ? per : LSR_LAT_HOLD_MS;
}

static void earlier(uint64_t *t, uint64_t when)
{
	if (when < *t)
		*t = when;
}

uint64_t lsr_next_ms(const struct lsr *l, uint64_t now, uint64_t limit)
{
	uint64_t t = now + limit;

	if (!l->enabled)
		return t;
	if (l->originate_due)
		return now;
	if (l->latency_due)
		earlier(&t, l->my_lsa_ms + lsr_latency_hold_ms(l));
	if (l->spf_due_ms)
		earlier(&t, l->spf_due_ms);
	for (uint16_t i = 0; i < l->node->dp.n_links; i++) {
		const struct lsr_nbr *n = &l->nbr[i];
		if (!link_kind_routed(l->node->dp.links[i].cfg.kind))
			continue;
		earlier(&t, l->next_hello_ms[i]);
		if (n->state != NBR_DOWN)
			earlier(&t, n->last_heard_ms + n->dead_ms + 1);
		if (n->state == NBR_TWOWAY && n->n_pending)
			earlier(&t, n->next_rxmt_ms);
	}
	return t > now ? t : now;
}

void lsr_tick(struct lsr *l, uint64_t now)
{
	if (!l->enabled)
		return;
	nbr_tick(l, now);
	lsdb_tick(l, now);
	if (l->originate_due || (l->latency_due && now - l->my_lsa_ms >= lsr_latency_hold_ms(l)))
		lsdb_originate(l, now);
	if (l->wake_dp) { /* what lsr_rx and the timers above sent */
		dp_wake(&l->node->dp);
		l->wake_dp = false;
	}
	if (l->spf_due_ms && now >= l->spf_due_ms) {
		uint64_t hold = now - l->spf_ran_ms > 1000 ? LSR_SPF_DELAY_MS : 2 * l->spf_hold_ms;
		l->spf_hold_ms = hold < LSR_SPF_HOLD_MAX_MS ? hold : LSR_SPF_HOLD_MAX_MS;
		l->spf_ran_ms = now;
		l->spf_due_ms = 0;
		spf_run(l);
	}
}
