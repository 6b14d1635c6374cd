/* newip perf's figures: loss, deadline misses, latency percentiles, CSV, a CDF plot. */
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "perf.h"

static int by_seq(const void *a, const void *b)
{
	const struct perf_rec *x = a, *y = b;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int by_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* The q-quantile of sorted v[0..n) (nearest rank). */
static double quantile(const double *v, size_t n, double q)
{
	size_t i = (size_t)ceil(q * (double)n);
	return n ? v[i ? i - 1 : 0] : 0;
}

void perf_summarise(struct perf_rec *r, size_t n, const struct perf_opts *o, uint64_t sent,
		    size_t pkt_len, struct perf_result *out)
{
	double *owd = malloc((n ? n : 1) * sizeof(double)), *acc = malloc((n ? n : 1) * sizeof(double));
	double *diff = malloc((n ? n : 1) * sizeof(double)), jsum = 0;
	unsigned hops_count[256] = { 0 };
	size_t uniq = 0, na = 0;

	out->sent = sent;
	for (size_t i = 0, top = 0; i < n; i++) { /* in arrival order, as the server kept them */
		if (i && r[i].seq < top)
			out->reordered++;
		top = r[i].seq > top ? r[i].seq : top;
	}
	if (n) /* r is NULL when the server kept nothing */
		qsort(r, n, sizeof(*r), by_seq);
	for (size_t i = 0; i < n; i++) {
		if (i && r[i].seq == r[i - 1].seq)
			continue; /* a duplicate counts once */
		double d = (double)r[i].owd_ns / 1e3;
		if (uniq)
			jsum += fabs(d - owd[uniq - 1]); /* RFC 3550: consecutive differences */
		owd[uniq++] = d;
		if (o->max_us && (d > o->max_us || (o->window && d < o->min_us)))
			out->late++;
		if ((r[i].tc & 3) == 3)
			out->ce++;
		if (r[i].flags & PERF_F_CONTRACT) {
			double a = r[i].acc_us;
			if (o->max_us && (a > o->max_us || (o->window && a < o->min_us)))
				out->net_missed++;
			acc[na] = a;
			diff[na++] = d - r[i].acc_us;
			hops_count[r[i].hops]++;
		}
	}
	out->received = uniq;
	out->lost = sent > uniq ? sent - uniq : 0;
	out->missed = out->lost + out->late;
	out->net_missed += out->lost;
	out->jitter = uniq > 1 ? jsum / (double)(uniq - 1) : 0;
	for (unsigned h = 0; h < 256; h++)
		if (hops_count[h] > hops_count[out->hops])
			out->hops = h;
	qsort(owd, uniq, sizeof(double), by_d);
	qsort(acc, na, sizeof(double), by_d);
	qsort(diff, na, sizeof(double), by_d);
	out->owd_min = uniq ? owd[0] : 0;
	out->owd_p50 = quantile(owd, uniq, 0.5);
	out->owd_p99 = quantile(owd, uniq, 0.99);
	out->owd_p999 = quantile(owd, uniq, 0.999);
	out->owd_max = uniq ? owd[uniq - 1] : 0;
	out->acc_p50 = quantile(acc, na, 0.5);
	out->acc_p99 = quantile(acc, na, 0.99);
	out->diff_p50 = quantile(diff, na, 0.5);
	out->diff_max = na ? fmax(fabs(diff[0]), fabs(diff[na - 1])) : 0;
	out->mbps = (double)uniq * (double)pkt_len * 8 / o->secs / 1e6;
	free(owd);
	free(acc);
	free(diff);
}

static double pct(uint64_t a, uint64_t b)
{
	return b ? 100.0 * (double)a / (double)b : 0;
}

void perf_print(FILE *f, const struct perf_opts *o, const struct perf_result *r, unsigned n)
{
	for (unsigned i = 0; i < n; i++, r++) {
		fprintf(f, "flow %u: sent %llu, received %llu, lost %llu (%.3f%%), reordered %llu",
			r->flow, (unsigned long long)r->sent, (unsigned long long)r->received,
			(unsigned long long)r->lost, pct(r->lost, r->sent),
			(unsigned long long)r->reordered);
		if (o->max_us)
			fprintf(f, ", late %llu, missed %llu (%.3f%%; by the network's account %.3f%%), "
				   "contract errors %llu",
				(unsigned long long)r->late, (unsigned long long)r->missed,
				pct(r->missed, r->sent), pct(r->net_missed, r->sent),
				(unsigned long long)r->contract_errors);
		if (r->other_errors)
			fprintf(f, ", other errors %llu", (unsigned long long)r->other_errors);
		fprintf(f, "\n  one-way latency us: min %.0f p50 %.0f p99 %.0f p99.9 %.0f max %.0f, "
			   "jitter %.1f\n", r->owd_min, r->owd_p50, r->owd_p99, r->owd_p999,
			r->owd_max, r->jitter);
		if (o->max_us || o->prio >= 0)
			fprintf(f, "  accumulated latency (network) us: p50 %.0f p99 %.0f; measured − "
				   "accumulated: p50 %.0f, max |%.0f|; hops updated %u\n",
				r->acc_p50, r->acc_p99, r->diff_p50, r->diff_max, r->hops);
		fprintf(f, "  throughput %.3f Mbit/s, CE marks %llu\n", r->mbps,
			(unsigned long long)r->ce);
	}
}

void perf_print_json(FILE *f, const struct perf_opts *o, const struct perf_result *r, unsigned n)
{
	json_t *flows = json_array();

	for (unsigned i = 0; i < n; i++, r++) {
		json_t *fj = json_pack(
			"{s:i, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:f, s:f, s:f, s:f, s:f,"
			" s:f, s:f, s:f, s:f, s:f, s:i, s:f}",
			"flow", r->flow, "sent", (json_int_t)r->sent, "received", (json_int_t)r->received,
			"lost", (json_int_t)r->lost, "late", (json_int_t)r->late, "missed",
			(json_int_t)r->missed, "net_missed", (json_int_t)r->net_missed, "contract_errors", (json_int_t)r->contract_errors,
			"other_errors", (json_int_t)r->other_errors, "ce_marks", (json_int_t)r->ce,
			"owd_min_us", r->owd_min, "owd_p50_us", r->owd_p50, "owd_p99_us", r->owd_p99,
			"owd_p999_us", r->owd_p999, "owd_max_us", r->owd_max, "jitter_us", r->jitter,
			"acc_p50_us", r->acc_p50, "acc_p99_us", r->acc_p99, "owd_minus_acc_p50_us",
			r->diff_p50, "owd_minus_acc_max_us", r->diff_max, "hops_updated", r->hops,
			"throughput_mbps", r->mbps);
		json_object_set_new(fj, "reordered", json_integer((json_int_t)r->reordered));
		json_array_append_new(flows, fj);
	}
	json_t *j = json_pack("{s:o, s:I, s:I, s:f, s:I, s:I, s:b, s:i}", "flows", flows,
			      "rate_bps", (json_int_t)o->rate_bps, "size", (json_int_t)o->size,
			      "time_s", o->secs, "max_us", (json_int_t)o->max_us, "min_us",
			      (json_int_t)o->min_us, "window", o->window, "priority", o->prio);
	char *s = json_dumps(j, JSON_INDENT(2));
	fprintf(f, "%s\n", s);
	free(s);
	json_decref(j);
}

int perf_write_csv(const char *path, struct perf_rec *const *recs, const size_t *n, unsigned flows)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return -1;
	fprintf(f, "flow,seq,owd_us,acc_us,hops,ce\n");
	for (unsigned k = 0; k < flows; k++) {
		if (n[k])
			qsort(recs[k], n[k], sizeof(struct perf_rec), by_seq);
		for (size_t i = 0; i < n[k]; i++) {
			const struct perf_rec *r = &recs[k][i];
			fprintf(f, "%u,%u,%.3f,%u,%u,%d\n", k, r->seq, (double)r->owd_ns / 1e3,
				r->flags & PERF_F_CONTRACT ? r->acc_us : 0, r->hops, (r->tc & 3) == 3);
		}
	}
	return fclose(f);
}

