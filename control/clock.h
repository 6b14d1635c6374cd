/* The control plane's clocks: monotonic for timers and ages (the data plane's CLOCK_MONOTONIC
 * stamps compare with it), real time for replay protection (spec §5.2). */
#ifndef NEWIP_CLOCK_H
#define NEWIP_CLOCK_H

#include <stdint.h>
#include <time.h>

static inline uint64_t clock_ns(clockid_t id)
{
	struct timespec t;

	clock_gettime(id, &t);
	return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

static inline uint64_t mono_ns(void)
{
	return clock_ns(CLOCK_MONOTONIC);
}

static inline uint64_t real_ns(void)
{
	return clock_ns(CLOCK_REALTIME);
}

#endif
