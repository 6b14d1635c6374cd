/* A udp link's next hop on the underlay, for the AF_XDP path (xsk.c), which writes the
 * Ethernet and IP headers itself: the interface that holds the link's local address, and the
 * peer's MAC from the kernel's neighbour table (ARP or ND, started here when the kernel has no
 * entry yet). The peer must be on that interface's subnet: routed underlays stay on sockets. */
#ifndef NEWIP_NEXTHOP_H
#define NEWIP_NEXTHOP_H

#include <net/if.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

/* The address octets of an IPv4 or IPv6 socket address, how many, and (port not NULL) its
 * port in network order. */
static inline const uint8_t *nexthop_ip(const struct sockaddr *a, size_t *len, uint16_t *port)
{
	if (a->sa_family == AF_INET) {
		*len = 4;
		if (port)
			*port = ((const struct sockaddr_in *)a)->sin_port;
		return (const uint8_t *)&((const struct sockaddr_in *)a)->sin_addr;
	}
	*len = 16;
	if (port)
		*port = ((const struct sockaddr_in6 *)a)->sin6_port;
	return (const uint8_t *)&((const struct sockaddr_in6 *)a)->sin6_addr;
}

/* 0 with the interface and the peer's MAC; -1 with why not in why. Waits up to wait_ms for
 * the kernel to resolve the peer. */
int nexthop_find(const struct sockaddr_storage *local, const struct sockaddr_storage *peer,
		 unsigned wait_ms, char ifname[IF_NAMESIZE], uint8_t mac[6], char *why,
		 size_t whylen);

#endif
