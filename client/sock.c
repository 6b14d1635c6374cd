/* Applications' side of the local datagram service (docs/local-api.md): part of libnewip. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "newip/packet.h"
#include "newip/sock.h"

int nip_sock_open(const char *node)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	const char *dir = getenv("NEWIP_RUNDIR");
	int fd, n;

	n = snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/%s/local.sock", dir ? dir : NIP_RUNDIR,
		     node);
	if (n < 0 || (size_t)n >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int e = errno;
		close(fd);
		return -e;
	}
	return fd;
}

static int send_msg(int fd, const struct nip_local_hdr *h, const void *data, size_t len)
{
	struct iovec iov[2] = { { (void *)h, sizeof(*h) }, { (void *)data, len } };
	struct msghdr msg = { .msg_iov = iov, .msg_iovlen = 2 };

	if (sizeof(*h) + len > NIP_LOCAL_MAX)
		return -EMSGSIZE;
	return sendmsg(fd, &msg, MSG_NOSIGNAL) < 0 ? -errno : 0;
}

ssize_t nip_sock_recv(int fd, struct nip_local_hdr *h, void *buf, size_t cap, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	struct iovec iov[2] = { { h, sizeof(*h) }, { buf, cap } };
	struct msghdr msg = { .msg_iov = iov, .msg_iovlen = 2 };
	int rc = poll(&p, 1, timeout_ms);
	ssize_t n;

	if (rc == 0)
		return -ETIMEDOUT;
	if (rc < 0)
		return -errno;
	n = recvmsg(fd, &msg, 0);
	if (n < 0)
		return -errno;
	if (n == 0)
		return -ECONNRESET;
	if ((size_t)n < sizeof(*h))
		return -EPROTO;
	return n - (ssize_t)sizeof(*h);
}

int nip_sock_bind(int fd, uint16_t port)
{
	struct nip_local_hdr h = { .op = NIP_OP_BIND, .local_port = port };
	int rc = send_msg(fd, &h, NULL, 0);
	uint8_t scratch[1];

	if (rc < 0)
		return rc;
	for (;;) { /* datagrams may arrive before the answer only if already bound: skip them */
		ssize_t n = nip_sock_recv(fd, &h, scratch, sizeof(scratch), 5000);
		if (n < 0)
			return (int)n;
		if (h.op == NIP_OP_BOUND || h.op == NIP_OP_STATUS)
			return h.status < 0 ? h.status : h.local_port;
	}
}

int nip_sock_sendto(int fd, const struct nip_addr *dst, uint16_t port, const void *buf,
		    size_t len, uint8_t hop_limit)
{
	struct nip_local_hdr h = { .op = NIP_OP_SEND, .peer_port = port, .hop_limit = hop_limit,
				   .addr = *dst };

	return send_msg(fd, &h, buf, len);
}

int nip_sock_sendto_opts(int fd, const struct nip_addr *dst, uint16_t port, const void *buf,
			 size_t len, const struct nip_send_opts *o)
{
	struct nip_local_hdr h = { .op = NIP_OP_SEND, .peer_port = port, .addr = *dst };

	if (o) {
		h.hop_limit = o->hop_limit;
		h.tc = o->tc;
		h.latency_us = o->max_us;
		h.min_us = o->min_us;
		h.flags = o->on_time ? NIP_LF_ON_TIME : 0;
		h.prio = o->prio >= 0 && o->prio <= 7 ? (uint8_t)(o->prio + 1) : 0;
		nip_local_set_flow(&h, o->flow_label);
	}
	return send_msg(fd, &h, buf, len);
}

int nip_sock_echo(int fd, const struct nip_addr *dst, uint16_t seq, size_t size,
		  uint8_t hop_limit)
{
	struct nip_local_hdr h = { .op = NIP_OP_ECHO, .param = seq, .hop_limit = hop_limit,
				   .addr = *dst };
	uint8_t data[NIP_LOCAL_MAX - sizeof(h)];

	if (size > sizeof(data))
		return -EMSGSIZE;
	for (size_t i = 0; i < size; i++)
		data[i] = (uint8_t)i;
	return send_msg(fd, &h, data, size);
}

int nip_quoted_echo_seq(const uint8_t *q, size_t len)
{
	if (len < NIP_BASE_LEN || q[6] != NIP_PROTO_NCMP || q[8] + 8u > len)
		return -1;
	const uint8_t *m = q + q[8];
	if (m[0] != 128)
		return -1;
	return m[6] << 8 | m[7];
}
