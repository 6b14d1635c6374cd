/* Keyed UDP link frames (spec §1.1): link keys, the handshake, tags, the replay window. */
#include <sodium.h>

#include "harness.h"
#include "newip/linkframe.h"
#include "newip/newip.h"

static uint8_t a_pk[32], a_sk[64], b_pk[32], b_sk[64], c_pk[32], c_sk[64];

static void keys(void)
{
	uint8_t s1[32] = { 1 }, s2[32] = { 2 }, s3[32] = { 3 };

	CHECK_EQ(nip_crypto_init(), 0);
	crypto_sign_seed_keypair(a_pk, a_sk, s1);
	crypto_sign_seed_keypair(b_pk, b_sk, s2);
	crypto_sign_seed_keypair(c_pk, c_sk, s3);
}

/* Both ends compute the same link key; a third key gives another one. */
static void link_key(void)
{
	uint8_t ab[32], ba[32], ac[32], bad[32];

	keys();
	CHECK_EQ(nip_lf_link_key(ab, a_sk, b_pk), 0);
	CHECK_EQ(nip_lf_link_key(ba, b_sk, a_pk), 0);
	CHECK_EQ(nip_lf_link_key(ac, a_sk, c_pk), 0);
	CHECK(memcmp(ab, ba, 32) == 0);
	CHECK(memcmp(ab, ac, 32) != 0);
	memset(bad, 0xff, sizeof(bad)); /* not a point on the curve */
	CHECK_EQ(nip_lf_link_key(ac, a_sk, bad), NIP_E_AUTH);
}

/* A full handshake: both ends end with mirrored session keys; frames classify. */
static void handshake(void)
{
	uint8_t K[32], K2[32], init[NIP_LF_INIT_LEN], resp[NIP_LF_RESP_LEN];
	struct nip_lf_hs hs;
	struct nip_lf_keys ki, kr;

	keys();
	CHECK_EQ(nip_lf_link_key(K, a_sk, b_pk), 0);
	CHECK_EQ(nip_lf_link_key(K2, b_sk, a_pk), 0);
	nip_lf_init_build(init, &hs, 0x11223344, a_pk, 1700000000123456789ull, K);
	CHECK_EQ(nip_lf_classify(init, sizeof(init)), NIP_LF_INIT);
	CHECK_EQ(nip_lf_classify(init, sizeof(init) - 1), 0);
	CHECK(nip_lf_init_verify(init, K2));
	CHECK(memcmp(nip_lf_init_key(init), a_pk, 32) == 0);
	CHECK_EQ(nip_lf_init_index(init), 0x11223344);
	CHECK(nip_lf_init_time(init) == 1700000000123456789ull);
	CHECK_EQ(nip_lf_resp_build(resp, &kr, 0x55667788, init, K2), 0);
	CHECK_EQ(nip_lf_classify(resp, sizeof(resp)), NIP_LF_RESP);
	CHECK_EQ(nip_lf_resp_index(resp), 0x11223344);
	CHECK_EQ(nip_lf_resp_sender(resp), 0x55667788);
	CHECK_EQ(nip_lf_resp_accept(resp, &hs, K, &ki), 0);
	CHECK(memcmp(ki.send, kr.recv, 32) == 0 && memcmp(ki.recv, kr.send, 32) == 0);
	CHECK(memcmp(ki.send, ki.recv, 32) != 0);
	/* Every octet of either message is covered: one flipped bit fails. */
	for (size_t i = 0; i < 80; i++) {
		init[i] ^= 0x10;
		CHECK(!nip_lf_init_verify(init, K2));
		init[i] ^= 0x10;
	}
	for (size_t i = 0; i < sizeof(resp); i++) {
		resp[i] ^= 0x01;
		CHECK_EQ(nip_lf_resp_accept(resp, &hs, K, &ki), NIP_E_AUTH);
		resp[i] ^= 0x01;
	}
	/* A response to another initiation (another MAC) does not verify. */
	struct nip_lf_hs other = hs;
	other.init_mac[0] ^= 1;
	CHECK_EQ(nip_lf_resp_accept(resp, &other, K, &ki), NIP_E_AUTH);
	/* A wrong peer key: another link key, nothing verifies. */
	uint8_t Kc[32];
	CHECK_EQ(nip_lf_link_key(Kc, c_sk, a_pk), 0);
	CHECK(!nip_lf_init_verify(init, Kc));
	/* A non-zero Reserved octet is malformed. */
	init[2] = 1;
	CHECK_EQ(nip_lf_classify(init, sizeof(init)), 0);
}

