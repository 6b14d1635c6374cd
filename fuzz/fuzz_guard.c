/* libFuzzer: what the guard reads from the wire (docs/spec.md §6.5, §6.6, §11): registration
 * and shut-off bodies, security elements and their verification, and the data plane's digest
 * cache and heavy-hitter sketch fed with whatever parses. Decoded bodies re-encode to the same
 * octets; a digest just inserted is always found. */
#include <stdlib.h>
#include <string.h>

#include "../dataplane/dcache.h"
#include "../dataplane/hh.h"
#include "newip/newip.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct dcache dc;
	static struct hh hh;
	static uint64_t t = 1000000000ull;
	struct nip_pkt v;
	struct nip_ncmp m;

	if (!dc.bits[0] && (nip_crypto_init() < 0 || dcache_init(&dc, 1000) < 0))
		abort();
	if (nip_pkt_parse(&v, data, size) < 0)
		return 0;
	uint8_t d[16];
	uint32_t pair = dcache_pair_hash(v.src, v.src_len, v.dst, v.dst_len);
	nip_pkt_digest(&v, d);
	t += 50000000ull;
	dcache_insert(&dc, d, pair, t);
	if (!dcache_lookup(&dc, d, pair, t))
		abort();
	hh_add(&hh, v.src, v.src_len, t);
	struct nip_replay_elem r;
	struct nip_sig_elem s;
	(void)nip_pkt_replay(&v, &r);
	if (nip_pkt_sig(&v, &s) == 0) {
		(void)nip_sec_verify_sig(&v);
		(void)nip_sec_verify(&v);
	}
	if (nip_ncmp_parse(&m, &v) < 0)
		return 0;
	uint8_t nonce[16], out[64];
	struct nip_register_ack a;
	struct nip_shutoff_req q;
	if (nip_register_decode(nonce, &m) == 0 && memcmp(nonce, m.body, 16))
		abort();
	if (nip_register_ack_decode(&a, &m) == 0) {
		nip_register_ack_encode(out, &a);
		if (memcmp(out, m.body, NCMP_REGISTER_ACK_BODY) || a.key_id != m.param)
			abort();
	}
	if (nip_shutoff_req_decode(&q, &m) == 0 &&
	    (nip_shutoff_req_encode(out, &q) != NCMP_SHUTOFF_BODY ||
	     memcmp(out, m.body, NCMP_SHUTOFF_BODY)))
		abort();
	uint16_t granted;
	(void)nip_shutoff_ack_decode(&granted, &m);
	return 0;
}
