#!/usr/bin/env bash
# Print a lab file (docs/lab.md) of a ROWS x COLS grid of routers: r<row>_<col>, each with
# the 2-octet New IP address x<row+1><col+1> (hex), eth links along the rows and udp links (IPv4
# underlay) down the columns; no routes: NLS finds them. examples/grid256.yaml is `grid.sh 16 16`.
# Any further arguments are newipd.conf lines for every node.
#   examples/grid.sh 16 16 > grid.yaml && newip lab up grid.yaml
#   examples/grid.sh 16 16 grid "hello-interval 500" "dead-interval 2000" > grid.yaml
set -euo pipefail
rows=${1:?usage: grid.sh ROWS COLS [NAME]} cols=${2:?usage: grid.sh ROWS COLS [NAME]}
name=${3:-grid}
shift $(($# < 3 ? $# : 3))
config=
if (($#)); then
	config=$(printf '%s, ' "$@")
	config=", config: [${config%, }]"
fi
if ! [[ $rows =~ ^[0-9]+$ && $cols =~ ^[0-9]+$ ]] || ((rows < 1 || cols < 1 || rows > 64 || cols > 64)); then
	echo "grid.sh: ROWS and COLS are 1 to 64" >&2
	exit 2
fi
echo "# A ${rows}x${cols} grid of New IP routers: $0 $rows $cols $name${config:+ $(printf '"%s" ' "$@")}"
echo "name: $name"
echo "nodes:"
for ((r = 0; r < rows; r++)); do
	for ((c = 0; c < cols; c++)); do
		printf '  r%d_%d: {addresses: [x%02x%02x]%s}\n' $r $c $((r + 1)) $((c + 1)) "$config"
	done
done
echo "links:"
for ((r = 0; r < rows; r++)); do
	for ((c = 0; c < cols; c++)); do
		if ((c + 1 < cols)); then
			printf '  - {endpoints: [r%d_%d:e, r%d_%d:w], kind: eth}\n' $r $c $r $((c + 1))
		fi
		if ((r + 1 < rows)); then
			printf '  - {endpoints: [r%d_%d:s, r%d_%d:n], kind: udp}\n' $r $c $((r + 1)) $c
		fi
	done
done
