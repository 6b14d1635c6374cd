/* A single-producer single-consumer ring of packets between the data and control planes. */
#ifndef NEWIP_RING_H
#define NEWIP_RING_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pool.h"

/* A power of two. Each slot holds a whole packet, and a ring touches all its slots in turn:
 * 64 is 128 KiB a ring (at 256, the two were 1 MiB of every idle node's 4 MB). A burst (a
 * neighbour's database) wakes the other side at half full; what still overflows is counted
 * (control_busy, or NLS tx_dropped) and NLS sends it again. */
#define RING_SLOTS 64

/* Slots only urgent messages may take: NLS hellos, whose loss behind a burst of database
 * updates would declare a live neighbour dead and start the flood again. Bulk messages find
 * the ring full this much earlier; reliable flooding sends them again. */
#define RING_RESERVE 8

struct ring_slot {
	uint16_t link, len;
	uint64_t ts_ns; /* to the control plane: when the data plane received it (CLOCK_MONOTONIC) */
	uint16_t stamp_off; /* from the control plane: an NLS hello's Timestamp to set at sending */
	uint8_t data[PKT_BUF];
};

struct ring {
	_Atomic uint32_t head; /* next slot the producer writes */
	_Atomic uint32_t tail; /* next slot the consumer reads */
	uint32_t n;	       /* slots: a power of two */
	struct ring_slot *slots;
};

/* A ring of n slots (a power of two): RING_SLOTS between the planes, more between workers. */
static inline int ring_init_n(struct ring *r, uint32_t n)
{
	atomic_init(&r->head, 0);
	atomic_init(&r->tail, 0);
	r->n = n;
	r->slots = calloc(n, sizeof(*r->slots));
	return r->slots ? 0 : -1;
}

static inline int ring_init(struct ring *r)
{
	return ring_init_n(r, RING_SLOTS);
}

static inline void ring_free(struct ring *r)
{
	free(r->slots);
	r->slots = NULL;
}

/* Producer: how many slots wait for the consumer. */
static inline uint32_t ring_used(struct ring *r)
{
	return atomic_load_explicit(&r->head, memory_order_relaxed) -
	       atomic_load_explicit(&r->tail, memory_order_acquire);
}

/* Producer: copy a packet in. False when full, or when only the reserve is left and the
 * packet is not urgent (the caller counts the drop). */
static inline bool ring_push(struct ring *r, bool urgent, uint16_t link, uint64_t ts_ns,
			     uint16_t stamp_off, const void *data, size_t len)
{
	uint32_t h = atomic_load_explicit(&r->head, memory_order_relaxed);

	if (len > PKT_BUF || ring_used(r) >= r->n - (urgent ? 0 : RING_RESERVE))
		return false;
	struct ring_slot *s = &r->slots[h & (r->n - 1)];
	s->link = link;
	s->len = (uint16_t)len;
	s->ts_ns = ts_ns;
	s->stamp_off = stamp_off;
	memcpy(s->data, data, len);
	atomic_store_explicit(&r->head, h + 1, memory_order_release);
	return true;
}

/* Consumer: the oldest slot, or NULL; ring_pop releases it after use. */
static inline struct ring_slot *ring_peek(struct ring *r)
{
	uint32_t t = atomic_load_explicit(&r->tail, memory_order_relaxed);

	if (t == atomic_load_explicit(&r->head, memory_order_acquire))
		return NULL;
	return &r->slots[t & (r->n - 1)];
}

static inline void ring_pop(struct ring *r)
{
	atomic_store_explicit(&r->tail, atomic_load_explicit(&r->tail, memory_order_relaxed) + 1,
			      memory_order_release);
}

#endif
