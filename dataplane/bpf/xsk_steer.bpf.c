/*
 * The XDP program of an eth link's AF_XDP data path (dataplane/xsk.c, docs/newipd.conf.md
 * `xdp`): New IP frames (EtherType 0x88B5, spec §3.1) go to the link's AF_XDP socket on their
 * receive queue; everything else (ARP, IP, LLDP) goes on to the kernel untouched. A queue
 * without a socket in the map passes the frame to the kernel too (bpf_redirect_map's default).
 * Built with clang -target bpf and carried inside newipd.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>

#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#define NIP_ETHERTYPE 0x88B5

struct {
	__uint(type, BPF_MAP_TYPE_XSKMAP);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, __u32);
} nip_xsks SEC(".maps");

SEC("xdp")
int nip_steer_eth(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;

	if ((void *)(eth + 1) > end || eth->h_proto != bpf_htons(NIP_ETHERTYPE))
		return XDP_PASS;
	return bpf_redirect_map(&nip_xsks, ctx->rx_queue_index, XDP_PASS);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
