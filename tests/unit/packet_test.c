/* Parser and writer: fields, blocks, every error of docs/spec.md §7, and robustness. */
#include "harness.h"
#include "newip/newip.h"

static struct nip_hdr hdr(const char *dst, const char *src)
{
	struct nip_hdr h = { .tc = 0xb9, .next_hdr = 17, .hop_limit = 64, .flow_label = 0xabcde };

	CHECK_EQ(nip_addr_parse(&h.dst, dst), 0);
	CHECK_EQ(nip_addr_parse(&h.src, src), 0);
	return h;
}

static void base_fields(void)
{
	uint8_t buf[256];
	struct nip_hdr h = hdr("2001:db8::1", "x0a01");
	struct nip_writer w;
	struct nip_pkt p;
	struct nip_addr a;

	nip_w_init(&w, buf, sizeof(buf), &h);
	int n = nip_w_finish(&w, "hello", 5);
	CHECK_EQ(n, 12 + 16 + 2 + 5);
	CHECK_EQ(buf[0], 0x1b); /* version 1, TC high nibble */
	CHECK_EQ(nip_pkt_parse(&p, buf, (size_t)n), 0);
	CHECK_EQ(p.version, 1);
	CHECK_EQ(p.tc, 0xb9);
	CHECK_EQ(p.flow_label, 0xabcde);
	CHECK_EQ(p.payload_len, 5);
	CHECK_EQ(p.next_hdr, 17);
	CHECK_EQ(p.hop_limit, 64);
	CHECK_EQ(p.hdr_len, 30);
	CHECK_EQ(p.flags, 0);
	CHECK(memcmp(p.payload, "hello", 5) == 0);
	nip_pkt_dst(&p, &a);
	CHECK(nip_addr_eq(&a, &h.dst));
	nip_pkt_src(&p, &a);
	CHECK(nip_addr_eq(&a, &h.src));
	/* Ethernet padding after the packet is allowed and not part of it */
	memset(buf + n, 0, 20);
	CHECK_EQ(nip_pkt_parse(&p, buf, (size_t)n + 20), 0);
	CHECK_EQ(p.len, n);
}

/* A packet with all three blocks; returns its length. */
static int full_packet(uint8_t *buf, size_t cap)
{
	struct nip_hdr h = hdr("x0011223344556677", "192.0.2.7");
	struct nip_latency lat = { NIP_LAT_ON_TIME, 1000, 5000 };
	uint8_t pk[32] = { 1, 2, 3 }, unknown[3] = { 9, 9, 9 };
	struct nip_chunk c[3] = {
		{ .significance = 0, .length = 4, .checksum = nip_inet_csum("abcd", 4) },
		{ .significance = 15, .trimmed = true, .length = 100, .checksum = 0x1234 },
		{ .significance = 7, .length = 2, .checksum = nip_inet_csum("ef", 2) },
	};
	struct nip_writer w;

	nip_w_init(&w, buf, cap, &h);
	nip_w_contract_begin(&w, 3, 777);
	nip_w_latency(&w, &lat, true);
	nip_w_item(&w, 0x05, unknown, 3); /* unknown, M=0: must be skipped */
	nip_w_item(&w, 0, NULL, 1 - 1);	  /* padding */
	nip_w_priority(&w, 6, false);
	nip_w_block_end(&w);
	nip_w_security_begin(&w);
	nip_w_auth(&w, 0xdeadbeef);
	nip_w_sig(&w, pk);
	nip_w_replay(&w, 1700000000123456789ull, 42);
	nip_w_block_end(&w);
	nip_w_chunks(&w, c, 3);
	return nip_w_finish(&w, "abcdef", 6);
}

