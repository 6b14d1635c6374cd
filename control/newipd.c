/* newipd: one New IP node, host and router. Control plane here; the data plane in dataplane/. */
#include <errno.h>
#include <getopt.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "node.h"

static struct node node;

static void on_signal(int sig)
{
	(void)sig;
	atomic_store(&node.dp.stop, true);
	dp_wake(&node.dp); /* write(2): async-signal-safe */
}

static void usage(FILE *f)
{
	fprintf(f, "usage: newipd -c FILE [-n] [--name NAME] [--address ADDR]... [--rundir DIR]\n"
		   "  -c, --config FILE   configuration (docs/newipd.conf.md)\n"
		   "  -n, --check         check the configuration, print it back, exit\n"
		   "  --name NAME         node name (overrides 'node')\n"
		   "  --address ADDR      add an address (with the file's)\n"
		   "  --rundir DIR        sockets go in DIR/NAME/ (default " NIP_RUNDIR ")\n");
}

/* Flags override the file; returns 0 or -1 with a message. */
static int apply_flags(struct config *c, int argc, char **argv, bool *check)
{
	static const struct option opts[] = {
		{ "config", required_argument, 0, 'c' }, { "check", no_argument, 0, 'n' },
		{ "name", required_argument, 0, 'N' },	 { "address", required_argument, 0, 'A' },
		{ "rundir", required_argument, 0, 'R' }, { "help", no_argument, 0, 'h' },
		{ 0, 0, 0, 0 }
	};
	char err[512];
	int o;

	optind = 1;
	while ((o = getopt_long(argc, argv, "c:nh", opts, NULL)) != -1) {
		switch (o) {
		case 'c':
			break; /* read first, in main */
		case 'n':
			*check = true;
			break;
		case 'N':
			snprintf(c->node, sizeof(c->node), "%s", optarg);
			break;
		case 'A':
			if (c->n_addrs == DP_MAX_ADDRS || nip_addr_parse(&c->addrs[c->n_addrs], optarg) < 0) {
				fprintf(stderr, "newipd: --address %s: not an address (docs/spec.md §4.1)\n",
					optarg);
				return -1;
			}
			c->n_addrs++;
			break;
		case 'R':
			snprintf(c->rundir, sizeof(c->rundir), "%s", optarg);
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			return -1;
		}
	}
	if (config_check(c, err, sizeof(err)) < 0) {
		fprintf(stderr, "newipd: %s\n", err);
		return -1;
	}
	return 0;
}

static const char *config_path(int argc, char **argv)
{
	for (int i = 1; i < argc - 1; i++)
		if (!strcmp(argv[i], "-c") || !strcmp(argv[i], "--config"))
			return argv[i + 1];
	return NULL;
}

/* The CPUs this process may run on: workers auto's count, at most DP_MAX_WORKERS. */
static unsigned cpus(void)
{
	cpu_set_t set;
	int n = sched_getaffinity(0, sizeof(set), &set) == 0 ? CPU_COUNT(&set) : 1;

	return n < 1 ? 1 : n > DP_MAX_WORKERS ? DP_MAX_WORKERS : (unsigned)n;
}

