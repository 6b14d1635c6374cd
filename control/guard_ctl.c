/*
 * The guard's control plane (docs/spec.md §6.5, §6.6, §11.2).
 *
 * Registration: a node with a key and a self-certifying address registers on each of its
 * links; a router answers on its source-checked links. Shut-off: the victim signs a request
 * for the latest packet it got from the source; the source's first hop checks it, cheapest
 * check first, installs the filter and answers. The data plane sees both through one
 * published snapshot (struct guard).
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../lib/bytes.h"
#include "clock.h"
#include "guard_ctl.h"
#include "node.h"
#include "zero.h"

#define REG_RETRY_MIN_MS 1000
#define REG_RETRY_MAX_MS 30000
#define REQ_RETRY_MS 1000
#define REQ_TRIES 3

/* ---- publishing ---- */

static void publish(struct guard_ctl *g)
{
	struct dp *dp = &g->n->dp;
	struct guard *s = calloc(1, sizeof(*s)), *old;

	if (!s) {
		fprintf(stderr, "newipd %s: out of memory for the guard's tables; kept the old ones\n",
			g->n->cfg.node);
		return;
	}
	for (unsigned i = 0; i < GUARD_MAX_SESS; i++)
		if (g->sess[i].used)
			s->sess[s->n_sess++] = g->sess[i].s;
	for (unsigned i = 0; i < GUARD_MAX_FILT; i++)
		if (g->filt[i].used)
			s->filt[s->n_filt++] = g->filt[i].f;
	for (unsigned i = 0; i < dp->n_links && i < GUARD_LINKS; i++)
		if (g->host[i].state == GC_HOST_REGISTERED) {
			s->up[i].key_id = g->host[i].key_id;
			memcpy(s->up[i].key, g->host[i].key, NIP_AUTH_KEY_LEN);
			s->up[i].addr = g->host[i].addr;
			s->tag_out = true;
		}
	guard_index(s);
	old = atomic_exchange(&dp->guard, s);
	if (old) {
		ctl_grace_period(dp);
		sodium_memzero(old, sizeof(*old));
		free(old);
	}
	g->dirty = false;
}

int guard_ctl_init(struct guard_ctl *g, struct node *n, char *err, size_t errlen)
{
	const struct config *c = &n->cfg;
	struct guard_state *gs = n->dp.gs;

	zero_fill(g, sizeof(*g));
	g->n = n;
	g->self = config_selfcert(c);
	for (unsigned i = 0; i < c->n_links && i < GUARD_LINKS; i++) {
		tb_fill(&g->verify[i], GC_VERIFY_BURST);
		tb_fill(&gs->punt[i], PUNT_BURST);
		gs->check[i] = (enum src_check)c->links[i].src_check;
		gs->any_check |= gs->check[i] != SRC_CHECK_OFF;
		if (g->self) {
			g->host[i].state = GC_HOST_TRYING;
			g->host[i].backoff_ms = REG_RETRY_MIN_MS;
		}
	}
	gs->keep_recent = g->self != NULL;
	if (gs->any_check && dcache_init(&gs->dc, c->dcache_pps) < 0) {
		snprintf(err, errlen, "out of memory for the digest cache (digest-cache %llu)",
			 (unsigned long long)c->dcache_pps);
		return -1;
	}
	rl_init(&g->ack_rl, c->ncmp_rate, c->ncmp_rate, (uint64_t)mono_ns());
	publish(g);
	return 0;
}

void guard_ctl_free(struct guard_ctl *g)
{
	sodium_memzero(g->host, sizeof(g->host));
	sodium_memzero(g->sess, sizeof(g->sess));
}

/* ---- building and sending ---- */

/* The link a packet from src to dst (Flow Label 0) will leave by, or -1. The route and its
 * flow hash read only the addresses and the label, so no packet needs building for it. The
 * control thread publishes the FIB, so reading the current one here is safe. */
static int out_link(const struct dp *dp, const struct nip_addr *src, const struct nip_addr *dst)
{
	const struct fwd *f = atomic_load(&dp->fwd);
	const struct nip_pkt v = { .dst = dst->b, .dst_len = dst->len, .src = src->b,
				   .src_len = src->len };
	const struct nh_group *grp;

	return f ? fwd_pick(f, &v, &grp) : -1;
}

