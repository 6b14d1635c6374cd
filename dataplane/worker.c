/* Worker 0, the data plane's own loop: links, local clients, the control plane's rings and
 * what the other workers hand over (workers.c), in bursts. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "../lib/bytes.h"
#include "dp.h"
#include "xsk.h"

/* EV_LINK + i: link i's socket; EV_KERNEL + i: the kernel's socket of AF_XDP udp link i. */
enum { EV_LOCAL = 1, EV_WAKE = 2, EV_LINK = 0x10000, EV_KERNEL = 0x18000,
       EV_CLIENT = DP_EV_CLIENT };
_Static_assert(EV_LINK + DP_MAX_LINKS <= EV_KERNEL && EV_KERNEL + DP_MAX_LINKS <= EV_CLIENT,
	       "epoll tags apart");

static int watch(struct dp *dp, int fd, uint64_t tag)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = tag };

	return epoll_ctl(dp->epfd, EPOLL_CTL_ADD, fd, &ev);
}

static int open_local(struct dp *dp, const char *path, char *err, size_t errlen)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	if (strlen(path) >= sizeof(sa.sun_path)) {
		snprintf(err, errlen, "local socket path too long: %s", path);
		return -1;
	}
	strcpy(sa.sun_path, path);
	unlink(path);
	dp->local_fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (dp->local_fd < 0 || bind(dp->local_fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    chmod(path, 0660) < 0 || listen(dp->local_fd, 16) < 0) {
		snprintf(err, errlen, "local socket %s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

/* Open every link and the local service; links are already configured. Goto ladder. */
int dp_init(struct dp *dp, const char *local_path, char *err, size_t errlen)
{
	unsigned i = 0;

	dp->local_fd = dp->wake_fd = dp->ctl_wake_fd = -1;
	if (ring_init(&dp->to_ctl) < 0 || ring_init(&dp->from_ctl) < 0) {
		snprintf(err, errlen, "out of memory for the control rings");
		return -1;
	}
	for (unsigned c = 0; c < DP_MAX_CLIENTS; c++)
		dp->clients[c].fd = -1;
	rl_init(&dp->ncmp_rl, 100, 100, (uint64_t)time(NULL));
	if (!dp->gs && !(dp->gs = calloc(1, sizeof(*dp->gs)))) {
		snprintf(err, errlen, "out of memory for the guard");
		return -1;
	}
	hh_init(&dp->gs->hh);
	if (pool_init(&dp->pool, DP_POOL_SIZE) < 0) {
		snprintf(err, errlen, "out of memory for %u packet buffers", DP_POOL_SIZE);
		return -1;
	}
	dp->epfd = epoll_create1(EPOLL_CLOEXEC);
	dp->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	dp->ctl_wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (dp->epfd < 0 || dp->wake_fd < 0 || dp->ctl_wake_fd < 0 ||
	    watch(dp, dp->wake_fd, EV_WAKE) < 0) {
		snprintf(err, errlen, "epoll: %s", strerror(errno));
		goto fail_pool;
	}
	for (; i < dp->n_links; i++) {
		struct link *l = &dp->links[i];
		l->id = (uint16_t)i;
		l->fan = dp->n_workers > 1 && workers_can_share(dp, i) ? (uint8_t)dp->n_workers : 1;
		if (l->cfg.keyed ? peer_open(dp, l, err, errlen) : link_open(l, err, errlen))
			goto fail_links;
		if (l->cfg.kind == LINK_TUN)
			tun_setup(l, dp);
		if (l->xsk) /* one socket on queue 0: worker 0's alone */
			l->fan = 1;
		dp->schc_links |= l->schc != NULL;
		if (l->peer && l->sock_link != i) /* shares a socket: its owner reads for it */
			continue;
		if (watch(dp, l->fd, EV_LINK + i) < 0 ||
		    (xsk_kernel_fd(l) >= 0 && watch(dp, xsk_kernel_fd(l), EV_KERNEL + i) < 0)) {
			i++;
			snprintf(err, errlen, "epoll: %s", strerror(errno));
			goto fail_links;
		}
	}
	if (open_local(dp, local_path, err, errlen) < 0 || watch(dp, dp->local_fd, EV_LOCAL) < 0 ||
	    egress_init(dp, err, errlen) < 0)
		goto fail_links;
	if (workers_init(dp, err, errlen) < 0) {
		egress_destroy(dp);
		goto fail_links;
	}
	return 0;
fail_links:
	while (i-- > 0)
		link_close(&dp->links[i]);
	if (dp->local_fd >= 0)
		close(dp->local_fd);
fail_pool:
	if (dp->wake_fd >= 0)
		close(dp->wake_fd);
	if (dp->ctl_wake_fd >= 0)
		close(dp->ctl_wake_fd);
	if (dp->epfd >= 0)
		close(dp->epfd);
	pool_destroy(&dp->pool);
	return -1;
}

void dp_destroy(struct dp *dp)
{
	for (unsigned c = 0; c < DP_MAX_CLIENTS; c++)
		if (dp->clients[c].fd >= 0)
			close(dp->clients[c].fd);
	workers_destroy(dp);
	egress_destroy(dp);
	for (unsigned i = 0; i < dp->n_links; i++)
		link_close(&dp->links[i]);
	close(dp->local_fd);
	close(dp->wake_fd);
	close(dp->ctl_wake_fd);
	close(dp->epfd);
	pool_destroy(&dp->pool);
	ring_free(&dp->to_ctl);
	ring_free(&dp->from_ctl);
	fwd_free(atomic_exchange(&dp->fwd, NULL));
	free(atomic_exchange(&dp->guard, NULL));
	if (dp->gs)
		dcache_free(&dp->gs->dc);
	free(dp->gs);
	dp->gs = NULL;
}

void dp_wake(struct dp *dp)
{
	uint64_t one = 1;

	(void)!write(dp->wake_fd, &one, sizeof(one));
}

void dp_wake_ctl(struct dp *dp)
{
	uint64_t one = 1;

	(void)!write(dp->ctl_wake_fd, &one, sizeof(one));
}

static void rx_link(struct dp *dp, struct link *l)
{
	struct pkt *pkts[BURST];

	do { /* a GRO run longer than a burst: the rest now, not at the next datagram */
		unsigned n = l->cfg.kind == LINK_TUN ? tun_rx(dp, l, pkts, BURST) :
			     l->schc		     ? schc_link_rx(dp, l, pkts, BURST) :
			     l->peer		     ? peer_rx(dp, l, pkts, BURST) :
						       link_rx(l, &dp->pool, &dp->st, pkts, BURST);
		dp_input_burst(dp, pkts, n);
	} while (link_rx_more(l));
}

/* What the kernel reassembled for an AF_XDP udp link (xsk_kernel_fd). */
static void rx_kernel(struct dp *dp, struct link *l)
{
	struct pkt *pkts[BURST];

	dp_input_burst(dp, pkts, link_rx_kernel(l, &dp->pool, &dp->st, pkts, BURST));
}

/* An NLS hello's round-trip fields (spec §9) are stamped as it leaves, not as it was built:
 * Timestamp becomes the send time and Echo delay grows by the time spent in between, so the
 * round trip measures the links, not the hand-over between the planes. */
static void stamp(uint8_t *p, uint64_t now_ns)
{
	uint32_t now = (uint32_t)(now_ns / 1000), built = get32(p);

	put32(p, now);			       /* Timestamp */
	if (get32(p + 4))		       /* Echo: then Echo delay grows by the hand-over */
		put32(p + 8, get32(p + 8) + (now - built));
}

/* Send what the control plane queued: each message on the link it names. */
static void from_control(struct dp *dp)
{
	struct ring_slot *s;

	while ((s = ring_peek(&dp->from_ctl))) {
		struct pkt *k = pool_get(&dp->pool);
		if (!k) {
			STAT_ADD(dp->st.drop[DROP_POOL], 1);
		} else if (s->link == LINK_LOCAL) { /* routed, like an application's packet */
			memcpy(k->data, s->data, s->len);
			k->len = s->len;
			dp_output(dp, k);
		} else if (s->link >= dp->n_links) {
			pool_put(&dp->pool, k);
		} else {
			memcpy(k->data, s->data, s->len);
			k->len = s->len;
			if (s->stamp_off && s->stamp_off + 12u <= s->len) { /* a hello: 10/s a link */
				struct timespec ts;
				clock_gettime(CLOCK_MONOTONIC, &ts);
				stamp(k->data + s->stamp_off,
				      (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec);
			}
			k->in_link = LINK_LOCAL;
			STAT_ADD(dp->st.originated, 1);
			link_enqueue(&dp->links[s->link], k, &dp->pool, &dp->st);
		}
		ring_pop(&dp->from_ctl);
	}
}

/* How long to wait for I/O: until the next paced departure or release, at most 100 ms. */
static struct timespec wait_for(uint64_t next, uint64_t now)
{
	uint64_t ns = next == UINT64_MAX ? 100000000ull : next > now ? next - now : 0;

	if (ns > 100000000ull)
		ns = 100000000ull;
	return (struct timespec){ (time_t)(ns / 1000000000u), (long)(ns % 1000000000u) };
}

void dp_run(struct dp *dp)
{
	struct epoll_event ev[64];
	struct timespec ts;
	uint64_t drain, next = UINT64_MAX;

	/* Paced links need microsecond wake-ups, not the default 50 µs timer slack. */
	prctl(PR_SET_TIMERSLACK, 1000ul, 0, 0, 0);
	workers_start(dp);
	while (!atomic_load(&dp->stop)) {
		struct timespec tmo = wait_for(next, dp->now_ns);
		int n = epoll_pwait2(dp->epfd, ev, 64, &tmo, NULL);
		clock_gettime(CLOCK_MONOTONIC, &ts);
		dp->now_ns = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
		clock_gettime(CLOCK_REALTIME, &ts);
		dp->now_real_ns = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
		/* Quiescent point: nothing from the last loop is still held (QSBR). */
		atomic_fetch_add(&dp->epoch, 1);
		dp->cur_fwd = atomic_load(&dp->fwd);
		dp->cur_guard = atomic_load(&dp->guard);
		for (int i = 0; i < n; i++) {
			uint64_t tag = ev[i].data.u64;
			if (tag >= EV_CLIENT)
				local_client_ready(dp, (unsigned)(tag - EV_CLIENT));
			else if (tag >= EV_KERNEL)
				rx_kernel(dp, &dp->links[tag - EV_KERNEL]);
			else if (tag >= EV_LINK)
				rx_link(dp, &dp->links[tag - EV_LINK]);
			else if (tag == EV_LOCAL)
				local_accept(dp);
			else if (tag == EV_WAKE)
				(void)!read(dp->wake_fd, &drain, sizeof(drain));
		}
		from_control(dp);
		workers_drain(dp);
		if (dp->keyed_links && dp->now_ns >= dp->peer_tick_ns) {
			peer_tick(dp);
			dp->peer_tick_ns = dp->now_ns + PEER_TICK_NS;
		}
		next = egress_run(dp);
		for (unsigned i = 0; i < dp->n_links; i++)
			if (dp->links[i].n_tx)
				link_flush(&dp->links[i], &dp->pool, &dp->st);
		for (unsigned i = 0; dp->schc_links && i < dp->n_links; i++)
			if (dp->links[i].schc) {
				uint64_t t = schc_link_run(dp, &dp->links[i]);
				next = t < next ? t : next;
			}
		if (dp->to_ctl_pending) {
			dp_wake_ctl(dp);
			dp->to_ctl_pending = false;
		}
	}
	workers_stop(dp);
}
