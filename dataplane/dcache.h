/*
 * The digest cache of a first-hop router (docs/spec.md §6.5): which packets its hosts sent in
 * the last one to two seconds, as two rotating Bloom filters keyed by the packet digest and the
 * (source, destination) pair. One writer (the data plane), lock-free readers (the control
 * plane's shut-off verification): a reader may miss an entry being cleared, never crash.
 */
#ifndef NEWIP_DCACHE_H
#define NEWIP_DCACHE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DCACHE_GEN_NS 1000000000ull /* one generation */
#define DCACHE_BITS_PER_PKT 16
#define DCACHE_K 4

struct dcache {
	uint64_t *bits[2];
	uint64_t mask;		    /* bits per generation − 1 (a power of two) */
	_Atomic unsigned cur;	    /* the generation being written */
	_Atomic uint64_t gen_start; /* when it began (ns, CLOCK_MONOTONIC) */
	uint64_t inserts;
};

/* Size for pps packets per second. Returns 0 or -1 (out of memory). */
int dcache_init(struct dcache *c, uint64_t pps);
void dcache_free(struct dcache *c);
size_t dcache_bytes(const struct dcache *c);

/* The pair hash folded into the indices: FNV-1a over both addresses. */
uint32_t dcache_pair_hash(const uint8_t *src, uint8_t slen, const uint8_t *dst, uint8_t dlen);

void dcache_insert(struct dcache *c, const uint8_t digest[16], uint32_t pair, uint64_t now_ns);
/* Was this digest seen for this pair in the window ending now? */
bool dcache_lookup(const struct dcache *c, const uint8_t digest[16], uint32_t pair,
		   uint64_t now_ns);

#endif
