/* Token buckets per destination hash: NCMP errors are rate limited per destination (spec §6). */
#ifndef NEWIP_RATELIMIT_H
#define NEWIP_RATELIMIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RL_BUCKETS 256

struct ratelimit {
	uint32_t rate, burst; /* tokens per second, bucket size */
	uint64_t seed;
	struct {
		uint64_t last_ns;
		uint32_t tokens_milli; /* thousandths of a token */
	} b[RL_BUCKETS];
};

void rl_init(struct ratelimit *rl, uint32_t rate, uint32_t burst, uint64_t seed);
/* May one more message go to key now? Takes a token if so. */
bool rl_allow(struct ratelimit *rl, const uint8_t *key, size_t len, uint64_t now_ns);

#endif
