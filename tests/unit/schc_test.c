/* SCHC (spec §13): OpenSCHC's golden samples bit for bit, residues, round trips of New IP
 * packets through every rule, rule-file mistakes, fragmentation under loss on simulated time. */
#include <arpa/inet.h>

#include "bits.h"
#include "frag.h"
#include "harness.h"
#include "newip/checksum.h"
#include "schc.h"

#define VEC NIP_SOURCE_DIR "/tests/vectors/openschc/"

static size_t unhex(const char *s, uint8_t *out)
{
	size_t n = 0;

	for (; s[0] && s[1] && s[0] != '/' && s[0] != '\n'; s += 2) {
		unsigned v;
		CHECK(sscanf(s, "%2x", &v) == 1);
		out[n++] = (uint8_t)v;
	}
	return n;
}

static void read_file(const char *path, char *buf, size_t cap)
{
	FILE *f = fopen(path, "r");
	size_t n;

	CHECK(f);
	n = fread(buf, 1, cap - 1, f);
	buf[n] = 0;
	fclose(f);
}

/* Each sample: our compression gives the reference's bits and bit length exactly, and
 * decompression gives the packet back (ignored fields as the rule's target value). */
static void openschc_vectors(void)
{
	static const char *names[] = { "01-NO_COMPRESSION_ALIGNED", "02-NO_COMPRESSION_NOT_ALIGNED",
				       "03-IPv6-UDP-full-compression", "04-IPv6-UDP-all-CDA" };
	struct schc_rules rs;
	char err[SCHC_ERR], text[4096];
	uint8_t pkt[256], want[256], got[256], back[256];
	size_t plen, wlen, nbits;

	read_file(VEC "packet.hex", text, sizeof(text));
	plen = unhex(text, pkt);
	CHECK_EQ(plen, 97);
	for (unsigned i = 0; i < 4; i++) {
		char path[256];
		int r = 0, rule;
		CHECK_EQ(schc_rules_load(&rs, VEC "rules.json", names[i], err, sizeof(err)), 0);
		CHECK_EQ(rs.n_rules, 1);
		CHECK_STR(rs.rules[0].name, names[i]);
		snprintf(path, sizeof(path), VEC "%s.txt", names[i]);
		read_file(path, text, sizeof(text));
		wlen = unhex(text, want);
		CHECK_EQ(schc_compress_rule(&rs, (unsigned)r, SCHC_UP, pkt, plen, got, sizeof(got),
					    &nbits), 0);
		CHECK_EQ(nbits, atoi(strchr(text, '/') + 1));
		CHECK_EQ((nbits + 7) / 8, wlen);
		CHECK(memcmp(got, want, wlen) == 0);
		int n = schc_decompress(&rs, SCHC_UP, want, nbits, back, sizeof(back), &rule);
		CHECK_EQ(rule, r);
		CHECK_EQ(n, (int)plen);
		memcpy(got, pkt, plen);
		if (i >= 2) { /* flow label and hop limit: ignored, restored as TV 0 and 255 */
			got[1] &= 0xf0, got[2] = got[3] = 0;
			got[7] = 255;
		}
		CHECK(memcmp(back, got, plen) == 0);
		schc_rules_free(&rs);
	}
}

/* CoAP (RFC 8824) on the samples' packet: header, token and two options (Uri-Path, and
 * No-Response behind an extended delta) compressed; the CBOR payload follows the 32-bit
 * residue (MID 16, token 8 after RuleID 8), and the packet comes back whole. */
