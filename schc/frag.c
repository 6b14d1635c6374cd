/* SCHC fragmentation, No-ACK and ACK-on-Error (RFC 8724 §8; docs/spec.md §13.3). */
#include <string.h>
#include <zlib.h>

#include "bits.h"
#include "frag.h"

uint32_t schc_rcs(const uint8_t *b, size_t len)
{
	return (uint32_t)crc32(0, b, (uInt)len);
}

static unsigned hdr_bits(const struct schc_rule *r)
{
	return r->id_len + r->frag.t + r->frag.m + r->frag.n;
}

static uint32_t ones(unsigned n)
{
	return n >= 32 ? UINT32_MAX : (1u << n) - 1;
}

static bool tst(const uint64_t *m, unsigned i)
{
	return m[i / 64] >> (i % 64) & 1;
}

static void put_bit(uint64_t *m, unsigned i, bool v)
{
	if (v)
		m[i / 64] |= 1ull << (i % 64);
	else
		m[i / 64] &= ~(1ull << (i % 64));
}

/* RuleID ‖ DTag ‖ W ‖ FCN (or C): the header every frame of the rule starts with. */
static size_t put_hdr(const struct schc_rule *r, uint8_t *out, uint32_t dtag, uint32_t w,
		      unsigned last_bits, uint32_t last)
{
	size_t pos = 0;

	bits_write(out, pos, r->id_len, r->id), pos += r->id_len;
	bits_write(out, pos, r->frag.t, dtag), pos += r->frag.t;
	bits_write(out, pos, r->frag.m, w), pos += r->frag.m;
	bits_write(out, pos, last_bits, last), pos += last_bits;
	return pos;
}

static size_t pad(uint8_t *out, size_t pos, unsigned bit)
{
	while (pos & 7)
		bit_set(out, pos++, bit);
	return pos / 8;
}

int schc_ftx_start(struct schc_ftx *s, const struct schc_rule *r, const uint8_t *pkt,
		   size_t len, uint32_t dtag, size_t frame, uint64_t now_ms)
{
	const struct schc_frag_prof *p = &r->frag;
	unsigned hb = hdr_bits(r);

	(void)now_ms;
	memset(s, 0, offsetof(struct schc_ftx, pending));
	memset(s->pending, 0, sizeof(s->pending));
	s->frags = s->retx_tiles = s->ack_reqs = 0; /* this packet's, after the bitmap */
	if (len > SCHC_PKT_MAX || !len || 8 * frame < hb + 32 + 8)
		return -1;
	s->r = r;
	memcpy(s->pkt, pkt, len);
	s->len = (uint16_t)len, s->frame = (uint16_t)frame, s->dtag = dtag & ones(p->t);
	s->rcs = schc_rcs(pkt, len);
	s->state = FTX_SEND;
	if (p->mode == SCHC_ACK_ON_ERROR) {
		s->n_tiles = (uint16_t)((len + p->tile - 1) / p->tile);
		s->per_frag = (uint16_t)((8 * frame - hb) / (8u * p->tile));
		if (!s->per_frag || (s->n_tiles + p->window - 1u) / p->window > (1u << p->m))
			return s->state = FTX_IDLE, -1;
		for (unsigned t = 0; t < s->n_tiles; t++)
			put_bit(s->pending, t, true);
	}
	return 0;
}

static size_t noack_next(struct schc_ftx *s, uint8_t *out)
{
	const struct schc_rule *r = s->r;
	unsigned hb = hdr_bits(r);
	size_t left = s->len - s->sent_off, reg = (8u * s->frame - hb) / 8,
	       last = (8u * s->frame - hb - 32) / 8, pos, n;

	if (left <= last) { /* All-1: the RCS and the rest */
		pos = put_hdr(r, out, s->dtag, 0, r->frag.n, ones(r->frag.n));
		bits_write(out, pos, 32, s->rcs), pos += 32;
		n = left;
		s->state = FTX_DONE;
	} else {
		pos = put_hdr(r, out, s->dtag, 0, r->frag.n, 0);
		n = left < reg ? left : reg;
	}
	bits_copy(out, pos, s->pkt, 8u * s->sent_off, 8 * n);
	s->sent_off = (uint16_t)(s->sent_off + n);
	s->frags++;
	return pad(out, pos + 8 * n, 0);
}

