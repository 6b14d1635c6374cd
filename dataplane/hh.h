/*
 * Heavy hitters among the sources of the packets a node receives (docs/spec.md §11.2): a
 * count-min sketch and the heaviest few sources, per 100 ms window, in fixed memory whatever
 * the number of sources. One writer (the data plane); the control plane reads the last
 * finished window through a sequence counter.
 */
#ifndef NEWIP_HH_H
#define NEWIP_HH_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "newip/addr.h"

#define HH_ROWS 4
#define HH_COLS 1024 /* a power of two */
#define HH_TOP 16
#define HH_WINDOW_NS 100000000ull

struct hh_entry {
	struct nip_addr src;
	uint32_t count; /* packets in the window (the sketch's estimate, never below the truth) */
};

struct hh {
	uint32_t cm[HH_ROWS][HH_COLS];
	struct hh_entry top[HH_TOP];
	unsigned n_top;
	uint64_t win_start_ns, win_total;
	/* the last finished window, for readers */
	_Atomic uint32_t seq;
	struct hh_entry last[HH_TOP];
	unsigned n_last;
	uint64_t last_total, last_end_ns;
};

void hh_init(struct hh *h);
void hh_add(struct hh *h, const uint8_t *src, uint8_t len, uint64_t now_ns);
/* Copy the last finished window, heaviest first; returns how many entries (0..HH_TOP). */
unsigned hh_read(const struct hh *h, struct hh_entry out[HH_TOP], uint64_t *total,
		 uint64_t *end_ns);

#endif
