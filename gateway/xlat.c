/*
 * IPv4/IPv6 <-> New IP, stateless and 1:1 (docs/spec.md §12). Addresses are copied, so UDP
 * and TCP checksums stay valid untouched (§6.1); only ICMP <-> NCMP messages are rewritten,
 * with the invoking packet inside an error translated too, so the host's stack can match it.
 * Mapped prefixes (§12.4) are the one case where an address changes: then the transport
 * checksum is fixed incrementally.
 */
#include <string.h>

#include "../lib/bytes.h"
#include "newip/checksum.h"
#include "newip/packet.h"
#include "xlat.h"

enum {
	P_ICMP = 1,
	P_ICMP6 = 58,
	P_NCMP = 253,
	P_NLS = 254,
	NIP_HL6 = 44, /* New IP header for two 16-octet addresses */
	NIP_HL4 = 20, /* ... for two 4-octet ones: an IPv4 header's size */
	ERR_MAX = 1280, /* an error carries as much of its invoking packet as fits (§6, RFC 4443) */
};

static bool untranslated(uint8_t nh)
{
	switch (nh) {
	case 0: case 43: case 44: case 51: case 60: case 135: case 139: case 140: /* IPv6 ext */
	case P_NCMP: case P_NLS: /* New IP's own: an IP host must not inject them */
		return true;
	}
	return false;
}

/* The one's-complement sum of two addresses as the pseudo-header of §6.1 sums them (each
 * zero-padded to an even length). */
static uint32_t addr_sum(const uint8_t *src, size_t sl, const uint8_t *dst, size_t dl)
{
	return nip_csum_add(nip_csum_add(0, src, sl), dst, dl);
}

/* The Internet checksum of an upper-layer message m[0..n) under the pseudo-header of §6.1
 * (for 4- and 16-octet addresses IPv4's and IPv6's): the value to store, or 0 if it verifies. */
static uint16_t l4_csum(const uint8_t *src, size_t sl, const uint8_t *dst, size_t dl, uint8_t nh,
			const uint8_t *m, size_t n)
{
	uint8_t t[8] = { (uint8_t)(n >> 24), (uint8_t)(n >> 16), (uint8_t)(n >> 8), (uint8_t)n,
			 0, 0, 0, nh };

	return nip_csum_fold(nip_csum_add(nip_csum_add(addr_sum(src, sl, dst, dl), t, 8), m, n));
}

/* RFC 1624: a 16-bit word of a checksummed message changed from old to new. */
static void csum_adjust(uint8_t *field, uint16_t old, uint16_t new)
{
	uint32_t s = (uint16_t)~get16(field) + (uint32_t)(uint16_t)~old + new;

	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	put16(field, (uint16_t)~s);
}

/* The transport checksum of m[0..n) (protocol nh) after its pseudo-header's addresses changed
 * from the sum was to now (§12.4): UDP (unless it has none), TCP, DCCP, UDP-Lite. */
static void csum_readdress(uint8_t nh, uint8_t *m, size_t n, uint32_t was, uint32_t now)
{
	size_t off = nh == 6 ? 16 : nh == 17 || nh == 33 || nh == 136 ? 6 : 0;

	if (!off || n < off + 2 || (nh == 17 && get16(m + 6) == 0))
		return;
	csum_adjust(m + off, (uint16_t)~nip_csum_fold(was), (uint16_t)~nip_csum_fold(now));
	if (nh == 17 && get16(m + 6) == 0) /* zero would mean "no checksum" */
		put16(m + 6, 0xffff);
}

/* An IPv6 TCP SYN's MSS option, lowered to XLAT_MSS6 at most (§12.3): IPv6 cannot go below a
 * 1280-octet path MTU, but a New IP link of 1280 carries IPv6 packets of 1276 at most; a New
 * IP header hl above 44 (a mapped 32-octet address, §12.4) lowers it further. */
