/* The forwarding benchmark's sink (bench/fwd_bench.sh): every frame dropped at the earliest
 * point, so what it costs to receive is the same whatever dut forwards (New IP or IPv6) and
 * out of the router's budget. The interface's receive counter still counts each frame. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int sink_drop(struct xdp_md *ctx)
{
	(void)ctx;
	return XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
