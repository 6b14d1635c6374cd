/* Clearing state that is almost always zero already: a daemon's static structures at start. */
#ifndef NEWIP_ZERO_H
#define NEWIP_ZERO_H

#include <stddef.h>
#include <string.h>

/* memset(p, 0, n), writing only the 4 KiB stretches that are not zero. Reading a page never
 * written maps the kernel's shared zero page; writing it costs a page of memory. newipd's
 * configuration, NLS and guard state are 650 KiB of mostly unused room (hundreds of links,
 * trust anchors, sessions): a memset would make an idle node's RSS that much bigger. */
static inline void zero_fill(void *p, size_t n)
{
	static const unsigned char zero[4096];
	unsigned char *b = p;

	for (size_t off = 0; off < n; off += sizeof(zero)) {
		size_t len = n - off < sizeof(zero) ? n - off : sizeof(zero);
		if (memcmp(b + off, zero, len))
			memset(b + off, 0, len);
	}
}

#endif
