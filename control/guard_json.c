/* The guard as the control socket shows it (docs/control-api.md): filters on both ends,
 * registrations, SAVI bindings, the heaviest sources, counters. Never a key. */
#include <time.h>

#include "clock.h"
#include "guard_ctl.h"
#include "node.h"

static json_t *addr_j(const struct nip_addr *a)
{
	char s[NIP_ADDR_STRLEN];

	nip_addr_format(a, s, sizeof(s));
	return json_string(s);
}

static const char *state_name(enum gc_filter_state s)
{
	static const char *const names[] = { "pending", "installed", "refused", "no answer" };
	return names[s];
}

static const char *code_name(uint8_t code)
{
	static const char *const names[] = { "installed", "bad signature",
					     "source not self-certifying", "packet unknown",
					     "duration out of range", "rate limited",
					     "replayed or stale" };
	return code < sizeof(names) / sizeof(names[0]) ? names[code] : "unknown";
}

json_t *guard_ctl_filters_json(const struct guard_ctl *g)
{
	const struct dp *dp = &g->n->dp;
	json_t *edge = json_array(), *victim = json_array();
	uint64_t now = mono_ns();

	for (unsigned i = 0; i < GUARD_MAX_FILT; i++) {
		const struct gc_filter *f = &g->filt[i];
		if (!f->used)
			continue;
		uint64_t hits = STAT_READ(dp->gs->filt_hits[i]) - f->base_hits;
		json_t *j = json_pack("{s:o, s:o, s:I}", "source", addr_j(&f->f.src), "destination",
				      addr_j(&f->f.dst), "hits", (json_int_t)hits);
		if (f->f.expires_ns != UINT64_MAX)
			json_object_set_new(j, "expires_in_s",
					    json_real((double)(f->f.expires_ns - now) / 1e9));
		if (!f->f.victim) {
			json_object_set_new(j, "link", json_string(dp->links[f->f.link].cfg.name));
			json_object_set_new(j, "granted_s", json_integer(f->granted_s));
			json_array_append_new(edge, j);
			continue;
		}
		json_object_set_new(j, "state", json_string(state_name(f->state)));
		json_object_set_new(j, "requested_s", json_integer(f->duration_s));
		json_object_set_new(j, "automatic", json_boolean(f->automatic));
		json_object_set_new(j, "tries", json_integer(f->tries));
		if (f->state == GC_INSTALLED || f->state == GC_REFUSED) {
			json_object_set_new(j, "answer", json_string(code_name(f->code)));
			json_object_set_new(j, "granted_s", json_integer(f->granted_s));
			json_object_set_new(j, "answer_ms", json_real(f->rtt_ms));
		}
		json_array_append_new(victim, j);
	}
	return json_pack("{s:b, s:o, s:o}", "ok", 1, "at_edge", edge, "requested", victim);
}

json_t *guard_ctl_sav_json(const struct guard_ctl *g)
{
	const struct dp *dp = &g->n->dp;
	json_t *links = json_array(), *hosts = json_array(), *up = json_array();
	uint64_t now = mono_ns(), now_ms = lsr_now_ms();

	for (unsigned i = 0; i < dp->n_links; i++) {
		static const char *const modes[] = { "off", "on", "strict" };
		json_array_append_new(links, json_pack("{s:s, s:s}", "link", dp->links[i].cfg.name,
						       "source_check", modes[dp->gs->check[i]]));
		const struct gc_host *h = &g->host[i];
		if (h->state == GC_HOST_OFF)
			continue;
		json_t *j = json_pack("{s:s, s:s}", "link", dp->links[i].cfg.name, "state",
				      h->state == GC_HOST_REGISTERED ? "registered" : "trying");
		if (h->state == GC_HOST_REGISTERED) {
			char id[12];
			snprintf(id, sizeof(id), "%08x", h->key_id);
			json_object_set_new(j, "key_id", json_string(id));
			json_object_set_new(j, "address", addr_j(&h->addr));
			json_object_set_new(j, "age_s",
					    json_real((double)(now_ms - h->registered_ms) / 1e3));
		}
		json_array_append_new(up, j);
	}
	for (unsigned i = 0; i < GUARD_MAX_SESS; i++) {
		const struct gc_sess *s = &g->sess[i];
		char id[12];
		if (!s->used)
			continue;
		snprintf(id, sizeof(id), "%08x", s->s.key_id);
		json_array_append_new(hosts, json_pack("{s:s, s:s, s:o, s:f}", "link",
						       dp->links[s->s.link].cfg.name, "key_id", id,
						       "address", addr_j(&s->s.addr), "expires_in_s",
						       (double)(s->s.expires_ns - now) / 1e9));
	}
	return json_pack("{s:b, s:o, s:o, s:o, s:I, s:I, s:I, s:I}", "ok", 1, "links", links,
			 "registered_hosts", hosts, "registrations", up, "savi_bindings",
			 (json_int_t)dp->gs->savi_n, "savi_capacity", (json_int_t)SAVI_SLOTS,
			 "digest_cache_bytes", (json_int_t)dcache_bytes(&dp->gs->dc),
			 "digest_cache_inserts", (json_int_t)dp->gs->dc.inserts);
}

json_t *guard_ctl_top_json(const struct guard_ctl *g)
{
	struct hh_entry top[HH_TOP];
	uint64_t total, end_ns;
	unsigned n = hh_read(&g->n->dp.gs->hh, top, &total, &end_ns);
	json_t *arr = json_array();
	double scale = 1e9 / (double)HH_WINDOW_NS;

	if (mono_ns() - end_ns > 2 * HH_WINDOW_NS)
		n = 0; /* stale: nothing has arrived lately */
	for (unsigned i = 0; i < n; i++)
		json_array_append_new(arr, json_pack("{s:o, s:f}", "source", addr_j(&top[i].src),
						     "packets_per_s", top[i].count * scale));
	return arr;
}

json_t *guard_ctl_stats_json(const struct guard_ctl *g)
{
	const struct gc_stats *s = &g->st;
	json_t *codes = json_object();

	for (unsigned c = 0; c <= NCMP_SHUTOFF_REPLAY; c++)
		json_object_set_new(codes, code_name((uint8_t)c), json_integer((json_int_t)s->req_code[c]));
	json_t *j = json_pack("{s:I, s:I, s:I, s:I, s:I}", "registrations_sent",
			      (json_int_t)s->reg_sent, "registrations_accepted",
			      (json_int_t)s->reg_accepted, "registrations_refused",
			      (json_int_t)s->reg_refused, "registration_acks",
			      (json_int_t)s->reg_acks, "registration_acks_bad",
			      (json_int_t)s->reg_acks_bad);
	json_object_set_new(j, "shutoff_requests_sent", json_integer((json_int_t)s->req_sent));
	json_object_set_new(j, "shutoff_requests_received",
			    json_integer((json_int_t)s->req_received));
	json_object_set_new(j, "shutoff_requests_malformed",
			    json_integer((json_int_t)s->req_malformed));
	json_object_set_new(j, "shutoff_answers", codes);
	json_object_set_new(j, "shutoff_acks_received", json_integer((json_int_t)s->acks_received));
	json_object_set_new(j, "flood_guard_shutoffs", json_integer((json_int_t)s->auto_shutoffs));
	json_object_set_new(j, "requests_not_intercepted",
			    json_integer((json_int_t)s->not_intercepted));
	json_object_set_new(j, "source_checked",
			    json_integer((json_int_t)STAT_READ(g->n->dp.st.src_checked)));
	return j;
}
