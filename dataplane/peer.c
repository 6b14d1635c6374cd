/* Keyed UDP links (docs/spec.md §1.1): frames in and out, handshakes, endpoints, timers. */
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dp.h"
#include "seqlock.h"

static bool same_addr(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	if (a->ss_family != b->ss_family)
		return false;
	if (a->ss_family == AF_INET) {
		const struct sockaddr_in *x = (const void *)a, *y = (const void *)b;
		return x->sin_port == y->sin_port && x->sin_addr.s_addr == y->sin_addr.s_addr;
	}
	const struct sockaddr_in6 *x = (const void *)a, *y = (const void *)b;
	return x->sin6_port == y->sin6_port && x->sin6_scope_id == y->sin6_scope_id &&
	       !memcmp(&x->sin6_addr, &y->sin6_addr, sizeof(x->sin6_addr));
}

static socklen_t addr_len(const struct sockaddr_storage *a)
{
	return a->ss_family == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6);
}

/* Publish the endpoint (and when it was learned) to the control plane. */
static void set_endpoint(struct peer *p, const struct sockaddr_storage *ep, uint64_t real_ns)
{
	p->ep = *ep;
	p->ep_len = addr_len(ep);
	seq_write_begin(&p->view_seq);
	p->view.ep = *ep;
	p->view.ep_learned_real_ns = real_ns;
	seq_write_end(&p->view_seq);
}

void peer_read_view(const struct peer *p, struct peer_view *out)
{
	uint32_t s;

	do {
		s = seq_read_begin(&p->view_seq);
		memcpy(out, &p->view, sizeof(*out));
	} while (!seq_read_ok(&p->view_seq, s));
}

int peer_open(struct dp *dp, struct link *l, char *err, size_t errlen)
{
	const struct link_cfg *c = &l->cfg;
	struct peer *p = calloc(1, sizeof(*p));

	l->fd = -1;
	if (!(l->peer = p))
		goto fail;
	memcpy(p->pk, c->peer_key, sizeof(p->pk));
	memcpy(p->K, c->link_key, sizeof(p->K));
	p->my_pk = c->my_key;
	p->now_ns = &dp->now_ns;
	p->sealed = c->sealed;
	p->keepalive_s = c->keepalive_s;
	if (c->peer_len)
		set_endpoint(p, &c->peer, 0);
	link_udp_defaults(l, NIP_LF_OVERHEAD);
	/* One socket per local address: a later keyed link on the same one shares it. */
	for (unsigned j = 0; j < l->id; j++) {
		const struct link *o = &dp->links[j];
		if (o->peer && o->sock_link == j && o->cfg.local_len == c->local_len &&
		    !memcmp(&o->cfg.local, &c->local, c->local_len)) {
			l->fd = o->fd;
			l->sock_link = (uint16_t)j;
			return 0;
		}
	}
	l->sock_link = l->id;
	if (!(p->rx = calloc(1, sizeof(*p->rx))))
		goto fail;
	if (link_udp_bind(l) < 0) {
		snprintf(err, errlen, "link %s: udp socket: %s", c->name, strerror(errno));
		link_close(l);
		return -1;
	}
	return 0;
fail:
	snprintf(err, errlen, "link %s: out of memory", c->name);
	link_close(l);
	return -1;
}

/* Sending with nothing heard since (a stale session is renewed after PEER_STALE_NS). */
static void sending(struct peer *p, uint64_t now)
{
	p->last_tx_ns = now;
	if (p->unanswered_since_ns)
		return;
	p->unanswered_since_ns = now;
	seq_write_begin(&p->view_seq);
	p->view.unanswered_since_ns = now;
	seq_write_end(&p->view_seq);
}

static void send_frame(struct link *l, const void *f, size_t len, const struct sockaddr_storage *to)
{
	if (sendto(l->fd, f, len, MSG_DONTWAIT, (const struct sockaddr *)to, addr_len(to)) < 0)
		STAT_ADD(l->st.tx_err, 1);
}

/* A receive index for a new session or handshake: the link in the low 16 bits, random above,
 * unlike any other of this link's. */
static uint32_t new_index(const struct peer *p, uint16_t link)
{
	for (;;) {
		uint32_t x = (randombytes_random() & 0xffff0000u) | link;
		bool used = p->hs_pending && p->hs.index == x;
		for (int i = 0; i < PEER_SESSIONS; i++)
			used |= p->s[i].live && p->s[i].my_idx == x;
		if (!used)
			return x;
	}
}