static void coap_fields(void)
{
	static const char rule[] =
		"[{\"RuleID\":9,\"RuleIDLength\":8,\"Compression\":["
		"{\"FID\":\"IPV6.VER\",\"TV\":6,\"MO\":\"equal\",\"CDA\":\"not-sent\"},"
		"{\"FID\":\"IPV6.TC\",\"TV\":0,\"MO\":\"equal\",\"CDA\":\"not-sent\"},"
		"{\"FID\":\"IPV6.FL\",\"MO\":\"ignore\",\"CDA\":\"value-sent\"},"
		"{\"FID\":\"IPV6.LEN\",\"MO\":\"ignore\",\"CDA\":\"compute-length\"},"
		"{\"FID\":\"IPV6.NXT\",\"TV\":17,\"MO\":\"equal\",\"CDA\":\"not-sent\"},"
		"{\"FID\":\"IPV6.HOP_LMT\",\"MO\":\"ignore\",\"CDA\":\"value-sent\"},"
		"{\"FID\":\"IPV6.DEV_PREFIX\",\"TV\":\"2001:1222:8905:0470::/64\",\"MO\":\"equal\",\"CDA\":\"not-sent\"},"
		"{\"FID\":\"IPV6.DEV_IID\",\"TV\":\"::57\",\"MO\":\"equal\",\"CDA\":\"not-sent\"},"
		"{\"FID\":\"IPV6.APP_PREFIX\",\"TV\":\"2001:41d0:57d7:3100::/64\",\"MO\":\"equal\",\"CDA\":\"not-sent\"},"
		"{\"FID\":\"IPV6.APP_IID\",\"TV\":\"::0401\",\"MO\":\"equal\",\"CDA\":\"not-sent\"},"
		"{\"FID\":\"UDP.DEV_PORT\",\"TV\":5684,\"MO\":\"equal\",\"CDA\":\"not-sent\"},"
		"{\"FID\":\"UDP.APP_PORT\",\"TV\":5683,\"MO\":\"equal\",\"CDA\":\"not-sent\"},"
		"{\"FID\":\"UDP.LEN\",\"MO\":\"ignore\",\"CDA\":\"compute-length\"},"
		"{\"FID\":\"UDP.CKSUM\",\"MO\":\"ignore\",\"CDA\":\"compute-checksum\"},"
		"{\"FID\":\"COAP.VER\",\"TV\":1,\"MO\":\"equal\",\"CDA\":\"not-sent\"},"
		"{\"FID\":\"COAP.TYPE\",\"TV\":1,\"MO\":\"equal\",\"CDA\":\"not-sent\"},"
		"{\"FID\":\"COAP.TKL\",\"TV\":1,\"MO\":\"equal\",\"CDA\":\"not-sent\"},"
		"{\"FID\":\"COAP.CODE\",\"TV\":2,\"MO\":\"equal\",\"CDA\":\"not-sent\"},"
		"{\"FID\":\"COAP.MID\",\"MO\":\"ignore\",\"CDA\":\"value-sent\"},"
		"{\"FID\":\"COAP.TOKEN\",\"FL\":8,\"MO\":\"ignore\",\"CDA\":\"value-sent\"},"
		"{\"FID\":\"COAP.URI_PATH\",\"TV\":\"temp\",\"MO\":\"equal\",\"CDA\":\"not-sent\"},"
		"{\"FID\":\"COAP.NO_RESPONSE\",\"TV\":2,\"MO\":\"equal\",\"CDA\":\"not-sent\"}]}]";
	struct schc_rules rs;
	char err[SCHC_ERR], text[512];
	uint8_t pkt[128], c[128], back[128];
	size_t len, nbits;
	int r;

	if (schc_rules_parse(&rs, rule, sizeof(rule) - 1, "coap", NULL, err, sizeof(err)))
		fprintf(stderr, "%s\n", err);
	CHECK_EQ(rs.n_rules, 1);
	read_file(VEC "packet.hex", text, sizeof(text));
	len = unhex(text, pkt);
	CHECK_EQ(schc_compress(&rs, SCHC_UP, pkt, len, c, sizeof(c), &nbits), 0);
	CHECK_EQ(nbits, 8 + 20 + 8 + 16 + 8 + 8 * 35); /* RuleID, FL, hop, MID, token, CBOR */
	CHECK(c[0] == 9);
	CHECK_EQ(bits_read(c, 8, 20), 0x12345);	/* the flow label */
	CHECK_EQ(bits_read(c, 28, 8), 0x33);	/* the hop limit */
	CHECK_EQ(bits_read(c, 36, 16), 0x00a0);	/* MID */
	CHECK_EQ(bits_read(c, 52, 8), 0x20);	/* the token */
	CHECK_EQ(schc_decompress(&rs, SCHC_UP, c, nbits, back, sizeof(back), &r), (int)len);
	CHECK(memcmp(back, pkt, len) == 0);
	pkt[len - 36] ^= 1; /* Uri-Path "temq": the rule no longer matches */
	CHECK_EQ(schc_compress(&rs, SCHC_UP, pkt, len, c, sizeof(c), &nbits), -1);
	schc_rules_free(&rs);
}

