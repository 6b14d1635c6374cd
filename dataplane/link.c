/* Link I/O: connected UDP sockets and AF_PACKET sockets, both driven by recvmmsg/sendmmsg;
 * an eth link may run on AF_XDP instead (xsk.c). */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/filter.h>
#include <linux/if_ether.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "fwd.h"
#include "link.h"
#include "newip/packet.h"
#include "nexthop.h"
#include "steer.h"
#include "xsk.h"

const char *link_kind_name(enum link_kind k)
{
	return k == LINK_UDP ? "udp" : k == LINK_ETH ? "eth" : k == LINK_TUN ? "tun" : "schc";
}

/* A receive buffer deep enough for the bursts that arrive while the worker is off the CPU
 * (a few ms on a busy machine): the kernel drops silently when it fills, and TCP through the
 * node pays for every such drop. 1 MiB (about 700 full packets, 5 times the default): deeper
 * would hold packets with latency contracts longer than their schedulers could help. As root
 * the limit of net.core.rmem_max does not apply. */
static void deep_rcvbuf(int fd)
{
	int sz = 1 << 20;

	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof(sz)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
}

/* A non-blocking UDP socket bound to a (SO_REUSEADDR; SO_REUSEPORT with reuseport). */
static int udp_socket_on(const struct sockaddr_storage *a, socklen_t len, bool reuseport)
{
	int one = 1, fd = socket(a->ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if ((reuseport && setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) < 0) ||
	    bind(fd, (const struct sockaddr *)a, len) < 0) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

int link_udp_socket(const struct link_cfg *c, bool reuseport)
{
	return udp_socket_on(&c->local, c->local_len, reuseport);
}

/* A socket address's port, host order (IPv4 and IPv6 keep it at the same offset). */
static uint16_t *sa_port(struct sockaddr_storage *a)
{
	return a->ss_family == AF_INET ? &((struct sockaddr_in *)a)->sin_port :
					 &((struct sockaddr_in6 *)a)->sin6_port;
}

/* The sockets of ports 1.. of a udp link with ports > 1 (spec §1.2): each bound to the local
 * port + i, connected to the peer's first port, and deaf: the peer sends to our first port
 * only, so what comes to these is not the link's and the kernel drops it (counted in its UDP
 * InErrors) rather than hold it unread. */
static int open_ports(struct link *l)
{
	struct sock_filter none = BPF_STMT(BPF_RET | BPF_K, 0);
	struct sock_fprog deaf = { .len = 1, .filter = &none };
	struct sockaddr_storage a = l->cfg.local;
	uint16_t base = ntohs(*sa_port(&a));

	for (unsigned i = 1; i < link_ports(&l->cfg); i++) {
		*sa_port(&a) = htons((uint16_t)(base + i));
		int fd = udp_socket_on(&a, l->cfg.local_len, l->fan > 1);
		if (fd < 0)
			return -1;
		l->pfd[l->n_pfd++] = fd;
		if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &deaf, sizeof(deaf)) < 0 ||
		    connect(fd, (struct sockaddr *)&l->cfg.peer, l->cfg.peer_len) < 0)
			return -1;
	}
	return 0;
}

int link_udp_bind(struct link *l)
{
	if ((l->fd = link_udp_socket(&l->cfg, l->fan > 1)) < 0)
		return -1;
	deep_rcvbuf(l->fd);
	return 0;
}

void link_udp_defaults(struct link *l, unsigned overhead)
{
	if (!l->cfg.mtu) /* underlay MTU less IP and UDP headers (1500 - 28 or 1500 - 48) */
		l->cfg.mtu = (uint16_t)((l->cfg.local.ss_family == AF_INET6 ? 1452 : 1472) - overhead);
	l->mtu = l->cfg.mtu;
	l->gso = !l->cfg.no_offload; /* Linux 4.18+; turned off at the first refusal */
}

