/* Links: New IP over UDP (the overlay) and over Ethernet (AF_PACKET), with batched I/O. */
#ifndef NEWIP_LINK_H
#define NEWIP_LINK_H

#include <arpa/inet.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

#include "../gateway/gso.h"
#include "../gateway/xlat.h"
#include "nexthop.h"
#include "peer.h"
#include "pool.h"
#include "schc_link.h"
#include "sched.h"
#include "stats.h"
#include "udp_gro.h"

#define BURST 32
#define LINK_NAME 16
#define LINK_MTU_MIN 1280 /* spec §1 */
#define LINK_MTU_MAX 2000 /* below PKT_BUF */
#define LINK_LOCAL 0xffff
#define LINK_DELAY_MAX 2048 /* packets an emulated delay holds (a quarter of the pool) */
#define LINK_PORTS_MAX 16   /* a udp link's source ports (spec §1.2) */

/* An eth link's data path (xdp in newipd.conf): the packet socket, or AF_XDP (xsk.c) with
 * the packet socket as the fallback (auto) or never (on: the link fails without it). DEFAULT:
 * not written on the link; the configuration resolves it to the node's 'xdp'. */
enum link_xdp { LINK_XDP_DEFAULT, LINK_XDP_OFF, LINK_XDP_AUTO, LINK_XDP_ON };

enum link_kind { LINK_UDP, LINK_ETH, LINK_TUN /* an IP gateway (spec §12; tun.c) */,
		 LINK_SCHC /* an emulated LPWAN radio (spec §13.4; schc_link.c) */ };

/* A link with a New IP router at the other end, that NLS runs on: not an IP gateway, and not
 * an LPWAN link, whose devices are reached by the gateway's static routes (spec §13.4). */
static inline bool link_kind_routed(enum link_kind k)
{
	return k == LINK_UDP || k == LINK_ETH;
}

struct link_cfg {
	char name[LINK_NAME];
	enum link_kind kind;
	uint16_t mtu; /* 0 = from the interface (eth) or underlay (udp) */
	struct sockaddr_storage local, peer; /* udp */
	socklen_t local_len, peer_len;
	char ifname[IF_NAMESIZE];	     /* eth, tun */
	uint8_t peer_mac[6];
	bool has_peer_mac;
	uint8_t xdp;			     /* eth: enum link_xdp */
	/* Egress (docs/spec.md §10.3): a rate paces the link and schedules its queue. */
	uint64_t rate_bps;   /* 0: unpaced */
	uint32_t delay_us;   /* emulated one-way delay, also advertised by NLS (§9) */
	bool sched_fifo;     /* one FIFO instead of the scheduler (the baseline) */
	uint32_t qlimit_pkts, qlimit_bytes; /* per class; 0: the defaults */
	uint8_t share_pct;   /* the contract class's share; 0: the default */
	uint8_t src_check;   /* enum src_check (guard.h): a host-facing link's source check */
	bool no_offload;     /* tun: plain reads, one packet each (no vnet header, no TSO);
			      * udp: plain datagrams, one packet each (no GSO, no GRO) */
	uint8_t ports;	     /* plain udp (spec §1.2): sends from local port + flow hash mod
			      * ports, takes the peer's from its port up to + ports - 1; 0: 1 */
	/* A keyed udp link (spec §1.1): peer is the optional initial endpoint. */
	bool keyed, sealed;
	uint16_t keepalive_s;			/* 0: no keepalives */
	uint8_t peer_key[32];			/* the peer's node key */
	uint8_t my_key[32];			/* ours (public) */
	uint8_t link_key[32];			/* K, derived by the control plane */
	char endpoint[256];			/* as written (a name is resolved at load) */
	/* schc (spec §13.4): local and peer as udp, the rule set, the end, the radio */
	char schc_rules[256];
	uint8_t schc_tx;	/* the enum schc_dir it sends: SCHC_UP for role device, SCHC_DOWN
				 * for gateway; 0 unset */
	uint16_t frame;		/* octets */
	uint32_t bitrate;	/* bit/s */
	uint8_t duty, loss;	/* percent */
};

