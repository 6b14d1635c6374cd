#!/usr/bin/env bash
# newipd configuration errors: every class of mistake gives one line, "FILE:LINE: what is
# wrong; how to fix", and exit status 1; a good file is printed back by -n and exits 0.
set -uo pipefail
BUILD=$(cd "$1" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fails=0

good='node r1
address 10.0.0.1
address x0a00
link up0 udp local 10.9.0.1:6464 peer 10.9.0.2:6464 mtu 1400
link e0 eth dev veth0
route default via up0
route x0a00/8 via e0'

# case NAME LINE-TO-APPEND EXPECTED-LINE EXPECTED-REGEX
case_() {
	local name=$1 extra=$2 line=$3 re=$4 f=$work/$1.conf
	printf '%s\n%s\n' "$good" "$extra" >"$f"
	out=$("$BUILD/newipd" -n -c "$f" 2>&1 >/dev/null); rc=$?
	if [ $rc -eq 1 ] && [ "$(wc -l <<<"$out")" -eq 1 ] && grep -Eq "^newipd: $f:$line: $re" <<<"$out"; then
		echo "ok   $name: $out"
	else
		echo "FAIL $name (exit $rc): $out"
		fails=$((fails + 1))
	fi
}

case_ unknown-keyword 'adress 10.0.0.2' 8 "unknown keyword 'adress'; expected node"
case_ missing-argument 'address' 8 "'address' takes one address"
case_ bad-address 'address 10.0.0.300' 8 "'10.0.0.300' is not an address; write dotted IPv4"
case_ duplicate-address 'address 10.0.0.1' 8 'address 10.0.0.1 given twice'
case_ bad-prefix 'route 10.0.0.0/33 via up0' 8 "'10.0.0.0/33' is not a prefix"
case_ prefix-host-bits 'route 10.0.0.1/8 via up0' 8 "prefix '10.0.0.1/8' has bits set past its length; clear them"
case_ route-syntax 'route 10.0.0.0/8 up0' 8 "write routes as 'route PREFIX via LINK'"
case_ route-unknown-link 'route 10.0.0.0/8 via nope' 8 "route via 'nope': no such link; define it"
case_ duplicate-route 'route default via e0' 8 "a route for default is already given at line 6; keep one"
case_ link-kind 'link t0 tcp local 1.2.3.4:1 peer 1.2.3.5:1' 8 "link kind 'tcp' unknown; use udp, eth or schc"
case_ duplicate-link 'link e0 eth dev veth1' 8 "link 'e0' defined twice \\(first at line 5\\)"
case_ bad-sockaddr 'link u1 udp local 10.0.0.1 peer 10.0.0.2:6464' 8 "'local 10.0.0.1' is not IP:PORT"
case_ udp-missing-peer 'link u1 udp local 10.0.0.1:6464' 8 "udp link 'u1' needs 'local IP:PORT' and either 'peer IP:PORT' or 'key PEERKEY'"
case_ udp-family-mix 'link u1 udp local 10.0.0.1:6464 peer [2001:db8::1]:6464' 8 "udp link 'u1': local and peer must both be IPv4 or both IPv6"
case_ eth-no-dev 'link e1 eth' 8 "eth link 'e1' needs 'dev IFNAME'"
case_ mtu-range 'link e1 eth dev veth1 mtu 100' 8 "mtu '100' out of range; use 1280 to 2000"
case_ option-unknown 'link e1 eth dev veth1 speed 10' 8 "unknown eth link option 'speed'"
case_ option-no-value 'link e1 eth dev veth1 mtu' 8 "link option 'mtu' has no value"
case_ ncmp-rate 'ncmp-rate fast' 8 "'ncmp-rate' takes messages per second"
case_ node-name 'node r1/x' 8 "'node' takes one printable ASCII name without '/'"
case_ routing 'routing maybe' 8 "'routing' is on or off"
case_ hello 'hello-interval 5' 8 "'hello-interval' takes milliseconds, 10 to 60000"
case_ metric 'link e1 eth dev veth1 metric 0' 8 "metric '0' out of range; use 1 to 65535"
case_ map-syntax 'map x0b00/8' 8 "write maps as 'map NEWIP-PREFIX IPV6-PREFIX'"
case_ map-ipv4 'map 10.0.0.0/8 2001:db8:ee::/104' 8 "map 10.0.0.0/8 2001:db8:ee::/104: map a New IP prefix of 1-3 or 5-15"
case_ map-not-ipv6 'map x0b00/8 x0c00/8' 8 "map x0b00/8 x0c00/8: the second prefix must be IPv6"
case_ map-fit 'map x0000/4 2001:db8:ee::/120' 8 "map x0000/4 2001:db8:ee::/120: the New IP prefix's host bits do not fit"
case_ map-overlap $'gateway tun nip0\nmap x0b00/8 2001:db8:ee::/104\nmap x0b80/9 2001:db8:ef::/104' 10 "map x0b80/9 2001:db8:ef::/104 overlaps the map at line 9; maps must be 1:1"
case_ map-no-gateway 'map x0b00/8 2001:db8:ee::/104' 8 "'map' needs an IP gateway on this node: add 'gateway tun NAME'"

# Keyed udp links (docs/spec.md §1.1).
"$BUILD/newip" key gen "$work/n.key" >/dev/null && "$BUILD/newip" key gen "$work/p.key" >/dev/null
NK=$("$BUILD/newip" key show "$work/n.key" | awk '/^public-key/ { print $2 }')
PK=$("$BUILD/newip" key show "$work/p.key" | awk '/^public-key/ { print $2 }')
K="key $work/n.key"
case_ keyed-bad-key 'link k1 udp local 0.0.0.0:6464 key notakey' 8 "'key notakey' is not a public key; give the peer's key in base64"
case_ keyed-peer "link k1 udp local 0.0.0.0:6464 key $PK peer 10.0.0.2:6464" 8 "link 'k1': a keyed link learns its peer's address; write 'endpoint HOST:PORT'"
case_ keyed-option-unkeyed 'link k1 udp local 10.0.0.1:6464 peer 10.0.0.2:6464 keepalive 5' 8 "link 'k1': endpoint, keepalive and seal are for a keyed link; add 'key PEERKEY'"
case_ keyed-no-node-key "link k1 udp local 0.0.0.0:6464 key $PK" 8 "link 'k1' is keyed: it needs this node's own key too; add 'key FILE'"
case_ keyed-keepalive "link k1 udp local 0.0.0.0:6464 key $PK keepalive 0" 8 "keepalive '0' out of range; use 1 to 3600 seconds"
case_ keyed-seal "link k1 udp local 0.0.0.0:6464 key $PK seal maybe" 8 "seal 'maybe' unknown; use on"
case_ keyed-endpoint "link k1 udp local 0.0.0.0:6464 key $PK endpoint 10.0.0.2" 8 "endpoint '10.0.0.2' is not HOST:PORT"
case_ keyed-own-key "$K"$'\n'"link k1 udp local 0.0.0.0:6464 key $NK" 9 "link 'k1': 'key' is this node's own key; give the peer's"
case_ keyed-twice "$K"$'\n'"link k1 udp local 0.0.0.0:6464 key $PK"$'\n'"link k2 udp local 0.0.0.0:6464 key $PK" 10 "link 'k2': link 'k1' \\(line 9\\) has the same peer key on the same local address; one link per peer"
chmod 600 "$work"/*.key

# Whole-file mistakes name the file (no single line is at fault) and say what to add.
printf 'address 10.0.0.1\n' >"$work/noname.conf"
out=$("$BUILD/newipd" -n -c "$work/noname.conf" 2>&1); rc=$?
[ $rc -eq 1 ] && grep -q "noname.conf: no 'node NAME' line" <<<"$out" && echo "ok   no-node: $out" || { echo "FAIL no-node: $out"; fails=$((fails+1)); }
printf 'node a\n' >"$work/noaddr.conf"
out=$("$BUILD/newipd" -n -c "$work/noaddr.conf" 2>&1); rc=$?
[ $rc -eq 1 ] && grep -q "needs at least one address" <<<"$out" && echo "ok   no-address: $out" || { echo "FAIL no-address: $out"; fails=$((fails+1)); }
out=$("$BUILD/newipd" -n -c "$work/missing.conf" 2>&1); rc=$?
[ $rc -eq 1 ] && grep -q "missing.conf: cannot read" <<<"$out" && echo "ok   unreadable: $out" || { echo "FAIL unreadable: $out"; fails=$((fails+1)); }
out=$("$BUILD/newipd" -n -c "$work/noaddr.conf" --address 10.0.0.9 2>&1); rc=$?
[ $rc -eq 0 ] && grep -q '^address 10.0.0.9$' <<<"$out" && echo "ok   flags override the file" || { echo "FAIL flags: $out"; fails=$((fails+1)); }

# A good file is printed back, and that output is itself a good file (round trip).
# round_trip NAME FILE REGEX: -n prints FILE, the print reads back the same, REGEX is in it.
round_trip() {
	local name=$1 f=$2 re=$3
	"$BUILD/newipd" -n -c "$f" >"$f.back" && "$BUILD/newipd" -n -c "$f.back" >"$f.back2" &&
		cmp -s "$f.back" "$f.back2" && grep -q -- "$re" "$f.back" && echo "ok   $name" ||
		{ echo "FAIL $name"; cat "$f.back"; fails=$((fails+1)); }
}
printf '%s\n' "$good" >"$work/good.conf"
round_trip "-n prints a config that reads back the same" "$work/good.conf" '^node r1$'
printf '%s\ngateway tun nip0 mtu 1400\nroute 2001:db8:1::/64 via nip0\nmap x0b00/8 2001:db8:ee::/104\n' "$good" >"$work/gw.conf"
round_trip "a gateway's config (tun link, map) reads back the same" "$work/gw.conf" \
	'^map x0b00/8 2001:db8:ee::/104$'
printf '%s\n%s\nlink k1 udp local 0.0.0.0:6464 key %s endpoint localhost:6464 keepalive 25 seal on\n' \
	"$good" "$K" "$PK" >"$work/keyed.conf"
round_trip "a keyed link (endpoint by name, resolved) reads back the same" "$work/keyed.conf" \
	"^link k1 udp local 0.0.0.0:6464 key $PK endpoint localhost:6464 keepalive 25 seal on metric 10$"
# LPWAN links (docs/spec.md §13.4): the rules load when the file is read, relative to it.
SRC=$(cd "$(dirname "$0")/../.." && pwd)
cp "$SRC/examples/iot-rules.json" "$work/iot.json"
printf '[{"RuleID": 1, "RuleIDLength": 4, "Compression": [{"FID": "NIP.NOPE", "MO": "ignore", "CDA": "value-sent"}]}]\n' >"$work/bad.json"
S='link r0 schc local 10.9.1.1:6470 peer 10.9.1.2:6470'
case_ schc-needs-rules "$S role device" 8 "schc link 'r0' needs 'local IP:PORT', 'peer IP:PORT' and 'rules FILE'"
case_ schc-needs-role "$S rules iot.json" 8 "schc link 'r0' needs 'role device' \\(the sensor's end\\) or 'role gateway'"
case_ schc-role "$S rules iot.json role sensor" 8 "role 'sensor' unknown; use device"
case_ schc-frame "$S rules iot.json role device frame 300" 8 "frame '300' out of range; use 11 to 242 octets"
case_ schc-duty "$S rules iot.json role device duty 0" 8 "duty '0' out of range; use a percentage, 1 to 100"
case_ schc-loss "$S rules iot.json role device loss 100" 8 "loss '100' out of range"
case_ schc-rate "$S rules iot.json role device rate 1mbit" 8 "a schc link's radio has 'bitrate' and 'duty', not 'rate'"
case_ schc-option "$S rules iot.json role device key abc" 8 "unknown schc link option 'key'"
case_ schc-rules-missing "$S rules nope.json role device" 8 "schc link 'r0': $work/nope.json: "
case_ schc-rules-bad "$S rules bad.json role device" 8 "schc link 'r0': $work/bad.json: rule 1: field 1: unknown field ID \"NIP.NOPE\""
printf '%s\n%s rules iot.json role gateway frame 115 bitrate 1760 duty 1 loss 5\n' "$good" "$S" >"$work/schc.conf"
round_trip "a schc link (rules beside the file) reads back the same" "$work/schc.conf" \
	"^$S rules $work/iot.json role gateway frame 115 bitrate 1760 duty 1 loss 5 metric 10$"

# offload (UDP GSO and GRO) on udp links and gateways, nowhere else; off reads back.
case_ offload-value "link u1 udp local 10.9.2.1:6464 peer 10.9.2.2:6464 offload maybe" 8 "'offload' is on or off, on a gateway or a udp link"
case_ offload-eth "link e1 eth dev veth1 offload off" 8 "'offload' is on or off, on a gateway or a udp link"
# ports (spec §1.2): plain udp links on their socket, 1 to 16, not past port 65535 (the round
# trip with xdp auto: netxdp runs this with NEWIPD_XDP=on, and xdp on would refuse it)
case_ ports-range "link u1 udp local 10.9.2.1:6464 peer 10.9.2.2:6464 ports 17" 8 "ports '17' out of range; use 1 to 16"
case_ ports-keyed "link u1 udp local 10.9.2.1:6464 key $(printf 'k%.0s' {1..43})= ports 4" 8 "udp link 'u1': ports 4 is for a plain udp link on its socket; drop 'key'"
case_ ports-xdp "link u1 udp local 10.9.2.1:6464 peer 10.9.2.2:6464 ports 4 xdp on" 8 "udp link 'u1': ports 4 is for a plain udp link on its socket; drop 'xdp on'"
case_ ports-past "link u1 udp local 10.9.2.1:65530 peer 10.9.2.2:6464 ports 8" 8 "udp link 'u1': ports 8 runs past port 65535"
case_ ports-node-xdp "xdp on
link u1 udp local 10.9.2.1:6464 peer 10.9.2.2:6464 ports 4" 9 "link 'u1': ports 4 runs on the UDP socket and the node has 'xdp on'; write 'xdp off' or 'xdp auto' on the link"
printf '%s\nlink u1 udp local 10.9.2.1:6464 peer 10.9.2.2:6464 ports 4 xdp auto\n' "$good" >"$work/ports.conf"
round_trip "a udp link with ports 4 reads back the same" "$work/ports.conf" \
	'^link u1 udp local 10.9.2.1:6464 peer 10.9.2.2:6464 ports 4 xdp auto metric 10$'
printf '%s\nlink u1 udp local 10.9.2.1:6464 peer 10.9.2.2:6464 offload off\n' "$good" >"$work/off.conf"
round_trip "a udp link with offload off reads back the same" "$work/off.conf" \
	'^link u1 udp local 10.9.2.1:6464 peer 10.9.2.2:6464 offload off metric 10$'

[ "$fails" -eq 0 ] && echo "all checks passed" || echo "$fails check(s) failed"
exit $((fails > 0))