/* Tags: plain frames keep the packet readable, sealed ones do not; both verify only whole. */
static void data_frames(void)
{
	uint8_t key[32], hdr[NIP_LF_HDR], tag[16], pkt[100], copy[100];

	randombytes_buf(key, sizeof(key));
	randombytes_buf(pkt, sizeof(pkt));
	memcpy(copy, pkt, sizeof(pkt));
	nip_lf_data_header(hdr, false, 0xabcdef01, 77);
	CHECK_EQ(hdr[0], NIP_LF_DATA);
	CHECK_EQ(nip_lf_data_index(hdr), 0xabcdef01);
	CHECK(nip_lf_data_counter(hdr) == 77);
	nip_lf_data_tag(tag, pkt, sizeof(pkt), false, 77, key);
	CHECK(memcmp(pkt, copy, sizeof(pkt)) == 0);
	CHECK(nip_lf_data_open(pkt, sizeof(pkt), tag, false, 77, key));
	CHECK(!nip_lf_data_open(pkt, sizeof(pkt), tag, false, 78, key)); /* the Counter is bound */
	CHECK(!nip_lf_data_open(pkt, sizeof(pkt), tag, true, 77, key));	 /* and the type */
	memcpy(pkt, copy, sizeof(pkt)); /* which wiped it */
	CHECK(nip_lf_data_open(pkt, sizeof(pkt), tag, false, 77, key));
	pkt[50] ^= 4;
	CHECK(!nip_lf_data_open(pkt, sizeof(pkt), tag, false, 77, key));
	pkt[50] ^= 4;
	/* Sealed: encrypted in place, restored by open; a forged tag is refused. */
	nip_lf_data_tag(tag, pkt, sizeof(pkt), true, 9, key);
	CHECK(memcmp(pkt, copy, sizeof(pkt)) != 0);
	uint8_t sealed[100];
	memcpy(sealed, pkt, sizeof(pkt));
	tag[3] ^= 1;
	CHECK(!nip_lf_data_open(pkt, sizeof(pkt), tag, true, 9, key));
	memcpy(pkt, sealed, sizeof(pkt)); /* libsodium wipes what failed */
	tag[3] ^= 1;
	CHECK(nip_lf_data_open(pkt, sizeof(pkt), tag, true, 9, key));
	CHECK(memcmp(pkt, copy, sizeof(pkt)) == 0);
	/* A keepalive: no packet at all. */
	nip_lf_data_tag(tag, pkt, 0, false, 10, key);
	CHECK(nip_lf_data_open(pkt, 0, tag, false, 10, key));
	CHECK(!nip_lf_data_open(pkt, 0, tag, false, 11, key));
	nip_lf_data_header(hdr, true, 1, 2);
	CHECK_EQ(nip_lf_classify(hdr, NIP_LF_HDR), 0); /* too short for a tag */
	CHECK_EQ(nip_lf_classify(hdr, NIP_LF_OVERHEAD), NIP_LF_SEALED);
}

/* The replay window against a reference: the set of accepted counters, on random input. */
static void replay_window(void)
{
	static uint8_t seen[1 << 16];
	struct nip_replay r = { 0 };
	uint64_t top = 0;
	bool any = false;

	CHECK(nip_replay_check(&r, 0));
	for (int i = 0; i < 200000; i++) {
		uint32_t x = randombytes_uniform(100);
		uint64_t c;
		if (!any || x < 40) /* mostly near the top, some far behind, some jumps ahead */
			c = (any ? top : 0) + randombytes_uniform(8);
		else if (x < 90)
			c = top > 1200 ? top - 1200 + randombytes_uniform(1200) : randombytes_uniform(1200);
		else
			c = top + randombytes_uniform(3000);
		if (c >= sizeof(seen))
			break;
		bool want = !seen[c] && (!any || c > top || top - c < NIP_LF_WINDOW);
		CHECK_EQ(nip_replay_check(&r, c), want);
		if (want) {
			nip_replay_mark(&r, c);
			seen[c] = 1;
			if (!any || c > top)
				top = c;
			any = true;
		}
	}
	/* The edges: exactly WINDOW behind is refused, WINDOW - 1 accepted once. */
	struct nip_replay e = { 0 };
	nip_replay_mark(&e, 5000);
	CHECK(!nip_replay_check(&e, 5000 - NIP_LF_WINDOW));
	CHECK(nip_replay_check(&e, 5000 - NIP_LF_WINDOW + 1));
	nip_replay_mark(&e, 5000 - NIP_LF_WINDOW + 1);
	CHECK(!nip_replay_check(&e, 5000 - NIP_LF_WINDOW + 1));
	CHECK(!nip_replay_check(&e, 5000));
	nip_replay_mark(&e, 1000000); /* a long jump clears everything behind */
	CHECK(nip_replay_check(&e, 1000000 - 1));
	CHECK(!nip_replay_check(&e, 1000000));
}

int main(int argc, char **argv)
{
	static const struct test_case tests[] = { T(link_key), T(handshake), T(data_frames),
						  T(replay_window) };
	return run_tests(tests, sizeof(tests) / sizeof(tests[0]), argc, argv);
}