static void clamp_mss(uint8_t *tcp, size_t len, size_t hl)
{
	size_t off = len >= 20 ? (size_t)(tcp[12] >> 4) * 4 : 0;
	uint16_t mss = hl > NIP_HL6 ? (uint16_t)(1280 - hl - 20) : XLAT_MSS6;

	if (off < 20 || off > len || !(tcp[13] & 0x02)) /* not a SYN (or not whole) */
		return;
	for (size_t i = 20; i < off;) {
		if (tcp[i] == 0)
			return;
		if (tcp[i] == 1) {
			i++;
			continue;
		}
		if (i + 1 >= off || tcp[i + 1] < 2 || i + tcp[i + 1] > off)
			return;
		if (tcp[i] == 2 && tcp[i + 1] == 4 && get16(tcp + i + 2) > mss) {
			uint16_t old = get16(tcp + i + 2);
			put16(tcp + i + 2, mss);
			/* options need not keep the value on a 16-bit boundary of the sum */
			if ((i + 2) % 2 == 0) {
				csum_adjust(tcp + 16, old, mss);
			} else { /* odd offset: the value straddles two checksum words */
				uint16_t a0 = (uint16_t)(tcp[i + 1] << 8 | old >> 8),
					 a1 = (uint16_t)((old & 0xff) << 8 | tcp[i + 4]);
				csum_adjust(tcp + 16, a0, get16(tcp + i + 1));
				csum_adjust(tcp + 16, a1, get16(tcp + i + 3));
			}
			return;
		}
		i += tcp[i + 1];
	}
}

/* --- mapped prefixes (§12.4) ---------------------------------------------------------------- */

static unsigned host_bits(const struct xlat_map *m)
{
	return 8u * m->nip.addr.len - m->nip.plen;
}

const char *xlat_map_check(const struct xlat_map *m)
{
	if (m->nip.addr.len == 0 || m->nip.addr.len == 4 || m->nip.addr.len == 16)
		return "map a New IP prefix of 1-3 or 5-15 or 17-32-octet addresses (4 and 16 "
		       "octets are IP addresses already)";
	if (m->ip6.addr.len != 16)
		return "the second prefix must be IPv6, e.g. 2001:db8:ee::/104";
	if (host_bits(m) > 128u - m->ip6.plen)
		return "the New IP prefix's host bits do not fit in the IPv6 prefix's; lengthen the "
		       "New IP prefix or shorten the IPv6 one (a single host: /256 and /128)";
	return NULL;
}

bool xlat_map_overlap(const struct xlat_map *a, const struct xlat_map *b)
{
	const struct nip_prefix *p = a->nip.plen < b->nip.plen ? &a->nip : &b->nip,
				*q = p == &a->nip ? &b->nip : &a->nip,
				*r = a->ip6.plen < b->ip6.plen ? &a->ip6 : &b->ip6,
				*t = r == &a->ip6 ? &b->ip6 : &a->ip6;

	return (p->addr.len == q->addr.len && nip_prefix_match(p, &q->addr)) ||
	       nip_prefix_match(r, &t->addr);
}

/* The last h bits of a[0..al) into the last h bits of o[0..ol): both end on the last bit, so
 * the octets line up from the end. */
static void put_host(uint8_t *o, size_t ol, const uint8_t *a, size_t al, unsigned h)
{
	for (unsigned j = 0; j * 8 < h; j++) {
		uint8_t m = h - j * 8 >= 8 ? 0xff : (uint8_t)((1u << (h - j * 8)) - 1);
		o[ol - 1 - j] = (uint8_t)((o[ol - 1 - j] & ~m) | (a[al - 1 - j] & m));
	}
}

/* A New IP address as IPv6 into o: as it is (16 octets) or mapped. False if neither. */
static bool to6(const struct xlat_ctx *cx, const uint8_t *a, size_t len, uint8_t o[16],
		bool *mapped)
{
	if (len == 16) {
		memcpy(o, a, 16);
		return true;
	}
	for (unsigned i = 0; i < cx->n_map; i++) {
		const struct xlat_map *m = &cx->map[i];
		if (m->nip.addr.len == len && nip_prefix_match_raw(&m->nip, a, len)) {
			memcpy(o, m->ip6.addr.b, 16);
			put_host(o, 16, a, len, host_bits(m));
			*mapped = true;
			return true;
		}
	}
	return false;
}

/* An IPv6 address back to New IP into o: its length if it is a mapped address, 0 if it lies
 * inside a map's IPv6 prefix without being one (the zero bits are not zero), -1 outside. */
