/*
 * The TUN gateway link (docs/spec.md §12): IP packets the kernel routes into the device become
 * New IP packets that enter the data plane like any link's; New IP packets routed out through
 * it leave as IP. The translation itself is gateway/xlat.c; here are the device and the counts.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "dp.h"

#define TUN_BUF 65536 /* one read: the largest IP packet, so nothing is ever cut short */

int tun_open(struct link *l, char *err, size_t errlen)
{
	struct ifreq ifr = { .ifr_flags = IFF_TUN | IFF_NO_PI };
	const char *name = l->cfg.ifname[0] ? l->cfg.ifname : l->cfg.name;
	int s = -1;

	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	l->fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (l->fd < 0 || ioctl(l->fd, TUNSETIFF, &ifr) < 0)
		goto fail;
	if (!(l->tun_buf = malloc(TUN_BUF))) {
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

/* What a router says about a packet it will not carry (§12.1), rate limited per source. */
static void refuse(struct dp *dp, struct link *l, const uint8_t *ip, size_t len)
{
	uint8_t out[1280];
	const uint8_t *src = ip[0] >> 4 == 6 ? ip + 8 : ip + 12;
	size_t n = xlat_ip_refusal(&l->xc, ip, len, out, sizeof(out));

	if (!n)
		return;
	if (!rl_allow(&dp->ncmp_rl, src, ip[0] >> 4 == 6 ? 16 : 4, dp->now_ns)) {
		STAT_ADD(dp->st.ncmp_limited, 1);
		return;
	}
	if (write(l->fd, out, n) == (ssize_t)n)
		STAT_ADD(dp->st.ncmp_sent, 1);
}

unsigned tun_rx(struct dp *dp, struct link *l, struct pkt **out, unsigned max)
{
	unsigned n = 0;

	while (n < max) {
		ssize_t r = read(l->fd, l->tun_buf, TUN_BUF);
		if (r <= 0) /* EAGAIN: the device is empty */
			break;
		STAT_ADD(l->st.rx_pkts, 1);
		STAT_ADD(l->st.rx_bytes, (uint64_t)r);
		struct pkt *k = pool_get(&dp->pool);
		if (!k) {
			STAT_ADD(dp->st.drop[DROP_POOL], 1);
			continue;
		}
		unsigned flags;
		int m = xlat_to_nip(&l->xc, l->tun_buf, (size_t)r, k->data, PKT_BUF, &flags);
		if (m < 0) {
			STAT_ADD(dp->st.drop[reason(m)], 1);
			if (m == XLAT_E_NEXT_HDR)
				refuse(dp, l, l->tun_buf, (size_t)r);
			pool_put(&dp->pool, k);
			continue;
		}
		if (flags & XLAT_F_OPTIONS)
			STAT_ADD(dp->st.gw_options, 1);
		STAT_ADD(dp->st.gw_to_nip, 1);
		k->len = (uint32_t)m;
		k->in_link = l->id;
		out[n++] = k;
	}
	return n;
}

void tun_send(struct dp *dp, struct link *l, struct pkt *k, const struct nip_pkt *v)
{
	int n = xlat_to_ip(&l->xc, v, l->tun_buf, TUN_BUF); /* v: the parse route() made */

	if (n < 0) {
		STAT_ADD(dp->st.drop[reason(n)], 1);
		if (n == XLAT_E_ADDR && v->next_hdr != NIP_PROTO_NCMP) /* §12.2 */
			ncmp_error(dp, k->data, k->len, NCMP_UNREACH, NCMP_UNREACH_ADDR, 0);
	} else if (write(l->fd, l->tun_buf, (size_t)n) != n) {
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
