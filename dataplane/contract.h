/* Per-hop contract behaviour (docs/spec.md §10.2, §10.4): arrival checks, ranks, the update. */
#ifndef NEWIP_CONTRACT_H
#define NEWIP_CONTRACT_H

#include <stdbool.h>
#include <stdint.h>

#include "newip/packet.h"
#include "pool.h"

enum contract_verdict {
	CV_BEST_EFFORT,	 /* no latency clause: nothing to schedule by (A is still updated) */
	CV_SCHEDULE,	 /* k->t_min_ns, t_max_ns, t_late_ns, max_us and ahead_us are set */
	CV_PASSED,	 /* A > Max: NCMP contract code 0 */
	CV_UNREACHABLE,	 /* A + D + S > Max: NCMP contract code 1 */
};

/*
 * Steps 1-4 of §10.2 for packet k (parsed as v) reaching an outgoing link at now_ns, with the
 * route's latency ahead D (µs), hops ahead H and the serialisation S (ns) on that link. Also
 * records k->contract_off, k->prio and k->enq_ns for the departure.
 */
enum contract_verdict contract_arrive(const struct nip_pkt *v, struct pkt *k, uint32_t ahead_us,
				      uint8_t hops, uint64_t ser_ns, uint64_t now_ns);

/*
 * Steps 5-6 of §10.4 at departure time now_ns: with check_late, false if a packet with a
 * latency clause can no longer meet Max (the caller drops it and tells the source). Otherwise
 * adds the sojourn, S and the link's latency L (µs) to A and bumps Hops Updated.
 */
bool contract_depart(struct pkt *k, uint64_t now_ns, uint64_t ser_ns, uint32_t link_lat_us,
		     bool check_late);

/* Accumulated Latency of a packet a link holds (contract_off set). */
uint32_t contract_acc_us(const struct pkt *k);

#endif
