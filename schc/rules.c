/* Rule sets from JSON (OpenSCHC's format; docs/spec.md §13): every mistake is refused with
 * "FILE: rule N: what is wrong", and a loaded set is checked whole (RuleID clashes, layers). */
#include <arpa/inet.h>
#include <errno.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bits.h"
#include "internal.h"
#include "newip/addr.h"

struct ld {
	struct schc_rules *rs;
	const char *file;
	char *err;
	size_t errlen;
	unsigned rule;	/* 1-based, for messages */
	unsigned cap_rules, cap_fds, cap_vals, cap_arena;
};

__attribute__((format(printf, 2, 3))) static int fail(struct ld *l, const char *fmt, ...)
{
	va_list ap;
	int n = l->rule ? snprintf(l->err, l->errlen, "%s: rule %u: ", l->file, l->rule) :
			  snprintf(l->err, l->errlen, "%s: ", l->file);

	va_start(ap, fmt);
	if (n >= 0 && (size_t)n < l->errlen)
		vsnprintf(l->err + n, l->errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

static int grow(struct ld *l, void **p, unsigned *cap, unsigned need, size_t size)
{
	if (need <= *cap)
		return 0;
	unsigned c = *cap ? *cap * 2 : 16;
	while (c < need)
		c *= 2;
	void *q = realloc(*p, (size_t)c * size);
	if (!q)
		return fail(l, "out of memory");
	*p = q;
	*cap = c;
	return 0;
}

/* Append a target value: nbits bits from b (left-aligned). */
static int add_val(struct ld *l, const uint8_t *b, unsigned nbits)
{
	struct schc_rules *rs = l->rs;
	unsigned octets = (nbits + 7) / 8;

	if (grow(l, (void **)&rs->vals, &l->cap_vals, rs->n_vals + 1, sizeof(*rs->vals)) ||
	    grow(l, (void **)&rs->arena, &l->cap_arena, rs->arena_len + octets + 1, 1))
		return -1;
	memcpy(rs->arena + rs->arena_len, b, octets);
	rs->vals[rs->n_vals++] = (struct schc_bits){ rs->arena_len, (uint16_t)nbits };
	rs->arena_len += octets;
	return 0;
}

/* One target value of a field, as the FID reads it: a number, an address, or text. */
static int parse_tv(struct ld *l, unsigned k, const struct schc_fid_info *fi, unsigned fl,
		    const json_t *v)
{
	uint8_t b[SCHC_VAL_MAX] = { 0 };
	unsigned bits = fl;

	if (json_is_integer(v)) {
		json_int_t x = json_integer_value(v);
		if (x < 0 || (fl && fl < 63 && (uint64_t)x >> fl))
			return fail(l, "field %u (%s): TV %lld does not fit in %u bits", k, fi->name,
				    (long long)x, fl);
		if (!fl) /* a var field: the fewest octets (CoAP's uint, RFC 7252 §3.2) */
			for (uint64_t y = (uint64_t)x; y; y >>= 8)
				bits += 8;
		for (unsigned i = 0; i < bits; i++)
			bit_set(b, i, (unsigned)((uint64_t)x >> (bits - 1 - i)) & 1);
		return add_val(l, b, bits);
	}
	if (!json_is_string(v))
		return fail(l, "field %u (%s): TV must be a number or a string", k, fi->name);
	const char *s = json_string_value(v);
	if (strstr(fi->name, "IPV6.") && fl == 64) { /* a prefix or an interface identifier */
		char tmp[64];
		uint8_t a[16];
		snprintf(tmp, sizeof(tmp), "%s", s);
		if (strchr(tmp, '/'))
			*strchr(tmp, '/') = 0;
		if (inet_pton(AF_INET6, tmp, a) != 1)
			return fail(l, "field %u (%s): TV \"%s\" is not an IPv6 address", k, fi->name, s);
		return add_val(l, strstr(fi->name, "IID") ? a + 8 : a, 64);
	}
	if (strstr(fi->name, "_ADDR")) {
		struct nip_addr a;
		if (nip_addr_parse(&a, s) < 0)
			return fail(l, "field %u (%s): TV \"%s\" is not a New IP address", k, fi->name,
				    s);
		return add_val(l, a.b, 8u * a.len);
	}
	if (fl)
		return fail(l, "field %u (%s): TV must be a number", k, fi->name);
	if (strlen(s) > SCHC_VAL_MAX)
		return fail(l, "field %u (%s): TV longer than %u octets", k, fi->name, SCHC_VAL_MAX);
	return add_val(l, (const uint8_t *)s, 8 * (unsigned)strlen(s));
}

static int lookup(const char *s, const char *const *names, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		if (s && !strcasecmp(s, names[i]))
			return (int)i;
	return -1;
}

static const char *const MOS[] = { "equal", "ignore", "MSB", "match-mapping" };
static const char *const CDAS[] = { "not-sent", "value-sent", "mapping-sent", "LSB",
				    "compute-length", "compute-checksum" };

static bool computable(unsigned fid, unsigned cda)
{
	if (cda == SCHC_CDA_COMP_CKSUM)
		return fid == FID_UDP_CKSUM;
	return fid == FID_IPV6_LEN || fid == FID_UDP_LEN || fid == FID_NIP_LEN ||
	       fid == FID_NIP_HL || fid == FID_NIP_DEV_LEN || fid == FID_NIP_APP_LEN;
}

/* The checks of one field description that need its operator and action together. */
static int check_fd(struct ld *l, unsigned k, const struct schc_fid_info *fi,
		    const struct schc_fd *fd)
{
	unsigned width = fd->fl ? fd->fl : fd->n_tv ? l->rs->vals[fd->tv].nbits : 0;

	if ((fd->mo == SCHC_MO_EQUAL || fd->mo == SCHC_MO_MSB) && fd->n_tv != 1)
		return fail(l, "field %u (%s): %s needs one TV", k, fi->name, MOS[fd->mo]);
	if (fd->mo == SCHC_MO_MSB && (!fd->mo_val || fd->mo_val > width))
		return fail(l, "field %u (%s): MSB(%u) is longer than the field's %u bits", k,
			    fi->name, fd->mo_val, width);
	if ((fd->mo == SCHC_MO_MAP) != (fd->cda == SCHC_CDA_MAP_SENT))
		return fail(l, "field %u (%s): match-mapping and mapping-sent go together", k,
			    fi->name);
	if (fd->mo == SCHC_MO_MAP && fd->n_tv < 2)
		return fail(l, "field %u (%s): match-mapping needs a list of TVs", k, fi->name);
	if (fd->cda == SCHC_CDA_LSB && (fd->mo != SCHC_MO_MSB || !fd->fl))
		return fail(l, "field %u (%s): LSB needs MSB(x) on a fixed-length field", k,
			    fi->name);
	if (fd->cda == SCHC_CDA_NOT_SENT && fd->n_tv != 1)
		return fail(l, "field %u (%s): not-sent needs one TV to restore", k, fi->name);
	if (fd->cda == SCHC_CDA_NOT_SENT && fd->mo != SCHC_MO_EQUAL && fd->mo != SCHC_MO_IGNORE)
		return fail(l, "field %u (%s): not-sent goes with equal or ignore", k, fi->name);
	if ((fd->cda == SCHC_CDA_COMP_LEN || fd->cda == SCHC_CDA_COMP_CKSUM) &&
	    !computable(fd->fid, fd->cda))
		return fail(l, "field %u (%s): %s does not apply to it", k, fi->name, CDAS[fd->cda]);
	if (fd->fl && fd->n_tv && fd->mo != SCHC_MO_MSB)
		for (unsigned v = 0; v < fd->n_tv; v++)
			if (l->rs->vals[fd->tv + v].nbits != fd->fl)
				return fail(l, "field %u (%s): TV is %u bits, FL %u", k, fi->name,
					    l->rs->vals[fd->tv + v].nbits, fd->fl);
	return 0;
}

static int parse_fd(struct ld *l, unsigned k, const json_t *e, struct schc_fd *fd)
{
	const char *fid = json_string_value(json_object_get(e, "FID"));
	const char *di = json_string_value(json_object_get(e, "DI"));
	const json_t *fl = json_object_get(e, "FL"), *fp = json_object_get(e, "FP");
	const json_t *tvj = json_object_get(e, "TV"), *mov = json_object_get(e, "MO.VAL");
	const struct schc_fid_info *fi;
	int mo, cda;

	if (!json_is_object(e) || !fid)
		return fail(l, "field %u: needs a \"FID\"", k);
	if (!(fd->fid = (uint16_t)schc_fid_by_name(fid)))
		return fail(l, "field %u: unknown field ID \"%s\"", k, fid);
	fi = schc_fid_info(fd->fid);
	fd->fl = fi->bits;
	if (json_is_integer(fl)) {
		json_int_t v = json_integer_value(fl);
		if (fi->bits ? v != fi->bits : (v <= 0 || v > 8 * SCHC_VAL_MAX || v % 8))
			return fail(l, "field %u (%s): FL %lld: the field is %s", k, fid, (long long)v,
				    fi->bits ? "of fixed length" : "whole octets");
		fd->fl = (uint16_t)v;
	}
	fd->fp = 1;
	if (fp && (!json_is_integer(fp) || json_integer_value(fp) < 1 || json_integer_value(fp) > 255))
		return fail(l, "field %u (%s): FP must be 1 to 255", k, fid);
	if (fp)
		fd->fp = (uint8_t)json_integer_value(fp);
	fd->di = !di || !strcasecmp(di, "BI") ? SCHC_BI : !strcasecmp(di, "UP") ? SCHC_UP :
			!strcasecmp(di, "DW") || !strcasecmp(di, "DOWN") ? SCHC_DOWN : 0;
	if (!fd->di)
		return fail(l, "field %u (%s): DI \"%s\" is not UP, DW or BI", k, fid, di);
	if ((mo = lookup(json_string_value(json_object_get(e, "MO")), MOS, 4)) < 0)
		return fail(l, "field %u (%s): MO must be equal, ignore, MSB or match-mapping", k, fid);
	if ((cda = lookup(json_string_value(json_object_get(e, "CDA")), CDAS, 6)) < 0)
		return fail(l, "field %u (%s): CDA must be one of not-sent, value-sent, mapping-sent, "
			       "LSB, compute-length, compute-checksum", k, fid);
	fd->mo = (uint8_t)mo, fd->cda = (uint8_t)cda;
	if (mo == SCHC_MO_MSB && (!json_is_integer(mov) || json_integer_value(mov) < 0 ||
				  json_integer_value(mov) > 8 * SCHC_VAL_MAX))
		return fail(l, "field %u (%s): MSB needs \"MO.VAL\", a number of bits", k, fid);
	fd->mo_val = mo == SCHC_MO_MSB ? (uint16_t)json_integer_value(mov) : 0;
	fd->tv = l->rs->n_vals;
	fd->n_tv = 0;
	if (json_is_array(tvj)) {
		size_t i;
		const json_t *v;
		json_array_foreach(tvj, i, v) {
			if (parse_tv(l, k, fi, fd->fl, v) < 0)
				return -1;
			fd->n_tv++;
		}
	} else if (tvj && !json_is_null(tvj)) {
		if (parse_tv(l, k, fi, fd->fl, tvj) < 0)
			return -1;
		fd->n_tv = 1;
	}
	return check_fd(l, k, fi, fd);
}

/* Every fixed field of each layer a rule covers, once per direction (the builder needs them). */
static int check_layers(struct ld *l, const struct schc_rule *r)
{
	const struct schc_rules *rs = l->rs;

	for (unsigned dir = SCHC_UP; dir <= SCHC_DOWN; dir++)
		for (unsigned f = 1; f < FID_COUNT; f++) {
			const struct schc_fid_info *fi = schc_fid_info(f);
			bool seen = false;
			if (!fi || !(fi->layer & r->layers))
				continue;
			for (unsigned i = 0; i < r->n_fd; i++) {
				const struct schc_fd *fd = &rs->fds[r->fd + i];
				if (fd->fid != f || !(fd->di & dir))
					continue;
				if (fi->bits && fd->fp != 1)
					return fail(l, "%s has one position, not FP %u", fi->name, fd->fp);
				for (unsigned j = i + 1; j < r->n_fd; j++) {
					const struct schc_fd *g = &rs->fds[r->fd + j];
					if (g->fid == f && g->fp == fd->fp && (g->di & dir))
						return fail(l, "%s (FP %u) appears twice going %s", fi->name,
							    fd->fp, dir == SCHC_UP ? "up" : "down");
				}
				seen |= fd->fp == 1;
			}
			bool needed = fi->bits || f == FID_NIP_DEV_ADDR || f == FID_NIP_APP_ADDR;
			if (needed && !seen)
				return fail(l, "%s fields but no %s going %s",
					    fi->layer == SCHC_L_IPV6 ? "IPv6" : fi->layer == SCHC_L_NIP ?
					    "New IP" : fi->layer == SCHC_L_UDP ? "UDP" : "CoAP",
					    fi->name, dir == SCHC_UP ? "up" : "down");
		}
	if ((r->layers & SCHC_L_IPV6) && (r->layers & SCHC_L_NIP))
		return fail(l, "IPv6 and New IP fields in one rule");
	if (!(r->layers & (SCHC_L_IPV6 | SCHC_L_NIP)))
		return fail(l, "a compression rule needs IPv6 or New IP fields");
	if ((r->layers & SCHC_L_COAP) && !(r->layers & SCHC_L_UDP))
		return fail(l, "CoAP fields without UDP fields");
	return 0;
}

static int parse_compression(struct ld *l, struct schc_rule *r, const json_t *list)
{
	struct schc_rules *rs = l->rs;
	size_t i;
	const json_t *e;

	if (!json_is_array(list))
		return fail(l, "\"Compression\" must be a list of fields");
	r->fd = rs->n_fds;
	json_array_foreach(list, i, e) {
		if (grow(l, (void **)&rs->fds, &l->cap_fds, rs->n_fds + 1, sizeof(*rs->fds)))
			return -1;
		struct schc_fd *fd = &rs->fds[rs->n_fds];
		if (parse_fd(l, (unsigned)i + 1, e, fd) < 0)
			return -1;
		r->layers |= schc_fid_info(fd->fid)->layer;
		rs->n_fds++;
		r->n_fd++;
	}
	return check_layers(l, r);
}

/* A profile number: absent gives def; out of [lo, hi] is a mistake. */
static int prof_int(struct ld *l, const json_t *o, const char *key, long lo, long hi, long def,
		    long *out)
{
	const json_t *v = json_object_get(o, key);

	*out = def;
	if (!v)
		return 0;
	if (json_is_number(v) && json_number_value(v) >= (double)lo &&
	    json_number_value(v) <= (double)hi) {
		*out = (long)json_number_value(v);
		return 0;
	}
	return fail(l, "\"%s\" must be a number from %ld to %ld", key, lo, hi);
}

/* A profile timer in seconds, at least lo (fractions allowed), at most a day; kept in ms. */
static int prof_ms(struct ld *l, const json_t *o, const char *key, double lo, uint32_t *ms)
{
	const json_t *v = json_object_get(o, key);

	if (!v)
		return 0;
	if (json_is_number(v) && json_number_value(v) >= lo && json_number_value(v) <= 86400) {
		*ms = (uint32_t)(json_number_value(v) * 1000);
		return 0;
	}
	return fail(l, "\"%s\" must be from %g to 86400 seconds", key, lo);
}

/* The RFC 9011 uplink profile (§13.3): ACK-on-Error, T 0, M 2, N 6, 10-octet tiles. */
static void rfc9011(struct schc_frag_prof *p)
{
	*p = (struct schc_frag_prof){ SCHC_ACK_ON_ERROR, SCHC_UP, 0, 2, 6, 63, 10, 8, 10000,
				      60000 };
}

static int parse_fragmentation(struct ld *l, struct schc_rule *r, const json_t *o)
{
	struct schc_frag_prof *p = &r->frag;
	const char *mode = json_string_value(json_object_get(o, "FRMode"));
	const char *dir = json_string_value(json_object_get(o, "FRDirection"));
	const json_t *prof = json_object_get(o, "FRModeProfile");
	long t, m, n, w, tile, mar;
	bool noack;

	if (!json_is_object(o))
		return fail(l, "\"Fragmentation\" must be an object");
	rfc9011(p);
	if (json_is_string(prof)) {
		if (strcasecmp(json_string_value(prof), "RFC9011"))
			return fail(l, "the only named profile is \"RFC9011\"");
		prof = NULL;
	}
	if (mode && !strcasecmp(mode, "NoAck"))
		noack = true;
	else if (mode && !strcasecmp(mode, "AckOnError"))
		noack = false;
	else
		return fail(l, "FRMode must be \"NoAck\" or \"AckOnError\"");
	p->mode = noack ? SCHC_NOACK : SCHC_ACK_ON_ERROR;
	p->dir = !dir || !strcasecmp(dir, "UP") ? SCHC_UP : !strcasecmp(dir, "DW") ? SCHC_DOWN : 0;
	if (!p->dir)
		return fail(l, "FRDirection must be \"UP\" or \"DW\"");
	if (prof && !json_is_object(prof))
		return fail(l, "\"FRModeProfile\" must be an object or \"RFC9011\"");
	if (prof_int(l, prof, "dtagSize", 0, 8, 0, &t) || prof_int(l, prof, "WSize", noack ? 0 : 1,
	    noack ? 0 : 8, noack ? 0 : p->m, &m) || prof_int(l, prof, "FCNSize", 1, noack ? 8 : 6,
	    noack ? 1 : p->n, &n))
		return -1;
	if (prof_int(l, prof, "windowSize", 1, (1L << n) - 1, (1L << n) - 1, &w) ||
	    prof_int(l, prof, "tileSize", 8, 8 * 240, 8 * p->tile, &tile) ||
	    prof_int(l, prof, "maxAckRequests", 1, 255, p->max_ack_req, &mar) ||
	    prof_ms(l, prof, "retransmissionTimer", 0.001, &p->retrans_ms) ||
	    prof_ms(l, prof, "inactivityTimer", 1, &p->inactivity_ms))
		return -1;
	if (tile % 8)
		return fail(l, "tileSize %ld: tiles are whole octets here (a multiple of 8 bits)", tile);
	p->t = (uint8_t)t, p->m = (uint8_t)m, p->n = (uint8_t)n, p->window = (uint16_t)w;
	p->tile = (uint16_t)(tile / 8), p->max_ack_req = (uint8_t)mar;
	return 0;
}

static int parse_rule(struct ld *l, const json_t *o)
{
	struct schc_rules *rs = l->rs;
	const json_t *id = json_object_get(o, "RuleID"), *len = json_object_get(o, "RuleIDLength");
	const json_t *comp = json_object_get(o, "Compression"), *frag = json_object_get(o,
											  "Fragmentation");
	const json_t *noc = json_object_get(o, "NoCompression");
	struct schc_rule *r;

	if (!json_is_object(o))
		return fail(l, "a rule is an object");
	if (!json_is_integer(len) || json_integer_value(len) < 1 || json_integer_value(len) > 32)
		return fail(l, "RuleIDLength must be 1 to 32 bits");
	if (!json_is_integer(id) || json_integer_value(id) < 0 ||
	    (uint64_t)json_integer_value(id) >> json_integer_value(len))
		return fail(l, "RuleID must be a number that fits in RuleIDLength bits");
	if (!!comp + !!frag + !!noc != 1)
		return fail(l, "one of \"Compression\", \"NoCompression\" or \"Fragmentation\"");
	if (grow(l, (void **)&rs->rules, &l->cap_rules, rs->n_rules + 1, sizeof(*rs->rules)))
		return -1;
	r = &rs->rules[rs->n_rules];
	*r = (struct schc_rule){ .id = (uint32_t)json_integer_value(id),
				 .id_len = (uint8_t)json_integer_value(len) };
	if (noc) {
		r->kind = SCHC_RULE_NOCOMP;
		if (rs->nocomp >= 0)
			return fail(l, "a second NoCompression rule (rule %d is one)", rs->nocomp + 1);
		rs->nocomp = (int)rs->n_rules;
	} else if (frag) {
		r->kind = SCHC_RULE_FRAG;
		if (parse_fragmentation(l, r, frag) < 0)
			return -1;
		int *slot = r->frag.dir == SCHC_UP ? &rs->frag_up : &rs->frag_down;
		if (*slot >= 0)
			return fail(l, "a second fragmentation rule going %s (rule %d is one)",
				    r->frag.dir == SCHC_UP ? "up" : "down", *slot + 1);
		*slot = (int)rs->n_rules;
	} else if (parse_compression(l, r, comp) < 0) {
		return -1;
	}
	rs->n_rules++;
	return 0;
}

/* A RuleID that is a prefix of another leaves the receiver unable to tell them apart. */
static int check_clashes(struct ld *l)
{
	const struct schc_rules *rs = l->rs;

	for (unsigned a = 0; a < rs->n_rules; a++)
		for (unsigned b = a + 1; b < rs->n_rules; b++) {
			const struct schc_rule *x = &rs->rules[a], *y = &rs->rules[b];
			unsigned n = x->id_len < y->id_len ? x->id_len : y->id_len;
			if (x->id >> (x->id_len - n) == y->id >> (y->id_len - n)) {
				l->rule = b + 1;
				return fail(l, "RuleID %u/%u clashes with rule %u's %u/%u (one is a "
					       "prefix of the other)", y->id, y->id_len, a + 1, x->id,
					    x->id_len);
			}
		}
	return 0;
}

int schc_rules_parse(struct schc_rules *rs, const char *text, size_t len, const char *file,
		     const char *only, char *err, size_t errlen)
{
	char idx[24];
	struct ld l = { rs, file, err, errlen, 0, 0, 0, 0, 0 };
	json_error_t je;
	json_t *root = json_loadb(text, len, 0, &je), *list, *v;
	const char *key;
	size_t i;
	int rc = 0;

	*rs = (struct schc_rules){ .nocomp = -1, .frag_up = -1, .frag_down = -1 };
	if (!root) {
		snprintf(err, errlen, "%s: line %d: %s", file, je.line, je.text);
		return -1;
	}
	list = json_is_object(root) && json_object_get(root, "SoR") ? json_object_get(root, "SoR") :
								      root;
	if (json_is_array(list)) {
		json_array_foreach(list, i, v) {
			l.rule = (unsigned)i + 1;
			snprintf(idx, sizeof(idx), "%zu", i + 1);
			if (only && strcmp(only, idx))
				continue;
			if ((rc = parse_rule(&l, v)) < 0)
				break;
		}
	} else if (json_is_object(list)) {
		i = 0;
		json_object_foreach(list, key, v) {
			l.rule = (unsigned)++i;
			if (only && strcmp(only, key))
				continue;
			if ((rc = parse_rule(&l, v)) < 0)
				break;
			snprintf(rs->rules[rs->n_rules - 1].name, sizeof(rs->rules[0].name), "%s", key);
		}
	} else {
		rc = fail(&l, "the rules are a list, an object of named rules, or {\"SoR\": [...]}");
	}
	if (!rc && !rs->n_rules) {
		l.rule = 0;
		rc = only ? fail(&l, "no rule named \"%s\"", only) : fail(&l, "no rules");
	}
	if (!rc)
		rc = check_clashes(&l);
	json_decref(root);
	if (rc < 0)
		schc_rules_free(rs);
	return rc;
}

int schc_rules_load(struct schc_rules *rs, const char *path, const char *only, char *err,
		    size_t errlen)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t cap = 0, len = 0, got;
	int rc;

	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	do {
		if (len + 4096 > cap) {
			char *b = realloc(buf, cap = cap * 2 + 4096);
			if (!b) {
				free(buf);
				fclose(f);
				snprintf(err, errlen, "%s: out of memory", path);
				return -1;
			}
			buf = b;
		}
		got = fread(buf + len, 1, cap - len, f);
		len += got;
	} while (got && len < (1u << 24));
	fclose(f);
	rc = schc_rules_parse(rs, buf, len, path, only, err, errlen);
	free(buf);
	return rc;
}

void schc_rules_free(struct schc_rules *rs)
{
	free(rs->rules);
	free(rs->fds);
	free(rs->vals);
	free(rs->arena);
	*rs = (struct schc_rules){ .nocomp = -1, .frag_up = -1, .frag_down = -1 };
}