/*
 * Build an NCMP message from src to dst. sign: with a signature and a replay element (the
 * node's key). For a routed message from a registered host the tag element is added with its
 * Key ID before signing (the data plane fills the tag, which the signature does not cover).
 * Sends on link, or routed when link is LINK_LOCAL. Returns 0 or -1.
 */
static int send_ncmp(struct guard_ctl *g, uint16_t link, const struct nip_addr *src,
		     const struct nip_addr *dst, bool sign, uint8_t type, uint8_t code,
		     uint32_t param, const void *body, size_t body_len)
{
	struct node *n = g->n;
	struct dp *dp = &n->dp;
	struct nip_hdr h = { .hop_limit = link == LINK_LOCAL ? DP_DEFAULT_HOP_LIMIT : 1,
			     .tc = 0xc0 };
	uint8_t pkt[PKT_BUF];
	struct nip_writer w;
	int len, out = -1;

	h.src = *src;
	h.dst = *dst;
	if (link == LINK_LOCAL) /* which link, to know whether it carries a tag */
		out = out_link(dp, src, dst);
	bool tag = out >= 0 && out < DP_MAX_LINKS && g->host[out].state == GC_HOST_REGISTERED &&
		   nip_addr_eq(&g->host[out].addr, src);
	nip_w_init(&w, pkt, sizeof(pkt), &h);
	if (sign || tag) {
		nip_w_security_begin(&w);
		if (tag)
			nip_w_auth(&w, g->host[out].key_id);
		if (sign) {
			uint32_t nonce;
			randombytes_buf(&nonce, sizeof(nonce));
			nip_w_sig(&w, n->cfg.id.pk);
			nip_w_replay(&w, real_ns(), nonce);
		}
		nip_w_block_end(&w);
	}
	len = nip_ncmp_finish(&w, type, code, param, body, body_len);
	if (len < 0 || (sign && nip_sec_sign(pkt, (size_t)len, n->cfg.id.sk) < 0))
		return -1;
	if (!ring_push(&dp->from_ctl, false, link, 0, 0, pkt, (size_t)len))
		return -1;
	dp_wake(dp);
	return 0;
}

static const struct nip_addr link_all = { .len = 1 }; /* x00 */

/* ---- registration, the host's side ---- */

static void host_register(struct guard_ctl *g, uint16_t link, uint64_t now_ms)
{
	struct gc_host *h = &g->host[link];

	randombytes_buf(h->nonce, sizeof(h->nonce));
	if (send_ncmp(g, link, g->self, &link_all, true, NCMP_REGISTER, 0, 0, h->nonce,
		      NCMP_REGISTER_BODY) == 0)
		g->st.reg_sent++;
	h->next_ms = now_ms + h->backoff_ms;
	h->backoff_ms = h->backoff_ms * 2 > REG_RETRY_MAX_MS ? REG_RETRY_MAX_MS : h->backoff_ms * 2;
}

static void host_ack(struct guard_ctl *g, uint16_t link, const struct nip_pkt *v,
		     const struct nip_ncmp *m, uint64_t now_ms)
{
	struct gc_host *h = &g->host[link];
	struct nip_register_ack a;
	struct nip_sig_elem se;

	if (!g->self || h->state == GC_HOST_OFF)
		return;
	if (nip_register_ack_decode(&a, m) < 0 || m->code != NCMP_REGISTER_ACCEPTED ||
	    memcmp(a.host_nonce, h->nonce, sizeof(h->nonce)) || nip_pkt_sig(v, &se) < 0 ||
	    nip_sec_verify_sig(v) < 0 ||
	    nip_sav_key(h->key, true, g->n->cfg.id.sk, se.pk, a.key_id, h->nonce,
			a.router_nonce) < 0) {
		g->st.reg_acks_bad++;
		return;
	}
	g->st.reg_acks++;
	h->state = GC_HOST_REGISTERED;
	h->key_id = a.key_id;
	h->lifetime_s = a.lifetime_s;
	h->addr = *g->self;
	h->registered_ms = now_ms;
	h->backoff_ms = REG_RETRY_MIN_MS;
	h->next_ms = now_ms + (uint64_t)a.lifetime_s * 500; /* again after half the lifetime */
	randombytes_buf(h->nonce, sizeof(h->nonce));	   /* this one is spent */
	fprintf(stderr, "newipd %s: link %s: registered with the first-hop router (key id %08x, "
		"%u s)\n", g->n->cfg.node, g->n->dp.links[link].cfg.name, a.key_id, a.lifetime_s);
	publish(g);
}

