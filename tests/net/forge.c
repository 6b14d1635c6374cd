/*
 * Test helper: an attacker on a source-checked link (docs/spec.md §6.5, §6.6, §11). Sends over
 * UDP to the first-hop router, as a host on that link would, packets and shut-off requests
 * that must all be refused, each in one named way, and one that must be accepted (so the
 * refusals are not an accident of a broken request). Keys are made in memory.
 *
 * Usage: nip_forge LOCAL_IP:PORT PEER_IP:PORT send SRC DST COUNT [tag]
 *          COUNT UDP packets SRC -> DST, untagged, or tagged with a random Key ID and tag
 *        nip_forge LOCAL PEER register PREFIX notselfcert|unsigned|stale
 *        nip_forge LOCAL PEER request CASE O PREFIX
 *          CASE: valid replay stale badsig notselfcert unknown scope duration malformed
 *          O is the source to shut off (this tool's own address on the link); the requester
 *          is a self-certifying address under PREFIX for a fresh key.
 *        nip_forge LOCAL PEER big SRC DST OCTETS COUNT
 *          COUNT UDP packets of OCTETS octets, fragmented by the kernel where the underlay
 *          needs it (IPv4 without Don't Fragment, IPv6 fragment headers)
 *        nip_forge LOCAL PEER flood O PREFIX COUNT RATE
 *          COUNT signed requests with random digests at RATE per second
 *        nip_forge LOCAL PEER nls KEYFILE CASE
 *        nip_forge LOCAL PEER lsa KEYFILE NAME CASE [ORIGIN_KEYFILE]
 *          forged routing messages (spec §9.1): see forge_nls.c
 */
#include <netinet/in.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "../../control/clock.h"
#include "../../control/config.h"
#include "forge.h"
#include "newip/newip.h"

int fd;

void tx(const uint8_t *b, int n)
{
	if (n <= 0 || send(fd, b, (size_t)n, 0) != n) {
		fprintf(stderr, "nip_forge: cannot send (%d)\n", n);
		exit(2);
	}
}

/* A UDP packet to port 12345 with 16 random octets (every packet its own digest) and pad
 * zeros of payload. */
static int udp(uint8_t *b, size_t cap, const struct nip_addr *src, const struct nip_addr *dst,
	       uint32_t key_id, size_t pad)
{
	struct nip_hdr h = { .next_hdr = NIP_PROTO_UDP, .hop_limit = 64, .src = *src, .dst = *dst };
	static uint8_t u[8 + 16 + 2048];
	struct nip_writer w;

	if (pad > 2048)
		pad = 2048;
	memset(u, 0, sizeof(u));
	memcpy(u, (const uint8_t[]){ 0x30, 0x39, 0x30, 0x39 }, 4);
	u[4] = (uint8_t)((24 + pad) >> 8), u[5] = (uint8_t)(24 + pad);
	randombytes_buf(u + 8, 16);
	nip_w_init(&w, b, cap, &h);
	if (key_id) {
		nip_w_security_begin(&w);
		nip_w_auth(&w, key_id);
		nip_w_block_end(&w);
	}
	int n = nip_w_finish(&w, u, 24 + pad);
	if (n > 0)
		nip_l4_csum_fill(b, (size_t)n);
	if (n > 0 && key_id) {
		uint8_t key[NIP_AUTH_KEY_LEN];
		randombytes_buf(key, sizeof(key));
		nip_sec_auth_sign(b, (size_t)n, key);
	}
	return n;
}

struct ident {
	uint8_t pk[32], sk[64];
	struct nip_addr addr;
};

static void ident_new(struct ident *id, const char *prefix)
{
	struct nip_addr p;

	crypto_sign_keypair(id->pk, id->sk);
	if (nip_addr_parse(&p, prefix) < 0 || p.len != 16) {
		fprintf(stderr, "nip_forge: prefix %s must be a 16-octet (IPv6) address\n", prefix);
		exit(2);
	}
	nip_addr_selfcert(&id->addr, p.b, 16, id->pk);
}

/* A signed NCMP message from src (signed by id) to dst. */
static int ncmp_signed(uint8_t *b, size_t cap, const struct ident *id, const struct nip_addr *src,
		       const struct nip_addr *dst, uint8_t type, uint32_t param, const uint8_t *body,
		       size_t len, uint64_t ts)
{
	struct nip_hdr h = { .hop_limit = dst->len == 1 ? 1 : 64, .src = *src, .dst = *dst };
	struct nip_writer w;

	nip_w_init(&w, b, cap, &h);
	nip_w_security_begin(&w);
	nip_w_sig(&w, id->pk);
	nip_w_replay(&w, ts, randombytes_random());
	nip_w_block_end(&w);
	int n = nip_ncmp_finish(&w, type, 0, param, body, len);
	if (n > 0 && nip_sec_sign(b, (size_t)n, id->sk) < 0)
		return -1;
	return n;
}

