/* The IP gateway's translation (docs/spec.md §12): 1:1 round trips with checksums intact,
 * ICMP <-> NCMP with quoted packets and MTUs, refusals, the IPv6 MSS clamp, truncation. */
#include <arpa/inet.h>

#include "../../gateway/xlat.h"
#include "../../lib/bytes.h"
#include "harness.h"
#include "newip/newip.h"

static uint8_t in[4096], nip[4096], back[4096];

/* An IPv6 packet src -> dst with next header nh and payload p[0..n), Hop Limit 60,
 * Traffic Class 0xb8, Flow Label 0x12345. Returns its length. */
static size_t ip6(uint8_t *b, const char *src, const char *dst, uint8_t nh, const uint8_t *p,
		  size_t n)
{
	b[0] = 0x6b, b[1] = 0x81, b[2] = 0x23, b[3] = 0x45;
	put16(b + 4, (uint16_t)n);
	b[6] = nh, b[7] = 60;
	inet_pton(AF_INET6, src, b + 8);
	inet_pton(AF_INET6, dst, b + 24);
	memcpy(b + 40, p, n);
	return 40 + n;
}

static size_t ip4(uint8_t *b, const char *src, const char *dst, uint8_t proto, const uint8_t *p,
		  size_t n)
{
	memset(b, 0, 20);
	b[0] = 0x45, b[1] = 0xb8;
	put16(b + 2, (uint16_t)(20 + n));
	put16(b + 6, 0x4000);
	b[8] = 60, b[9] = proto;
	inet_pton(AF_INET, src, b + 12);
	inet_pton(AF_INET, dst, b + 16);
	put16(b + 10, nip_inet_csum(b, 20));
	memcpy(b + 20, p, n);
	return 20 + n;
}

/* The data plane parses a packet before it reaches a gateway: so do the tests. */
static int to_ip(const struct xlat_ctx *cx, const uint8_t *b, size_t n, uint8_t *out, size_t cap)
{
	struct nip_pkt v;

	CHECK_EQ(nip_pkt_parse(&v, b, n), 0);
	return xlat_to_ip(cx, &v, out, cap);
}

/* Fill the UDP/TCP/ICMPv6 checksum at field offset f of an IPv6 packet. */
static void csum6(uint8_t *b, size_t f)
{
	size_t n = get16(b + 4);
	uint8_t t[8] = { 0, 0, (uint8_t)(n >> 8), (uint8_t)n, 0, 0, 0, b[6] };
	put16(b + 40 + f, 0);
	uint32_t s = nip_csum_add(nip_csum_add(nip_csum_add(0, b + 8, 32), t, 8), b + 40, n);
	put16(b + 40 + f, nip_csum_fold(s));
}

static void udp6_roundtrip(void)
{
	uint8_t udp[64] = { 0x30, 0x39, 0x00, 0x35, 0, 64 };
	struct nip_pkt v;
	struct xlat_ctx cx = { 0 };
	unsigned fl;

	for (int i = 8; i < 64; i++)
		udp[i] = (uint8_t)i;
	size_t n = ip6(in, "2001:db8:1::2", "2001:db8:2::2", 17, udp, sizeof(udp));
	csum6(in, 6);
	int m = xlat_to_nip(in, n, nip, sizeof(nip), &fl);
	CHECK_EQ(m, (int)n + 4);
	CHECK_EQ(nip_pkt_parse(&v, nip, (size_t)m), 0);
	CHECK_EQ(v.version, 1);
	CHECK_EQ(v.tc, 0xb8);
	CHECK_EQ(v.flow_label, 0x12345u);
	CHECK_EQ(v.hop_limit, 60);
	CHECK_EQ(v.dst_len, 16);
	CHECK(memcmp(v.dst, in + 24, 16) == 0 && memcmp(v.src, in + 8, 16) == 0);
	CHECK_EQ(nip_l4_csum_check(&v), 0); /* the UDP checksum was not touched and verifies */
	CHECK_EQ(to_ip(&cx, nip, (size_t)m, back, sizeof(back)), (int)n);
	CHECK(memcmp(back, in, n) == 0); /* byte for byte */
	for (size_t cut = 0; cut < n; cut++) /* truncated input: refused, never read past */
		CHECK(xlat_to_nip(in, cut, nip, sizeof(nip), &fl) < 0);
}