int link_udp_open(struct link *l, char *err, size_t errlen)
{
	/* Connected: the kernel delivers only the neighbour's datagrams, and sends need no name.
	 * Not when the workers share the port (the kernel's reuseport group would then pick the
	 * first socket for every datagram) nor when the peer sends from several ports: link_rx
	 * checks the sender instead. */
	if (link_udp_bind(l) < 0 ||
	    (link_udp_connected(l) &&
	     connect(l->fd, (struct sockaddr *)&l->cfg.peer, l->cfg.peer_len) < 0) ||
	    open_ports(l) < 0) {
		snprintf(err, errlen, "link %s: udp socket: %s", l->cfg.name, strerror(errno));
		return -1;
	}
	link_udp_defaults(l, 0);
	/* GRO (Linux 5.0): without it, or where refused, the link reads datagram by datagram */
	if (!l->cfg.no_offload && l->fan <= 1)
		(void)udp_gro_open(l);
	return 0;
}

void link_eth_mtu(struct link *l, int if_mtu)
{
	if (!l->cfg.mtu || l->cfg.mtu > if_mtu)
		l->cfg.mtu = (uint16_t)(if_mtu > LINK_MTU_MAX ? LINK_MTU_MAX : if_mtu);
}

void link_eth_dst(const struct link_cfg *c, uint8_t mac[6])
{
	memset(mac, 0xff, 6);
	if (c->has_peer_mac)
		memcpy(mac, c->peer_mac, 6);
}

static int open_eth(struct link *l, char *err, size_t errlen)
{
	struct ifreq ifr = { 0 };
	int one = 1;

	l->fd = socket(AF_PACKET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, htons(NIP_ETHERTYPE));
	if (l->fd < 0)
		goto fail;
	l->sll = (struct sockaddr_ll){ .sll_family = AF_PACKET,
				       .sll_protocol = htons(NIP_ETHERTYPE),
				       .sll_ifindex = l->ifindex,
				       .sll_halen = 6 };
	if (bind(l->fd, (struct sockaddr *)&l->sll, sizeof(l->sll)) < 0)
		goto fail;
	deep_rcvbuf(l->fd);
	/* Packet sockets also see their own transmissions; skip them in the kernel. */
	setsockopt(l->fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof(one));
	if (l->fan > 1 && steer_fanout(l->fd, &l->fan_id, l->fan) < 0)
		goto fail;
	link_eth_dst(&l->cfg, l->sll.sll_addr);
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", l->cfg.ifname);
	if (ioctl(l->fd, SIOCGIFMTU, &ifr) < 0)
		goto fail;
	link_eth_mtu(l, ifr.ifr_mtu);
	return 0;
fail:
	snprintf(err, errlen, "link %s: packet socket on %s: %s", l->cfg.name, l->cfg.ifname,
		 strerror(errno));
	return -1;
}

/* An eth or plain udp link on AF_XDP as its xdp setting asks, else (off, or auto without XDP)
 * on its socket (open, named what); note says which and why. */
static int open_xdp_or(struct link *l, char *err, size_t errlen,
		       int (*open)(struct link *, char *, size_t), const char *what)
{
	char why[200], mode[64];

	if (l->cfg.xdp != LINK_XDP_AUTO && l->cfg.xdp != LINK_XDP_ON)
		return open(l, err, errlen);
	if (l->cfg.kind == LINK_UDP && link_ports(&l->cfg) > 1) { /* AF_XDP sends from one */
		snprintf(why, sizeof(why), "ports %u takes the socket path", link_ports(&l->cfg));
	} else if (xsk_open(l, why, sizeof(why), mode, sizeof(mode)) == 0) {
		if (l->cfg.kind == LINK_UDP) /* the interface was found, not configured */
			snprintf(l->note, sizeof(l->note), "AF_XDP on %s (%s)", l->cfg.ifname, mode);
		else
			snprintf(l->note, sizeof(l->note), "AF_XDP (%s)", mode);
		return 0;
	}
	if (l->cfg.kind == LINK_UDP)
		l->cfg.ifname[0] = 0;
	if (l->cfg.xdp == LINK_XDP_ON) {
		snprintf(err, errlen, "link %s: xdp on: %s (write 'xdp auto' to fall back to the "
			 "%s)", l->cfg.name, why, what);
		return -1;
	}
	snprintf(l->note, sizeof(l->note), "xdp auto: %s; %s instead", why, what);
	return open(l, err, errlen);
}

