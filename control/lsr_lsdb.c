/* NLS link-state database: origination, reliable flooding, acknowledgements, ageing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "lsr.h"
#include "node.h"

#define LSU_BUDGET 1100 /* LSAs per update message, so packets stay under the 1280 minimum MTU */

static uint32_t origin_hash(uint64_t origin)
{
	return (uint32_t)((origin * 0x9e3779b97f4a7c15ull) >> 32);
}

static uint32_t entry_hash(const void *lsr, uint32_t pos)
{
	return origin_hash(((const struct lsr *)lsr)->db[pos]->lsa.origin);
}

/* The index slot holding origin, or the empty one where it would go. */
static size_t slot_at(const struct lsr *l, uint64_t origin)
{
	size_t s = posidx_home(&l->idx, origin_hash(origin));

	while (l->idx.slot[s] && l->db[l->idx.slot[s] - 1]->lsa.origin != origin)
		s = posidx_next(&l->idx, s);
	return s;
}

int lsdb_index(const struct lsr *l, uint64_t origin)
{
	return l->idx.slot ? (int)l->idx.slot[slot_at(l, origin)] - 1 : -1;
}

struct lsdb_entry *lsdb_find(const struct lsr *l, uint64_t origin)
{
	int i = lsdb_index(l, origin);

	return i < 0 ? NULL : l->db[i];
}

const char *lsdb_name(const struct lsr *l, uint64_t origin)
{
	const struct lsdb_entry *e = lsdb_find(l, origin);

	return e ? e->lsa.name : "?";
}

/* Room for one more entry: the array doubles, the index stays at most half full. */
static int grow(struct lsr *l)
{
	if (l->n_db == l->cap_db) {
		unsigned cap = l->cap_db ? 2 * l->cap_db : 64;
		struct lsdb_entry **db = realloc(l->db, cap * sizeof(*db));
		if (!db)
			return -1;
		l->db = db, l->cap_db = cap;
	}
	return posidx_grow(&l->idx, l->n_db, entry_hash, l);
}

static uint32_t max_age(const struct lsr *l)
{
	uint32_t m = 3 * l->refresh_s;
	return m > 0xffff ? 0xffff : m;
}

uint16_t lsdb_age(const struct lsr *l, const struct lsdb_entry *e, uint64_t now)
{
	uint64_t a = e->age0 + (now - e->installed_ms) / 1000;
	return (uint16_t)(a > max_age(l) ? max_age(l) : a);
}

static void remove_entry(struct lsr *l, uint64_t origin)
{
	size_t h = slot_at(l, origin);
	int i = (int)l->idx.slot[h] - 1;
	unsigned last;
	struct lsdb_entry *e;

	if (i < 0)
		return;
	e = l->db[i];
	for (unsigned w = 0; w < DP_MAX_LINKS / 64; w++) /* no longer pending anywhere */
		for (uint64_t m = e->pend[w]; m; m &= m - 1)
			l->nbr[64 * w + (unsigned)__builtin_ctzll(m)].n_pending--;
	posidx_clear(&l->idx, h, entry_hash, l);
	free(e);
	last = --l->n_db;
	if ((unsigned)i != last) { /* the last entry takes its place */
		l->db[i] = l->db[last];
		l->idx.slot[slot_at(l, l->db[i]->lsa.origin)] = (uint32_t)i + 1;
	}
}

/* SPF runs LSR_SPF_DELAY_MS after a change (more changes of the same event arrive meanwhile),
 * and no sooner than the hold after the previous run: the hold doubles with each run that
 * comes within 1 s of the one before, up to LSR_SPF_HOLD_MAX_MS, and starts again from the
 * delay after a quiet second (lsr_tick). A lab of hundreds of routers on two cores floods
 * each node with hundreds of LSAs at start: one SPF for each would leave no time for them. */
static void schedule_spf(struct lsr *l, uint64_t now)
{
	if (!l->spf_due_ms) {
		uint64_t due = now + LSR_SPF_DELAY_MS, held = l->spf_ran_ms + l->spf_hold_ms;
		l->spf_due_ms = due > held ? due : held;
	}
}

