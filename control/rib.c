/* RIB: the control plane's routes; the data plane only ever sees tables built from them. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rib.h"

static uint32_t prefix_hash(const struct nip_prefix *p)
{
	uint32_t h = fnv1a32(FNV32_BASIS ^ p->addr.len, (const uint8_t *)&p->plen, sizeof(p->plen));

	return fnv1a32(h, p->addr.b, p->addr.len);
}

static uint32_t route_hash(const void *rib, uint32_t pos)
{
	return prefix_hash(&((const struct rib *)rib)->r[pos].prefix);
}

/* The index slot that holds p, or the free slot where it would go. */
static size_t slot_of(const struct rib *rib, const struct nip_prefix *p)
{
	size_t s = posidx_home(&rib->idx, prefix_hash(p));

	while (rib->idx.slot[s] && !nip_prefix_eq(&rib->r[rib->idx.slot[s] - 1].prefix, p))
		s = posidx_next(&rib->idx, s);
	return s;
}

static int append(struct rib_route **a, size_t *n, size_t *cap, const struct rib_route *r)
{
	if (*n == *cap) {
		size_t c = *cap ? 2 * *cap : 64;
		struct rib_route *x = realloc(*a, c * sizeof(*x));
		if (!x)
			return -ENOMEM;
		*a = x;
		*cap = c;
	}
	(*a)[(*n)++] = *r;
	return 0;
}

int rib_add(struct rib *rib, const struct nip_prefix *p, uint16_t link, enum rib_origin o)
{
	struct rib_route r = { .prefix = *p, .nh = { .n = 1, .link = { link } }, .origin = o };

	if (posidx_grow(&rib->idx, rib->n, route_hash, rib) < 0)
		return -ENOMEM;
	size_t s = slot_of(rib, p);
	if (rib->idx.slot[s])
		return -EEXIST;
	if (append(&rib->r, &rib->n, &rib->cap, &r) < 0)
		return -ENOMEM;
	rib->idx.slot[s] = (uint32_t)rib->n;
	return 0;
}

int rib_del(struct rib *rib, const struct nip_prefix *p)
{
	if (!rib->idx.slot)
		return -ENOENT;
	size_t s = slot_of(rib, p);
	if (!rib->idx.slot[s])
		return -ENOENT;
	uint32_t i = rib->idx.slot[s] - 1;
	posidx_clear(&rib->idx, s, route_hash, rib);
	if (i != rib->n - 1) { /* the last route moves into the hole */
		rib->r[i] = rib->r[rib->n - 1];
		rib->idx.slot[slot_of(rib, &rib->r[i].prefix)] = i + 1;
	}
	rib->n--;
	return 0;
}

void rib_clear_ls(struct rib *rib)
{
	rib->n_ls = 0;
}

int rib_add_ls(struct rib *rib, const struct nip_prefix *p, const struct nh_group *nh,
	       uint32_t cost)
{
	struct rib_route r = { .prefix = *p, .nh = *nh, .origin = ORIGIN_LS, .cost = cost };

	return append(&rib->ls, &rib->n_ls, &rib->cap_ls, &r);
}

