/* Render a parsed packet as "field=value" lines, the vocabulary shared with the dissector. */
#include <stdarg.h>
#include <stdio.h>

#include "bytes.h"
#include "newip/describe.h"

struct out {
	char *buf;
	size_t size, len;
	int err;
};

static void emit(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (o->err)
		return;
	va_start(ap, fmt);
	n = vsnprintf(o->buf + o->len, o->size - o->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= o->size - o->len)
		o->err = NIP_E_NOSPACE;
	else
		o->len += (size_t)n;
}

static void emit_hex(struct out *o, const char *name, const uint8_t *b, size_t n)
{
	emit(o, "%s=", name);
	for (size_t i = 0; i < n; i++)
		emit(o, "%02x", b[i]);
	emit(o, "\n");
}

static void emit_addr(struct out *o, const char *name, const uint8_t *b, uint8_t len)
{
	char s[NIP_ADDR_STRLEN];
	struct nip_addr a;

	nip_addr_set(&a, b, len);
	nip_addr_format(&a, s, sizeof(s));
	emit(o, "%s=%s\n", name, s);
}

/* A comma-separated list of the type octets of a block's items, as tshark prints repeats. */
static void emit_types(struct out *o, const char *name, const struct nip_pkt *p,
		       bool (*next)(const struct nip_pkt *, unsigned *, struct nip_tlv *))
{
	struct nip_tlv t;
	unsigned pos = 0;

	emit(o, "%s=", name);
	for (int i = 0; next(p, &pos, &t); i++)
		emit(o, "%s%u", i ? "," : "", t.type);
	emit(o, "\n");
}

static void describe_contract(struct out *o, const struct nip_pkt *p)
{
	emit(o, "contract.hops=%u\ncontract.acc=%u\n", p->hops_updated, p->acc_latency_us);
	emit_types(o, "clause.type", p, nip_contract_next);
	if (p->has_latency)
		emit(o, "lat.mode=%u\nlat.min=%u\nlat.max=%u\n", p->latency.mode,
		     p->latency.min_us, p->latency.max_us);
	if (p->has_priority)
		emit(o, "prio=%u\n", p->priority);
}

static void describe_security(struct out *o, const struct nip_pkt *p)
{
	struct nip_auth_elem a;
	struct nip_sig_elem s;
	struct nip_replay_elem r;

	emit_types(o, "elem.type", p, nip_security_next);
	if (nip_pkt_auth(p, &a) == 0) {
		emit(o, "auth.keyid=%u\n", a.key_id);
		emit_hex(o, "auth.tag", a.tag, NIP_TAG_LEN);
	}
	if (nip_pkt_sig(p, &s) == 0) {
		emit_hex(o, "sig.pk", s.pk, NIP_PK_LEN);
		emit_hex(o, "sig.sig", s.sig, NIP_SIGNATURE_LEN);
	}
	if (nip_pkt_replay(p, &r) == 0)
		emit(o, "replay.ts=%llu\nreplay.nonce=%u\n", (unsigned long long)r.ts_ns, r.nonce);
}

static void describe_chunks(struct out *o, const struct nip_pkt *p)
{
	static const char *const names[] = { "chunk.sig", "chunk.trimmed", "chunk.len",
					     "chunk.csum" };
	struct nip_chunk c;

	emit(o, "chunk.count=%u\n", p->n_chunks);
	for (unsigned f = 0; f < 4; f++) {
		emit(o, "%s=", names[f]);
		for (unsigned i = 0; i < p->n_chunks; i++) {
			nip_pkt_chunk(p, i, &c);
			unsigned v = f == 0 ? c.significance :
				     f == 1 ? c.trimmed :
				     f == 2 ? c.length :
					      c.checksum;
			emit(o, "%s%u", i ? "," : "", v);
		}
		emit(o, "\n");
	}
}

int nip_pkt_describe(const struct nip_pkt *p, char *buf, size_t size)
{
	struct out o = { buf, size, 0, 0 };

	if (size == 0)
		return NIP_E_NOSPACE;
	buf[0] = '\0';
	emit(&o, "version=%u\ntc=%u\nflow=%u\nplen=%u\nnh=%u\nhlim=%u\nhlen=%u\nflags=%u\n",
	     p->version, p->tc, p->flow_label, p->payload_len, p->next_hdr, p->hop_limit,
	     p->hdr_len, p->flags);
	emit(&o, "dlen=%u\nslen=%u\n", p->dst_len, p->src_len);
	emit_addr(&o, "dst", p->dst, p->dst_len);
	emit_addr(&o, "src", p->src, p->src_len);
	if (p->contract_off)
		describe_contract(&o, p);
	if (p->security_off)
		describe_security(&o, p);
	if (p->chunk_off)
		describe_chunks(&o, p);
	if (p->next_hdr == NIP_PROTO_NCMP && p->payload_len >= 8)
		emit(&o, "ncmp.type=%u\nncmp.code=%u\nncmp.param=%u\n", p->payload[0],
		     p->payload[1], get32(p->payload + 4));
	return o.err ? o.err : (int)o.len;
}
