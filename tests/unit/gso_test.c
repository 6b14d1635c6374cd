/* The TUN gateway's TCP segmentation (gateway/gso.c): super-packets of IPv4 and IPv6 cut into
 * segments whose headers, sequence numbers, flags and checksums are those the kernel would
 * have sent, and whose payloads put back together are the original; partial checksums. */
#include <arpa/inet.h>

#include "../../gateway/gso.h"
#include "../../lib/bytes.h"
#include "harness.h"
#include "newip/newip.h"

static uint8_t sp[70000], seg[2048], whole[70000];

/* A TCP super-packet: IP header (v4: ID 0x1234), TCP header of 32 (12 option octets), seq
 * 1000, flags CWR|PSH|FIN|ACK, payload of n octets. Returns its length; *ihl the IP header's. */
static size_t super(int v6, size_t n, size_t *ihl)
{
	*ihl = v6 ? 40 : 20;
	uint8_t *t = sp + *ihl;
	size_t len = *ihl + 32 + n;

	memset(sp, 0, *ihl + 32);
	if (v6) {
		sp[0] = 0x60, sp[6] = 6, sp[7] = 64;
		put16(sp + 4, (uint16_t)(32 + n)); /* what the kernel leaves there does not matter */
		inet_pton(AF_INET6, "2001:db8:1::2", sp + 8);
		inet_pton(AF_INET6, "2001:db8:2::2", sp + 24);
	} else {
		sp[0] = 0x45, sp[8] = 64, sp[9] = 6;
		put16(sp + 2, (uint16_t)len), put16(sp + 4, 0x1234), put16(sp + 6, 0x4000);
		inet_pton(AF_INET, "10.1.0.2", sp + 12);
		inet_pton(AF_INET, "10.2.0.2", sp + 16);
	}
	put16(t, 40000), put16(t + 2, 5201), put32(t + 4, 1000);
	t[12] = 8 << 4, t[13] = 0x80 | 0x08 | 0x10 | 0x01;
	t[20] = 1, t[21] = 1, t[22] = 8, t[23] = 10; /* NOP NOP timestamps */
	for (size_t i = 0; i < n; i++)
		sp[*ihl + 32 + i] = (uint8_t)(i * 7 + i / 251);
	return len;
}

static bool tcp_csum_ok(const uint8_t *p, size_t len, size_t ihl)
{
	size_t al = ihl == 40 ? 16 : 4, tl = len - ihl;
	uint8_t t[8] = { 0, 0, (uint8_t)(tl >> 8), (uint8_t)tl, 0, 0, 0, 6 };
	uint32_t s = nip_csum_add(nip_csum_add(0, p + (ihl == 40 ? 8 : 12), 2 * al), t, 8);

	return nip_csum_fold(nip_csum_add(s, p + ihl, tl)) == 0;
}

static void cut(int v6, size_t n, uint16_t mss)
{
	struct gso_info g = { .needs_csum = 1, .tcp = 1, .gso_size = mss };
	struct gso_cut c;
	size_t ihl, len = super(v6, n, &ihl), h = ihl + 32, got = 0;
	int segs = gso_count(&g, sp, len, &c);

	CHECK_EQ(segs, (int)((n + mss - 1) / mss));
	for (int i = 0; i < segs; i++) {
		int m = gso_segment(&c, sp, len, (unsigned)i, seg, sizeof(seg));
		size_t chunk = i + 1 < segs ? mss : n - (size_t)i * mss;
		CHECK_EQ(m, (int)(h + chunk));
		if (v6) {
			CHECK_EQ(get16(seg + 4), 32 + chunk);
		} else {
			CHECK_EQ(get16(seg + 2), h + chunk);
			CHECK_EQ(get16(seg + 4), 0x1234 + i); /* IDs count up, as the kernel's do */
			CHECK_EQ(nip_inet_csum(seg, 20), 0);
		}
		CHECK_EQ(get32(seg + ihl + 4), 1000u + (uint32_t)(i * mss));
		uint8_t f = seg[ihl + 13];
		CHECK_EQ(!!(f & 0x80), i == 0);	       /* CWR: the first only */
		CHECK_EQ(!!(f & 0x09), i == segs - 1); /* FIN, PSH: the last only */
		CHECK(f & 0x10);		       /* ACK on all */
		CHECK(memcmp(seg + ihl + 20, sp + ihl + 20, 12) == 0); /* options on every one */
		CHECK(tcp_csum_ok(seg, (size_t)m, ihl));
		memcpy(whole + got, seg + h, chunk);
		got += chunk;
	}
	CHECK_EQ(got, n);
	CHECK(memcmp(whole, sp + h, n) == 0);
	CHECK_EQ(gso_segment(&c, sp, len, (unsigned)segs, seg, sizeof(seg)), -1);
	CHECK_EQ(gso_segment(&c, sp, len, 0, seg, h + mss - 1), n >= mss ? -1 : (int)(h + n));
}

static void segments(void)
{
	for (int v6 = 0; v6 < 2; v6++) {
		cut(v6, 5000, 1428); /* 3 full and a short one */
		cut(v6, 2856, 1428); /* exactly 2 */
		cut(v6, 100, 1428);  /* one short */
		cut(v6, 65000, 1400);
	}
}

static void refused(void)
{
	struct gso_info g = { .tcp = 1, .gso_size = 1400 };
	struct gso_cut c;
	size_t ihl, len = super(0, 3000, &ihl);

	CHECK_EQ(gso_count(&g, sp, 30, &c), -1); /* the TCP header is not all there */
	sp[9] = 17;
	CHECK_EQ(gso_count(&g, sp, len, &c), -1); /* not TCP */
	sp[9] = 6;
	sp[ihl + 12] = 15 << 4; /* a TCP header longer than the packet */
	CHECK_EQ(gso_count(&g, sp, 60, &c), -1);
	sp[ihl + 12] = 8 << 4;
	g.gso_size = 0;
	CHECK_EQ(gso_count(&g, sp, len, &c), -1);
	g.tcp = 0; /* not a super-packet: one, as it is */
	CHECK_EQ(gso_count(&g, sp, len, &c), 1);
}

/* A UDP datagram whose checksum the kernel left as the pseudo-header's sum. */
static void partial_csum(void)
{
	uint8_t p[28 + 40] = { 0x45, 0, 0, 68, 0, 0, 0x40, 0, 64, 17, 0, 0, 10, 1, 0, 2, 10, 2, 0, 2,
			       0x9c, 0x40, 0x14, 0x51, 0, 48 };
	struct gso_info g = { .needs_csum = 1, .csum_start = 20, .csum_offset = 6 };
	uint8_t t[8] = { 0, 0, 0, 48, 0, 0, 0, 17 };

	for (int i = 28; i < 68; i++)
		p[i] = (uint8_t)i;
	uint32_t ps = nip_csum_add(nip_csum_add(0, p + 12, 8), t, 8);
	put16(p + 26, (uint16_t)~nip_csum_fold(ps)); /* partial: the sum, not its complement */
	CHECK_EQ(gso_csum(&g, p, sizeof(p)), 0);
	CHECK_EQ(nip_csum_fold(nip_csum_add(ps, p + 20, 48)), 0);
	g.csum_start = 67;
	CHECK_EQ(gso_csum(&g, p, sizeof(p)), -1); /* the field would lie past the end */
}

RUN_TESTS(T(segments), T(refused), T(partial_csum))
