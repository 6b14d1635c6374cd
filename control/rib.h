/* The routing information base: routes with their origin; builds and publishes the FIB. */
#ifndef NEWIP_RIB_H
#define NEWIP_RIB_H

#include <stddef.h>

#include "../dataplane/dp.h"

enum rib_origin { ORIGIN_CONFIG, ORIGIN_CLI };

struct rib_route {
	struct nip_prefix prefix;
	uint16_t link;
	enum rib_origin origin;
};

struct rib {
	struct rib_route *r;
	size_t n, cap;
};

/* 0, or -EEXIST (same prefix present), -ENOMEM. */
int rib_add(struct rib *rib, const struct nip_prefix *p, uint16_t link, enum rib_origin o);
/* 0 or -ENOENT. */
int rib_del(struct rib *rib, const struct nip_prefix *p);
void rib_free(struct rib *rib);
const char *rib_origin_name(enum rib_origin o);

/* Build a FIB from the RIB and swap it in; frees the old one after a grace period. */
int rib_publish(const struct rib *rib, struct dp *dp);

#endif
