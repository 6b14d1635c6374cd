/* The guard's lookups: open-addressed indexes over the published snapshot, and the victim's
 * per-source table (docs/spec.md §6.5, §11). */
#include <string.h>

#include "dcache.h"
#include "guard.h"
#include "hash.h"
#include "seqlock.h"

uint32_t guard_addr_hash(const uint8_t *a, uint8_t len)
{
	uint32_t h = fnv1a32(FNV32_BASIS ^ len, a, len);

	return h ^ (h >> 16);
}

static inline uint32_t key_hash(uint32_t k)
{
	k *= 0x9e3779b1u;
	return k ^ (k >> 16);
}

static void put(uint16_t *idx, uint32_t h, uint16_t v)
{
	for (uint32_t i = 0; i < GUARD_HASH; i++)
		if (!idx[(h + i) & (GUARD_HASH - 1)]) {
			idx[(h + i) & (GUARD_HASH - 1)] = v;
			return;
		}
}

void guard_index(struct guard *g)
{
	memset(g->by_key, 0, sizeof(g->by_key));
	memset(g->by_addr, 0, sizeof(g->by_addr));
	memset(g->by_pair, 0, sizeof(g->by_pair));
	for (uint16_t i = 0; i < g->n_sess; i++) {
		const struct sav_sess *s = &g->sess[i];
		put(g->by_key, key_hash(s->key_id), (uint16_t)(i + 1));
		put(g->by_addr, guard_addr_hash(s->addr.b, s->addr.len), (uint16_t)(i + 1));
	}
	for (uint16_t i = 0; i < g->n_filt; i++) {
		const struct so_filter *f = &g->filt[i];
		put(g->by_pair, dcache_pair_hash(f->src.b, f->src.len, f->dst.b, f->dst.len),
		    (uint16_t)(i + 1));
	}
}

const struct sav_sess *guard_sess_by_key(const struct guard *g, uint32_t key_id)
{
	uint32_t h = key_hash(key_id);

	for (uint32_t i = 0; i < GUARD_HASH; i++) {
		uint16_t v = g->by_key[(h + i) & (GUARD_HASH - 1)];
		if (!v)
			return NULL;
		if (g->sess[v - 1].key_id == key_id)
			return &g->sess[v - 1];
	}
	return NULL;
}

const struct sav_sess *guard_sess_by_addr(const struct guard *g, const uint8_t *a, uint8_t len)
{
	uint32_t h = guard_addr_hash(a, len);

	for (uint32_t i = 0; i < GUARD_HASH; i++) {
		uint16_t v = g->by_addr[(h + i) & (GUARD_HASH - 1)];
		if (!v)
			return NULL;
		const struct nip_addr *x = &g->sess[v - 1].addr;
		if (x->len == len && !memcmp(x->b, a, len))
			return &g->sess[v - 1];
	}
	return NULL;
}

const struct so_filter *guard_filter(const struct guard *g, const uint8_t *src, uint8_t slen,
				     const uint8_t *dst, uint8_t dlen)
{
	uint32_t h = dcache_pair_hash(src, slen, dst, dlen);

	for (uint32_t i = 0; i < GUARD_HASH; i++) {
		uint16_t v = g->by_pair[(h + i) & (GUARD_HASH - 1)];
		if (!v)
			return NULL;
		const struct so_filter *f = &g->filt[v - 1];
		if (f->src.len == slen && f->dst.len == dlen && !memcmp(f->src.b, src, slen) &&
		    !memcmp(f->dst.b, dst, dlen))
			return f;
	}
	return NULL;
}

bool recent_get(const struct guard_state *gs, const struct nip_addr *src, struct nip_addr *dst,
		uint8_t digest[16], uint64_t *when_ns)
{
	const struct recent_ent *e = &gs->recent[guard_addr_hash(src->b, src->len) % RECENT_SLOTS];

	for (int tries = 0; tries < 100; tries++) {
		uint32_t s0 = seq_read_begin(&e->seq);
		bool same = e->src.len == src->len && !memcmp(e->src.b, src->b, src->len);
		memcpy(digest, e->digest, 16);
		*dst = e->dst;
		*when_ns = e->when_ns;
		if (seq_read_ok(&e->seq, s0))
			return same && *when_ns;
	}
	return false;
}