static void all_blocks(void)
{
	uint8_t buf[512], again[512];
	struct nip_pkt p;
	struct nip_chunk c;
	struct nip_auth_elem a;
	struct nip_replay_elem r;
	struct nip_sig_elem s;
	int n = full_packet(buf, sizeof(buf));

	CHECK(n > 0);
	CHECK_EQ(nip_pkt_parse(&p, buf, (size_t)n), 0);
	CHECK_EQ(p.flags, NIP_F_CONTRACT | NIP_F_SECURITY | NIP_F_CHUNK);
	CHECK_EQ(p.contract_off, 12 + 8 + 4);
	CHECK_EQ(p.hops_updated, 3);
	CHECK_EQ(p.acc_latency_us, 777);
	CHECK(p.has_latency && p.has_priority);
	CHECK_EQ(p.latency.mode, NIP_LAT_ON_TIME);
	CHECK_EQ(p.latency.min_us, 1000);
	CHECK_EQ(p.latency.max_us, 5000);
	CHECK_EQ(p.priority, 6);
	CHECK_EQ(p.security_off, p.contract_off + p.contract_len);
	CHECK_EQ(nip_pkt_auth(&p, &a), 0);
	CHECK_EQ(a.key_id, 0xdeadbeef);
	CHECK_EQ(nip_pkt_sig(&p, &s), 0);
	CHECK_EQ(s.pk[2], 3);
	CHECK_EQ(nip_pkt_replay(&p, &r), 0);
	CHECK_EQ(r.ts_ns, 1700000000123456789ull);
	CHECK_EQ(r.nonce, 42);
	CHECK_EQ(p.n_chunks, 3);
	CHECK_EQ(nip_pkt_chunk(&p, 2, &c), 0);
	CHECK(c.data && memcmp(c.data, "ef", 2) == 0);
	CHECK_EQ(nip_inet_csum(c.data, c.length), c.checksum);
	CHECK_EQ(nip_pkt_chunk(&p, 1, &c), 0);
	CHECK(c.trimmed && c.data == NULL && c.length == 100);
	CHECK_EQ(nip_pkt_chunk(&p, 3, &c), NIP_E_NOTFOUND);
	CHECK_EQ(p.chunk_off + p.chunk_len, p.hdr_len);
	CHECK_EQ(nip_pkt_reencode(&p, again, sizeof(again)), n);
	CHECK(memcmp(buf, again, (size_t)n) == 0);
}

static void writer_rules(void)
{
	uint8_t buf[128];
	struct nip_hdr h = hdr("x01", "x02");
	struct nip_writer w;

	/* security before contract is out of order */
	nip_w_init(&w, buf, sizeof(buf), &h);
	nip_w_security_begin(&w);
	nip_w_block_end(&w);
	nip_w_contract_begin(&w, 0, 0);
	CHECK_EQ(nip_w_finish(&w, NULL, 0), NIP_E_INVAL);
	/* duplicate clause */
	nip_w_init(&w, buf, sizeof(buf), &h);
	nip_w_contract_begin(&w, 0, 0);
	nip_w_priority(&w, 1, false);
	nip_w_priority(&w, 2, false);
	CHECK_EQ(nip_w_finish(&w, NULL, 0), NIP_E_DUP_ITEM);
	/* unclosed block */
	nip_w_init(&w, buf, sizeof(buf), &h);
	nip_w_contract_begin(&w, 0, 0);
	CHECK_EQ(nip_w_finish(&w, NULL, 0), NIP_E_INVAL);
	/* no space */
	nip_w_init(&w, buf, 20, &h);
	CHECK_EQ(nip_w_finish(&w, "0123456789", 10), NIP_E_NOSPACE);
	/* bad values */
	struct nip_latency bad = { NIP_LAT_IN_TIME, 5, 10 };
	nip_w_init(&w, buf, sizeof(buf), &h);
	nip_w_contract_begin(&w, 0, 0);
	nip_w_latency(&w, &bad, true);
	CHECK_EQ(nip_w_finish(&w, NULL, 0), NIP_E_INVAL);
	h.dst.len = 0;
	nip_w_init(&w, buf, sizeof(buf), &h);
	CHECK_EQ(nip_w_finish(&w, NULL, 0), NIP_E_ADDR_LEN);
	/* header too long: 32+32 addresses and 200 octets of padding */
	uint8_t pad[200] = { 0 };
	h = hdr("x00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff",
		"x00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff");
	nip_w_init(&w, buf, sizeof(buf), &h);
	nip_w_contract_begin(&w, 0, 0);
	nip_w_item(&w, 0, pad, 100);
	nip_w_block_end(&w);
	CHECK(nip_w_finish(&w, NULL, 0) < 0);
}

/* One mutation, one expected error and offset: each rule of spec §7. */
struct mutation {
	const char *what;
	unsigned at;
	uint8_t value;
	int err;
	unsigned err_off;
};