/* RFC 8724 §7.4.2: 4 bits below 15, 12 below 255, 28 up to 65535; a short buffer reads 0. */
static void varlen_residue(void)
{
	static const unsigned cases[][2] = { { 0, 4 }, { 1, 4 }, { 14, 4 }, { 15, 12 }, { 254, 12 },
					     { 255, 28 }, { 256, 28 }, { 65535, 28 } };
	uint8_t b[8];

	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		for (unsigned shift = 0; shift < 8; shift++) {
			unsigned v = 0;
			memset(b, 0xa5, sizeof(b));
			CHECK_EQ(schc_varlen_put(b, shift, cases[i][0]), cases[i][1]);
			CHECK_EQ(schc_varlen_get(b, shift, shift + cases[i][1], &v), cases[i][1]);
			CHECK_EQ(v, cases[i][0]);
			CHECK_EQ(schc_varlen_get(b, shift, shift + cases[i][1] - 1, &v), 0);
		}
	/* the exact bits: 15 is 1111 00001111, 255 is 1111 11111111 0000000011111111 */
	memset(b, 0, sizeof(b));
	schc_varlen_put(b, 0, 15);
	CHECK(b[0] == 0xf0 && b[1] == 0xf0);
	schc_varlen_put(b, 0, 255);
	CHECK(b[0] == 0xff && b[1] == 0xf0 && b[2] == 0x0f && b[3] == 0xf0);
}

#define IOT NIP_SOURCE_DIR "/examples/iot-rules.json"

/* A New IP packet: dst, src (any lengths), next header, a UDP header when nh is 17, payload. */
static size_t nip_packet(uint8_t *b, uint64_t *seed, const uint8_t *dst, unsigned dl,
			 const uint8_t *src, unsigned sl, unsigned nh, unsigned blocks, unsigned plen,
			 unsigned sport, unsigned dport, bool zero_tc_fl, unsigned hop)
{
	unsigned hl = 12 + dl + sl + blocks, ul = nh == 17 ? 8 + plen : plen;
	uint32_t fl = zero_tc_fl ? 0 : (uint32_t)rnd(seed) & 0xfffff;
	uint8_t tc = zero_tc_fl ? 0 : (uint8_t)rnd(seed);

	b[0] = (uint8_t)(0x10 | tc >> 4), b[1] = (uint8_t)(tc << 4 | fl >> 16);
	b[2] = (uint8_t)(fl >> 8), b[3] = (uint8_t)fl;
	b[4] = (uint8_t)(ul >> 8), b[5] = (uint8_t)ul, b[6] = (uint8_t)nh, b[7] = (uint8_t)hop;
	b[8] = (uint8_t)hl, b[9] = 0, b[10] = (uint8_t)dl, b[11] = (uint8_t)sl;
	memcpy(b + 12, dst, dl);
	memcpy(b + 12 + dl, src, sl);
	if (blocks) { /* a padding-only contract block (spec §5.1): C set */
		b[9] = 0x80;
		b[12 + dl + sl] = (uint8_t)blocks;
		memset(b + 13 + dl + sl, 0, blocks - 1);
	}
	uint8_t *u = b + hl;
	for (unsigned i = 0; i < ul; i++)
		u[i] = (uint8_t)rnd(seed);
	if (nh == 17) {
		u[0] = (uint8_t)(sport >> 8), u[1] = (uint8_t)sport, u[2] = (uint8_t)(dport >> 8);
		u[3] = (uint8_t)dport, u[4] = (uint8_t)(ul >> 8), u[5] = (uint8_t)ul;
		CHECK_EQ(nip_l4_csum_fill(b, hl + ul), 0); /* over the pseudo-header of §6.1 */
	}
	return hl + ul;
}

