/*
 * The control socket: newline-delimited JSON requests and responses (docs/control-api.md),
 * served on its own thread; it reads data-plane counters and publishes new FIBs, nothing more.
 */
#include <errno.h>
#include <jansson.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "node.h"
#include "peer_ctl.h"
#include "schc_ctl.h"

#define STALL_MS 50 /* woken this much later than asked: the machine did not run us */

#define CTL_VERSION 1

int ctl_open(struct node *n, char *err, size_t errlen)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	if (strlen(n->ctl_path) >= sizeof(sa.sun_path)) {
		snprintf(err, errlen, "control socket path too long: %s", n->ctl_path);
		return -1;
	}
	strcpy(sa.sun_path, n->ctl_path);
	unlink(n->ctl_path);
	n->ctl_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	mode_t old = umask(0077); /* root-only from the moment it exists */
	int rc = n->ctl_fd < 0 ? -1 : bind(n->ctl_fd, (struct sockaddr *)&sa, sizeof(sa));
	umask(old);
	if (rc < 0 || chmod(n->ctl_path, 0600) < 0 || listen(n->ctl_fd, 8) < 0) {
		snprintf(err, errlen, "control socket %s: %s", n->ctl_path, strerror(errno));
		return -1;
	}
	return 0;
}

static json_t *addr_json(const struct nip_addr *a)
{
	char s[NIP_ADDR_STRLEN];

	nip_addr_format(a, s, sizeof(s));
	return json_string(s);
}

static json_t *error(const char *fmt, const char *arg)
{
	char msg[256];

	snprintf(msg, sizeof(msg), fmt, arg);
	return json_pack("{s:b, s:s}", "ok", 0, "error", msg);
}

/* Per class: depth, counters and sojourn percentiles (spec §10.3). */
static json_t *queues_json(const struct link *l)
{
	json_t *q = json_object();

	for (unsigned c = 0; c < SC_MAX; c++) {
		const struct class_stats *st = &l->sched.st[c];
		json_t *j = json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}",
				      "depth_packets", (json_int_t)STAT_READ(st->depth_pkts),
				      "depth_bytes", (json_int_t)STAT_READ(st->depth_bytes),
				      "enqueued", (json_int_t)STAT_READ(st->enq),
				      "drops_full", (json_int_t)STAT_READ(st->drop_full),
				      "drops_early", (json_int_t)STAT_READ(st->drop_early),
				      "drops_late", (json_int_t)STAT_READ(st->drop_late),
				      "drops_aqm", (json_int_t)STAT_READ(st->drop_aqm),
				      "ce_marks", (json_int_t)STAT_READ(st->ce_marks),
				      "sojourn_p50_us", (json_int_t)hist_quantile(st->sojourn_us, 0.5));
		json_object_set_new(j, "sojourn_p99_us",
				    json_integer((json_int_t)hist_quantile(st->sojourn_us, 0.99)));
		json_object_set_new(j, "sojourn_p999_us",
				    json_integer((json_int_t)hist_quantile(st->sojourn_us, 0.999)));
		json_object_set_new(q, sched_class_names[c], j);
	}
	return q;
}