int perf_plot(const char *path, struct perf_rec *const *recs, const size_t *n, unsigned flows,
	      const struct perf_opts *o)
{
	char dir[] = "/tmp/nip-plot.XXXXXX", data[64], script[64], cmd[256];
	FILE *f;
	int rc;

	if (!mkdtemp(dir))
		return -1;
	snprintf(script, sizeof(script), "%s/cdf.gp", dir);
	if (!(f = fopen(script, "w")))
		return -1;
	fprintf(f, "set terminal pngcairo size 900,560\nset output '%s'\n"
		   "set title 'newip perf: one-way latency CDF'\nset xlabel 'one-way latency (us)'\n"
		   "set ylabel 'fraction of packets'\nset grid\nset key bottom right\nset yrange [0:1]\n",
		path);
	if (o->max_us)
		fprintf(f, "set arrow from %u, graph 0 to %u, graph 1 nohead dt 2 lc rgb 'red'\n",
			o->max_us, o->max_us);
	fprintf(f, "plot");
	for (unsigned k = 0; k < flows; k++) {
		double *v = malloc((n[k] ? n[k] : 1) * sizeof(double));
		snprintf(data, sizeof(data), "%s/flow%u.dat", dir, k);
		FILE *d = fopen(data, "w");
		for (size_t i = 0; v && i < n[k]; i++)
			v[i] = (double)recs[k][i].owd_ns / 1e3;
		if (v && n[k])
			qsort(v, n[k], sizeof(double), by_d);
		for (size_t i = 0; d && v && i < n[k]; i++)
			fprintf(d, "%.3f %.6f\n", v[i], (double)(i + 1) / (double)n[k]);
		if (d)
			fclose(d);
		free(v);
		fprintf(f, "%s '%s' using 1:2 with lines lw 2 title 'flow %u'", k ? "," : "", data, k);
	}
	fprintf(f, "\n");
	fclose(f);
	snprintf(cmd, sizeof(cmd), "gnuplot %s", script);
	rc = system(cmd);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	(void)!system(cmd);
	if (rc != 0) {
		fprintf(stderr, "newip perf: gnuplot failed (%s); install it with: apt-get install "
				"gnuplot-nox\n", rc == 127 << 8 ? "not found" : "error");
		return -1;
	}
	return 0;
}
