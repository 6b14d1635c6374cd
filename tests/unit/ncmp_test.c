/* NCMP messages: every type encodes, decodes and verifies (docs/spec.md §6). */
#include "harness.h"
#include "newip/newip.h"

static struct nip_hdr hdr(void)
{
	struct nip_hdr h = { .hop_limit = 64 };

	nip_addr_parse(&h.dst, "x0a01");
	nip_addr_parse(&h.src, "10.1.2.3");
	return h;
}

static void each_type(void)
{
	static const uint8_t types[] = { 1, 2, 3, 4, 5, 128, 129, 130, 131 };
	uint8_t buf[2048], body[64];
	struct nip_hdr h = hdr();
	struct nip_pkt p;
	struct nip_ncmp m;

	for (size_t i = 0; i < sizeof(body); i++)
		body[i] = (uint8_t)i;
	for (size_t i = 0; i < sizeof(types); i++) {
		int n = nip_ncmp_build(buf, sizeof(buf), &h, types[i], 3, 0x01020304u + i, body,
				       sizeof(body));
		CHECK(n > 0);
		CHECK_EQ(nip_pkt_parse(&p, buf, (size_t)n), 0);
		CHECK_EQ(p.next_hdr, NIP_PROTO_NCMP);
		CHECK_EQ(nip_ncmp_parse(&m, &p), 0);
		CHECK_EQ(m.type, types[i]);
		CHECK_EQ(m.code, 3);
		CHECK_EQ(m.param, 0x01020304u + i);
		CHECK_EQ(m.body_len, sizeof(body));
		CHECK(memcmp(m.body, body, sizeof(body)) == 0);
		CHECK(strcmp(nip_ncmp_type_name(types[i]), "unknown") != 0);
		/* any flipped bit in the message breaks the checksum */
		for (int k = 0; k < n - p.hdr_len; k++) {
			buf[p.hdr_len + k] ^= 0x10;
			CHECK_EQ(nip_ncmp_parse(&m, &p), NIP_E_CHECKSUM);
			buf[p.hdr_len + k] ^= 0x10;
		}
	}
}

/* Errors quote at most what fits in 1280 octets; echo data is never cut. */
static void error_truncation(void)
{
	static uint8_t big[3000], buf[4096];
	struct nip_hdr h = hdr();
	struct nip_pkt p;
	struct nip_ncmp m;

	int n = nip_ncmp_build(buf, sizeof(buf), &h, NCMP_TOO_BIG, 0, 1400, big, sizeof(big));
	CHECK_EQ(n, NIP_MIN_MTU);
	CHECK_EQ(nip_pkt_parse(&p, buf, (size_t)n), 0);
	CHECK_EQ(nip_ncmp_parse(&m, &p), 0);
	CHECK_EQ(m.param, 1400);
	n = nip_ncmp_build(buf, sizeof(buf), &h, NCMP_ECHO_REQUEST, 0, nip_echo_param(7, 9), big,
			   sizeof(big));
	CHECK_EQ(n, 12 + 2 + 4 + 8 + 3000);
	CHECK_EQ(nip_ncmp_build(buf, 100, &h, NCMP_ECHO_REQUEST, 0, 0, big, sizeof(big)),
		 NIP_E_NOSPACE);
}

static void short_or_foreign(void)
{
	uint8_t buf[64];
	struct nip_hdr h = hdr();
	struct nip_writer w;
	struct nip_pkt p;
	struct nip_ncmp m;

	h.next_hdr = NIP_PROTO_NCMP;
	nip_w_init(&w, buf, sizeof(buf), &h);
	int n = nip_w_finish(&w, "1234567", 7);
	CHECK_EQ(nip_pkt_parse(&p, buf, (size_t)n), 0);
	CHECK_EQ(nip_ncmp_parse(&m, &p), NIP_E_TRUNCATED);
	h.next_hdr = 17;
	nip_w_init(&w, buf, sizeof(buf), &h);
	n = nip_w_finish(&w, "12345678", 8);
	CHECK_EQ(nip_pkt_parse(&p, buf, (size_t)n), 0);
	CHECK_EQ(nip_ncmp_parse(&m, &p), NIP_E_INVAL);
}

static void shutoff_bodies(void)
{
	uint8_t body[NCMP_SHUTOFF_BODY], buf[256];
	struct nip_shutoff_req r = { .duration_s = 600, .digest_alg = 1 }, back;
	struct nip_hdr h = hdr();
	struct nip_pkt p;
	struct nip_ncmp m;

	for (int i = 0; i < NIP_DIGEST_LEN; i++)
		r.digest[i] = (uint8_t)(0xa0 + i);
	CHECK_EQ(nip_shutoff_req_encode(body, &r), NCMP_SHUTOFF_BODY);
	int n = nip_ncmp_build(buf, sizeof(buf), &h, NCMP_SHUTOFF_REQUEST, 0, 77, body,
			       sizeof(body));
	CHECK_EQ(nip_pkt_parse(&p, buf, (size_t)n), 0);
	CHECK_EQ(nip_ncmp_parse(&m, &p), 0);
	CHECK_EQ(nip_shutoff_req_decode(&back, &m), 0);
	CHECK_EQ(back.duration_s, 600);
	CHECK(memcmp(back.digest, r.digest, NIP_DIGEST_LEN) == 0);
	r.duration_s = 0;
	CHECK_EQ(nip_shutoff_req_encode(body, &r), NIP_E_INVAL);
	r.duration_s = NCMP_SHUTOFF_MAX_S + 1;
	CHECK_EQ(nip_shutoff_req_encode(body, &r), NIP_E_INVAL);

	uint8_t ack[4] = { 0x01, 0x2c, 0, 0 };
	uint16_t granted;
	n = nip_ncmp_build(buf, sizeof(buf), &h, NCMP_SHUTOFF_ACK, NCMP_SHUTOFF_INSTALLED, 77, ack,
			   4);
	CHECK_EQ(nip_pkt_parse(&p, buf, (size_t)n), 0);
	CHECK_EQ(nip_ncmp_parse(&m, &p), 0);
	CHECK_EQ(nip_shutoff_ack_decode(&granted, &m), 0);
	CHECK_EQ(granted, 300);
	CHECK_EQ(nip_shutoff_req_decode(&back, &m), NIP_E_INVAL);
}

RUN_TESTS(T(each_type), T(error_truncation), T(short_or_foreign), T(shutoff_bodies))
