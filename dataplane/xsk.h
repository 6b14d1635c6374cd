/* The AF_XDP data path of an eth or a plain udp link (libxdp's AF_XDP sockets, an XDP program
 * loaded with libbpf): New IP frames, or the overlay's datagrams, bypass the kernel's stack both
 * ways; the rest of the interface's traffic stays with the kernel. The packet socket and the
 * UDP socket (link.c) are the fallbacks and the unprivileged paths. */
#ifndef NEWIP_XSK_H
#define NEWIP_XSK_H

#include <stdbool.h>
#include <stddef.h>

#include "pool.h"
#include "stats.h"

struct link;

/* Open the link's AF_XDP socket on queue 0 of its interface and steer New IP frames to it: an
 * eth link's interface is l->ifindex, looked up by the caller; a udp link's is the one that
 * holds its local address, with the peer on its subnet (nexthop.h), and its datagrams to the
 * local address and port are steered.
 * -1 with why it cannot (no XDP, no privilege, several receive queues ...) in why. On success
 * l->fd is the socket's descriptor (poll it for receive) and mode says how it runs, e.g.
 * "native XDP, copy mode". */
int xsk_open(struct link *l, char *why, size_t whylen, char *mode, size_t modelen);
void xsk_close(struct link *l);

/* A udp link's socket, bound to its local address and port (-1 for an eth link): what the
 * XDP program passes to the kernel (IPv4 fragments, IPv6 with extension headers) reaches the
 * link through it, reassembled; poll it and read it with link_rx_kernel (link.h). */
int xsk_kernel_fd(const struct link *l);

/* As link_rx and link_flush (link.h). */
unsigned xsk_rx(struct link *l, struct pool *pool, struct dp_stats *st, struct pkt **out,
		unsigned max);
void xsk_flush(struct link *l, struct pool *pool, struct dp_stats *st);

#endif
