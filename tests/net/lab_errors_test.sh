#!/usr/bin/env bash
# Lab topology mistakes: each gives "FILE:LINE: what is wrong" and exit 2, before anything is
# created (so these need no root and leave nothing behind).
set -uo pipefail
BUILD=$(cd "$1" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fails=0

# case NAME LINE REGEX YAML
case_() {
	local f=$work/$1.yaml
	printf '%s\n' "$4" >"$f"
	out=$(NEWIP_RUNDIR=$work "$BUILD/newip" lab up "$f" 2>&1); rc=$?
	if [ $rc -eq 2 ] && grep -Eq "^newip lab: $f:$2: $3" <<<"$out"; then
		echo "ok   $1: ${out#newip lab: $work/}"
	else
		echo "FAIL $1 (exit $rc): $out"
		fails=$((fails + 1))
	fi
}

case_ offload-eth 4 "'offload' applies to udp links only" 'name: t
nodes: {a: {addresses: [x01]}, b: {addresses: [x02]}}
links:
  - {endpoints: [a:b, b:a], kind: eth, offload: off}'
case_ offload-value 4 "offload 'no': write on or off" 'name: t
nodes: {a: {addresses: [x01]}, b: {addresses: [x02]}}
links:
  - {endpoints: [a:b, b:a], kind: udp, offload: no}'
case_ ports-eth 4 "'ports' applies to plain udp links only" 'name: t
nodes: {a: {addresses: [x01]}, b: {addresses: [x02]}}
links:
  - {endpoints: [a:b, b:a], kind: eth, ports: 4}'
case_ ports-value 4 "ports '0' out of range; use 1 to 16" 'name: t
nodes: {a: {addresses: [x01]}, b: {addresses: [x02]}}
links:
  - {endpoints: [a:b, b:a], kind: udp, ports: 0}'
case_ queues-eth 4 "'queues' applies to udp links only" 'name: t
nodes: {a: {addresses: [x01]}, b: {addresses: [x02]}}
links:
  - {endpoints: [a:b, b:a], kind: eth, queues: 2}'
case_ schc-needs-rules 4 "a schc link needs 'rules: FILE'" 'name: t
nodes: {g: {addresses: [x01]}, s: {addresses: [x0b01]}}
links:
  - {endpoints: [g:s, s:g], kind: schc, gateway: g}'
case_ schc-gateway 4 "gateway 'x' is not an end of this link" 'name: t
nodes: {g: {addresses: [x01]}, s: {addresses: [x0b01]}}
links:
  - {endpoints: [g:s, s:g], kind: schc, rules: /dev/null, gateway: x}'
case_ schc-rules-missing 4 "rules '$work/none.json': No such file" 'name: t
nodes: {g: {addresses: [x01]}, s: {addresses: [x0b01]}}
links:
  - {endpoints: [g:s, s:g], kind: schc, rules: none.json, gateway: g}'
case_ schc-only-option 4 "'loss' is for a link of kind schc" 'name: t
nodes: {g: {addresses: [x01]}, s: {addresses: [x0b01]}}
links:
  - {endpoints: [g:s, s:g], kind: udp, loss: 10}'
case_ schc-no-rate 4 "a schc link has rules, gateway, frame, bitrate, duty and loss; not underlay" 'name: t
nodes: {g: {addresses: [x01]}, s: {addresses: [x0b01]}}
links:
  - {endpoints: [g:s, s:g], kind: schc, rules: /dev/null, gateway: g, rate: 1mbit}'
case_ yaml-syntax 4 'YAML: did not find expected' 'name: t
nodes:
  a: [x01'
case_ unknown-top-key 2 "unknown key 'nodez'" 'name: t
nodez: {}'
case_ bad-name 1 "'name' must be 1-14 letters" 'name: "has space"
nodes: {a: {addresses: [x01]}}'
case_ node-no-address 3 "node 'a' needs at least one address" 'name: t
nodes:
  a: {routes: []}'
case_ bad-address 3 "'x0' is not an address" 'name: t
nodes:
  a: {addresses: [x0]}'
case_ lan-prefix 3 "lan 'x0b00/8' must be an IPv4 or IPv6 prefix" 'name: t
nodes:
  g: {addresses: [x01], lan: [x0b00/8]}'
case_ map-syntax 3 "map 'x0b00/8' must be 'NEWIP-PREFIX IPV6-PREFIX'" 'name: t
nodes:
  g: {addresses: [x01], lan: [10.1.0.0/24], map: [x0b00/8]}'
case_ map-needs-lan 3 "a node with a map needs a lan" 'name: t
nodes:
  g: {addresses: [x01], map: ["x0b00/8 2001:db8:ee::/104"]}'
case_ endpoint-node 5 "endpoint 'b:e0': no node named 'b'" 'name: t
nodes:
  a: {addresses: [x01]}
links:
  - {endpoints: [a:e0, b:e0]}'
case_ endpoint-form 6 "endpoint 'b' must be NODE:IFACE" 'name: t
nodes:
  a: {addresses: [x01]}
  b: {addresses: [x02]}
links:
  - {endpoints: [a:e0, b]}'
case_ iface-twice 7 "interface a:e0 is used by two links" 'name: t
nodes:
  a: {addresses: [x01]}
  b: {addresses: [x02]}
links:
  - {endpoints: [a:e0, b:e0]}
  - {endpoints: [a:e0, b:e1]}'
case_ bad-kind 6 "kind 'tcp' unknown; use udp, eth or schc" 'name: t
nodes:
  a: {addresses: [x01]}
  b: {addresses: [x02]}
links:
  - {endpoints: [a:e0, b:e0], kind: tcp}'
case_ bad-mtu 6 "mtu '99' out of range" 'name: t
nodes:
  a: {addresses: [x01]}
  b: {addresses: [x02]}
links:
  - {endpoints: [a:e0, b:e0], mtu: 99}'
case_ underlay-on-eth 6 "'underlay' applies to udp links only" 'name: t
nodes:
  a: {addresses: [x01]}
  b: {addresses: [x02]}
links:
  - {endpoints: [a:e0, b:e0], kind: eth, underlay: ipv6}'
case_ route-no-iface 3 "node a: route via 'e9', but no link gives a an interface" 'name: t
nodes:
  a: {addresses: [x01], routes: [default via e9]}
  b: {addresses: [x02]}
links:
  - {endpoints: [a:e0, b:e0]}'
case_ route-syntax 3 "node a: route 'default e0' must read 'PREFIX via IFACE'" 'name: t
nodes:
  a: {addresses: [x01], routes: [default e0]}'
[ "$fails" -eq 0 ] && echo "all checks passed" || echo "$fails check(s) failed"
exit $((fails > 0))