/* Our tags failed at the first hop: it lost our registration (a restart). Register again
 * now on every link (the error may come back by another), once per second at most. */
static void host_auth_failed(struct guard_ctl *g, uint64_t now_ms)
{
	for (unsigned i = 0; i < g->n->dp.n_links; i++) {
		struct gc_host *h = &g->host[i];
		if (h->state != GC_HOST_REGISTERED || now_ms < h->registered_ms + 1000)
			continue;
		h->state = GC_HOST_TRYING;
		h->next_ms = now_ms;
		g->dirty = true;
	}
}

/* ---- registration, the router's side ---- */

static bool replay_fresh(struct guard_ctl *g, const struct nip_pkt *v, uint64_t *h_out)
{
	struct nip_replay_elem r;
	uint64_t h, now = real_ns();
	int64_t skew;

	if (nip_pkt_replay(v, &r) < 0)
		return false;
	skew = (int64_t)(r.ts_ns - now);
	if (skew > GC_REPLAY_WINDOW_NS || skew < -GC_REPLAY_WINDOW_NS)
		return false;
	h = (uint64_t)guard_addr_hash(v->src, v->src_len) << 32 ^ r.nonce ^ r.ts_ns * 0x9e3779b97f4a7c15ull;
	for (unsigned i = 0; i < 8; i++) {
		unsigned s = (unsigned)((h + i) % GC_REPLAY_SLOTS);
		if (g->replay[s].h == h && now - g->replay[s].ts_ns < 2 * GC_REPLAY_WINDOW_NS)
			return false;
	}
	*h_out = h;
	return true;
}

/* Remember a verified message's (source, timestamp, nonce) for the window. */
static void replay_note(struct guard_ctl *g, uint64_t h)
{
	unsigned oldest = (unsigned)(h % GC_REPLAY_SLOTS);

	for (unsigned i = 0; i < 8; i++) {
		unsigned s = (unsigned)((h + i) % GC_REPLAY_SLOTS);
		if (g->replay[s].ts_ns < g->replay[oldest].ts_ns)
			oldest = s;
	}
	g->replay[oldest].h = h;
	g->replay[oldest].ts_ns = real_ns();
}

static struct gc_sess *sess_find(struct guard_ctl *g, uint16_t link, const uint8_t *a, uint8_t len)
{
	for (unsigned i = 0; i < GUARD_MAX_SESS; i++)
		if (g->sess[i].used && g->sess[i].s.link == link && g->sess[i].s.addr.len == len &&
		    !memcmp(g->sess[i].s.addr.b, a, len))
			return &g->sess[i];
	return NULL;
}

static bool key_id_used(const struct guard_ctl *g, uint32_t id)
{
	for (unsigned i = 0; i < GUARD_MAX_SESS; i++)
		if (g->sess[i].used && g->sess[i].s.key_id == id)
			return true;
	return false;
}

