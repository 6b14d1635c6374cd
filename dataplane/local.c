/*
 * Local delivery and the local datagram service (docs/local-api.md): UDP over New IP to
 * applications bound to ports, NCMP echo answered here, and NCMP replies and errors routed
 * back to the application that caused them.
 */
#include <errno.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "dp.h"

#define UDP_HDR 8

static void drop(struct dp *dp, struct pkt *k, enum drop_reason why)
{
	STAT_ADD(dp->st.drop[why], 1);
	pool_put(&dp->pool, k);
}

static struct local_client *client_by(struct dp *dp, uint16_t port, uint16_t echo_id)
{
	for (unsigned i = 0; i < DP_MAX_CLIENTS; i++) {
		struct local_client *c = &dp->clients[i];
		if (c->fd >= 0 && ((port && c->port == port) || (echo_id && c->echo_id == echo_id)))
			return c;
	}
	return NULL;
}

/* Hand a message to an application; a full socket is a counted drop, never a block. */
static void to_client(struct dp *dp, struct local_client *c, struct nip_local_hdr *h,
		      const void *data, size_t len)
{
	struct iovec iov[2] = { { h, sizeof(*h) }, { (void *)data, len } };
	struct msghdr msg = { .msg_iov = iov, .msg_iovlen = 2 };

	if (sendmsg(c->fd, &msg, MSG_DONTWAIT | MSG_NOSIGNAL) < 0)
		STAT_ADD(dp->st.drop[DROP_LOCAL_FULL], 1);
	else
		STAT_ADD(dp->st.delivered, 1);
}

/* Which application an NCMP error is about: the quoted packet's echo id or UDP source port. */
static struct local_client *client_for_quote(struct dp *dp, const uint8_t *q, size_t len)
{
	if (len < NIP_BASE_LEN || q[8] + 8u > len)
		return NULL;
	const uint8_t *l4 = q + q[8];
	if (q[6] == NIP_PROTO_NCMP && l4[0] == NCMP_ECHO_REQUEST)
		return client_by(dp, 0, (uint16_t)(l4[4] << 8 | l4[5]));
	if (q[6] == NIP_PROTO_UDP)
		return client_by(dp, (uint16_t)(l4[0] << 8 | l4[1]), 0);
	return NULL;
}

/* When it arrived, and what the network did with its contract: Accumulated Latency, Hops
 * Updated. */
static void set_contract_info(struct dp *dp, struct nip_local_hdr *h, const struct nip_pkt *v)
{
	h->rx_ns = dp->now_real_ns;
	if (!v->contract_off)
		return;
	h->latency_us = v->acc_latency_us;
	h->hops = v->hops_updated;
	h->flags |= NIP_LF_CONTRACT;
}

static void ncmp_input(struct dp *dp, struct pkt *k, const struct nip_pkt *v)
{
	struct nip_local_hdr h = { .op = NIP_OP_NCMP };
	struct local_client *c = NULL;
	struct nip_ncmp m;

	if (nip_ncmp_parse(&m, v) < 0)
		return drop(dp, k, DROP_BAD_L4);
	if (m.type == NCMP_ECHO_REQUEST) {
		ncmp_echo_reply(dp, v, &m);
		STAT_ADD(dp->st.delivered, 1);
		return pool_put(&dp->pool, k);
	}
	if (m.type == NCMP_SHUTOFF_ACK || m.type == NCMP_SHUTOFF_REQUEST) {
		dp_to_ctl(dp, k, false); /* the control plane's business (spec §6.5) */
		return pool_put(&dp->pool, k);
	}
	if (m.type == NCMP_UNREACH && m.code == NCMP_UNREACH_AUTH)
		dp_to_ctl(dp, k, false); /* our tags failed: register again (spec §6.6) */
	if (m.type == NCMP_ECHO_REPLY)
		c = client_by(dp, 0, (uint16_t)(m.param >> 16));
	else if (nip_ncmp_is_error(m.type))
		c = client_for_quote(dp, m.body, m.body_len);
	if (!c)
		return drop(dp, k, DROP_NO_PORT);
	h.ncmp_type = m.type;
	h.ncmp_code = m.code;
	h.param = m.param;
	set_contract_info(dp, &h, v);
	nip_pkt_src(v, &h.addr);
	to_client(dp, c, &h, m.body, m.body_len);
	pool_put(&dp->pool, k);
}