void rib_free(struct rib *rib)
{
	free(rib->r);
	free(rib->ls);
	posidx_free(&rib->idx);
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

/* Wait until every worker has passed a quiescent point: then no one holds the old table. The
 * first look is after 20 µs (a shut-off is answered after this: keep it short), then each wait
 * doubles up to 1 ms: on a busy machine (hundreds of lab nodes on two cores) the worker may
 * take milliseconds to run, and waking every 20 µs to see would make it busier. At most 5 s. */
void ctl_grace_period(struct dp *dp)
{
	uint64_t e0[DP_MAX_WORKERS];
	long wait_ns = 20000, waited_ns = 0;

	dp_epochs(dp, e0);
	dp_wake_all(dp);
	while (!dp_quiescent(dp, e0) && waited_ns < 5000000000l) {
		struct timespec t = { 0, wait_ns };
		nanosleep(&t, NULL);
		waited_ns += wait_ns;
		wait_ns = wait_ns < 500000 ? 2 * wait_ns : 1000000;
	}
}

/* The distinct next-hop groups, found by hash: a full table has few, a big NLS area many. */
struct groups {
	struct nh_group *g; /* room for as many as there are routes, at most FIB_NONE */
	size_t n;
	struct posidx idx;
};

static uint32_t group_hash(const struct nh_group *x)
{
	uint32_t h = FNV32_BASIS ^ x->n ^ (uint32_t)x->hops << 8;

	h = fnv1a32(h, (const uint8_t *)&x->lat_us, sizeof(x->lat_us));
	return fnv1a32(h, (const uint8_t *)x->link, x->n * sizeof(x->link[0]));
}

static uint32_t group_hash_at(const void *gs, uint32_t pos)
{
	return group_hash(&((const struct groups *)gs)->g[pos]);
}

static bool group_eq(const struct nh_group *a, const struct nh_group *b)
{
	return a->n == b->n && a->hops == b->hops && a->lat_us == b->lat_us &&
	       !memcmp(a->link, b->link, a->n * sizeof(a->link[0]));
}

/* x's index, appending it if new; -ENOSPC when FIB_NONE groups are already there. */
static int group_index(struct groups *gs, const struct nh_group *x)
{
	if (posidx_grow(&gs->idx, gs->n, group_hash_at, gs) < 0)
		return -ENOMEM;
	size_t s = posidx_home(&gs->idx, group_hash(x));
	for (; gs->idx.slot[s]; s = posidx_next(&gs->idx, s))
		if (group_eq(&gs->g[gs->idx.slot[s] - 1], x))
			return (int)gs->idx.slot[s] - 1;
	if (gs->n == FIB_NONE)
		return -ENOSPC;
	gs->g[gs->n] = *x;
	gs->idx.slot[s] = (uint32_t)++gs->n;
	return (int)gs->n - 1;
}

/* Route r into fr[*nr] with its group's index: 0, -ENOSPC or -ENOMEM. */
static int add_route(struct fib_route *fr, size_t *nr, struct groups *gs,
		     const struct rib_route *r)
{
	int g = group_index(gs, &r->nh);

	if (g < 0)
		return g;
	fr[(*nr)++] = (struct fib_route){ r->prefix, (uint16_t)g };
	return 0;
}

struct fwd *rib_build(const struct rib *rib, int *rc)
{
	size_t total = rib->n + rib->n_ls, max_g = total < FIB_NONE ? total : FIB_NONE;
	struct fib_route *fr = malloc((total ? total : 1) * sizeof(*fr));
	struct groups gs = { .g = malloc((max_g ? max_g : 1) * sizeof(*gs.g)) };
	struct fwd *f = NULL;
	size_t nr = 0;

	*rc = fr && gs.g ? 0 : -ENOMEM;
	for (size_t i = 0; i < rib->n && !*rc; i++)
		*rc = add_route(fr, &nr, &gs, &rib->r[i]);
	for (size_t i = 0; i < rib->n_ls && !*rc; i++) /* a static route for it wins */
		if (!rib->idx.slot || !rib->idx.slot[slot_of(rib, &rib->ls[i].prefix)])
			*rc = add_route(fr, &nr, &gs, &rib->ls[i]);
	if (!*rc) {
		struct fib *fib = fib_build(fr, nr);
		f = fib ? fwd_new(fib, gs.g, (unsigned)gs.n) : NULL;
		*rc = f ? 0 : -ENOMEM;
	}
	free(fr);
	free(gs.g);
	posidx_free(&gs.idx);
	return f;
}

int rib_publish(const struct rib *rib, struct dp *dp)
{
	int rc;
	struct fwd *f = rib_build(rib, &rc), *old;

	if (!f)
		return rc;
	old = atomic_exchange(&dp->fwd, f);
	if (old) {
		ctl_grace_period(dp);
		fwd_free(old);
	}
	return 0;
}
