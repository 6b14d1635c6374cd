/* Field IDs and the layers they belong to (docs/spec.md §13.1): parse a packet into fields and
 * build one back from them. */
#include <string.h>

#include "../lib/bytes.h"
#include "bits.h"
#include "internal.h"
#include "newip/checksum.h"

#define OPT(n, num) [FID_COAP_OPT_FIRST + n] = { "COAP." #num, SCHC_L_COAP, 0, 0 }

const uint16_t schc_coap_opts[] = { 1, 3, 4, 5, 6, 7, 8, 11, 12, 14, 15, 17, 20, 23, 27, 28, 35,
				    39, 60, 258 };
const unsigned schc_n_coap_opts = sizeof(schc_coap_opts) / sizeof(schc_coap_opts[0]);
static const char *const opt_names[] = {
	"IF_MATCH", "URI_HOST", "ETAG", "IF_NONE_MATCH", "OBSERVE", "URI_PORT", "LOCATION_PATH",
	"URI_PATH", "CONTENT_FORMAT", "MAX_AGE", "URI_QUERY", "ACCEPT", "LOCATION_QUERY",
	"BLOCK2", "BLOCK1", "SIZE2", "PROXY_URI", "PROXY_SCHEME", "SIZE1", "NO_RESPONSE"
};
_Static_assert(sizeof(opt_names) / sizeof(opt_names[0]) ==
		       sizeof(schc_coap_opts) / sizeof(schc_coap_opts[0]),
	       "one name per CoAP option");
_Static_assert(sizeof(schc_coap_opts) / sizeof(schc_coap_opts[0]) == FID_NIP_VER - FID_COAP_OPT_FIRST,
	       "the option FIDs end where New IP's begin");

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

static char opt_full[20][24];
static struct schc_fid_info opt_info[20];

const struct schc_fid_info *schc_fid_info(unsigned fid)
{
	if (fid >= FID_COAP_OPT_FIRST && fid < FID_NIP_VER) {
		unsigned i = fid - FID_COAP_OPT_FIRST;
		if (!opt_info[i].name) { /* built once; the same every time */
			strcpy(opt_full[i], "COAP.");
			strcat(opt_full[i], opt_names[i]);
			opt_info[i] = (struct schc_fid_info){ opt_full[i], SCHC_L_COAP, 0,
							      schc_coap_opts[i] };
		}
		return &opt_info[i];
	}
	return fid && fid < FID_COUNT && fids[fid].name ? &fids[fid] : NULL;
}

unsigned schc_fid_by_name(const char *name)
{
	for (unsigned f = 1; f < FID_COUNT; f++) {
		const struct schc_fid_info *i = schc_fid_info(f);
		if (i && !strcmp(i->name, name))
			return f;
	}
	return FID_NONE;
}

static unsigned opt_fid(unsigned num)
{
	for (unsigned i = 0; i < schc_n_coap_opts; i++)
		if (schc_coap_opts[i] == num)
			return FID_COAP_OPT_FIRST + i;
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
	if (hl > 12 + dl + sl)
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
	int at, nxt;

	p->n = 0;
	p->layers = 0;
	p->udp_off = 0;
	if (len && pkt[0] >> 4 == 6) {
		at = parse_ipv6(pkt, len, up, p);
		nxt = at > 0 ? pkt[6] : -1;
	} else {
		at = parse_nip(pkt, len, up, p);
		nxt = at > 0 ? pkt[6] : -1;
	}
	if (at < 0)
		return -1;
	p->n_after[LV_IP] = (uint8_t)p->n;
	p->end[LV_IP] = (uint16_t)at;
	p->n_after[LV_UDP] = p->n_after[LV_COAP] = 0;
	if (nxt != 17 || (at = parse_udp(pkt, len, (size_t)at, up, p)) < 0)
		return 0;
	p->n_after[LV_UDP] = (uint8_t)p->n;
	p->end[LV_UDP] = (uint16_t)at;
	if (coap && (at = parse_coap(pkt, len, (size_t)at, p)) >= 0) {
		p->n_after[LV_COAP] = (uint8_t)p->n;
		p->end[LV_COAP] = (uint16_t)at;
	}
	return 0;
}

/* UDP's checksum over the pseudo-header of the packet's IP layer: IPv6's, or New IP's (§6.1). */
static uint16_t udp_sum(const uint8_t *pkt, size_t len, size_t udp_off)
{
	uint32_t s, ul = (uint32_t)(len - udp_off);
	uint8_t tail[8] = { (uint8_t)(ul >> 24), (uint8_t)(ul >> 16), (uint8_t)(ul >> 8),
			    (uint8_t)ul, 0, 0, 0, 17 };

	if (pkt[0] >> 4 == 6) {
		s = nip_csum_add(0, pkt + 8, 32);
	} else {
		unsigned dl = pkt[10], sl = pkt[11];
		s = nip_csum_add(0, pkt + 12 + dl, sl); /* source, then destination */
		s = nip_csum_add(s, pkt + 12, dl);
	}
	s = nip_csum_add(s, tail, 8);
	return nip_csum_fold(nip_csum_add(s, pkt + udp_off, ul));
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
	unsigned n;
	const uint8_t *src;
	uint8_t *out;
	size_t cap, pos; /* bits */
	int err;
};

static const struct schc_field *find(const struct builder *b, unsigned fid, unsigned fp)
{
	for (unsigned i = 0; i < b->n; i++)
		if (b->f[i].fid == fid && b->f[i].fp == fp)
			return &b->f[i];
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
static unsigned addr_octets(const struct builder *b, unsigned fid)
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
	       enum schc_dir dir, const uint8_t *payload, size_t plen, uint8_t *out, size_t cap)
{
	struct builder b = { f, n, src, out, cap, 0, 0 };
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
	memcpy(out + b.pos / 8, payload, plen);
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
