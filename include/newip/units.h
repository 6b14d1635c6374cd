/* Rates and durations in text: what newipd.conf and `newip perf` accept (docs/newipd.conf.md). */
#ifndef NEWIP_UNITS_H
#define NEWIP_UNITS_H

#include <stdint.h>

/* "100mbit", "1gbit", "500kbit", "20M", "64000bit": bits per second; 0 if not a positive rate
 * (at most 10^12). */
uint64_t nip_parse_rate(const char *s);

/* "5ms", "250us", "1.5s", "0": microseconds; -1 if not a duration (at most 4000 s). */
int64_t nip_parse_time_us(const char *s);

#endif
