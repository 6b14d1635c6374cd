/* Keyed UDP links (docs/spec.md §1.1): link keys, the handshake, data frames with a tag, and
 * the replay window. Pure code: no I/O, no clock (the caller passes the time). */
#ifndef NEWIP_LINKFRAME_H
#define NEWIP_LINKFRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "newip/packet.h"
#include "newip/security.h"

enum nip_lf_type {
	NIP_LF_INIT = 0xA1,
	NIP_LF_RESP = 0xA2,
	NIP_LF_DATA = 0xA3,
	NIP_LF_SEALED = 0xA4,
};

#define NIP_LF_INIT_LEN 96
#define NIP_LF_RESP_LEN 60
#define NIP_LF_HDR 16				/* a data frame's header */
#define NIP_LF_TAG 16				/* and its tag */
#define NIP_LF_OVERHEAD (NIP_LF_HDR + NIP_LF_TAG)
#define NIP_LF_KEY 32
#define NIP_LF_WINDOW 1024			/* replay window, frames */

/* A handshake this node started: its ephemeral key and what the response must match. */
struct nip_lf_hs {
	uint8_t eph_sk[32], eph_pk[32];
	uint8_t init_mac[16];
	uint32_t index;
};

/* A session's two keys, by direction. */
struct nip_lf_keys {
	uint8_t send[NIP_LF_KEY], recv[NIP_LF_KEY];
};

/* The replay window of one session's receiving direction (RFC 6479's block bitmap). */
struct nip_replay {
	uint64_t top; /* the highest Counter accepted */
	bool any;
	uint64_t bits[NIP_LF_WINDOW / 64 + 1];
};

/* The link key K of two nodes (§1.1). 0, or NIP_E_AUTH if a key has no X25519 form. */
int nip_lf_link_key(uint8_t K[NIP_LF_KEY], const uint8_t my_sk[NIP_SK_LEN],
		    const uint8_t peer_pk[NIP_PK_LEN]);

/* The frame's type if its length fits the type and Reserved is zero (check 1), else 0. */
int nip_lf_classify(const uint8_t *f, size_t len);

/* Initiation: make a new ephemeral key in hs and write the 96 octets. */
void nip_lf_init_build(uint8_t out[NIP_LF_INIT_LEN], struct nip_lf_hs *hs, uint32_t sender_idx,
		       const uint8_t my_pk[NIP_PK_LEN], uint64_t ts_ns, const uint8_t K[NIP_LF_KEY]);
bool nip_lf_init_verify(const uint8_t f[NIP_LF_INIT_LEN], const uint8_t K[NIP_LF_KEY]);
const uint8_t *nip_lf_init_key(const uint8_t f[NIP_LF_INIT_LEN]); /* the Initiator key */
uint32_t nip_lf_init_index(const uint8_t f[NIP_LF_INIT_LEN]);
uint64_t nip_lf_init_time(const uint8_t f[NIP_LF_INIT_LEN]);

/* Response to a verified initiation: the responder's session keys and the 60 octets.
 * 0, or NIP_E_AUTH if the initiator's ephemeral key is unusable. */
int nip_lf_resp_build(uint8_t out[NIP_LF_RESP_LEN], struct nip_lf_keys *keys, uint32_t sender_idx,
		      const uint8_t init[NIP_LF_INIT_LEN], const uint8_t K[NIP_LF_KEY]);
uint32_t nip_lf_resp_index(const uint8_t f[NIP_LF_RESP_LEN]);	 /* its Receiver index */
uint32_t nip_lf_resp_sender(const uint8_t f[NIP_LF_RESP_LEN]); /* its Sender index */
/* The initiator's side: check the response against hs and make the session keys.
 * 0, or NIP_E_AUTH (MAC failure or an unusable key). */
int nip_lf_resp_accept(const uint8_t f[NIP_LF_RESP_LEN], const struct nip_lf_hs *hs,
		       const uint8_t K[NIP_LF_KEY], struct nip_lf_keys *keys);

/* Data frames: the 16-octet header, and the tag over P octets of packet (sealed: the packet
 * is encrypted in place first). */
void nip_lf_data_header(uint8_t hdr[NIP_LF_HDR], bool sealed, uint32_t rx_idx, uint64_t counter);
void nip_lf_data_tag(uint8_t tag[NIP_LF_TAG], uint8_t *pkt, size_t len, bool sealed,
		     uint64_t counter, const uint8_t key[NIP_LF_KEY]);
/* Verify the tag (sealed: and decrypt in place). False on a MAC failure: drop the packet
 * (a sealed one is wiped). */
bool nip_lf_data_open(uint8_t *pkt, size_t len, const uint8_t tag[NIP_LF_TAG], bool sealed,
		      uint64_t counter, const uint8_t key[NIP_LF_KEY]);
uint32_t nip_lf_data_index(const uint8_t hdr[NIP_LF_HDR]);
uint64_t nip_lf_data_counter(const uint8_t hdr[NIP_LF_HDR]);

/* Check 4's last step: may this Counter be accepted? Mark it once its tag verified. */
bool nip_replay_check(const struct nip_replay *r, uint64_t ctr);
void nip_replay_mark(struct nip_replay *r, uint64_t ctr);

#endif
