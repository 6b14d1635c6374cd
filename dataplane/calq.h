/* A calendar queue (a bucketed PIFO): packets ranked by time and priority, O(1) push and pop. */
#ifndef NEWIP_CALQ_H
#define NEWIP_CALQ_H

#include <stdbool.h>
#include <stdint.h>

#include "pool.h"

/*
 * Ranks are times in ns. A rank falls in a slot of 2^CALQ_GRAN_SHIFT ns (8.192 µs, the
 * scheduling granule of docs/spec.md §10.3); each slot has one FIFO bucket per priority
 * (7 first). The slots form a ring covering CALQ_SLOTS granules (33.5 ms) from `base`, the
 * earliest slot that can hold a packet: a rank before it joins base's slot (it is overdue), a
 * rank past the horizon joins the last slot (it has more slack than the ring resolves, so it
 * is served early, never late). A two-level bitmap finds the first non-empty bucket with a few
 * find-first-set instructions. No allocation after calq_new; packets are linked through
 * pkt->next.
 */
#define CALQ_GRAN_SHIFT 13
#define CALQ_SLOTS 4096
#define CALQ_PRIOS 8
#define CALQ_BUCKETS (CALQ_SLOTS * CALQ_PRIOS)
#define CALQ_WORDS (CALQ_BUCKETS / 64)
#define CALQ_SUMMARY (CALQ_WORDS / 64)

struct calq {
	uint64_t base; /* absolute slot number; never later than the clock's slot */
	uint32_t n;
	uint64_t bits[CALQ_WORDS];
	uint64_t summary[CALQ_SUMMARY];
	struct {
		struct pkt *head, *tail;
	} b[CALQ_BUCKETS];
};

struct calq *calq_new(void); /* NULL: out of memory */
void calq_free(struct calq *q);

/* Add k with rank (ns) and priority 0..7; now is the caller's clock. */
void calq_push(struct calq *q, struct pkt *k, uint64_t rank_ns, uint8_t prio, uint64_t now_ns);
/* The first packet (earliest slot, highest priority, FIFO within), or NULL; pop removes it. */
struct pkt *calq_peek(struct calq *q);
struct pkt *calq_pop(struct calq *q, uint64_t now_ns);
/* Start time (ns) of the slot holding the first packet; UINT64_MAX when empty. */
uint64_t calq_first_time(const struct calq *q);

static inline bool calq_empty(const struct calq *q)
{
	return q->n == 0;
}

#endif