static void udp_input(struct dp *dp, struct pkt *k, const struct nip_pkt *v)
{
	const uint8_t *u = v->payload;
	struct nip_local_hdr h = { .op = NIP_OP_RECV };
	struct local_client *c;

	if (v->payload_len < UDP_HDR || (u[4] << 8 | u[5]) != v->payload_len ||
	    nip_l4_csum_check(v) < 0)
		return drop(dp, k, DROP_BAD_L4);
	h.local_port = (uint16_t)(u[2] << 8 | u[3]);
	h.peer_port = (uint16_t)(u[0] << 8 | u[1]);
	c = client_by(dp, h.local_port, 0);
	if (!c) {
		ncmp_error(dp, k->data, k->len, NCMP_UNREACH, NCMP_UNREACH_PORT, 0);
		return drop(dp, k, DROP_NO_PORT);
	}
	set_contract_info(dp, &h, v);
	h.tc = v->tc;
	nip_local_set_flow(&h, v->flow_label);
	nip_pkt_src(v, &h.addr);
	to_client(dp, c, &h, u + UDP_HDR, v->payload_len - UDP_HDR);
	pool_put(&dp->pool, k);
}

void local_input(struct dp *dp, struct pkt *k, const struct nip_pkt *v)
{
	if (k->in_link != LINK_LOCAL)
		shutoff_victim(dp, v);
	switch (v->next_hdr) {
	case NIP_PROTO_NCMP:
		return ncmp_input(dp, k, v);
	case NIP_PROTO_UDP:
		return udp_input(dp, k, v);
	default: /* spec §6: parameter problem, unrecognised next header, pointing at octet 6 */
		ncmp_error(dp, k->data, k->len, NCMP_PARAM_PROBLEM, NCMP_PARAM_NEXT_HDR, 6);
		return drop(dp, k, DROP_NEXT_HDR);
	}
}

/* ---- the application side ---- */

