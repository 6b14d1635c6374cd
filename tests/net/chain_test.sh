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

lab_down "$topo" chain
finish
