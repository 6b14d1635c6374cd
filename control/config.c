/* Parser for newipd.conf: one statement per line; every error names file, line and a fix. */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sodium.h>

#include "../dataplane/nexthop.h"
#include "config.h"
#include "newip/units.h"
#include "zero.h"

#define MAXTOK 32

struct ctx {
	struct config *c;
	const char *path;
	int line;
	char *err;
	size_t errlen;
};

static int fail(struct ctx *x, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(x->err, x->errlen, "%s:%d: ", x->path, x->line);

	va_start(ap, fmt);
	if (n > 0 && (size_t)n < x->errlen)
		vsnprintf(x->err + n, x->errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

int parse_sockaddr(const char *s, struct sockaddr_storage *ss, socklen_t *len)
{
	char host[INET6_ADDRSTRLEN + 2];
	const char *colon;
	char *end;
	unsigned long port;

	memset(ss, 0, sizeof(*ss));
	if (s[0] == '[') {
		const char *close = strchr(s, ']');
		if (!close || close[1] != ':' || (size_t)(close - s - 1) >= sizeof(host))
			return -1;
		memcpy(host, s + 1, (size_t)(close - s - 1));
		host[close - s - 1] = '\0';
		colon = close + 1;
	} else {
		colon = strrchr(s, ':');
		if (!colon || (size_t)(colon - s) >= sizeof(host) || memchr(s, ':', (size_t)(colon - s)))
			return -1;
		memcpy(host, s, (size_t)(colon - s));
		host[colon - s] = '\0';
	}
	errno = 0;
	port = strtoul(colon + 1, &end, 10);
	if (!colon[1] || *end || errno || port == 0 || port > 65535)
		return -1;
	struct sockaddr_in *v4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)ss;
	if (inet_pton(AF_INET, host, &v4->sin_addr) == 1) {
		v4->sin_family = AF_INET;
		v4->sin_port = htons((uint16_t)port);
		*len = sizeof(*v4);
		return 0;
	}
	if (inet_pton(AF_INET6, host, &v6->sin6_addr) == 1) {
		v6->sin6_family = AF_INET6;
		v6->sin6_port = htons((uint16_t)port);
		*len = sizeof(*v6);
		return 0;
	}
	return -1;
}

void format_sockaddr(const struct sockaddr_storage *ss, char *buf, size_t size)
{
	char host[INET6_ADDRSTRLEN];

	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *v4 = (const void *)ss;
		inet_ntop(AF_INET, &v4->sin_addr, host, sizeof(host));
		snprintf(buf, size, "%s:%u", host, ntohs(v4->sin_port));
	} else {
		const struct sockaddr_in6 *v6 = (const void *)ss;
		inet_ntop(AF_INET6, &v6->sin6_addr, host, sizeof(host));
		snprintf(buf, size, "[%s]:%u", host, ntohs(v6->sin6_port));
	}
}

int config_link(const struct config *c, const char *name)
{
	for (unsigned i = 0; i < c->n_links; i++)
		if (strcmp(c->links[i].name, name) == 0)
			return (int)i;
	return -1;
}

static int parse_mac(const char *s, uint8_t mac[6])
{
	unsigned v[6];
	char tail;

	if (sscanf(s, "%x:%x:%x:%x:%x:%x%c", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &tail) != 6)
		return -1;
	for (int i = 0; i < 6; i++) {
		if (v[i] > 255)
			return -1;
		mac[i] = (uint8_t)v[i];
	}
	return 0;
}

/* 'address auto PREFIX': the 16-octet routing prefix and the key's identifier (§4.3); made
 * in config_check, once the key is known. */
static int st_address_auto(struct ctx *x, char **t, int n)
{
	struct config *c = x->c;
	struct nip_addr p;

	if (n != 3 || nip_addr_parse(&p, t[2]) < 0 || p.len != 16)
		return fail(x, "'address auto' takes a 16-octet routing prefix, e.g. 'address auto "
			    "2001:db8:1:2::'; the address is that prefix and the key's identifier");
	if (c->n_addrs == DP_MAX_ADDRS)
		return fail(x, "more than %d addresses; a node holds at most %d", DP_MAX_ADDRS,
			    DP_MAX_ADDRS);
	c->autos[c->n_autos].prefix = p;
	c->autos[c->n_autos].line = x->line;
	c->autos[c->n_autos++].index = c->n_addrs;
	c->addr_auto[c->n_addrs] = true;
	memset(&c->addrs[c->n_addrs++], 0, sizeof(struct nip_addr)); /* made in config_check */
	return 0;
}

static int st_key(struct ctx *x, char **t, int n)
{
	struct config *c = x->c;
	char err[400];

	if (n != 2 || strlen(t[1]) >= sizeof(c->key_path))
		return fail(x, "'key' takes one file, e.g. 'key /etc/newip/r1.key' (newip key gen "
			    "FILE makes one)");
	if (c->has_key)
		return fail(x, "'key' given twice; a node has one identity");
	if (nip_crypto_init() < 0)
		return fail(x, "libsodium could not start");
	if (nip_key_load(t[1], &c->id, err, sizeof(err)) < 0)
		return fail(x, "%s", err);
	strcpy(c->key_path, t[1]);
	c->has_key = true;
	return 0;
}

static int st_address(struct ctx *x, char **t, int n)
{
	struct config *c = x->c;
	struct nip_addr a;

	if (n >= 2 && strcmp(t[1], "auto") == 0)
		return st_address_auto(x, t, n);
	if (n != 2)
		return fail(x, "'address' takes one address, e.g. 'address 10.0.0.1' or 'address x0a01'");
	if (nip_addr_parse(&a, t[1]) < 0)
		return fail(x, "'%s' is not an address; write dotted IPv4, IPv6, or x and 1-32 hex "
			    "octets like x0a01 (docs/spec.md §4.1)", t[1]);
	for (unsigned i = 0; i < c->n_addrs; i++)
		if (nip_addr_eq(&c->addrs[i], &a))
			return fail(x, "address %s given twice; remove one", t[1]);
	if (c->n_addrs == DP_MAX_ADDRS)
		return fail(x, "more than %d addresses; a node holds at most %d", DP_MAX_ADDRS,
			    DP_MAX_ADDRS);
	c->addrs[c->n_addrs++] = a;
	return 0;
}

