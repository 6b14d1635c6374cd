/* NLS neighbours: hellos on every link, the two-way check, MTU agreement, dead timers. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "lsr.h"
#include "node.h"

/* Our monotonic clock in µs, wrapping at 2^32 as the hello's fields do (spec §9). */
static uint32_t now_us32(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint32_t)((uint64_t)t.tv_sec * 1000000u + (uint64_t)t.tv_nsec / 1000u);
}

uint32_t nbr_latency(const struct lsr *l, uint16_t link)
{
	const struct lsr_nbr *n = &l->nbr[link];
	uint32_t rtt = n->rtt_min_us[0] < n->rtt_min_us[1] ? n->rtt_min_us[0] : n->rtt_min_us[1];

	return (rtt == LSR_RTT_NONE ? 0 : rtt / 2) + l->delay_us[link];
}

/* One round-trip sample into the windowed minimum; publish L to the data plane, and
 * re-originate when it moved by more than 25 % and 100 µs from what we advertise (held off,
 * lsr_tick: a busy machine's noise must not become a flood of LSAs that makes it busier). */
static void rtt_sample(struct lsr *l, uint16_t link, uint32_t rtt, uint64_t now)
{
	struct lsr_nbr *n = &l->nbr[link];

	if (now - n->rtt_window_ms >= LSR_RTT_WINDOW_MS) {
		n->rtt_min_us[1] = n->rtt_min_us[0];
		n->rtt_min_us[0] = LSR_RTT_NONE;
		n->rtt_window_ms = now;
	}
	if (rtt < n->rtt_min_us[0])
		n->rtt_min_us[0] = rtt;
	uint32_t lat = nbr_latency(l, link), adv = n->adv_lat_us;
	uint32_t diff = lat > adv ? lat - adv : adv - lat;
	atomic_store_explicit(&l->node->dp.links[link].lat_us, lat, memory_order_relaxed);
	if (n->state == NBR_TWOWAY && diff > 100 && diff * 4 > adv)
		l->latency_due = true;
}

const char *nbr_state_name(enum nbr_state s)
{
	return s == NBR_TWOWAY ? "two-way" : s == NBR_INIT ? "init" : "down";
}

static void set_state(struct lsr *l, uint16_t link, enum nbr_state s, uint64_t now)
{
	struct lsr_nbr *n = &l->nbr[link];
	enum nbr_state old = n->state;

	if (old == s)
		return;
	n->state = s;
	if (s == NBR_TWOWAY) {
		n->up_since_ms = now;
		l->next_hello_ms[link] = 0; /* a triggered hello: the peer turns two-way at once */
		lsdb_sync_nbr(l, link);
	} else {
		lsdb_unpend_link(l, link);
	}
	if (s == NBR_DOWN) { /* a new neighbour may sit at another distance */
		n->rtt_min_us[0] = n->rtt_min_us[1] = LSR_RTT_NONE;
		n->peer_ts_us = 0;
	}
	if (old == NBR_TWOWAY || s == NBR_TWOWAY)
		l->originate_due = true; /* our links changed */
	if (old == NBR_TWOWAY)
		l->st.nbr_down++;
}

static void send_hello(struct lsr *l, uint16_t link)
{
	struct nls_hello h = { .hello_ms = l->hello_ms, .dead_ms = l->dead_ms,
			       .mtu = l->node->dp.links[link].mtu, .ts_us = now_us32() };
	uint8_t msg[NLS_HDR_LEN + NLS_HELLO_FIXED + 8 * NLS_MAX_NBR];
	const struct lsr_nbr *nb = &l->nbr[link];

	if (nb->state != NBR_DOWN) {
		h.nbr[h.n++] = nb->rid;
		h.echo_us = nb->peer_ts_us;
		h.echo_delay_us = nb->peer_ts_us ? h.ts_us - nb->peer_rx_us : 0;
	}
	int n = nls_hello_encode(msg, sizeof(msg), l->rid, &h);
	if (n > 0)
		lsr_send(l, link, msg, (size_t)n);
}

