/* libFuzzer: the IP gateway's translation (docs/spec.md §12), both ways, on arbitrary bytes.
 * What it turns into New IP must parse; what it turns into IP must fit its claimed lengths. */
#include <stdlib.h>
#include <string.h>

#include "../gateway/xlat.h"
#include "newip/newip.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t out[70000], back[70000];
	struct xlat_ctx cx = { .has_v4 = size & 1, .has_v6 = size & 2 };
	struct nip_pkt v;
	unsigned flags;

	int n = xlat_to_nip(data, size, out, sizeof(out), &flags);
	if (n > 0) {
		if (nip_pkt_parse(&v, out, (size_t)n) != 0 || v.len != (uint32_t)n)
			abort();
		int m = xlat_to_ip(&cx, &v, back, sizeof(back));
		if (m > 0 && (back[0] >> 4 != 4 && back[0] >> 4 != 6))
			abort();
	}
	(void)xlat_ip_refusal(&cx, data, size, out, sizeof(out));
	if (nip_pkt_parse(&v, data, size) == 0) {
		int m = xlat_to_ip(&cx, &v, out, sizeof(out));
		if (m > 0 && out[0] >> 4 == 6 && (size_t)m != 40u + (out[4] << 8 | out[5]))
			abort();
	}
	return 0;
}
