/* NCMP control messages: encode, decode and verify (docs/spec.md §6). */
#include <string.h>

#include "bytes.h"
#include "newip/checksum.h"
#include "newip/ncmp.h"

int nip_ncmp_parse(struct nip_ncmp *m, const struct nip_pkt *p)
{
	const uint8_t *b = p->payload;
	int rc;

	if (p->next_hdr != NIP_PROTO_NCMP)
		return NIP_E_INVAL;
	if (p->payload_len < NCMP_HDR_LEN)
		return NIP_E_TRUNCATED;
	rc = nip_l4_csum_check(p);
	if (rc < 0)
		return rc;
	m->type = b[0];
	m->code = b[1];
	m->checksum = get16(b + 2);
	m->param = get32(b + 4);
	m->body = b + NCMP_HDR_LEN;
	m->body_len = (uint16_t)(p->payload_len - NCMP_HDR_LEN);
	return 0;
}

int nip_ncmp_finish(struct nip_writer *w, uint8_t type, uint8_t code, uint32_t param,
		    const void *body, size_t body_len)
{
	uint8_t *msg = w->buf + w->pos;
	int len;

	if (w->err)
		return w->err;
	if (nip_ncmp_is_error(type) && w->pos + NCMP_HDR_LEN + body_len > NIP_MIN_MTU)
		body_len = w->pos + NCMP_HDR_LEN < NIP_MIN_MTU ?
				   NIP_MIN_MTU - w->pos - NCMP_HDR_LEN : 0;
	if (NCMP_HDR_LEN + body_len > w->cap - w->pos)
		return NIP_E_NOSPACE;
	if (body_len)
		memmove(msg + NCMP_HDR_LEN, body, body_len);
	msg[0] = type;
	msg[1] = code;
	put16(msg + 2, 0);
	put32(msg + 4, param);
	w->buf[6] = NIP_PROTO_NCMP;
	len = nip_w_finish(w, msg, NCMP_HDR_LEN + body_len);
	if (len < 0)
		return len;
	int rc = nip_l4_csum_fill(w->buf, (size_t)len);
	return rc < 0 ? rc : len;
}

int nip_ncmp_build(uint8_t *out, size_t cap, const struct nip_hdr *h, uint8_t type, uint8_t code,
		   uint32_t param, const void *body, size_t body_len)
{
	struct nip_writer w;

	nip_w_init(&w, out, cap, h);
	return nip_ncmp_finish(&w, type, code, param, body, body_len);
}

int nip_shutoff_req_encode(uint8_t out[NCMP_SHUTOFF_BODY], const struct nip_shutoff_req *r)
{
	if (r->duration_s == 0 || r->duration_s > NCMP_SHUTOFF_MAX_S || r->digest_alg != 1)
		return NIP_E_INVAL;
	put16(out, r->duration_s);
	out[2] = 0;
	out[3] = r->digest_alg;
	memcpy(out + 4, r->digest, NIP_DIGEST_LEN);
	return NCMP_SHUTOFF_BODY;
}

int nip_shutoff_req_decode(struct nip_shutoff_req *r, const struct nip_ncmp *m)
{
	if (m->type != NCMP_SHUTOFF_REQUEST)
		return NIP_E_INVAL;
	if (m->body_len < NCMP_SHUTOFF_BODY)
		return NIP_E_TRUNCATED;
	r->duration_s = get16(m->body);
	r->digest_alg = m->body[3];
	memcpy(r->digest, m->body + 4, NIP_DIGEST_LEN);
	if (m->body[2] != 0)
		return NIP_E_RESERVED;
	if (r->duration_s == 0 || r->duration_s > NCMP_SHUTOFF_MAX_S || r->digest_alg != 1)
		return NIP_E_BAD_ITEM;
	return 0;
}

int nip_shutoff_ack_decode(uint16_t *granted_s, const struct nip_ncmp *m)
{
	if (m->type != NCMP_SHUTOFF_ACK)
		return NIP_E_INVAL;
	if (m->body_len < 4)
		return NIP_E_TRUNCATED;
	*granted_s = get16(m->body);
	return 0;
}

int nip_register_decode(uint8_t host_nonce[NCMP_NONCE_LEN], const struct nip_ncmp *m)
{
	if (m->type != NCMP_REGISTER)
		return NIP_E_INVAL;
	if (m->body_len < NCMP_REGISTER_BODY)
		return NIP_E_TRUNCATED;
	memcpy(host_nonce, m->body, NCMP_NONCE_LEN);
	return 0;
}

void nip_register_ack_encode(uint8_t out[NCMP_REGISTER_ACK_BODY], const struct nip_register_ack *a)
{
	memcpy(out, a->host_nonce, NCMP_NONCE_LEN);
	memcpy(out + NCMP_NONCE_LEN, a->router_nonce, NCMP_NONCE_LEN);
	put32(out + 2 * NCMP_NONCE_LEN, a->lifetime_s);
}

int nip_register_ack_decode(struct nip_register_ack *a, const struct nip_ncmp *m)
{
	if (m->type != NCMP_REGISTER_ACK)
		return NIP_E_INVAL;
	if (m->body_len < NCMP_REGISTER_ACK_BODY)
		return NIP_E_TRUNCATED;
	a->key_id = m->param;
	memcpy(a->host_nonce, m->body, NCMP_NONCE_LEN);
	memcpy(a->router_nonce, m->body + NCMP_NONCE_LEN, NCMP_NONCE_LEN);
	a->lifetime_s = get32(m->body + 2 * NCMP_NONCE_LEN);
	if (a->key_id == 0 || a->lifetime_s == 0)
		return NIP_E_BAD_ITEM;
	return 0;
}

const char *nip_ncmp_type_name(uint8_t type)
{
	switch (type) {
	case NCMP_UNREACH:
		return "destination unreachable";
	case NCMP_TOO_BIG:
		return "packet too big";
	case NCMP_HOP_EXCEEDED:
		return "hop limit exceeded";
	case NCMP_PARAM_PROBLEM:
		return "parameter problem";
	case NCMP_CONTRACT:
		return "contract cannot be met";
	case NCMP_ECHO_REQUEST:
		return "echo request";
	case NCMP_ECHO_REPLY:
		return "echo reply";
	case NCMP_SHUTOFF_REQUEST:
		return "shut-off request";
	case NCMP_SHUTOFF_ACK:
		return "shut-off acknowledgement";
	case NCMP_REGISTER:
		return "source registration";
	case NCMP_REGISTER_ACK:
		return "registration acknowledgement";
	default:
		return "unknown";
	}
}
