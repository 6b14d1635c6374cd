/* Forwarding table: longest-prefix match on routing keys (docs/spec.md §4.2). */
#ifndef NEWIP_FIB_H
#define NEWIP_FIB_H

#include <stddef.h>
#include <stdint.h>

#include "newip/addr.h"

#define FIB_NONE 0xffff

struct fib_route {
	struct nip_prefix prefix;
	uint16_t nh; /* next-hop index (the control plane's numbering), < FIB_NONE */
};

/*
 * An immutable table built by the control plane from a route list, then published to the
 * data plane by one pointer swap; lookups never write. A poptrie (Asai and Ohara, SIGCOMM
 * 2015) per address length: the length octet of the routing key picks the tree, a direct
 * table indexed by the address's first bits (6 to 18 of them, by how many routes the length
 * has) leads to 64-way nodes whose children and leaves are found by popcount, and runs of
 * equal leaves are stored once. A lookup reads a few cache lines; memory follows the table.
 */
struct fib;

/* Routes in any order; for the same prefix twice, the later wins. NULL: out of memory. */
struct fib *fib_build(const struct fib_route *routes, size_t n);
void fib_free(struct fib *f);
size_t fib_memory(const struct fib *f);

/* Next hop for an address, or FIB_NONE. */
uint16_t fib_lookup(const struct fib *f, const uint8_t *addr, uint8_t len);

/* n lookups at once, interleaved so that their cache misses overlap (a receive burst). */
void fib_lookup_burst(const struct fib *f, const uint8_t *const *addr, const uint8_t *len,
		      unsigned n, uint16_t *nh);

#endif
