/*
 * newip lab up|down|exec: a New IP network of namespaces on one machine (docs/lab.md).
 * Every namespace is named nip-LAB-NODE, so `lab down` finds and removes what `lab up` made
 * even when the state directory is gone (a crash half way, a reboot of the tool).
 */
#include <dirent.h>
#include <fcntl.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "lab.h"
#include "newip/keyfile.h"
#include "newip/linkframe.h"

static bool verbose;

/* Run argv and wait; its stderr goes to err_path, or with none to /dev/null unless verbose
 * (quiet: errors are reported by the caller). 0 if it succeeded. */
static int spawn(char *const *argv, const char *err_path)
{
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		if (err_path || !verbose) {
			int fd = open(err_path ? err_path : "/dev/null", O_WRONLY | O_CREAT | O_TRUNC,
				      0644);
			if (fd >= 0)
				dup2(fd, 2);
		}
		execvp(argv[0], argv);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) < 0)
		return -1;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

/* Run a command line built from safe words (names are checked on load). 0 if it succeeded. */
static int run(const char *fmt, ...)
{
	char line[1024], *argv[64], *save;
	int argc = 0;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (verbose)
		fprintf(stderr, "+ %s\n", line);
	for (char *t = strtok_r(line, " ", &save); t && argc < 63; t = strtok_r(NULL, " ", &save))
		argv[argc++] = t;
	argv[argc] = NULL;
	return spawn(argv, NULL);
}

static void ns_name(char *buf, size_t n, const struct lab *lab, int node)
{
	snprintf(buf, n, "nip-%s-%s", lab->name, lab->nodes[node].name);
}

static void state_dir(char *buf, size_t n, const char *lab)
{
	snprintf(buf, n, "%s/labs/%s", cli_rundir(), lab);
}

/* Underlay addresses of link i: a /30 of 172.16.0.0/12, or a /64 of fd00::/16. */
static void underlay(const struct lab_link *l, int i, int side, char *addr, size_t n, char *pfx,
		     size_t pn)
{
	if (l->v6) {
		snprintf(addr, n, "fd00:%x::%d", i + 1, side + 1);
		snprintf(pfx, pn, "%s/64", addr);
	} else {
		snprintf(addr, n, "172.%d.%d.%d", 16 + i / 16384, (i / 64) % 256, 4 * (i % 64) + 1 + side);
		snprintf(pfx, pn, "%s/30", addr);
	}
}

/* Run `ip [-n NS] -batch FILE`: one process for many commands (a 256-node lab is thousands of
 * them). If one fails, ip stops there and says "Command failed FILE:N"; line N carries after
 * its '#' what it was making, which is what the user is told, with ip's own reason. */
static int run_batch(const char *ns, const char *file)
{
	char errf[600], msg[300] = "", what[300] = "", line[600];
	char *with_ns[] = { "ip", "-n", (char *)ns, "-batch", (char *)file, NULL };
	char *root_ns[] = { "ip", "-batch", (char *)file, NULL };
	int n = 0;
	FILE *f;

	snprintf(errf, sizeof(errf), "%s.err", file);
	if (verbose)
		fprintf(stderr, "+ ip%s%s -batch %s\n", ns ? " -n " : "", ns ? ns : "", file);
	bool ok = spawn(ns ? with_ns : root_ns, errf) == 0;
	if (!ok && (f = fopen(errf, "r"))) {
		while (fgets(line, sizeof(line), f)) {
			char *c = strstr(line, "Command failed ");
			char *colon = c ? strrchr(c, ':') : NULL;
			if (colon)
				n = atoi(colon + 1);
			else if (!msg[0])
				snprintf(msg, sizeof(msg), "%.*s", (int)strcspn(line, "\n"), line);
		}
		fclose(f);
	}
	if (!ok && n > 0 && (f = fopen(file, "r"))) {
		for (int i = 1; i <= n && fgets(line, sizeof(line), f); i++) {
			char *hash = strchr(line, '#');
			if (i == n && hash)
				snprintf(what, sizeof(what), "%.*s", (int)strcspn(hash + 2, "\n"), hash + 2);
		}
		fclose(f);
	}
	if (!ok)
		fprintf(stderr, "newip lab: cannot make %s: %s\n", what[0] ? what : "the lab",
			msg[0] ? msg : "ip failed (is it installed?)");
	unlink(errf);
	return ok ? 0 : -1;
}

