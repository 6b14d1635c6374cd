/* Keyed links seen from the control plane (spec §1.1): state, the reason a link is down,
 * JSON for `newip link` and `newip neigh`, and a log line when either changes. */
#ifndef NEWIP_PEER_CTL_H
#define NEWIP_PEER_CTL_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "../dataplane/dp.h"

struct node;

/* Why a keyed link is down, in a few words; NULL when it is up. */
const char *peer_ctl_problem(const struct link *l, char *buf, size_t n);
/* The peer's key, endpoint, times and frame counters. */
json_t *peer_ctl_json(const struct link *l);
/* Once a second from the control loop: log each keyed link's changes of state and endpoint. */
void peer_ctl_tick(struct node *n, uint64_t now_ms);

#endif
