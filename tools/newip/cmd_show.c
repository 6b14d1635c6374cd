/* newip link | addr | route | stats: views of the control socket, and route changes. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

/* Latency, pacing and each class's queue (spec §10): the link's egress in one glance. */
static void print_egress(json_t *l)
{
	json_t *q = json_object_get(l, "queues"), *x;
	const char *cls;

	printf("    latency %lldus", cli_jint(l, "latency_us"));
	if (json_object_get(l, "delay_us"))
		printf(" (delay %lldus)", cli_jint(l, "delay_us"));
	if (json_object_get(l, "rate_bps"))
		printf("  paced %.3f Mbit/s, sched %s", (double)cli_jint(l, "rate_bps") / 1e6,
		       json_string_value(json_object_get(l, "sched")));
	printf("\n");
	json_object_foreach(q, cls, x) {
		if (!cli_jint(x, "enqueued") && !cli_jint(x, "drops_early") && !cli_jint(x, "drops_full"))
			continue;
		printf("    %-8s depth %lld pkts %lld B  sojourn p50/p99/p99.9 %lld/%lld/%lld us  "
		       "drops full %lld early %lld late %lld aqm %lld  ce %lld\n",
		       cls, cli_jint(x, "depth_packets"), cli_jint(x, "depth_bytes"), cli_jint(x, "sojourn_p50_us"),
		       cli_jint(x, "sojourn_p99_us"), cli_jint(x, "sojourn_p999_us"), cli_jint(x, "drops_full"),
		       cli_jint(x, "drops_early"), cli_jint(x, "drops_late"), cli_jint(x, "drops_aqm"),
		       cli_jint(x, "ce_marks"));
	}
}

/* "3.2s ago", or "never" */
static const char *ago(json_t *o, const char *key, char *buf, size_t n)
{
	double s = json_number_value(json_object_get(o, key));

	if (s < 0)
		return "never";
	snprintf(buf, n, "%.1fs ago", s);
	return buf;
}

/* A keyed link (spec §1.1): its peer's key, endpoint, handshake and frame counters. */
static void print_peer(json_t *l)
{
	json_t *p = json_object_get(l, "peer"), *f = json_object_get(p, "frames");
	const char *ep = json_string_value(json_object_get(p, "endpoint"));
	char a[32], b[32], c[32];

	printf("local %s key %s%s\n", json_string_value(json_object_get(l, "local")),
	       json_string_value(json_object_get(p, "key")),
	       json_is_true(json_object_get(p, "sealed")) ? " sealed" : "");
	printf("    %s", json_string_value(json_object_get(p, "state")));
	if (json_object_get(p, "problem"))
		printf(": %s", json_string_value(json_object_get(p, "problem")));
	printf("\n    endpoint %s", ep[0] ? ep : "none");
	if (ep[0] && json_number_value(json_object_get(p, "endpoint_learned_s_ago")) < 0)
		printf(" (configured)");
	else if (ep[0])
		printf(" (learned %s)", ago(p, "endpoint_learned_s_ago", a, sizeof(a)));
	printf("  handshake %s  heard %s", ago(p, "handshake_s_ago", b, sizeof(b)),
	       ago(p, "heard_s_ago", c, sizeof(c)));
	if (cli_jint(p, "keepalive_s"))
		printf("  keepalive %llds", cli_jint(p, "keepalive_s"));
	printf("\n    frames: %lld MAC failures, %lld replayed, %lld/%lld handshakes sent/answered, "
	       "%lld/%lld keepalives out/in, %lld endpoint changes, %lld unsent (no session)\n",
	       cli_jint(f, "mac_failures"), cli_jint(f, "replayed"),
	       cli_jint(f, "initiations_sent"), cli_jint(f, "responses_sent"),
	       cli_jint(f, "keepalives_sent"), cli_jint(f, "keepalives_received"),
	       cli_jint(f, "endpoint_changes"), cli_jint(f, "no_session"));
}

