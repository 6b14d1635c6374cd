/*
 * The scheduler's cost per packet, against a binary heap on the same workload in the same run:
 * a queue held at a steady depth, each step one push (a random deadline within 20 ms) and one
 * pop, the clock advancing. Then the whole paced-link scheduler (sched_enqueue + sched_dequeue)
 * for contract and best-effort packets. Usage: sched_bench [STEPS] [DEPTH]
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "../dataplane/sched.h"

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static uint64_t seed = 88172645463325252ull;
static uint64_t rnd(void)
{
	seed ^= seed << 13;
	seed ^= seed >> 7;
	seed ^= seed << 17;
	return seed;
}

/* The baseline: a binary min-heap of (rank, packet). */
struct hent {
	uint64_t rank;
	struct pkt *k;
};
static struct hent *heap;
static unsigned hn;

static void heap_push(uint64_t rank, struct pkt *k)
{
	unsigned i = hn++;
	while (i && heap[(i - 1) / 2].rank > rank) {
		heap[i] = heap[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	heap[i] = (struct hent){ rank, k };
}

static struct pkt *heap_pop(void)
{
	struct pkt *top = heap[0].k;
	struct hent last = heap[--hn];
	unsigned i = 0;

	for (;;) {
		unsigned c = 2 * i + 1;
		if (c >= hn)
			break;
		if (c + 1 < hn && heap[c + 1].rank < heap[c].rank)
			c++;
		if (heap[c].rank >= last.rank)
			break;
		heap[i] = heap[c];
		i = c;
	}
	heap[i] = last;
	return top;
}

/* A deadline: uniform over 20 ms (the worst case for locality), or one of 4 flows' fixed
 * slacks with 50 µs of jitter (what contract traffic looks like). */
static uint64_t deadline(uint64_t now, int clustered)
{
	static const uint64_t slack[4] = { 500000, 2000000, 5000000, 15000000 };
	return clustered ? now + slack[rnd() & 3] + rnd() % 50000 : now + rnd() % 20000000;
}

static void queues(unsigned long steps, unsigned depth, struct pkt *pk, struct calq *q,
		   int clustered)
{
	uint64_t now = 1000000000ull, sink = 0;
	double t0, t_cq, t_heap;

	for (unsigned i = 0; i < depth; i++)
		calq_push(q, &pk[i], deadline(now, clustered), (uint8_t)(rnd() & 7), now);
	t0 = now_s();
	for (unsigned long i = 0; i < steps; i++) {
		struct pkt *k = calq_pop(q, now);
		sink += (uintptr_t)k;
		now += 2000; /* 2 µs a packet: 500 kpps */
		calq_push(q, k, deadline(now, clustered), (uint8_t)(rnd() & 7), now);
	}
	t_cq = now_s() - t0;
	while (calq_pop(q, now))
		;
	now = 1000000000ull;
	hn = 0;
	for (unsigned i = 0; i < depth; i++)
		heap_push(deadline(now, clustered), &pk[i]);
	t0 = now_s();
	for (unsigned long i = 0; i < steps; i++) {
		struct pkt *k = heap_pop();
		sink += (uintptr_t)k;
		now += 2000;
		heap_push(deadline(now, clustered), k);
	}
	t_heap = now_s() - t0;
	printf("depth %u, deadlines %s, %lu steps of one push + one pop (%s):\n", depth,
	       clustered ? "of 4 flows (fixed slack + 50 us jitter)" : "uniform over 20 ms", steps,
	       sink == 42 ? "" : "ns/packet");
	printf("  calendar queue  %6.1f\n", t_cq / (double)steps * 1e9);
	printf("  binary heap     %6.1f   (heap / calendar queue = %.2f)\n",
	       t_heap / (double)steps * 1e9, t_heap / t_cq);
}

int main(int argc, char **argv)
{
	unsigned long steps = argc > 1 ? strtoul(argv[1], NULL, 10) : 10000000ul;
	unsigned depth = argc > 2 ? (unsigned)strtoul(argv[2], NULL, 10) : 1000;
	struct pkt *pk = calloc(depth + 1, sizeof(*pk));
	struct calq *q = calq_new();
	uint64_t now;
	double t0;

	heap = calloc(depth + 1, sizeof(*heap));
	if (!pk || !q || !heap)
		return 2;
	queues(steps, depth, pk, q, 0);
	queues(steps, depth, pk, q, 1);

	/* The whole scheduler of a paced link, per class, at the same depth. */
	struct pool pool;
	static struct sched s;
	struct sched_cfg c = { .rate_bps = 100000000000ull, .limit_pkts = 4096 };
	if (pool_init(&pool, depth + 64) < 0)
		return 2;
	for (int cls = SC_CONTRACT; cls <= SC_CLASSIC; cls += SC_CLASSIC) {
		sched_init(&s, &c, 1);
		now = 1000000000ull;
		for (unsigned i = 0; i < depth; i++) {
			struct pkt *k = pool_get(&pool);
			k->len = 200, k->cls = (uint8_t)cls, k->enq_ns = now, k->t_min_ns = 0;
			k->t_max_ns = now + rnd() % 20000000;
			k->data[1] = 0;
			if (!sched_enqueue(&s, k, now)) /* past the queue limit */
				pool_put(&pool, k);
		}
		unsigned long n = steps / 4;
		t0 = now_s();
		for (unsigned long i = 0; i < n; i++) {
			struct pkt *k = sched_dequeue(&s, now, &pool);
			now += 2000;
			k->enq_ns = now;
			k->t_max_ns = now + rnd() % 20000000;
			sched_enqueue(&s, k, now);
		}
		printf("  sched_enqueue + sched_dequeue, %-8s %6.1f ns/packet\n",
		       sched_class_names[cls], (now_s() - t0) / (double)n * 1e9);
		sched_destroy(&s, &pool);
	}
	return 0;
}
