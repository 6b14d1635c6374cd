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

#endif