static int link_mtu(const struct lab_link *l)
{
	/* udp: room for IPv6, UDP and a keyed link's frame (spec §1.1) around the packet */
	int over = 48 + (l->keyed ? NIP_LF_OVERHEAD : 0);

	return l->eth ? (l->mtu ? l->mtu : 1500) : (l->mtu + over > 1500 ? l->mtu + over : 1500);
}

/* The namespaces and the veth pairs between them, from the root namespace in one batch. */
static int make_namespaces(const struct lab *lab, const char *dir)
{
	char path[600], na[64], nb[64];
	FILE *f;

	snprintf(path, sizeof(path), "%s/up.ip", dir);
	if (!(f = fopen(path, "w")))
		return -1;
	for (int i = 0; i < lab->n_nodes; i++) {
		ns_name(na, sizeof(na), lab, i);
		fprintf(f, "netns add %s # namespace %s (are you root?)\n", na, na);
	}
	for (int i = 0; i < lab->n_links; i++) {
		const struct lab_link *l = &lab->links[i];
		ns_name(na, sizeof(na), lab, l->a);
		ns_name(nb, sizeof(nb), lab, l->b);
		char q[64] = ""; /* queues: each end's, so that a sender's queue is a receiver's */
		if (l->queues > 1)
			snprintf(q, sizeof(q), " numtxqueues %d numrxqueues %d", l->queues, l->queues);
		fprintf(f, "link add name %s netns %s mtu %d%s type veth peer name %s netns %s mtu %d%s "
			"# link %s:%s - %s:%s (line %d)\n", l->ifa, na, link_mtu(l), q, l->ifb, nb,
			link_mtu(l), q, lab->nodes[l->a].name, l->ifa, lab->nodes[l->b].name, l->ifb,
			l->line);
	}
	if (fclose(f) != 0)
		return -1;
	return run_batch(NULL, path);
}

/* Inside each namespace, one batch: its interfaces up, the udp links' underlay addresses. */
static int address_links(const struct lab *lab, const char *dir)
{
	char path[600], ns[64], a[64], pa[80];

	for (int node = 0; node < lab->n_nodes; node++) {
		snprintf(path, sizeof(path), "%s/%s.ip", dir, lab->nodes[node].name);
		FILE *f = fopen(path, "w");
		if (!f)
			return -1;
		fprintf(f, "link set dev lo up # loopback of %s\n", lab->nodes[node].name);
		for (int i = 0; i < lab->n_links; i++) {
			const struct lab_link *l = &lab->links[i];
			if (l->a != node && l->b != node)
				continue;
			const char *ifname = l->b == node ? l->ifb : l->ifa;
			fprintf(f, "link set dev %s up # link on line %d\n", ifname, l->line);
			if (l->eth)
				continue;
			underlay(l, i, l->b == node, a, sizeof(a), pa, sizeof(pa));
			fprintf(f, "addr add %s dev %s%s # underlay address of the link on line %d\n",
				pa, ifname, l->v6 ? " nodad" : "", l->line);
		}
		if (fclose(f) != 0)
			return -1;
		ns_name(ns, sizeof(ns), lab, node);
		if (run_batch(ns, path) < 0)
			return -1;
		unlink(path);
	}
	return 0;
}

