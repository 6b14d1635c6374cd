/* Poptrie over routing keys: built once by the control plane, read-only after (fib.h). */
#include <endian.h>
#include <stdlib.h>
#include <string.h>

#include "fib.h"

#define STRIDE 6		   /* a node's children: 2^6, one bit each in a 64-bit vector */
#define LEAF 0x80000000u	   /* a direct entry that holds a next hop, not a node index */
#define KEY_WORDS (NIP_ADDR_MAX / 8 + 1) /* 256 bits, and a zero word a stride may read */
#define BURST_CHUNK 32
#define LEAF_NEXT 0xffff /* a burst key whose next read is its leaf */

/* The lookup's few instructions are popcounts: ask for the instruction where there is one.
 * gcc only: clang 14 names the dispatcher `fib_lookup.ifunc`, which other files cannot link. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define FIB_HOT __attribute__((target_clones("popcnt", "default")))
#endif
#ifndef FIB_HOT
#define FIB_HOT
#endif

struct fib_node {
	uint64_t vector;  /* children that are nodes */
	uint64_t leafvec; /* children where a run of equal leaves starts */
	uint32_t base1;	  /* the first child node; the others follow in child order */
	uint32_t base0;	  /* the first leaf of the runs */
};

struct fib_tree { /* the addresses of one length */
	uint32_t *direct; /* indexed by the first `bits` bits; NULL: no route of this length */
	uint8_t bits;
};

struct fib {
	uint16_t dflt;
	struct fib_tree tree[NIP_ADDR_MAX + 1];
	struct fib_node *nodes;
	uint16_t *leaves;
	uint32_t n_nodes, cap_nodes, n_leaves, cap_leaves;
	size_t direct_bytes;
};

/* An address's bits as big-endian words, zero past its end. */
struct fib_key {
	uint64_t w[KEY_WORDS];
};

static inline void key_load(struct fib_key *k, const uint8_t *a, uint8_t len)
{
	uint64_t x;

	if (len == 4) { /* IPv4-sized and IPv6-sized keys without a variable-length copy */
		uint32_t y;
		memcpy(&y, a, 4);
		k->w[0] = (uint64_t)be32toh(y) << 32;
		k->w[1] = 0;
		return;
	}
	if (len == 16) {
		memcpy(&x, a, 8);
		k->w[0] = be64toh(x);
		memcpy(&x, a + 8, 8);
		k->w[1] = be64toh(x);
		k->w[2] = 0;
		return;
	}
	unsigned i = 0; /* the words the key fills, then the zero word a stride may read */
	for (; 8 * i < len && i < KEY_WORDS - 1; i++) {
		unsigned n = len - 8 * i < 8 ? len - 8 * i : 8;
		x = 0;
		memcpy(&x, a + 8 * i, n);
		k->w[i] = be64toh(x);
	}
	k->w[i] = 0;
}

/* A prefix's key: the bits past its length cleared, whatever the route said. */
static void key_mask(struct fib_key *k, unsigned plen)
{
	for (unsigned i = 0; i < KEY_WORDS; i++) {
		if (plen <= 64 * i)
			k->w[i] = 0;
		else if (plen < 64 * i + 64)
			k->w[i] &= ~(~0ull >> (plen - 64 * i));
	}
}

/* n (1..32) bits from bit off; off is below 256, as every node sits above a longer prefix. */
static inline unsigned key_bits(const struct fib_key *k, unsigned off, unsigned n)
{
	unsigned i = off / 64, sh = off % 64;
	uint64_t v = k->w[i] << sh;

	if (sh + n > 64)
		v |= k->w[i + 1] >> (64 - sh);
	return (unsigned)(v >> (64 - n));
}

/* The direct entry an address starts at, its key loaded into k, or NULL: no route has its
 * length (the default answers). *off: the bits the direct table took. */
static inline const uint32_t *direct_entry(const struct fib *f, const uint8_t *addr, uint8_t len,
					   struct fib_key *k, unsigned *off)
{
	const struct fib_tree *t = &f->tree[len <= NIP_ADDR_MAX ? len : 0];

	if (!t->direct)
		return NULL;
	key_load(k, addr, len);
	*off = t->bits;
	return &t->direct[key_bits(k, 0, t->bits)];
}