/* Set up everything; exit codes: 1 config error, 2 start-up failure. */
static int start(struct node *n, char *err, size_t errlen)
{
	struct config *c = &n->cfg;

	snprintf(n->dir, sizeof(n->dir), "%s/%s", c->rundir, c->node);
	mkdir(c->rundir, 0755);
	if (mkdir(n->dir, 0755) < 0 && errno != EEXIST) {
		snprintf(err, errlen, "cannot create %s: %s", n->dir, strerror(errno));
		return -1;
	}
	snprintf(n->ctl_path, sizeof(n->ctl_path), "%s/ctl.sock", n->dir);
	snprintf(n->local_path, sizeof(n->local_path), "%s/local.sock", n->dir);
	memcpy(n->dp.addrs, c->addrs, sizeof(c->addrs));
	n->dp.n_addrs = c->n_addrs;
	memcpy(n->dp.maps, c->maps, sizeof(c->maps));
	n->dp.n_maps = c->n_maps;
	for (unsigned i = 0; i < c->n_links; i++) {
		n->dp.links[i].cfg = c->links[i];
		n->dp.keyed_links |= c->links[i].keyed;
	}
	n->dp.n_links = c->n_links;
	n->dp.n_workers = c->workers ? c->workers : cpus();
	for (unsigned i = 0; i < c->n_routes; i++) /* config_check refused duplicates */
		if (rib_add(&n->rib, &c->routes[i].prefix, (uint16_t)config_link(c, c->routes[i].via),
			    ORIGIN_CONFIG) < 0) {
			snprintf(err, errlen, "out of memory for routes");
			goto fail_dir;
		}
	if (dp_init(&n->dp, n->local_path, err, errlen) < 0)
		goto fail_dir;
	rl_init(&n->dp.ncmp_rl, c->ncmp_rate, c->ncmp_rate, (uint64_t)getpid());
	lsr_init(&n->lsr, n);
	if (guard_ctl_init(&n->guard, n, err, errlen) < 0) {
		dp_destroy(&n->dp);
		goto fail_dir;
	}
	if (rib_publish(&n->rib, &n->dp) < 0 || ctl_open(n, err, errlen) < 0 ||
	    (c->metrics_listen[0] && !(n->metrics = metrics_start(n, c->metrics_listen, err, errlen)))) {
		dp_destroy(&n->dp);
		goto fail_dir;
	}
	return 0;
fail_dir: /* leave nothing behind: a node that did not start has no run directory */
	unlink(n->ctl_path);
	unlink(n->local_path);
	rmdir(n->dir);
	return -1;
}

int main(int argc, char **argv)
{
	const char *path = config_path(argc, argv);
	char err[512];
	bool check = false;

	if (!path) {
		usage(stderr);
		return 1;
	}
	if (config_load(&node.cfg, path, err, sizeof(err)) < 0) {
		fprintf(stderr, "newipd: %s\n", err);
		return 1;
	}
	if (apply_flags(&node.cfg, argc, argv, &check) < 0)
		return 1;
	if (check) {
		struct sockaddr_storage ss;
		socklen_t sl;
		if (node.cfg.metrics_listen[0] &&
		    parse_sockaddr(node.cfg.metrics_listen, &ss, &sl) < 0) {
			fprintf(stderr, "newipd %s: metrics-listen '%s' is not IP:PORT; write e.g. "
				"127.0.0.1:9464 or [::1]:9464\n", node.cfg.node, node.cfg.metrics_listen);
			return 2;
		}
		config_print(&node.cfg, stdout);
		return 0;
	}
	if (nip_crypto_init() < 0 || start(&node, err, sizeof(err)) < 0) {
		fprintf(stderr, "newipd %s: %s\n", node.cfg.node, err);
		return 2;
	}
	clock_gettime(CLOCK_MONOTONIC, &node.started);
	struct sigaction sa = { .sa_handler = on_signal };
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (pthread_create(&node.ctl_thread, NULL, ctl_main, &node) != 0) {
		fprintf(stderr, "newipd %s: cannot start the control thread\n", node.cfg.node);
		return 2;
	}
	if (node.cfg.rt_priority) { /* the data plane only: the control thread stays as it was */
		struct sched_param sp = { .sched_priority = node.cfg.rt_priority };
		int rc = pthread_setschedparam(pthread_self(), SCHED_FIFO, &sp);
		if (rc)
			fprintf(stderr, "newipd %s: realtime-priority %d: %s; the data plane runs at "
				"normal priority\n", node.cfg.node, node.cfg.rt_priority, strerror(rc));
	}
	for (unsigned i = 0; i < node.dp.n_links; i++) /* the data path each link took, and why */
		if (node.dp.links[i].note[0])
			fprintf(stderr, "newipd %s: link %s: %s\n", node.cfg.node,
				node.dp.links[i].cfg.name, node.dp.links[i].note);
	fprintf(stderr, "newipd %s: up, %u links, %u data-plane worker%s, control %s\n",
		node.cfg.node, node.dp.n_links, node.dp.n_workers, node.dp.n_workers > 1 ? "s" : "",
		node.ctl_path);
	dp_run(&node.dp);
	pthread_join(node.ctl_thread, NULL);
	metrics_stop(node.metrics);
	close(node.ctl_fd);
	unlink(node.ctl_path);
	unlink(node.local_path);
	rmdir(node.dir);
	dp_destroy(&node.dp);
	rib_free(&node.rib);
	guard_ctl_free(&node.guard);
	fprintf(stderr, "newipd %s: stopped\n", node.cfg.node);
	return 0;
}
