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

/* The tag itself, from a parsed view (the Key ID must already be in place). */
void nip_sec_auth_compute(const struct nip_pkt *p, const uint8_t key[NIP_AUTH_KEY_LEN],
			  uint8_t tag[NIP_TAG_LEN]);

/* The source-authentication key of a registration, §6.6: the host side (is_host) from its
 * secret key and the router's public key, or the router side the other way round. Returns 0
 * or NIP_E_AUTH when a key does not convert to X25519 or the exchange fails. */
int nip_sav_key(uint8_t key[NIP_AUTH_KEY_LEN], bool is_host, const uint8_t my_sk[NIP_SK_LEN],
		const uint8_t peer_pk[NIP_PK_LEN], uint32_t key_id, const uint8_t host_nonce[16],
		const uint8_t router_nonce[16]);

/* Fill the Ed25519ph signature (the element's public key must match sk). */
int nip_sec_sign(uint8_t *buf, size_t len, const uint8_t sk[NIP_SK_LEN]);
/* Verify the signature and that the source address is self-certifying for its key. */
int nip_sec_verify(const struct nip_pkt *p);
/* Verify the signature alone (the key is whatever the element names). */
int nip_sec_verify_sig(const struct nip_pkt *p);

#endif
