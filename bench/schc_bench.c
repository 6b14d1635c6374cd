/*
 * SCHC on an LPWAN link (docs/spec.md §13), in memory, in one run:
 *  - header octets on air for a 2-octet sensor's UDP to its gateway (the IoT example's rules),
 *    beside uncompressed New IP, IPv6 + UDP, and OpenHarmony NewIP's 6-octet figure;
 *  - a 1 KB message over 51-octet frames with 10 % loss each way: delivery ratio and air time
 *    with No-ACK, with ACK-on-Error, and uncompressed with ACK-on-Error;
 *  - compression and decompression in ns per packet.
 * Usage: schc_bench [RULES.json] [TRIALS]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "frag.h"
#include "newip/checksum.h"
#include "schc.h"

#define FRAME 51
#define BITRATE 5470 /* LoRa SF7/125 kHz, bit/s: for air time */

static uint64_t seed = 1;

/* A sensor's New IP + UDP datagram to its gateway (x0b05:5684 -> x0bfe:5683). */
static size_t sensor_packet(uint8_t *b, size_t payload)
{
	uint8_t hdr[24] = { 0x10, 0, 0, 0, 0, 0, 17, 64, 16, 0, 2, 2, 0x0b, 0xfe, 0x0b, 0x05,
			    0x16, 0x34, 0x16, 0x33 };
	size_t ul = 8 + payload;

	hdr[4] = (uint8_t)(ul >> 8), hdr[5] = (uint8_t)ul, hdr[20] = (uint8_t)(ul >> 8);
	hdr[21] = (uint8_t)ul;
	memcpy(b, hdr, 24);
	for (size_t i = 0; i < payload; i++)
		b[24 + i] = (uint8_t)(i * 7);
	if (nip_l4_csum_fill(b, 24 + payload) < 0)
		abort();
	return 24 + payload;
}

struct outcome {
	unsigned delivered, trials;
	double air_s, frames;
};

/* One message through a sender and a receiver with loss each way; air time of every frame. */
static void run(const struct schc_rule *r, const uint8_t *pkt, size_t len, unsigned loss,
		struct outcome *o)
{
	static struct schc_ftx s;
	static struct schc_frx x;
	uint8_t f[256], ack[256];
	uint64_t now = 0;
	size_t n, alen, out;

	memset(&x, 0, sizeof(x));
	if (schc_ftx_start(&s, r, pkt, len, 0, FRAME, 0) < 0) {
		fprintf(stderr, "cannot fragment %zu octets\n", len);
		exit(1);
	}
	o->trials++;
	for (;;) {
		if ((n = schc_ftx_next(&s, f, now))) {
			now += (uint64_t)(n * 8 * 1000 / BITRATE);
			o->air_s += n * 8.0 / BITRATE, o->frames++;
			if (bench_rnd(&seed) % 100 < loss)
				continue;
			int rc = schc_frx_input(&x, r, f, n, now, ack, sizeof(ack), &alen, &out);
			if (rc == FRX_COMPLETE && out == len && !memcmp(x.buf, pkt, len))
				o->delivered++;
			if (alen) {
				o->air_s += alen * 8.0 / BITRATE, o->frames++;
				if (bench_rnd(&seed) % 100 >= loss)
					schc_ftx_input(&s, ack, alen, now);
			}
		} else {
			uint64_t w = schc_ftx_when(&s);
			if (w == UINT64_MAX)
				break;
			now = w > now ? w : now;
		}
	}
}

static void figure(const char *what, const struct outcome *o)
{
	printf("  %-34s delivered %5.1f %%  air time %6.2f s/message  frames %5.1f\n", what,
	       100.0 * o->delivered / o->trials, o->air_s / o->trials, o->frames / o->trials);
}

