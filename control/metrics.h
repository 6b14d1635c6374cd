/* The Prometheus endpoint (metrics-listen): every counter of `newip stats`, by its conventions. */
#ifndef NEWIP_METRICS_H
#define NEWIP_METRICS_H

#include <stddef.h>
#include <stdio.h>

struct node;
struct metrics;

/* Listen and serve /metrics; NULL with a one-line reason in err. */
struct metrics *metrics_start(struct node *n, const char *listen, char *err, size_t errlen);
/* The fd the control thread polls, and the work to do when it is readable (or each tick). */
int metrics_fd(const struct metrics *m);
void metrics_run(struct metrics *m);
void metrics_stop(struct metrics *m);
/* The exposition text (format 0.0.4) of node n, written to f. */
void metrics_render(struct node *n, FILE *f);

#endif
