/* Internet checksum (RFC 1071) and the checksum-neutral pseudo-header (docs/spec.md §6.1). */
#include "harness.h"
#include "newip/newip.h"

/* RFC 1071 §3's worked example: 00 01 f2 03 f4 f5 f6 f7 sums to ddf2. */
static void rfc1071_example(void)
{
	static const uint8_t b[] = { 0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7 };

	CHECK_EQ(nip_csum_fold(nip_csum_add(0, b, sizeof(b))), (uint16_t)~0xddf2);
	/* odd length pads with zero: 01 -> 0100 */
	CHECK_EQ(nip_inet_csum("\x01", 1), (uint16_t)~0x0100);
}

/* Split sums (at even boundaries) equal the whole sum. */
static void incremental(void)
{
	uint8_t b[1000];
	uint64_t seed = 5;

	for (size_t i = 0; i < sizeof(b); i++)
		b[i] = (uint8_t)rnd(&seed);
	for (size_t cut = 0; cut < sizeof(b); cut += 2) {
		uint32_t s = nip_csum_add(nip_csum_add(0, b, cut), b + cut, sizeof(b) - cut);
		CHECK_EQ(nip_csum_fold(s), nip_inet_csum(b, sizeof(b)));
	}
}

/* An independent IPv6 pseudo-header (RFC 8200 §8.1), summed byte by byte. */
static uint16_t ipv6_udp_csum(const uint8_t src[16], const uint8_t dst[16], const uint8_t *udp,
			      uint32_t len)
{
	uint8_t ph[40 + 2048] = { 0 };

	memcpy(ph, src, 16);
	memcpy(ph + 16, dst, 16);
	ph[32] = (uint8_t)(len >> 24);
	ph[33] = (uint8_t)(len >> 16);
	ph[34] = (uint8_t)(len >> 8);
	ph[35] = (uint8_t)len;
	ph[39] = 17;
	memcpy(ph + 40, udp, len);
	uint32_t s = 0;
	for (uint32_t i = 0; i < 40 + len; i += 2)
		s += (uint32_t)(ph[i] << 8 | (i + 1 < 40 + len ? ph[i + 1] : 0));
	return nip_csum_fold(s);
}

/* The same UDP datagram over New IP and over IPv6 carries the same checksum (§6.1). */
static void neutral_with_ipv6(void)
{
	uint8_t buf[512], udp[40] = { 0x30, 0x39, 0x19, 0x40, 0, 40, 0, 0 };
	struct nip_hdr h = { .next_hdr = 17, .hop_limit = 9 };
	struct nip_pkt p;

	for (int i = 8; i < 40; i++)
		udp[i] = (uint8_t)(i * 7);
	nip_addr_parse(&h.dst, "2001:db8::2");
	nip_addr_parse(&h.src, "2001:db8:1::99");
	int n = nip_ncmp_build(buf, sizeof(buf), &h, 128, 0, 0, NULL, 0); /* warm-up: NCMP ok */
	CHECK(n > 0);
	struct nip_writer w;
	nip_w_init(&w, buf, sizeof(buf), &h);
	n = nip_w_finish(&w, udp, sizeof(udp));
	CHECK(n > 0);
	CHECK_EQ(nip_l4_csum_fill(buf, (size_t)n), 0);
	CHECK_EQ(nip_pkt_parse(&p, buf, (size_t)n), 0);
	CHECK_EQ(nip_l4_csum_check(&p), 0);
	uint16_t ours = (uint16_t)(p.payload[6] << 8 | p.payload[7]);
	CHECK_EQ(ours, ipv6_udp_csum(h.src.b, h.dst.b, udp, sizeof(udp)));
	buf[n - 1] ^= 1;
	CHECK_EQ(nip_l4_csum_check(&p), NIP_E_CHECKSUM);
}

/* And with IPv4 (RFC 768 pseudo-header: src, dst, zero, proto, length). */
static void neutral_with_ipv4(void)
{
	uint8_t buf[512], udp[11] = { 0x30, 0x39, 0x19, 0x40, 0, 11, 0, 0, 'a', 'b', 'c' };
	struct nip_hdr h = { .next_hdr = 17, .hop_limit = 9 };
	struct nip_writer w;
	struct nip_pkt p;

	nip_addr_parse(&h.dst, "198.51.100.20");
	nip_addr_parse(&h.src, "192.0.2.1");
	nip_w_init(&w, buf, sizeof(buf), &h);
	int n = nip_w_finish(&w, udp, sizeof(udp));
	CHECK_EQ(nip_l4_csum_fill(buf, (size_t)n), 0);
	CHECK_EQ(nip_pkt_parse(&p, buf, (size_t)n), 0);
	uint8_t ph[12 + 11] = { 192, 0, 2, 1, 198, 51, 100, 20, 0, 17, 0, 11 };
	memcpy(ph + 12, udp, 11);
	uint16_t v4 = nip_inet_csum(ph, sizeof(ph));
	CHECK_EQ((uint16_t)(p.payload[6] << 8 | p.payload[7]), v4);
}

RUN_TESTS(T(rfc1071_example), T(incremental), T(neutral_with_ipv6), T(neutral_with_ipv4))
