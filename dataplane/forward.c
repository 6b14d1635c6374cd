/*
 * The one place a received packet's fate is decided: validate, deliver locally, or check the
 * hop limit, look up the route, check the MTU, and hand it to its link's egress (egress.c:
 * contracts, scheduling); every drop is counted with its reason, and the drops a sender should
 * hear about produce an NCMP error (spec §6).
 */
#include <string.h>

#include "dp.h"
#include "newip/nls.h"

bool dp_is_local(const struct dp *dp, const uint8_t *addr, uint8_t len)
{
	for (unsigned i = 0; i < dp->n_addrs; i++)
		if (dp->addrs[i].len == len && memcmp(dp->addrs[i].b, addr, len) == 0)
			return true;
	return false;
}

/* Parameter problem for a malformed packet, when its addresses can still be trusted. */
static void malformed(struct dp *dp, struct pkt *k, int err, uint32_t off)
{
	const uint8_t *b = k->data;
	uint8_t code = NCMP_PARAM_HEADER;

	STAT_ADD(dp->st.drop[DROP_MALFORMED], 1);
	STAT_ADD(dp->st.malformed[-err], 1);
	/* Version, address-length and truncation errors leave no source to answer. */
	if (err == NIP_E_TRUNCATED || err == NIP_E_VERSION || err == NIP_E_ADDR_LEN)
		return;
	if (k->len < NIP_BASE_LEN + (size_t)b[10] + b[11] || b[6] == NIP_PROTO_NCMP)
		return; /* never answer a broken NCMP packet: it may be an error already */
	if (err == NIP_E_MUST_UNDERSTAND)
		code = NCMP_PARAM_MUST_UNDERSTAND;
	else if (err == NIP_E_BLOCK_LEN || err == NIP_E_BAD_CHUNK || err == NIP_E_ITEM_OVERRUN)
		code = NCMP_PARAM_BLOCK;
	ncmp_error(dp, b, k->len, NCMP_PARAM_PROBLEM, code, off);
}

bool dp_to_ctl(struct dp *dp, const struct pkt *k, bool urgent)
{
	if (!ring_push(&dp->to_ctl, urgent, k->in_link, dp->now_ns, 0, k->data, k->len)) {
		STAT_ADD(dp->st.drop[DROP_CTL_BUSY], 1);
		return false;
	}
	if (ring_used(&dp->to_ctl) == RING_SLOTS / 2) /* a burst: let the control plane start */
		dp_wake_ctl(dp);
	dp->to_ctl_pending = true;
	return true;
}

static void drop(struct dp *dp, struct pkt *k, enum drop_reason why)
{
	STAT_ADD(dp->st.drop[why], 1);
	pool_put(&dp->pool, k);
}

/* Drop with an NCMP error to the packet's source (rate limited there). */
static void drop_tell(struct dp *dp, struct pkt *k, enum drop_reason why, uint8_t type,
		      uint8_t code, uint32_t param)
{
	ncmp_error(dp, k->data, k->len, type, code, param);
	drop(dp, k, why);
}

/* Route a valid packet that is not for this node, whose lookup gave fib_nh. Returns with k
 * consumed. */
static void route_nh(struct dp *dp, struct pkt *k, const struct nip_pkt *v, uint16_t fib_nh)
{
	const struct nh_group *g = NULL;
	int nh = fwd_pick_nh(dp->cur_fwd, v, fib_nh, &g);
	struct link *out;

	if (nh < 0 || (unsigned)nh >= dp->n_links)
		return drop_tell(dp, k, DROP_NO_ROUTE, NCMP_UNREACH, NCMP_UNREACH_NO_ROUTE, 0);
	out = &dp->links[nh];
	if (k->len > out->mtu) /* no fragmentation in the network: tell the source (spec §1) */
		return drop_tell(dp, k, DROP_TOO_BIG, NCMP_TOO_BIG, 0, out->mtu);
	if (out->cfg.kind == LINK_TUN) /* out of the New IP network (spec §12.2) */
		return tun_send(dp, out, k, v);
	if (k->in_link == LINK_LOCAL && v->auth_off)
		srccheck_tag(dp, k, v, (uint16_t)nh);
	egress_send(dp, out, k, v, g);
}

