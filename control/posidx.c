/* Open-addressing index of array positions (posidx.h). */
#include <stdlib.h>

#include "posidx.h"

int posidx_grow(struct posidx *x, size_t count, posidx_hash_fn *hash, const void *owner)
{
	if (x->slot && 2 * (count + 1) <= x->mask + 1)
		return 0;
	size_t size = x->slot ? 2 * (x->mask + 1) : 128;
	uint32_t *slot = calloc(size, sizeof(*slot));
	if (!slot)
		return -1;
	free(x->slot);
	x->slot = slot;
	x->mask = size - 1;
	for (uint32_t pos = 0; pos < count; pos++) { /* distinct keys: the first free slot */
		size_t s = posidx_home(x, hash(owner, pos));
		while (x->slot[s])
			s = posidx_next(x, s);
		x->slot[s] = pos + 1;
	}
	return 0;
}

void posidx_clear(struct posidx *x, size_t s, posidx_hash_fn *hash, const void *owner)
{
	size_t hole = s;

	x->slot[hole] = 0;
	for (size_t j = posidx_next(x, hole); x->slot[j]; j = posidx_next(x, j)) {
		size_t home = posidx_home(x, hash(owner, x->slot[j] - 1));
		/* it moves back unless its home lies cyclically in (hole, j] */
		if (((j - home) & x->mask) >= ((j - hole) & x->mask)) {
			x->slot[hole] = x->slot[j];
			x->slot[j] = 0;
			hole = j;
		}
	}
}

void posidx_free(struct posidx *x)
{
	free(x->slot);
	x->slot = NULL;
	x->mask = 0;
}