struct lsdb_entry *lsdb_install(struct lsr *l, const struct nls_lsa *lsa, const uint8_t *b,
				uint16_t len, uint64_t now)
{
	int i = lsdb_index(l, lsa->origin);
	struct lsdb_entry *e = i < 0 ? NULL : l->db[i];

	if (!e) {
		if (grow(l) < 0 || !(e = calloc(1, sizeof(*e) + len)))
			return NULL;
		e->cap = len;
		e->lsa.origin = lsa->origin;
		l->db[l->n_db] = e;
		l->idx.slot[slot_at(l, lsa->origin)] = ++l->n_db;
	} else if (e->cap < len) { /* the origin has more links or addresses now */
		struct lsdb_entry *bigger = realloc(e, sizeof(*e) + len);
		if (!bigger)
			return NULL;
		l->db[i] = e = bigger;
		e->cap = len;
	}
	e->installed_ms = now;
	e->age0 = lsa->age;
	e->len = len;
	e->lsa = *lsa;
	memcpy(e->bytes, b, len);
	schedule_spf(l, now);
	return e;
}

/* To be sent to the neighbour on link (again at the next flush); e may be NULL (gone). */
static void pend(struct lsr *l, uint16_t link, struct lsdb_entry *e)
{
	if (e && !(e->pend[link / 64] >> (link % 64) & 1)) {
		e->pend[link / 64] |= 1ull << (link % 64);
		l->nbr[link].n_pending++;
	}
	l->nbr[link].next_rxmt_ms = 0; /* send at the next flush */
}

static void unpend(struct lsr *l, uint16_t link, struct lsdb_entry *e)
{
	if (e && e->pend[link / 64] >> (link % 64) & 1) {
		e->pend[link / 64] &= ~(1ull << (link % 64));
		l->nbr[link].n_pending--;
	}
}

void lsdb_unpend_link(struct lsr *l, uint16_t link)
{
	for (unsigned i = 0; i < l->n_db; i++)
		l->db[i]->pend[link / 64] &= ~(1ull << (link % 64));
	l->nbr[link].n_pending = 0;
}

void lsdb_free(struct lsr *l)
{
	for (unsigned i = 0; i < l->n_db; i++)
		free(l->db[i]);
	free(l->db);
	posidx_free(&l->idx);
	l->db = NULL;
	l->n_db = l->cap_db = 0;
}

/* Flood to every two-way neighbour but the one it came from (except = -1: to all). */
static void flood(struct lsr *l, struct lsdb_entry *e, int except)
{
	for (unsigned i = 0; i < l->node->dp.n_links; i++)
		if ((int)i != except && l->nbr[i].state == NBR_TWOWAY)
			pend(l, (uint16_t)i, e);
}

void lsdb_sync_nbr(struct lsr *l, uint16_t link)
{
	for (unsigned i = 0; i < l->n_db; i++)
		pend(l, link, l->db[i]);
}

void lsdb_originate(struct lsr *l, uint64_t now)
{
	const struct dp *dp = &l->node->dp;
	struct nls_lsa lsa = { .origin = l->rid };
	uint8_t b[LSR_LSA_MAX];

	l->originate_due = l->latency_due = false;
	if (l->my_seq >= LSR_SEQ_MAX) { /* wrap: purge the old sequence space, start again */
		struct lsdb_entry *e = lsdb_find(l, l->rid);
		if (e) {
			nls_lsa_set_age(e->bytes, (uint16_t)max_age(l));
			e->age0 = (uint16_t)max_age(l);
			e->installed_ms = now;
			flood(l, e, -1);
		}
		l->my_seq = 0;
	}
	lsa.seq = ++l->my_seq;
	snprintf(lsa.name, sizeof(lsa.name), "%s", l->node->cfg.node);
	for (unsigned i = 0; i < dp->n_links && lsa.n_links < NLS_MAX_LINKS; i++)
		if (l->nbr[i].state == NBR_TWOWAY) {
			l->nbr[i].adv_lat_us = nbr_latency(l, (uint16_t)i);
			lsa.links[lsa.n_links].nbr = l->nbr[i].rid;
			lsa.links[lsa.n_links].latency_us = l->nbr[i].adv_lat_us;
			lsa.links[lsa.n_links++].metric = l->metric[i];
		}
	for (unsigned i = 0; i < dp->n_addrs && i < NLS_MAX_PREFIXES; i++) {
		lsa.prefixes[i].addr = dp->addrs[i];
		lsa.prefixes[i].plen = (uint16_t)(8u * dp->addrs[i].len);
		lsa.n_prefixes++;
	}
	/* The prefixes behind this node's gateways: routes into a TUN link (IP, spec §12) or an
	 * LPWAN link (its devices, §13.4). */
	const struct config *c = &l->node->cfg;
	for (unsigned i = 0; i < c->n_routes && lsa.n_prefixes < NLS_MAX_PREFIXES; i++) {
		int k = config_link(c, c->routes[i].via);
		if (k >= 0 && !link_kind_routed(c->links[k].kind))
			lsa.prefixes[lsa.n_prefixes++] = c->routes[i].prefix;
	}
	int n = nls_lsa_encode(b, sizeof(b), &lsa);
	if (n > 0 && l->auth) { /* spec §9.1: signed by us, the origin */
		lsa.is_signed = true;
		lsa.signed_at = (uint32_t)(real_ns() / 1000000000u);
		memcpy(lsa.origin_pk, l->node->cfg.id.pk, sizeof(lsa.origin_pk));
		n = nls_lsa_sign(b, sizeof(b), (size_t)n, lsa.signed_at, lsa.origin_pk,
				 l->node->cfg.id.sk);
	}
	if (n < 0) {
		fprintf(stderr, "newipd %s: our LSA does not fit in %d octets (%d links, %d "
			"addresses): not originated\n", l->node->cfg.node, LSR_LSA_MAX, lsa.n_links,
			lsa.n_prefixes);
		return;
	}
	struct lsdb_entry *e = lsdb_install(l, &lsa, b, (uint16_t)n, now);
	if (!e)
		return;
	l->my_lsa_ms = now;
	l->st.originated++;
	flood(l, e, -1);
}