static void router_register(struct guard_ctl *g, uint16_t link, const struct nip_pkt *v,
			    const struct nip_ncmp *m, uint64_t now_ms)
{
	struct nip_register_ack a = { .lifetime_s = GC_LIFETIME_S };
	uint8_t body[NCMP_REGISTER_ACK_BODY];
	struct nip_sig_elem se;
	struct gc_sess *s;
	uint64_t rh;
	char who[NIP_ADDR_STRLEN];

	if (!g->n->dp.gs->check[link] || !g->n->cfg.has_key)
		return; /* not a first hop here: registrations are someone else's */
	if (nip_register_decode(a.host_nonce, m) < 0 || !replay_fresh(g, v, &rh) ||
	    nip_pkt_sig(v, &se) < 0 || nip_sec_verify(v) < 0) {
		g->st.reg_refused++;
		struct nip_addr src;
		nip_pkt_src(v, &src);
		nip_addr_format(&src, who, sizeof(who));
		fprintf(stderr, "newipd %s: link %s: registration from %s refused (signature, "
			"self-certification or replay check failed)\n", g->n->cfg.node,
			g->n->dp.links[link].cfg.name, who);
		return;
	}
	replay_note(g, rh);
	if (!(s = sess_find(g, link, v->src, v->src_len))) {
		for (unsigned i = 0; i < GUARD_MAX_SESS && !s; i++)
			if (!g->sess[i].used)
				s = &g->sess[i];
		if (!s) {
			g->st.reg_refused++;
			return;
		}
	}
	do
		randombytes_buf(&a.key_id, sizeof(a.key_id));
	while (!a.key_id || key_id_used(g, a.key_id));
	randombytes_buf(a.router_nonce, sizeof(a.router_nonce));
	memset(s, 0, sizeof(*s));
	if (nip_sav_key(s->s.key, false, g->n->cfg.id.sk, se.pk, a.key_id, a.host_nonce,
			a.router_nonce) < 0) {
		g->st.reg_refused++;
		return;
	}
	s->used = true;
	s->s.key_id = a.key_id;
	s->s.link = link;
	nip_addr_set(&s->s.addr, v->src, v->src_len);
	s->s.expires_ns = mono_ns() + (uint64_t)(GC_LIFETIME_S + 30) * 1000000000ull;
	s->registered_ms = now_ms;
	g->st.reg_accepted++;
	publish(g); /* before the answer: the host's first tagged packet must find its key */
	nip_register_ack_encode(body, &a);
	struct nip_addr src = g->n->cfg.addrs[0];
	send_ncmp(g, link, &src, &link_all, true, NCMP_REGISTER_ACK, NCMP_REGISTER_ACCEPTED,
		  a.key_id, body, sizeof(body));
}

/* ---- shut-off, the source's first hop ---- */

static struct gc_filter *filter_find(struct guard_ctl *g, bool victim, const struct nip_addr *src,
				     const struct nip_addr *dst)
{
	for (unsigned i = 0; i < GUARD_MAX_FILT; i++) {
		struct gc_filter *f = &g->filt[i];
		if (f->used && f->f.victim == victim && nip_addr_eq(&f->f.src, src) &&
		    nip_addr_eq(&f->f.dst, dst))
			return f;
	}
	return NULL;
}

static struct gc_filter *filter_new(struct guard_ctl *g)
{
	for (unsigned i = 0; i < GUARD_MAX_FILT; i++)
		if (!g->filt[i].used) {
			struct gc_filter *f = &g->filt[i];
			memset(f, 0, sizeof(*f));
			f->used = true;
			f->f.slot = (uint16_t)i;
			f->base_hits = STAT_READ(g->n->dp.gs->filt_hits[i]);
			return f;
		}
	return NULL;
}

static void answer(struct guard_ctl *g, const struct nip_pkt *v, uint32_t req_id, uint8_t code,
		   uint16_t granted)
{
	uint8_t body[4] = { (uint8_t)(granted >> 8), (uint8_t)granted, 0, 0 };
	struct nip_addr to;

	g->st.req_code[code]++;
	nip_pkt_src(v, &to);
	if (code != NCMP_SHUTOFF_INSTALLED && !rl_allow(&g->ack_rl, to.b, to.len, mono_ns()))
		return; /* refusals are rate limited per requester, like errors */
	send_ncmp(g, LINK_LOCAL, dp_source_for(&g->n->dp, to.len), &to, false, NCMP_SHUTOFF_ACK,
		  code, req_id, body, sizeof(body));
}

