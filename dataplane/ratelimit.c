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
		rl->b[i].tokens_milli = burst * 1000;
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
	unsigned i = bucket(rl, key, len);
	uint64_t dt = now_ns - rl->b[i].last_ns, add = dt / 1000 * rl->rate / 1000;
	uint64_t t = rl->b[i].tokens_milli + add, cap = (uint64_t)rl->burst * 1000;

	if (add > 0)
		rl->b[i].last_ns = now_ns;
	rl->b[i].tokens_milli = (uint32_t)(t > cap ? cap : t);
	if (rl->b[i].tokens_milli < 1000)
		return false;
	rl->b[i].tokens_milli -= 1000;
	return true;
}