/* "auto", "on" or "off" as an enum link_xdp; LINK_XDP_DEFAULT for anything else. */
static uint8_t xdp_mode(const char *s)
{
	return !strcmp(s, "auto") ? LINK_XDP_AUTO : !strcmp(s, "on") ? LINK_XDP_ON :
	       !strcmp(s, "off")  ? LINK_XDP_OFF  : LINK_XDP_DEFAULT;
}

static const char *xdp_name(uint8_t m)
{
	return m == LINK_XDP_AUTO ? "auto" : m == LINK_XDP_ON ? "on" : "off";
}

static int link_option(struct ctx *x, struct link_cfg *l, const char *key, const char *val)
{
	char *end;

	if (l->kind == LINK_TUN && strcmp(key, "dev") && strcmp(key, "mtu") &&
	    strcmp(key, "offload"))
		return fail(x, "unknown gateway option '%s'; use dev IFNAME, mtu N (the TUN "
			    "device's IP MTU) or offload on|off", key);
	if (strcmp(key, "offload") == 0) {
		if ((l->kind != LINK_TUN && l->kind != LINK_UDP) || (strcmp(val, "on") && strcmp(val, "off")))
			return fail(x, "'offload' is on or off, on a gateway or a udp link");
		l->no_offload = val[1] == 'f';
		return 0;
	}
	if (l->kind == LINK_SCHC && strcmp(key, "metric") && strcmp(key, "mtu") &&
	    strcmp(key, "source-check")) {
		char why[300];
		return config_schc_option(l, key, val, x->path, why, sizeof(why)) < 0 ?
			       fail(x, "%s", why) : 0;
	}
	if (strcmp(key, "metric") == 0) {
		unsigned long m = strtoul(val, &end, 10);
		if (*end || m == 0 || m > 65535)
			return fail(x, "metric '%s' out of range; use 1 to 65535", val);
		x->c->metric[x->c->n_links] = (uint16_t)m;
	} else if (strcmp(key, "mtu") == 0) {
		unsigned long mtu = strtoul(val, &end, 10);
		if (*end || mtu < LINK_MTU_MIN || mtu > LINK_MTU_MAX)
			return fail(x, "mtu '%s' out of range; use %d to %d", val, LINK_MTU_MIN,
				    LINK_MTU_MAX);
		l->mtu = (uint16_t)mtu;
	} else if (strcmp(key, "rate") == 0) {
		if (!(l->rate_bps = nip_parse_rate(val)))
			return fail(x, "rate '%s' is not a positive rate; write e.g. 'rate 100mbit' "
				    "(bit, kbit, mbit, gbit), or leave 'rate' out for an unpaced link", val);
	} else if (strcmp(key, "delay") == 0) {
		int64_t us = nip_parse_time_us(val);
		if (us < 0 || us > 10000000)
			return fail(x, "delay '%s' out of range; write a time up to 10s, e.g. 5ms or "
				    "250us", val);
		l->delay_us = (uint32_t)us;
	} else if (strcmp(key, "sched") == 0) {
		if (strcmp(val, "contract") && strcmp(val, "fifo"))
			return fail(x, "sched '%s' unknown; use contract (the default) or fifo", val);
		l->sched_fifo = val[0] == 'f';
	} else if (!strcmp(key, "queue-limit") || !strcmp(key, "queue-bytes")) {
		unsigned long v = strtoul(val, &end, 10);
		bool pk = key[6] == 'l';
		if (*end || v < (pk ? 1 : 2000) || v > (pk ? 4096 : 64000000))
			return fail(x, "%s '%s' out of range; use %s", key, val,
				    pk ? "1 to 4096 packets" : "2000 to 64000000 octets");
		*(pk ? &l->qlimit_pkts : &l->qlimit_bytes) = (uint32_t)v;
	} else if (strcmp(key, "source-check") == 0) {
		if (!strcmp(val, "off"))
			l->src_check = SRC_CHECK_OFF;
		else if (!strcmp(val, "on"))
			l->src_check = SRC_CHECK_ON;
		else if (!strcmp(val, "strict"))
			l->src_check = SRC_CHECK_STRICT;
		else
			return fail(x, "source-check '%s' unknown; use on (tags from registered hosts, "
				    "first-come binding for the rest), strict (tags only) or off", val);
	} else if (strcmp(key, "contract-share") == 0) {
		unsigned long v = strtoul(val, &end, 10);
		if (*end || v < 1 || v > 100)
			return fail(x, "contract-share '%s' out of range; use a percentage, 1 to 100",
				    val);
		l->share_pct = (uint8_t)v;
	} else if (l->kind == LINK_UDP && strcmp(key, "key") == 0) {
		if (sodium_base642bin(l->peer_key, sizeof(l->peer_key), val, strlen(val), NULL, NULL,
				      NULL, sodium_base64_VARIANT_ORIGINAL) != 0)
			return fail(x, "'key %s' is not a public key; give the peer's key in base64, as "
				    "'newip key show FILE' prints it", val);
		l->keyed = true;
	} else if (l->kind == LINK_UDP && strcmp(key, "endpoint") == 0) {
		if (strlen(val) >= sizeof(l->endpoint))
			return fail(x, "endpoint '%.40s...' too long", val);
		strcpy(l->endpoint, val);
	} else if (l->kind == LINK_UDP && strcmp(key, "keepalive") == 0) {
		unsigned long v = strtoul(val, &end, 10);
		if (*end || v < 1 || v > 3600)
			return fail(x, "keepalive '%s' out of range; use 1 to 3600 seconds, or leave it "
				    "out for none", val);
		l->keepalive_s = (uint16_t)v;
	} else if (l->kind == LINK_UDP && strcmp(key, "ports") == 0) {
		unsigned long v = strtoul(val, &end, 10);
		if (*end || v < 1 || v > LINK_PORTS_MAX)
			return fail(x, "ports '%s' out of range; use 1 to %d (the local ports the link "
				    "sends from, one a flow: docs/spec.md §1.2)", val, LINK_PORTS_MAX);
		l->ports = (uint8_t)v;
	} else if (l->kind == LINK_UDP && strcmp(key, "seal") == 0) {
		if (strcmp(val, "on") && strcmp(val, "off"))
			return fail(x, "seal '%s' unknown; use on (encrypt each packet) or off (the "
				    "default: authenticate only)", val);
		l->sealed = val[1] == 'n';
	} else if (l->kind == LINK_UDP && (!strcmp(key, "local") || !strcmp(key, "peer"))) {
		int local = key[0] == 'l';
		if (parse_sockaddr(val, local ? &l->local : &l->peer,
				   local ? &l->local_len : &l->peer_len) < 0)
			return fail(x, "'%s %s' is not IP:PORT; write e.g. 192.0.2.1:6464 or "
				    "[2001:db8::1]:6464", key, val);
	} else if (l->kind != LINK_UDP && strcmp(key, "dev") == 0) {
		if (strlen(val) >= IF_NAMESIZE)
			return fail(x, "interface name '%s' too long; at most %d characters", val,
				    IF_NAMESIZE - 1);
		strcpy(l->ifname, val);
	} else if ((l->kind == LINK_ETH || l->kind == LINK_UDP) && strcmp(key, "xdp") == 0) {
		if (!(l->xdp = xdp_mode(val)))
			return fail(x, "'xdp' is auto, on or off (AF_XDP with the packet socket as "
				    "fallback, AF_XDP only, or the packet socket)");
	} else if (l->kind == LINK_ETH && strcmp(key, "peer-mac") == 0) {
		if (parse_mac(val, l->peer_mac) < 0)
			return fail(x, "'%s' is not a MAC address; write aa:bb:cc:dd:ee:ff", val);
		l->has_peer_mac = true;
	} else {
		return fail(x, "unknown %s link option '%s'; use %s", link_kind_name(l->kind), key,
			    l->kind == LINK_UDP ? "local, peer, ports, key, endpoint, keepalive, seal, xdp, offload, "
						  "mtu, "
						  "metric, rate, delay, sched, queue-limit, queue-bytes, "
						  "contract-share, source-check" :
						  "dev, peer-mac, xdp, mtu, metric, rate, delay, sched, "
						  "queue-limit, queue-bytes, contract-share, source-check");
	}
	return 0;
}

