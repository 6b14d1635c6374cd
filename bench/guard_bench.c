/*
 * What the guard costs per packet and per request (docs/spec.md §6.5, §6.6, §11), beside the
 * packet parse every forwarded packet already pays, in one run: the source-authentication tag
 * (keyed BLAKE2b-128) and the shut-off digest at 64 and 1400 octets of payload, the digest
 * cache and the heavy-hitter sketch per packet, a shut-off request's full verification
 * (Ed25519ph and self-certification) per second on one core, a forged request's refusal (replay
 * window and digest cache, before any signature) per second, and a registration's key exchange.
 */
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "../dataplane/dcache.h"
#include "../dataplane/hh.h"
#include "newip/newip.h"

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static volatile int sink;

/* ns per call of f over n calls, best of three runs */
#define TIME_NS(n, expr)                                                                           \
	({                                                                                         \
		double best = 1e30;                                                                \
		for (int run_ = 0; run_ < 3; run_++) {                                             \
			double t0_ = now_s();                                                      \
			for (long i_ = 0; i_ < (n); i_++) {                                        \
				expr;                                                              \
			}                                                                          \
			double d_ = (now_s() - t0_) * 1e9 / (double)(n);                           \
			best = d_ < best ? d_ : best;                                              \
		}                                                                                  \
		best;                                                                              \
	})

static int packet(uint8_t *b, size_t cap, size_t payload, const uint8_t *pk, const uint8_t *sk,
		  bool sign)
{
	static uint8_t data[2048];
	struct nip_hdr h = { .next_hdr = sign ? NIP_PROTO_NCMP : NIP_PROTO_UDP, .hop_limit = 64 };
	uint8_t prefix[16] = { 0x20, 0x01, 0x0d, 0xb8 };
	struct nip_writer w;

	nip_addr_selfcert(&h.src, prefix, 16, pk);
	nip_addr_parse(&h.dst, "2001:db8::9");
	nip_w_init(&w, b, cap, &h);
	nip_w_security_begin(&w);
	if (sign) {
		nip_w_sig(&w, pk);
		nip_w_replay(&w, 1, 2);
	} else {
		nip_w_auth(&w, 7);
	}
	nip_w_block_end(&w);
	int n = sign ? nip_ncmp_finish(&w, NCMP_SHUTOFF_REQUEST, 0, 1, data, 20) :
		       nip_w_finish(&w, data, payload);
	if (sign)
		nip_sec_sign(b, (size_t)n, sk);
	return n;
}

int main(void)
{
	static uint8_t b[2048], key[32], pk[32], sk[64], rpk[32], rsk[64], d[16];
	struct nip_pkt v;

	if (nip_crypto_init() < 0)
		return 1;
	randombytes_buf(key, sizeof(key));
	crypto_sign_keypair(pk, sk);
	crypto_sign_keypair(rpk, rsk);
	printf("%-34s %12s %12s\n", "per packet", "64 B", "1400 B");
	double parse[2], tagv[2], dig[2];
	for (int k = 0; k < 2; k++) {
		int n = packet(b, sizeof(b), k ? 1400 : 64, pk, sk, false);
		nip_sec_auth_sign(b, (size_t)n, key);
		parse[k] = TIME_NS(2000000, sink += nip_pkt_parse(&v, b, (size_t)n));
		nip_pkt_parse(&v, b, (size_t)n);
		tagv[k] = TIME_NS(500000, sink += nip_sec_auth_verify(&v, key));
		dig[k] = TIME_NS(500000, nip_pkt_digest(&v, d));
	}
	printf("%-34s %9.0f ns %9.0f ns\n", "parse (every packet pays it)", parse[0], parse[1]);
	printf("%-34s %9.0f ns %9.0f ns\n", "tag verification (BLAKE2b-128)", tagv[0], tagv[1]);
	printf("%-34s %9.1f x  %9.1f x\n", "  ... / parse", tagv[0] / parse[0], tagv[1] / parse[1]);
	printf("%-34s %9.0f ns %9.0f ns\n", "shut-off digest (BLAKE2b-128)", dig[0], dig[1]);

	struct dcache dc;
	static struct hh hh;
	dcache_init(&dc, 1000000);
	hh_init(&hh);
	uint64_t t = 1000000000ull;
	uint32_t pair = 0;
	double ins = TIME_NS(2000000, (d[0]++, t += 1000, dcache_insert(&dc, d, pair++, t)));
	double look = TIME_NS(2000000, sink += dcache_lookup(&dc, d, pair++, t));
	double hha = TIME_NS(2000000, (b[100]++, t += 1000, hh_add(&hh, b + 90, 32, t)));
	printf("%-34s %9.1f ns (lookup %.1f ns; %zu bytes at 1 Mpps)\n", "digest cache insert", ins,
	       look, dcache_bytes(&dc));
	printf("%-34s %9.1f ns (%zu bytes, any number of sources)\n", "heavy-hitter sketch", hha,
	       sizeof(hh));

	/* A shut-off request: what the first hop checks (§6.5), full path and refusal path. */
	int n = packet(b, sizeof(b), 0, pk, sk, true);
	nip_pkt_parse(&v, b, (size_t)n);
	double full = TIME_NS(20000, sink += nip_sec_verify(&v));
	struct nip_ncmp m;
	double csum = TIME_NS(2000000, sink += nip_ncmp_parse(&m, &v));
	double refuse = TIME_NS(2000000, (d[1]++, sink += dcache_lookup(&dc, d, pair, t)));
	refuse += csum + parse[0]; /* parse, NCMP checksum, digest lookup: before any signature */
	double kx = TIME_NS(20000, sink += nip_sav_key(key, false, rsk, pk, 1, d, d));
	printf("\nshut-off requests verified         %9.0f /s per core (%.1f us each: Ed25519ph + "
	       "self-certification)\n", 1e9 / full, full / 1e3);
	printf("forged requests refused            %9.0f /s per core (parse, checksum, digest cache "
	       "miss: %.0f ns; the ring hand-over and answer not included)\n", 1e9 / refuse, refuse);
	printf("  ... ratio refused / verified     %9.0f x\n", full / refuse);
	printf("registration key exchange          %9.1f us (X25519 + BLAKE2b, once per host)\n",
	       kx / 1e3);

	/* Authenticated NLS (§9.1): an origin-signed LSA of a router with 8 links and 2 addresses,
	 * checked once per change by each router; against the LSA decode it must pass anyway. */
	struct nls_lsa lsa = { .origin = nls_router_id_key(pk), .seq = 1, .n_links = 8,
			       .n_prefixes = 2 };
	static uint8_t lb[1200];
	strcpy(lsa.name, "router");
	nip_prefix_parse(&lsa.prefixes[0], "x0a01/16");
	nip_prefix_parse(&lsa.prefixes[1], "2001:db8::1/128");
	int ln = nls_lsa_sign(lb, sizeof(lb), (size_t)nls_lsa_encode(lb, sizeof(lb), &lsa), 1, pk, sk);
	double dec = TIME_NS(2000000, sink += nls_lsa_decode(&lsa, lb, (size_t)ln));
	double lver = TIME_NS(20000, sink += nls_lsa_verify(lb, (size_t)ln));
	printf("LSA origin signature check         %9.1f us (%d octets; decode alone %.0f ns, %.0f x)\n",
	       lver / 1e3, ln, dec, lver / dec);
	dcache_free(&dc);
	return 0;
}