/* An eth link: its interface, then its data path. */
static int open_eth_path(struct link *l, char *err, size_t errlen)
{
	l->ifindex = (int)if_nametoindex(l->cfg.ifname);
	if (!l->ifindex) {
		snprintf(err, errlen, "link %s: no interface named %s", l->cfg.name, l->cfg.ifname);
		return -1;
	}
	return open_xdp_or(l, err, errlen, open_eth, "packet socket");
}

int link_open(struct link *l, char *err, size_t errlen)
{
	int rc;

	l->fd = -1;
	l->n_tx = 0;
	l->note[0] = 0;
	rc = l->cfg.kind == LINK_UDP ? open_xdp_or(l, err, errlen, link_udp_open, "UDP socket") :
	     l->cfg.kind == LINK_ETH ? open_eth_path(l, err, errlen) :
	     l->cfg.kind == LINK_TUN ? tun_open(l, err, errlen) :
				       schc_link_open(l, err, errlen);
	if (rc < 0) {
		link_close(l);
		return -1;
	}
	l->mtu = l->cfg.mtu;
	return 0;
}

void link_close(struct link *l)
{
	if (l->peer && l->sock_link != l->id)
		l->fd = -1; /* the owner closes the shared socket */
	if (l->peer)
		free(l->peer->rx);
	free(l->peer);
	l->peer = NULL;
	xsk_close(l);
	udp_gro_close(l);
	while (l->n_pfd)
		close(l->pfd[--l->n_pfd]);
	if (l->fd >= 0)
		close(l->fd);
	l->fd = -1;
	free(l->tun_buf);
	l->tun_buf = NULL;
	schc_link_close(l);
}

void link_peer_of(const struct link *l, struct link_peer *p)
{
	p->ip = nexthop_ip((const struct sockaddr *)&l->cfg.peer, &p->len, &p->port);
	p->ports = link_ports(&l->cfg);
}

/* Datagrams or frames from socket fd, one a buffer; shared: an unconnected udp socket, whose
 * senders are checked against the peer. */
static unsigned sock_rx(struct link *l, int fd, bool shared, struct pool *pool,
			struct dp_stats *st, struct pkt **out, unsigned max)
{
	unsigned n = 0, kept = 0;
	struct link_peer peer;
	int got;

	if (max > BURST)
		max = BURST;
	for (; n < max; n++) {
		if (!(out[n] = pool_get(pool)))
			break;
		l->iov[n] = (struct iovec){ out[n]->data, PKT_BUF };
		l->msgs[n].msg_hdr = (struct msghdr){ .msg_name = shared ? &l->names[n] : NULL,
						      .msg_namelen = shared ? sizeof(l->names[n]) : 0,
						      .msg_iov = &l->iov[n], .msg_iovlen = 1 };
	}
	if (n == 0) /* pool exhausted: leave the datagrams queued in the kernel */
		return 0;
	if (shared)
		link_peer_of(l, &peer);
	got = recvmmsg(fd, l->msgs, n, MSG_DONTWAIT, NULL);
	if (got < 0) /* EAGAIN, or ECONNREFUSED from an ICMP error on the underlay: nothing read */
		got = 0;
	for (unsigned i = (unsigned)got; i < n; i++)
		pool_put(pool, out[i]);
	for (int i = 0; i < got; i++) {
		struct pkt *k = out[i];
		if (shared && !link_from_peer(&peer, &l->names[i], l->msgs[i].msg_hdr.msg_namelen)) {
			STAT_ADD(st->drop[DROP_UNDERLAY], 1);
			pool_put(pool, k);
			continue;
		}
		link_took(l, k, l->msgs[i].msg_len, !(l->msgs[i].msg_hdr.msg_flags & MSG_TRUNC));
		out[kept++] = k;
	}
	return kept;
}

