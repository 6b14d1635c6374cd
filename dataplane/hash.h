/* FNV-1a over octets: the data plane's one cheap hash for table slots (addresses, pairs). */
#ifndef NEWIP_HASH_H
#define NEWIP_HASH_H

#include <stddef.h>
#include <stdint.h>

#define FNV32_BASIS 2166136261u

static inline uint32_t fnv1a32(uint32_t h, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 16777619u;
	return h;
}

#endif