static void udp4_roundtrip(void)
{
	uint8_t udp[32] = { 0x30, 0x39, 0x00, 0x35, 0, 32 };
	struct nip_pkt v;
	struct xlat_ctx cx = { 0 };
	unsigned fl;
	size_t n = ip4(in, "10.1.0.2", "10.2.0.2", 17, udp, sizeof(udp));
	uint8_t t[8] = { 0, 0, 0, 32, 0, 0, 0, 17 };

	put16(in + 26, nip_csum_fold(nip_csum_add(nip_csum_add(nip_csum_add(0, in + 12, 8), t, 8),
						   in + 20, 32)));
	int m = xlat_to_nip(in, n, nip, sizeof(nip), &fl);
	CHECK_EQ(m, (int)n); /* the same size as IPv4 without options */
	CHECK_EQ(fl, 0u);
	CHECK_EQ(nip_pkt_parse(&v, nip, (size_t)m), 0);
	CHECK_EQ(v.tc, 0xb8);
	CHECK_EQ(v.hop_limit, 60);
	CHECK_EQ(v.dst_len, 4);
	CHECK_EQ(nip_l4_csum_check(&v), 0);
	CHECK_EQ(to_ip(&cx, nip, (size_t)m, back, sizeof(back)), (int)n);
	CHECK(memcmp(back, in, n) == 0); /* DF set, ID 0: as built */
	in[10] ^= 1; /* a bad header checksum */
	CHECK_EQ(xlat_to_nip(in, n, nip, sizeof(nip), &fl), XLAT_E_BAD_IP);
	in[10] ^= 1;
	put16(in + 6, 0x2000); /* MF: a fragment */
	put16(in + 10, 0);
	put16(in + 10, nip_inet_csum(in, 20));
	CHECK_EQ(xlat_to_nip(in, n, nip, sizeof(nip), &fl), XLAT_E_FRAGMENT);
	in[0] = 0x35;
	CHECK_EQ(xlat_to_nip(in, n, nip, sizeof(nip), &fl), XLAT_E_NOT_IP);
}

static void echo_both_ways(void)
{
	uint8_t e6[16] = { 128, 0, 0, 0, 0x12, 0x34, 0, 7, 'd', 'a', 't', 'a' };
	struct nip_pkt v;
	struct xlat_ctx cx = { 0 };
	unsigned fl;

	size_t n = ip6(in, "2001:db8:1::2", "2001:db8:2::2", 58, e6, sizeof(e6));
	csum6(in, 2);
	int m = xlat_to_nip(in, n, nip, sizeof(nip), &fl);
	CHECK_EQ(nip_pkt_parse(&v, nip, (size_t)m), 0);
	CHECK_EQ(v.next_hdr, NIP_PROTO_NCMP);
	CHECK_EQ(v.payload[0], NCMP_ECHO_REQUEST);
	CHECK_EQ(nip_l4_csum_check(&v), 0);
	CHECK_EQ(to_ip(&cx, nip, (size_t)m, back, sizeof(back)), (int)n);
	CHECK(memcmp(back, in, n) == 0);

	uint8_t e4[16] = { 8, 0, 0, 0, 0x12, 0x34, 0, 7, 'd', 'a', 't', 'a' };
	put16(e4 + 2, nip_inet_csum(e4, sizeof(e4)));
	n = ip4(in, "10.1.0.2", "10.2.0.2", 1, e4, sizeof(e4));
	m = xlat_to_nip(in, n, nip, sizeof(nip), &fl);
	CHECK_EQ(nip_pkt_parse(&v, nip, (size_t)m), 0);
	CHECK_EQ(v.payload[0], NCMP_ECHO_REQUEST);
	CHECK_EQ(get32(v.payload + 4), 0x12340007u);
	CHECK_EQ(nip_l4_csum_check(&v), 0); /* now over the pseudo-header, as NCMP's is */
	CHECK_EQ(to_ip(&cx, nip, (size_t)m, back, sizeof(back)), (int)n);
	CHECK(memcmp(back, in, n) == 0);
	e4[2] ^= 1; /* a bad ICMP checksum is not laundered into a good NCMP one */
	n = ip4(in, "10.1.0.2", "10.2.0.2", 1, e4, sizeof(e4));
	CHECK_EQ(xlat_to_nip(in, n, nip, sizeof(nip), &fl), XLAT_E_ICMP);
}