static int from6(const struct xlat_ctx *cx, const uint8_t a[16], uint8_t o[NIP_ADDR_MAX])
{
	for (unsigned i = 0; i < cx->n_map; i++) {
		const struct xlat_map *m = &cx->map[i];
		uint8_t back[16];
		if (!nip_prefix_match_raw(&m->ip6, a, 16))
			continue;
		memcpy(o, m->nip.addr.b, m->nip.addr.len);
		put_host(o, m->nip.addr.len, a, 16, host_bits(m));
		memcpy(back, m->ip6.addr.b, 16);
		put_host(back, 16, o, m->nip.addr.len, host_bits(m));
		return memcmp(back, a, 16) ? 0 : m->nip.addr.len;
	}
	return -1;
}

/* An IPv6 header's two addresses as New IP writes them. */
struct pair {
	uint8_t dst[NIP_ADDR_MAX], src[NIP_ADDR_MAX];
	uint8_t dl, sl;
	bool mapped;
};

/* ip's addresses, mapped back (§12.4). For a packet from the IP side (outer) a source inside
 * a mapped prefix is refused: XLAT_E_SPOOF. */
static int pair_from6(const struct xlat_ctx *cx, const uint8_t *ip, struct pair *p, bool outer)
{
	int d = from6(cx, ip + 24, p->dst), s = from6(cx, ip + 8, p->src);

	if (outer && s >= 0)
		return XLAT_E_SPOOF;
	p->mapped = d > 0 || s > 0;
	p->dl = d > 0 ? (uint8_t)d : 16;
	p->sl = s > 0 ? (uint8_t)s : 16;
	if (d <= 0)
		memcpy(p->dst, ip + 24, 16);
	if (s <= 0)
		memcpy(p->src, ip + 8, 16);
	return 0;
}

/* A New IP packet's addresses as IP into d and s: 4 (both IPv4), 6 (both IPv6, mapped or as
 * they are; *mapped says which), or -1. */
static int ip_pair(const struct xlat_ctx *cx, const uint8_t *dst, size_t dl, const uint8_t *src,
		   size_t sl, uint8_t d[16], uint8_t s[16], bool *mapped)
{
	*mapped = false;
	if (dl == 4 && sl == 4) {
		memcpy(d, dst, 4);
		memcpy(s, src, 4);
		return 4;
	}
	return to6(cx, dst, dl, d, mapped) && to6(cx, src, sl, s, mapped) ? 6 : -1;
}

/* --- headers ------------------------------------------------------------------------------ */

static size_t nip_from6(uint8_t *o, const uint8_t *ip, uint16_t plen, uint8_t nh,
			const struct pair *p)
{
	o[0] = (uint8_t)(0x10 | (ip[0] & 0x0f)); /* Version 1; TC and Flow Label as they were */
	memcpy(o + 1, ip + 1, 3);
	put16(o + 4, plen);
	o[6] = nh;
	o[7] = ip[7];
	o[8] = (uint8_t)(12 + p->dl + p->sl);
	o[9] = 0;
	o[10] = p->dl;
	o[11] = p->sl;
	memcpy(o + 12, p->dst, p->dl); /* destination first in New IP */
	memcpy(o + 12 + p->dl, p->src, p->sl);
	return o[8];
}

static size_t nip_from4(uint8_t *o, const uint8_t *ip, uint16_t plen, uint8_t nh)
{
	o[0] = (uint8_t)(0x10 | ip[1] >> 4); /* TC = TOS, Flow Label 0 */
	o[1] = (uint8_t)(ip[1] << 4);
	o[2] = o[3] = 0;
	put16(o + 4, plen);
	o[6] = nh;
	o[7] = ip[8];
	o[8] = NIP_HL4;
	o[9] = 0;
	o[10] = o[11] = 4;
	memcpy(o + 12, ip + 16, 4);
	memcpy(o + 16, ip + 12, 4);
	return NIP_HL4;
}

