/*
 * The LSDB at scale (issue 11) against reference models on random input: its index by origin
 * through thousands of installs and expiries (linear probing's deletion moves entries), and
 * SPF's route costs against a plain O(N^2) Dijkstra with the two-way check, on random graphs
 * with one-way links, ties and unreachable parts.
 */
#include "lsr_fixture.h"

static struct node n;
static uint64_t seed = 11;

static void put(const struct nls_lsa *lsa, uint64_t now)
{
	uint8_t b[LSR_LSA_MAX];
	int len = nls_lsa_encode(b, sizeof(b), lsa);

	CHECK(len > 0);
	CHECK(lsdb_install(&n.lsr, lsa, b, (uint16_t)len, now) != NULL);
}

/* 4000 origins in, a random half expired by age, 2000 more in: every lookup agrees with a
 * plain list of what should be there, and n_db with its length. */
static void index_against_a_list(void)
{
	static uint64_t origins[6000];
	static bool alive[6000];
	unsigned n_alive = 1; /* our own LSA */

	fixture_node(&n, 0);
	for (unsigned i = 0; i < 6000; i++) {
		origins[i] = rnd(&seed) | 1;
		/* the first 4000 installed at t=0, the rest at t=200 s: MaxAge is 90 s */
		if (i == 4000) {
			for (unsigned k = 0; k < n.lsr.n_db; k++) /* keep a random half young */
				if (n.lsr.db[k]->lsa.origin != n.lsr.rid && rnd(&seed) % 2)
					n.lsr.db[k]->installed_ms = 200000;
			for (unsigned k = 0; k < 4000; k++)
				alive[k] = lsdb_find(&n.lsr, origins[k])->installed_ms == 200000;
			lsdb_tick(&n.lsr, 200000);
			n_alive = 1;
			for (unsigned k = 0; k < 4000; k++)
				n_alive += alive[k];
		}
		put(&(struct nls_lsa){ .origin = origins[i], .seq = 1 }, i < 4000 ? 0 : 200000);
		alive[i] = true;
		n_alive++;
	}
	CHECK_EQ(n.lsr.n_db, n_alive);
	for (unsigned i = 0; i < 6000; i++) {
		const struct lsdb_entry *e = lsdb_find(&n.lsr, origins[i]);
		CHECK_EQ(e != NULL, alive[i]);
		CHECK(!e || e->lsa.origin == origins[i]);
	}
	CHECK(lsdb_find(&n.lsr, n.lsr.rid) != NULL);
	CHECK(lsdb_find(&n.lsr, 2) == NULL); /* even: never installed */
	lsdb_free(&n.lsr);
}

#define NODES 300

static struct nls_lsa g[NODES];

static uint64_t rid_of(unsigned i)
{
	return i ? 0x2000 + i : n.lsr.rid; /* 0 is us */
}

/* The reference: links count only when both ends list each other. */
static void reference(unsigned nn, uint32_t *dist)
{
	bool done[NODES] = { 0 };

	for (unsigned i = 0; i < nn; i++)
		dist[i] = i ? UINT32_MAX : 0;
	for (;;) {
		int u = -1;
		for (unsigned i = 0; i < nn; i++)
			if (!done[i] && dist[i] != UINT32_MAX && (u < 0 || dist[i] < dist[u]))
				u = (int)i;
		if (u < 0)
			return;
		done[u] = true;
		for (unsigned k = 0; k < g[u].n_links; k++) {
			unsigned v = (unsigned)(g[u].links[k].nbr == n.lsr.rid ? 0 :
						g[u].links[k].nbr - 0x2000);
			bool back = false;
			for (unsigned j = 0; j < g[v].n_links; j++)
				back |= g[v].links[j].nbr == rid_of((unsigned)u);
			if (back && dist[u] + g[u].links[k].metric < dist[v])
				dist[v] = dist[u] + g[u].links[k].metric;
		}
	}
}

/* 40 random graphs of 2 to 300 routers: each reachable router's prefix gets a route whose
 * cost is the reference's distance; the unreachable ones get none. */
static void spf_against_reference(void)
{
	uint32_t dist[NODES];

	for (int round = 0; round < 40; round++) {
		unsigned nn = 2 + (unsigned)(rnd(&seed) % (NODES - 1)), deg = 1 + (unsigned)(rnd(&seed) % 4);
		fixture_node(&n, 0);
		memset(g, 0, sizeof(g));
		for (unsigned i = 0; i < nn; i++) {
			g[i] = (struct nls_lsa){ .origin = rid_of(i), .seq = 1, .n_prefixes = 1 };
			uint8_t a[3] = { 0x70, (uint8_t)(i >> 8), (uint8_t)i };
			nip_addr_set(&g[i].prefixes[0].addr, a, 3);
			g[i].prefixes[0].plen = 24;
		}
		for (unsigned i = 0; i < nn; i++) /* random links; most both ways, some one way */
			for (unsigned k = 0; k < deg && g[i].n_links < NLS_MAX_LINKS - 1; k++) {
				unsigned j = (unsigned)(rnd(&seed) % nn);
				uint16_t m = (uint16_t)(1 + rnd(&seed) % 4); /* small: many ties */
				if (j == i || !i || !j || g[j].n_links >= NLS_MAX_LINKS - 1)
					continue; /* our own links are the neighbour table's */
				g[i].links[g[i].n_links].nbr = rid_of(j);
				g[i].links[g[i].n_links++].metric = m;
				if (rnd(&seed) % 8) {
					g[j].links[g[j].n_links].nbr = rid_of(i);
					g[j].links[g[j].n_links++].metric = m;
				}
			}
		/* our first hop: link 0 to router 1, up both ways */
		n.lsr.nbr[0] = (struct lsr_nbr){ .state = NBR_TWOWAY, .rid = rid_of(1), .mtu = 1500 };
		g[0].links[g[0].n_links].nbr = rid_of(1), g[0].links[g[0].n_links++].metric = 10;
		g[1].links[g[1].n_links].nbr = rid_of(0), g[1].links[g[1].n_links++].metric = 10;
		g[0].prefixes[0] = (struct nip_prefix){ .addr = n.cfg.addrs[0], .plen = 8 };
		for (unsigned i = 0; i < nn; i++)
			put(&g[i], 0);
		unsigned routes = spf_compute(&n.lsr);
		reference(nn, dist);
		unsigned want = 0;
		for (unsigned i = 1; i < nn; i++)
			want += dist[i] != UINT32_MAX;
		CHECK_EQ(routes, want);
		for (size_t r = 0; r < n.rib.n; r++) {
			const struct nip_prefix *p = &n.rib.r[r].prefix;
			unsigned i = (unsigned)p->addr.b[1] << 8 | p->addr.b[2];
			CHECK(i < nn && dist[i] != UINT32_MAX);
			CHECK_EQ(n.rib.r[r].cost, dist[i]);
		}
		spf_free(&n.lsr);
		lsdb_free(&n.lsr);
		rib_free(&n.rib);
		ring_free(&n.dp.from_ctl); /* the fixture's, made again next round */
	}
}

RUN_TESTS(T(index_against_a_list), T(spf_against_reference))
