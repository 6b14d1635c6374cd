/*
 * UDP GRO on a udp link (dataplane/udp_gro.c) over real loopback sockets: a peer sends runs
 * (UDP_SEGMENT, as newipd's own GSO does); the kernel hands each to the link's socket whole,
 * and link_rx cuts it back into the packets that were sent, in order, whatever their size and
 * however few packets a call may take. A run beyond the pool's free buffers is counted, not
 * lost silently, and leaks no buffer. With 'offload off' the link reads the same datagrams
 * one by one.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../../dataplane/link.h"
#include "harness.h"

#define MAX_PKTS 512

struct rig {
	struct link l;
	struct pool pool;
	struct dp_stats st;
	int tx;			/* the peer's socket, connected to the link */
};

static void rig_open(struct rig *r, bool offload, unsigned buffers)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof(a);
	char err[200];

	memset(r, 0, sizeof(*r));
	CHECK_EQ(pool_init(&r->pool, buffers), 0);
	r->tx = socket(AF_INET, SOCK_DGRAM, 0);
	CHECK(r->tx >= 0);
	CHECK_EQ(bind(r->tx, (struct sockaddr *)&a, sizeof(a)), 0);
	CHECK_EQ(getsockname(r->tx, (struct sockaddr *)&a, &len), 0);
	r->l.cfg.kind = LINK_UDP;
	r->l.cfg.no_offload = !offload;
	memcpy(&r->l.cfg.peer, &a, sizeof(a));
	r->l.cfg.peer_len = sizeof(a);
	a.sin_port = 0;
	memcpy(&r->l.cfg.local, &a, sizeof(a));
	r->l.cfg.local_len = sizeof(a);
	CHECK_EQ(link_open(&r->l, err, sizeof(err)), 0);
	CHECK_EQ(r->l.gro != NULL, offload);
	len = sizeof(a);
	CHECK_EQ(getsockname(r->l.fd, (struct sockaddr *)&a, &len), 0);
	CHECK_EQ(connect(r->tx, (struct sockaddr *)&a, sizeof(a)), 0);
}

static void rig_close(struct rig *r)
{
	link_close(&r->l);
	close(r->tx);
	pool_destroy(&r->pool);
}

/* Packet i of a test: its index in its first two octets, then a pattern. */
static void fill(uint8_t *b, unsigned i, unsigned len)
{
	for (unsigned k = 0; k < len; k++)
		b[k] = k == 0 ? (uint8_t)(i >> 8) : k == 1 ? (uint8_t)i : (uint8_t)(i * 7 + k);
}

/* Send packets first..first+n-1, each size octets (the last last octets), as one run. */
static void send_run(int fd, unsigned first, unsigned n, uint16_t size, unsigned last)
{
	static uint8_t buf[MAX_PKTS][2048];
	struct iovec iov[64];
	char c[CMSG_SPACE(sizeof(uint16_t))] = {0};
	struct msghdr h = {.msg_iov = iov, .msg_iovlen = n, .msg_control = c,
			   .msg_controllen = sizeof(c)};
	struct cmsghdr *cm = CMSG_FIRSTHDR(&h);
	size_t total = 0;

	CHECK(n <= 64);
	for (unsigned i = 0; i < n; i++) {
		unsigned len = i + 1 == n ? last : size;
		fill(buf[first + i], first + i, len);
		iov[i] = (struct iovec){ buf[first + i], len };
		total += len;
	}
	cm->cmsg_level = SOL_UDP;
	cm->cmsg_type = UDP_SEGMENT;
	cm->cmsg_len = CMSG_LEN(sizeof(uint16_t));
	memcpy(CMSG_DATA(cm), &size, sizeof(size));
	CHECK_EQ(sendmsg(fd, &h, 0), (ssize_t)total);
}

static void send_one(int fd, unsigned i, unsigned len)
{
	uint8_t b[2048];

	fill(b, i, len);
	CHECK_EQ(send(fd, b, len, 0), (ssize_t)len);
}

/* Receive want packets, at most max a call, into out (waiting for the socket only when the
 * link holds nothing); returns how many came. */
static unsigned recv_pkts(struct rig *r, struct pkt **out, unsigned want, unsigned max)
{
	unsigned got = 0;

	while (got < want) {
		struct pollfd p = {.fd = r->l.fd, .events = POLLIN};
		if (!link_rx_more(&r->l) && poll(&p, 1, 2000) != 1)
			break;
		unsigned n = link_rx(&r->l, &r->pool, &r->st, out + got, max);
		CHECK(n <= max);
		got += n;
	}
	return got;
}

/* Packets first.. with these lengths arrived in order, each with its own contents. */
static void check_pkts(struct pkt **k, unsigned n, unsigned first, const unsigned *lens)
{
	uint8_t want[2048];

	for (unsigned i = 0; i < n; i++) {
		CHECK_EQ(k[i]->len, lens[i]);
		fill(want, first + i, lens[i]);
		CHECK(memcmp(k[i]->data, want, lens[i]) == 0);
	}
}

static void put_all(struct rig *r, struct pkt **k, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		pool_put(&r->pool, k[i]);
}

