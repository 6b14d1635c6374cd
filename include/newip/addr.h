/* Variable-length New IP addresses and prefixes: docs/spec.md §4. */
#ifndef NEWIP_ADDR_H
#define NEWIP_ADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NIP_ADDR_MAX 32	 /* octets, §4 */
#define NIP_ADDR_STRLEN 96 /* enough for any address or prefix in text, with the NUL */

struct nip_addr {
	uint8_t len; /* 1..NIP_ADDR_MAX; 0 only in a zeroed, unset struct */
	uint8_t b[NIP_ADDR_MAX];
};

/* A prefix of the addresses of one length, or `default` (len == 0, plen == 0): §4.2. */
struct nip_prefix {
	struct nip_addr addr; /* addr.len == 0 means every length */
	uint16_t plen;	      /* bits, 0..8*addr.len */
};

/* Parse text (§4.1). Returns 0 or NIP_E_SYNTAX / NIP_E_ADDR_LEN. */
int nip_addr_parse(struct nip_addr *a, const char *s);

/* Canonical text. Returns the string length, or NIP_E_NOSPACE / NIP_E_INVAL. */
int nip_addr_format(const struct nip_addr *a, char *buf, size_t size);

/* Set from raw octets. Returns 0 or NIP_E_ADDR_LEN. */
int nip_addr_set(struct nip_addr *a, const uint8_t *b, size_t len);

/* Total order: by length, then octets. Returns <0, 0, >0. */
int nip_addr_cmp(const struct nip_addr *x, const struct nip_addr *y);
bool nip_addr_eq(const struct nip_addr *x, const struct nip_addr *y);

/* "ADDR/N" or "default". Returns 0, NIP_E_SYNTAX, NIP_E_ADDR_LEN or NIP_E_PREFIX_BITS. */
int nip_prefix_parse(struct nip_prefix *p, const char *s);
int nip_prefix_format(const struct nip_prefix *p, char *buf, size_t size);

/* Same length family, same prefix length, same bits. */
bool nip_prefix_eq(const struct nip_prefix *x, const struct nip_prefix *y);

/* Does prefix p cover address a (same length, first plen bits equal)? */
bool nip_prefix_match(const struct nip_prefix *p, const struct nip_addr *a);

/* Does a raw address (octets + length) fall under p? The packet path uses this form. */
bool nip_prefix_match_raw(const struct nip_prefix *p, const uint8_t *b, size_t len);

/* Bit i (0 = most significant bit of octet 0) of the routing key len‖bits (§4.2). */
static inline unsigned nip_key_bit(const uint8_t *b, uint8_t len, unsigned i)
{
	uint8_t oct = i < 8 ? len : b[(i >> 3) - 1];
	return (oct >> (7 - (i & 7))) & 1;
}

#endif
