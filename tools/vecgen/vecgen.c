/*
 * Writes docs/vectors/: the test vectors of docs/spec.md. Valid packets are built with the
 * library; each malformed one is a valid packet with one stated change, and the error and
 * offset it must produce are written here by hand. vecgen refuses to write a vector the parser
 * disagrees with, so a regenerated set is always consistent; review its diff like code.
 * Usage: vecgen DIR
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "newip/newip.h"

#define MAXPKT 2048

struct vec {
	char name[64];
	char about[512];
	uint8_t b[MAXPKT];
	int len;
	char checks[256];
};

static const char *dir;
static int written;

static void die(const char *what, const char *detail)
{
	fprintf(stderr, "vecgen: %s: %s\n", what, detail);
	exit(1);
}

static struct nip_addr A(const char *s)
{
	struct nip_addr a;

	if (nip_addr_parse(&a, s) < 0)
		die("bad address", s);
	return a;
}

static struct nip_hdr H(const char *dst, const char *src, uint8_t nh)
{
	struct nip_hdr h = { .next_hdr = nh, .hop_limit = 64 };

	h.dst = A(dst);
	h.src = A(src);
	return h;
}

/* A UDP datagram (ports 5000 -> 7000) with the given data. */
static size_t udp(uint8_t *out, const char *data)
{
	size_t n = strlen(data);

	out[0] = 0x13, out[1] = 0x88, out[2] = 0x1b, out[3] = 0x58;
	out[4] = (uint8_t)((8 + n) >> 8), out[5] = (uint8_t)(8 + n);
	out[6] = out[7] = 0;
	memcpy(out + 8, data, n);
	return 8 + n;
}

static void write_file(const char *name, const char *body)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s.vec", dir, name);
	f = fopen(path, "w");
	if (!f || fputs(body, f) < 0 || fclose(f) != 0)
		die("cannot write", path);
	written++;
}

static void hexline(char *out, size_t size, const uint8_t *b, int len)
{
	size_t n = strlen(out);

	n += (size_t)snprintf(out + n, size - n, "hex: ");
	for (int i = 0; i < len; i++)
		n += (size_t)snprintf(out + n, size - n, "%02x", b[i]);
	snprintf(out + n, size - n, "\n");
}

static void emit_valid(struct vec *v)
{
	static char body[16384], desc[8192];
	struct nip_pkt p;
	char *line;

	if (v->len < 0)
		die(v->name, nip_strerror(v->len));
	if (nip_pkt_parse(&p, v->b, (size_t)v->len) < 0)
		die(v->name, "does not parse");
	if (nip_pkt_describe(&p, desc, sizeof(desc)) < 0)
		die(v->name, "describe");
	snprintf(body, sizeof(body), "# %s: %s\n", v->name, v->about);
	hexline(body, sizeof(body), v->b, v->len);
	for (line = strtok(desc, "\n"); line; line = strtok(NULL, "\n"))
		snprintf(body + strlen(body), sizeof(body) - strlen(body), "field: %s\n", line);
	if (v->checks[0])
		snprintf(body + strlen(body), sizeof(body) - strlen(body), "%s", v->checks);
	write_file(v->name, body);
}

/* A malformed vector: base with one change, and the error the spec says it must give. */
static void emit_bad(const char *name, const char *about, const struct vec *base, int at,
		     int value, int cut, const char *err, unsigned off)
{
	static char body[16384];
	uint8_t b[MAXPKT];
	struct nip_pkt p;
	int len = base->len - cut;

	memcpy(b, base->b, (size_t)base->len);
	if (at >= 0)
		b[at] = (uint8_t)value;
	int rc = nip_pkt_parse(&p, b, (size_t)len);
	if (rc != nip_err_from_name(err) || p.err_off != off) {
		fprintf(stderr, "vecgen: %s: parser says %s@%u, vector says %s@%u\n", name,
			nip_strerror(rc), p.err_off, err, off);
		exit(1);
	}
	snprintf(body, sizeof(body), "# %s: %s\n", name, about);
	hexline(body, sizeof(body), b, len);
	snprintf(body + strlen(body), sizeof(body) - strlen(body), "error: %s\noffset: %u\n", err,
		 off);
	write_file(name, body);
}

