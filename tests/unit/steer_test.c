/*
 * Flow steering to the workers (dataplane/steer.c) on real loopback sockets: four UDP sockets
 * in one SO_REUSEPORT group with the steering program, and New IP packets of 64 flows
 * (Flow Label, and addresses of 1, 4 and 16 octets) sent to the group. Every packet of a flow
 * lands on one socket, and the flows are spread over all four.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../../dataplane/steer.h"
#include "harness.h"
#include "newip/build.h"

#define SOCKS	 4
#define FLOWS	 64
#define PER_FLOW 8

static int bound(struct sockaddr_in *sa)
{
	int one = 1, fd = socket(AF_INET, SOCK_DGRAM, 0);
	socklen_t len = sizeof(*sa);

	CHECK(fd >= 0);
	CHECK_EQ(setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)), 0);
	CHECK_EQ(bind(fd, (struct sockaddr *)sa, sizeof(*sa)), 0);
	CHECK_EQ(getsockname(fd, (struct sockaddr *)sa, &len), 0); /* the port, after the first */
	return fd;
}

static size_t packet(uint8_t *b, unsigned flow)
{
	static const uint8_t lens[] = {1, 4, 16};
	struct nip_hdr h = {.next_hdr = 17, .hop_limit = 9, .flow_label = 0x12340u + flow};
	struct nip_writer w;

	h.dst.len = h.src.len = lens[flow % 3];
	for (unsigned i = 0; i < h.dst.len; i++) {
		h.dst.b[i] = (uint8_t)(0xa0 + i);
		h.src.b[i] = (uint8_t)(flow / 3 + i); /* sources differ too */
	}
	nip_w_init(&w, b, 256, &h);
	int n = nip_w_finish(&w, (const uint8_t *)"payload", 7);
	CHECK(n > 0);
	return n > 0 ? (size_t)n : 0;
}

static void one_socket_per_flow(void)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	int fd[SOCKS], tx = socket(AF_INET, SOCK_DGRAM, 0), where[FLOWS], used[SOCKS] = {0};
	uint8_t b[512];

	for (unsigned s = 0; s < SOCKS; s++)
		fd[s] = bound(&sa);
	CHECK_EQ(steer_reuseport(fd[0], SOCKS), 0);
	for (unsigned f = 0; f < FLOWS; f++)
		where[f] = -1;
	for (unsigned k = 0; k < PER_FLOW; k++)
		for (unsigned f = 0; f < FLOWS; f++) {
			size_t n = packet(b, f);
			CHECK_EQ(sendto(tx, b, n, 0, (struct sockaddr *)&sa, sizeof(sa)),
				 (ssize_t)n);
		}
	unsigned got = 0;
	for (unsigned s = 0; s < SOCKS; s++) {
		struct pollfd p = {.fd = fd[s], .events = POLLIN};
		ssize_t n;
		while (poll(&p, 1, 0) == 1 && (n = recv(fd[s], b, sizeof(b), 0)) > 0) {
			unsigned f = ((b[1] & 0x0f) << 16 | b[2] << 8 | b[3]) - 0x12340u;
			CHECK(f < FLOWS);
			if (f >= FLOWS)
				continue;
			CHECK(where[f] == -1 || where[f] == (int)s); /* a flow meets one socket */
			where[f] = (int)s;
			used[s]++;
			got++;
		}
	}
	CHECK_EQ(got, FLOWS * PER_FLOW); /* loopback loses nothing */
	for (unsigned s = 0; s < SOCKS; s++)
		CHECK(used[s] >= PER_FLOW * 4); /* at least 4 of the 64 flows each */
	for (unsigned s = 0; s < SOCKS; s++)
		close(fd[s]);
	close(tx);
}

RUN_TESTS(T(one_socket_per_flow))
