#!/usr/bin/env python3
"""An off-path attacker against a keyed UDP link (docs/spec.md §1.1), for nat_test.sh.

  keyed_forge.py capture IFACE SRC [TYPE]  print one frame with a packet (hex, first octet TYPE:
                                        a3 data, the default, or a4 sealed) SRC sent to 6464
  keyed_forge.py attack DST FRAME PEERKEY   send forgeries to DST:6464 from here; print what
                                        was sent, one kind per line
"""
import base64
import os
import socket
import struct
import sys
import time


def capture(iface, src, ftype="a3"):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_DGRAM, socket.htons(0x0800))
    s.bind((iface, 0))
    s.settimeout(10)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        ip = s.recv(4096)
        ihl = (ip[0] & 15) * 4
        if ip[9] != 17 or socket.inet_ntoa(ip[12:16]) != src:
            continue
        dport = struct.unpack("!H", ip[ihl + 2:ihl + 4])[0]
        payload = ip[ihl + 8:]
        # a data frame that carries a packet (not a keepalive)
        if dport == 6464 and payload[:1] == bytes.fromhex(ftype) and len(payload) > 32:
            print(payload.hex())
            return
    sys.exit("no data frame from %s within 10 s" % src)


def attack(dst, frame_hex, peer_key_b64):
    frame = bytes.fromhex(frame_hex)
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("0.0.0.0", 6464))
    to = (dst, 6464)
    s.sendto(frame, to)  # the captured frame again: a replay
    print("replay")
    flipped = bytearray(frame)
    flipped[20] ^= 0x01  # one bit of the packet: the tag fails
    s.sendto(bytes(flipped), to)
    print("flipped")
    # an initiation that claims the peer's key, with a MAC the attacker cannot compute
    init = b"\xa1\0\0\0" + os.urandom(4) + base64.b64decode(peer_key_b64) + os.urandom(32) + \
        struct.pack("!Q", 2**63) + os.urandom(16)
    s.sendto(init, to)
    print("initiation")
    s.sendto(b"\xa3\0\0\0" + os.urandom(60), to)  # an index that names nothing
    print("unknown-index")
    s.sendto(b"\xa3\1\0\0" + os.urandom(28), to)  # Reserved not zero
    print("malformed")


if __name__ == "__main__":
    if sys.argv[1] == "capture":
        capture(*sys.argv[2:5])
    else:
        attack(sys.argv[2], sys.argv[3], sys.argv[4])