struct link {
	struct link_cfg cfg;
	int fd, ifindex;
	uint16_t id, mtu;
	struct link_stats st;
	unsigned n_tx;
	struct pkt *txq[BURST];
	struct mmsghdr msgs[BURST];
	struct iovec iov[BURST];
	struct sockaddr_ll sll;
	bool gso;			/* udp: equal-size runs leave as one UDP_SEGMENT send */
	struct udp_gro *gro;		/* a plain udp link's GRO (udp_gro.c), else NULL */
	/* A udp link with ports > 1: the sockets that send from local port + 1, + 2, ...
	 * (connected to the peer, read nothing), n_pfd of them; a message's port in a flush. */
	int pfd[LINK_PORTS_MAX - 1];
	uint8_t n_pfd;
	uint8_t msg_port[BURST];
	unsigned segs[BURST];		/* packets in each message of a flush */
	char cmsg[BURST][32];		/* CMSG_SPACE(sizeof(uint16_t)), aligned */
	/* Egress: the scheduler's queues and class counters (counters on every link). */
	bool paced;
	struct sched sched;
	uint64_t tx_clock_ns;		/* pacing: when the next packet may leave */
	struct pktq delayq;		/* packets in the emulated delay, by release time */
	uint32_t delay_n;		/* how many: at most LINK_DELAY_MAX */
	_Atomic uint32_t lat_us;	/* L of spec §9; published by the control plane */
	struct xlat_ctx xc;		/* tun: the gateway's own IPv4/IPv6 addresses (§12.3) */
	uint8_t *tun_buf;		/* tun: one IP packet read (or a super-packet being cut,
					 * tun_seg of tun_cut.n done), then one to write */
	uint32_t tun_len;		/* the packet in tun_buf, after its vnet header */
	uint16_t tun_seg;
	bool tun_cutting;		/* a super-packet has segments left */
	struct gso_cut tun_cut;
	struct peer *peer;		/* a keyed udp link (peer.c), else NULL */
	uint16_t sock_link;		/* keyed: the link whose socket this one shares (itself
					 * when it owns it) */
	struct schc_link *schc;		/* a schc link (schc_link.c), else NULL */
	struct xsk_link *xsk;		/* an eth link on AF_XDP (xsk.c), else NULL */
	/* Workers (workers.c): the sockets that share this link's receive, one a worker; 1 when
	 * this one reads it alone. A shared udp socket is not connected: its peer is checked
	 * here (names) and named on each send. */
	uint8_t fan;
	uint16_t fan_id;		/* eth: the PACKET_FANOUT group */
	struct sockaddr_in6 names[BURST]; /* a shared udp socket's senders (IPv4 fits too) */
	char note[256];			/* how link_open opened it, for the log: the AF_XDP
					 * mode, or why xdp auto fell back to the packet socket */
};

/* tun.c: open (create) the TUN device of a gateway link. */
int tun_open(struct link *l, char *err, size_t errlen);

/* Open the socket. On failure returns -1 with a message in err. */
int link_open(struct link *l, char *err, size_t errlen);
void link_close(struct link *l);

/* Receive up to max packets into buffers from the pool. Returns how many; what the link itself
 * drops (an AF_XDP udp link's bad outer headers) is counted in st. */
unsigned link_rx(struct link *l, struct pool *pool, struct dp_stats *st, struct pkt **out,
		 unsigned max);

/* An AF_XDP udp link's datagrams that the kernel took (fragments, IPv6 extension headers;
 * xsk_kernel_fd), as link_rx: those not from the peer's address and port are DROP_UNDERLAY. */
unsigned link_rx_kernel(struct link *l, struct pool *pool, struct dp_stats *st, struct pkt **out,
			unsigned max);

/* The source ports of a udp link (spec §1.2). */
static inline unsigned link_ports(const struct link_cfg *c)
{
	return c->ports > 1 ? c->ports : 1;
}

/* A udp link's socket is connected to the peer, so the kernel checks the sender: not when the
 * workers share it (names each send), nor when the peer sends from several ports. */