/* Random New IP packets of 2- and 1-octet sensors, both directions: whenever a rule compresses one, decompressing gives
 * the same octets back; every rule matches some; a wrong checksum or a wrong length never
 * compresses under a rule that would recompute it. */
static void newip_round_trips(void)
{
	struct schc_rules rs;
	char err[SCHC_ERR];
	uint64_t seed = 42;
	unsigned hits[16] = { 0 };
	uint8_t pkt[512], c[600], back[600];

	CHECK_EQ(schc_rules_load(&rs, IOT, NULL, err, sizeof(err)), 0);
	for (unsigned i = 0; i < 20000; i++) {
		uint8_t sensor[2] = { 0x0b, (uint8_t)(1 + rnd(&seed) % 9) }, gw[2] = { 0x0b, 0xfe };
		unsigned sl = rnd(&seed) % 4 ? 2 : 1; /* a quarter are 1-octet sensors, x20-x2f */
		if (sl == 1)
			sensor[0] = (uint8_t)(0x20 | rnd(&seed) % 16);
		uint8_t other[32];
		unsigned ol = 1 + (unsigned)(rnd(&seed) % 32), pick = (unsigned)(rnd(&seed) % 4);
		for (unsigned k = 0; k < ol; k++)
			other[k] = (uint8_t)rnd(&seed);
		bool up = rnd(&seed) & 1, toy = pick == 0;
		const uint8_t *app = toy ? gw : other;
		unsigned al = toy ? 2 : ol, nh = pick < 2 ? 17 : pick == 2 ? 253 : 6;
		unsigned blocks = rnd(&seed) % 8 == 0 ? 6 : 0, plen = (unsigned)(rnd(&seed) % 100);
		unsigned sport = 5680 + (unsigned)(rnd(&seed) % (toy ? 16 : 64));
		unsigned hop = toy && up ? 64 : (unsigned)(rnd(&seed) % 256);
		size_t len = up ? nip_packet(pkt, &seed, app, al, sensor, sl, nh, blocks, plen, sport,
					     5683, pick < 3, hop) :
				  nip_packet(pkt, &seed, sensor, sl, app, al, nh, blocks, plen, 5683,
					     sport, pick < 3, hop);
		enum schc_dir dir = up ? SCHC_UP : SCHC_DOWN;
		for (unsigned r = 0; r < rs.n_rules; r++) {
			size_t nbits;
			int rule;
			if (schc_compress_rule(&rs, r, dir, pkt, len, c, sizeof(c), &nbits) < 0)
				continue;
			hits[r]++;
			CHECK_EQ(schc_decompress(&rs, dir, c, nbits, back, sizeof(back), &rule),
				 (int)len);
			CHECK_EQ(rule, (int)r);
			CHECK(memcmp(back, pkt, len) == 0);
			if (nh == 17 && len > 20) { /* a bad checksum: recomputing would hide it */
				pkt[len - 1] ^= 1;
				CHECK(rs.rules[r].id != 1 ||
				      schc_compress_rule(&rs, r, dir, pkt, len, c, sizeof(c), &nbits) < 0);
				pkt[len - 1] ^= 1;
			}
		}
		size_t nbits;
		CHECK(schc_compress(&rs, dir, pkt, len, c, sizeof(c), &nbits) >= 0);
		/* rule 3 sends every New IP field, NIP.BLOCKS too: with blocks or without (empty) */
		CHECK(schc_compress_rule(&rs, 2, dir, pkt, len, c, sizeof(c), &nbits) == 0);
	}
	for (unsigned r = 0; r < rs.n_rules; r++)
		if (rs.rules[r].kind != SCHC_RULE_FRAG)
			CHECK(hits[r] > 100);
	schc_rules_free(&rs);
}

