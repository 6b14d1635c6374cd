/* newip shutoff | filters | sav: the guard of docs/spec.md §6.5, §6.6, §11. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "newip/units.h"

/* The victim's entry for source → destination, or NULL. Borrowed from r. */
static json_t *requested(json_t *r, const char *src, const char *dst)
{
	json_t *x;
	size_t i;

	json_array_foreach(json_object_get(r, "requested"), i, x)
		if (!strcmp(cli_jstr(x, "source"), src) && !strcmp(cli_jstr(x, "destination"), dst))
			return x;
	return NULL;
}

int cmd_shutoff(struct cli *c, int argc, char **argv)
{
	const char *src = NULL;
	long long secs = 60;
	bool wait = true;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--for") && i + 1 < argc) {
			int64_t us = nip_parse_time_us(argv[++i]);
			if (us < 1000000 || us > 3600000000ll || us % 1000000) {
				fprintf(stderr, "newip shutoff: --for '%s': give whole seconds from 1s to "
					"3600s (e.g. 60s, 10m)\n", argv[i]);
				return EX_USAGE;
			}
			secs = us / 1000000;
		} else if (!strcmp(argv[i], "--no-wait")) {
			wait = false;
		} else if (argv[i][0] != '-' && !src) {
			src = argv[i];
		} else {
			fprintf(stderr, "usage: newip shutoff SOURCE [--for 60s] [--no-wait]\n");
			return EX_USAGE;
		}
	}
	if (!src) {
		fprintf(stderr, "usage: newip shutoff SOURCE [--for 60s] [--no-wait]\n");
		return EX_USAGE;
	}
	bool json = c->json;
	c->json = json && !wait;
	json_t *r = cli_call(c, "shutoff", json_pack("{s:s, s:I}", "source", src, "duration_s",
						     (json_int_t)secs));
	if (!r)
		return EX_FAIL;
	char dst[NIP_ADDR_STRLEN], canon[NIP_ADDR_STRLEN];
	struct nip_addr a;
	snprintf(dst, sizeof(dst), "%s", cli_jstr(r, "destination"));
	nip_addr_parse(&a, src);
	nip_addr_format(&a, canon, sizeof(canon));
	json_decref(r);
	if (!wait) {
		if (!json)
			printf("shut-off of %s -> %s requested for %llds\n", canon, dst, secs);
		return EX_OK;
	}
	/* Three tries a second apart: the answer comes within about four seconds. */
	c->json = false;
	for (int tries = 0; tries < 250; tries++) {
		struct timespec ms20 = { 0, 20000000 };
		json_t *f = cli_call(c, "filters.show", NULL), *x;
		if (!f)
			return EX_FAIL;
		x = requested(f, canon, dst);
		const char *state = x ? cli_jstr(x, "state") : "gone";
		if (strcmp(state, "pending")) {
			int rc = !strcmp(state, "installed") ? EX_OK : EX_FAIL;
			if (json) {
				char *s = json_dumps(x, JSON_INDENT(2));
				puts(s ? s : "null");
				free(s);
			} else if (rc == EX_OK) {
				printf("shut-off of %s -> %s installed at the source's first hop for "
				       "%llds (answer in %.1f ms)\n", canon, dst, cli_jint(x, "granted_s"),
				       json_real_value(json_object_get(x, "answer_ms")));
			} else {
				fprintf(stderr, "newip shutoff: %s: %s\n", state,
					x && json_object_get(x, "answer") ? cli_jstr(x, "answer") :
					"no first-hop router answered (is the source behind a "
					"source-checked link?)");
			}
			json_decref(f);
			return rc;
		}
		json_decref(f);
		nanosleep(&ms20, NULL);
	}
	fprintf(stderr, "newip shutoff: no answer yet; see newip filters\n");
	return EX_FAIL;
}

static void print_filters(json_t *r)
{
	json_t *e = json_object_get(r, "at_edge"), *v = json_object_get(r, "requested"), *x;
	size_t i;

	if (json_array_size(e))
		printf("filters here, at the sources' edge:\n");
	json_array_foreach(e, i, x)
		printf("  %s -> %s on %s  %lld dropped  %.0fs left of %llds\n", cli_jstr(x, "source"),
		       cli_jstr(x, "destination"), cli_jstr(x, "link"), cli_jint(x, "hits"),
		       json_real_value(json_object_get(x, "expires_in_s")), cli_jint(x, "granted_s"));
	if (json_array_size(v))
		printf("shut-offs this node asked for:\n");
	json_array_foreach(v, i, x) {
		printf("  %s -> %s  %s%s", cli_jstr(x, "source"), cli_jstr(x, "destination"),
		       cli_jstr(x, "state"),
		       json_is_true(json_object_get(x, "automatic")) ? " (flood guard)" : "");
		if (json_object_get(x, "answer"))
			printf(" (%s)", cli_jstr(x, "answer"));
		if (!strcmp(cli_jstr(x, "state"), "installed"))
			printf("  %.0fs left  %lld still arrived",
			       json_real_value(json_object_get(x, "expires_in_s")), cli_jint(x, "hits"));
		printf("\n");
	}
	if (!json_array_size(e) && !json_array_size(v))
		printf("no shut-off filters\n");
}

int cmd_filters(struct cli *c, int argc, char **argv)
{
	(void)argc, (void)argv;
	return cli_show(c, "filters.show", print_filters);
}

static void print_sav(json_t *r)
{
	json_t *x;
	size_t i;

	json_array_foreach(json_object_get(r, "links"), i, x)
		printf("%-8s source-check %s\n", cli_jstr(x, "link"), cli_jstr(x, "source_check"));
	json_array_foreach(json_object_get(r, "registered_hosts"), i, x)
		printf("  host %s on %s, key id %s, %.0fs left\n", cli_jstr(x, "address"),
		       cli_jstr(x, "link"), cli_jstr(x, "key_id"),
		       json_real_value(json_object_get(x, "expires_in_s")));
	json_array_foreach(json_object_get(r, "registrations"), i, x) {
		printf("this node on %s: %s", cli_jstr(x, "link"), cli_jstr(x, "state"));
		if (json_object_get(x, "key_id"))
			printf(" as %s, key id %s", cli_jstr(x, "address"), cli_jstr(x, "key_id"));
		printf("\n");
	}
	printf("savi bindings %lld of %lld; digest cache %lld bytes, %lld packets\n",
	       cli_jint(r, "savi_bindings"), cli_jint(r, "savi_capacity"),
	       cli_jint(r, "digest_cache_bytes"), cli_jint(r, "digest_cache_inserts"));
}

int cmd_sav(struct cli *c, int argc, char **argv)
{
	(void)argc, (void)argv;
	return cli_show(c, "sav.show", print_sav);
}
