/*
 * Segmentation of the TCP super-packets a TUN device hands over when it offloads (TSO over
 * IFF_VNET_HDR), and completion of checksums it left partial: wire work for the gateway, no
 * I/O, no allocation. Each segment is a whole IPv4 or IPv6 packet with valid checksums, ready
 * for xlat_to_nip.
 */
#ifndef NEWIP_GSO_H
#define NEWIP_GSO_H

#include <stddef.h>
#include <stdint.h>

/* What the device said about a packet (struct virtio_net_hdr, in host order). */
struct gso_info {
	uint8_t needs_csum;	/* the transport checksum is partial: complete it */
	uint8_t tcp;		/* a TCP super-packet to cut into segments of gso_size */
	uint16_t gso_size;	/* payload octets per segment */
	uint16_t csum_start, csum_offset;
};

/* Complete a partial checksum: the 16 bits at csum_start + csum_offset hold the pseudo-header
 * sum; the result covers csum_start to the end. Returns 0, or -1 if the offsets do not fit. */
int gso_csum(const struct gso_info *g, uint8_t *pkt, size_t len);

/* How a super-packet is cut: found once, used for every segment. */
struct gso_cut {
	uint16_t ihl, hl;	/* IP header; IP and TCP headers (0: not a super-packet) */
	uint16_t mss, n;	/* payload octets per segment; segments */
	uint32_t addr_sum;	/* the addresses' share of every segment's pseudo-header */
};

/* How many segments pkt[0..len) makes (1 if it is not a super-packet), with how in *c; or -1
 * if it is not a TCP packet over IPv4 or IPv6 (without extension headers) that can be cut. */
int gso_count(const struct gso_info *g, const uint8_t *pkt, size_t len, struct gso_cut *c);

/* Segment i of the super-packet pkt[0..len) that gso_count planned as c, into out: the headers
 * with Total/Payload Length, IPv4 Identification and header checksum, TCP sequence number and
 * flags (CWR on the first, FIN and PSH on the last) adjusted, and the TCP checksum computed.
 * Returns its length, or -1 (not a super-packet, i out of range, out too small). */
int gso_segment(const struct gso_cut *c, const uint8_t *pkt, size_t len, unsigned i,
		uint8_t *out, size_t cap);

#endif