/* The figure the issue asks for: a 2-octet sensor's UDP header to its gateway is 2 octets. */
static void sensor_header_octets(void)
{
	struct schc_rules rs;
	char err[SCHC_ERR];
	uint64_t seed = 7;
	uint8_t pkt[128], c[128], sensor[2] = { 0x0b, 0x05 }, gw[2] = { 0x0b, 0xfe };
	size_t nbits, len = nip_packet(pkt, &seed, gw, 2, sensor, 2, 17, 0, 10, 5684, 5683, true,
				       64);

	CHECK_EQ(schc_rules_load(&rs, IOT, NULL, err, sizeof(err)), 0);
	CHECK_EQ(len, 16 + 8 + 10);
	int r = schc_compress(&rs, SCHC_UP, pkt, len, c, sizeof(c), &nbits);
	CHECK(r >= 0 && rs.rules[r].id == 1);
	CHECK_EQ(nbits, 16 + 80); /* RuleID 4 + sensor 8 + port 4, then the payload */
	CHECK(memcmp(c + 2, pkt + 24, 10) == 0);
	schc_rules_free(&rs);
}

static void refused(const char *json, const char *want)
{
	struct schc_rules rs;
	char err[SCHC_ERR];

	CHECK_EQ(schc_rules_parse(&rs, json, strlen(json), "r.json", NULL, err, sizeof(err)), -1);
	if (strcmp(err, want)) {
		fprintf(stderr, "got  %s\nwant %s\n", err, want);
		CHECK(0);
	}
}

#define F6 "{\"FID\":\"IPV6.VER\",\"TV\":6,\"MO\":\"equal\",\"CDA\":\"not-sent\"}"

/* Mistakes in a rules file: one line, the file, the rule, what is wrong. */
static void rule_mistakes(void)
{
	refused("[{\"RuleID\":1,\"RuleIDLength\":4,\"Compression\":[{\"FID\":\"IPV6.NOPE\","
		"\"MO\":\"ignore\",\"CDA\":\"value-sent\"}]}]",
		"r.json: rule 1: field 1: unknown field ID \"IPV6.NOPE\"");
	refused("[{\"RuleID\":0,\"RuleIDLength\":1,\"NoCompression\":[]},"
		"{\"RuleID\":1,\"RuleIDLength\":4,\"Compression\":[{\"FID\":\"UDP.DEV_PORT\","
		"\"TV\":5683,\"MO\":\"MSB\",\"MO.VAL\":24,\"CDA\":\"LSB\"}]}]",
		"r.json: rule 2: field 1 (UDP.DEV_PORT): MSB(24) is longer than the field's 16 bits");
	refused("[{\"RuleID\":2,\"RuleIDLength\":2,\"NoCompression\":[]},"
		"{\"RuleID\":9,\"RuleIDLength\":4,\"Fragmentation\":{\"FRMode\":\"NoAck\"}}]",
		"r.json: rule 2: RuleID 9/4 clashes with rule 1's 2/2 (one is a prefix of the other)");
	refused("[{\"RuleID\":3,\"RuleIDLength\":2,\"Compression\":[" F6 "]}]",
		"r.json: rule 1: IPv6 fields but no IPV6.TC going up");
	refused("[{\"RuleID\":3,\"RuleIDLength\":2}]",
		"r.json: rule 1: one of \"Compression\", \"NoCompression\" or \"Fragmentation\"");
	refused("[{\"RuleID\":8,\"RuleIDLength\":2,\"NoCompression\":[]}]",
		"r.json: rule 1: RuleID must be a number that fits in RuleIDLength bits");
	refused("[{\"RuleID\":1,\"RuleIDLength\":4,\"Compression\":[{\"FID\":\"IPV6.VER\",\"TV\":"
		"99,\"MO\":\"equal\",\"CDA\":\"not-sent\"}]}]",
		"r.json: rule 1: field 1 (IPV6.VER): TV 99 does not fit in 4 bits");
	refused("[{\"RuleID\":1,\"RuleIDLength\":4,\"Compression\":[{\"FID\":\"IPV6.TC\","
		"\"MO\":\"match-mapping\",\"TV\":[1,2],\"CDA\":\"value-sent\"}]}]",
		"r.json: rule 1: field 1 (IPV6.TC): match-mapping and mapping-sent go together");
	refused("[{\"RuleID\":1,\"RuleIDLength\":4,\"Fragmentation\":{\"FRMode\":\"AckOnError\","
		"\"FRModeProfile\":{\"tileSize\":12}}}]",
		"r.json: rule 1: tileSize 12: tiles are whole octets here (a multiple of 8 bits)");
	refused("[{\"RuleID\":1,\"RuleIDLength\":4,", "r.json: line 1: string or '}' expected near end of file");
}

