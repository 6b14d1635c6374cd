/* Validate-then-view parser for New IP packets: docs/spec.md §2–§5, errors of §7. */
#include <string.h>

#include "bytes.h"
#include "newip/packet.h"

/* One failure site: record where, return what. */
#define FAIL(p, code, off)                                                                         \
	do {                                                                                       \
		(p)->err_off = (uint32_t)(off);                                                    \
		return (code);                                                                     \
	} while (0)

/* Validates one known item; returns 0, 1 for "type unknown", or an error. */
typedef int (*item_fn)(struct nip_pkt *p, uint8_t code, const uint8_t *val, uint8_t len,
		       unsigned off);

/* Walk the TLV items of buf[start, end), §5.0. */
static int walk_items(struct nip_pkt *p, const uint8_t *buf, unsigned start, unsigned end,
		      item_fn fn)
{
	uint8_t seen[16] = { 0 };

	for (unsigned pos = start; pos < end;) {
		if (end - pos < 2 || buf[pos + 1] > end - pos - 2)
			FAIL(p, NIP_E_ITEM_OVERRUN, pos);
		uint8_t type = buf[pos], len = buf[pos + 1], code = NIP_TLV_TYPE(type);
		if (code == 0) {
			if (type & NIP_TLV_M)
				FAIL(p, NIP_E_MUST_UNDERSTAND, pos);
		} else {
			if (seen[code / 8] & (1u << (code % 8)))
				FAIL(p, NIP_E_DUP_ITEM, pos);
			seen[code / 8] |= (uint8_t)(1u << (code % 8));
			int rc = fn(p, code, buf + pos + 2, len, pos);
			if (rc < 0)
				FAIL(p, rc, pos);
			if (rc == 1 && (type & NIP_TLV_M))
				FAIL(p, NIP_E_MUST_UNDERSTAND, pos);
		}
		pos += 2u + len;
	}
	return 0;
}

static int contract_item(struct nip_pkt *p, uint8_t code, const uint8_t *v, uint8_t len,
			 unsigned off)
{
	switch (code) {
	case NIP_CL_LATENCY:
		if (len != 9 || v[0] > NIP_LAT_ON_TIME)
			return NIP_E_BAD_ITEM;
		p->latency.mode = v[0];
		p->latency.min_us = get32(v + 1);
		p->latency.max_us = get32(v + 5);
		if (p->latency.min_us > p->latency.max_us ||
		    (v[0] == NIP_LAT_IN_TIME && p->latency.min_us != 0))
			return NIP_E_BAD_ITEM;
		p->has_latency = true;
		p->latency_off = (uint8_t)off;
		return 0;
	case NIP_CL_PRIORITY:
		if (len != 1 || v[0] > NIP_PRIO_MAX)
			return NIP_E_BAD_ITEM;
		p->has_priority = true;
		p->priority = v[0];
		return 0;
	default:
		return 1;
	}
}

static int security_item(struct nip_pkt *p, uint8_t code, const uint8_t *v, uint8_t len,
			 unsigned off)
{
	switch (code) {
	case NIP_SE_AUTH:
		if (len != NIP_AUTH_LEN || v[0] != NIP_ALG_BLAKE2B128)
			return NIP_E_BAD_ITEM;
		p->auth_off = (uint8_t)off;
		return 0;
	case NIP_SE_SIG:
		if (len != NIP_SIG_LEN || v[0] != NIP_ALG_ED25519PH)
			return NIP_E_BAD_ITEM;
		p->sig_off = (uint8_t)off;
		return 0;
	case NIP_SE_REPLAY:
		if (len != NIP_REPLAY_LEN)
			return NIP_E_BAD_ITEM;
		p->replay_off = (uint8_t)off;
		return 0;
	default:
		return 1;
	}
}

/* Locate a block at *off: its length octet must be inside the header, and it must fit. */
static int block_at(struct nip_pkt *p, const uint8_t *buf, unsigned off, unsigned min,
		    uint8_t *blen)
{
	if (off >= p->hdr_len || buf[off] < min || off + buf[off] > p->hdr_len)
		FAIL(p, NIP_E_BLOCK_LEN, off);
	*blen = buf[off];
	return 0;
}