static size_t ip6_from(uint8_t *o, const uint8_t *n, const uint8_t *src, const uint8_t *dst,
		       uint16_t plen, uint8_t nh)
{
	o[0] = (uint8_t)(0x60 | (n[0] & 0x0f));
	memcpy(o + 1, n + 1, 3);
	put16(o + 4, plen);
	o[6] = nh;
	o[7] = n[7];
	memcpy(o + 8, src, 16);
	memcpy(o + 24, dst, 16);
	return 40;
}

static size_t ip4_from(uint8_t *o, const uint8_t *n, const uint8_t *src, const uint8_t *dst,
		       uint32_t plen, uint8_t nh)
{
	o[0] = 0x45;
	o[1] = (uint8_t)(n[0] << 4 | n[1] >> 4);
	put16(o + 2, (uint16_t)(20 + plen));
	put16(o + 4, 0);
	put16(o + 6, 0x4000); /* DF: no fragmentation on the way either */
	o[8] = n[7];
	o[9] = nh;
	put16(o + 10, 0);
	memcpy(o + 12, src, 4);
	memcpy(o + 16, dst, 4);
	put16(o + 10, nip_inet_csum(o, 20));
	return 20;
}

/* Echo types: ICMPv6 and NCMP share 128/129; IPv4's are 8/0. */
static int echo4_to_ncmp(uint8_t t)
{
	return t == 8 ? 128 : t == 0 ? 129 : -1;
}

static int ncmp_to_echo4(uint8_t t)
{
	return t == 128 ? 8 : t == 129 ? 0 : -1;
}

/* --- the invoking packet inside an error ---------------------------------------------------- */

/* An IP packet quoted in an ICMP error, to New IP: its header (with the lengths it claimed),
 * then as much of the rest as was quoted, within cap; *d gets the New IP header's size less
 * the IP header's (§12.3). Returns octets written or -1. */
static int inner_to_nip(const struct xlat_ctx *cx, const uint8_t *ip, size_t avail, uint8_t *o,
			size_t cap, int *d)
{
	struct pair p = { .mapped = false };
	size_t hl, ihl;
	uint8_t nh;

	if (avail >= 40 && ip[0] >> 4 == 6) {
		ihl = 40;
		nh = ip[6] == P_ICMP6 ? P_NCMP : ip[6];
		pair_from6(cx, ip, &p, false);
		if (cap < 12u + p.dl + p.sl)
			return -1;
		hl = nip_from6(o, ip, get16(ip + 4), nh, &p);
	} else if (avail >= 20 && ip[0] >> 4 == 4 && (ihl = (ip[0] & 15u) * 4) >= 20 &&
		   ihl <= avail && get16(ip + 2) >= ihl && cap >= NIP_HL4) {
		nh = ip[9] == P_ICMP ? P_NCMP : ip[9];
		hl = nip_from4(o, ip, (uint16_t)(get16(ip + 2) - ihl), nh);
	} else {
		return -1;
	}
	size_t n = avail - ihl < cap - hl ? avail - ihl : cap - hl;
	memcpy(o + hl, ip + ihl, n);
	if (n && nh == P_NCMP && ip[0] >> 4 == 4) { /* a quoted echo keeps its meaning */
		int t = echo4_to_ncmp(o[hl]);
		if (t >= 0)
			o[hl] = (uint8_t)t;
	}
	if (p.mapped)
		csum_readdress(nh, o + hl, n, addr_sum(ip + 8, 16, ip + 24, 16),
			       addr_sum(p.src, p.sl, p.dst, p.dl));
	*d = (int)hl - (int)ihl;
	return (int)(hl + n);
}

/* A New IP packet quoted in an NCMP error, to IP (the blocks left out); *d gets its Header
 * Length less the IP header's. Returns octets written or -1 when its addresses cannot be
 * written as IP. */