static void finish_udp(struct vec *v, struct nip_writer *w, const char *data)
{
	uint8_t d[512];

	v->len = nip_w_finish(w, d, udp(d, data));
	if (v->len > 0 && nip_l4_csum_fill(v->b, (size_t)v->len) < 0)
		die(v->name, "udp checksum");
	strcat(v->checks, "check: l4-checksum\n");
}

static void simple_udp(struct vec *v, const char *name, const char *about, struct nip_hdr h,
		       const char *data)
{
	struct nip_writer w;

	snprintf(v->name, sizeof(v->name), "%s", name);
	snprintf(v->about, sizeof(v->about), "%s", about);
	nip_w_init(&w, v->b, MAXPKT, &h);
	finish_udp(v, &w, data);
	emit_valid(v);
}

static void ncmp(struct vec *v, const char *name, const char *about, struct nip_hdr h,
		 uint8_t type, uint8_t code, uint32_t param, const void *body, size_t len)
{
	snprintf(v->name, sizeof(v->name), "%s", name);
	snprintf(v->about, sizeof(v->about), "%s", about);
	v->len = nip_ncmp_build(v->b, MAXPKT, &h, type, code, param, body, len);
	strcat(v->checks, "check: l4-checksum\n");
	emit_valid(v);
}

static const char SC32[] = "x2001.0db8.0000.0001.0000.0000.0000.0000";

static struct vec v[40];
static uint8_t pk[32], sk[64], seed[32], key[32];
static const struct nip_latency in_time = { NIP_LAT_IN_TIME, 0, 20000 };

/* An NCMP message signed with the test key (Ed25519ph), with replay protection (ts, nonce). */
static void signed_ncmp(struct vec *x, const struct nip_hdr *h, uint64_t ts, uint32_t nonce,
			uint8_t type, uint8_t code, uint32_t param, const void *body, size_t len)
{
	struct nip_writer w;

	nip_w_init(&w, x->b, MAXPKT, h);
	nip_w_security_begin(&w);
	nip_w_sig(&w, pk);
	nip_w_replay(&w, ts, nonce);
	nip_w_block_end(&w);
	x->len = nip_ncmp_finish(&w, type, code, param, body, len);
	nip_sec_sign(x->b, (size_t)x->len, sk);
}
static const struct nip_latency on_time = { NIP_LAT_ON_TIME, 5000, 8000 };

static void vectors_basic(void)
{
	struct nip_hdr h;
	simple_udp(&v[1], "01-ipv4-udp", "IPv4 addresses as-is (4+4), UDP 5000->7000, 20-octet header",
		   H("198.51.100.7", "192.0.2.1", 17), "hello");
	simple_udp(&v[2], "02-ipv6-udp", "IPv6 addresses as-is (16+16), UDP, 44-octet header",
		   H("2001:db8::2", "2001:db8:1::1", 17), "hello, ipv6");
	simple_udp(&v[3], "03-iot-2byte", "two-octet IoT addresses (2+2), UDP, 16-octet header",
		   H("x0a01", "x0a02", 17), "t=21.5");
	ncmp(&v[4], "04-iot-1byte-echo", "one-octet addresses (1+1), NCMP echo request id 1 seq 1",
	     H("x2a", "x07", 0), NCMP_ECHO_REQUEST, 0, nip_echo_param(1, 1), "ping", 4);
	simple_udp(&v[5], "05-mixed-2-16", "2-octet destination, IPv6 source (a gateway's view)",
		   H("x0a01", "2001:db8::99", 17), "to the sensor");
	simple_udp(&v[6], "06-len3-len8", "3-octet destination, 8-octet (EUI-64) source",
		   H("x0a0102", "x0211.22ff.fe33.4455", 17), "odd lengths");

	/* 07: 32-octet self-certifying source and destination */
	h = H("x2001.0db8.0000.0002.0000.0000.0000.0000.0102.0304.0506.0708.090a.0b0c.0d0e.0f10",
	      "x00", 17);
	{
		uint8_t pfx[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 1 };
		nip_addr_selfcert(&h.src, pfx, 16, pk);
	}
	simple_udp(&v[7], "07-selfcert-32",
		   "32-octet addresses: 16-octet routing prefix + 128-bit id; source is "
		   "self-certifying for the Ed25519 key of seed 40..5f",
		   h, "long addresses");

	h = H("2001:db8::2", "2001:db8::1", 17);
	h.tc = 0xbb; /* DSCP 46 (EF), ECN 11 (CE) */
	h.flow_label = 0xfffff;
	h.hop_limit = 255;
	simple_udp(&v[8], "08-flow-tc", "traffic class 0xbb (EF, ECN CE), flow label 0xfffff, hop limit 255",
		   h, "x");
}

