/* Address and prefix text forms, comparison and prefix match: docs/spec.md §4. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "newip/addr.h"
#include "newip/error.h"

int nip_addr_set(struct nip_addr *a, const uint8_t *b, size_t len)
{
	if (len == 0 || len > NIP_ADDR_MAX)
		return NIP_E_ADDR_LEN;
	memset(a, 0, sizeof(*a));
	a->len = (uint8_t)len;
	memcpy(a->b, b, len);
	return 0;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* "x" form, §4.1: hex octets, '.' allowed only between two octets. */
static int parse_hex(struct nip_addr *a, const char *s, size_t n)
{
	uint8_t b[NIP_ADDR_MAX];
	size_t len = 0, i = 1;

	while (i < n) {
		if (s[i] == '.') {
			if (len == 0 || i + 1 >= n || s[i + 1] == '.')
				return NIP_E_SYNTAX;
			i++;
			continue;
		}
		if (i + 1 >= n)
			return NIP_E_SYNTAX;
		int hi = hexval(s[i]), lo = hexval(s[i + 1]);
		if (hi < 0 || lo < 0)
			return NIP_E_SYNTAX;
		if (len == NIP_ADDR_MAX)
			return NIP_E_ADDR_LEN;
		b[len++] = (uint8_t)(hi << 4 | lo);
		i += 2;
	}
	if (len == 0)
		return NIP_E_SYNTAX;
	return nip_addr_set(a, b, len);
}

/* Parse the first n characters of s. */
static int parse_n(struct nip_addr *a, const char *s, size_t n)
{
	char tmp[INET6_ADDRSTRLEN];
	uint8_t b[16];

	if (n == 0)
		return NIP_E_SYNTAX;
	if (s[0] == 'x' || s[0] == 'X')
		return parse_hex(a, s, n);
	if (n >= sizeof(tmp))
		return NIP_E_SYNTAX;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	if (memchr(s, ':', n))
		return inet_pton(AF_INET6, tmp, b) == 1 ? nip_addr_set(a, b, 16) : NIP_E_SYNTAX;
	return inet_pton(AF_INET, tmp, b) == 1 ? nip_addr_set(a, b, 4) : NIP_E_SYNTAX;
}

int nip_addr_parse(struct nip_addr *a, const char *s)
{
	return parse_n(a, s, strlen(s));
}

int nip_addr_format(const struct nip_addr *a, char *buf, size_t size)
{
	char tmp[NIP_ADDR_STRLEN];
	size_t n = 0;

	if (a->len == 0 || a->len > NIP_ADDR_MAX)
		return NIP_E_INVAL;
	if (a->len == 4 || a->len == 16) {
		if (!inet_ntop(a->len == 4 ? AF_INET : AF_INET6, a->b, tmp, sizeof(tmp)))
			return NIP_E_INVAL;
		n = strlen(tmp);
	} else {
		static const char hex[] = "0123456789abcdef";
		tmp[n++] = 'x';
		for (unsigned i = 0; i < a->len; i++) {
			if (i > 0 && i % 2 == 0)
				tmp[n++] = '.';
			tmp[n++] = hex[a->b[i] >> 4];
			tmp[n++] = hex[a->b[i] & 15];
		}
		tmp[n] = '\0';
	}
	if (n + 1 > size)
		return NIP_E_NOSPACE;
	memcpy(buf, tmp, n + 1);
	return (int)n;
}

int nip_addr_cmp(const struct nip_addr *x, const struct nip_addr *y)
{
	if (x->len != y->len)
		return x->len < y->len ? -1 : 1;
	return memcmp(x->b, y->b, x->len);
}

bool nip_addr_eq(const struct nip_addr *x, const struct nip_addr *y)
{
	return nip_addr_cmp(x, y) == 0;
}

/* Are the first plen bits of x and y equal? */
static bool bits_equal(const uint8_t *x, const uint8_t *y, unsigned plen)
{
	unsigned full = plen / 8, rest = plen % 8;

	if (memcmp(x, y, full) != 0)
		return false;
	if (rest == 0)
		return true;
	uint8_t mask = (uint8_t)(0xff << (8 - rest));
	return ((x[full] ^ y[full]) & mask) == 0;
}

int nip_prefix_parse(struct nip_prefix *p, const char *s)
{
	const char *slash = strchr(s, '/');
	char *end;
	unsigned long plen;
	int rc;

	memset(p, 0, sizeof(*p));
	if (strcmp(s, "default") == 0)
		return 0;
	if (!slash || slash[1] < '0' || slash[1] > '9')
		return NIP_E_SYNTAX;
	plen = strtoul(slash + 1, &end, 10);
	if (*end != '\0' || (slash[1] == '0' && slash[2] != '\0'))
		return NIP_E_SYNTAX;
	rc = parse_n(&p->addr, s, (size_t)(slash - s));
	if (rc < 0)
		return rc;
	if (plen > 8u * p->addr.len)
		return NIP_E_SYNTAX;
	p->plen = (uint16_t)plen;
	for (unsigned i = p->plen; i < 8u * p->addr.len; i++)
		if ((p->addr.b[i / 8] >> (7 - i % 8)) & 1)
			return NIP_E_PREFIX_BITS;
	return 0;
}

int nip_prefix_format(const struct nip_prefix *p, char *buf, size_t size)
{
	int n;

	if (p->addr.len == 0) {
		if (size < sizeof("default"))
			return NIP_E_NOSPACE;
		strcpy(buf, "default");
		return 7;
	}
	n = nip_addr_format(&p->addr, buf, size);
	if (n < 0)
		return n;
	int m = snprintf(buf + n, size - (size_t)n, "/%u", p->plen);
	if (m < 0 || (size_t)m >= size - (size_t)n)
		return NIP_E_NOSPACE;
	return n + m;
}

bool nip_prefix_eq(const struct nip_prefix *x, const struct nip_prefix *y)
{
	return x->addr.len == y->addr.len && x->plen == y->plen &&
	       memcmp(x->addr.b, y->addr.b, x->addr.len) == 0;
}

bool nip_prefix_match_raw(const struct nip_prefix *p, const uint8_t *b, size_t len)
{
	if (p->addr.len == 0)
		return true;
	return p->addr.len == len && bits_equal(p->addr.b, b, p->plen);
}

bool nip_prefix_match(const struct nip_prefix *p, const struct nip_addr *a)
{
	return nip_prefix_match_raw(p, a->b, a->len);
}
