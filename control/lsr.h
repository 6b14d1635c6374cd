/* NLS link-state routing (docs/spec.md §9): neighbours, LSDB and flooding, SPF. */
#ifndef NEWIP_LSR_H
#define NEWIP_LSR_H

#include <stdbool.h>
#include <stdint.h>

#include "../dataplane/dp.h"
#include "config.h"
#include "newip/nls.h"
#include "posidx.h"

#define LSR_LSA_MAX 1100
#define LSR_RXMT_MS 500
#define LSR_SPF_DELAY_MS 10	 /* routes are recomputed this long after a change ... */
#define LSR_SPF_HOLD_MAX_MS 500 /* ... or, while changes keep coming, up to this long */
#define LSR_SEQ_MAX 0xfffffffeu
#define LSR_RTT_WINDOW_MS 5000 /* the minimum round trip is kept over 2 such windows */
/* A latency change waits this long after the last LSA, or 100 ms per LSA in the database if
 * that is longer (spec §9): the whole area then re-originates for latency below 10 LSAs/s. */
#define LSR_LAT_HOLD_MS 5000
#define LSR_LAT_HOLD_PER_LSA_MS 100
#define LSR_RTT_NONE UINT32_MAX

enum nbr_state { NBR_DOWN, NBR_INIT, NBR_TWOWAY };

struct lsr_nbr {
	enum nbr_state state;
	uint64_t rid;
	struct nip_addr addr;
	uint64_t last_heard_ms, up_since_ms, next_rxmt_ms;
	uint16_t dead_ms, mtu;
	unsigned n_pending; /* LSAs flooded to it and not yet acknowledged (their pend bits) */
	/* Link latency (spec §9): its last hello's Timestamp, when we heard it (our µs clock),
	 * and the minimum round trip over this window and the one before. */
	uint32_t peer_ts_us, peer_rx_us;
	uint32_t rtt_min_us[2];
	uint64_t rtt_window_ms;
	uint32_t adv_lat_us; /* the latency our LSA advertises for this link */
};

struct lsdb_entry {
	uint64_t installed_ms;
	uint16_t age0; /* Age when installed */
	uint16_t len;
	uint64_t pend[DP_MAX_LINKS / 64]; /* the links it is to be sent on, not yet acknowledged */
	uint16_t cap; /* octets allocated for bytes (an LSA is mostly far below LSR_LSA_MAX) */
	struct nls_lsa lsa;
	uint8_t bytes[]; /* the LSA as received or originated, len octets */
};

struct lsr_stats {
	uint64_t hello_rx, lsu_rx, ack_rx, msgs_tx, malformed, stale, spf_runs, originated;
	uint64_t tx_dropped;
	uint64_t auth_rejected; /* spec §9.1 */
	uint64_t nbr_down;	/* two-way neighbours lost (dead timer, a new router ID on a link) */
};

struct node;
struct spf_work;

struct lsr_log_limit {
	uint64_t window_ms;
	unsigned lines, suppressed;
};

struct lsr {
	struct node *node;
	bool enabled;
	uint64_t rid;
	uint16_t hello_ms, dead_ms, metric[DP_MAX_LINKS];
	uint32_t delay_us[DP_MAX_LINKS]; /* each link's configured delay */
	uint32_t refresh_s;
	struct lsr_nbr nbr[DP_MAX_LINKS];
	uint64_t next_hello_ms[DP_MAX_LINKS];
	/* The LSDB, as large as it needs: entries in any order, and an index by origin. */
	struct lsdb_entry **db;
	unsigned n_db, cap_db;
	struct posidx idx;
	struct spf_work *spf; /* lsr_spf.c's arrays, grown with the LSDB */
	uint32_t my_seq;
	uint64_t my_lsa_ms, spf_due_ms;
	uint64_t spf_ran_ms, spf_hold_ms; /* the last SPF run, and the wait before the next */
	uint64_t aged_ms;		  /* the last ageing pass over the LSDB */
	bool originate_due; /* the topology changed: originate at the next tick */
	bool wake_dp;	    /* lsr_send queued messages the data plane has not been woken for */
	bool latency_due;   /* a latency estimate moved: originate LSR_LAT_HOLD_MS after the last */
	uint64_t last_spf_us;
	struct lsr_stats st;
	/* Authenticated NLS (spec §9.1): the last Timestamp accepted per trust anchor and link. */
	bool auth;
	uint64_t last_ts[CFG_MAX_TRUST + 1][DP_MAX_LINKS]; /* the last: our own key */
	struct lsr_log_limit log_msgs, log_lsas;
};

