/*
 * The test vectors of docs/vectors/: every valid one decodes to its stated fields and
 * re-encodes byte for byte; every malformed one gives its stated error at its stated offset.
 * Also checks that the set covers every address length class, block, NCMP type and error.
 */
#include <dirent.h>
#include <sodium.h>

#include "harness.h"
#include "newip/newip.h"

struct vector {
	char name[256];
	uint8_t b[4096];
	size_t len;
	char fields[16384];
	char error[64];
	long offset;
	char checks[1024];
};

static int unhex(uint8_t *out, size_t cap, const char *s, size_t *len)
{
	size_t n = strlen(s);

	if (n % 2 || n / 2 > cap)
		return -1;
	for (size_t i = 0; i < n / 2; i++) {
		unsigned v;
		if (sscanf(s + 2 * i, "%2x", &v) != 1)
			return -1;
		out[i] = (uint8_t)v;
	}
	*len = n / 2;
	return 0;
}

/* Append src and a newline to dst (size octets), failing the test if it does not fit. */
static void append(char *dst, size_t size, const char *src, const char *nl)
{
	size_t n = strlen(dst), m = strlen(src), k = strlen(nl);

	CHECK(n + m + k < size);
	memcpy(dst + n, src, m);
	memcpy(dst + n + m, nl, k + 1);
}

static void load(struct vector *v, const char *path)
{
	static char line[20000];
	FILE *f = fopen(path, "r");

	CHECK(f != NULL);
	memset(v, 0, sizeof(*v));
	v->offset = -1;
	snprintf(v->name, sizeof(v->name), "%s", strrchr(path, '/') + 1);
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		if (strncmp(line, "hex: ", 5) == 0)
			CHECK_EQ(unhex(v->b, sizeof(v->b), line + 5, &v->len), 0);
		else if (strncmp(line, "field: ", 7) == 0)
			append(v->fields, sizeof(v->fields), line + 7, "\n");
		else if (strncmp(line, "error: ", 7) == 0)
			append(v->error, sizeof(v->error), line + 7, "");
		else if (strncmp(line, "offset: ", 8) == 0)
			v->offset = atol(line + 8);
		else if (strncmp(line, "check: ", 7) == 0)
			append(v->checks, sizeof(v->checks), line + 7, "\n");
		else
			CHECK(line[0] == '#' || line[0] == '\0');
	}
	fclose(f);
	CHECK(v->len > 0);
}

/* The extra "check:" lines: properties beyond the decoded fields. */
static void extra_checks(const struct vector *v, const struct nip_pkt *p)
{
	if (strstr(v->checks, "l4-checksum\n"))
		CHECK_EQ(nip_l4_csum_check(p), 0);
	if (strstr(v->checks, "signature\n"))
		CHECK_EQ(nip_sec_verify(p), 0);
	const char *k = strstr(v->checks, "auth-key=");
	if (k) {
		uint8_t key[32];
		size_t n;
		char hex[65];
		memcpy(hex, k + 9, 64);
		hex[64] = '\0';
		CHECK_EQ(unhex(key, sizeof(key), hex, &n), 0);
		CHECK_EQ(nip_sec_auth_verify(p, key), 0);
		key[0] ^= 1;
		CHECK_EQ(nip_sec_auth_verify(p, key), NIP_E_AUTH);
	}
	if (strstr(v->checks, "chunk-checksums\n"))
		for (unsigned i = 0; i < p->n_chunks; i++) {
			struct nip_chunk c;
			CHECK_EQ(nip_pkt_chunk(p, i, &c), 0);
			if (!c.trimmed)
				CHECK_EQ(nip_inet_csum(c.data, c.length), c.checksum);
		}
	if (p->next_hdr == NIP_PROTO_NCMP) {
		struct nip_ncmp m;
		CHECK_EQ(nip_ncmp_parse(&m, p), 0);
	}
}

struct coverage {
	unsigned addr_lens[NIP_ADDR_MAX + 1], flags, ncmp_types[256], errors[NIP_ERR_COUNT];
	unsigned valid, bad;
};

static void check_one(const struct vector *v, struct coverage *cov)
{
	static char desc[16384];
	static uint8_t out[4096];
	struct nip_pkt p;
	int rc = nip_pkt_parse(&p, v->b, v->len);

	if (v->error[0]) {
		int want = nip_err_from_name(v->error);
		if (rc != want || (long)p.err_off != v->offset)
			fprintf(stderr, "%s: got %s@%u, want %s@%ld\n", v->name, nip_strerror(rc),
				p.err_off, v->error, v->offset);
		CHECK(want < 0);
		CHECK_EQ(rc, want);
		CHECK_EQ(p.err_off, v->offset);
		cov->errors[-want]++;
		cov->bad++;
		return;
	}
	if (rc != 0)
		fprintf(stderr, "%s: %s@%u\n", v->name, nip_strerror(rc), p.err_off);
	CHECK_EQ(rc, 0);
	CHECK_EQ(p.len, v->len);
	CHECK(nip_pkt_describe(&p, desc, sizeof(desc)) > 0);
	if (strcmp(desc, v->fields) != 0)
		fprintf(stderr, "%s: decoded fields differ\n", v->name);
	CHECK_STR(desc, v->fields);
	CHECK_EQ(nip_pkt_reencode(&p, out, sizeof(out)), (int)v->len);
	CHECK(memcmp(out, v->b, v->len) == 0);
	extra_checks(v, &p);
	cov->addr_lens[p.dst_len]++;
	cov->addr_lens[p.src_len]++;
	cov->flags |= p.flags;
	if (p.next_hdr == NIP_PROTO_NCMP)
		cov->ncmp_types[p.payload[0]]++;
	cov->valid++;
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static int is_vec(const struct dirent *d)
{
	size_t n = strlen(d->d_name);
	return n > 4 && strcmp(d->d_name + n - 4, ".vec") == 0;
}

static void all_vectors(void)
{
	static struct vector v;
	static struct coverage cov;
	struct dirent **list;
	char dir[512], path[1024];

	CHECK_EQ(nip_crypto_init(), 0);
	snprintf(dir, sizeof(dir), "%s/docs/vectors", NIP_SOURCE_DIR);
	int n = scandir(dir, &list, is_vec, by_name);
	CHECK(n > 0);
	for (int i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, list[i]->d_name);
		load(&v, path);
		check_one(&v, &cov);
		free(list[i]);
	}
	free(list);
	printf("%u valid vectors, %u malformed\n", cov.valid, cov.bad);
	CHECK(cov.valid >= 20);
	static const unsigned lens[] = { 1, 2, 3, 4, 8, 16, 32 };
	for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++)
		CHECK(cov.addr_lens[lens[i]] > 0);
	CHECK_EQ(cov.flags, NIP_F_CONTRACT | NIP_F_SECURITY | NIP_F_CHUNK);
	static const uint8_t types[] = { 1, 2, 3, 4, 5, 128, 129, 130, 131 };
	for (size_t i = 0; i < sizeof(types); i++)
		CHECK(cov.ncmp_types[types[i]] > 0);
	for (int e = 1; e <= 11; e++) {
		if (!cov.errors[e])
			fprintf(stderr, "no malformed vector gives \"%s\"\n", nip_strerror(-e));
		CHECK(cov.errors[e] > 0);
	}
}

RUN_TESTS(T(all_vectors))
