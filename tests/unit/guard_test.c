/* The guard's parts (docs/spec.md §6.5, §6.6, §11): the digest cache, the heavy-hitter sketch,
 * the snapshot's indexes, the registration key and messages. */
#include <sodium.h>
#include <string.h>

#include "../../dataplane/dcache.h"
#include "../../dataplane/guard.h"
#include "../../dataplane/hh.h"
#include "harness.h"
#include "newip/newip.h"

#define S 1000000000ull

static void fill(void *p, size_t n)
{
	randombytes_buf(p, n);
}

static void dcache_basics(void)
{
	struct dcache c;
	uint8_t d[16], e[16];
	uint32_t pair = dcache_pair_hash((const uint8_t *)"\x0a\x01", 2, (const uint8_t *)"\x0a\x02", 2);
	uint32_t back = dcache_pair_hash((const uint8_t *)"\x0a\x02", 2, (const uint8_t *)"\x0a\x01", 2);

	CHECK_EQ(nip_crypto_init(), 0);
	CHECK_EQ(dcache_init(&c, 1000000), 0);
	CHECK_EQ(dcache_bytes(&c), 4u << 20); /* 16 bits a packet, two generations: 4 MB at 1 Mpps */
	fill(d, 16);
	fill(e, 16);
	dcache_insert(&c, d, pair, 10 * S);
	CHECK(dcache_lookup(&c, d, pair, 10 * S));
	CHECK(!dcache_lookup(&c, e, pair, 10 * S));
	CHECK(!dcache_lookup(&c, d, back, 10 * S)); /* the pair is part of the key: scope */
	CHECK(dcache_lookup(&c, d, pair, 11 * S - 1));
	/* a new generation keeps the last one a second longer, then it is gone */
	dcache_insert(&c, e, pair, 11 * S + 1);
	CHECK(dcache_lookup(&c, d, pair, 11 * S + 2));
	CHECK(dcache_lookup(&c, e, pair, 11 * S + 2));
	dcache_insert(&c, e, pair, 12 * S + 2);
	CHECK(!dcache_lookup(&c, d, pair, 12 * S + 3));
	CHECK(dcache_lookup(&c, e, pair, 12 * S + 3));
	CHECK(!dcache_lookup(&c, e, pair, 15 * S)); /* nothing older than two generations */
	/* A reader whose clock is behind the writer's (it read it first) still finds it. */
	CHECK(dcache_lookup(&c, e, pair, 12 * S));
	dcache_free(&c);
}

/* At its design load (one generation full of distinct packets) the false-positive rate is the
 * spec's 0.24 %; allow some margin, and show a wrong pair behaves like a random digest. */
static void dcache_false_positives(void)
{
	struct dcache c;
	uint8_t d[16];
	unsigned fp = 0, n = 100000, probes = 200000;

	CHECK_EQ(dcache_init(&c, n), 0);
	for (unsigned i = 0; i < n; i++) {
		fill(d, 16);
		dcache_insert(&c, d, i, S);
	}
	for (unsigned i = 0; i < probes; i++) {
		fill(d, 16);
		fp += dcache_lookup(&c, d, i, S);
	}
	printf("figure: digest cache false positives at design load: %.3f %% (%u of %u)\n",
	       100.0 * fp / probes, fp, probes);
	CHECK(fp < probes / 200); /* < 0.5 % */
	dcache_free(&c);
}

static void hh_finds_the_flood(void)
{
	static struct hh h;
	struct hh_entry top[HH_TOP];
	uint8_t heavy[16] = { 0x20, 1 }, a[16];
	uint64_t total, end, t = S;

	hh_init(&h);
	/* 20000 packets from random sources, 3000 from one, in one window */
	for (unsigned i = 0; i < 23000; i++, t += 1000) {
		if (i % 7 == 3 && i < 21000) {
			hh_add(&h, heavy, 16, t);
		} else {
			fill(a, 16);
			hh_add(&h, a, 16, t);
		}
	}
	CHECK_EQ(hh_read(&h, top, &total, &end), 0); /* the window has not closed yet */
	hh_add(&h, a, 16, S + HH_WINDOW_NS);	       /* it closes with the next packet */
	unsigned n = hh_read(&h, top, &total, &end);
	CHECK(n > 0);
	CHECK_EQ(total, 23000u);
	CHECK_EQ(top[0].src.len, 16);
	CHECK(!memcmp(top[0].src.b, heavy, 16)); /* heaviest first */
	CHECK(top[0].count >= 3000);		 /* count-min never underestimates */
	CHECK(top[0].count < 3000 + 100);	 /* and barely overestimates here */
	for (unsigned i = 1; i < n; i++)
		CHECK(top[i].count <= top[i - 1].count);
	CHECK(sizeof(h) < 40000); /* fixed memory whatever the number of sources */
}

