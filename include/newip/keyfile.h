/* Node identities (docs/spec.md §4.3): an Ed25519 key kept in a file, as WireGuard keeps its
 * keys: base64 of the 32-octet seed on one line, mode 0600, refused if others may read it. */
#ifndef NEWIP_KEYFILE_H
#define NEWIP_KEYFILE_H

#include <stddef.h>
#include <stdint.h>

#include "newip/packet.h"
#include "newip/security.h"

struct nip_identity {
	uint8_t pk[NIP_PK_LEN];
	uint8_t sk[NIP_SK_LEN]; /* libsodium's: seed ‖ public key */
};

/* Make a new key and write it to path (mode 0600, never over an existing file).
 * 0, or -1 with a one-line reason in err. Needs nip_crypto_init(). */
int nip_key_generate(const char *path, struct nip_identity *id, char *err, size_t errlen);

/* Read a key file; one that group or others may read is refused (say how to fix it).
 * 0, or -1 with a one-line reason in err. */
int nip_key_load(const char *path, struct nip_identity *id, char *err, size_t errlen);

/* The public key in base64 (44 characters and the NUL). */
#define NIP_KEY_B64_LEN 45
void nip_key_public_b64(const struct nip_identity *id, char out[NIP_KEY_B64_LEN]);

/* Wipe the secret. */
void nip_key_forget(struct nip_identity *id);

#endif
