/* Zero-copy parse of a New IP packet into a view of its buffer: docs/spec.md §2–§5, §7. */
#ifndef NEWIP_PACKET_H
#define NEWIP_PACKET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "newip/addr.h"
#include "newip/error.h"

#define NIP_VERSION 1
#define NIP_BASE_LEN 12
#define NIP_HDR_MAX 255
#define NIP_UDP_PORT 6464	 /* §1 */
#define NIP_ETHERTYPE 0x88B5	 /* §1 */
#define NIP_MIN_MTU 1280	 /* §1 */
#define NIP_PROTO_UDP 17
#define NIP_PROTO_TCP 6
#define NIP_PROTO_NCMP 253	 /* §6 */

/* Flags octet (octet 9), §3.1. */
#define NIP_F_CONTRACT 0x80
#define NIP_F_SECURITY 0x40
#define NIP_F_CHUNK 0x20
#define NIP_F_RESERVED 0x1f

/* TLV type octet, §5.0. */
#define NIP_TLV_M 0x80
#define NIP_TLV_TYPE(t) ((t) & 0x7f)

/* Contract clauses, §5.1. */
#define NIP_CL_PAD 0
#define NIP_CL_LATENCY 1
#define NIP_CL_PRIORITY 2
#define NIP_CONTRACT_MIN 6
#define NIP_LAT_IN_TIME 0
#define NIP_LAT_ON_TIME 1
#define NIP_PRIO_MAX 7

/* Security elements, §5.2. */
#define NIP_SE_PAD 0
#define NIP_SE_AUTH 1
#define NIP_SE_SIG 2
#define NIP_SE_REPLAY 3
#define NIP_SECURITY_MIN 2
#define NIP_AUTH_LEN 21
#define NIP_SIG_LEN 97
#define NIP_REPLAY_LEN 12
#define NIP_ALG_BLAKE2B128 1
#define NIP_ALG_ED25519PH 1
#define NIP_TAG_LEN 16
#define NIP_PK_LEN 32
#define NIP_SIGNATURE_LEN 64

/* Chunk block, §5.3. */
#define NIP_CHUNK_DESC 5
#define NIP_CHUNK_T 0x08
#define NIP_CHUNK_RSV 0x07
#define NIP_CHUNK_MAX ((NIP_HDR_MAX - NIP_BASE_LEN - 2 - 2) / NIP_CHUNK_DESC)

struct nip_latency {
	uint8_t mode; /* NIP_LAT_IN_TIME or NIP_LAT_ON_TIME */
	uint32_t min_us, max_us;
};

/*
 * A validated view of one packet. Every pointer points into the caller's buffer, which must
 * outlive the view; the offsets are from the start of the packet (0 = block absent).
 */
struct nip_pkt {
	const uint8_t *buf;
	uint32_t len;	/* hdr_len + payload_len: the packet, without carrier padding */
	uint8_t version, tc, next_hdr, hop_limit, hdr_len, flags, dst_len, src_len;
	uint32_t flow_label;
	uint16_t payload_len;
	const uint8_t *dst, *src, *payload;
	uint8_t contract_off, contract_len, security_off, security_len, chunk_off, chunk_len;

	/* Decoded contract (valid when contract_off != 0). */
	uint8_t hops_updated;
	uint32_t acc_latency_us;
	bool has_latency, has_priority;
	struct nip_latency latency;
	uint8_t priority;
	uint8_t latency_off; /* offset of the latency clause's type octet, 0 if absent */

	/* Security elements present (offsets of their type octets, 0 if absent). */
	uint8_t auth_off, sig_off, replay_off;

	uint8_t n_chunks;

	/* On failure: offset of the offending octet (§7), for a parameter-problem pointer. */
	uint32_t err_off;
};

/*
 * Validate and parse buf[0..len). Returns 0 and fills *p, or a negative nip_err with
 * p->err_off set. Never allocates, never reads outside buf, never writes to buf.
 * len may exceed the packet (Ethernet padding): p->len is the packet's own length.
 */
int nip_pkt_parse(struct nip_pkt *p, const uint8_t *buf, size_t len);

/* Copy an address out of a view. */
void nip_pkt_dst(const struct nip_pkt *p, struct nip_addr *a);
void nip_pkt_src(const struct nip_pkt *p, struct nip_addr *a);

/* One TLV item inside a contract or security block. */
struct nip_tlv {
	uint8_t type;	/* with the M bit */
	uint8_t len;
	const uint8_t *val;
	uint8_t off;	/* offset of the type octet in the packet */
};

/* Iterate the items of a validated block: start with *pos = 0; returns false at the end. */
bool nip_contract_next(const struct nip_pkt *p, unsigned *pos, struct nip_tlv *t);
bool nip_security_next(const struct nip_pkt *p, unsigned *pos, struct nip_tlv *t);

/* One chunk descriptor, §5.3. */
struct nip_chunk {
	uint8_t significance; /* 0..15 */
	bool trimmed;
	uint16_t length;      /* original length */
	uint16_t checksum;
	const uint8_t *data;  /* NULL when trimmed */
};

/* Chunk i (0..n_chunks-1) of a validated view. Returns 0 or NIP_E_NOTFOUND. */
int nip_pkt_chunk(const struct nip_pkt *p, unsigned i, struct nip_chunk *c);

/* Parsed security elements, §5.2 (return 0, or NIP_E_NOTFOUND if absent). */
struct nip_auth_elem {
	uint8_t alg;
	uint32_t key_id;
	const uint8_t *tag;
};
struct nip_sig_elem {
	uint8_t alg;
	const uint8_t *pk, *sig;
};
struct nip_replay_elem {
	uint64_t ts_ns;
	uint32_t nonce;
};
int nip_pkt_auth(const struct nip_pkt *p, struct nip_auth_elem *e);
int nip_pkt_sig(const struct nip_pkt *p, struct nip_sig_elem *e);
int nip_pkt_replay(const struct nip_pkt *p, struct nip_replay_elem *e);

#endif
