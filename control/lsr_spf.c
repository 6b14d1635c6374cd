/* Shortest paths over the LSDB (Dijkstra) with equal-cost multipath, into the RIB. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lsr.h"
#include "node.h"

#define INF UINT32_MAX

/* Does LSA e list a link to rid? (The two-way check: a link counts only in both directions.) */
static bool lists(const struct lsdb_entry *e, uint64_t rid)
{
	for (unsigned i = 0; i < e->lsa.n_links; i++)
		if (e->lsa.links[i].nbr == rid)
			return true;
	return false;
}

static int index_of(const struct lsr *l, uint64_t rid)
{
	for (unsigned i = 0; i < l->n_db; i++)
		if (l->db[i]->lsa.origin == rid)
			return (int)i;
	return -1;
}

static struct nh_group group_of(uint32_t mask)
{
	struct nh_group g = { 0 };

	for (uint16_t i = 0; i < 32 && g.n < NH_MAX_PATHS; i++)
		if (mask & (1u << i))
			g.link[g.n++] = i;
	return g;
}

/* Per node: metric distance, first-hop links, and the latency and hops of its path (§9). */
struct spf {
	uint32_t dist[LSR_MAX_NODES], mask[LSR_MAX_NODES], lat[LSR_MAX_NODES];
	uint8_t hops[LSR_MAX_NODES];
};

struct cand {
	struct nip_prefix p;
	uint32_t cost, mask, lat;
	uint8_t hops;
};

/* One route per prefix: the cheapest origin; equal costs merge their first hops and keep the
 * lowest path latency. */
static void add_cand(struct cand *c, unsigned *n, unsigned max, const struct cand *x)
{
	for (unsigned i = 0; i < *n; i++) {
		if (!nip_prefix_eq(&c[i].p, &x->p))
			continue;
		if (x->cost < c[i].cost) {
			c[i] = *x;
		} else if (x->cost == c[i].cost) {
			c[i].mask |= x->mask;
			if (x->lat < c[i].lat)
				c[i].lat = x->lat, c[i].hops = x->hops;
		}
		return;
	}
	if (*n < max)
		c[(*n)++] = *x;
}

/* Reach v from u over a link of metric m and latency lat: shorter, or an equal-cost path. */
static void relax(struct spf *s, int u, int v, uint32_t m, uint32_t lat, uint32_t first_mask)
{
	uint32_t d = (u < 0 ? 0 : s->dist[u]) + m, pl = (u < 0 ? 0 : s->lat[u]) + lat;
	uint8_t h = (uint8_t)((u < 0 ? 0 : s->hops[u]) + 1);

	if (d < s->dist[v]) {
		s->dist[v] = d, s->mask[v] = first_mask, s->lat[v] = pl, s->hops[v] = h;
	} else if (d == s->dist[v]) {
		s->mask[v] |= first_mask;
		if (pl < s->lat[v])
			s->lat[v] = pl, s->hops[v] = h;
	}
}

static void install_routes(struct lsr *l, const struct spf *s, int self)
{
	struct node *n = l->node;
	unsigned max = LSR_MAX_NODES * NLS_MAX_PREFIXES, nc = 0;
	struct cand *c = malloc(max * sizeof(*c));

	if (!c)
		return;
	for (unsigned i = 0; i < l->n_db; i++) {
		if ((int)i == self || s->dist[i] == INF || !s->mask[i])
			continue;
		const struct nls_lsa *a = &l->db[i]->lsa;
		for (unsigned k = 0; k < a->n_prefixes; k++)
			if (!dp_is_local(&n->dp, a->prefixes[k].addr.b, a->prefixes[k].addr.len))
				add_cand(c, &nc, max, &(struct cand){ a->prefixes[k], s->dist[i],
								     s->mask[i], s->lat[i],
								     s->hops[i] });
	}
	rib_clear_ls(&n->rib);
	for (unsigned i = 0; i < nc; i++) {
		struct nh_group g = group_of(c[i].mask);
		g.lat_us = c[i].lat;
		g.hops = c[i].hops;
		rib_add_ls(&n->rib, &c[i].p, &g, c[i].cost);
	}
	free(c);
	rib_publish(&n->rib, &n->dp);
}

void spf_run(struct lsr *l)
{
	static struct spf s; /* the control thread's alone */
	bool done[LSR_MAX_NODES] = { 0 };
	struct timespec t0, t1;
	int self = index_of(l, l->rid);

	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (self < 0)
		return;
	for (unsigned i = 0; i < l->n_db; i++)
		s.dist[i] = INF, s.mask[i] = 0, s.lat[i] = INF, s.hops[i] = 0;
	/* First hops: our own two-way links, each to a neighbour whose LSA lists us back. */
	s.dist[self] = 0;
	done[self] = true;
	for (uint16_t k = 0; k < l->node->dp.n_links && k < 32; k++) {
		int v = l->nbr[k].state == NBR_TWOWAY ? index_of(l, l->nbr[k].rid) : -1;
		if (v >= 0 && lists(l->db[v], l->rid))
			relax(&s, -1, v, l->metric[k], nbr_latency(l, k), 1u << k);
	}
	for (;;) {
		int u = -1;
		for (unsigned i = 0; i < l->n_db; i++)
			if (!done[i] && s.dist[i] != INF && (u < 0 || s.dist[i] < s.dist[u]))
				u = (int)i;
		if (u < 0)
			break;
		done[u] = true;
		const struct lsdb_entry *e = l->db[u];
		for (unsigned k = 0; k < e->lsa.n_links; k++) {
			int v = index_of(l, e->lsa.links[k].nbr);
			if (v >= 0 && !done[v] && lists(l->db[v], e->lsa.origin))
				relax(&s, u, v, e->lsa.links[k].metric, e->lsa.links[k].latency_us,
				      s.mask[u]);
		}
	}
	install_routes(l, &s, self);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	l->st.spf_runs++;
	l->last_spf_us = (uint64_t)((t1.tv_sec - t0.tv_sec) * 1000000 + (t1.tv_nsec - t0.tv_nsec) / 1000);
}
