/* Data-plane counters: written by the worker alone, read by the control plane without locks. */
#ifndef NEWIP_STATS_H
#define NEWIP_STATS_H

#include <stdint.h>

#include "newip/error.h"

enum drop_reason {
	DROP_MALFORMED,	 /* spec §7 errors; broken down in malformed[] */
	DROP_UDP_LENGTH, /* overlay datagram longer than its packet (spec §3.2) */
	DROP_RX_TRUNC,	 /* larger than a packet buffer */
	DROP_HOP_LIMIT,
	DROP_NO_ROUTE,
	DROP_TOO_BIG,
	DROP_NO_PORT,	 /* no local application bound to the port */
	DROP_NEXT_HDR,	 /* local delivery of a protocol the node does not speak */
	DROP_BAD_L4,	 /* NCMP or UDP too short or with a bad checksum */
	DROP_LOCAL_FULL, /* an application's socket did not take the datagram */
	DROP_TX,	 /* the link's send failed */
	DROP_POOL,	 /* no free buffer */
	DROP_LINK_SCOPE, /* for x00 but not a routing message (spec §4) */
	DROP_CTL_BUSY,	 /* the control plane's queue was full */
	DROP_CONTRACT,	 /* a latency contract could not be met (spec §10), sender told */
	DROP_QUEUE_FULL, /* an egress queue was at its limit */
	DROP_AQM,	 /* the Classic AQM dropped a Not-ECT packet */
	DROP_SRC_SPOOFED, /* a source not this link's (spec §11.1) */
	DROP_SRC_UNSIGNED, /* no tag where one is required */
	DROP_SRC_BAD_TAG, /* a tag with an unknown key or that does not verify */
	DROP_SHUT_OFF,	 /* a victim's shut-off filter (spec §6.5) */
	DROP_GW_NOT_IP,	 /* a TUN gateway read something neither IPv4 nor IPv6 (spec §12.1) */
	DROP_GW_BAD_IP,	 /* ... an IP packet with a bad header */
	DROP_GW_FRAGMENT, /* ... an IPv4 fragment */
	DROP_GW_XLAT,	 /* ... something it does not translate, either way (§12.1, §12.2) */
	DROP_GW_SPOOF,	 /* ... an IP source inside a mapped prefix (§12.4) */
	DROP_KL_MALFORMED, /* keyed UDP links (spec §1.1): check 1 */
	DROP_KL_UNKNOWN, /* ... no link has that key, no session that index */
	DROP_KL_MAC,	 /* ... the MAC or tag does not verify */
	DROP_KL_REPLAY,	 /* ... an old Timestamp or a Counter seen before */
	DROP_KL_NO_SESSION, /* ... to send, and no session (or no endpoint) yet */
	DROP_SCHC_NO_RULE, /* LPWAN links (spec §13): no rule compresses the packet */
	DROP_SCHC_MALFORMED, /* ... a frame no rule restores, a bad fragment or RCS */
	DROP_SCHC_ABORT,   /* ... a fragmented packet given up (abort, timer) */
	DROP_UNDERLAY,	 /* an AF_XDP or shared udp link's datagram: bad outer IP/UDP, not the
			  * peer's */
	DROP_HANDOFF,	 /* a worker's queue to worker 0 was full (workers.h) */
	DROP_MAX
};

extern const char *const drop_names[DROP_MAX];

struct link_stats {
	uint64_t rx_pkts, rx_bytes, tx_pkts, tx_bytes, tx_err;
	uint64_t rx_runs; /* udp GRO: runs the kernel coalesced, cut here (udp_gro.h) */
	uint64_t rx_kernel; /* AF_XDP udp: datagrams read from the kernel's socket (xsk.h) */
};

struct dp_stats {
	uint64_t drop[DROP_MAX];
	uint64_t malformed[NIP_ERR_COUNT];
	uint64_t forwarded, delivered, originated, ncmp_sent, ncmp_limited;
	uint64_t src_checked; /* packets that passed a source check */
	uint64_t gw_to_nip, gw_to_ip, gw_options; /* TUN gateways: translated; IPv4 options removed */
	uint64_t gw_super, gw_segments;		  /* ... TCP super-packets read (offload); their segments */
	uint64_t handed_off; /* workers 1..n-1: packets given to worker 0 (workers.h) */
};

/* Single writer: a relaxed load and store, no locked instruction; readers see whole values. */
#define STAT_ADD(field, v) __atomic_store_n(&(field), (field) + (v), __ATOMIC_RELAXED)
#define STAT_READ(field) __atomic_load_n(&(field), __ATOMIC_RELAXED)

#endif
