/*
 * Benchmark traffic: `blast send` pushes UDP datagrams as fast as sendmmsg allows for a fixed
 * time (either New IP packets for the overlay, or a plain payload for kernel forwarding);
 * `blast sink` counts what arrives. Both print one line of figures.
 *   blast send LOCAL PEER SECONDS PAYLOAD [newip DST SRC]
 *   blast sink LOCAL SECONDS
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "../control/config.h"
#include "newip/newip.h"

#define BATCH 64

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int sock(const char *local, const char *peer)
{
	struct sockaddr_storage a;
	socklen_t al;
	int fd, big = 8 << 20;

	if (parse_sockaddr(local, &a, &al) < 0)
		return -1;
	fd = socket(a.ss_family, SOCK_DGRAM, 0);
	setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof(big));
	setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &big, sizeof(big));
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, al) < 0)
		return -1;
	if (peer && (parse_sockaddr(peer, &a, &al) < 0 || connect(fd, (struct sockaddr *)&a, al) < 0))
		return -1;
	return fd;
}

static int do_send(char **argv, int argc)
{
	static uint8_t pkt[2048];
	struct mmsghdr m[BATCH];
	struct iovec iov;
	double secs = atof(argv[4]), t0;
	size_t payload = (size_t)atol(argv[5]), len = payload;
	unsigned long long sent = 0, fails = 0;
	int fd = sock(argv[2], argv[3]);

	if (fd < 0 || payload > 1500) {
		perror("blast send");
		return 2;
	}
	memset(pkt, 0xab, sizeof(pkt));
	if (argc == 9 && !strcmp(argv[6], "newip")) { /* New IP + UDP + payload, checksummed */
		struct nip_hdr h = { .next_hdr = 17, .hop_limit = 64, .flow_label = 1 };
		struct nip_writer w;
		uint8_t udp[1600] = { 0x13, 0x88, 0x1b, 0x58, (uint8_t)((payload + 8) >> 8),
				      (uint8_t)(payload + 8) };
		if (nip_addr_parse(&h.dst, argv[7]) < 0 || nip_addr_parse(&h.src, argv[8]) < 0)
			return 2;
		nip_w_init(&w, pkt, sizeof(pkt), &h);
		int n = nip_w_finish(&w, udp, payload + 8);
		if (n < 0 || nip_l4_csum_fill(pkt, (size_t)n) < 0)
			return 2;
		len = (size_t)n;
	}
	iov = (struct iovec){ pkt, len };
	for (int i = 0; i < BATCH; i++)
		m[i].msg_hdr = (struct msghdr){ .msg_iov = &iov, .msg_iovlen = 1 };
	t0 = now();
	while (now() - t0 < secs) {
		int r = sendmmsg(fd, m, BATCH, 0);
		if (r > 0)
			sent += (unsigned)r;
		else
			fails++;
	}
	printf("sent %llu datagrams of %zu octets in %.2f s (%.0f/s), %llu failed batches\n", sent,
	       len, now() - t0, (double)sent / (now() - t0), fails);
	return 0;
}

static int do_sink(char **argv)
{
	static uint8_t buf[BATCH][2048];
	struct mmsghdr m[BATCH];
	struct iovec iov[BATCH];
	double secs = atof(argv[3]), t0 = 0, last = 0;
	unsigned long long got = 0, bytes = 0;
	struct timeval tv = { 0, 200000 };
	int fd = sock(argv[2], NULL);

	if (fd < 0) {
		perror("blast sink");
		return 2;
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	for (int i = 0; i < BATCH; i++) {
		iov[i] = (struct iovec){ buf[i], sizeof(buf[i]) };
		m[i].msg_hdr = (struct msghdr){ .msg_iov = &iov[i], .msg_iovlen = 1 };
	}
	printf("ready\n");
	fflush(stdout);
	for (double start = now(); now() - start < secs + 30;) {
		int r = recvmmsg(fd, m, BATCH, 0, NULL);
		if (r <= 0 || (got && r < 4 && now() - last > 0.5)) {
			if (got && now() - last > 0.5)
				break; /* the sender has stopped (stray small datagrams do not count) */
			continue;
		}
		if (!got)
			t0 = now();
		last = now();
		got += (unsigned)r;
		for (int i = 0; i < r; i++)
			bytes += m[i].msg_len;
	}
	double dt = last - t0;
	printf("received %llu datagrams in %.2f s: %.0f packets/s, %.1f Mbit/s\n", got, dt,
	       dt > 0 ? (double)got / dt : 0, dt > 0 ? (double)bytes * 8 / dt / 1e6 : 0);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 6 && !strcmp(argv[1], "send"))
		return do_send(argv, argc);
	if (argc == 4 && !strcmp(argv[1], "sink"))
		return do_sink(argv);
	fprintf(stderr, "usage: blast send LOCAL PEER SECONDS PAYLOAD [newip DST SRC]\n"
			"       blast sink LOCAL SECONDS\n");
	return 2;
}
