#!/usr/bin/env bash
# NLS convergence on three topologies with no routes configured: a line of 5, a ring of 6 and
# a 4 x 4 grid (16 nodes, 24 links, eth across and udp down). After lab up (which waits for
# routes to every address), every node reaches every other; the time to converge is printed.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/topo.sh"

converge_and_ping() { # FILE NAME COUNT NODE... : all-pairs ping over the given nodes
	local file=$1 name=$2 count=$3
	shift 3
	local t0 t1 out
	t0=$(date +%s%N)
	out=$("$NEWIP" lab up "$file"); labs+=("$file")
	t1=$(date +%s%N)
	local conv
	conv=$(sed -n 's/^routing converged \([0-9]*\) ms.*/\1/p' <<<"$out")
	check "$name: routing converged" test -n "$conv"
	echo "figure: $name: lab up (start + convergence) $(((t1 - t0) / 1000000)) ms, routes complete ${conv:-?} ms after the last node answered"
	local nodes=("$@") bad=0 pairs=0
	declare -A addr
	for n in "${nodes[@]}"; do addr[$n]=$("$NEWIP" -n "$n" addr | head -n 1); done
	for s in "${nodes[@]}"; do
		for d in "${nodes[@]}"; do
			[ "$s" = "$d" ] && continue
			pairs=$((pairs + 1))
			"$NEWIP" -n "$s" ping -q -c "$count" -i 0.01 -W 2 "${addr[$d]}" | grep -q " $count received" ||
				{ bad=$((bad + 1)); echo "     $s -> $d failed"; }
		done
	done
	expect_eq "$name: all $pairs pairs reach each other" 0 "$bad"
}

topo_line line 5 0 1 >"$WORK/line.yaml"
converge_and_ping "$WORK/line.yaml" line 2 n1 n2 n3 n4 n5
out=$("$NEWIP" -n n1 trace -q 1 x0105)
expect_eq "line: trace n1 -> n5 follows the line" "1 x0102;2 x0103;3 x0104;4 x0105;" \
	"$(awk 'NR > 1 { printf "%s %s;", $1, $2 }' <<<"$out")"
expect_match "line: n1's route to n5 costs 4 hops of 10" '^x0105/16 +via r +link-state \(cost 40\) latency [0-9]+us hops 4$' \
	"$("$NEWIP" -n n1 route)"
lab_down "$WORK/line.yaml" line

topo_line ring 6 1 2 >"$WORK/ring.yaml"
converge_and_ping "$WORK/ring.yaml" ring 2 n1 n2 n3 n4 n5 n6
ring_ecmp() { "$NEWIP" -n n1 route | grep -Eq '^x0204/16 +via (r,l2|l2,r) +link-state \(cost 30\) latency [0-9]+us hops 3$'; }
check "ring: n1 reaches n4 (opposite) over both directions (ECMP)" wait_until 5 ring_ecmp
expect_match "ring: n1 reaches n6 directly over the closing link" '^x0206/16 +via l2 ' \
	"$("$NEWIP" -n n1 route)"
lab_down "$WORK/ring.yaml" ring

topo_grid grid 4 4 >"$WORK/grid.yaml"
grid=()
for r in 1 2 3 4; do for c in 1 2 3 4; do grid+=("g$r$c"); done; done
converge_and_ping "$WORK/grid.yaml" grid 1 "${grid[@]}"
expect_eq "grid: every node holds 16 LSAs" "16" \
	"$(for n in "${grid[@]}"; do "$NEWIP" -n "$n" lsdb | wc -l; done | sort -u | tr '\n' ' ' | xargs)"
grid_ecmp() { "$NEWIP" -n g11 route | grep -Eq '^x0344/16 +via (e,s|s,e) +link-state \(cost 60\) latency [0-9]+us hops 6$'; }
check "grid: g11 to g44 has 6 hops and several equal paths" wait_until 5 grid_ecmp
before=$(json_get g22 stats msgs_tx)
sleep 2 # a measurement window, not synchronisation: steady-state message rate
after=$(json_get g22 stats msgs_tx)
echo "figure: grid: routing messages sent by g22 (4 links) at steady state: $(((after - before) / 2))/s"
lab_down "$WORK/grid.yaml" grid
finish
