/* Names of libnewip status codes (docs/spec.md §7). */
#include <string.h>

#include "newip/error.h"

static const char *const names[NIP_ERR_COUNT] = {
	[0] = "ok",
	[1] = "truncated",
	[2] = "version",
	[3] = "reserved",
	[4] = "address length",
	[5] = "header length",
	[6] = "block length",
	[7] = "item overrun",
	[8] = "duplicate item",
	[9] = "bad item",
	[10] = "must understand",
	[11] = "bad chunk",
	[20] = "no space",
	[21] = "invalid argument",
	[22] = "syntax",
	[23] = "prefix host bits",
	[24] = "checksum",
	[25] = "authentication failed",
	[26] = "not found",
	[27] = "crypto init",
};

const char *nip_strerror(int err)
{
	int i = err < 0 ? -err : err;

	if (i >= NIP_ERR_COUNT || !names[i])
		return "unknown error";
	return names[i];
}

int nip_err_from_name(const char *name)
{
	for (int i = 0; i < NIP_ERR_COUNT; i++)
		if (names[i] && strcmp(names[i], name) == 0)
			return -i;
	return 1;
}
