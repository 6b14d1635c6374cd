/* newip send and newip recv: netcat-like datagrams over the node's local service. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static int open_bound(struct cli *c, uint16_t port)
{
	int fd, rc;

	if ((fd = cli_local(c)) < 0)
		return -1;
	if ((rc = nip_sock_bind(fd, port)) < 0) {
		fprintf(stderr, "newip: bind port %u: %s\n", port,
			rc == -EADDRINUSE ? "in use on this node" : strerror(-rc));
		close(fd);
		return -1;
	}
	return fd;
}

int cmd_send(struct cli *c, int argc, char **argv)
{
	static char buf[60000];
	unsigned long port, sport = 0, hops = 0;
	struct nip_addr dst;
	size_t len;
	int o, fd;

	optind = 1;
	while ((o = getopt(argc, argv, "p:t:")) != -1) {
		if (o == 'p')
			sport = strtoul(optarg, NULL, 10);
		else if (o == 't')
			hops = strtoul(optarg, NULL, 10);
		else
			goto usage;
	}
	if (argc - optind < 2 || argc - optind > 3 || sport > 65535 || hops > 255)
		goto usage;
	port = strtoul(argv[optind + 1], NULL, 10);
	if (nip_addr_parse(&dst, argv[optind]) < 0 || port == 0 || port > 65535) {
		fprintf(stderr, "newip: need ADDR PORT, e.g. 'newip send x0a01 7000 hello'\n");
		return EX_USAGE;
	}
	if (argc - optind == 3) {
		len = strlen(argv[optind + 2]);
		if (len > sizeof(buf))
			return EX_USAGE;
		memcpy(buf, argv[optind + 2], len);
	} else {
		len = fread(buf, 1, sizeof(buf), stdin);
	}
	if ((fd = open_bound(c, (uint16_t)sport)) < 0)
		return EX_USAGE;
	int rc = nip_sock_sendto(fd, &dst, (uint16_t)port, buf, len, (uint8_t)hops);
	if (rc < 0) {
		fprintf(stderr, "newip: send: %s\n", strerror(-rc));
		close(fd);
		return EX_FAIL;
	}
	/* Report a synchronous failure (no route, too big) if the node answers at once. */
	struct nip_local_hdr h;
	char what[128];
	ssize_t n = nip_sock_recv(fd, &h, buf, sizeof(buf), 100);
	close(fd);
	if (n >= 0 && h.op == NIP_OP_NCMP) {
		ncmp_describe(h.ncmp_type, h.ncmp_code, h.param, what, sizeof(what));
		fprintf(stderr, "newip: %s\n", what);
		return EX_FAIL;
	}
	return EX_OK;
usage:
	fprintf(stderr, "usage: newip send [-p SRCPORT] [-t HOPS] ADDR PORT [MESSAGE]\n");
	return EX_USAGE;
}

int cmd_recv(struct cli *c, int argc, char **argv)
{
	static char buf[NIP_LOCAL_MAX];
	unsigned long count = 0, got = 0, port;
	double wait = -1;
	char who[NIP_ADDR_STRLEN];
	struct nip_local_hdr h;
	int o, fd;

	optind = 1;
	while ((o = getopt(argc, argv, "c:W:")) != -1) {
		if (o == 'c')
			count = strtoul(optarg, NULL, 10);
		else if (o == 'W')
			wait = atof(optarg);
		else
			goto usage;
	}
	if (optind != argc - 1 || (port = strtoul(argv[optind], NULL, 10)) == 0 || port > 65535)
		goto usage;
	if ((fd = open_bound(c, (uint16_t)port)) < 0)
		return EX_USAGE;
	printf("listening on port %lu\n", port);
	fflush(stdout);
	while (!count || got < count) {
		ssize_t n = nip_sock_recv(fd, &h, buf, sizeof(buf), wait < 0 ? -1 : (int)(wait * 1e3));
		if (n < 0)
			break;
		nip_addr_format(&h.addr, who, sizeof(who));
		if (h.op == NIP_OP_NCMP) { /* an error about a datagram sent from this port */
			char what[128];
			ncmp_describe(h.ncmp_type, h.ncmp_code, h.param, what, sizeof(what));
			printf("error from %s: %s\n", who, what);
		} else if (h.op == NIP_OP_RECV) {
			printf("from %s port %u: %.*s\n", who, h.peer_port, (int)n, buf);
		} else {
			continue;
		}
		fflush(stdout);
		got++;
	}
	close(fd);
	return got ? EX_OK : EX_FAIL;
usage:
	fprintf(stderr, "usage: newip recv [-c COUNT] [-W SECONDS] PORT\n");
	return EX_USAGE;
}