/* An NCMP error from a router that has only a 2-octet address, about an IPv6 TCP segment. */
static int ncmp_error(uint8_t *b, uint8_t type, uint32_t param, const uint8_t *invoking, size_t n)
{
	struct nip_hdr h = { .next_hdr = NIP_PROTO_NCMP, .hop_limit = 64 };
	struct nip_writer w;
	uint8_t body[1400] = { type, 0, 0, 0 };

	nip_addr_parse(&h.src, "x0a02");
	h.dst.len = 16;
	memcpy(h.dst.b, in + 8, 16); /* back to the invoking packet's source */
	put32(body + 4, param);
	memcpy(body + 8, invoking, n);
	nip_w_init(&w, b, 4096, &h);
	int m = nip_w_finish(&w, body, 8 + n);
	nip_l4_csum_fill(b, (size_t)m);
	return m;
}

static void errors_and_mtu(void)
{
	uint8_t tcp[20] = { 0x30, 0x39, 0, 80, 0, 0, 0, 1, 0, 0, 0, 0, 0x50, 0x10 };
	struct xlat_ctx cx = { .has_v6 = true };
	struct nip_pkt v;
	unsigned fl;

	inet_pton(AF_INET6, "2001:db8:ff::1", cx.v6);
	size_t n = ip6(in, "2001:db8:1::2", "2001:db8:2::2", 6, tcp, sizeof(tcp));
	csum6(in, 16);
	int q = xlat_to_nip(in, n, nip, sizeof(nip), &fl); /* the packet as the router saw it */
	uint8_t quoted[256];
	memcpy(quoted, nip, (size_t)q);
	int m = ncmp_error(nip, NCMP_TOO_BIG, 1280, quoted, (size_t)q);
	int k = to_ip(&cx, nip, (size_t)m, back, sizeof(back));
	CHECK_EQ(k, 40 + 8 + (int)n);
	CHECK_EQ(back[6], 58);
	CHECK(memcmp(back + 8, cx.v6, 16) == 0); /* the gateway stands in for x0a02 */
	CHECK_EQ(back[40], 2);			  /* ICMPv6 packet too big */
	CHECK_EQ(get32(back + 44), 1276u);	  /* an IPv6 packet of 1276 is a New IP one of 1280 */
	CHECK(memcmp(back + 48, in, n) == 0);	  /* the quoted packet, as the host sent it */
	uint8_t t[8] = { 0, 0, 0, (uint8_t)(k - 40), 0, 0, 0, 58 };
	CHECK_EQ(nip_csum_fold(nip_csum_add(nip_csum_add(nip_csum_add(0, back + 8, 32), t, 8),
					    back + 40, (size_t)k - 40)), 0);
	/* ... and back: the MTU grows by 4 again, the quote becomes New IP again. */
	int r = xlat_to_nip(back, (size_t)k, in, sizeof(in), &fl);
	CHECK_EQ(nip_pkt_parse(&v, in, (size_t)r), 0);
	CHECK_EQ(v.payload[0], NCMP_TOO_BIG);
	CHECK_EQ(get32(v.payload + 4), 1280u);
	CHECK(memcmp(v.payload + 8, quoted, (size_t)q) == 0);
	CHECK_EQ(nip_l4_csum_check(&v), 0);
	/* Without an IPv6 address of its own the gateway cannot name the hop: not translated. */
	cx.has_v6 = false;
	CHECK_EQ(to_ip(&cx, nip, (size_t)m, back, sizeof(back)), XLAT_E_ADDR);
	/* New IP's own messages have no IP counterpart. */
	m = ncmp_error(nip, NCMP_SHUTOFF_REQUEST, 0, quoted, 20);
	cx.has_v6 = true;
	CHECK_EQ(to_ip(&cx, nip, (size_t)m, back, sizeof(back)), XLAT_E_ICMP);
}

