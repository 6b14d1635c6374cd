/*
 * nip_forge's routing attacker (docs/spec.md §9.1), speaking NLS from x7e over the UDP link.
 *
 *   nls KEYFILE CASE   one hello signed with KEYFILE's key. CASE: valid, replay (the same bytes
 *                      twice), stale, badsig, unsigned, untrusted (a fresh key), rid (a Router ID
 *                      that is not the key's)
 *   lsa KEYFILE NAME CASE [ORIGIN_KEYFILE]
 *                      becomes the router's neighbour with KEYFILE's (trusted) key, learns the
 *                      LSA of the router called NAME from the database it is sent, and floods a
 *                      forged one for that origin that claims a link to itself. CASE:
 *                      unsigned   no origin signature
 *                      origin     signed by our own trusted key, not the origin's
 *                      badsig     the origin's key in the trailer, our signature
 *                      expired    signed by ORIGIN_KEYFILE an hour ago (a replay of an old one)
 *                      old        signed by ORIGIN_KEYFILE now, one sequence older (a replay)
 *                      Prints the origin's Router ID and sequence it forged from.
 */
#include <poll.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../../control/clock.h"
#include "forge.h"
#include "newip/keyfile.h"
#include "newip/newip.h"

/* One NLS message from x7e in a link-scoped packet, signed (unless sign is false) with a
 * replay element ts_ns. */
static int wrap(uint8_t *b, size_t cap, const struct nip_identity *id, bool sign, uint64_t ts_ns,
		const uint8_t *msg, size_t len)
{
	struct nip_hdr h = { .next_hdr = NIP_PROTO_NLS, .hop_limit = 1, .dst = { .len = 1 } };
	struct nip_writer w;

	nip_addr_parse(&h.src, "x7e");
	nip_w_init(&w, b, cap, &h);
	if (sign) {
		nip_w_security_begin(&w);
		nip_w_sig(&w, id->pk);
		nip_w_replay(&w, ts_ns, randombytes_random());
		nip_w_block_end(&w);
	}
	int n = nip_w_finish(&w, msg, len);
	if (n > 0 && sign)
		nip_sec_sign(b, (size_t)n, id->sk);
	return n;
}

static int hello(uint8_t *b, size_t cap, const struct nip_identity *id, uint64_t rid,
		 uint64_t nbr, bool sign, uint64_t ts_ns)
{
	struct nls_hello hl = { .hello_ms = 100, .dead_ms = 400, .mtu = 1472, .n = nbr != 0 };
	uint8_t msg[256];

	hl.nbr[0] = nbr;
	int m = nls_hello_encode(msg, sizeof(msg), rid, &hl);
	return m < 0 ? m : wrap(b, cap, id, sign, ts_ns, msg, (size_t)m);
}

static int load(const char *path, struct nip_identity *id)
{
	char err[400];

	if (nip_key_load(path, id, err, sizeof(err)) < 0) {
		fprintf(stderr, "nip_forge: %s\n", err);
		return -1;
	}
	return 0;
}

int forge_hello(const char *keyfile, const char *cas)
{
	struct nip_identity id;
	struct nip_addr me;
	uint8_t b[1024];

	if (load(keyfile, &id) < 0)
		return 2;
	if (!strcmp(cas, "untrusted"))
		crypto_sign_keypair(id.pk, id.sk);
	nip_addr_parse(&me, "x7e");
	uint64_t rid = !strcmp(cas, "rid") ? nls_router_id(&me) : nls_router_id_key(id.pk);
	uint64_t ts = real_ns() - (!strcmp(cas, "stale") ? 10000000000ull : 0);
	int n = hello(b, sizeof(b), &id, rid, 0, strcmp(cas, "unsigned") != 0, ts);
	if (!strcmp(cas, "badsig"))
		b[n - 1] ^= 1; /* the message changed after signing */
	tx(b, n);
	if (!strcmp(cas, "replay")) {
		usleep(20000);
		tx(b, n);
	}
	nip_key_forget(&id);
	return 0;
}

/* Become the router's two-way neighbour and take NAME's LSA from the database it floods us.
 * Returns its length, 0 when it did not come within 5 s. */
