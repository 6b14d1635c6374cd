/*
 * An eth or udp link over AF_XDP (xsk.h). One UMEM per link: its first half are receive frames
 * (they cycle fill ring -> receive ring -> back), its second half transmit frames (free list ->
 * transmit ring -> completion ring -> free list). A received frame is copied into a pool
 * buffer, so the rest of the data plane is the same on both paths; the headers the sockets had
 * the kernel read and write are read and written here: Ethernet for an eth link, Ethernet,
 * IPv4 or IPv6 and UDP for a udp link (spec §3.2), checked on receipt as the kernel would
 * (lengths, the IPv4 header checksum, the connected peer's address and port; see udp_strip
 * for the UDP checksum).
 */
#include <dlfcn.h>
#include <errno.h>
#include <linux/ethtool.h>
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/if_link.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <xdp/xsk.h>

#include "link.h"
#include "newip/checksum.h"
#include "newip/packet.h"
#include "nexthop.h"
#include "xsk.h"

#define XSK_FRAME     2048u /* one frame a packet: the link MTU (<= 2000) and its header fit */
#define XSK_RX_FRAMES 1024u /* as many in the fill and receive rings */
#define XSK_TX_FRAMES 1024u
#define XSK_HDR_MAX   (ETH_HLEN + 40 + 8) /* Ethernet + IPv6 + UDP */
#define ARP_WAIT_MS   3000u /* how long a udp link waits for its peer's MAC at start (the
			       * kernel probes once a second) */

/* libxdp and libbpf, opened at the first AF_XDP link: a node on packet sockets (every lab node
 * by default) never maps them, which keeps an idle node under 4 MB. */
#define XDP_SONAME "libxdp.so.1"
#define BPF_SONAME "libbpf.so.1"
#define LIB_FNS(X)                                                                                 \
	X(xdp, xsk_umem__create)                                                                   \
	X(xdp, xsk_socket__create)                                                                 \
	X(xdp, xsk_socket__fd)                                                                     \
	X(xdp, xsk_socket__update_xskmap)                                                          \
	X(xdp, xsk_socket__delete)                                                                 \
	X(xdp, xsk_umem__delete)                                                                   \
	X(bpf, libbpf_set_print)                                                                   \
	X(bpf, bpf_object__open_mem)                                                               \
	X(bpf, bpf_object__load)                                                                   \
	X(bpf, bpf_object__find_program_by_name)                                                   \
	X(bpf, bpf_program__fd)                                                                    \
	X(bpf, bpf_xdp_attach)                                                                     \
	X(bpf, bpf_xdp_detach)                                                                     \
	X(bpf, bpf_xdp_query_id)                                                                   \
	X(bpf, bpf_prog_get_fd_by_id)                                                              \
	X(bpf, bpf_obj_get_info_by_fd)                                                             \
	X(bpf, bpf_object__find_map_by_name)                                                       \
	X(bpf, bpf_map__fd)                                                                        \
	X(bpf, bpf_map_update_elem)                                                                \
	X(bpf, bpf_object__close)

static struct {
	void *xdp, *bpf;
#define DECL(so, f) __typeof__(f) *f;
	LIB_FNS(DECL)
#undef DECL
} lib;

