/* The packet-buffer pool: one allocation at start-up, then only pointer moves (pool.h). */
#include <stdlib.h>

#include "pool.h"

int pool_init(struct pool *p, unsigned n)
{
	p->pkts = calloc(n, sizeof(*p->pkts));
	p->free = calloc(n, sizeof(*p->free));
	p->mem = aligned_alloc(64, (size_t)n * PKT_BUF);
	if (!p->pkts || !p->free || !p->mem) {
		pool_destroy(p);
		return -1;
	}
	p->n = n;
	p->n_free = p->used = 0;
	return 0;
}

void pool_destroy(struct pool *p)
{
	free(p->pkts);
	free(p->free);
	free(p->mem);
	p->pkts = NULL;
	p->free = NULL;
	p->mem = NULL;
}
