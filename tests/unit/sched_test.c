/* The paced link's scheduler (docs/spec.md §10.3): deadline order, the on-time hold, priority
 * ties, the contract share, no starvation, queue limits, the L4S step and PI2. */
#include "../../dataplane/sched.h"
#include "harness.h"
#include "newip/newip.h"

#define MS 1000000ull
#define US 1000ull

static struct pool pool;

/* A best-effort or contract packet of len octets with the given ECN codepoint. */
static struct pkt *mk(uint8_t cls, uint8_t ecn, uint32_t len)
{
	struct pkt *k = pool_get(&pool);

	CHECK(k);
	memset(k->data, 0, 16);
	k->data[0] = 0x10;
	k->data[1] = (uint8_t)(ecn << 4);
	k->len = len;
	k->cls = cls;
	k->prio = 0;
	k->t_min_ns = k->t_max_ns = 0;
	return k;
}

static struct sched *mk_sched(uint64_t rate, bool fifo, uint8_t share)
{
	static struct sched s;
	struct sched_cfg c = { .rate_bps = rate, .fifo = fifo, .share_pct = share };

	if (!pool.pkts)
		CHECK(pool_init(&pool, 8192) == 0);
	CHECK(sched_init(&s, &c, 1) == 0);
	return &s;
}

static void deadline_order(void)
{
	struct sched *s = mk_sched(100000000, false, 100);
	uint64_t seed = 3, now = 10 * MS, last = 0;

	for (int i = 0; i < 500; i++) {
		struct pkt *k = mk(SC_CONTRACT, 0, 200);
		k->enq_ns = now;
		k->t_max_ns = now + rnd(&seed) % (20 * MS);
		CHECK(sched_enqueue(s, k, now));
	}
	for (int i = 0; i < 500; i++) {
		struct pkt *k = sched_dequeue(s, now, &pool);
		CHECK(k && k->cls == SC_CONTRACT);
		CHECK(k->t_max_ns >> CALQ_GRAN_SHIFT >= last); /* earliest deadline first */
		last = k->t_max_ns >> CALQ_GRAN_SHIFT;
		pool_put(&pool, k);
	}
	CHECK(sched_dequeue(s, now, &pool) == NULL);
	CHECK_EQ(s->st[SC_CONTRACT].enq, 500);
	CHECK_EQ(s->st[SC_CONTRACT].depth_pkts, 0);
	sched_destroy(s, &pool);
}

static void on_time_hold(void)
{
	struct sched *s = mk_sched(100000000, false, 50);
	uint64_t now = 50 * MS;
	struct pkt *k = mk(SC_CONTRACT, 0, 200);

	k->enq_ns = now;
	k->t_min_ns = now + 2 * MS; /* may not leave before */
	k->t_max_ns = now + 3 * MS;
	CHECK(sched_enqueue(s, k, now));
	CHECK(sched_dequeue(s, now, &pool) == NULL);
	CHECK(sched_dequeue(s, now + MS, &pool) == NULL);
	CHECK(sched_next_ns(s, now + MS) <= now + 2 * MS);
	CHECK(sched_next_ns(s, now + MS) > now + MS);
	CHECK(sched_dequeue(s, now + 2 * MS - 20 * US, &pool) == NULL);
	/* at most one scheduling granule early */
	struct pkt *out = sched_dequeue(s, now + 2 * MS + 10 * US, &pool);
	CHECK(out == k);
	pool_put(&pool, out);
	sched_destroy(s, &pool);
}

static void priority_ties(void)
{
	struct sched *s = mk_sched(100000000, false, 100);
	uint64_t now = MS;

	for (int p = 0; p < 8; p++) {
		struct pkt *k = mk(SC_CONTRACT, 0, 100);
		k->prio = (uint8_t)p;
		k->enq_ns = now;
		k->t_max_ns = now + 5 * MS; /* equal deadlines */
		CHECK(sched_enqueue(s, k, now));
	}
	for (int p = 7; p >= 0; p--) {
		struct pkt *k = sched_dequeue(s, now, &pool);
		CHECK_EQ(k->prio, p);
		pool_put(&pool, k);
	}
	sched_destroy(s, &pool);
}

/* Backlogs in every class on a paced link: count link time each class gets. */
static void run_backlog(struct sched *s, uint64_t rate, unsigned rounds, uint64_t *by_class)
{
	uint64_t now = 0;

	for (unsigned i = 0; i < rounds; i++) {
		for (uint8_t c = 0; c < SC_MAX; c++) /* keep every class backlogged */
			while (s->st[c].depth_pkts < 20) {
				struct pkt *k = mk(c, c == SC_L4S ? 1 : 0, 1000);
				k->enq_ns = now;
				k->t_max_ns = now + 100 * MS;
				CHECK(sched_enqueue(s, k, now));
			}
		struct pkt *k = sched_dequeue(s, now, &pool);
		CHECK(k);
		by_class[k->cls] += k->len;
		now += (uint64_t)k->len * 8000000000ull / rate;
		k->enq_ns = now; /* keep sojourns short: this test is about shares, not the AQM */
		pool_put(&pool, k);
		for (uint8_t c = 0; c < SC_MAX; c++) /* nothing waits long: no AQM action */
			for (struct pkt *q = s->q[c].head; q; q = q->next)
				q->enq_ns = now;
	}
}