static void vectors_contracts(void)
{
	struct nip_writer w;
	struct nip_hdr h;
	/* 09-11: contracts */
	snprintf(v[9].name, 64, "09-contract-in-time");
	snprintf(v[9].about, 512, "in-time latency clause (M): deliver within 20000 us; accumulated 0");
	h = H("2001:db8::2", "2001:db8::1", 17);
	nip_w_init(&w, v[9].b, MAXPKT, &h);
	nip_w_contract_begin(&w, 0, 0);
	nip_w_latency(&w, &in_time, true);
	nip_w_block_end(&w);
	finish_udp(&v[9], &w, "deadline");
	emit_valid(&v[9]);

	snprintf(v[10].name, 64, "10-contract-on-time-prio");
	snprintf(v[10].about, 512,
		 "on-time window [5000, 8000] us (M), priority 5, after 3 hops and 2750 us");
	h = H("10.0.0.9", "10.0.0.1", 17);
	nip_w_init(&w, v[10].b, MAXPKT, &h);
	nip_w_contract_begin(&w, 3, 2750);
	nip_w_latency(&w, &on_time, true);
	nip_w_priority(&w, 5, false);
	nip_w_block_end(&w);
	finish_udp(&v[10], &w, "window");
	emit_valid(&v[10]);

	snprintf(v[11].name, 64, "11-contract-unknown-pad");
	snprintf(v[11].about, 512,
		 "an unknown clause type 9 with M=0 (skipped) and 3 octets of padding");
	h = H("x0a01", "x0a02", 17);
	nip_w_init(&w, v[11].b, MAXPKT, &h);
	nip_w_contract_begin(&w, 0, 0);
	nip_w_item(&w, 9, "\xaa\xbb", 2);
	nip_w_item(&w, 0, "\0\0\0", 3);
	nip_w_priority(&w, 0, false);
	nip_w_block_end(&w);
	finish_udp(&v[11], &w, "extensible");
	emit_valid(&v[11]);
}

static void vectors_security(void)
{
	struct nip_writer w;
	struct nip_hdr h;
	/* 12-13: security */
	snprintf(v[12].name, 64, "12-security-auth-replay");
	snprintf(v[12].about, 512,
		 "source authentication (keyed BLAKE2b-128, key 00..1f, key id 7) and replay "
		 "protection (ts 1700000000000000000 ns, nonce 0x01020304)");
	h = H("192.0.2.50", "192.0.2.1", 17);
	nip_w_init(&w, v[12].b, MAXPKT, &h);
	nip_w_security_begin(&w);
	nip_w_auth(&w, 7);
	nip_w_replay(&w, 1700000000000000000ull, 0x01020304);
	nip_w_block_end(&w);
	finish_udp(&v[12], &w, "authentic");
	nip_sec_auth_sign(v[12].b, (size_t)v[12].len, key);
	strcat(v[12].checks, "check: auth-key=000102030405060708090a0b0c0d0e0f"
			     "101112131415161718191a1b1c1d1e1f\n");
	emit_valid(&v[12]);

	snprintf(v[13].name, 64, "13-security-sig-shutoff");
	snprintf(v[13].about, 512,
		 "a shut-off request (id 99, 600 s) signed with Ed25519ph by a self-certifying "
		 "source (key of seed 40..5f), with replay protection");
	h = H("10.0.0.66", "x00", 0);
	{
		uint8_t pfx[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 1 }, body[NCMP_SHUTOFF_BODY];
		struct nip_shutoff_req r = { .duration_s = 600, .digest_alg = 1 };
		nip_addr_selfcert(&h.src, pfx, 16, pk);
		for (int i = 0; i < 16; i++)
			r.digest[i] = (uint8_t)(0xd0 + i);
		nip_shutoff_req_encode(body, &r);
		signed_ncmp(&v[13], &h, 1700000000500000000ull, 77, NCMP_SHUTOFF_REQUEST, 0, 99,
			    body, sizeof(body));
	}
	strcat(v[13].checks, "check: l4-checksum\ncheck: signature\n");
	emit_valid(&v[13]);
}