/* One node down by the key's bits at off: true with *idx the child node, false with *idx the
 * leaf that answers. */
static inline bool node_step(const struct fib *f, uint32_t *idx, const struct fib_key *k,
			     unsigned off)
{
	const struct fib_node *x = &f->nodes[*idx];
	unsigned c = key_bits(k, off, STRIDE);
	uint64_t upto = ~0ull >> (63 - c); /* children 0..c */

	if (!(x->vector >> c & 1)) {
		*idx = x->base0 + (uint32_t)__builtin_popcountll(x->leafvec & upto) - 1;
		return false;
	}
	*idx = x->base1 + (uint32_t)__builtin_popcountll(x->vector & upto) - 1;
	return true;
}

FIB_HOT uint16_t fib_lookup(const struct fib *f, const uint8_t *addr, uint8_t len)
{
	struct fib_key k;
	unsigned off;
	const uint32_t *d = direct_entry(f, addr, len, &k, &off);
	uint32_t e = d ? *d : LEAF | f->dflt;

	if (e & LEAF)
		return (uint16_t)e;
	for (; node_step(f, &e, &k, off); off += STRIDE)
		;
	return f->leaves[e];
}

/* Each step for all keys of a chunk before the next, each load prefetched a round ahead: the
 * cache misses of one key overlap the others', which a deep (IPv6) walk needs most. */
FIB_HOT void fib_lookup_burst(const struct fib *f, const uint8_t *const *addr, const uint8_t *len,
			      unsigned n, uint16_t *nh)
{
	struct fib_key k[BURST_CHUNK];
	const uint32_t *d[BURST_CHUNK];
	uint32_t idx[BURST_CHUNK];
	unsigned off[BURST_CHUNK];
	uint8_t live[BURST_CHUNK];

	for (unsigned base = 0; base < n; base += BURST_CHUNK, nh += BURST_CHUNK) {
		unsigned m = n - base < BURST_CHUNK ? n - base : BURST_CHUNK, n_live = 0;
		for (unsigned i = 0; i < m; i++)
			if ((d[i] = direct_entry(f, addr[base + i], len[base + i], &k[i], &off[i])))
				__builtin_prefetch(d[i]);
		for (unsigned i = 0; i < m; i++) {
			uint32_t e = d[i] ? *d[i] : LEAF | f->dflt;
			if (e & LEAF) {
				nh[i] = (uint16_t)e;
				continue;
			}
			idx[i] = e;
			live[n_live++] = (uint8_t)i;
			__builtin_prefetch(&f->nodes[e]);
		}
		while (n_live) { /* one level down for every key still in a node */
			unsigned still = 0;
			for (unsigned j = 0; j < n_live; j++) {
				unsigned i = live[j];
				if (off[i] == LEAF_NEXT) { /* its leaf was prefetched last round */
					nh[i] = f->leaves[idx[i]];
					continue;
				}
				if (node_step(f, &idx[i], &k[i], off[i])) {
					off[i] += STRIDE;
					__builtin_prefetch(&f->nodes[idx[i]]);
				} else {
					off[i] = LEAF_NEXT;
					__builtin_prefetch(&f->leaves[idx[i]]);
				}
				live[still++] = (uint8_t)i;
			}
			n_live = still;
		}
	}
}

/* Building. Routes are sorted by length, key bits, prefix length and input order, so the
 * routes under any key prefix are contiguous and, for the same prefix, the later comes last. */
struct rt {
	struct fib_key key;
	uint32_t order;
	uint16_t plen, nh;
	uint8_t len;
};

static int rt_cmp(const void *x, const void *y)
{
	const struct rt *a = x, *b = y;

	if (a->len != b->len)
		return a->len < b->len ? -1 : 1;
	for (unsigned i = 0; i < KEY_WORDS; i++)
		if (a->key.w[i] != b->key.w[i])
			return a->key.w[i] < b->key.w[i] ? -1 : 1;
	if (a->plen != b->plen)
		return a->plen < b->plen ? -1 : 1;
	return a->order < b->order ? -1 : a->order > b->order;
}

