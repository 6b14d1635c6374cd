/* newip ping and newip trace: NCMP echo through the node's local service. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

#define SEQ_MAX 65536

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int open_node(struct cli *c, const char *addr_s, struct nip_addr *dst)
{
	if (!cli_node(c)) /* the node first, as before: its error wins over the address's */
		return -1;
	if (nip_addr_parse(dst, addr_s) < 0) {
		fprintf(stderr, "newip: '%s' is not an address (192.0.2.1, 2001:db8::1, x0a01)\n",
			addr_s);
		return -1;
	}
	return cli_local(c);
}

struct ping {
	double sent_at[SEQ_MAX];
	unsigned char answered[SEQ_MAX];
	unsigned sent, received, errors;
	double min, max, sum, sum2;
	bool quiet;
	size_t size;
};

/* Handle whatever arrives until `until`, or until every probe is answered if `last`. */
static void ping_wait(int fd, struct ping *p, double until, bool last)
{
	static uint8_t body[NIP_LOCAL_MAX];
	char who[NIP_ADDR_STRLEN], what[128];
	struct nip_local_hdr h;

	for (double t; (t = now_ms()) < until && !(last && p->received + p->errors >= p->sent);) {
		ssize_t n = nip_sock_recv(fd, &h, body, sizeof(body), (int)(until - t) + 1);
		if (n < 0)
			return;
		if (h.op != NIP_OP_NCMP)
			continue;
		nip_addr_format(&h.addr, who, sizeof(who));
		if (h.ncmp_type == NCMP_ECHO_REPLY) {
			unsigned seq = h.param & 0xffff;
			if (seq >= SEQ_MAX || p->answered[seq] || !p->sent_at[seq])
				continue;
			double rtt = now_ms() - p->sent_at[seq];
			p->answered[seq] = 1;
			p->received++;
			p->sum += rtt, p->sum2 += rtt * rtt;
			p->min = p->received == 1 || rtt < p->min ? rtt : p->min;
			p->max = rtt > p->max ? rtt : p->max;
			if (!p->quiet)
				printf("%zd bytes from %s: seq=%u time=%.3f ms\n", n + 8, who, seq, rtt);
		} else {
			int seq = nip_quoted_echo_seq(body, (size_t)n);
			p->errors++;
			ncmp_describe(h.ncmp_type, h.ncmp_code, h.param, what, sizeof(what));
			if (!p->quiet)
				printf("From %s seq=%d %s\n", who, seq, what);
		}
		fflush(stdout);
	}
}

static int ping_usage(void)
{
	fprintf(stderr, "usage: newip ping [-c COUNT] [-s SIZE] [-i SECONDS] [-t HOPS] "
			"[-W SECONDS] [-q] ADDR\n");
	return EX_USAGE;
}

int cmd_ping(struct cli *c, int argc, char **argv)
{
	static struct ping p;
	unsigned count = 4, hops = 0;
	double interval = 1.0, wait = 1.0;
	struct nip_addr dst;
	int o, fd;

	p.size = 56;
	optind = 1;
	while ((o = getopt(argc, argv, "c:s:i:t:W:q")) != -1) {
		switch (o) {
		case 'c': count = (unsigned)atoi(optarg); break;
		case 's': p.size = (size_t)atol(optarg); break;
		case 'i': interval = atof(optarg); break;
		case 't': hops = (unsigned)atoi(optarg); break;
		case 'W': wait = atof(optarg); break;
		case 'q': p.quiet = true; break;
		default: return ping_usage();
		}
	}
	if (optind != argc - 1 || count == 0 || count >= SEQ_MAX || hops > 255 ||
	    interval < 0.001 || p.size > 60000)
		return ping_usage();
	if ((fd = open_node(c, argv[optind], &dst)) < 0)
		return EX_USAGE;
	printf("PING %s from %s: %zu data bytes\n", argv[optind], cli_node(c), p.size);
	double start = now_ms();
	for (unsigned seq = 1; seq <= count; seq++) {
		p.sent_at[seq] = now_ms();
		int rc = nip_sock_echo(fd, &dst, (uint16_t)seq, p.size, (uint8_t)hops);
		if (rc < 0) {
			fprintf(stderr, "newip: send: %s\n", strerror(-rc));
			return EX_USAGE;
		}
		p.sent++;
		ping_wait(fd, &p, p.sent_at[seq] + (seq == count ? wait : interval) * 1e3, seq == count);
	}
	double avg = p.received ? p.sum / p.received : 0;
	double mdev = p.received ? sqrt(fmax(0, p.sum2 / p.received - avg * avg)) : 0;
	printf("--- %s ping statistics ---\n", argv[optind]);
	printf("%u packets transmitted, %u received, %s%u%% packet loss, time %.0fms\n", p.sent,
	       p.received, "", (p.sent - p.received) * 100 / p.sent, now_ms() - start);
	if (p.errors)
		printf("%u errors\n", p.errors);
	if (p.received)
		printf("rtt min/avg/max/mdev = %.3f/%.3f/%.3f/%.3f ms\n", p.min, avg, p.max, mdev);
	close(fd);
	return p.received ? EX_OK : EX_FAIL;
}

