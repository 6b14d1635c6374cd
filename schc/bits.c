/* Bit strings at any offset (bits.h). */
#include <string.h>

#include "bits.h"

void bits_copy(uint8_t *dst, size_t dp, const uint8_t *src, size_t sp, size_t n)
{
	if (!((dp | sp | n) & 7)) {
		memmove(dst + dp / 8, src + sp / 8, n / 8);
		return;
	}
	for (size_t i = 0; i < n; i++)
		bit_set(dst, dp + i, bit_get(src, sp + i));
}

int bits_cmp(const uint8_t *a, size_t ap, const uint8_t *b, size_t bp, size_t n)
{
	if (!((ap | bp | n) & 7))
		return memcmp(a + ap / 8, b + bp / 8, n / 8) != 0;
	for (size_t i = 0; i < n; i++)
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