/* ---- fragmentation over a simulated radio ---- */

struct radio {
	uint64_t seed, now;
	unsigned loss_pct, dup_pct, reorder_pct;
	bool gone;		/* the receiver has vanished */
	uint8_t held[256];	/* one frame held back to reorder */
	size_t held_len;
};

static bool lost(struct radio *rd)
{
	return rd->gone || rnd(&rd->seed) % 100 < rd->loss_pct;
}

/* Deliver one frame to the receiver (perhaps twice, perhaps after the next one). */
static int deliver(struct radio *rd, struct schc_frx *x, const struct schc_rule *r,
		   const uint8_t *f, size_t len, uint8_t *ack, size_t *alen, size_t *out_len,
		   int *last_rc)
{
	uint8_t a2[256];
	size_t n2;
	int complete = 0;

	if (lost(rd))
		return 0;
	if (rd->reorder_pct && !rd->held_len && rnd(&rd->seed) % 100 < rd->reorder_pct) {
		memcpy(rd->held, f, len);
		rd->held_len = len;
		return 0;
	}
	for (unsigned k = rnd(&rd->seed) % 100 < rd->dup_pct ? 2 : 1; k; k--) {
		*last_rc = schc_frx_input(x, r, f, len, rd->now, ack, 256, alen, out_len);
		complete |= *last_rc == FRX_COMPLETE;
	}
	if (rd->held_len) {
		*last_rc = schc_frx_input(x, r, rd->held, rd->held_len, rd->now, a2, 256, &n2, out_len);
		complete |= *last_rc == FRX_COMPLETE;
		if (n2 && !*alen)
			memcpy(ack, a2, n2), *alen = n2;
		rd->held_len = 0;
	}
	return complete;
}

/* Send one packet through; returns 1 delivered intact, 0 not delivered, and the sender's
 * end state; never delivers anything but the packet. */
static int transfer(const struct schc_rule *r, struct radio *rd, const uint8_t *pkt, size_t len,
		    size_t frame, struct schc_ftx *s, struct schc_frx *x, unsigned *frames)
{
	uint8_t f[256], ack[256];
	int delivered = 0, rc = 0;

	CHECK_EQ(schc_ftx_start(s, r, pkt, len, 0, frame, rd->now), 0);
	for (unsigned guard = 0; guard < 100000; guard++) {
		size_t n = schc_ftx_next(s, f, rd->now), alen = 0, out = 0;
		if (n) {
			CHECK(n <= frame);
			(*frames)++;
			rd->now += 10; /* air time */
			if (deliver(rd, x, r, f, n, ack, &alen, &out, &rc)) {
				CHECK_EQ(out, len);
				CHECK(memcmp(x->buf, pkt, len) == 0);
				delivered = 1;
			}
		} else {
			uint64_t w = schc_ftx_when(s);
			if (w == UINT64_MAX)
				break;
			rd->now = w > rd->now ? w : rd->now; /* simulated time: jump to the timer */
			int t = schc_frx_tick(x, r, rd->now, ack, sizeof(ack), &alen);
			CHECK(t == FRX_MORE || t == FRX_TIMEOUT);
		}
		if (alen && !lost(rd))
			schc_ftx_input(s, ack, alen, rd->now);
	}
	return delivered;
}