/* The next run of pending tiles of one window, as one fragment. */
static size_t tiles_next(struct schc_ftx *s, uint8_t *out)
{
	const struct schc_frag_prof *p = &s->r->frag;
	unsigned t = 0, k = 0, ws = p->window;
	size_t pos, off, n = 0;

	while (t < s->n_tiles && !tst(s->pending, t))
		t++;
	if (t == s->n_tiles)
		return 0;
	pos = put_hdr(s->r, out, s->dtag, t / ws, p->n, ws - 1 - t % ws);
	off = (size_t)t * p->tile;
	while (k < s->per_frag && t + k < s->n_tiles && tst(s->pending, t + k) &&
	       (k == 0 || (t + k) % ws)) {
		put_bit(s->pending, t + k, false);
		k++;
	}
	n = (size_t)(t + k) * p->tile > s->len ? s->len - off : (size_t)k * p->tile;
	bits_copy(out, pos, s->pkt, 8 * off, 8 * n);
	s->frags++;
	return pad(out, pos + 8 * n, 0);
}

size_t schc_ftx_next(struct schc_ftx *s, uint8_t *out, uint64_t now_ms)
{
	const struct schc_frag_prof *p;
	unsigned last_w;
	size_t pos, n;

	if (s->state == FTX_SEND && s->r->frag.mode == SCHC_NOACK)
		return noack_next(s, out);
	if (s->state != FTX_SEND && s->state != FTX_WAIT)
		return 0;
	p = &s->r->frag;
	last_w = (s->n_tiles - 1u) / p->window;
	if (s->abort_due) { /* Sender-Abort: W and FCN all ones, no RCS */
		s->abort_due = false;
		s->state = FTX_ABORTED;
		return pad(out, put_hdr(s->r, out, s->dtag, ones(p->m), p->n, ones(p->n)), 0);
	}
	if (s->state == FTX_SEND && (n = tiles_next(s, out)))
		return n;
	if (s->state == FTX_SEND) { /* every tile out: the All-1 with the RCS */
		pos = put_hdr(s->r, out, s->dtag, last_w, p->n, ones(p->n));
		bits_write(out, pos, 32, s->rcs);
		s->state = FTX_WAIT;
		s->unanswered++;
		s->deadline = now_ms + p->retrans_ms;
		return pad(out, pos + 32, 0);
	}
	if (now_ms < s->deadline)
		return 0;
	if (s->unanswered > p->max_ack_req) {
		s->abort_due = true;
		return schc_ftx_next(s, out, now_ms);
	}
	/* The retransmission timer: ask for an ACK with the All-1 again, not an ACK REQ: its RCS
	 * tells a receiver that completed the previous packet (T = 0: the same DTag) from one
	 * that missed all of this one, which an ACK REQ cannot (§13.3). */
	s->unanswered++;
	s->ack_reqs++;
	s->deadline = now_ms + p->retrans_ms;
	pos = put_hdr(s->r, out, s->dtag, last_w, p->n, ones(p->n));
	bits_write(out, pos, 32, s->rcs);
	return pad(out, pos + 32, 0);
}

uint64_t schc_ftx_when(const struct schc_ftx *s)
{
	if (s->state == FTX_SEND || s->abort_due)
		return 0;
	return s->state == FTX_WAIT ? s->deadline : UINT64_MAX;
}

void schc_ftx_input(struct schc_ftx *s, const uint8_t *f, size_t len, uint64_t now_ms)
{
	const struct schc_frag_prof *p;
	unsigned hb, w, c, ws, added = 0;
	size_t nbits = 8 * len, have;

	(void)now_ms;
	if (s->state != FTX_WAIT && s->state != FTX_SEND)
		return;
	p = &s->r->frag;
	if (p->mode != SCHC_ACK_ON_ERROR)
		return;
	hb = s->r->id_len + p->t + p->m + 1;
	if (nbits < hb || bits_read(f, s->r->id_len, p->t) != s->dtag)
		return;
	w = bits_read(f, s->r->id_len + p->t, p->m);
	c = bit_get(f, hb - 1);
	if (c && w == ones(p->m) && len >= (hb + 7) / 8 + 1 && f[len - 1] == 0xff) {
		s->state = FTX_ABORTED; /* Receiver-Abort */
		return;
	}
	if (c) {
		s->state = FTX_DONE;
		return;
	}
	s->unanswered = 0;
	ws = p->window;
	have = nbits - hb < ws ? nbits - hb : ws; /* the compressed bitmap: missing bits are 1 */
	for (unsigned i = 0; i < have; i++) {
		unsigned t = w * ws + i;
		if (!bit_get(f, hb + i) && t < s->n_tiles && !tst(s->pending, t)) {
			put_bit(s->pending, t, true);
			added++;
		}
	}
	s->retx_tiles += added;
	if (++s->rounds > 4u * p->max_ack_req) {
		s->abort_due = true;
		return;
	}
	if (added) {
		s->state = FTX_SEND; /* the tiles, then the All-1 again */
	} else if (s->state == FTX_WAIT) {
		s->state = FTX_SEND; /* nothing missing it can see: it lacks the All-1 */
		s->unanswered++;
	}
}