static json_t *link_json(const struct dp *dp, unsigned i)
{
	const struct link *l = &dp->links[i];
	struct link_stats s;
	char a[80], b[80];

	dp_link_stats_sum(dp, i, &s); /* every worker's sockets for it */
	json_t *j = json_pack("{s:s, s:s, s:i, s:I, s:I, s:I, s:I, s:I}", "name", l->cfg.name,
			      "kind", link_kind_name(l->cfg.kind), "mtu", l->mtu, "rx_packets",
			      (json_int_t)s.rx_pkts, "rx_bytes", (json_int_t)s.rx_bytes,
			      "tx_packets", (json_int_t)s.tx_pkts, "tx_bytes",
			      (json_int_t)s.tx_bytes, "tx_errors", (json_int_t)s.tx_err);
	if (l->fan > 1)
		json_object_set_new(j, "workers", json_integer(l->fan));
	if (l->cfg.kind == LINK_UDP && link_ports(&l->cfg) > 1) /* spec §1.2 */
		json_object_set_new(j, "ports", json_integer(link_ports(&l->cfg)));
	json_object_set_new(j, "latency_us", json_integer(atomic_load(&l->lat_us)));
	if (l->cfg.kind == LINK_ETH || (l->cfg.kind == LINK_UDP && !l->peer)) /* its data path
		* (xdp), and how or why not */
		json_object_set_new(j, "path", json_pack("{s:s, s:s, s:I}", "io", l->xsk ? "af_xdp" :
							 l->cfg.kind == LINK_ETH ? "packet_socket" :
							 "udp_socket", "note", l->note, "kernel_rx",
							 (json_int_t)s.rx_kernel));
	if (l->cfg.kind == LINK_UDP && !l->xsk) /* UDP GSO and GRO, and the runs GRO read */
		json_object_set_new(j, "offload", json_pack("{s:b, s:b, s:I}", "gso", l->gso,
							    "gro", l->gro != NULL, "gro_runs",
							    (json_int_t)s.rx_runs));
	if (l->cfg.delay_us)
		json_object_set_new(j, "delay_us", json_integer(l->cfg.delay_us));
	if (l->paced) {
		json_object_set_new(j, "rate_bps", json_integer((json_int_t)l->cfg.rate_bps));
		json_object_set_new(j, "sched", json_string(l->cfg.sched_fifo ? "fifo" : "contract"));
	}
	json_object_set_new(j, "queues", queues_json(l));
	if (l->peer) {
		format_sockaddr(&l->cfg.local, a, sizeof(a));
		json_object_set_new(j, "local", json_string(a));
		json_object_set_new(j, "peer", peer_ctl_json(l));
	} else if (l->cfg.kind == LINK_UDP || l->schc) {
		format_sockaddr(&l->cfg.local, a, sizeof(a));
		format_sockaddr(&l->cfg.peer, b, sizeof(b));
		json_object_set_new(j, "local", json_string(a));
		json_object_set_new(j, "peer", json_string(b));
	} else {
		json_object_set_new(j, "dev", json_string(l->cfg.ifname));
	}
	if (l->schc)
		json_object_set_new(j, "schc", schc_ctl_json(l));
	return j;
}

static json_t *addrs_json(struct node *n)
{
	json_t *addrs = json_array();

	for (unsigned i = 0; i < n->dp.n_addrs; i++)
		json_array_append_new(addrs, addr_json(&n->dp.addrs[i]));
	return addrs;
}

static json_t *cmd_addrs(struct node *n)
{
	return json_pack("{s:b, s:o}", "ok", 1, "addresses", addrs_json(n));
}

static json_t *cmd_status(struct node *n)
{
	struct timespec now;
	json_t *addrs = addrs_json(n);

	clock_gettime(CLOCK_MONOTONIC, &now);
	return json_pack("{s:b, s:i, s:s, s:o, s:i, s:I}", "ok", 1, "version", CTL_VERSION, "node",
			 n->cfg.node, "addresses", addrs, "links", (int)n->dp.n_links, "uptime_s",
			 (json_int_t)(now.tv_sec - n->started.tv_sec));
}

static json_t *cmd_links(struct node *n)
{
	json_t *links = json_array();

	for (unsigned i = 0; i < n->dp.n_links; i++)
		json_array_append_new(links, link_json(&n->dp, i));
	return json_pack("{s:b, s:o}", "ok", 1, "links", links);
}

static json_t *cmd_routes(struct node *n)
{
	char s[NIP_ADDR_STRLEN];
	json_t *routes = json_array();

	for (unsigned i = 0; i < n->dp.n_addrs; i++) {
		nip_addr_format(&n->dp.addrs[i], s, sizeof(s));
		json_array_append_new(routes, json_pack("{s:s, s:s, s:s}", "prefix", s, "via",
							"local", "origin", "local"));
	}
	for (size_t i = 0; i < n->rib.n + n->rib.n_ls; i++) {
		const struct rib_route *r = i < n->rib.n ? &n->rib.r[i] : &n->rib.ls[i - n->rib.n];
		char via[NH_MAX_PATHS * (LINK_NAME + 1)] = "";
		for (unsigned k = 0; k < r->nh.n; k++) {
			strcat(via, k ? "," : "");
			strcat(via, n->dp.links[r->nh.link[k]].cfg.name);
		}
		nip_prefix_format(&r->prefix, s, sizeof(s));
		json_t *j = json_pack("{s:s, s:s, s:s}", "prefix", s, "via", via, "origin",
				      rib_origin_name(r->origin));
		if (r->origin == ORIGIN_LS) {
			json_object_set_new(j, "cost", json_integer(r->cost));
			json_object_set_new(j, "latency_us", json_integer(r->nh.lat_us));
			json_object_set_new(j, "hops", json_integer(r->nh.hops));
		} else { /* spec §9: a static route has its link's latency and one hop */
			json_object_set_new(j, "latency_us", json_integer(atomic_load(
				&n->dp.links[r->nh.link[0]].lat_us)));
			json_object_set_new(j, "hops", json_integer(1));
		}
		json_array_append_new(routes, j);
	}
	return json_pack("{s:b, s:o}", "ok", 1, "routes", routes);
}