static int lib_open(char *why, size_t whylen)
{
	if (lib.xdp)
		return 0;
	void *xdp = dlopen(XDP_SONAME, RTLD_NOW | RTLD_LOCAL),
	     *bpf = dlopen(BPF_SONAME, RTLD_NOW | RTLD_LOCAL);
	if (!xdp || !bpf) {
		snprintf(why, whylen,
			 "AF_XDP needs libxdp and libbpf: %s (apt install libxdp1 libbpf1)",
			 dlerror());
		goto fail;
	}
#define SYM(so, f)                                                                                 \
	if (!(*(void **)&lib.f = dlsym(so, #f))) {                                                 \
		snprintf(why, whylen, "%s has no %s", so == xdp ? XDP_SONAME : BPF_SONAME, #f);    \
		goto fail;                                                                         \
	}
	LIB_FNS(SYM)
#undef SYM
	lib.xdp = xdp;
	lib.bpf = bpf;
	return 0;
fail:
	if (xdp)
		dlclose(xdp);
	if (bpf)
		dlclose(bpf);
	return -1;
}

/* The XDP program (bpf/xsk_steer.bpf.c), compiled at build time and carried here. */
extern const unsigned char nip_xsk_bpf[];
extern const unsigned int nip_xsk_bpf_len;

struct xsk_link {
	struct xsk_umem *umem;
	struct xsk_socket *xsk;
	struct xsk_ring_prod fq, tx;
	struct xsk_ring_cons cq, rx;
	void *area;
	struct bpf_object *obj;
	uint32_t xdp_flags; /* how the program was attached, to detach it the same way */
	uint64_t free[XSK_TX_FRAMES];
	unsigned n_free;
	/* What precedes the New IP packet in a frame: eth, the Ethernet header (the peer, or
	 * broadcast; our MAC; 0x88B5); udp, Ethernet (the peer's MAC; ours; IPv4 or IPv6), then
	 * the outer IP and UDP headers with their lengths and checksums left to fill. */
	uint8_t hdr[XSK_HDR_MAX];
	unsigned hlen;
	bool udp, v6;
	uint16_t ip_id;	  /* IPv4: the next Identification */
	uint32_t ip_sum;  /* IPv4: the header's sum without its length and ID */
	uint32_t l4_sum;  /* the UDP pseudo-header's sum without the length */
	int sock;	  /* udp: a socket bound to the local address, which holds the port */
};

/* The udp program's map entry (bpf/xsk_steer.bpf.c). */
struct udp_cfg {
	uint32_t family;
	uint16_t port, pad;
	uint8_t addr[16];
};

/* libbpf's messages: kept, the last one names why a load failed; never printed. */
static char bpf_msg[160];

static int keep_msg(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level != LIBBPF_DEBUG) {
		vsnprintf(bpf_msg, sizeof(bpf_msg), fmt, ap);
		bpf_msg[strcspn(bpf_msg, "\n")] = 0;
	}
	return 0;
}

/* The interface's MAC, MTU and receive queue count, through one throwaway socket. */
static int if_facts(const char *ifname, uint8_t mac[6], int *mtu, unsigned *queues)
{
	struct ethtool_channels ch = {.cmd = ETHTOOL_GCHANNELS};
	struct ifreq ifr = {0};
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), rc = -1;

	if (fd < 0)
		return -1;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (ioctl(fd, SIOCGIFHWADDR, &ifr) < 0)
		goto out;
	memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
	if (ioctl(fd, SIOCGIFMTU, &ifr) < 0)
		goto out;
	*mtu = ifr.ifr_mtu;
	ifr.ifr_data = (void *)&ch;
	*queues = 1; /* a driver without channels has one */
	if (ioctl(fd, SIOCETHTOOL, &ifr) == 0)
		*queues = ch.rx_count + ch.combined_count ? ch.rx_count + ch.combined_count : 1;
	rc = 0;
out:
	close(fd);
	return rc;
}

/* Whether the interface's XDP program is ours, left by a newipd that did not stop cleanly. */
static bool stale_ours(int ifindex)
{
	struct bpf_prog_info info = {0};
	__u32 id = 0, len = sizeof(info);
	int fd;
	bool ours = false;

	if (lib.bpf_xdp_query_id(ifindex, 0, &id) < 0 || !id ||
	    (fd = lib.bpf_prog_get_fd_by_id(id)) < 0)
		return false;
	if (lib.bpf_obj_get_info_by_fd(fd, &info, &len) == 0)
		ours = !strcmp(info.name, "nip_steer_eth") || !strcmp(info.name, "nip_steer_udp");
	close(fd);
	return ours;
}

static int attach_as(struct xsk_link *x, int ifindex, int prog_fd)
{
	x->xdp_flags = XDP_FLAGS_UPDATE_IF_NOEXIST | XDP_FLAGS_DRV_MODE;
	int err = lib.bpf_xdp_attach(ifindex, prog_fd, x->xdp_flags, NULL);
	if (err == -EOPNOTSUPP || err == -EINVAL) {
		x->xdp_flags = XDP_FLAGS_UPDATE_IF_NOEXIST | XDP_FLAGS_SKB_MODE;
		err = lib.bpf_xdp_attach(ifindex, prog_fd, x->xdp_flags, NULL);
	}
	return err;
}

/* Load the program and attach it: native (driver) XDP where the driver has it, else generic.
 * Never over a program someone else attached; ours, left behind by a crash, is replaced. */
static int attach(struct xsk_link *x, int ifindex, const char *name, char *why, size_t whylen)
{
	struct bpf_program *prog;
	int err;

	lib.libbpf_set_print(keep_msg);
	bpf_msg[0] = 0;
	x->obj = lib.bpf_object__open_mem(nip_xsk_bpf, nip_xsk_bpf_len, NULL);
	if (!x->obj) {
		snprintf(why, whylen, "cannot open the XDP program: %s", strerror(errno));
		return -1;
	}
	if ((err = lib.bpf_object__load(x->obj)) < 0) {
		snprintf(why, whylen, "cannot load the XDP program: %s%s%s", strerror(-err),
			 bpf_msg[0] ? ": " : "", bpf_msg);
		return -1;
	}
	prog = lib.bpf_object__find_program_by_name(x->obj, name);
	err = attach_as(x, ifindex, lib.bpf_program__fd(prog));
	if ((err == -EBUSY || err == -EEXIST) && stale_ours(ifindex)) {
		lib.bpf_xdp_detach(ifindex, XDP_FLAGS_DRV_MODE, NULL);
		lib.bpf_xdp_detach(ifindex, XDP_FLAGS_SKB_MODE, NULL);
		err = attach_as(x, ifindex, lib.bpf_program__fd(prog));
	}
	if (err < 0) {
		x->xdp_flags = 0;
		snprintf(why, whylen, "cannot attach XDP: %s",
			 err == -EBUSY || err == -EEXIST
			     ? "the interface already has an XDP program"
			     : strerror(-err));
		return -1;
	}
	return 0;
}

static void xsk_free(struct xsk_link *x, int ifindex)
{
	if (x->xsk)
		lib.xsk_socket__delete(x->xsk);
	if (x->umem)
		lib.xsk_umem__delete(x->umem);
	if (x->area)
		munmap(x->area, (size_t)(XSK_RX_FRAMES + XSK_TX_FRAMES) * XSK_FRAME);
	if (x->xdp_flags)
		lib.bpf_xdp_detach(ifindex, x->xdp_flags & ~XDP_FLAGS_UPDATE_IF_NOEXIST, NULL);
	if (x->obj)
		lib.bpf_object__close(x->obj);
	if (x->sock >= 0)
		close(x->sock);
	free(x);
}

/* The address octets and port of a link's local or peer address. */
static const uint8_t *sa_ip(const struct sockaddr_storage *a, uint16_t *port)
{
	size_t len;

	return nexthop_ip((const struct sockaddr *)a, &len, port);
}

/* A udp link: the outer headers after the Ethernet header (the peer's MAC already in it), the
 * sums that do not change per packet, and a socket bound to the local address and port, so
 * that no other program takes the port and the kernel answers no datagram of ours with an
 * ICMP error. */
static int udp_prepare(struct xsk_link *x, const struct link_cfg *c, char *why, size_t whylen)
{
	uint16_t lport, pport;
	const uint8_t *me = sa_ip(&c->local, &lport), *him = sa_ip(&c->peer, &pport);
	uint8_t *ip = x->hdr + ETH_HLEN, *udp = ip + (x->v6 ? 40 : 20);
	size_t alen = x->v6 ? 16 : 4;

	x->hdr[12] = x->v6 ? 0x86 : 0x08;
	x->hdr[13] = x->v6 ? 0xdd : 0x00;
	if (x->v6) {
		ip[0] = 0x60, ip[6] = IPPROTO_UDP, ip[7] = 64;
		memcpy(ip + 8, me, 16);
		memcpy(ip + 24, him, 16);
	} else { /* lengths, ID and checksum per packet; Don't Fragment, as the socket sends */
		ip[0] = 0x45, ip[6] = 0x40, ip[8] = 64, ip[9] = IPPROTO_UDP;
		memcpy(ip + 12, me, 4);
		memcpy(ip + 16, him, 4);
		x->ip_sum = nip_csum_add(0, ip, 20);
	}
	memcpy(udp, &lport, 2);
	memcpy(udp + 2, &pport, 2);
	x->l4_sum = nip_csum_add(nip_csum_add(0, me, alen), him, alen) + IPPROTO_UDP;
	x->hlen = (unsigned)(udp + 8 - x->hdr);
	if ((x->sock = link_udp_socket(c, false)) < 0) {
		snprintf(why, whylen, "cannot bind the local address: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/* A udp link's outer headers for a New IP packet of len octets already at frame + hlen. */
static void udp_fill(struct xsk_link *x, uint8_t *frame, uint32_t len)
{
	uint8_t *ip = frame + ETH_HLEN, *udp = frame + x->hlen - 8;
	uint32_t ulen = len + 8;

	memcpy(frame, x->hdr, x->hlen);
	if (x->v6) {
		ip[4] = (uint8_t)(ulen >> 8), ip[5] = (uint8_t)ulen;
	} else {
		uint32_t tot = ulen + 20, id = x->ip_id++;
		ip[2] = (uint8_t)(tot >> 8), ip[3] = (uint8_t)tot;
		ip[4] = (uint8_t)(id >> 8), ip[5] = (uint8_t)id;
		uint16_t c = nip_csum_fold(x->ip_sum + tot + id);
		memcpy(ip + 10, &(uint16_t){ htons(c) }, 2);
	}
	udp[4] = (uint8_t)(ulen >> 8), udp[5] = (uint8_t)ulen;
	uint16_t c = nip_csum_fold(nip_csum_add(x->l4_sum + ulen, udp, ulen));
	c = c ? c : 0xffff; /* 0 would mean none */
	memcpy(udp + 6, &(uint16_t){ htons(c) }, 2);
}

/* A udp link's received frame: the New IP packet's offset, its length in len; 0 when the
 * outer headers do not check as the kernel checks them for a connected socket (lengths, the
 * IPv4 header checksum, the peer's address and port). */
static unsigned udp_strip(const struct xsk_link *x, const uint8_t *f, uint32_t flen,
			  uint32_t *len)
{
	const uint8_t *ip = f + ETH_HLEN, *tip = x->hdr + ETH_HLEN, *udp = f + x->hlen - 8;
	uint32_t ulen;

	if (flen < x->hlen)
		return 0;
	if (x->v6) {
		ulen = (uint32_t)ip[4] << 8 | ip[5];
		if (ETH_HLEN + 40 + ulen > flen || memcmp(ip + 8, tip + 24, 16))
			return 0;
	} else {
		uint32_t tot = (uint32_t)ip[2] << 8 | ip[3];
		if (tot < 28 || ETH_HLEN + tot > flen || nip_inet_csum(ip, 20) ||
		    memcmp(ip + 12, tip + 16, 4))
			return 0;
		ulen = tot - 20;
	}
	/* The UDP checksum is not checked: the peer is on-link, so the Ethernet FCS the NIC
	 * checked covers the same octets, and a sender's kernel with checksum offload (any
	 * veth) leaves the field partial, for hardware that a frame between namespaces never
	 * meets. */
	if (ulen < 8 || ((uint32_t)udp[4] << 8 | udp[5]) != ulen ||
	    memcmp(udp, x->hdr + x->hlen - 6, 2)) /* from the peer's port */
		return 0;
	*len = ulen - 8;
	return x->hlen;
}

int xsk_open(struct link *l, char *why, size_t whylen, char *mode, size_t modelen)
{
	struct xsk_umem_config uc = {
	    .fill_size = XSK_RX_FRAMES, .comp_size = XSK_TX_FRAMES, .frame_size = XSK_FRAME};
	struct xsk_socket_config sc = {.rx_size = XSK_RX_FRAMES,
				       .tx_size = XSK_TX_FRAMES,
				       .libxdp_flags = XSK_LIBXDP_FLAGS__INHIBIT_PROG_LOAD};
	size_t size = (size_t)(XSK_RX_FRAMES + XSK_TX_FRAMES) * XSK_FRAME;
	struct xdp_options opt = {0};
	socklen_t optlen = sizeof(opt);
	struct xsk_link *x;
	unsigned queues = 1;
	uint32_t idx;
	int mtu = 0, err;

	if (lib_open(why, whylen) < 0)
		return -1;
	if (!(x = calloc(1, sizeof(*x)))) {
		snprintf(why, whylen, "out of memory");
		return -1;
	}
	x->sock = -1;
	x->udp = l->cfg.kind == LINK_UDP;
	x->v6 = l->cfg.local.ss_family == AF_INET6;
	if (x->udp) { /* the interface and the peer's MAC from the kernel's tables */
		if (nexthop_find(&l->cfg.local, &l->cfg.peer, ARP_WAIT_MS, l->cfg.ifname, x->hdr,
				 why, whylen) < 0 ||
		    udp_prepare(x, &l->cfg, why, whylen) < 0)
			goto fail;
		l->ifindex = (int)if_nametoindex(l->cfg.ifname);
	} else {
		link_eth_dst(&l->cfg, x->hdr);
		x->hdr[12] = NIP_ETHERTYPE >> 8;
		x->hdr[13] = NIP_ETHERTYPE & 0xff;
		x->hlen = ETH_HLEN;
	}
	if (if_facts(l->cfg.ifname, x->hdr + 6, &mtu, &queues) < 0) {
		snprintf(why, whylen, "%s: %s", l->cfg.ifname, strerror(errno));
		goto fail;
	}
	if (queues > 1) { /* frames hashed to another queue would pass to the kernel unread */
		snprintf(why, whylen, "%s has %u receive queues and one worker serves queue 0 only",
			 l->cfg.ifname, queues);
		goto fail;
	}
	x->area = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (x->area == MAP_FAILED) {
		x->area = NULL;
		snprintf(why, whylen, "no memory for the UMEM: %s", strerror(errno));
		goto fail;
	}
	if ((err = lib.xsk_umem__create(&x->umem, x->area, size, &x->fq, &x->cq, &uc)) < 0) {
		x->umem = NULL;
		snprintf(why, whylen, "cannot register the UMEM: %s", strerror(-err));
		goto fail;
	}
	if (attach(x, l->ifindex, x->udp ? "nip_steer_udp" : "nip_steer_eth", why, whylen) < 0)
		goto fail;
	if ((err = lib.xsk_socket__create(&x->xsk, l->cfg.ifname, 0, x->umem, &x->rx, &x->tx,
					  &sc)) < 0) {
		x->xsk = NULL;
		snprintf(why, whylen, "cannot open an AF_XDP socket: %s", strerror(-err));
		goto fail;
	}
	struct bpf_map *map = lib.bpf_object__find_map_by_name(x->obj, "nip_xsks");
	if ((err = lib.xsk_socket__update_xskmap(x->xsk, lib.bpf_map__fd(map))) < 0) {
		snprintf(why, whylen, "cannot steer to the socket: %s", strerror(-err));
		goto fail;
	}
	if (x->udp) { /* the program matches the link's local address and port */
		struct udp_cfg ucfg = { .family = x->v6 ? 6 : 4 };
		memcpy(ucfg.addr, sa_ip(&l->cfg.local, &ucfg.port), x->v6 ? 16 : 4);
		map = lib.bpf_object__find_map_by_name(x->obj, "nip_udp_cfg");
		if ((err = lib.bpf_map_update_elem(lib.bpf_map__fd(map), &(uint32_t){ 0 }, &ucfg,
						   BPF_ANY)) < 0) {
			snprintf(why, whylen, "cannot configure the XDP program: %s",
				 strerror(-err));
			goto fail;
		}
	}
	if (xsk_ring_prod__reserve(&x->fq, XSK_RX_FRAMES, &idx) != XSK_RX_FRAMES) {
		snprintf(why, whylen, "cannot fill the fill ring");
		goto fail;
	}
	for (uint32_t i = 0; i < XSK_RX_FRAMES; i++)
		*xsk_ring_prod__fill_addr(&x->fq, idx + i) = (uint64_t)i * XSK_FRAME;
	xsk_ring_prod__submit(&x->fq, XSK_RX_FRAMES);
	for (uint32_t i = 0; i < XSK_TX_FRAMES; i++)
		x->free[x->n_free++] = (uint64_t)(XSK_RX_FRAMES + i) * XSK_FRAME;
	getsockopt(lib.xsk_socket__fd(x->xsk), SOL_XDP, XDP_OPTIONS, &opt, &optlen);
	snprintf(mode, modelen, "%s XDP, %s",
		 x->xdp_flags & XDP_FLAGS_DRV_MODE ? "native" : "generic",
		 opt.flags & XDP_OPTIONS_ZEROCOPY ? "zero copy" : "copy mode");
	if (x->udp) { /* as the socket path's, within the interface's MTU less IP and UDP */
		link_udp_defaults(l, 0);
		if (l->cfg.mtu > mtu - (int)(x->hlen - ETH_HLEN))
			l->cfg.mtu = (uint16_t)(mtu - (int)(x->hlen - ETH_HLEN));
	} else {
		link_eth_mtu(l, mtu);
	}
	l->fd = lib.xsk_socket__fd(x->xsk);
	l->xsk = x;
	return 0;
fail:
	xsk_free(x, l->ifindex);
	return -1;
}

int xsk_kernel_fd(const struct link *l)
{
	return l->xsk && l->xsk->udp ? l->xsk->sock : -1;
}

void xsk_close(struct link *l)
{
	if (!l->xsk)
		return;
	xsk_free(l->xsk, l->ifindex);
	l->xsk = NULL;
	l->fd = -1; /* closed with the socket */
}

unsigned xsk_rx(struct link *l, struct pool *pool, struct dp_stats *st, struct pkt **out,
		unsigned max)
{
	struct xsk_link *x = l->xsk;
	uint32_t idx, fidx = 0;
	unsigned n = 0, kept = 0;

	n = xsk_ring_cons__peek(&x->rx, max, &idx);
	for (unsigned i = 0; i < n; i++) {
		if (!(out[i] = pool_get(pool))) { /* leave the rest in the ring */
			n = i;
			break;
		}
	}
	if (!n)
		return 0;
	/* Every frame taken goes straight back to the fill ring: it holds XSK_RX_FRAMES, so
	 * the room is there. */
	xsk_ring_prod__reserve(&x->fq, n, &fidx);
	for (unsigned i = 0; i < n; i++) {
		const struct xdp_desc *d = xsk_ring_cons__rx_desc(&x->rx, idx + i);
		const uint8_t *frame = xsk_umem__get_data(x->area, d->addr);
		struct pkt *k = out[kept];
		uint32_t len = d->len > ETH_HLEN ? d->len - ETH_HLEN : 0;
		unsigned off = x->udp ? udp_strip(x, frame, d->len, &len) : ETH_HLEN;

		*xsk_ring_prod__fill_addr(&x->fq, fidx + i) = d->addr - d->addr % XSK_FRAME;
		if (!off) { /* not the peer's, or a bad outer header: the kernel would drop it */
			STAT_ADD(st->drop[DROP_UNDERLAY], 1);
			continue;
		}
		k->in_link = l->id;
		k->len = 0; /* a runt or an oversize frame: dropped as DROP_RX_TRUNC */
		if (len && len <= PKT_BUF) {
			k->len = len;
			memcpy(k->data, frame + off, len);
		}
		STAT_ADD(l->st.rx_pkts, 1);
		STAT_ADD(l->st.rx_bytes, k->len);
		kept++;
	}
	xsk_ring_cons__release(&x->rx, n);
	xsk_ring_prod__submit(&x->fq, n);
	for (unsigned i = kept; i < n; i++)
		pool_put(pool, out[i]);
	return kept;
}

void xsk_flush(struct link *l, struct pool *pool, struct dp_stats *st)
{
	struct xsk_link *x = l->xsk;
	uint32_t idx, n = xsk_ring_cons__peek(&x->cq, XSK_TX_FRAMES, &idx), sent = 0;

	for (uint32_t i = 0; i < n; i++) /* frames the kernel has sent: free again */
		x->free[x->n_free++] = *xsk_ring_cons__comp_addr(&x->cq, idx + i);
	xsk_ring_cons__release(&x->cq, n);
	uint32_t want = l->n_tx < x->n_free ? l->n_tx : x->n_free;
	if (want)
		want = xsk_ring_prod__reserve(&x->tx, want, &idx);
	for (; sent < want; sent++) {
		struct pkt *k = l->txq[sent];
		struct xdp_desc *d = xsk_ring_prod__tx_desc(&x->tx, idx + sent);
		uint64_t addr = x->free[--x->n_free];
		uint8_t *frame = xsk_umem__get_data(x->area, addr);

		d->addr = addr;
		d->len = x->hlen + k->len;
		memcpy(frame + x->hlen, k->data, k->len);
		if (x->udp)
			udp_fill(x, frame, k->len);
		else
			memcpy(frame, x->hdr, ETH_HLEN);
		STAT_ADD(l->st.tx_pkts, 1);
		STAT_ADD(l->st.tx_bytes, k->len);
	}
	if (sent) {
		xsk_ring_prod__submit(&x->tx, sent);
		/* Copy mode sends in the system call, at most 32 frames at a time (the kernel's
		 * batch): kick until the ring is drained or the kernel is busy. */
		for (unsigned kick = 0; kick < (sent + 31) / 32; kick++)
			if (sendto(l->fd, NULL, 0, MSG_DONTWAIT, NULL, 0) < 0 && errno != EAGAIN &&
			    errno != EBUSY && errno != ENOBUFS)
				break;
	}
	if (sent < l->n_tx) { /* no free frame or ring room: counted, never silent */
		STAT_ADD(l->st.tx_err, l->n_tx - sent);
		STAT_ADD(st->drop[DROP_TX], l->n_tx - sent);
	}
	for (unsigned i = 0; i < l->n_tx; i++)
		pool_put(pool, l->txq[i]);
	l->n_tx = 0;
}