/* An LPWAN link (spec §13.4): the radio, what SCHC saved, fragments, and each rule's hits. */
static void print_schc(json_t *l)
{
	json_t *s = json_object_get(l, "schc"), *r;
	long long in = cli_jint(s, "octets_in"), out = cli_jint(s, "octets_out");
	size_t i;

	if (!s)
		return;
	printf("    schc %s, rules %s: frame %lld octets, %lld bit/s, duty %lld%%, loss %lld%%\n",
	       json_string_value(json_object_get(s, "role")),
	       json_string_value(json_object_get(s, "rules_file")), cli_jint(s, "frame"),
	       cli_jint(s, "bitrate"), cli_jint(s, "duty_pct"), cli_jint(s, "loss_pct"));
	printf("    packets %lld out, %lld in; %lld octets compressed to %lld (%.1f%%); frames %lld out "
	       "(%lld lost on air, %.3f s air time), %lld in\n", cli_jint(s, "pkts_tx"),
	       cli_jint(s, "pkts_rx"), in, out, in ? 100.0 * (double)out / (double)in : 0.0,
	       cli_jint(s, "frames_tx"), cli_jint(s, "frames_lost"),
	       (double)cli_jint(s, "air_us") / 1e6, cli_jint(s, "frames_rx"));
	printf("    fragmented %lld out, %lld reassembled in; fragments %lld, retransmitted tiles "
	       "%lld, ACK REQs %lld, ACKs %lld; aborted %lld out, %lld in\n",
	       cli_jint(s, "frag_pkts_tx"), cli_jint(s, "frag_pkts_rx"), cli_jint(s, "fragments_tx"),
	       cli_jint(s, "retx_tiles"), cli_jint(s, "ack_reqs"), cli_jint(s, "acks_tx"),
	       cli_jint(s, "aborts_tx"), cli_jint(s, "aborts_rx"));
	printf("    dropped: %lld no rule, %lld too big, %lld queue full, %lld malformed, %lld bad "
	       "RCS\n", cli_jint(s, "no_rule"), cli_jint(s, "too_big"), cli_jint(s, "queue_full"),
	       cli_jint(s, "malformed"), cli_jint(s, "bad_rcs"));
	json_array_foreach(json_object_get(s, "rules"), i, r) {
		if (!cli_jint(r, "tx") && !cli_jint(r, "rx"))
			continue;
		printf("    rule %-6s %-15s tx %lld rx %lld  octets %lld -> %lld\n",
		       json_string_value(json_object_get(r, "rule")),
		       json_string_value(json_object_get(r, "kind")), cli_jint(r, "tx"),
		       cli_jint(r, "rx"), cli_jint(r, "octets_in"), cli_jint(r, "octets_out"));
	}
}

static void print_link(json_t *r)
{
	json_t *l;
	size_t i;

	json_array_foreach(json_object_get(r, "links"), i, l) {
		const char *kind = json_string_value(json_object_get(l, "kind"));
		char ports[40] = ""; /* spec §1.2: several local ports, one a flow */
		if (cli_jint(l, "ports") > 1)
			snprintf(ports, sizeof(ports), ", %lld ports each", cli_jint(l, "ports"));
		printf("%s: %s mtu %lld ", json_string_value(json_object_get(l, "name")), kind,
		       cli_jint(l, "mtu"));
		if (json_is_object(json_object_get(l, "peer")))
			print_peer(l);
		else if (!strcmp(kind, "udp") || !strcmp(kind, "schc"))
			printf("local %s peer %s%s\n", json_string_value(json_object_get(l, "local")),
			       json_string_value(json_object_get(l, "peer")), ports);
		else
			printf("dev %s\n", json_string_value(json_object_get(l, "dev")));
		json_t *path = json_object_get(l, "path");
		if (path && !strcmp(json_string_value(json_object_get(path, "io")), "af_xdp")) {
			printf("    %s", json_string_value(json_object_get(path, "note")));
			if (!strcmp(kind, "udp")) /* fragments and such, through the kernel */
				printf(", %lld datagrams through the kernel",
				       cli_jint(path, "kernel_rx"));
			printf("\n");
		}
		json_t *off = json_object_get(l, "offload");
		if (off)
			printf("    offload: gso %s, gro %s (%lld runs read)\n",
			       json_is_true(json_object_get(off, "gso")) ? "on" : "off",
			       json_is_true(json_object_get(off, "gro")) ? "on" : "off",
			       cli_jint(off, "gro_runs"));
		printf("    rx %lld packets %lld bytes   tx %lld packets %lld bytes %lld errors\n",
		       cli_jint(l, "rx_packets"), cli_jint(l, "rx_bytes"), cli_jint(l, "tx_packets"),
		       cli_jint(l, "tx_bytes"), cli_jint(l, "tx_errors"));
		print_egress(l);
		print_schc(l);
	}
}

int cmd_link(struct cli *c, int argc, char **argv)
{
	(void)argc, (void)argv;
	return cli_show(c, "link.show", print_link);
}

static void print_addr(json_t *r)
{
	json_t *a;
	size_t i;

	json_array_foreach(json_object_get(r, "addresses"), i, a)
		printf("%s\n", json_string_value(a));
}

