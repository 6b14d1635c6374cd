/* libFuzzer: SCHC's decompressor and reassembler (docs/spec.md §13) on arbitrary frames. The
 * first octet picks: 0/1 decompress the rest (up/down) with the IoT example's rules and with
 * OpenSCHC's sample 04 rule; 2/3 feed the rest, as frames behind a one-octet length, to the
 * receivers of the ACK-on-Error and No-ACK rules; 4 feeds them to a sender as ACKs. A receiver
 * delivers only a packet whose RCS matches, never one half built. */
#include <stdlib.h>
#include <string.h>

#include "frag.h"
#include "schc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct schc_rules iot, s04, noack;

static void load(void)
{
	static const char na[] = "[{\"RuleID\":20,\"RuleIDLength\":8,\"Fragmentation\":"
				 "{\"FRMode\":\"NoAck\"}}]";
	char err[SCHC_ERR];

	if (schc_rules_load(&iot, NIP_SOURCE_DIR "/examples/iot-rules.json", NULL, err, sizeof(err)) ||
	    schc_rules_load(&s04, NIP_SOURCE_DIR "/tests/vectors/openschc/rules.json",
			    "04-IPv6-UDP-all-CDA", err, sizeof(err)) ||
	    schc_rules_parse(&noack, na, sizeof(na) - 1, "noack", NULL, err, sizeof(err)))
		abort();
}

static void frames(const struct schc_rule *r, const uint8_t *d, size_t n, bool sender)
{
	static struct schc_frx x;
	static struct schc_ftx s;
	uint8_t reply[64], pkt[300] = { 0 };
	size_t rlen, out, i = 0;
	uint64_t now = 0;

	memset(&x, 0, sizeof(x));
	if (sender && schc_ftx_start(&s, r, pkt, sizeof(pkt), 0, 51, 0) < 0)
		abort();
	while (i < n) {
		size_t len = d[i++];
		if (len > n - i)
			len = n - i;
		now += len * 100;
		if (sender) {
			schc_ftx_input(&s, d + i, len, now);
			while (schc_ftx_next(&s, reply, now) > 0 && s.state == FTX_SEND)
				;
		} else {
			int rc = schc_frx_input(&x, r, d + i, len, now, reply, sizeof(reply), &rlen, &out);
			if (rlen > sizeof(reply))
				abort();
			if (rc == FRX_COMPLETE && (out > SCHC_PKT_MAX ||
						   (r->frag.mode == SCHC_ACK_ON_ERROR &&
						    schc_rcs(x.buf, out) != x.rcs)))
				abort();
			schc_frx_tick(&x, r, now, reply, sizeof(reply), &rlen);
		}
		i += len;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t out[SCHC_PKT_MAX + 512];
	int rule;

	if (!iot.n_rules)
		load();
	if (size < 1)
		return 0;
	switch (data[0] % 5) {
	case 0:
	case 1: {
		enum schc_dir dir = data[0] % 5 ? SCHC_DOWN : SCHC_UP;
		int n = schc_decompress(&iot, dir, data + 1, 8 * (size - 1), out, sizeof(out), &rule);
		if (n > (int)sizeof(out))
			abort();
		n = schc_decompress(&s04, dir, data + 1, 8 * (size - 1), out, sizeof(out), &rule);
		if (n > (int)sizeof(out))
			abort();
		break;
	}
	case 2:
		frames(&iot.rules[iot.frag_up], data + 1, size - 1, false);
		break;
	case 3:
		frames(&noack.rules[0], data + 1, size - 1, false);
		break;
	default:
		frames(&iot.rules[iot.frag_up], data + 1, size - 1, true);
		break;
	}
	return 0;
}
