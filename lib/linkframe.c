/* Keyed UDP link frames (docs/spec.md §1.1): the link key, the handshake, tags, replays. */
#include <sodium.h>
#include <string.h>

#include "bytes.h"
#include "newip/error.h"
#include "newip/linkframe.h"

#define WORDS (NIP_LF_WINDOW / 64 + 1)

int nip_lf_link_key(uint8_t K[NIP_LF_KEY], const uint8_t my_sk[NIP_SK_LEN],
		    const uint8_t peer_pk[NIP_PK_LEN])
{
	static const char ctx[] = "newip-link-v1";
	uint8_t x_sk[32], x_pk[32], peer_x[32], k1[32], k2[32], kk[64];
	int rc = NIP_E_AUTH;

	if (crypto_sign_ed25519_sk_to_curve25519(x_sk, my_sk) != 0 ||
	    crypto_sign_ed25519_pk_to_curve25519(x_pk, my_sk + 32) != 0 ||
	    crypto_sign_ed25519_pk_to_curve25519(peer_x, peer_pk) != 0)
		goto out;
	/* crypto_kx with the lower key as the client: both ends get k1 = client rx, k2 = tx. */
	if (memcmp(x_pk, peer_x, 32) < 0 ? crypto_kx_client_session_keys(k1, k2, x_pk, x_sk, peer_x) :
					     crypto_kx_server_session_keys(k2, k1, x_pk, x_sk, peer_x))
		goto out;
	memcpy(kk, k1, 32);
	memcpy(kk + 32, k2, 32);
	crypto_generichash(K, NIP_LF_KEY, (const uint8_t *)ctx, sizeof(ctx) - 1, kk, sizeof(kk));
	rc = 0;
out:
	sodium_memzero(x_sk, sizeof(x_sk));
	sodium_memzero(kk, sizeof(kk));
	sodium_memzero(k1, sizeof(k1));
	sodium_memzero(k2, sizeof(k2));
	return rc;
}

int nip_lf_classify(const uint8_t *f, size_t len)
{
	if (len < 4 || f[1] || f[2] || f[3])
		return 0;
	switch (f[0]) {
	case NIP_LF_INIT:
		return len == NIP_LF_INIT_LEN ? NIP_LF_INIT : 0;
	case NIP_LF_RESP:
		return len == NIP_LF_RESP_LEN ? NIP_LF_RESP : 0;
	case NIP_LF_DATA:
	case NIP_LF_SEALED:
		return len >= NIP_LF_OVERHEAD ? f[0] : 0;
	}
	return 0;
}

/* MAC(x) of §1.1: keyed BLAKE2b-128 over one or two pieces. */
static void mac(uint8_t out[16], const uint8_t K[NIP_LF_KEY], const uint8_t *a, size_t alen,
		const uint8_t *b, size_t blen)
{
	crypto_generichash_state st;

	crypto_generichash_init(&st, K, NIP_LF_KEY, 16);
	crypto_generichash_update(&st, a, alen);
	if (blen)
		crypto_generichash_update(&st, b, blen);
	crypto_generichash_final(&st, out, 16);
}

void nip_lf_init_build(uint8_t out[NIP_LF_INIT_LEN], struct nip_lf_hs *hs, uint32_t sender_idx,
		       const uint8_t my_pk[NIP_PK_LEN], uint64_t ts_ns, const uint8_t K[NIP_LF_KEY])
{
	crypto_box_keypair(hs->eph_pk, hs->eph_sk); /* an X25519 key pair */
	hs->index = sender_idx;
	memset(out, 0, NIP_LF_INIT_LEN);
	out[0] = NIP_LF_INIT;
	put32(out + 4, sender_idx);
	memcpy(out + 8, my_pk, NIP_PK_LEN);
	memcpy(out + 40, hs->eph_pk, 32);
	put64(out + 72, ts_ns);
	mac(out + 80, K, out, 80, NULL, 0);
	memcpy(hs->init_mac, out + 80, 16);
}

bool nip_lf_init_verify(const uint8_t f[NIP_LF_INIT_LEN], const uint8_t K[NIP_LF_KEY])
{
	uint8_t m[16];

	mac(m, K, f, 80, NULL, 0);
	return sodium_memcmp(m, f + 80, 16) == 0;
}

const uint8_t *nip_lf_init_key(const uint8_t f[NIP_LF_INIT_LEN])
{
	return f + 8;
}

uint32_t nip_lf_init_index(const uint8_t f[NIP_LF_INIT_LEN])
{
	return get32(f + 4);
}

uint64_t nip_lf_init_time(const uint8_t f[NIP_LF_INIT_LEN])
{
	return get64(f + 72);
}

/* T1 ‖ T2 of §1.1 from our ephemeral secret and the two ephemeral public keys. */
static int session_keys(struct nip_lf_keys *keys, bool initiator, const uint8_t eph_sk[32],
			const uint8_t peer_eph[32], const uint8_t e_init[32], const uint8_t e_resp[32],
			const uint8_t K[NIP_LF_KEY])
{
	uint8_t d[32], t[64];
	crypto_generichash_state st;

	if (crypto_scalarmult(d, eph_sk, peer_eph) != 0)
		return NIP_E_AUTH; /* a low-order point */
	crypto_generichash_init(&st, K, NIP_LF_KEY, 64);
	crypto_generichash_update(&st, d, 32);
	crypto_generichash_update(&st, e_init, 32);
	crypto_generichash_update(&st, e_resp, 32);
	crypto_generichash_final(&st, t, 64);
	memcpy(keys->send, initiator ? t : t + 32, 32);
	memcpy(keys->recv, initiator ? t + 32 : t, 32);
	sodium_memzero(d, sizeof(d));
	sodium_memzero(t, sizeof(t));
	return 0;
}

