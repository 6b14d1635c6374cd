/* Stride-8 multibit trie over routing keys: built once by the control plane, read-only after. */
#include <stdlib.h>
#include <string.h>

#include "fib.h"

struct fib_node {
	uint32_t child[256];   /* node index, 0 = none (the root is never a child) */
	uint16_t nh[256];      /* best next hop whose prefix ends in this octet */
	uint16_t keylen[256];  /* that prefix's routing-key length in bits, to expand correctly */
};

struct fib {
	uint16_t dflt;
	uint32_t n_nodes, cap;
	struct fib_node *nodes;
};

#define NODE_FAIL UINT32_MAX

static uint32_t node_new(struct fib *f)
{
	if (f->n_nodes == f->cap) {
		uint32_t cap = f->cap ? 2 * f->cap : 16;
		struct fib_node *n = realloc(f->nodes, cap * sizeof(*n));
		if (!n)
			return NODE_FAIL;
		f->nodes = n;
		f->cap = cap;
	}
	struct fib_node *n = &f->nodes[f->n_nodes];
	memset(n->child, 0, sizeof(n->child));
	memset(n->nh, 0xff, sizeof(n->nh));
	memset(n->keylen, 0, sizeof(n->keylen));
	return f->n_nodes++;
}

static inline uint8_t key_octet(const uint8_t *addr, uint8_t len, unsigned i)
{
	return i == 0 ? len : addr[i - 1];
}

static int insert(struct fib *f, const struct fib_route *r)
{
	const struct nip_prefix *p = &r->prefix;
	unsigned bits = p->addr.len ? 8u + p->plen : 0, depth, node = 0;

	if (bits == 0) {
		f->dflt = r->nh;
		return 0;
	}
	depth = (bits - 1) / 8;
	for (unsigned i = 0; i < depth; i++) {
		uint8_t o = key_octet(p->addr.b, p->addr.len, i);
		if (!f->nodes[node].child[o]) {
			uint32_t c = node_new(f); /* may move f->nodes */
			if (c == NODE_FAIL)
				return -1;
			f->nodes[node].child[o] = c;
		}
		node = f->nodes[node].child[o];
	}
	unsigned fixed = bits - 8 * depth; /* 1..8 bits of this octet belong to the prefix */
	uint8_t o = key_octet(p->addr.b, p->addr.len, depth) & (uint8_t)(0xff << (8 - fixed));
	struct fib_node *n = &f->nodes[node];
	for (unsigned e = o; e < o + (1u << (8 - fixed)); e++) {
		if (n->keylen[e] <= bits) {
			n->nh[e] = r->nh;
			n->keylen[e] = (uint16_t)bits;
		}
	}
	return 0;
}

struct fib *fib_build(const struct fib_route *routes, size_t n)
{
	struct fib *f = calloc(1, sizeof(*f));

	if (!f)
		return NULL;
	f->dflt = FIB_NONE;
	if (node_new(f) == NODE_FAIL) /* the root, index 0 */
		goto fail;
	for (size_t i = 0; i < n; i++)
		if (insert(f, &routes[i]) < 0)
			goto fail;
	return f;
fail:
	fib_free(f);
	return NULL;
}

void fib_free(struct fib *f)
{
	if (!f)
		return;
	free(f->nodes);
	free(f);
}

size_t fib_memory(const struct fib *f)
{
	return sizeof(*f) + (size_t)f->cap * sizeof(struct fib_node);
}

uint16_t fib_lookup(const struct fib *f, const uint8_t *addr, uint8_t len)
{
	const struct fib_node *n = &f->nodes[0];
	uint16_t best = f->dflt;

	for (unsigned i = 0; i <= len; i++) {
		uint8_t o = key_octet(addr, len, i);
		if (n->nh[o] != FIB_NONE)
			best = n->nh[o];
		if (!n->child[o])
			break;
		n = &f->nodes[n->child[o]];
	}
	return best;
}
