/* Compression and decompression with a rule (docs/spec.md §13.2, RFC 8724 §7). */
#include <string.h>

#include "bits.h"
#include "internal.h"

unsigned schc_varlen_put(uint8_t *buf, size_t pos, unsigned octets)
{
	if (octets < 15) {
		bits_write(buf, pos, 4, octets);
		return 4;
	}
	bits_write(buf, pos, 4, 15);
	if (octets < 255) {
		bits_write(buf, pos + 4, 8, octets);
		return 12;
	}
	bits_write(buf, pos + 4, 8, 255);
	bits_write(buf, pos + 12, 16, octets);
	return 28;
}

unsigned schc_varlen_get(const uint8_t *buf, size_t pos, size_t nbits, unsigned *octets)
{
	if (pos + 4 > nbits)
		return 0;
	if ((*octets = bits_read(buf, pos, 4)) < 15)
		return 4;
	if (pos + 12 > nbits)
		return 0;
	if ((*octets = bits_read(buf, pos + 4, 8)) < 255)
		return 12;
	if (pos + 28 > nbits)
		return 0;
	*octets = bits_read(buf, pos + 12, 16);
	return 28;
}

static unsigned map_bits(unsigned n)
{
	unsigned b = 0;

	while ((1u << b) < n)
		b++;
	return b;
}

int schc_rule_of(const struct schc_rules *rs, const uint8_t *frame, size_t nbits)
{
	for (unsigned r = 0; r < rs->n_rules; r++) {
		const struct schc_rule *x = &rs->rules[r];
		if (x->id_len <= nbits && bits_read(frame, 0, x->id_len) == x->id)
			return (int)r;
	}
	return -1;
}

static const uint8_t *tv(const struct schc_rules *rs, const struct schc_fd *fd, unsigned v,
			 unsigned *nbits)
{
	const struct schc_bits *b = &rs->vals[fd->tv + v];

	*nbits = b->nbits;
	return rs->arena + b->off;
}

/* Does a field meet the rule's matching operator? For match-mapping, *idx gets the index. */
static bool mo_ok(const struct schc_rules *rs, const struct schc_fd *fd, const uint8_t *pkt,
		  const struct schc_field *f, unsigned *idx)
{
	unsigned n;
	const uint8_t *t;

	if (fd->fl && f->nbits != fd->fl)
		return false;
	switch (fd->mo) {
	case SCHC_MO_IGNORE:
		return true;
	case SCHC_MO_EQUAL:
		t = tv(rs, fd, 0, &n);
		return n == f->nbits && !bits_cmp(t, 0, pkt, f->off, n);
	case SCHC_MO_MSB:
		t = tv(rs, fd, 0, &n);
		return f->nbits >= fd->mo_val && !bits_cmp(t, 0, pkt, f->off, fd->mo_val);
	default:
		for (*idx = 0; *idx < fd->n_tv; (*idx)++) {
			t = tv(rs, fd, *idx, &n);
			if (n == f->nbits && !bits_cmp(t, 0, pkt, f->off, n))
				return true;
		}
		return false;
	}
}

struct wr {
	uint8_t *out;
	size_t cap, pos;
};

static int emit(struct wr *w, const uint8_t *src, size_t sp, size_t n)
{
	if (w->pos + n > 8 * w->cap)
		return -1;
	bits_copy(w->out, w->pos, src, sp, n);
	w->pos += n;
	return 0;
}

static int emit_int(struct wr *w, unsigned n, uint32_t v)
{
	if (w->pos + n > 8 * w->cap)
		return -1;
	bits_write(w->out, w->pos, n, v);
	w->pos += n;
	return 0;
}

static int finish(struct wr *w, size_t *nbits)
{
	*nbits = w->pos;
	while (w->pos & 7)
		if (emit_int(w, 1, 0) < 0)
			return -1;
	return 0;
}

/* The residue of one field (§13.2). */
static int residue(struct wr *w, const struct schc_fd *fd,
		   const uint8_t *pkt, const struct schc_field *f, unsigned idx)
{
	switch (fd->cda) {
	case SCHC_CDA_VALUE_SENT:
		if (!fd->fl) {
			if (w->pos + 28 > 8 * w->cap)
				return -1;
			w->pos += schc_varlen_put(w->out, w->pos, f->nbits / 8u);
		}
		return emit(w, pkt, f->off, f->nbits);
	case SCHC_CDA_MAP_SENT:
		return emit_int(w, map_bits(fd->n_tv), idx);
	case SCHC_CDA_LSB:
		return emit(w, pkt, f->off + fd->mo_val, f->nbits - fd->mo_val);
	default:
		return 0;
	}
}

