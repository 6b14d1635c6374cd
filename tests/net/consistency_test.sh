#!/usr/bin/env bash
# After a flapping link and after a partition that heals, every node of a 3 x 3 grid ends with
# the same link-state database (origin, sequence and checksum-identical contents), and all
# pairs reach each other again.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/topo.sh"
topo_grid cons 3 3 >"$WORK/grid.yaml"
lab_up "$WORK/grid.yaml"
nodes=(g11 g12 g13 g21 g22 g23 g31 g32 g33)

# One line per LSA: origin, sequence and the advertised links and prefixes.
lsdb_of() {
	"$NEWIP" -n "$1" -j lsdb | tr -d ' \n' | sed 's/^{"ok":true,"lsas":\[//; s/\]}$//' |
		sed 's/},{"origin"/}\n{"origin"/g' | sed 's/"age":[0-9]*,//' | sort
}
all_equal() {
	local first
	first=$(lsdb_of "${nodes[0]}")
	[ "$(grep -c origin <<<"$first")" -eq ${#nodes[@]} ] || return 1
	for n in "${nodes[@]:1}"; do [ "$(lsdb_of "$n")" = "$first" ] || return 1; done
}
reach_all() {
	for d in x0311 x0313 x0331 x0333 x0322; do
		"$NEWIP" -n g22 ping -q -c 1 -W 1 "$d" | grep -q ' 1 received' || return 1
		"$NEWIP" -n g11 ping -q -c 1 -W 1 "$d" | grep -q ' 1 received' || return 1
	done
}
check "initially every LSDB is the same" wait_until 5 all_equal

# Flap g22's east link five times, 150 ms apart (faster than the dead interval, and slower).
for i in 1 2 3 4 5; do
	ip -n nip-cons-g22 link set dev e down
	sleep 0.15 # the flap's own rhythm, not a wait for anything
	ip -n nip-cons-g22 link set dev e up
	sleep 0.$((i * 1))
done
check "after flapping, every LSDB is the same again" wait_until 10 all_equal
check "... and all pairs reach each other" wait_until 10 reach_all

# Partition: cut column 1 from column 2 (three links), wait until both sides notice, heal.
for r in 1 2 3; do ip -n "nip-cons-g${r}1" link set dev e down; done
lost() { ! "$NEWIP" -n g11 route | grep -q '^x0333/16'; }
check "partitioned: g11 loses its routes to the far side" wait_until 5 lost
for r in 1 2 3; do ip -n "nip-cons-g${r}1" link set dev e up; done
check "healed: every LSDB is the same again" wait_until 10 all_equal
check "... and all pairs reach each other" wait_until 10 reach_all
lab_down "$WORK/grid.yaml" cons
finish
