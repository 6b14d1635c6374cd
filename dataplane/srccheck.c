/*
 * First-hop source validation (docs/spec.md §11.1): on a source-checked link every packet's
 * source is proven by its tag (registered hosts, §6.6) or bound to the link first come first
 * served (SAVI, for hosts without keys) before anything else touches it. And the host side:
 * the packets this node originates are tagged for the link they leave by.
 */
#include <string.h>

#include "../lib/bytes.h"
#include "dp.h"

/* Does the packet's source route back out of the link it came in on? Then the sender is on
 * that link and may hear why its packet was dropped; otherwise the error would be reflected
 * towards whoever it named. */
static bool routes_back(const struct dp *dp, const struct nip_pkt *v, uint16_t link)
{
	const struct fwd *f = dp->cur_fwd;
	uint16_t nh = f ? fib_lookup(f->fib, v->src, v->src_len) : FIB_NONE;

	if (nh == FIB_NONE || nh >= f->n_groups)
		return false;
	for (unsigned i = 0; i < f->groups[nh].n; i++)
		if (f->groups[nh].link[i] == link)
			return true;
	return false;
}

static bool reject(struct dp *dp, struct pkt *k, const struct nip_pkt *v, enum drop_reason why)
{
	if (routes_back(dp, v, k->in_link))
		ncmp_error(dp, k->data, k->len, NCMP_UNREACH, NCMP_UNREACH_AUTH, 0);
	STAT_ADD(dp->st.drop[why], 1);
	pool_put(&dp->pool, k);
	return false;
}

/* First come, first served: bind src to link, or refuse if it is bound to another. */
static bool savi_bind(struct guard_state *gs, uint16_t link, const uint8_t *a, uint8_t len,
		      uint64_t now)
{
	uint32_t h = guard_addr_hash(a, len);
	struct savi_ent *spare = NULL;

	for (unsigned i = 0; i < SAVI_PROBE; i++) {
		struct savi_ent *e = &gs->savi[(h + i) % SAVI_SLOTS];
		bool live = e->addr.len && now - e->seen_ns < SAVI_LIFETIME_NS;
		if (e->addr.len == len && !memcmp(e->addr.b, a, len)) {
			if (live && e->link != link)
				return false;
			e->link = link;
			e->seen_ns = now;
			return true;
		}
		if (!spare && !live)
			spare = e;
	}
	if (!spare) /* full here: refuse rather than let an unchecked source through */
		return false;
	if (!spare->addr.len)
		gs->savi_n++;
	nip_addr_set(&spare->addr, a, len);
	spare->link = link;
	spare->seen_ns = now;
	return true;
}

int savi_link(const struct guard_state *gs, const uint8_t *a, uint8_t len, uint64_t now)
{
	uint32_t h = guard_addr_hash(a, len);

	for (unsigned i = 0; i < SAVI_PROBE; i++) {
		const struct savi_ent *e = &gs->savi[(h + i) % SAVI_SLOTS];
		/* Signed: the data plane may refresh a binding after the reader took its clock. */
		if (e->addr.len == len && !memcmp(e->addr.b, a, len))
			return (int64_t)(now - e->seen_ns) < (int64_t)SAVI_LIFETIME_NS ? e->link : -1;
	}
	return -1;
}

bool srccheck_ingress(struct dp *dp, struct pkt *k, const struct nip_pkt *v)
{
	struct guard_state *gs = dp->gs;
	const struct guard *g = dp->cur_guard;
	uint16_t link = k->in_link;
	const struct sav_sess *s;

	uint32_t kid = v->auth_off ? get32(v->buf + v->auth_off + 3) : 0;

	if (kid) {
		s = g ? guard_sess_by_key(g, kid) : NULL;
		if (!s || s->link != link || s->expires_ns <= dp->now_ns ||
		    nip_sec_auth_verify(v, s->key) < 0)
			return reject(dp, k, v, DROP_SRC_BAD_TAG);
		if (s->addr.len != v->src_len || memcmp(s->addr.b, v->src, v->src_len))
			return reject(dp, k, v, DROP_SRC_SPOOFED);
	} else if (gs->check[link] == SRC_CHECK_STRICT ||
		   (g && guard_sess_by_addr(g, v->src, v->src_len))) {
		return reject(dp, k, v, DROP_SRC_UNSIGNED);
	} else if (!savi_bind(gs, link, v->src, v->src_len, dp->now_ns)) {
		return reject(dp, k, v, DROP_SRC_SPOOFED);
	}
	STAT_ADD(dp->st.src_checked, 1);
	return shutoff_edge(dp, k, v);
}

void srccheck_tag(struct dp *dp, struct pkt *k, const struct nip_pkt *v, uint16_t out)
{
	const struct guard *g = dp->cur_guard;
	uint8_t *kid = k->data + v->auth_off + 3;

	if (!g || out >= GUARD_LINKS || !g->up[out].key_id || g->up[out].addr.len != v->src_len ||
	    memcmp(g->up[out].addr.b, v->src, v->src_len))
		return; /* Key ID 0: untagged, for the first hop's SAVI check */
	if (!get32(kid)) /* the control plane fills it before it signs */
		put32(kid, g->up[out].key_id);
	if (get32(kid) == g->up[out].key_id)
		nip_sec_auth_compute(v, g->up[out].key, k->data + v->auth_off + 2 + 5);
}
