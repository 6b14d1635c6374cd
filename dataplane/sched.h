/* A paced link's egress scheduler (docs/spec.md §10.3): contract EDF, L4S and Classic queues. */
#ifndef NEWIP_SCHED_H
#define NEWIP_SCHED_H

#include <stdbool.h>
#include <stdint.h>

#include "calq.h"
#include "hist.h"
#include "pool.h"

enum sched_class { SC_CONTRACT, SC_L4S, SC_CLASSIC, SC_MAX };

extern const char *const sched_class_names[SC_MAX];

#define SCHED_LIMIT_PKTS 1000	  /* per class, default */
#define SCHED_LIMIT_BYTES 1500000 /* per class, default */
#define SCHED_SHARE_PCT 50	  /* the contract class's bounded share, default */
#define SCHED_SHARE_BURST_NS 2000000ull
#define SCHED_SHARE_RESERVE_NS 1000000ull /* kept for due packets while best effort waits */
#define SCHED_L4S_STEP_NS 1000000ull /* 1 ms marking step */
#define SCHED_PI2_TARGET_S 0.015
#define SCHED_PI2_QUIET_NS 7500000ull /* no Classic drop or mark under target / 2 */
#define SCHED_PI2_TUPDATE_NS 16000000ull
#define SCHED_PI2_ALPHA 0.16
#define SCHED_PI2_BETA 3.2
#define SCHED_COUPLING 2.0
#define SCHED_C_WEIGHT 10 /* Classic's guaranteed share of what Contract leaves, % */

struct sched_cfg {
	uint64_t rate_bps; /* > 0: the link is paced */
	bool fifo;	   /* one FIFO, no scheduling or AQM (the baseline) */
	uint32_t limit_pkts, limit_bytes;
	uint8_t share_pct;
};

/* Per class: written by the data plane only, read by the control plane (relaxed loads). */
struct class_stats {
	uint64_t enq;
	uint64_t drop_full;  /* queue limit */
	uint64_t drop_early; /* contract cannot be met on arrival (§10.2) */
	uint64_t drop_late;  /* contract cannot be met on departure (§10.4) */
	uint64_t drop_aqm;   /* PI2 dropped a Not-ECT packet */
	uint64_t ce_marks;
	uint32_t depth_pkts, depth_bytes;
	uint64_t sojourn_us[HIST_BUCKETS];
	uint64_t sojourn_sum_us; /* for the histogram's sum (Prometheus) */
};

struct pktq {
	struct pkt *head, *tail;
};

struct sched {
	struct sched_cfg cfg;
	struct calq *edf;  /* contract packets that may leave, by latest departure */
	struct calq *hold; /* on-time packets waiting for their earliest departure */
	struct calq *due;  /* at their latest departure: by their last feasible one */
	struct calq *over; /* past it by the slop: this hop's share is spent; by t_late too */
	struct pktq q[SC_MAX]; /* L4S and Classic FIFOs (everything in Classic when fifo) */
	int64_t share_tokens_ns;
	uint64_t share_last_ns;
	int64_t c_credit;	/* Classic protection (RFC 9332's WRR credit) */
	double p_prime;		/* PI2's base probability */
	double q_prev_s;
	uint64_t pi2_next_ns;
	uint64_t rng;
	uint64_t slop_ns; /* how early a contract packet is due (one granule + a 1500-octet packet) */
	struct class_stats st[SC_MAX];
};

/* Allocate the calendar queues. 0, or -1 out of memory. */
int sched_init(struct sched *s, const struct sched_cfg *c, uint64_t seed);
/* Return every queued packet to the pool and free the queues. */
void sched_destroy(struct sched *s, struct pool *pool);

/* Serialisation time of len octets at the link's rate, in ns. */
static inline uint64_t sched_ser_ns(const struct sched *s, uint32_t len)
{
	return s->cfg.rate_bps ? (uint64_t)len * 8000000000ull / s->cfg.rate_bps : 0;
}

/*
 * Queue k (k->cls, prio, t_min/t_max and enq_ns set by the caller). false: the class is at its
 * limit; the drop is counted, and the caller returns k to the pool.
 */
bool sched_enqueue(struct sched *s, struct pkt *k, uint64_t now_ns);

/*
 * The next packet to send at now, or NULL. AQM drops are returned to pool and counted; CE
 * marks are written into the packet. The sojourn is recorded for the packet's class. A
 * contract packet past its last feasible departure is returned whatever the share (the caller
 * drops it: it costs no link time).
 */
struct pkt *sched_dequeue(struct sched *s, uint64_t now_ns, struct pool *pool);

/* When something could next be dequeued: now if a packet is ready, else the next on-time
 * release; UINT64_MAX if the scheduler is empty. */
uint64_t sched_next_ns(const struct sched *s, uint64_t now_ns);

uint32_t sched_depth(const struct sched *s);

/* ECN in the packet's Traffic Class (spec §3.1): the low two bits. */
#define ECN_NOT_ECT 0
#define ECN_ECT1 1
#define ECN_ECT0 2
#define ECN_CE 3
static inline uint8_t pkt_ecn(const struct pkt *k)
{
	return (uint8_t)(k->data[1] >> 4 & 3);
}
static inline void pkt_set_ce(struct pkt *k)
{
	k->data[1] |= 0x30;
}

#endif
