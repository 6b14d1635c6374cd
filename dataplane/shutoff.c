/*
 * Shut-off in the data plane (docs/spec.md §6.5, §11): the filters at a source's edge and the
 * digest cache they are checked against, the interception of requests for this router's
 * hosts, and at a victim the per-source table of digests, the heavy-hitter sketch and the
 * count of what still arrives from a source it shut off.
 */
#include <string.h>

#include "dp.h"
#include "seqlock.h"

bool shutoff_edge(struct dp *dp, struct pkt *k, const struct nip_pkt *v)
{
	struct guard_state *gs = dp->gs;
	const struct guard *g = dp->cur_guard;
	uint8_t d[16];

	if (g && g->n_filt) {
		const struct so_filter *f = guard_filter(g, v->src, v->src_len, v->dst, v->dst_len);
		if (f && !f->victim && f->link == k->in_link && f->expires_ns > dp->now_ns) {
			STAT_ADD(gs->filt_hits[f->slot], 1);
			ncmp_error(dp, k->data, k->len, NCMP_UNREACH, NCMP_UNREACH_SHUT_OFF, 0);
			STAT_ADD(dp->st.drop[DROP_SHUT_OFF], 1);
			pool_put(&dp->pool, k);
			return false;
		}
	}
	nip_pkt_digest(v, d);
	dcache_insert(&gs->dc, d, dcache_pair_hash(v->src, v->src_len, v->dst, v->dst_len),
		      dp->now_ns);
	return true;
}

/* Is dst one of this router's hosts: registered, or bound on a checked link? */
static bool owns(const struct dp *dp, const uint8_t *a, uint8_t len)
{
	const struct guard *g = dp->cur_guard;

	return (g && guard_sess_by_addr(g, a, len)) || savi_link(dp->gs, a, len, dp->now_ns) >= 0;
}

bool shutoff_intercept(struct dp *dp, struct pkt *k, const struct nip_pkt *v)
{
	struct guard_state *gs = dp->gs;
	uint16_t l = k->in_link < GUARD_LINKS ? k->in_link : GUARD_LINKS - 1;

	if (v->next_hdr != NIP_PROTO_NCMP || v->payload_len < NCMP_HDR_LEN ||
	    v->payload[0] != NCMP_SHUTOFF_REQUEST || !owns(dp, v->dst, v->dst_len))
		return false;
	/* A token bucket per link bounds what forged requests can make the control plane do. */
	if (!tb_allow(&gs->punt[l], PUNT_RATE, PUNT_BURST, dp->now_ns))
		STAT_ADD(dp->st.drop[DROP_CTL_BUSY], 1);
	else
		dp_to_ctl(dp, k, false);
	pool_put(&dp->pool, k);
	return true;
}

void shutoff_victim(struct dp *dp, const struct nip_pkt *v)
{
	struct guard_state *gs = dp->gs;
	const struct guard *g = dp->cur_guard;

	hh_add(&gs->hh, v->src, v->src_len, dp->now_ns);
	if (g && g->n_filt) {
		const struct so_filter *f = guard_filter(g, v->src, v->src_len, v->dst, v->dst_len);
		if (f && f->victim)
			STAT_ADD(gs->filt_hits[f->slot], 1);
	}
	if (!gs->keep_recent)
		return;
	struct recent_ent *e = &gs->recent[guard_addr_hash(v->src, v->src_len) % RECENT_SLOTS];
	seq_write_begin(&e->seq);
	nip_addr_set(&e->src, v->src, v->src_len);
	nip_addr_set(&e->dst, v->dst, v->dst_len);
	nip_pkt_digest(v, e->digest);
	e->when_ns = dp->now_ns;
	seq_write_end(&e->seq);
}
