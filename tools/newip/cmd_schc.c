/* newip schc compress|decompress: the SCHC engine (docs/spec.md §13) on hex, in the form
 * OpenSCHC's samples use (HEX/BITS), so its output diffs against another implementation's. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "schc.h"

static int unhex(const char *s, uint8_t *out, size_t cap, size_t *nbits)
{
	size_t n = 0;
	const char *slash;

	while (*s == ' ' || *s == '\t')
		s++;
	slash = strchr(s, '/');
	for (; *s && *s != '/' && *s != '\n' && *s != '\r' && *s != ' '; s += 2) {
		unsigned v;
		if (!s[1] || n == cap || sscanf(s, "%2x", &v) != 1 || !strchr("0123456789abcdefABCDEF",
									      s[1]))
			return -1;
		out[n++] = (uint8_t)v;
	}
	*nbits = 8 * n;
	if (slash) {
		char *end;
		unsigned long b = strtoul(slash + 1, &end, 10);
		if (end == slash + 1 || b > 8 * n || b + 7 < 8 * n)
			return -1;
		*nbits = b;
	}
	return 0;
}

static void hex(FILE *f, const uint8_t *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%02x", b[i]);
}

static int one(const struct schc_rules *rs, bool comp, enum schc_dir dir, const char *in,
	       bool verbose)
{
	uint8_t a[SCHC_PKT_MAX + 64], b[SCHC_PKT_MAX + 64];
	size_t nbits, outbits;
	int r;

	if (unhex(in, a, sizeof(a), &nbits) < 0) {
		fprintf(stderr, "newip schc: not HEX or HEX/BITS: %s\n", in);
		return EX_FAIL;
	}
	if (comp) {
		r = rs->n_rules == 1 ? schc_compress_rule(rs, 0, dir, a, nbits / 8, b, sizeof(b), &outbits) :
				       schc_compress(rs, dir, a, nbits / 8, b, sizeof(b), &outbits);
		if (r < 0) {
			fprintf(stderr, "newip schc: no rule compresses this packet (and no "
					"NoCompression rule)\n");
			return EX_FAIL;
		}
		hex(stdout, b, (outbits + 7) / 8);
		printf("/%zu\n", outbits);
	} else {
		int n = schc_decompress(rs, dir, a, nbits, b, sizeof(b), &r);
		if (n < 0) {
			fprintf(stderr, "newip schc: cannot decompress: %s\n",
				r < 0 ? "no rule has its RuleID" : rs->rules[r].kind == SCHC_RULE_FRAG ?
				"a fragment (reassemble first)" : "the residue runs past the end");
			return EX_FAIL;
		}
		outbits = (size_t)n * 8;
		hex(stdout, b, (size_t)n);
		printf("\n");
	}
	if (verbose && r >= 0)
		fprintf(stderr, "rule %d (RuleID %u/%u%s%s): %zu bits -> %zu bits\n", r + 1,
			rs->rules[r].id, rs->rules[r].id_len, rs->rules[r].name[0] ? ", " : "",
			rs->rules[r].name, nbits, outbits);
	return EX_OK;
}

int cmd_schc(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = { { "rules", 1, 0, 'r' }, { "rule", 1, 0, 'R' },
					      { "dir", 1, 0, 'd' }, { "verbose", 0, 0, 'v' },
					      { 0, 0, 0, 0 } };
	const char *rules = NULL, *only = NULL;
	enum schc_dir dir = SCHC_UP;
	bool verbose = false, comp;
	struct schc_rules rs;
	char err[SCHC_ERR];
	int o, rc = EX_OK;

	(void)c;
	optind = 1;
	while ((o = getopt_long(argc, argv, "r:R:d:v", opts, NULL)) != -1) {
		if (o == 'r')
			rules = optarg;
		else if (o == 'R')
			only = optarg;
		else if (o == 'v')
			verbose = true;
		else if (o == 'd' && (!strcmp(optarg, "up") || !strcmp(optarg, "down")))
			dir = !strcmp(optarg, "up") ? SCHC_UP : SCHC_DOWN;
		else
			goto usage;
	}
	if (optind >= argc || !rules || (strcmp(argv[optind], "compress") &&
					 strcmp(argv[optind], "decompress")))
		goto usage;
	comp = !strcmp(argv[optind++], "compress");
	if (schc_rules_load(&rs, rules, only, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		return EX_FAIL;
	}
	if (optind < argc) {
		while (optind < argc && rc == EX_OK)
			rc = one(&rs, comp, dir, argv[optind++], verbose);
	} else {
		char line[16384];
		while (fgets(line, sizeof(line), stdin))
			if (line[0] != '\n' && line[0] != '#' && one(&rs, comp, dir, line, verbose))
				rc = EX_FAIL;
	}
	schc_rules_free(&rs);
	return rc;
usage:
	fprintf(stderr, "usage: newip schc compress|decompress --rules R.json [--rule NAME] "
			"[--dir up|down] [-v] [HEX[/BITS]...]\n"
			"  (one packet per argument, else per line of stdin; out: HEX/BITS or HEX)\n");
	return EX_USAGE;
}