static void edge_request(struct guard_ctl *g, uint16_t link, const struct nip_pkt *v,
			 const struct nip_ncmp *m)
{
	struct dp *dp = &g->n->dp;
	struct nip_shutoff_req r;
	struct nip_addr o, vic;
	const struct guard *gd = atomic_load(&dp->guard);
	const struct sav_sess *s;
	uint64_t now = mono_ns(), rh;
	int rc, olink;

	g->st.req_received++;
	nip_pkt_dst(v, &o);
	nip_pkt_src(v, &vic);
	if ((rc = nip_shutoff_req_decode(&r, m)) < 0 && rc != NIP_E_BAD_ITEM) {
		g->st.req_malformed++;
		return;
	}
	if (rc < 0 || r.duration_s == 0 || r.duration_s > NCMP_SHUTOFF_MAX_S)
		return answer(g, v, m->param, NCMP_SHUTOFF_DURATION, 0);
	if (!replay_fresh(g, v, &rh))
		return answer(g, v, m->param, NCMP_SHUTOFF_REPLAY, 0);
	if (!dcache_lookup(&dp->gs->dc, r.digest, dcache_pair_hash(o.b, o.len, vic.b, vic.len), now))
		return answer(g, v, m->param, NCMP_SHUTOFF_UNKNOWN_PKT, 0);
	if (!tb_allow(&g->verify[link], g->n->cfg.verify_rate, GC_VERIFY_BURST, now))
		return answer(g, v, m->param, NCMP_SHUTOFF_RATE, 0);
	struct nip_sig_elem se;
	if (nip_sec_verify_sig(v) < 0 || nip_pkt_sig(v, &se) < 0) /* the one Ed25519 check */
		return answer(g, v, m->param, NCMP_SHUTOFF_BAD_SIG, 0);
	if (!nip_addr_is_selfcert(v->src, v->src_len, se.pk))
		return answer(g, v, m->param, NCMP_SHUTOFF_NOT_SELFCERT, 0);
	replay_note(g, rh);
	s = gd ? guard_sess_by_addr(gd, o.b, o.len) : NULL;
	olink = s ? s->link : savi_link(dp->gs, o.b, o.len, now);
	if (olink < 0) /* the binding lapsed between the data plane's check and ours */
		return answer(g, v, m->param, NCMP_SHUTOFF_UNKNOWN_PKT, 0);
	uint32_t granted = r.duration_s < g->n->cfg.shutoff_max_s ? r.duration_s :
								     g->n->cfg.shutoff_max_s;
	struct gc_filter *f = filter_find(g, false, &o, &vic);
	if (!f && !(f = filter_new(g)))
		return answer(g, v, m->param, NCMP_SHUTOFF_RATE, 0); /* full: try later */
	f->f.src = o;
	f->f.dst = vic;
	f->f.link = (uint16_t)olink;
	f->f.victim = false;
	f->f.expires_ns = now + (uint64_t)granted * 1000000000ull;
	f->granted_s = granted;
	f->state = GC_INSTALLED;
	memcpy(f->digest, r.digest, 16);
	publish(g);
	char so[NIP_ADDR_STRLEN], sv[NIP_ADDR_STRLEN];
	nip_addr_format(&o, so, sizeof(so));
	nip_addr_format(&vic, sv, sizeof(sv));
	fprintf(stderr, "newipd %s: shut-off installed on link %s: %s -> %s for %u s (asked by "
		"the victim)\n", g->n->cfg.node, dp->links[olink].cfg.name, so, sv, granted);
	answer(g, v, m->param, NCMP_SHUTOFF_INSTALLED, (uint16_t)granted);
}

/* ---- shut-off, the victim's side ---- */

static void send_request(struct guard_ctl *g, struct gc_filter *f, uint64_t now_ms)
{
	struct nip_shutoff_req r = { .duration_s = (uint16_t)f->duration_s, .digest_alg = 1 };
	uint8_t body[NCMP_SHUTOFF_BODY];

	memcpy(r.digest, f->digest, 16);
	nip_shutoff_req_encode(body, &r);
	if (send_ncmp(g, LINK_LOCAL, &f->f.dst, &f->f.src, true, NCMP_SHUTOFF_REQUEST, 0,
		      f->req_id, body, sizeof(body)) == 0)
		g->st.req_sent++;
	f->sent_ms = now_ms;
	f->sent_ns = mono_ns();
	f->tries++;
}

