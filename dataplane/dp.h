/* The data plane of one node: links, buffers, the published FIB, counters, local service. */
#ifndef NEWIP_DP_H
#define NEWIP_DP_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "fwd.h"
#include "guard.h"
#include "link.h"
#include "newip/newip.h"
#include "newip/sock.h"
#include "pool.h"
#include "ratelimit.h"
#include "ring.h"
#include "stats.h"
#include "workers.h"

#define DP_MAX_LINKS 256 /* keyed links: a public router's hundreds of peers (spec §1.1) */
#define DP_MAX_ADDRS 8
#define DP_MAX_CLIENTS 64
#define DP_POOL_SIZE 8192 /* paced links queue up to SCHED_LIMIT_PKTS per class */
#define DP_DEFAULT_HOP_LIMIT 64
_Static_assert(GUARD_LINKS == DP_MAX_LINKS, "the guard keeps state for every link");
#define DP_EV_CLIENT 0x20000 /* epoll tag of local client i: DP_EV_CLIENT + i */

struct local_client {
	int fd;
	uint16_t port; /* bound UDP port, 0 = none */
	uint16_t echo_id;
};

struct dp {
	struct link links[DP_MAX_LINKS];
	unsigned n_links;
	struct nip_addr addrs[DP_MAX_ADDRS]; /* fixed at start-up */
	unsigned n_addrs;
	struct xlat_map maps[XLAT_MAPS];     /* the TUN gateways' mapped prefixes (spec §12.4) */
	unsigned n_maps;
	_Atomic(struct fwd *) fwd;	     /* published by the control plane */
	atomic_uint_fast64_t epoch;	     /* bumped each loop: QSBR for FIB reclamation */
	atomic_bool stop;
	int epfd, wake_fd, local_fd;
	struct pool pool;
	struct dp_stats st;
	struct ratelimit ncmp_rl;
	struct local_client clients[DP_MAX_CLIENTS];
	uint16_t next_echo_id, next_port;
	uint64_t now_ns;      /* read once per loop */
	uint64_t now_real_ns; /* the same instant by CLOCK_REALTIME: receive timestamps */
	const struct fwd *cur_fwd; /* this loop's forwarding state */
	_Atomic(struct guard *) guard;	 /* published by the control plane; NULL: none */
	const struct guard *cur_guard;	 /* this loop's */
	struct guard_state *gs;		 /* the data plane's own guard state (guard.h) */
	/* The routing protocol's packets (spec §9): received ones to the control plane, and
	 * the ones it sends back, each with its link. */
	struct ring to_ctl, from_ctl;
	int ctl_wake_fd; /* eventfd the control thread waits on */
	bool to_ctl_pending;
	bool keyed_links;	/* any keyed udp link: run peer_tick */
	bool schc_links;	/* any LPWAN link: run its radio each loop */
	uint64_t peer_tick_ns;
	unsigned n_workers;	/* data-plane threads, this one included; set before dp_init */
	struct dpw *workers;	/* the other n_workers - 1 (workers.h) */
};

/* worker.c */
int dp_init(struct dp *dp, const char *local_path, char *err, size_t errlen);
void dp_run(struct dp *dp); /* until dp->stop */
void dp_destroy(struct dp *dp);
void dp_wake(struct dp *dp);
/* The data plane wakes the control thread (it has queued packets for it in to_ctl). */
void dp_wake_ctl(struct dp *dp);

/* forward.c: the fate of every received packet is decided here. */
void dp_input(struct dp *dp, struct pkt *k);
/* A burst from one link: each packet through dp_input's checks, the routed ones looked up
 * together (fib_lookup_burst), then sent on in their order. */
void dp_input_burst(struct dp *dp, struct pkt **pkts, unsigned n);
/* Hand a copy of a packet to the control plane (routing, registration, shut-off messages);
 * false, counted as control_busy, when its queue is full. Urgent ones (NLS hellos) may take
 * the ring's last RING_RESERVE slots. */
bool dp_to_ctl(struct dp *dp, const struct pkt *k, bool urgent);
/* Route and send a packet this node originates (or loops back to itself); consumes k. */
void dp_output(struct dp *dp, struct pkt *k);
bool dp_is_local(const struct dp *dp, const uint8_t *addr, uint8_t len);

/* egress.c: a routed packet's way out (spec §10); consumes k. */
void egress_send(struct dp *dp, struct link *l, struct pkt *k, const struct nip_pkt *v,
		 const struct nh_group *g);
/* Run the paced links' schedulers and the delay lines; returns when something is next due
 * (ns, CLOCK_MONOTONIC), UINT64_MAX if nothing waits. */
uint64_t egress_run(struct dp *dp);
int egress_init(struct dp *dp, char *err, size_t errlen);
void egress_destroy(struct dp *dp);

/* ncmp_out.c */
void ncmp_error(struct dp *dp, const uint8_t *invoking, size_t len, uint8_t type, uint8_t code,
		uint32_t param);
void ncmp_echo_reply(struct dp *dp, const struct nip_pkt *req, const struct nip_ncmp *m);
const struct nip_addr *dp_source_for(const struct dp *dp, uint8_t dst_len);

/* srccheck.c: false when the packet was dropped (and consumed). */
bool srccheck_ingress(struct dp *dp, struct pkt *k, const struct nip_pkt *v);
void srccheck_tag(struct dp *dp, struct pkt *k, const struct nip_pkt *v, uint16_t out);
/* The link a source is bound to (first come, first served), or -1. Racy reads from the
 * control plane see a whole link number or a stale one, never a crash. */
int savi_link(const struct guard_state *gs, const uint8_t *a, uint8_t len, uint64_t now);

/* shutoff.c */
bool shutoff_edge(struct dp *dp, struct pkt *k, const struct nip_pkt *v);
bool shutoff_intercept(struct dp *dp, struct pkt *k, const struct nip_pkt *v);
void shutoff_victim(struct dp *dp, const struct nip_pkt *v);
/* Start a security block with a tag element when this node tags what it sends (§6.6). */
void dp_w_tag(const struct dp *dp, struct nip_writer *w);

/* tun.c: a gateway link (spec §12). rx reads and translates up to max packets; send
 * translates and writes one (consumes k); setup gives it the gateway's IPv4/IPv6 source and maps. */
unsigned tun_rx(struct dp *dp, struct link *l, struct pkt **out, unsigned max);
void tun_send(struct dp *dp, struct link *l, struct pkt *k, const struct nip_pkt *v);
void tun_setup(struct link *l, const struct dp *dp);

/* local.c */
void local_input(struct dp *dp, struct pkt *k, const struct nip_pkt *v);
void local_accept(struct dp *dp);
void local_client_ready(struct dp *dp, unsigned idx);

#endif
