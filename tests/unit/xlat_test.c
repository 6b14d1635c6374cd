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
	int m = xlat_to_nip(&cx, in, n, nip, sizeof(nip), &fl);
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
		CHECK(xlat_to_nip(&cx, in, cut, nip, sizeof(nip), &fl) < 0);
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
	int m = xlat_to_nip(&cx, in, n, nip, sizeof(nip), &fl);
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
	CHECK_EQ(xlat_to_nip(&cx, in, n, nip, sizeof(nip), &fl), XLAT_E_BAD_IP);
	in[10] ^= 1;
	put16(in + 6, 0x2000); /* MF: a fragment */
	put16(in + 10, 0);
	put16(in + 10, nip_inet_csum(in, 20));
	CHECK_EQ(xlat_to_nip(&cx, in, n, nip, sizeof(nip), &fl), XLAT_E_FRAGMENT);
	in[0] = 0x35;
	CHECK_EQ(xlat_to_nip(&cx, in, n, nip, sizeof(nip), &fl), XLAT_E_NOT_IP);
}

static void echo_both_ways(void)
{
	uint8_t e6[16] = { 128, 0, 0, 0, 0x12, 0x34, 0, 7, 'd', 'a', 't', 'a' };
	struct nip_pkt v;
	struct xlat_ctx cx = { 0 };
	unsigned fl;

	size_t n = ip6(in, "2001:db8:1::2", "2001:db8:2::2", 58, e6, sizeof(e6));
	csum6(in, 2);
	int m = xlat_to_nip(&cx, in, n, nip, sizeof(nip), &fl);
	CHECK_EQ(nip_pkt_parse(&v, nip, (size_t)m), 0);
	CHECK_EQ(v.next_hdr, NIP_PROTO_NCMP);
	CHECK_EQ(v.payload[0], NCMP_ECHO_REQUEST);
	CHECK_EQ(nip_l4_csum_check(&v), 0);
	CHECK_EQ(to_ip(&cx, nip, (size_t)m, back, sizeof(back)), (int)n);
	CHECK(memcmp(back, in, n) == 0);

	uint8_t e4[16] = { 8, 0, 0, 0, 0x12, 0x34, 0, 7, 'd', 'a', 't', 'a' };
	put16(e4 + 2, nip_inet_csum(e4, sizeof(e4)));
	n = ip4(in, "10.1.0.2", "10.2.0.2", 1, e4, sizeof(e4));
	m = xlat_to_nip(&cx, in, n, nip, sizeof(nip), &fl);
	CHECK_EQ(nip_pkt_parse(&v, nip, (size_t)m), 0);
	CHECK_EQ(v.payload[0], NCMP_ECHO_REQUEST);
	CHECK_EQ(get32(v.payload + 4), 0x12340007u);
	CHECK_EQ(nip_l4_csum_check(&v), 0); /* now over the pseudo-header, as NCMP's is */
	CHECK_EQ(to_ip(&cx, nip, (size_t)m, back, sizeof(back)), (int)n);
	CHECK(memcmp(back, in, n) == 0);
	e4[2] ^= 1; /* a bad ICMP checksum is not laundered into a good NCMP one */
	n = ip4(in, "10.1.0.2", "10.2.0.2", 1, e4, sizeof(e4));
	CHECK_EQ(xlat_to_nip(&cx, in, n, nip, sizeof(nip), &fl), XLAT_E_ICMP);
}

/* A New IP packet of protocol nh from src to dst carrying p[0..n), its checksum filled. */
static int nip_build(uint8_t *b, uint8_t nh, const struct nip_addr *src,
		     const struct nip_addr *dst, const uint8_t *p, size_t n)
{
	struct nip_hdr h = { .next_hdr = nh, .hop_limit = 64, .src = *src, .dst = *dst };
	struct nip_writer w;

	nip_w_init(&w, b, 4096, &h);
	int m = nip_w_finish(&w, p, n);
	CHECK_EQ(nip_l4_csum_fill(b, (size_t)m), 0);
	return m;
}