int nip_lf_resp_build(uint8_t out[NIP_LF_RESP_LEN], struct nip_lf_keys *keys, uint32_t sender_idx,
		      const uint8_t init[NIP_LF_INIT_LEN], const uint8_t K[NIP_LF_KEY])
{
	uint8_t esk[32], epk[32];
	int rc;

	crypto_box_keypair(epk, esk);
	rc = session_keys(keys, false, esk, init + 40, init + 40, epk, K);
	sodium_memzero(esk, sizeof(esk));
	if (rc)
		return rc;
	memset(out, 0, NIP_LF_RESP_LEN);
	out[0] = NIP_LF_RESP;
	put32(out + 4, sender_idx);
	memcpy(out + 8, init + 4, 4);
	memcpy(out + 12, epk, 32);
	mac(out + 44, K, init + 80, 16, out, 44);
	return 0;
}

uint32_t nip_lf_resp_index(const uint8_t f[NIP_LF_RESP_LEN])
{
	return get32(f + 8);
}

uint32_t nip_lf_resp_sender(const uint8_t f[NIP_LF_RESP_LEN])
{
	return get32(f + 4);
}

int nip_lf_resp_accept(const uint8_t f[NIP_LF_RESP_LEN], const struct nip_lf_hs *hs,
		       const uint8_t K[NIP_LF_KEY], struct nip_lf_keys *keys)
{
	uint8_t m[16];

	mac(m, K, hs->init_mac, 16, f, 44);
	if (sodium_memcmp(m, f + 44, 16) != 0 || get32(f + 8) != hs->index)
		return NIP_E_AUTH;
	return session_keys(keys, true, hs->eph_sk, f + 12, hs->eph_pk, f + 12, K);
}

void nip_lf_data_header(uint8_t hdr[NIP_LF_HDR], bool sealed, uint32_t rx_idx, uint64_t counter)
{
	hdr[0] = sealed ? NIP_LF_SEALED : NIP_LF_DATA;
	hdr[1] = hdr[2] = hdr[3] = 0;
	put32(hdr + 4, rx_idx);
	put64(hdr + 8, counter);
}

static void nonce_of(uint8_t n[12], uint64_t counter)
{
	memset(n, 0, 4);
	put64(n + 4, counter);
}

void nip_lf_data_tag(uint8_t tag[NIP_LF_TAG], uint8_t *pkt, size_t len, bool sealed,
		     uint64_t counter, const uint8_t key[NIP_LF_KEY])
{
	uint8_t n[12], none = 0;

	nonce_of(n, counter);
	if (sealed)
		crypto_aead_chacha20poly1305_ietf_encrypt_detached(pkt, tag, NULL, pkt, len, NULL, 0,
								   NULL, n, key);
	else
		crypto_aead_chacha20poly1305_ietf_encrypt_detached(&none, tag, NULL, &none, 0, pkt,
								   len, NULL, n, key);
}

bool nip_lf_data_open(uint8_t *pkt, size_t len, const uint8_t tag[NIP_LF_TAG], bool sealed,
		      uint64_t counter, const uint8_t key[NIP_LF_KEY])
{
	uint8_t n[12], none = 0;

	nonce_of(n, counter);
	if (sealed) /* libsodium checks the tag first, and wipes the packet if it fails */
		return crypto_aead_chacha20poly1305_ietf_decrypt_detached(pkt, NULL, pkt, len, tag,
									  NULL, 0, n, key) == 0;
	return crypto_aead_chacha20poly1305_ietf_decrypt_detached(&none, NULL, &none, 0, tag, pkt,
								  len, n, key) == 0;
}

uint32_t nip_lf_data_index(const uint8_t hdr[NIP_LF_HDR])
{
	return get32(hdr + 4);
}

uint64_t nip_lf_data_counter(const uint8_t hdr[NIP_LF_HDR])
{
	return get64(hdr + 8);
}

/* RFC 6479: WORDS blocks of 64 bits; the window is the top block and the NIP_LF_WINDOW / 64
 * before it, so every Counter within NIP_LF_WINDOW of the top has its bit. */
bool nip_replay_check(const struct nip_replay *r, uint64_t ctr)
{
	if (!r->any || ctr > r->top)
		return true;
	if (r->top - ctr >= NIP_LF_WINDOW)
		return false;
	return !(r->bits[(ctr >> 6) % WORDS] >> (ctr & 63) & 1);
}

void nip_replay_mark(struct nip_replay *r, uint64_t ctr)
{
	if (!r->any) {
		memset(r->bits, 0, sizeof(r->bits));
		r->any = true;
		r->top = ctr;
	} else if (ctr > r->top) {
		uint64_t from = (r->top >> 6) + 1, to = ctr >> 6;
		if (to >= from && to - from >= WORDS)
			from = to - WORDS + 1;
		for (uint64_t b = from; b <= to; b++)
			r->bits[b % WORDS] = 0;
		r->top = ctr;
	}
	r->bits[(ctr >> 6) % WORDS] |= 1ull << (ctr & 63);
}
