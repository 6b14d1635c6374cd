/*
 * The guard's control plane (docs/spec.md §6.5, §6.6, §11): source registrations on both
 * sides, shut-off requests made, verified and acknowledged, the filters they install, and the
 * flood guard. Ed25519 lives here, never in the data plane. The control thread alone.
 */
#ifndef NEWIP_GUARD_CTL_H
#define NEWIP_GUARD_CTL_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "../dataplane/dp.h"

#define GC_REPLAY_SLOTS 4096
#define GC_REPLAY_WINDOW_NS 2000000000ll
#define GC_LIFETIME_S 300 /* a registration's lifetime */
#define GC_VERIFY_BURST 50

struct node;

enum gc_host_state { GC_HOST_OFF, GC_HOST_TRYING, GC_HOST_REGISTERED };
enum gc_filter_state { GC_PENDING, GC_INSTALLED, GC_REFUSED, GC_NO_ANSWER };

struct gc_host { /* this node as a host, on one link */
	enum gc_host_state state;
	uint8_t nonce[16];
	uint32_t key_id, lifetime_s;
	uint8_t key[NIP_AUTH_KEY_LEN];
	uint64_t next_ms, backoff_ms, registered_ms;
	struct nip_addr addr;
};

struct gc_sess { /* a host registered on one of this node's links */
	bool used;
	struct sav_sess s;
	uint64_t registered_ms;
};

struct gc_filter {
	bool used;
	struct so_filter f;
	uint64_t base_hits, created_ms;
	/* the victim's side */
	enum gc_filter_state state;
	uint8_t code, tries;
	bool automatic;
	uint32_t req_id, duration_s, granted_s;
	uint8_t digest[16];
	uint64_t sent_ms, acked_ms, sent_ns; /* sent_ns: the last try, for the answer time */
	double rtt_ms;
};

struct gc_stats {
	uint64_t reg_sent, reg_accepted, reg_refused, reg_acks, reg_acks_bad;
	uint64_t req_sent, req_received, req_malformed, req_code[8], acks_received, auto_shutoffs;
	uint64_t not_intercepted;
};

struct guard_ctl {
	struct node *n;
	const struct nip_addr *self; /* the node's self-certifying address, or NULL */
	struct gc_host host[DP_MAX_LINKS];
	struct gc_sess sess[GUARD_MAX_SESS];
	struct gc_filter filt[GUARD_MAX_FILT];
	struct {
		uint64_t h, ts_ns;
	} replay[GC_REPLAY_SLOTS];
	struct tbucket verify[DP_MAX_LINKS]; /* signature checks per link (§6.5 step 4) */
	struct ratelimit ack_rl;
	struct gc_stats st;
	bool dirty;
	uint64_t next_expiry_ms, next_flood_ms;
};

int guard_ctl_init(struct guard_ctl *g, struct node *n, char *err, size_t errlen);
void guard_ctl_free(struct guard_ctl *g);
void guard_ctl_rx(struct guard_ctl *g, uint16_t link, const uint8_t *pkt, size_t len,
		  uint64_t now_ms);
void guard_ctl_tick(struct guard_ctl *g, uint64_t now_ms);

/* `newip shutoff`: ask for the traffic from src to stop. Returns the filter, or NULL with a
 * one-line reason in err. */
const struct gc_filter *guard_ctl_shutoff(struct guard_ctl *g, const struct nip_addr *src,
					  uint32_t duration_s, bool automatic, char *err,
					  size_t errlen);
json_t *guard_ctl_filters_json(const struct guard_ctl *g);
json_t *guard_ctl_sav_json(const struct guard_ctl *g);
json_t *guard_ctl_top_json(const struct guard_ctl *g);
json_t *guard_ctl_stats_json(const struct guard_ctl *g);

#endif
