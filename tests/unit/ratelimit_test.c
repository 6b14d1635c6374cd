/* Per-destination token buckets for NCMP errors (docs/spec.md §6). */
#include "../../dataplane/ratelimit.h"
#include "harness.h"

static void burst_then_rate(void)
{
	static struct ratelimit rl;
	const uint8_t a[] = { 10, 0, 0, 1 };
	uint64_t t = 1000000000000ull;
	int allowed = 0;

	rl_init(&rl, 10, 5, 1);
	for (int i = 0; i < 20; i++)
		allowed += rl_allow(&rl, a, sizeof(a), t);
	CHECK_EQ(allowed, 5); /* the burst, then nothing at the same instant */
	t += 1000000000ull;   /* one second later: 10 more tokens, capped at the burst */
	allowed = 0;
	for (int i = 0; i < 20; i++)
		allowed += rl_allow(&rl, a, sizeof(a), t);
	CHECK_EQ(allowed, 5);
	t += 300000000ull; /* 0.3 s: 3 tokens */
	allowed = 0;
	for (int i = 0; i < 20; i++)
		allowed += rl_allow(&rl, a, sizeof(a), t);
	CHECK_EQ(allowed, 3);
}

/* Over 10 simulated seconds at 1 kHz offered, one destination gets about rate*10 + burst. */
static void long_run(void)
{
	static struct ratelimit rl;
	const uint8_t a[] = { 1, 2 };
	int allowed = 0;

	rl_init(&rl, 100, 20, 2);
	for (uint64_t ms = 1; ms <= 10000; ms++)
		allowed += rl_allow(&rl, a, sizeof(a), 5000000000ull + ms * 1000000ull);
	CHECK(allowed >= 1000 && allowed <= 1020);
}

/* One destination using up its budget leaves others theirs (unless they share a bucket). */
static void per_destination(void)
{
	static struct ratelimit rl;
	uint8_t a[2] = { 0, 0 };
	uint64_t t = 1000000000ull;

	rl_init(&rl, 1, 1, 3);
	CHECK(rl_allow(&rl, a, 2, t));
	CHECK(!rl_allow(&rl, a, 2, t));
	int fresh = 0;
	for (int i = 1; i < 64; i++) {
		a[1] = (uint8_t)i;
		fresh += rl_allow(&rl, a, 2, t);
	}
	CHECK(fresh >= 50); /* 63 others, a few may hash into the spent bucket */
}

RUN_TESTS(T(burst_then_rate), T(long_run), T(per_destination))
