/* Bit strings at any offset (bits.h), eight bits at a time where they do not line up. */
#include <string.h>

#include "bits.h"

/* The 8 bits from pos; the caller has all 8 in the buffer, so b[i + 1] is read only when the
 * bits reach into it. */
static inline unsigned get8(const uint8_t *b, size_t pos)
{
	size_t i = pos >> 3;
	unsigned k = pos & 7;

	return k ? (unsigned)(uint8_t)(b[i] << k | b[i + 1] >> (8 - k)) : b[i];
}

static inline void put8(uint8_t *b, size_t pos, unsigned v)
{
	size_t i = pos >> 3;
	unsigned k = pos & 7;

	if (!k) {
		b[i] = (uint8_t)v;
		return;
	}
	b[i] = (uint8_t)((b[i] & ~(0xffu >> k)) | v >> k);
	b[i + 1] = (uint8_t)((b[i + 1] & (0xffu >> k)) | v << (8 - k));
}

void bits_copy(uint8_t *dst, size_t dp, const uint8_t *src, size_t sp, size_t n)
{
	if (!((dp | sp) & 7)) {
		memmove(dst + dp / 8, src + sp / 8, n / 8);
	} else {
		for (size_t i = 0; i + 8 <= n; i += 8)
			put8(dst, dp + i, get8(src, sp + i));
	}
	for (size_t i = n & ~(size_t)7; i < n; i++)
		bit_set(dst, dp + i, bit_get(src, sp + i));
}

int bits_cmp(const uint8_t *a, size_t ap, const uint8_t *b, size_t bp, size_t n)
{
	if (!((ap | bp) & 7)) {
		if (memcmp(a + ap / 8, b + bp / 8, n / 8))
			return 1;
	} else {
		for (size_t i = 0; i + 8 <= n; i += 8)
			if (get8(a, ap + i) != get8(b, bp + i))
				return 1;
	}
	for (size_t i = n & ~(size_t)7; i < n; i++)
		if (bit_get(a, ap + i) != bit_get(b, bp + i))
			return 1;
	return 0;
}

uint32_t bits_read(const uint8_t *b, size_t pos, unsigned n)
{
	uint32_t v = 0;

	for (unsigned i = 0; i < n; i++)
		v = v << 1 | bit_get(b, pos + i);
	return v;
}

void bits_write(uint8_t *b, size_t pos, unsigned n, uint32_t v)
{
	for (unsigned i = 0; i < n; i++)
		bit_set(b, pos + i, (v >> (n - 1 - i)) & 1);
}
