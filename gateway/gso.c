/*
 * TCP segmentation in user space for a TUN gateway that takes the kernel's super-packets
 * (docs/spec.md §12.1): one read() brings up to 64 KiB of a TCP stream instead of one segment.
 */
#include <string.h>

#include "../lib/bytes.h"
#include "gso.h"
#include "newip/checksum.h"

enum { TCP_FIN = 0x01, TCP_PSH = 0x08, TCP_CWR = 0x80, P_TCP = 6 };

int gso_csum(const struct gso_info *g, uint8_t *pkt, size_t len)
{
	size_t at = (size_t)g->csum_start + g->csum_offset;

	if (g->csum_start >= len || at + 2 > len)
		return -1;
	put16(pkt + at, nip_inet_csum(pkt + g->csum_start, len - g->csum_start));
	if (get16(pkt + at) == 0 && g->csum_offset == 6) /* UDP: zero means none */
		put16(pkt + at, 0xffff);
	return 0;
}

/* The IP and TCP headers' lengths of a super-packet; 0 if it is not one that can be cut. */
static size_t headers(const uint8_t *pkt, size_t len, size_t *ihl)
{
	if (len >= 40 && pkt[0] >> 4 == 6 && pkt[6] == P_TCP)
		*ihl = 40;
	else if (len >= 20 && pkt[0] >> 4 == 4 && pkt[9] == P_TCP && (pkt[0] & 15) >= 5)
		*ihl = (pkt[0] & 15u) * 4;
	else
		return 0;
	if (len < *ihl + 20)
		return 0;
	size_t h = *ihl + (size_t)(pkt[*ihl + 12] >> 4) * 4;
	return h >= *ihl + 20 && h <= len ? h : 0;
}

int gso_count(const struct gso_info *g, const uint8_t *pkt, size_t len, struct gso_cut *c)
{
	size_t ihl, h;

	*c = (struct gso_cut){ .n = 1 };
	if (!g->tcp)
		return 1;
	if (!g->gso_size || !(h = headers(pkt, len, &ihl)))
		return -1;
	size_t n = (len - h + g->gso_size - 1) / g->gso_size;
	*c = (struct gso_cut){ .ihl = (uint16_t)ihl, .hl = (uint16_t)h, .mss = g->gso_size,
			       .n = (uint16_t)(n ? n : 1),
			       .addr_sum = ihl == 40 ? nip_csum_add(0, pkt + 8, 32)
						     : nip_csum_add(0, pkt + 12, 8) };
	return c->n;
}

int gso_segment(const struct gso_cut *c, const uint8_t *pkt, size_t len, unsigned i,
		uint8_t *out, size_t cap)
{
	size_t ihl = c->ihl, h = c->hl;

	if (!h || i >= c->n)
		return -1;
	size_t off = (size_t)i * c->mss, chunk = len - h - off;
	if (chunk > c->mss)
		chunk = c->mss;
	if (h + chunk > cap)
		return -1;
	memcpy(out, pkt, h);
	memcpy(out + h, pkt + h + off, chunk);
	uint8_t *tcp = out + ihl;
	size_t tl = h - ihl + chunk;
	if (ihl == 40) {
		put16(out + 4, (uint16_t)tl);
	} else {
		put16(out + 2, (uint16_t)(h + chunk));
		put16(out + 4, (uint16_t)(get16(pkt + 4) + i));
		put16(out + 10, 0);
		put16(out + 10, nip_inet_csum(out, ihl));
	}
	put32(tcp + 4, get32(pkt + ihl + 4) + (uint32_t)off);
	if (i + 1 < c->n)
		tcp[13] &= (uint8_t)~(TCP_FIN | TCP_PSH);
	if (i > 0)
		tcp[13] &= (uint8_t)~TCP_CWR;
	uint8_t t[8] = { 0, 0, (uint8_t)(tl >> 8), (uint8_t)tl, 0, 0, 0, P_TCP };
	put16(tcp + 16, 0);
	put16(tcp + 16, nip_csum_fold(nip_csum_add(nip_csum_add(c->addr_sum, t, 8), tcp, tl)));
	return (int)(h + chunk);
}