static int inner_to_ip(const struct xlat_ctx *cx, const uint8_t *n, size_t avail, uint8_t *o,
		       size_t cap, int *d)
{
	if (avail < 12 || cap < 40)
		return -1;
	size_t hl = n[8], dl = n[10], sl = n[11];
	if (hl < 12 + dl + sl || hl > avail)
		return -1;
	const uint8_t *dst = n + 12, *src = n + 12 + dl;
	uint8_t nh = n[6], d16[16], s16[16];
	bool mapped;
	int fam = ip_pair(cx, dst, dl, src, sl, d16, s16, &mapped);
	size_t ih;
	if (fam == 6) {
		ih = ip6_from(o, n, s16, d16, get16(n + 4), nh == P_NCMP ? P_ICMP6 : nh);
	} else if (fam == 4) {
		ih = ip4_from(o, n, src, dst, get16(n + 4), nh == P_NCMP ? P_ICMP : nh);
		if (20u + get16(n + 4) > 0xffff)
			put16(o + 2, 0xffff);
	} else {
		return -1;
	}
	size_t k = avail - hl < cap - ih ? avail - hl : cap - ih;
	memcpy(o + ih, n + hl, k);
	if (k && nh == P_NCMP && fam == 4) {
		int t = ncmp_to_echo4(o[ih]);
		if (t >= 0)
			o[ih] = (uint8_t)t;
	}
	if (mapped)
		csum_readdress(nh, o + ih, k, addr_sum(src, sl, dst, dl), addr_sum(s16, 16, d16, 16));
	*d = (int)hl - (int)ih;
	return (int)(ih + k);
}

/* Parameter-problem pointers name the same field on both sides (§12.3). */
static uint32_t ptr_nip_to_ip6(uint32_t p)
{
	return p < 8 ? p : p >= 12 && p < 28 ? p + 12 : p >= 28 && p < 44 ? p - 20 : 0;
}

static uint32_t ptr_ip6_to_nip(uint32_t p)
{
	return p < 8 ? p : p >= 8 && p < 24 ? p + 20 : p >= 24 && p < 40 ? p - 12 : 0;
}

/* --- ICMP to NCMP ---------------------------------------------------------------------------- */

/* The NCMP message t/c/param after the New IP header out[0..hl), made from the ICMP message
 * m[0..ml): the quoted packet for errors (the whole at most ERR_MAX), the data for echoes; then
 * Payload Length and the checksum. A packet-too-big MTU grows by the quoted packet's d (§12.3).
 * Returns the packet's length. */
static int ncmp_from_icmp(const struct xlat_ctx *cx, uint8_t *out, size_t cap, size_t hl, int t,
			  int c, uint32_t param, const uint8_t *m, size_t ml)
{
	bool err = t < 128;
	size_t lim = err && cap > ERR_MAX ? ERR_MAX : cap, dl = out[10], sl = out[11];
	uint8_t *o = out + hl;
	int body, d = 0;

	if (cap < hl + 8)
		return XLAT_E_NOSPACE;
	if (err) {
		body = inner_to_nip(cx, m + 8, ml - 8, o + 8, lim - hl - 8, &d);
	} else if (ml - 8 > lim - hl - 8) {
		body = -1;
	} else {
		memcpy(o + 8, m + 8, ml - 8);
		body = (int)(ml - 8);
	}
	if (body < 0)
		return err ? XLAT_E_ICMP : XLAT_E_NOSPACE;
	if (t == 2 && (d < 0 ? param > (uint32_t)-d : param < UINT32_MAX - (uint32_t)d))
		param = (uint32_t)((int64_t)param + d);
	o[0] = (uint8_t)t, o[1] = (uint8_t)c;
	put16(o + 2, 0);
	put32(o + 4, param);
	put16(out + 4, (uint16_t)(8 + body));
	put16(o + 2, l4_csum(out + 12 + dl, sl, out + 12, dl, P_NCMP, o, 8 + (size_t)body));
	return (int)(hl + 8 + (size_t)body);
}