static int write_config(const struct lab *lab, int node, const char *path)
{
	const struct lab_node *n = &lab->nodes[node];
	char a[64], b[64], pa[80], pb[80];
	FILE *f = fopen(path, "w");

	if (!f)
		return -1;
	fprintf(f, "# written by newip lab up %s\nnode %s\nrundir %s\n", lab->path, n->name,
		cli_rundir());
	if (n->key)
		fprintf(f, "key %s/labs/%s/%s.key\n", cli_rundir(), lab->name, n->name);
	for (int i = 0; i < n->n_addrs; i++)
		fprintf(f, "address %s\n", n->addrs[i]);
	if (lab->nls_auth) {
		fprintf(f, "nls-auth on\n");
		for (int i = 0; i < lab->n_nodes; i++)
			if (lab->nodes[i].key)
				fprintf(f, "trust %s # %s\n", lab->nodes[i].pub, lab->nodes[i].name);
	}
	for (int i = 0; i < lab->n_links; i++) {
		const struct lab_link *l = &lab->links[i];
		if (l->a != node && l->b != node)
			continue;
		int side = l->b == node;
		const char *ifname = side ? l->ifb : l->ifa;
		if (l->eth) {
			fprintf(f, "link %s eth dev %s", ifname, ifname);
		} else {
			underlay(l, i, side, a, sizeof(a), pa, sizeof(pa));
			underlay(l, i, !side, b, sizeof(b), pb, sizeof(pb));
			if (l->keyed) /* spec §1.1: the peer by its key, where to find it first */
				fprintf(f, l->v6 ? "link %s udp local [%s]:6464 key %s endpoint [%s]:6464" :
						   "link %s udp local %s:6464 key %s endpoint %s:6464",
					ifname, a, lab->nodes[side ? l->a : l->b].pub, b);
			else /* schc: not New IP's port, SCHC frames are not New IP packets */
				fprintf(f, l->v6 ? "link %s %s local [%s]:%d peer [%s]:%d" :
						   "link %s %s local %s:%d peer %s:%d", ifname,
					l->schc ? "schc" : "udp", a, l->schc ? 6470 : 6464, b,
					l->schc ? 6470 : 6464);
		}
		if (l->schc) /* spec §13.4: the same rules at both ends, each its own role */
			fprintf(f, "%s role %s", l->schc_opts, l->schc_gw == node ? "gateway" :
										 "device");
		if (l->mtu)
			fprintf(f, " mtu %d", l->mtu);
		if (l->no_offload)
			fprintf(f, " offload off");
		if (l->ports > 1)
			fprintf(f, " ports %d", l->ports);
		fprintf(f, "%s", l->egress);
		if (l->check_node == node)
			fprintf(f, " source-check %s", l->check_strict ? "strict" : "on");
		fprintf(f, "\n");
	}
	for (int i = 0; i < n->n_routes; i++)
		fprintf(f, "route %s\n", n->routes[i]);
	if (n->n_lan)
		fprintf(f, "gateway tun nip0%s\n", n->gw_opts);
	for (int i = 0; i < n->n_lan; i++)
		fprintf(f, "route %s via nip0\n", n->lan[i]);
	for (int i = 0; i < n->n_map; i++)
		fprintf(f, "map %s\n", n->map[i]);
	for (int i = 0; i < n->n_config; i++)
		fprintf(f, "%s\n", n->config[i]);
	return fclose(f);
}

/* Host number k of an IP prefix (1: the gateway's kernel, 2: the host), as text. */
static void lan_addr(const char *prefix, int k, char *out, size_t n, int *plen)
{
	struct nip_prefix p;

	nip_prefix_parse(&p, prefix); /* checked when the lab was loaded */
	p.addr.b[p.addr.len - 1] |= (uint8_t)k;
	nip_addr_format(&p.addr, out, n);
	*plen = p.plen;
}

/* Each gateway's IP side (docs/lab.md): a host namespace NODE-lan on a veth, addresses,
 * forwarding, and kernel routes into the TUN for every other gateway's prefixes and every
 * other node's IPv4/IPv6 addresses. After the daemons start: their TUN devices exist then. */