static void refusals(void)
{
	uint8_t hbh[16] = { 17, 0, 1, 4, 0, 0, 0, 0 }, out[1400];
	struct xlat_ctx cx = { .has_v4 = true, .has_v6 = true };
	unsigned fl;

	inet_pton(AF_INET6, "2001:db8:ff::1", cx.v6);
	inet_pton(AF_INET, "10.255.0.1", cx.v4);
	size_t n = ip6(in, "2001:db8:1::2", "2001:db8:2::2", 0, hbh, sizeof(hbh));
	CHECK_EQ(xlat_to_nip(in, n, nip, sizeof(nip), &fl), XLAT_E_NEXT_HDR);
	size_t r = xlat_ip_refusal(&cx, in, n, out, sizeof(out));
	CHECK_EQ(r, 48 + n);
	CHECK(out[40] == 4 && out[41] == 1 && get32(out + 44) == 6);
	CHECK(memcmp(out + 24, in + 8, 16) == 0); /* to the sender */
	n = ip4(in, "10.1.0.2", "10.2.0.2", 253, hbh, 8);
	CHECK_EQ(xlat_to_nip(in, n, nip, sizeof(nip), &fl), XLAT_E_NEXT_HDR);
	r = xlat_ip_refusal(&cx, in, n, out, sizeof(out));
	CHECK(r == 28 + 28 && out[20] == 3 && out[21] == 2);
	CHECK_EQ(nip_inet_csum(out, 20), 0);
	CHECK_EQ(nip_inet_csum(out + 20, r - 20), 0);
	/* Never an error about an error. */
	uint8_t err[8] = { 3, 1 };
	n = ip4(in, "10.1.0.2", "10.2.0.2", 1, err, 8);
	CHECK_EQ(xlat_ip_refusal(&cx, in, n, out, sizeof(out)), 0u);
}

/* A SYN's MSS 1460 becomes 1216 and the TCP checksum still verifies, aligned or not. */
static void mss_clamp(void)
{
	for (int nop = 0; nop < 2; nop++) {
		uint8_t tcp[28] = { 0x30, 0x39, 0, 80, 0, 0, 0, 1, 0, 0, 0, 0, 0x70, 0x02 };
		struct nip_pkt v;
		unsigned fl;
		uint8_t *o = tcp + 20;
		if (nop)
			*o++ = 1;
		o[0] = 2, o[1] = 4, o[2] = 0x05, o[3] = 0xb4; /* 1460 */
		size_t n = ip6(in, "2001:db8:1::2", "2001:db8:2::2", 6, tcp, sizeof(tcp));
		csum6(in, 16);
		int m = xlat_to_nip(in, n, nip, sizeof(nip), &fl);
		CHECK_EQ(nip_pkt_parse(&v, nip, (size_t)m), 0);
		CHECK_EQ(get16(v.payload + 22 + nop), XLAT_MSS6);
		CHECK_EQ(nip_l4_csum_check(&v), 0);
	}
}

RUN_TESTS(T(udp6_roundtrip), T(udp4_roundtrip), T(echo_both_ways), T(errors_and_mtu),
	  T(refusals), T(mss_clamp))