static void vectors_chunks(void)
{
	struct nip_writer w;
	struct nip_hdr h;
	/* 14-16: chunks */
	struct nip_chunk ch[3] = {
		{ .significance = 0, .length = 5, .checksum = nip_inet_csum("frame", 5) },
		{ .significance = 4, .length = 4, .checksum = nip_inet_csum("more", 4) },
		{ .significance = 12, .length = 6, .checksum = nip_inet_csum("detail", 6) },
	};
	snprintf(v[14].name, 64, "14-chunks");
	snprintf(v[14].about, 512,
		 "chunked payload: 3 chunks of significance 0, 4, 12 (\"frame\" \"more\" \"detail\")");
	h = H("x0a01", "x0a02", 200);
	nip_w_init(&w, v[14].b, MAXPKT, &h);
	nip_w_chunks(&w, ch, 3);
	v[14].len = nip_w_finish(&w, "framemoredetail", 15);
	strcat(v[14].checks, "check: chunk-checksums\n");
	emit_valid(&v[14]);

	snprintf(v[15].name, 64, "15-chunks-trimmed");
	snprintf(v[15].about, 512,
		 "the same after washing: chunk 3 (significance 12) trimmed, descriptor kept");
	ch[2].trimmed = true;
	nip_w_init(&w, v[15].b, MAXPKT, &h);
	nip_w_chunks(&w, ch, 3);
	v[15].len = nip_w_finish(&w, "framemore", 9);
	strcat(v[15].checks, "check: chunk-checksums\n");
	emit_valid(&v[15]);

	snprintf(v[16].name, 64, "16-all-blocks");
	snprintf(v[16].about, 512,
		 "contract, security and chunk blocks together, 16-octet destination, 4-octet "
		 "source");
	h = H("2001:db8::7", "10.1.1.1", 200);
	h.flow_label = 0x12345;
	nip_w_init(&w, v[16].b, MAXPKT, &h);
	nip_w_contract_begin(&w, 1, 120);
	nip_w_latency(&w, &in_time, true);
	nip_w_priority(&w, 7, true);
	nip_w_block_end(&w);
	nip_w_security_begin(&w);
	nip_w_auth(&w, 0x00010203);
	nip_w_block_end(&w);
	ch[2].trimmed = false;
	nip_w_chunks(&w, ch, 3);
	v[16].len = nip_w_finish(&w, "framemoredetail", 15);
	nip_sec_auth_sign(v[16].b, (size_t)v[16].len, key);
	strcat(v[16].checks, "check: chunk-checksums\ncheck: auth-key=000102030405060708090a0b0c0d0e0f"
			     "101112131415161718191a1b1c1d1e1f\n");
	emit_valid(&v[16]);
}

static void vectors_ncmp(void)
{
	struct nip_hdr h;
	/* 17-23: NCMP */
	h = H("10.0.0.1", "10.0.0.9", 0);
	ncmp(&v[17], "17-ncmp-echo-reply", "echo reply id 1 seq 1 echoing \"ping\"", h,
	     NCMP_ECHO_REPLY, 0, nip_echo_param(1, 1), "ping", 4);
	h = H("198.51.100.7", "192.0.2.254", 0);
	ncmp(&v[18], "18-ncmp-unreachable", "destination unreachable, no route, quoting vector 01",
	     h, NCMP_UNREACH, NCMP_UNREACH_NO_ROUTE, 0, v[1].b, (size_t)v[1].len);
	ncmp(&v[19], "19-ncmp-too-big", "packet too big, next-link MTU 1280, quoting vector 02",
	     H("2001:db8:1::1", "2001:db8::fe", 0), NCMP_TOO_BIG, 0, 1280, v[2].b,
	     (size_t)v[2].len);
	ncmp(&v[20], "20-ncmp-hop-exceeded", "hop limit exceeded, quoting vector 03",
	     H("x0a02", "x0afe", 0), NCMP_HOP_EXCEEDED, 0, 0, v[3].b, (size_t)v[3].len);
	ncmp(&v[21], "21-ncmp-param-problem",
	     "parameter problem, unrecognised must-understand item, pointer 24",
	     H("x0a02", "x0afe", 0), NCMP_PARAM_PROBLEM, NCMP_PARAM_MUST_UNDERSTAND, 24, v[11].b,
	     (size_t)v[11].len);
	ncmp(&v[22], "22-ncmp-contract",
	     "contract cannot be met: deadline unreachable at 21000 us accumulated, quoting 09",
	     H("2001:db8::1", "2001:db8::fe", 0), NCMP_CONTRACT, NCMP_CONTRACT_UNREACHABLE, 21000,
	     v[9].b, (size_t)v[9].len);
	ncmp(&v[23], "23-ncmp-shutoff-ack", "shut-off acknowledgement: installed, 600 s, request 99",
	     H(SC32, "10.0.0.1", 0), NCMP_SHUTOFF_ACK, NCMP_SHUTOFF_INSTALLED, 99,
	     "\x02\x58\x00\x00", 4);
}