static int icmp6_to_ncmp(const struct xlat_ctx *cx, const uint8_t *in, size_t total,
			 const struct pair *p, uint8_t *out, size_t cap)
{
	const uint8_t *m = in + 40;
	size_t ml = total - 40;
	uint32_t param;
	uint8_t t, c;

	if (ml < 8 || l4_csum(in + 8, 16, in + 24, 16, P_ICMP6, m, ml) != 0)
		return XLAT_E_ICMP;
	param = get32(m + 4);
	switch (m[0]) {
	case 128: case 129:
		t = m[0], c = 0;
		break;
	case 1: {
		static const uint8_t code[8] = { 0, 5, 5, 2, 3, 4, 5, 5 };
		t = 1, c = m[1] < 8 ? code[m[1]] : 5, param = 0;
		break;
	}
	case 2:
		t = 2, c = 0;
		break;
	case 3:
		if (m[1] != 0) /* 1: reassembly time exceeded, nothing New IP knows */
			return XLAT_E_ICMP;
		t = 3, c = 0, param = 0;
		break;
	case 4:
		if (m[1] > 2)
			return XLAT_E_ICMP;
		t = 4, c = m[1], param = ptr_ip6_to_nip(param);
		break;
	default: /* neighbour discovery, MLD, redirects: one link's business */
		return XLAT_E_ICMP;
	}
	if (cap < 12u + p->dl + p->sl)
		return XLAT_E_NOSPACE;
	return ncmp_from_icmp(cx, out, cap, nip_from6(out, in, 0, P_NCMP, p), t, c, param, m, ml);
}

static int icmp4_to_ncmp(const struct xlat_ctx *cx, const uint8_t *in, size_t ihl, size_t total,
			 uint8_t *out, size_t cap)
{
	const uint8_t *m = in + ihl;
	size_t ml = total - ihl;
	uint32_t param = 0;
	int t, c = 0;

	if (ml < 8 || nip_inet_csum(m, ml) != 0)
		return XLAT_E_ICMP;
	switch (m[0]) {
	case 8: case 0:
		t = echo4_to_ncmp(m[0]), param = get32(m + 4);
		break;
	case 3: {
		/* code: 0 net, 1 host, 2 protocol, 3 port, 4 frag needed, 5 source route, 6/7 net/host
		 * unknown, 9/10/13 prohibited, 11/12 for TOS; -1: none */
		static const int8_t code[16] = { 0, 2, 3, 3, -2, 0, 0, 2, -1, 5, 5, 0, 2, 5, -1, -1 };
		if (m[1] > 15 || code[m[1]] == -1)
			return XLAT_E_ICMP;
		if (code[m[1]] == -2) { /* fragmentation needed: packet too big */
			if (!(param = get16(m + 6)))
				return XLAT_E_ICMP; /* a pre-RFC 1191 router: no MTU to give */
			t = 2;
		} else {
			t = 1, c = code[m[1]];
		}
		break;
	}
	case 11:
		if (m[1] != 0)
			return XLAT_E_ICMP;
		t = 3;
		break;
	case 12:
		t = 4;
		break;
	default:
		return XLAT_E_ICMP;
	}
	if (cap < NIP_HL4)
		return XLAT_E_NOSPACE;
	return ncmp_from_icmp(cx, out, cap, nip_from4(out, in, 0, P_NCMP), t, c, param, m, ml);
}

int xlat_to_nip(const struct xlat_ctx *cx, const uint8_t *in, size_t len, uint8_t *out,
		size_t cap, unsigned *flags)
{
	*flags = 0;
	if (len < 1)
		return XLAT_E_NOT_IP;
	if (in[0] >> 4 == 6) {
		if (len < 40 || 40u + get16(in + 4) > len)
			return XLAT_E_BAD_IP;
		size_t total = 40u + get16(in + 4);
		uint8_t nh = in[6];
		struct pair p;
		int rc = pair_from6(cx, in, &p, true);
		if (rc < 0)
			return rc;
		if (untranslated(nh))
			return XLAT_E_NEXT_HDR;
		if (nh == P_ICMP6)
			return icmp6_to_ncmp(cx, in, total, &p, out, cap);
		size_t hl = 12u + p.dl + p.sl;
		if (hl + total - 40 > cap)
			return XLAT_E_NOSPACE;
		nip_from6(out, in, get16(in + 4), nh, &p);
		memcpy(out + hl, in + 40, total - 40);
		if (p.mapped)
			csum_readdress(nh, out + hl, total - 40, addr_sum(in + 8, 16, in + 24, 16),
				       addr_sum(p.src, p.sl, p.dst, p.dl));
		if (nh == 6)
			clamp_mss(out + hl, total - 40, hl);
		return (int)(hl + total - 40);
	}
	if (in[0] >> 4 != 4)
		return XLAT_E_NOT_IP;
	size_t ihl = (in[0] & 15u) * 4;
	if (len < 20 || ihl < 20 || ihl > len || get16(in + 2) < ihl || get16(in + 2) > len ||
	    nip_inet_csum(in, ihl) != 0)
		return XLAT_E_BAD_IP;
	if (get16(in + 6) & 0x3fff) /* MF, or an offset */
		return XLAT_E_FRAGMENT;
	size_t total = get16(in + 2);
	if (ihl > 20)
		*flags |= XLAT_F_OPTIONS;
	if (untranslated(in[9]))
		return XLAT_E_NEXT_HDR;
	if (in[9] == P_ICMP)
		return icmp4_to_ncmp(cx, in, ihl, total, out, cap);
	if (total - ihl + NIP_HL4 > cap)
		return XLAT_E_NOSPACE;
	size_t hl = nip_from4(out, in, (uint16_t)(total - ihl), in[9]);
	memcpy(out + hl, in + ihl, total - ihl);
	return (int)(hl + total - ihl);
}