int cmd_addr(struct cli *c, int argc, char **argv)
{
	(void)argc, (void)argv;
	return cli_show(c, "addr.show", print_addr);
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
					printf(" (cost %lld)", cli_jint(x, "cost"));
				if (json_object_get(x, "hops"))
					printf(" latency %lldus hops %lld", cli_jint(x, "latency_us"),
					       cli_jint(x, "hops"));
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

static void print_stats(json_t *r)
{
	json_t *v;
	const char *k;

	printf("forwarded %lld  delivered %lld  originated %lld  ncmp sent %lld (rate "
	       "limited %lld)\n",
	       cli_jint(r, "forwarded"), cli_jint(r, "delivered"), cli_jint(r, "originated"),
	       cli_jint(r, "ncmp_sent"), cli_jint(r, "ncmp_rate_limited"));
	printf("drops:");
	json_object_foreach(json_object_get(r, "drops"), k, v) printf(" %s %lld", k,
								      (long long)json_integer_value(v));
	printf("\nmalformed:");
	json_object_foreach(json_object_get(r, "malformed"), k, v) printf(" \"%s\" %lld", k,
									  (long long)json_integer_value(v));
	printf("\n");
	json_t *gw = json_object_get(r, "gateway");
	if (cli_jint(gw, "to_newip") || cli_jint(gw, "to_ip"))
		printf("gateway: to New IP %lld  to IP %lld  IPv4 options removed %lld  offload: %lld "
		       "TCP super-packets cut into %lld segments\n", cli_jint(gw, "to_newip"),
		       cli_jint(gw, "to_ip"), cli_jint(gw, "ipv4_options_removed"),
		       cli_jint(gw, "offload_super_packets"), cli_jint(gw, "offload_segments"));
	size_t i;
	json_t *l, *g = json_object_get(r, "guard");
	printf("guard: source-checked %lld  registrations accepted %lld refused %lld  "
	       "shut-off requests sent %lld received %lld  flood-guard shut-offs %lld\n",
	       cli_jint(g, "source_checked"), cli_jint(g, "registrations_accepted"),
	       cli_jint(g, "registrations_refused"), cli_jint(g, "shutoff_requests_sent"),
	       cli_jint(g, "shutoff_requests_received"), cli_jint(g, "flood_guard_shutoffs"));
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
		print_schc(l);
	}
}

int cmd_stats(struct cli *c, int argc, char **argv)
{
	(void)argc, (void)argv;
	return cli_show(c, "stats", print_stats);
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

static void print_neigh(json_t *r)
{
	json_t *x;
	size_t i;

	if (!json_is_true(json_object_get(r, "routing")))
		printf("routing is off on this node\n");
	json_array_foreach(json_object_get(r, "neighbours"), i, x) {
		const char *state = json_string_value(json_object_get(x, "state"));
		printf("%-8s %-8s", json_string_value(json_object_get(x, "link")), state);
		if (!strcmp(state, "down") && json_object_get(x, "problem"))
			printf(" %s", json_string_value(json_object_get(x, "problem")));
		if (strcmp(state, "down"))
			printf(" %-8s %-20s heard %lldms ago  mtu %lld%s%s",
			       json_string_value(json_object_get(x, "name")),
			       json_string_value(json_object_get(x, "address")),
			       cli_jint(x, "heard_ms_ago"), cli_jint(x, "mtu"),
			       json_object_get(x, "problem") ? "  " : "",
			       json_object_get(x, "problem") ?
				       json_string_value(json_object_get(x, "problem")) : "");
		printf("\n");
	}
}

int cmd_neigh(struct cli *c, int argc, char **argv)
{
	(void)argc, (void)argv;
	return cli_show(c, "neigh.show", print_neigh);
}

static void print_lsdb(json_t *r)
{
	json_t *x, *y;
	size_t i, k;

	json_array_foreach(json_object_get(r, "lsas"), i, x) {
		printf("%s %-8s seq %lld age %llds  links:",
		       json_string_value(json_object_get(x, "origin")),
		       json_string_value(json_object_get(x, "name")), cli_jint(x, "seq"),
		       cli_jint(x, "age"));
		json_array_foreach(json_object_get(x, "links"), k, y)
			printf(" %s/%lld", json_string_value(json_object_get(y, "neighbour")),
			       cli_jint(y, "metric"));
		printf("  prefixes:");
		json_array_foreach(json_object_get(x, "prefixes"), k, y)
			printf(" %s", json_string_value(y));
		printf("%s\n", json_is_true(json_object_get(x, "signed")) ? "  signed" : "");
	}
}

int cmd_lsdb(struct cli *c, int argc, char **argv)
{
	(void)argc, (void)argv;
	return cli_show(c, "lsdb.show", print_lsdb);
}
