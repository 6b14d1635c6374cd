/*
 * The steering program. Both groups hand it the New IP header at offset 0: the reuseport
 * group after the UDP header, the fanout group after the Ethernet header. It hashes the Flow
 * Label and the last four octets of each address (the last one of an address shorter than
 * four), the fields of the ECMP flow (docs/spec.md §9), and returns hash mod n. A packet too
 * short to load from makes it return 0: the first socket, and the full checks there.
 */
#include <errno.h>
#include <linux/filter.h>
#include <linux/if_packet.h>
#include <sys/socket.h>

#include "newip/packet.h"
#include "steer.h"

/* clang-format off: one instruction a line, as a BPF listing reads */
#define MIX 0x9e3779b1u /* Knuth's multiplicative hash: mixes the XORed fields */

/* Load the last octets of the address whose length is at M[len_slot] and whose end is at
 * 12 + X (X: the octets of the addresses up to and including it), and mix them into M[0]. */
#define TAIL(len_slot)                                                                 \
	BPF_STMT(BPF_LD | BPF_MEM, len_slot),                                          \
	BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, 4, 0, 2),                                  \
	BPF_STMT(BPF_LD | BPF_W | BPF_IND, NIP_BASE_LEN - 4),                          \
	BPF_JUMP(BPF_JMP | BPF_JA, 1, 0, 0),                                           \
	BPF_STMT(BPF_LD | BPF_B | BPF_IND, NIP_BASE_LEN - 1),                          \
	BPF_STMT(BPF_MISC | BPF_TAX, 0),                                               \
	BPF_STMT(BPF_LD | BPF_MEM, 0),                                                 \
	BPF_STMT(BPF_ALU | BPF_MUL | BPF_K, MIX),                                      \
	BPF_STMT(BPF_ALU | BPF_XOR | BPF_X, 0),                                        \
	BPF_STMT(BPF_ST, 0)

static void program(struct sock_fprog *p, struct sock_filter *f, unsigned n)
{
	struct sock_filter code[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 0), /* Version, Traffic Class, Flow Label */
		BPF_STMT(BPF_ALU | BPF_AND | BPF_K, 0xfffff),
		BPF_STMT(BPF_ST, 0),
		BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 10), /* Dst Length */
		BPF_STMT(BPF_ST, 1),
		BPF_STMT(BPF_MISC | BPF_TAX, 0),
		TAIL(1),
		BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 11), /* Src Length */
		BPF_STMT(BPF_ST, 2),
		BPF_STMT(BPF_LD | BPF_MEM, 1),
		BPF_STMT(BPF_MISC | BPF_TAX, 0),
		BPF_STMT(BPF_LD | BPF_MEM, 2),
		BPF_STMT(BPF_ALU | BPF_ADD | BPF_X, 0),
		BPF_STMT(BPF_MISC | BPF_TAX, 0), /* X: where the source ends, less 12 */
		TAIL(2),
		BPF_STMT(BPF_LD | BPF_MEM, 0),
		BPF_STMT(BPF_ALU | BPF_MUL | BPF_K, MIX),
		BPF_STMT(BPF_ALU | BPF_RSH | BPF_K, 16),
		BPF_STMT(BPF_ALU | BPF_MOD | BPF_K, 0), /* n, below */
		BPF_STMT(BPF_RET | BPF_A, 0),
	};
	/* clang-format on */
	unsigned len = sizeof(code) / sizeof(code[0]);

	code[len - 2].k = n ? n : 1;
	for (unsigned i = 0; i < len; i++)
		f[i] = code[i];
	*p = (struct sock_fprog){ .len = (unsigned short)len, .filter = f };
}

int steer_reuseport(int fd, unsigned n)
{
	struct sock_filter f[64];
	struct sock_fprog p;

	program(&p, f, n);
	return setsockopt(fd, SOL_SOCKET, SO_ATTACH_REUSEPORT_CBPF, &p, sizeof(p));
}

int steer_fanout(int fd, uint16_t *id, unsigned n)
{
	struct sock_filter f[64];
	struct sock_fprog p;
	int arg = PACKET_FANOUT_CBPF << 16 | *id;
	socklen_t len = sizeof(arg);

	if (*id)
		return setsockopt(fd, SOL_PACKET, PACKET_FANOUT, &arg, sizeof(arg));
	arg |= PACKET_FANOUT_FLAG_UNIQUEID << 16;
	if (setsockopt(fd, SOL_PACKET, PACKET_FANOUT, &arg, sizeof(arg)) < 0 ||
	    getsockopt(fd, SOL_PACKET, PACKET_FANOUT, &arg, &len) < 0)
		return -1;
	*id = (uint16_t)arg;
	if (!*id) { /* id 0 would make the next member start a group of its own */
		errno = EADDRINUSE;
		return -1;
	}
	program(&p, f, n);
	return setsockopt(fd, SOL_PACKET, PACKET_FANOUT_DATA, &p, sizeof(p));
}
