/*
 * Benchmark traffic: `blast send` pushes UDP datagrams as fast as sendmmsg allows for a fixed
 * time (either New IP packets for the overlay, or a plain payload for kernel forwarding);
 * `blast sink` counts what arrives (several sinks may share LOCAL). Both print one line of
 * figures. BLAST_FLOWS, BLAST_PORTS and BLAST_GSO (below) shape what send sends.
 *   blast send LOCAL PEER SECONDS PAYLOAD [newip DST SRC]
 *   blast sink LOCAL SECONDS
 * `blast ethsend` pushes Ethernet frames from a packet socket (qdisc bypassed) the same way:
 * New IP + UDP on EtherType 0x88B5 (an eth link, docs/spec.md §1), or IPv6 + UDP for the kernel.
 *   blast ethsend IFACE DSTMAC SECONDS PAYLOAD newip|ipv6 DST SRC
 * With BLAST_KEY=FILE and BLAST_PEER_KEY=BASE64 in the environment the link is keyed
 * (docs/spec.md §1.1): the sender starts a handshake and tags every packet, the sink answers
 * the handshake its peer starts and counts only data frames.
 */
#include <errno.h>
#include <arpa/inet.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netinet/udp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "../control/config.h"
#include "newip/checksum.h"
#include "newip/keyfile.h"
#include "newip/linkframe.h"
#include "newip/newip.h"

#define BATCH 64

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* A UDP socket bound to LOCAL's address and its port + add (SO_REUSEPORT: several sinks may
 * share a port, the kernel spreading senders over them), connected to PEER if given. */
static int sock_at(const char *local, unsigned add, const char *peer)
{
	struct sockaddr_storage a;
	socklen_t al;
	int fd, big = 8 << 20, one = 1;

	if (parse_sockaddr(local, &a, &al) < 0)
		return -1;
	uint16_t *port = a.ss_family == AF_INET ? &((struct sockaddr_in *)&a)->sin_port :
						  &((struct sockaddr_in6 *)&a)->sin6_port;
	*port = htons((uint16_t)(ntohs(*port) + add));
	fd = socket(a.ss_family, SOCK_DGRAM, 0);
	setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof(big));
	setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &big, sizeof(big));
	setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one));
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, al) < 0)
		return -1;
	if (peer && (parse_sockaddr(peer, &a, &al) < 0 || connect(fd, (struct sockaddr *)&a, al) < 0))
		return -1;
	return fd;
}

static int sock(const char *local, const char *peer)
{
	return sock_at(local, 0, peer);
}

/* New IP + UDP (ports 5000 -> 7000) + PAYLOAD octets, checksummed: its length, or -1. */
static int newip_packet(uint8_t *pkt, size_t cap, size_t payload, const char *dst, const char *src)
{
	struct nip_hdr h = { .next_hdr = 17, .hop_limit = 64, .flow_label = 1 };
	struct nip_writer w;
	uint8_t udp[1600] = { 0x13, 0x88, 0x1b, 0x58, (uint8_t)((payload + 8) >> 8),
			      (uint8_t)(payload + 8) };

	memset(udp + 8, 0xab, sizeof(udp) - 8);
	if (payload > sizeof(udp) - 8 || nip_addr_parse(&h.dst, dst) < 0 ||
	    nip_addr_parse(&h.src, src) < 0)
		return -1;
	nip_w_init(&w, pkt, cap, &h);
	int n = nip_w_finish(&w, udp, payload + 8);
	if (n < 0 || nip_l4_csum_fill(pkt, (size_t)n) < 0)
		return -1;
	return n;
}

/* IPv6 + UDP (ports 5000 -> 9000) + PAYLOAD octets, checksummed: its length, or -1. */
static int ipv6_packet(uint8_t *pkt, size_t cap, size_t payload, const char *dst, const char *src)
{
	size_t ulen = payload + 8;
	uint8_t *udp = pkt + 40;
	uint32_t sum;

	if (40 + ulen > cap || inet_pton(AF_INET6, src, pkt + 8) != 1 ||
	    inet_pton(AF_INET6, dst, pkt + 24) != 1)
		return -1;
	pkt[0] = 0x60, pkt[1] = pkt[2] = pkt[3] = 0;
	pkt[4] = (uint8_t)(ulen >> 8), pkt[5] = (uint8_t)ulen, pkt[6] = 17, pkt[7] = 64;
	memcpy(udp, (uint8_t[]){ 0x13, 0x88, 0x23, 0x28, pkt[4], pkt[5], 0, 0 }, 8);
	memset(udp + 8, 0xab, payload);
	uint8_t pseudo[8] = { 0, 0, pkt[4], pkt[5], 0, 0, 0, 17 };
	sum = nip_csum_add(nip_csum_add(nip_csum_add(0, pkt + 8, 32), pseudo, 8), udp, ulen);
	uint16_t c = nip_csum_fold(sum);
	c = c ? c : 0xffff;
	udp[6] = (uint8_t)(c >> 8), udp[7] = (uint8_t)c;
	return (int)(40 + ulen);
}

