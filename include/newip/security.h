/* Source authentication, signatures, digests and self-certifying ids: docs/spec.md §4.3, §5.2. */
#ifndef NEWIP_SECURITY_H
#define NEWIP_SECURITY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "newip/addr.h"
#include "newip/packet.h"

#define NIP_AUTH_KEY_LEN 32
#define NIP_SK_LEN 64
#define NIP_SCID_LEN 16

/* Initialise libsodium once per process. Returns 0 or NIP_E_CRYPTO. */
int nip_crypto_init(void);

/* ID(pk) of §4.3. */
void nip_scid(uint8_t out[NIP_SCID_LEN], const uint8_t pk[NIP_PK_LEN]);
/* prefix (0..16 octets) ‖ ID(pk): a self-certifying address. */
int nip_addr_selfcert(struct nip_addr *a, const uint8_t *prefix, size_t prefix_len,
		      const uint8_t pk[NIP_PK_LEN]);
bool nip_addr_is_selfcert(const uint8_t *b, size_t len, const uint8_t pk[NIP_PK_LEN]);

/* BLAKE2b-128 of the invariant view (§5.2): the shut-off packet digest. */
void nip_pkt_digest(const struct nip_pkt *p, uint8_t out[16]);

/* Fill / check the source-authentication tag (keyed BLAKE2b-128). */
int nip_sec_auth_sign(uint8_t *buf, size_t len, const uint8_t key[NIP_AUTH_KEY_LEN]);
int nip_sec_auth_verify(const struct nip_pkt *p, const uint8_t key[NIP_AUTH_KEY_LEN]);

/* Fill the Ed25519ph signature (the element's public key must match sk). */
int nip_sec_sign(uint8_t *buf, size_t len, const uint8_t sk[NIP_SK_LEN]);
/* Verify the signature and that the source address is self-certifying for its key. */
int nip_sec_verify(const struct nip_pkt *p);

#endif
