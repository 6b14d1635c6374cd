/* libFuzzer: NLS routing messages (docs/spec.md §9). A decoded LSA re-encodes byte for byte
 * (a signed one, §9.1, up to its trailer, whose signature check must not fault). */
#include <stdlib.h>
#include <string.h>

#include "newip/newip.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return nip_crypto_init() == 0 ? 0 : -1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t out[70000];
	struct nls_hello h;
	struct nls_ack a[255];
	struct nls_lsa lsa;
	uint64_t rid;

	/* Bare LSAs, as a router meets them inside an update. */
	for (size_t pos = 0; pos < size;) {
		int n = nls_lsa_decode(&lsa, data + pos, size - pos);
		if (n <= 0)
			break;
		int m = nls_lsa_encode(out, sizeof(out), &lsa);
		nls_lsa_set_age(out, lsa.age);
		if (lsa.is_signed) {
			(void)nls_lsa_verify(data + pos, (size_t)n);
			if (m != n - NLS_SIG_LEN || memcmp(out, data + pos, 14) != 0 ||
			    memcmp(out + 18, data + pos + 18, (size_t)m - 18) != 0)
				abort();
		} else if (m != n || memcmp(out, data + pos, (size_t)n) != 0) {
			abort();
		}
		pos += (size_t)n;
	}
	int type = nls_parse_hdr(data, size, &rid);
	if (type == NLS_HELLO && nls_hello_decode(&h, data, size) == 0) {
		int m = nls_hello_encode(out, sizeof(out), rid, &h);
		if (m != (int)size || memcmp(out, data, size) != 0)
			abort();
	}
	if (type == NLS_ACK) {
		int n = nls_ack_decode(a, 255, data, size);
		if (n >= 0 && (nls_ack_encode(out, sizeof(out), rid, a, (unsigned)n) != (int)size ||
			       memcmp(out, data, size) != 0))
			abort();
	}
	return 0;
}
