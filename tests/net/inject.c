/*
 * Test helper: send COUNT malformed New IP packets (mutated, truncated or random; each one
 * checked to fail nip_pkt_parse) over UDP to a node, in bursts, waiting after each burst until
 * the node's link counter shows it received them all (so no packet is lost in a socket buffer
 * and the node's drop counters can be compared exactly). Prints its own count per error.
 * Usage: nip_inject LOCAL_IP:PORT PEER_IP:PORT CTL_SOCKET LINK COUNT SEED
 *        nip_inject LOCAL_IP:PORT PEER_IP:PORT craft SRC DST SPORT
 *        nip_inject LOCAL_IP:PORT PEER_IP:PORT nls PEER_ADDR VICTIM_ADDR MTU COUNT
 * The second form sends one valid-looking UDP packet whose contract holds an unknown clause
 * with the must-understand bit: a router must answer its source with parameter problem.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <jansson.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "../../control/config.h"
#include "newip/newip.h"

static uint64_t seed;

static uint64_t rnd(void)
{
	seed ^= seed >> 12;
	seed ^= seed << 25;
	seed ^= seed >> 27;
	return seed * 0x2545F4914F6CDD1DULL;
}

/* A random valid packet to mutate: random addresses, sometimes blocks. */
static int valid(uint8_t *b, size_t cap)
{
	static const uint8_t lens[] = { 1, 2, 4, 16, 32 };
	struct nip_hdr h = { .next_hdr = 17, .hop_limit = 64 };
	struct nip_latency lat = { NIP_LAT_IN_TIME, 0, 1000 };
	uint8_t payload[64];
	struct nip_writer w;

	h.dst.len = lens[rnd() % 5];
	h.src.len = lens[rnd() % 5];
	for (int i = 0; i < 32; i++)
		h.dst.b[i] = (uint8_t)rnd(), h.src.b[i] = (uint8_t)rnd();
	nip_w_init(&w, b, cap, &h);
	if (rnd() % 2) {
		nip_w_contract_begin(&w, 0, 0);
		nip_w_latency(&w, &lat, true);
		nip_w_priority(&w, 3, false);
		nip_w_block_end(&w);
	}
	if (rnd() % 2) {
		nip_w_security_begin(&w);
		nip_w_replay(&w, rnd(), (uint32_t)rnd());
		nip_w_block_end(&w);
	}
	return nip_w_finish(&w, payload, rnd() % sizeof(payload));
}

static int malformed(uint8_t *b, size_t cap, int *err)
{
	struct nip_pkt p;

	for (;;) {
		int n = valid(b, cap);
		switch (rnd() % 3) {
		case 0: /* flip 1-3 octets */
			for (int k = 0, m = 1 + (int)(rnd() % 3); k < m; k++)
				b[rnd() % (unsigned)n] ^= (uint8_t)(1 + rnd() % 255);
			break;
		case 1: /* cut short */
			n = (int)(rnd() % (unsigned)n);
			break;
		default: /* noise with a plausible version */
			n = 1 + (int)(rnd() % 200);
			for (int i = 0; i < n; i++)
				b[i] = (uint8_t)rnd();
			b[0] = (uint8_t)(0x10 | (b[0] & 0x0f));
		}
		if (n > 0 && (*err = nip_pkt_parse(&p, b, (size_t)n)) < 0)
			return n;
	}
}

static long long rx_packets(const char *ctl, const char *link)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char buf[1 << 16];
	size_t have = 0;
	long long v = -1;
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", ctl);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    write(fd, "{\"cmd\":\"link.show\"}\n", 20) != 20) {
		close(fd);
		return -1;
	}
	while (have < sizeof(buf) - 1 && !memchr(buf, '\n', have)) {
		ssize_t r = read(fd, buf + have, sizeof(buf) - 1 - have);
		if (r <= 0)
			break;
		have += (size_t)r;
	}
	close(fd);
	buf[have] = '\0';
	json_t *j = json_loads(buf, JSON_DISABLE_EOF_CHECK, NULL), *l;
	size_t i;
	json_array_foreach(json_object_get(j, "links"), i, l)
		if (!strcmp(json_string_value(json_object_get(l, "name")), link))
			v = json_integer_value(json_object_get(l, "rx_packets"));
	json_decref(j);
	return v;
}

