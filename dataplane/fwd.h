/* The forwarding state the control plane publishes: a FIB plus its next-hop groups (ECMP). */
#ifndef NEWIP_FWD_H
#define NEWIP_FWD_H

#include <stdint.h>

#include "fib.h"
#include "hash.h"
#include "newip/packet.h"

#define NH_MAX_PATHS 8

struct nh_group {
	uint8_t n;
	uint8_t hops;	  /* hops ahead on the route's path (spec §9); 0: unknown (static) */
	uint16_t link[NH_MAX_PATHS];
	uint32_t lat_us;  /* latency ahead on the route's path; 0: unknown (static) */
};

struct fwd {
	struct fib *fib;
	unsigned n_groups;
	struct nh_group groups[];
};

/* Takes ownership of fib. NULL on out of memory (fib freed). */
struct fwd *fwd_new(struct fib *fib, const struct nh_group *g, unsigned n);
void fwd_free(struct fwd *f);

/* The flow hash of §9: Flow Label and both addresses, so one flow keeps one path. */
static inline uint32_t fwd_flow_hash(const struct nip_pkt *v)
{
	uint32_t h = fnv1a32(fnv1a32(FNV32_BASIS ^ v->flow_label, v->dst, v->dst_len), v->src,
			     v->src_len);

	return h ^ (h >> 16);
}

/* The outgoing link for a packet whose lookup gave nh, or -1 if no route; *g is its route's
 * group (equal-cost paths: the flow hash picks one). */
static inline int fwd_pick_nh(const struct fwd *f, const struct nip_pkt *v, uint16_t nh,
			      const struct nh_group **g)
{
	if (nh == FIB_NONE || nh >= f->n_groups || f->groups[nh].n == 0)
		return -1;
	*g = &f->groups[nh];
	return (*g)->link[(*g)->n == 1 ? 0 : fwd_flow_hash(v) % (*g)->n];
}

static inline int fwd_pick(const struct fwd *f, const struct nip_pkt *v, const struct nh_group **g)
{
	return fwd_pick_nh(f, v, fib_lookup(f->fib, v->dst, v->dst_len), g);
}

/* The lookups of n parsed packets at once (fib_lookup_burst: their cache misses overlap). */
static inline void fwd_lookup_burst(const struct fwd *f, const struct nip_pkt *v, unsigned n,
				    uint16_t *nh)
{
	const uint8_t *dst[64];
	uint8_t len[64];

	for (unsigned done = 0; done < n; done += 64) {
		unsigned m = n - done < 64 ? n - done : 64;
		for (unsigned i = 0; i < m; i++) {
			dst[i] = v[done + i].dst;
			len[i] = v[done + i].dst_len;
		}
		fib_lookup_burst(f->fib, dst, len, m, nh + done);
	}
}

#endif
