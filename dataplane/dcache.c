/* Rotating Bloom filters of packet digests per address pair (docs/spec.md §6.5). */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/bytes.h"
#include "dcache.h"
#include "hash.h"

int dcache_init(struct dcache *c, uint64_t pps)
{
	uint64_t bits = 1024;

	memset(c, 0, sizeof(*c));
	while (bits < pps * DCACHE_BITS_PER_PKT && bits < (1ull << 36))
		bits <<= 1;
	c->mask = bits - 1;
	c->bits[0] = calloc(bits / 64, sizeof(uint64_t));
	c->bits[1] = calloc(bits / 64, sizeof(uint64_t));
	if (!c->bits[0] || !c->bits[1]) {
		dcache_free(c);
		return -1;
	}
	return 0;
}

void dcache_free(struct dcache *c)
{
	free(c->bits[0]);
	free(c->bits[1]);
	c->bits[0] = c->bits[1] = NULL;
}

size_t dcache_bytes(const struct dcache *c)
{
	return c->bits[0] ? 2 * (size_t)((c->mask + 1) / 8) : 0;
}

uint32_t dcache_pair_hash(const uint8_t *src, uint8_t slen, const uint8_t *dst, uint8_t dlen)
{
	uint32_t h = fnv1a32(FNV32_BASIS ^ slen, src, slen);

	h = fnv1a32(h, &dlen, 1);
	h = fnv1a32(h, dst, dlen);
	return h ^ (h >> 15);
}

/* Bit i of K: a digest word (already uniform) mixed with the pair. */
static inline uint64_t bit_index(const struct dcache *c, const uint8_t d[16], uint32_t pair,
				 unsigned i)
{
	uint64_t w = (uint64_t)get32(d + 4 * i) << 32 | get32(d + ((4 * i + 4) & 15));

	return (w ^ ((uint64_t)pair * (0x9e3779b97f4a7c15ull + 2 * i))) & c->mask;
}

void dcache_insert(struct dcache *c, const uint8_t digest[16], uint32_t pair, uint64_t now_ns)
{
	unsigned cur = atomic_load_explicit(&c->cur, memory_order_relaxed);
	uint64_t start = atomic_load_explicit(&c->gen_start, memory_order_relaxed);

	if (now_ns - start >= DCACHE_GEN_NS) { /* a new generation: clear the older one */
		cur ^= 1;
		memset(c->bits[cur], 0, (size_t)((c->mask + 1) / 8));
		atomic_store_explicit(&c->cur, cur, memory_order_release);
		atomic_store_explicit(&c->gen_start, now_ns, memory_order_release);
	}
	uint64_t *b = c->bits[cur];
	for (unsigned i = 0; i < DCACHE_K; i++) {
		uint64_t x = bit_index(c, digest, pair, i);
		__atomic_store_n(&b[x >> 6], b[x >> 6] | 1ull << (x & 63), __ATOMIC_RELAXED);
	}
	c->inserts++;
}

static bool in_gen(const struct dcache *c, unsigned g, const uint8_t d[16], uint32_t pair)
{
	for (unsigned i = 0; i < DCACHE_K; i++) {
		uint64_t x = bit_index(c, d, pair, i);
		if (!(__atomic_load_n(&c->bits[g][x >> 6], __ATOMIC_RELAXED) & 1ull << (x & 63)))
			return false;
	}
	return true;
}

bool dcache_lookup(const struct dcache *c, const uint8_t digest[16], uint32_t pair,
		   uint64_t now_ns)
{
	unsigned cur = atomic_load_explicit(&c->cur, memory_order_acquire);
	uint64_t start = atomic_load_explicit(&c->gen_start, memory_order_acquire);
	uint64_t age = now_ns > start ? now_ns - start : 0; /* the writer's clock may be ahead */

	if (!c->bits[0] || age >= 2 * DCACHE_GEN_NS)
		return false;
	if (in_gen(c, cur, digest, pair))
		return true;
	return age < DCACHE_GEN_NS && in_gen(c, cur ^ 1, digest, pair);
}
