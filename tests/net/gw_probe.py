#!/usr/bin/env python3
"""Test helper for the IP gateways (docs/spec.md §12): input a gateway must refuse.

  gw_probe.py refused DST         from an IP host: a packet the gateway must not translate (IPv6
                                  with a hop-by-hop header, or IPv4 carrying protocol 253, New
                                  IP's NCMP); prints the ICMP answer "TYPE/CODE pointer P"
                                  that came back within 2 s, or "none"
  gw_probe.py udp DST PORT MSG    from an IP host: sends MSG from port 40000 to DST:PORT and prints
                                  the first reply as "ADDR PORT DATA" (10 s at most), or "none"
  gw_probe.py tun IFNAME CASE     in the gateway's namespace: writes one bad packet into the TUN
                                  device's transmit side (what newipd reads): CASE notip,
                                  badsum (an IPv4 header checksum that does not verify),
                                  spoof (IPv6 from 2001:db8:ee::5, inside a mapped prefix)
"""
import socket
import struct
import sys


def refused(dst):
    v6 = ":" in dst
    fam = socket.AF_INET6 if v6 else socket.AF_INET
    icmp = socket.socket(fam, socket.SOCK_RAW, socket.IPPROTO_ICMPV6 if v6 else socket.IPPROTO_ICMP)
    icmp.settimeout(2.0)
    if v6:
        s = socket.socket(fam, socket.SOCK_DGRAM)
        # Hop-by-hop options: PadN of 4 (the kernel fills Next Header and routers pass it).
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_HOPOPTS, bytes([0, 0, 1, 4, 0, 0, 0, 0]))
        s.sendto(b"hop-by-hop", (dst, 9))
    else:
        s = socket.socket(fam, socket.SOCK_RAW, 253)
        s.sendto(b"\x80\x00\x00\x00\x00\x00\x00\x00", (dst, 0))
    while True:
        try:
            b, _ = icmp.recvfrom(2048)
        except socket.timeout:
            print("none")
            return
        if not v6:
            b = b[(b[0] & 15) * 4:]  # raw IPv4 sockets include the IP header
        t, c = b[0], b[1]
        if t in (0, 8, 128, 129) or (v6 and t >= 130):
            continue  # echoes, neighbour discovery: not the answer
        print("%d/%d pointer %d" % (t, c, struct.unpack("!I", b[4:8])[0]))
        return


def udp(dst, port, msg):
    s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    s.bind(("::", 40000))
    s.settimeout(10.0)
    s.sendto(msg.encode(), (dst, int(port)))
    try:
        data, a = s.recvfrom(2048)
    except socket.timeout:
        print("none")
        return
    print("%s %d %s" % (a[0], a[1], data.decode(errors="replace")))


def tun(ifname, case):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_DGRAM)
    if case == "notip":
        pkt = bytes([0x30]) + bytes(39)
    elif case == "spoof":
        udp = struct.pack("!HHHH", 40000, 9, 8, 0)
        pkt = (struct.pack("!IHBB", 0x60000000, len(udp), 17, 64) +
               socket.inet_pton(socket.AF_INET6, "2001:db8:ee::5") +
               socket.inet_pton(socket.AF_INET6, "2001:db8:2::2") + udp)
        s.sendto(pkt, (ifname, 0x86DD))
        return
    else:
        hdr = bytearray(struct.pack("!BBHHHBBH4s4s", 0x45, 0, 28, 0, 0x4000, 64, 17, 0,
                                    socket.inet_aton("10.1.0.2"), socket.inet_aton("10.2.0.2")))
        hdr[10:12] = b"\x12\x34"  # not the header's checksum
        pkt = bytes(hdr) + bytes(8)
    s.sendto(pkt, (ifname, 0x0800))


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "refused":
        refused(sys.argv[2])
    elif len(sys.argv) == 5 and sys.argv[1] == "udp":
        udp(sys.argv[2], sys.argv[3], sys.argv[4])
    elif len(sys.argv) == 4 and sys.argv[1] == "tun":
        tun(sys.argv[2], sys.argv[3])
    else:
        sys.exit(__doc__)
