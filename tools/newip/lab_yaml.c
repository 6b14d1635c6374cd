/* Topology YAML for labs, read with libyaml's document API so errors carry line numbers. */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "lab.h"
#include "newip/addr.h"
#include "newip/units.h"

struct ctx {
	yaml_document_t doc;
	const char *path;
	char *err;
	size_t errlen;
};

static int fail(struct ctx *x, const yaml_node_t *at, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(x->err, x->errlen, "%s:%lu: ", x->path,
			 at ? (unsigned long)at->start_mark.line + 1 : 1ul);

	va_start(ap, fmt);
	if (n > 0 && (size_t)n < x->errlen)
		vsnprintf(x->err + n, x->errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

static const char *scalar(const yaml_node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

static yaml_node_t *get(struct ctx *x, yaml_node_t *map, const char *key)
{
	if (!map || map->type != YAML_MAPPING_NODE)
		return NULL;
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
		const char *k = scalar(yaml_document_get_node(&x->doc, p->key));
		if (k && !strcmp(k, key))
			return yaml_document_get_node(&x->doc, p->value);
	}
	return NULL;
}

/* Names become parts of namespace and interface names: letters, digits, '-', '_'. */
static bool good_name(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n >= LAB_NAME - 1)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!(s[i] == '-' || s[i] == '_' || (s[i] >= 'a' && s[i] <= 'z') ||
		      (s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9')))
			return false;
	return true;
}

static int check_keys(struct ctx *x, yaml_node_t *map, const char *const *allowed)
{
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
		yaml_node_t *kn = yaml_document_get_node(&x->doc, p->key);
		const char *k = scalar(kn);
		bool ok = false;
		for (int i = 0; k && allowed[i]; i++)
			ok |= !strcmp(k, allowed[i]);
		if (!ok)
			return fail(x, kn, "unknown key '%s'; expected %s%s%s%s%s", k ? k : "?",
				    allowed[0], allowed[1] ? ", " : "", allowed[1] ? allowed[1] : "",
				    allowed[1] && allowed[2] ? ", " : "",
				    allowed[1] && allowed[2] ? allowed[2] : "");
	}
	return 0;
}

static int load_list(struct ctx *x, yaml_node_t *seq, char (*out)[200], size_t width, int max,
		     int *n, const char *what)
{
	if (!seq)
		return 0;
	if (seq->type != YAML_SEQUENCE_NODE)
		return fail(x, seq, "'%s' must be a list, e.g. [a, b]", what);
	for (yaml_node_item_t *i = seq->data.sequence.items.start; i < seq->data.sequence.items.top; i++) {
		yaml_node_t *it = yaml_document_get_node(&x->doc, *i);
		const char *s = scalar(it);
		if (!s || strlen(s) >= width)
			return fail(x, it, "each of '%s' must be one short text value", what);
		if (*n == max)
			return fail(x, it, "more than %d %s", max, what);
		snprintf(out[(*n)++], width, "%s", s);
	}
	return 0;
}

int lab_grow(void **arr, int *cap, int n, size_t size)
{
	if (n < *cap)
		return 0;
	int want = *cap ? 2 * *cap : 16;
	void *p = realloc(*arr, (size_t)want * size);
	if (!p)
		return -1;
	*arr = p;
	*cap = want;
	return 0;
}

static int load_node(struct ctx *x, struct lab *lab, yaml_node_t *kn, yaml_node_t *vn)
{
	static const char *const keys[] = { "addresses", "routes", "daemon", "config", "key", "lan",
					    "map", "offload", NULL };
	struct lab_node *n;
	const char *name = scalar(kn);
	char tmp[LAB_MAX_ADDRS][200];
	struct nip_addr a;
	int na = 0;

	if (!name || !good_name(name))
		return fail(x, kn, "node name '%s' must be 1-%d letters, digits, '-' or '_'",
			    name ? name : "?", LAB_NAME - 2);
	if (lab_node_index(lab, name) >= 0)
		return fail(x, kn, "node '%s' defined twice", name);
	if (lab->n_nodes == LAB_MAX_NODES)
		return fail(x, kn, "more than %d nodes; split the lab", LAB_MAX_NODES);
	if (lab_grow((void **)&lab->nodes, &lab->cap_nodes, lab->n_nodes, sizeof(*n)) < 0)
		return fail(x, kn, "out of memory at node '%s'", name);
	n = &lab->nodes[lab->n_nodes];
	if (vn->type != YAML_MAPPING_NODE)
		return fail(x, vn, "node '%s' must be a mapping with 'addresses' and 'routes'", name);
	if (check_keys(x, vn, keys) < 0)
		return -1;
	memset(n, 0, sizeof(*n));
	snprintf(n->name, sizeof(n->name), "%s", name);
	n->line = (int)kn->start_mark.line + 1;
	const char *daemon = scalar(get(x, vn, "daemon"));
	if (daemon && strcmp(daemon, "true") && strcmp(daemon, "false"))
		return fail(x, get(x, vn, "daemon"), "'daemon' is true or false");
	n->daemon = !daemon || !strcmp(daemon, "true");
	const char *key = scalar(get(x, vn, "key"));
	if (key && strcmp(key, "auto"))
		return fail(x, get(x, vn, "key"), "'key' is auto (lab up makes the node a key)");
	n->key = key != NULL;
	if (load_list(x, get(x, vn, "addresses"), tmp, 96, LAB_MAX_ADDRS, &na, "addresses") < 0 ||
	    load_list(x, get(x, vn, "routes"), n->routes, 200, LAB_MAX_ROUTES, &n->n_routes,
		      "routes") < 0 ||
	    load_list(x, get(x, vn, "config"), n->config, 200, LAB_MAX_ROUTES, &n->n_config,
		      "config") < 0 ||
	    load_list(x, get(x, vn, "lan"), n->lan, 64, LAB_MAX_ADDRS, &n->n_lan, "lan") < 0 ||
	    load_list(x, get(x, vn, "map"), n->map, 200, LAB_MAX_ADDRS, &n->n_map, "map") < 0)
		return -1;
	const char *off = scalar(get(x, vn, "offload"));
	if (off && ((strcmp(off, "on") && strcmp(off, "off")) || !n->n_lan))
		return fail(x, get(x, vn, "offload"), "'offload' is on or off, on a node with a lan");
	if (off)
		snprintf(n->gw_opts, sizeof(n->gw_opts), " offload %s", off);
	for (int i = 0; i < n->n_map; i++) {
		char np[200], ip6[200], extra;
		struct nip_prefix p, q;
		if (sscanf(n->map[i], "%199s %199s %c", np, ip6, &extra) != 2 ||
		    nip_prefix_parse(&p, np) < 0 || nip_prefix_parse(&q, ip6) < 0 || q.addr.len != 16)
			return fail(x, get(x, vn, "map"), "map '%s' must be 'NEWIP-PREFIX IPV6-PREFIX', "
				    "e.g. 'x0b00/8 2001:db8:ee::/104' (docs/spec.md §12.4)", n->map[i]);
		if (!n->n_lan)
			return fail(x, get(x, vn, "map"), "a node with a map needs a lan: it is an IP "
				    "gateway's");
	}
	for (int i = 0; i < n->n_lan; i++) {
		struct nip_prefix p;
		if (nip_prefix_parse(&p, n->lan[i]) < 0 || (p.addr.len != 4 && p.addr.len != 16) ||
		    p.plen > 8u * p.addr.len - 2)
			return fail(x, get(x, vn, "lan"), "lan '%s' must be an IPv4 or IPv6 prefix "
				    "with room for two hosts, e.g. 10.1.0.0/24 or 2001:db8:1::/64",
				    n->lan[i]);
		if (!n->daemon || strlen(name) > LAB_NAME - 5)
			return fail(x, get(x, vn, "lan"), "a node with a lan needs a daemon and a name "
				    "of at most %d characters (its host is NAME-lan)", LAB_NAME - 5);
	}
	if (na == 0 && n->daemon)
		return fail(x, kn, "node '%s' needs at least one address", name);
	for (int i = 0; i < na; i++) {
		if (!strncmp(tmp[i], "auto ", 5)) { /* a self-certifying address from the node's key */
			if (!n->key)
				return fail(x, get(x, vn, "addresses"), "'%s' needs 'key: auto' on node "
					    "'%s'", tmp[i], name);
			if (nip_addr_parse(&a, tmp[i] + 5) < 0 || a.len != 16)
				return fail(x, get(x, vn, "addresses"), "'%s': auto takes a 16-octet "
					    "routing prefix, e.g. 'auto 2001:db8:1::'", tmp[i]);
			memcpy(n->addrs[i], tmp[i], strlen(tmp[i]) + 1);
			continue;
		}
		if (nip_addr_parse(&a, tmp[i]) < 0)
			return fail(x, get(x, vn, "addresses"), "'%s' is not an address (192.0.2.1, "
				    "2001:db8::1, x0a01)", tmp[i]);
		memcpy(n->addrs[i], tmp[i], strlen(tmp[i]) + 1); /* load_list kept it < 96 */
	}
	n->n_addrs = na;
	lab->n_nodes++;
	return 0;
}

static int endpoint(struct ctx *x, struct lab *lab, yaml_node_t *at, const char *s, int *node,
		    char *ifname)
{
	const char *colon = s ? strchr(s, ':') : NULL;
	char name[LAB_NAME];

	if (!colon || (size_t)(colon - s) >= LAB_NAME || !good_name(colon + 1))
		return fail(x, at, "endpoint '%s' must be NODE:IFACE, e.g. r1:eth0", s ? s : "?");
	memcpy(name, s, (size_t)(colon - s));
	name[colon - s] = '\0';
	if ((*node = lab_node_index(lab, name)) < 0)
		return fail(x, at, "endpoint '%s': no node named '%s' under nodes", s, name);
	strcpy(ifname, colon + 1);
	for (int i = 0; i < lab->n_links; i++) {
		const struct lab_link *l = &lab->links[i];
		if ((l->a == *node && !strcmp(l->ifa, ifname)) ||
		    (l->b == *node && !strcmp(l->ifb, ifname)))
			return fail(x, at, "interface %s is used by two links", s);
	}
	return 0;
}

/* Egress options (docs/spec.md §10), checked here so a mistake names the lab file's line. */
static int load_egress(struct ctx *x, yaml_node_t *ln, struct lab_link *l)
{
	const char *rate = scalar(get(x, ln, "rate")), *delay = scalar(get(x, ln, "delay"));
	const char *sched = scalar(get(x, ln, "sched")), *ql = scalar(get(x, ln, "queue-limit"));
	const char *share = scalar(get(x, ln, "contract-share"));
	size_t n = 0;
	char *end;

	if (rate && !nip_parse_rate(rate))
		return fail(x, get(x, ln, "rate"), "rate '%s' is not a positive rate; write e.g. "
			    "100mbit, or leave 'rate' out for an unpaced link", rate);
	if (delay && (nip_parse_time_us(delay) < 0 || nip_parse_time_us(delay) > 10000000))
		return fail(x, get(x, ln, "delay"), "delay '%s' is not a duration up to 10s "
			    "(e.g. 5ms)", delay);
	if (sched && strcmp(sched, "contract") && strcmp(sched, "fifo"))
		return fail(x, get(x, ln, "sched"), "sched '%s' unknown; use contract or fifo", sched);
	if (ql && (strtoul(ql, &end, 10) < 1 || *end || strtoul(ql, NULL, 10) > 4096))
		return fail(x, get(x, ln, "queue-limit"), "queue-limit '%s' out of range; use 1 to "
			    "4096 packets", ql);
	if (share && (strtoul(share, &end, 10) < 1 || *end || strtoul(share, NULL, 10) > 100))
		return fail(x, get(x, ln, "contract-share"), "contract-share '%s' out of range; use "
			    "1 to 100 (%%)", share);
	if (!rate && (sched || ql || share))
		return fail(x, ln, "sched, queue-limit and contract-share need 'rate' (only a paced "
			    "link has a queue of its own)");
	const char *k[] = { "rate", "delay", "sched", "queue-limit", "contract-share" };
	const char *v[] = { rate, delay, sched, ql, share };
	for (int i = 0; i < 5; i++)
		if (v[i])
			n += (size_t)snprintf(l->egress + n, sizeof(l->egress) - n, " %s %s", k[i], v[i]);
	if (n >= sizeof(l->egress))
		return fail(x, ln, "egress options too long");
	return 0;
}

/* An LPWAN link (docs/spec.md §13.4): its rules (relative to the lab file), which end is the
 * gateway, and the radio; newipd checks the values and the rules again when it reads them. */
static int load_schc(struct ctx *x, struct lab *lab, yaml_node_t *ln, struct lab_link *l)
{
	static const char *const opts[] = { "frame", "bitrate", "duty", "loss", "rules", "gateway" };
	const char *rules = scalar(get(x, ln, "rules")), *gw = scalar(get(x, ln, "gateway"));
	char path[600], abs[PATH_MAX];
	size_t n;

	if (!l->schc) {
		for (int i = 0; i < 6; i++)
			if (get(x, ln, opts[i]))
				return fail(x, get(x, ln, opts[i]), "'%s' is for a link of kind schc",
					    opts[i]);
		return 0;
	}
	if (!rules || !gw)
		return fail(x, ln, "a schc link needs 'rules: FILE' (OpenSCHC JSON) and 'gateway: "
			    "NODE' (the end that is the LPWAN gateway)");
	l->schc_gw = lab_node_index(lab, gw);
	if (l->schc_gw != l->a && l->schc_gw != l->b)
		return fail(x, get(x, ln, "gateway"), "gateway '%s' is not an end of this link", gw);
	if (get(x, ln, "underlay") || get(x, ln, "keyed") || get(x, ln, "rate") ||
	    get(x, ln, "delay") || get(x, ln, "mtu"))
		return fail(x, ln, "a schc link has rules, gateway, frame, bitrate, duty and loss; "
			    "not underlay, keyed, mtu, rate or delay");
	const char *slash = strrchr(x->path, '/');
	snprintf(path, sizeof(path), "%.*s%s", rules[0] != '/' && slash ?
		 (int)(slash - x->path + 1) : 0, x->path, rules);
	if (!realpath(path, abs))
		return fail(x, get(x, ln, "rules"), "rules '%s': %s", path, strerror(errno));
	n = (size_t)snprintf(l->schc_opts, sizeof(l->schc_opts), " rules %s", abs);
	for (int i = 0; i < 4; i++) {
		const char *v = scalar(get(x, ln, opts[i]));
		if (v && n < sizeof(l->schc_opts))
			n += (size_t)snprintf(l->schc_opts + n, sizeof(l->schc_opts) - n, " %s %s",
					      opts[i], v);
	}
	if (n >= sizeof(l->schc_opts))
		return fail(x, ln, "schc options too long");
	return 0;
}

static int load_link(struct ctx *x, struct lab *lab, yaml_node_t *ln)
{
	static const char *const keys[] = { "endpoints", "kind",	"mtu",	  "underlay",
					    "rate",	 "delay",	"sched",  "queue-limit",
					    "contract-share", "source-check", "keyed", "rules",
					    "gateway", "frame", "bitrate", "duty", "loss", "offload",
					    "ports", "queues", NULL };
	struct lab_link *l;
	yaml_node_t *ep = get(x, ln, "endpoints");
	const char *kind = scalar(get(x, ln, "kind")), *mtu = scalar(get(x, ln, "mtu"));
	const char *under = scalar(get(x, ln, "underlay"));

	if (ln->type != YAML_MAPPING_NODE)
		return fail(x, ln, "each link must be a mapping with 'endpoints'");
	if (check_keys(x, ln, keys) < 0)
		return -1;
	if (lab->n_links == LAB_MAX_LINKS)
		return fail(x, ln, "more than %d links; split the lab", LAB_MAX_LINKS);
	if (lab_grow((void **)&lab->links, &lab->cap_links, lab->n_links, sizeof(*l)) < 0)
		return fail(x, ln, "out of memory");
	l = &lab->links[lab->n_links];
	memset(l, 0, sizeof(*l));
	l->line = (int)ln->start_mark.line + 1;
	if (!ep || ep->type != YAML_SEQUENCE_NODE ||
	    ep->data.sequence.items.top - ep->data.sequence.items.start != 2)
		return fail(x, ep ? ep : ln, "'endpoints' must list two NODE:IFACE, e.g. "
			    "[h1:eth0, r1:eth1]");
	yaml_node_t *e0 = yaml_document_get_node(&x->doc, ep->data.sequence.items.start[0]);
	yaml_node_t *e1 = yaml_document_get_node(&x->doc, ep->data.sequence.items.start[1]);
	int na, nb;
	char ia[LAB_NAME], ib[LAB_NAME];
	if (endpoint(x, lab, e0, scalar(e0), &na, ia) < 0 ||
	    endpoint(x, lab, e1, scalar(e1), &nb, ib) < 0)
		return -1;
	if (na == nb && !strcmp(ia, ib))
		return fail(x, e1, "interface %s is used by two links", scalar(e1));
	l->a = na, l->b = nb;
	strcpy(l->ifa, ia);
	strcpy(l->ifb, ib);
	if (l->a == l->b)
		return fail(x, ep, "a link joins two different nodes");
	if (kind && strcmp(kind, "udp") && strcmp(kind, "eth") && strcmp(kind, "schc"))
		return fail(x, get(x, ln, "kind"), "kind '%s' unknown; use udp, eth or schc", kind);
	l->eth = kind && !strcmp(kind, "eth");
	l->schc = kind && !strcmp(kind, "schc");
	if (load_schc(x, lab, ln, l) < 0)
		return -1;
	if (under && strcmp(under, "ipv4") && strcmp(under, "ipv6"))
		return fail(x, get(x, ln, "underlay"), "underlay '%s' unknown; use ipv4 or ipv6",
			    under);
	if (under && l->eth)
		return fail(x, get(x, ln, "underlay"), "'underlay' applies to udp links only");
	l->v6 = under && !strcmp(under, "ipv6");
	if (mtu && ((l->mtu = atoi(mtu)) < 1280 || l->mtu > 2000))
		return fail(x, get(x, ln, "mtu"), "mtu '%s' out of range; use 1280 to 2000", mtu);
	const char *keyed = scalar(get(x, ln, "keyed"));
	if (keyed && strcmp(keyed, "true") && strcmp(keyed, "false"))
		return fail(x, get(x, ln, "keyed"), "keyed '%s': write true or false", keyed);
	l->keyed = keyed && !strcmp(keyed, "true");
	if (l->keyed && (l->eth || !lab->nodes[l->a].key || !lab->nodes[l->b].key))
		return fail(x, get(x, ln, "keyed"), "a keyed link is udp and joins two nodes with "
			    "'key: auto' (each names the other by its key)");
	const char *off = scalar(get(x, ln, "offload"));
	if (off && (strcmp(off, "on") && strcmp(off, "off")))
		return fail(x, get(x, ln, "offload"), "offload '%s': write on or off", off);
	if (off && (l->eth || l->schc))
		return fail(x, get(x, ln, "offload"), "'offload' applies to udp links only (UDP GSO "
			    "and GRO)");
	l->no_offload = off && !strcmp(off, "off");
	const char *ports = scalar(get(x, ln, "ports"));
	char *end;
	if (ports && ((l->ports = (int)strtol(ports, &end, 10)) < 1 || l->ports > 16 || *end))
		return fail(x, get(x, ln, "ports"), "ports '%s' out of range; use 1 to 16", ports);
	if (ports && (l->eth || l->schc || l->keyed))
		return fail(x, get(x, ln, "ports"), "'ports' applies to plain udp links only (the "
			    "local ports a link sends from, docs/spec.md §1.2)");
	const char *queues = scalar(get(x, ln, "queues"));
	if (queues && ((l->queues = (int)strtol(queues, &end, 10)) < 1 || l->queues > 64 || *end))
		return fail(x, get(x, ln, "queues"), "queues '%s' out of range; use 1 to 64", queues);
	if (queues && (l->eth || l->schc))
		return fail(x, get(x, ln, "queues"), "'queues' applies to udp links only (an eth "
			    "link's AF_XDP socket reads one queue)");
	if (load_egress(x, ln, l) < 0)
		return -1;
	/* "source-check: r1" or "r1 strict": r1 checks what the other end sends (spec §11) */
	const char *sc = scalar(get(x, ln, "source-check"));
	char who[LAB_NAME + 8] = "";
	l->check_node = -1;
	if (sc) {
		const char *sp = strchr(sc, ' ');
		size_t wl = sp ? (size_t)(sp - sc) : strlen(sc);
		if (wl < LAB_NAME)
			memcpy(who, sc, wl);
		l->check_strict = sp && !strcmp(sp + 1, "strict");
		int idx = lab_node_index(lab, who);
		if ((idx != l->a && idx != l->b) || (sp && !l->check_strict))
			return fail(x, get(x, ln, "source-check"), "source-check '%s': name the endpoint "
				    "node that checks, optionally with 'strict' (e.g. 'r1' or 'r1 strict')",
				    sc);
		l->check_node = idx;
	}
	lab->n_links++;
	return 0;
}

/* Each node's routes must say "PREFIX via IFACE" with an interface the node has. */
static int check_routes(struct ctx *x, struct lab *lab)
{
	for (int i = 0; i < lab->n_nodes; i++) {
		struct lab_node *n = &lab->nodes[i];
		for (int r = 0; r < n->n_routes; r++) {
			char pfx[128], via[16], ifname[64];
			struct nip_prefix p;
			bool found = false;
			if (sscanf(n->routes[r], "%127s %15s %63s", pfx, via, ifname) != 3 ||
			    strcmp(via, "via") || nip_prefix_parse(&p, pfx) < 0) {
				snprintf(x->err, x->errlen, "%s:%d: node %s: route '%s' must read "
					 "'PREFIX via IFACE' (e.g. 'default via eth0')", x->path,
					 n->line, n->name, n->routes[r]);
				return -1;
			}
			for (int k = 0; k < lab->n_links; k++)
				found |= (lab->links[k].a == i && !strcmp(lab->links[k].ifa, ifname)) ||
					 (lab->links[k].b == i && !strcmp(lab->links[k].ifb, ifname));
			if (!found) {
				snprintf(x->err, x->errlen, "%s:%d: node %s: route via '%s', but no link "
					 "gives %s an interface of that name", x->path, n->line,
					 n->name, ifname, n->name);
				return -1;
			}
		}
	}
	return 0;
}

int lab_node_index(const struct lab *lab, const char *name)
{
	for (int i = 0; i < lab->n_nodes; i++)
		if (!strcmp(lab->nodes[i].name, name))
			return i;
	return -1;
}

static int load_doc(struct ctx *x, struct lab *lab)
{
	static const char *const keys[] = { "name", "nodes", "links", "nls-auth", NULL };
	yaml_node_t *root = yaml_document_get_root_node(&x->doc), *nodes, *links;
	const char *name;

	if (!root || root->type != YAML_MAPPING_NODE)
		return fail(x, root, "a lab file is a mapping with name, nodes and links");
	if (check_keys(x, root, keys) < 0)
		return -1;
	name = scalar(get(x, root, "name"));
	if (!name || !good_name(name))
		return fail(x, root, "'name' must be 1-%d letters, digits, '-' or '_'", LAB_NAME - 2);
	snprintf(lab->name, sizeof(lab->name), "%s", name);
	nodes = get(x, root, "nodes");
	if (!nodes || nodes->type != YAML_MAPPING_NODE)
		return fail(x, nodes ? nodes : root, "'nodes' must map node names to their settings");
	for (yaml_node_pair_t *p = nodes->data.mapping.pairs.start; p < nodes->data.mapping.pairs.top; p++)
		if (load_node(x, lab, yaml_document_get_node(&x->doc, p->key),
			      yaml_document_get_node(&x->doc, p->value)) < 0)
			return -1;
	const char *auth = scalar(get(x, root, "nls-auth"));
	if (auth && strcmp(auth, "on") && strcmp(auth, "off"))
		return fail(x, get(x, root, "nls-auth"), "'nls-auth' is on or off");
	lab->nls_auth = auth && !strcmp(auth, "on");
	for (int i = 0; lab->nls_auth && i < lab->n_nodes; i++)
		if (lab->nodes[i].daemon && !lab->nodes[i].key)
			return fail(x, get(x, root, "nls-auth"), "'nls-auth: on' needs 'key: auto' on "
				    "every node; node '%s' has none", lab->nodes[i].name);
	links = get(x, root, "links");
	if (links && links->type != YAML_SEQUENCE_NODE)
		return fail(x, links, "'links' must be a list");
	for (yaml_node_item_t *i = links ? links->data.sequence.items.start : NULL;
	     links && i < links->data.sequence.items.top; i++)
		if (load_link(x, lab, yaml_document_get_node(&x->doc, *i)) < 0)
			return -1;
	return check_routes(x, lab);
}

int lab_load(struct lab *lab, const char *path, char *err, size_t errlen)
{
	struct ctx x = { .path = path, .err = err, .errlen = errlen };
	yaml_parser_t parser;
	FILE *f = fopen(path, "r");
	int rc;

	memset(lab, 0, sizeof(*lab));
	snprintf(lab->path, sizeof(lab->path), "%s", path);
	if (!f) {
		snprintf(err, errlen, "%s: cannot read", path);
		return -1;
	}
	yaml_parser_initialize(&parser);
	yaml_parser_set_input_file(&parser, f);
	if (!yaml_parser_load(&parser, &x.doc)) {
		snprintf(err, errlen, "%s:%lu: YAML: %s", path,
			 (unsigned long)parser.problem_mark.line + 1,
			 parser.problem ? parser.problem : "syntax error");
		yaml_parser_delete(&parser);
		fclose(f);
		return -1;
	}
	rc = load_doc(&x, lab);
	yaml_document_delete(&x.doc);
	yaml_parser_delete(&parser);
	fclose(f);
	return rc;
}

void lab_free(struct lab *lab)
{
	free(lab->nodes);
	free(lab->links);
	memset(lab, 0, sizeof(*lab));
}