static int make_lans(const struct lab *lab)
{
	char gw[64], host[80], a[64];
	int plen;

	for (int i = 0; i < lab->n_nodes; i++) {
		const struct lab_node *n = &lab->nodes[i];
		if (!n->n_lan)
			continue;
		ns_name(gw, sizeof(gw), lab, i);
		snprintf(host, sizeof(host), "%s-lan", gw);
		/* No duplicate address detection on the LAN: its link-local addresses (which neighbour
		 * discovery needs) are usable at once, not a second or two after lab up. */
		if (run("ip netns add %s", host) < 0 || run("ip -n %s link set dev lo up", host) < 0 ||
		    run("ip netns exec %s sysctl -qw net.ipv6.conf.default.accept_dad=0", gw) < 0 ||
		    run("ip netns exec %s sysctl -qw net.ipv6.conf.default.accept_dad=0", host) < 0 ||
		    run("ip link add name lan netns %s type veth peer name lan netns %s", gw, host) < 0 ||
		    run("ip -n %s link set dev lan up", gw) < 0 ||
		    run("ip -n %s link set dev lan up", host) < 0 ||
		    run("ip netns exec %s sysctl -qw net.ipv4.ip_forward=1 "
			"net.ipv6.conf.all.forwarding=1", gw) < 0)
			goto fail;
		for (int k = 0; k < n->n_lan; k++) {
			bool v6 = strchr(n->lan[k], ':') != NULL;
			lan_addr(n->lan[k], 1, a, sizeof(a), &plen);
			if (run("ip -n %s addr add %s/%d dev lan%s", gw, a, plen, v6 ? " nodad" : "") < 0)
				goto fail;
			char h[64];
			lan_addr(n->lan[k], 2, h, sizeof(h), &plen);
			if (run("ip -n %s addr add %s/%d dev lan%s", host, h, plen, v6 ? " nodad" : "") < 0 ||
			    run("ip -n %s %s route add default via %s", host, v6 ? "-6" : "-4", a) < 0)
				goto fail;
		}
		for (int k = 0; k < n->n_map; k++) { /* the map's IPv6 side, into the TUN */
			char p[200];
			sscanf(n->map[k], "%*s %199s", p);
			if (run("ip -n %s route add %s dev nip0", gw, p) < 0)
				goto fail;
		}
		for (int o = 0; o < lab->n_nodes; o++) {
			if (o == i)
				continue;
			for (int k = 0; k < lab->nodes[o].n_lan; k++)
				if (run("ip -n %s route add %s dev nip0", gw, lab->nodes[o].lan[k]) < 0)
					goto fail;
			for (int k = 0; k < lab->nodes[o].n_addrs; k++) {
				struct nip_addr x;
				if (nip_addr_parse(&x, lab->nodes[o].addrs[k]) == 0 &&
				    (x.len == 4 || x.len == 16) &&
				    run("ip -n %s route add %s dev nip0", gw, lab->nodes[o].addrs[k]) < 0)
					goto fail;
			}
		}
	}
	return 0;
fail:
	fprintf(stderr, "newip lab: cannot set up the IP side of the gateways\n");
	return -1;
}

