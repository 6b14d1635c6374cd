/* Address text forms, comparison and prefix match (docs/spec.md §4). */
#include "harness.h"
#include "newip/addr.h"
#include "newip/error.h"

static void roundtrip(const char *in, const char *canon, unsigned len)
{
	struct nip_addr a, b;
	char s[NIP_ADDR_STRLEN];

	CHECK_EQ(nip_addr_parse(&a, in), 0);
	CHECK_EQ(a.len, len);
	CHECK(nip_addr_format(&a, s, sizeof(s)) > 0);
	CHECK_STR(s, canon);
	CHECK_EQ(nip_addr_parse(&b, s), 0);
	CHECK(nip_addr_eq(&a, &b));
}

static void text_forms(void)
{
	roundtrip("192.0.2.1", "192.0.2.1", 4);
	roundtrip("2001:db8::1", "2001:db8::1", 16);
	roundtrip("2001:0DB8:0:0::1", "2001:db8::1", 16);
	roundtrip("x2a", "x2a", 1);
	roundtrip("x0a01", "x0a01", 2);
	roundtrip("X0A.01", "x0a01", 2);
	roundtrip("x0a0102", "x0a01.02", 3);
	roundtrip("xc0000201", "192.0.2.1", 4);
	roundtrip("x0011223344556677", "x0011.2233.4455.6677", 8);
	roundtrip("x00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff",
		  "x0011.2233.4455.6677.8899.aabb.ccdd.eeff.0011.2233.4455.6677.8899.aabb.ccdd.eeff",
		  32);
}

static void text_errors(void)
{
	static const char *bad[] = { "",	 "x",	     "x0",	"x0g",	   "x.00", "x00.",
				     "x00..01", "1.2.3",     "1.2.3.4.5", "256.1.1.1", "::g",  "hello",
				     "x 00",	 "01.2.3.4x", "1.2.3.4/8" };
	struct nip_addr a;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int rc = nip_addr_parse(&a, bad[i]);
		if (rc != NIP_E_SYNTAX)
			fprintf(stderr, "input \"%s\" gave %d\n", bad[i], rc);
		CHECK_EQ(rc, NIP_E_SYNTAX);
	}
	/* 33 octets: one too many */
	CHECK_EQ(nip_addr_parse(&a, "x00112233445566778899aabbccddeeff00112233445566778899aabbccdd"
				    "eeff00"),
		 NIP_E_ADDR_LEN);
	char small[4];
	CHECK_EQ(nip_addr_parse(&a, "192.0.2.1"), 0);
	CHECK_EQ(nip_addr_format(&a, small, sizeof(small)), NIP_E_NOSPACE);
}

/* Every length, random octets: format then parse gives the same address back. */
static void random_roundtrip(void)
{
	uint64_t seed = 42;
	struct nip_addr a, b;
	char s[NIP_ADDR_STRLEN];

	for (int i = 0; i < 20000; i++) {
		a.len = (uint8_t)(1 + rnd(&seed) % NIP_ADDR_MAX);
		for (unsigned k = 0; k < a.len; k++)
			a.b[k] = (uint8_t)rnd(&seed);
		CHECK(nip_addr_format(&a, s, sizeof(s)) > 0);
		CHECK_EQ(nip_addr_parse(&b, s), 0);
		CHECK(nip_addr_eq(&a, &b));
	}
}

static void compare(void)
{
	struct nip_addr a, b, c;

	nip_addr_parse(&a, "x0a01");
	nip_addr_parse(&b, "10.0.0.1");
	nip_addr_parse(&c, "10.0.0.2");
	CHECK(nip_addr_cmp(&a, &b) < 0); /* shorter first */
	CHECK(nip_addr_cmp(&b, &c) < 0);
	CHECK(nip_addr_cmp(&c, &b) > 0);
	CHECK(!nip_addr_eq(&a, &b));
}

