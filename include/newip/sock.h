/*
 * The local datagram service: how applications on a node send and receive New IP datagrams
 * through newipd (docs/local-api.md). Datagrams are UDP over New IP (next header 17); ping and
 * trace use NCMP echo through the same socket.
 */
#ifndef NEWIP_SOCK_H
#define NEWIP_SOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "newip/addr.h"

#define NIP_RUNDIR "/run/newip"
#define NIP_LOCAL_MAX 65536 /* largest message on the local socket */

enum nip_local_op {
	NIP_OP_BIND = 1,  /* app -> node: bind local_port (0: any free port) */
	NIP_OP_BOUND,	  /* node -> app: local_port is yours; or status < 0 */
	NIP_OP_SEND,	  /* app -> node: a datagram to addr:peer_port */
	NIP_OP_RECV,	  /* node -> app: a datagram from addr:peer_port to local_port */
	NIP_OP_ECHO,	  /* app -> node: NCMP echo request to addr, sequence in param */
	NIP_OP_NCMP,	  /* node -> app: an NCMP reply or error about what this app sent */
	NIP_OP_STATUS,	  /* node -> app: the last request failed: status < 0 */
};

/* flags */
#define NIP_LF_ON_TIME 0x01  /* SEND/ECHO: the contract is on-time [min_us, latency_us] */
#define NIP_LF_CONTRACT 0x02 /* RECV/NCMP: the packet carried a contract block */

/* Every message on the local socket starts with this header, in host byte order. */
struct nip_local_hdr {
	uint8_t op;
	uint8_t hop_limit;	/* SEND/ECHO: 0 = the node's default */
	uint16_t local_port;
	uint16_t peer_port;
	uint8_t ncmp_type, ncmp_code; /* NCMP */
	uint32_t param;		/* ECHO: sequence; NCMP: the message's Parameter */
	uint32_t latency_us;	/* SEND/ECHO: contract Max (0: none); NCMP/RECV: accumulated */
	uint32_t min_us;	/* SEND/ECHO with NIP_LF_ON_TIME: contract Min */
	int32_t status;		/* BOUND/STATUS: 0 or a negative errno / nip_err */
	uint8_t tc;		/* SEND: Traffic Class (DSCP and ECN); RECV: as received */
	uint8_t prio;		/* SEND: 1 + contract priority 0..7 (0: no priority clause) */
	uint8_t hops;		/* RECV/NCMP: the contract's Hops Updated */
	uint8_t flags;		/* NIP_LF_* */
	struct nip_addr addr;	/* SEND/ECHO: destination; RECV/NCMP: who sent it */
	uint8_t flow_label[3];	/* SEND: the Flow Label, 20 bits big-endian (0: unlabelled);
				 * RECV: as received (an old client's zero padding: none) */
	uint64_t rx_ns;		/* RECV/NCMP: when the node's data plane received it (ns since the
				 * Unix epoch, like SO_TIMESTAMP): not delayed by the application */
};

/* The header's Flow Label: 20 bits, big-endian in three octets. */
static inline void nip_local_set_flow(struct nip_local_hdr *h, uint32_t flow_label)
{
	h->flow_label[0] = (uint8_t)(flow_label >> 16 & 0x0f);
	h->flow_label[1] = (uint8_t)(flow_label >> 8);
	h->flow_label[2] = (uint8_t)flow_label;
}

static inline uint32_t nip_local_flow(const struct nip_local_hdr *h)
{
	return (uint32_t)(h->flow_label[0] & 0x0f) << 16 | (uint32_t)h->flow_label[1] << 8 |
	       h->flow_label[2];
}

/* What a SEND asks of the network (docs/local-api.md): a contract, a traffic class. */
struct nip_send_opts {
	uint8_t hop_limit, tc;
	uint32_t max_us, min_us; /* max_us 0: no latency clause */
	bool on_time;
	int prio; /* -1: no priority clause */
	uint32_t flow_label; /* 0 to 0xfffff; 0: unlabelled */
};

/* Connect to node `node`'s local service (under NIP_RUNDIR, or $NEWIP_RUNDIR). fd or -errno. */
int nip_sock_open(const char *node);
/* Bind a port (0: any). Returns the port or a negative error. */
int nip_sock_bind(int fd, uint16_t port);
int nip_sock_sendto(int fd, const struct nip_addr *dst, uint16_t port, const void *buf,
		    size_t len, uint8_t hop_limit);
/* The same with a contract and a traffic class (opts may be NULL). */
int nip_sock_sendto_opts(int fd, const struct nip_addr *dst, uint16_t port, const void *buf,
			 size_t len, const struct nip_send_opts *opts);
int nip_sock_echo(int fd, const struct nip_addr *dst, uint16_t seq, size_t size,
		  uint8_t hop_limit);
/* Receive one message: header into *h, payload (RECV data or NCMP body) into buf. */
ssize_t nip_sock_recv(int fd, struct nip_local_hdr *h, void *buf, size_t cap, int timeout_ms);

/* From an NCMP error's body (the quoted packet): the echo sequence it was about, or -1. */
int nip_quoted_echo_seq(const uint8_t *body, size_t len);

#endif