static const char *newipd_path(void)
{
	static char path[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", path, sizeof(path) - 16);

	if (n > 0) {
		path[n] = '\0';
		char *slash = strrchr(path, '/');
		strcpy(slash + 1, "newipd");
		if (access(path, X_OK) == 0)
			return path;
	}
	return "newipd"; /* from PATH */
}

/* A new identity for every keyed node at every lab up (mode 0600), all before any node
 * starts: with nls-auth each node's configuration trusts every other node's key. */
static int make_keys(struct lab *lab, const char *dir)
{
	for (int i = 0; i < lab->n_nodes; i++) {
		struct nip_identity id;
		char path[600], err[700] = "libsodium could not start";
		if (!lab->nodes[i].key)
			continue;
		snprintf(path, sizeof(path), "%s/%s.key", dir, lab->nodes[i].name);
		unlink(path);
		if (nip_crypto_init() < 0 || nip_key_generate(path, &id, err, sizeof(err)) < 0) {
			fprintf(stderr, "newip lab: %s\n", err);
			return -1;
		}
		nip_key_public_b64(&id, lab->nodes[i].pub);
		nip_key_forget(&id);
	}
	return 0;
}

/* Fork the node's daemon; the child waits at the gate (a pipe's read end) until lab up has
 * forked them all and closes the write end: started one by one, the last of 256 daemons would
 * wait for CPU behind the routing of all the others before it ran. */
static pid_t start_node(const struct lab *lab, int node, const char *dir, const int gate[2])
{
	char ns[64], conf[600], log[600];

	ns_name(ns, sizeof(ns), lab, node);
	snprintf(conf, sizeof(conf), "%s/%s.conf", dir, lab->nodes[node].name);
	snprintf(log, sizeof(log), "%s/%s.log", dir, lab->nodes[node].name);
	if (write_config(lab, node, conf) < 0)
		return -1;
	pid_t pid = fork();
	if (pid == 0) {
		char c;
		close(gate[1]);
		while (read(gate[0], &c, 1) < 0 && errno == EINTR)
			;
		close(gate[0]);
		int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		setsid();
		/* A lab puts many routers on few cores: one data-plane worker each, unless the
		 * environment or the node's own 'workers' line says otherwise (docs/lab.md). */
		setenv("NEWIPD_WORKERS", "1", 0);
		execlp("ip", "ip", "netns", "exec", ns, newipd_path(), "-c", conf, (char *)NULL);
		_exit(127);
	}
	return pid;
}

/* Whether a node's log has newipd's "NODE: up, N links, control SOCKET" line: it is written
 * once the control socket listens and both threads run. */
static bool node_up(const char *dir, const char *node)
{
	char path[600], line[600], want[64];
	bool up = false;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s.log", dir, node);
	snprintf(want, sizeof(want), "newipd %s: up, ", node);
	if (!(f = fopen(path, "r")))
		return false;
	while (!up && fgets(line, sizeof(line), f))
		up = !strncmp(line, want, strlen(want));
	fclose(f);
	return up;
}

/* Wait until each node is up by its log; a node that exits is reported. The log, not a
 * request on the control socket: hundreds of nodes starting on two cores answer requests
 * late, one after another, where a file is read at once. wait_converged asks them next. */
static int wait_ready(const struct lab *lab, const pid_t *pids, const char *dir)
{
	struct timespec t = { 0, 20 * 1000000 };

	for (int i = 0; i < lab->n_nodes; i++) {
		if (!lab->nodes[i].daemon)
			continue;
		for (int tries = 0;; tries++) {
			if (node_up(dir, lab->nodes[i].name))
				break;
			if (waitpid(pids[i], NULL, WNOHANG) == pids[i] || tries > 500) {
				fprintf(stderr, "newip lab: node %s did not start; its log (%s/%s.log):\n",
					lab->nodes[i].name, dir, lab->nodes[i].name);
				run("cat %s/%s.log", dir, lab->nodes[i].name);
				return -1;
			}
			nanosleep(&t, NULL);
		}
	}
	return 0;
}

/* Routes a node has that are not static: its own addresses plus what NLS found. */
static int routes_known(const char *node)
{
	char path[600];
	json_t *req = json_pack("{s:s}", "cmd", "route.show"), *resp, *r;
	size_t i;
	int n = 0;

	snprintf(path, sizeof(path), "%s/%s/ctl.sock", cli_rundir(), node);
	resp = ctl_request_path(path, req, 500);
	json_decref(req);
	json_array_foreach(json_object_get(resp, "routes"), i, r) {
		const char *o = json_string_value(json_object_get(r, "origin"));
		n += o && strncmp(o, "static", 6) != 0;
	}
	json_decref(resp);
	return n;
}

/* A node whose every link is an LPWAN link with it as the device: NLS does not run there
 * (spec §13.4); its gateway's static routes reach it. */
static bool lpwan_device(const struct lab *lab, int node)
{
	bool any = false;

	for (int i = 0; i < lab->n_links; i++) {
		const struct lab_link *l = &lab->links[i];
		if (l->a != node && l->b != node)
			continue;
		if (!l->schc || l->schc_gw == node)
			return false;
		any = true;
	}
	return any;
}

static long ms_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (t1.tv_sec - t0->tv_sec) * 1000 + (t1.tv_nsec - t0->tv_nsec) / 1000000;
}

