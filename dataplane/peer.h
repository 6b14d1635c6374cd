/* Keyed UDP links (docs/spec.md §1.1): a link's peer named by its key, its endpoint learned
 * from authenticated frames, sessions and handshakes, keepalives, many links on one socket.
 * The worker that owns the link owns its peer; the control plane reads the published view. */
#ifndef NEWIP_PEER_H
#define NEWIP_PEER_H

#include <netinet/in.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include "newip/linkframe.h"

#define PEER_RETRY_NS 1000000000ull	 /* an initiation again after 1 s without a response */
#define PEER_STALE_NS 5000000000ull	 /* sent for 5 s, heard nothing: handshake again */
#define PEER_REKEY_NS 120000000000ull /* a session we started is renewed after 120 s */
#define PEER_TICK_NS 100000000ull	 /* timers run at 10 Hz */

enum { PS_CUR, PS_PREV, PS_NEXT, PEER_SESSIONS };

struct peer_session {
	bool live, initiator;
	uint32_t my_idx, peer_idx;
	uint64_t tx_ctr, born_ns;
	struct nip_lf_keys keys;
	struct nip_replay rx;
};

/* Counters of one keyed link (single writer: the worker). */
struct peer_stats {
	uint64_t mac_fail, replayed, init_tx, init_rx, resp_tx, resp_rx, keepalive_tx,
		keepalive_rx, endpoint_changes, no_session, sessions;
};

/* What the control plane shows (newip link, neigh): published under a sequence counter. */
struct peer_view {
	struct sockaddr_storage ep;	/* the endpoint; ss_family 0: none yet */
	uint64_t ep_learned_real_ns;	/* when it was set or learned (0: from the configuration) */
	uint64_t handshake_real_ns;	/* the last completed handshake, 0: none */
	uint64_t last_rx_real_ns;	/* the last authenticated frame */
	uint64_t mac_fail_since_ok;	/* MAC failures since the last authenticated frame */
	uint64_t unanswered_since_ns;	/* CLOCK_MONOTONIC: sending, nothing heard since; 0: no */
	bool session;
};

struct peer {
	uint8_t pk[32];		/* the peer's node key (Ed25519) */
	uint8_t K[NIP_LF_KEY];	/* the link key */
	const uint8_t *my_pk;
	const uint64_t *now_ns;	/* the worker's clock (dp.now_ns) */
	bool sealed;
	uint32_t keepalive_s;
	struct sockaddr_storage ep;
	socklen_t ep_len;
	struct peer_session s[PEER_SESSIONS];
	struct nip_lf_hs hs;
	bool hs_pending;
	uint64_t hs_sent_ns, last_init_ts, last_rx_ns, last_tx_ns, unanswered_since_ns;
	struct peer_stats st;
	_Atomic uint32_t view_seq;
	struct peer_view view;
	/* Send scratch: each packet of a flush as header, packet, tag. */
	uint8_t hdr[32][NIP_LF_HDR], tag[32][NIP_LF_TAG];
	struct iovec iov[3 * 32];
	struct peer_rx *rx;	/* the socket's owner only */
};

/* Receive scratch of a socket (kept by its owner link): headers and source addresses. */
struct peer_rx {
	uint8_t hdr[32][NIP_LF_HDR];
	struct sockaddr_storage name[32];
	struct iovec iov[2 * 32];
};

struct dp;
struct link;
struct pool;
struct pkt;
struct dp_stats;

/* Open the link's socket, or share the one another keyed link already bound to the same local
 * address (then it is not watched: the owner reads for all). 0, or -1 with err. */
int peer_open(struct dp *dp, struct link *l, char *err, size_t errlen);
/* Receive on a socket owner: authenticated packets out (each with its link), frames handled. */
unsigned peer_rx(struct dp *dp, struct link *owner, struct pkt **out, unsigned max);
/* One received datagram (its first 16 octets in hdr, the rest in k->data): true when k now
 * holds an authenticated packet for dp_input. Every other frame is handled or counted. */
bool peer_rx_frame(struct dp *dp, struct link *owner, struct pkt *k, const uint8_t *hdr,
		   size_t len, const struct sockaddr_storage *from);
/* Build the flush's messages: tags, headers, the endpoint. Returns how many, or 0 when there
 * is no session (the queue is then dropped and counted by the caller). */
unsigned peer_build_msgs(struct link *l);
/* Handshakes, keepalives, stale sessions: every PEER_TICK_NS. */
void peer_tick(struct dp *dp);
/* A consistent copy of the view, for the control plane. */
void peer_read_view(const struct peer *p, struct peer_view *out);

#endif