/* An NCMP error from a router that has only a 2-octet address, about an IPv6 TCP segment. */
static int ncmp_error(uint8_t *b, uint8_t type, uint32_t param, const uint8_t *invoking, size_t n)
{
	uint8_t body[1400] = { type, 0, 0, 0 };
	struct nip_addr src, dst = { .len = 16 };

	nip_addr_parse(&src, "x0a02");
	memcpy(dst.b, in + 8, 16); /* back to the invoking packet's source */
	put32(body + 4, param);
	memcpy(body + 8, invoking, n);
	return nip_build(b, NIP_PROTO_NCMP, &src, &dst, body, 8 + n);
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
	int q = xlat_to_nip(&cx, in, n, nip, sizeof(nip), &fl); /* the packet as the router saw it */
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
	int r = xlat_to_nip(&cx, back, (size_t)k, in, sizeof(in), &fl);
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
	CHECK_EQ(xlat_to_nip(&cx, in, n, nip, sizeof(nip), &fl), XLAT_E_NEXT_HDR);
	size_t r = xlat_ip_refusal(&cx, in, n, out, sizeof(out));
	CHECK_EQ(r, 48 + n);
	CHECK(out[40] == 4 && out[41] == 1 && get32(out + 44) == 6);
	CHECK(memcmp(out + 24, in + 8, 16) == 0); /* to the sender */
	n = ip4(in, "10.1.0.2", "10.2.0.2", 253, hbh, 8);
	CHECK_EQ(xlat_to_nip(&cx, in, n, nip, sizeof(nip), &fl), XLAT_E_NEXT_HDR);
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
		struct xlat_ctx cx = { 0 };
		struct nip_pkt v;
		unsigned fl;
		uint8_t *o = tcp + 20;
		if (nop)
			*o++ = 1;
		o[0] = 2, o[1] = 4, o[2] = 0x05, o[3] = 0xb4; /* 1460 */
		size_t n = ip6(in, "2001:db8:1::2", "2001:db8:2::2", 6, tcp, sizeof(tcp));
		csum6(in, 16);
		int m = xlat_to_nip(&cx, in, n, nip, sizeof(nip), &fl);
		CHECK_EQ(nip_pkt_parse(&v, nip, (size_t)m), 0);
		CHECK_EQ(get16(v.payload + 22 + nop), XLAT_MSS6);
		CHECK_EQ(nip_l4_csum_check(&v), 0);
	}
}

/* --- mapped prefixes (§12.4) ------------------------------------------------------------------ */

static void add_map(struct xlat_ctx *cx, const char *nipp, const char *ip6p)
{
	struct xlat_map *m = &cx->map[cx->n_map++];

	CHECK_EQ(nip_prefix_parse(&m->nip, nipp), 0);
	CHECK_EQ(nip_prefix_parse(&m->ip6, ip6p), 0);
	CHECK(xlat_map_check(m) == NULL);
}

/* Whether an IPv6 packet's transport checksum (at offset f) verifies. */
static bool csum6_ok(const uint8_t *b)
{
	size_t n = get16(b + 4);
	uint8_t t[8] = { 0, 0, (uint8_t)(n >> 8), (uint8_t)n, 0, 0, 0, b[6] };

	return nip_csum_fold(nip_csum_add(nip_csum_add(nip_csum_add(0, b + 8, 32), t, 8), b + 40,
					  n)) == 0;
}

/* A New IP UDP packet src -> dst (text addresses) carrying p[0..n), checksum filled. */
static int nip_udp(uint8_t *b, const char *src, const char *dst, const uint8_t *p, size_t n)
{
	struct nip_addr s, d;

	CHECK_EQ(nip_addr_parse(&s, src), 0);
	CHECK_EQ(nip_addr_parse(&d, dst), 0);
	return nip_build(b, NIP_PROTO_UDP, &s, &d, p, n);
}