static void install(struct peer *p, int slot, const struct nip_lf_keys *keys, uint32_t my_idx,
		    uint32_t peer_idx, bool initiator, uint64_t now)
{
	if (slot == PS_CUR)
		p->s[PS_PREV] = p->s[PS_CUR];
	struct peer_session *s = &p->s[slot];
	memset(s, 0, sizeof(*s));
	s->live = true;
	s->initiator = initiator;
	s->my_idx = my_idx;
	s->peer_idx = peer_idx;
	s->born_ns = now;
	s->keys = *keys;
	STAT_ADD(p->st.sessions, 1);
}

static void send_keepalive(struct dp *dp, struct link *l)
{
	struct peer *p = l->peer;
	struct peer_session *s = &p->s[PS_CUR];
	uint8_t f[NIP_LF_OVERHEAD];

	nip_lf_data_header(f, p->sealed, s->peer_idx, s->tx_ctr);
	nip_lf_data_tag(f + NIP_LF_HDR, f, 0, p->sealed, s->tx_ctr++, s->keys.send);
	send_frame(l, f, sizeof(f), &p->ep);
	sending(p, dp->now_ns);
	STAT_ADD(p->st.keepalive_tx, 1);
}

static void initiate(struct dp *dp, struct link *l)
{
	struct peer *p = l->peer;
	uint8_t f[NIP_LF_INIT_LEN];

	nip_lf_init_build(f, &p->hs, new_index(p, l->id), p->my_pk, dp->now_real_ns, p->K);
	p->hs_pending = true;
	p->hs_sent_ns = dp->now_ns;
	send_frame(l, f, sizeof(f), &p->ep);
	STAT_ADD(p->st.init_tx, 1);
}

/* An authenticated frame from the peer (checks 3 or 4 passed): the endpoint follows it. */
static void heard(struct dp *dp, struct peer *p, const struct sockaddr_storage *from)
{
	p->last_rx_ns = dp->now_ns;
	p->unanswered_since_ns = 0;
	if (!p->ep_len || !same_addr(&p->ep, from)) {
		if (p->ep_len)
			STAT_ADD(p->st.endpoint_changes, 1);
		set_endpoint(p, from, dp->now_real_ns);
	}
	seq_write_begin(&p->view_seq);
	p->view.last_rx_real_ns = dp->now_real_ns;
	p->view.unanswered_since_ns = 0;
	p->view.mac_fail_since_ok = 0;
	p->view.session = true;
	seq_write_end(&p->view_seq);
}

static void handshake_done(struct dp *dp, struct peer *p)
{
	seq_write_begin(&p->view_seq);
	p->view.handshake_real_ns = dp->now_real_ns;
	seq_write_end(&p->view_seq);
}

static void mac_failed(struct dp *dp, struct peer *p)
{
	STAT_ADD(p->st.mac_fail, 1);
	STAT_ADD(dp->st.drop[DROP_KL_MAC], 1);
	seq_write_begin(&p->view_seq);
	p->view.mac_fail_since_ok++;
	seq_write_end(&p->view_seq);
}

/* The keyed link on this socket that a frame's index names, or NULL. */
static struct link *by_index(struct dp *dp, const struct link *owner, uint32_t idx)
{
	uint32_t id = idx & 0xffff;
	struct link *l = id < dp->n_links ? &dp->links[id] : NULL;

	return l && l->peer && l->sock_link == owner->id ? l : NULL;
}

