/* What schc/'s files share and no one else needs: a packet's fields, the parser, the builder. */
#ifndef NEWIP_SCHC_INTERNAL_H
#define NEWIP_SCHC_INTERNAL_H

#include "schc.h"

/* One field of a packet: where its bits are (in the packet, or in a decompressor's scratch). */
struct schc_field {
	uint16_t fid;
	uint8_t fp;
	bool computed;		/* decompression: fill in after the packet is built */
	uint16_t nbits;
	uint32_t off;		/* bit offset */
};

/* A packet parsed into fields, outermost layer first, in packet order. */
struct schc_parsed {
	struct schc_field f[SCHC_FIELDS_MAX];
	unsigned n;
	uint8_t layers;		/* the layers found */
	uint8_t n_after[4];	/* fields after the IP layer, UDP, CoAP */
	uint16_t end[4];	/* octet where the payload starts after them */
	uint16_t udp_off;	/* octet where UDP starts (0: none) */
};

enum { LV_IP, LV_UDP, LV_COAP };

/* Parse the layers of a packet as seen going in direction dir; coap: try CoAP after UDP.
 * 0, or -1 when the IP layer itself cannot be parsed. */
int schc_parse(const uint8_t *pkt, size_t len, enum schc_dir dir, bool coap,
	       struct schc_parsed *out);
/* The deepest layer of a mask, as an LV_ index. */
int schc_layer_depth(uint8_t layers);
/* Build a packet from decoded fields (their bits in src), the layers a rule covers and the
 * payload (plen octets from bit pay_off of pay, straight from the SCHC packet); computed fields
 * filled in. The length, or -1. */
int schc_build(const struct schc_field *f, unsigned n, const uint8_t *src, uint8_t layers,
	       enum schc_dir dir, const uint8_t *pay, size_t pay_off, size_t plen, uint8_t *out,
	       size_t cap);
/* The value a computed field must have in a parsed packet (compression checks it, so that a
 * packet whose length or checksum is wrong is never "restored" into a different one). */
bool schc_computed_ok(const struct schc_parsed *p, const struct schc_field *f,
		      const uint8_t *pkt, size_t len);

#endif
