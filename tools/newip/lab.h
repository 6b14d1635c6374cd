/* Lab topologies (docs/lab.md): nodes and links of network namespaces on one machine. */
#ifndef NEWIP_LAB_H
#define NEWIP_LAB_H

#include <stdbool.h>
#include <stddef.h>

#define LAB_NAME 16 /* names become namespace and interface names: keep them short */
/* Sanity bounds, not array sizes (the arrays grow with the file): interface and namespace
 * names, the underlay's /30s and /64s (see lab.c) and the kernel hold these comfortably. */
#define LAB_MAX_NODES 4096
#define LAB_MAX_LINKS 16384
#define LAB_MAX_ADDRS 8
#define LAB_MAX_ROUTES 64

struct lab_node {
	char name[LAB_NAME];
	char addrs[LAB_MAX_ADDRS][96];
	int n_addrs;
	char routes[LAB_MAX_ROUTES][200];
	int n_routes;
	bool daemon; /* false: a namespace with links only (for injectors, foreign peers) */
	bool key;    /* key: auto — lab up makes the node a key (docs/spec.md §4.3) */
	char config[LAB_MAX_ROUTES][200]; /* extra newipd.conf lines, verbatim */
	/* lan: an IP gateway (docs/spec.md §12) to these IPv4/IPv6 prefixes, with a host
	 * namespace NODE-lan behind it (the prefix's .2/::2; the gateway's kernel is .1/::1). */
	char lan[LAB_MAX_ADDRS][200];
	int n_lan;
	/* map: "NEWIP-PREFIX IPV6-PREFIX" lines for the gateway (spec §12.4); the IPv6 prefix is
	 * routed into its TUN. */
	char map[LAB_MAX_ADDRS][200];
	int n_map;
	char gw_opts[64]; /* offload: "off" puts "offload off" on the gateway line */
	int n_config;
	int line;
	char pub[48]; /* key: auto — the public key (base64), made at lab up */
};

struct lab_link {
	int a, b; /* node indices */
	char ifa[LAB_NAME], ifb[LAB_NAME];
	bool eth, v6;
	int mtu; /* 0: default */
	char egress[160]; /* rate, delay, sched, ... as newipd.conf link options (both ends) */
	int check_node;	  /* the node that checks sources on this link, or -1 */
	bool check_strict;
	bool keyed; /* udp: peers named by their node keys (docs/spec.md §1.1) */
	bool no_offload; /* udp: 'offload off' at both ends (no GSO, no GRO) */
	int ports;	 /* plain udp: 'ports N' at both ends (spec §1.2); 0: one */
	int queues;	 /* udp: the veth pair's transmit and receive queues (RSS); 0: one */
	/* kind schc (docs/spec.md §13.4): the link options both ends share (rules as an absolute
	 * path, frame, bitrate, duty, loss), and the end that is the LPWAN gateway */
	bool schc;
	char schc_opts[400];
	int schc_gw;
	int line;
};

struct lab {
	char name[LAB_NAME];
	char path[512];
	struct lab_node *nodes;
	int n_nodes, cap_nodes;
	struct lab_link *links;
	int n_links, cap_links;
	bool nls_auth; /* every node signs NLS and trusts every node's key */
};

/* Parse and check a topology file; on error "FILE:LINE: what, how to fix" in err. The lab
 * holds memory either way: lab_free releases it. */
int lab_load(struct lab *lab, const char *path, char *err, size_t errlen);
void lab_free(struct lab *lab);
int lab_node_index(const struct lab *lab, const char *name);
/* Room for element n of *arr (*cap elements of size octets), doubling it when full. */
int lab_grow(void **arr, int *cap, int n, size_t size);

#endif