static int craft(int fd, char **argv)
{
	struct nip_hdr h = { .next_hdr = 17, .hop_limit = 64 };
	uint8_t b[256], udp[12] = { 0, 0, 0x1b, 0x58, 0, 12, 0, 0, 'b', 'a', 'd', '!' };
	unsigned long sport = strtoul(argv[6], NULL, 10);
	struct nip_writer w;

	if (nip_addr_parse(&h.src, argv[4]) < 0 || nip_addr_parse(&h.dst, argv[5]) < 0)
		return 2;
	udp[0] = (uint8_t)(sport >> 8), udp[1] = (uint8_t)sport;
	nip_w_init(&w, b, sizeof(b), &h);
	nip_w_contract_begin(&w, 0, 0);
	nip_w_item(&w, NIP_TLV_M | 0x42, "??", 2); /* type 0x42: nobody knows it */
	nip_w_block_end(&w);
	/* No UDP checksum: the packet is rejected before anyone looks at UDP. */
	int n = nip_w_finish(&w, udp, sizeof(udp));
	if (n < 0 || send(fd, b, (size_t)n, 0) != n) {
		fprintf(stderr, "nip_inject: craft: %s\n", n < 0 ? nip_strerror(n) : strerror(errno));
		return 2;
	}
	printf("sent one must-understand packet, clause at offset %u\n",
	       12u + h.dst.len + h.src.len + 6);
	return 0;
}

/* Send one NLS message to x00 from the injector's own address x7f. */
static void nls_send(int fd, const uint8_t *msg, size_t len)
{
	struct nip_hdr h = { .next_hdr = NIP_PROTO_NLS, .hop_limit = 1 };
	uint8_t b[2048];
	struct nip_writer w;

	h.dst.len = 1;
	nip_addr_parse(&h.src, "x7f");
	nip_w_init(&w, b, sizeof(b), &h);
	int n = nip_w_finish(&w, msg, len);
	if (n > 0 && send(fd, b, (size_t)n, 0) != n)
		perror("nip_inject: send");
}

/*
 * Pose as a two-way neighbour of PEER (hellos listing its router id, with its MTU), then send
 * COUNT garbage NLS messages, one LSU whose LSA checksum is wrong, and a replay: an LSA of
 * VICTIM with sequence 1, older than what the network holds.
 */