/* An IPv6 host and IoT hosts of 2 and 3 octets: addresses rewritten, checksums fixed
 * incrementally (odd lengths padded), byte-for-byte round trips, replies mapped back. */
static void map_iot(void)
{
	static const struct { const char *ip6, *nip; } host[] = {
		{ "2001:db8:ee::1", "x0b01" }, { "2001:db8:ee::ff", "x0bff" },
		{ "2001:db8:ed::102", "x0c01.02" }, { "2001:db8:ed::ffff", "x0cff.ff" },
	};
	struct xlat_ctx cx = { 0 };
	struct nip_addr want;
	struct nip_pkt v;
	unsigned fl;

	add_map(&cx, "x0b00/8", "2001:db8:ee::/104");
	add_map(&cx, "x0c0000/8", "2001:db8:ed::/96");
	for (unsigned h = 0; h < 4; h++) {
		for (uint8_t nh = 6; nh <= 17; nh += 11) {
			uint8_t l4[40] = { 0x30, 0x39, 0x1b, 0x58, 0, 0, 0, 1, 0, 0, 0, 0, 0x50, 0x10 };
			for (unsigned i = 20; i < sizeof(l4); i++)
				l4[i] = (uint8_t)(i * 37 + h);
			if (nh == 17)
				put16(l4 + 4, sizeof(l4));
			size_t n = ip6(in, "2001:db8:1::2", host[h].ip6, nh, l4, sizeof(l4));
			csum6(in, nh == 6 ? 16 : 6);
			int m = xlat_to_nip(&cx, in, n, nip, sizeof(nip), &fl);
			CHECK_EQ(nip_addr_parse(&want, host[h].nip), 0);
			CHECK_EQ(m, (int)(n - 40 + 12 + want.len + 16));
			CHECK_EQ(nip_pkt_parse(&v, nip, (size_t)m), 0);
			CHECK(v.dst_len == want.len && memcmp(v.dst, want.b, want.len) == 0);
			CHECK(v.src_len == 16 && memcmp(v.src, in + 8, 16) == 0);
			CHECK_EQ(nip_l4_csum_check(&v), 0); /* fixed, not recomputed: RFC 1624 */
			CHECK_EQ(to_ip(&cx, nip, (size_t)m, back, sizeof(back)), (int)n);
			CHECK(memcmp(back, in, n) == 0);
		}
		/* The IoT host's reply comes back from its mapped address, checksum valid. */
		uint8_t udp[24] = { 0x1b, 0x58, 0x30, 0x39, 0, 24, 0, 0, 'r', 'e', 'p', 'l', 'y' };
		int m = nip_udp(nip, host[h].nip, "2001:db8:1::2", udp, sizeof(udp));
		int k = to_ip(&cx, nip, (size_t)m, back, sizeof(back));
		CHECK_EQ(k, 40 + 24);
		CHECK_EQ(inet_pton(AF_INET6, host[h].ip6, in), 1);
		CHECK(memcmp(back + 8, in, 16) == 0);
		CHECK(csum6_ok(back));
	}
	/* UDP without a checksum stays without one. */
	uint8_t udp0[12] = { 0x30, 0x39, 0, 7, 0, 12, 0, 0 };
	size_t n = ip6(in, "2001:db8:1::2", "2001:db8:ee::1", 17, udp0, sizeof(udp0));
	int m = xlat_to_nip(&cx, in, n, nip, sizeof(nip), &fl);
	CHECK_EQ(get16(nip + 30 + 6), 0);
	/* Inside a mapped prefix but not a mapped address (bits that must be zero are not): the
	 * address stays 16 octets. */
	n = ip6(in, "2001:db8:1::2", "2001:db8:ee::1:1", 17, udp0, sizeof(udp0));
	m = xlat_to_nip(&cx, in, n, nip, sizeof(nip), &fl);
	CHECK_EQ(m, (int)n + 4);
	/* An IP host may not speak for a New IP host: any source inside a mapped prefix. */
	n = ip6(in, "2001:db8:ee::5", "2001:db8:2::2", 17, udp0, sizeof(udp0));
	CHECK_EQ(xlat_to_nip(&cx, in, n, nip, sizeof(nip), &fl), XLAT_E_SPOOF);
	n = ip6(in, "2001:db8:ee::5:5", "2001:db8:2::2", 17, udp0, sizeof(udp0));
	CHECK_EQ(xlat_to_nip(&cx, in, n, nip, sizeof(nip), &fl), XLAT_E_SPOOF);
	/* A New IP address no map covers cannot be written as IPv6. */
	m = nip_udp(nip, "x0d01", "2001:db8:1::2", udp0, 8);
	CHECK_EQ(to_ip(&cx, nip, (size_t)m, back, sizeof(back)), XLAT_E_ADDR);
}

