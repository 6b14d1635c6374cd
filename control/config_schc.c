/* newipd.conf's `link NAME schc ...` (docs/newipd.conf.md; docs/spec.md §13.4): the options of
 * an emulated LPWAN link, and the rule set checked when the file is read, not at the first
 * packet. */
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "newip/units.h"
#include "schc.h"

#define FAIL(...) (snprintf(why, n, __VA_ARGS__), -1)

/* A rules path as written, or relative to the configuration file's directory. */
static int rules_path(struct link_cfg *l, const char *val, const char *conf)
{
	const char *slash = strrchr(conf, '/');
	int len = slash && val[0] != '/' ? (int)(slash - conf + 1) : 0;

	return snprintf(l->schc_rules, sizeof(l->schc_rules), "%.*s%s", len, conf, val) <
		       (int)sizeof(l->schc_rules) ? 0 : -1;
}

int config_schc_option(struct link_cfg *l, const char *key, const char *val, const char *conf,
		       char *why, size_t n)
{
	unsigned long long v;

	if (!strcmp(key, "local") || !strcmp(key, "peer")) {
		bool local = key[0] == 'l';
		if (parse_sockaddr(val, local ? &l->local : &l->peer,
				   local ? &l->local_len : &l->peer_len) < 0)
			return FAIL("'%s %s' is not IP:PORT; write e.g. 10.9.0.1:6470", key, val);
	} else if (!strcmp(key, "rate") || !strcmp(key, "delay")) {
		return FAIL("a schc link's radio has 'bitrate' and 'duty', not '%s'", key);
	} else if (!strcmp(key, "rules")) {
		if (rules_path(l, val, conf) < 0)
			return FAIL("rules path '%.40s...' too long", val);
	} else if (!strcmp(key, "role")) {
		if (strcmp(val, "device") && strcmp(val, "gateway"))
			return FAIL("role '%s' unknown; use device (sends up) or gateway (sends down)",
				    val);
		l->schc_tx = val[0] == 'g' ? SCHC_DOWN : SCHC_UP;
	} else if (!strcmp(key, "frame")) {
		if (!parse_uint(val, SCHC_FRAME_MIN, SCHC_FRAME_MAX, &v))
			return FAIL("frame '%s' out of range; use %d to %d octets (51: LoRaWAN DR0, "
				    "EU868)", val, SCHC_FRAME_MIN, SCHC_FRAME_MAX);
		l->frame = (uint16_t)v;
	} else if (!strcmp(key, "bitrate")) {
		uint64_t r = nip_parse_rate(val);
		if (!r || r > 100000000)
			return FAIL("bitrate '%s' out of range; write bit/s up to 100mbit, e.g. 5470 "
				    "(LoRa SF7, 125 kHz) or 250kbit", val);
		l->bitrate = (uint32_t)r;
	} else if (!strcmp(key, "duty")) {
		if (!parse_uint(val, 1, 100, &v))
			return FAIL("duty '%s' out of range; use a percentage, 1 to 100 (1: EU868's "
				    "limit, 100: none)", val);
		l->duty = (uint8_t)v;
	} else if (!strcmp(key, "loss")) {
		if (!parse_uint(val, 0, 99, &v))
			return FAIL("loss '%s' out of range; use a percentage of frames, 0 to 99", val);
		l->loss = (uint8_t)v;
	} else {
		return FAIL("unknown schc link option '%s'; use local, peer, rules, role, frame, "
			    "bitrate, duty, loss, mtu, metric or source-check", key);
	}
	return 0;
}

int config_schc_check(struct link_cfg *l, char *why, size_t n)
{
	struct schc_rules rs;
	char e[SCHC_ERR + 64];

	if (!l->local_len || !l->peer_len || !l->schc_rules[0])
		return FAIL("schc link '%s' needs 'local IP:PORT', 'peer IP:PORT' and 'rules FILE' "
			    "(OpenSCHC JSON)", l->name);
	if (!l->schc_tx)
		return FAIL("schc link '%s' needs 'role device' (the sensor's end) or 'role gateway'",
			    l->name);
	if (l->local.ss_family != l->peer.ss_family)
		return FAIL("schc link '%s': local and peer must both be IPv4 or both IPv6", l->name);
	if (schc_rules_load(&rs, l->schc_rules, NULL, e, sizeof(e)) < 0)
		return FAIL("schc link '%s': %s", l->name, e);
	schc_rules_free(&rs);
	if (!l->frame)
		l->frame = 51;
	if (!l->bitrate)
		l->bitrate = 5470;
	if (!l->duty)
		l->duty = 100;
	return 0;
}