/* One trace probe: returns 1 reached, 0 answered by a router, -1 no answer. */
static int probe(int fd, const struct nip_addr *dst, unsigned hop, uint16_t seq, double wait,
		 struct nip_addr *from, char *what, size_t wsize, double *rtt)
{
	static uint8_t body[NIP_LOCAL_MAX];
	struct nip_local_hdr h;
	double t0 = now_ms(), until = t0 + wait * 1e3;

	if (nip_sock_echo(fd, dst, seq, 32, (uint8_t)hop) < 0)
		return -1;
	for (double t; (t = now_ms()) < until;) {
		ssize_t n = nip_sock_recv(fd, &h, body, sizeof(body), (int)(until - t) + 1);
		if (n < 0)
			break;
		if (h.op != NIP_OP_NCMP)
			continue;
		bool reply = h.ncmp_type == NCMP_ECHO_REPLY;
		if ((reply ? (int)(h.param & 0xffff) : nip_quoted_echo_seq(body, (size_t)n)) != seq)
			continue; /* a late answer to an earlier probe */
		*rtt = now_ms() - t0;
		*from = h.addr;
		what[0] = '\0';
		if (!reply && h.ncmp_type != NCMP_HOP_EXCEEDED)
			ncmp_describe(h.ncmp_type, h.ncmp_code, h.param, what, wsize);
		return reply || what[0] ? 1 : 0;
	}
	return -1;
}

int cmd_trace(struct cli *c, int argc, char **argv)
{
	unsigned max_hops = 30, probes = 3;
	double wait = 1.0;
	struct nip_addr dst, from;
	char who[NIP_ADDR_STRLEN], what[128];
	uint16_t seq = 0;
	int o, fd;

	optind = 1;
	while ((o = getopt(argc, argv, "m:q:W:")) != -1) {
		switch (o) {
		case 'm': max_hops = (unsigned)atoi(optarg); break;
		case 'q': probes = (unsigned)atoi(optarg); break;
		case 'W': wait = atof(optarg); break;
		default: goto usage;
		}
	}
	if (optind != argc - 1 || max_hops == 0 || max_hops > 255 || probes == 0 || probes > 10)
		goto usage;
	if ((fd = open_node(c, argv[optind], &dst)) < 0)
		return EX_USAGE;
	printf("trace to %s from %s, %u hops max\n", argv[optind], cli_node(c), max_hops);
	for (unsigned hop = 1; hop <= max_hops; hop++) {
		int done = 0;
		char last[NIP_ADDR_STRLEN] = "";
		printf("%2u ", hop);
		for (unsigned k = 0; k < probes; k++) {
			double rtt;
			int r = probe(fd, &dst, hop, ++seq, wait, &from, what, sizeof(what), &rtt);
			if (r < 0) {
				printf(" *");
				continue;
			}
			nip_addr_format(&from, who, sizeof(who));
			if (strcmp(who, last))
				printf(" %s", who);
			snprintf(last, sizeof(last), "%s", who);
			printf("  %.3f ms", rtt);
			if (what[0])
				printf(" !%s", what);
			done |= r;
		}
		printf("\n");
		fflush(stdout);
		if (done) {
			close(fd);
			return EX_OK;
		}
	}
	close(fd);
	return EX_FAIL;
usage:
	fprintf(stderr, "usage: newip trace [-m MAXHOPS] [-q PROBES] [-W SECONDS] ADDR\n");
	return EX_USAGE;
}