static void each_error(void)
{
	uint8_t orig[512], buf[512];
	struct nip_pkt p;
	int n = full_packet(orig, sizeof(orig));
	CHECK_EQ(nip_pkt_parse(&p, orig, (size_t)n), 0);
	unsigned c = p.contract_off, s = p.security_off, k = p.chunk_off;
	const struct mutation m[] = {
		{ "version 6", 0, 0x6b, NIP_E_VERSION, 0 },
		{ "reserved flag", 9, 0xe1, NIP_E_RESERVED, 9 },
		{ "dst length 0", 10, 0, NIP_E_ADDR_LEN, 10 },
		{ "src length 33", 11, 33, NIP_E_ADDR_LEN, 11 },
		{ "header length below addresses", 8, 23, NIP_E_HDR_LEN, 8 },
		{ "contract length 5", c, 5, NIP_E_BLOCK_LEN, c },
		{ "contract past header", c, 250, NIP_E_BLOCK_LEN, c },
		{ "latency wrong length", c + 7, 8, NIP_E_BAD_ITEM, c + 6 },
		{ "latency bad mode", c + 8, 2, NIP_E_BAD_ITEM, c + 6 },
		{ "unknown clause with M", c + 17, 0x85, NIP_E_MUST_UNDERSTAND, c + 17 },
		{ "duplicate clause", c + 17, 0x81, NIP_E_DUP_ITEM, c + 17 },
		{ "padding with M", c + 22, 0x80, NIP_E_MUST_UNDERSTAND, c + 22 },
		{ "priority 8", c + 26, 8, NIP_E_BAD_ITEM, c + 24 },
		{ "security reserved", s + 1, 1, NIP_E_RESERVED, s + 1 },
		{ "auth bad alg", s + 4, 2, NIP_E_BAD_ITEM, s + 2 },
		{ "item overrun", s + 3, 200, NIP_E_ITEM_OVERRUN, s + 2 },
		{ "chunk count 0", k + 1, 0, NIP_E_BAD_CHUNK, k + 1 },
		{ "chunk rsv", k + 2, 0x01, NIP_E_RESERVED, k + 2 },
		{ "essential chunk trimmed", k + 2, 0x08, NIP_E_BAD_CHUNK, k + 2 },
		{ "chunk lengths", k + 4, 5, NIP_E_BAD_CHUNK, k },
		{ "payload length", 5, 7, NIP_E_TRUNCATED, (unsigned)n },
	};
	for (size_t i = 0; i < sizeof(m) / sizeof(m[0]); i++) {
		memcpy(buf, orig, (size_t)n);
		buf[m[i].at] = m[i].value;
		int rc = nip_pkt_parse(&p, buf, (size_t)n);
		if (rc != m[i].err || p.err_off != m[i].err_off)
			fprintf(stderr, "%s: got %s@%u\n", m[i].what, nip_strerror(rc), p.err_off);
		CHECK_EQ(rc, m[i].err);
		CHECK_EQ(p.err_off, m[i].err_off);
	}
}

/* Every prefix of a valid packet is rejected, never read past. */
static void truncations(void)
{
	uint8_t buf[512];
	struct nip_pkt p;
	int n = full_packet(buf, sizeof(buf));

	for (int len = 0; len < n; len++) {
		uint8_t *copy = malloc((size_t)len + 1); /* exact size: ASan sees any overread */
		memcpy(copy, buf, (size_t)len);
		CHECK_EQ(nip_pkt_parse(&p, copy, (size_t)len), NIP_E_TRUNCATED);
		free(copy);
	}
}

/* Random mutations: parse never crashes; whatever parses re-encodes byte for byte. */
static void mutations_roundtrip(void)
{
	uint8_t orig[512], buf[512], out[1024];
	uint64_t seed = 99;
	int n = full_packet(orig, sizeof(orig)), ok = 0;
	struct nip_pkt p;

	for (int i = 0; i < 200000; i++) {
		memcpy(buf, orig, (size_t)n);
		for (int k = 0, m = 1 + (int)(rnd(&seed) % 3); k < m; k++)
			buf[rnd(&seed) % (unsigned)n] = (uint8_t)rnd(&seed);
		size_t len = (size_t)n - (rnd(&seed) % 4 == 0 ? rnd(&seed) % (unsigned)n : 0);
		if (nip_pkt_parse(&p, buf, len) == 0) {
			ok++;
			CHECK_EQ(nip_pkt_reencode(&p, out, sizeof(out)), p.len);
			CHECK(memcmp(out, buf, p.len) == 0);
		}
	}
	CHECK(ok > 1000); /* the mutations also exercised the success path */
}

static void latency_update(void)
{
	uint8_t buf[512];
	struct nip_pkt p;
	int n = full_packet(buf, sizeof(buf));

	CHECK_EQ(nip_pkt_parse(&p, buf, (size_t)n), 0);
	nip_pkt_add_latency(buf, &p, 1000);
	CHECK_EQ(nip_pkt_parse(&p, buf, (size_t)n), 0);
	CHECK_EQ(p.acc_latency_us, 1777);
	CHECK_EQ(p.hops_updated, 4);
	nip_pkt_add_latency(buf, &p, UINT32_MAX);
	CHECK_EQ(nip_pkt_parse(&p, buf, (size_t)n), 0);
	CHECK_EQ(p.acc_latency_us, UINT32_MAX);
	CHECK_EQ(nip_pkt_dec_hop(buf), 63);
}

RUN_TESTS(T(base_fields), T(all_blocks), T(writer_rules), T(each_error), T(truncations),
	  T(mutations_roundtrip), T(latency_update))
