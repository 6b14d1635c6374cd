/* LPWAN links seen from the control plane (docs/spec.md §13.4): the radio's settings and the
 * counters of `newip link` and `newip stats`, per link and per rule. */
#ifndef NEWIP_SCHC_CTL_H
#define NEWIP_SCHC_CTL_H

#include <jansson.h>

#include "../dataplane/link.h"

json_t *schc_ctl_json(const struct link *l);

#endif
