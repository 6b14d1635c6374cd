/* Key files (include/newip/keyfile.h): a key survives the round trip, makes the address of
 * docs/spec.md §4.3, and a key file others may read, a damaged one or an existing path are
 * refused. */
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"
#include "newip/keyfile.h"
#include "newip/newip.h"

static char dir[] = "/tmp/nip-keytest.XXXXXX";

static void path_of(char *p, size_t n, const char *name)
{
	snprintf(p, n, "%s/%s", dir, name);
}

static void cleanup(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	CHECK(system(cmd) == 0);
}

static void round_trip(void)
{
	struct nip_identity a, b;
	struct nip_addr x, y;
	char p[128], err[256];
	struct stat st;
	uint8_t pre[16] = { 0x20, 0x01, 0x0d, 0xb8 };

	CHECK_EQ(nip_crypto_init(), 0);
	CHECK(mkdtemp(dir));
	path_of(p, sizeof(p), "a.key");
	CHECK_EQ(nip_key_generate(p, &a, err, sizeof(err)), 0);
	CHECK_EQ(stat(p, &st), 0);
	CHECK_EQ(st.st_mode & 0777, 0600);
	CHECK_EQ(st.st_size, 45); /* 44 base64 characters and a newline */
	CHECK_EQ(nip_key_load(p, &b, err, sizeof(err)), 0);
	CHECK(memcmp(a.pk, b.pk, NIP_PK_LEN) == 0);
	CHECK(memcmp(a.sk, b.sk, NIP_SK_LEN) == 0);
	/* the address it makes is self-certifying for it, and for no other key */
	nip_addr_selfcert(&x, pre, 16, b.pk);
	CHECK_EQ(x.len, 32);
	CHECK(nip_addr_is_selfcert(x.b, x.len, a.pk));
	CHECK_EQ(nip_key_generate(p, &b, err, sizeof(err)), -1); /* never over a key */
	CHECK(strstr(err, "never overwritten"));
	path_of(p, sizeof(p), "b.key");
	CHECK_EQ(nip_key_generate(p, &b, err, sizeof(err)), 0);
	nip_addr_selfcert(&y, pre, 16, b.pk);
	CHECK(!nip_addr_eq(&x, &y));
	CHECK(!nip_addr_is_selfcert(x.b, x.len, b.pk));
	nip_key_forget(&b);
	for (unsigned i = 0; i < NIP_SK_LEN; i++)
		CHECK_EQ(b.sk[i], 0);
	cleanup();
}

static void refused(void)
{
	struct nip_identity a;
	char p[128], err[256];
	int fd;

	CHECK_EQ(nip_crypto_init(), 0);
	CHECK(mkdtemp(dir));
	path_of(p, sizeof(p), "open.key");
	CHECK_EQ(nip_key_generate(p, &a, err, sizeof(err)), 0);
	CHECK_EQ(chmod(p, 0640), 0);
	CHECK_EQ(nip_key_load(p, &a, err, sizeof(err)), -1);
	CHECK(strstr(err, "readable by others (mode 0640); run: chmod 600"));
	path_of(p, sizeof(p), "bad.key");
	fd = open(p, O_WRONLY | O_CREAT, 0600);
	CHECK(write(fd, "not base64 at all!\n", 19) == 19);
	close(fd);
	CHECK_EQ(nip_key_load(p, &a, err, sizeof(err)), -1);
	CHECK(strstr(err, "not a key"));
	path_of(p, sizeof(p), "missing.key");
	CHECK_EQ(nip_key_load(p, &a, err, sizeof(err)), -1);
	CHECK(strstr(err, "No such file"));
	cleanup();
}

RUN_TESTS(T(round_trip), T(refused))
