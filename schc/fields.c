/* Field IDs and the layers they belong to (docs/spec.md §13.1): parse a packet into fields and
 * build one back from them. */
#include <string.h>

#include "../lib/bytes.h"
#include "bits.h"
#include "internal.h"
#include "newip/checksum.h"

#define OPT(i, name, num) [FID_COAP_OPT_FIRST + (i)] = { "COAP." #name, SCHC_L_COAP, 0, num }
_Static_assert(FID_NIP_VER - FID_COAP_OPT_FIRST == 20, "20 CoAP options have field IDs");

static const struct schc_fid_info fids[FID_COUNT] = {
	[FID_IPV6_VER] = { "IPV6.VER", SCHC_L_IPV6, 4, 0 },
	[FID_IPV6_TC] = { "IPV6.TC", SCHC_L_IPV6, 8, 0 },
	[FID_IPV6_FL] = { "IPV6.FL", SCHC_L_IPV6, 20, 0 },
	[FID_IPV6_LEN] = { "IPV6.LEN", SCHC_L_IPV6, 16, 0 },
	[FID_IPV6_NXT] = { "IPV6.NXT", SCHC_L_IPV6, 8, 0 },
	[FID_IPV6_HOP_LMT] = { "IPV6.HOP_LMT", SCHC_L_IPV6, 8, 0 },
	[FID_IPV6_DEV_PREFIX] = { "IPV6.DEV_PREFIX", SCHC_L_IPV6, 64, 0 },
	[FID_IPV6_DEV_IID] = { "IPV6.DEV_IID", SCHC_L_IPV6, 64, 0 },
	[FID_IPV6_APP_PREFIX] = { "IPV6.APP_PREFIX", SCHC_L_IPV6, 64, 0 },
	[FID_IPV6_APP_IID] = { "IPV6.APP_IID", SCHC_L_IPV6, 64, 0 },
	[FID_UDP_DEV_PORT] = { "UDP.DEV_PORT", SCHC_L_UDP, 16, 0 },
	[FID_UDP_APP_PORT] = { "UDP.APP_PORT", SCHC_L_UDP, 16, 0 },
	[FID_UDP_LEN] = { "UDP.LEN", SCHC_L_UDP, 16, 0 },
	[FID_UDP_CKSUM] = { "UDP.CKSUM", SCHC_L_UDP, 16, 0 },
	[FID_COAP_VER] = { "COAP.VER", SCHC_L_COAP, 2, 0 },
	[FID_COAP_TYPE] = { "COAP.TYPE", SCHC_L_COAP, 2, 0 },
	[FID_COAP_TKL] = { "COAP.TKL", SCHC_L_COAP, 4, 0 },
	[FID_COAP_CODE] = { "COAP.CODE", SCHC_L_COAP, 8, 0 },
	[FID_COAP_MID] = { "COAP.MID", SCHC_L_COAP, 16, 0 },
	[FID_COAP_TOKEN] = { "COAP.TOKEN", SCHC_L_COAP, 0, 0 },
	/* Options, by number (RFC 7252 §5.10, RFC 7959, RFC 7967): var, in the packet's order. */
	OPT(0, IF_MATCH, 1), OPT(1, URI_HOST, 3), OPT(2, ETAG, 4), OPT(3, IF_NONE_MATCH, 5),
	OPT(4, OBSERVE, 6), OPT(5, URI_PORT, 7), OPT(6, LOCATION_PATH, 8), OPT(7, URI_PATH, 11),
	OPT(8, CONTENT_FORMAT, 12), OPT(9, MAX_AGE, 14), OPT(10, URI_QUERY, 15), OPT(11, ACCEPT, 17),
	OPT(12, LOCATION_QUERY, 20), OPT(13, BLOCK2, 23), OPT(14, BLOCK1, 27), OPT(15, SIZE2, 28),
	OPT(16, PROXY_URI, 35), OPT(17, PROXY_SCHEME, 39), OPT(18, SIZE1, 60),
	OPT(19, NO_RESPONSE, 258),
	[FID_NIP_VER] = { "NIP.VER", SCHC_L_NIP, 4, 0 },
	[FID_NIP_TC] = { "NIP.TC", SCHC_L_NIP, 8, 0 },
	[FID_NIP_FL] = { "NIP.FL", SCHC_L_NIP, 20, 0 },
	[FID_NIP_LEN] = { "NIP.LEN", SCHC_L_NIP, 16, 0 },
	[FID_NIP_NXT] = { "NIP.NXT", SCHC_L_NIP, 8, 0 },
	[FID_NIP_HOP_LMT] = { "NIP.HOP_LMT", SCHC_L_NIP, 8, 0 },
	[FID_NIP_HL] = { "NIP.HL", SCHC_L_NIP, 8, 0 },
	[FID_NIP_FLAGS] = { "NIP.FLAGS", SCHC_L_NIP, 8, 0 },
	[FID_NIP_DEV_LEN] = { "NIP.DEV_LEN", SCHC_L_NIP, 8, 0 },
	[FID_NIP_APP_LEN] = { "NIP.APP_LEN", SCHC_L_NIP, 8, 0 },
	[FID_NIP_DEV_ADDR] = { "NIP.DEV_ADDR", SCHC_L_NIP, 0, 0 },
	[FID_NIP_APP_ADDR] = { "NIP.APP_ADDR", SCHC_L_NIP, 0, 0 },
	[FID_NIP_BLOCKS] = { "NIP.BLOCKS", SCHC_L_NIP, 0, 0 },
};

