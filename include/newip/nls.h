/* NLS, the link-state routing protocol's messages: docs/spec.md §9. Pure encode/decode. */
#ifndef NEWIP_NLS_H
#define NEWIP_NLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "newip/addr.h"

#define NIP_PROTO_NLS 254
#define NLS_VERSION 2
#define NLS_HDR_LEN 12
#define NLS_MAX_NBR 32
#define NLS_MAX_LINKS 32
#define NLS_MAX_PREFIXES 16
#define NLS_NAME_MAX 63
#define NLS_LSA_FIXED 21 /* origin, seq, age, length, checksum, counts, name length */
#define NLS_HELLO_FIXED 20 /* after the common header: intervals, MTU, count, times */
#define NLS_LINK_LEN 14 /* neighbour, metric, latency */
#define NLS_SIG_LEN 100 /* the origin's signature trailer (§9.1): time, key, signature */

enum nls_type { NLS_HELLO = 1, NLS_LSU = 2, NLS_ACK = 3 };

/* Whether an NLS message (its common header first) is a hello: the one kind the planes of a
 * node pass each other first, and whose Timestamp is set as it leaves. */
static inline bool nls_is_hello(const uint8_t *msg, size_t len)
{
	return len > NLS_HDR_LEN && msg[1] == NLS_HELLO;
}

struct nls_hello {
	uint16_t hello_ms, dead_ms, mtu;
	uint8_t n;
	uint32_t ts_us, echo_us, echo_delay_us; /* link latency measurement, §9 */
	uint64_t nbr[NLS_MAX_NBR];
};

struct nls_lsa {
	uint64_t origin;
	uint32_t seq;
	uint16_t age;
	uint8_t n_links, n_prefixes;
	char name[NLS_NAME_MAX + 1];
	struct {
		uint64_t nbr;
		uint16_t metric;
		uint32_t latency_us; /* one-way, origin to neighbour */
	} links[NLS_MAX_LINKS];
	struct nip_prefix prefixes[NLS_MAX_PREFIXES];
	/* The origin's signature trailer (§9.1), when present; checked by nls_lsa_verify. */
	bool is_signed;
	uint32_t signed_at; /* Unix seconds */
	uint8_t origin_pk[32];
};

struct nls_ack {
	uint64_t origin;
	uint32_t seq;
};

/* Router ID of §9: first 8 octets of BLAKE2b-256(length ‖ address). Needs libsodium. */
uint64_t nls_router_id(const struct nip_addr *a);
/* With authenticated NLS (§9.1): first 8 octets of BLAKE2b-256(public key). */
uint64_t nls_router_id_key(const uint8_t pk[32]);

/* Check the common header of a message in b[0..len): returns its type, or a nip_err. */
int nls_parse_hdr(const uint8_t *b, size_t len, uint64_t *router_id);
void nls_put_hdr(uint8_t *b, uint8_t type, uint16_t len, uint64_t router_id);

int nls_hello_encode(uint8_t *out, size_t cap, uint64_t rid, const struct nls_hello *h);
int nls_hello_decode(struct nls_hello *h, const uint8_t *b, size_t len);

/* One LSA: encode (fills length and checksum) returns its length; decode returns the octets
 * it consumed, checking length, counts and checksum. */
int nls_lsa_encode(uint8_t *out, size_t cap, const struct nls_lsa *l);
int nls_lsa_decode(struct nls_lsa *l, const uint8_t *b, size_t len);
/* Rewrite the Age of an encoded LSA (outside the checksum). */
void nls_lsa_set_age(uint8_t *lsa, uint16_t age);
/* Compute and store the Checksum of the encoded LSA lsa[0..len) (after changing it). */
void nls_lsa_seal(uint8_t *lsa, size_t len);
/* Append the origin's signature trailer (§9.1) to the unsigned LSA in lsa[0..len): fixes
 * Length and Checksum, returns the new length (len + NLS_SIG_LEN) or a nip_err. */
int nls_lsa_sign(uint8_t *lsa, size_t cap, size_t len, uint32_t signed_at, const uint8_t pk[32],
		 const uint8_t sk[64]);
/* Check a decoded, signed LSA's signature over its octets b[0..len): 0, or NIP_E_AUTH. */
int nls_lsa_verify(const uint8_t *b, size_t len);

/* LSU and ACK bodies follow the common header: Count (8), Reserved (8), entries. */
int nls_ack_encode(uint8_t *out, size_t cap, uint64_t rid, const struct nls_ack *a, unsigned n);
int nls_ack_decode(struct nls_ack *a, unsigned max, const uint8_t *b, size_t len);

#endif
