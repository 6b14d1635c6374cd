/* Write seed inputs for fuzz_nls: a hello, an LSA, a signed LSA (§9.1) and an acknowledgement.
 * Usage: nls_seeds DIR */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "newip/newip.h"

static void put(const char *dir, const char *name, const uint8_t *b, int n)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (n > 0 && (f = fopen(path, "wb"))) {
		fwrite(b, 1, (size_t)n, f);
		fclose(f);
	}
}

int main(int argc, char **argv)
{
	uint8_t b[2048];
	struct nls_hello h = {.hello_ms = 100, .dead_ms = 400, .mtu = 1500, .n = 2, .nbr = {1, 2}};
	struct nls_lsa l = {.origin = 7, .seq = 9, .age = 3, .n_links = 2, .n_prefixes = 2};
	struct nls_ack a[2] = {{7, 9}, {8, 1}};

	if (argc != 2 || nip_crypto_init() < 0)
		return 2;
	strcpy(l.name, "r1");
	l.links[0].nbr = 1, l.links[0].metric = 10, l.links[1].nbr = 2, l.links[1].metric = 20;
	nip_prefix_parse(&l.prefixes[0], "x0a00/16");
	nip_prefix_parse(&l.prefixes[1], "2001:db8::/32");
	put(argv[1], "hello", b, nls_hello_encode(b, sizeof(b), 42, &h));
	int n = nls_lsa_encode(b, sizeof(b), &l);
	put(argv[1], "lsa", b, n);
	uint8_t pk[32], sk[64];
	crypto_sign_keypair(pk, sk);
	put(argv[1], "lsa-signed", b, nls_lsa_sign(b, sizeof(b), (size_t)n, 1795000000u, pk, sk));
	put(argv[1], "ack", b, nls_ack_encode(b, sizeof(b), 42, a, 2));
	return 0;
}
