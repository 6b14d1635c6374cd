/* NLS message codec (docs/spec.md §9): bounds-checked, no allocation. */
#include <sodium.h>
#include <stdbool.h>
#include <string.h>

#include "bytes.h"
#include "newip/checksum.h"
#include "newip/error.h"
#include "newip/nls.h"

uint64_t nls_router_id(const struct nip_addr *a)
{
	uint8_t in[1 + NIP_ADDR_MAX], out[32];

	in[0] = a->len;
	memcpy(in + 1, a->b, a->len);
	crypto_generichash(out, sizeof(out), in, 1u + a->len, NULL, 0);
	return get64(out);
}

uint64_t nls_router_id_key(const uint8_t pk[32])
{
	uint8_t out[32];

	crypto_generichash(out, sizeof(out), pk, 32, NULL, 0);
	return get64(out);
}

void nls_put_hdr(uint8_t *b, uint8_t type, uint16_t len, uint64_t rid)
{
	b[0] = NLS_VERSION;
	b[1] = type;
	put16(b + 2, len);
	put64(b + 4, rid);
}

int nls_parse_hdr(const uint8_t *b, size_t len, uint64_t *rid)
{
	if (len < NLS_HDR_LEN || get16(b + 2) != len)
		return NIP_E_TRUNCATED;
	if (b[0] != NLS_VERSION)
		return NIP_E_VERSION;
	if (b[1] < NLS_HELLO || b[1] > NLS_ACK)
		return NIP_E_BAD_ITEM;
	*rid = get64(b + 4);
	return b[1];
}

int nls_hello_encode(uint8_t *out, size_t cap, uint64_t rid, const struct nls_hello *h)
{
	size_t len = NLS_HDR_LEN + NLS_HELLO_FIXED + 8u * h->n;

	if (h->n > NLS_MAX_NBR)
		return NIP_E_INVAL;
	if (len > cap)
		return NIP_E_NOSPACE;
	nls_put_hdr(out, NLS_HELLO, (uint16_t)len, rid);
	uint8_t *p = out + NLS_HDR_LEN;
	put16(p, h->hello_ms);
	put16(p + 2, h->dead_ms);
	put16(p + 4, h->mtu);
	p[6] = h->n;
	p[7] = 0;
	put32(p + 8, h->ts_us);
	put32(p + 12, h->echo_us);
	put32(p + 16, h->echo_delay_us);
	for (unsigned i = 0; i < h->n; i++)
		put64(p + NLS_HELLO_FIXED + 8 * i, h->nbr[i]);
	return (int)len;
}

int nls_hello_decode(struct nls_hello *h, const uint8_t *b, size_t len)
{
	const uint8_t *p = b + NLS_HDR_LEN;

	if (len < NLS_HDR_LEN + NLS_HELLO_FIXED)
		return NIP_E_TRUNCATED;
	h->hello_ms = get16(p);
	h->dead_ms = get16(p + 2);
	h->mtu = get16(p + 4);
	h->n = p[6];
	if (p[7] != 0)
		return NIP_E_RESERVED;
	if (h->n > NLS_MAX_NBR || len != NLS_HDR_LEN + NLS_HELLO_FIXED + 8u * h->n || !h->hello_ms ||
	    h->dead_ms <= h->hello_ms)
		return NIP_E_BAD_ITEM;
	h->ts_us = get32(p + 8);
	h->echo_us = get32(p + 12);
	h->echo_delay_us = get32(p + 16);
	for (unsigned i = 0; i < h->n; i++)
		h->nbr[i] = get64(p + NLS_HELLO_FIXED + 8 * i);
	return 0;
}

/* Names are printable ASCII (spec §9): no NUL that would shorten them in a C string. */
static bool printable(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < 0x20 || s[i] > 0x7e)
			return false;
	return true;
}

static uint16_t lsa_csum(const uint8_t *lsa, size_t len)
{
	/* Over the whole LSA with Age (octets 12-13) and Checksum (16-17) taken as zero. */
	uint32_t s = nip_csum_add(0, lsa, 12);
	s = nip_csum_add(s, lsa + 14, 2);
	s = nip_csum_add(s, lsa + 18, len - 18);
	return nip_csum_fold(s);
}

