#!/usr/bin/env bash
# The demo network (examples/demo.yaml), end to end with real sockets:
#
#   hA x0a01 --eth-- r1 ==udp/IPv4, mtu 1400== r2 --eth-- hB 192.0.2.10
#                    |                          |
#   hC 2001:db8:c::10 --udp/IPv6              udp/IPv4-- hD (32 octets)
#
# all-pairs ping, trace, hop-limit expiry, unreachable, packet too big with the link MTU,
# port unreachable, datagrams, run-time routes, counters, and a clean teardown.
source "$(dirname "$0")/lib.sh"
topo=$SRC/examples/demo.yaml
lab_up "$topo"

nodes=(hA hB hC hD r1 r2)
declare -A addr=([hA]=x0a01 [hB]=192.0.2.10 [hC]=2001:db8:c::10 [r1]=10.0.0.1 [r2]=10.0.0.2
	[hD]=x2001.0db8.000d.0000.0000.0000.0000.0000.5ab1.2c0f.f3e2.9a47.8d10.6b3c.e0a1.7f42)
for s in "${nodes[@]}"; do
	for d in "${nodes[@]}"; do
		[ "$s" = "$d" ] && continue
		out=$("$NEWIP" -n "$s" ping -q -c 2 -i 0.02 -W 2 "${addr[$d]}")
		expect_match "ping $s -> $d" '2 packets transmitted, 2 received, 0% packet loss' "$out"
	done
done

out=$("$NEWIP" -n hA trace -q 1 192.0.2.10)
hops=$(awk 'NR > 1 { printf "%s %s;", $1, $2 }' <<<"$out")
expect_eq "trace hA -> hB lists r1, r2, hB" "1 x0a00;2 10.0.0.2;3 192.0.2.10;" "$hops"

out=$("$NEWIP" -n hA ping -c 1 -t 2 192.0.2.10)
expect_match "hop limit 2 expires at r2" '^From 10.0.0.2 seq=1 hop limit exceeded$' "$out"
out=$("$NEWIP" -n hA ping -c 1 x0b)
expect_match "no route for a 1-octet address: hA itself says unreachable" \
	'^From x0a01 seq=1 destination unreachable \(no route\)$' "$out"
check "a default route on hA at run time" "$NEWIP" -n hA route add default via e0
out=$("$NEWIP" -n hA ping -c 1 x0b)
expect_match "with it, r1 is the one that says unreachable" \
	'^From x0a00 seq=1 destination unreachable \(no route\)$' "$out"
out=$("$NEWIP" -n hA ping -c 1 -s 1400 192.0.2.10)
expect_match "1426-octet packet on the 1400 link: too big from r1 with the MTU" \
	'^From x0a00 seq=1 packet too big \(mtu 1400\)$' "$out"
out=$("$NEWIP" -n hA ping -c 1 -s 1372 192.0.2.10)
expect_match "1398-octet packet fits the 1400 link" '1 received' "$out"

out=$("$NEWIP" -n hC send 192.0.2.10 9 hi 2>&1)
expect_match "datagram to a closed port: port unreachable" 'port unreachable' "$out"

"$NEWIP" -n hB recv -c 1 -W 5 7000 >"$WORK/recv.out" &
rpid=$!
wait_until 5 grep -q listening "$WORK/recv.out"
"$NEWIP" -n hC send 192.0.2.10 7000 "hello across three links"
wait $rpid
expect_match "datagram hC -> hB arrives with its source" \
	'^from 2001:db8:c::10 port [0-9]+: hello across three links$' "$(cat "$WORK/recv.out")"

# Static routes win over link-state ones for the same prefix; deleting one falls back.
expect_match "r2 learned hB by link state" '^192.0.2.10/32 +via b +link-state \(cost 10\) latency [0-9]+us hops 1$' \
	"$("$NEWIP" -n r2 route)"
check "route add at run time (pointing the wrong way)" "$NEWIP" -n r2 route add 192.0.2.10/32 via d
expect_match "route show says where it came from" '^192.0.2.10/32 +via d +static \(cli\) latency [0-9]+us hops 1$' \
	"$("$NEWIP" -n r2 route)"
out=$("$NEWIP" -n hA ping -c 1 -W 2 192.0.2.10)
expect_match "the static route wins: the echo goes to hD and dies there" 'hop limit exceeded' "$out"
out=$("$NEWIP" -n r2 route add 192.0.2.10/32 via b 2>&1); rc=$?
expect_eq "adding an existing static route fails with exit 1" 1 "$rc"
expect_match "... and says why" 'exists; delete it first' "$out"
check "route del at run time" "$NEWIP" -n r2 route del 192.0.2.10/32
out=$("$NEWIP" -n hA ping -c 1 192.0.2.10)
expect_match "without it, the link-state route carries traffic again" '1 received' "$out"

expect_eq "r1 counted one too-big drop" 1 "$(json_get r1 stats too_big)"
check "r2 counted the hop-limit drops" test "$(json_get r2 stats hop_limit)" -ge 2
check "r1 forwarded packets" test "$(json_get r1 stats forwarded)" -gt 50

lab_down "$topo" demo
finish
