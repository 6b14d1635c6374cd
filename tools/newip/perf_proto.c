/* Codec of the `newip perf` messages: bounds-checked, no allocation (fuzzed by fuzz_perf). */
#include <string.h>

#include "../../lib/bytes.h"
#include "perf_proto.h"

static void put_hdr(uint8_t *b, uint8_t type, uint8_t flow, uint32_t test)
{
	put32(b, PERF_MAGIC);
	b[4] = type;
	b[5] = flow;
	put16(b + 6, 0);
	put32(b + 8, test);
}

int perf_decode(struct perf_msg *m, const uint8_t *b, size_t len)
{
	memset(m, 0, sizeof(*m));
	if (len < PERF_HDR || get32(b) != PERF_MAGIC || get16(b + 6) != 0)
		return -1;
	m->type = b[4];
	m->flow = b[5];
	m->test = get32(b + 8);
	switch (m->type) {
	case PERF_DATA:
		if (len < PERF_DATA_MIN)
			return -1;
		m->seq = get32(b + 12);
		m->send_ns = get64(b + 16);
		return 0;
	case PERF_REQUEST:
		if (len != PERF_HDR + 4)
			return -1;
		m->first = get32(b + 12);
		return 0;
	case PERF_RESULTS:
		if (len < PERF_RESULTS_HDR || get16(b + 22) != 0)
			return -1;
		m->first = get32(b + 12);
		m->total = get32(b + 16);
		m->count = get16(b + 20);
		if (m->count > PERF_RECS_PER_MSG || len != PERF_RESULTS_HDR + (size_t)m->count * PERF_REC)
			return -1;
		m->recs = b + PERF_RESULTS_HDR;
		for (unsigned i = 0; i < m->count; i++)
			if (m->recs[i * PERF_REC + 19] != 0)
				return -1;
		return 0;
	default:
		return -1;
	}
}

size_t perf_encode_data(uint8_t *b, size_t size, uint32_t test, uint8_t flow, uint32_t seq,
			uint64_t send_ns)
{
	if (size < PERF_DATA_MIN)
		return 0;
	memset(b, 0, size);
	put_hdr(b, PERF_DATA, flow, test);
	put32(b + 12, seq);
	put64(b + 16, send_ns);
	return size;
}

size_t perf_encode_request(uint8_t *b, size_t cap, uint32_t test, uint8_t flow, uint32_t first)
{
	if (cap < PERF_HDR + 4)
		return 0;
	put_hdr(b, PERF_REQUEST, flow, test);
	put32(b + 12, first);
	return PERF_HDR + 4;
}

size_t perf_encode_results(uint8_t *b, size_t cap, uint32_t test, uint8_t flow, uint32_t first,
			   uint32_t total, const struct perf_rec *r, uint16_t n)
{
	size_t len = PERF_RESULTS_HDR + (size_t)n * PERF_REC;

	if (n > PERF_RECS_PER_MSG || cap < len)
		return 0;
	put_hdr(b, PERF_RESULTS, flow, test);
	put32(b + 12, first);
	put32(b + 16, total);
	put16(b + 20, n);
	put16(b + 22, 0);
	for (unsigned i = 0; i < n; i++) {
		uint8_t *p = b + PERF_RESULTS_HDR + i * PERF_REC;
		put32(p, r[i].seq);
		put64(p + 4, (uint64_t)r[i].owd_ns);
		put32(p + 12, r[i].acc_us);
		p[16] = r[i].hops, p[17] = r[i].tc, p[18] = r[i].flags, p[19] = 0;
	}
	return len;
}

void perf_rec_get(const struct perf_msg *m, unsigned i, struct perf_rec *r)
{
	const uint8_t *p = m->recs + i * PERF_REC;

	r->seq = get32(p);
	r->owd_ns = (int64_t)get64(p + 4);
	r->acc_us = get32(p + 12);
	r->hops = p[16], r->tc = p[17], r->flags = p[18];
}
