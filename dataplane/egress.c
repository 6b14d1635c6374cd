/*
 * A routed packet's way out of its link (docs/spec.md §10): the contract checks on arrival,
 * the scheduler and the transmit clock of a paced link, the contract update on departure,
 * the emulated delay, and finally the link's transmit batch. Every drop here is counted by
 * class and reason; a contract that cannot be met is reported to the source.
 */
#include <stdio.h>
#include <time.h>

#include "contract.h"
#include "dp.h"

#define PACE_CATCH_UP_NS 1000000ull /* a late wake-up may send up to 1 ms of backlog at once */

static uint64_t clock_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

int egress_init(struct dp *dp, char *err, size_t errlen)
{
	for (unsigned i = 0; i < dp->n_links; i++) {
		struct link *l = &dp->links[i];
		struct sched_cfg c = { .rate_bps = l->cfg.rate_bps, .fifo = l->cfg.sched_fifo,
				       .limit_pkts = l->cfg.qlimit_pkts,
				       .limit_bytes = l->cfg.qlimit_bytes,
				       .share_pct = l->cfg.share_pct };
		atomic_store(&l->lat_us, l->cfg.delay_us);
		l->paced = c.rate_bps > 0;
		l->delayq = (struct pktq){ 0 };
		l->delay_n = 0;
		/* An unpaced link schedules too, but only holds: on-time packets wait for their
		 * earliest departure on every hop, or the window would rest on paced links alone. */
		if (sched_init(&l->sched, &c, 0x9e3779b97f4a7c15ull * (i + 1)) < 0) {
			snprintf(err, errlen, "link %s: out of memory for its scheduler", l->cfg.name);
			while (i-- > 0)
				sched_destroy(&dp->links[i].sched, &dp->pool);
			return -1;
		}
	}
	return 0;
}

void egress_destroy(struct dp *dp)
{
	for (unsigned i = 0; i < dp->n_links; i++) {
		struct link *l = &dp->links[i];
		struct pkt *k;
		sched_destroy(&l->sched, &dp->pool);
		while ((k = l->delayq.head)) {
			l->delayq.head = k->next;
			pool_put(&dp->pool, k);
		}
		l->delayq.tail = NULL;
	}
}

/* The emulated delay keeps order (one constant per link), so it is a FIFO by release time;
 * it holds at most LINK_DELAY_MAX packets, so a long delay cannot drain the buffer pool. */
static void to_wire(struct dp *dp, struct link *l, struct pkt *k, uint64_t now)
{
	if (!l->cfg.delay_us)
		return link_enqueue(l, k, &dp->pool, &dp->st);
	if (l->delay_n == LINK_DELAY_MAX) {
		STAT_ADD(dp->st.drop[DROP_QUEUE_FULL], 1);
		return pool_put(&dp->pool, k);
	}
	l->delay_n++;
	k->t_min_ns = now + (uint64_t)l->cfg.delay_us * 1000;
	k->next = NULL;
	if (l->delayq.tail)
		l->delayq.tail->next = k;
	else
		l->delayq.head = k;
	l->delayq.tail = k;
}

/* Drop a contract packet that cannot be on time and tell its source (spec §6, §10). */
static void contract_drop(struct dp *dp, struct link *l, struct pkt *k, uint8_t code, bool late)
{
	struct class_stats *st = &l->sched.st[SC_CONTRACT];

	if (late)
		STAT_ADD(st->drop_late, 1);
	else
		STAT_ADD(st->drop_early, 1);
	STAT_ADD(dp->st.drop[DROP_CONTRACT], 1);
	ncmp_error(dp, k->data, k->len, NCMP_CONTRACT, code, contract_acc_us(k));
	pool_put(&dp->pool, k);
}

static uint8_t class_of(const struct pkt *k, enum contract_verdict cv)
{
	if (cv == CV_SCHEDULE)
		return SC_CONTRACT;
	return pkt_ecn(k) == ECN_ECT1 || pkt_ecn(k) == ECN_CE ? SC_L4S : SC_CLASSIC;
}

