#!/usr/bin/env bash
# make demo: start examples/demo.yaml, ping every node from every node, trace once, print a
# summary, tear down. Exit 0 only if every pair reached every other.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
bin=${NEWIP_BIN:-$here/../build}
topo=${1:-$here/demo.yaml}
newip=$bin/newip

down() { "$newip" lab down "$topo" >/dev/null 2>&1 || true; }
trap down EXIT

"$newip" lab up "$topo"
echo

# The first address of every node, in the order the lab printed them.
mapfile -t nodes < <(sed -n '/^nodes:/,/^links:/s/^  \([A-Za-z0-9_-]*\):$/\1/p' "$topo")
declare -A addr
for n in "${nodes[@]}"; do
	addr[$n]=$("$newip" -n "$n" addr | head -n 1)
done

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
"$newip" -n hA trace -q 1 "${addr[hD]}"
echo
echo "summary: $ok/$total pairs reached each other; hA (2-octet address) to hD (32-octet"
echo "address) crossed $("$newip" -n hA trace -q 1 "${addr[hD]}" | tail -n +2 | wc -l) hops over eth and udp links."
[ "$ok" -eq "$total" ]