static bool rx_data(struct dp *dp, struct link *owner, struct pkt *k, const uint8_t *hdr,
		    size_t len, const struct sockaddr_storage *from)
{
	uint32_t idx = nip_lf_data_index(hdr);
	uint64_t ctr = nip_lf_data_counter(hdr);
	struct link *l = by_index(dp, owner, idx);
	struct peer *p = l ? l->peer : NULL;
	int slot = 0;
	size_t plen = len - NIP_LF_OVERHEAD;

	while (p && slot < PEER_SESSIONS && !(p->s[slot].live && p->s[slot].my_idx == idx))
		slot++;
	if (!p || slot == PEER_SESSIONS) {
		STAT_ADD(dp->st.drop[DROP_KL_UNKNOWN], 1);
		return false;
	}
	struct peer_session *s = &p->s[slot];
	if (!nip_lf_data_open(k->data, plen, k->data + plen, hdr[0] == NIP_LF_SEALED, ctr,
			      s->keys.recv)) {
		mac_failed(dp, p);
		return false;
	}
	if (!nip_replay_check(&s->rx, ctr)) {
		STAT_ADD(p->st.replayed, 1);
		STAT_ADD(dp->st.drop[DROP_KL_REPLAY], 1);
		return false;
	}
	nip_replay_mark(&s->rx, ctr);
	if (slot == PS_NEXT) { /* the initiator's first frame confirms the session */
		p->s[PS_PREV] = p->s[PS_CUR];
		p->s[PS_CUR] = *s;
		s->live = false;
		handshake_done(dp, p);
	}
	heard(dp, p, from);
	if (plen == 0) {
		STAT_ADD(p->st.keepalive_rx, 1);
		return false;
	}
	k->len = (uint32_t)plen;
	k->in_link = l->id;
	STAT_ADD(l->st.rx_pkts, 1);
	STAT_ADD(l->st.rx_bytes, plen);
	return true;
}

static void rx_init(struct dp *dp, struct link *owner, const uint8_t *f,
		    const struct sockaddr_storage *from)
{
	struct link *l = NULL;
	uint8_t resp[NIP_LF_RESP_LEN];
	struct nip_lf_keys keys;

	for (unsigned i = owner->id; i < dp->n_links && !l; i++)
		if (dp->links[i].peer && dp->links[i].sock_link == owner->id &&
		    !memcmp(dp->links[i].peer->pk, nip_lf_init_key(f), 32))
			l = &dp->links[i];
	if (!l) {
		STAT_ADD(dp->st.drop[DROP_KL_UNKNOWN], 1);
		return;
	}
	struct peer *p = l->peer;
	if (!nip_lf_init_verify(f, p->K)) {
		mac_failed(dp, p);
		return;
	}
	if (nip_lf_init_time(f) <= p->last_init_ts) {
		STAT_ADD(p->st.replayed, 1);
		STAT_ADD(dp->st.drop[DROP_KL_REPLAY], 1);
		return;
	}
	STAT_ADD(p->st.init_rx, 1);
	uint32_t idx = new_index(p, l->id);
	if (nip_lf_resp_build(resp, &keys, idx, f, p->K) < 0) {
		STAT_ADD(dp->st.drop[DROP_KL_MALFORMED], 1);
		return;
	}
	p->last_init_ts = nip_lf_init_time(f);
	install(p, PS_NEXT, &keys, idx, nip_lf_init_index(f), false, dp->now_ns);
	sodium_memzero(&keys, sizeof(keys));
	send_frame(l, resp, sizeof(resp), from); /* answered where it came from; moves nothing */
	STAT_ADD(p->st.resp_tx, 1);
}

static void rx_resp(struct dp *dp, struct link *owner, const uint8_t *f,
		    const struct sockaddr_storage *from)
{
	uint32_t idx = nip_lf_resp_index(f);
	struct link *l = by_index(dp, owner, idx);
	struct peer *p = l ? l->peer : NULL;
	struct nip_lf_keys keys;

	if (!p || !p->hs_pending || p->hs.index != idx) {
		STAT_ADD(dp->st.drop[DROP_KL_UNKNOWN], 1);
		return;
	}
	if (nip_lf_resp_accept(f, &p->hs, p->K, &keys) < 0) {
		mac_failed(dp, p);
		return;
	}
	STAT_ADD(p->st.resp_rx, 1);
	p->hs_pending = false;
	install(p, PS_CUR, &keys, idx, nip_lf_resp_sender(f), true, dp->now_ns);
	sodium_memzero(&keys, sizeof(keys));
	sodium_memzero(&p->hs, sizeof(p->hs));
	heard(dp, p, from);
	handshake_done(dp, p);
	send_keepalive(dp, l); /* confirms the session to the responder */
}

