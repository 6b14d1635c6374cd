/* Status codes returned by libnewip; one per validation rule of docs/spec.md §7. */
#ifndef NEWIP_ERROR_H
#define NEWIP_ERROR_H

/* Library functions return 0 (or a length) on success and a negative nip_err on failure. */
enum nip_err {
	NIP_OK = 0,
	NIP_E_TRUNCATED = -1,	  /* §7 truncated */
	NIP_E_VERSION = -2,	  /* §7 version */
	NIP_E_RESERVED = -3,	  /* §7 reserved */
	NIP_E_ADDR_LEN = -4,	  /* §7 address length */
	NIP_E_HDR_LEN = -5,	  /* §7 header length */
	NIP_E_BLOCK_LEN = -6,	  /* §7 block length */
	NIP_E_ITEM_OVERRUN = -7,  /* §7 item overrun */
	NIP_E_DUP_ITEM = -8,	  /* §7 duplicate item */
	NIP_E_BAD_ITEM = -9,	  /* §7 bad item */
	NIP_E_MUST_UNDERSTAND = -10, /* §7 must understand */
	NIP_E_BAD_CHUNK = -11,	  /* §7 bad chunk */
	/* Not wire-format validation: API and text errors. */
	NIP_E_NOSPACE = -20,	  /* output buffer too small */
	NIP_E_INVAL = -21,	  /* an argument is out of range */
	NIP_E_SYNTAX = -22,	  /* text does not parse */
	NIP_E_PREFIX_BITS = -23,  /* prefix has bits set past its length (§4.2) */
	NIP_E_CHECKSUM = -24,	  /* checksum does not verify */
	NIP_E_AUTH = -25,	  /* tag or signature does not verify */
	NIP_E_NOTFOUND = -26,	  /* the requested block or item is absent */
	NIP_E_CRYPTO = -27,	  /* libsodium could not be initialised */
};

#define NIP_ERR_COUNT 28 /* one past the largest magnitude above */

/* Short, stable name ("truncated", "bad item"): the names used in docs/spec.md and vectors. */
const char *nip_strerror(int err);

/* Inverse of nip_strerror, for test vectors; returns 1 (not an error code) if unknown. */
int nip_err_from_name(const char *name);

#endif
