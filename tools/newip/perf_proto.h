/* The `newip perf` wire messages (docs/newip.md, "perf"): UDP payloads over New IP. */
#ifndef NEWIP_PERF_PROTO_H
#define NEWIP_PERF_PROTO_H

#include <stddef.h>
#include <stdint.h>

/*
 * Every message starts with Magic "NIPF" (32), Type (8), Flow (8), Reserved (16, zero),
 * Test ID (32): 12 octets, big-endian like the rest of New IP.
 *   DATA     client → server: Sequence (32), Send time (64, ns since the Unix epoch), padding
 *   REQUEST  client → server: First record wanted (32)
 *   RESULTS  server → client: First (32), Total received (32), Count (16), Reserved (16),
 *            Count × record: Sequence (32), One-way delay (64, ns, signed), Accumulated
 *            latency (32, µs), Hops Updated (8), Traffic Class (8), Flags (8), Reserved (8)
 */
#define PERF_MAGIC 0x4e495046u
#define PERF_PORT 5201
#define PERF_HDR 12
#define PERF_DATA_MIN (PERF_HDR + 12)
#define PERF_REC 20
#define PERF_RESULTS_HDR (PERF_HDR + 12)
#define PERF_RECS_PER_MSG 56 /* 24 + 56 × 20 = 1144 octets: fits any link */
#define PERF_F_CONTRACT 0x01 /* the packet arrived with a contract block */

enum perf_type { PERF_DATA = 1, PERF_REQUEST = 2, PERF_RESULTS = 3 };

struct perf_rec {
	uint32_t seq;
	int64_t owd_ns;
	uint32_t acc_us;
	uint8_t hops, tc, flags;
};

struct perf_msg {
	uint8_t type, flow;
	uint32_t test;
	uint32_t seq;	  /* DATA */
	uint64_t send_ns; /* DATA */
	uint32_t first;	  /* REQUEST, RESULTS */
	uint32_t total;	  /* RESULTS */
	uint16_t count;	  /* RESULTS */
	const uint8_t *recs;
};

/* Validate and decode; 0, or -1 for anything malformed (wrong magic, type, lengths, reserved). */
int perf_decode(struct perf_msg *m, const uint8_t *b, size_t len);
/* Encoders return the message length (size for DATA, padded with zeros), 0 if it cannot fit. */
size_t perf_encode_data(uint8_t *b, size_t size, uint32_t test, uint8_t flow, uint32_t seq,
			uint64_t send_ns);
size_t perf_encode_request(uint8_t *b, size_t cap, uint32_t test, uint8_t flow, uint32_t first);
size_t perf_encode_results(uint8_t *b, size_t cap, uint32_t test, uint8_t flow, uint32_t first,
			   uint32_t total, const struct perf_rec *r, uint16_t n);
void perf_rec_get(const struct perf_msg *m, unsigned i, struct perf_rec *r);

#endif
