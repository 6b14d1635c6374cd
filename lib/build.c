/* The packet writer: base header, optional blocks in spec order, payload (docs/spec.md §2–§5). */
#include <string.h>

#include "bytes.h"
#include "newip/build.h"

static void fail(struct nip_writer *w, int err)
{
	if (!w->err)
		w->err = err;
}

/* Reserve n octets at the cursor; NULL (and a sticky error) if they do not fit. */
static uint8_t *reserve(struct nip_writer *w, size_t n)
{
	uint8_t *at;

	if (w->err)
		return NULL;
	if (n > w->cap - w->pos) {
		fail(w, NIP_E_NOSPACE);
		return NULL;
	}
	at = w->buf + w->pos;
	w->pos += n;
	return at;
}

void nip_w_init(struct nip_writer *w, uint8_t *buf, size_t cap, const struct nip_hdr *h)
{
	uint8_t *b;

	memset(w, 0, sizeof(*w));
	w->buf = buf;
	w->cap = cap;
	if (h->dst.len == 0 || h->dst.len > NIP_ADDR_MAX || h->src.len == 0 ||
	    h->src.len > NIP_ADDR_MAX) {
		fail(w, NIP_E_ADDR_LEN);
		return;
	}
	if (h->flow_label > 0xfffff) {
		fail(w, NIP_E_INVAL);
		return;
	}
	b = reserve(w, NIP_BASE_LEN + h->dst.len + h->src.len);
	if (!b)
		return;
	b[0] = (uint8_t)(NIP_VERSION << 4 | h->tc >> 4);
	b[1] = (uint8_t)((h->tc & 0x0f) << 4 | h->flow_label >> 16);
	put16(b + 2, (uint16_t)h->flow_label);
	put16(b + 4, 0); /* payload length: nip_w_finish */
	b[6] = h->next_hdr;
	b[7] = h->hop_limit;
	b[8] = 0; /* header length: nip_w_finish */
	b[9] = 0;
	b[10] = h->dst.len;
	b[11] = h->src.len;
	memcpy(b + NIP_BASE_LEN, h->dst.b, h->dst.len);
	memcpy(b + NIP_BASE_LEN + h->dst.len, h->src.b, h->src.len);
}

/* Blocks come in the order C, S, K (§2): a block may open only after those before it. */
static bool block_open(struct nip_writer *w, uint8_t flag)
{
	if (w->err)
		return false;
	/* refuse if a block is open, or this block or a later one (a lower bit) exists */
	if (w->open || (w->flags & (uint8_t)(flag | (flag - 1)))) {
		fail(w, NIP_E_INVAL);
		return false;
	}
	w->flags |= flag;
	w->open = flag;
	w->block_start = w->pos;
	memset(w->seen, 0, sizeof(w->seen));
	return true;
}

void nip_w_contract_begin(struct nip_writer *w, uint8_t hops_updated, uint32_t acc_latency_us)
{
	uint8_t *b;

	if (!block_open(w, NIP_F_CONTRACT) || !(b = reserve(w, NIP_CONTRACT_MIN)))
		return;
	b[1] = hops_updated;
	put32(b + 2, acc_latency_us);
}

void nip_w_security_begin(struct nip_writer *w)
{
	uint8_t *b;

	if (!block_open(w, NIP_F_SECURITY) || !(b = reserve(w, NIP_SECURITY_MIN)))
		return;
	b[1] = 0;
}

void nip_w_item(struct nip_writer *w, uint8_t type, const void *val, uint8_t len)
{
	uint8_t code = NIP_TLV_TYPE(type), *b;
	int side = w->open == NIP_F_SECURITY;

	if (w->err)
		return;
	if (!w->open || (code == 0 && (type & NIP_TLV_M))) {
		fail(w, NIP_E_INVAL);
		return;
	}
	if (code != 0) {
		if (w->seen[side][code / 8] & (1u << (code % 8))) {
			fail(w, NIP_E_DUP_ITEM);
			return;
		}
		w->seen[side][code / 8] |= (uint8_t)(1u << (code % 8));
	}
	b = reserve(w, 2u + len);
	if (!b)
		return;
	b[0] = type;
	b[1] = len;
	if (len)
		memcpy(b + 2, val, len);
}

void nip_w_latency(struct nip_writer *w, const struct nip_latency *l, bool must_understand)
{
	uint8_t v[9];

	if (l->mode > NIP_LAT_ON_TIME || l->min_us > l->max_us ||
	    (l->mode == NIP_LAT_IN_TIME && l->min_us)) {
		fail(w, NIP_E_INVAL);
		return;
	}
	v[0] = l->mode;
	put32(v + 1, l->min_us);
	put32(v + 5, l->max_us);
	nip_w_item(w, (uint8_t)(NIP_CL_LATENCY | (must_understand ? NIP_TLV_M : 0)), v, 9);
}

void nip_w_priority(struct nip_writer *w, uint8_t prio, bool must_understand)
{
	if (prio > NIP_PRIO_MAX) {
		fail(w, NIP_E_INVAL);
		return;
	}
	nip_w_item(w, (uint8_t)(NIP_CL_PRIORITY | (must_understand ? NIP_TLV_M : 0)), &prio, 1);
}

void nip_w_auth(struct nip_writer *w, uint32_t key_id)
{
	uint8_t v[NIP_AUTH_LEN] = { NIP_ALG_BLAKE2B128 };

	put32(v + 1, key_id);
	nip_w_item(w, NIP_SE_AUTH | NIP_TLV_M, v, sizeof(v));
}

