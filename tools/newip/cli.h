/* The newip command line: shared declarations. Each cmd_* returns the process exit code. */
#ifndef NEWIP_CLI_H
#define NEWIP_CLI_H

#include <jansson.h>
#include <stdbool.h>

#include "newip/newip.h"
#include "newip/sock.h"

/* Exit codes: 0 ok; 1 the operation ran and failed (no reply, route exists); 2 usage or
 * set-up error (bad arguments, node not running). */
enum { EX_OK = 0, EX_FAIL = 1, EX_USAGE = 2 };

struct cli {
	const char *node; /* -n, $NEWIP_NODE, or the only node running */
	bool json;	  /* -j: print the control socket's JSON as it is */
};

const char *cli_rundir(void);
/* Resolve which node to talk to; prints an error and returns NULL if it cannot. */
const char *cli_node(struct cli *c);

/* Connect to the node's local datagram service; prints why and returns -1 if it cannot. */
int cli_local(struct cli *c);

/* One request to the node's control socket; NULL (with a message printed) on failure. */
json_t *ctl_request(const char *node, json_t *req);
/* Send {"cmd": cmd, ...extra} to the node; print the JSON with -j; NULL on failure (message
 * printed). Takes extra. */
json_t *cli_call(struct cli *c, const char *cmd, json_t *extra);
/* A view: ask cmd, print the answer with print (or its JSON with -j). Exit code. */
int cli_show(struct cli *c, const char *cmd, void (*print)(json_t *answer));
/* A member of an answer, 0 or "" when absent. */
long long cli_jint(json_t *o, const char *k);
const char *cli_jstr(json_t *o, const char *k);
/* Same, to a socket path; quiet (for the lab's readiness poll). */
json_t *ctl_request_path(const char *path, json_t *req, int timeout_ms);

int cmd_link(struct cli *c, int argc, char **argv);
int cmd_addr(struct cli *c, int argc, char **argv);
int cmd_route(struct cli *c, int argc, char **argv);
int cmd_stats(struct cli *c, int argc, char **argv);
int cmd_neigh(struct cli *c, int argc, char **argv);
int cmd_lsdb(struct cli *c, int argc, char **argv);
int cmd_ping(struct cli *c, int argc, char **argv);
int cmd_trace(struct cli *c, int argc, char **argv);
int cmd_send(struct cli *c, int argc, char **argv);
int cmd_recv(struct cli *c, int argc, char **argv);
int cmd_perf(struct cli *c, int argc, char **argv);
int cmd_key(struct cli *c, int argc, char **argv);
int cmd_schc(struct cli *c, int argc, char **argv);
int cmd_shutoff(struct cli *c, int argc, char **argv);
int cmd_filters(struct cli *c, int argc, char **argv);
int cmd_sav(struct cli *c, int argc, char **argv);
int cmd_lab(int argc, char **argv);

/* NCMP type and code in words: "hop limit exceeded", "destination unreachable (no route)". */
void ncmp_describe(uint8_t type, uint8_t code, uint32_t param, char *buf, size_t size);

#endif