const struct schc_fid_info *schc_fid_info(unsigned fid)
{
	return fid && fid < FID_COUNT && fids[fid].name ? &fids[fid] : NULL;
}

unsigned schc_fid_by_name(const char *name)
{
	for (unsigned f = 1; f < FID_COUNT; f++)
		if (fids[f].name && !strcmp(fids[f].name, name))
			return f;
	return FID_NONE;
}

static unsigned opt_fid(unsigned num)
{
	for (unsigned f = FID_COAP_OPT_FIRST; f < FID_NIP_VER; f++)
		if (fids[f].coap_opt == num)
			return f;
	return FID_NONE;
}

int schc_layer_depth(uint8_t layers)
{
	return layers & SCHC_L_COAP ? LV_COAP : layers & SCHC_L_UDP ? LV_UDP : LV_IP;
}

static int add(struct schc_parsed *p, unsigned fid, size_t off, size_t nbits)
{
	uint8_t fp = 1;

	if (p->n == SCHC_FIELDS_MAX || nbits > 8 * SCHC_VAL_MAX)
		return -1;
	for (unsigned i = 0; i < p->n; i++)
		if (p->f[i].fid == fid)
			fp++;
	p->f[p->n++] = (struct schc_field){ (uint16_t)fid, fp, false, (uint16_t)nbits,
					    (uint32_t)off };
	return 0;
}

static int parse_ipv6(const uint8_t *b, size_t len, bool up, struct schc_parsed *p)
{
	static const uint8_t lens[] = { 4, 8, 20, 16, 8, 8 };
	size_t off = 0;

	if (len < 40 || b[0] >> 4 != 6 || get16(b + 4) != len - 40)
		return -1;
	for (unsigned i = 0; i < 6; off += lens[i++])
		add(p, FID_IPV6_VER + i, off, lens[i]);
	add(p, up ? FID_IPV6_DEV_PREFIX : FID_IPV6_APP_PREFIX, 64, 64);
	add(p, up ? FID_IPV6_DEV_IID : FID_IPV6_APP_IID, 128, 64);
	add(p, up ? FID_IPV6_APP_PREFIX : FID_IPV6_DEV_PREFIX, 192, 64);
	add(p, up ? FID_IPV6_APP_IID : FID_IPV6_DEV_IID, 256, 64);
	p->layers |= SCHC_L_IPV6;
	return 40;
}

/* New IP (spec §3): the base header, both addresses and the blocks as they stand. */
static int parse_nip(const uint8_t *b, size_t len, bool up, struct schc_parsed *p)
{
	static const uint8_t lens[] = { 4, 8, 20, 16, 8, 8, 8, 8 };
	unsigned dl, sl, hl, off = 0;

	if (len < 12 || b[0] >> 4 != 1)
		return -1;
	hl = b[8], dl = b[10], sl = b[11];
	if (!dl || !sl || dl > 32 || sl > 32 || hl < 12 + dl + sl || hl > len ||
	    get16(b + 4) != len - hl)
		return -1;
	for (unsigned i = 0; i < 8; off += lens[i++])
		add(p, FID_NIP_VER + i, off, lens[i]);
	add(p, up ? FID_NIP_APP_LEN : FID_NIP_DEV_LEN, 80, 8); /* DL: the destination's */
	add(p, up ? FID_NIP_DEV_LEN : FID_NIP_APP_LEN, 88, 8);
	add(p, up ? FID_NIP_APP_ADDR : FID_NIP_DEV_ADDR, 96, 8 * dl);
	add(p, up ? FID_NIP_DEV_ADDR : FID_NIP_APP_ADDR, 96 + 8 * dl, 8 * sl);
	/* always there (§13.1): empty without blocks, so one rule can send blocks or none */
	add(p, FID_NIP_BLOCKS, 8 * (12 + dl + sl), 8 * (hl - 12 - dl - sl));
	p->layers |= SCHC_L_NIP;
	return (int)hl;
}