static void vectors_edges(void)
{
	struct nip_writer w;
	struct nip_hdr h;
	/* 24-25: edges */
	snprintf(v[24].name, 64, "24-empty-payload");
	snprintf(v[24].about, 512, "no payload at all, next header 59 (no next header), hop limit 1");
	h = H("x01", "x02", 59);
	h.hop_limit = 1;
	nip_w_init(&w, v[24].b, MAXPKT, &h);
	v[24].len = nip_w_finish(&w, NULL, 0);
	emit_valid(&v[24]);

	snprintf(v[25].name, 64, "25-max-header");
	snprintf(v[25].about, 512, "the largest header: 32+32 addresses and padding to 255 octets");
	h = H(SC32 + 0, SC32, 17);
	h.dst = A("x00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff");
	h.src = h.dst;
	nip_w_init(&w, v[25].b, MAXPKT, &h);
	nip_w_contract_begin(&w, 0, 0);
	{
		uint8_t zero[255] = { 0 };
		nip_w_item(&w, 0, zero, 255 - 76 - 6 - 2);
	}
	nip_w_block_end(&w);
	finish_udp(&v[25], &w, "max");
	emit_valid(&v[25]);
}

/* 26-27: source registration and its acknowledgement (spec §6.6), both signed. */
static void vectors_register(void)
{
	uint8_t pfx[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 1 }, body[NCMP_REGISTER_ACK_BODY];
	struct nip_register_ack a = { .key_id = 0x0a0b0c0d, .lifetime_s = 300 };
	struct nip_hdr h = H("x00", "x00", 0);

	h.hop_limit = 1;
	for (int i = 0; i < 16; i++)
		a.host_nonce[i] = (uint8_t)(0x60 + i), a.router_nonce[i] = (uint8_t)(0x70 + i);
	snprintf(v[26].name, 64, "26-ncmp-register");
	snprintf(v[26].about, 512, "a source registration to x00 from a self-certifying host (key of "
		 "seed 40..5f), host nonce 60..6f, signed, with replay protection");
	nip_addr_selfcert(&h.src, pfx, 16, pk);
	signed_ncmp(&v[26], &h, 1700000000700000000ull, 5, NCMP_REGISTER, 0, 0, a.host_nonce,
		    NCMP_REGISTER_BODY);
	strcat(v[26].checks, "check: l4-checksum\ncheck: signature\n");
	emit_valid(&v[26]);

	snprintf(v[27].name, 64, "27-ncmp-register-ack");
	snprintf(v[27].about, 512, "its acknowledgement from router 10.0.0.1: key id 0a0b0c0d, "
		 "router nonce 70..7f, lifetime 300 s, signed by the router (same test key)");
	h.src = A("10.0.0.1");
	nip_register_ack_encode(body, &a);
	signed_ncmp(&v[27], &h, 1700000000700100000ull, 6, NCMP_REGISTER_ACK,
		    NCMP_REGISTER_ACCEPTED, a.key_id, body, sizeof(body));
	strcat(v[27].checks, "check: l4-checksum\n");
	emit_valid(&v[27]);
}

