/* Token buckets per destination hash: NCMP errors are rate limited per destination (spec §6). */
#ifndef NEWIP_RATELIMIT_H
#define NEWIP_RATELIMIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RL_BUCKETS 256

/* One token bucket: rate tokens a second, at most burst. */
struct tbucket {
	uint64_t last_ns;
	uint32_t tokens_milli; /* thousandths of a token */
};

static inline void tb_fill(struct tbucket *b, uint32_t burst)
{
	b->tokens_milli = burst * 1000;
}

/* May one more go now? Takes a token if so. */
static inline bool tb_allow(struct tbucket *b, uint32_t rate, uint32_t burst, uint64_t now_ns)
{
	uint64_t add = (now_ns - b->last_ns) / 1000 * rate / 1000;
	uint64_t t = b->tokens_milli + add, cap = (uint64_t)burst * 1000;

	if (add > 0)
		b->last_ns = now_ns;
	b->tokens_milli = (uint32_t)(t > cap ? cap : t);
	if (b->tokens_milli < 1000)
		return false;
	b->tokens_milli -= 1000;
	return true;
}

struct ratelimit {
	uint32_t rate, burst; /* tokens per second, bucket size */
	uint64_t seed;
	struct tbucket b[RL_BUCKETS];
};

void rl_init(struct ratelimit *rl, uint32_t rate, uint32_t burst, uint64_t seed);
/* May one more message go to key now? Takes a token if so. */
bool rl_allow(struct ratelimit *rl, const uint8_t *key, size_t len, uint64_t now_ns);

#endif
