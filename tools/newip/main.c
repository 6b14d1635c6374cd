/* newip: the command line for New IP nodes, in the spirit of ip(8) and wg(8). */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: newip [-n NODE] [-j] COMMAND [ARGS]\n"
		"\n"
		"  link                         links with their counters\n"
		"  addr                         the node's addresses\n"
		"  route [show]                 routes and where each came from\n"
		"  route add PREFIX via LINK    add a static route at run time\n"
		"  route del PREFIX             delete a route\n"
		"  stats                        forwarding counters and drops by reason\n"
		"  neigh                        routing adjacencies on each link and their state\n"
		"  lsdb                         the link-state database\n"
		"  ping [-c N] [-s SIZE] [-i SEC] [-t HOPS] [-W SEC] [-q] ADDR\n"
		"  trace [-m HOPS] [-q PROBES] [-W SEC] ADDR\n"
		"  send [-p SRCPORT] [-t HOPS] ADDR PORT [MESSAGE]   (stdin without MESSAGE)\n"
		"  recv [-c N] [-W SEC] PORT\n"
		"  perf -s [-p PORT]            a measurement server\n"
		"  perf ADDR [--rate R] [--size N] [--time S] [--deadline T | --window MIN..MAX]\n"
		"       [--priority N] [--ecn l4s|classic] [-P FLOWS] [--json] [--csv F] [--plot F.png]\n"
		"  key gen FILE                 a new node key (Ed25519, mode 0600)\n"
		"  key show FILE [PREFIX]       its public key, identifier and address under PREFIX\n"
		"  shutoff SOURCE [--for 60s]   stop SOURCE's traffic to this node at its first hop\n"
		"  filters                      shut-off filters here and the ones this node asked for\n"
		"  sav                          source checks, registrations, bindings\n"
		"  schc compress|decompress --rules R.json [--rule NAME] [--dir up|down] [HEX[/BITS]]\n"
		"                               SCHC (RFC 8724) on hex, OpenSCHC's form\n"
		"  lab up|down FILE.yaml        build or remove a lab of namespaces\n"
		"  lab exec NODE -- CMD...      run CMD in NODE's namespace\n"
		"\n"
		"  -n NODE   which node (default: $NEWIP_NODE, or the only one running)\n"
		"  -j        print JSON from the control socket\n"
		"Addresses: 192.0.2.1, 2001:db8::1, or x and hex octets (x0a01). See docs/newip.md.\n");
}

const char *cli_rundir(void)
{
	const char *d = getenv("NEWIP_RUNDIR");
	return d ? d : NIP_RUNDIR;
}

const char *cli_node(struct cli *c)
{
	static char only[256];
	struct dirent *e;
	int found = 0;
	DIR *d;

	if (c->node)
		return c->node;
	if ((c->node = getenv("NEWIP_NODE")))
		return c->node;
	if ((d = opendir(cli_rundir()))) {
		while ((e = readdir(d))) {
			char p[512];
			snprintf(p, sizeof(p), "%s/%s/ctl.sock", cli_rundir(), e->d_name);
			if (e->d_name[0] != '.' && access(p, F_OK) == 0 && found++ == 0)
				snprintf(only, sizeof(only), "%s", e->d_name);
		}
		closedir(d);
	}
	if (found == 1)
		return c->node = only;
	fprintf(stderr, "newip: %s; name one with -n NODE\n",
		found ? "several nodes run here" : "no node is running here");
	return NULL;
}

int cli_local(struct cli *c)
{
	const char *node = cli_node(c);
	int fd;

	if (!node)
		return -1;
	fd = nip_sock_open(node);
	if (fd < 0) {
		fprintf(stderr, "newip: cannot reach node %s's local service: %s\n", node,
			strerror(-fd));
		return -1;
	}
	return fd;
}

int main(int argc, char **argv)
{
	struct cli c = { 0 };
	int i = 1;

	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "-n") && i + 1 < argc)
			c.node = argv[++i];
		else if (!strcmp(argv[i], "-j"))
			c.json = true;
		else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			usage(stdout);
			return EX_OK;
		} else {
			fprintf(stderr, "newip: unknown option %s\n", argv[i]);
			usage(stderr);
			return EX_USAGE;
		}
	}
	if (i == argc) {
		usage(stderr);
		return EX_USAGE;
	}
	const char *cmd = argv[i];
	argc -= i;
	argv += i;
	static const struct {
		const char *name;
		int (*fn)(struct cli *, int, char **);
	} cmds[] = { { "neigh", cmd_neigh }, { "lsdb", cmd_lsdb },
		     { "link", cmd_link },   { "addr", cmd_addr },   { "route", cmd_route },
		     { "stats", cmd_stats }, { "ping", cmd_ping },   { "trace", cmd_trace },
		     { "send", cmd_send },   { "recv", cmd_recv },   { "perf", cmd_perf },
		     { "key", cmd_key },     { "shutoff", cmd_shutoff }, { "filters", cmd_filters },
		     { "sav", cmd_sav },     { "schc", cmd_schc } };
	if (!strcmp(cmd, "lab"))
		return cmd_lab(argc, argv);
	for (size_t k = 0; k < sizeof(cmds) / sizeof(cmds[0]); k++)
		if (!strcmp(cmd, cmds[k].name))
			return cmds[k].fn(&c, argc, argv);
	fprintf(stderr, "newip: unknown command '%s'\n", cmd);
	usage(stderr);
	return EX_USAGE;
}