static void share_bound_no_starvation(void)
{
	uint64_t by[SC_MAX] = { 0 }, total = 0;
	struct sched *s = mk_sched(10000000, false, 30);

	run_backlog(s, 10000000, 20000, by);
	for (int c = 0; c < SC_MAX; c++)
		total += by[c];
	double contract = (double)by[SC_CONTRACT] / (double)total;
	double classic = (double)by[SC_CLASSIC] / (double)(by[SC_CLASSIC] + by[SC_L4S]);
	printf("shares: contract %.3f (bound 0.30), classic %.3f of best effort (at least 0.10)\n",
	       contract, classic);
	CHECK(contract > 0.27 && contract < 0.33);
	CHECK(classic > 0.09 && classic < 0.2);
	CHECK(by[SC_L4S] > by[SC_CLASSIC]);
	sched_destroy(s, &pool);
	/* alone on the link, contract traffic may use all of it (work conserving) */
	s = mk_sched(10000000, false, 30);
	uint64_t now = 0;
	for (int i = 0; i < 100; i++) {
		struct pkt *k = mk(SC_CONTRACT, 0, 1000);
		k->enq_ns = now;
		k->t_max_ns = now + 100 * MS;
		CHECK(sched_enqueue(s, k, now));
	}
	for (int i = 0; i < 100; i++, now += 800 * US) {
		struct pkt *k = sched_dequeue(s, now, &pool);
		CHECK(k);
		pool_put(&pool, k);
	}
	sched_destroy(s, &pool);
}

static void limits(void)
{
	struct sched_cfg c = { .rate_bps = 1000000, .limit_pkts = 10, .limit_bytes = 5000 };
	static struct sched s;
	int ok = 0;

	CHECK(pool_init(&pool, 64) == 0);
	CHECK(sched_init(&s, &c, 1) == 0);
	for (int i = 0; i < 20; i++) {
		struct pkt *k = mk(SC_CLASSIC, 0, 100);
		k->enq_ns = 0;
		if (sched_enqueue(&s, k, 0))
			ok++;
		else
			pool_put(&pool, k);
	}
	CHECK_EQ(ok, 10);
	CHECK_EQ(s.st[SC_CLASSIC].drop_full, 10);
	/* octets: 4 more of 1000 would pass 5000 in L4S (1000 + 4 × 1000 fits, the fifth not) */
	ok = 0;
	for (int i = 0; i < 8; i++) {
		struct pkt *k = mk(SC_L4S, 1, 1000);
		if (sched_enqueue(&s, k, 0))
			ok++;
		else
			pool_put(&pool, k);
	}
	CHECK_EQ(ok, 5);
	CHECK_EQ(s.st[SC_L4S].drop_full, 3);
	CHECK_EQ(s.st[SC_L4S].depth_bytes, 5000);
	sched_destroy(&s, &pool);
	CHECK_EQ(pool_available(&pool), pool.n); /* every buffer came back */
}

static void l4s_step_and_pi2(void)
{
	struct sched *s = mk_sched(10000000, false, 50);
	uint64_t now = 100 * MS;
	struct pkt *k = mk(SC_L4S, 1, 500);

	/* L4S: a sojourn over 1 ms is marked CE, under it is not */
	k->enq_ns = now - 500 * US;
	CHECK(sched_enqueue(s, k, now));
	k = sched_dequeue(s, now, &pool);
	CHECK_EQ(pkt_ecn(k), ECN_ECT1);
	k->enq_ns = now - 2 * MS;
	CHECK(sched_enqueue(s, k, now));
	k = sched_dequeue(s, now, &pool);
	CHECK_EQ(pkt_ecn(k), ECN_CE);
	pool_put(&pool, k);
	/* Classic held 60 ms for a second: PI2 raises p' and drops Not-ECT, marks ECT(0) */
	unsigned dropped = 0, marked = 0;
	for (int i = 0; i < 2000; i++) {
		now += MS / 2;
		struct pkt *a = mk(SC_CLASSIC, i % 2 ? ECN_ECT0 : ECN_NOT_ECT, 500);
		a->enq_ns = now - 60 * MS;
		CHECK(sched_enqueue(s, a, now));
		uint64_t drops = s->st[SC_CLASSIC].drop_aqm;
		struct pkt *b = sched_dequeue(s, now, &pool);
		dropped += s->st[SC_CLASSIC].drop_aqm != drops;
		if (b) {
			marked += pkt_ecn(b) == ECN_CE;
			pool_put(&pool, b);
		}
	}
	printf("pi2: p' %.3f, %u Not-ECT dropped, %u ECT(0) marked of 2000\n", s->p_prime, dropped,
	       marked);
	CHECK(s->p_prime > 0.3);
	CHECK(dropped > 50 && marked > 50);
	sched_destroy(s, &pool);
}