static int request(uint8_t *b, size_t cap, const struct ident *id, const struct nip_addr *src,
		   const struct nip_addr *o, const uint8_t digest[16], uint16_t dur, uint64_t ts)
{
	uint8_t body[NCMP_SHUTOFF_BODY] = { (uint8_t)(dur >> 8), (uint8_t)dur, 0, 1 };

	memcpy(body + 4, digest, 16);
	return ncmp_signed(b, cap, id, src, o, NCMP_SHUTOFF_REQUEST, randombytes_random(), body,
			   sizeof(body), ts);
}

/* Send a packet O -> to and return its digest (what a victim would name). */
static void offend(const struct nip_addr *o, const struct nip_addr *to, uint8_t digest[16])
{
	uint8_t b[512];
	struct nip_pkt v;
	int n = udp(b, sizeof(b), o, to, 0, 0);

	tx(b, n);
	nip_pkt_parse(&v, b, (size_t)n);
	nip_pkt_digest(&v, digest);
	usleep(20000); /* let the router see it before the request (a different queue) */
}

static int mode_request(const char *cas, const char *o_s, const char *prefix)
{
	struct ident a, other;
	struct nip_addr o;
	uint8_t b[1024], d[16];
	int n;

	if (nip_addr_parse(&o, o_s) < 0)
		return 2;
	ident_new(&a, prefix);
	ident_new(&other, prefix);
	if (!strcmp(cas, "scope")) { /* a real packet, but to someone else */
		offend(&o, &other.addr, d);
		tx(b, request(b, sizeof(b), &a, &a.addr, &o, d, 60, real_ns()));
		return 0;
	}
	offend(&o, &a.addr, d);
	if (!strcmp(cas, "valid") || !strcmp(cas, "replay")) {
		n = request(b, sizeof(b), &a, &a.addr, &o, d, 60, real_ns());
		tx(b, n);
		if (cas[0] == 'r') {
			usleep(20000);
			tx(b, n); /* the same bytes again */
		}
	} else if (!strcmp(cas, "stale")) {
		tx(b, request(b, sizeof(b), &a, &a.addr, &o, d, 60, real_ns() - 10000000000ull));
	} else if (!strcmp(cas, "badsig")) {
		n = request(b, sizeof(b), &a, &a.addr, &o, d, 60, real_ns());
		struct nip_pkt v;
		nip_pkt_parse(&v, b, (size_t)n);
		b[v.sig_off + 3 + 32 + 5] ^= 0x40; /* one bit of the signature */
		tx(b, n);
	} else if (!strcmp(cas, "notselfcert")) {
		/* signed by other's key, from a's address: a real digest, a valid signature */
		tx(b, request(b, sizeof(b), &other, &a.addr, &o, d, 60, real_ns()));
	} else if (!strcmp(cas, "unknown")) {
		randombytes_buf(d, sizeof(d));
		tx(b, request(b, sizeof(b), &a, &a.addr, &o, d, 60, real_ns()));
	} else if (!strcmp(cas, "duration")) {
		tx(b, request(b, sizeof(b), &a, &a.addr, &o, d, 4000, real_ns()));
	} else if (!strcmp(cas, "malformed")) { /* a security block whose element overruns it */
		n = request(b, sizeof(b), &a, &a.addr, &o, d, 60, real_ns());
		struct nip_pkt v;
		nip_pkt_parse(&v, b, (size_t)n);
		b[v.sig_off + 1] = 200;
		tx(b, n);
	} else {
		return 2;
	}
	return 0;
}

static int mode_register(const char *prefix, const char *cas)
{
	struct ident a, other;
	struct nip_addr all = { .len = 1 };
	uint8_t b[512], nonce[16];

	ident_new(&a, prefix);
	ident_new(&other, prefix);
	randombytes_buf(nonce, sizeof(nonce));
	if (!strcmp(cas, "notselfcert")) /* other's signature over a's address */
		tx(b, ncmp_signed(b, sizeof(b), &other, &a.addr, &all, NCMP_REGISTER, 0, nonce, 16,
				  real_ns()));
	else if (!strcmp(cas, "stale"))
		tx(b, ncmp_signed(b, sizeof(b), &a, &a.addr, &all, NCMP_REGISTER, 0, nonce, 16,
				  real_ns() - 10000000000ull));
	else if (!strcmp(cas, "unsigned")) {
		struct nip_hdr h = { .hop_limit = 1, .src = a.addr, .dst = all };
		tx(b, nip_ncmp_build(b, sizeof(b), &h, NCMP_REGISTER, 0, 0, nonce, 16));
	} else
		return 2;
	return 0;
}

