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
 * data plane by one pointer swap; lookups never write. A stride-8 multibit trie: one step per
 * key octet (the length octet, then the address octets), prefixes expanded within a node.
 */
struct fib;

struct fib *fib_build(const struct fib_route *routes, size_t n); /* NULL: out of memory */
void fib_free(struct fib *f);
size_t fib_memory(const struct fib *f);

/* Next hop for an address, or FIB_NONE. */
uint16_t fib_lookup(const struct fib *f, const uint8_t *addr, uint8_t len);

#endif
