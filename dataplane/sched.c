/*
 * The egress scheduler of a paced link (docs/spec.md §10.3). Contract packets leave earliest
 * deadline first from a calendar queue, on-time ones after a hold, within a bounded share of
 * the rate; best effort is an L4S/Classic dual queue with a 1 ms marking step and PI2, coupled
 * as RFC 9332 does. Pure: time comes from the caller, memory from sched_init, nothing else.
 */
#include <string.h>

#include "rnd.h"
#include "sched.h"
#include "stats.h"

const char *const sched_class_names[SC_MAX] = {
	[SC_CONTRACT] = "contract",
	[SC_L4S] = "l4s",
	[SC_CLASSIC] = "classic",
};


int sched_init(struct sched *s, const struct sched_cfg *c, uint64_t seed)
{
	memset(s, 0, sizeof(*s));
	s->cfg = *c;
	if (!s->cfg.limit_pkts)
		s->cfg.limit_pkts = SCHED_LIMIT_PKTS;
	if (!s->cfg.limit_bytes)
		s->cfg.limit_bytes = SCHED_LIMIT_BYTES;
	if (!s->cfg.share_pct)
		s->cfg.share_pct = SCHED_SHARE_PCT;
	s->rng = seed | 1;
	s->slop_ns = (1ull << CALQ_GRAN_SHIFT) + sched_ser_ns(s, 1500);
	s->share_tokens_ns = (int64_t)SCHED_SHARE_BURST_NS;
	s->edf = calq_new();
	s->hold = calq_new();
	s->due = calq_new();
	s->over = calq_new();
	if (!s->edf || !s->hold || !s->due || !s->over) {
		calq_free(s->edf);
		calq_free(s->hold);
		calq_free(s->due);
		calq_free(s->over);
		s->edf = s->hold = s->due = s->over = NULL;
		return -1;
	}
	return 0;
}

void sched_destroy(struct sched *s, struct pool *pool)
{
	struct pkt *k;

	for (unsigned c = 0; c < SC_MAX; c++)
		while ((k = s->q[c].head)) {
			s->q[c].head = k->next;
			pool_put(pool, k);
		}
	while (s->edf && (k = calq_pop(s->edf, UINT64_MAX)))
		pool_put(pool, k);
	while (s->hold && (k = calq_pop(s->hold, UINT64_MAX)))
		pool_put(pool, k);
	while (s->due && (k = calq_pop(s->due, UINT64_MAX)))
		pool_put(pool, k);
	while (s->over && (k = calq_pop(s->over, UINT64_MAX)))
		pool_put(pool, k);
	calq_free(s->edf);
	calq_free(s->hold);
	calq_free(s->due);
	calq_free(s->over);
	s->edf = s->hold = s->due = s->over = NULL;
}

static double rnd01(struct sched *s)
{
	return (double)(dp_rnd(&s->rng) >> 11) * 0x1.0p-53;
}

static unsigned queue_of(const struct sched *s, const struct pkt *k)
{
	return s->cfg.fifo ? SC_CLASSIC : k->cls;
}

uint32_t sched_depth(const struct sched *s)
{
	uint32_t n = 0;

	for (unsigned c = 0; c < SC_MAX; c++)
		n += __atomic_load_n(&s->st[c].depth_pkts, __ATOMIC_RELAXED);
	return n;
}

/* Packets and octets held in queue q (in FIFO mode every class is in Classic's queue). */
static void queue_depth(const struct sched *s, unsigned q, uint32_t *pkts, uint32_t *bytes)
{
	*pkts = *bytes = 0;
	for (unsigned c = 0; c < SC_MAX; c++)
		if (s->cfg.fifo || c == q) {
			*pkts += s->st[c].depth_pkts;
			*bytes += s->st[c].depth_bytes;
		}
}

static void fifo_push(struct pktq *q, struct pkt *k)
{
	k->next = NULL;
	if (q->tail)
		q->tail->next = k;
	else
		q->head = k;
	q->tail = k;
}

static struct pkt *fifo_pop(struct pktq *q)
{
	struct pkt *k = q->head;

	if (k) {
		q->head = k->next;
		if (!q->head)
			q->tail = NULL;
		k->next = NULL;
	}
	return k;
}

