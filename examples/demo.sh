#!/usr/bin/env bash
# make demo: start examples/demo.yaml, ping every node from every node, trace once, send one
# flow with a latency contract, print a summary, tear down. Exit 0 only if every pair reached
# every other.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
bin=${NEWIP_BIN:-$here/../build}
topo=${1:-$here/demo.yaml}
newip=$bin/newip

down() { "$newip" lab down "$topo" >/dev/null 2>&1 || true; }
trap down EXIT

up=$("$newip" lab up "$topo")
echo "$up"
echo

# Every node and its first address, as the lab printed them ("  NAME  ADDR ...").
declare -A addr
nodes=()
while read -r n a _; do
	nodes+=("$n")
	addr[$n]=$a
done < <(grep -E '^  [A-Za-z0-9_-]+ +[^ (]' <<<"$up")
if [ ${#nodes[@]} -lt 2 ]; then
	echo "demo: found ${#nodes[@]} nodes in the lab's output; nothing to ping" >&2
	exit 1
fi

short() { local a=$1; [ ${#a} -gt 16 ] && a="${a:0:13}..."; printf '%s' "$a"; }

printf 'all-pairs ping (3 echoes each; avg RTT in ms)\n%-6s' "from\\to"
for d in "${nodes[@]}"; do printf '%9s' "$d"; done
echo
ok=0 total=0
for s in "${nodes[@]}"; do
	printf '%-6s' "$s"
	for d in "${nodes[@]}"; do
		if [ "$s" = "$d" ]; then printf '%9s' "-"; continue; fi
		total=$((total + 1))
		out=$("$newip" -n "$s" ping -q -c 3 -i 0.05 -W 1 "${addr[$d]}" 2>&1 || true)
		if grep -q ' 3 received' <<<"$out"; then
			ok=$((ok + 1))
			printf '%9s' "$(sed -n 's|^rtt min/avg/max/mdev = [^/]*/\([^/]*\)/.*|\1|p' <<<"$out")"
		else
			printf '%9s' "FAIL"
		fi
	done
	echo
done
echo
echo "addresses:"
for n in "${nodes[@]}"; do printf '  %-4s %s\n' "$n" "${addr[$n]}"; done
echo
# Trace from the first node to the one with the longest address.
far=${nodes[-1]}
for n in "${nodes[@]}"; do [ ${#addr[$n]} -gt ${#addr[$far]} ] && far=$n; done
trace=$("$newip" -n "${nodes[0]}" trace -q 1 "${addr[$far]}")
echo "$trace"
echo
# A latency contract over the same path (docs/spec.md §10): every hop adds its share to the
# packets' Accumulated Latency, which newip perf shows beside what it measured.
echo "latency contract: ${nodes[0]} -> $far, 1 Mbit/s of 200-octet datagrams for 2 s, deadline 5 ms"
"$newip" -n "$far" perf -s >/dev/null 2>&1 &
server=$!
for _ in $(seq 50); do "$newip" -n "$far" stats >/dev/null 2>&1 && break; sleep 0.05; done
"$newip" -n "${nodes[0]}" perf "${addr[$far]}" --rate 1M --time 2 --deadline 5ms 2>&1 | sed 1d || true
kill "$server" 2>/dev/null; wait "$server" 2>/dev/null || true
echo
echo "summary: $ok/$total pairs reached each other; ${nodes[0]} (${addr[${nodes[0]}]}) to $far"
echo "($(($(wc -l <<<"$trace") - 1)) hops) crossed eth and udp links, with no route configured."
[ "$total" -gt 0 ] && [ "$ok" -eq "$total" ]
