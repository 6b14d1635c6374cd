/* newip link | addr | route | stats: views of the control socket, and route changes. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static long long jint(json_t *o, const char *k)
{
	return (long long)json_integer_value(json_object_get(o, k));
}

/* Latency, pacing and each class's queue (spec §10): the link's egress in one glance. */
static void print_egress(json_t *l)
{
	json_t *q = json_object_get(l, "queues"), *x;
	const char *cls;

	printf("    latency %lldus", jint(l, "latency_us"));
	if (json_object_get(l, "delay_us"))
		printf(" (delay %lldus)", jint(l, "delay_us"));
	if (json_object_get(l, "rate_bps"))
		printf("  paced %.3f Mbit/s, sched %s", (double)jint(l, "rate_bps") / 1e6,
		       json_string_value(json_object_get(l, "sched")));
	printf("\n");
	json_object_foreach(q, cls, x) {
		if (!jint(x, "enqueued") && !jint(x, "drops_early") && !jint(x, "drops_full"))
			continue;
		printf("    %-8s depth %lld pkts %lld B  sojourn p50/p99/p99.9 %lld/%lld/%lld us  "
		       "drops full %lld early %lld late %lld aqm %lld  ce %lld\n",
		       cls, jint(x, "depth_packets"), jint(x, "depth_bytes"), jint(x, "sojourn_p50_us"),
		       jint(x, "sojourn_p99_us"), jint(x, "sojourn_p999_us"), jint(x, "drops_full"),
		       jint(x, "drops_early"), jint(x, "drops_late"), jint(x, "drops_aqm"),
		       jint(x, "ce_marks"));
	}
}

int cmd_link(struct cli *c, int argc, char **argv)
{
	(void)argc, (void)argv;
	json_t *r = cli_call(c, "link.show", NULL), *l;
	size_t i;

	if (!r)
		return EX_USAGE;
	if (!c->json)
		json_array_foreach(json_object_get(r, "links"), i, l) {
			const char *kind = json_string_value(json_object_get(l, "kind"));
			printf("%s: %s mtu %lld ", json_string_value(json_object_get(l, "name")), kind,
			       jint(l, "mtu"));
			if (!strcmp(kind, "udp"))
				printf("local %s peer %s\n", json_string_value(json_object_get(l, "local")),
				       json_string_value(json_object_get(l, "peer")));
			else
				printf("dev %s\n", json_string_value(json_object_get(l, "dev")));
			printf("    rx %lld packets %lld bytes   tx %lld packets %lld bytes %lld errors\n",
			       jint(l, "rx_packets"), jint(l, "rx_bytes"), jint(l, "tx_packets"),
			       jint(l, "tx_bytes"), jint(l, "tx_errors"));
			print_egress(l);
		}
	json_decref(r);
	return EX_OK;
}

int cmd_addr(struct cli *c, int argc, char **argv)
{
	(void)argc, (void)argv;
	json_t *r = cli_call(c, "addr.show", NULL), *a;
	size_t i;

	if (!r)
		return EX_USAGE;
	if (!c->json)
		json_array_foreach(json_object_get(r, "addresses"), i, a)
			printf("%s\n", json_string_value(a));
	json_decref(r);
	return EX_OK;
}

int cmd_route(struct cli *c, int argc, char **argv)
{
	json_t *r, *x;
	size_t i;

	if (argc == 1 || !strcmp(argv[1], "show")) {
		if (!(r = cli_call(c, "route.show", NULL)))
			return EX_USAGE;
		if (!c->json)
			json_array_foreach(json_object_get(r, "routes"), i, x)
			{
				printf("%-40s via %-10s %s",
				       json_string_value(json_object_get(x, "prefix")),
				       json_string_value(json_object_get(x, "via")),
				       json_string_value(json_object_get(x, "origin")));
				if (json_object_get(x, "cost"))
					printf(" (cost %lld)", jint(x, "cost"));
				if (json_object_get(x, "hops"))
					printf(" latency %lldus hops %lld", jint(x, "latency_us"),
					       jint(x, "hops"));
				printf("\n");
			}
		json_decref(r);
		return EX_OK;
	}
	if (!strcmp(argv[1], "add") && argc == 5 && !strcmp(argv[3], "via"))
		r = cli_call(c, "route.add", json_pack("{s:s, s:s}", "prefix", argv[2], "via", argv[4]));
	else if (!strcmp(argv[1], "del") && argc == 3)
		r = cli_call(c, "route.del", json_pack("{s:s}", "prefix", argv[2]));
	else {
		fprintf(stderr, "usage: newip route [show] | add PREFIX via LINK | del PREFIX\n");
		return EX_USAGE;
	}
	if (!r)
		return EX_FAIL;
	json_decref(r);
	return EX_OK;
}