static struct schc_rules frag_rules;

static const struct schc_rule *frag_rule(const char *mode, unsigned tile_bits)
{
	char json[512], err[SCHC_ERR];

	snprintf(json, sizeof(json),
		 "[{\"RuleID\":20,\"RuleIDLength\":8,\"Fragmentation\":{\"FRMode\":\"%s\","
		 "\"FRModeProfile\":{\"WSize\":%d,\"FCNSize\":%d,\"tileSize\":%u,"
		 "\"retransmissionTimer\":5,\"inactivityTimer\":60}}}]",
		 mode, strcmp(mode, "NoAck") ? 2 : 0, strcmp(mode, "NoAck") ? 6 : 1, tile_bits);
	CHECK_EQ(schc_rules_parse(&frag_rules, json, strlen(json), "f.json", NULL, err, sizeof(err)), 0);
	return &frag_rules.rules[0];
}

static void fill(uint8_t *b, size_t n, uint64_t *seed)
{
	for (size_t i = 0; i < n; i++)
		b[i] = (uint8_t)rnd(seed);
}

/* ACK-on-Error delivers every packet under 20 % loss, reordering and duplication, resending
 * only what was lost; every size from 1 to 1300 octets around the tile and window edges. */
static void ack_on_error_under_loss(void)
{
	static struct schc_ftx s;
	static struct schc_frx x;
	const struct schc_rule *r = frag_rule("AckOnError", 80);
	struct radio rd = { .seed = 3, .loss_pct = 20, .dup_pct = 10, .reorder_pct = 10 };
	uint8_t pkt[1400];
	unsigned frames = 0, retx = 0, sizes = 0;

	for (size_t len = 1; len <= 1300; len += len < 40 ? 1 : 37, sizes++) {
		fill(pkt, len, &rd.seed);
		CHECK_EQ(transfer(r, &rd, pkt, len, 51, &s, &x, &frames), 1);
		CHECK_EQ(s.state, FTX_DONE);
		retx += s.retx_tiles;
	}
	CHECK(retx > 0); /* it did lose tiles, and resent them */
	/* the counters are each packet's own: a new one starts from zero (the link adds them) */
	CHECK_EQ(schc_ftx_start(&s, r, pkt, 100, 1, 51, 0), 0);
	CHECK_EQ(s.frags + s.retx_tiles + s.ack_reqs, 0);
	schc_rules_free(&frag_rules);
}

/* No-ACK: intact without loss; under loss a packet is either whole or not delivered (the RCS),
 * never delivered in part. */
static void noack(void)
{
	static struct schc_ftx s;
	static struct schc_frx x;
	const struct schc_rule *r = frag_rule("NoAck", 8);
	struct radio rd = { .seed = 5 };
	uint8_t pkt[1400];
	unsigned frames = 0, ok = 0, n = 200;

	for (size_t len = 1; len < 1300; len += 13) {
		fill(pkt, len, &rd.seed);
		CHECK_EQ(transfer(r, &rd, pkt, len, 51, &s, &x, &frames), 1);
	}
	rd.loss_pct = 10;
	for (unsigned i = 0; i < n; i++) {
		fill(pkt, 1000, &rd.seed);
		ok += (unsigned)transfer(r, &rd, pkt, 1000, 51, &s, &x, &frames);
	}
	CHECK(ok > 0 && ok < n); /* (0.9^21 ≈ 11 %: some get through, most do not) */
	schc_rules_free(&frag_rules);
}

