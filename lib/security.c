/* libsodium-backed source authentication, signatures and self-certifying ids (spec §4.3, §5.2). */
#include <sodium.h>
#include <string.h>

#include "newip/security.h"

int nip_crypto_init(void)
{
	return sodium_init() < 0 ? NIP_E_CRYPTO : 0;
}

void nip_scid(uint8_t out[NIP_SCID_LEN], const uint8_t pk[NIP_PK_LEN])
{
	static const char ctx[] = "newip-scid-v1";
	crypto_generichash_state st;

	crypto_generichash_init(&st, NULL, 0, NIP_SCID_LEN);
	crypto_generichash_update(&st, (const uint8_t *)ctx, sizeof(ctx) - 1);
	crypto_generichash_update(&st, pk, NIP_PK_LEN);
	crypto_generichash_final(&st, out, NIP_SCID_LEN);
}

int nip_addr_selfcert(struct nip_addr *a, const uint8_t *prefix, size_t prefix_len,
		      const uint8_t pk[NIP_PK_LEN])
{
	if (prefix_len > NIP_ADDR_MAX - NIP_SCID_LEN)
		return NIP_E_ADDR_LEN;
	memset(a, 0, sizeof(*a));
	a->len = (uint8_t)(prefix_len + NIP_SCID_LEN);
	if (prefix_len)
		memcpy(a->b, prefix, prefix_len);
	nip_scid(a->b + prefix_len, pk);
	return 0;
}

bool nip_addr_is_selfcert(const uint8_t *b, size_t len, const uint8_t pk[NIP_PK_LEN])
{
	uint8_t id[NIP_SCID_LEN];

	if (len < NIP_SCID_LEN || len > NIP_ADDR_MAX)
		return false;
	nip_scid(id, pk);
	return memcmp(b + len - NIP_SCID_LEN, id, NIP_SCID_LEN) == 0;
}

/* The header with its mutable octets zeroed: the first half of the invariant view, §5.2. */
static void invariant_header(const struct nip_pkt *p, uint8_t h[NIP_HDR_MAX])
{
	memcpy(h, p->buf, p->hdr_len);
	h[0] &= 0xf0; /* Traffic Class */
	h[1] &= 0x0f;
	h[7] = 0;     /* Hop Limit */
	if (p->contract_off)
		memset(h + p->contract_off + 1, 0, 5);
	if (p->auth_off)
		memset(h + p->auth_off + 2 + 5, 0, NIP_TAG_LEN);
	if (p->sig_off)
		memset(h + p->sig_off + 2 + 1 + NIP_PK_LEN, 0, NIP_SIGNATURE_LEN);
}

/* BLAKE2b over the invariant view, keyed or not. */
static void view_hash(const struct nip_pkt *p, const uint8_t *key, size_t keylen, uint8_t *out,
		      size_t outlen)
{
	uint8_t h[NIP_HDR_MAX];
	crypto_generichash_state st;

	invariant_header(p, h);
	crypto_generichash_init(&st, key, keylen, outlen);
	crypto_generichash_update(&st, h, p->hdr_len);
	crypto_generichash_update(&st, p->payload, p->payload_len);
	crypto_generichash_final(&st, out, outlen);
}

void nip_pkt_digest(const struct nip_pkt *p, uint8_t out[16])
{
	view_hash(p, NULL, 0, out, 16);
}

int nip_sec_auth_sign(uint8_t *buf, size_t len, const uint8_t key[NIP_AUTH_KEY_LEN])
{
	struct nip_pkt p;
	int rc = nip_pkt_parse(&p, buf, len);

	if (rc < 0)
		return rc;
	if (!p.auth_off)
		return NIP_E_NOTFOUND;
	view_hash(&p, key, NIP_AUTH_KEY_LEN, buf + p.auth_off + 2 + 5, NIP_TAG_LEN);
	return 0;
}

void nip_sec_auth_compute(const struct nip_pkt *p, const uint8_t key[NIP_AUTH_KEY_LEN],
			  uint8_t tag[NIP_TAG_LEN])
{
	view_hash(p, key, NIP_AUTH_KEY_LEN, tag, NIP_TAG_LEN);
}

