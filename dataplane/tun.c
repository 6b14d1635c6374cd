/*
 * The TUN gateway link (docs/spec.md §12): IP packets the kernel routes into the device become
 * New IP packets that enter the data plane like any link's; New IP packets routed out through
 * it leave as IP. The translation itself is gateway/xlat.c; here are the device and the counts.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <linux/virtio_net.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "dp.h"

#define VNET sizeof(struct virtio_net_hdr) /* before every packet, both ways, with offload */
#define TUN_BUF 65536 /* one read: the largest IP packet, so nothing is ever cut short */

int tun_open(struct link *l, char *err, size_t errlen)
{
	struct ifreq ifr = { .ifr_flags = IFF_TUN | IFF_NO_PI };
	const char *name = l->cfg.ifname[0] ? l->cfg.ifname : l->cfg.name;
	int s = -1;

	if (!l->cfg.no_offload)
		ifr.ifr_flags |= IFF_VNET_HDR;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	l->fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (l->fd < 0 || ioctl(l->fd, TUNSETIFF, &ifr) < 0)
		goto fail;
	/* Offload: the kernel may hand over TCP super-packets of up to 64 KiB and partial
	 * checksums, and the gateway cuts and completes them (gateway/gso.c): one read per
	 * super-packet instead of one per segment. Writes carry an empty vnet header. A kernel
	 * that refuses the offload sends whole packets, which the same path reads. */
	if (!l->cfg.no_offload)
		(void)ioctl(l->fd, TUNSETOFFLOAD, TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6);
	if (!(l->tun_buf = calloc(2, VNET + TUN_BUF))) { /* read; write */
		errno = ENOMEM;
		goto fail;
	}
	/* The device's MTU (the IP side) and up; its addresses and routes are the operator's. */
	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	ifr.ifr_mtu = l->cfg.mtu ? l->cfg.mtu : 1500;
	if (s < 0 || ioctl(s, SIOCSIFMTU, &ifr) < 0 || ioctl(s, SIOCGIFFLAGS, &ifr) < 0)
		goto fail;
	ifr.ifr_flags |= IFF_UP;
	if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0)
		goto fail;
	close(s);
	/* New IP side: what the kernel accepts back is any size a buffer holds; an IP link
	 * beyond it that is smaller answers with its own packet-too-big (§12.3). */
	l->cfg.mtu = LINK_MTU_MAX;
	return 0;
fail:
	snprintf(err, errlen, "gateway %s: TUN device %s: %s%s", l->cfg.name, name,
		 strerror(errno), errno == EPERM ? " (newipd needs CAP_NET_ADMIN for a gateway)" : "");
	if (s >= 0)
		close(s);
	return -1;
}

static enum drop_reason reason(int xerr)
{
	switch (xerr) {
	case XLAT_E_NOT_IP:
		return DROP_GW_NOT_IP;
	case XLAT_E_BAD_IP:
		return DROP_GW_BAD_IP;
	case XLAT_E_FRAGMENT:
		return DROP_GW_FRAGMENT;
	case XLAT_E_SPOOF:
		return DROP_GW_SPOOF;
	default:
		return DROP_GW_XLAT;
	}
}

/* Write one IP packet at buf + VNET (buf[0..VNET) is ours to fill) to the device. */
static bool tun_write(const struct link *l, uint8_t *buf, size_t n)
{
	if (l->cfg.no_offload)
		return write(l->fd, buf + VNET, n) == (ssize_t)n;
	memset(buf, 0, VNET); /* no offload asked for: a whole packet, checksums done */
	return write(l->fd, buf, VNET + n) == (ssize_t)(VNET + n);
}

/* What a router says about a packet it will not carry (§12.1), rate limited per source. */
static void refuse(struct dp *dp, struct link *l, const uint8_t *ip, size_t len)
{
	uint8_t out[VNET + 1280];
	const uint8_t *src = ip[0] >> 4 == 6 ? ip + 8 : ip + 12;
	size_t n = xlat_ip_refusal(&l->xc, ip, len, out + VNET, sizeof(out) - VNET);

	if (!n)
		return;
	if (!rl_allow(&dp->ncmp_rl, src, ip[0] >> 4 == 6 ? 16 : 4, dp->now_ns)) {
		STAT_ADD(dp->st.ncmp_limited, 1);
		return;
	}
	if (tun_write(l, out, n))
		STAT_ADD(dp->st.ncmp_sent, 1);
}

/* One IP packet ip[0..len) from the device, translated into a buffer in out[*n]. */
static void rx_one(struct dp *dp, struct link *l, uint8_t *ip, size_t len, struct pkt **out,
		   unsigned *n)
{
	struct pkt *k = pool_get(&dp->pool);
	unsigned flags;

	if (!k) {
		STAT_ADD(dp->st.drop[DROP_POOL], 1);
		return;
	}
	int m = xlat_to_nip(&l->xc, ip, len, k->data, PKT_BUF, &flags);
	if (m < 0) {
		STAT_ADD(dp->st.drop[reason(m)], 1);
		if (m == XLAT_E_NEXT_HDR)
			refuse(dp, l, ip, len);
		pool_put(&dp->pool, k);
		return;
	}
	if (flags & XLAT_F_OPTIONS)
		STAT_ADD(dp->st.gw_options, 1);
	STAT_ADD(dp->st.gw_to_nip, 1);
	k->len = (uint32_t)m;
	k->in_link = l->id;
	out[(*n)++] = k;
}