int cmd_stats(struct cli *c, int argc, char **argv)
{
	(void)argc, (void)argv;
	json_t *r = cli_call(c, "stats", NULL), *v;
	const char *k;

	if (!r)
		return EX_USAGE;
	if (!c->json) {
		printf("forwarded %lld  delivered %lld  originated %lld  ncmp sent %lld (rate "
		       "limited %lld)\n",
		       jint(r, "forwarded"), jint(r, "delivered"), jint(r, "originated"),
		       jint(r, "ncmp_sent"), jint(r, "ncmp_rate_limited"));
		printf("drops:");
		json_object_foreach(json_object_get(r, "drops"), k, v) printf(" %s %lld", k,
									      (long long)json_integer_value(v));
		printf("\nmalformed:");
		json_object_foreach(json_object_get(r, "malformed"), k, v) printf(" \"%s\" %lld", k,
										  (long long)json_integer_value(v));
		printf("\n");
		size_t i;
		json_t *l, *g = json_object_get(r, "guard");
		printf("guard: source-checked %lld  registrations accepted %lld refused %lld  "
		       "shut-off requests sent %lld received %lld  flood-guard shut-offs %lld\n",
		       jint(g, "source_checked"), jint(g, "registrations_accepted"),
		       jint(g, "registrations_refused"), jint(g, "shutoff_requests_sent"),
		       jint(g, "shutoff_requests_received"), jint(g, "flood_guard_shutoffs"));
		if (json_array_size(json_object_get(r, "top_sources")))
			printf("top sources (last 100 ms):");
		json_array_foreach(json_object_get(r, "top_sources"), i, l)
			printf(" %s %.0f/s", json_string_value(json_object_get(l, "source")),
			       json_real_value(json_object_get(l, "packets_per_s")));
		if (json_array_size(json_object_get(r, "top_sources")))
			printf("\n");
		json_array_foreach(json_object_get(r, "links"), i, l) {
			printf("link %s:\n", json_string_value(json_object_get(l, "name")));
			print_egress(l);
		}
	}
	json_decref(r);
	return EX_OK;
}

void ncmp_describe(uint8_t type, uint8_t code, uint32_t param, char *buf, size_t size)
{
	static const char *const unreach[] = { "no route", "shut off", "address unreachable",
					       "port unreachable", "source authentication failed",
					       "administratively prohibited" };
	static const char *const param_codes[] = { "erroneous header field",
						   "unrecognised next header",
						   "unrecognised must-understand item",
						   "malformed block" };

	if (type == NCMP_UNREACH && code < 6)
		snprintf(buf, size, "destination unreachable (%s)", unreach[code]);
	else if (type == NCMP_TOO_BIG)
		snprintf(buf, size, "packet too big (mtu %u)", param);
	else if (type == NCMP_PARAM_PROBLEM && code < 4)
		snprintf(buf, size, "parameter problem (%s, pointer %u)", param_codes[code], param);
	else if (type == NCMP_CONTRACT)
		snprintf(buf, size, "contract cannot be met (code %u, %u us accumulated)", code, param);
	else if (code == 0)
		snprintf(buf, size, "%s", nip_ncmp_type_name(type));
	else
		snprintf(buf, size, "%s (code %u)", nip_ncmp_type_name(type), code);
}

int cmd_neigh(struct cli *c, int argc, char **argv)
{
	(void)argc, (void)argv;
	json_t *r = cli_call(c, "neigh.show", NULL), *x;
	size_t i;

	if (!r)
		return EX_USAGE;
	if (!c->json) {
		if (!json_is_true(json_object_get(r, "routing")))
			printf("routing is off on this node\n");
		json_array_foreach(json_object_get(r, "neighbours"), i, x) {
			const char *state = json_string_value(json_object_get(x, "state"));
			printf("%-8s %-8s", json_string_value(json_object_get(x, "link")), state);
			if (strcmp(state, "down"))
				printf(" %-8s %-20s heard %lldms ago  mtu %lld%s%s",
				       json_string_value(json_object_get(x, "name")),
				       json_string_value(json_object_get(x, "address")),
				       jint(x, "heard_ms_ago"), jint(x, "mtu"),
				       json_object_get(x, "problem") ? "  " : "",
				       json_object_get(x, "problem") ?
					       json_string_value(json_object_get(x, "problem")) : "");
			printf("\n");
		}
	}
	json_decref(r);
	return EX_OK;
}

int cmd_lsdb(struct cli *c, int argc, char **argv)
{
	(void)argc, (void)argv;
	json_t *r = cli_call(c, "lsdb.show", NULL), *x, *y;
	size_t i, k;

	if (!r)
		return EX_USAGE;
	if (!c->json)
		json_array_foreach(json_object_get(r, "lsas"), i, x) {
			printf("%s %-8s seq %lld age %llds  links:",
			       json_string_value(json_object_get(x, "origin")),
			       json_string_value(json_object_get(x, "name")), jint(x, "seq"),
			       jint(x, "age"));
			json_array_foreach(json_object_get(x, "links"), k, y)
				printf(" %s/%lld", json_string_value(json_object_get(y, "neighbour")),
				       jint(y, "metric"));
			printf("  prefixes:");
			json_array_foreach(json_object_get(x, "prefixes"), k, y)
				printf(" %s", json_string_value(y));
			printf("\n");
		}
	json_decref(r);
	return EX_OK;
}
