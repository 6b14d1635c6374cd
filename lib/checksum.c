/* Internet checksum and the New IP pseudo-header (docs/spec.md §5.3, §6.1). */
#include "bytes.h"
#include "newip/checksum.h"

uint32_t nip_csum_add(uint32_t sum, const void *data, size_t len)
{
	const uint8_t *b = data;
	uint64_t s = sum;

	for (; len >= 2; b += 2, len -= 2)
		s += get16(b);
	if (len)
		s += (uint32_t)b[0] << 8;
	while (s >> 32) /* 2^32 == 1 (mod 2^16 - 1): folding keeps the one's-complement sum */
		s = (s & 0xffffffffu) + (s >> 32);
	return (uint32_t)s;
}

uint16_t nip_csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

uint16_t nip_inet_csum(const void *data, size_t len)
{
	return nip_csum_fold(nip_csum_add(0, data, len));
}

uint32_t nip_pseudo_sum(const struct nip_pkt *p, uint32_t ul_len)
{
	uint32_t s = nip_csum_add(0, p->src, p->src_len); /* odd lengths pad to even, §6.1 */

	s = nip_csum_add(s, p->dst, p->dst_len);
	s += (ul_len >> 16) + (ul_len & 0xffff);
	return s + p->next_hdr;
}

/* Offset of the checksum field inside the upper-layer message, or -1. */
static int csum_field(uint8_t next_hdr)
{
	switch (next_hdr) {
	case NIP_PROTO_NCMP:
		return 2;
	case NIP_PROTO_UDP:
		return 6;
	case NIP_PROTO_TCP:
		return 16;
	default:
		return -1;
	}
}

int nip_l4_csum_check(const struct nip_pkt *p)
{
	int f = csum_field(p->next_hdr);

	if (f < 0)
		return NIP_E_INVAL;
	if (p->payload_len < f + 2)
		return NIP_E_TRUNCATED;
	uint32_t s = nip_csum_add(nip_pseudo_sum(p, p->payload_len), p->payload, p->payload_len);
	return nip_csum_fold(s) == 0 ? 0 : NIP_E_CHECKSUM;
}

int nip_l4_csum_fill(uint8_t *buf, size_t len)
{
	struct nip_pkt p;
	int rc = nip_pkt_parse(&p, buf, len);
	int f = rc < 0 ? -1 : csum_field(p.next_hdr);

	if (rc < 0)
		return rc;
	if (f < 0)
		return NIP_E_INVAL;
	if (p.payload_len < f + 2)
		return NIP_E_TRUNCATED;
	uint8_t *field = buf + p.hdr_len + f;
	put16(field, 0);
	uint16_t c = nip_csum_fold(nip_csum_add(nip_pseudo_sum(&p, p.payload_len), p.payload,
						p.payload_len));
	if (c == 0 && p.next_hdr == NIP_PROTO_UDP)
		c = 0xffff; /* UDP: 0 would mean "no checksum" */
	put16(field, c);
	return 0;
}