bool sched_enqueue(struct sched *s, struct pkt *k, uint64_t now_ns)
{
	unsigned q = queue_of(s, k);
	struct class_stats *st = &s->st[k->cls];
	uint32_t pkts, bytes;

	queue_depth(s, q, &pkts, &bytes);
	if (pkts >= s->cfg.limit_pkts || bytes + k->len > s->cfg.limit_bytes) {
		STAT_ADD(st->drop_full, 1);
		return false;
	}
	if (q != SC_CONTRACT)
		fifo_push(&s->q[q], k);
	else if (k->t_min_ns > now_ns)
		calq_push(s->hold, k, k->t_min_ns, k->prio, now_ns);
	else
		calq_push(s->edf, k, k->t_max_ns, k->prio, now_ns);
	STAT_ADD(st->enq, 1);
	STAT_ADD(st->depth_pkts, 1);
	STAT_ADD(st->depth_bytes, k->len);
	return true;
}

/* On-time packets whose hold is over join the EDF queue (at most one granule early). */
static void release_holds(struct sched *s, uint64_t now_ns)
{
	while (!calq_empty(s->hold) && calq_first_time(s->hold) <= now_ns) {
		struct pkt *k = calq_pop(s->hold, now_ns);
		if (k->t_min_ns > now_ns + (1ull << CALQ_GRAN_SHIFT)) /* clamped past the horizon */
			calq_push(s->hold, k, k->t_min_ns, k->prio, now_ns);
		else
			calq_push(s->edf, k, k->t_max_ns, k->prio, now_ns);
	}
}

/* How early a contract packet counts as due: one granule and the time a full-size
 * best-effort packet holds the link (the next chance to send may be that far away). */
static inline uint64_t due_slop(const struct sched *s)
{
	return s->slop_ns;
}

/*
 * Contract packets move through three tiers (docs/spec.md §10.3): waiting (EDF by their latest
 * departure t_max), due (from t_max on, ranked by their last feasible departure t_late: among
 * packets that cannot wait longer, the one with the least slack for the rest of its path goes
 * first) and, a slop past t_max, over budget (this hop's share of the slack is spent: they get
 * only what the others leave, still by t_late, until t_late drops them). An overload of
 * contract traffic beyond the share thus falls on the packets that overran their budget, not
 * on tight ones (EDF's domino effect under overload).
 */
static void promote_due(struct sched *s, uint64_t now_ns)
{
	struct pkt *k;

	while ((k = calq_peek(s->edf)) && k->t_max_ns <= now_ns + due_slop(s)) {
		calq_pop(s->edf, now_ns);
		calq_push(s->due, k, k->t_late_ns, k->prio, now_ns);
	}
}

/* The head of the due tier, after moving heads that overran their budget to the last tier. */
static struct pkt *due_head(struct sched *s, uint64_t now_ns)
{
	struct pkt *k;

	while ((k = calq_peek(s->due)) && k->t_max_ns + due_slop(s) < now_ns) {
		calq_pop(s->due, now_ns);
		calq_push(s->over, k, k->t_late_ns, k->prio, now_ns);
	}
	return k;
}

/*
 * The contract packet to send now, if the share allows one (or nothing else waits). While best
 * effort waits, the share's bucket is spent in tiers: a due packet down to empty (one about to
 * become infeasible may borrow one bucket more, repaid before anything else contract goes, so
 * the coarseness of a slow share does not cost a tight deadline); a waiting or over-budget one
 * only from the upper half, which keeps the lower half for due ones.
 */
static struct pkt *contract_pick(struct sched *s, uint64_t now_ns, bool be)
{
	struct pkt *k = calq_peek(s->over);
	struct calq *from;
	int64_t floor;

	if (k && k->t_late_ns < now_ns) /* infeasible: out at once, for the caller to drop */
		return calq_pop(s->over, now_ns);
	if ((k = due_head(s, now_ns))) {
		if (k->t_late_ns < now_ns)
			return calq_pop(s->due, now_ns);
		from = s->due;
		floor = k->t_late_ns > now_ns + due_slop(s) ? 0 : -(int64_t)SCHED_SHARE_BURST_NS;
	} else if ((k = calq_peek(s->edf))) {
		from = s->edf;
		floor = (int64_t)SCHED_SHARE_RESERVE_NS;
	} else if ((k = calq_peek(s->over))) {
		from = s->over;
		floor = (int64_t)SCHED_SHARE_RESERVE_NS;
	} else {
		return NULL;
	}
	if (be) {
		if (s->share_tokens_ns <= floor)
			return NULL;
		s->share_tokens_ns -= (int64_t)sched_ser_ns(s, k->len);
	}
	return calq_pop(from, now_ns);
}

/* PI2 (RFC 9332 §A.1): every Tupdate, steer p' so Classic's head sojourn meets the target. */
static void pi2_update(struct sched *s, uint64_t now_ns)
{
	const struct pkt *h = s->q[SC_CLASSIC].head;
	double q = h ? (double)(now_ns - h->enq_ns) * 1e-9 : 0;

	if (now_ns < s->pi2_next_ns)
		return;
	s->pi2_next_ns = now_ns + SCHED_PI2_TUPDATE_NS;
	s->p_prime += SCHED_PI2_ALPHA * (q - SCHED_PI2_TARGET_S) + SCHED_PI2_BETA * (q - s->q_prev_s);
	s->p_prime = s->p_prime < 0 ? 0 : s->p_prime > 1 ? 1 : s->p_prime;
	s->q_prev_s = q;
}

