/* JSON for an LPWAN link's radio, SCHC counters and rules (`newip link`, `newip stats`). */
#include <stdio.h>
#include <stddef.h>

#include "schc_ctl.h"

#define J(x) json_integer((json_int_t)STAT_READ(x))

static json_t *rules_json(const struct schc_link *s)
{
	json_t *a = json_array();

	for (unsigned i = 0; i < s->rs.n_rules; i++) {
		const struct schc_rule *r = &s->rs.rules[i];
		const struct schc_rule_stats *rs = &s->rule_st[i];
		char id[16];
		snprintf(id, sizeof(id), "%u/%u", r->id, r->id_len);
		json_t *j = json_pack("{s:s, s:s, s:s}", "rule", id, "name", r->name, "kind",
				      r->kind == SCHC_RULE_COMP   ? "compression" :
				      r->kind == SCHC_RULE_NOCOMP ? "no-compression" :
								    "fragmentation");
		json_object_set_new(j, "tx", J(rs->tx));
		json_object_set_new(j, "rx", J(rs->rx));
		json_object_set_new(j, "octets_in", J(rs->octets_in));
		json_object_set_new(j, "octets_out", J(rs->octets_out));
		json_array_append_new(a, j);
	}
	return a;
}

json_t *schc_ctl_json(const struct link *l)
{
	const struct schc_link *s = l->schc;
	const struct schc_link_stats *st = &s->st;
	json_t *j = json_pack("{s:s, s:s, s:i, s:i, s:i, s:i}", "rules_file", l->cfg.schc_rules,
			      "role", l->cfg.schc_tx == SCHC_DOWN ? "gateway" : "device", "frame",
			      s->frame, "bitrate", (int)s->bitrate, "duty_pct", s->duty, "loss_pct",
			      s->loss);
	static const struct {
		const char *name;
		size_t off;
	} c[] = {
#define C(f) { #f, offsetof(struct schc_link_stats, f) }
		C(frames_tx), C(frames_rx), C(frames_lost), C(air_us), C(pkts_tx), C(pkts_rx),
		C(octets_in), C(octets_out), C(frag_pkts_tx), C(frag_pkts_rx), C(fragments_tx),
		C(retx_tiles), C(ack_reqs), C(acks_tx), C(aborts_tx), C(aborts_rx), C(no_rule),
		C(too_big), C(queue_full), C(malformed), C(bad_rcs),
#undef C
	};

	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++)
		json_object_set_new(j, c[i].name,
				    J(*(const uint64_t *)((const char *)st + c[i].off)));
	json_object_set_new(j, "rules", rules_json(s));
	return j;
}