static uint16_t csum_of(const uint8_t *lsa)
{
	return (uint16_t)(lsa[16] << 8 | lsa[17]);
}

/* Is the received LSA newer than the stored one? Higher sequence; for equal sequences with
 * different contents (a restarted origin reused a number), the larger checksum (spec §9). */
static int compare(const struct nls_lsa *lsa, const uint8_t *b, const struct lsdb_entry *e)
{
	if (lsa->seq != e->lsa.seq)
		return lsa->seq > e->lsa.seq ? 1 : -1;
	return csum_of(b) == csum_of(e->bytes) ? 0 : csum_of(b) > csum_of(e->bytes) ? 1 : -1;
}

/* With authentication on, the origin's signature of an LSA we would act on (spec §9.1). */
static bool authentic(struct lsr *l, uint16_t link, const struct nls_lsa *lsa, const uint8_t *b,
		      uint16_t len, uint64_t now)
{
	return !l->auth || lsr_auth_lsa(l, link, lsa, b, len, max_age(l), now);
}

/* An LSA of ours came back. If the network holds a newer or different one under our current
 * sequence (we restarted), continue past it so our next LSA supersedes it (spec §9). */
static bool own_lsa_rx(struct lsr *l, uint16_t link, struct lsdb_entry *mine,
		       const struct nls_lsa *lsa, const uint8_t *b, uint16_t len, uint64_t now)
{
	/* Our current LSA comes back around every ring unchanged: an implicit ack, no news. */
	if (mine && lsa->seq == l->my_seq && csum_of(b) == csum_of(mine->bytes)) {
		unpend(l, link, mine);
		return true;
	}
	/* An older copy (the neighbour's database sync): it still needs our current one. */
	if (lsa->seq < l->my_seq) {
		l->st.stale++;
		pend(l, link, mine);
		return true;
	}
	if (!authentic(l, link, lsa, b, len, now))
		return false;
	if (lsa->seq < LSR_SEQ_MAX) {
		l->my_seq = lsa->seq;
		l->originate_due = true;
	}
	return true;
}

/* One received LSA (spec §9 flooding). Returns false when it is refused (not acknowledged,
 * so a neighbour that keeps sending it keeps being told in the log). */
static bool lsa_rx(struct lsr *l, uint16_t link, const struct nls_lsa *lsa, const uint8_t *b,
		   uint16_t len, uint64_t now)
{
	struct lsdb_entry *e = lsdb_find(l, lsa->origin);
	int cmp = e ? compare(lsa, b, e) : 1;

	if (lsa->origin == l->rid)
		return own_lsa_rx(l, link, e, lsa, b, len, now);
	if (cmp > 0) {
		if (!authentic(l, link, lsa, b, len, now))
			return false;
		if (lsa->age >= max_age(l)) { /* a purge */
			if (e) {
				remove_entry(l, lsa->origin);
				schedule_spf(l, now);
			}
			return true;
		}
		if ((e = lsdb_install(l, lsa, b, len, now)))
			flood(l, e, link);
	} else if (cmp < 0) { /* older: answer with ours */
		l->st.stale++;
		pend(l, link, e);
	} else {
		unpend(l, link, e); /* the same one: an implicit acknowledgement */
	}
	return true;
}