static inline bool link_udp_connected(const struct link *l)
{
	return l->fan <= 1 && link_ports(&l->cfg) == 1;
}

/* A udp link's peer as an unconnected socket's senders are checked against it: its address
 * octets, their length, its first port (network order) and how many ports. Taken once a burst. */
struct link_peer {
	const uint8_t *ip;
	size_t len;
	uint16_t port;
	unsigned ports;
};

void link_peer_of(const struct link *l, struct link_peer *p);

/* A datagram on an unconnected udp socket came from the peer's address and one of its ports,
 * as connect would have checked. */
static inline bool link_from_peer(const struct link_peer *p, const struct sockaddr_in6 *from,
				  socklen_t len)
{
	size_t alen;
	uint16_t port;
	const uint8_t *a = nexthop_ip((const struct sockaddr *)from, &alen, &port);

	return len >= sizeof(struct sockaddr_in) && alen == p->len &&
	       (uint16_t)(ntohs(port) - ntohs(p->port)) < p->ports && !memcmp(a, p->ip, alen);
}

/* A packet read from a link's socket: len octets arrived (whole: not truncated). It is the
 * link's and counted; truncated or longer than a buffer its length is 0, which the caller
 * drops as DROP_RX_TRUNC. */
static inline void link_took(struct link *l, struct pkt *k, uint32_t len, bool whole)
{
	k->in_link = l->id;
	k->len = whole && len <= PKT_BUF ? len : 0;
	STAT_ADD(l->st.rx_pkts, 1);
	STAT_ADD(l->st.rx_bytes, len);
}

/* A GRO link still holds packets of a run it read (udp_gro.h): call link_rx again before
 * waiting for the socket. */
static inline bool link_rx_more(const struct link *l)
{
	return udp_gro_waiting(l->gro);
}

/* Send the queued packets and return every buffer to the pool. */
void link_flush(struct link *l, struct pool *pool, struct dp_stats *st);

/* Queue a packet for the next flush (the link takes ownership); flushes when full. */
static inline void link_enqueue(struct link *l, struct pkt *k, struct pool *pool,
				struct dp_stats *st)
{
	l->txq[l->n_tx++] = k;
	if (l->n_tx == BURST)
		link_flush(l, pool, st);
}

/* A plain udp link's socket, bound and (link_udp_connected) connected to its peer, its other
 * ports' sockets, link_udp_defaults (no overhead) and GRO when one worker reads it; -1 with
 * "link NAME: udp socket: ..." in err. */
int link_udp_open(struct link *l, char *err, size_t errlen);
/* A non-blocking UDP socket bound to the link's local address (SO_REUSEADDR, so that tools may
 * share the port; with reuseport, SO_REUSEPORT too, for the workers' group); -1 with errno. */
int link_udp_socket(const struct link_cfg *c, bool reuseport);
/* A udp link's socket (link_udp_socket, with a deep receive buffer) in l->fd, -1 with errno;
 * and its defaults: the MTU of a 1500-octet underlay less overhead octets a packet, GSO on
 * unless 'offload off'. */
int link_udp_bind(struct link *l);
void link_udp_defaults(struct link *l, unsigned overhead);
/* Group the queue into messages: one per packet, or with GSO one per run of equal sizes (a
 * shorter packet may close a run), at most 64 segments and 60000 octets a run. Each packet is
 * `per` iovecs of iov and extra octets longer on the wire than in the queue; every message
 * goes to name (NULL: the connected peer) from the link's first port. Returns how many. */
unsigned link_group_msgs(struct link *l, struct iovec *iov, unsigned per, size_t extra,
			 void *name, socklen_t namelen);

/* Both data paths of an eth link: its MTU from the interface's (the configured one if lower,
 * at most LINK_MTU_MAX), and where its frames go: point to point, to peer-mac, else to
 * broadcast. */
void link_eth_mtu(struct link *l, int if_mtu);
void link_eth_dst(const struct link_cfg *c, uint8_t mac[6]);

/* "udp", "eth", "tun" or "schc" */
const char *link_kind_name(enum link_kind k);

#endif
