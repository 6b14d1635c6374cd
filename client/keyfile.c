/* Key files for node identities (include/newip/keyfile.h); the secret never leaves memory
 * except into its own 0600 file, and is wiped from every buffer it passed through. */
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "newip/keyfile.h"

#define B64_VARIANT sodium_base64_VARIANT_ORIGINAL
#define SEED_B64_LEN 44 /* base64 of 32 octets, with padding */

int nip_key_generate(const char *path, struct nip_identity *id, char *err, size_t errlen)
{
	char text[SEED_B64_LEN + 2];
	int fd;

	crypto_sign_keypair(id->pk, id->sk);
	sodium_bin2base64(text, sizeof(text), id->sk, 32, B64_VARIANT);
	strcat(text, "\n");
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s%s", path, strerror(errno),
			 errno == EEXIST ? " (a key is never overwritten: remove it first)" : "");
		sodium_memzero(text, sizeof(text));
		return -1;
	}
	/* umask may have cleared bits only; make sure nobody else may read it */
	ssize_t n = fchmod(fd, 0600) == 0 ? write(fd, text, strlen(text)) : -1;
	int saved = errno;
	sodium_memzero(text, sizeof(text));
	if (n != SEED_B64_LEN + 1 || close(fd) < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(n < 0 ? saved : errno));
		unlink(path);
		return -1;
	}
	return 0;
}

int nip_key_load(const char *path, struct nip_identity *id, char *err, size_t errlen)
{
	char text[128];
	uint8_t seed[32];
	size_t got = 0;
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC), rc = -1;
	ssize_t n;

	if (fd < 0 || fstat(fd, &st) < 0) {
		snprintf(err, errlen, "key %s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (st.st_mode & 077) {
		snprintf(err, errlen, "key %s is readable by others (mode %04o); run: chmod 600 %s",
			 path, (unsigned)(st.st_mode & 07777), path);
		close(fd);
		return -1;
	}
	n = read(fd, text, sizeof(text) - 1);
	close(fd);
	if (n > 0) {
		text[n] = '\0';
		text[strcspn(text, "\r\n")] = '\0';
	}
	if (n <= 0 || strlen(text) != SEED_B64_LEN ||
	    sodium_base642bin(seed, sizeof(seed), text, SEED_B64_LEN, NULL, &got, NULL, B64_VARIANT) ||
	    got != sizeof(seed)) {
		snprintf(err, errlen, "key %s: not a key (one line of base64, as `newip key gen` "
			 "writes)", path);
	} else {
		crypto_sign_seed_keypair(id->pk, id->sk, seed);
		rc = 0;
	}
	sodium_memzero(text, sizeof(text));
	sodium_memzero(seed, sizeof(seed));
	return rc;
}

void nip_key_public_b64(const struct nip_identity *id, char out[NIP_KEY_B64_LEN])
{
	sodium_bin2base64(out, NIP_KEY_B64_LEN, id->pk, NIP_PK_LEN, B64_VARIANT);
}

void nip_key_forget(struct nip_identity *id)
{
	sodium_memzero(id, sizeof(*id));
}
