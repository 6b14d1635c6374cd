/* libFuzzer: the IP gateway's translation (docs/spec.md §12), both ways, on arbitrary bytes.
 * What it turns into New IP must parse; what it turns into IP must fit its claimed lengths.
 * And the offload path: the first 8 octets as a vnet header's fields, the rest as what the
 * TUN device handed over; every segment must fit and be IP. */
#include <stdlib.h>
#include <string.h>

#include "../gateway/gso.h"
#include "../gateway/xlat.h"
#include "newip/newip.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t out[70000], back[70000];
	static struct xlat_ctx cx;
	struct nip_pkt v;
	unsigned flags;

	if (!cx.n_map) { /* mapped prefixes (§12.4): 2-octet, 3-octet, one 32-octet host */
		static const char *const m[][2] = {
			{ "x0b00/8", "2001:db8:ee::/104" }, { "x0c0000/8", "2001:db8:ed::/96" },
			{ "x2001.0db8.0000.0000.0000.0000.0000.0001.1122.3344.5566.7788.99aa.bbcc"
			  ".ddee.ff00/256", "2001:db8:ec::100/128" } };
		for (unsigned i = 0; i < 3; i++) {
			nip_prefix_parse(&cx.map[i].nip, m[i][0]);
			nip_prefix_parse(&cx.map[i].ip6, m[i][1]);
		}
		cx.n_map = 3;
	}
	cx.has_v4 = size & 1, cx.has_v6 = size & 2;

	int n = xlat_to_nip(&cx, data, size, out, sizeof(out), &flags);
	if (n > 0) {
		if (nip_pkt_parse(&v, out, (size_t)n) != 0 || v.len != (uint32_t)n)
			abort();
		int m = xlat_to_ip(&cx, &v, back, sizeof(back));
		if (m > 0 && (back[0] >> 4 != 4 && back[0] >> 4 != 6))
			abort();
	}
	(void)xlat_ip_refusal(&cx, data, size, out, sizeof(out));
	if (size >= 8) {
		struct gso_info g = { .needs_csum = data[0] & 1, .tcp = data[0] & 2,
				      .gso_size = (uint16_t)(data[1] << 8 | data[2]),
				      .csum_start = (uint16_t)(data[3] << 8 | data[4]),
				      .csum_offset = (uint16_t)(data[5] << 8 | data[6]) };
		struct gso_cut cut;
		int segs = gso_count(&g, data + 8, size - 8, &cut);
		for (int i = 0; g.tcp && i < segs && i < 256; i++) {
			int m = gso_segment(&cut, data + 8, size - 8, (unsigned)i, out, 2048);
			if (m > 2048 || (m > 0 && out[0] >> 4 != 4 && out[0] >> 4 != 6))
				abort();
		}
		if (size - 8 <= sizeof(back)) {
			memcpy(back, data + 8, size - 8);
			(void)gso_csum(&g, back, size - 8);
		}
	}
	if (nip_pkt_parse(&v, data, size) == 0) {
		int m = xlat_to_ip(&cx, &v, out, sizeof(out));
		if (m > 0 && out[0] >> 4 == 6 && (size_t)m != 40u + (out[4] << 8 | out[5]))
			abort();
	}
	return 0;
}