static void route(struct dp *dp, struct pkt *k, const struct nip_pkt *v)
{
	route_nh(dp, k, v, fib_lookup(dp->cur_fwd->fib, v->dst, v->dst_len));
}

/* Everything a received packet goes through before its route: true when it is to be routed
 * (v parsed, hop limit decremented), false when it was consumed here. */
static bool ingress(struct dp *dp, struct pkt *k, struct nip_pkt *v)
{
	int rc;

	if (k->len == 0)
		return drop(dp, k, DROP_RX_TRUNC), false;
	rc = nip_pkt_parse(v, k->data, k->len);
	if (rc < 0) {
		malformed(dp, k, rc, v->err_off);
		return pool_put(&dp->pool, k), false;
	}
	if (v->len != k->len) {
		if (dp->links[k->in_link].cfg.kind == LINK_UDP)
			return drop(dp, k, DROP_UDP_LENGTH), false; /* spec §3.2 */
		k->len = v->len; /* Ethernet padding */
	}
	if (v->dst_len == 1 && v->dst[0] == 0) { /* x00: this link only (spec §4, §9, §6.6) */
		bool reg = v->next_hdr == NIP_PROTO_NCMP && v->payload_len >= NCMP_HDR_LEN &&
			   (v->payload[0] == NCMP_REGISTER || v->payload[0] == NCMP_REGISTER_ACK);
		if (!reg && v->next_hdr != NIP_PROTO_NLS)
			return drop(dp, k, DROP_LINK_SCOPE), false;
		bool hello = v->next_hdr == NIP_PROTO_NLS && nls_is_hello(v->payload, v->payload_len);
		if (dp_to_ctl(dp, k, hello) && !reg)
			STAT_ADD(dp->st.delivered, 1);
		return pool_put(&dp->pool, k), false;
	}
	if (dp->gs->any_check) { /* a first hop: sources, filters, digests (spec §11) */
		if (dp->gs->check[k->in_link] && !srccheck_ingress(dp, k, v))
			return false;
		if (shutoff_intercept(dp, k, v))
			return false;
	}
	if (dp_is_local(dp, v->dst, v->dst_len))
		return local_input(dp, k, v), false;
	if (v->hop_limit <= 1)
		return drop_tell(dp, k, DROP_HOP_LIMIT, NCMP_HOP_EXCEEDED, 0, 0), false;
	nip_pkt_dec_hop(k->data);
	STAT_ADD(dp->st.forwarded, 1);
	return true;
}

void dp_input(struct dp *dp, struct pkt *k)
{
	struct nip_pkt v;

	if (ingress(dp, k, &v))
		route(dp, k, &v);
}

void dp_input_burst(struct dp *dp, struct pkt **pkts, unsigned n)
{
	struct nip_pkt v[BURST];
	struct pkt *fw[BURST];
	uint16_t nh[BURST];
	unsigned m = 0;

	for (unsigned i = 0; i < n; i++) {
		if (i + 1 < n)
			__builtin_prefetch(pkts[i + 1]->data);
		if (ingress(dp, pkts[i], &v[m]))
			fw[m++] = pkts[i];
		if (m == BURST || (i + 1 == n && m)) {
			fwd_lookup_burst(dp->cur_fwd, v, m, nh);
			for (unsigned j = 0; j < m; j++)
				route_nh(dp, fw[j], &v[j], nh[j]);
			m = 0;
		}
	}
}

void dp_output(struct dp *dp, struct pkt *k)
{
	struct nip_pkt v;

	k->in_link = LINK_LOCAL;
	if (nip_pkt_parse(&v, k->data, k->len) < 0) /* our own builder made it: cannot happen */
		return drop(dp, k, DROP_MALFORMED);
	STAT_ADD(dp->st.originated, 1);
	if (dp_is_local(dp, v.dst, v.dst_len))
		return local_input(dp, k, &v);
	route(dp, k, &v);
}