static int leaf_push(struct fib *f, uint16_t nh)
{
	if (f->n_leaves == f->cap_leaves) {
		uint32_t cap = f->cap_leaves ? 2 * f->cap_leaves : 256;
		uint16_t *l = realloc(f->leaves, cap * sizeof(*l));
		if (!l)
			return -1;
		f->leaves = l;
		f->cap_leaves = cap;
	}
	f->leaves[f->n_leaves++] = nh;
	return 0;
}

/* Room for n more nodes, returning the first one's index; UINT32_MAX: out of memory. */
static uint32_t nodes_reserve(struct fib *f, uint32_t n)
{
	if (f->n_nodes + n > f->cap_nodes) {
		uint32_t cap = f->cap_nodes ? 2 * f->cap_nodes : 64;
		while (cap < f->n_nodes + n)
			cap *= 2;
		struct fib_node *nd = realloc(f->nodes, cap * sizeof(*nd));
		if (!nd)
			return UINT32_MAX;
		f->nodes = nd;
		f->cap_nodes = cap;
	}
	f->n_nodes += n;
	return f->n_nodes - n;
}

/*
 * The 2^stride children of the key prefix r[lo..hi) share up to bit off: each child's best
 * next hop from the prefixes that end within the stride (longest wins, prefix expansion),
 * else inh; deep marks the children under a prefix longer than the stride (they need a node).
 */
static void level_fill(const struct rt *r, size_t lo, size_t hi, unsigned off, unsigned stride,
		       uint16_t inh, uint16_t *nh, uint16_t *best, uint8_t *deep)
{
	size_t m = (size_t)1 << stride;

	for (size_t c = 0; c < m; c++) {
		nh[c] = inh;
		best[c] = 0;
		deep[c] = 0;
	}
	for (size_t i = lo; i < hi; i++) {
		if (r[i].plen <= off) /* already in inh */
			continue;
		size_t c = key_bits(&r[i].key, off, stride);
		if (r[i].plen > off + stride) {
			deep[c] = 1;
			continue;
		}
		size_t span = (size_t)1 << (off + stride - r[i].plen);
		for (size_t e = c & ~(span - 1); e < (c & ~(span - 1)) + span; e++)
			if (best[e] <= r[i].plen) {
				nh[e] = r[i].nh;
				best[e] = r[i].plen;
			}
	}
}

static int node_build(struct fib *f, const struct rt *r, size_t lo, size_t hi, unsigned off,
		      uint16_t inh, uint32_t idx);

/* Build the node of every deep child. Into direct[c] when given (each its own node), else
 * into the n-th node from base, in child order, as a poptrie node's children lie. */
static int children_build(struct fib *f, const struct rt *r, size_t lo, size_t hi, unsigned off,
			  unsigned stride, const uint16_t *nh, const uint8_t *deep,
			  uint32_t *direct, uint32_t base)
{
	for (size_t i = lo, j; i < hi; i = j) {
		unsigned c = key_bits(&r[i].key, off, stride);
		for (j = i + 1; j < hi && key_bits(&r[j].key, off, stride) == c; j++)
			;
		if (!deep[c])
			continue;
		uint32_t idx = direct ? nodes_reserve(f, 1) : base++;
		if (idx == UINT32_MAX)
			return -1;
		if (direct)
			direct[c] = idx;
		if (node_build(f, r, i, j, off + stride, nh[c], idx) < 0)
			return -1;
	}
	return 0;
}

static int node_build(struct fib *f, const struct rt *r, size_t lo, size_t hi, unsigned off,
		      uint16_t inh, uint32_t idx)
{
	uint16_t nh[1 << STRIDE], best[1 << STRIDE];
	uint8_t deep[1 << STRIDE];
	struct fib_node n = { .base0 = f->n_leaves };
	unsigned kids = 0;

	level_fill(r, lo, hi, off, STRIDE, inh, nh, best, deep);
	for (unsigned c = 0; c < 1u << STRIDE; c++) {
		if (deep[c]) {
			n.vector |= 1ull << c;
			kids++;
		} else if (n.base0 == f->n_leaves || nh[c] != f->leaves[f->n_leaves - 1]) {
			n.leafvec |= 1ull << c;
			if (leaf_push(f, nh[c]) < 0)
				return -1;
		}
	}
	if ((n.base1 = nodes_reserve(f, kids)) == UINT32_MAX)
		return -1;
	f->nodes[idx] = n;
	return children_build(f, r, lo, hi, off, STRIDE, nh, deep, NULL, n.base1);
}