bool peer_rx_frame(struct dp *dp, struct link *owner, struct pkt *k, const uint8_t *hdr,
		     size_t len, const struct sockaddr_storage *from)
{
	uint8_t f[NIP_LF_INIT_LEN];
	int type = nip_lf_classify(hdr, len);

	switch (type) {
	case NIP_LF_DATA:
	case NIP_LF_SEALED:
		return rx_data(dp, owner, k, hdr, len, from);
	case NIP_LF_INIT:
	case NIP_LF_RESP:
		memcpy(f, hdr, NIP_LF_HDR);
		memcpy(f + NIP_LF_HDR, k->data, len - NIP_LF_HDR);
		if (type == NIP_LF_INIT)
			rx_init(dp, owner, f, from);
		else
			rx_resp(dp, owner, f, from);
		return false;
	}
	STAT_ADD(dp->st.drop[DROP_KL_MALFORMED], 1);
	return false;
}

unsigned peer_rx(struct dp *dp, struct link *owner, struct pkt **out, unsigned max)
{
	struct peer_rx *rx = owner->peer->rx;
	unsigned n = 0, kept = 0;
	int got;

	if (max > BURST)
		max = BURST;
	for (; n < max; n++) {
		if (!(out[n] = pool_get(&dp->pool)))
			break;
		rx->iov[2 * n] = (struct iovec){ rx->hdr[n], NIP_LF_HDR };
		rx->iov[2 * n + 1] = (struct iovec){ out[n]->data, PKT_BUF };
		owner->msgs[n].msg_hdr = (struct msghdr){ .msg_name = &rx->name[n],
							  .msg_namelen = sizeof(rx->name[n]),
							  .msg_iov = &rx->iov[2 * n],
							  .msg_iovlen = 2 };
	}
	if (n == 0)
		return 0;
	got = recvmmsg(owner->fd, owner->msgs, n, MSG_DONTWAIT, NULL);
	if (got < 0)
		got = 0;
	for (unsigned i = (unsigned)got; i < n; i++)
		pool_put(&dp->pool, out[i]);
	for (int i = 0; i < got; i++) {
		struct pkt *k = out[i];
		const struct msghdr *h = &owner->msgs[i].msg_hdr;
		if (h->msg_flags & MSG_TRUNC) {
			STAT_ADD(dp->st.drop[DROP_RX_TRUNC], 1);
			pool_put(&dp->pool, k);
		} else if (peer_rx_frame(dp, owner, k, rx->hdr[i], owner->msgs[i].msg_len,
				    &rx->name[i])) {
			out[kept++] = k;
		} else {
			pool_put(&dp->pool, k);
		}
	}
	return kept;
}

unsigned peer_build_msgs(struct link *l)
{
	struct peer *p = l->peer;
	struct peer_session *s = &p->s[PS_CUR];

	if (!s->live || !p->ep_len)
		return 0;
	for (unsigned i = 0; i < l->n_tx; i++) {
		struct pkt *k = l->txq[i];
		nip_lf_data_header(p->hdr[i], p->sealed, s->peer_idx, s->tx_ctr);
		nip_lf_data_tag(p->tag[i], k->data, k->len, p->sealed, s->tx_ctr++, s->keys.send);
		p->iov[3 * i] = (struct iovec){ p->hdr[i], NIP_LF_HDR };
		p->iov[3 * i + 1] = (struct iovec){ k->data, k->len };
		p->iov[3 * i + 2] = (struct iovec){ p->tag[i], NIP_LF_TAG };
	}
	sending(p, *p->now_ns);
	/* Runs of equal sizes leave as one UDP_SEGMENT send, as on a plain link. */
	return link_group_msgs(l, p->iov, 3, NIP_LF_OVERHEAD, &p->ep, p->ep_len);
}

void peer_tick(struct dp *dp)
{
	uint64_t now = dp->now_ns;

	for (unsigned i = 0; i < dp->n_links; i++) {
		struct link *l = &dp->links[i];
		struct peer *p = l->peer;
		if (!p || !p->ep_len)
			continue;
		const struct peer_session *cur = &p->s[PS_CUR];
		bool need = !cur->live ||
			    (p->unanswered_since_ns && now - p->unanswered_since_ns >= PEER_STALE_NS) ||
			    (cur->initiator && now - cur->born_ns >= PEER_REKEY_NS);
		if (need && (!p->hs_pending || now - p->hs_sent_ns >= PEER_RETRY_NS))
			initiate(dp, l);
		else if (p->keepalive_s && cur->live &&
			 now - p->last_tx_ns >= (uint64_t)p->keepalive_s * 1000000000u)
			send_keepalive(dp, l);
	}
}