void local_accept(struct dp *dp)
{
	int fd = accept4(dp->local_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

	if (fd < 0)
		return;
	for (unsigned i = 0; i < DP_MAX_CLIENTS; i++) {
		struct local_client *c = &dp->clients[i];
		if (c->fd >= 0)
			continue;
		c->fd = fd;
		c->port = 0;
		c->echo_id = ++dp->next_echo_id ? dp->next_echo_id : ++dp->next_echo_id;
		struct epoll_event ev = { .events = EPOLLIN, .data.u64 = DP_EV_CLIENT + i };
		if (epoll_ctl(dp->epfd, EPOLL_CTL_ADD, fd, &ev) == 0)
			return;
		c->fd = -1;
		break;
	}
	close(fd); /* no room: the application sees its connection closed */
}

static void reply_status(struct local_client *c, uint8_t op, int32_t status, uint16_t port)
{
	struct nip_local_hdr h = { .op = op, .status = status, .local_port = port };

	(void)!send(c->fd, &h, sizeof(h), MSG_DONTWAIT | MSG_NOSIGNAL);
}

static int bind_port(struct dp *dp, struct local_client *c, uint16_t port)
{
	if (port == 0) {
		for (unsigned tries = 0; tries < 16384 && !port; tries++) {
			uint16_t p = (uint16_t)(49152 + (dp->next_port++ % 16384));
			if (!client_by(dp, p, 0))
				port = p;
		}
		if (!port)
			return -EADDRINUSE;
	} else if (client_by(dp, port, 0)) {
		return -EADDRINUSE;
	}
	c->port = port;
	return port;
}

/* Build a UDP datagram or an echo request from an application and send it on its way. */
static int originate(struct dp *dp, struct local_client *c, const struct nip_local_hdr *h,
		     const uint8_t *data, size_t len)
{
	struct nip_hdr nh = { .hop_limit = h->hop_limit ? h->hop_limit : DP_DEFAULT_HOP_LIMIT,
			      .tc = h->tc,
			      .flow_label = nip_local_flow(h) };
	struct nip_writer w;
	struct pkt *k;
	int n;

	if (h->addr.len == 0 || h->addr.len > NIP_ADDR_MAX)
		return NIP_E_ADDR_LEN;
	if (!(k = pool_get(&dp->pool)))
		return -ENOBUFS;
	nh.dst = h->addr;
	nh.src = *dp_source_for(dp, h->addr.len);
	nh.next_hdr = h->op == NIP_OP_ECHO ? NIP_PROTO_NCMP : NIP_PROTO_UDP;
	nip_w_init(&w, k->data, PKT_BUF, &nh);
	if (h->latency_us || h->prio) {
		bool on_time = h->flags & NIP_LF_ON_TIME;
		struct nip_latency lat = { on_time ? NIP_LAT_ON_TIME : NIP_LAT_IN_TIME,
					   on_time ? h->min_us : 0, h->latency_us };
		nip_w_contract_begin(&w, 0, 0);
		if (h->latency_us)
			nip_w_latency(&w, &lat, true);
		if (h->prio)
			nip_w_priority(&w, (uint8_t)(h->prio - 1), false);
		nip_w_block_end(&w);
	}
	dp_w_tag(dp, &w);
	if (h->op == NIP_OP_ECHO) {
		n = nip_ncmp_finish(&w, NCMP_ECHO_REQUEST, 0, nip_echo_param(c->echo_id,
				    (uint16_t)h->param), data, len);
	} else {
		uint8_t *u = k->data + w.pos; /* the UDP header, built in place */
		if (len + UDP_HDR > PKT_BUF - w.pos) {
			pool_put(&dp->pool, k);
			return -EMSGSIZE;
		}
		memmove(u + UDP_HDR, data, len);
		u[0] = (uint8_t)(c->port >> 8), u[1] = (uint8_t)c->port;
		u[2] = (uint8_t)(h->peer_port >> 8), u[3] = (uint8_t)h->peer_port;
		u[4] = (uint8_t)((len + UDP_HDR) >> 8), u[5] = (uint8_t)(len + UDP_HDR);
		u[6] = u[7] = 0;
		n = nip_w_finish(&w, u, len + UDP_HDR);
		if (n > 0)
			nip_l4_csum_fill(k->data, (size_t)n);
	}
	if (n < 0) {
		pool_put(&dp->pool, k);
		return n == NIP_E_NOSPACE ? -EMSGSIZE : n;
	}
	k->len = (uint32_t)n;
	dp_output(dp, k);
	return 0;
}

static void client_close(struct dp *dp, struct local_client *c)
{
	epoll_ctl(dp->epfd, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	c->fd = -1;
	c->port = 0;
	c->echo_id = 0;
}

void local_client_ready(struct dp *dp, unsigned idx)
{
	static uint8_t buf[NIP_LOCAL_MAX];
	struct local_client *c = &dp->clients[idx];
	struct nip_local_hdr h;

	for (int i = 0; i < BURST; i++) {
		ssize_t n = recv(c->fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
			return client_close(dp, c);
		if (n < 0)
			return;
		if ((size_t)n < sizeof(h)) {
			reply_status(c, NIP_OP_STATUS, -EINVAL, 0);
			continue;
		}
		memcpy(&h, buf, sizeof(h));
		int rc;
		switch (h.op) {
		case NIP_OP_BIND:
			rc = bind_port(dp, c, h.local_port);
			reply_status(c, NIP_OP_BOUND, rc < 0 ? rc : 0, rc < 0 ? 0 : (uint16_t)rc);
			break;
		case NIP_OP_SEND:
			if (!c->port && (rc = bind_port(dp, c, 0)) < 0) {
				reply_status(c, NIP_OP_STATUS, rc, 0);
				break;
			}
			/* fall through */
		case NIP_OP_ECHO:
			rc = originate(dp, c, &h, buf + sizeof(h), (size_t)n - sizeof(h));
			if (rc < 0)
				reply_status(c, NIP_OP_STATUS, rc, 0);
			break;
		default:
			reply_status(c, NIP_OP_STATUS, -EINVAL, 0);
		}
	}
}
