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

struct node {
	struct config cfg;
	struct dp dp;
	struct rib rib; /* touched by the control thread only, once running */
	struct lsr lsr;	/* likewise */
	struct guard_ctl guard; /* likewise */
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