static json_t *cmd_route_change(struct node *n, json_t *req, bool add)
{
	const char *prefix = json_string_value(json_object_get(req, "prefix"));
	const char *via = json_string_value(json_object_get(req, "via"));
	struct nip_prefix p;
	int link = -1, rc;

	if (!prefix)
		return error("%s needs \"prefix\"", add ? "route.add" : "route.del");
	if ((rc = nip_prefix_parse(&p, prefix)) < 0)
		return error(rc == NIP_E_PREFIX_BITS ? "prefix %s has bits set past its length" :
						       "%s is not a prefix (ADDRESS/BITS or default)",
			     prefix);
	if (add) {
		if (!via || (link = config_link(&n->cfg, via)) < 0)
			return error("no link named %s", via ? via : "(missing \"via\")");
		rc = rib_add(&n->rib, &p, (uint16_t)link, ORIGIN_CLI);
		if (rc == -EEXIST)
			return error("a route for %s exists; delete it first", prefix);
	} else {
		rc = rib_del(&n->rib, &p);
		if (rc == -ENOENT)
			return error("no static route for %s", prefix);
	}
	if (rc == 0 && (rc = rib_publish(&n->rib, &n->dp)) < 0 && add)
		rib_del(&n->rib, &p); /* not in the FIB: not in the RIB either */
	if (rc == -ENOSPC)
		return error("route %s not added: the FIB holds at most 65535 next-hop groups",
			     prefix);
	if (rc < 0)
		return error("%s", "out of memory");
	return json_pack("{s:b}", "ok", 1);
}

/* Worker w's share: what its sockets read, what it forwarded, what it handed to worker 0. */
static json_t *worker_json(const struct dp *dp, unsigned w)
{
	const struct dp_stats *st = w ? &dp->workers[w - 1].st : &dp->st;
	const struct link *links = w ? dp->workers[w - 1].links : dp->links;
	uint64_t rx = 0;

	for (unsigned i = 0; i < dp->n_links; i++)
		rx += STAT_READ(links[i].st.rx_pkts);
	return json_pack("{s:i, s:I, s:I, s:I}", "worker", w, "rx_packets", (json_int_t)rx,
			 "forwarded", (json_int_t)STAT_READ(st->forwarded), "handed_off",
			 (json_int_t)STAT_READ(st->handed_off));
}

static json_t *cmd_stats(struct node *n)
{
	struct dp_stats sum;
	const struct dp_stats *st = &sum;
	json_t *drops = json_object(), *bad = json_object(), *links = json_array();
	json_t *workers = json_array();

	dp_stats_sum(&n->dp, &sum);
	for (unsigned w = 0; w < n->dp.n_workers; w++)
		json_array_append_new(workers, worker_json(&n->dp, w));

	for (int i = 0; i < DROP_MAX; i++)
		json_object_set_new(drops, drop_names[i], json_integer((json_int_t)STAT_READ(st->drop[i])));
	for (int e = 1; e < NIP_ERR_COUNT; e++)
		if (STAT_READ(st->malformed[e]))
			json_object_set_new(bad, nip_strerror(-e),
					    json_integer((json_int_t)STAT_READ(st->malformed[e])));
	for (unsigned i = 0; i < n->dp.n_links; i++)
		json_array_append_new(links, link_json(&n->dp, i));
	const struct lsr_stats *ls = &n->lsr.st;
	json_t *routing = json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "hello_rx",
				    (json_int_t)ls->hello_rx, "lsu_rx", (json_int_t)ls->lsu_rx,
				    "ack_rx", (json_int_t)ls->ack_rx, "msgs_tx",
				    (json_int_t)ls->msgs_tx, "malformed_msgs", (json_int_t)ls->malformed,
				    "stale_msgs", (json_int_t)ls->stale, "spf_runs",
				    (json_int_t)ls->spf_runs, "last_spf_us",
				    (json_int_t)n->lsr.last_spf_us, "lsas_originated",
				    (json_int_t)ls->originated);
	json_object_set_new(routing, "auth_rejected", json_integer((json_int_t)ls->auth_rejected));
	json_object_set_new(routing, "neighbours_lost", json_integer((json_int_t)ls->nbr_down));
	json_object_set_new(routing, "auth", json_boolean(n->lsr.auth));
	json_t *gw = json_pack("{s:I, s:I, s:I, s:I, s:I}", "to_newip",
			       (json_int_t)STAT_READ(st->gw_to_nip), "to_ip",
			       (json_int_t)STAT_READ(st->gw_to_ip), "ipv4_options_removed",
			       (json_int_t)STAT_READ(st->gw_options), "offload_super_packets",
			       (json_int_t)STAT_READ(st->gw_super), "offload_segments",
			       (json_int_t)STAT_READ(st->gw_segments));
	json_t *j = json_pack("{s:b, s:o, s:o, s:o, s:o, s:I, s:I, s:I, s:I, s:I, s:o, s:o, s:o}",
			 "ok", 1, "guard", guard_ctl_stats_json(&n->guard), "top_sources",
			 guard_ctl_top_json(&n->guard), "routing", routing, "gateway", gw, "forwarded",
			 (json_int_t)STAT_READ(st->forwarded), "delivered",
			 (json_int_t)STAT_READ(st->delivered), "originated",
			 (json_int_t)STAT_READ(st->originated), "ncmp_sent",
			 (json_int_t)STAT_READ(st->ncmp_sent), "ncmp_rate_limited",
			 (json_int_t)STAT_READ(st->ncmp_limited), "drops", drops, "malformed", bad,
			 "links", links);
	json_object_set_new(j, "workers", workers); /* last: the node's own totals come first */
	return j;
}

