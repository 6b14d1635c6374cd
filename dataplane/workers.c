/* Workers 1..n-1: their sockets, their loop, the fast path, and the hand-over to worker 0. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "dp.h"
#include "steer.h"
#include "workers.h"

#define EV_WAKE	  UINT64_MAX
#define DRAIN_MAX (4 * BURST) /* a worker's packets worker 0 takes each loop, at most */

_Static_assert(sizeof(struct dp_stats) % sizeof(uint64_t) == 0, "counters are uint64_t");
_Static_assert(sizeof(struct link_stats) % sizeof(uint64_t) == 0, "counters are uint64_t");

static bool same_local(const struct link_cfg *a, const struct link_cfg *b)
{
	return a->kind == LINK_UDP && a->local_len == b->local_len &&
	       !memcmp(&a->local, &b->local, a->local_len);
}

bool workers_can_share(const struct dp *dp, unsigned link)
{
	const struct link_cfg *c = &dp->links[link].cfg;

	if (c->kind == LINK_ETH)
		return true;
	if (c->kind != LINK_UDP || c->keyed)
		return false;
	for (unsigned i = 0; i < dp->n_links; i++)
		if (i != link && same_local(&dp->links[i].cfg, c))
			return false;
	return true;
}

static void worker_free(struct dpw *w, unsigned n_links)
{
	for (unsigned i = 0; w->links && i < n_links; i++)
		if (w->links[i].fd >= 0)
			link_close(&w->links[i]);
	free(w->links);
	w->links = NULL;
	if (w->epfd >= 0)
		close(w->epfd);
	if (w->wake_fd >= 0)
		close(w->wake_fd);
	w->epfd = w->wake_fd = -1;
	ring_free(&w->to_owner);
	pool_destroy(&w->pool);
}

/* One worker's sockets: a copy of each shared link, opened into the link's group. */
static int worker_init(struct dp *dp, struct dpw *w, char *err, size_t errlen)
{
	struct epoll_event ev = {.events = EPOLLIN, .data.u64 = EV_WAKE};

	w->dp = dp;
	w->epfd = epoll_create1(EPOLL_CLOEXEC);
	w->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	w->links = calloc(dp->n_links, sizeof(*w->links));
	if (w->epfd < 0 || w->wake_fd < 0 || !w->links ||
	    epoll_ctl(w->epfd, EPOLL_CTL_ADD, w->wake_fd, &ev) < 0 ||
	    pool_init(&w->pool, WORKER_POOL) < 0 || ring_init_n(&w->to_owner, WORKER_HANDOFF) < 0) {
		snprintf(err, errlen, "worker %u: %s", w->idx,
			 errno ? strerror(errno) : "out of memory");
		return -1;
	}
	for (unsigned i = 0; i < dp->n_links; i++)
		w->links[i].fd = -1;
	for (unsigned i = 0; i < dp->n_links; i++) {
		const struct link *l = &dp->links[i];
		struct link *c = &w->links[i];
		if (l->fan <= 1)
			continue;
		c->cfg = l->cfg;
		c->cfg.xdp = LINK_XDP_OFF; /* worker 0 tried AF_XDP: this link is on its socket */
		c->id = l->id;
		c->fan = l->fan;
		c->fan_id = l->fan_id;
		if (link_open(c, err, errlen) < 0)
			return -1;
		ev.data.u64 = i;
		if (epoll_ctl(w->epfd, EPOLL_CTL_ADD, c->fd, &ev) < 0) {
			snprintf(err, errlen, "worker %u: epoll: %s", w->idx, strerror(errno));
			return -1;
		}
	}
	return 0;
}

int workers_init(struct dp *dp, char *err, size_t errlen)
{
	unsigned shared = 0, n = dp->n_workers;

	for (unsigned i = 0; i < dp->n_links; i++)
		shared += dp->links[i].fan > 1;
	if (n <= 1 || !shared) { /* nothing to share: worker 0 alone */
		dp->n_workers = 1;
		return 0;
	}
	if (!(dp->workers = calloc(n - 1, sizeof(*dp->workers)))) {
		snprintf(err, errlen, "out of memory for %u workers", n);
		return -1;
	}
	for (unsigned k = 0; k < n - 1; k++) {
		struct dpw *w = &dp->workers[k];
		w->idx = k + 1;
		w->epfd = w->wake_fd = -1;
		errno = 0;
		if (worker_init(dp, w, err, errlen) < 0) {
			for (unsigned j = 0; j <= k; j++)
				worker_free(&dp->workers[j], dp->n_links);
			free(dp->workers);
			dp->workers = NULL;
			return -1;
		}
	}
	for (unsigned i = 0; i < dp->n_links; i++) { /* every member is in: steer them */
		struct link *l = &dp->links[i];
		if (l->fan > 1 && l->cfg.kind == LINK_UDP && steer_reuseport(l->fd, l->fan) < 0) {
			snprintf(err, errlen, "link %s: steering program for %u workers: %s",
				 l->cfg.name, n, strerror(errno));
			workers_destroy(dp);
			return -1;
		}
	}
	return 0;
}

