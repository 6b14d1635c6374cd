/* Source authentication, signatures, digests and self-certifying addresses (spec §4.3, §5.2). */
#include <sodium.h>

#include "harness.h"
#include "newip/newip.h"

static uint8_t pk[32], sk[64];

/* A signed, authenticated packet from a self-certifying source; returns its length. */
static int make(uint8_t *buf, size_t cap, const uint8_t key[32])
{
	static const uint8_t prefix[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 1 };
	struct nip_hdr h = { .next_hdr = NIP_PROTO_NCMP, .hop_limit = 32, .tc = 1 };
	struct nip_latency lat = { NIP_LAT_IN_TIME, 0, 20000 };
	struct nip_writer w;
	uint8_t seed[32] = { 7 };

	CHECK_EQ(nip_crypto_init(), 0);
	crypto_sign_seed_keypair(pk, sk, seed);
	CHECK_EQ(nip_addr_selfcert(&h.src, prefix, sizeof(prefix), pk), 0);
	CHECK_EQ(h.src.len, 32);
	nip_addr_parse(&h.dst, "2001:db8::5");
	nip_w_init(&w, buf, cap, &h);
	nip_w_contract_begin(&w, 0, 0);
	nip_w_latency(&w, &lat, true);
	nip_w_block_end(&w);
	nip_w_security_begin(&w);
	nip_w_auth(&w, 12);
	nip_w_sig(&w, pk);
	nip_w_replay(&w, 123456789, 5);
	nip_w_block_end(&w);
	int n = nip_ncmp_finish(&w, NCMP_ECHO_REQUEST, 0, 1, "ping", 4);
	CHECK(n > 0);
	CHECK_EQ(nip_sec_sign(buf, (size_t)n, sk), 0);
	CHECK_EQ(nip_sec_auth_sign(buf, (size_t)n, key), 0);
	return n;
}

static void auth_and_sig(void)
{
	uint8_t buf[512], key[32] = { 1 }, other[32] = { 2 };
	struct nip_pkt p;
	int n = make(buf, sizeof(buf), key);

	CHECK_EQ(nip_pkt_parse(&p, buf, (size_t)n), 0);
	CHECK_EQ(nip_sec_auth_verify(&p, key), 0);
	CHECK_EQ(nip_sec_auth_verify(&p, other), NIP_E_AUTH);
	CHECK_EQ(nip_sec_verify(&p), 0);
}

/* Changing the fields that change in transit keeps tags, signature and digest valid. */
static void mutable_fields(void)
{
	uint8_t buf[512], key[32] = { 1 }, d1[16], d2[16];
	struct nip_pkt p;
	int n = make(buf, sizeof(buf), key);

	CHECK_EQ(nip_pkt_parse(&p, buf, (size_t)n), 0);
	nip_pkt_digest(&p, d1);
	nip_pkt_dec_hop(buf);
	nip_pkt_add_latency(buf, &p, 1234);
	buf[0] = (uint8_t)((buf[0] & 0xf0) | 0x0e); /* traffic class */
	buf[1] = (uint8_t)((buf[1] & 0x0f) | 0x30);
	CHECK_EQ(nip_pkt_parse(&p, buf, (size_t)n), 0);
	CHECK_EQ(nip_sec_auth_verify(&p, key), 0);
	CHECK_EQ(nip_sec_verify(&p), 0);
	nip_pkt_digest(&p, d2);
	CHECK(memcmp(d1, d2, 16) == 0);
}

/* Every other octet is covered: flipping any of them that still parses breaks the tag. */
static void every_octet_covered(void)
{
	uint8_t buf[512], key[32] = { 1 };
	struct nip_pkt p;
	int n = make(buf, sizeof(buf), key), checked = 0;

	CHECK_EQ(nip_pkt_parse(&p, buf, (size_t)n), 0);
	unsigned tag = p.auth_off + 7u, sig = p.sig_off + 35u, c = p.contract_off;
	for (int i = 0; i < n; i++) {
		bool mutable_octet = i == 0 || i == 1 || i == 7 || (i > (int)c && i <= (int)c + 5) ||
				     (i >= (int)tag && i < (int)tag + 16) ||
				     (i >= (int)sig && i < (int)sig + 64);
		if (mutable_octet)
			continue;
		buf[i] ^= 0x01;
		if (nip_pkt_parse(&p, buf, (size_t)n) == 0) {
			CHECK_EQ(nip_sec_auth_verify(&p, key), NIP_E_AUTH);
			CHECK_EQ(nip_sec_verify(&p), NIP_E_AUTH);
			checked++;
		}
		buf[i] ^= 0x01;
	}
	CHECK(checked > n / 2);
}

static void selfcert(void)
{
	uint8_t buf[512], key[32] = { 1 }, pk2[32], sk2[64];
	struct nip_pkt p;
	int n = make(buf, sizeof(buf), key);

	CHECK_EQ(nip_pkt_parse(&p, buf, (size_t)n), 0);
	CHECK(nip_addr_is_selfcert(p.src, p.src_len, pk));
	crypto_sign_keypair(pk2, sk2);
	CHECK(!nip_addr_is_selfcert(p.src, p.src_len, pk2));
	CHECK(!nip_addr_is_selfcert(p.dst, 4, pk));
	/* a valid signature by another key does not prove ownership of the source */
	memcpy(buf + p.sig_off + 3, pk2, 32);
	CHECK_EQ(nip_sec_sign(buf, (size_t)n, sk2), 0);
	CHECK_EQ(nip_pkt_parse(&p, buf, (size_t)n), 0);
	CHECK_EQ(nip_sec_verify(&p), NIP_E_AUTH);
	/* and signing with a key the element does not name is refused */
	CHECK_EQ(nip_sec_sign(buf, (size_t)n, sk), NIP_E_INVAL);
	struct nip_addr a;
	CHECK_EQ(nip_addr_selfcert(&a, buf, 17, pk), NIP_E_ADDR_LEN);
}

static void absent(void)
{
	uint8_t buf[64], key[32] = { 0 };
	struct nip_hdr h = { .hop_limit = 1 };
	struct nip_writer w;
	struct nip_pkt p;

	nip_addr_parse(&h.dst, "x01");
	nip_addr_parse(&h.src, "x02");
	nip_w_init(&w, buf, sizeof(buf), &h);
	int n = nip_w_finish(&w, NULL, 0);
	CHECK_EQ(nip_pkt_parse(&p, buf, (size_t)n), 0);
	CHECK_EQ(nip_sec_auth_verify(&p, key), NIP_E_NOTFOUND);
	CHECK_EQ(nip_sec_verify(&p), NIP_E_NOTFOUND);
	CHECK_EQ(nip_sec_auth_sign(buf, (size_t)n, key), NIP_E_NOTFOUND);
}

static void init(void)
{
	CHECK_EQ(nip_crypto_init(), 0);
}

RUN_TESTS(T(init), T(auth_and_sig), T(mutable_fields), T(every_octet_covered), T(selfcert),
	  T(absent))
