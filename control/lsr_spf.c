/*
 * Shortest paths over the LSDB (Dijkstra with a binary heap) with equal-cost multipath, into
 * the RIB. O((N + E) log N): neighbours are found through the LSDB's index, and the arrays are
 * kept between runs, grown only when the LSDB grows.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lsr.h"
#include "node.h"

#define INF UINT32_MAX

struct cand {
	struct nip_prefix p;
	uint32_t cost, mask, lat;
	uint8_t hops;
};

/* Per node: metric distance, first-hop links, and the latency and hops of its path (§9). */
struct spf_work {
	unsigned cap, heap_cap, cand_cap;
	uint32_t *dist, *mask, *lat;
	uint8_t *hops, *done;
	uint64_t *heap; /* dist << 32 | node: a min-heap, with stale entries skipped */
	unsigned n_heap;
	struct cand *c;
};

/* Does LSA e list a link to rid? (The two-way check: a link counts only in both directions.) */
static bool lists(const struct lsdb_entry *e, uint64_t rid)
{
	for (unsigned i = 0; i < e->lsa.n_links; i++)
		if (e->lsa.links[i].nbr == rid)
			return true;
	return false;
}

static struct nh_group group_of(uint32_t mask)
{
	struct nh_group g = { 0 };

	for (uint16_t i = 0; i < 32 && g.n < NH_MAX_PATHS; i++)
		if (mask & (1u << i))
			g.link[g.n++] = i;
	return g;
}

static void *grow_to(void *p, size_t n, size_t size, bool *ok)
{
	void *q = realloc(p, n * size);

	*ok &= q != NULL;
	return q ? q : p;
}

/* Arrays for n nodes, e links and c prefixes; false when out of memory. */
static bool reserve(struct lsr *l, unsigned n, unsigned e, unsigned c)
{
	struct spf_work *s = l->spf;
	bool ok = true;

	if (!s && !(s = l->spf = calloc(1, sizeof(*s))))
		return false;
	if (n > s->cap) {
		s->dist = grow_to(s->dist, n, sizeof(*s->dist), &ok);
		s->mask = grow_to(s->mask, n, sizeof(*s->mask), &ok);
		s->lat = grow_to(s->lat, n, sizeof(*s->lat), &ok);
		s->hops = grow_to(s->hops, n, sizeof(*s->hops), &ok);
		s->done = grow_to(s->done, n, sizeof(*s->done), &ok);
		if (ok)
			s->cap = n;
	}
	if (n + e > s->heap_cap) {
		s->heap = grow_to(s->heap, n + e, sizeof(*s->heap), &ok);
		if (ok)
			s->heap_cap = n + e;
	}
	if (c > s->cand_cap) {
		s->c = grow_to(s->c, c, sizeof(*s->c), &ok);
		if (ok)
			s->cand_cap = c;
	}
	return ok;
}

void spf_free(struct lsr *l)
{
	struct spf_work *s = l->spf;

	if (!s)
		return;
	free(s->dist), free(s->mask), free(s->lat), free(s->hops), free(s->done);
	free(s->heap), free(s->c), free(s);
	l->spf = NULL;
}

static void heap_push(struct spf_work *s, uint32_t d, unsigned v)
{
	unsigned i = s->n_heap++;
	uint64_t x = (uint64_t)d << 32 | v;

	for (; i && s->heap[(i - 1) / 2] > x; i = (i - 1) / 2)
		s->heap[i] = s->heap[(i - 1) / 2];
	s->heap[i] = x;
}

static uint64_t heap_pop(struct spf_work *s)
{
	uint64_t top = s->heap[0], x = s->heap[--s->n_heap];
	unsigned i = 0, n = s->n_heap;

	for (unsigned c; (c = 2 * i + 1) < n; i = c) {
		if (c + 1 < n && s->heap[c + 1] < s->heap[c])
			c++;
		if (s->heap[c] >= x)
			break;
		s->heap[i] = s->heap[c];
	}
	if (n)
		s->heap[i] = x;
	return top;
}

/* Reach v from u over a link of metric m and latency lat: shorter, or an equal-cost path. */
static void relax(struct spf_work *s, int u, unsigned v, uint32_t m, uint32_t lat,
		  uint32_t first_mask)
{
	uint32_t d = (u < 0 ? 0 : s->dist[u]) + m, pl = (u < 0 ? 0 : s->lat[u]) + lat;
	uint8_t h = (uint8_t)((u < 0 ? 0 : s->hops[u]) + 1);

	if (d < s->dist[v]) {
		s->dist[v] = d, s->mask[v] = first_mask, s->lat[v] = pl, s->hops[v] = h;
		heap_push(s, d, v);
	} else if (d == s->dist[v]) {
		s->mask[v] |= first_mask;
		if (pl < s->lat[v])
			s->lat[v] = pl, s->hops[v] = h;
	}
}

