#!/usr/bin/env bash
# A second topology (tests/net/chain.yaml), five nodes in a line with one-octet addresses:
#   n1 --eth-- n2 --udp/IPv6-- n3 --eth, mtu 1280-- n4 --udp/IPv4-- n5
# all-pairs ping, a four-hop trace, hop-limit expiry in the middle, too big on the eth link.
source "$(dirname "$0")/lib.sh"
topo=$SRC/tests/net/chain.yaml
lab_up "$topo"

for s in 1 2 3 4 5; do
	for d in 1 2 3 4 5; do
		[ $s = $d ] && continue
		out=$("$NEWIP" -n n$s ping -q -c 2 -i 0.02 -W 2 x0$d)
		expect_match "ping n$s -> n$d" '2 received, 0% packet loss' "$out"
	done
done
out=$("$NEWIP" -n n1 trace -q 1 x05)
expect_eq "trace n1 -> n5 goes through n2, n3, n4" "1 x02;2 x03;3 x04;4 x05;" \
	"$(awk 'NR > 1 { printf "%s %s;", $1, $2 }' <<<"$out")"
out=$("$NEWIP" -n n5 ping -c 1 -t 3 x01)
expect_match "hop limit 3 from n5 expires at n2" '^From x02 seq=1 hop limit exceeded$' "$out"
out=$("$NEWIP" -n n1 ping -c 1 -s 1300 x05)
expect_match "1320 octets do not fit n3's 1280 eth link" '^From x03 seq=1 packet too big \(mtu 1280\)$' "$out"
expect_eq "n3's eth link has the configured MTU" "r: eth mtu 1280 dev r" "$("$NEWIP" -n n3 link | grep '^r:')"

# NCMP errors are rate limited per destination (100/s, burst 100): 300 expiring probes in
# about 0.3 s get about 130 answers, and n2 counts the rest.
out=$("$NEWIP" -n n1 ping -q -c 300 -i 0.001 -W 1 -t 1 x05)
errors=$(sed -n 's/^\([0-9]*\) errors$/\1/p' <<<"$out")
check "n2 answered some expiring probes ($errors)" test "${errors:-0}" -ge 100
check "... but not all 300" test "${errors:-0}" -lt 300
check "n2 counted the rest as rate limited" test "$(json_get n2 stats ncmp_rate_limited)" -ge $((300 - errors))

# SIGTERM: the node stops at once, says so, and removes its sockets.
pid=$(awk '$1 == "n5" { print $2 }' "$NEWIP_RUNDIR/labs/chain/pids")
kill -TERM "$pid"
check "n5 exits on SIGTERM" wait_until 3 sh -c "! kill -0 $pid"
expect_match "n5's log ends with 'stopped'" 'newipd n5: stopped$' "$(tail -n 1 "$NEWIP_RUNDIR/labs/chain/n5.log")"
check "n5 removed its sockets" test ! -e "$NEWIP_RUNDIR/n5"

# A crash: a daemon killed hard and the lab's state directory lost; lab down still cleans up.
kill -KILL "$(awk '$1 == "n4" { print $2 }' "$NEWIP_RUNDIR/labs/chain/pids")"
rm -rf "$NEWIP_RUNDIR/labs/chain"
lab_down "$topo" chain
finish