/* How long lab up waits for routing: 20 s, or 100 ms a node in bigger labs. */
static int converge_limit_ms(const struct lab *lab)
{
	return lab->n_nodes > 200 ? 100 * lab->n_nodes : 20000;
}

/* Wait until every router has a route to every router's address in the lab (NLS converged);
 * returns the milliseconds it took, or -1 after converge_limit_ms (the topology may be
 * partitioned on purpose). */
static long wait_converged(const struct lab *lab)
{
	struct timespec t = { 0, 10 * 1000000 }, t0;
	long ms = 0;
	int want = 0;

	for (int i = 0; i < lab->n_nodes; i++)
		want += lab->nodes[i].daemon && !lpwan_device(lab, i) ? lab->nodes[i].n_addrs : 0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	/* Nodes found converged stay so (nothing changes the topology meanwhile): each round
	 * asks from the first node not yet seen converged. */
	for (int first = 0; ms <= converge_limit_ms(lab);) {
		while (first < lab->n_nodes &&
		       (!lab->nodes[first].daemon || lpwan_device(lab, first) ||
			routes_known(lab->nodes[first].name) >= want))
			first++;
		ms = ms_since(&t0);
		if (first == lab->n_nodes)
			return ms;
		nanosleep(&t, NULL);
	}
	return -1;
}

static void kill_pids(const char *dir)
{
	char path[600], name[64];
	struct timespec t = { 0, 20 * 1000000 };
	pid_t *pids = NULL;
	int n = 0, cap = 0, pid;
	FILE *f;

	snprintf(path, sizeof(path), "%s/pids", dir);
	if (!(f = fopen(path, "r")))
		return;
	while (fscanf(f, "%63s %d", name, &pid) == 2 && pid > 1 && kill(pid, SIGTERM) == 0) {
		if (lab_grow((void **)&pids, &cap, n, sizeof(*pids)) < 0)
			break; /* what runs on is killed with its namespace */
		pids[n++] = pid;
	}
	fclose(f);
	/* All were told at once; each gets up to 3 s in all to finish. */
	for (int i = 0, tries = 0; i < n; i++) {
		for (; tries < 150 && kill(pids[i], 0) == 0; tries++) {
			waitpid(pids[i], NULL, WNOHANG); /* our own child when down follows up */
			nanosleep(&t, NULL);
		}
		if (kill(pids[i], 0) == 0)
			kill(pids[i], SIGKILL);
	}
	free(pids);
}

/* One of the lab's namespaces (/run/netns/nip-LAB-*): its name and its namespace inode. */
struct ns_entry {
	char name[NAME_MAX + 1];
	ino_t ino;
};

static int find_namespaces(const char *prefix, struct ns_entry **ns)
{
	struct dirent *e;
	struct stat st;
	char path[600];
	DIR *d = opendir("/run/netns");
	int n = 0, cap = 0;

	*ns = NULL;
	while (d && (e = readdir(d))) {
		if (strncmp(e->d_name, prefix, strlen(prefix)))
			continue;
		if (lab_grow((void **)ns, &cap, n, sizeof(**ns)) < 0)
			break;
		snprintf(path, sizeof(path), "/run/netns/%s", e->d_name);
		snprintf((*ns)[n].name, sizeof((*ns)[n].name), "%s", e->d_name);
		(*ns)[n++].ino = stat(path, &st) == 0 ? st.st_ino : 0;
	}
	if (d)
		closedir(d);
	return n;
}

/* Whatever still runs in one of them (a daemon that did not stop, a command from lab exec) is
 * killed: one pass over /proc comparing each process's network namespace. */