static int cand_cmp(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;
	int c = x->p.addr.len - y->p.addr.len;

	if (!c)
		c = (int)x->p.plen - (int)y->p.plen;
	if (!c)
		c = memcmp(x->p.addr.b, y->p.addr.b, x->p.addr.len);
	return c ? c : x->cost < y->cost ? -1 : x->cost > y->cost;
}

/* One route per prefix: the cheapest origin; equal costs merge their first hops and keep the
 * lowest path latency. Candidates sorted by prefix, then cost. */
static unsigned install_routes(struct lsr *l, int self)
{
	struct spf_work *s = l->spf;
	struct node *n = l->node;
	unsigned nc = 0, routes = 0;

	for (unsigned i = 0; i < l->n_db; i++) {
		if ((int)i == self || s->dist[i] == INF || !s->mask[i])
			continue;
		const struct nls_lsa *a = &l->db[i]->lsa;
		for (unsigned k = 0; k < a->n_prefixes; k++)
			if (!dp_is_local(&n->dp, a->prefixes[k].addr.b, a->prefixes[k].addr.len))
				s->c[nc++] = (struct cand){ a->prefixes[k], s->dist[i], s->mask[i],
							    s->lat[i], s->hops[i] };
	}
	qsort(s->c, nc, sizeof(*s->c), cand_cmp);
	rib_clear_ls(&n->rib);
	for (unsigned i = 0, j; i < nc; i = j) {
		struct cand best = s->c[i];
		for (j = i + 1; j < nc && nip_prefix_eq(&s->c[j].p, &best.p); j++)
			if (s->c[j].cost == best.cost) {
				best.mask |= s->c[j].mask;
				if (s->c[j].lat < best.lat)
					best.lat = s->c[j].lat, best.hops = s->c[j].hops;
			}
		struct nh_group g = group_of(best.mask);
		g.lat_us = best.lat;
		g.hops = best.hops;
		rib_add_ls(&n->rib, &best.p, &g, best.cost);
		routes++;
	}
	return routes;
}

unsigned spf_compute(struct lsr *l)
{
	int self = lsdb_index(l, l->rid);
	unsigned links = 0, prefixes = 0;
	struct spf_work *s;

	if (self < 0)
		return 0;
	for (unsigned i = 0; i < l->n_db; i++)
		links += l->db[i]->lsa.n_links, prefixes += l->db[i]->lsa.n_prefixes;
	if (!reserve(l, l->n_db, links + 32, prefixes))
		return 0; /* out of memory: the routes stay as they were */
	s = l->spf;
	s->n_heap = 0;
	for (unsigned i = 0; i < l->n_db; i++)
		s->dist[i] = INF, s->mask[i] = 0, s->lat[i] = INF, s->hops[i] = 0, s->done[i] = 0;
	/* First hops: our own two-way links, each to a neighbour whose LSA lists us back. */
	s->dist[self] = 0;
	s->done[self] = 1;
	for (uint16_t k = 0; k < l->node->dp.n_links && k < 32; k++) {
		int v = l->nbr[k].state == NBR_TWOWAY ? lsdb_index(l, l->nbr[k].rid) : -1;
		if (v >= 0 && lists(l->db[v], l->rid))
			relax(s, -1, (unsigned)v, l->metric[k], nbr_latency(l, k), 1u << k);
	}
	while (s->n_heap) {
		uint64_t top = heap_pop(s);
		unsigned u = (unsigned)top;
		if (s->done[u] || (uint32_t)(top >> 32) != s->dist[u])
			continue; /* stale: u was reached cheaper since */
		s->done[u] = 1;
		const struct lsdb_entry *e = l->db[u];
		for (unsigned k = 0; k < e->lsa.n_links; k++) {
			int v = lsdb_index(l, e->lsa.links[k].nbr);
			if (v >= 0 && !s->done[v] && lists(l->db[v], e->lsa.origin))
				relax(s, (int)u, (unsigned)v, e->lsa.links[k].metric,
				      e->lsa.links[k].latency_us, s->mask[u]);
		}
	}
	return install_routes(l, self);
}

void spf_run(struct lsr *l)
{
	struct timespec t0, t1;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (lsdb_index(l, l->rid) < 0)
		return;
	spf_compute(l);
	rib_publish(&l->node->rib, &l->node->dp);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	l->st.spf_runs++;
	l->last_spf_us = (uint64_t)((t1.tv_sec - t0.tv_sec) * 1000000 + (t1.tv_nsec - t0.tv_nsec) / 1000);
}
