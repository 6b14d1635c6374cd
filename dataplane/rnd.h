/* The data plane's pseudo-random numbers: xorshift64* (Vigna), one state per owner, never 0. */
#ifndef NEWIP_RND_H
#define NEWIP_RND_H

#include <stdint.h>

static inline uint64_t dp_rnd(uint64_t *s)
{
	*s ^= *s >> 12, *s ^= *s << 25, *s ^= *s >> 27;
	return *s * 0x2545F4914F6CDD1Dull;
}

#endif