/* lsr.c: the glue */
void lsr_init(struct lsr *l, struct node *n);
/* rx_ns: when the data plane received it (CLOCK_MONOTONIC), for the link latency. */
void lsr_rx(struct lsr *l, uint16_t link, const uint8_t *pkt, size_t len, uint64_t now,
	    uint64_t rx_ns);
void lsr_tick(struct lsr *l, uint64_t now);
/* When lsr_tick next has something to do (a hello, a retransmission, a dead timer, SPF, an
 * origination), at most `limit` ms from now: the control thread sleeps until then. */
uint64_t lsr_next_ms(const struct lsr *l, uint64_t now, uint64_t limit);
uint64_t lsr_latency_hold_ms(const struct lsr *l);
void lsr_send(struct lsr *l, uint16_t link, const uint8_t *msg, size_t len);
uint64_t lsr_now_ms(void);

/* lsr_auth.c: the checks of spec §9.1, each refusal counted and logged; true to accept. */
bool lsr_auth_msg(struct lsr *l, uint16_t link, const struct nip_pkt *v, uint64_t rid,
		  uint64_t now);
bool lsr_auth_lsa(struct lsr *l, uint16_t link, const struct nls_lsa *lsa, const uint8_t *b,
		  uint16_t len, uint32_t max_age_s, uint64_t now);

/* lsr_nbr.c */
void nbr_hello_rx(struct lsr *l, uint16_t link, const struct nip_pkt *v, const uint8_t *msg,
		  size_t len, uint64_t now, uint64_t rx_ns);
/* The link's latency estimate L (spec §9): min RTT / 2 + configured delay. */
uint32_t nbr_latency(const struct lsr *l, uint16_t link);
void nbr_tick(struct lsr *l, uint64_t now);
void nbr_promote(struct lsr *l, uint16_t link, uint64_t rid, uint64_t now);
/* The control thread woke `ms` later than it asked (the machine did not run it): time we could
 * not listen does not count against any neighbour's dead interval. */
void nbr_stalled(struct lsr *l, uint64_t ms);
const char *nbr_state_name(enum nbr_state s);

/* lsr_lsdb.c */
void lsdb_originate(struct lsr *l, uint64_t now);
void lsdb_lsu_rx(struct lsr *l, uint16_t link, const uint8_t *msg, size_t len, uint64_t now);
void lsdb_ack_rx(struct lsr *l, uint16_t link, const uint8_t *msg, size_t len);
void lsdb_tick(struct lsr *l, uint64_t now);
void lsdb_sync_nbr(struct lsr *l, uint16_t link); /* a new two-way neighbour: send it all */
struct lsdb_entry *lsdb_find(const struct lsr *l, uint64_t origin);
/* The name a router gives in its LSA, or "?" before we have one. */
const char *lsdb_name(const struct lsr *l, uint64_t origin);
int lsdb_index(const struct lsr *l, uint64_t origin); /* its place in db, or -1 */
/* Store an encoded LSA, replacing the origin's older one: NULL when out of memory. */
struct lsdb_entry *lsdb_install(struct lsr *l, const struct nls_lsa *lsa, const uint8_t *b,
				uint16_t len, uint64_t now);
void lsdb_unpend_link(struct lsr *l, uint16_t link); /* the neighbour went down */
void lsdb_free(struct lsr *l);
uint16_t lsdb_age(const struct lsr *l, const struct lsdb_entry *e, uint64_t now);

/* lsr_spf.c */
void spf_run(struct lsr *l);
/* The shortest paths into the RIB's link-state routes, without publishing them: the number
 * of routes (for the benchmark; spf_run publishes). */
unsigned spf_compute(struct lsr *l);
void spf_free(struct lsr *l);

#endif