/* Segments of the super-packet in tun_buf while out has room; tun_cutting ends with the last. */
static void rx_segments(struct dp *dp, struct link *l, struct pkt **out, unsigned *n,
			unsigned max)
{
	uint8_t *seg = l->tun_buf + 2 * VNET + TUN_BUF; /* the write half: free until rx ends */

	for (; l->tun_seg < l->tun_cut.n && *n < max; l->tun_seg++) {
		int m = gso_segment(&l->tun_cut, l->tun_buf + VNET, l->tun_len, l->tun_seg, seg,
				    TUN_BUF);
		if (m < 0) {
			STAT_ADD(dp->st.drop[DROP_GW_BAD_IP], 1);
			continue;
		}
		STAT_ADD(dp->st.gw_segments, 1);
		rx_one(dp, l, seg, (size_t)m, out, n);
	}
	l->tun_cutting = l->tun_seg < l->tun_cut.n;
}

unsigned tun_rx(struct dp *dp, struct link *l, struct pkt **out, unsigned max)
{
	unsigned n = 0;

	if (l->tun_cutting) /* a super-packet cut short by the last burst's end */
		rx_segments(dp, l, out, &n, max);
	while (n < max && !l->tun_cutting) {
		size_t vh = l->cfg.no_offload ? 0 : VNET;
		ssize_t r = read(l->fd, l->tun_buf + VNET - vh, TUN_BUF + vh);
		if (r < (ssize_t)vh || r == 0) /* EAGAIN: the device is empty */
			break;
		uint8_t *ip = l->tun_buf + VNET;
		size_t len = (size_t)r - vh;
		STAT_ADD(l->st.rx_pkts, 1);
		STAT_ADD(l->st.rx_bytes, (uint64_t)len);
		if (vh) {
			struct virtio_net_hdr h;
			memcpy(&h, l->tun_buf, VNET);
			uint8_t type = h.gso_type & ~VIRTIO_NET_HDR_GSO_ECN;
			struct gso_info g = {
				.needs_csum = h.flags & VIRTIO_NET_HDR_F_NEEDS_CSUM,
				.tcp = type == VIRTIO_NET_HDR_GSO_TCPV4 || type == VIRTIO_NET_HDR_GSO_TCPV6,
				.gso_size = h.gso_size, .csum_start = h.csum_start,
				.csum_offset = h.csum_offset };
			if (g.tcp) {
				if (gso_count(&g, ip, len, &l->tun_cut) < 0) {
					STAT_ADD(dp->st.drop[DROP_GW_BAD_IP], 1);
					continue;
				}
				STAT_ADD(dp->st.gw_super, 1);
				l->tun_len = (uint32_t)len, l->tun_seg = 0;
				rx_segments(dp, l, out, &n, max);
				continue;
			}
			if (g.needs_csum && gso_csum(&g, ip, len) < 0) {
				STAT_ADD(dp->st.drop[DROP_GW_BAD_IP], 1);
				continue;
			}
		}
		rx_one(dp, l, ip, len, out, &n);
	}
	return n;
}

void tun_send(struct dp *dp, struct link *l, struct pkt *k, const struct nip_pkt *v)
{
	uint8_t *buf = l->tun_buf + VNET + TUN_BUF; /* the write half */
	int n = xlat_to_ip(&l->xc, v, buf + VNET, TUN_BUF); /* v: the parse route() made */

	if (n < 0) {
		STAT_ADD(dp->st.drop[reason(n)], 1);
		if (n == XLAT_E_ADDR && v->next_hdr != NIP_PROTO_NCMP) /* §12.2 */
			ncmp_error(dp, k->data, k->len, NCMP_UNREACH, NCMP_UNREACH_ADDR, 0);
	} else if (!tun_write(l, buf, (size_t)n)) {
		STAT_ADD(l->st.tx_err, 1);
		STAT_ADD(dp->st.drop[DROP_TX], 1);
	} else {
		STAT_ADD(l->st.tx_pkts, 1);
		STAT_ADD(l->st.tx_bytes, (uint64_t)n);
		STAT_ADD(dp->st.gw_to_ip, 1);
	}
	pool_put(&dp->pool, k);
}

void tun_setup(struct link *l, const struct dp *dp)
{
	const struct nip_addr *addrs = dp->addrs;
	unsigned n = dp->n_addrs;

	memcpy(l->xc.map, dp->maps, sizeof(l->xc.map));
	l->xc.n_map = dp->n_maps;
	for (unsigned i = 0; i < n; i++) {
		if (addrs[i].len == 4 && !l->xc.has_v4) {
			memcpy(l->xc.v4, addrs[i].b, 4);
			l->xc.has_v4 = true;
		} else if (addrs[i].len == 16 && !l->xc.has_v6) {
			memcpy(l->xc.v6, addrs[i].b, 16);
			l->xc.has_v6 = true;
		}
	}
}
