/* UDP GRO on a plain udp link's socket (UDP_GRO, Linux 5.0): the kernel hands over a run of
 * equal-size datagrams from the peer as one (a GSO send that crossed a veth or loopback whole,
 * or datagrams the interface's GRO merged), with the size in a control message; here each run
 * is cut back into packets. One syscall and one trip up the UDP stack carry up to 64 packets.
 *
 * A run is read into a pool buffer (its first PKT_BUF octets) and a slot of this link's
 * overflow area (the rest), then copied out packet by packet into buffers of their own. A run
 * can hold more packets than one call may return: the rest wait here, and link_rx_more says
 * so until they are taken. Only a socket read by one worker uses GRO: the workers' steering
 * program sees a run's first packet only, and would send a whole run to that packet's worker. */
#ifndef NEWIP_UDP_GRO_H
#define NEWIP_UDP_GRO_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include "pool.h"
#include "stats.h"

#define GRO_MSGS 32		 /* messages a receive takes: BURST */
#define GRO_RUN	 65536		 /* the largest run: one UDP datagram (IP_MAX_MTU) */
#define GRO_OVERFLOW (GRO_RUN - PKT_BUF) /* what a run puts beyond its first buffer */

struct link;

struct udp_gro {
	uint8_t *area;			/* GRO_MSGS overflow slots (mapped, touched only by runs) */
	struct iovec iov[GRO_MSGS][2];	/* a message's pool buffer, then its slot */
	char cmsg[GRO_MSGS][32];	/* CMSG_SPACE(sizeof(int)): the run's packet size */
	struct pkt *held[GRO_MSGS];	/* what each message was read into, until it is cut */
	uint32_t len[GRO_MSGS];		/* its length (0: truncated) */
	uint16_t size[GRO_MSGS];	/* its packets' size; 0: a single datagram */
	unsigned n, cur, seg;		/* messages read, the one being cut, its next packet */
};

/* Turn GRO on for the link's socket (l->fd) and give it its buffers; -1 when the kernel or the
 * memory refuses (the link then reads datagram by datagram, as without GRO). */
int udp_gro_open(struct link *l);
void udp_gro_close(struct link *l);

/* link_rx for a link with GRO: up to max packets, the waiting ones first; what cannot be
 * delivered (a run's packets beyond the pool) is counted in st. */
unsigned udp_gro_rx(struct link *l, struct pool *pool, struct dp_stats *st, struct pkt **out,
		    unsigned max);

static inline bool udp_gro_waiting(const struct udp_gro *g)
{
	return g && g->cur < g->n;
}

#endif
