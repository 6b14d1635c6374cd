/* One newipd node: its configuration, data plane, RIB and control socket. */
#ifndef NEWIP_NODE_H
#define NEWIP_NODE_H

#include <pthread.h>
#include <time.h>

#include "config.h"
#include "guard_ctl.h"
#include "lsr.h"
#include "metrics.h"
#include "rib.h"

/* What peer_ctl.c last logged of each keyed link. */
struct peer_ctl {
	uint64_t start_ms, next_ms;
	uint8_t state[DP_MAX_LINKS]; /* 0: not yet, 1: up, 2: MAC failures, 3: other problem */
	struct sockaddr_storage ep[DP_MAX_LINKS];
};

struct node {
	struct config cfg;
	struct dp dp;
	struct rib rib; /* touched by the control thread only, once running */
	struct lsr lsr;	/* likewise */
	struct guard_ctl guard; /* likewise */
	struct peer_ctl peers;	/* likewise */
	char dir[300], ctl_path[340], local_path[340];
	int ctl_fd;
	struct metrics *metrics; /* metrics-listen, or NULL */
	struct timespec started;
	pthread_t ctl_thread;
};

/* ctl.c: the control socket (docs/control-api.md). */
int ctl_open(struct node *n, char *err, size_t errlen);
void *ctl_main(void *node);

#endif
