/* Authenticated NLS (docs/spec.md §9.1): the checks on each signed message and on each LSA's
 * origin signature, with a rate-limited log line for every refusal. */
#include <stdio.h>
#include <string.h>

#include "clock.h"
#include "lsr.h"
#include "node.h"

#define SKEW_NS 2000000000ll /* replay elements and LSA times: within 2 s of our clock */

/* One log line per rejected message, at most 10 a second for each kind (then a count of the
 * rest), so a flood of unauthenticated hellos cannot hide a forged LSA from a trusted router. */
static void auth_reject(struct lsr *l, struct lsr_log_limit *lim, uint16_t link, const char *what,
			const char *why, uint64_t now)
{
	l->st.auth_rejected++;
	if (now - lim->window_ms >= 1000) {
		if (lim->suppressed)
			fprintf(stderr, "newipd %s: %u more NLS rejections like the last in the last "
				"second\n", l->node->cfg.node, lim->suppressed);
		lim->window_ms = now;
		lim->lines = lim->suppressed = 0;
	}
	if (lim->lines++ >= 10) {
		lim->suppressed++;
		return;
	}
	fprintf(stderr, "newipd %s: link %s: %s rejected: %s\n", l->node->cfg.node,
		l->node->dp.links[link].cfg.name, what, why);
}

static void msg_reject(struct lsr *l, uint16_t link, const struct nip_pkt *v, const char *why,
		       uint64_t now)
{
	struct nip_addr src;
	char s[NIP_ADDR_STRLEN], what[NIP_ADDR_STRLEN + 32];

	nip_pkt_src(v, &src);
	nip_addr_format(&src, s, sizeof(s));
	snprintf(what, sizeof(what), "NLS message from %s", s);
	auth_reject(l, &l->log_msgs, link, what, why, now);
}

/* Index of a trust anchor; CFG_MAX_TRUST for the node's own key (trusted too); or -1. */
static int trusted(const struct config *c, const uint8_t *pk)
{
	for (unsigned i = 0; i < c->n_trust; i++)
		if (!memcmp(c->trust[i], pk, NIP_PK_LEN))
			return (int)i;
	return !memcmp(c->id.pk, pk, NIP_PK_LEN) ? CFG_MAX_TRUST : -1;
}

bool lsr_auth_msg(struct lsr *l, uint16_t link, const struct nip_pkt *v, uint64_t rid,
		  uint64_t now)
{
	struct nip_sig_elem e;
	struct nip_replay_elem r;
	int k;

	if (nip_pkt_sig(v, &e) < 0) {
		msg_reject(l, link, v, "unsigned", now);
		return false;
	}
	if ((k = trusted(&l->node->cfg, e.pk)) < 0) {
		msg_reject(l, link, v, "untrusted key", now);
		return false;
	}
	if (nls_router_id_key(e.pk) != rid) {
		msg_reject(l, link, v, "router ID not its key's", now);
		return false;
	}
	if (nip_sec_verify_sig(v) < 0) {
		msg_reject(l, link, v, "bad signature", now);
		return false;
	}
	int64_t skew = nip_pkt_replay(v, &r) < 0 ? INT64_MAX : (int64_t)(r.ts_ns - real_ns());
	if (skew > SKEW_NS || skew < -SKEW_NS) {
		msg_reject(l, link, v, "stale (no replay element, or its time is more than 2 s off)",
			   now);
		return false;
	}
	if (r.ts_ns <= l->last_ts[k][link]) {
		msg_reject(l, link, v, "replayed", now);
		return false;
	}
	l->last_ts[k][link] = r.ts_ns;
	return true;
}

bool lsr_auth_lsa(struct lsr *l, uint16_t link, const struct nls_lsa *lsa, const uint8_t *b,
		  uint16_t len, uint32_t max_age_s, uint64_t now)
{
	const char *why = NULL;
	char what[128];

	if (!lsa->is_signed)
		why = "unsigned LSA";
	else if (trusted(&l->node->cfg, lsa->origin_pk) < 0)
		why = "LSA key not trusted";
	else if (nls_router_id_key(lsa->origin_pk) != lsa->origin)
		why = "LSA not signed by its origin";
	else if (nls_lsa_verify(b, len) < 0)
		why = "bad LSA signature";
	else {
		int64_t age = (int64_t)(real_ns() / 1000000000u) - (int64_t)lsa->signed_at;
		if (age > (int64_t)max_age_s + SKEW_NS / 1000000000 || age < -SKEW_NS / 1000000000)
			why = "expired LSA";
	}
	if (!why)
		return true;
	snprintf(what, sizeof(what), "LSA of %016llx (%s) seq %u", (unsigned long long)lsa->origin,
		 lsa->name, lsa->seq);
	auth_reject(l, &l->log_lsas, link, what, why, now);
	return false;
}
