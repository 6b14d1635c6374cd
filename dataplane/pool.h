/* Packet buffers: a fixed pool owned by one worker; get/put are O(1), no allocation, no lock. */
#ifndef NEWIP_POOL_H
#define NEWIP_POOL_H

#include <stddef.h>
#include <stdint.h>

#define PKT_BUF 2048 /* largest packet a link may carry (link MTU is capped below this) */

struct pkt {
	uint8_t *data;
	uint32_t len;
	uint16_t in_link; /* LINK_LOCAL for packets the node originates */
};

struct pool {
	struct pkt *pkts;
	struct pkt **free;
	uint8_t *mem;
	unsigned n, n_free;
};

int pool_init(struct pool *p, unsigned n);
void pool_destroy(struct pool *p);

static inline struct pkt *pool_get(struct pool *p)
{
	return p->n_free ? p->free[--p->n_free] : NULL;
}

/* The one place buffers go back: every stage that drops or finishes a packet calls this. */
static inline void pool_put(struct pool *p, struct pkt *k)
{
	p->free[p->n_free++] = k;
}

#endif
