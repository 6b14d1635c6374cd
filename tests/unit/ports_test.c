/*
 * A udp link's several ports (spec §1.2, newipd.conf(5) ports) over real loopback sockets.
 * Sending, the link spreads flows over its local ports by the flow hash, and each flow leaves
 * from one port, in order. Receiving, the link takes the peer's datagrams from any port of
 * the peer's range (read datagram by datagram, and as GRO runs) and drops and counts those
 * from a port past it; its other ports take nothing in.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <poll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "../../dataplane/link.h"
#include "harness.h"
#include "newip/build.h"
#include "newip/packet.h"

#define PORTS 4

static struct sockaddr_in loop4(uint16_t port)
{
	return (struct sockaddr_in){ .sin_family = AF_INET, .sin_port = htons(port),
				     .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
}

/* A link with PORTS ports from local..local+3 to peer..peer+3 on loopback, the local ports
 * drawn until they are free; returns its first local port. */
static uint16_t link_up(struct link *l, bool offload, uint16_t peer)
{
	char err[200];

	srand((unsigned)time(NULL) ^ (unsigned)getpid() ^ peer);
	for (int tries = 0; tries < 100; tries++) {
		uint16_t local = (uint16_t)(20000 + rand() % 40000);
		struct sockaddr_in a = loop4(local), b = loop4(peer);
		memset(l, 0, sizeof(*l));
		l->cfg.kind = LINK_UDP;
		l->cfg.ports = PORTS;
		l->cfg.no_offload = !offload;
		memcpy(&l->cfg.local, &a, sizeof(a));
		memcpy(&l->cfg.peer, &b, sizeof(b));
		l->cfg.local_len = l->cfg.peer_len = sizeof(a);
		if (link_open(l, err, sizeof(err)) == 0)
			return local;
	}
	CHECK(!"no four free ports on loopback");
	return 0;
}

/* A socket bound to loopback's port (any when 0); its port in *port. */
static int sock_at(uint16_t *port)
{
	struct sockaddr_in a = loop4(*port);
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_DGRAM, 0), big = 4 << 20;

	CHECK(fd >= 0);
	setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof(big));
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		close(fd);
		return -1;
	}
	CHECK_EQ(getsockname(fd, (struct sockaddr *)&a, &len), 0);
	*port = ntohs(a.sin_port);
	return fd;
}

/* Packet seq of flow f (Flow Label f + 1, x0a01 to x0b02): New IP with seq in its payload. */
static unsigned make_pkt(uint8_t *b, unsigned f, unsigned seq)
{
	struct nip_hdr h = { .next_hdr = 17, .hop_limit = 64, .flow_label = f + 1 };
	uint8_t payload[60] = { (uint8_t)f, (uint8_t)(seq >> 8), (uint8_t)seq };
	struct nip_writer w;

	CHECK_EQ(nip_addr_parse(&h.dst, "x0b02"), 0);
	CHECK_EQ(nip_addr_parse(&h.src, "x0a01"), 0);
	nip_w_init(&w, b, PKT_BUF, &h);
	int n = nip_w_finish(&w, payload, sizeof(payload));
	CHECK(n > 0);
	return (unsigned)n;
}

/* 16 flows of 8 packets each, sent in turns through a link with four ports (with and without
 * GSO): every packet arrives from one of the four, each flow from one only and in order, and
 * the flows use more than one port. */
static void flows_spread_over_ports(void)
{
	for (int gso = 0; gso < 2; gso++) {
		struct link l;
		struct pool pool;
		struct dp_stats st = { 0 };
		uint16_t rport = 0;
		int rx = sock_at(&rport);
		uint16_t base = link_up(&l, gso, rport);
		int flow_port[16], last[16], used[PORTS] = { 0 };

		CHECK_EQ(l.gso, gso);
		CHECK_EQ(l.n_pfd, PORTS - 1);
		CHECK_EQ(pool_init(&pool, 256), 0);
		for (unsigned seq = 0; seq < 8; seq++)
			for (unsigned f = 0; f < 16; f++) {
				struct pkt *k = pool_get(&pool);
				CHECK(k);
				k->len = make_pkt(k->data, f, seq);
				link_enqueue(&l, k, &pool, &st);
			}
		link_flush(&l, &pool, &st);
		CHECK_EQ(l.st.tx_pkts, 128);
		CHECK_EQ(pool_available(&pool), 256);
		for (unsigned f = 0; f < 16; f++)
			flow_port[f] = last[f] = -1;
		for (unsigned i = 0; i < 128; i++) {
			uint8_t b[2048];
			struct sockaddr_in from;
			socklen_t fl = sizeof(from);
			struct pollfd p = { .fd = rx, .events = POLLIN };
			CHECK_EQ(poll(&p, 1, 2000), 1);
			ssize_t n = recvfrom(rx, b, sizeof(b), 0, (struct sockaddr *)&from, &fl);
			struct nip_pkt v;
			CHECK(n > 0);
			CHECK_EQ(nip_pkt_parse(&v, b, (size_t)n), 0);
			unsigned f = v.flow_label - 1, seq = (unsigned)v.payload[1] << 8 | v.payload[2];
			int port = ntohs(from.sin_port) - base;
			CHECK(f < 16 && port >= 0 && port < PORTS);
			if (flow_port[f] < 0)
				flow_port[f] = port;
			CHECK_EQ(port, flow_port[f]); /* one flow, one port */
			CHECK_EQ((int)seq, last[f] + 1); /* in order */
			last[f] = (int)seq;
			used[port]++;
		}
		unsigned ports_used = 0;
		for (unsigned p = 0; p < PORTS; p++)
			ports_used += used[p] > 0;
		printf("figure: gso %d: 16 flows over %u of %u ports (%d %d %d %d packets)\n", gso,
		       ports_used, PORTS, used[0], used[1], used[2], used[3]);
		CHECK(ports_used >= 2);
		link_close(&l);
		pool_destroy(&pool);
		close(rx);
	}
}