/* A socket address's port, host order. */
static unsigned sockaddr_port(const struct sockaddr_storage *a)
{
	size_t len;
	uint16_t port;

	nexthop_ip((const struct sockaddr *)a, &len, &port);
	return ntohs(port);
}

/* A keyed udp link's options together (spec §1.1): the endpoint resolved, nothing stray. */
static int keyed_link(struct ctx *x, struct link_cfg *l)
{
	struct addrinfo hints = { .ai_socktype = SOCK_DGRAM }, *res;
	char host[256];
	const char *port;
	int rc;

	if (!l->keyed) {
		if (l->endpoint[0] || l->keepalive_s || l->sealed)
			return fail(x, "link '%s': endpoint, keepalive and seal are for a keyed link; "
				    "add 'key PEERKEY' (the peer's public key)", l->name);
		return 0;
	}
	if (l->peer_len)
		return fail(x, "link '%s': a keyed link learns its peer's address; write 'endpoint "
			    "HOST:PORT' for where to start, not 'peer'", l->name);
	if (!l->endpoint[0])
		return 0;
	if (parse_sockaddr(l->endpoint, &l->peer, &l->peer_len) == 0)
		return 0;
	port = strrchr(l->endpoint, ':');
	if (!port || port == l->endpoint || !port[1])
		return fail(x, "endpoint '%s' is not HOST:PORT; write e.g. router.example.net:6464 "
			    "or 192.0.2.1:6464", l->endpoint);
	snprintf(host, sizeof(host), "%.*s", (int)(port - l->endpoint), l->endpoint);
	hints.ai_family = l->local_len ? l->local.ss_family : AF_UNSPEC;
	if ((rc = getaddrinfo(host, port + 1, &hints, &res)) != 0)
		return fail(x, "endpoint '%s': %s; write an address, or a name that resolves",
			    l->endpoint, gai_strerror(rc));
	memcpy(&l->peer, res->ai_addr, res->ai_addrlen);
	l->peer_len = res->ai_addrlen;
	freeaddrinfo(res);
	return 0;
}

