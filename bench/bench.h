/* What the in-memory benchmarks share: a seeded generator (xorshift64*) and the clock. */
#ifndef NEWIP_BENCH_H
#define NEWIP_BENCH_H

#include <stdint.h>
#include <time.h>

static inline uint64_t bench_rnd(uint64_t *s)
{
	*s ^= *s >> 12, *s ^= *s << 25, *s ^= *s >> 27;
	return *s * 0x2545F4914F6CDD1Dull;
}

/* CLOCK_MONOTONIC in seconds */
static inline double bench_now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

#endif
