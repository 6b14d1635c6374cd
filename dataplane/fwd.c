/* Bundle a FIB with its next-hop groups so both are published by one pointer swap. */
#include <stdlib.h>
#include <string.h>

#include "fwd.h"

struct fwd *fwd_new(struct fib *fib, const struct nh_group *g, unsigned n)
{
	struct fwd *f = malloc(sizeof(*f) + (size_t)n * sizeof(*g));

	if (!f) {
		fib_free(fib);
		return NULL;
	}
	f->fib = fib;
	f->n_groups = n;
	if (n)
		memcpy(f->groups, g, (size_t)n * sizeof(*g));
	return f;
}

void fwd_free(struct fwd *f)
{
	if (!f)
		return;
	fib_free(f->fib);
	free(f);
}