static int parse_contract(struct nip_pkt *p, const uint8_t *buf, unsigned *off)
{
	int rc = block_at(p, buf, *off, NIP_CONTRACT_MIN, &p->contract_len);

	if (rc < 0)
		return rc;
	p->contract_off = (uint8_t)*off;
	p->hops_updated = buf[*off + 1];
	p->acc_latency_us = get32(buf + *off + 2);
	rc = walk_items(p, buf, *off + NIP_CONTRACT_MIN, *off + p->contract_len, contract_item);
	*off += p->contract_len;
	return rc;
}

static int parse_security(struct nip_pkt *p, const uint8_t *buf, unsigned *off)
{
	int rc = block_at(p, buf, *off, NIP_SECURITY_MIN, &p->security_len);

	if (rc < 0)
		return rc;
	if (buf[*off + 1] != 0)
		FAIL(p, NIP_E_RESERVED, *off + 1);
	p->security_off = (uint8_t)*off;
	rc = walk_items(p, buf, *off + NIP_SECURITY_MIN, *off + p->security_len, security_item);
	*off += p->security_len;
	return rc;
}

static int parse_chunks(struct nip_pkt *p, const uint8_t *buf, unsigned *off)
{
	uint32_t sum = 0;
	int rc = block_at(p, buf, *off, 2, &p->chunk_len);

	if (rc < 0)
		return rc;
	uint8_t count = buf[*off + 1];
	if (count == 0 || p->chunk_len != 2 + NIP_CHUNK_DESC * count)
		FAIL(p, NIP_E_BAD_CHUNK, *off + 1);
	for (unsigned i = 0; i < count; i++) {
		unsigned d = *off + 2 + NIP_CHUNK_DESC * i;
		if (buf[d] & NIP_CHUNK_RSV)
			FAIL(p, NIP_E_RESERVED, d);
		if ((buf[d] & NIP_CHUNK_T) && (buf[d] >> 4) == 0)
			FAIL(p, NIP_E_BAD_CHUNK, d);
		if (!(buf[d] & NIP_CHUNK_T))
			sum += get16(buf + d + 1);
	}
	if (sum != p->payload_len)
		FAIL(p, NIP_E_BAD_CHUNK, *off);
	p->chunk_off = (uint8_t)*off;
	p->n_chunks = count;
	*off += p->chunk_len;
	return 0;
}

static int parse_base(struct nip_pkt *p, const uint8_t *buf, size_t len)
{
	if (len < NIP_BASE_LEN)
		FAIL(p, NIP_E_TRUNCATED, len);
	p->version = buf[0] >> 4;
	if (p->version != NIP_VERSION)
		FAIL(p, NIP_E_VERSION, 0);
	p->tc = (uint8_t)((buf[0] & 0x0f) << 4 | buf[1] >> 4);
	p->flow_label = (uint32_t)(buf[1] & 0x0f) << 16 | get16(buf + 2);
	p->payload_len = get16(buf + 4);
	p->next_hdr = buf[6];
	p->hop_limit = buf[7];
	p->hdr_len = buf[8];
	p->flags = buf[9];
	p->dst_len = buf[10];
	p->src_len = buf[11];
	if (p->flags & NIP_F_RESERVED)
		FAIL(p, NIP_E_RESERVED, 9);
	if (p->dst_len == 0 || p->dst_len > NIP_ADDR_MAX)
		FAIL(p, NIP_E_ADDR_LEN, 10);
	if (p->src_len == 0 || p->src_len > NIP_ADDR_MAX)
		FAIL(p, NIP_E_ADDR_LEN, 11);
	if (p->hdr_len < NIP_BASE_LEN + p->dst_len + p->src_len)
		FAIL(p, NIP_E_HDR_LEN, 8);
	if (len < (size_t)p->hdr_len + p->payload_len)
		FAIL(p, NIP_E_TRUNCATED, len);
	return 0;
}