/* The tree of one address length from its routes r[lo..hi). */
static int tree_build(struct fib *f, const struct rt *r, size_t lo, size_t hi)
{
	unsigned key_len = 8u * r[lo].len, n = (unsigned)(hi - lo);
	unsigned s = n >= 16384 ? 18 : n >= 1024 ? 12 : STRIDE;
	uint16_t inh = f->dflt;
	int rc = -1;

	s = s < key_len ? s : key_len;
	for (size_t i = lo; i < hi && r[i].plen == 0; i++)
		inh = r[i].nh; /* ADDR/0: every address of this length (sorted first) */
	size_t m = (size_t)1 << s;
	uint16_t *nh = malloc(m * sizeof(*nh)), *best = malloc(m * sizeof(*best));
	uint8_t *deep = malloc(m);
	uint32_t *direct = malloc(m * sizeof(*direct));
	if (!nh || !best || !deep || !direct)
		goto out;
	level_fill(r, lo, hi, 0, s, inh, nh, best, deep);
	for (size_t c = 0; c < m; c++)
		direct[c] = LEAF | nh[c];
	if (children_build(f, r, lo, hi, 0, s, nh, deep, direct, 0) < 0)
		goto out;
	f->tree[r[lo].len] = (struct fib_tree){ direct, (uint8_t)s };
	f->direct_bytes += m * sizeof(*direct);
	direct = NULL;
	rc = 0;
out:
	free(nh);
	free(best);
	free(deep);
	free(direct);
	return rc;
}

/* An array cut to its n elements (NULL for none); *cap follows when the cut worked. */
static void *fit(void *p, uint32_t n, size_t size, uint32_t *cap)
{
	void *q;

	if (!n) {
		free(p);
		*cap = 0;
		return NULL;
	}
	if (!(q = realloc(p, n * size)))
		return p; /* the larger block still holds it all */
	*cap = n;
	return q;
}

struct fib *fib_build(const struct fib_route *routes, size_t n)
{
	struct fib *f = calloc(1, sizeof(*f));
	struct rt *r = calloc(n ? n : 1, sizeof(*r));
	size_t nr = 0;

	if (!f || !r)
		goto fail;
	f->dflt = FIB_NONE;
	for (size_t i = 0; i < n; i++) {
		const struct nip_prefix *p = &routes[i].prefix;
		if (!p->addr.len) { /* default: the empty key prefix */
			f->dflt = routes[i].nh;
			continue;
		}
		if (p->addr.len > NIP_ADDR_MAX || p->plen > 8u * p->addr.len)
			continue; /* not a prefix (the RIB holds parsed ones only) */
		r[nr] = (struct rt){ .order = (uint32_t)i, .plen = p->plen, .nh = routes[i].nh,
				     .len = p->addr.len };
		key_load(&r[nr].key, p->addr.b, p->addr.len);
		key_mask(&r[nr].key, p->plen);
		nr++;
	}
	qsort(r, nr, sizeof(*r), rt_cmp);
	for (size_t lo = 0, hi; lo < nr; lo = hi) {
		for (hi = lo + 1; hi < nr && r[hi].len == r[lo].len; hi++)
			;
		if (tree_build(f, r, lo, hi) < 0)
			goto fail;
	}
	/* give back what the doubling arrays did not use: memory follows the table */
	f->nodes = fit(f->nodes, f->n_nodes, sizeof(*f->nodes), &f->cap_nodes);
	f->leaves = fit(f->leaves, f->n_leaves, sizeof(*f->leaves), &f->cap_leaves);
	free(r);
	return f;
fail:
	free(r);
	fib_free(f);
	return NULL;
}

void fib_free(struct fib *f)
{
	if (!f)
		return;
	for (unsigned l = 0; l <= NIP_ADDR_MAX; l++)
		free(f->tree[l].direct);
	free(f->nodes);
	free(f->leaves);
	free(f);
}

size_t fib_memory(const struct fib *f)
{
	return sizeof(*f) + f->direct_bytes + (size_t)f->cap_nodes * sizeof(struct fib_node) +
	       (size_t)f->cap_leaves * sizeof(uint16_t);
}