void nls_lsa_seal(uint8_t *lsa, size_t len)
{
	put16(lsa + 16, lsa_csum(lsa, len));
}

int nls_lsa_encode(uint8_t *out, size_t cap, const struct nls_lsa *l)
{
	size_t nl = strlen(l->name), len = NLS_LSA_FIXED + nl + (size_t)NLS_LINK_LEN * l->n_links;

	if (nl > NLS_NAME_MAX || l->n_links > NLS_MAX_LINKS || l->n_prefixes > NLS_MAX_PREFIXES ||
	    !printable(l->name, nl))
		return NIP_E_INVAL;
	for (unsigned i = 0; i < l->n_prefixes; i++)
		len += 3u + l->prefixes[i].addr.len;
	if (len > cap || len > 0xffff)
		return NIP_E_NOSPACE;
	put64(out, l->origin);
	put32(out + 8, l->seq);
	put16(out + 12, l->age);
	put16(out + 14, (uint16_t)len);
	put16(out + 16, 0);
	out[18] = l->n_links;
	out[19] = l->n_prefixes;
	out[20] = (uint8_t)nl;
	memcpy(out + 21, l->name, nl);
	uint8_t *p = out + 21 + nl;
	for (unsigned i = 0; i < l->n_links; i++, p += NLS_LINK_LEN) {
		put64(p, l->links[i].nbr);
		put16(p + 8, l->links[i].metric);
		put32(p + 10, l->links[i].latency_us);
	}
	for (unsigned i = 0; i < l->n_prefixes; i++) {
		const struct nip_prefix *x = &l->prefixes[i];
		p[0] = x->addr.len;
		put16(p + 1, x->plen);
		memcpy(p + 3, x->addr.b, x->addr.len);
		p += 3 + x->addr.len;
	}
	nls_lsa_seal(out, len);
	return (int)len;
}

int nls_lsa_decode(struct nls_lsa *l, const uint8_t *b, size_t len)
{
	size_t need, nl;

	if (len < NLS_LSA_FIXED)
		return NIP_E_TRUNCATED;
	need = get16(b + 14);
	if (need < NLS_LSA_FIXED || need > len)
		return NIP_E_TRUNCATED;
	if (get16(b + 16) != lsa_csum(b, need))
		return NIP_E_CHECKSUM;
	l->origin = get64(b);
	l->seq = get32(b + 8);
	l->age = get16(b + 12);
	l->n_links = b[18];
	l->n_prefixes = b[19];
	nl = b[20];
	if (l->n_links > NLS_MAX_LINKS || l->n_prefixes > NLS_MAX_PREFIXES || nl > NLS_NAME_MAX ||
	    21 + nl + (size_t)NLS_LINK_LEN * l->n_links > need)
		return NIP_E_BAD_ITEM;
	if (!printable((const char *)b + 21, nl))
		return NIP_E_BAD_ITEM;
	memcpy(l->name, b + 21, nl);
	l->name[nl] = '\0';
	const uint8_t *p = b + 21 + nl, *end = b + need;
	for (unsigned i = 0; i < l->n_links; i++, p += NLS_LINK_LEN) {
		l->links[i].nbr = get64(p);
		l->links[i].metric = get16(p + 8);
		l->links[i].latency_us = get32(p + 10);
	}
	for (unsigned i = 0; i < l->n_prefixes; i++) {
		struct nip_prefix *x = &l->prefixes[i];
		if (end - p < 3 || p[0] == 0 || p[0] > NIP_ADDR_MAX || end - p < 3 + p[0])
			return NIP_E_BAD_ITEM;
		memset(x, 0, sizeof(*x));
		x->addr.len = p[0];
		x->plen = get16(p + 1);
		memcpy(x->addr.b, p + 3, p[0]);
		if (x->plen > 8u * x->addr.len)
			return NIP_E_BAD_ITEM;
		p += 3 + p[0];
	}
	l->is_signed = end - p == NLS_SIG_LEN;
	if (l->is_signed) {
		l->signed_at = get32(p);
		memcpy(l->origin_pk, p + 4, 32);
	} else if (p != end) {
		return NIP_E_BAD_ITEM;
	}
	return (int)need;
}