void nip_w_sig(struct nip_writer *w, const uint8_t pk[NIP_PK_LEN])
{
	uint8_t v[NIP_SIG_LEN] = { NIP_ALG_ED25519PH };

	memcpy(v + 1, pk, NIP_PK_LEN);
	nip_w_item(w, NIP_SE_SIG | NIP_TLV_M, v, sizeof(v));
}

void nip_w_replay(struct nip_writer *w, uint64_t ts_ns, uint32_t nonce)
{
	uint8_t v[NIP_REPLAY_LEN];

	put64(v, ts_ns);
	put32(v + 8, nonce);
	nip_w_item(w, NIP_SE_REPLAY | NIP_TLV_M, v, sizeof(v));
}

void nip_w_block_end(struct nip_writer *w)
{
	size_t len = w->pos - w->block_start;

	if (w->err)
		return;
	if (!w->open || len > NIP_HDR_MAX) {
		fail(w, w->open ? NIP_E_NOSPACE : NIP_E_INVAL);
		return;
	}
	w->buf[w->block_start] = (uint8_t)len;
	w->open = 0;
}

void nip_w_chunks(struct nip_writer *w, const struct nip_chunk *c, unsigned n)
{
	uint8_t *b;

	if (n == 0 || n > NIP_CHUNK_MAX) {
		fail(w, NIP_E_INVAL);
		return;
	}
	if (!block_open(w, NIP_F_CHUNK) || !(b = reserve(w, 2 + NIP_CHUNK_DESC * n)))
		return;
	b[0] = (uint8_t)(2 + NIP_CHUNK_DESC * n);
	b[1] = (uint8_t)n;
	for (unsigned i = 0; i < n; i++) {
		uint8_t *d = b + 2 + NIP_CHUNK_DESC * i;
		if (c[i].significance > 15 || (c[i].trimmed && c[i].significance == 0)) {
			fail(w, NIP_E_INVAL);
			return;
		}
		d[0] = (uint8_t)(c[i].significance << 4 | (c[i].trimmed ? NIP_CHUNK_T : 0));
		put16(d + 1, c[i].length);
		put16(d + 3, c[i].checksum);
	}
	w->open = 0;
}

int nip_w_finish(struct nip_writer *w, const void *payload, size_t len)
{
	size_t hl = w->pos;
	uint8_t *b;

	if (!w->err && w->open)
		fail(w, NIP_E_INVAL);
	if (!w->err && hl > NIP_HDR_MAX)
		fail(w, NIP_E_HDR_LEN);
	if (!w->err && len > 0xffff)
		fail(w, NIP_E_INVAL);
	b = reserve(w, len);
	if (w->err)
		return w->err;
	if (len)
		memmove(b, payload, len);
	w->buf[8] = (uint8_t)hl;
	w->buf[9] = w->flags;
	put16(w->buf + 4, (uint16_t)len);
	return (int)w->pos;
}

/* Copy a block's items raw, so unknown items and padding survive the round trip. */
static void copy_items(struct nip_writer *w, const struct nip_pkt *p,
		       bool (*next)(const struct nip_pkt *, unsigned *, struct nip_tlv *))
{
	struct nip_tlv t;
	unsigned pos = 0;

	while (next(p, &pos, &t)) {
		if (NIP_TLV_TYPE(t.type) == 0) { /* padding may repeat: bypass the duplicate check */
			uint8_t *b = reserve(w, 2u + t.len);
			if (b)
				memcpy(b, p->buf + t.off, 2u + t.len);
			continue;
		}
		nip_w_item(w, t.type, t.val, t.len);
	}
	nip_w_block_end(w);
}

int nip_pkt_reencode(const struct nip_pkt *p, uint8_t *out, size_t cap)
{
	struct nip_chunk c[NIP_CHUNK_MAX];
	struct nip_writer w;
	struct nip_hdr h = {
		.tc = p->tc,
		.next_hdr = p->next_hdr,
		.hop_limit = p->hop_limit,
		.flow_label = p->flow_label,
	};

	nip_pkt_dst(p, &h.dst);
	nip_pkt_src(p, &h.src);
	nip_w_init(&w, out, cap, &h);
	if (p->contract_off) {
		nip_w_contract_begin(&w, p->hops_updated, p->acc_latency_us);
		copy_items(&w, p, nip_contract_next);
	}
	if (p->security_off) {
		nip_w_security_begin(&w);
		copy_items(&w, p, nip_security_next);
	}
	if (p->chunk_off) {
		for (unsigned i = 0; i < p->n_chunks; i++)
			nip_pkt_chunk(p, i, &c[i]);
		nip_w_chunks(&w, c, p->n_chunks);
	}
	return nip_w_finish(&w, p->payload, p->payload_len);
}

void nip_pkt_add_latency(uint8_t *buf, const struct nip_pkt *p, uint32_t us)
{
	if (p->contract_off)
		nip_contract_add_latency(buf, p->contract_off, us);
}

void nip_contract_add_latency(uint8_t *buf, unsigned contract_off, uint32_t us)
{
	uint8_t *c = buf + contract_off;
	uint32_t acc;

	acc = get32(c + 2);
	put32(c + 2, acc > UINT32_MAX - us ? UINT32_MAX : acc + us);
	if (c[1] < 255)
		c[1]++;
}
