/* Internet checksum (RFC 1071) and the New IP pseudo-header: docs/spec.md §5.3, §6.1. */
#ifndef NEWIP_CHECKSUM_H
#define NEWIP_CHECKSUM_H

#include <stddef.h>
#include <stdint.h>

#include "newip/packet.h"

/* Add len octets (an odd tail is zero-padded) to a 32-bit partial sum. */
uint32_t nip_csum_add(uint32_t sum, const void *data, size_t len);
/* Fold and complement: the value to store in a checksum field. */
uint16_t nip_csum_fold(uint32_t sum);
/* The checksum of one buffer (a chunk's checksum, §5.3). */
uint16_t nip_inet_csum(const void *data, size_t len);

/* Partial sum of the pseudo-header of §6.1 for an upper-layer message of ul_len octets. */
uint32_t nip_pseudo_sum(const struct nip_pkt *p, uint32_t ul_len);

/*
 * Upper-layer checksum of a parsed packet (NCMP, UDP or TCP) over pseudo-header + payload,
 * field included: 0 means it verifies. Returns NIP_E_INVAL for other next headers.
 */
int nip_l4_csum_check(const struct nip_pkt *p);

/* Compute and store the upper-layer checksum of a packet built in buf. Returns 0 or error. */
int nip_l4_csum_fill(uint8_t *buf, size_t len);

#endif