void egress_send(struct dp *dp, struct link *l, struct pkt *k, const struct nip_pkt *v,
		 const struct nh_group *g)
{
	uint32_t lat = atomic_load_explicit(&l->lat_us, memory_order_relaxed);
	uint32_t ahead = g && g->lat_us > lat ? g->lat_us : lat; /* D is at least L (§10.1) */
	uint64_t ser = sched_ser_ns(&l->sched, k->len);
	enum contract_verdict cv = contract_arrive(v, k, ahead, g && g->hops ? g->hops : 1, ser,
						   dp->now_ns);

	if (cv == CV_PASSED || cv == CV_UNREACHABLE)
		return contract_drop(dp, l, k, cv == CV_PASSED ? NCMP_CONTRACT_PASSED :
							 NCMP_CONTRACT_UNREACHABLE, false);
	k->cls = class_of(k, cv);
	if (!l->paced && !(cv == CV_SCHEDULE && k->t_min_ns > dp->now_ns)) {
		contract_depart(k, dp->now_ns, 0, lat, false); /* t1 = t0 (§10.4) */
		return to_wire(dp, l, k, dp->now_ns);
	}
	if (!sched_enqueue(&l->sched, k, dp->now_ns)) {
		STAT_ADD(dp->st.drop[DROP_QUEUE_FULL], 1);
		pool_put(&dp->pool, k);
	}
}

static uint64_t aqm_drops(const struct link *l)
{
	uint64_t n = 0;

	for (unsigned c = 0; c < SC_MAX; c++)
		n += l->sched.st[c].drop_aqm;
	return n;
}

/* Send what the transmit clock allows now; returns when the link is next due. */
static uint64_t pace(struct dp *dp, struct link *l, uint64_t now)
{
	uint32_t lat = atomic_load_explicit(&l->lat_us, memory_order_relaxed);
	uint64_t aqm_before = aqm_drops(l);
	struct pkt *k;

	for (unsigned sent = 0; sent < BURST && l->tx_clock_ns <= now;) {
		if (!(k = sched_dequeue(&l->sched, now, &dp->pool)))
			break;
		uint64_t ser = sched_ser_ns(&l->sched, k->len);
		bool check = k->cls == SC_CONTRACT && !l->sched.cfg.fifo;
		if (!contract_depart(k, now, ser, lat, check)) {
			contract_drop(dp, l, k, NCMP_CONTRACT_PASSED, true);
			continue;
		}
		l->tx_clock_ns = (l->tx_clock_ns + PACE_CATCH_UP_NS > now ? l->tx_clock_ns :
					  now - PACE_CATCH_UP_NS) + ser;
		to_wire(dp, l, k, now);
		sent++;
	}
	STAT_ADD(dp->st.drop[DROP_AQM], aqm_drops(l) - aqm_before); /* the node-wide count */
	uint64_t t = sched_next_ns(&l->sched, now);
	return t == UINT64_MAX ? t : t > l->tx_clock_ns ? t : l->tx_clock_ns;
}

uint64_t egress_run(struct dp *dp)
{
	uint64_t now = clock_ns(), next = UINT64_MAX;

	dp->now_ns = now;
	for (unsigned i = 0; i < dp->n_links; i++) {
		struct link *l = &dp->links[i];
		uint64_t t = l->paced || sched_depth(&l->sched) ? pace(dp, l, now) : UINT64_MAX;
		struct pkt *k;
		next = t < next ? t : next;
		while ((k = l->delayq.head) && k->t_min_ns <= now) {
			l->delayq.head = k->next;
			l->delay_n--;
			if (!l->delayq.head)
				l->delayq.tail = NULL;
			link_enqueue(l, k, &dp->pool, &dp->st);
		}
		if (k && k->t_min_ns < next)
			next = k->t_min_ns;
	}
	return next;
}