/* The receiver vanishes: the sender asks MAX_ACK_REQUESTS times, then aborts; the receiver's
 * half-built packet is dropped on its inactivity timer, with a Receiver-Abort. */
static void peer_vanishes(void)
{
	static struct schc_ftx s;
	static struct schc_frx x;
	const struct schc_rule *r = frag_rule("AckOnError", 80);
	struct radio rd = { .seed = 9 };
	uint8_t pkt[600], f[256], ack[256];
	unsigned frames = 0;
	size_t n, alen, out;

	fill(pkt, sizeof(pkt), &rd.seed);
	CHECK_EQ(schc_ftx_start(&s, r, pkt, sizeof(pkt), 0, 51, 0), 0);
	for (int i = 0; i < 3; i++) { /* three fragments reach it, then it is gone */
		n = schc_ftx_next(&s, f, rd.now);
		CHECK_EQ(schc_frx_input(&x, r, f, n, rd.now, ack, sizeof(ack), &alen, &out), FRX_MORE);
	}
	rd.gone = true;
	CHECK_EQ(transfer(r, &rd, pkt, sizeof(pkt), 51, &s, &(struct schc_frx){ 0 }, &frames), 0);
	CHECK_EQ(s.state, FTX_ABORTED);
	CHECK_EQ(s.ack_reqs, r->frag.max_ack_req);
	CHECK(rd.now >= (uint64_t)r->frag.max_ack_req * r->frag.retrans_ms);
	CHECK_EQ(schc_frx_tick(&x, r, 59000, ack, sizeof(ack), &alen), FRX_MORE);
	CHECK_EQ(schc_frx_tick(&x, r, 60000 + 100, ack, sizeof(ack), &alen), FRX_TIMEOUT);
	CHECK(alen >= 2 && ack[alen - 1] == 0xff);
	CHECK_EQ(x.state, FRX_IDLE);
	/* a sender told so by a Receiver-Abort stops at once */
	CHECK_EQ(schc_ftx_start(&s, r, pkt, sizeof(pkt), 0, 51, 0), 0);
	schc_ftx_next(&s, f, 0);
	schc_ftx_input(&s, ack, alen, 0);
	CHECK_EQ(s.state, FTX_ABORTED);
	CHECK_EQ(schc_ftx_next(&s, f, 0), 0);
	schc_rules_free(&frag_rules);
}

/* A Sender-Abort mid-packet empties the receiver. */
static void sender_abort(void)
{
	static struct schc_ftx s;
	static struct schc_frx x;
	const struct schc_rule *r = frag_rule("AckOnError", 80);
	uint8_t pkt[600] = { 1 }, f[256], ack[256];
	size_t alen, out, n;

	CHECK_EQ(schc_ftx_start(&s, r, pkt, sizeof(pkt), 0, 51, 0), 0);
	n = schc_ftx_next(&s, f, 0);
	CHECK_EQ(schc_frx_input(&x, r, f, n, 0, ack, sizeof(ack), &alen, &out), FRX_MORE);
	s.abort_due = true;
	n = schc_ftx_next(&s, f, 0);
	CHECK_EQ(schc_frx_input(&x, r, f, n, 0, ack, sizeof(ack), &alen, &out), FRX_SENDER_ABORT);
	CHECK_EQ(x.state, FRX_IDLE);
	/* fuzz_schc's first finding: an All-1 too short for its RCS, W not all ones */
	static const uint8_t short_all1[] = { 20, 0x3f, 0x12 };
	CHECK_EQ(schc_frx_input(&x, r, short_all1, 3, 0, ack, sizeof(ack), &alen, &out),
		 FRX_MALFORMED);
	schc_rules_free(&frag_rules);
}

RUN_TESTS(T(openschc_vectors), T(coap_fields), T(varlen_residue), T(newip_round_trips), T(sensor_header_octets),
	  T(rule_mistakes), T(ack_on_error_under_loss), T(noack), T(peer_vanishes), T(sender_abort))
