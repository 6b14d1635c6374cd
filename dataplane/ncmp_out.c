/* NCMP messages the node sends itself: errors about packets it drops, and echo replies. */
#include <string.h>

#include "dp.h"

const struct nip_addr *dp_source_for(const struct dp *dp, uint8_t dst_len)
{
	for (unsigned i = 0; i < dp->n_addrs; i++)
		if (dp->addrs[i].len == dst_len)
			return &dp->addrs[i];
	return &dp->addrs[0];
}

void dp_w_tag(const struct dp *dp, struct nip_writer *w)
{
	if (!dp->cur_guard || !dp->cur_guard->tag_out)
		return;
	nip_w_security_begin(w);
	nip_w_auth(w, 0); /* Key ID and Tag are filled for the link it leaves by (srccheck.c) */
	nip_w_block_end(w);
}

/* Build one NCMP message into a fresh buffer and send it on its way. */
static void ncmp_send(struct dp *dp, const struct nip_hdr *h, uint8_t type, uint8_t code,
		      uint32_t param, const void *body, size_t len)
{
	struct pkt *k = pool_get(&dp->pool);
	int n;

	if (!k) {
		STAT_ADD(dp->st.drop[DROP_POOL], 1);
		return;
	}
	struct nip_writer w;
	nip_w_init(&w, k->data, PKT_BUF, h);
	dp_w_tag(dp, &w);
	n = nip_ncmp_finish(&w, type, code, param, body, len);
	if (n < 0) {
		pool_put(&dp->pool, k);
		return;
	}
	k->len = (uint32_t)n;
	STAT_ADD(dp->st.ncmp_sent, 1);
	dp_output(dp, k);
}

void ncmp_error(struct dp *dp, const uint8_t *invoking, size_t len, uint8_t type, uint8_t code,
		uint32_t param)
{
	struct nip_hdr h = { .hop_limit = DP_DEFAULT_HOP_LIMIT };
	uint8_t dl = invoking[10], sl = invoking[11];
	const uint8_t *src = invoking + NIP_BASE_LEN + dl;

	/* Never about an NCMP error message (spec §6). The caller checked the addresses fit. */
	if (invoking[6] == NIP_PROTO_NCMP && invoking[8] < len && nip_ncmp_is_error(invoking[invoking[8]]))
		return;
	if (!rl_allow(&dp->ncmp_rl, src, sl, dp->now_ns)) {
		STAT_ADD(dp->st.ncmp_limited, 1);
		return;
	}
	nip_addr_set(&h.dst, src, sl);
	h.src = *dp_source_for(dp, sl);
	ncmp_send(dp, &h, type, code, param, invoking, len);
}

void ncmp_echo_reply(struct dp *dp, const struct nip_pkt *req, const struct nip_ncmp *m)
{
	struct nip_hdr h = { .hop_limit = DP_DEFAULT_HOP_LIMIT, .flow_label = req->flow_label };

	nip_pkt_src(req, &h.dst);
	nip_pkt_dst(req, &h.src); /* answer from the address that was pinged */
	ncmp_send(dp, &h, NCMP_ECHO_REPLY, 0, m->param, m->body, m->body_len);
}