void workers_destroy(struct dp *dp)
{
	for (unsigned k = 0; dp->workers && k + 1 < dp->n_workers; k++)
		worker_free(&dp->workers[k], dp->n_links);
	free(dp->workers);
	dp->workers = NULL;
}

/* Give a packet, unchanged, to worker 0; consumes k. */
static void hand(struct dpw *w, struct pkt *k, bool urgent)
{
	if (ring_push(&w->to_owner, urgent, k->in_link, w->now_ns, 0, k->data, k->len)) {
		STAT_ADD(w->st.handed_off, 1);
		w->owner_pending = true;
	} else {
		STAT_ADD(w->st.drop[DROP_HANDOFF], 1);
	}
	pool_put(&w->pool, k);
}

enum fate { FAST, OWNER, OWNER_URGENT };

/* What only needs the FIB: a well-formed packet for elsewhere, hop limit to spare, no
 * contract, and no first-hop checks on this node. Nothing is changed here. */
static enum fate fast_in(const struct dp *dp, const struct pkt *k, struct nip_pkt *v)
{
	if (k->len == 0 || nip_pkt_parse(v, k->data, k->len) < 0 || v->len != k->len)
		return OWNER;
	if (v->dst_len == 1 && v->dst[0] == 0) /* link scope: NLS hellos may not wait */
		return v->next_hdr == NIP_PROTO_NLS ? OWNER_URGENT : OWNER;
	if (dp->gs->any_check || v->contract_off || v->hop_limit <= 1 ||
	    dp_is_local(dp, v->dst, v->dst_len))
		return OWNER;
	return FAST;
}

/* An unpaced, undelayed link this worker has a socket for, and room for the packet. */
static bool fast_out(const struct dpw *w, int nh, const struct pkt *k)
{
	const struct dp *dp = w->dp;
	const struct link *l;

	if (nh < 0 || (unsigned)nh >= dp->n_links || w->links[nh].fd < 0)
		return false;
	l = &dp->links[nh];
	return !l->paced && !l->cfg.delay_us && k->len <= l->mtu;
}

static void fast_burst(struct dpw *w, const struct fwd *f, struct pkt **pkts, unsigned n)
{
	struct nip_pkt v[BURST];
	struct pkt *fw[BURST];
	uint16_t nh[BURST];
	unsigned m = 0;

	for (unsigned i = 0; i < n; i++) {
		enum fate t = f ? fast_in(w->dp, pkts[i], &v[m]) : OWNER;
		if (t == FAST)
			fw[m++] = pkts[i];
		else
			hand(w, pkts[i], t == OWNER_URGENT);
	}
	if (!m)
		return;
	fwd_lookup_burst(f, v, m, nh);
	for (unsigned j = 0; j < m; j++) {
		const struct nh_group *g;
		int out = fwd_pick_nh(f, &v[j], nh[j], &g);
		if (!fast_out(w, out, fw[j])) { /* no route, too big, or a link worker 0 runs */
			hand(w, fw[j], false);
			continue;
		}
		nip_pkt_dec_hop(fw[j]->data);
		STAT_ADD(w->st.forwarded, 1);
		link_enqueue(&w->links[out], fw[j], &w->pool, &w->st);
	}
}

static void *worker_main(void *arg)
{
	struct dpw *w = arg;
	struct dp *dp = w->dp;
	struct epoll_event ev[64];
	struct pkt *pkts[BURST];
	char name[16];

	snprintf(name, sizeof(name), "newipd-w%u", w->idx);
	pthread_setname_np(pthread_self(), name);
	while (!atomic_load(&dp->stop)) {
		int n = epoll_wait(w->epfd, ev, 64, 100);
		struct timespec ts;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		w->now_ns = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
		atomic_fetch_add(&w->epoch, 1); /* quiescent: the last loop's table is not held */
		const struct fwd *f = atomic_load(&dp->fwd);
		for (int i = 0; i < n; i++) {
			uint64_t tag = ev[i].data.u64, drain;
			if (tag == EV_WAKE) {
				(void)!read(w->wake_fd, &drain, sizeof(drain));
				continue;
			}
			/* a link workers share has no GRO (link_udp_open): no run held back */
			unsigned got = link_rx(&w->links[tag], &w->pool, &w->st, pkts, BURST);
			fast_burst(w, f, pkts, got);
		}
		for (unsigned i = 0; i < dp->n_links; i++)
			if (w->links[i].n_tx)
				link_flush(&w->links[i], &w->pool, &w->st);
		if (w->owner_pending) {
			dp_wake(dp);
			w->owner_pending = false;
		}
	}
	return NULL;
}