int nip_sav_key(uint8_t key[NIP_AUTH_KEY_LEN], bool is_host, const uint8_t my_sk[NIP_SK_LEN],
		const uint8_t peer_pk[NIP_PK_LEN], uint32_t key_id, const uint8_t host_nonce[16],
		const uint8_t router_nonce[16])
{
	static const char ctx[] = "newip-sav-v1";
	uint8_t my_x_pk[crypto_kx_PUBLICKEYBYTES], my_x_sk[crypto_kx_SECRETKEYBYTES];
	uint8_t peer_x[crypto_kx_PUBLICKEYBYTES], rx[crypto_kx_SESSIONKEYBYTES];
	uint8_t host_tx[crypto_kx_SESSIONKEYBYTES], id[4];
	crypto_generichash_state st;
	int rc = NIP_E_AUTH;

	if (crypto_sign_ed25519_sk_to_curve25519(my_x_sk, my_sk) != 0 ||
	    crypto_sign_ed25519_pk_to_curve25519(my_x_pk, my_sk + 32) != 0 ||
	    crypto_sign_ed25519_pk_to_curve25519(peer_x, peer_pk) != 0)
		goto out;
	/* The host is the exchange's client: its tx is the router's rx. */
	if (is_host ? crypto_kx_client_session_keys(rx, host_tx, my_x_pk, my_x_sk, peer_x) :
		      crypto_kx_server_session_keys(host_tx, rx, my_x_pk, my_x_sk, peer_x))
		goto out;
	id[0] = (uint8_t)(key_id >> 24), id[1] = (uint8_t)(key_id >> 16);
	id[2] = (uint8_t)(key_id >> 8), id[3] = (uint8_t)key_id;
	crypto_generichash_init(&st, host_tx, sizeof(host_tx), NIP_AUTH_KEY_LEN);
	crypto_generichash_update(&st, (const uint8_t *)ctx, sizeof(ctx) - 1);
	crypto_generichash_update(&st, id, 4);
	crypto_generichash_update(&st, host_nonce, 16);
	crypto_generichash_update(&st, router_nonce, 16);
	crypto_generichash_final(&st, key, NIP_AUTH_KEY_LEN);
	rc = 0;
out:
	sodium_memzero(my_x_sk, sizeof(my_x_sk));
	sodium_memzero(rx, sizeof(rx));
	sodium_memzero(host_tx, sizeof(host_tx));
	return rc;
}

int nip_sec_auth_verify(const struct nip_pkt *p, const uint8_t key[NIP_AUTH_KEY_LEN])
{
	uint8_t tag[NIP_TAG_LEN];

	if (!p->auth_off)
		return NIP_E_NOTFOUND;
	view_hash(p, key, NIP_AUTH_KEY_LEN, tag, sizeof(tag));
	return crypto_verify_16(tag, p->buf + p->auth_off + 2 + 5) == 0 ? 0 : NIP_E_AUTH;
}

static void sig_state(const struct nip_pkt *p, crypto_sign_state *st)
{
	uint8_t h[NIP_HDR_MAX];

	invariant_header(p, h);
	crypto_sign_init(st);
	crypto_sign_update(st, h, p->hdr_len);
	crypto_sign_update(st, p->payload, p->payload_len);
}

int nip_sec_sign(uint8_t *buf, size_t len, const uint8_t sk[NIP_SK_LEN])
{
	struct nip_pkt p;
	crypto_sign_state st;
	int rc = nip_pkt_parse(&p, buf, len);

	if (rc < 0)
		return rc;
	if (!p.sig_off)
		return NIP_E_NOTFOUND;
	/* libsodium's secret key is seed ‖ public key: the element must name the same key. */
	if (memcmp(buf + p.sig_off + 3, sk + 32, NIP_PK_LEN) != 0)
		return NIP_E_INVAL;
	sig_state(&p, &st);
	crypto_sign_final_create(&st, buf + p.sig_off + 3 + NIP_PK_LEN, NULL, sk);
	return 0;
}

int nip_sec_verify_sig(const struct nip_pkt *p)
{
	struct nip_sig_elem e;
	crypto_sign_state st;

	if (nip_pkt_sig(p, &e) < 0)
		return NIP_E_NOTFOUND;
	sig_state(p, &st);
	return crypto_sign_final_verify(&st, e.sig, e.pk) == 0 ? 0 : NIP_E_AUTH;
}

int nip_sec_verify(const struct nip_pkt *p)
{
	struct nip_sig_elem e;
	int rc = nip_sec_verify_sig(p);

	if (rc < 0 || nip_pkt_sig(p, &e) < 0)
		return rc < 0 ? rc : NIP_E_NOTFOUND;
	return nip_addr_is_selfcert(p->src, p->src_len, e.pk) ? 0 : NIP_E_AUTH;
}
