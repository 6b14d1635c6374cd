/*
 * The RIB (issue 11: it must take a full table) against a plain list on random operations:
 * static adds and deletes through its prefix index (linear probing's deletion, the last route
 * moved into a hole), link-state replacement, statics winning over link-state routes for the
 * same prefix in the built FIB, and the limit of FIB_NONE next-hop groups.
 */
#include <errno.h>

#include "../../control/rib.h"
#include "harness.h"

#define POOL 3000

static struct nip_prefix pool[POOL];
static int model_link[POOL]; /* a static route's link, -1: none */
static int model_ls[POOL];   /* a link-state route's first link, -1: none */

static bool in_pool(const struct nip_prefix *p, unsigned n)
{
	for (unsigned k = 0; k < n; k++)
		if (nip_prefix_eq(&pool[k], p))
			return true;
	return false;
}

/* POOL distinct prefixes of 1 to 4 octets: short ones overlap, so lookups meet several. */
static void make_pool(uint64_t *seed)
{
	for (unsigned i = 0; i < POOL; i++) {
		struct nip_prefix *p = &pool[i];
		do {
			memset(p, 0, sizeof(*p));
			p->addr.len = (uint8_t)(1 + rnd(seed) % 4);
			p->plen = (uint16_t)(rnd(seed) % (8u * p->addr.len + 1));
			for (unsigned b = 0; b < p->plen; b++)
				if (rnd(seed) % 2)
					p->addr.b[b / 8] |= (uint8_t)(0x80 >> (b % 8));
		} while (in_pool(p, i));
		model_link[i] = model_ls[i] = -1;
	}
}

/* The link the model routes an address to: longest prefix, a static over a link-state one. */
static int model_route(const struct nip_addr *a)
{
	int best = -1, link = -1;

	for (unsigned i = 0; i < POOL; i++) {
		int l = model_link[i] >= 0 ? model_link[i] : model_ls[i];
		if (l >= 0 && nip_prefix_match(&pool[i], a) && (int)pool[i].plen > best) {
			best = pool[i].plen;
			link = l;
		}
	}
	return link;
}

static void check_fib(const struct rib *rib, uint64_t *seed)
{
	int rc;
	struct fwd *f = rib_build(rib, &rc);

	CHECK(f);
	CHECK_EQ(rc, 0);
	for (unsigned q = 0; q < 2000; q++) {
		const struct nip_prefix *p = &pool[rnd(seed) % POOL];
		struct nip_addr a = p->addr;
		for (unsigned b = p->plen; b < 8u * a.len; b++) /* somewhere under p */
			if (rnd(seed) % 2)
				a.b[b / 8] |= (uint8_t)(0x80 >> (b % 8));
		uint16_t nh = fib_lookup(f->fib, a.b, a.len);
		int want = model_route(&a);
		CHECK_EQ(nh == FIB_NONE ? -1 : f->groups[nh].link[0], want);
	}
	fwd_free(f);
}

static void against_a_list(void)
{
	struct rib rib = {0};
	uint64_t seed = 5;

	make_pool(&seed);
	for (unsigned round = 0; round < 20; round++) {
		for (unsigned op = 0; op < 4000; op++) {
			unsigned i = (unsigned)(rnd(&seed) % POOL);
			int link = (int)(rnd(&seed) % 50);
			if (rnd(&seed) % 3) {
				int rc = rib_add(&rib, &pool[i], (uint16_t)link, ORIGIN_CLI);
				CHECK_EQ(rc, model_link[i] >= 0 ? -EEXIST : 0);
				if (!rc)
					model_link[i] = link;
			} else {
				CHECK_EQ(rib_del(&rib, &pool[i]), model_link[i] >= 0 ? 0 : -ENOENT);
				model_link[i] = -1;
			}
		}
		rib_clear_ls(&rib); /* a new SPF answer: a random third of the pool */
		for (unsigned i = 0; i < POOL; i++) {
			model_ls[i] = rnd(&seed) % 3 ? -1 : 100 + (int)(rnd(&seed) % 20);
			struct nh_group g = {.n = 1,
					     .hops = 2,
					     .link = {(uint16_t)model_ls[i]},
					     .lat_us = (uint32_t)rnd(&seed) % 4};
			if (model_ls[i] >= 0)
				CHECK_EQ(rib_add_ls(&rib, &pool[i], &g, 10), 0);
		}
		size_t n_static = 0;
		for (unsigned i = 0; i < POOL; i++)
			n_static += model_link[i] >= 0;
		CHECK_EQ(rib.n, n_static);
		check_fib(&rib, &seed);
	}
	rib_free(&rib);
}

/* Next-hop indices are 16 bits with FIB_NONE for "no route": 65,535 groups, not one more. */
static void group_limit(void)
{
	struct rib rib = {0};
	struct nip_prefix p = {.addr = {.len = 4}, .plen = 32};
	int rc;

	for (uint32_t i = 0; i < FIB_NONE; i++) {
		struct nh_group g = {.n = 1, .link = {1}, .lat_us = i}; /* each its own group */
		memcpy(p.addr.b, &i, 4);
		CHECK_EQ(rib_add_ls(&rib, &p, &g, 1), 0);
	}
	struct fwd *f = rib_build(&rib, &rc);
	CHECK(f);
	CHECK_EQ(f->n_groups, FIB_NONE);
	fwd_free(f);
	p.addr.b[3] = 0xaa, p.addr.b[2] = 0xbb, p.addr.b[1] = 0xcc, p.addr.b[0] = 0xdd;
	CHECK_EQ(rib_add_ls(&rib, &p, &(struct nh_group){.n = 1, .lat_us = 1u << 30}, 1), 0);
	CHECK(rib_build(&rib, &rc) == NULL);
	CHECK_EQ(rc, -ENOSPC);
	rib_free(&rib);
}

RUN_TESTS(T(against_a_list), T(group_limit))
