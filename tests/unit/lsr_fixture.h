/* One NLS node "a" (x01) with a single link 0 and no daemon around it, for unit tests that
 * drive the routing protocol's functions directly. */
#ifndef NEWIP_TEST_LSR_FIXTURE_H
#define NEWIP_TEST_LSR_FIXTURE_H

#include "../../control/node.h"
#include "harness.h"

#define PEER 0xbbbbbbbbbbbbbbbbull

/* link 0 has MTU 1500, metric 10 and the given configured delay (spec §9). */
static inline void fixture_node(struct node *n, uint32_t delay_us)
{
	CHECK_EQ(nip_crypto_init(), 0);
	memset(n, 0, sizeof(*n));
	snprintf(n->cfg.node, sizeof(n->cfg.node), "a");
	nip_addr_parse(&n->cfg.addrs[0], "x01");
	n->cfg.n_addrs = 1;
	n->cfg.n_links = 1;
	n->cfg.routing = true;
	n->cfg.hello_ms = 100, n->cfg.dead_ms = 400, n->cfg.lsa_refresh_s = 30;
	n->cfg.metric[0] = 10;
	n->cfg.links[0].delay_us = delay_us;
	n->dp.addrs[0] = n->cfg.addrs[0];
	n->dp.n_addrs = 1;
	n->dp.n_links = 1;
	n->dp.links[0].mtu = 1500;
	n->dp.wake_fd = -1;
	CHECK_EQ(ring_init(&n->dp.from_ctl), 0);
	lsr_init(&n->lsr, n);
}

/* A hello from PEER on link 0 (hello 100 ms, dead 400 ms) that echoes our Timestamp `echo`
 * after holding it `held` µs, heard at rx_us by our clock (the round trip is rx_us - echo -
 * held), listing us (two-way). */
static inline void fixture_hello(struct node *n, uint32_t rx_us, uint32_t echo, uint32_t held,
				 uint64_t now_ms)
{
	struct nls_hello h = { .hello_ms = 100, .dead_ms = 400, .mtu = 1500, .n = 1,
			       .nbr = { n->lsr.rid }, .ts_us = 777, .echo_us = echo,
			       .echo_delay_us = held };
	struct nip_hdr ph = { .next_hdr = NIP_PROTO_NLS, .hop_limit = 1 };
	uint8_t msg[256], pkt[512];
	struct nip_writer w;
	struct nip_pkt v;
	int len = nls_hello_encode(msg, sizeof(msg), PEER, &h);

	ph.dst.len = 1;
	nip_addr_parse(&ph.src, "x02");
	nip_w_init(&w, pkt, sizeof(pkt), &ph);
	int plen = nip_w_finish(&w, msg, (size_t)len);
	CHECK(plen > 0 && nip_pkt_parse(&v, pkt, (size_t)plen) == 0);
	nbr_hello_rx(&n->lsr, 0, &v, v.payload, v.payload_len, now_ms, (uint64_t)rx_us * 1000);
}

#endif
