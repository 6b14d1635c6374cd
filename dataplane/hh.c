/* Count-min sketch plus a top-k table, per window (docs/spec.md §11.2). */
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "hh.h"
#include "seqlock.h"

void hh_init(struct hh *h)
{
	memset(h, 0, sizeof(*h));
}

/* The address is hashed once; each row's column is its own field of bits of a mixed 64-bit
 * value. (Double hashing, h1 + row * h2, made two addresses with the same h1 and h2 modulo
 * the width collide in every row: a random source then shadowed the heaviest one, about once
 * in 200 runs of unit.guard with 20000 sources.) */
#define HH_COL_BITS 10
_Static_assert(1u << HH_COL_BITS == HH_COLS, "HH_COL_BITS is log2(HH_COLS)");
_Static_assert(HH_ROWS * HH_COL_BITS <= 64, "one 64-bit hash holds every row's column");

static uint64_t addr_hash(const uint8_t *a, uint8_t len)
{
	uint64_t x = fnv1a32(FNV32_BASIS ^ len, a, len);

	x = (x ^ (x >> 16)) * 0x9e3779b97f4a7c15ull;
	return x ^ (x >> 29);
}

static inline unsigned row_col(uint64_t h, unsigned row)
{
	return (unsigned)(h >> (row * HH_COL_BITS)) & (HH_COLS - 1);
}

static int cmp_count(const void *a, const void *b)
{
	const struct hh_entry *x = a, *y = b;

	return x->count < y->count ? 1 : x->count > y->count ? -1 : 0;
}

/* Close the window: publish its heaviest sources, then start empty. */
static void roll(struct hh *h, uint64_t now_ns)
{
	seq_write_begin(&h->seq);
	memcpy(h->last, h->top, sizeof(h->top));
	h->n_last = h->n_top;
	qsort(h->last, h->n_last, sizeof(h->last[0]), cmp_count);
	h->last_total = h->win_total;
	h->last_end_ns = now_ns;
	seq_write_end(&h->seq);
	memset(h->cm, 0, sizeof(h->cm));
	h->n_top = 0;
	h->win_total = 0;
	h->win_start_ns = now_ns;
}

void hh_add(struct hh *h, const uint8_t *src, uint8_t len, uint64_t now_ns)
{
	uint32_t est = UINT32_MAX;
	unsigned min_i = 0;

	uint64_t x = addr_hash(src, len);

	if (now_ns - h->win_start_ns >= HH_WINDOW_NS)
		roll(h, now_ns);
	h->win_total++;
	for (unsigned r = 0; r < HH_ROWS; r++) {
		uint32_t *c = &h->cm[r][row_col(x, r)];
		if (++*c < est)
			est = *c;
	}
	for (unsigned i = 0; i < h->n_top; i++) {
		struct hh_entry *e = &h->top[i];
		if (e->src.len == len && !memcmp(e->src.b, src, len)) {
			e->count = est;
			return;
		}
		if (e->count < h->top[min_i].count)
			min_i = i;
	}
	if (h->n_top < HH_TOP)
		min_i = h->n_top++;
	else if (est <= h->top[min_i].count)
		return;
	h->top[min_i].src.len = len;
	memcpy(h->top[min_i].src.b, src, len);
	h->top[min_i].count = est;
}

unsigned hh_read(const struct hh *h, struct hh_entry out[HH_TOP], uint64_t *total,
		 uint64_t *end_ns)
{
	for (int tries = 0; tries < 100; tries++) {
		uint32_t s0 = seq_read_begin(&h->seq);
		unsigned n = h->n_last;
		memcpy(out, h->last, sizeof(h->last));
		*total = h->last_total;
		*end_ns = h->last_end_ns;
		if (seq_read_ok(&h->seq, s0))
			return n > HH_TOP ? HH_TOP : n;
	}
	return 0;
}
