/* The routing information base: routes with their origin; builds and publishes the FIB. */
#ifndef NEWIP_RIB_H
#define NEWIP_RIB_H

#include <stddef.h>

#include "../dataplane/dp.h"

/* Static routes (config or cli) win over link-state ones for the same prefix (spec §9). */
enum rib_origin { ORIGIN_CONFIG, ORIGIN_CLI, ORIGIN_LS };

struct rib_route {
	struct nip_prefix prefix;
	struct nh_group nh;
	enum rib_origin origin;
	uint32_t cost; /* link-state metric sum; 0 for static */
};

struct rib {
	struct rib_route *r;
	size_t n, cap;
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

/* Build forwarding state from the RIB and swap it in; frees the old after a grace period. */
int rib_publish(const struct rib *rib, struct dp *dp);

/* Wait until the data plane holds nothing published before (QSBR). */
void ctl_grace_period(struct dp *dp);

#endif
