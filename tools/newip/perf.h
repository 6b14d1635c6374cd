/* newip perf: shared between the client, the server and the report. */
#ifndef NEWIP_PERF_H
#define NEWIP_PERF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "perf_proto.h"

#define PERF_MAX_FLOWS 16

/* What the client was asked to do. */
struct perf_opts {
	uint64_t rate_bps; /* per flow, New IP octets on the wire */
	size_t size;	   /* UDP payload octets */
	double secs, wait_s;
	uint32_t max_us, min_us; /* max_us 0: no latency contract */
	bool window;		 /* on-time [min_us, max_us] */
	int prio;		 /* -1: none */
	uint8_t tc;		 /* ECN: 0 Not-ECT, 1 ECT(1) (l4s), 2 ECT(0) (classic) */
	unsigned flows;
	uint16_t port;
	bool json;
	const char *csv, *plot;
};

/* What one flow measured. Latencies in µs. */
struct perf_result {
	unsigned flow;
	uint64_t sent, received, lost, late, missed, contract_errors, other_errors, ce;
	uint64_t net_missed; /* lost, or late by the network's own account (Accumulated Latency) */
	uint64_t reordered;  /* arrived after a packet sent later (RFC 4737's reordered packets) */
	double owd_min, owd_p50, owd_p99, owd_p999, owd_max, jitter;
	double acc_p50, acc_p99, diff_p50, diff_max; /* Accumulated Latency, owd − A */
	unsigned hops;				     /* Hops Updated (the most common value) */
	double mbps;
};

/* Summarise records in the order they arrived, then sort them (by sequence number). */
void perf_summarise(struct perf_rec *r, size_t n, const struct perf_opts *o, uint64_t sent,
		    size_t pkt_len, struct perf_result *out);
void perf_print(FILE *f, const struct perf_opts *o, const struct perf_result *r, unsigned n);
void perf_print_json(FILE *f, const struct perf_opts *o, const struct perf_result *r, unsigned n);
/* Per packet: flow,seq,owd_us,acc_us,hops,ce. recs[i] holds flow i's records. */
int perf_write_csv(const char *path, struct perf_rec *const *recs, const size_t *n, unsigned flows);
/* A CDF of the one-way delays, one curve per flow, drawn by gnuplot. 0, or -1 with a message. */
int perf_plot(const char *path, struct perf_rec *const *recs, const size_t *n, unsigned flows,
	      const struct perf_opts *o);

#endif
