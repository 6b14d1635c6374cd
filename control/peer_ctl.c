/* Keyed links seen from the control plane (spec §1.1): state, reasons, JSON, log lines. */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "clock.h"
#include "node.h"
#include "peer_ctl.h"

/* Seconds since a CLOCK_REALTIME instant, -1 for never. */
static double ago(uint64_t then_real_ns)
{
	uint64_t now = real_ns();

	return then_real_ns ? (now > then_real_ns ? (double)(now - then_real_ns) / 1e9 : 0) : -1;
}

/* Why the link whose view this is is down, or NULL when it is up. */
static const char *problem_of(const struct peer_view *v, char *buf, size_t n)
{
	uint64_t now = mono_ns();

	if (v->session && !(v->unanswered_since_ns && now - v->unanswered_since_ns >= PEER_STALE_NS))
		return NULL;
	if (v->mac_fail_since_ok)
		snprintf(buf, n, "MAC failures: %llu (a wrong key at either end?)",
			 (unsigned long long)v->mac_fail_since_ok);
	else if (!v->ep.ss_family)
		snprintf(buf, n, "waiting for the peer: no endpoint configured, none learned");
	else if (v->last_rx_real_ns)
		snprintf(buf, n, "no datagram from peer for %.0f s", ago(v->last_rx_real_ns));
	else
		snprintf(buf, n, "no datagram from peer yet");
	return buf;
}

const char *peer_ctl_problem(const struct link *l, char *buf, size_t n)
{
	struct peer_view v;

	peer_read_view(l->peer, &v);
	return problem_of(&v, buf, n);
}

json_t *peer_ctl_json(const struct link *l)
{
	const struct peer *p = l->peer;
	const struct peer_stats *st = &p->st;
	struct peer_view v;
	char key[NIP_KEY_B64_LEN], ep[80] = "", why[96];

	peer_read_view(p, &v);
	const char *problem = problem_of(&v, why, sizeof(why));
	sodium_bin2base64(key, sizeof(key), p->pk, sizeof(p->pk), sodium_base64_VARIANT_ORIGINAL);
	if (v.ep.ss_family)
		format_sockaddr(&v.ep, ep, sizeof(ep));
	json_t *j = json_pack("{s:s, s:s, s:b, s:s, s:f, s:f, s:f}", "key", key, "state",
			      problem ? "down" : "up", "sealed", p->sealed, "endpoint", ep,
			      "endpoint_learned_s_ago", ago(v.ep_learned_real_ns),
			      "handshake_s_ago", ago(v.handshake_real_ns), "heard_s_ago",
			      ago(v.last_rx_real_ns));
	if (problem)
		json_object_set_new(j, "problem", json_string(problem));
	json_object_set_new(j, "keepalive_s", json_integer(p->keepalive_s));
	json_object_set_new(
		j, "frames",
		json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "mac_failures",
			  (json_int_t)STAT_READ(st->mac_fail), "replayed",
			  (json_int_t)STAT_READ(st->replayed), "initiations_sent",
			  (json_int_t)STAT_READ(st->init_tx), "initiations_received",
			  (json_int_t)STAT_READ(st->init_rx), "responses_sent",
			  (json_int_t)STAT_READ(st->resp_tx), "responses_received",
			  (json_int_t)STAT_READ(st->resp_rx), "keepalives_sent",
			  (json_int_t)STAT_READ(st->keepalive_tx), "keepalives_received",
			  (json_int_t)STAT_READ(st->keepalive_rx), "endpoint_changes",
			  (json_int_t)STAT_READ(st->endpoint_changes), "no_session",
			  (json_int_t)STAT_READ(st->no_session), "sessions",
			  (json_int_t)STAT_READ(st->sessions)));
	return j;
}

void peer_ctl_tick(struct node *n, uint64_t now_ms)
{
	struct peer_ctl *pc = &n->peers;
	char why[96], ep[80];

	if (!pc->start_ms)
		pc->start_ms = now_ms;
	if (now_ms < pc->next_ms)
		return;
	pc->next_ms = now_ms + 1000;
	for (unsigned i = 0; i < n->dp.n_links; i++) {
		const struct link *l = &n->dp.links[i];
		struct peer_view v;
		if (!l->peer)
			continue;
		peer_read_view(l->peer, &v);
		const char *problem = problem_of(&v, why, sizeof(why));
		/* The kind of problem, not its changing count of seconds or failures. */
		uint8_t state = !problem ? 1 : v.mac_fail_since_ok ? 2 : 3;
		if (v.ep.ss_family)
			format_sockaddr(&v.ep, ep, sizeof(ep));
		else
			strcpy(ep, "none");
		/* A link is down for a moment at start, before its first handshake: say so only
		 * if that lasts. */
		if (!pc->state[i] && state == 3 && now_ms < pc->start_ms + PEER_STALE_NS / 1000000)
			continue;
		if (state != pc->state[i])
			fprintf(stderr, "newipd %s: link %s: %s%s (endpoint %s)\n", n->cfg.node,
				l->cfg.name, problem ? "down: " : "up", problem ? problem : "", ep);
		else if (!problem && memcmp(&v.ep, &pc->ep[i], sizeof(v.ep)))
			fprintf(stderr, "newipd %s: link %s: endpoint moved to %s\n", n->cfg.node,
				l->cfg.name, ep);
		pc->state[i] = state;
		pc->ep[i] = v.ep;
	}
}