/* Errors about mapped packets: echoes, the quoted packet mapped both ways, MTUs by d (a
 * 2-octet host's header is 10 octets smaller than IPv6's), a mapped router names itself. */
static void map_errors(void)
{
	uint8_t e6[16] = { 128, 0, 0, 0, 0x12, 0x34, 0, 7, 'd', 'a', 't', 'a' };
	struct xlat_ctx cx = { .has_v6 = true };
	struct nip_pkt v;
	unsigned fl;

	inet_pton(AF_INET6, "2001:db8:ff::1", cx.v6);
	add_map(&cx, "x0b00/8", "2001:db8:ee::/104");
	size_t n = ip6(in, "2001:db8:1::2", "2001:db8:ee::1", 58, e6, sizeof(e6));
	csum6(in, 2);
	int m = xlat_to_nip(&cx, in, n, nip, sizeof(nip), &fl);
	CHECK_EQ(nip_pkt_parse(&v, nip, (size_t)m), 0);
	CHECK(v.next_hdr == NIP_PROTO_NCMP && v.dst_len == 2 && v.dst[1] == 1);
	CHECK_EQ(nip_l4_csum_check(&v), 0);
	CHECK_EQ(to_ip(&cx, nip, (size_t)m, back, sizeof(back)), (int)n);
	CHECK(memcmp(back, in, n) == 0);

	uint8_t udp[20] = { 0x30, 0x39, 0, 7, 0, 20 };
	n = ip6(in, "2001:db8:1::2", "2001:db8:ee::1", 17, udp, sizeof(udp));
	csum6(in, 6);
	int q = xlat_to_nip(&cx, in, n, nip, sizeof(nip), &fl);
	uint8_t quoted[256];
	memcpy(quoted, nip, (size_t)q);
	m = ncmp_error(nip, NCMP_TOO_BIG, 1200, quoted, (size_t)q); /* from x0a02, unmapped */
	int k = to_ip(&cx, nip, (size_t)m, back, sizeof(back));
	CHECK_EQ(k, 48 + (int)n);
	CHECK(memcmp(back + 8, cx.v6, 16) == 0);
	CHECK_EQ(get32(back + 44), 1210u); /* 1210 octets of IPv6 are 1200 of New IP */
	CHECK(memcmp(back + 48, in, n) == 0); /* as the host sent it: address and checksum */
	CHECK(csum6_ok(back));
	int r = xlat_to_nip(&cx, back, (size_t)k, in, sizeof(in), &fl);
	CHECK_EQ(nip_pkt_parse(&v, in, (size_t)r), 0);
	CHECK_EQ(get32(v.payload + 4), 1200u);
	CHECK(memcmp(v.payload + 8, quoted, (size_t)q) == 0);
	CHECK_EQ(nip_l4_csum_check(&v), 0);
	/* A router inside the map answers under its own mapped address, not the gateway's. */
	m = ncmp_error(nip, NCMP_UNREACH, 0, quoted, (size_t)q);
	nip[28] = 0x0b, nip[29] = 0x05; /* the source: x0a02 -> x0b05 */
	CHECK_EQ(nip_l4_csum_fill(nip, (size_t)m), 0);
	k = to_ip(&cx, nip, (size_t)m, back, sizeof(back));
	CHECK(k > 0);
	CHECK_EQ(inet_pton(AF_INET6, "2001:db8:ee::5", in), 1);
	CHECK(memcmp(back + 8, in, 16) == 0);
	CHECK(csum6_ok(back));
}