/* Send n datagrams of 100 octets (their index first) from fd to port, as one GSO run or one by
 * one. */
static void send_from(int fd, uint16_t port, unsigned first, unsigned n, bool run)
{
	static uint8_t buf[64][100];
	struct sockaddr_in to = loop4(port);
	struct iovec iov[64];
	char c[CMSG_SPACE(sizeof(uint16_t))] = { 0 };
	struct msghdr h = { .msg_name = &to, .msg_namelen = sizeof(to), .msg_iov = iov };
	uint16_t size = 100;

	for (unsigned i = 0; i < n; i++) {
		memset(buf[i], 0x5a, sizeof(buf[i]));
		buf[i][0] = (uint8_t)(first + i);
		iov[i] = (struct iovec){ buf[i], sizeof(buf[i]) };
	}
	if (!run) {
		for (unsigned i = 0; i < n; i++) {
			h.msg_iov = &iov[i], h.msg_iovlen = 1;
			CHECK_EQ(sendmsg(fd, &h, 0), 100);
		}
		return;
	}
	struct cmsghdr *cm;
	h.msg_iovlen = n, h.msg_control = c, h.msg_controllen = sizeof(c);
	cm = CMSG_FIRSTHDR(&h);
	cm->cmsg_level = SOL_UDP;
	cm->cmsg_type = UDP_SEGMENT;
	cm->cmsg_len = CMSG_LEN(sizeof(uint16_t));
	memcpy(CMSG_DATA(cm), &size, sizeof(size));
	CHECK_EQ(sendmsg(fd, &h, 0), (ssize_t)(100 * n));
}

/* The peer's first and last port are taken, in order, single datagrams and runs (GRO on) or
 * single datagrams (offload off); the port past the last is not the peer's: its datagrams are
 * underlay drops, counted one by one, a run whole. Nothing is left behind in the pool. */
static void peer_range_taken_rest_dropped(void)
{
	for (int offload = 0; offload < 2; offload++) {
		struct link l;
		struct pool pool;
		struct dp_stats st = { 0 };
		struct pkt *k[BURST];
		uint16_t pbase = 0;
		int s0, s3, s4;
		for (;;) { /* the peer's ports: base, base + 3 and base + 4 free */
			pbase = (uint16_t)(20000 + rand() % 40000);
			uint16_t p3 = pbase + 3, p4 = pbase + 4, p0 = pbase;
			if ((s0 = sock_at(&p0)) < 0)
				continue;
			if ((s3 = sock_at(&p3)) >= 0 && (s4 = sock_at(&p4)) >= 0)
				break;
			close(s0);
			if (s3 >= 0)
				close(s3);
		}
		uint16_t me = link_up(&l, offload, pbase);
		CHECK_EQ(l.gro != NULL, offload);
		CHECK_EQ(pool_init(&pool, 256), 0);
		send_from(s0, me, 0, 2, false);
		send_from(s4, me, 100, 3, false);
		send_from(s3, me, 2, 5, true);
		send_from(s4, me, 103, 4, true);
		send_from(s3, me, 7, 1, false);
		unsigned got = 0;
		for (int tries = 0; got < 8 && tries < 200; tries++) {
			struct pollfd p = { .fd = l.fd, .events = POLLIN };
			if (!link_rx_more(&l) && poll(&p, 1, 2000) != 1)
				break;
			unsigned n = link_rx(&l, &pool, &st, k + got, BURST - got);
			got += n;
		}
		CHECK_EQ(got, 8);
		for (unsigned i = 0; i < got; i++) {
			CHECK_EQ(k[i]->len, 100);
			CHECK_EQ(k[i]->data[0], i);
			pool_put(&pool, k[i]);
		}
		/* every foreign datagram came before the last one, so all were read */
		CHECK_EQ(st.drop[DROP_UNDERLAY], 7);
		CHECK_EQ(l.st.rx_pkts, 8);
		CHECK_EQ(l.st.rx_runs, offload ? 1 : 0);
		CHECK_EQ(pool_available(&pool), 256);
		link_close(&l);
		pool_destroy(&pool);
		close(s0), close(s3), close(s4);
	}
}

/* The link's other ports only send: a datagram from the peer to one is dropped by the kernel
 * (its socket filter), never held unread. */
static void other_ports_take_nothing(void)
{
	struct link l;
	uint16_t pport = 0;
	int peer = sock_at(&pport);
	uint16_t me = link_up(&l, true, pport);
	uint8_t b[128] = { 0 };

	send_from(peer, me + 1, 0, 1, false);
	send_from(peer, me, 1, 1, false); /* after it, on the same path: the first port's */
	struct pollfd p = { .fd = l.fd, .events = POLLIN };
	CHECK_EQ(poll(&p, 1, 2000), 1);
	CHECK_EQ(recv(l.pfd[0], b, sizeof(b), MSG_DONTWAIT), -1);
	CHECK_EQ(recv(l.fd, b, sizeof(b), MSG_DONTWAIT), 100);
	CHECK_EQ(b[0], 1);
	link_close(&l);
	close(peer);
}

RUN_TESTS(T(flows_spread_over_ports), T(peer_range_taken_rest_dropped),
	  T(other_ports_take_nothing))
