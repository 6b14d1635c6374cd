/* The AF_XDP data path of an eth link (libxdp's AF_XDP sockets, an XDP program loaded with
 * libbpf): New IP frames bypass the kernel's stack both ways; the rest of the link's traffic
 * stays with the kernel. The packet socket (link.c) is the fallback and the unprivileged path. */
#ifndef NEWIP_XSK_H
#define NEWIP_XSK_H

#include <stdbool.h>
#include <stddef.h>

#include "pool.h"
#include "stats.h"

struct link;

/* Open the link's AF_XDP socket on queue 0 of its interface (l->ifindex, looked up by the
 * caller) and steer New IP frames to it.
 * -1 with why it cannot (no XDP, no privilege, several receive queues ...) in why. On success
 * l->fd is the socket's descriptor (poll it for receive) and mode says how it runs, e.g.
 * "native XDP, copy mode". */
int xsk_open(struct link *l, char *why, size_t whylen, char *mode, size_t modelen);
void xsk_close(struct link *l);

/* As link_rx and link_flush (link.h). */
unsigned xsk_rx(struct link *l, struct pool *pool, struct pkt **out, unsigned max);
void xsk_flush(struct link *l, struct pool *pool, struct dp_stats *st);

#endif