static void account_out(struct sched *s, struct pkt *k, uint64_t now_ns)
{
	struct class_stats *st = &s->st[k->cls];
	uint64_t us = (now_ns - k->enq_ns) / 1000;

	STAT_ADD(st->depth_pkts, -1);
	STAT_ADD(st->depth_bytes, -k->len);
	STAT_ADD(st->sojourn_us[hist_bucket(us)], 1);
	STAT_ADD(st->sojourn_sum_us, us);
}

/* Best effort: Classic is guaranteed SCHED_C_WEIGHT % while it has packets, L4S the rest. */
static struct pkt *dualq_pick(struct sched *s, uint32_t *which)
{
	struct pkt *l = s->q[SC_L4S].head, *c = s->q[SC_CLASSIC].head;

	if (c && (!l || s->c_credit <= 0)) {
		s->c_credit += (int64_t)(100 - SCHED_C_WEIGHT) * c->len;
		*which = SC_CLASSIC;
		return fifo_pop(&s->q[SC_CLASSIC]);
	}
	if (!l)
		return NULL;
	if (c)
		s->c_credit -= (int64_t)SCHED_C_WEIGHT * l->len;
	*which = SC_L4S;
	return fifo_pop(&s->q[SC_L4S]);
}

/* Apply the AQM to a best-effort packet leaving queue q: false if it is dropped. */
static bool aqm(struct sched *s, struct pkt *k, uint32_t q, uint64_t now_ns)
{
	struct class_stats *st = &s->st[k->cls];
	bool mark;

	if (q == SC_L4S) {
		double pl = SCHED_COUPLING * s->p_prime;
		mark = now_ns - k->enq_ns > SCHED_L4S_STEP_NS || (pl > 0 && rnd01(s) < pl);
	} else {
		double pc = s->p_prime * s->p_prime;
		/* PIE's safeguard (RFC 8033 §4.1): no drop while the queue is short, where a drop
		 * only wastes the link after an overshoot of p'. */
		if (now_ns - k->enq_ns < SCHED_PI2_QUIET_NS || !(pc > 0 && rnd01(s) < pc))
			return true;
		if (pkt_ecn(k) == ECN_NOT_ECT) {
			STAT_ADD(st->drop_aqm, 1);
			return false;
		}
		mark = true;
	}
	if (mark && pkt_ecn(k) != ECN_CE) {
		pkt_set_ce(k);
		STAT_ADD(st->ce_marks, 1);
	}
	return true;
}

static void share_refill(struct sched *s, uint64_t now_ns, bool be_waiting)
{
	int64_t cap = (int64_t)SCHED_SHARE_BURST_NS;

	if (now_ns > s->share_last_ns) {
		s->share_tokens_ns += (int64_t)((now_ns - s->share_last_ns) * s->cfg.share_pct / 100);
		s->share_last_ns = now_ns;
	}
	if (s->share_tokens_ns > cap || !be_waiting) /* no debt while nothing else waits */
		s->share_tokens_ns = cap;
}

struct pkt *sched_dequeue(struct sched *s, uint64_t now_ns, struct pool *pool)
{
	struct pkt *k;
	uint32_t q;

	if (s->cfg.fifo) {
		if ((k = fifo_pop(&s->q[SC_CLASSIC])))
			account_out(s, k, now_ns);
		return k;
	}
	release_holds(s, now_ns);
	promote_due(s, now_ns);
	pi2_update(s, now_ns);
	for (;;) {
		bool be = s->q[SC_L4S].head || s->q[SC_CLASSIC].head;
		share_refill(s, now_ns, be);
		if ((k = contract_pick(s, now_ns, be))) {
			account_out(s, k, now_ns);
			return k;
		}
		if (!(k = dualq_pick(s, &q)))
			return NULL;
		account_out(s, k, now_ns);
		if (aqm(s, k, q, now_ns))
			return k;
		pool_put(pool, k);
	}
}

uint64_t sched_next_ns(const struct sched *s, uint64_t now_ns)
{
	if (s->q[SC_CLASSIC].head || s->q[SC_L4S].head || (s->edf && !calq_empty(s->edf)) ||
	    (s->due && !calq_empty(s->due)) || (s->over && !calq_empty(s->over)))
		return now_ns;
	return s->hold ? calq_first_time(s->hold) : UINT64_MAX;
}