static json_t *rid_json(uint64_t rid)
{
	char s[20];

	snprintf(s, sizeof(s), "%016llx", (unsigned long long)rid);
	return json_string(s);
}

static json_t *cmd_neigh(struct node *n)
{
	const struct lsr *l = &n->lsr;
	json_t *arr = json_array();
	uint64_t now = lsr_now_ms();

	for (unsigned i = 0; i < n->dp.n_links; i++) {
		const struct lsr_nbr *nb = &l->nbr[i];
		json_t *j = json_pack("{s:s, s:s}", "link", n->dp.links[i].cfg.name, "state",
				      nbr_state_name(nb->state));
		if (nb->state != NBR_DOWN) {
			json_object_set_new(j, "router_id", rid_json(nb->rid));
			json_object_set_new(j, "name", json_string(lsdb_name(l, nb->rid)));
			json_object_set_new(j, "address", addr_json(&nb->addr));
			json_object_set_new(j, "heard_ms_ago",
					    json_integer((json_int_t)(now - nb->last_heard_ms)));
			json_object_set_new(j, "mtu", json_integer(nb->mtu));
			if (nb->mtu != n->dp.links[i].mtu)
				json_object_set_new(j, "problem", json_string("mtu mismatch"));
		}
		char why[96];
		if (nb->state != NBR_TWOWAY && n->dp.links[i].peer &&
		    peer_ctl_problem(&n->dp.links[i], why, sizeof(why)))
			json_object_set_new(j, "problem", json_string(why));
		json_array_append_new(arr, j);
	}
	return json_pack("{s:b, s:b, s:o, s:o}", "ok", 1, "routing", l->enabled, "router_id",
			 rid_json(l->rid), "neighbours", arr);
}

static json_t *cmd_lsdb(struct node *n)
{
	const struct lsr *l = &n->lsr;
	json_t *arr = json_array();
	uint64_t now = lsr_now_ms();
	char s[NIP_ADDR_STRLEN];

	for (unsigned i = 0; i < l->n_db; i++) {
		const struct lsdb_entry *e = l->db[i];
		json_t *links = json_array(), *pfx = json_array();
		for (unsigned k = 0; k < e->lsa.n_links; k++)
			json_array_append_new(links, json_pack("{s:s, s:i}", "neighbour",
							       lsdb_name(l, e->lsa.links[k].nbr),
							       "metric", e->lsa.links[k].metric));
		for (unsigned k = 0; k < e->lsa.n_prefixes; k++) {
			nip_prefix_format(&e->lsa.prefixes[k], s, sizeof(s));
			json_array_append_new(pfx, json_string(s));
		}
		json_array_append_new(arr, json_pack("{s:o, s:s, s:I, s:i, s:o, s:o, s:b}", "origin",
						     rid_json(e->lsa.origin), "name", e->lsa.name,
						     "seq", (json_int_t)e->lsa.seq, "age",
						     lsdb_age(l, e, now), "links", links, "prefixes",
						     pfx, "signed", e->lsa.is_signed));
	}
	return json_pack("{s:b, s:o}", "ok", 1, "lsas", arr);
}