/* A run of ten 100-octet packets and a 37-octet one sent; the eleven packets received. */
static void eleven(struct rig *r, struct pkt **k)
{
	unsigned lens[11];

	send_run(r->tx, 0, 11, 100, 37);
	CHECK_EQ(recv_pkts(r, k, 11, BURST), 11);
	for (unsigned i = 0; i < 11; i++)
		lens[i] = i < 10 ? 100 : 37;
	check_pkts(k, 11, 0, lens);
}

/* One read, eleven packets. */
static void run_cut_into_its_packets(void)
{
	struct rig r;
	struct pkt *k[MAX_PKTS];

	rig_open(&r, true, 256);
	eleven(&r, k);
	CHECK_EQ(r.l.st.rx_runs, 1);
	CHECK_EQ(r.l.st.rx_pkts, 11);
	CHECK_EQ(r.l.st.rx_bytes, 1037);
	CHECK(!link_rx_more(&r.l));
	put_all(&r, k, 11);
	CHECK_EQ(pool_available(&r.pool), 256);
	rig_close(&r);
}

/* 64 packets of 1000 octets (past the first buffer, into the overflow slot), taken 32 and
 * then 5 at a time: all arrive in order, the link holding the rest between calls. */
static void long_run_across_calls(void)
{
	static const unsigned maxes[] = {BURST, 5, 1};
	struct pkt *k[MAX_PKTS];
	unsigned lens[64];

	for (unsigned m = 0; m < 3; m++) {
		struct rig r;
		rig_open(&r, true, 512);
		send_run(r.tx, 0, 64, 1000, 1000);
		CHECK_EQ(recv_pkts(&r, k, 64, maxes[m]), 64);
		for (unsigned i = 0; i < 64; i++)
			lens[i] = 1000;
		check_pkts(k, 64, 0, lens);
		CHECK_EQ(r.l.st.rx_runs, 1);
		CHECK(!link_rx_more(&r.l));
		put_all(&r, k, 64);
		CHECK_EQ(pool_available(&r.pool), 512);
		rig_close(&r);
	}
}

/* Single datagrams and runs of different sizes interleaved keep their order. */
static void mixed_order_kept(void)
{
	struct rig r;
	struct pkt *k[MAX_PKTS];
	unsigned lens[MAX_PKTS], n = 0, i = 0;

	rig_open(&r, true, 512);
	send_one(r.tx, i, 300), lens[n++] = 300, i++;
	send_run(r.tx, i, 20, 1400, 1400);
	for (unsigned j = 0; j < 20; j++)
		lens[n++] = 1400, i++;
	send_one(r.tx, i, 1), lens[n++] = 1, i++;
	send_run(r.tx, i, 40, 64, 10);
	for (unsigned j = 0; j < 40; j++)
		lens[n++] = j < 39 ? 64 : 10, i++;
	send_one(r.tx, i, 2000), lens[n++] = 2000, i++;
	CHECK_EQ(recv_pkts(&r, k, n, 7), n);
	check_pkts(k, n, 0, lens);
	CHECK_EQ(r.l.st.rx_runs, 2);
	CHECK_EQ(r.l.st.rx_pkts, n);
	put_all(&r, k, n);
	rig_close(&r);
}

/* A pool of 16 buffers and a run of 40: what fits is delivered in order, the rest counted as
 * no_buffer drops, and every buffer comes back. */
static void run_beyond_the_pool_counted(void)
{
	struct rig r;
	struct pkt *k[MAX_PKTS];
	unsigned lens[40], got;

	rig_open(&r, true, 16);
	send_run(r.tx, 0, 40, 200, 200);
	/* one buffer holds the run while it is cut: 15 packets out, 25 dropped */
	got = recv_pkts(&r, k, 15, BURST);
	CHECK_EQ(got, 15);
	CHECK_EQ(link_rx(&r.l, &r.pool, &r.st, k + got, BURST), 0); /* nothing else came */
	for (unsigned i = 0; i < 40; i++)
		lens[i] = 200;
	check_pkts(k, got, 0, lens);
	CHECK_EQ(r.st.drop[DROP_POOL], 40 - got);
	CHECK(!link_rx_more(&r.l));
	put_all(&r, k, got);
	CHECK_EQ(pool_available(&r.pool), 16);
	/* and the link reads on */
	send_one(r.tx, 7, 50);
	CHECK_EQ(recv_pkts(&r, k, 1, BURST), 1);
	lens[0] = 50;
	check_pkts(k, 1, 7, lens);
	put_all(&r, k, 1);
	rig_close(&r);
}

/* offload off: no GRO; the kernel cuts the run and the link reads eleven datagrams. */
static void offload_off_reads_datagrams(void)
{
	struct rig r;
	struct pkt *k[MAX_PKTS];

	rig_open(&r, false, 256);
	CHECK(!r.l.gso);
	eleven(&r, k);
	CHECK_EQ(r.l.st.rx_runs, 0);
	CHECK_EQ(r.l.st.rx_pkts, 11);
	put_all(&r, k, 11);
	rig_close(&r);
}

RUN_TESTS(T(run_cut_into_its_packets), T(long_run_across_calls), T(mixed_order_kept),
	  T(run_beyond_the_pool_counted), T(offload_off_reads_datagrams))
