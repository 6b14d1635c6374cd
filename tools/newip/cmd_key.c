/* newip key gen|show: node identities (docs/spec.md §4.3), as wg(8) genkey/pubkey do. */
#include <string.h>

#include "cli.h"
#include "newip/keyfile.h"

static int key_usage(void)
{
	fprintf(stderr, "usage: newip key gen FILE\n"
			"       newip key show FILE [PREFIX]   (PREFIX: a 16-octet routing prefix)\n");
	return EX_USAGE;
}

/* What others may know of a key: its public half, its self-certifying identifier, and the
 * address it makes under a routing prefix. Never the secret. */
static int show(const struct nip_identity *id, const char *prefix_s, bool json)
{
	char pk[NIP_KEY_B64_LEN], ids[NIP_ADDR_STRLEN], addrs[NIP_ADDR_STRLEN] = "";
	struct nip_addr ident, prefix, addr;

	if (prefix_s && (nip_addr_parse(&prefix, prefix_s) < 0 || prefix.len != 16)) {
		fprintf(stderr, "newip key: '%s' is not a 16-octet routing prefix (e.g. "
				"2001:db8:1:2:: or x2001.0db8...)\n", prefix_s);
		return EX_USAGE;
	}
	nip_key_public_b64(id, pk);
	nip_addr_selfcert(&ident, NULL, 0, id->pk);
	nip_addr_format(&ident, ids, sizeof(ids));
	if (prefix_s) {
		nip_addr_selfcert(&addr, prefix.b, 16, id->pk);
		nip_addr_format(&addr, addrs, sizeof(addrs));
	}
	if (json) {
		json_t *j = json_pack("{s:s, s:s}", "public_key", pk, "identifier", ids);
		if (prefix_s)
			json_object_set_new(j, "address", json_string(addrs));
		char *s = json_dumps(j, JSON_INDENT(2));
		puts(s);
		free(s);
		json_decref(j);
	} else {
		printf("public-key  %s\nidentifier  %s\n", pk, ids);
		if (prefix_s)
			printf("address     %s\n", addrs);
	}
	return EX_OK;
}

int cmd_key(struct cli *c, int argc, char **argv)
{
	struct nip_identity id;
	char err[512];
	int rc;

	if (argc < 3 || (strcmp(argv[1], "gen") && strcmp(argv[1], "show")) ||
	    (argv[1][0] == 'g' && argc != 3) || argc > 4)
		return key_usage();
	if (nip_crypto_init() < 0) {
		fprintf(stderr, "newip key: libsodium could not start\n");
		return EX_FAIL;
	}
	if (argv[1][0] == 'g')
		rc = nip_key_generate(argv[2], &id, err, sizeof(err));
	else
		rc = nip_key_load(argv[2], &id, err, sizeof(err));
	if (rc < 0) {
		fprintf(stderr, "newip key: %s\n", err);
		return EX_USAGE;
	}
	rc = argv[1][0] == 'g' ? EX_OK : show(&id, argc == 4 ? argv[3] : NULL, c->json);
	nip_key_forget(&id);
	return rc;
}
