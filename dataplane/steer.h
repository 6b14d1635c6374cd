/* Flow steering to the data-plane workers: a classic BPF program that hashes a New IP packet's
 * Flow Label and addresses, for an SO_REUSEPORT group of udp sockets or a PACKET_FANOUT group
 * of packet sockets. One flow always meets the same socket, so it is never reordered. */
#ifndef NEWIP_STEER_H
#define NEWIP_STEER_H

#include <stdint.h>

/* Attach the program to fd's SO_REUSEPORT group of n sockets (any member will do). 0 or -1
 * with errno. */
int steer_reuseport(int fd, unsigned n);

/* Join packet socket fd to a fanout group: *id 0 starts a new group (the kernel picks a free
 * id, written back, and the program goes on it), else joins group *id. 0 or -1 with errno. */
int steer_fanout(int fd, uint16_t *id, unsigned n);

#endif
