/* Names of the drop reasons, as the control socket and `newip stats` show them. */
#include "stats.h"

const char *const drop_names[DROP_MAX] = {
	[DROP_MALFORMED] = "malformed",
	[DROP_UDP_LENGTH] = "overlay_length",
	[DROP_RX_TRUNC] = "oversize_rx",
	[DROP_HOP_LIMIT] = "hop_limit",
	[DROP_NO_ROUTE] = "no_route",
	[DROP_TOO_BIG] = "too_big",
	[DROP_NO_PORT] = "no_port",
	[DROP_NEXT_HDR] = "next_header",
	[DROP_BAD_L4] = "bad_l4",
	[DROP_LOCAL_FULL] = "local_full",
	[DROP_TX] = "tx_error",
	[DROP_POOL] = "no_buffer",
	[DROP_LINK_SCOPE] = "link_scope",
	[DROP_CTL_BUSY] = "control_busy",
	[DROP_CONTRACT] = "contract",
	[DROP_QUEUE_FULL] = "queue_full",
	[DROP_AQM] = "aqm",
	[DROP_SRC_SPOOFED] = "src_spoofed",
	[DROP_SRC_UNSIGNED] = "src_unsigned",
	[DROP_SRC_BAD_TAG] = "src_bad_tag",
	[DROP_SHUT_OFF] = "shut_off",
};