const struct gc_filter *guard_ctl_shutoff(struct guard_ctl *g, const struct nip_addr *src,
					  uint32_t duration_s, bool automatic, char *err,
					  size_t errlen)
{
	struct dp *dp = &g->n->dp;
	struct nip_addr dst;
	uint8_t digest[16];
	uint64_t when;
	char s[NIP_ADDR_STRLEN];
	struct gc_filter *f;

	nip_addr_format(src, s, sizeof(s));
	if (!g->self) {
		snprintf(err, errlen, "this node has no key and self-certifying address; shut-off "
			 "needs both ('key FILE' and 'address auto PREFIX' in newipd.conf)");
		return NULL;
	}
	if (duration_s == 0 || duration_s > NCMP_SHUTOFF_MAX_S) {
		snprintf(err, errlen, "duration %u s out of range; use 1 to %d seconds", duration_s,
			 NCMP_SHUTOFF_MAX_S);
		return NULL;
	}
	if (!recent_get(dp->gs, src, &dst, digest, &when) ||
	    mono_ns() - when > DCACHE_GEN_NS) {
		snprintf(err, errlen, "no packet from %s in the last second; shut-off names a packet "
			 "the source really sent (docs/spec.md §6.5)", s);
		return NULL;
	}
	if (!nip_addr_is_selfcert(dst.b, dst.len, g->n->cfg.id.pk)) {
		char d[NIP_ADDR_STRLEN];
		nip_addr_format(&dst, d, sizeof(d));
		snprintf(err, errlen, "%s sends to %s, which is not self-certifying for this node's "
			 "key; only such an address can prove it is the victim", s, d);
		return NULL;
	}
	f = filter_find(g, true, src, &dst);
	if (!f && !(f = filter_new(g))) {
		snprintf(err, errlen, "%d shut-offs already; wait for one to end", GUARD_MAX_FILT);
		return NULL;
	}
	f->f.src = *src;
	f->f.dst = dst;
	f->f.link = LINK_LOCAL;
	f->f.victim = true;
	f->f.expires_ns = UINT64_MAX;
	f->state = GC_PENDING;
	f->automatic = automatic;
	f->duration_s = duration_s;
	f->tries = 0;
	f->created_ms = lsr_now_ms();
	memcpy(f->digest, digest, 16);
	randombytes_buf(&f->req_id, sizeof(f->req_id));
	send_request(g, f, f->created_ms);
	publish(g);
	return f;
}

static void victim_ack(struct guard_ctl *g, const struct nip_ncmp *m, uint64_t now_ms)
{
	uint16_t granted;

	g->st.acks_received++;
	if (nip_shutoff_ack_decode(&granted, m) < 0)
		return;
	for (unsigned i = 0; i < GUARD_MAX_FILT; i++) {
		struct gc_filter *f = &g->filt[i];
		if (!f->used || !f->f.victim || f->req_id != m->param)
			continue;
		f->code = m->code;
		f->acked_ms = now_ms;
		f->rtt_ms = (double)(mono_ns() - f->sent_ns) / 1e6;
		if (m->code == NCMP_SHUTOFF_INSTALLED) {
			f->state = GC_INSTALLED;
			f->granted_s = granted;
			f->f.expires_ns = mono_ns() + (uint64_t)granted * 1000000000ull;
			f->base_hits = STAT_READ(g->n->dp.gs->filt_hits[i]);
		} else {
			f->state = GC_REFUSED;
			f->f.expires_ns = mono_ns() + 10ull * 1000000000u; /* shown a while */
		}
		g->dirty = true;
		return;
	}
}

/* ---- input, timers ---- */

void guard_ctl_rx(struct guard_ctl *g, uint16_t link, const uint8_t *pkt, size_t len,
		  uint64_t now_ms)
{
	struct nip_pkt v;
	struct nip_ncmp m;

	if (nip_pkt_parse(&v, pkt, len) < 0 || nip_ncmp_parse(&m, &v) < 0) {
		g->st.req_malformed++;
		return;
	}
	bool scoped = v.dst_len == 1 && v.dst[0] == 0;
	switch (m.type) {
	case NCMP_REGISTER:
		if (scoped && link < g->n->dp.n_links)
			router_register(g, link, &v, &m, now_ms);
		break;
	case NCMP_REGISTER_ACK:
		if (scoped && link < g->n->dp.n_links)
			host_ack(g, link, &v, &m, now_ms);
		break;
	case NCMP_SHUTOFF_REQUEST:
		if (link < g->n->dp.n_links && g->n->dp.gs->any_check &&
		    !dp_is_local(&g->n->dp, v.dst, v.dst_len))
			edge_request(g, link, &v, &m);
		else
			g->st.not_intercepted++; /* no first hop acted on it: it has no effect */
		break;
	case NCMP_SHUTOFF_ACK:
		victim_ack(g, &m, now_ms);
		break;
	case NCMP_UNREACH:
		if (m.code == NCMP_UNREACH_AUTH)
			host_auth_failed(g, now_ms);
		break;
	default:
		break;
	}
}

