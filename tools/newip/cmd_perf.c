/*
 * newip perf: the iperf3 of New IP. A server records every test packet's one-way delay and the
 * network's Accumulated Latency; a client sends flows at a rate, with an optional latency
 * contract, priority and ECN, collects the server's records and prints what they show.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "perf.h"

#define SERVER_FLOWS 256
#define SERVER_MAX_RECS (1u << 21) /* per flow: 40 MB of records at most */

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static uint64_t clock_of(clockid_t id)
{
	struct timespec t;

	clock_gettime(id, &t);
	return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

/* ---- server ---- */

struct sflow {
	uint32_t test;
	uint8_t flow;
	bool used;
	uint64_t last_ns;
	struct perf_rec *r;
	uint32_t n, cap;
};

static struct sflow *sflow_get(struct sflow *t, uint32_t test, uint8_t flow, bool create)
{
	struct sflow *oldest = &t[0];

	for (unsigned i = 0; i < SERVER_FLOWS; i++) {
		if (t[i].used && t[i].test == test && t[i].flow == flow)
			return &t[i];
		if (!t[i].used || (oldest->used && t[i].last_ns < oldest->last_ns))
			oldest = &t[i];
	}
	if (!create)
		return NULL;
	free(oldest->r); /* the table is full: the stalest test goes */
	*oldest = (struct sflow){ .test = test, .flow = flow, .used = true };
	return oldest;
}

static void record(struct sflow *f, const struct nip_local_hdr *h, const struct perf_msg *m)
{
	if (f->n == f->cap) {
		uint32_t cap = f->cap ? 2 * f->cap : 4096;
		struct perf_rec *r = cap <= SERVER_MAX_RECS ? realloc(f->r, cap * sizeof(*r)) : NULL;
		if (!r)
			return; /* counted as lost by the client: the server says how many it kept */
		f->r = r;
		f->cap = cap;
	}
	f->r[f->n++] = (struct perf_rec){
		.seq = m->seq,
		/* to the node's receive timestamp: this server's own scheduling does not count */
		.owd_ns = (int64_t)((h->rx_ns ? h->rx_ns : clock_of(CLOCK_REALTIME)) - m->send_ns),
		.acc_us = h->latency_us,
		.hops = h->hops,
		.tc = h->tc,
		.flags = h->flags & NIP_LF_CONTRACT ? PERF_F_CONTRACT : 0,
	};
}

static void answer(int fd, const struct nip_local_hdr *h, struct sflow *f, const struct perf_msg *m)
{
	uint8_t out[PERF_RESULTS_HDR + PERF_RECS_PER_MSG * PERF_REC];
	uint32_t total = f ? f->n : 0, first = m->first < total ? m->first : total;
	uint16_t n = (uint16_t)(total - first < PERF_RECS_PER_MSG ? total - first : PERF_RECS_PER_MSG);
	size_t len = perf_encode_results(out, sizeof(out), m->test, m->flow, first, total,
					 f ? f->r + first : NULL, n);

	nip_sock_sendto(fd, &h->addr, h->peer_port, out, len, 0);
}

static int perf_server(struct cli *c, uint16_t port)
{
	static struct sflow flows[SERVER_FLOWS];
	static uint8_t buf[NIP_LOCAL_MAX];
	struct nip_local_hdr h;
	struct perf_msg m;
	unsigned long long bad = 0, tests = 0;
	int fd = cli_local(c), rc;

	if (fd < 0)
		return EX_USAGE;
	if ((rc = nip_sock_bind(fd, port)) < 0) {
		fprintf(stderr, "newip perf: cannot bind port %u: %s\n", port, strerror(-rc));
		return EX_USAGE;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	printf("newip perf server on %s port %u\n", cli_node(c), port);
	fflush(stdout);
	while (!stop) {
		ssize_t n = nip_sock_recv(fd, &h, buf, sizeof(buf), 200);
		if (n < 0 && n != -ETIMEDOUT && n != -EINTR)
			break;
		if (n < 0 || h.op != NIP_OP_RECV)
			continue;
		if (perf_decode(&m, buf, (size_t)n) < 0 || m.type == PERF_RESULTS) {
			bad++;
			continue;
		}
		struct sflow *f = sflow_get(flows, m.test, m.flow, m.type == PERF_DATA);
		if (m.type == PERF_REQUEST) {
			answer(fd, &h, f, &m);
			continue;
		}
		if (f->n == 0 && f->cap == 0) {
			char who[NIP_ADDR_STRLEN];
			nip_addr_format(&h.addr, who, sizeof(who));
			printf("test %08x flow %u from %s port %u\n", m.test, m.flow, who, h.peer_port);
			fflush(stdout);
			tests++;
		}
		f->last_ns = clock_of(CLOCK_MONOTONIC);
		record(f, &h, &m);
	}
	printf("newip perf server: %llu flows, %llu malformed messages\n", tests, bad);
	for (unsigned i = 0; i < SERVER_FLOWS; i++)
		free(flows[i].r);
	close(fd);
	return EX_OK;
}

/* ---- client ---- */

struct client {
	int fd;
	struct nip_addr dst;
	const struct perf_opts *o;
	uint32_t test;
	uint64_t sent[PERF_MAX_FLOWS], contract_err[PERF_MAX_FLOWS], other_err[PERF_MAX_FLOWS];
	struct perf_rec *recs[PERF_MAX_FLOWS];
	size_t n[PERF_MAX_FLOWS];
};

/* An NCMP error quotes our packet: New IP header, UDP header, then our DATA message. */
static void on_ncmp(struct client *cl, const struct nip_local_hdr *h, const uint8_t *q, size_t len)
{
	struct perf_msg m;

	if (len < NIP_BASE_LEN || (size_t)q[8] + 8 > len || q[6] != NIP_PROTO_UDP)
		return;
	/* the quote may be cut: decode what is there, the header is all we need */
	size_t off = (size_t)q[8] + 8, have = len - off;
	if (have < PERF_DATA_MIN || perf_decode(&m, q + off, have) < 0 || m.test != cl->test ||
	    m.flow >= cl->o->flows)
		return;
	if (h->ncmp_type == NCMP_CONTRACT)
		cl->contract_err[m.flow]++;
	else
		cl->other_err[m.flow]++;
}

/* Read what arrives until deadline (monotonic ns): NCMP errors, and a RESULTS if wanted. */
static int pump(struct client *cl, uint64_t deadline, struct perf_msg *want, uint8_t *buf)
{
	static uint8_t body[NIP_LOCAL_MAX];
	struct nip_local_hdr h;

	for (uint64_t now; (now = clock_of(CLOCK_MONOTONIC)) < deadline;) {
		int ms = (int)((deadline - now + 999999) / 1000000);
		uint8_t *into = want ? buf : body;
		ssize_t n = nip_sock_recv(cl->fd, &h, into, NIP_LOCAL_MAX, ms);
		if (n == -ETIMEDOUT || n == -EINTR)
			continue;
		if (n < 0)
			return -1;
		if (h.op == NIP_OP_NCMP) {
			on_ncmp(cl, &h, into, (size_t)n);
		} else if (h.op == NIP_OP_RECV && want) {
			struct perf_msg m;
			if (perf_decode(&m, into, (size_t)n) == 0 && m.type == PERF_RESULTS &&
			    m.test == cl->test && m.flow == want->flow && m.first == want->first) {
				*want = m;
				return 1;
			}
		}
	}
	return 0;
}

static size_t wire_len(const struct perf_opts *o, const struct nip_addr *dst)
{
	size_t contract = o->max_us || o->prio >= 0 ? 6 + (o->max_us ? 11 : 0) + (o->prio >= 0 ? 3 : 0) : 0;
	return NIP_BASE_LEN + 2u * dst->len + contract + 8 + o->size;
}

static int send_all(struct client *cl)
{
	const struct perf_opts *o = cl->o;
	struct nip_send_opts so = { .tc = o->tc, .max_us = o->max_us, .min_us = o->min_us,
				    .on_time = o->window, .prio = o->prio };
	uint8_t *pkt = calloc(1, o->size);
	uint64_t interval = (uint64_t)((double)wire_len(o, &cl->dst) * 8e9 / (double)o->rate_bps);
	uint64_t start = clock_of(CLOCK_MONOTONIC), end = start + (uint64_t)(o->secs * 1e9);
	uint64_t next = start;
	uint32_t seq = 0;

	if (!pkt)
		return -1;
	while (next < end && !stop) {
		for (unsigned f = 0; f < o->flows; f++) {
			so.flow_label = f + 1; /* each flow its own: routers keep each in order */
			perf_encode_data(pkt, o->size, cl->test, (uint8_t)f, seq,
					 clock_of(CLOCK_REALTIME));
			int rc = nip_sock_sendto_opts(cl->fd, &cl->dst, o->port, pkt, o->size, &so);
			if (rc < 0) {
				fprintf(stderr, "newip perf: send: %s\n", strerror(-rc));
				free(pkt);
				return -1;
			}
			cl->sent[f]++;
		}
		seq++;
		next += interval;
		uint64_t now = clock_of(CLOCK_MONOTONIC);
		if (now > next + 1000 * interval) /* far behind (a stall): do not burst to catch up */
			next = now;
		if (next > now && pump(cl, next, NULL, NULL) < 0)
			break;
	}
	free(pkt);
	return 0;
}

/* Ask the server for one flow's records, 56 at a time, each request retried. */
static int fetch(struct client *cl, unsigned flow)
{
	static uint8_t buf[NIP_LOCAL_MAX];
	uint8_t req[64];
	uint32_t first = 0, total = 1;
	size_t cap = 0;

	while (first < total) {
		struct perf_msg m = { .flow = (uint8_t)flow, .first = first };
		int got = 0;
		for (int tries = 0; tries < 10 && !got; tries++) {
			size_t len = perf_encode_request(req, sizeof(req), cl->test, (uint8_t)flow, first);
			if (nip_sock_sendto(cl->fd, &cl->dst, cl->o->port, req, len, 0) < 0)
				return -1;
			got = pump(cl, clock_of(CLOCK_MONOTONIC) + 300000000ull, &m, buf);
			if (got < 0)
				return -1;
		}
		if (!got)
			return -1;
		total = m.total;
		if (cl->n[flow] + m.count > cap) {
			cap = cap ? 2 * cap : (total > 64 ? total : 64);
			struct perf_rec *r = realloc(cl->recs[flow], cap * sizeof(*r));
			if (!r)
				return -1;
			cl->recs[flow] = r;
		}
		for (unsigned i = 0; i < m.count; i++)
			perf_rec_get(&m, i, &cl->recs[flow][cl->n[flow]++]);
		if (!m.count)
			break;
		first += m.count;
	}
	return 0;
}

static int perf_client(struct cli *c, const char *addr, const struct perf_opts *o)
{
	static struct client cl;
	struct perf_result res[PERF_MAX_FLOWS];
	int fd, rc = EX_OK;

	if (nip_addr_parse(&cl.dst, addr) < 0) {
		fprintf(stderr, "newip perf: '%s' is not an address (192.0.2.1, 2001:db8::1, x0a01)\n",
			addr);
		return EX_USAGE;
	}
	if ((fd = cli_local(c)) < 0)
		return EX_USAGE;
	cl.fd = fd;
	cl.o = o;
	if (getrandom(&cl.test, sizeof(cl.test), 0) != sizeof(cl.test))
		cl.test = (uint32_t)clock_of(CLOCK_REALTIME);
	signal(SIGINT, on_signal);
	if (!o->json)
		printf("newip perf: %s -> %s port %u, %u flow(s) of %.3f Mbit/s, %zu-octet payloads, "
		       "%.1f s\n", cli_node(c), addr, o->port, o->flows, (double)o->rate_bps / 1e6,
		       o->size, o->secs);
	if (send_all(&cl) < 0 ||
	    pump(&cl, clock_of(CLOCK_MONOTONIC) + (uint64_t)(o->wait_s * 1e9), NULL, NULL) < 0) {
		close(fd);
		return EX_USAGE;
	}
	for (unsigned f = 0; f < o->flows; f++) {
		if (fetch(&cl, f) < 0) {
			fprintf(stderr, "newip perf: no results from %s port %u for flow %u (is "
					"`newip perf -s` running there?)\n", addr, o->port, f);
			close(fd);
			return EX_FAIL;
		}
	}
	if (o->csv && perf_write_csv(o->csv, cl.recs, cl.n, o->flows) < 0) {
		fprintf(stderr, "newip perf: cannot write %s: %s\n", o->csv, strerror(errno));
		rc = EX_FAIL;
	}
	if (o->plot && perf_plot(o->plot, cl.recs, cl.n, o->flows, o) < 0)
		rc = EX_FAIL;
	for (unsigned f = 0; f < o->flows; f++) {
		memset(&res[f], 0, sizeof(res[f]));
		res[f].flow = f;
		res[f].contract_errors = cl.contract_err[f];
		res[f].other_errors = cl.other_err[f];
		perf_summarise(cl.recs[f], cl.n[f], o, cl.sent[f], wire_len(o, &cl.dst), &res[f]);
		if (!res[f].received)
			rc = EX_FAIL;
		free(cl.recs[f]);
	}
	if (o->json)
		perf_print_json(stdout, o, res, o->flows);
	else
		perf_print(stdout, o, res, o->flows);
	close(fd);
	return rc;
}

/* ---- arguments ---- */

static int usage(void)
{
	fprintf(stderr,
		"usage: newip perf -s [-p PORT]\n"
		"       newip perf ADDR [-p PORT] [--rate RATE] [--size OCTETS] [--time SECONDS]\n"
		"                  [--deadline TIME | --window MIN..MAX] [--priority 0-7]\n"
		"                  [--ecn l4s|classic] [-P FLOWS] [--wait SECONDS]\n"
		"                  [--json] [--csv FILE] [--plot FILE.png]\n");
	return EX_USAGE;
}

static int bad(const char *what)
{
	fprintf(stderr, "newip perf: %s\n", what);
	return EX_USAGE;
}

/* MIN..MAX, each a duration (2ms, 250us). */
static int parse_window(const char *s, struct perf_opts *o)
{
	char a[64];
	const char *dots = strstr(s, "..");

	if (!dots || (size_t)(dots - s) >= sizeof(a))
		return bad("--window takes MIN..MAX, e.g. --window 1ms..2ms");
	memcpy(a, s, (size_t)(dots - s));
	a[dots - s] = '\0';
	int64_t lo = nip_parse_time_us(a), hi = nip_parse_time_us(dots + 2);
	if (lo < 0 || hi <= 0)
		return bad("--window takes two durations, e.g. --window 1ms..2ms");
	if (lo > hi)
		return bad("--window: MIN is above MAX; write MIN..MAX, e.g. 1ms..2ms");
	o->min_us = (uint32_t)lo, o->max_us = (uint32_t)hi, o->window = true;
	return 0;
}

int cmd_perf(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "server", no_argument, 0, 's' },   { "port", required_argument, 0, 'p' },
		{ "rate", required_argument, 0, 'b' }, { "size", required_argument, 0, 'l' },
		{ "time", required_argument, 0, 't' }, { "deadline", required_argument, 0, 'D' },
		{ "window", required_argument, 0, 'w' }, { "priority", required_argument, 0, 'r' },
		{ "ecn", required_argument, 0, 'e' },  { "flows", required_argument, 0, 'P' },
		{ "wait", required_argument, 0, 'W' }, { "json", no_argument, 0, 'J' },
		{ "csv", required_argument, 0, 'C' },  { "plot", required_argument, 0, 'G' },
		{ 0, 0, 0, 0 }
	};
	struct perf_opts o = { .rate_bps = 1000000, .size = 200, .secs = 10, .wait_s = 0.5,
			       .prio = -1, .flows = 1, .port = PERF_PORT };
	bool server = false;
	char *end;
	int k;

	optind = 1;
	while ((k = getopt_long(argc, argv, "sp:b:l:t:P:", opts, NULL)) != -1) {
		switch (k) {
		case 's': server = true; break;
		case 'p':
			o.port = (uint16_t)strtoul(optarg, &end, 10);
			if (*end || !o.port)
				return bad("--port takes 1 to 65535");
			break;
		case 'b':
			if (!(o.rate_bps = nip_parse_rate(optarg)))
				return bad("--rate takes a positive rate, e.g. 20M or 100mbit");
			break;
		case 'l':
			o.size = strtoul(optarg, &end, 10);
			if (*end || o.size < PERF_DATA_MIN || o.size > 1400)
				return bad("--size takes 24 to 1400 octets of UDP payload");
			break;
		case 't':
			o.secs = strtod(optarg, &end);
			if (*end || !(o.secs > 0 && o.secs <= 3600))
				return bad("--time takes seconds, more than 0 and at most 3600");
			break;
		case 'D': {
			int64_t us = nip_parse_time_us(optarg);
			if (us < 0)
				return bad("--deadline takes a duration, e.g. 2ms or 500us");
			if (us == 0)
				return bad("--deadline must be more than 0 (e.g. 2ms)");
			o.max_us = (uint32_t)us, o.min_us = 0, o.window = false;
			break;
		}
		case 'w':
			if (parse_window(optarg, &o) < 0)
				return EX_USAGE;
			break;
		case 'r':
			o.prio = (int)strtol(optarg, &end, 10);
			if (*end || o.prio < 0 || o.prio > 7)
				return bad("--priority takes 0 (lowest) to 7 (highest)");
			break;
		case 'e':
			if (!strcmp(optarg, "l4s"))
				o.tc = 1;
			else if (!strcmp(optarg, "classic"))
				o.tc = 2;
			else
				return bad("--ecn is l4s (ECT(1)) or classic (ECT(0))");
			break;
		case 'P':
			o.flows = (unsigned)strtoul(optarg, &end, 10);
			if (*end || o.flows < 1 || o.flows > PERF_MAX_FLOWS)
				return bad("-P takes 1 to 16 flows");
			break;
		case 'W':
			o.wait_s = strtod(optarg, &end);
			if (*end || !(o.wait_s >= 0 && o.wait_s <= 60))
				return bad("--wait takes 0 to 60 seconds");
			break;
		case 'J': o.json = true; break;
		case 'C': o.csv = optarg; break;
		case 'G': o.plot = optarg; break;
		default: return usage();
		}
	}
	if (server)
		return optind == argc ? perf_server(c, o.port) : usage();
	if (optind != argc - 1)
		return usage();
	return perf_client(c, argv[optind], &o);
}
