/* Log-linear latency histograms (8 sub-buckets per octave, ≤ 12.5 % error): O(1), no allocation. */
#ifndef NEWIP_HIST_H
#define NEWIP_HIST_H

#include <stdint.h>

#define HIST_BUCKETS 192 /* up to 2^24 µs (16 s); larger values land in the last bucket */

static inline unsigned hist_bucket(uint64_t v)
{
	if (v < 8)
		return (unsigned)v;
	unsigned e = 63u - (unsigned)__builtin_clzll(v); /* v >= 8: e >= 3 */
	unsigned i = 8 + (e - 3) * 8 + (unsigned)((v >> (e - 3)) & 7);
	return i < HIST_BUCKETS ? i : HIST_BUCKETS - 1;
}

/* The largest value that falls in bucket i. */
static inline uint64_t hist_upper(unsigned i)
{
	if (i < 8)
		return i;
	unsigned e = (i - 8) / 8 + 3, m = (i - 8) % 8;
	return ((uint64_t)(8 + m + 1) << (e - 3)) - 1;
}

/* The q-quantile (0 < q <= 1) of a histogram as its bucket's upper bound; 0 if empty. */
static inline uint64_t hist_quantile(const uint64_t *h, double q)
{
	uint64_t total = 0, seen = 0;

	for (unsigned i = 0; i < HIST_BUCKETS; i++)
		total += __atomic_load_n(&h[i], __ATOMIC_RELAXED);
	if (!total)
		return 0;
	uint64_t want = (uint64_t)(q * (double)total + 0.999999);
	for (unsigned i = 0; i < HIST_BUCKETS; i++) {
		seen += __atomic_load_n(&h[i], __ATOMIC_RELAXED);
		if (seen >= want)
			return hist_upper(i);
	}
	return hist_upper(HIST_BUCKETS - 1);
}

#endif
