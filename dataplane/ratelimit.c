/* Per-destination token buckets (hashed; a collision only shares a budget, never leaks one). */
#include <string.h>

#include "ratelimit.h"

void rl_init(struct ratelimit *rl, uint32_t rate, uint32_t burst, uint64_t seed)
{
	memset(rl, 0, sizeof(*rl));
	rl->rate = rate;
	rl->burst = burst;
	rl->seed = seed;
	for (unsigned i = 0; i < RL_BUCKETS; i++)
		tb_fill(&rl->b[i], burst);
}

static unsigned bucket(const struct ratelimit *rl, const uint8_t *key, size_t len)
{
	uint64_t h = rl->seed ^ 0xcbf29ce484222325ull; /* FNV-1a, seeded */

	for (size_t i = 0; i < len; i++)
		h = (h ^ key[i]) * 0x100000001b3ull;
	return (unsigned)(h ^ (h >> 32)) % RL_BUCKETS;
}

bool rl_allow(struct ratelimit *rl, const uint8_t *key, size_t len, uint64_t now_ns)
{
	return tb_allow(&rl->b[bucket(rl, key, len)], rl->rate, rl->burst, now_ns);
}