static void snapshot_indexes(void)
{
	static struct guard g;

	memset(&g, 0, sizeof(g));
	for (unsigned i = 0; i < GUARD_MAX_SESS; i++) {
		g.sess[i].key_id = 0x1000 + i * GUARD_HASH; /* colliding keys on purpose */
		g.sess[i].link = (uint16_t)(i % 4);
		g.sess[i].addr.len = 2;
		g.sess[i].addr.b[0] = (uint8_t)(i >> 8), g.sess[i].addr.b[1] = (uint8_t)i;
	}
	g.n_sess = GUARD_MAX_SESS;
	for (unsigned i = 0; i < GUARD_MAX_FILT; i++) {
		nip_addr_set(&g.filt[i].src, (const uint8_t *)"\x01\x02\x03\x04", 4);
		g.filt[i].dst.len = 1;
		g.filt[i].dst.b[0] = (uint8_t)i;
		g.filt[i].slot = (uint16_t)i;
	}
	g.n_filt = GUARD_MAX_FILT;
	guard_index(&g);
	for (unsigned i = 0; i < GUARD_MAX_SESS; i++) {
		const struct sav_sess *s = guard_sess_by_key(&g, 0x1000 + i * GUARD_HASH);
		CHECK(s == &g.sess[i]);
		uint8_t a[2] = { (uint8_t)(i >> 8), (uint8_t)i };
		CHECK(guard_sess_by_addr(&g, a, 2) == &g.sess[i]);
		CHECK(guard_sess_by_addr(&g, a, 1) == NULL || i < 256);
	}
	CHECK(guard_sess_by_key(&g, 7) == NULL);
	CHECK(guard_sess_by_addr(&g, (const uint8_t *)"\xff\xff", 2) == NULL);
	for (unsigned i = 0; i < GUARD_MAX_FILT; i++) {
		uint8_t d = (uint8_t)i;
		const struct so_filter *f = guard_filter(&g, (const uint8_t *)"\x01\x02\x03\x04", 4, &d, 1);
		CHECK(f && f->slot == i);
		CHECK(!guard_filter(&g, &d, 1, (const uint8_t *)"\x01\x02\x03\x04", 4)); /* direction */
	}
}

static void registration_key(void)
{
	uint8_t hpk[32], hsk[64], rpk[32], rsk[64], xpk[32], xsk[64];
	uint8_t hn[16], rn[16], k1[32], k2[32], k3[32], k4[32];

	crypto_sign_keypair(hpk, hsk);
	crypto_sign_keypair(rpk, rsk);
	crypto_sign_keypair(xpk, xsk);
	fill(hn, 16);
	fill(rn, 16);
	CHECK_EQ(nip_sav_key(k1, true, hsk, rpk, 42, hn, rn), 0);
	CHECK_EQ(nip_sav_key(k2, false, rsk, hpk, 42, hn, rn), 0);
	CHECK(!memcmp(k1, k2, 32)); /* both ends derive the same key, nothing sent but nonces */
	CHECK_EQ(nip_sav_key(k3, false, xsk, hpk, 42, hn, rn), 0);
	CHECK(memcmp(k1, k3, 32)); /* another router cannot */
	rn[0] ^= 1;
	CHECK_EQ(nip_sav_key(k4, true, hsk, rpk, 42, hn, rn), 0);
	CHECK(memcmp(k1, k4, 32)); /* fresh for every registration */
	CHECK_EQ(nip_sav_key(k4, true, hsk, rpk, 43, hn, hn), 0);
	CHECK(memcmp(k1, k4, 32));
	uint8_t bad[32] = { 0 }; /* not a curve point: refused, not a weak key */
	bad[31] = 0x80;
	memset(bad, 0xff, 31);
	CHECK(nip_sav_key(k4, true, hsk, bad, 1, hn, rn) < 0);
}

static void registration_messages(void)
{
	struct nip_register_ack a = { .key_id = 0xdeadbeef, .lifetime_s = 300 }, b;
	uint8_t body[NCMP_REGISTER_ACK_BODY], nonce[16];
	struct nip_ncmp m = { .type = NCMP_REGISTER_ACK, .param = 0xdeadbeef, .body = body,
			      .body_len = sizeof(body) };

	fill(a.host_nonce, 16);
	fill(a.router_nonce, 16);
	nip_register_ack_encode(body, &a);
	CHECK_EQ(nip_register_ack_decode(&b, &m), 0);
	CHECK_EQ(b.key_id, a.key_id);
	CHECK_EQ(b.lifetime_s, 300u);
	CHECK(!memcmp(b.host_nonce, a.host_nonce, 16) && !memcmp(b.router_nonce, a.router_nonce, 16));
	m.body_len = 35;
	CHECK_EQ(nip_register_ack_decode(&b, &m), NIP_E_TRUNCATED);
	m.body_len = sizeof(body);
	m.param = 0; /* Key ID 0 means "untagged" (§11.1): never assigned */
	CHECK_EQ(nip_register_ack_decode(&b, &m), NIP_E_BAD_ITEM);
	m.type = NCMP_REGISTER;
	CHECK_EQ(nip_register_ack_decode(&b, &m), NIP_E_INVAL);
	CHECK_EQ(nip_register_decode(nonce, &m), 0);
	CHECK(!memcmp(nonce, body, 16));
	m.body_len = 15;
	CHECK_EQ(nip_register_decode(nonce, &m), NIP_E_TRUNCATED);
}

RUN_TESTS(T(dcache_basics), T(dcache_false_positives), T(hh_finds_the_flood), T(snapshot_indexes),
	  T(registration_key), T(registration_messages))