/* --- NCMP to ICMP ---------------------------------------------------------------------------- */

static int ncmp_to_icmp(const struct xlat_ctx *cx, const struct nip_pkt *v, uint8_t *out,
			size_t cap)
{
	const uint8_t *m = v->payload;
	size_t ml = v->payload_len;
	uint8_t d16[16], s16[16];
	bool v6, mapped = false;
	int t, c = 0;

	if (v->dst_len == 4)
		v6 = false, memcpy(d16, v->dst, 4);
	else if (to6(cx, v->dst, v->dst_len, d16, &mapped))
		v6 = true;
	else
		return XLAT_E_ADDR;
	if (ml < 8 || nip_l4_csum_check(v) != 0)
		return XLAT_E_ICMP;
	switch (m[0]) {
	case 128: case 129:
		t = v6 ? m[0] : ncmp_to_echo4(m[0]);
		break;
	case 1: {
		static const uint8_t code6[6] = { 0, 1, 3, 4, 5, 1 }, code4[6] = { 0, 13, 1, 3, 13, 13 };
		if (m[1] > 5)
			return XLAT_E_ICMP;
		t = v6 ? 1 : 3, c = v6 ? code6[m[1]] : code4[m[1]];
		break;
	}
	case 2:
		if (get32(m + 4) < 68)
			return XLAT_E_ICMP;
		t = v6 ? 2 : 3, c = v6 ? 0 : 4;
		break;
	case 3:
		t = v6 ? 3 : 11;
		break;
	case 4:
		t = v6 ? 4 : 12, c = v6 && m[1] <= 2 ? m[1] : 0;
		break;
	default: /* contracts, shut-off, registration: New IP's own */
		return XLAT_E_ICMP;
	}
	bool err = m[0] < 128;
	if (!(v6 ? to6(cx, v->src, v->src_len, s16, &mapped) : v->src_len == 4)) {
		/* a router IP cannot name: the gateway stands in (§12.3) */
		if (!err || (v6 && !cx->has_v6) || (!v6 && !cx->has_v4))
			return XLAT_E_ADDR;
		memcpy(s16, v6 ? cx->v6 : cx->v4, v6 ? 16 : 4);
	} else if (!v6) {
		memcpy(s16, v->src, 4);
	}
	size_t ih = v6 ? 40 : 20, lim = err && cap > ERR_MAX ? ERR_MAX : cap;
	if (cap < ih + 8)
		return XLAT_E_NOSPACE;
	uint8_t *o = out + ih;
	int body, d = 0;
	if (err) {
		body = inner_to_ip(cx, m + 8, ml - 8, o + 8, lim - ih - 8, &d);
	} else {
		body = ml - 8 <= cap - ih - 8 ? (int)(ml - 8) : -1;
		if (body >= 0)
			memcpy(o + 8, m + 8, ml - 8);
	}
	if (body < 0)
		return err ? XLAT_E_ICMP : XLAT_E_NOSPACE;
	uint32_t param = 0, p = get32(m + 4); /* unreachable, hop limit exceeded: none */
	if (!err) { /* echo: Identifier and Sequence */
		param = p;
	} else if (m[0] == 4 && v6) {
		param = ptr_nip_to_ip6(p);
	} else if (m[0] == 2) { /* the MTU of the IP packet that became the quoted one */
		param = d > 0 && p - 68 < (uint32_t)d ? 68 : (uint32_t)((int64_t)p - d);
		if (!v6 && param > 0xffff) /* fragmentation needed: 16 bits */
			param = 0xffff;
	}
	o[0] = (uint8_t)t, o[1] = (uint8_t)c;
	put16(o + 2, 0);
	put32(o + 4, param);
	size_t il = 8 + (size_t)body;
	if (v6) {
		ip6_from(out, v->buf, s16, d16, (uint16_t)il, P_ICMP6);
		put16(o + 2, l4_csum(s16, 16, d16, 16, P_ICMP6, o, il));
	} else {
		ip4_from(out, v->buf, s16, d16, (uint32_t)il, P_ICMP);
		put16(o + 2, nip_inet_csum(o, il));
	}
	return (int)(ih + il);
}

