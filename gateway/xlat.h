/*
 * Stateless translation between IPv4/IPv6 and New IP (docs/spec.md §12): the wire work of a
 * TUN gateway, with no I/O and no allocation. Input and output buffers never overlap.
 */
#ifndef NEWIP_XLAT_H
#define NEWIP_XLAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "newip/addr.h"
#include "newip/packet.h"

/* Why a packet was not translated (negative returns); each is counted by the caller. */
enum xlat_err {
	XLAT_E_NOT_IP = -1,   /* neither IPv4 nor IPv6 */
	XLAT_E_BAD_IP = -2,   /* a bad IP header: lengths, IPv4 header checksum */
	XLAT_E_FRAGMENT = -3, /* an IPv4 fragment (New IP has no fragmentation) */
	XLAT_E_NEXT_HDR = -4, /* an IPv6 extension header, or New IP's own protocols (253, 254) */
	XLAT_E_ICMP = -5,     /* an ICMP or NCMP message with no counterpart (or a bad checksum) */
	XLAT_E_ADDR = -6,     /* New IP addresses that are not both 4 or both 16 octets */
	XLAT_E_NOSPACE = -7,  /* the output buffer is too small */
	XLAT_E_SPOOF = -8,    /* an IP source inside a mapped prefix (§12.4) */
};

/* A mapped prefix (§12.4): every address under nip (L octets, L not 4 or 16) stands for the
 * IPv6 address under ip6 with the same last 8L - nip.plen bits. */
struct xlat_map {
	struct nip_prefix nip, ip6;
};

#define XLAT_MAPS 16

/* The gateway's own addresses, the source of errors it must answer or re-source (§12.3), and
 * its mapped prefixes (§12.4), no two overlapping. */
struct xlat_ctx {
	uint8_t v4[4], v6[16];
	bool has_v4, has_v6;
	struct xlat_map map[XLAT_MAPS];
	unsigned n_map;
};

/* Whether a map can be used (§12.4): NULL, or what is wrong with it, as a sentence a
 * configuration error can end with. */
const char *xlat_map_check(const struct xlat_map *m);

/* Whether two maps overlap on either side (a gateway's may not). */
bool xlat_map_overlap(const struct xlat_map *a, const struct xlat_map *b);

/* The largest MSS of an IPv6 TCP connection through a gateway (§12.3): its segments cross a
 * 1280-octet New IP link (1280 - 44 - 20; less for a New IP header above 44, §12.4). */
#define XLAT_MSS6 1216

/* Translation flags reported to the caller. */
#define XLAT_F_OPTIONS 1 /* IPv4 options were removed */

/* An IPv4 or IPv6 packet in[0..len) to New IP in out. Returns the New IP length or an
 * xlat_err; *flags gets XLAT_F_*. */
int xlat_to_nip(const struct xlat_ctx *cx, const uint8_t *in, size_t len, uint8_t *out,
		size_t cap, unsigned *flags);

/* A New IP packet, as the data plane parsed it (nip_pkt_parse), to IPv4 or IPv6. Returns the
 * IP length or an xlat_err. */
int xlat_to_ip(const struct xlat_ctx *cx, const struct nip_pkt *v, uint8_t *out, size_t cap);

/* The ICMP error a router sends about an IP packet the gateway will not translate
 * (XLAT_E_NEXT_HDR: ICMPv6 parameter problem, unrecognised next header; ICMP protocol
 * unreachable), from the gateway's address of that family. Returns its length, or 0 when no
 * answer is due (no address of that family, or the offender is itself an ICMP error). */
size_t xlat_ip_refusal(const struct xlat_ctx *cx, const uint8_t *in, size_t len, uint8_t *out,
		       size_t cap);

#endif
