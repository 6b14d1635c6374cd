/* RIB: the control plane's route list; the data plane only ever sees tables built from it. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rib.h"

static bool is_static(const struct rib_route *r)
{
	return r->origin != ORIGIN_LS;
}

static int append(struct rib *rib, const struct rib_route *r)
{
	if (rib->n == rib->cap) {
		size_t cap = rib->cap ? 2 * rib->cap : 64;
		struct rib_route *n = realloc(rib->r, cap * sizeof(*n));
		if (!n)
			return -ENOMEM;
		rib->r = n;
		rib->cap = cap;
	}
	rib->r[rib->n++] = *r;
	return 0;
}

int rib_add(struct rib *rib, const struct nip_prefix *p, uint16_t link, enum rib_origin o)
{
	struct rib_route r = { .prefix = *p, .nh = { .n = 1, .link = { link } }, .origin = o };

	for (size_t i = 0; i < rib->n; i++)
		if (is_static(&rib->r[i]) && nip_prefix_eq(&rib->r[i].prefix, p))
			return -EEXIST;
	return append(rib, &r);
}

int rib_del(struct rib *rib, const struct nip_prefix *p)
{
	for (size_t i = 0; i < rib->n; i++)
		if (is_static(&rib->r[i]) && nip_prefix_eq(&rib->r[i].prefix, p)) {
			memmove(&rib->r[i], &rib->r[i + 1], (rib->n - i - 1) * sizeof(*rib->r));
			rib->n--;
			return 0;
		}
	return -ENOENT;
}

void rib_clear_ls(struct rib *rib)
{
	size_t k = 0;

	for (size_t i = 0; i < rib->n; i++)
		if (is_static(&rib->r[i]))
			rib->r[k++] = rib->r[i];
	rib->n = k;
}

int rib_add_ls(struct rib *rib, const struct nip_prefix *p, const struct nh_group *nh,
	       uint32_t cost)
{
	struct rib_route r = { .prefix = *p, .nh = *nh, .origin = ORIGIN_LS, .cost = cost };

	return append(rib, &r);
}

void rib_free(struct rib *rib)
{
	free(rib->r);
	memset(rib, 0, sizeof(*rib));
}

const char *rib_origin_name(enum rib_origin o)
{
	switch (o) {
	case ORIGIN_CONFIG:
		return "static (config)";
	case ORIGIN_CLI:
		return "static (cli)";
	default:
		return "link-state";
	}
}

/* Wait until the worker has passed a quiescent point: then no one holds the old table. */
void ctl_grace_period(struct dp *dp)
{
	uint64_t e0 = atomic_load(&dp->epoch);
	struct timespec ms = { 0, 20000 }; /* a shut-off is answered after this: keep it short */

	dp_wake(dp);
	for (int i = 0; i < 250000 && atomic_load(&dp->epoch) == e0; i++)
		nanosleep(&ms, NULL);
}

/* Index of an identical group in g[0..n), appending it if new. */
static uint16_t group_index(struct nh_group *g, unsigned *n, const struct nh_group *x)
{
	for (unsigned i = 0; i < *n; i++)
		if (g[i].n == x->n && g[i].hops == x->hops && g[i].lat_us == x->lat_us &&
		    !memcmp(g[i].link, x->link, x->n * sizeof(x->link[0])))
			return (uint16_t)i;
	g[*n] = *x;
	return (uint16_t)(*n)++;
}

/* A link-state route that a static route for the same prefix overrides; statics holds the
 * static routes' indices (few, against a link-state table of thousands). */
static bool shadowed(const struct rib *rib, const size_t *statics, size_t ns,
		     const struct rib_route *r)
{
	if (is_static(r))
		return false;
	for (size_t i = 0; i < ns; i++)
		if (nip_prefix_eq(&rib->r[statics[i]].prefix, &r->prefix))
			return true;
	return false;
}

int rib_publish(const struct rib *rib, struct dp *dp)
{
	size_t cap = rib->n ? rib->n : 1;
	struct fib_route *fr = calloc(cap, sizeof(*fr));
	struct nh_group *g = calloc(cap, sizeof(*g));
	size_t *statics = calloc(cap, sizeof(*statics));
	unsigned ng = 0;
	size_t nr = 0, ns = 0;
	struct fwd *f, *old;

	if (!fr || !g || !statics) {
		free(fr);
		free(g);
		free(statics);
		return -ENOMEM;
	}
	for (size_t i = 0; i < rib->n; i++)
		if (is_static(&rib->r[i]))
			statics[ns++] = i;
	for (size_t i = 0; i < rib->n; i++)
		if (!shadowed(rib, statics, ns, &rib->r[i]))
			fr[nr++] = (struct fib_route){ rib->r[i].prefix,
						       group_index(g, &ng, &rib->r[i].nh) };
	struct fib *fib = fib_build(fr, nr);
	f = fib ? fwd_new(fib, g, ng) : NULL;
	free(fr);
	free(g);
	free(statics);
	if (!f)
		return -ENOMEM;
	old = atomic_exchange(&dp->fwd, f);
	if (old) {
		ctl_grace_period(dp);
		fwd_free(old);
	}
	return 0;
}