static json_t *cmd_shutoff(struct node *n, json_t *req)
{
	const char *src = json_string_value(json_object_get(req, "source"));
	json_t *d = json_object_get(req, "duration_s");
	struct nip_addr a;
	char err[256];

	if (!src || nip_addr_parse(&a, src) < 0)
		return error("shutoff needs \"source\": an address (docs/spec.md §4.1), not %s",
			     src ? src : "nothing");
	json_int_t dur = d ? json_integer_value(d) : 60;
	if (d && !json_is_integer(d))
		return error("%s", "\"duration_s\" must be a whole number of seconds");
	if (dur < 1 || dur > NCMP_SHUTOFF_MAX_S)
		return error("%s", "duration out of range; use 1 to 3600 seconds");
	const struct gc_filter *f = guard_ctl_shutoff(&n->guard, &a, (uint32_t)dur, false, err,
						      sizeof(err));
	if (!f)
		return error("%s", err);
	char id[12];
	snprintf(id, sizeof(id), "%08x", f->req_id);
	return json_pack("{s:b, s:s, s:o}", "ok", 1, "request_id", id, "destination",
			 addr_json(&f->f.dst));
}

static json_t *handle(struct node *n, const char *line)
{
	json_error_t jerr;
	json_t *req = json_loads(line, 0, &jerr), *resp;
	const char *cmd = json_string_value(json_object_get(req, "cmd"));

	if (!req)
		return error("request is not JSON: %s", jerr.text);
	if (!cmd)
		resp = error("%s", "request has no \"cmd\"");
	else if (!strcmp(cmd, "status"))
		resp = cmd_status(n);
	else if (!strcmp(cmd, "link.show"))
		resp = cmd_links(n);
	else if (!strcmp(cmd, "addr.show"))
		resp = cmd_addrs(n);
	else if (!strcmp(cmd, "route.show"))
		resp = cmd_routes(n);
	else if (!strcmp(cmd, "route.add") || !strcmp(cmd, "route.del"))
		resp = cmd_route_change(n, req, cmd[6] == 'a');
	else if (!strcmp(cmd, "stats"))
		resp = cmd_stats(n);
	else if (!strcmp(cmd, "neigh.show"))
		resp = cmd_neigh(n);
	else if (!strcmp(cmd, "lsdb.show"))
		resp = cmd_lsdb(n);
	else if (!strcmp(cmd, "shutoff"))
		resp = cmd_shutoff(n, req);
	else if (!strcmp(cmd, "filters.show"))
		resp = guard_ctl_filters_json(&n->guard);
	else if (!strcmp(cmd, "sav.show"))
		resp = guard_ctl_sav_json(&n->guard);
	else
		resp = error("unknown cmd %s; see docs/control-api.md", cmd);
	json_decref(req);
	return resp;
}

/* Control-socket clients, served between the routing protocol's timers: a client that is slow
 * to write its request, to read the answer or to hang up never holds up the hellos (a stalled
 * `newip` once cost a node its neighbours). Requests are lines of JSON, answers too. */
#define CTL_CLIENTS 8
#define CTL_BUF 65536
#define CTL_IDLE_MS 10000 /* a client silent this long is closed */

struct ctl_client {
	int fd;
	size_t have;
	uint64_t last_ms;
	char *buf; /* CTL_BUF octets while connected */
};

static void client_close(struct ctl_client *c)
{
	close(c->fd);
	free(c->buf);
	*c = (struct ctl_client){ .fd = -1 };
}

static void client_accept(struct node *n, struct ctl_client *cl, uint64_t now)
{
	struct timeval tv = { 0, 100000 }; /* an answer the client does not read: at most this */
	int fd = accept4(n->ctl_fd, NULL, NULL, SOCK_CLOEXEC);
	unsigned i = 0;

	if (fd < 0)
		return;
	while (i < CTL_CLIENTS && cl[i].fd >= 0)
		i++;
	if (i == CTL_CLIENTS || !(cl[i].buf = malloc(CTL_BUF))) {
		static const char busy[] = "{\"error\":\"the control socket is busy; try again\"}\n";
		(void)!send(fd, busy, sizeof(busy) - 1, MSG_NOSIGNAL | MSG_DONTWAIT);
		close(fd);
		return;
	}
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	cl[i].fd = fd;
	cl[i].have = 0;
	cl[i].last_ms = now;
}