static void vectors_malformed(void)
{
	/* Malformed: each rule of spec §7, with the offset it must report. */
	unsigned c10 = 12 + 4 + 4, s12 = 12 + 4 + 4, k14 = 12 + 2 + 2;
	emit_bad("50-truncated-base", "11 octets: shorter than the base header", &v[1], -1, 0,
		 v[1].len - 11, "truncated", 11);
	emit_bad("51-truncated-payload", "vector 01 missing its last octet", &v[1], -1, 0, 1,
		 "truncated", (unsigned)v[1].len - 1);
	emit_bad("52-version-6", "version nibble 6", &v[1], 0, 0x60, 0, "version", 0);
	emit_bad("53-reserved-flag", "reserved flag 0x01 set", &v[1], 9, 0x01, 0, "reserved", 9);
	emit_bad("54-dst-length-0", "destination length 0", &v[1], 10, 0, 0, "address length", 10);
	emit_bad("55-src-length-33", "source length 33", &v[1], 11, 33, 0, "address length", 11);
	emit_bad("56-header-too-short", "header length 19 < 12 + 4 + 4", &v[1], 8, 19, 0,
		 "header length", 8);
	emit_bad("57-block-at-header-end", "C flag set but the header ends after the addresses: no contract at 20",
		 &v[1], 9, 0x80, 0, "block length", 20);
	emit_bad("58-contract-short", "contract block length 5 (< 6)", &v[10], (int)c10, 5, 0,
		 "block length", c10);
	emit_bad("59-contract-past-header", "contract block length 200 runs past the header",
		 &v[10], (int)c10, 200, 0, "block length", c10);
	emit_bad("60-item-overrun", "latency clause length 200 runs past the block", &v[10],
		 (int)c10 + 7, 200, 0, "item overrun", c10 + 6);
	emit_bad("61-duplicate-clause", "priority clause retyped as a second latency clause",
		 &v[10], (int)c10 + 17, 0x01, 0, "duplicate item", c10 + 17);
	emit_bad("62-latency-min-gt-max", "on-time min 0x05001388 > max 8000", &v[10],
		 (int)c10 + 9, 0x05, 0, "bad item", c10 + 6);
	emit_bad("63-must-understand", "priority clause retyped as unknown type 0x7f with M=1",
		 &v[10], (int)c10 + 17, 0xff, 0, "must understand", c10 + 17);
	emit_bad("64-padding-with-m", "the padding clause of vector 11 with M=1", &v[11],
		 12 + 2 + 2 + 6 + 4, 0x80, 0, "must understand", 12 + 2 + 2 + 6 + 4);
	emit_bad("65-security-reserved", "security block reserved octet 1", &v[12], (int)s12 + 1,
		 1, 0, "reserved", s12 + 1);
	emit_bad("66-auth-bad-alg", "source-authentication algorithm 9", &v[12], (int)s12 + 4, 9,
		 0, "bad item", s12 + 2);
	emit_bad("67-chunk-count", "chunk count 2 with 3 descriptors", &v[14], (int)k14 + 1, 2, 0,
		 "bad chunk", k14 + 1);
	emit_bad("68-chunk-sum", "first chunk length 6: chunks sum to 16, payload is 15", &v[14],
		 (int)k14 + 4, 6, 0, "bad chunk", k14);
	emit_bad("69-essential-trimmed", "significance-0 chunk marked trimmed", &v[14],
		 (int)k14 + 2, 0x08, 0, "bad chunk", k14 + 2);
	struct vec gap = v[3];
	gap.b[8]++;  /* header length 17 ... */
	gap.b[5]--;  /* ... and payload one shorter: same total, one octet no block claims */
	emit_bad("70-header-gap", "header length 17 but addresses end at 16, no block claims octet 16",
		 &gap, -1, 0, 0, "header length", 8);
}

int main(int argc, char **argv)
{

	if (argc != 2)
		die("usage", "vecgen DIR");
	dir = argv[1];
	if (nip_crypto_init() < 0)
		die("libsodium", "init failed");
	for (int i = 0; i < 32; i++)
		seed[i] = (uint8_t)(0x40 + i), key[i] = (uint8_t)i;
	crypto_sign_seed_keypair(pk, sk, seed);

	vectors_basic();
	vectors_contracts();
	vectors_security();
	vectors_chunks();
	vectors_ncmp();
	vectors_edges();
	vectors_register();
	vectors_malformed();
	printf("vecgen: wrote %d vectors to %s\n", written, dir);
	return 0;
}