static int st_link(struct ctx *x, char **t, int n)
{
	struct config *c = x->c;
	struct link_cfg *l;
	int prev;

	if (n < 3)
		return fail(x, "'link' needs a name and a kind, e.g. 'link up0 udp local "
			    "10.1.0.1:6464 peer 10.1.0.2:6464' or 'link e0 eth dev veth0'");
	if (strlen(t[1]) >= LINK_NAME)
		return fail(x, "link name '%s' too long; at most %d characters", t[1], LINK_NAME - 1);
	if ((prev = config_link(c, t[1])) >= 0)
		return fail(x, "link '%s' defined twice (first at line %d); give each link its own "
			    "name", t[1], c->link_line[prev]);
	if (c->n_links == DP_MAX_LINKS)
		return fail(x, "more than %d links", DP_MAX_LINKS);
	l = &c->links[c->n_links];
	memset(l, 0, sizeof(*l));
	c->metric[c->n_links] = 10;
	strcpy(l->name, t[1]);
	if (strcmp(t[2], "udp") == 0)
		l->kind = LINK_UDP;
	else if (strcmp(t[2], "eth") == 0)
		l->kind = LINK_ETH;
	else if (strcmp(t[2], "tun") == 0)
		l->kind = LINK_TUN;
	else if (strcmp(t[2], "schc") == 0)
		l->kind = LINK_SCHC;
	else
		return fail(x, "link kind '%s' unknown; use udp, eth or schc (or 'gateway tun NAME')",
			    t[2]);
	if ((n - 3) % 2)
		return fail(x, "link option '%s' has no value; options go in pairs like 'mtu 1400'",
			    t[n - 1]);
	for (int i = 3; i < n; i += 2)
		if (link_option(x, l, t[i], t[i + 1]) < 0)
			return -1;
	if (l->kind == LINK_UDP && keyed_link(x, l) < 0)
		return -1;
	if (l->keyed && (l->xdp == LINK_XDP_ON || l->xdp == LINK_XDP_AUTO))
		return fail(x, "udp link '%s' is keyed and keyed links run on their UDP socket; "
			    "drop 'xdp %s'", l->name, xdp_name(l->xdp));
	if (l->kind == LINK_UDP && (!l->local_len || (!l->keyed && !l->peer_len)))
		return fail(x, "udp link '%s' needs 'local IP:PORT' and either 'peer IP:PORT' or "
			    "'key PEERKEY' (a keyed link, docs/spec.md §1.1)", l->name);
	if (l->kind == LINK_UDP && l->peer_len && l->local.ss_family != l->peer.ss_family)
		return fail(x, "udp link '%s': local and peer must both be IPv4 or both IPv6",
			    l->name);
	if (l->ports > 1 && (l->keyed || l->xdp == LINK_XDP_ON))
		return fail(x, "udp link '%s': ports %u is for a plain udp link on its socket; drop "
			    "'%s'", l->name, l->ports, l->keyed ? "key" : "xdp on");
	if (l->ports > 1 && (sockaddr_port(&l->local) + l->ports - 1 > 65535 ||
			     sockaddr_port(&l->peer) + l->ports - 1 > 65535))
		return fail(x, "udp link '%s': ports %u runs past port 65535; start local and peer "
			    "lower", l->name, l->ports);
	if (l->kind == LINK_SCHC) {
		char why[400];
		if (config_schc_check(l, why, sizeof(why)) < 0)
			return fail(x, "%s", why);
	}
	if (l->kind == LINK_TUN && !l->ifname[0])
		memcpy(l->ifname, l->name, sizeof(l->name) < sizeof(l->ifname) ? sizeof(l->name) :
						sizeof(l->ifname));
	if (l->kind == LINK_ETH && !l->ifname[0])
		return fail(x, "eth link '%s' needs 'dev IFNAME'", l->name);
	if (!l->rate_bps && (l->sched_fifo || l->qlimit_pkts || l->qlimit_bytes || l->share_pct))
		return fail(x, "link '%s': sched, queue-limit, queue-bytes and contract-share need "
			    "'rate' (only a paced link has a queue of its own)", l->name);
	c->link_line[c->n_links++] = x->line;
	return 0;
}

/* "gateway tun NAME [dev IFNAME] [mtu N] [offload on|off]": a link of kind tun (spec §12). */
static int st_gateway(struct ctx *x, char **t, int n)
{
	char *u[MAXTOK];

	if (n < 3 || strcmp(t[1], "tun") != 0)
		return fail(x, "write gateways as 'gateway tun NAME [dev IFNAME] [mtu N] [offload "
			    "on|off]', e.g. "
			    "'gateway tun nip0'");
	u[0] = "link";
	u[1] = t[2];
	u[2] = "tun";
	for (int i = 3; i < n; i++)
		u[i] = t[i];
	return st_link(x, u, n);
}

/* "map NEWIP-PREFIX IPV6-PREFIX": New IP-only hosts reached from IPv6 (spec §12.4). */
static int st_map(struct ctx *x, char **t, int n)
{
	struct config *c = x->c;
	struct xlat_map m;
	const char *why;

	if (n != 3)
		return fail(x, "write maps as 'map NEWIP-PREFIX IPV6-PREFIX', e.g. 'map x0b00/8 "
			    "2001:db8:ee::/104'");
	for (int i = 1; i < 3; i++) {
		struct nip_prefix *p = i == 1 ? &m.nip : &m.ip6;
		int rc = nip_prefix_parse(p, t[i]);
		if (rc == NIP_E_PREFIX_BITS)
			return fail(x, "prefix '%s' has bits set past its length; clear them", t[i]);
		if (rc < 0)
			return fail(x, "'%s' is not a prefix; write ADDRESS/BITS", t[i]);
	}
	if ((why = xlat_map_check(&m)))
		return fail(x, "map %s %s: %s", t[1], t[2], why);
	for (unsigned i = 0; i < c->n_maps; i++)
		if (xlat_map_overlap(&m, &c->maps[i]))
			return fail(x, "map %s %s overlaps the map at line %d; maps must be 1:1", t[1],
				    t[2], c->map_line[i]);
	if (c->n_maps == XLAT_MAPS)
		return fail(x, "more than %d maps", XLAT_MAPS);
	c->map_line[c->n_maps] = x->line;
	c->maps[c->n_maps++] = m;
	return 0;
}

