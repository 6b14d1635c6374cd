/* libFuzzer: `newip perf` messages and the rate/duration text of newipd.conf and the CLI.
 * A decoded message re-encodes to the same octets; a parsed rate or time is in range. */
#include <stdlib.h>
#include <string.h>

#include "../tools/newip/perf_proto.h"
#include "newip/units.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t out[2048];
	struct perf_rec r[PERF_RECS_PER_MSG];
	struct perf_msg m;
	char text[64];

	if (perf_decode(&m, data, size) == 0) {
		size_t n = 0;
		if (m.type == PERF_DATA) {
			n = perf_encode_data(out, PERF_DATA_MIN, m.test, m.flow, m.seq, m.send_ns);
			if (n != PERF_DATA_MIN || memcmp(out, data, n) != 0)
				abort();
		} else if (m.type == PERF_REQUEST) {
			n = perf_encode_request(out, sizeof(out), m.test, m.flow, m.first);
		} else {
			for (unsigned i = 0; i < m.count; i++)
				perf_rec_get(&m, i, &r[i]);
			n = perf_encode_results(out, sizeof(out), m.test, m.flow, m.first, m.total, r,
						m.count);
		}
		if (m.type != PERF_DATA && (n != size || memcmp(out, data, n) != 0))
			abort();
	}
	if (size < sizeof(text)) {
		memcpy(text, data, size);
		text[size] = '\0';
		uint64_t bps = nip_parse_rate(text);
		int64_t us = nip_parse_time_us(text);
		if (bps > 1000000000000ull || us < -1 || us > 4000000000ll)
			abort();
	}
	return 0;
}
