/* newipd's configuration file (docs/newipd.conf.md): parse, check, print back. */
#ifndef NEWIP_CONFIG_H
#define NEWIP_CONFIG_H

#include <stdint.h>
#include <stdio.h>

#include "../dataplane/dp.h"
#include "newip/keyfile.h"

#define CFG_MAX_ROUTES 1024
#define CFG_NAME 64
#define CFG_MAX_TRUST 64

struct cfg_route {
	struct nip_prefix prefix;
	char via[LINK_NAME];
	int line;
};

struct config {
	char path[256];
	char node[CFG_NAME];
	char rundir[200];
	struct nip_addr addrs[DP_MAX_ADDRS];
	unsigned n_addrs;
	struct link_cfg links[DP_MAX_LINKS];
	int link_line[DP_MAX_LINKS];
	unsigned n_links;
	struct cfg_route routes[CFG_MAX_ROUTES];
	unsigned n_routes;
	struct xlat_map maps[XLAT_MAPS];	/* mapped prefixes of the TUN gateways (spec §12.4) */
	int map_line[XLAT_MAPS];
	unsigned n_maps;
	uint32_t ncmp_rate;
	bool routing;			/* NLS on every link (spec §9); default on */
	uint16_t hello_ms, dead_ms;	/* defaults 100 and 400 */
	uint32_t lsa_refresh_s;		/* default 30 */
	uint32_t lsa_seq_start;		/* test knob: the first sequence number is this + 1 */
	uint16_t metric[DP_MAX_LINKS];	/* per link, default 10 */
	int rt_priority;		/* SCHED_FIFO priority of the data plane; 0: normal */
	uint8_t workers;		/* data-plane threads; 0: auto, one per CPU (the 'workers'
					 * line, else $NEWIPD_WORKERS, else auto) */
	bool has_workers;
	uint8_t xdp;			/* eth links' default data path (enum link_xdp): the
					 * 'xdp' line, else $NEWIPD_XDP, else off */
	char metrics_listen[80];	/* Prometheus endpoint IP:PORT; empty: none */
	/* Identity (docs/spec.md §4.3): the node's key, and addresses made from it. */
	char key_path[256];
	bool has_key;
	struct nip_identity id;		/* never printed, never sent */
	bool addr_auto[DP_MAX_ADDRS];	/* addrs[i] was made by 'address auto' */
	struct {
		struct nip_addr prefix;
		int line;
		unsigned index; /* its place among addrs, kept in file order */
	} autos[DP_MAX_ADDRS];
	unsigned n_autos;
	/* The guard (docs/spec.md §6.5, §11). */
	bool flood_guard;
	uint32_t flood_pps;		/* flood-threshold, default 10000 */
	uint32_t flood_s;		/* flood-duration, default 60 */
	uint32_t shutoff_max_s;		/* default 3600 */
	uint32_t verify_rate;		/* shut-off verifications per second per link, default 200 */
	uint64_t dcache_pps;		/* digest-cache sizing, default 1000000 */
	/* Authenticated NLS (docs/spec.md §9.1). */
	bool nls_auth;
	uint8_t trust[CFG_MAX_TRUST][NIP_PK_LEN]; /* trust anchors: routers' public keys */
	unsigned n_trust;
};

/* Returns 0, or -1 with "FILE:LINE: what is wrong, how to fix" in err. */
int config_load(struct config *c, const char *path, char *err, size_t errlen);
/* The checks that span lines (routes name links, a node has a name and an address). */
int config_check(struct config *c, char *err, size_t errlen);
void config_print(const struct config *c, FILE *f);
/* The node's first self-certifying address (for its key), or NULL. */
const struct nip_addr *config_selfcert(const struct config *c);
/* Index of a link by name, or -1. */
int config_link(const struct config *c, const char *name);
/* A whole decimal number in [lo, hi]: false if s is not one. */
bool parse_uint(const char *s, unsigned long long lo, unsigned long long hi,
		unsigned long long *v);
/* Parse "IP:PORT" or "[IPv6]:PORT". */
int parse_sockaddr(const char *s, struct sockaddr_storage *ss, socklen_t *len);
void format_sockaddr(const struct sockaddr_storage *ss, char *buf, size_t size);

/* config_schc.c: one option of a schc link (rules relative to conf's directory), and the
 * link's checks once its line is read (the rule set loads). 0, or -1 with what and how to fix
 * in why (the caller adds file and line). */
int config_schc_option(struct link_cfg *l, const char *key, const char *val, const char *conf,
		       char *why, size_t n);
int config_schc_check(struct link_cfg *l, char *why, size_t n);


#endif