static int compress_parsed(const struct schc_rules *rs, const struct schc_rule *r,
			   enum schc_dir dir, const uint8_t *pkt, size_t len,
			   const struct schc_parsed *p, struct wr *w)
{
	int depth = schc_layer_depth(r->layers);
	uint8_t ip = SCHC_L_IPV6 | SCHC_L_NIP;
	unsigned nf, k = 0, at = 0;
	uint64_t used = 0;

	if ((r->layers & ip) != (p->layers & ip) || (r->layers & ~p->layers))
		return -1;
	nf = p->n_after[depth];
	if (emit_int(w, r->id_len, r->id) < 0)
		return -1;
	for (unsigned i = 0; i < r->n_fd; i++) {
		const struct schc_fd *fd = &rs->fds[r->fd + i];
		unsigned j, idx = 0;
		if (!(fd->di & dir))
			continue;
		k++;
		/* Rules mostly list fields in the packet's order: look from after the last match. */
		for (j = 0; j < nf; j++) {
			unsigned c = at + j < nf ? at + j : at + j - nf;
			if (!(used >> c & 1) && p->f[c].fid == fd->fid && p->f[c].fp == fd->fp)
				break;
		}
		if (j == nf)
			return -1;
		j = at + j < nf ? at + j : at + j - nf;
		at = j + 1;
		if (!mo_ok(rs, fd, pkt, &p->f[j], &idx))
			return -1;
		if ((fd->cda == SCHC_CDA_COMP_LEN || fd->cda == SCHC_CDA_COMP_CKSUM) &&
		    !schc_computed_ok(p, &p->f[j], pkt, len))
			return -1;
		used |= 1ull << j;
		if (residue(w, fd, pkt, &p->f[j], idx) < 0)
			return -1;
	}
	for (unsigned c = 0; k != nf && c < nf; c++) /* a field of the packet the rule does not
							  * describe: only empty blocks may go */
		if (!(used >> c & 1) && (p->f[c].fid != FID_NIP_BLOCKS || p->f[c].nbits))
			return -1;
	return emit(w, pkt, 8u * p->end[depth], 8 * (len - p->end[depth]));
}

static int nocomp(const struct schc_rule *r, const uint8_t *pkt, size_t len, struct wr *w)
{
	return emit_int(w, r->id_len, r->id) < 0 ? -1 : emit(w, pkt, 0, 8 * len);
}

int schc_compress_rule(const struct schc_rules *rs, unsigned rule, enum schc_dir dir,
		       const uint8_t *pkt, size_t len, uint8_t *out, size_t cap, size_t *nbits)
{
	const struct schc_rule *r = &rs->rules[rule];
	struct wr w = { out, cap, 0 };
	struct schc_parsed p;
	int rc;

	if (r->kind == SCHC_RULE_NOCOMP)
		rc = nocomp(r, pkt, len, &w);
	else if (r->kind != SCHC_RULE_COMP || schc_parse(pkt, len, dir, true, &p) < 0)
		rc = -1;
	else
		rc = compress_parsed(rs, r, dir, pkt, len, &p, &w);
	return rc < 0 ? -1 : finish(&w, nbits);
}

int schc_compress(const struct schc_rules *rs, enum schc_dir dir, const uint8_t *pkt,
		  size_t len, uint8_t *out, size_t cap, size_t *nbits)
{
	struct schc_parsed p;
	int best = -1, last = -1; /* last: the rule whose bits out holds */
	size_t best_bits = SIZE_MAX;
	struct wr w;

	if (schc_parse(pkt, len, dir, true, &p) == 0)
		for (unsigned r = 0; r < rs->n_rules; r++) {
			if (rs->rules[r].kind != SCHC_RULE_COMP)
				continue;
			w = (struct wr){ out, cap, 0 };
			last = compress_parsed(rs, &rs->rules[r], dir, pkt, len, &p, &w) < 0 ? -1 :
											       (int)r;
			if (last >= 0 && w.pos < best_bits)
				best_bits = w.pos, best = last;
		}
	if (best >= 0 && best == last) { /* out holds it already: pad it */
		w.pos = best_bits;
		return finish(&w, nbits) < 0 ? -1 : best;
	}
	w = (struct wr){ out, cap, 0 };
	if (best >= 0) /* a later rule wrote over it: again, from the same parse */
		return compress_parsed(rs, &rs->rules[best], dir, pkt, len, &p, &w) < 0 ||
				       finish(&w, nbits) < 0 ? -1 : best;
	if (rs->nocomp < 0 || nocomp(&rs->rules[rs->nocomp], pkt, len, &w) < 0 ||
	    finish(&w, nbits) < 0)
		return -1;
	return rs->nocomp;
}

