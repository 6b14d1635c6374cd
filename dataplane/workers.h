/*
 * Data-plane workers beyond the first (docs/newipd.md, "Workers"). Worker 0 is the node's
 * own loop (worker.c) and owns everything with state: local clients, the control plane's
 * rings, schedulers and delay lines, gateways, LPWAN and keyed links, first-hop checks.
 * Workers 1..n-1 each have their own buffers, sockets, batches and counters, and read a share
 * of the flows that arrive on the node's eth and plain udp links (steer.c). A worker forwards
 * what needs only the FIB; anything else it hands, unchanged, to worker 0.
 */
#ifndef NEWIP_WORKERS_H
#define NEWIP_WORKERS_H

#include <pthread.h>
#include <stdatomic.h>

#include "link.h"
#include "pool.h"
#include "ring.h"
#include "stats.h"

#define DP_MAX_WORKERS 16
#define WORKER_POOL    2048 /* buffers a worker's sockets and batches can hold */
#define WORKER_HANDOFF 512  /* slots of a worker's ring to worker 0 (1 MiB, touched as used) */

struct dp;

struct dpw {
	struct dp *dp;
	unsigned idx; /* 1..n-1 */
	pthread_t thread;
	atomic_bool running; /* its thread exists (set before it starts) */
	int epfd, wake_fd;
	struct pool pool;
	struct dp_stats st;
	struct link *links; /* [dp->n_links]: fd -1 where this worker has no socket */
	struct ring to_owner;
	bool owner_pending;
	atomic_uint_fast64_t epoch; /* bumped each loop: QSBR, as worker 0's */
	uint64_t now_ns;
};

/* A link whose receive the workers may share: eth, or a plain udp link whose local address
 * no other link of the node has. */
bool workers_can_share(const struct dp *dp, unsigned link);
/* After worker 0's links are open: each worker's sockets, steering on the groups. 0, or -1
 * with a message in err (everything of the workers freed). */
int workers_init(struct dp *dp, char *err, size_t errlen);
void workers_start(struct dp *dp);
void workers_stop(struct dp *dp); /* after dp->stop: wake and join */
void workers_destroy(struct dp *dp);
/* Worker 0: run what the workers handed over through its full input path. */
void workers_drain(struct dp *dp);

/* Counters of all workers together, for the control plane (lock-free reads, whole values). */
void dp_stats_sum(const struct dp *dp, struct dp_stats *out);
void dp_link_stats_sum(const struct dp *dp, unsigned link, struct link_stats *out);
/* A grace period: each worker's epoch, worker 0's first, into e (DP_MAX_WORKERS); then true
 * once every running worker has passed a quiescent point since. */
void dp_epochs(struct dp *dp, uint64_t *e);
bool dp_quiescent(struct dp *dp, const uint64_t *e);
/* Wake every worker (for a grace period, or to stop). */
void dp_wake_all(struct dp *dp);

#endif
