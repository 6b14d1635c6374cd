#!/usr/bin/env bash
# LPWAN links with SCHC (issue 10; docs/spec.md §13.4), topology tests/net/lpwan.yaml: the
# gateway advertises its sensors into NLS and sends no hellos on radios; a sensor's UDP
# datagram to its gateway crosses with 2 header octets (rule 1); newip ping reaches 2- and
# 1-octet sensors from the core, whole in one frame or fragmented; ACK-on-Error delivers every
# fragmented ping across a radio that loses 10 % of its frames; the duty cycle holds a frame
# back; an unmodified IPv6 host pings a sensor through an IP gateway; and frames no rule
# restores are counted and dropped while the link goes on working.
source "$(dirname "$0")/lib.sh"
for t in python3 ping; do
	command -v $t >/dev/null || { echo "SKIP: no $t (scripts/deps.sh installs it)"; exit 77; }
done
lab_up "$SRC/tests/net/lpwan.yaml"

# schc NODE LINK FIELD: a counter of a schc link (FIELD in its "schc" object, or rule:ID/LEN:KEY)
schc() {
	"$NEWIP" -n "$1" -j link | python3 -c '
import json, sys
link, field = sys.argv[1], sys.argv[2]
l = next(x for x in json.load(sys.stdin)["links"] if x["name"] == link)
if field.startswith("rule:"):
    _, rid, key = field.split(":")
    print(next(r for r in l["schc"]["rules"] if r["rule"] == rid)[key])
elif field in l["schc"]:
    print(l["schc"][field])
else:
    print(l[field])' "$2" "$3"
}

routes=$("$NEWIP" -n core route)
for p in x0b01/16 x0b02/16 x21/8; do
	expect_match "core learned $p from the gateway's LSA" "^$p +via gw +link-state" "$routes"
done
expect_eq "no NLS hello went onto a radio (s1)" 0 "$(schc gw s1 frames_tx)"
expect_eq "... nor from the sensor's end" 0 "$(schc s1 gw frames_tx)"

# Rule 1: a sensor's UDP datagram to its gateway, header 2 octets on air (spec §13.2).
"$NEWIP" -n gw recv -c 1 -W 10 5683 >"$WORK/recv" &
rpid=$!
check "gw listens on 5683" wait_until 5 grep -q listening "$WORK/recv"
check "s1 sends 'hello' from port 5681 to x0bfe:5683" "$NEWIP" -n s1 send -p 5681 x0bfe 5683 hello
wait $rpid
expect_match "gw received it" '^from x0b01 port 5681: hello$' "$(cat "$WORK/recv")"
expect_eq "s1 compressed it with rule 1" 1 "$(schc s1 gw rule:1/4:tx)"
expect_eq "... 29 octets of New IP and UDP" 29 "$(schc s1 gw rule:1/4:octets_in)"
expect_eq "... into a 7-octet frame: 2 header octets and the 5 of 'hello'" 7 \
	"$(schc s1 gw rule:1/4:octets_out)"
expect_eq "the frame on the wire is those 7 octets" 7 "$(schc s1 gw tx_bytes)"
expect_eq "gw restored it with rule 1" 1 "$(schc gw s1 rule:1/4:rx)"

# newip ping across a radio: one frame each way, then fragments (ACK-on-Error, 51-octet frames).
out=$("$NEWIP" -n core ping -c 3 -i 0.2 -s 16 -W 5 x0b01)
expect_match "core pings s1 (16 octets: one frame)" '3 received, 0% packet loss' "$out"
expect_eq "gw sent the 3 echo requests with rule 2" 3 "$(schc gw s1 rule:2/4:tx)"
expect_eq "... and restored 3 replies with it" 3 "$(schc gw s1 rule:2/4:rx)"
out=$("$NEWIP" -n core ping -c 2 -i 0.2 -s 300 -W 10 x0b01)
expect_match "core pings s1 with 300 octets (fragmented)" '2 received, 0% packet loss' "$out"
expect_eq "gw fragmented the 2 requests" 2 "$(schc gw s1 frag_pkts_tx)"
expect_eq "... and reassembled 2 replies" 2 "$(schc gw s1 frag_pkts_rx)"
check "... 8 or more fragments each" test "$(schc gw s1 fragments_tx)" -ge 16

