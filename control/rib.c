/* RIB: the control plane's route list; the data plane only ever sees FIBs built from it. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rib.h"

static bool same_prefix(const struct nip_prefix *a, const struct nip_prefix *b)
{
	return a->addr.len == b->addr.len && a->plen == b->plen &&
	       memcmp(a->addr.b, b->addr.b, a->addr.len) == 0;
}

int rib_add(struct rib *rib, const struct nip_prefix *p, uint16_t link, enum rib_origin o)
{
	for (size_t i = 0; i < rib->n; i++)
		if (same_prefix(&rib->r[i].prefix, p))
			return -EEXIST;
	if (rib->n == rib->cap) {
		size_t cap = rib->cap ? 2 * rib->cap : 64;
		struct rib_route *r = realloc(rib->r, cap * sizeof(*r));
		if (!r)
			return -ENOMEM;
		rib->r = r;
		rib->cap = cap;
	}
	rib->r[rib->n++] = (struct rib_route){ *p, link, o };
	return 0;
}

int rib_del(struct rib *rib, const struct nip_prefix *p)
{
	for (size_t i = 0; i < rib->n; i++)
		if (same_prefix(&rib->r[i].prefix, p)) {
			rib->r[i] = rib->r[--rib->n];
			return 0;
		}
	return -ENOENT;
}

void rib_free(struct rib *rib)
{
	free(rib->r);
	memset(rib, 0, sizeof(*rib));
}

const char *rib_origin_name(enum rib_origin o)
{
	return o == ORIGIN_CONFIG ? "static (config)" : "static (cli)";
}

/* Wait until the worker has passed a quiescent point: then no one holds the old FIB. */
static void grace_period(struct dp *dp)
{
	uint64_t e0 = atomic_load(&dp->epoch);
	struct timespec ms = { 0, 1000000 };

	dp_wake(dp);
	for (int i = 0; i < 5000 && atomic_load(&dp->epoch) == e0; i++)
		nanosleep(&ms, NULL);
}

int rib_publish(const struct rib *rib, struct dp *dp)
{
	struct fib_route *fr = calloc(rib->n ? rib->n : 1, sizeof(*fr));
	struct fib *f, *old;

	if (!fr)
		return -ENOMEM;
	for (size_t i = 0; i < rib->n; i++)
		fr[i] = (struct fib_route){ rib->r[i].prefix, rib->r[i].link };
	f = fib_build(fr, rib->n);
	free(fr);
	if (!f)
		return -ENOMEM;
	old = atomic_exchange(&dp->fib, f);
	if (old) {
		grace_period(dp);
		fib_free(old);
	}
	return 0;
}
