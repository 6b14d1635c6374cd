/* A packet decoded to "field=value" lines: for vectors, the CLI and logs. */
#ifndef NEWIP_DESCRIBE_H
#define NEWIP_DESCRIBE_H

#include <stddef.h>

#include "newip/packet.h"

/*
 * One "name=value" line per field, in the order of docs/vectors/README.md. Field names are
 * the Wireshark dissector's, without the "newip." prefix. Returns the length written
 * (excluding the NUL) or NIP_E_NOSPACE.
 */
int nip_pkt_describe(const struct nip_pkt *p, char *buf, size_t size);

#endif