static void fifo_mode(void)
{
	struct sched *s = mk_sched(10000000, true, 0);
	struct pkt *k[6];

	for (int i = 0; i < 6; i++) { /* mixed classes, one queue, arrival order */
		k[i] = mk((uint8_t)(i % 3), i % 3 == SC_L4S, 100);
		k[i]->enq_ns = 0;
		k[i]->t_max_ns = 1000 - (uint64_t)i; /* deadlines would reverse the order */
		CHECK(sched_enqueue(s, k[i], 0));
	}
	for (int i = 0; i < 6; i++) {
		struct pkt *o = sched_dequeue(s, 10 * MS, &pool);
		CHECK(o == k[i]);
		CHECK_EQ(pkt_ecn(o), i % 3 == SC_L4S); /* no AQM, no marks */
		pool_put(&pool, o);
	}
	sched_destroy(s, &pool);
}

/* Contract traffic beyond its share: a loose flow (60 ms) overloads the class while a tight one
 * (3 ms) fits in it. Due packets go by their last feasible departure and the share is spent in
 * tiers, so the overload falls on the loose flow and the tight one keeps its deadline. */
static void overload_spares_tight(void)
{
	struct sched *s = mk_sched(10000000, false, 10); /* 1 Mbit/s for contracts */
	uint64_t now = 0, next_tight = 0, next_loose = 0, next_be = 0;
	unsigned tight_ok = 0, tight_late = 0, loose_ok = 0, loose_late = 0;

	while (now < 5000 * MS / 1000 * 1000) { /* 5 s */
		if (now >= next_tight) { /* 0.4 Mbit/s of 500 octets, deadline 3 ms (2 hops) */
			struct pkt *k = mk(SC_CONTRACT, 0, 500);
			k->prio = 1, k->enq_ns = now, k->t_min_ns = 0;
			k->t_max_ns = now + 1500 * US, k->t_late_ns = now + 3 * MS;
			CHECK(sched_enqueue(s, k, now));
			next_tight += 10 * MS;
		}
		if (now >= next_loose) { /* 1.2 Mbit/s of 500 octets, deadline 60 ms */
			struct pkt *k = mk(SC_CONTRACT, 0, 500);
			k->prio = 0, k->enq_ns = now, k->t_min_ns = 0;
			k->t_max_ns = now + 30 * MS, k->t_late_ns = now + 60 * MS;
			if (!sched_enqueue(s, k, now))
				pool_put(&pool, k);
			next_loose += 3333 * US;
		}
		while (now >= next_be && s->st[SC_CLASSIC].depth_pkts < 50) { /* bulk backlog */
			struct pkt *k = mk(SC_CLASSIC, 0, 1000);
			k->enq_ns = now;
			CHECK(sched_enqueue(s, k, now));
			next_be += 100 * US;
		}
		struct pkt *k = sched_dequeue(s, now, &pool);
		if (!k) {
			now += 100 * US;
			continue;
		}
		for (struct pkt *q = s->q[SC_CLASSIC].head; q; q = q->next)
			q->enq_ns = now; /* keep the AQM out of it */
		bool late = k->cls == SC_CONTRACT && now > k->t_late_ns;
		if (k->cls == SC_CONTRACT && k->prio == 1)
			late ? tight_late++ : tight_ok++;
		else if (k->cls == SC_CONTRACT)
			late ? loose_late++ : loose_ok++;
		if (!late)
			now += sched_ser_ns(s, k->len);
		pool_put(&pool, k);
	}
	printf("overload: tight %u in time, %u late; loose %u in time, %u late\n", tight_ok,
	       tight_late, loose_ok, loose_late);
	CHECK(tight_late <= 5); /* at most 1 %: the share is coarse at 1 Mbit/s (4 ms a packet) */
	CHECK(tight_ok >= 490);
	CHECK(loose_late > 300); /* the overload fell here */
	CHECK(loose_ok > 500);	 /* and the share's rest went to it */
	sched_destroy(s, &pool);
}

RUN_TESTS(T(deadline_order), T(overload_spares_tight), T(on_time_hold), T(priority_ties), T(share_bound_no_starvation),
	  T(limits), T(l4s_step_and_pi2), T(fifo_mode))
