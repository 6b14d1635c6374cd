/* Bit strings, most significant bit first (RFC 8724's order): copy, read and write at any bit
 * offset. Buffers are octet arrays; bit 0 is the top bit of octet 0. */
#ifndef NEWIP_SCHC_BITS_H
#define NEWIP_SCHC_BITS_H

#include <stddef.h>
#include <stdint.h>

static inline unsigned bit_get(const uint8_t *b, size_t pos)
{
	return (b[pos >> 3] >> (7 - (pos & 7))) & 1;
}

static inline void bit_set(uint8_t *b, size_t pos, unsigned v)
{
	uint8_t m = (uint8_t)(0x80u >> (pos & 7));

	b[pos >> 3] = v ? (uint8_t)(b[pos >> 3] | m) : (uint8_t)(b[pos >> 3] & ~m);
}

/* Copy n bits from src at sp to dst at dp; octet-aligned runs go by memcpy. */
void bits_copy(uint8_t *dst, size_t dp, const uint8_t *src, size_t sp, size_t n);
/* Compare n bits: 0 when equal. */
int bits_cmp(const uint8_t *a, size_t ap, const uint8_t *b, size_t bp, size_t n);
/* Read up to 32 bits as an unsigned integer; write one. */
uint32_t bits_read(const uint8_t *b, size_t pos, unsigned n);
void bits_write(uint8_t *b, size_t pos, unsigned n, uint32_t v);

#endif