/* A self-certifying 32-octet host mapped alone (/256 to /128): a 60-octet New IP header, so
 * the MSS clamp is 1280 - 60 - 20 = 1200; map checks and overlaps. */
static void map_selfcert(void)
{
	uint8_t tcp[24] = { 0x30, 0x39, 0, 22, 0, 0, 0, 1, 0, 0, 0, 0, 0x60, 0x02, 0, 0, 0, 0, 0, 0,
			    2, 4, 0x05, 0xb4 };
	const char *sc = "x2001.0db8.0000.0000.0000.0000.0000.0001.1122.3344.5566.7788.99aa.bbcc"
			 ".ddee.ff00";
	struct xlat_ctx cx = { 0 };
	struct nip_pkt v;
	unsigned fl;
	char p[200];

	snprintf(p, sizeof(p), "%s/256", sc);
	add_map(&cx, p, "2001:db8:ee::100/128");
	size_t n = ip6(in, "2001:db8:1::2", "2001:db8:ee::100", 6, tcp, sizeof(tcp));
	csum6(in, 16);
	int m = xlat_to_nip(&cx, in, n, nip, sizeof(nip), &fl);
	CHECK_EQ(m, (int)n + 20);
	CHECK_EQ(nip_pkt_parse(&v, nip, (size_t)m), 0);
	CHECK_EQ(v.dst_len, 32);
	CHECK_EQ(get16(v.payload + 22), 1200);
	CHECK_EQ(nip_l4_csum_check(&v), 0);
	CHECK_EQ(to_ip(&cx, nip, (size_t)m, back, sizeof(back)), (int)n);
	CHECK(csum6_ok(back));
	CHECK(memcmp(back + 24, in + 24, 16) == 0);

	struct xlat_map bad;
	nip_prefix_parse(&bad.nip, "10.0.0.0/8"); /* IPv4: an IP address already */
	nip_prefix_parse(&bad.ip6, "2001:db8:ee::/104");
	CHECK(xlat_map_check(&bad) != NULL);
	nip_prefix_parse(&bad.nip, "x0b00/4"); /* 12 host bits into 8 */
	nip_prefix_parse(&bad.ip6, "2001:db8:ee::/120");
	CHECK(xlat_map_check(&bad) != NULL);
	nip_prefix_parse(&bad.ip6, "2001:db8:ee::/116");
	CHECK(xlat_map_check(&bad) == NULL);
	CHECK(xlat_map_overlap(&bad, &cx.map[0])); /* 2001:db8:ee::100 lies in ::/116 */
	nip_prefix_parse(&bad.ip6, "2001:db8:ef::/116");
	CHECK(!xlat_map_overlap(&bad, &cx.map[0]));
	struct xlat_map b2 = bad;
	nip_prefix_parse(&b2.nip, "x0b80/9");
	nip_prefix_parse(&b2.ip6, "2001:db8:ec::/116");
	CHECK(xlat_map_overlap(&bad, &b2)); /* x0b80/9 lies in x0b00/4 */
}

RUN_TESTS(T(udp6_roundtrip), T(udp4_roundtrip), T(echo_both_ways), T(errors_and_mtu),
	  T(refusals), T(mss_clamp), T(map_iot), T(map_errors), T(map_selfcert))
