/* The calendar queue against a reference model (sorted by slot, priority, arrival) on random
 * input, plus its edges: past and far-future ranks, priority ties, the ring wrapping. */
#include "../../dataplane/calq.h"
#include "harness.h"

#define N 3000
#define GRAN (1ull << CALQ_GRAN_SHIFT)
#define HORIZON ((uint64_t)CALQ_SLOTS * GRAN)

struct ref {
	uint64_t slot;
	uint8_t prio;
	unsigned seq;
	struct pkt *k;
	bool live;
};

/* Index of the reference model's first item: smallest slot, then highest priority, then FIFO. */
static int ref_first(const struct ref *r, unsigned n)
{
	int best = -1;

	for (unsigned i = 0; i < n; i++) {
		if (!r[i].live)
			continue;
		if (best < 0 || r[i].slot < r[best].slot ||
		    (r[i].slot == r[best].slot && (r[i].prio > r[best].prio ||
						   (r[i].prio == r[best].prio && r[i].seq < r[best].seq))))
			best = (int)i;
	}
	return best;
}

/* With the clock still, every rank inside the horizon: the order must be exactly the model's.
 * The clock starts at an arbitrary point so ring positions wrap. */
static void matches_reference(void)
{
	static struct pkt pk[N];
	static struct ref r[N];
	struct calq *q = calq_new();
	uint64_t seed = 42, now = 123456789ull * GRAN + 77;
	unsigned pushed = 0, popped = 0;

	CHECK(q);
	while (popped < N) {
		bool push = pushed < N && (q->n == 0 || rnd(&seed) % 3 != 0);
		if (push) {
			uint64_t rank = now + rnd(&seed) % (HORIZON - 2 * GRAN);
			uint8_t prio = (uint8_t)(rnd(&seed) % 8);
			r[pushed] = (struct ref){ rank >> CALQ_GRAN_SHIFT, prio, pushed, &pk[pushed], true };
			calq_push(q, &pk[pushed], rank, prio, now);
			pushed++;
		} else {
			int want = ref_first(r, pushed);
			CHECK(calq_peek(q) == r[want].k);
			CHECK(calq_pop(q, now) == r[want].k);
			r[want].live = false;
			popped++;
		}
	}
	CHECK(calq_empty(q) && calq_pop(q, now) == NULL && calq_first_time(q) == UINT64_MAX);
	calq_free(q);
}

/* With the clock moving: nothing is lost or duplicated, and no packet leaves while one with an
 * earlier slot (that is not yet overdue) waits. */
static void moving_clock(void)
{
	static struct pkt pk[N];
	static struct ref r[N];
	struct calq *q = calq_new();
	uint64_t seed = 7, now = 5 * GRAN;
	unsigned pushed = 0, popped = 0;

	while (popped < N) {
		now += rnd(&seed) % (4 * GRAN);
		if (pushed < N && rnd(&seed) % 2) {
			uint64_t rank = now + rnd(&seed) % (HORIZON / 4);
			r[pushed] = (struct ref){ rank >> CALQ_GRAN_SHIFT, 0, pushed, &pk[pushed], true };
			calq_push(q, &pk[pushed], rank, 0, now);
			pushed++;
		} else if (!calq_empty(q)) {
			struct pkt *k = calq_pop(q, now);
			unsigned i = (unsigned)(k - pk);
			CHECK(i < pushed && r[i].live);
			for (unsigned j = 0; j < pushed; j++) /* an earlier, not overdue slot may not wait */
				CHECK(!r[j].live || r[j].slot >= r[i].slot ||
				      r[j].slot <= now >> CALQ_GRAN_SHIFT);
			r[i].live = false;
			popped++;
		} else if (pushed == N) {
			break;
		}
	}
	CHECK_EQ(popped, N);
	calq_free(q);
}

static void edges(void)
{
	struct pkt a, b, c, d, e;
	struct calq *q = calq_new();
	uint64_t now = 1000 * GRAN;

	calq_push(q, &a, now + 10 * GRAN, 0, now);
	calq_push(q, &b, now + 100 * HORIZON, 7, now); /* past the horizon: joins the last slot */
	calq_push(q, &c, now - 50 * GRAN, 0, now);     /* overdue: first */
	calq_push(q, &d, now + 10 * GRAN, 5, now);     /* same slot as a, higher priority */
	calq_push(q, &e, now + 10 * GRAN, 5, now);     /* same slot and priority as d: after it */
	CHECK_EQ(calq_first_time(q), now);
	CHECK(calq_pop(q, now) == &c);
	CHECK(calq_pop(q, now) == &d);
	CHECK(calq_pop(q, now) == &e);
	CHECK(calq_pop(q, now) == &a);
	CHECK_EQ(calq_first_time(q), now + HORIZON - GRAN);
	CHECK(calq_pop(q, now) == &b);
	CHECK(calq_pop(q, now) == NULL);
	/* an empty queue follows the clock: a rank one horizon later is not clamped */
	now += 10 * HORIZON;
	calq_push(q, &a, now + HORIZON - 2 * GRAN, 0, now);
	calq_push(q, &b, now + GRAN, 0, now);
	CHECK(calq_pop(q, now) == &b);
	CHECK_EQ(calq_first_time(q), (now + HORIZON - 2 * GRAN) & ~(GRAN - 1));
	calq_free(q);
}

RUN_TESTS(T(matches_reference), T(moving_clock), T(edges))