/* ---- receiver ---- */

static void frx_reset(struct schc_frx *x)
{
	x->state = FRX_IDLE;
	x->all1 = x->short_seen = false;
	x->max_tile = x->short_len = x->len = 0;
	memset(x->have, 0, sizeof(x->have));
}

/* An ACK: the window's bitmap compressed (trailing 1-bits removed to an octet boundary). */
static size_t ack(const struct schc_rule *r, const struct schc_frx *x, uint8_t *out, size_t cap,
		  unsigned w, bool complete)
{
	const struct schc_frag_prof *p = &r->frag;
	size_t pos = put_hdr(r, out, x->dtag, w, 1, complete), keep = 0;
	unsigned ws = p->window;

	if ((pos + ws + 7) / 8 > cap)
		return 0;
	if (!complete) {
		for (unsigned i = 0; i < ws; i++)
			if (!tst(x->have, w * ws + i))
				keep = i + 1;
		while (keep < ws && (pos + keep) % 8)
			keep++;
		for (unsigned i = 0; i < keep; i++)
			bit_set(out, pos + i, tst(x->have, w * ws + i));
		pos += keep;
	}
	return pad(out, pos, 0);
}

static size_t receiver_abort(const struct schc_rule *r, const struct schc_frx *x, uint8_t *out,
			     size_t cap)
{
	size_t n;

	if (cap < (hdr_bits(r) + 7) / 8 + 2)
		return 0;
	n = pad(out, put_hdr(r, out, x->dtag, ones(r->frag.m), 1, 1), 1);
	out[n] = 0xff;
	return n + 1;
}

/* After the All-1 (or an ACK REQ): complete, or the ACK of the lowest window that lacks a tile. */
static int settle(struct schc_frx *x, const struct schc_rule *r, uint8_t *reply, size_t cap,
		  size_t *rlen, size_t *out_len)
{
	const struct schc_frag_prof *p = &r->frag;
	unsigned ws = p->window, end = x->short_seen ? x->max_tile + 1u :
				   (unsigned)(x->all1 ? x->last_w + 1u : x->max_tile / ws + 1u) * ws;
	unsigned t = 0;

	while (t < end && tst(x->have, t))
		t++;
	if (x->all1 && t > x->max_tile) { /* every tile up to the highest: is that all? */
		size_t len = x->short_seen ? (size_t)x->max_tile * p->tile + x->short_len :
					     (size_t)(x->max_tile + 1u) * p->tile;
		if (len <= SCHC_PKT_MAX && schc_rcs(x->buf, len) == x->rcs) {
			*rlen = ack(r, x, reply, cap, x->last_w, true);
			*out_len = len;
			x->state = FRX_DONE;
			return FRX_COMPLETE;
		}
		if (x->short_seen) { /* all there and still wrong: nothing to ask for */
			*rlen = ack(r, x, reply, cap, x->last_w, false);
			return FRX_BAD_RCS;
		}
	}
	*rlen = ack(r, x, reply, cap, t < end ? t / ws : x->last_w, false);
	return FRX_MORE;
}

static int noack_input(struct schc_frx *x, const struct schc_rule *r, const uint8_t *f,
		       size_t nbits, uint32_t fcn, size_t *out_len)
{
	size_t pos = hdr_bits(r), n;
	bool all1 = fcn == ones(r->frag.n);

	if (all1 && nbits - pos < 32) { /* a Sender-Abort */
		frx_reset(x);
		return FRX_SENDER_ABORT;
	}
	if (all1)
		x->rcs = bits_read(f, pos, 32), pos += 32;
	n = (nbits - pos) / 8;
	if (x->len + n > SCHC_PKT_MAX) {
		frx_reset(x);
		return FRX_MALFORMED;
	}
	bits_copy(x->buf, 8u * x->len, f, pos, 8 * n);
	x->len = (uint16_t)(x->len + n);
	if (!all1)
		return FRX_MORE;
	*out_len = x->len;
	n = schc_rcs(x->buf, x->len) == x->rcs;
	frx_reset(x);
	return n ? FRX_COMPLETE : FRX_BAD_RCS;
}

