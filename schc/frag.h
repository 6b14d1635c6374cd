/* SCHC fragmentation (RFC 8724 §8; docs/spec.md §13.3): one packet's sender and one receiver,
 * No-ACK and ACK-on-Error. Time is passed in (ms), so tests run on simulated time. */
#ifndef NEWIP_SCHC_FRAG_H
#define NEWIP_SCHC_FRAG_H

#include "schc.h"

#define SCHC_TILES_MAX SCHC_PKT_MAX /* a tile is at least one octet */

enum schc_ftx_state { FTX_IDLE, FTX_SEND, FTX_WAIT, FTX_DONE, FTX_ABORTED };

struct schc_ftx {
	const struct schc_rule *r;
	uint8_t pkt[SCHC_PKT_MAX];
	uint16_t len, frame, n_tiles, per_frag, sent_off;
	uint32_t dtag, rcs;
	uint8_t state;
	bool all1_due, ackreq_due, abort_due;
	uint8_t unanswered;		/* All-1s and ACK REQs since the last ACK */
	uint16_t rounds;
	uint64_t deadline;		/* the retransmission timer (WAIT) */
	uint64_t pending[SCHC_TILES_MAX / 64];	/* tiles still to send */
	/* counters: this packet's */
	uint32_t frags, retx_tiles, ack_reqs;
};

enum schc_frx_state { FRX_IDLE, FRX_RECV, FRX_DONE };
/* What a frame did to the receiver. */
enum schc_frx_rc { FRX_MORE = 0, FRX_COMPLETE = 1, FRX_MALFORMED = -1, FRX_BAD_RCS = -2,
		   FRX_SENDER_ABORT = -3, FRX_TIMEOUT = -4 };

struct schc_frx {
	uint8_t state;
	bool all1, short_seen;
	uint32_t dtag, rcs;
	uint16_t last_w, max_tile, short_len, len;
	uint64_t deadline;		/* inactivity */
	uint64_t have[SCHC_TILES_MAX / 64];
	uint8_t buf[SCHC_PKT_MAX];
};

/* Start sending len octets under fragmentation rule r in frames of at most frame octets.
 * 0, or -1 when the packet needs more windows than W counts or a frame holds no tile. */
int schc_ftx_start(struct schc_ftx *s, const struct schc_rule *r, const uint8_t *pkt,
		   size_t len, uint32_t dtag, size_t frame, uint64_t now_ms);
/* The next frame, if one is due now: its length (0: none). out holds s->frame octets. */
size_t schc_ftx_next(struct schc_ftx *s, uint8_t *out, uint64_t now_ms);
/* An ACK or a Receiver-Abort from the other end (frames of this rule going the other way). */
void schc_ftx_input(struct schc_ftx *s, const uint8_t *f, size_t len, uint64_t now_ms);
/* When schc_ftx_next has something: now (0), a time, or UINT64_MAX. */
uint64_t schc_ftx_when(const struct schc_ftx *s);

/* One frame of rule r for the receiver. A reply (ACK or abort) may be written to reply (up to
 * cap octets; *rlen 0: none). FRX_COMPLETE: the packet is r->buf[0..*len). */
int schc_frx_input(struct schc_frx *x, const struct schc_rule *r, const uint8_t *f, size_t len,
		   uint64_t now_ms, uint8_t *reply, size_t cap, size_t *rlen, size_t *out_len);
/* The inactivity timer: FRX_TIMEOUT (and a Receiver-Abort in reply) when it ran out. */
int schc_frx_tick(struct schc_frx *x, const struct schc_rule *r, uint64_t now_ms,
		  uint8_t *reply, size_t cap, size_t *rlen);

/* CRC-32 of RFC 8724 §8.2.3 (zlib's). */
uint32_t schc_rcs(const uint8_t *b, size_t len);

#endif