static int parse_udp(const uint8_t *b, size_t len, size_t at, bool up, struct schc_parsed *p)
{
	if (len - at < 8 || get16(b + at + 4) != len - at)
		return -1;
	add(p, up ? FID_UDP_DEV_PORT : FID_UDP_APP_PORT, 8 * at, 16);
	add(p, up ? FID_UDP_APP_PORT : FID_UDP_DEV_PORT, 8 * at + 16, 16);
	add(p, FID_UDP_LEN, 8 * at + 32, 16);
	add(p, FID_UDP_CKSUM, 8 * at + 48, 16);
	p->layers |= SCHC_L_UDP;
	p->udp_off = (uint16_t)at;
	return (int)at + 8;
}

/* An option's delta or length nibble with its extension octets (RFC 7252 §3.1). */
static int ext_nibble(const uint8_t *b, size_t len, size_t *i, unsigned *v)
{
	unsigned ext = *v < 13 ? 0 : *v - 12;

	if (*i + ext > len)
		return -1;
	if (ext == 1)
		*v = b[*i] + 13u;
	else if (ext == 2)
		*v = get16(b + *i) + 269u;
	*i += ext;
	return 0;
}

/* CoAP (RFC 7252 §3): header, token, options by number; the payload after the marker. */
static int parse_coap(const uint8_t *b, size_t len, size_t at, struct schc_parsed *p)
{
	static const uint8_t lens[] = { 2, 2, 4, 8, 16 };
	unsigned n0 = p->n, tkl, num = 0;
	size_t i = at + 4, off = 8 * at;

	if (len - at < 4 || b[at] >> 6 != 1 || (tkl = b[at] & 15) > 8 || len - at < 4 + tkl)
		return -1;
	for (unsigned k = 0; k < 5; off += lens[k++])
		add(p, FID_COAP_VER + k, off, lens[k]);
	if (tkl)
		add(p, FID_COAP_TOKEN, 8 * i, 8 * tkl);
	i += tkl;
	while (i < len && b[i] != 0xff) {
		unsigned d = b[i] >> 4, l = b[i] & 15, fid;
		i++;
		if (d == 15 || l == 15)
			goto bad;
		if (ext_nibble(b, len, &i, &d) < 0 || ext_nibble(b, len, &i, &l) < 0)
			goto bad;
		num += d;
		if (i + l > len || !(fid = opt_fid(num)) || add(p, fid, 8 * i, 8 * l) < 0)
			goto bad;
		i += l;
	}
	if (i < len && ++i == len) /* a marker with no payload is a format error */
		goto bad;
	p->layers |= SCHC_L_COAP;
	return (int)i;
bad:
	p->n = n0;
	return -1;
}

int schc_parse(const uint8_t *pkt, size_t len, enum schc_dir dir, bool coap,
	       struct schc_parsed *p)
{
	bool up = dir == SCHC_UP;
	int at;

	p->n = 0;
	p->layers = 0;
	p->udp_off = 0;
	at = len && pkt[0] >> 4 == 6 ? parse_ipv6(pkt, len, up, p) : parse_nip(pkt, len, up, p);
	if (at < 0)
		return -1;
	p->n_after[LV_IP] = (uint8_t)p->n;
	p->end[LV_IP] = (uint16_t)at;
	p->n_after[LV_UDP] = p->n_after[LV_COAP] = 0;
	/* Next Header is octet 6 in both IPv6 and New IP (spec §3.1) */
	if (pkt[6] != 17 || (at = parse_udp(pkt, len, (size_t)at, up, p)) < 0)
		return 0;
	p->n_after[LV_UDP] = (uint8_t)p->n;
	p->end[LV_UDP] = (uint16_t)at;
	if (coap && (at = parse_coap(pkt, len, (size_t)at, p)) >= 0) {
		p->n_after[LV_COAP] = (uint8_t)p->n;
		p->end[LV_COAP] = (uint16_t)at;
	}
	return 0;
}

