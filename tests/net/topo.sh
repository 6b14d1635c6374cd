# Topology generators for the routing tests: print a lab YAML on stdout. No routes anywhere:
# NLS finds them. Addresses are two octets: x<lab><node>.
# line NAME N        n1 - n2 - ... - nN          (eth and udp links alternate)
# ring NAME N        a line closed into a ring
# grid NAME R C      R x C nodes gRC; eth across, udp down
topo_line() {
	local name=$1 n=$2 closed=${3:-0}
	echo "name: $name"
	echo "nodes:"
	for i in $(seq 1 "$n"); do printf '  n%d: {addresses: [x%02x%02x]}\n' "$i" "$4" "$i"; done
	echo "links:"
	for i in $(seq 1 $((n - 1))); do
		printf '  - {endpoints: [n%d:r, n%d:l], kind: %s}\n' "$i" $((i + 1)) \
			"$([ $((i % 2)) -eq 1 ] && echo eth || echo udp)"
	done
	[ "$closed" -eq 1 ] && printf '  - {endpoints: [n%d:r2, n1:l2], kind: udp}\n' "$n"
	true
}
topo_grid() {
	local name=$1 rows=$2 cols=$3
	echo "name: $name"
	echo "nodes:"
	for r in $(seq 1 "$rows"); do for c in $(seq 1 "$cols"); do
		printf '  g%d%d: {addresses: [x03%d%d]}\n' "$r" "$c" "$r" "$c"
	done; done
	echo "links:"
	for r in $(seq 1 "$rows"); do for c in $(seq 1 "$cols"); do
		[ "$c" -lt "$cols" ] && printf '  - {endpoints: [g%d%d:e, g%d%d:w], kind: eth}\n' "$r" "$c" "$r" $((c + 1))
		[ "$r" -lt "$rows" ] && printf '  - {endpoints: [g%d%d:s, g%d%d:n], kind: udp}\n' "$r" "$c" $((r + 1)) "$c"
	done; done
	true
}