int nip_pkt_parse(struct nip_pkt *p, const uint8_t *buf, size_t len)
{
	int rc;

	memset(p, 0, sizeof(*p));
	rc = parse_base(p, buf, len);
	if (rc < 0)
		return rc;
	unsigned off = NIP_BASE_LEN + p->dst_len + p->src_len;
	if ((p->flags & NIP_F_CONTRACT) && (rc = parse_contract(p, buf, &off)) < 0)
		return rc;
	if ((p->flags & NIP_F_SECURITY) && (rc = parse_security(p, buf, &off)) < 0)
		return rc;
	if ((p->flags & NIP_F_CHUNK) && (rc = parse_chunks(p, buf, &off)) < 0)
		return rc;
	if (off != p->hdr_len)
		FAIL(p, NIP_E_HDR_LEN, 8);
	p->buf = buf;
	p->len = (uint32_t)p->hdr_len + p->payload_len;
	p->dst = buf + NIP_BASE_LEN;
	p->src = p->dst + p->dst_len;
	p->payload = buf + p->hdr_len;
	return 0;
}

void nip_pkt_dst(const struct nip_pkt *p, struct nip_addr *a)
{
	nip_addr_set(a, p->dst, p->dst_len);
}

void nip_pkt_src(const struct nip_pkt *p, struct nip_addr *a)
{
	nip_addr_set(a, p->src, p->src_len);
}

static bool next_item(const struct nip_pkt *p, unsigned start, unsigned end, unsigned *pos,
		      struct nip_tlv *t)
{
	if (*pos == 0)
		*pos = start;
	if (*pos >= end)
		return false;
	t->off = (uint8_t)*pos;
	t->type = p->buf[*pos];
	t->len = p->buf[*pos + 1];
	t->val = p->buf + *pos + 2;
	*pos += 2u + t->len;
	return true;
}

bool nip_contract_next(const struct nip_pkt *p, unsigned *pos, struct nip_tlv *t)
{
	if (!p->contract_off)
		return false;
	return next_item(p, p->contract_off + NIP_CONTRACT_MIN, p->contract_off + p->contract_len,
			 pos, t);
}

bool nip_security_next(const struct nip_pkt *p, unsigned *pos, struct nip_tlv *t)
{
	if (!p->security_off)
		return false;
	return next_item(p, p->security_off + NIP_SECURITY_MIN,
			 p->security_off + p->security_len, pos, t);
}

int nip_pkt_chunk(const struct nip_pkt *p, unsigned i, struct nip_chunk *c)
{
	const uint8_t *d = p->buf + p->chunk_off + 2;
	const uint8_t *data = p->payload;

	if (!p->chunk_off || i >= p->n_chunks)
		return NIP_E_NOTFOUND;
	for (unsigned k = 0; k < i; k++, d += NIP_CHUNK_DESC)
		if (!(d[0] & NIP_CHUNK_T))
			data += get16(d + 1);
	c->significance = d[0] >> 4;
	c->trimmed = d[0] & NIP_CHUNK_T;
	c->length = get16(d + 1);
	c->checksum = get16(d + 3);
	c->data = c->trimmed ? NULL : data;
	return 0;
}

int nip_pkt_auth(const struct nip_pkt *p, struct nip_auth_elem *e)
{
	const uint8_t *v;

	if (!p->auth_off)
		return NIP_E_NOTFOUND;
	v = p->buf + p->auth_off + 2;
	e->alg = v[0];
	e->key_id = get32(v + 1);
	e->tag = v + 5;
	return 0;
}

int nip_pkt_sig(const struct nip_pkt *p, struct nip_sig_elem *e)
{
	const uint8_t *v;

	if (!p->sig_off)
		return NIP_E_NOTFOUND;
	v = p->buf + p->sig_off + 2;
	e->alg = v[0];
	e->pk = v + 1;
	e->sig = v + 1 + NIP_PK_LEN;
	return 0;
}

int nip_pkt_replay(const struct nip_pkt *p, struct nip_replay_elem *e)
{
	const uint8_t *v;

	if (!p->replay_off)
		return NIP_E_NOTFOUND;
	v = p->buf + p->replay_off + 2;
	e->ts_ns = get64(v);
	e->nonce = get32(v + 8);
	return 0;
}
