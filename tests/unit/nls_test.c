/* The NLS codec (docs/spec.md §9): round trips, checksum, bounds, and fuzzer findings. */
#include <sodium.h>

#include "harness.h"
#include "newip/newip.h"

static struct nls_lsa sample(void)
{
	struct nls_lsa l = {
	    .origin = 0x1122334455667788ull, .seq = 7, .age = 5, .n_links = 2, .n_prefixes = 2};

	strcpy(l.name, "r1");
	l.links[0].nbr = 1, l.links[0].metric = 10, l.links[0].latency_us = 250;
	l.links[1].nbr = 2, l.links[1].metric = 65535, l.links[1].latency_us = 0xfedcba98;
	nip_prefix_parse(&l.prefixes[0], "x0a00/16");
	nip_prefix_parse(&l.prefixes[1], "2001:db8::/32");
	return l;
}

static void lsa_roundtrip(void)
{
	struct nls_lsa a = sample(), b;
	uint8_t buf[2048], again[2048];
	int n = nls_lsa_encode(buf, sizeof(buf), &a);

	CHECK_EQ(n, 21 + 2 + 2 * 14 + (3 + 2) + (3 + 16));
	CHECK_EQ(nls_lsa_decode(&b, buf, (size_t)n), n);
	CHECK_EQ(b.origin, a.origin);
	CHECK_EQ(b.seq, 7);
	CHECK_EQ(b.links[1].metric, 65535);
	CHECK_EQ(b.links[0].latency_us, 250); /* the link latency of spec §9 travels */
	CHECK_EQ(b.links[1].latency_us, 0xfedcba98u);
	CHECK_STR(b.name, "r1");
	CHECK_EQ(nls_lsa_encode(again, sizeof(again), &b), n);
	CHECK(memcmp(buf, again, (size_t)n) == 0);
	/* Age is outside the checksum: it changes in transit. */
	nls_lsa_set_age(buf, 99);
	CHECK_EQ(nls_lsa_decode(&b, buf, (size_t)n), n);
	CHECK_EQ(b.age, 99);
	/* every other octet is covered (or its change breaks the lengths) */
	for (int i = 0; i < n; i++) {
		if (i == 12 || i == 13)
			continue;
		buf[i] ^= 0x20;
		CHECK(nls_lsa_decode(&b, buf, (size_t)n) < 0);
		buf[i] ^= 0x20;
	}
	for (int cut = 0; cut < n; cut++)
		CHECK(nls_lsa_decode(&b, buf, (size_t)cut) < 0);
}

static void hello_and_ack(void)
{
	struct nls_hello h = {.hello_ms = 100,
			      .dead_ms = 400,
			      .mtu = 1400,
			      .n = 1,
			      .nbr = {9},
			      .ts_us = 0xfffffff0u,
			      .echo_us = 12345,
			      .echo_delay_us = 678},
			 g;
	struct nls_ack a[2] = {{1, 2}, {3, 4}}, b[2];
	uint8_t buf[256];
	uint64_t rid;
	int n = nls_hello_encode(buf, sizeof(buf), 77, &h);

	CHECK_EQ(nls_parse_hdr(buf, (size_t)n, &rid), NLS_HELLO);
	CHECK_EQ(rid, 77);
	CHECK_EQ(nls_hello_decode(&g, buf, (size_t)n), 0);
	CHECK_EQ(g.mtu, 1400);
	CHECK_EQ(g.nbr[0], 9);
	CHECK_EQ(n, NLS_HDR_LEN + NLS_HELLO_FIXED + 8);
	CHECK_EQ(g.ts_us, 0xfffffff0u); /* the round-trip fields of spec §9 */
	CHECK_EQ(g.echo_us, 12345);
	CHECK_EQ(g.echo_delay_us, 678);
	CHECK_EQ(nls_hello_decode(&g, buf, (size_t)n - 8), NIP_E_BAD_ITEM); /* count disagrees */
	buf[0] = 1; /* NLS version 1 had no latency fields: refused */
	CHECK_EQ(nls_parse_hdr(buf, (size_t)n, &rid), NIP_E_VERSION);
	buf[0] = NLS_VERSION;
	CHECK_EQ(nls_parse_hdr(buf, (size_t)n - 1, &rid), NIP_E_TRUNCATED);
	n = nls_ack_encode(buf, sizeof(buf), 77, a, 2);
	CHECK_EQ(nls_ack_decode(b, 2, buf, (size_t)n), 2);
	CHECK_EQ(b[1].seq, 4);
	CHECK_EQ(nls_ack_decode(b, 1, buf, (size_t)n), NIP_E_BAD_ITEM); /* more than room */
}

/* fuzz_nls found an ACK with a non-zero Reserved octet that decoded and re-encoded
 * differently; a Reserved octet must be zero (spec §9). */
