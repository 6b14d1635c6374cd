/* The routing information base: routes with their origin; builds and publishes the FIB. */
#ifndef NEWIP_RIB_H
#define NEWIP_RIB_H

#include <stddef.h>

#include "../dataplane/dp.h"
#include "posidx.h"

/* Static routes (config or cli) win over link-state ones for the same prefix (spec §9). */
enum rib_origin { ORIGIN_CONFIG, ORIGIN_CLI, ORIGIN_LS };

struct rib_route {
	struct nip_prefix prefix;
	struct nh_group nh;
	enum rib_origin origin;
	uint32_t cost; /* link-state metric sum; 0 for static */
};

/* Static routes in one array with an index by prefix; link-state ones in another, replaced
 * whole by each SPF run. Order within each is not kept: a delete moves the last route in. */
struct rib {
	struct rib_route *r; /* static routes */
	size_t n, cap;
	struct rib_route *ls; /* link-state routes */
	size_t n_ls, cap_ls;
	struct posidx idx; /* the statics by prefix */
};

/* A static route. 0, or -EEXIST (a static route for the prefix exists), -ENOMEM. */
int rib_add(struct rib *rib, const struct nip_prefix *p, uint16_t link, enum rib_origin o);
/* Delete a static route: 0 or -ENOENT. */
int rib_del(struct rib *rib, const struct nip_prefix *p);
/* Replace every link-state route (the routing protocol's whole answer at once). */
void rib_clear_ls(struct rib *rib);
int rib_add_ls(struct rib *rib, const struct nip_prefix *p, const struct nh_group *nh,
	       uint32_t cost);
void rib_free(struct rib *rib);
const char *rib_origin_name(enum rib_origin o);

/* The forwarding state the RIB holds now (statics win over link-state routes for the same
 * prefix). NULL with *rc -ENOMEM, or -ENOSPC: more next-hop groups than FIB_NONE. */
struct fwd *rib_build(const struct rib *rib, int *rc);

/* rib_build, then swap it in; frees the old after a grace period. 0, -ENOMEM or -ENOSPC. */
int rib_publish(const struct rib *rib, struct dp *dp);

/* Wait until the data plane holds nothing published before (QSBR). */
void ctl_grace_period(struct dp *dp);

#endif
