/* Calendar queue: a ring of time slots × priorities with a two-level find-first-set bitmap. */
#include <stdlib.h>
#include <string.h>

#include "calq.h"

struct calq *calq_new(void)
{
	return calloc(1, sizeof(struct calq));
}

void calq_free(struct calq *q)
{
	free(q);
}

static inline void set_bit(struct calq *q, unsigned i)
{
	q->bits[i / 64] |= 1ull << (i % 64);
	q->summary[i / 4096] |= 1ull << (i / 64 % 64);
}

static inline void clear_bit(struct calq *q, unsigned i)
{
	q->bits[i / 64] &= ~(1ull << (i % 64));
	if (!q->bits[i / 64])
		q->summary[i / 4096] &= ~(1ull << (i / 64 % 64));
}

/* The first non-empty bitmap word at or after word w, or -1. */
static int word_from(const struct calq *q, unsigned w)
{
	for (unsigned s = w / 64; s < CALQ_SUMMARY; s++) {
		uint64_t m = q->summary[s];
		if (s == w / 64)
			m &= ~0ull << (w % 64);
		if (m)
			return (int)(s * 64 + (unsigned)__builtin_ctzll(m));
	}
	return -1;
}

/* The first non-empty bucket at or after bucket i, wrapping around the ring; -1 if empty. */
static int bucket_from(const struct calq *q, unsigned i)
{
	unsigned w = i / 64;
	uint64_t m = q->bits[w] & (~0ull << (i % 64));
	int nw;

	if (m)
		return (int)(w * 64 + (unsigned)__builtin_ctzll(m));
	if ((w + 1 < CALQ_WORDS && (nw = word_from(q, w + 1)) >= 0) || (nw = word_from(q, 0)) >= 0)
		return (int)((unsigned)nw * 64 + (unsigned)__builtin_ctzll(q->bits[nw]));
	return -1;
}

static inline unsigned ring_pos(uint64_t slot)
{
	return (unsigned)(slot % CALQ_SLOTS) * CALQ_PRIOS;
}

/* Absolute slot of bucket idx, which lies at or after base on the ring. */
static inline uint64_t slot_of(const struct calq *q, unsigned idx)
{
	unsigned rel = (idx / CALQ_PRIOS + CALQ_SLOTS - (unsigned)(q->base % CALQ_SLOTS)) % CALQ_SLOTS;
	return q->base + rel;
}

/* Move base up to the clock's slot, over empty slots only, so the ring reaches far enough.
 * Only needed when a rank would otherwise be clamped: pops keep base close behind. */
static void advance(struct calq *q, uint64_t now_ns)
{
	uint64_t now_slot = now_ns >> CALQ_GRAN_SHIFT;

	if (now_slot <= q->base)
		return;
	if (q->n == 0) {
		q->base = now_slot;
		return;
	}
	uint64_t first = slot_of(q, (unsigned)bucket_from(q, ring_pos(q->base)));
	q->base = first < now_slot ? first : now_slot;
}

void calq_push(struct calq *q, struct pkt *k, uint64_t rank_ns, uint8_t prio, uint64_t now_ns)
{
	uint64_t slot = rank_ns >> CALQ_GRAN_SHIFT;
	unsigned idx;

	if (q->n == 0 || slot >= q->base + CALQ_SLOTS)
		advance(q, now_ns);
	if (slot < q->base)
		slot = q->base;
	else if (slot >= q->base + CALQ_SLOTS)
		slot = q->base + CALQ_SLOTS - 1;
	idx = ring_pos(slot) + (CALQ_PRIOS - 1 - (prio & 7));
	k->next = NULL;
	if (q->b[idx].tail)
		q->b[idx].tail->next = k;
	else
		q->b[idx].head = k;
	q->b[idx].tail = k;
	set_bit(q, idx);
	q->n++;
}

struct pkt *calq_peek(struct calq *q)
{
	int idx = q->n ? bucket_from(q, ring_pos(q->base)) : -1;

	return idx < 0 ? NULL : q->b[idx].head;
}

struct pkt *calq_pop(struct calq *q, uint64_t now_ns)
{
	int idx;
	struct pkt *k;

	if (!q->n)
		return NULL;
	idx = bucket_from(q, ring_pos(q->base));
	uint64_t slot = slot_of(q, (unsigned)idx), now_slot = now_ns >> CALQ_GRAN_SHIFT;
	q->base = slot < now_slot ? slot : now_slot > q->base ? now_slot : q->base;
	k = q->b[idx].head;
	q->b[idx].head = k->next;
	if (!k->next) {
		q->b[idx].tail = NULL;
		clear_bit(q, (unsigned)idx);
	}
	k->next = NULL;
	q->n--;
	return k;
}

uint64_t calq_first_time(const struct calq *q)
{
	if (!q->n)
		return UINT64_MAX;
	return slot_of(q, (unsigned)bucket_from(q, ring_pos(q->base))) << CALQ_GRAN_SHIFT;
}