static int st_route(struct ctx *x, char **t, int n)
{
	struct config *c = x->c;
	struct cfg_route *r;
	int rc;

	if (n != 4 || strcmp(t[2], "via") != 0)
		return fail(x, "write routes as 'route PREFIX via LINK', e.g. 'route 10.0.0.0/8 via "
			    "up0' or 'route default via up0'");
	if (c->n_routes == CFG_MAX_ROUTES)
		return fail(x, "more than %d routes", CFG_MAX_ROUTES);
	r = &c->routes[c->n_routes];
	rc = nip_prefix_parse(&r->prefix, t[1]);
	if (rc == NIP_E_PREFIX_BITS)
		return fail(x, "prefix '%s' has bits set past its length; clear them (e.g. "
			    "10.0.0.0/8, not 10.0.0.1/8)", t[1]);
	if (rc < 0)
		return fail(x, "'%s' is not a prefix; write ADDRESS/BITS or default", t[1]);
	if (strlen(t[3]) >= LINK_NAME)
		return fail(x, "no link named '%s'", t[3]);
	strcpy(r->via, t[3]);
	r->line = x->line;
	c->n_routes++;
	return 0;
}

bool parse_uint(const char *s, unsigned long long lo, unsigned long long hi,
		unsigned long long *v)
{
	char *end;

	errno = 0;
	*v = strtoull(s, &end, 10);
	return s[0] && s[0] != '-' && !*end && !errno && *v >= lo && *v <= hi;
}

/* The one value of a keyword as a whole number in [lo, hi]; false if it is not one. */
static bool uint_arg(char **t, int n, unsigned long long lo, unsigned long long hi,
		     unsigned long long *v)
{
	return n == 2 && parse_uint(t[1], lo, hi, v);
}

/* "KEYWORD on|off" into *v; false if the value is neither. */
static bool on_off(char **t, int n, bool *v)
{
	if (n != 2 || (strcmp(t[1], "on") && strcmp(t[1], "off")))
		return false;
	*v = t[1][1] == 'n';
	return true;
}

/* "auto" (0) or 1..DP_MAX_WORKERS. */
static bool workers_arg(const char *s, uint8_t *w)
{
	unsigned long long v;

	if (!strcmp(s, "auto")) {
		*w = 0;
		return true;
	}
	if (!parse_uint(s, 1, DP_MAX_WORKERS, &v))
		return false;
	*w = (uint8_t)v;
	return true;
}

static int statement(struct ctx *x, char **t, int n)
{
	unsigned long long v;

	struct config *c = x->c;

	if (strcmp(t[0], "node") == 0) {
		bool ok = n == 2 && strlen(t[1]) < CFG_NAME && !strchr(t[1], '/');
		for (const char *p = ok ? t[1] : ""; *p; p++)
			ok &= *p > 0x20 && *p < 0x7f; /* it travels in LSAs as printable ASCII */
		if (!ok)
			return fail(x, "'node' takes one printable ASCII name without '/', e.g. "
				    "'node r1'");
		strcpy(c->node, t[1]);
	} else if (strcmp(t[0], "address") == 0) {
		return st_address(x, t, n);
	} else if (strcmp(t[0], "link") == 0) {
		return st_link(x, t, n);
	} else if (strcmp(t[0], "route") == 0) {
		return st_route(x, t, n);
	} else if (strcmp(t[0], "gateway") == 0) {
		return st_gateway(x, t, n);
	} else if (strcmp(t[0], "map") == 0) {
		return st_map(x, t, n);
	} else if (strcmp(t[0], "rundir") == 0) {
		if (n != 2 || strlen(t[1]) >= sizeof(c->rundir))
			return fail(x, "'rundir' takes one directory, e.g. 'rundir /run/newip'");
		strcpy(c->rundir, t[1]);
	} else if (strcmp(t[0], "routing") == 0) {
		if (!on_off(t, n, &c->routing))
			return fail(x, "'routing' is on or off");
	} else if (!strcmp(t[0], "hello-interval") || !strcmp(t[0], "dead-interval")) {
		if (!uint_arg(t, n, 10, 60000, &v))
			return fail(x, "'%s' takes milliseconds, 10 to 60000", t[0]);
		*(t[0][0] == 'h' ? &c->hello_ms : &c->dead_ms) = (uint16_t)v;
	} else if (strcmp(t[0], "lsa-seq-start") == 0) { /* for testing sequence wrap */
		if (!uint_arg(t, n, 0, 0xfffffffdull, &v))
			return fail(x, "'lsa-seq-start' takes 0 to 4294967293");
		c->lsa_seq_start = (uint32_t)v;
	} else if (strcmp(t[0], "lsa-refresh") == 0) {
		if (!uint_arg(t, n, 1, 20000, &v))
			return fail(x, "'lsa-refresh' takes seconds, 1 to 20000");
		c->lsa_refresh_s = (uint32_t)v;
	} else if (strcmp(t[0], "workers") == 0) {
		if (!workers_arg(n == 2 ? t[1] : "", &c->workers))
			return fail(x, "'workers' takes auto (one per CPU) or 1 to %d data-plane threads",
				    DP_MAX_WORKERS);
		c->has_workers = true;
	} else if (strcmp(t[0], "realtime-priority") == 0) {
		if (!uint_arg(t, n, 0, 99, &v))
			return fail(x, "'realtime-priority' takes 1 to 99 (SCHED_FIFO), or 0 for none");
		c->rt_priority = (int)v;
	} else if (strcmp(t[0], "key") == 0) {
		return st_key(x, t, n);
	} else if (strcmp(t[0], "metrics-listen") == 0) {
		/* the value is checked where it is used, at start-up (newipd(8): exit 2) */
		if (n != 2 || strlen(t[1]) >= sizeof(c->metrics_listen))
			return fail(x, "'metrics-listen' takes one IP:PORT, e.g. 127.0.0.1:9464");
		strcpy(c->metrics_listen, t[1]);
	} else if (strcmp(t[0], "nls-auth") == 0) {
		if (!on_off(t, n, &c->nls_auth))
			return fail(x, "'nls-auth' is on or off");
	} else if (strcmp(t[0], "trust") == 0) {
		size_t got = 0;
		if (n != 2 || sodium_base642bin(c->trust[c->n_trust % CFG_MAX_TRUST], NIP_PK_LEN, t[1],
						strlen(t[1]), NULL, &got, NULL,
						sodium_base64_VARIANT_ORIGINAL) || got != NIP_PK_LEN)
			return fail(x, "'trust' takes one public key in base64, as 'newip key show FILE' "
				    "prints it (public-key line)");
		if (c->n_trust == CFG_MAX_TRUST)
			return fail(x, "more than %d trust anchors", CFG_MAX_TRUST);
		c->n_trust++;
	} else if (strcmp(t[0], "flood-guard") == 0) {
		if (!on_off(t, n, &c->flood_guard))
			return fail(x, "'flood-guard' is on or off");
	} else if (strcmp(t[0], "flood-threshold") == 0) {
		if (!uint_arg(t, n, 1, 100000000, &v))
			return fail(x, "'flood-threshold' takes packets per second from one source, 1 "
				    "to 100000000");
		c->flood_pps = (uint32_t)v;
	} else if (!strcmp(t[0], "flood-duration") || !strcmp(t[0], "shutoff-max")) {
		if (!uint_arg(t, n, 1, NCMP_SHUTOFF_MAX_S, &v))
			return fail(x, "'%s' takes seconds, 1 to %d", t[0], NCMP_SHUTOFF_MAX_S);
		*(t[0][0] == 'f' ? &c->flood_s : &c->shutoff_max_s) = (uint32_t)v;
	} else if (strcmp(t[0], "shutoff-verify-rate") == 0) {
		if (!uint_arg(t, n, 1, 100000, &v))
			return fail(x, "'shutoff-verify-rate' takes signature checks per second per "
				    "link, 1 to 100000");
		c->verify_rate = (uint32_t)v;
	} else if (strcmp(t[0], "digest-cache") == 0) {
		if (!uint_arg(t, n, 1000, 100000000, &v))
			return fail(x, "'digest-cache' takes the packet rate to size for, 1000 to "
				    "100000000 per second");
		c->dcache_pps = v;
	} else if (strcmp(t[0], "xdp") == 0) {
		if (n != 2 || !(c->xdp = xdp_mode(t[1])))
			return fail(x, "'xdp' is auto, on or off (the eth links' data path: AF_XDP, "
				    "with or without the packet socket as fallback, or the packet socket)");
	} else if (strcmp(t[0], "ncmp-rate") == 0) {
		if (!uint_arg(t, n, 1, 1000000, &v))
			return fail(x, "'ncmp-rate' takes messages per second per destination, 1 to "
				    "1000000");
		c->ncmp_rate = (uint32_t)v;
	} else {
		return fail(x, "unknown keyword '%s'; expected node, address, link, route, gateway, "
			    "map, routing, "
			    "hello-interval, dead-interval, lsa-refresh, rundir, ncmp-rate, realtime-priority, "
			    "metrics-listen, key, flood-guard, flood-threshold, flood-duration, shutoff-max, "
			    "shutoff-verify-rate, digest-cache, nls-auth, trust, workers or xdp",
			    t[0]);
	}
	return 0;
}

