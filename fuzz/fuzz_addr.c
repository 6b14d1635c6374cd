/* libFuzzer: address and prefix text. What parses must format and parse back to itself. */
#include <stdlib.h>
#include <string.h>

#include "newip/addr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char in[256], s[NIP_ADDR_STRLEN];
	struct nip_addr a, b;
	struct nip_prefix p, q;

	if (size >= sizeof(in))
		return 0;
	memcpy(in, data, size);
	in[size] = '\0';
	if (nip_addr_parse(&a, in) == 0) {
		if (nip_addr_format(&a, s, sizeof(s)) <= 0 || nip_addr_parse(&b, s) != 0 ||
		    !nip_addr_eq(&a, &b))
			abort();
	}
	if (nip_prefix_parse(&p, in) == 0) {
		if (nip_prefix_format(&p, s, sizeof(s)) <= 0 || nip_prefix_parse(&q, s) != 0 ||
		    p.plen != q.plen || p.addr.len != q.addr.len ||
		    memcmp(p.addr.b, q.addr.b, p.addr.len) != 0)
			abort();
		if (p.addr.len && !nip_prefix_match(&p, &p.addr))
			abort();
	}
	return 0;
}