int main(int argc, char **argv)
{
	const char *path = argc > 1 ? argv[1] : "examples/iot-rules.json";
	unsigned trials = argc > 2 ? (unsigned)atoi(argv[2]) : 400;
	struct schc_rules rs, na;
	char err[SCHC_ERR];
	static const char noack[] = "[{\"RuleID\":20,\"RuleIDLength\":8,\"Fragmentation\":"
				    "{\"FRMode\":\"NoAck\"}}]";
	uint8_t pkt[1200], c[1400], back[1400];
	size_t len, nbits;
	volatile size_t sinkv = 0;
	int rule;

	if (schc_rules_load(&rs, path, NULL, err, sizeof(err)) ||
	    schc_rules_parse(&na, noack, sizeof(noack) - 1, "noack", NULL, err, sizeof(err))) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	/* 1. header octets */
	len = sensor_packet(pkt, 10);
	rule = schc_compress(&rs, SCHC_UP, pkt, len, c, sizeof(c), &nbits);
	printf("header octets on air, a 2-octet sensor's UDP datagram to its gateway (%s):\n", path);
	printf("  SCHC (RuleID + residue)            %zu bits = %zu octets (rule %u/%u)\n",
	       nbits - 80, (nbits - 80 + 7) / 8, rs.rules[rule].id, rs.rules[rule].id_len);
	printf("  New IP uncompressed (12+2+2 + UDP 8) 24 octets\n");
	printf("  IPv6 + UDP                         48 octets\n");
	printf("  OpenHarmony NewIP (1-octet addresses, UDP 8) 6 + 8 = 14 octets\n");

	/* 2. 1 KB over 51-octet frames, 10 % loss each way */
	len = sensor_packet(pkt, 1000);
	const struct schc_rule *aoe = &rs.rules[rs.frag_up];
	struct outcome o1 = { 0 }, o2 = { 0 }, o3 = { 0 };
	uint8_t cp[1400], up[1400];
	schc_compress(&rs, SCHC_UP, pkt, len, cp, sizeof(cp), &nbits);
	size_t clen = (nbits + 7) / 8;
	schc_compress_rule(&rs, (unsigned)rs.nocomp, SCHC_UP, pkt, len, up, sizeof(up), &nbits);
	size_t ulen = (nbits + 7) / 8;
	for (unsigned t = 0; t < trials; t++) {
		run(&na.rules[0], cp, clen, 10, &o1);
		run(aoe, cp, clen, 10, &o2);
		run(aoe, up, ulen, 10, &o3);
	}
	printf("\na %zu-octet message (New IP + UDP + 1000 octets) over %u-octet frames, 10 %% loss "
	       "each way, %u trials, air time at %u bit/s:\n", len, FRAME, trials, BITRATE);
	printf("  (compressed to %zu octets; uncompressed is %zu with its RuleID)\n", clen, ulen);
	figure("No-ACK, compressed", &o1);
	figure("ACK-on-Error, compressed", &o2);
	figure("ACK-on-Error, uncompressed", &o3);

	/* 3. ns per packet */
	len = sensor_packet(pkt, 10);
	rule = schc_compress(&rs, SCHC_UP, pkt, len, c, sizeof(c), &nbits);
	if (rule < 0 || schc_compress_rule(&rs, (unsigned)rule, SCHC_UP, pkt, len, c, sizeof(c),
					   &nbits) < 0)
		return 1;
	unsigned n = 1000000;
	double t0 = bench_now_s();
	for (unsigned i = 0; i < n; i++) { /* (each call parses, matches and checks the sum) */
		sinkv += (size_t)schc_compress_rule(&rs, (unsigned)rule, SCHC_UP, pkt, len, c,
						    sizeof(c), &nbits);
		sinkv += nbits;
	}
	double tc = (bench_now_s() - t0) / n * 1e9;
	len = sensor_packet(pkt, 10);
	schc_compress(&rs, SCHC_UP, pkt, len, c, sizeof(c), &nbits);
	t0 = bench_now_s();
	for (unsigned i = 0; i < n; i++)
		sinkv += (size_t)schc_decompress(&rs, SCHC_UP, c, nbits, back, sizeof(back), &rule);
	double td = (bench_now_s() - t0) / n * 1e9;
	t0 = bench_now_s();
	for (unsigned i = 0; i < n; i++)
		sinkv += (size_t)schc_compress(&rs, SCHC_UP, pkt, len, c, sizeof(c), &nbits);
	double tb = (bench_now_s() - t0) / n * 1e9;
	printf("\nper packet (34-octet sensor datagram, one core):\n");
	printf("  compress with its rule %6.0f ns   choose among all rules %6.0f ns   decompress %6.0f "
	       "ns\n", tc, tb, td);
	schc_rules_free(&rs);
	schc_rules_free(&na);
	return sinkv == 0;
}