int xlat_to_ip(const struct xlat_ctx *cx, const struct nip_pkt *v, uint8_t *out, size_t cap)
{
	uint8_t d[16], s[16];
	bool mapped;

	if (v->next_hdr == P_NCMP)
		return ncmp_to_icmp(cx, v, out, cap);
	int fam = ip_pair(cx, v->dst, v->dst_len, v->src, v->src_len, d, s, &mapped);
	if (fam < 0)
		return XLAT_E_ADDR;
	if (v->next_hdr == P_NLS)
		return XLAT_E_NEXT_HDR;
	size_t ih = fam == 6 ? 40 : 20;
	if (ih + v->payload_len > cap || (ih == 20 && 20u + v->payload_len > 0xffff))
		return XLAT_E_NOSPACE;
	if (ih == 40)
		ip6_from(out, v->buf, s, d, v->payload_len, v->next_hdr);
	else
		ip4_from(out, v->buf, s, d, v->payload_len, v->next_hdr);
	memcpy(out + ih, v->payload, v->payload_len);
	if (mapped)
		csum_readdress(v->next_hdr, out + ih, v->payload_len,
			       addr_sum(v->src, v->src_len, v->dst, v->dst_len), addr_sum(s, 16, d, 16));
	return (int)(ih + v->payload_len);
}

size_t xlat_ip_refusal(const struct xlat_ctx *cx, const uint8_t *in, size_t len, uint8_t *out,
		       size_t cap)
{
	uint8_t n[NIP_HL6] = { 0 }; /* ip6_from/ip4_from take TC and Hop Limit from a New IP header */

	n[7] = 64;
	if (cap < ERR_MAX)
		return 0;
	if (len >= 40 && in[0] >> 4 == 6 && cx->has_v6) {
		if (in[6] == P_ICMP6 && len > 40 && in[40] < 128)
			return 0; /* never an error about an error */
		size_t q = len < ERR_MAX - 48 ? len : ERR_MAX - 48;
		uint8_t *o = out + 40;
		ip6_from(out, n, cx->v6, in + 8, (uint16_t)(8 + q), P_ICMP6);
		o[0] = 4, o[1] = 1; /* parameter problem, unrecognised next header */
		put16(o + 2, 0);
		put32(o + 4, 6);
		memcpy(o + 8, in, q);
		put16(o + 2, l4_csum(cx->v6, 16, in + 8, 16, P_ICMP6, o, 8 + q));
		return 48 + q;
	}
	if (len >= 20 && in[0] >> 4 == 4 && cx->has_v4) {
		size_t ihl = (in[0] & 15u) * 4;
		if (in[9] == P_ICMP && len >= ihl + 1 && in[ihl] != 8 && in[ihl] != 0)
			return 0;
		size_t q = len < ihl + 8 ? len : ihl + 8; /* RFC 792: the header and 8 octets */
		uint8_t *o = out + 20;
		ip4_from(out, n, cx->v4, in + 12, (uint32_t)(8 + q), P_ICMP);
		o[0] = 3, o[1] = 2; /* destination unreachable, protocol unreachable */
		memset(o + 2, 0, 6);
		memcpy(o + 8, in, q);
		put16(o + 2, nip_inet_csum(o, 8 + q));
		return 28 + q;
	}
	return 0;
}