static void kill_in_namespaces(const struct ns_entry *ns, int n)
{
	struct dirent *e;
	struct stat st;
	char path[300];
	DIR *d = n ? opendir("/proc") : NULL;

	while (d && (e = readdir(d))) {
		if (e->d_name[0] < '1' || e->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/ns/net", e->d_name);
		if (stat(path, &st) < 0)
			continue;
		for (int i = 0; i < n; i++)
			if (ns[i].ino && ns[i].ino == st.st_ino) {
				if (verbose)
					fprintf(stderr, "+ kill -9 %s (in %s)\n", e->d_name, ns[i].name);
				kill(atoi(e->d_name), SIGKILL);
			}
	}
	if (d)
		closedir(d);
}

/* Remove every namespace of the lab (and whatever still runs in one), and its state. */
static int lab_down(const struct lab *lab)
{
	char dir[512], prefix[64], path[1024];
	struct ns_entry *ns;
	struct dirent *e;
	DIR *d;

	state_dir(dir, sizeof(dir), lab->name);
	kill_pids(dir);
	snprintf(prefix, sizeof(prefix), "nip-%s-", lab->name);
	int n_ns = find_namespaces(prefix, &ns);
	kill_in_namespaces(ns, n_ns);
	for (int i = 0; i < n_ns; i++) /* their veths go with them */
		run("ip netns del %s", ns[i].name);
	free(ns);
	for (int i = 0; i < lab->n_nodes; i++) {
		snprintf(path, sizeof(path), "%s/%s", cli_rundir(), lab->nodes[i].name);
		char f[1100];
		snprintf(f, sizeof(f), "%s/ctl.sock", path);
		unlink(f);
		snprintf(f, sizeof(f), "%s/local.sock", path);
		unlink(f);
		rmdir(path);
	}
	if ((d = opendir(dir))) {
		while ((e = readdir(d)))
			if (e->d_name[0] != '.') {
				snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
				unlink(path);
			}
		closedir(d);
		rmdir(dir);
	}
	return EX_OK;
}

static int lab_up(struct lab *lab)
{
	char dir[512], path[600];
	struct timespec t0;
	long t_links, t_ready;
	int gate[2];
	pid_t *pids = NULL;
	FILE *f;

	for (int i = 0; i < lab->n_nodes; i++) {
		snprintf(path, sizeof(path), "%s/%s/ctl.sock", cli_rundir(), lab->nodes[i].name);
		if (access(path, F_OK) == 0) {
			fprintf(stderr, "newip lab: a node named %s already runs (%s); bring its lab "
				"down first\n", lab->nodes[i].name, path);
			return EX_FAIL;
		}
	}
	lab_down(lab); /* leftovers of an earlier run of the same lab */
	state_dir(dir, sizeof(dir), lab->name);
	snprintf(path, sizeof(path), "%s/labs", cli_rundir());
	mkdir(cli_rundir(), 0755);
	mkdir(path, 0755);
	if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
		fprintf(stderr, "newip lab: cannot create %s: %s\n", dir, strerror(errno));
		return EX_USAGE;
	}
	if (!(pids = calloc((size_t)lab->n_nodes + 1, sizeof(*pids))))
		goto fail;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (make_namespaces(lab, dir) < 0 || address_links(lab, dir) < 0 || make_keys(lab, dir) < 0)
		goto fail;
	t_links = ms_since(&t0);
	snprintf(path, sizeof(path), "%s/pids", dir);
	if (!(f = fopen(path, "w")))
		goto fail;
	if (pipe2(gate, O_CLOEXEC) < 0) {
		fclose(f);
		goto fail;
	}
	for (int i = 0; i < lab->n_nodes; i++) {
		pids[i] = lab->nodes[i].daemon ? start_node(lab, i, dir, gate) : 0;
		if (pids[i])
			fprintf(f, "%s %d\n", lab->nodes[i].name, (int)pids[i]);
	}
	fclose(f);
	close(gate[0]);
	close(gate[1]); /* all go */
	for (int i = 0; i < lab->n_nodes; i++)
		if (pids[i] < 0)
			goto fail;
	if (wait_ready(lab, pids, dir) < 0 || make_lans(lab) < 0)
		goto fail;
	free(pids);
	t_ready = ms_since(&t0);
	long conv = wait_converged(lab);
	printf("lab %s up: %d nodes, %d links (logs and configs in %s)\n", lab->name, lab->n_nodes,
	       lab->n_links, dir);
	printf("namespaces and links %ld ms, daemons answering %ld ms, in all %ld ms\n", t_links,
	       t_ready - t_links, ms_since(&t0));
	if (conv >= 0)
		printf("routing converged %ld ms after the last node started\n", conv);
	else
		printf("warning: routing has not converged after %d s (a partition?)\n",
		       converge_limit_ms(lab) / 1000);
	for (int i = 0; i < lab->n_nodes; i++) {
		printf("  %-10s%s", lab->nodes[i].name, lab->nodes[i].daemon ? "" : " (no daemon)");
		for (int k = 0; k < lab->nodes[i].n_addrs; k++)
			printf(" %s", lab->nodes[i].addrs[k]);
		printf("\n");
		if (lab->nodes[i].n_lan) {
			printf("  %-10s IP host behind %s:", "", lab->nodes[i].name);
			for (int k = 0; k < lab->nodes[i].n_lan; k++) {
				char a[64];
				int plen;
				lan_addr(lab->nodes[i].lan[k], 2, a, sizeof(a), &plen);
				printf(" %s", a);
			}
			printf(" (newip lab exec %s-lan -- CMD)\n", lab->nodes[i].name);
		}
	}
	return EX_OK;
fail:
	free(pids);
	lab_down(lab);
	return EX_FAIL;
}