/* Make the addresses of 'address auto' from the key (§4.3). */
static int resolve_autos(struct ctx *x, struct config *c)
{
	for (unsigned i = 0; i < c->n_autos; i++) {
		struct nip_addr a;
		char s[NIP_ADDR_STRLEN];
		x->line = c->autos[i].line;
		if (!c->has_key)
			return fail(x, "'address auto' needs the node's key: add 'key FILE' (newip key "
				    "gen FILE makes one)");
		nip_addr_selfcert(&a, c->autos[i].prefix.b, 16, c->id.pk);
		for (unsigned k = 0; k < c->n_addrs; k++)
			if (nip_addr_eq(&c->addrs[k], &a)) {
				nip_addr_format(&a, s, sizeof(s));
				return fail(x, "address %s given twice; remove one", s);
			}
		c->addrs[c->autos[i].index] = a;
	}
	c->n_autos = 0; /* made: a second check does not make them again */
	return 0;
}

const struct nip_addr *config_selfcert(const struct config *c)
{
	for (unsigned i = 0; c->has_key && i < c->n_addrs; i++)
		if (nip_addr_is_selfcert(c->addrs[i].b, c->addrs[i].len, c->id.pk))
			return &c->addrs[i];
	return NULL;
}

int config_check(struct config *c, char *err, size_t errlen)
{
	struct ctx x = { c, c->path, 0, err, errlen };

	if (resolve_autos(&x, c) < 0)
		return -1;

	for (unsigned i = 0; i < c->n_routes; i++) {
		const struct nip_prefix *p = &c->routes[i].prefix;
		x.line = c->routes[i].line;
		if (config_link(c, c->routes[i].via) < 0)
			return fail(&x, "route via '%s': no such link; define it with 'link %s ...'",
				    c->routes[i].via, c->routes[i].via);
		for (unsigned k = 0; k < i; k++) {
			const struct nip_prefix *q = &c->routes[k].prefix;
			char s[NIP_ADDR_STRLEN];
			if (!nip_prefix_eq(p, q))
				continue;
			nip_prefix_format(p, s, sizeof(s));
			return fail(&x, "a route for %s is already given at line %d; keep one",
				    s, c->routes[k].line);
		}
	}
	bool gateway = false;
	for (unsigned i = 0; i < c->n_links; i++)
		gateway |= c->links[i].kind == LINK_TUN;
	if (c->n_maps && !gateway) {
		x.line = c->map_line[0];
		return fail(&x, "'map' needs an IP gateway on this node: add 'gateway tun NAME'");
	}
	if (!c->node[0]) {
		snprintf(err, errlen, "%s: no 'node NAME' line (or --name); every node needs a name",
			 c->path);
		return -1;
	}
	if (!c->xdp) { /* no 'xdp' line: the environment's, for running a suite both ways */
		const char *env = getenv("NEWIPD_XDP");
		if (env && !(c->xdp = xdp_mode(env))) {
			snprintf(err, errlen, "%s: NEWIPD_XDP is '%s'; set it to auto, on or off, or "
				 "unset it", c->path, env);
			return -1;
		}
		if (!c->xdp)
			c->xdp = LINK_XDP_OFF;
	}
	if (!c->has_workers) { /* likewise: the suite runs with one worker or several */
		const char *env = getenv("NEWIPD_WORKERS");
		if (env && !workers_arg(env, &c->workers)) {
			snprintf(err, errlen, "%s: NEWIPD_WORKERS is '%s'; set it to auto or 1 to %d, "
				 "or unset it", c->path, env, DP_MAX_WORKERS);
			return -1;
		}
	}
	for (unsigned i = 0; i < c->n_links; i++) { /* keyed links keep their socket (peer.c) */
		struct link_cfg *l = &c->links[i];
		if ((l->kind == LINK_ETH || (l->kind == LINK_UDP && !l->keyed)) && !l->xdp)
			l->xdp = c->xdp;
		if (l->ports > 1 && l->xdp == LINK_XDP_ON) {
			snprintf(err, errlen, "%s:%d: link '%s': ports %u runs on the UDP socket and "
				 "the node has 'xdp on'; write 'xdp off' or 'xdp auto' on the link",
				 c->path, c->link_line[i], l->name, l->ports);
			return -1;
		}
	}
	if (c->dead_ms <= c->hello_ms) {
		snprintf(err, errlen, "%s: dead-interval %u must exceed hello-interval %u (about 4x)",
			 c->path, c->dead_ms, c->hello_ms);
		return -1;
	}
	if (!c->n_addrs) {
		snprintf(err, errlen, "%s: no 'address' line (or --address); a node needs at least "
			 "one address", c->path);
		return -1;
	}
	for (unsigned i = 0; i < c->n_links; i++) {
		struct link_cfg *l = &c->links[i];
		if (!l->keyed)
			continue;
		x.line = c->link_line[i];
		if (!c->has_key)
			return fail(&x, "link '%s' is keyed: it needs this node's own key too; add "
				    "'key FILE' ('newip key gen FILE' makes one)", l->name);
		if (!memcmp(l->peer_key, c->id.pk, sizeof(l->peer_key)))
			return fail(&x, "link '%s': 'key' is this node's own key; give the peer's",
				    l->name);
		for (unsigned k = 0; k < i; k++)
			if (c->links[k].keyed && !memcmp(c->links[k].peer_key, l->peer_key, 32) &&
			    c->links[k].local_len == l->local_len &&
			    !memcmp(&c->links[k].local, &l->local, l->local_len))
				return fail(&x, "link '%s': link '%s' (line %d) has the same peer key on "
					    "the same local address; one link per peer", l->name,
					    c->links[k].name, c->link_line[k]);
		if (nip_lf_link_key(l->link_key, c->id.sk, l->peer_key) < 0)
			return fail(&x, "link '%s': 'key' is not a usable public key", l->name);
		memcpy(l->my_key, c->id.pk, sizeof(l->my_key));
	}
	if (c->nls_auth && !c->has_key) {
		snprintf(err, errlen, "%s: 'nls-auth on' needs the node's key to sign with: add 'key "
			 "FILE' (and a 'trust' line for every other router's public key)", c->path);
		return -1;
	}
	if (c->flood_guard && !config_selfcert(c)) {
		snprintf(err, errlen, "%s: 'flood-guard on' needs the node's key and a self-certifying "
			 "address: add 'key FILE' and 'address auto PREFIX'", c->path);
		return -1;
	}
	return 0;
}