void workers_start(struct dp *dp)
{
	for (unsigned k = 0; k + 1 < dp->n_workers; k++) {
		struct dpw *w = &dp->workers[k];
		atomic_store(&w->running, true); /* before: a grace period must wait for it */
		int rc = pthread_create(&w->thread, NULL, worker_main, w);
		if (rc) { /* its sockets' share of the flows waits in the kernel: say so loudly */
			fprintf(stderr, "newipd: cannot start data-plane worker %u: %s\n", w->idx,
				strerror(rc));
			atomic_store(&w->running, false);
		}
	}
}

void dp_wake_all(struct dp *dp)
{
	uint64_t one = 1;

	dp_wake(dp);
	for (unsigned k = 0; k + 1 < dp->n_workers; k++)
		(void)!write(dp->workers[k].wake_fd, &one, sizeof(one));
}

void workers_stop(struct dp *dp)
{
	dp_wake_all(dp);
	for (unsigned k = 0; k + 1 < dp->n_workers; k++)
		if (atomic_load(&dp->workers[k].running))
			pthread_join(dp->workers[k].thread, NULL);
}

void workers_drain(struct dp *dp)
{
	struct pkt *pkts[BURST];

	for (unsigned k = 0; k + 1 < dp->n_workers; k++) {
		struct ring *r = &dp->workers[k].to_owner;
		struct ring_slot *s;
		unsigned m = 0, taken = 0;
		while (taken < DRAIN_MAX && (s = ring_peek(r))) {
			struct pkt *p = pool_get(&dp->pool);
			taken++;
			if (!p) {
				STAT_ADD(dp->st.drop[DROP_POOL], 1);
			} else {
				memcpy(p->data, s->data, s->len);
				p->len = s->len;
				p->in_link = s->link;
				pkts[m++] = p;
			}
			ring_pop(r);
			if (m == BURST) {
				dp_input_burst(dp, pkts, m);
				m = 0;
			}
		}
		dp_input_burst(dp, pkts, m);
		if (ring_peek(r)) /* more than a loop's share: come back at once */
			dp_wake(dp);
	}
}

static void sum64(uint64_t *out, const uint64_t *in, size_t n)
{
	for (size_t i = 0; i < n; i++)
		out[i] += STAT_READ(in[i]);
}

void dp_stats_sum(const struct dp *dp, struct dp_stats *out)
{
	size_t n = sizeof(*out) / sizeof(uint64_t);

	memset(out, 0, sizeof(*out));
	sum64((uint64_t *)out, (const uint64_t *)&dp->st, n);
	for (unsigned k = 0; k + 1 < dp->n_workers; k++)
		sum64((uint64_t *)out, (const uint64_t *)&dp->workers[k].st, n);
}

void dp_link_stats_sum(const struct dp *dp, unsigned link, struct link_stats *out)
{
	size_t n = sizeof(*out) / sizeof(uint64_t);

	memset(out, 0, sizeof(*out));
	sum64((uint64_t *)out, (const uint64_t *)&dp->links[link].st, n);
	for (unsigned k = 0; k + 1 < dp->n_workers; k++)
		sum64((uint64_t *)out, (const uint64_t *)&dp->workers[k].links[link].st, n);
}

void dp_epochs(struct dp *dp, uint64_t *e)
{
	e[0] = atomic_load(&dp->epoch);
	for (unsigned k = 0; k + 1 < dp->n_workers; k++)
		e[k + 1] = atomic_load(&dp->workers[k].epoch);
}

bool dp_quiescent(struct dp *dp, const uint64_t *e)
{
	if (atomic_load(&dp->epoch) == e[0])
		return false;
	for (unsigned k = 0; k + 1 < dp->n_workers; k++)
		if (atomic_load(&dp->workers[k].running) &&
		    atomic_load(&dp->workers[k].epoch) == e[k + 1])
			return false;
	return true;
}