unsigned link_rx(struct link *l, struct pool *pool, struct dp_stats *st, struct pkt **out,
		 unsigned max)
{
	if (l->xsk)
		return xsk_rx(l, pool, st, out, max > BURST ? BURST : max);
	if (l->gro)
		return udp_gro_rx(l, pool, st, out, max);
	return sock_rx(l, l->fd, l->cfg.kind == LINK_UDP && !link_udp_connected(l), pool, st, out,
		       max);
}

unsigned link_rx_kernel(struct link *l, struct pool *pool, struct dp_stats *st, struct pkt **out,
			unsigned max)
{
	int fd = xsk_kernel_fd(l);
	unsigned n = fd < 0 ? 0 : sock_rx(l, fd, true, pool, st, out, max);

	STAT_ADD(l->st.rx_kernel, n);
	return n;
}

/* Message m of a flush is a run of seg-octet datagrams for the kernel to cut (UDP GSO). */
static void gso_cmsg(struct link *l, unsigned m, uint16_t seg)
{
	struct msghdr *h = &l->msgs[m].msg_hdr;
	struct cmsghdr *c;

	h->msg_control = l->cmsg[m];
	h->msg_controllen = CMSG_SPACE(sizeof(uint16_t));
	c = CMSG_FIRSTHDR(h);
	c->cmsg_level = SOL_UDP;
	c->cmsg_type = UDP_SEGMENT;
	c->cmsg_len = CMSG_LEN(sizeof(uint16_t));
	memcpy(CMSG_DATA(c), &seg, sizeof(seg));
}

/* link_group_msgs for the queue's packets [i, end), from port, appended after message nmsg;
 * returns the messages then. */
static unsigned group_range(struct link *l, unsigned i, unsigned end, unsigned nmsg,
			    struct iovec *iov, unsigned per, size_t extra, void *name,
			    socklen_t namelen, uint8_t port)
{
	for (; i < end; nmsg++) {
		unsigned j = i + 1;
		size_t seg = l->txq[i]->len + extra, total = seg;
		while (l->gso && j < end && j - i < 64 && total + l->txq[j]->len + extra <= 60000 &&
		       l->txq[j]->len + extra <= seg) {
			total += l->txq[j]->len + extra;
			if (l->txq[j++]->len + extra < seg)
				break;
		}
		struct msghdr *h = &l->msgs[nmsg].msg_hdr;
		*h = (struct msghdr){ .msg_name = name, .msg_namelen = namelen,
				      .msg_iov = &iov[per * i], .msg_iovlen = per * (j - i) };
		if (j - i > 1) /* only a udp link has gso */
			gso_cmsg(l, nmsg, (uint16_t)seg);
		l->segs[nmsg] = j - i;
		l->msg_port[nmsg] = port;
		i = j;
	}
	return nmsg;
}

unsigned link_group_msgs(struct link *l, struct iovec *iov, unsigned per, size_t extra,
			 void *name, socklen_t namelen)
{
	return group_range(l, 0, l->n_tx, 0, iov, per, extra, name, namelen, 0);
}

/* A queued packet's port of ports (spec §1.2): its flow hash (§9) modulo ports, so that one
 * flow always leaves from one port. A packet too short for its addresses takes the first. */
static unsigned flow_port(const struct pkt *k, unsigned ports)
{
	const uint8_t *d = k->data;
	struct nip_pkt v;

	if (k->len < NIP_BASE_LEN || NIP_BASE_LEN + (uint32_t)d[10] + d[11] > k->len)
		return 0;
	v.flow_label = (uint32_t)(d[1] & 0x0f) << 16 | (uint32_t)d[2] << 8 | d[3];
	v.dst = d + NIP_BASE_LEN, v.dst_len = d[10];
	v.src = v.dst + v.dst_len, v.src_len = d[11];
	return fwd_flow_hash(&v) % ports;
}

