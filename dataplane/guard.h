/*
 * The first hop's guard (docs/spec.md §11): source checks on host-facing links, shut-off
 * filters, the digest cache, and what a victim remembers of the sources it hears from.
 *
 * The control plane owns registrations and filters and publishes them as one immutable
 * snapshot (struct guard) by a pointer swap, like the FIB; the data plane owns the SAVI
 * bindings, the digest cache, the per-source table and every counter.
 */
#ifndef NEWIP_GUARD_H
#define NEWIP_GUARD_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "dcache.h"
#include "hh.h"
#include "newip/newip.h"
#include "ratelimit.h"

#define GUARD_MAX_SESS 256
#define GUARD_MAX_FILT 256
#define GUARD_HASH 1024 /* a power of two, at least twice either maximum */
#define GUARD_LINKS 256 /* DP_MAX_LINKS (dp.h asserts it) */
#define SAVI_SLOTS 4096
#define SAVI_PROBE 16
#define SAVI_LIFETIME_NS (300ull * 1000000000ull)
#define RECENT_SLOTS 1024
#define PUNT_RATE 20000 /* shut-off requests per second a link may hand to the control plane */
#define PUNT_BURST 256

enum src_check { SRC_CHECK_OFF, SRC_CHECK_ON, SRC_CHECK_STRICT };

/* A host's registration on one of this router's links (§6.6). */
struct sav_sess {
	uint32_t key_id;
	uint16_t link;
	struct nip_addr addr;
	uint8_t key[NIP_AUTH_KEY_LEN];
	uint64_t expires_ns; /* CLOCK_MONOTONIC */
};

/* A shut-off filter (§6.5): at the source's edge it drops; at the victim it only counts. */
struct so_filter {
	struct nip_addr src, dst;
	uint16_t link;	 /* the source's link (edge); LINK_LOCAL at the victim */
	uint16_t slot;	 /* its hit counter, stable while it lives */
	bool victim;
	uint64_t expires_ns;
};

/* The published snapshot. Index arrays hold entry + 1; 0 is empty (open addressing). */
struct guard {
	uint16_t n_sess, n_filt;
	struct sav_sess sess[GUARD_MAX_SESS];
	struct so_filter filt[GUARD_MAX_FILT];
	uint16_t by_key[GUARD_HASH], by_addr[GUARD_HASH], by_pair[GUARD_HASH];
	/* The host side: the registration this node holds on each link (key_id 0: none). */
	struct {
		uint32_t key_id;
		uint8_t key[NIP_AUTH_KEY_LEN];
		struct nip_addr addr; /* the registered source */
	} up[GUARD_LINKS];
	bool tag_out; /* some link has one: originated packets carry a tag element */
};

struct savi_ent {
	struct nip_addr addr;
	uint16_t link;
	uint64_t seen_ns;
};

struct recent_ent {
	_Atomic uint32_t seq;
	struct nip_addr src, dst;
	uint8_t digest[16];
	uint64_t when_ns;
};

/* What the data plane keeps for the guard. */
struct guard_state {
	enum src_check check[GUARD_LINKS];
	bool any_check;	 /* some link is source-checked: a first-hop router */
	bool keep_recent; /* this node can ask for shut-offs (it has a key) */
	struct savi_ent savi[SAVI_SLOTS];
	uint32_t savi_n;
	struct dcache dc;
	struct hh hh;
	struct recent_ent recent[RECENT_SLOTS];
	uint64_t filt_hits[GUARD_MAX_FILT];
	struct tbucket punt[GUARD_LINKS]; /* shut-off requests handed to the control plane */
};

uint32_t guard_addr_hash(const uint8_t *a, uint8_t len);

/* Build a snapshot's index arrays after its entries are filled (control plane). */
void guard_index(struct guard *g);
const struct sav_sess *guard_sess_by_key(const struct guard *g, uint32_t key_id);
const struct sav_sess *guard_sess_by_addr(const struct guard *g, const uint8_t *a, uint8_t len);
const struct so_filter *guard_filter(const struct guard *g, const uint8_t *src, uint8_t slen,
				     const uint8_t *dst, uint8_t dlen);

/* The per-source table of a victim: the digest of the latest packet from src, if any. */
bool recent_get(const struct guard_state *gs, const struct nip_addr *src, struct nip_addr *dst,
		uint8_t digest[16], uint64_t *when_ns);

#endif
