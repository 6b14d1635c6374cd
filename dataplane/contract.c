/* Latency-based forwarding, per hop (docs/spec.md §10): the formulas, nothing else. */
#include "../lib/bytes.h"
#include "contract.h"
#include "newip/build.h"

static inline uint64_t ns_to_us(uint64_t ns)
{
	return (ns + 500) / 1000;
}

uint32_t contract_acc_us(const struct pkt *k)
{
	return get32(k->data + k->contract_off + 2); /* Accumulated Latency, §5.1 */
}

enum contract_verdict contract_arrive(const struct nip_pkt *v, struct pkt *k, uint32_t ahead_us,
				      uint8_t hops, uint64_t ser_ns, uint64_t now_ns)
{
	uint64_t a = v->acc_latency_us, e, h = hops ? hops : 1;

	k->contract_off = v->contract_off;
	k->prio = v->has_priority ? v->priority : 0;
	k->enq_ns = now_ns;
	if (!v->contract_off || !v->has_latency) {
		k->max_us = UINT32_MAX; /* never late: there is no deadline */
		k->ahead_us = 0;
		return CV_BEST_EFFORT;
	}
	k->max_us = v->latency.max_us;
	k->ahead_us = (uint32_t)(ahead_us + ns_to_us(ser_ns));
	e = a + k->ahead_us; /* E = A + D + S */
	if (a > v->latency.max_us)
		return CV_PASSED;
	if (e > v->latency.max_us)
		return CV_UNREACHABLE;
	k->t_max_ns = now_ns + (v->latency.max_us - e) * 1000 / h;
	k->t_late_ns = now_ns + (v->latency.max_us - e) * 1000;
	k->t_min_ns = 0;
	if (v->latency.mode == NIP_LAT_ON_TIME && v->latency.min_us > e)
		k->t_min_ns = now_ns + (v->latency.min_us - e) * 1000 / h;
	return CV_SCHEDULE;
}

bool contract_depart(struct pkt *k, uint64_t now_ns, uint64_t ser_ns, uint32_t link_lat_us,
		     bool check_late)
{
	uint64_t sojourn = now_ns > k->enq_ns ? ns_to_us(now_ns - k->enq_ns) : 0;

	if (!k->contract_off)
		return true;
	if (check_late && contract_acc_us(k) + sojourn + k->ahead_us > k->max_us)
		return false;
	nip_contract_add_latency(k->data, k->contract_off,
				 (uint32_t)(sojourn + ns_to_us(ser_ns) + link_lat_us));
	return true;
}