/* A udp link with several ports: the queue sorted by port, order kept within each (a stable
 * counting sort), then each port's messages; the first port's socket is not connected. */
static unsigned build_port_msgs(struct link *l, unsigned ports)
{
	struct pkt *q[BURST];
	uint8_t port[BURST];
	unsigned at[LINK_PORTS_MAX + 1] = { 0 }, nmsg = 0;

	for (unsigned i = 0; i < l->n_tx; i++)
		at[(port[i] = (uint8_t)flow_port(l->txq[i], ports)) + 1]++;
	for (unsigned p = 1; p <= ports; p++)
		at[p] += at[p - 1];
	for (unsigned i = 0; i < l->n_tx; i++)
		q[at[port[i]]++] = l->txq[i];
	for (unsigned i = 0; i < l->n_tx; i++) {
		l->txq[i] = q[i];
		l->iov[i] = (struct iovec){ q[i]->data, q[i]->len };
	}
	for (unsigned p = 0, from = 0; p < ports; from = at[p++]) /* at[p]: where p's end */
		nmsg = group_range(l, from, at[p], nmsg, l->iov, 1, 0, p ? NULL : &l->cfg.peer,
				   p ? 0 : l->cfg.peer_len, (uint8_t)p);
	return nmsg;
}

/* A plain link's messages: one iovec a packet, to the connected peer or the Ethernet one. */
static unsigned build_msgs(struct link *l)
{
	bool eth = l->cfg.kind == LINK_ETH;

	if (!eth && link_ports(&l->cfg) > 1)
		return build_port_msgs(l, link_ports(&l->cfg));
	for (unsigned i = 0; i < l->n_tx; i++)
		l->iov[i] = (struct iovec){ l->txq[i]->data, l->txq[i]->len };
	if (eth)
		return link_group_msgs(l, l->iov, 1, 0, &l->sll, sizeof(l->sll));
	/* a shared udp socket is not connected: each send names the peer */
	return link_group_msgs(l, l->iov, 1, 0, l->fan > 1 ? &l->cfg.peer : NULL,
			       l->fan > 1 ? l->cfg.peer_len : 0);
}

void link_flush(struct link *l, struct pool *pool, struct dp_stats *st)
{
	if (l->schc)
		return schc_link_flush(l, pool, st);
	if (l->xsk)
		return xsk_flush(l, pool, st);
	unsigned nmsg = l->peer ? peer_build_msgs(l) : build_msgs(l), done = 0, pkt = 0;

	if (l->peer && !nmsg) { /* a keyed link without a session or an endpoint yet */
		STAT_ADD(l->peer->st.no_session, l->n_tx);
		STAT_ADD(st->drop[DROP_KL_NO_SESSION], l->n_tx);
	}

	while (done < nmsg) {
		unsigned end = l->n_pfd ? done + 1 : nmsg; /* the messages from one port */
		while (end < nmsg && l->msg_port[end] == l->msg_port[done])
			end++;
		int fd = l->msg_port[done] ? l->pfd[l->msg_port[done] - 1] : l->fd;
		int sent = sendmmsg(fd, l->msgs + done, end - done, MSG_DONTWAIT);
		if (sent <= 0) { /* the first unsent message failed: count its packets, go on */
			if (l->segs[done] > 1 && (errno == EIO || errno == EINVAL || errno == ENOPROTOOPT))
				l->gso = false; /* this path cannot segment: plain sends from now on */
			STAT_ADD(l->st.tx_err, l->segs[done]);
			STAT_ADD(st->drop[DROP_TX], l->segs[done]);
			pkt += l->segs[done++];
			continue;
		}
		for (int m = 0; m < sent; m++, done++)
			for (unsigned k = 0; k < l->segs[done]; k++, pkt++) {
				STAT_ADD(l->st.tx_pkts, 1);
				STAT_ADD(l->st.tx_bytes, l->txq[pkt]->len);
			}
	}
	for (unsigned i = 0; i < l->n_tx; i++)
		pool_put(pool, l->txq[i]);
	l->n_tx = 0;
}