/* What the client sent: answer each whole line. False when it is done (hung up, errored). */
static bool client_read(struct node *n, struct ctl_client *c, uint64_t now)
{
	ssize_t r = recv(c->fd, c->buf + c->have, CTL_BUF - c->have, MSG_DONTWAIT);
	char *nl;

	if (r <= 0)
		return r < 0 && (errno == EAGAIN || errno == EINTR);
	c->have += (size_t)r;
	c->last_ms = now;
	while ((nl = memchr(c->buf, '\n', c->have))) {
		*nl = '\0';
		json_t *resp = handle(n, c->buf);
		char *out = json_dumps(resp, JSON_COMPACT);
		json_decref(resp);
		bool ok = out && send(c->fd, out, strlen(out), MSG_NOSIGNAL) >= 0 &&
			  send(c->fd, "\n", 1, MSG_NOSIGNAL) >= 0;
		free(out);
		if (!ok)
			return false;
		c->have -= (size_t)(nl + 1 - c->buf);
		memmove(c->buf, nl + 1, c->have);
	}
	return c->have < CTL_BUF; /* a full buffer without a line is no request */
}

/* The control thread: control-socket requests, routing messages from the data plane's ring,
 * and the routing protocol's timers. It sleeps until the next timer NLS has (a hello, a dead
 * neighbour, SPF) or 100 ms, which the guard's and the peers' second-long timers need: an idle
 * node wakes about ten times a second a link, not a hundred (hundreds of lab nodes share two
 * cores). */
void *ctl_main(void *arg)
{
	struct node *n = arg;
	struct pollfd pfd[3 + CTL_CLIENTS] = {
		{ .fd = n->ctl_fd, .events = POLLIN },
		{ .fd = n->dp.ctl_wake_fd, .events = POLLIN },
		{ .fd = n->metrics ? metrics_fd(n->metrics) : -1, .events = POLLIN } };
	struct ctl_client cl[CTL_CLIENTS];
	struct ring_slot *s;
	uint64_t drain, now;

	for (unsigned i = 0; i < CTL_CLIENTS; i++)
		cl[i] = (struct ctl_client){ .fd = -1 };
	while (!atomic_load(&n->dp.stop)) {
		now = lsr_now_ms(); /* the last round's work took time too */
		uint64_t due = lsr_next_ms(&n->lsr, now, 100);
		for (unsigned i = 0; i < CTL_CLIENTS; i++)
			pfd[3 + i] = (struct pollfd){ .fd = cl[i].fd, .events = POLLIN };
		poll(pfd, 3 + CTL_CLIENTS, (int)(due - now));
		now = lsr_now_ms();
		/* Starved (hundreds of daemons on two cores, a stopped process): the hellos that
		 * came meanwhile may still wait in the data plane, so the lost time is forgiven. */
		if (now > due + STALL_MS)
			nbr_stalled(&n->lsr, now - due);
		if (pfd[1].revents & POLLIN)
			(void)!read(n->dp.ctl_wake_fd, &drain, sizeof(drain));
		while ((s = ring_peek(&n->dp.to_ctl))) {
			if (s->len > 6 && s->data[6] == NIP_PROTO_NCMP)
				guard_ctl_rx(&n->guard, s->link, s->data, s->len, now);
			else
				lsr_rx(&n->lsr, s->link, s->data, s->len, now, s->ts_ns);
			ring_pop(&n->dp.to_ctl);
		}
		lsr_tick(&n->lsr, now);
		guard_ctl_tick(&n->guard, now);
		peer_ctl_tick(n, now);
		if (n->metrics) /* scrapes, and libmicrohttpd's own timeouts on every tick */
			metrics_run(n->metrics);
		for (unsigned i = 0; i < CTL_CLIENTS; i++)
			if (cl[i].fd >= 0 && (pfd[3 + i].revents ? !client_read(n, &cl[i], now) :
					      now - cl[i].last_ms > CTL_IDLE_MS))
				client_close(&cl[i]);
		if (pfd[0].revents & POLLIN)
			client_accept(n, cl, now);
	}
	for (unsigned i = 0; i < CTL_CLIENTS; i++)
		if (cl[i].fd >= 0)
			client_close(&cl[i]);
	return NULL;
}