void lsdb_lsu_rx(struct lsr *l, uint16_t link, const uint8_t *msg, size_t len, uint64_t now)
{
	struct nls_ack acks[255];
	uint8_t out[NLS_HDR_LEN + 2 + 12 * 255];
	unsigned n = 0, count;
	size_t pos = NLS_HDR_LEN + 2;
	struct nls_lsa lsa;

	if (len < pos || msg[NLS_HDR_LEN + 1] != 0) {
		l->st.malformed++;
		return;
	}
	count = msg[NLS_HDR_LEN];
	l->st.lsu_rx++;
	for (unsigned i = 0; i < count; i++) {
		int used = nls_lsa_decode(&lsa, msg + pos, len - pos);
		if (used < 0) {
			l->st.malformed++;
			break;
		}
		if (lsa_rx(l, link, &lsa, msg + pos, (uint16_t)used, now))
			acks[n++] = (struct nls_ack){ lsa.origin, lsa.seq };
		pos += (size_t)used;
	}
	int k = n ? nls_ack_encode(out, sizeof(out), l->rid, acks, n) : -1;
	if (k > 0)
		lsr_send(l, link, out, (size_t)k);
}

void lsdb_ack_rx(struct lsr *l, uint16_t link, const uint8_t *msg, size_t len)
{
	struct nls_ack a[255];
	int n = nls_ack_decode(a, 255, msg, len);

	if (n < 0) {
		l->st.malformed++;
		return;
	}
	l->st.ack_rx++;
	for (int i = 0; i < n; i++) {
		struct lsdb_entry *e = lsdb_find(l, a[i].origin);
		if (!e || a[i].seq >= e->lsa.seq) /* an ack for an older one does not count */
			unpend(l, link, e);
	}
}

/* Send a neighbour everything pending for it, as many update messages as it takes. */
static void send_pending(struct lsr *l, uint16_t link, uint64_t now)
{
	struct lsr_nbr *nb = &l->nbr[link];
	uint8_t msg[NLS_HDR_LEN + 2 + LSU_BUDGET + LSR_LSA_MAX];
	size_t pos = NLS_HDR_LEN + 2;
	unsigned count = 0;

	for (unsigned i = 0; i <= l->n_db; i++) {
		struct lsdb_entry *e = i < l->n_db ? l->db[i] : NULL;
		if (e && !(e->pend[link / 64] >> (link % 64) & 1))
			continue;
		if (count && (!e || pos + e->len > NLS_HDR_LEN + 2 + LSU_BUDGET || count == 255)) {
			nls_put_hdr(msg, NLS_LSU, (uint16_t)pos, l->rid);
			msg[NLS_HDR_LEN] = (uint8_t)count;
			msg[NLS_HDR_LEN + 1] = 0;
			lsr_send(l, link, msg, pos);
			pos = NLS_HDR_LEN + 2;
			count = 0;
		}
		if (!e)
			break;
		memcpy(msg + pos, e->bytes, e->len);
		nls_lsa_set_age(msg + pos, lsdb_age(l, e, now));
		pos += e->len;
		count++;
	}
	nb->next_rxmt_ms = now + LSR_RXMT_MS;
}

void lsdb_tick(struct lsr *l, uint64_t now)
{
	/* ageing, in whole seconds: other origins' LSAs expire (a pass every 100 ms is plenty) */
	if (now - l->aged_ms >= 100) {
		l->aged_ms = now;
		for (unsigned i = 0; i < l->n_db;) {
			struct lsdb_entry *e = l->db[i];
			if (e->lsa.origin != l->rid && lsdb_age(l, e, now) >= max_age(l)) {
				remove_entry(l, e->lsa.origin);
				schedule_spf(l, now);
				continue;
			}
			i++;
		}
	}
	if (now - l->my_lsa_ms >= 1000ull * l->refresh_s)
		l->originate_due = true;
	for (uint16_t i = 0; i < l->node->dp.n_links; i++) {
		struct lsr_nbr *nb = &l->nbr[i];
		if (nb->state == NBR_TWOWAY && nb->n_pending && now >= nb->next_rxmt_ms)
			send_pending(l, i, now);
	}
}
