/* libFuzzer: a keyed link's receive path (docs/spec.md §1.1), the real demultiplexer of
 * dataplane/peer.c on a node with two keyed links sharing a socket. The input is a series of
 * frames (2-octet length, then the octets) from a series of source ports; with the first
 * octet's low bit set, data frames are tagged with the live session's key first, so the fuzzer
 * reaches the replay window, session promotion and endpoint learning, not only the MAC. An
 * accepted packet must fit its buffer and belong to a keyed link; a forged frame never moves
 * an endpoint. */
#include <arpa/inet.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "../dataplane/dp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct dp dp;
static uint8_t me_pk[32], me_sk[64], a_pk[32], a_sk[64];
static uint8_t buf[PKT_BUF];

static void setup(void)
{
	uint8_t s1[32] = { 1 }, s2[32] = { 2 };

	if (nip_crypto_init() < 0)
		abort();
	crypto_sign_seed_keypair(me_pk, me_sk, s1);
	crypto_sign_seed_keypair(a_pk, a_sk, s2);
	dp.n_links = 2;
	for (int i = 0; i < 2; i++) {
		struct link *l = &dp.links[i];
		struct peer *p = calloc(1, sizeof(*p));
		if (!p)
			abort();
		l->id = (uint16_t)i;
		l->fd = -1; /* sends fail and are counted: nothing leaves the fuzzer */
		l->sock_link = 0;
		l->peer = p;
		p->now_ns = &dp.now_ns;
		p->my_pk = me_pk;
		if (i == 0)
			memcpy(p->pk, a_pk, 32);
		else
			memset(p->pk, 9, 32);
		if (nip_lf_link_key(p->K, me_sk, p->pk) < 0 && i == 0)
			abort();
	}
}

/* A real handshake with link 0 as responder, so a session lives to be attacked. */
static void handshake(void)
{
	uint8_t K[32], init[NIP_LF_INIT_LEN], f[NIP_LF_INIT_LEN];
	struct nip_lf_hs hs;
	struct pkt k = { .data = buf };
	struct sockaddr_storage from = { .ss_family = AF_INET };

	if (nip_lf_link_key(K, a_sk, me_pk) < 0)
		abort();
	nip_lf_init_build(init, &hs, 7, a_pk, dp.now_real_ns, K);
	memcpy(f, init, sizeof(f));
	memcpy(buf, init + NIP_LF_HDR, sizeof(init) - NIP_LF_HDR);
	(void)peer_rx_frame(&dp, &dp.links[0], &k, f, sizeof(init), &from);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool ready;
	struct sockaddr_storage from = { 0 };
	struct sockaddr_in *sin = (struct sockaddr_in *)&from;
	bool sign = size && (data[0] & 1);

	if (!ready) {
		setup();
		ready = true;
	}
	dp.now_ns += 1000000;
	dp.now_real_ns += 1000000;
	if (!dp.links[0].peer->s[PS_NEXT].live && !dp.links[0].peer->s[PS_CUR].live)
		handshake();
	sin->sin_family = AF_INET;
	sin->sin_addr.s_addr = htonl(0x0a000001);
	for (size_t off = size ? 1 : 0; off + 2 <= size;) {
		size_t len = (size_t)data[off] << 8 | data[off + 1];
		uint8_t hdr[NIP_LF_HDR] = { 0 };
		off += 2;
		if (len > size - off)
			len = size - off;
		if (len > PKT_BUF + NIP_LF_HDR)
			len = PKT_BUF + NIP_LF_HDR;
		size_t h = len < NIP_LF_HDR ? len : NIP_LF_HDR;
		memcpy(hdr, data + off, h);
		memcpy(buf, data + off + h, len - h);
		off += len;
		struct peer *p = dp.links[0].peer;
		struct sockaddr_storage before = p->ep;
		bool forged = true;
		int slot = hdr[5] % PEER_SESSIONS;
		if (sign && len >= NIP_LF_OVERHEAD && hdr[0] == NIP_LF_DATA && p->s[slot].live) {
			/* tag it as the peer would (its send key is our receive key) */
			uint64_t ctr = nip_lf_data_counter(hdr);
			nip_lf_data_header(hdr, false, p->s[slot].my_idx, ctr);
			nip_lf_data_tag(buf + (len - NIP_LF_OVERHEAD), buf, len - NIP_LF_OVERHEAD, false,
					ctr, p->s[slot].keys.recv);
			forged = false;
		}
		sin->sin_port = htons((uint16_t)(1000 + off));
		struct pkt k = { .data = buf, .in_link = 0xeeee };
		if (peer_rx_frame(&dp, &dp.links[0], &k, hdr, len, &from)) {
			if (k.len > PKT_BUF || k.in_link >= dp.n_links || !dp.links[k.in_link].peer)
				abort();
		}
		if (forged && hdr[0] == NIP_LF_DATA && memcmp(&before, &p->ep, sizeof(before)))
			abort(); /* only an authenticated frame moves the endpoint */
	}
	return 0;
}