# 10 % of frames lost on s2's radio: ACK-on-Error resends the lost tiles; every ping arrives.
out=$("$NEWIP" -n core ping -c 6 -i 0.5 -s 200 -W 20 x0b02)
expect_match "core pings s2 across a 10 %-loss radio, fragmented" '6 received, 0% packet loss' "$out"
lost=$(($(schc gw s2 frames_lost) + $(schc s2 gw frames_lost)))
check "frames were lost on air ($lost)" test "$lost" -gt 0
retx=$(($(schc gw s2 retx_tiles) + $(schc s2 gw retx_tiles)))
check "... and their tiles resent ($retx)" test "$retx" -gt 0
expect_eq "no packet was given up" 0 "$(($(schc gw s2 aborts_tx) + $(schc s2 gw aborts_tx)))"

# An unmodified IPv6 host reaches a sensor: core translates (spec §12.4), gw compresses.
# Linux labels IPv6 flows, so the echoes go by rule 3 (the flow label sent) or, unlabelled, 2.
compressed() { echo $(($(schc gw s1 rule:2/4:tx) + $(schc gw s1 rule:3/4:tx))); }
before=$(compressed) whole=$(schc gw s1 rule:0/4:tx)
out=$("$NEWIP" lab exec core-lan -- ping -6 -c 2 -i 0.2 -s 16 -W 5 2001:db8:ee::1)
expect_match "iputils ping -6 from core's IPv6 LAN to s1 (x0b01 = 2001:db8:ee::1)" '2 received' \
	"$out"
expect_eq "... its echoes crossed the radio compressed (rule 2 or 3)" $((before + 2)) "$(compressed)"
expect_eq "... none sent whole (no-compression rule)" "$whole" "$(schc gw s1 rule:0/4:tx)"

# The 1-octet sensor (rule 4), and s3's 10 % duty cycle: after a frame of air time T the radio
# is silent for 9 T, so a second request sent 10 ms after the first waits for it.
out=$("$NEWIP" -n core ping -c 2 -i 0.01 -s 16 -W 5 x21)
expect_match "core pings the 1-octet sensor x21" '2 received, 0% packet loss' "$out"
expect_eq "gw compressed both with rule 4" 2 "$(schc gw s3 rule:4/4:tx)"
rtt1=$(sed -n 's/.*seq=1 time=\([0-9]*\).*/\1/p' <<<"$out")
rtt2=$(sed -n 's/.*seq=2 time=\([0-9]*\).*/\1/p' <<<"$out")
check "the first echo crossed at once (${rtt1} ms)" test "${rtt1:-9999}" -lt 300
check "the second waited out the duty cycle (${rtt2} ms, at least 9 x 44 ms)" \
	test "${rtt2:-0}" -ge 390

# Frames no rule restores, sent into gw's radio socket from s1's address: counted, dropped.
local=$(schc gw s1 local) peer=$(schc gw s1 peer)
before=$(jnum gw stats schc_malformed)
"$NEWIP" lab exec s1 -- python3 -c '
import socket, sys
h, p = sys.argv[1].rsplit(":", 1)
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
a, b = sys.argv[2].rsplit(":", 1)
s.bind((a, int(b)))
# an unknown RuleID, rule 2 cut short, longer than a frame, a fragment shorter than its header
for f in (b"\x50\x01", b"\x20", bytes(300), b"\xe0"):
    s.sendto(f, (h, int(p)))' "$local" "$peer"
malformed_at_least() { test "$(schc gw s1 malformed)" -ge "$1"; }
check "gw counted the 4 malformed frames" wait_until 5 malformed_at_least 4
expect_eq "... as schc_malformed drops" $((before + 4)) "$(jnum gw stats schc_malformed)"
out=$("$NEWIP" -n core ping -c 1 -s 16 -W 5 x0b01)
expect_match "s1's link still works" '1 received' "$out"
expect_match "newip stats shows the per-rule counters" 'rule 2/4 +compression +tx [1-9][0-9]* rx [1-9][0-9]* +octets [0-9]+ -> [0-9]+' \
	"$("$NEWIP" -n gw stats)"

lab_down "$SRC/tests/net/lpwan.yaml" lpwan
finish
