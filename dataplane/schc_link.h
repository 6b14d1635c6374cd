/* An emulated LPWAN link (docs/spec.md §13.4): New IP packets compressed and fragmented by
 * SCHC (schc/), frames carried one per UDP datagram, given a radio's frame size, bit rate,
 * duty cycle and loss. The data plane's side: no allocation after open, time from the worker. */
#ifndef NEWIP_SCHC_LINK_H
#define NEWIP_SCHC_LINK_H

#include <stdbool.h>
#include <stdint.h>

#include "frag.h"
#include "schc.h"

#define SCHC_FRAME_MIN 11  /* LoRaWAN's smallest payload (DR0, US915) */
#define SCHC_FRAME_MAX 242 /* ... and its largest */
#define SCHC_AIRQ 64	   /* frames waiting for air time (whole packets, ACKs) */
#define SCHC_FRAGQ 8	   /* compressed packets waiting for the fragment sender */

/* The link's counters (single writer: the worker; read by the control plane). */
struct schc_link_stats {
	uint64_t frames_tx, frames_rx, frames_lost, air_us;
	uint64_t pkts_tx, pkts_rx;	    /* New IP packets sent / restored */
	uint64_t octets_in, octets_out;	    /* sent: New IP octets, their SCHC packets' octets */
	uint64_t frag_pkts_tx, frag_pkts_rx; /* packets sent / reassembled in fragments */
	uint64_t fragments_tx, retx_tiles, ack_reqs, acks_tx;
	uint64_t aborts_tx, aborts_rx;	    /* fragmented packets given up: ours, theirs */
	uint64_t no_rule, too_big, queue_full; /* packets not sent, by reason */
	uint64_t malformed, bad_rcs;	    /* frames dropped: no rule restores it, RCS wrong */
};

/* Per rule: packets compressed with it (tx) and restored with it (rx), and the octets. */
struct schc_rule_stats {
	uint64_t tx, rx, octets_in, octets_out;
};

struct schc_link {
	struct schc_rules rs;
	uint8_t tx_dir, rx_dir;	/* enum schc_dir: a device sends up, a gateway down */
	int tx_frag, rx_frag;	/* the fragmentation rules: ours, the peer's (-1: none) */
	uint16_t frame;
	uint32_t bitrate;
	uint8_t duty, loss;	/* percent */
	uint64_t rng;
	/* the radio: one frame on air at a time, then silence for the duty cycle */
	bool on_air;
	uint64_t air_done_ns, radio_free_ns;
	uint8_t cur[SCHC_FRAME_MAX];
	uint16_t cur_len;
	uint8_t air[SCHC_AIRQ][SCHC_FRAME_MAX];
	uint16_t air_len[SCHC_AIRQ];
	unsigned air_head, air_n;
	/* fragmentation: one packet at a time each way */
	uint8_t fq[SCHC_FRAGQ][SCHC_PKT_MAX];
	uint16_t fq_len[SCHC_FRAGQ];
	unsigned fq_head, fq_n;
	bool ftx_busy;
	uint32_t dtag;
	struct schc_ftx ftx;
	struct schc_frx frx;
	struct schc_link_stats st;
	struct schc_rule_stats *rule_st; /* one per rule of rs */
};

struct dp;
struct dp_stats;
struct link;
struct pkt;
struct pool;

/* Load the rules and open the UDP socket. -1 with "link NAME: ..." in err. */
int schc_link_open(struct link *l, char *err, size_t errlen);
void schc_link_close(struct link *l);
/* Read frames; the packets they complete go to out (up to max). */
unsigned schc_link_rx(struct dp *dp, struct link *l, struct pkt **out, unsigned max);
/* Compress the link's transmit queue into frames (or the fragment queue); buffers go back. */
void schc_link_flush(struct link *l, struct pool *pool, struct dp_stats *st);
/* Run the radio: frames whose air time is over leave, the next ones start, the timers run.
 * Returns when the link next needs the worker (ns, CLOCK_MONOTONIC), UINT64_MAX: never. */
uint64_t schc_link_run(struct dp *dp, struct link *l);

#endif