static int nls_mode(int fd, char **argv)
{
	struct nip_addr peer, victim, me;
	uint8_t msg[1500];
	unsigned long count = strtoul(argv[7], NULL, 10);
	struct timespec ms50 = { 0, 50000000 };

	if (nip_addr_parse(&peer, argv[4]) < 0 || nip_addr_parse(&victim, argv[5]) < 0)
		return 2;
	nip_addr_parse(&me, "x7f");
	uint64_t rid = nls_router_id(&me);
	struct nls_hello h = { .hello_ms = 100, .dead_ms = 60000, .mtu = (uint16_t)atoi(argv[6]),
			       .n = 1, .nbr = { nls_router_id(&peer) } };
	for (int i = 0; i < 4; i++) { /* two-way after the peer has answered once */
		int n = nls_hello_encode(msg, sizeof(msg), rid, &h);
		nls_send(fd, msg, (size_t)n);
		nanosleep(&ms50, NULL);
	}
	struct timespec ms2 = { 0, 2000000 };
	for (unsigned long i = 0; i < count; i++) { /* garbage of every kind, paced so that */
		if (i % 16 == 15)		   /* the router's control queue never overflows */
			nanosleep(&ms2, NULL);
		size_t n = 1 + rnd() % 300;
		for (size_t k = 0; k < n; k++)
			msg[k] = (uint8_t)rnd();
		if (n >= NLS_HDR_LEN && rnd() % 2) /* half of them with a plausible header */
			nls_put_hdr(msg, (uint8_t)(1 + rnd() % 3), (uint16_t)n, rid);
		nls_send(fd, msg, n);
	}
	struct nls_lsa old = { .origin = nls_router_id(&victim), .seq = 1, .n_prefixes = 1 };
	strcpy(old.name, "replayed");
	old.prefixes[0].addr = victim;
	old.prefixes[0].plen = (uint16_t)(8 * victim.len);
	int l = nls_lsa_encode(msg + NLS_HDR_LEN + 2, sizeof(msg) - 14, &old);
	nls_put_hdr(msg, NLS_LSU, (uint16_t)(NLS_HDR_LEN + 2 + l), rid);
	msg[NLS_HDR_LEN] = 1;
	msg[NLS_HDR_LEN + 1] = 0;
	nanosleep(&ms50, NULL);
	nls_send(fd, msg, NLS_HDR_LEN + 2 + (size_t)l); /* the replay: stale */
	msg[NLS_HDR_LEN + 2 + 20] ^= 0xff;		 /* corrupt the name length: bad checksum */
	nls_send(fd, msg, NLS_HDR_LEN + 2 + (size_t)l);
	int n = nls_hello_encode(msg, sizeof(msg), rid, &h);
	nls_send(fd, msg, (size_t)n);
	printf("nls: %lu garbage, 1 replayed, 1 corrupt\n", count);
	return 0;
}

int main(int argc, char **argv)
{
	struct sockaddr_storage local, peer;
	socklen_t ll, pl;
	unsigned long hist[NIP_ERR_COUNT] = { 0 }, count;
	uint8_t b[2048];

	if (argc < 7 || parse_sockaddr(argv[1], &local, &ll) < 0 ||
	    parse_sockaddr(argv[2], &peer, &pl) < 0) {
		fprintf(stderr, "usage: nip_inject LOCAL PEER CTL_SOCKET LINK COUNT SEED\n");
		return 2;
	}
	count = strtoul(argv[5], NULL, 10);
	seed = strtoull(argv[6], NULL, 10) | 1;
	int fd = socket(local.ss_family, SOCK_DGRAM, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&local, ll) < 0 ||
	    connect(fd, (struct sockaddr *)&peer, pl) < 0) {
		perror("nip_inject: socket");
		return 2;
	}
	if (!strcmp(argv[3], "craft"))
		return craft(fd, argv);
	if (!strcmp(argv[3], "nls"))
		return argc == 8 ? nls_mode(fd, argv) : 2;
	long long base = rx_packets(argv[3], argv[4]);
	if (base < 0) {
		fprintf(stderr, "nip_inject: no link %s on %s\n", argv[4], argv[3]);
		return 2;
	}
	for (unsigned long sent = 0; sent < count;) {
		for (int k = 0; k < 64 && sent < count; k++, sent++) {
			int err, n = malformed(b, sizeof(b), &err);
			if (send(fd, b, (size_t)n, 0) != n) {
				perror("nip_inject: send");
				return 2;
			}
			hist[-err]++;
		}
		struct timespec ms = { 0, 1000000 };
		int tries = 0;
		while (rx_packets(argv[3], argv[4]) < base + (long long)sent) {
			if (++tries > 5000) {
				fprintf(stderr, "nip_inject: node saw %lld of %lu\n",
					rx_packets(argv[3], argv[4]) - base, sent);
				return 1;
			}
			nanosleep(&ms, NULL);
		}
	}
	printf("injected %lu\n", count);
	for (int e = 1; e < NIP_ERR_COUNT; e++)
		if (hist[e])
			printf("malformed %s=%lu\n", nip_strerror(-e), hist[e]);
	return 0;
}