int config_load(struct config *c, const char *path, char *err, size_t errlen)
{
	char line[1024], *t[MAXTOK], *save;
	struct ctx x = { c, path, 0, err, errlen };
	FILE *f;

	zero_fill(c, sizeof(*c)); /* control/zero.h: an idle node's memory */
	snprintf(c->path, sizeof(c->path), "%s", path);
	snprintf(c->rundir, sizeof(c->rundir), "%s", NIP_RUNDIR);
	c->ncmp_rate = 100;
	c->flood_pps = 10000;
	c->flood_s = 60;
	c->shutoff_max_s = NCMP_SHUTOFF_MAX_S;
	c->verify_rate = 200;
	c->dcache_pps = 1000000;
	c->routing = true;
	c->hello_ms = 100;
	c->dead_ms = 400;
	c->lsa_refresh_s = 30;
	if (!(f = fopen(path, "r"))) {
		snprintf(err, errlen, "%s: cannot read: %s", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		int n = 0;
		x.line++;
		if (!strchr(line, '\n') && !feof(f)) {
			fclose(f);
			return fail(&x, "line longer than %zu characters", sizeof(line) - 2);
		}
		line[strcspn(line, "#\n")] = '\0';
		for (char *tok = strtok_r(line, " \t\r", &save); tok;
		     tok = strtok_r(NULL, " \t\r", &save)) {
			if (n == MAXTOK) {
				fclose(f);
				return fail(&x, "too many words on one line");
			}
			t[n++] = tok;
		}
		if (n && statement(&x, t, n) < 0) {
			fclose(f);
			return -1;
		}
	}
	fclose(f);
	return 0;
}

void config_print(const struct config *c, FILE *f)
{
	char s[NIP_ADDR_STRLEN], a[80], b[80];

	fprintf(f, "node %s\nrundir %s\nncmp-rate %u\n", c->node, c->rundir, c->ncmp_rate);
	fprintf(f, "routing %s\nhello-interval %u\ndead-interval %u\nlsa-refresh %u\n",
		c->routing ? "on" : "off", c->hello_ms, c->dead_ms, c->lsa_refresh_s);
	if (c->rt_priority)
		fprintf(f, "realtime-priority %d\n", c->rt_priority);
	if (c->xdp == LINK_XDP_AUTO || c->xdp == LINK_XDP_ON)
		fprintf(f, "xdp %s\n", xdp_name(c->xdp));
	if (c->workers)
		fprintf(f, "workers %u\n", c->workers);
	else
		fprintf(f, "workers auto\n");
	if (c->metrics_listen[0])
		fprintf(f, "metrics-listen %s\n", c->metrics_listen);
	if (c->has_key) /* the path, never the key */
		fprintf(f, "key %s\n", c->key_path);
	fprintf(f, "nls-auth %s\n", c->nls_auth ? "on" : "off");
	for (unsigned i = 0; i < c->n_trust; i++) {
		char b64[NIP_KEY_B64_LEN];
		sodium_bin2base64(b64, sizeof(b64), c->trust[i], NIP_PK_LEN,
				  sodium_base64_VARIANT_ORIGINAL);
		fprintf(f, "trust %s\n", b64);
	}
	fprintf(f, "flood-guard %s\nflood-threshold %u\nflood-duration %u\nshutoff-max %u\n"
		   "shutoff-verify-rate %u\ndigest-cache %llu\n", c->flood_guard ? "on" : "off",
		c->flood_pps, c->flood_s, c->shutoff_max_s, c->verify_rate,
		(unsigned long long)c->dcache_pps);
	for (unsigned i = 0; i < c->n_addrs; i++) {
		nip_addr_format(&c->addrs[i], s, sizeof(s));
		if (c->addr_auto[i]) {
			char p[NIP_ADDR_STRLEN];
			struct nip_addr pre;
			nip_addr_set(&pre, c->addrs[i].b, 16);
			nip_addr_format(&pre, p, sizeof(p));
			fprintf(f, "address auto %s # %s\n", p, s);
		} else {
			fprintf(f, "address %s\n", s);
		}
	}
	for (unsigned i = 0; i < c->n_links; i++) {
		const struct link_cfg *l = &c->links[i];
		if (l->kind == LINK_TUN) { /* its own line: a gateway has no metric or egress */
			fprintf(f, "gateway tun %s dev %s", l->name, l->ifname);
			if (l->mtu)
				fprintf(f, " mtu %u", l->mtu);
			if (l->no_offload)
				fprintf(f, " offload off");
			fprintf(f, "\n");
			continue;
		}
		fprintf(f, "link %s %s", l->name, link_kind_name(l->kind));
		if (l->kind == LINK_UDP && l->keyed) {
			char k64[NIP_KEY_B64_LEN];
			format_sockaddr(&l->local, a, sizeof(a));
			sodium_bin2base64(k64, sizeof(k64), l->peer_key, sizeof(l->peer_key),
					  sodium_base64_VARIANT_ORIGINAL);
			fprintf(f, " local %s key %s", a, k64);
			if (l->endpoint[0])
				fprintf(f, " endpoint %s", l->endpoint);
			if (l->keepalive_s)
				fprintf(f, " keepalive %u", l->keepalive_s);
			if (l->sealed)
				fprintf(f, " seal on");
		} else if (l->kind == LINK_SCHC) {
			format_sockaddr(&l->local, a, sizeof(a));
			format_sockaddr(&l->peer, b, sizeof(b));
			fprintf(f, " local %s peer %s rules %s role %s frame %u bitrate %u duty %u loss %u",
				a, b, l->schc_rules, l->schc_tx == SCHC_DOWN ? "gateway" : "device",
				l->frame, l->bitrate, l->duty, l->loss);
		} else if (l->kind == LINK_UDP) {
			format_sockaddr(&l->local, a, sizeof(a));
			format_sockaddr(&l->peer, b, sizeof(b));
			fprintf(f, " local %s peer %s", a, b);
			if (l->ports > 1)
				fprintf(f, " ports %u", l->ports);
			if (l->xdp != c->xdp)
				fprintf(f, " xdp %s", xdp_name(l->xdp));
		} else {
			fprintf(f, " dev %s", l->ifname);
			if (l->has_peer_mac)
				fprintf(f, " peer-mac %02x:%02x:%02x:%02x:%02x:%02x", l->peer_mac[0],
					l->peer_mac[1], l->peer_mac[2], l->peer_mac[3],
					l->peer_mac[4], l->peer_mac[5]);
			if (l->xdp != c->xdp) /* the node's 'xdp' line covers the rest */
				fprintf(f, " xdp %s", xdp_name(l->xdp));
		}
		if (l->kind == LINK_UDP && l->no_offload)
			fprintf(f, " offload off");
		if (l->mtu)
			fprintf(f, " mtu %u", l->mtu);
		if (l->rate_bps)
			fprintf(f, " rate %llubit sched %s", (unsigned long long)l->rate_bps,
				l->sched_fifo ? "fifo" : "contract");
		if (l->delay_us)
			fprintf(f, " delay %uus", l->delay_us);
		if (l->qlimit_pkts)
			fprintf(f, " queue-limit %u", l->qlimit_pkts);
		if (l->qlimit_bytes)
			fprintf(f, " queue-bytes %u", l->qlimit_bytes);
		if (l->share_pct)
			fprintf(f, " contract-share %u", l->share_pct);
		if (l->src_check)
			fprintf(f, " source-check %s", l->src_check == SRC_CHECK_STRICT ? "strict" : "on");
		fprintf(f, " metric %u\n", c->metric[i]);
	}
	for (unsigned i = 0; i < c->n_routes; i++) {
		nip_prefix_format(&c->routes[i].prefix, s, sizeof(s));
		fprintf(f, "route %s via %s\n", s, c->routes[i].via);
	}
	for (unsigned i = 0; i < c->n_maps; i++) {
		nip_prefix_format(&c->maps[i].nip, s, sizeof(s));
		nip_prefix_format(&c->maps[i].ip6, a, sizeof(a));
		fprintf(f, "map %s %s\n", s, a);
	}
}
