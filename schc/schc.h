/* SCHC (RFC 8724) for New IP's LPWAN links: rules, compression, fragmentation. docs/spec.md §13.
 * Pure code: no sockets, no clock (time is passed in), no allocation after a rule set loads. */
#ifndef NEWIP_SCHC_H
#define NEWIP_SCHC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SCHC_PKT_MAX 2048    /* the largest packet compressed or reassembled, octets */
#define SCHC_FIELDS_MAX 64   /* fields of one packet's compressed layers */
#define SCHC_VAL_MAX 255     /* octets of one field's value */
#define SCHC_ERR 160

enum schc_dir { SCHC_UP = 1, SCHC_DOWN = 2, SCHC_BI = 3 };
enum schc_mo { SCHC_MO_EQUAL, SCHC_MO_IGNORE, SCHC_MO_MSB, SCHC_MO_MAP };
enum schc_cda { SCHC_CDA_NOT_SENT, SCHC_CDA_VALUE_SENT, SCHC_CDA_MAP_SENT, SCHC_CDA_LSB,
		SCHC_CDA_COMP_LEN, SCHC_CDA_COMP_CKSUM };
enum schc_kind { SCHC_RULE_COMP, SCHC_RULE_NOCOMP, SCHC_RULE_FRAG };
enum schc_layer { SCHC_L_IPV6 = 1, SCHC_L_NIP = 2, SCHC_L_UDP = 4, SCHC_L_COAP = 8 };
enum schc_frmode { SCHC_NOACK, SCHC_ACK_ON_ERROR };

/* Field IDs (§13.1). Each has a layer and a length in bits (0: var, octets). */
enum schc_fid {
	FID_NONE,
	FID_IPV6_VER, FID_IPV6_TC, FID_IPV6_FL, FID_IPV6_LEN, FID_IPV6_NXT, FID_IPV6_HOP_LMT,
	FID_IPV6_DEV_PREFIX, FID_IPV6_DEV_IID, FID_IPV6_APP_PREFIX, FID_IPV6_APP_IID,
	FID_UDP_DEV_PORT, FID_UDP_APP_PORT, FID_UDP_LEN, FID_UDP_CKSUM,
	FID_COAP_VER, FID_COAP_TYPE, FID_COAP_TKL, FID_COAP_CODE, FID_COAP_MID, FID_COAP_TOKEN,
	FID_COAP_OPT_FIRST, /* the 20 CoAP options of §13.1 follow, in option-number order */
	FID_NIP_VER = FID_COAP_OPT_FIRST + 20, FID_NIP_TC, FID_NIP_FL, FID_NIP_LEN, FID_NIP_NXT,
	FID_NIP_HOP_LMT, FID_NIP_HL, FID_NIP_FLAGS, FID_NIP_DEV_LEN, FID_NIP_APP_LEN,
	FID_NIP_DEV_ADDR, FID_NIP_APP_ADDR, FID_NIP_BLOCKS,
	FID_COUNT
};

struct schc_fid_info {
	const char *name;
	uint8_t layer;	/* enum schc_layer */
	uint16_t bits;	/* 0: var */
	uint16_t coap_opt; /* the CoAP option number, for options */
};
const struct schc_fid_info *schc_fid_info(unsigned fid);
/* By name ("IPV6.DEV_PREFIX"); FID_NONE when unknown. */
unsigned schc_fid_by_name(const char *name);

/* One field description of a rule. Target values are left-aligned bit strings in the set's
 * arena: value v of the entry is vals[tv + v]. */
struct schc_bits {
	uint32_t off;	/* octet offset in the arena */
	uint16_t nbits;
};
struct schc_fd {
	uint16_t fid;
	uint16_t fl;	/* bits; 0: var (octets, length sent with the value) */
	uint8_t fp, di;	/* position (1 = first), enum schc_dir */
	uint8_t mo, cda;
	uint16_t mo_val;
	uint16_t n_tv;	/* 0: none; 1: one value; more: a mapping */
	uint32_t tv;	/* index of the first in vals */
};

struct schc_frag_prof {
	uint8_t mode;		/* enum schc_frmode */
	uint8_t dir;		/* SCHC_UP or SCHC_DOWN: whose packets it fragments */
	uint8_t t, m, n;	/* DTag, W and FCN sizes in bits */
	uint16_t window;	/* WINDOW_SIZE: tiles per window (ack-on-error) */
	uint16_t tile;		/* tile size in octets (ack-on-error) */
	uint8_t max_ack_req;	/* MAX_ACK_REQUESTS */
	uint32_t retrans_ms, inactivity_ms;
};

struct schc_rule {
	uint32_t id;
	uint8_t id_len;		/* bits, 1..32 */
	uint8_t kind;		/* enum schc_kind */
	uint8_t layers;		/* enum schc_layer bits the rule's fields cover */
	uint16_t n_fd;
	uint32_t fd;		/* index of the first in fds */
	struct schc_frag_prof frag;
	char name[48];
};

struct schc_rules {
	struct schc_rule *rules;
	struct schc_fd *fds;
	struct schc_bits *vals;
	uint8_t *arena;
	unsigned n_rules, n_fds, n_vals, arena_len;
	int nocomp;		/* the no-compression rule, -1: none */
	int frag_up, frag_down;	/* the fragmentation rule per direction, -1: none */
};

/* Parse a rule set from JSON text: OpenSCHC's format (an array of rules, an object of named
 * rules, or {"SoR": [...]}). only: NULL for the whole set, else the one rule of that name
 * (or 1-based position in a list), for files that collect unrelated rules (OpenSCHC's
 * samples). 0, or -1 with "FILE: rule N: what is wrong" in err. */
int schc_rules_parse(struct schc_rules *rs, const char *json, size_t len, const char *file,
		     const char *only, char *err, size_t errlen);
/* The same from a file (the one function here that reads anything). */
int schc_rules_load(struct schc_rules *rs, const char *path, const char *only, char *err,
		    size_t errlen);
void schc_rules_free(struct schc_rules *rs);
/* The rule a received SCHC packet starts with (longest match is unique: no clashes). */
int schc_rule_of(const struct schc_rules *rs, const uint8_t *frame, size_t nbits);

/* Compression (§13.2). out gets the SCHC packet, nbits its length in bits (zero-padded to
 * an octet). Returns the rule index used, or -1 when no rule (not even no-compression) fits or
 * the packet cannot be parsed. */
int schc_compress(const struct schc_rules *rs, enum schc_dir dir, const uint8_t *pkt,
		  size_t len, uint8_t *out, size_t cap, size_t *nbits);
/* Compress with one given rule: 0, or -1 when it does not match. */
int schc_compress_rule(const struct schc_rules *rs, unsigned rule, enum schc_dir dir,
		       const uint8_t *pkt, size_t len, uint8_t *out, size_t cap, size_t *nbits);
/* Decompression of nbits bits: the packet's length, or -1 (malformed, unknown rule, not a
 * compression rule, residue past the end, does not fit cap). *rule gets the rule (or -1). */
int schc_decompress(const struct schc_rules *rs, enum schc_dir dir, const uint8_t *in,
		    size_t nbits, uint8_t *out, size_t cap, int *rule);

/* RFC 8724 §7.4.2 length of a variable-length residue: bits written (4, 12 or 28). */
unsigned schc_varlen_put(uint8_t *buf, size_t bitpos, unsigned octets);
/* Read it back: bits consumed, 0 when past end. */
unsigned schc_varlen_get(const uint8_t *buf, size_t bitpos, size_t nbits, unsigned *octets);

#endif
