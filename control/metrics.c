/*
 * The Prometheus endpoint: `metrics-listen ADDR:PORT` serves GET /metrics with libmicrohttpd,
 * polled by the control thread (one fd in its poll set), so reading the counters never races
 * the routing protocol. Names follow Prometheus' conventions: base units, _total for counters,
 * and labels (reason, link, class) rather than names.
 */
#include <dlfcn.h>
#include <errno.h>
#include <microhttpd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "metrics.h"
#include "node.h"

/* libmicrohttpd, opened when a node first serves metrics: linked in, it and the TLS stack it
 * brings (GnuTLS, nettle, p11-kit...) would be 2.3 MB of mapped pages in every idle node of a
 * lab, where most serve none. The Debian package depends on it by name (scripts/deb.sh). */
#define MHD_SONAME "libmicrohttpd.so.12"
static struct {
	void *so;
	__typeof__(MHD_create_response_from_buffer) *create_response_from_buffer;
	__typeof__(MHD_queue_response) *queue_response;
	__typeof__(MHD_add_response_header) *add_response_header;
	__typeof__(MHD_destroy_response) *destroy_response;
	__typeof__(MHD_start_daemon) *start_daemon;
	__typeof__(MHD_get_daemon_info) *get_daemon_info;
	__typeof__(MHD_run) *run;
	__typeof__(MHD_stop_daemon) *stop_daemon;
} mhd;

