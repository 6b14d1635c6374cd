/* libFuzzer: packet parser. Whatever parses must re-encode byte for byte (docs/spec.md §2). */
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
	static char desc[16384];
	struct nip_pkt p;
	struct nip_ncmp m;
	struct nip_chunk c;

	if (nip_pkt_parse(&p, data, size) != 0)
		return 0;
	int n = nip_pkt_reencode(&p, out, sizeof(out));
	if (n != (int)p.len || memcmp(out, data, p.len) != 0)
		abort();
	if (nip_pkt_describe(&p, desc, sizeof(desc)) < 0)
		abort();
	for (unsigned i = 0; i < p.n_chunks; i++)
		if (nip_pkt_chunk(&p, i, &c) != 0 || (c.data && c.data + c.length > data + p.len))
			abort();
	if (p.next_hdr == NIP_PROTO_NCMP && nip_ncmp_parse(&m, &p) == 0 &&
	    m.body + m.body_len != data + p.len)
		abort();
	/* The crypto and checksum paths locate fields from the view: drive them too. */
	static const uint8_t key[NIP_AUTH_KEY_LEN];
	uint8_t digest[16];
	nip_pkt_digest(&p, digest);
	nip_l4_csum_check(&p);
	if (p.auth_off && nip_sec_auth_verify(&p, key) == NIP_E_NOTFOUND)
		abort();
	if (p.sig_off && nip_sec_verify(&p) == NIP_E_NOTFOUND)
		abort();
	return 0;
}