/* The signed message (§9.1): "newip-lsa-v1", then the LSA up to its Signature with Age and
 * Checksum as zero, fed to Ed25519ph (streamed: no copy of the LSA). */
static void lsa_signed_msg(crypto_sign_state *st, const uint8_t *lsa, size_t upto)
{
	static const uint8_t zero[2];

	crypto_sign_init(st);
	crypto_sign_update(st, (const uint8_t *)"newip-lsa-v1", 12);
	crypto_sign_update(st, lsa, 12);
	crypto_sign_update(st, zero, 2);
	crypto_sign_update(st, lsa + 14, 2);
	crypto_sign_update(st, zero, 2);
	crypto_sign_update(st, lsa + 18, upto - 18);
}

int nls_lsa_sign(uint8_t *lsa, size_t cap, size_t len, uint32_t signed_at, const uint8_t pk[32],
		 const uint8_t sk[64])
{
	crypto_sign_state st;
	size_t n = len + NLS_SIG_LEN;

	if (len < NLS_LSA_FIXED || get16(lsa + 14) != len)
		return NIP_E_INVAL;
	if (n > cap || n > 0xffff)
		return NIP_E_NOSPACE;
	put32(lsa + len, signed_at);
	memcpy(lsa + len + 4, pk, 32);
	put16(lsa + 14, (uint16_t)n);
	lsa_signed_msg(&st, lsa, n - 64);
	crypto_sign_final_create(&st, lsa + n - 64, NULL, sk);
	nls_lsa_seal(lsa, n);
	return (int)n;
}

int nls_lsa_verify(const uint8_t *b, size_t len)
{
	crypto_sign_state st;

	if (len < NLS_LSA_FIXED + NLS_SIG_LEN || get16(b + 14) != len)
		return NIP_E_AUTH;
	lsa_signed_msg(&st, b, len - 64);
	return crypto_sign_final_verify(&st, b + len - 64, b + len - 96) ? NIP_E_AUTH : 0;
}

void nls_lsa_set_age(uint8_t *lsa, uint16_t age)
{
	put16(lsa + 12, age);
}

int nls_ack_encode(uint8_t *out, size_t cap, uint64_t rid, const struct nls_ack *a, unsigned n)
{
	size_t len = NLS_HDR_LEN + 2 + 12u * n;

	if (n > 255)
		return NIP_E_INVAL;
	if (len > cap)
		return NIP_E_NOSPACE;
	nls_put_hdr(out, NLS_ACK, (uint16_t)len, rid);
	out[NLS_HDR_LEN] = (uint8_t)n;
	out[NLS_HDR_LEN + 1] = 0;
	for (unsigned i = 0; i < n; i++) {
		put64(out + NLS_HDR_LEN + 2 + 12 * i, a[i].origin);
		put32(out + NLS_HDR_LEN + 10 + 12 * i, a[i].seq);
	}
	return (int)len;
}

int nls_ack_decode(struct nls_ack *a, unsigned max, const uint8_t *b, size_t len)
{
	unsigned n;

	if (len < NLS_HDR_LEN + 2)
		return NIP_E_TRUNCATED;
	n = b[NLS_HDR_LEN];
	if (b[NLS_HDR_LEN + 1] != 0)
		return NIP_E_RESERVED;
	if (n > max || len != NLS_HDR_LEN + 2 + 12u * n)
		return NIP_E_BAD_ITEM;
	for (unsigned i = 0; i < n; i++) {
		a[i].origin = get64(b + NLS_HDR_LEN + 2 + 12 * i);
		a[i].seq = get32(b + NLS_HDR_LEN + 10 + 12 * i);
	}
	return (int)n;
}