static int mode_flood(const char *o_s, const char *prefix, long count, long rate)
{
	struct ident a;
	struct nip_addr o;
	uint8_t b[1024], d[16];

	if (nip_addr_parse(&o, o_s) < 0 || rate <= 0)
		return 2;
	ident_new(&a, prefix);
	uint64_t t0 = mono_ns(), gap = 1000000000ull / (uint64_t)rate;
	for (long i = 0; i < count; i++) {
		randombytes_buf(d, sizeof(d));
		tx(b, request(b, sizeof(b), &a, &a.addr, &o, d, 60, real_ns()));
		while (mono_ns() < t0 + (uint64_t)(i + 1) * gap) /* request i leaves at i / rate s */
			usleep(50);
	}
	printf("forged %ld requests\n", count);
	return 0;
}

/* COUNT UDP packets SRC -> DST of OCTETS octets, sent so that the kernel fragments the
 * datagram where it exceeds the underlay's MTU (no Don't Fragment, no path MTU discovery). */
static int mode_big(const char *src, const char *dst, long octets, long count)
{
	static uint8_t b[4096];
	struct nip_addr s, d;
	int off = IP_PMTUDISC_DONT, off6 = IPV6_PMTUDISC_DONT;

	if (nip_addr_parse(&s, src) < 0 || nip_addr_parse(&d, dst) < 0 || octets < 100 ||
	    octets > 4000)
		return 2;
	setsockopt(fd, IPPROTO_IP, IP_MTU_DISCOVER, &off, sizeof(off));
	setsockopt(fd, IPPROTO_IPV6, IPV6_MTU_DISCOVER, &off6, sizeof(off6));
	long pad = octets - udp(b, sizeof(b), &s, &d, 0, 0); /* beyond the smallest packet */
	for (long i = 0; i < count; i++)
		tx(b, udp(b, sizeof(b), &s, &d, 0, (size_t)pad));
	return 0;
}

int main(int argc, char **argv)
{
	struct sockaddr_storage local, peer;
	socklen_t ll, pl;

	if (argc < 4 || sodium_init() < 0 || parse_sockaddr(argv[1], &local, &ll) < 0 ||
	    parse_sockaddr(argv[2], &peer, &pl) < 0) {
		fprintf(stderr, "usage: see tests/net/forge.c\n");
		return 2;
	}
	fd = socket(local.ss_family, SOCK_DGRAM, 0);
	/* the port may be a node's: its sockets let others bind it too (SO_REUSEADDR) */
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &(int){ 1 }, sizeof(int));
	if (fd < 0 || bind(fd, (struct sockaddr *)&local, ll) < 0 ||
	    connect(fd, (struct sockaddr *)&peer, pl) < 0) {
		perror("nip_forge: socket");
		return 2;
	}
	if (!strcmp(argv[3], "send") && argc >= 7) {
		struct nip_addr s, d;
		uint8_t b[512];
		if (nip_addr_parse(&s, argv[4]) < 0 || nip_addr_parse(&d, argv[5]) < 0)
			return 2;
		bool tag = argc == 8 && !strcmp(argv[7], "tag");
		for (long i = 0; i < atol(argv[6]); i++)
			tx(b, udp(b, sizeof(b), &s, &d, tag ? randombytes_random() | 1 : 0, 0));
		return 0;
	}
	if (!strcmp(argv[3], "big") && argc == 8) /* IP fragments, reassembled by the peer */
		return mode_big(argv[4], argv[5], atol(argv[6]), atol(argv[7]));
	if (!strcmp(argv[3], "register") && argc == 6)
		return mode_register(argv[4], argv[5]);
	if (!strcmp(argv[3], "request") && argc == 7)
		return mode_request(argv[4], argv[5], argv[6]);
	if (!strcmp(argv[3], "nls") && argc == 6)
		return forge_hello(argv[4], argv[5]);
	if (!strcmp(argv[3], "lsa") && (argc == 7 || argc == 8))
		return forge_lsa(argv[4], argv[5], argv[6], argc == 8 ? argv[7] : NULL);
	if (!strcmp(argv[3], "flood") && argc == 8)
		return mode_flood(argv[4], argv[5], atol(argv[6]), atol(argv[7]));
	fprintf(stderr, "nip_forge: unknown mode or arguments; see tests/net/forge.c\n");
	return 2;
}