void nbr_hello_rx(struct lsr *l, uint16_t link, const struct nip_pkt *v, const uint8_t *msg,
		  size_t len, uint64_t now, uint64_t rx_ns)
{
	struct lsr_nbr *n = &l->nbr[link];
	struct nls_hello h;
	uint64_t rid;
	bool me = false;

	if (nls_hello_decode(&h, msg, len) < 0) {
		l->st.malformed++;
		return;
	}
	nls_parse_hdr(msg, len, &rid);
	l->st.hello_rx++;
	if (n->state != NBR_DOWN && n->rid != rid) /* someone else on this link now */
		set_state(l, link, NBR_DOWN, now);
	bool was_down = n->state == NBR_DOWN;
	n->rid = rid;
	nip_pkt_src(v, &n->addr);
	n->last_heard_ms = now;
	n->dead_ms = h.dead_ms;
	n->mtu = h.mtu;
	uint32_t rx_us = rx_ns ? (uint32_t)(rx_ns / 1000) : now_us32();
	n->peer_ts_us = h.ts_us;
	n->peer_rx_us = rx_us;
	if (h.echo_us) { /* RTT with our own clock only: now - our Timestamp - their hold */
		uint32_t rtt = rx_us - h.echo_us - h.echo_delay_us;
		if (rtt < 10000000u) /* a sample from before a restart is absurd: skip it */
			rtt_sample(l, link, rtt, now);
	}
	for (unsigned i = 0; i < h.n; i++)
		me |= h.nbr[i] == l->rid;
	set_state(l, link, me && h.mtu == l->node->dp.links[link].mtu ? NBR_TWOWAY : NBR_INIT, now);
	if (was_down) /* answer at once, so the two-way check completes in one exchange */
		l->next_hello_ms[link] = 0;
}

/* An update or ack from the neighbour we hear on this link proves two-way connectivity: it
 * sends them only to neighbours whose hellos list it, and we just heard it. Without this the
 * first database it floods would wait a retransmission interval. */
void nbr_promote(struct lsr *l, uint16_t link, uint64_t rid, uint64_t now)
{
	struct lsr_nbr *n = &l->nbr[link];

	if (n->state == NBR_INIT && n->rid == rid && n->mtu == l->node->dp.links[link].mtu) {
		n->last_heard_ms = now;
		set_state(l, link, NBR_TWOWAY, now);
	}
}

void nbr_stalled(struct lsr *l, uint64_t ms)
{
	for (uint16_t i = 0; i < l->node->dp.n_links; i++)
		if (l->nbr[i].state != NBR_DOWN)
			l->nbr[i].last_heard_ms += ms;
}

void nbr_tick(struct lsr *l, uint64_t now)
{
	for (uint16_t i = 0; i < l->node->dp.n_links; i++) {
		struct lsr_nbr *n = &l->nbr[i];
		if (!link_kind_routed(l->node->dp.links[i].cfg.kind)) /* no router beyond */
			continue;
		if (n->state != NBR_DOWN && now > n->last_heard_ms + n->dead_ms) {
			if (n->state == NBR_TWOWAY) /* an adjacency change: operators want to see it */
				fprintf(stderr, "newipd %s: link %s: neighbour %s (%016" PRIx64 ") down: "
					"not heard for %" PRIu64 " ms (dead interval %u ms)\n",
					l->node->cfg.node, l->node->dp.links[i].cfg.name,
					lsdb_name(l, n->rid), n->rid,
					now - n->last_heard_ms, n->dead_ms);
			set_state(l, i, NBR_DOWN, now);
		}
		if (now >= l->next_hello_ms[i]) {
			send_hello(l, i);
			l->next_hello_ms[i] = now + l->hello_ms;
		}
	}
}