/* UDP's checksum over the pseudo-header of the packet's IP layer: libnewip's of spec §6.1, which
 * for two 16-octet addresses is exactly IPv6's. */
static uint16_t udp_sum(const uint8_t *pkt, size_t len, size_t udp_off)
{
	bool v6 = pkt[0] >> 4 == 6;
	struct nip_pkt v = { .next_hdr = 17, .dst = pkt + (v6 ? 24 : 12), .dst_len = v6 ? 16 : pkt[10],
			     .src_len = v6 ? 16 : pkt[11] };
	uint32_t ul = (uint32_t)(len - udp_off);

	v.src = v6 ? pkt + 8 : pkt + 12 + v.dst_len;
	return nip_csum_fold(nip_csum_add(nip_pseudo_sum(&v, ul), pkt + udp_off, ul));
}

bool schc_computed_ok(const struct schc_parsed *p, const struct schc_field *f,
		      const uint8_t *pkt, size_t len)
{
	if (f->fid != FID_UDP_CKSUM) /* lengths: the parser refused any that disagree */
		return true;
	return get16(pkt + p->udp_off + 6) != 0 && udp_sum(pkt, len, p->udp_off) == 0;
}

struct builder {
	const struct schc_field *f;
	unsigned n, at;	/* at: where the last lookup found its field */
	const uint8_t *src;
	uint8_t *out;
	size_t cap, pos; /* bits */
	int err;
};

/* Decoded fields are in the rule's order, which is mostly the packet's: look from the last. */
static const struct schc_field *find(struct builder *b, unsigned fid, unsigned fp)
{
	for (unsigned k = 0; k < b->n; k++) {
		unsigned i = b->at + k < b->n ? b->at + k : b->at + k - b->n;
		if (b->f[i].fid == fid && b->f[i].fp == fp) {
			b->at = i;
			return &b->f[i];
		}
	}
	return NULL;
}

/* Write a field (zeros when computed: filled in at the end); a fixed field must be there. */
static const struct schc_field *put(struct builder *b, unsigned fid)
{
	const struct schc_field *f = find(b, fid, 1);
	unsigned want = schc_fid_info(fid)->bits;

	if (!f || (want && f->nbits != want) || b->pos + f->nbits > 8 * b->cap) {
		b->err = -1;
		return NULL;
	}
	if (f->computed)
		for (unsigned i = 0; i < f->nbits; i++)
			bit_set(b->out, b->pos + i, 0);
	else
		bits_copy(b->out, b->pos, b->src, f->off, f->nbits);
	b->pos += f->nbits;
	return f;
}

static void put_octet(struct builder *b, unsigned v)
{
	if (b->pos + 8 > 8 * b->cap) {
		b->err = -1;
		return;
	}
	bits_write(b->out, b->pos, 8, v);
	b->pos += 8;
}

/* The length of an address field, for a computed DL or SL. */
static unsigned addr_octets(struct builder *b, unsigned fid)
{
	const struct schc_field *a = find(b, fid, 1);

	return a ? a->nbits / 8u : 0;
}

static void build_ip(struct builder *b, bool up, bool nip, size_t *hl_at)
{
	unsigned first = nip ? FID_NIP_VER : FID_IPV6_VER, count = nip ? 8 : 6;

	for (unsigned i = 0; i < count; i++) {
		if (nip && first + i == FID_NIP_HL)
			*hl_at = b->pos;
		put(b, first + i);
	}
	if (!nip) {
		put(b, up ? FID_IPV6_DEV_PREFIX : FID_IPV6_APP_PREFIX);
		put(b, up ? FID_IPV6_DEV_IID : FID_IPV6_APP_IID);
		put(b, up ? FID_IPV6_APP_PREFIX : FID_IPV6_DEV_PREFIX);
		put(b, up ? FID_IPV6_APP_IID : FID_IPV6_DEV_IID);
		return;
	}
	unsigned dst_len = up ? FID_NIP_APP_LEN : FID_NIP_DEV_LEN, dst = up ? FID_NIP_APP_ADDR :
									      FID_NIP_DEV_ADDR;
	unsigned src_len = up ? FID_NIP_DEV_LEN : FID_NIP_APP_LEN, src = up ? FID_NIP_DEV_ADDR :
									      FID_NIP_APP_ADDR;
	size_t at = b->pos;
	const struct schc_field *d = put(b, dst_len), *s = put(b, src_len);
	if (d && d->computed)
		bits_write(b->out, at, 8, addr_octets(b, dst));
	if (s && s->computed)
		bits_write(b->out, at + 8, 8, addr_octets(b, src));
	put(b, dst);
	put(b, src);
	if (find(b, FID_NIP_BLOCKS, 1))
		put(b, FID_NIP_BLOCKS);
}

