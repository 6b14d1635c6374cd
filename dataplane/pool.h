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
	/* Egress scheduling state (dataplane/sched.c, contract.c), valid while a link holds it. */
	uint8_t cls;	       /* enum sched_class */
	uint8_t prio;	       /* contract priority 0..7 */
	uint8_t contract_off;  /* offset of the contract block, 0 if none */
	uint32_t max_us;       /* the latency clause's Max */
	uint32_t ahead_us;     /* D + S of spec §10 at enqueue */
	struct pkt *next;      /* queue link */
	uint64_t enq_ns;       /* t0: handed to the scheduler */
	uint64_t t_min_ns;     /* on-time hold; in a delay line, the release time */
	uint64_t t_max_ns;     /* latest departure within this hop's share of the slack */
	uint64_t t_late_ns;    /* the last departure that can still meet Max */
};

/* Buffers come from the free stack, most recently used first, and only when it is empty from
 * those never used (pkts[used..n)): an idle node touches the few pages it needs, not the
 * 16 MiB of buffers and 700 KiB of descriptors it could. */
struct pool {
	struct pkt *pkts;
	struct pkt **free;
	uint8_t *mem;
	unsigned n, n_free, used;
};

int pool_init(struct pool *p, unsigned n);
void pool_destroy(struct pool *p);

static inline struct pkt *pool_get(struct pool *p)
{
	if (p->n_free)
		return p->free[--p->n_free];
	if (p->used == p->n)
		return NULL;
	struct pkt *k = &p->pkts[p->used];
	k->data = p->mem + (size_t)p->used++ * PKT_BUF;
	return k;
}

/* Buffers a pool_get would still give. */
static inline unsigned pool_available(const struct pool *p)
{
	return p->n_free + (p->n - p->used);
}

/* The one place buffers go back: every stage that drops or finishes a packet calls this. */
static inline void pool_put(struct pool *p, struct pkt *k)
{
	p->free[p->n_free++] = k;
}

#endif