static void prefixes(void)
{
	struct nip_prefix p;
	struct nip_addr a;
	char s[NIP_ADDR_STRLEN];

	CHECK_EQ(nip_prefix_parse(&p, "10.0.0.0/8"), 0);
	CHECK_EQ(p.plen, 8);
	CHECK(nip_prefix_format(&p, s, sizeof(s)) > 0);
	CHECK_STR(s, "10.0.0.0/8");
	nip_addr_parse(&a, "10.9.8.7");
	CHECK(nip_prefix_match(&p, &a));
	nip_addr_parse(&a, "11.0.0.0");
	CHECK(!nip_prefix_match(&p, &a));
	/* routing keys include the length: a 2-octet address starting 0x0a is not in 10/8 */
	nip_addr_parse(&a, "x0a00");
	CHECK(!nip_prefix_match(&p, &a));
	CHECK_EQ(nip_prefix_parse(&p, "x0a00/8"), 0);
	CHECK(nip_prefix_match(&p, &a));

	CHECK_EQ(nip_prefix_parse(&p, "default"), 0);
	CHECK(nip_prefix_match(&p, &a));
	CHECK(nip_prefix_format(&p, s, sizeof(s)) > 0);
	CHECK_STR(s, "default");

	CHECK_EQ(nip_prefix_parse(&p, "2001:db8::/32"), 0);
	nip_addr_parse(&a, "2001:db8:ffff::1");
	CHECK(nip_prefix_match(&p, &a));
	CHECK_EQ(nip_prefix_parse(&p, "10.0.0.1/24"), NIP_E_PREFIX_BITS);
	CHECK_EQ(nip_prefix_parse(&p, "10.0.0.0/33"), NIP_E_SYNTAX);
	CHECK_EQ(nip_prefix_parse(&p, "10.0.0.0/"), NIP_E_SYNTAX);
	CHECK_EQ(nip_prefix_parse(&p, "10.0.0.0/08"), NIP_E_SYNTAX);
	CHECK_EQ(nip_prefix_parse(&p, "10.0.0.0/-1"), NIP_E_SYNTAX);
	CHECK_EQ(nip_prefix_parse(&p, "10.0.0.0"), NIP_E_SYNTAX);
	CHECK_EQ(nip_prefix_parse(&p, "x0a0/4"), NIP_E_SYNTAX);
	CHECK_EQ(nip_prefix_parse(&p, "x0a00/0"), NIP_E_PREFIX_BITS);
	CHECK_EQ(nip_prefix_parse(&p, "x0000/0"), 0);

	struct nip_prefix q;
	nip_prefix_parse(&p, "10.0.0.0/8");
	nip_prefix_parse(&q, "10.0.0.0/8");
	CHECK(nip_prefix_eq(&p, &q));
	nip_prefix_parse(&q, "10.0.0.0/9");
	CHECK(!nip_prefix_eq(&p, &q));
	nip_prefix_parse(&q, "x0a00/8"); /* same bits, another length: another prefix */
	CHECK(!nip_prefix_eq(&p, &q));
}

/* Reference model: prefix match against a bit-by-bit walk of the routing key (§4.2). */
static void match_reference(void)
{
	uint64_t seed = 7;

	for (int i = 0; i < 50000; i++) {
		struct nip_prefix p = { 0 };
		struct nip_addr a = { 0 };
		p.addr.len = (uint8_t)(1 + rnd(&seed) % 6);
		a.len = rnd(&seed) % 4 ? p.addr.len : (uint8_t)(1 + rnd(&seed) % 6);
		p.plen = (uint16_t)(rnd(&seed) % (8u * p.addr.len + 1));
		for (unsigned k = 0; k < a.len; k++)
			a.b[k] = (uint8_t)rnd(&seed);
		for (unsigned k = 0; k < p.addr.len; k++)
			p.addr.b[k] = rnd(&seed) % 2 && k < a.len ? a.b[k] : (uint8_t)rnd(&seed);
		for (unsigned b = p.plen; b < 8u * p.addr.len; b++)
			p.addr.b[b / 8] &= (uint8_t)~(0x80 >> (b % 8));
		bool want = true;
		for (unsigned b = 0; b < 8u + p.plen; b++)
			if (b >= 8u + 8u * a.len ||
			    nip_key_bit(p.addr.b, p.addr.len, b) != nip_key_bit(a.b, a.len, b))
				want = false;
		CHECK_EQ(nip_prefix_match(&p, &a), want);
	}
}

RUN_TESTS(T(text_forms), T(text_errors), T(random_roundtrip), T(compare), T(prefixes),
	  T(match_reference))