/* The keyed link's link key from the environment; false when the link is plain. */
static bool link_key(uint8_t K[NIP_LF_KEY], struct nip_identity *id)
{
	const char *kf = getenv("BLAST_KEY"), *pk64 = getenv("BLAST_PEER_KEY");
	uint8_t pk[32];
	char err[256];

	if (!kf || !pk64)
		return false;
	if (nip_crypto_init() < 0 || nip_key_load(kf, id, err, sizeof(err)) < 0 ||
	    sodium_base642bin(pk, sizeof(pk), pk64, strlen(pk64), NULL, NULL, NULL,
			      sodium_base64_VARIANT_ORIGINAL) != 0 ||
	    nip_lf_link_key(K, id->sk, pk) < 0) {
		fprintf(stderr, "blast: bad BLAST_KEY or BLAST_PEER_KEY %s\n", err);
		exit(2);
	}
	return true;
}

/* Initiator: a handshake on the connected socket, the session's keys and the peer's index. */
static void handshake(int fd, const uint8_t K[NIP_LF_KEY], const struct nip_identity *id,
		      struct nip_lf_keys *keys, uint32_t *peer_idx)
{
	struct timeval tv = { 1, 0 };
	uint8_t init[NIP_LF_INIT_LEN], resp[128];
	struct nip_lf_hs hs;
	struct timespec ts;

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	for (int tries = 0; tries < 10; tries++) {
		clock_gettime(CLOCK_REALTIME, &ts);
		nip_lf_init_build(init, &hs, 0x1234, id->pk,
				  (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec, K);
		send(fd, init, sizeof(init), 0);
		ssize_t n = recv(fd, resp, sizeof(resp), 0);
		if (n == NIP_LF_RESP_LEN && nip_lf_classify(resp, (size_t)n) == NIP_LF_RESP &&
		    nip_lf_resp_accept(resp, &hs, K, keys) == 0) {
			*peer_idx = nip_lf_resp_sender(resp);
			return;
		}
	}
	fprintf(stderr, "blast send: no handshake response\n");
	exit(2);
}

/* Responder: answer the first valid initiation (the peer retries every second). */
static void answer(int fd, const uint8_t K[NIP_LF_KEY])
{
	uint8_t f[2048], resp[NIP_LF_RESP_LEN];
	struct sockaddr_storage from;
	struct nip_lf_keys keys;

	for (double t0 = now(); now() - t0 < 5;) {
		socklen_t fl = sizeof(from);
		ssize_t n = recvfrom(fd, f, sizeof(f), 0, (struct sockaddr *)&from, &fl);
		if (n == NIP_LF_INIT_LEN && nip_lf_classify(f, (size_t)n) == NIP_LF_INIT &&
		    nip_lf_init_verify(f, K) && nip_lf_resp_build(resp, &keys, 0x5678, f, K) == 0) {
			sendto(fd, resp, sizeof(resp), 0, (struct sockaddr *)&from, fl);
			return;
		}
	}
	fprintf(stderr, "blast sink: no handshake initiation\n");
	exit(2);
}

#define FLOWS_MAX 64

/* $BLAST_FLOWS (1 to 64, default 1): how many flows send spreads its New IP packets over,
 * Flow Labels 1 to N in turn (the UDP checksum does not cover the Flow Label, spec §6.1). */
static unsigned flows_env(void)
{
	const char *s = getenv("BLAST_FLOWS");
	long n = s ? atol(s) : 1;

	return n < 1 ? 1 : n > FLOWS_MAX ? FLOWS_MAX : (unsigned)n;
}

/* $BLAST_PORTS (1 to 16, default 1): local ports send sends from, LOCAL's port and up, a
 * batch from each in turn: as many outer 4-tuples for the receivers' RSS/RPS to spread. */
static unsigned ports_env(void)
{
	const char *s = getenv("BLAST_PORTS");
	long n = s ? atol(s) : 1;

	return n < 1 ? 1 : n > 16 ? 16 : (unsigned)n;
}

/* $BLAST_GSO (1 to 64, default 1): datagrams a message of send carries, as one UDP_SEGMENT
 * send the kernel cuts (a run, as newipd's own GSO sends them; at most 60000 octets); not
 * with a keyed link. */
static unsigned gso_env(void)
{
	const char *s = getenv("BLAST_GSO");
	long n = s ? atol(s) : 1;

	return n < 1 ? 1 : n > 64 ? 64 : (unsigned)n;
}

/* A message that is a run of gso datagrams of len octets, each the iovec *v: its iovecs in
 * run, its UDP_SEGMENT control message in cmsg. */
static void gso_msg(struct msghdr *h, struct iovec *run, const struct iovec *v, unsigned gso,
		    char *cmsg, size_t cmsg_len, uint16_t len)
{
	struct cmsghdr *c;

	for (unsigned s = 0; s < gso; s++)
		run[s] = *v;
	h->msg_iov = run;
	h->msg_iovlen = gso;
	h->msg_control = cmsg;
	h->msg_controllen = cmsg_len;
	c = CMSG_FIRSTHDR(h);
	c->cmsg_level = SOL_UDP;
	c->cmsg_type = UDP_SEGMENT;
	c->cmsg_len = CMSG_LEN(sizeof(uint16_t));
	memcpy(CMSG_DATA(c), &len, sizeof(len));
}

static int do_send(char **argv, int argc)
{
	static uint8_t pkt[2048], flow_pkt[FLOWS_MAX][2048];
	struct mmsghdr m[BATCH];
	struct iovec iov;
	double secs = atof(argv[4]), t0;
	size_t payload = (size_t)atol(argv[5]), len = payload;
	unsigned long long sent = 0, fails = 0, batches = 0;
	int fds[16], fd = fds[0] = sock(argv[2], argv[3]);
	unsigned nfd = ports_env();

	for (unsigned i = 1; fd >= 0 && i < nfd; i++)
		if ((fds[i] = sock_at(argv[2], i, argv[3])) < 0)
			fd = -1;
	if (fd < 0 || payload > 1500) {
		perror("blast send");
		return 2;
	}
	memset(pkt, 0xab, sizeof(pkt));
	if (argc == 9 && !strcmp(argv[6], "newip")) {
		int n = newip_packet(pkt, sizeof(pkt), payload, argv[7], argv[8]);
		if (n < 0)
			return 2;
		len = (size_t)n;
	}
	unsigned flows = argc == 9 ? flows_env() : 1;
	for (unsigned f = 0; f < flows; f++) {
		memcpy(flow_pkt[f], pkt, len);
		flow_pkt[f][1] = (uint8_t)((pkt[1] & 0xf0) | ((f + 1) >> 16));
		flow_pkt[f][2] = (uint8_t)((f + 1) >> 8);
		flow_pkt[f][3] = (uint8_t)(f + 1);
	}
	struct iovec fiov[FLOWS_MAX];
	uint8_t K[NIP_LF_KEY], hdr[BATCH][NIP_LF_HDR], tag[BATCH][NIP_LF_TAG];
	struct iovec kiov[BATCH][3];
	struct nip_identity id;
	struct nip_lf_keys keys;
	uint32_t peer_idx = 0;
	uint64_t ctr = 0;
	bool keyed = link_key(K, &id);
	if (keyed)
		handshake(fd, K, &id, &keys, &peer_idx);
	iov = (struct iovec){ pkt, len };
	for (int i = 0; i < BATCH; i++) {
		kiov[i][0] = (struct iovec){ hdr[i], NIP_LF_HDR };
		kiov[i][1] = iov;
		kiov[i][2] = (struct iovec){ tag[i], NIP_LF_TAG };
		m[i].msg_hdr = keyed ? (struct msghdr){ .msg_iov = kiov[i], .msg_iovlen = 3 } :
				       (struct msghdr){ .msg_iov = &iov, .msg_iovlen = 1 };
	}
	if (flows > 1 && !keyed) /* a batch of 64 holds each flow in turn */
		for (int i = 0; i < BATCH; i++) {
			fiov[i % flows] = (struct iovec){ flow_pkt[i % flows], len };
			m[i].msg_hdr.msg_iov = &fiov[i % flows];
		}
	static struct iovec runs[BATCH][64];
	static char cmsg[BATCH][CMSG_SPACE(sizeof(uint16_t))];
	unsigned gso = keyed ? 1 : gso_env();
	if (gso > 60000 / len) /* a run is one UDP datagram: at most 64 KiB */
		gso = (unsigned)(60000 / len);
	for (int i = 0; gso > 1 && i < BATCH; i++)
		gso_msg(&m[i].msg_hdr, runs[i], m[i].msg_hdr.msg_iov, gso, cmsg[i], sizeof(cmsg[i]),
			(uint16_t)len);
	t0 = now();
	while (now() - t0 < secs) {
		for (int i = 0; keyed && i < BATCH; i++) { /* each packet tagged, as a peer would */
			nip_lf_data_header(hdr[i], false, peer_idx, ctr);
			nip_lf_data_tag(tag[i], pkt, len, false, ctr++, keys.send);
		}
		int r = sendmmsg(fds[batches++ % nfd], m, BATCH, 0);
		if (r > 0)
			sent += (unsigned)r * gso;
		else
			fails++;
	}
	printf("sent %llu datagrams of %zu octets in %.2f s (%.0f/s), %llu failed batches\n", sent,
	       len, now() - t0, (double)sent / (now() - t0), fails);
	return 0;
}

/* Ethernet frames to DSTMAC from a packet socket on IFACE, the qdisc bypassed; the sender's
 * figures as do_send's. The receiving side is counted by its interface (bench/fwd_bench.sh). */
static int do_ethsend(char **argv)
{
	static uint8_t frame[2048];
	struct mmsghdr m[BATCH];
	struct sockaddr_ll to = { .sll_family = AF_PACKET, .sll_halen = ETH_ALEN };
	struct ifreq ifr = { 0 };
	struct iovec iov;
	double secs = atof(argv[4]), t0;
	size_t payload = (size_t)atol(argv[5]);
	unsigned long long sent = 0, fails = 0;
	int one = 1, n, fd = socket(AF_PACKET, SOCK_RAW, 0); /* protocol 0: sends only */
	bool v6 = !strcmp(argv[6], "ipv6");

	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", argv[2]);
	if (fd < 0 || ioctl(fd, SIOCGIFHWADDR, &ifr) < 0 ||
	    !(to.sll_ifindex = (int)if_nametoindex(argv[2]))) {
		fprintf(stderr, "blast ethsend: %s: %s\n", argv[2], strerror(errno));
		return 2;
	}
	if (sscanf(argv[3], "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &frame[0], &frame[1], &frame[2],
		   &frame[3], &frame[4], &frame[5]) != 6) {
		fprintf(stderr, "blast ethsend: '%s' is not a MAC address\n", argv[3]);
		return 2;
	}
	memcpy(to.sll_addr, frame, ETH_ALEN);
	memcpy(frame + ETH_ALEN, ifr.ifr_hwaddr.sa_data, ETH_ALEN);
	frame[12] = v6 ? 0x86 : 0x88, frame[13] = v6 ? 0xdd : 0xb5;
	n = v6 ? ipv6_packet(frame + 14, sizeof(frame) - 14, payload, argv[7], argv[8]) :
		 newip_packet(frame + 14, sizeof(frame) - 14, payload, argv[7], argv[8]);
	if (n < 0) {
		fprintf(stderr, "blast ethsend: bad address or payload\n");
		return 2;
	}
	setsockopt(fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof(one));
	iov = (struct iovec){ frame, (size_t)n + 14 };
	for (int i = 0; i < BATCH; i++)
		m[i].msg_hdr = (struct msghdr){ .msg_name = &to, .msg_namelen = sizeof(to),
						.msg_iov = &iov, .msg_iovlen = 1 };
	t0 = now();
	while (now() - t0 < secs) {
		int r = sendmmsg(fd, m, BATCH, 0);
		if (r > 0)
			sent += (unsigned)r;
		else
			fails++;
	}
	printf("sent %llu frames of %zu octets in %.2f s (%.0f/s), %llu failed batches\n", sent,
	       iov.iov_len, now() - t0, (double)sent / (now() - t0), fails);
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
	uint8_t K[NIP_LF_KEY];
	struct nip_identity id;
	bool keyed = link_key(K, &id);
	if (keyed)
		answer(fd, K);
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
		for (int i = 0; i < r; i++) { /* keyed: handshakes and keepalives are not traffic */
			if (keyed && (buf[i][0] != NIP_LF_DATA || m[i].msg_len <= NIP_LF_OVERHEAD))
				continue;
			got++;
			bytes += m[i].msg_len;
		}
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
	if (argc == 9 && !strcmp(argv[1], "ethsend") &&
	    (!strcmp(argv[6], "newip") || !strcmp(argv[6], "ipv6")))
		return do_ethsend(argv);
	fprintf(stderr, "usage: blast send LOCAL PEER SECONDS PAYLOAD [newip DST SRC]\n"
			"       blast sink LOCAL SECONDS\n"
			"       blast ethsend IFACE DSTMAC SECONDS PAYLOAD newip|ipv6 DST SRC\n");
	return 2;
}