/* A regular fragment's tiles into place. */
static int tiles_in(struct schc_frx *x, const struct schc_rule *r, const uint8_t *f,
		    size_t nbits, uint32_t w, uint32_t fcn)
{
	const struct schc_frag_prof *p = &r->frag;
	size_t pos = hdr_bits(r), n = (nbits - pos) / 8;
	unsigned ws = p->window, t0 = w * ws + (ws - 1 - fcn);

	if (fcn >= ws || !n)
		return FRX_MALFORMED;
	for (unsigned k = 0; n; k++) {
		unsigned t = t0 + k, len = n < p->tile ? (unsigned)n : p->tile;
		if ((t % ws == 0 && k) || (size_t)t * p->tile + len > SCHC_PKT_MAX ||
		    (x->short_seen && t > x->max_tile) || (len < p->tile && x->short_seen &&
							   t != x->max_tile))
			return FRX_MALFORMED;
		bits_copy(x->buf, 8u * t * p->tile, f, pos, 8u * len);
		put_bit(x->have, t, true);
		if (t > x->max_tile)
			x->max_tile = (uint16_t)t;
		if (len < p->tile)
			x->short_seen = true, x->short_len = (uint16_t)len, x->max_tile = (uint16_t)t;
		pos += 8u * len;
		n -= len;
	}
	return FRX_MORE;
}

int schc_frx_input(struct schc_frx *x, const struct schc_rule *r, const uint8_t *f, size_t len,
		   uint64_t now_ms, uint8_t *reply, size_t cap, size_t *rlen, size_t *out_len)
{
	const struct schc_frag_prof *p = &r->frag;
	size_t nbits = 8 * len, hb = hdr_bits(r);
	uint32_t dtag, w, fcn;
	bool all1, ackreq;
	int rc;

	*rlen = 0;
	if (nbits < hb)
		return FRX_MALFORMED;
	dtag = bits_read(f, r->id_len, p->t);
	w = bits_read(f, r->id_len + p->t, p->m);
	fcn = bits_read(f, r->id_len + p->t + p->m, p->n);
	all1 = fcn == ones(p->n);
	if (x->state == FRX_RECV && dtag != x->dtag)
		frx_reset(x); /* a new packet: the old one is abandoned */
	if (p->mode == SCHC_NOACK) {
		if (x->state != FRX_RECV)
			frx_reset(x), x->state = FRX_RECV, x->dtag = dtag;
		x->deadline = now_ms + p->inactivity_ms;
		return noack_input(x, r, f, nbits, fcn, out_len);
	}
	ackreq = fcn == 0 && nbits - hb < 8;
	if (all1 && nbits - hb < 32) { /* no RCS: a Sender-Abort, or nothing valid */
		frx_reset(x);
		return w == ones(p->m) ? FRX_SENDER_ABORT : FRX_MALFORMED;
	}
	if (x->state == FRX_DONE && dtag == x->dtag &&
	    (ackreq || (all1 && nbits - hb >= 32 && bits_read(f, hb, 32) == x->rcs))) {
		*rlen = ack(r, x, reply, cap, x->last_w, true); /* our C=1 ACK was lost */
		return FRX_MORE;
	}
	if (x->state != FRX_RECV)
		frx_reset(x), x->state = FRX_RECV, x->dtag = dtag;
	x->deadline = now_ms + p->inactivity_ms;
	if (all1) {
		x->all1 = true;
		x->last_w = (uint16_t)w;
		x->rcs = bits_read(f, hb, 32);
	} else if (!ackreq && (rc = tiles_in(x, r, f, nbits, w, fcn)) < 0) {
		frx_reset(x);
		return rc;
	} else if (!ackreq) {
		return FRX_MORE;
	}
	rc = settle(x, r, reply, cap, rlen, out_len);
	if (rc == FRX_BAD_RCS)
		frx_reset(x);
	return rc;
}

int schc_frx_tick(struct schc_frx *x, const struct schc_rule *r, uint64_t now_ms,
		  uint8_t *reply, size_t cap, size_t *rlen)
{
	*rlen = 0;
	if (x->state != FRX_RECV || now_ms < x->deadline)
		return FRX_MORE;
	if (r->frag.mode == SCHC_ACK_ON_ERROR)
		*rlen = receiver_abort(r, x, reply, cap);
	frx_reset(x);
	return FRX_TIMEOUT;
}