static int mhd_open(char *err, size_t errlen)
{
	void *so;

	if (mhd.so)
		return 0;
	if (!(so = dlopen(MHD_SONAME, RTLD_NOW | RTLD_LOCAL))) {
		snprintf(err, errlen, "metrics-listen needs libmicrohttpd: %s (apt install "
			 "libmicrohttpd12)", dlerror());
		return -1;
	}
#define SYM(f)                                                                         \
	if (!(*(void **)&mhd.f = dlsym(so, "MHD_" #f))) {                              \
		snprintf(err, errlen, "metrics-listen: %s has no MHD_" #f, MHD_SONAME); \
		dlclose(so);                                                           \
		return -1;                                                             \
	}
	SYM(create_response_from_buffer)
	SYM(queue_response)
	SYM(add_response_header)
	SYM(destroy_response)
	SYM(start_daemon)
	SYM(get_daemon_info)
	SYM(run)
	SYM(stop_daemon)
#undef SYM
	mhd.so = so;
	return 0;
}

struct metrics {
	struct MHD_Daemon *mhd;
	struct node *node;
	int listen_fd;
};

/* A family announced once, then its samples. */
static void family(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void sample(FILE *f, const char *name, const char *labels, double v)
{
	fprintf(f, "%s%s%s%s %.17g\n", name, labels[0] ? "{" : "", labels, labels[0] ? "}" : "", v);
}

static void counter(FILE *f, const char *name, const char *help, uint64_t v)
{
	family(f, name, "counter", help);
	sample(f, name, "", (double)v);
}

static void node_counters(struct node *n, FILE *f)
{
	struct dp_stats sum;
	const struct dp_stats *st = &sum;
	char l[128];

	dp_stats_sum(&n->dp, &sum);

	family(f, "newip_up", "gauge", "1 while the node runs.");
	sample(f, "newip_up", "", 1);
	counter(f, "newip_forwarded_packets_total", "Packets forwarded to another node.",
		STAT_READ(st->forwarded));
	counter(f, "newip_delivered_packets_total", "Packets delivered to this node.",
		STAT_READ(st->delivered));
	counter(f, "newip_originated_packets_total", "Packets this node sent itself.",
		STAT_READ(st->originated));
	counter(f, "newip_ncmp_sent_total", "NCMP messages sent.", STAT_READ(st->ncmp_sent));
	counter(f, "newip_ncmp_rate_limited_total", "NCMP errors not sent (rate limit).",
		STAT_READ(st->ncmp_limited));
	family(f, "newip_gateway_translated_packets_total", "counter",
	       "Packets a TUN gateway translated, by direction.");
	sample(f, "newip_gateway_translated_packets_total", "direction=\"to_newip\"",
	       (double)STAT_READ(st->gw_to_nip));
	sample(f, "newip_gateway_translated_packets_total", "direction=\"to_ip\"",
	       (double)STAT_READ(st->gw_to_ip));
	counter(f, "newip_gateway_offload_segments_total",
		"Segments a TUN gateway cut from the kernel's TCP super-packets.",
		STAT_READ(st->gw_segments));
	family(f, "newip_dropped_packets_total", "counter", "Packets dropped, by reason.");
	for (int i = 0; i < DROP_MAX; i++) {
		snprintf(l, sizeof(l), "reason=\"%s\"", drop_names[i]);
		sample(f, "newip_dropped_packets_total", l, (double)STAT_READ(st->drop[i]));
	}
	family(f, "newip_malformed_packets_total", "counter",
	       "Malformed packets, by the error of docs/spec.md section 7.");
	for (int e = 1; e < NIP_ERR_COUNT; e++) {
		const char *name = nip_strerror(-e);
		if (!name || !strcmp(name, "unknown error"))
			continue;
		snprintf(l, sizeof(l), "error=\"%s\"", name);
		sample(f, "newip_malformed_packets_total", l, (double)STAT_READ(st->malformed[e]));
	}
}

static void link_counters(struct node *n, FILE *f)
{
	static const struct {
		const char *name, *help;
		size_t off;
	} c[] = {
		{ "newip_link_receive_packets_total", "Packets received on the link.",
		  offsetof(struct link_stats, rx_pkts) },
		{ "newip_link_receive_bytes_total", "Octets received on the link.",
		  offsetof(struct link_stats, rx_bytes) },
		{ "newip_link_transmit_packets_total", "Packets sent on the link.",
		  offsetof(struct link_stats, tx_pkts) },
		{ "newip_link_transmit_bytes_total", "Octets sent on the link.",
		  offsetof(struct link_stats, tx_bytes) },
		{ "newip_link_transmit_errors_total", "Packets the link failed to send.",
		  offsetof(struct link_stats, tx_err) },
		{ "newip_link_receive_gro_runs_total", "Runs of datagrams the kernel coalesced (UDP "
		  "GRO) and the link cut into packets.", offsetof(struct link_stats, rx_runs) },
	};
	char l[96];

	for (size_t k = 0; k < sizeof(c) / sizeof(c[0]); k++) {
		family(f, c[k].name, "counter", c[k].help);
		for (unsigned i = 0; i < n->dp.n_links; i++) {
			struct link_stats s;
			dp_link_stats_sum(&n->dp, i, &s);
			const uint64_t *v = (const void *)((const char *)&s + c[k].off);
			snprintf(l, sizeof(l), "link=\"%s\"", n->dp.links[i].cfg.name);
			sample(f, c[k].name, l, (double)*v);
		}
	}
	family(f, "newip_link_latency_seconds", "gauge",
	       "The link's one-way latency estimate (docs/spec.md section 9).");
	for (unsigned i = 0; i < n->dp.n_links; i++) {
		snprintf(l, sizeof(l), "link=\"%s\"", n->dp.links[i].cfg.name);
		sample(f, "newip_link_latency_seconds", l,
		       atomic_load(&n->dp.links[i].lat_us) / 1e6);
	}
}

/* The label set of link i, class c. */
static const char *qlabel(char *l, size_t size, const struct node *n, unsigned i, unsigned c)
{
	snprintf(l, size, "link=\"%s\",class=\"%s\"", n->dp.links[i].cfg.name, sched_class_names[c]);
	return l;
}

/* One gauge or counter over every link and class; v picks the field. */
static void per_queue(struct node *n, FILE *f, const char *name, const char *type,
		      const char *help, uint64_t (*v)(const struct class_stats *))
{
	char l[160];

	family(f, name, type, help);
	for (unsigned i = 0; i < n->dp.n_links; i++)
		for (unsigned c = 0; c < SC_MAX; c++)
			sample(f, name, qlabel(l, sizeof(l), n, i, c), (double)v(&n->dp.links[i].sched.st[c]));
}

static uint64_t q_pkts(const struct class_stats *s) { return STAT_READ(s->depth_pkts); }
static uint64_t q_bytes(const struct class_stats *s) { return STAT_READ(s->depth_bytes); }
static uint64_t q_enq(const struct class_stats *s) { return STAT_READ(s->enq); }
static uint64_t q_ce(const struct class_stats *s) { return STAT_READ(s->ce_marks); }

/* The sojourn histogram of one queue, in Prometheus' cumulative buckets (seconds). */
static void sojourn(FILE *f, const char *l, const struct class_stats *st)
{
	static const double le_us[] = { 10, 50, 100, 250, 500, 1000, 2000, 5000, 10000, 20000,
					50000, 100000, 250000, 1000000 };
	const char *h = "newip_queue_sojourn_seconds";
	uint64_t total = 0, cum = 0;
	unsigned b = 0;

	for (unsigned k = 0; k < HIST_BUCKETS; k++)
		total += STAT_READ(st->sojourn_us[k]);
	for (size_t e = 0; e < sizeof(le_us) / sizeof(le_us[0]); e++) {
		for (; b < HIST_BUCKETS && hist_upper(b) <= le_us[e]; b++) /* whole buckets below */
			cum += STAT_READ(st->sojourn_us[b]);
		fprintf(f, "%s_bucket{%s,le=\"%g\"} %llu\n", h, l, le_us[e] / 1e6,
			(unsigned long long)cum);
	}
	fprintf(f, "%s_bucket{%s,le=\"+Inf\"} %llu\n", h, l, (unsigned long long)total);
	fprintf(f, "%s_sum{%s} %.9g\n", h, l, (double)STAT_READ(st->sojourn_sum_us) / 1e6);
	fprintf(f, "%s_count{%s} %llu\n", h, l, (unsigned long long)total);
}

/* Per link and class (docs/spec.md section 10.3): depth, drops by reason, marks, sojourn. */
static void queue_counters(struct node *n, FILE *f)
{
	static const char *const why[] = { "full", "early", "late", "aqm" };
	char l[160], lr[200];

	per_queue(n, f, "newip_queue_packets", "gauge", "Packets queued, by link and class.", q_pkts);
	per_queue(n, f, "newip_queue_bytes", "gauge", "Octets queued, by link and class.", q_bytes);
	per_queue(n, f, "newip_queue_enqueued_packets_total", "counter", "Packets queued.", q_enq);
	per_queue(n, f, "newip_queue_ce_marked_packets_total", "counter", "Packets marked CE (ECN).",
		  q_ce);
	family(f, "newip_queue_dropped_packets_total", "counter",
	       "Packets dropped by the egress: full queue, contract early or late, AQM.");
	for (unsigned i = 0; i < n->dp.n_links; i++)
		for (unsigned c = 0; c < SC_MAX; c++) {
			const struct class_stats *st = &n->dp.links[i].sched.st[c];
			const uint64_t v[] = { STAT_READ(st->drop_full), STAT_READ(st->drop_early),
					       STAT_READ(st->drop_late), STAT_READ(st->drop_aqm) };
			for (int r = 0; r < 4; r++) {
				snprintf(lr, sizeof(lr), "%s,reason=\"%s\"", qlabel(l, sizeof(l), n, i, c),
					 why[r]);
				sample(f, "newip_queue_dropped_packets_total", lr, (double)v[r]);
			}
		}
	family(f, "newip_queue_sojourn_seconds", "histogram", "Time packets spent in the queue.");
	for (unsigned i = 0; i < n->dp.n_links; i++)
		for (unsigned c = 0; c < SC_MAX; c++)
			sojourn(f, qlabel(l, sizeof(l), n, i, c), &n->dp.links[i].sched.st[c]);
}

static void routing_counters(struct node *n, FILE *f)
{
	const struct lsr *r = &n->lsr;
	unsigned state[3] = { 0 };

	family(f, "newip_routing_messages_received_total", "counter", "NLS messages received.");
	sample(f, "newip_routing_messages_received_total", "type=\"hello\"", (double)r->st.hello_rx);
	sample(f, "newip_routing_messages_received_total", "type=\"update\"", (double)r->st.lsu_rx);
	sample(f, "newip_routing_messages_received_total", "type=\"ack\"", (double)r->st.ack_rx);
	counter(f, "newip_routing_messages_sent_total", "NLS messages sent.", r->st.msgs_tx);
	counter(f, "newip_routing_malformed_messages_total", "Malformed NLS messages dropped.",
		r->st.malformed);
	counter(f, "newip_routing_stale_messages_total", "Older LSAs, or updates from a node that "
		"is not a two-way neighbour.", r->st.stale);
	counter(f, "newip_routing_spf_runs_total", "Shortest-path computations.", r->st.spf_runs);
	counter(f, "newip_routing_lsas_originated_total", "LSAs this node originated.",
		r->st.originated);
	counter(f, "newip_routing_neighbours_lost_total", "Two-way neighbours that went down.",
		r->st.nbr_down);
	family(f, "newip_routing_spf_duration_seconds", "gauge", "The last SPF run's duration.");
	sample(f, "newip_routing_spf_duration_seconds", "", (double)r->last_spf_us / 1e6);
	family(f, "newip_routing_lsas", "gauge", "LSAs in the link-state database.");
	sample(f, "newip_routing_lsas", "", r->n_db);
	for (unsigned i = 0; i < n->dp.n_links; i++)
		state[r->nbr[i].state]++;
	family(f, "newip_routing_neighbours", "gauge", "Links by the state of their neighbour.");
	sample(f, "newip_routing_neighbours", "state=\"two-way\"", state[NBR_TWOWAY]);
	sample(f, "newip_routing_neighbours", "state=\"init\"", state[NBR_INIT]);
	sample(f, "newip_routing_neighbours", "state=\"down\"", state[NBR_DOWN]);
}

void metrics_render(struct node *n, FILE *f)
{
	node_counters(n, f);
	link_counters(n, f);
	queue_counters(n, f);
	routing_counters(n, f);
}

static enum MHD_Result answer(void *cls, struct MHD_Connection *c, const char *url,
			      const char *method, const char *version, const char *upload,
			      size_t *upload_len, void **state)
{
	struct metrics *m = cls;
	struct MHD_Response *r;
	enum MHD_Result rc;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	(void)version, (void)upload, (void)upload_len, (void)state;
	if (strcmp(method, "GET") && strcmp(method, "HEAD")) {
		static const char msg[] = "only GET\n";
		r = mhd.create_response_from_buffer(sizeof(msg) - 1, (void *)msg, MHD_RESPMEM_PERSISTENT);
		rc = mhd.queue_response(c, MHD_HTTP_METHOD_NOT_ALLOWED, r);
	} else if (strcmp(url, "/metrics")) {
		static const char msg[] = "newipd: the metrics are at /metrics\n";
		r = mhd.create_response_from_buffer(sizeof(msg) - 1, (void *)msg, MHD_RESPMEM_PERSISTENT);
		rc = mhd.queue_response(c, MHD_HTTP_NOT_FOUND, r);
	} else {
		if (!(f = open_memstream(&buf, &len)))
			return MHD_NO;
		metrics_render(m->node, f);
		fclose(f);
		r = mhd.create_response_from_buffer(len, buf, MHD_RESPMEM_MUST_FREE);
		mhd.add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
					"text/plain; version=0.0.4; charset=utf-8");
		rc = mhd.queue_response(c, MHD_HTTP_OK, r);
	}
	mhd.destroy_response(r);
	return rc;
}

struct metrics *metrics_start(struct node *n, const char *addr, char *err, size_t errlen)
{
	struct metrics *m = calloc(1, sizeof(*m));
	struct sockaddr_storage ss;
	if (m)
		m->listen_fd = -1;
	socklen_t sl;
	int one = 1;

	if (!m) {
		snprintf(err, errlen, "metrics-listen: out of memory");
		return NULL;
	}
	if (parse_sockaddr(addr, &ss, &sl) < 0) {
		snprintf(err, errlen, "metrics-listen '%s' is not IP:PORT; write e.g. 127.0.0.1:9464 "
			 "or [::1]:9464", addr);
		goto fail;
	}
	m->listen_fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	setsockopt(m->listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (m->listen_fd < 0 || bind(m->listen_fd, (struct sockaddr *)&ss, sl) < 0 ||
	    listen(m->listen_fd, 16) < 0) {
		snprintf(err, errlen, "metrics-listen %s: %s", addr, strerror(errno));
		goto fail;
	}
	m->node = n;
	if (mhd_open(err, errlen) < 0)
		goto fail;
	m->mhd = mhd.start_daemon(MHD_USE_EPOLL, 0, NULL, NULL, answer, m, MHD_OPTION_LISTEN_SOCKET,
				  m->listen_fd, MHD_OPTION_CONNECTION_TIMEOUT, 5u, MHD_OPTION_END);
	if (!m->mhd) {
		snprintf(err, errlen, "metrics-listen %s: libmicrohttpd could not start", addr);
		goto fail;
	}
	return m;
fail:
	if (m->listen_fd >= 0)
		close(m->listen_fd);
	free(m);
	return NULL;
}

int metrics_fd(const struct metrics *m)
{
	const union MHD_DaemonInfo *i = mhd.get_daemon_info(m->mhd, MHD_DAEMON_INFO_EPOLL_FD);
	return i ? i->epoll_fd : -1;
}

void metrics_run(struct metrics *m)
{
	mhd.run(m->mhd);
}

void metrics_stop(struct metrics *m)
{
	if (!m)
		return;
	mhd.stop_daemon(m->mhd);
	close(m->listen_fd);
	free(m);
}
