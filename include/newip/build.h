/* Writing New IP packets: a bounds-checked writer with a sticky error, docs/spec.md §2–§5. */
#ifndef NEWIP_BUILD_H
#define NEWIP_BUILD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "newip/addr.h"
#include "newip/packet.h"

/* The base-header fields a sender chooses (§3); lengths and flags are computed. */
struct nip_hdr {
	uint8_t tc, next_hdr, hop_limit;
	uint32_t flow_label; /* 20 bits */
	struct nip_addr dst, src;
};

/*
 * Usage: nip_w_init, then optionally one contract, one security and one chunk block in that
 * order (each *_begin ... items ... nip_w_block_end, or nip_w_chunks), then nip_w_finish.
 * The first error sticks: later calls do nothing and nip_w_finish returns it, so a caller
 * checks once at the end.
 */
struct nip_writer {
	uint8_t *buf;
	size_t cap, pos;
	int err;
	uint8_t flags;	   /* presence flags written so far */
	uint8_t open;	   /* flag of the open TLV block, 0 if none */
	size_t block_start;
	uint8_t seen[2][16]; /* item types seen in the open block, to refuse duplicates */
};

void nip_w_init(struct nip_writer *w, uint8_t *buf, size_t cap, const struct nip_hdr *h);

void nip_w_contract_begin(struct nip_writer *w, uint8_t hops_updated, uint32_t acc_latency_us);
void nip_w_latency(struct nip_writer *w, const struct nip_latency *l, bool must_understand);
void nip_w_priority(struct nip_writer *w, uint8_t prio, bool must_understand);

void nip_w_security_begin(struct nip_writer *w);
/* Tags and signatures are written as zeros; nip_sec_auth_sign / nip_sec_sign fill them. */
void nip_w_auth(struct nip_writer *w, uint32_t key_id);
void nip_w_sig(struct nip_writer *w, const uint8_t pk[NIP_PK_LEN]);
void nip_w_replay(struct nip_writer *w, uint64_t ts_ns, uint32_t nonce);

/* Any item, raw: type includes the M bit. Used for padding, unknown items and re-encoding. */
void nip_w_item(struct nip_writer *w, uint8_t type, const void *val, uint8_t len);
void nip_w_block_end(struct nip_writer *w);

/* The chunk block from descriptors (data pointers ignored); pass the payload to finish. */
void nip_w_chunks(struct nip_writer *w, const struct nip_chunk *c, unsigned n);

/* Append the payload and fix up the base header. Returns the packet length or an error. */
int nip_w_finish(struct nip_writer *w, const void *payload, size_t len);

/* Re-encode a validated view from its parts (round-trip check). Returns length or error. */
int nip_pkt_reencode(const struct nip_pkt *p, uint8_t *out, size_t cap);

/* Decrement the hop limit in place (a router's step). Returns the new value. */
static inline uint8_t nip_pkt_dec_hop(uint8_t *buf)
{
	return --buf[7];
}

/* Add latency to the contract in place (§5.1, §10.4), saturating; bumps Hops Updated
 * (saturating at 255). The _at form takes the contract block's offset instead of a view. */
void nip_pkt_add_latency(uint8_t *buf, const struct nip_pkt *p, uint32_t us);
void nip_contract_add_latency(uint8_t *buf, unsigned contract_off, uint32_t us);

#endif
