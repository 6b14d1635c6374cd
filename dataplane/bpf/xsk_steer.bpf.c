/*
 * The XDP programs of the AF_XDP data path (dataplane/xsk.c, docs/newipd.conf.md `xdp`).
 * nip_steer_eth, an eth link's: New IP frames (EtherType 0x88B5, spec §3.1) go to the link's
 * AF_XDP socket on their receive queue. nip_steer_udp, a udp link's: the overlay's datagrams
 * (spec §3.2), IPv4 or IPv6 to the link's local address and port (nip_udp_cfg), go to it whole,
 * outer headers and all, which user space checks and strips. Everything else (ARP, ND, other
 * IP traffic, IPv4 fragments, IPv6 with extension headers) goes on to the kernel untouched. A
 * queue without a socket in the map passes the frame to the kernel too (bpf_redirect_map's
 * default). Built with clang -target bpf and carried inside newipd.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>

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

/* A udp link's local end, written by xsk.c: family (4 or 6), port and address in network
 * order (IPv4 in the first 4 octets). */
struct nip_udp_cfg {
	__u32 family;
	__be16 port;
	__u16 pad;
	__u32 addr[4];
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct nip_udp_cfg);
} nip_udp_cfg SEC(".maps");

SEC("xdp")
int nip_steer_udp(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct udphdr *udp;
	__u32 zero = 0;
	struct nip_udp_cfg *c = bpf_map_lookup_elem(&nip_udp_cfg, &zero);

	if (!c || (void *)(eth + 1) > end)
		return XDP_PASS;
	if (eth->h_proto == bpf_htons(ETH_P_IP) && c->family == 4) {
		struct iphdr *ip = (void *)(eth + 1);
		if ((void *)(ip + 1) > end || ip->ihl != 5 || ip->protocol != IPPROTO_UDP ||
		    (ip->frag_off & bpf_htons(0x3fff)) || ip->daddr != c->addr[0])
			return XDP_PASS;
		udp = (void *)(ip + 1);
	} else if (eth->h_proto == bpf_htons(ETH_P_IPV6) && c->family == 6) {
		struct ipv6hdr *ip6 = (void *)(eth + 1);
		if ((void *)(ip6 + 1) > end || ip6->nexthdr != IPPROTO_UDP ||
		    ip6->daddr.in6_u.u6_addr32[0] != c->addr[0] ||
		    ip6->daddr.in6_u.u6_addr32[1] != c->addr[1] ||
		    ip6->daddr.in6_u.u6_addr32[2] != c->addr[2] ||
		    ip6->daddr.in6_u.u6_addr32[3] != c->addr[3])
			return XDP_PASS;
		udp = (void *)(ip6 + 1);
	} else {
		return XDP_PASS;
	}
	if ((void *)(udp + 1) > end || udp->dest != c->port)
		return XDP_PASS;
	return bpf_redirect_map(&nip_xsks, ctx->rx_queue_index, XDP_PASS);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