static void build_coap(struct builder *b, bool payload)
{
	unsigned last = 0;

	for (unsigned i = 0; i < 5; i++)
		put(b, FID_COAP_VER + i);
	if (find(b, FID_COAP_TOKEN, 1))
		put(b, FID_COAP_TOKEN);
	for (unsigned i = 0; i < b->n && !b->err; i++) {
		const struct schc_field *f = &b->f[i];
		const struct schc_fid_info *fi = schc_fid_info(f->fid);
		if (f->fid < FID_COAP_OPT_FIRST || f->fid >= FID_NIP_VER)
			continue;
		unsigned d = fi->coap_opt - last, l = f->nbits / 8u;
		if (fi->coap_opt < last) { /* the rule wrote options out of order */
			b->err = -1;
			return;
		}
		last = fi->coap_opt;
		put_octet(b, (d < 13 ? d : d < 269 ? 13 : 14) << 4 | (l < 13 ? l : l < 269 ? 13 : 14));
		for (unsigned k = 0; k < 2; k++) {
			unsigned v = k ? l : d;
			if (v >= 269) {
				put_octet(b, (v - 269) >> 8);
				put_octet(b, (v - 269) & 255);
			} else if (v >= 13) {
				put_octet(b, v - 13);
			}
		}
		if (b->pos + f->nbits > 8 * b->cap) {
			b->err = -1;
			return;
		}
		bits_copy(b->out, b->pos, b->src, f->off, f->nbits);
		b->pos += f->nbits;
	}
	if (payload)
		put_octet(b, 0xff);
}

int schc_build(const struct schc_field *f, unsigned n, const uint8_t *src, uint8_t layers,
	       enum schc_dir dir, const uint8_t *pay, size_t pay_off, size_t plen, uint8_t *out,
	       size_t cap)
{
	struct builder b = { f, n, 0, src, out, cap, 0, 0 };
	bool up = dir == SCHC_UP, nip = layers & SCHC_L_NIP;
	size_t hl_at = 0, hl, udp = 0, len;

	build_ip(&b, up, nip, &hl_at);
	hl = b.pos / 8;
	if (layers & SCHC_L_UDP) {
		udp = b.pos / 8;
		for (unsigned i = 0; i < 4; i++)
			put(&b, i < 2 ? ((i == 0) == up ? FID_UDP_DEV_PORT : FID_UDP_APP_PORT) :
					FID_UDP_LEN + i - 2);
	}
	if (layers & SCHC_L_COAP)
		build_coap(&b, plen > 0);
	if (b.err || b.pos & 7 || b.pos / 8 + plen > cap)
		return -1;
	len = b.pos / 8 + plen;
	bits_copy(out, b.pos, pay, pay_off, 8 * plen);
	/* Computed fields, now that every length is known. */
	if (nip) {
		const struct schc_field *x = find(&b, FID_NIP_HL, 1);
		if (x && x->computed)
			out[hl_at / 8] = (uint8_t)hl;
		if ((x = find(&b, FID_NIP_LEN, 1)) && x->computed)
			put16(out + 4, (uint16_t)(len - out[8]));
	} else {
		const struct schc_field *x = find(&b, FID_IPV6_LEN, 1);
		if (x && x->computed)
			put16(out + 4, (uint16_t)(len - 40));
	}
	if (udp) {
		const struct schc_field *x = find(&b, FID_UDP_LEN, 1);
		if (x && x->computed)
			put16(out + udp + 4, (uint16_t)(len - udp));
		if ((x = find(&b, FID_UDP_CKSUM, 1)) && x->computed) {
			uint16_t c;
			put16(out + udp + 6, 0);
			c = udp_sum(out, len, udp);
			put16(out + udp + 6, c ? c : 0xffff);
		}
	}
	return (int)len;
}