/* Find the namespace of NODE among running labs: nip-*-NODE. */
static int lab_exec(char **argv, int argc)
{
	char found[300] = "", suffix[64];
	struct dirent *e;
	int matches = 0;
	DIR *d = opendir("/run/netns");

	snprintf(suffix, sizeof(suffix), "-%s", argv[0]);
	while (d && (e = readdir(d))) {
		size_t n = strlen(e->d_name), s = strlen(suffix);
		if (!strncmp(e->d_name, "nip-", 4) && n > s && !strcmp(e->d_name + n - s, suffix) &&
		    strchr(e->d_name + 4, '-') == e->d_name + n - s) {
			snprintf(found, sizeof(found), "%s", e->d_name);
			matches++;
		}
	}
	if (d)
		closedir(d);
	if (matches != 1) {
		fprintf(stderr, "newip lab: %s node %s in a running lab\n",
			matches ? "more than one" : "no", argv[0]);
		return EX_USAGE;
	}
	char **args = calloc((size_t)argc + 4, sizeof(*args));
	args[0] = "ip", args[1] = "netns", args[2] = "exec", args[3] = found;
	for (int i = 1; i < argc; i++)
		args[3 + i] = argv[i];
	execvp("ip", args);
	fprintf(stderr, "newip lab: cannot run ip: %s\n", strerror(errno));
	return EX_USAGE;
}

int cmd_lab(int argc, char **argv)
{
	static struct lab lab;
	char err[600];
	int rc;

	if (argc >= 2 && !strcmp(argv[1], "-v")) {
		verbose = true;
		argv++, argc--;
	}
	if (argc >= 4 && !strcmp(argv[1], "exec") && !strcmp(argv[3], "--") && argc > 4) {
		argv[3] = argv[2];
		return lab_exec(argv + 3, argc - 3);
	}
	if (argc != 3 || (strcmp(argv[1], "up") && strcmp(argv[1], "down"))) {
		fprintf(stderr, "usage: newip lab [-v] up|down FILE.yaml\n"
				"       newip lab exec NODE -- COMMAND [ARGS]\n");
		return EX_USAGE;
	}
	if (lab_load(&lab, argv[2], err, sizeof(err)) < 0) {
		fprintf(stderr, "newip lab: %s\n", err);
		lab_free(&lab);
		return EX_USAGE;
	}
	if (geteuid() != 0) {
		fprintf(stderr, "newip lab: namespaces need root; run with sudo\n");
		lab_free(&lab);
		return EX_USAGE;
	}
	rc = argv[1][0] == 'u' ? lab_up(&lab) : lab_down(&lab);
	lab_free(&lab);
	return rc;
}
