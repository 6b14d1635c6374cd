/* Rates and durations in text ("100mbit", "2ms"), for configuration and the CLI. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "newip/units.h"

/* "100mbit", "1gbit", "500kbit", "64000bit" (or "bps"): bits per second; 0 on error. */
uint64_t nip_parse_rate(const char *s)
{
	static const struct {
		const char *unit;
		uint64_t mult;
	} units[] = { { "bit", 1 },	     { "bps", 1 },	    { "kbit", 1000 },
		      { "mbit", 1000000 },   { "gbit", 1000000000 }, { "k", 1000 },
		      { "m", 1000000 },	     { "g", 1000000000 },    { "", 1 } };
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || v <= 0)
		return 0;
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (!strcasecmp(end, units[i].unit)) {
			double bps = v * (double)units[i].mult;
			return bps >= 1 && bps <= 1e12 ? (uint64_t)bps : 0;
		}
	return 0;
}

/* "5ms", "250us", "1.5s", "0": microseconds; -1 on error. */
int64_t nip_parse_time_us(const char *s)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || v < 0)
		return -1;
	if (!strcmp(end, "us") || (!strcmp(end, "") && v == 0))
		;
	else if (!strcmp(end, "ms"))
		v *= 1e3;
	else if (!strcmp(end, "s"))
		v *= 1e6;
	else
		return -1;
	return v <= 4e9 ? (int64_t)(v + 0.5) : -1;
}