static void flood_guard(struct guard_ctl *g)
{
	struct hh_entry top[HH_TOP];
	uint64_t total, end_ns;
	unsigned n = hh_read(&g->n->dp.gs->hh, top, &total, &end_ns);
	char err[256];

	if (mono_ns() - end_ns > 2 * HH_WINDOW_NS)
		return; /* nothing recent: the window closes only when packets come */
	for (unsigned i = 0; i < n; i++) {
		uint64_t pps = (uint64_t)top[i].count * (1000000000ull / HH_WINDOW_NS);
		if (pps <= g->n->cfg.flood_pps)
			break; /* heaviest first */
		struct nip_addr dst;
		uint8_t d[16];
		uint64_t when;
		if (!recent_get(g->n->dp.gs, &top[i].src, &dst, d, &when))
			continue;
		struct gc_filter *f = filter_find(g, true, &top[i].src, &dst);
		if (f && (f->state == GC_PENDING || f->state == GC_INSTALLED))
			continue;
		if (guard_ctl_shutoff(g, &top[i].src, g->n->cfg.flood_s, true, err, sizeof(err))) {
			char s[NIP_ADDR_STRLEN];
			nip_addr_format(&top[i].src, s, sizeof(s));
			g->st.auto_shutoffs++;
			fprintf(stderr, "newipd %s: flood guard: %s sends %llu packets/s (threshold %u); "
				"shut-off requested for %u s\n", g->n->cfg.node, s,
				(unsigned long long)pps, g->n->cfg.flood_pps, g->n->cfg.flood_s);
		}
	}
}

void guard_ctl_tick(struct guard_ctl *g, uint64_t now_ms)
{
	uint64_t now = mono_ns();

	for (unsigned i = 0; g->self && i < g->n->dp.n_links; i++) {
		struct gc_host *h = &g->host[i];
		if (h->state != GC_HOST_OFF && now_ms >= h->next_ms) {
			if (h->state == GC_HOST_REGISTERED &&
			    now_ms >= h->registered_ms + (uint64_t)h->lifetime_s * 1000) {
				h->state = GC_HOST_TRYING; /* expired unanswered: stop tagging */
				g->dirty = true;
			}
			host_register(g, (uint16_t)i, now_ms);
		}
	}
	if (now_ms >= g->next_expiry_ms) { /* ten times a second is fine for seconds-long state */
		g->next_expiry_ms = now_ms + 100;
		for (unsigned i = 0; i < GUARD_MAX_SESS; i++)
			if (g->sess[i].used && g->sess[i].s.expires_ns <= now) {
				sodium_memzero(&g->sess[i], sizeof(g->sess[i]));
				g->dirty = true;
			}
		for (unsigned i = 0; i < GUARD_MAX_FILT; i++) {
			struct gc_filter *f = &g->filt[i];
			if (!f->used)
				continue;
			if (f->f.expires_ns <= now) {
				f->used = false;
				g->dirty = true;
			} else if (f->f.victim && f->state == GC_PENDING &&
				   now_ms >= f->sent_ms + REQ_RETRY_MS) {
				if (f->tries < REQ_TRIES) {
					uint8_t d[16];
					struct nip_addr dst;
					uint64_t when;
					/* a fresher packet if there is one: the old may have aged out */
					if (recent_get(g->n->dp.gs, &f->f.src, &dst, d, &when) &&
					    nip_addr_eq(&dst, &f->f.dst))
						memcpy(f->digest, d, 16);
					send_request(g, f, now_ms);
				} else {
					f->state = GC_NO_ANSWER;
					f->f.expires_ns = now + 10ull * 1000000000u;
				}
			}
		}
	}
	if (g->n->cfg.flood_guard && now_ms >= g->next_flood_ms) {
		g->next_flood_ms = now_ms + HH_WINDOW_NS / 1000000;
		flood_guard(g);
	}
	if (g->dirty)
		publish(g);
}
