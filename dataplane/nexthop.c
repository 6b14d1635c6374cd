/* A udp link's next hop on the underlay (nexthop.h): getifaddrs for the interface, rtnetlink
 * for the neighbour table. */
#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <linux/neighbour.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "nexthop.h"

/* The interface holding local; -1 unless peer is on its subnet. */
static int local_iface(const struct sockaddr_storage *local, const struct sockaddr_storage *peer,
		       char ifname[IF_NAMESIZE], char *why, size_t whylen)
{
	struct ifaddrs *all, *i;
	size_t n, pn;
	const uint8_t *me = nexthop_ip((const struct sockaddr *)local, &n, NULL),
		      *him = nexthop_ip((const struct sockaddr *)peer, &pn, NULL);
	char a[INET6_ADDRSTRLEN];
	int rc = -1;

	inet_ntop(local->ss_family, me, a, sizeof(a));
	if (getifaddrs(&all) < 0) {
		snprintf(why, whylen, "cannot list interfaces: %s", strerror(errno));
		return -1;
	}
	snprintf(why, whylen, "no interface holds the local address %s", a);
	for (i = all; i; i = i->ifa_next) {
		size_t k;
		if (!i->ifa_addr || !i->ifa_netmask || i->ifa_addr->sa_family != local->ss_family ||
		    memcmp(nexthop_ip(i->ifa_addr, &k, NULL), me, n))
			continue;
		const uint8_t *mask = nexthop_ip(i->ifa_netmask, &k, NULL);
		bool onlink = true;
		for (size_t b = 0; b < n; b++)
			onlink = onlink && !((me[b] ^ him[b]) & mask[b]);
		snprintf(ifname, IF_NAMESIZE, "%s", i->ifa_name);
		if (!onlink) {
			inet_ntop(peer->ss_family, him, a, sizeof(a));
			snprintf(why, whylen,
				 "the peer %s is not on %s's subnet (AF_XDP reaches "
				 "on-link peers only)",
				 a, i->ifa_name);
			break;
		}
		rc = 0;
		break;
	}
	freeifaddrs(all);
	return rc;
}

static int nl_send(int fd, struct nlmsghdr *h)
{
	struct sockaddr_nl k = {.nl_family = AF_NETLINK};

	return sendto(fd, h, h->nlmsg_len, 0, (struct sockaddr *)&k, sizeof(k)) < 0 ? -1 : 0;
}

/* Ask the kernel to resolve the peer (NTF_USE: as if a packet were waiting for it). */
static int nl_use(int fd, int ifindex, int family, const uint8_t *ip, size_t len)
{
	struct {
		struct nlmsghdr h;
		struct ndmsg nd;
		struct rtattr ra;
		uint8_t ip[16];
	} m = {.h = {.nlmsg_len = NLMSG_LENGTH(sizeof(struct ndmsg)) + RTA_LENGTH(len),
		     .nlmsg_type = RTM_NEWNEIGH,
		     .nlmsg_flags = NLM_F_REQUEST | NLM_F_CREATE | NLM_F_REPLACE},
	       .nd = {.ndm_family = (uint8_t)family,
		      .ndm_ifindex = ifindex,
		      .ndm_state = NUD_NONE,
		      .ndm_flags = NTF_USE},
	       .ra = {.rta_len = (unsigned short)RTA_LENGTH(len), .rta_type = NDA_DST}};

	memcpy(m.ip, ip, len);
	return nl_send(fd, &m.h);
}

/* One dump of the neighbour table: 1 with the MAC when the peer has a usable entry. */
static int nl_lookup(int fd, int ifindex, int family, const uint8_t *ip, size_t len, uint8_t mac[6])
{
	struct {
		struct nlmsghdr h;
		struct ndmsg nd;
	} q = {.h = {.nlmsg_len = NLMSG_LENGTH(sizeof(struct ndmsg)),
		     .nlmsg_type = RTM_GETNEIGH,
		     .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP},
	       .nd = {.ndm_family = (uint8_t)family, .ndm_ifindex = ifindex}};
	static char buf[32768];
	int found = 0;

	if (nl_send(fd, &q.h) < 0)
		return -1;
	for (;;) {
		ssize_t n = recv(fd, buf, sizeof(buf), 0);
		if (n < 0)
			return -1;
		for (struct nlmsghdr *h = (void *)buf; NLMSG_OK(h, (size_t)n);
		     h = NLMSG_NEXT(h, n)) {
			if (h->nlmsg_type == NLMSG_DONE || h->nlmsg_type == NLMSG_ERROR)
				return found;
			if (h->nlmsg_type != RTM_NEWNEIGH)
				continue;
			struct ndmsg *nd = NLMSG_DATA(h);
			const uint8_t *dst = NULL, *ll = NULL;
			size_t lllen = 0;
			int alen = (int)RTM_PAYLOAD(h);
			if (nd->ndm_ifindex != ifindex ||
			    !(nd->ndm_state & (NUD_REACHABLE | NUD_STALE | NUD_DELAY | NUD_PROBE |
					       NUD_PERMANENT | NUD_NOARP)))
				continue;
			for (struct rtattr *a =
				 (struct rtattr *)((char *)nd + NLMSG_ALIGN(sizeof(*nd)));
			     RTA_OK(a, alen); a = RTA_NEXT(a, alen)) {
				if (a->rta_type == NDA_DST && RTA_PAYLOAD(a) == len)
					dst = RTA_DATA(a);
				if (a->rta_type == NDA_LLADDR)
					ll = RTA_DATA(a), lllen = RTA_PAYLOAD(a);
			}
			if (dst && ll && lllen == 6 && !memcmp(dst, ip, len)) {
				memcpy(mac, ll, 6);
				found = 1;
			}
		}
	}
}

int nexthop_find(const struct sockaddr_storage *local, const struct sockaddr_storage *peer,
		 unsigned wait_ms, char ifname[IF_NAMESIZE], uint8_t mac[6], char *why,
		 size_t whylen)
{
	size_t len;
	const uint8_t *ip = nexthop_ip((const struct sockaddr *)peer, &len, NULL);
	char a[INET6_ADDRSTRLEN];
	int ifindex, fd, got = 0;

	if (local_iface(local, peer, ifname, why, whylen) < 0)
		return -1;
	if (!(ifindex = (int)if_nametoindex(ifname)) ||
	    (fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE)) < 0) {
		snprintf(why, whylen, "%s: %s", ifname, strerror(errno));
		return -1;
	}
	for (unsigned t = 0; t <= wait_ms / 10; t++) {
		if ((got = nl_lookup(fd, ifindex, peer->ss_family, ip, len, mac)) != 0)
			break;
		/* Again every 500 ms: a probe sent while the link was still coming up is lost, and
		 * an entry that failed must be restarted. */
		if (t % 50 == 0 && nl_use(fd, ifindex, peer->ss_family, ip, len) < 0)
			break;
		nanosleep(&(struct timespec){0, 10000000}, NULL); /* ARP/ND takes its round trip */
	}
	close(fd);
	if (got == 1)
		return 0;
	inet_ntop(peer->ss_family, ip, a, sizeof(a));
	snprintf(why, whylen, "the peer %s has no neighbour entry on %s (no %s answer in %u ms)", a,
		 ifname, peer->ss_family == AF_INET ? "ARP" : "ND", wait_ms);
	return -1;
}