/* Read one field's value from the residue (or the rule) into scratch. */
static int decode_field(const struct schc_rules *rs, const struct schc_fd *fd, const uint8_t *in,
			size_t nbits, size_t *pos, uint8_t *sc, size_t *sc_pos,
			struct schc_field *f)
{
	const struct schc_fid_info *fi = schc_fid_info(fd->fid);
	unsigned n = 0, octets, used, idx;
	const uint8_t *t;

	*f = (struct schc_field){ fd->fid, fd->fp, false, 0, (uint32_t)*sc_pos };
	switch (fd->cda) {
	case SCHC_CDA_NOT_SENT:
		t = tv(rs, fd, 0, &n);
		bits_copy(sc, *sc_pos, t, 0, n);
		break;
	case SCHC_CDA_VALUE_SENT:
		n = fd->fl;
		if (!n) {
			if (!(used = schc_varlen_get(in, *pos, nbits, &octets)) || octets > SCHC_VAL_MAX)
				return -1;
			*pos += used;
			n = 8 * octets;
		}
		if (*pos + n > nbits)
			return -1;
		bits_copy(sc, *sc_pos, in, *pos, n);
		*pos += n;
		break;
	case SCHC_CDA_MAP_SENT:
		used = map_bits(fd->n_tv);
		if (*pos + used > nbits || (idx = bits_read(in, *pos, used)) >= fd->n_tv)
			return -1;
		*pos += used;
		t = tv(rs, fd, idx, &n);
		bits_copy(sc, *sc_pos, t, 0, n);
		break;
	case SCHC_CDA_LSB:
		n = fd->fl;
		if (*pos + n - fd->mo_val > nbits)
			return -1;
		t = tv(rs, fd, 0, &used);
		bits_copy(sc, *sc_pos, t, 0, fd->mo_val);
		bits_copy(sc, *sc_pos + fd->mo_val, in, *pos, n - fd->mo_val);
		*pos += n - fd->mo_val;
		break;
	default: /* computed: its width now, its value once the packet is built */
		f->computed = true;
		n = fi->bits;
		for (unsigned i = 0; i < n; i++)
			bit_set(sc, *sc_pos + i, 0);
		break;
	}
	f->nbits = (uint16_t)n;
	*sc_pos += (n + 7) & ~7u; /* each value starts on an octet */
	return 0;
}

int schc_decompress(const struct schc_rules *rs, enum schc_dir dir, const uint8_t *in,
		    size_t nbits, uint8_t *out, size_t cap, int *rule)
{
	struct schc_field f[SCHC_FIELDS_MAX];
	uint8_t sc[SCHC_FIELDS_MAX * 32 + 4 * SCHC_VAL_MAX];
	size_t pos, sc_pos = 0, plen;
	const struct schc_rule *r;
	unsigned n = 0;
	int ri = schc_rule_of(rs, in, nbits);

	*rule = ri;
	if (ri < 0 || (r = &rs->rules[ri])->kind == SCHC_RULE_FRAG)
		return -1;
	pos = r->id_len;
	for (unsigned i = 0; r->kind == SCHC_RULE_COMP && i < r->n_fd; i++) {
		const struct schc_fd *fd = &rs->fds[r->fd + i];
		if (!(fd->di & dir))
			continue;
		if (n == SCHC_FIELDS_MAX || sc_pos + 8 * SCHC_VAL_MAX > 8 * sizeof(sc) ||
		    decode_field(rs, fd, in, nbits, &pos, sc, &sc_pos, &f[n++]) < 0)
			return -1;
	}
	plen = (nbits - pos) / 8;
	if (plen > SCHC_PKT_MAX)
		return -1;
	if (r->kind == SCHC_RULE_NOCOMP) {
		if (plen > cap)
			return -1;
		bits_copy(out, 0, in, pos, 8 * plen);
		return (int)plen;
	}
	return schc_build(f, n, sc, r->layers, dir, in, pos, plen, out, cap);
}
