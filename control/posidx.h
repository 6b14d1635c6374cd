/* An index by key into a caller's dense array: open addressing, linear probing, at most half
 * full, deletion by backward shift (no tombstones). The caller keeps the entries and compares
 * keys; the index keeps positions and asks the caller for an entry's hash. */
#ifndef NEWIP_POSIDX_H
#define NEWIP_POSIDX_H

#include <stddef.h>
#include <stdint.h>

struct posidx {
	uint32_t *slot; /* position + 1; 0: empty */
	size_t mask;	/* slots - 1; no slots while slot is NULL */
};

/* The hash of the entry at pos in the owner's array. */
typedef uint32_t posidx_hash_fn(const void *owner, uint32_t pos);

/* The slot to probe first for hash h, and the one after s. */
static inline size_t posidx_home(const struct posidx *x, uint32_t h)
{
	return h & x->mask;
}

static inline size_t posidx_next(const struct posidx *x, size_t s)
{
	return (s + 1) & x->mask;
}

/* Room for one more entry beside the count at positions 0..count-1, which are placed anew
 * when the index doubles. 0, or -1: out of memory (the index is as it was). */
int posidx_grow(struct posidx *x, size_t count, posidx_hash_fn *hash, const void *owner);

/* Empty slot s, pulling back the entries after it that belong before it. */
void posidx_clear(struct posidx *x, size_t s, posidx_hash_fn *hash, const void *owner);

void posidx_free(struct posidx *x);

#endif