static int learn(const struct nip_identity *id, uint64_t rid, const char *name, uint8_t *lsa_b,
		 struct nls_lsa *lsa, uint64_t *nbr)
{
	uint64_t deadline = mono_ns() + 5000000000ull, next_hello = 0;
	uint8_t b[2048];

	while (mono_ns() < deadline) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		if (mono_ns() >= next_hello) {
			tx(b, hello(b, sizeof(b), id, rid, *nbr, true, real_ns()));
			next_hello = mono_ns() + 100000000ull;
		}
		if (poll(&p, 1, 20) <= 0)
			continue;
		ssize_t n = recv(fd, b, sizeof(b), 0);
		struct nip_pkt v;
		uint64_t from;
		int type;
		if (n <= 0 || nip_pkt_parse(&v, b, (size_t)n) < 0 || v.next_hdr != NIP_PROTO_NLS ||
		    (type = nls_parse_hdr(v.payload, v.payload_len, &from)) < 0)
			continue;
		if (type == NLS_HELLO)
			*nbr = from;
		if (type != NLS_LSU)
			continue;
		size_t pos = NLS_HDR_LEN + 2;
		for (unsigned i = 0; i < v.payload[NLS_HDR_LEN]; i++) {
			int used = nls_lsa_decode(lsa, v.payload + pos, v.payload_len - pos);
			if (used < 0)
				break;
			if (!strcmp(lsa->name, name)) {
				memcpy(lsa_b, v.payload + pos, (size_t)used);
				return used;
			}
			pos += (size_t)used;
		}
	}
	return 0;
}

int forge_lsa(const char *keyfile, const char *name, const char *cas, const char *origin_keyfile)
{
	struct nip_identity id, origin;
	struct nls_lsa real, f;
	uint8_t real_b[2048], lsa[2048], msg[2048], b[4096];
	uint64_t nbr = 0;

	if (load(keyfile, &id) < 0 || (origin_keyfile && load(origin_keyfile, &origin) < 0))
		return 2;
	uint64_t rid = nls_router_id_key(id.pk);
	if (!learn(&id, rid, name, real_b, &real, &nbr)) {
		fprintf(stderr, "nip_forge: no LSA of %s within 5 s (not a neighbour?)\n", name);
		return 1;
	}
	f = real;
	f.age = 0;
	f.seq = !strcmp(cas, "old") ? real.seq - 1 : real.seq + 1;
	f.n_links = 1; /* the lie: the origin is next to us */
	f.links[0].nbr = rid;
	f.links[0].metric = 1;
	f.links[0].latency_us = 1;
	int n = nls_lsa_encode(lsa, sizeof(lsa), &f);
	uint32_t now_s = (uint32_t)(real_ns() / 1000000000u);
	if (!strcmp(cas, "origin") || !strcmp(cas, "badsig"))
		n = nls_lsa_sign(lsa, sizeof(lsa), (size_t)n, now_s, id.pk, id.sk);
	if (!strcmp(cas, "badsig")) {
		memcpy(lsa + n - 96, real.origin_pk, 32);
		nls_lsa_seal(lsa, (size_t)n);
	}
	if (!strcmp(cas, "expired") || !strcmp(cas, "old")) {
		if (!origin_keyfile) {
			fprintf(stderr, "nip_forge: lsa %s needs the origin's key file\n", cas);
			return 2;
		}
		n = nls_lsa_sign(lsa, sizeof(lsa), (size_t)n, now_s - (*cas == 'e' ? 3600 : 0),
				 origin.pk, origin.sk);
	}
	if (n < 0)
		return 2;
	nls_put_hdr(msg, NLS_LSU, (uint16_t)(NLS_HDR_LEN + 2 + n), rid);
	msg[NLS_HDR_LEN] = 1;
	msg[NLS_HDR_LEN + 1] = 0;
	memcpy(msg + NLS_HDR_LEN + 2, lsa, (size_t)n);
	tx(b, wrap(b, sizeof(b), &id, true, real_ns(), msg, NLS_HDR_LEN + 2 + (size_t)n));
	printf("%016llx %u\n", (unsigned long long)real.origin, real.seq);
	nip_key_forget(&id);
	if (origin_keyfile)
		nip_key_forget(&origin);
	return 0;
}
