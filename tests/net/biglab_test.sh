#!/usr/bin/env bash
# A lab past the old 64-node cap (docs/lab.md, Big labs): a 10 x 10 grid of routers from
# examples/grid.sh, 100 nodes and 180 links. lab up must converge (it waits for every node to
# have a route to every address), the far corners must reach each other over the shortest
# path (18 hops), no node may have lost a neighbour while it came up (NLS stayed calm on a
# shared machine), and lab down must leave nothing behind.
source "$(dirname "$0")/lib.sh"

# Under the sanitizers every daemon runs about three times slower: its dead interval too.
timers=()
[ "$san" -eq 0 ] || timers=("dead-interval 1200")
"$SRC/examples/grid.sh" 10 10 big "${timers[@]}" >"$WORK/big.yaml"
labs+=("$WORK/big.yaml")
out=$("$NEWIP" lab up "$WORK/big.yaml")
expect_match "lab up reports 100 nodes and 180 links" '^lab big up: 100 nodes, 180 links' "$out"
conv=$(sed -n 's/^routing converged \([0-9]*\) ms.*/\1/p' <<<"$out")
check "routing converged" test -n "$conv"
echo "figure: biglab: $(grep -E '^namespaces' <<<"$out"); routes complete ${conv:-?} ms after"
expect_eq "r0_0 has a route to all 100 addresses" 100 "$("$NEWIP" -n r0_0 route | grep -c '^x')"
check "r0_0 reaches r9_9 (x0a0a)" sh -c "'$NEWIP' -n r0_0 ping -q -c 3 -i 0.05 -W 2 x0a0a | grep -q ' 3 received'"
hops=$("$NEWIP" -n r0_0 trace -q 1 -m 30 x0a0a | awk 'NR > 1 { n = $1 } END { print n }')
expect_eq "the trace r0_0 -> r9_9 takes the 18 hops of a shortest path" 18 "$hops"
lost=0 who=
for r in 0 1 2 3 4 5 6 7 8 9; do
	for c in 0 1 2 3 4 5 6 7 8 9; do
		l=$(jnum r${r}_$c stats neighbours_lost)
		lost=$((lost + ${l:-1000})) && [ "${l:-1}" = 0 ] || who="$who r${r}_$c"
	done
done
expect_eq "no node lost a neighbour while the lab came up${who:+ (lost:$who)}" 0 "$lost"
[ -z "$who" ] || grep -h ' down: ' "$NEWIP_RUNDIR"/labs/big/*.log | head -n 5
lab_down "$WORK/big.yaml" big
finish
