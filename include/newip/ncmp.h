/* NCMP, the New IP control-message protocol: docs/spec.md §6. */
#ifndef NEWIP_NCMP_H
#define NEWIP_NCMP_H

#include <stddef.h>
#include <stdint.h>

#include "newip/build.h"
#include "newip/packet.h"

enum nip_ncmp_type {
	NCMP_UNREACH = 1,
	NCMP_TOO_BIG = 2,
	NCMP_HOP_EXCEEDED = 3,
	NCMP_PARAM_PROBLEM = 4,
	NCMP_CONTRACT = 5,
	NCMP_ECHO_REQUEST = 128,
	NCMP_ECHO_REPLY = 129,
	NCMP_SHUTOFF_REQUEST = 130,
	NCMP_SHUTOFF_ACK = 131,
	NCMP_REGISTER = 132,
	NCMP_REGISTER_ACK = 133,
};

enum nip_unreach_code {
	NCMP_UNREACH_NO_ROUTE = 0,
	NCMP_UNREACH_SHUT_OFF = 1,
	NCMP_UNREACH_ADDR = 2,
	NCMP_UNREACH_PORT = 3,
	NCMP_UNREACH_AUTH = 4,
	NCMP_UNREACH_ADMIN = 5,
};

enum nip_param_code {
	NCMP_PARAM_HEADER = 0,
	NCMP_PARAM_NEXT_HDR = 1,
	NCMP_PARAM_MUST_UNDERSTAND = 2,
	NCMP_PARAM_BLOCK = 3,
};

enum nip_contract_code {
	NCMP_CONTRACT_PASSED = 0,
	NCMP_CONTRACT_UNREACHABLE = 1,
	NCMP_CONTRACT_WINDOW = 2,
};

enum nip_shutoff_status {
	NCMP_SHUTOFF_INSTALLED = 0,
	NCMP_SHUTOFF_BAD_SIG = 1,
	NCMP_SHUTOFF_NOT_SELFCERT = 2,
	NCMP_SHUTOFF_UNKNOWN_PKT = 3,
	NCMP_SHUTOFF_DURATION = 4,
	NCMP_SHUTOFF_RATE = 5,
	NCMP_SHUTOFF_REPLAY = 6,
};

enum nip_register_code {
	NCMP_REGISTER_ACCEPTED = 0,
	NCMP_REGISTER_REFUSED = 1,
};

#define NCMP_HDR_LEN 8
#define NCMP_SHUTOFF_BODY 20
#define NCMP_SHUTOFF_MAX_S 3600
#define NIP_DIGEST_LEN 16
#define NCMP_NONCE_LEN 16
#define NCMP_REGISTER_BODY 16	  /* Host Nonce (§6.6) */
#define NCMP_REGISTER_ACK_BODY 36 /* Host Nonce, Router Nonce, Lifetime */

struct nip_ncmp {
	uint8_t type, code;
	uint16_t checksum;
	uint32_t param;
	const uint8_t *body;
	uint16_t body_len;
};

struct nip_shutoff_req {
	uint16_t duration_s;
	uint8_t digest_alg;
	uint8_t digest[NIP_DIGEST_LEN];
};

/* Decode the NCMP message of a parsed packet; verifies next header, length and checksum. */
int nip_ncmp_parse(struct nip_ncmp *m, const struct nip_pkt *p);

/* Is this an error message (types 1..5), which must never trigger another? */
static inline int nip_ncmp_is_error(uint8_t type)
{
	return type >= NCMP_UNREACH && type <= NCMP_CONTRACT;
}

/*
 * Build a whole packet carrying one NCMP message (h->next_hdr is forced to 253); the checksum
 * is filled. For error types the body (the invoking packet) is cut so the packet fits in
 * NIP_MIN_MTU octets. The writer form lets a caller add a security block first.
 */
int nip_ncmp_build(uint8_t *out, size_t cap, const struct nip_hdr *h, uint8_t type, uint8_t code,
		   uint32_t param, const void *body, size_t body_len);
int nip_ncmp_finish(struct nip_writer *w, uint8_t type, uint8_t code, uint32_t param,
		    const void *body, size_t body_len);

static inline uint32_t nip_echo_param(uint16_t id, uint16_t seq)
{
	return (uint32_t)id << 16 | seq;
}

/* Shut-off request and acknowledgement bodies (§6, §6.5). */
int nip_shutoff_req_encode(uint8_t out[NCMP_SHUTOFF_BODY], const struct nip_shutoff_req *r);
int nip_shutoff_req_decode(struct nip_shutoff_req *r, const struct nip_ncmp *m);
int nip_shutoff_ack_decode(uint16_t *granted_s, const struct nip_ncmp *m);

/* Source registration, §6.6. */
struct nip_register_ack {
	uint32_t key_id; /* the message's Parameter */
	uint8_t host_nonce[NCMP_NONCE_LEN], router_nonce[NCMP_NONCE_LEN];
	uint32_t lifetime_s;
};
int nip_register_decode(uint8_t host_nonce[NCMP_NONCE_LEN], const struct nip_ncmp *m);
void nip_register_ack_encode(uint8_t out[NCMP_REGISTER_ACK_BODY], const struct nip_register_ack *a);
int nip_register_ack_decode(struct nip_register_ack *a, const struct nip_ncmp *m);

/* Short names for logs and the CLI: "echo request", "hop limit exceeded", ... */
const char *nip_ncmp_type_name(uint8_t type);

#endif