static void finding_ack_reserved(void)
{
	static const uint8_t in[] = {NLS_VERSION, 0x03, 0x00, 0x26, 0,	  0,	0,    0,   0,	 0,
				     0,		  0x2a, 0x02, 0x07, 0,	  0,	0,    0,   0,	 0,
				     0,		  0,	0,    0x1e, 0,	  0,	0,    0,   0xbb, 0,
				     0,		  0,	0x20, 0x20, 0x01, 0x0d, 0x00, 0x01};
	struct nls_ack a[255];
	uint64_t rid;

	CHECK_EQ(nls_parse_hdr(in, sizeof(in), &rid), NLS_ACK);
	CHECK_EQ(nls_ack_decode(a, 255, in, sizeof(in)), NIP_E_RESERVED);
}

/* fuzz_nls found an LSA whose name held a NUL: it decoded as a shorter name and re-encoded
 * differently. Names are printable ASCII (spec §9). */
static void finding_name_nul(void)
{
	struct nls_lsa a = sample(), b;
	uint8_t buf[2048];
	int n = nls_lsa_encode(buf, sizeof(buf), &a);

	buf[22] = 0;		/* "r1" -> "r\0" */
	nls_lsa_seal(buf, (size_t)n); /* so only the name is wrong */
	CHECK_EQ(nls_lsa_decode(&b, buf, (size_t)n), NIP_E_BAD_ITEM);
	strcpy(a.name, "tab\there");
	CHECK_EQ(nls_lsa_encode(buf, sizeof(buf), &a), NIP_E_INVAL);
}

static void router_id(void)
{
	struct nip_addr a, b;

	CHECK_EQ(nip_crypto_init(), 0);
	nip_addr_parse(&a, "x0a01");
	nip_addr_parse(&b, "x0a01.00"); /* a different length is a different node */
	CHECK(nls_router_id(&a) == nls_router_id(&a));
	CHECK(nls_router_id(&a) != nls_router_id(&b));
}

/* The origin's signature trailer (spec §9.1): it decodes, verifies, survives Age changes,
 * and any other change (resealed, so the checksum passes) fails the signature. */
static void lsa_signed(void)
{
	struct nls_lsa a = sample(), b;
	uint8_t buf[2048], pk[32], sk[64];

	CHECK_EQ(nip_crypto_init(), 0);
	crypto_sign_keypair(pk, sk);
	int n = nls_lsa_encode(buf, sizeof(buf), &a);
	CHECK_EQ(nls_lsa_decode(&b, buf, (size_t)n), n);
	CHECK(!b.is_signed);
	CHECK_EQ(nls_lsa_verify(buf, (size_t)n), NIP_E_AUTH); /* no trailer: nothing verifies */
	CHECK_EQ(nls_lsa_sign(buf, (size_t)n + NLS_SIG_LEN - 1, (size_t)n, 1, pk, sk),
		 NIP_E_NOSPACE);
	int m = nls_lsa_sign(buf, sizeof(buf), (size_t)n, 1795000000u, pk, sk);
	CHECK_EQ(m, n + NLS_SIG_LEN);
	CHECK_EQ(nls_lsa_decode(&b, buf, (size_t)m), m);
	CHECK(b.is_signed);
	CHECK_EQ(b.signed_at, 1795000000u);
	CHECK(memcmp(b.origin_pk, pk, 32) == 0);
	CHECK_EQ(b.seq, a.seq);
	CHECK_EQ(nls_lsa_verify(buf, (size_t)m), 0);
	nls_lsa_set_age(buf, 1234); /* Age changes in flight, outside the signature */
	CHECK_EQ(nls_lsa_verify(buf, (size_t)m), 0);
	for (int i = 0; i < m; i++) {
		if (i == 12 || i == 13 || i == 16 || i == 17)
			continue;
		buf[i] ^= 0x01;
		nls_lsa_seal(buf, (size_t)m);
		CHECK_EQ(nls_lsa_verify(buf, (size_t)m), NIP_E_AUTH);
		buf[i] ^= 0x01;
	}
	nls_lsa_seal(buf, (size_t)m);
	CHECK_EQ(nls_lsa_verify(buf, (size_t)m), 0);
	/* An LSA ends at its prefixes or exactly one trailer later: any other excess is malformed.
	 */
	for (int extra = 1; extra < NLS_SIG_LEN + 2; extra++) {
		uint8_t c[2048];
		memcpy(c, buf, (size_t)n);
		memset(c + n, 0, (size_t)extra);
		c[14] = (uint8_t)((n + extra) >> 8), c[15] = (uint8_t)(n + extra);
		nls_lsa_seal(c, (size_t)(n + extra));
		CHECK_EQ(nls_lsa_decode(&b, c, (size_t)(n + extra)),
			 extra == NLS_SIG_LEN ? n + extra : NIP_E_BAD_ITEM);
	}
	/* The Router ID bound to a key: stable, and a different key gives a different one. */
	uint8_t pk2[32], sk2[64];
	crypto_sign_keypair(pk2, sk2);
	CHECK(nls_router_id_key(pk) == nls_router_id_key(pk));
	CHECK(nls_router_id_key(pk) != nls_router_id_key(pk2));
}

RUN_TESTS(T(lsa_roundtrip), T(lsa_signed), T(hello_and_ack), T(finding_ack_reserved),
	  T(finding_name_nul), T(router_id))
