/* UDP GRO on a plain udp link's socket: runs read whole, cut into packets (udp_gro.h). */
#include <netinet/in.h>
#include <netinet/udp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "link.h"
#include "udp_gro.h"

_Static_assert(GRO_MSGS == BURST, "a GRO receive takes a burst of messages");
_Static_assert(sizeof(((struct udp_gro *)0)->cmsg[0]) >= CMSG_SPACE(sizeof(int)),
	       "room for the UDP_GRO control message");

int udp_gro_open(struct link *l)
{
	struct udp_gro *g = calloc(1, sizeof(*g));
	int one = 1;

	if (!g)
		return -1;
	/* Address space only: a page is touched when a run first reaches it. */
	g->area = mmap(NULL, (size_t)GRO_MSGS * GRO_OVERFLOW, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (g->area == MAP_FAILED || setsockopt(l->fd, SOL_UDP, UDP_GRO, &one, sizeof(one)) < 0) {
		if (g->area != MAP_FAILED)
			munmap(g->area, (size_t)GRO_MSGS * GRO_OVERFLOW);
		free(g);
		return -1;
	}
	for (unsigned i = 0; i < GRO_MSGS; i++) /* each message's overflow slot, for good */
		g->iov[i][1] = (struct iovec){ g->area + (size_t)i * GRO_OVERFLOW, GRO_OVERFLOW };
	l->gro = g;
	return 0;
}

void udp_gro_close(struct link *l)
{
	struct udp_gro *g = l->gro;

	if (!g)
		return;
	munmap(g->area, (size_t)GRO_MSGS * GRO_OVERFLOW); /* buffers still held go with the pool */
	free(g);
	l->gro = NULL;
}

/* The run's size from message i's control data; 0 when the kernel sent none (one datagram). */
static uint16_t run_size(struct msghdr *h)
{
	for (struct cmsghdr *c = CMSG_FIRSTHDR(h); c; c = CMSG_NXTHDR(h, c))
		if (c->cmsg_level == SOL_UDP && c->cmsg_type == UDP_GRO) {
			int v;
			memcpy(&v, CMSG_DATA(c), sizeof(v));
			return v > 0 && v < 65536 ? (uint16_t)v : 0;
		}
	return 0;
}

/* Read up to max messages; false when nothing came. A socket that is not connected (a peer
 * with several ports) names each sender, and a run not from the peer is dropped whole. */
static bool gro_read(struct link *l, struct pool *pool, struct dp_stats *st, unsigned max)
{
	struct udp_gro *g = l->gro;
	bool check = !link_udp_connected(l);
	struct link_peer peer;
	unsigned n = 0;
	int got;

	g->n = g->cur = g->seg = 0;
	for (; n < max; n++) {
		if (!(g->held[n] = pool_get(pool)))
			break;
		g->iov[n][0] = (struct iovec){ g->held[n]->data, PKT_BUF };
		l->msgs[n].msg_hdr = (struct msghdr){ .msg_name = check ? &l->names[n] : NULL,
						      .msg_namelen = check ? sizeof(l->names[n]) : 0,
						      .msg_iov = g->iov[n], .msg_iovlen = 2,
						      .msg_control = g->cmsg[n],
						      .msg_controllen = sizeof(g->cmsg[n]) };
	}
	if (n == 0) /* pool exhausted: leave the datagrams queued in the kernel */
		return false;
	if (check)
		link_peer_of(l, &peer);
	got = recvmmsg(l->fd, l->msgs, n, MSG_DONTWAIT, NULL);
	if (got < 0) /* EAGAIN, or ECONNREFUSED from an ICMP error on the underlay */
		got = 0;
	for (unsigned i = (unsigned)got; i < n; i++)
		pool_put(pool, g->held[i]);
	/* l->msgs is the send batch too: keep what the cut needs before a flush reuses it */
	for (int i = 0; i < got; i++) {
		struct msghdr *h = &l->msgs[i].msg_hdr;
		g->len[i] = h->msg_flags & MSG_TRUNC ? 0 : l->msgs[i].msg_len;
		g->size[i] = run_size(h);
		if (g->size[i] >= g->len[i])
			g->size[i] = 0;
		if (check && !link_from_peer(&peer, &l->names[i], h->msg_namelen)) {
			STAT_ADD(st->drop[DROP_UNDERLAY],
				 g->size[i] ? (g->len[i] + g->size[i] - 1) / g->size[i] : 1);
			pool_put(pool, g->held[i]);
			g->held[i] = NULL; /* the cut passes it by */
		}
	}
	g->n = (unsigned)got;
	return got > 0;
}

/* Octets [off, off + len) of message i's run: from its buffer, then its overflow slot. */
static void run_copy(const struct udp_gro *g, unsigned i, uint32_t off, uint32_t len,
		     uint8_t *to)
{
	const uint8_t *slot = g->area + (size_t)i * GRO_OVERFLOW;

	if (off < PKT_BUF) {
		uint32_t n = len < PKT_BUF - off ? len : PKT_BUF - off;
		memcpy(to, g->held[i]->data + off, n);
		to += n, off += n, len -= n;
	}
	memcpy(to, slot + (off - PKT_BUF), len);
}

unsigned udp_gro_rx(struct link *l, struct pool *pool, struct dp_stats *st, struct pkt **out,
		    unsigned max)
{
	struct udp_gro *g = l->gro;
	unsigned got = 0;

	if (max > GRO_MSGS)
		max = GRO_MSGS;
	if (!udp_gro_waiting(g) && !gro_read(l, pool, st, max))
		return 0;
	while (g->cur < g->n && got < max) {
		unsigned i = g->cur;
		struct pkt *k = g->held[i];
		uint32_t len = g->len[i], size = g->size[i];
		if (!k) { /* dropped by gro_read */
			g->cur++;
			continue;
		}
		if (!size) { /* one datagram, in place */
			link_took(l, k, len, true);
			out[got++] = k;
			g->cur++;
			continue;
		}
		uint32_t segs = (len + size - 1) / size;
		if (g->seg == 0)
			STAT_ADD(l->st.rx_runs, 1);
		for (; g->seg < segs && got < max; g->seg++) {
			uint32_t off = g->seg * size, n = len - off < size ? len - off : size;
			struct pkt *c = pool_get(pool);
			if (!c) { /* the rest of the run is lost: say how much */
				STAT_ADD(st->drop[DROP_POOL], segs - g->seg);
				g->seg = segs;
				break;
			}
			if (n <= PKT_BUF)
				run_copy(g, i, off, n, c->data);
			link_took(l, c, n, true);
			out[got++] = c;
		}
		if (g->seg == segs) {
			pool_put(pool, k);
			g->cur++;
			g->seg = 0;
		}
	}
	return got;
}
