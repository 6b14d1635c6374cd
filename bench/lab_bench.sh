#!/usr/bin/env bash
# How a big lab comes up and what an idle node costs (issue 11, part 4): a ROWS x COLS grid of
# routers (examples/grid.sh), `newip lab up` to routing converged, then, with the lab idle,
# each daemon's memory (RSS; PSS, which shares the libraries out among the nodes; private
# dirty) and how busy the machine's CPUs are, then `lab down`. With HELLO=MS it runs a second
# time with that hello interval (dead interval 4 x), beside the default (100 ms), same run.
# Usage: bench/lab_bench.sh [BUILD_DIR] [ROWS] [COLS] (root). Defaults: build 16 16.
set -euo pipefail
BUILD=$(cd "${1:-build}" && pwd)
ROWS=${2:-16} COLS=${3:-16}
SRC=$(cd "$(dirname "$0")/.." && pwd)
[ "$(id -u)" = 0 ] || { echo "lab_bench: needs root (namespaces)" >&2; exit 2; }
NEWIP_RUNDIR=$(mktemp -d /tmp/nip-labbench.XXXXXX)
export NEWIP_RUNDIR
topo=$NEWIP_RUNDIR/grid.yaml
trap '"$BUILD/newip" lab down "$topo" >/dev/null 2>&1; rm -rf "$NEWIP_RUNDIR"' EXIT

# CPU busy % over 5 s, from /proc/stat (all CPUs; idle and iowait are not busy).
busy() {
	local a b
	a=($(head -1 /proc/stat)); sleep 5; b=($(head -1 /proc/stat))
	awk -v a="${a[*]}" -v b="${b[*]}" 'BEGIN { split(a, x); split(b, y); t = 0
		for (i = 2; i <= 9; i++) t += y[i] - x[i]
		idle = y[5] - x[5] + y[6] - x[6]; printf "%.0f", 100 * (t - idle) / t }'
}

# memory: median and largest of the daemons' RSS, PSS, private dirty (kB)
memory() {
	for p in $(pgrep -x newipd); do
		awk '/^Rss:/ { r = $2 } /^Pss:/ { p = $2 } /^Private_Dirty:/ { d = $2 }
		     END { print r, p, d }' "/proc/$p/smaps_rollup"
	done | sort -n | awk '{ r[NR] = $1; p[NR] = $2; d[NR] = $3; n = NR }
		END { m = int((n + 1) / 2); printf "%d nodes: RSS median %d kB (max %d), PSS median %d kB, private dirty median %d kB", n, r[m], r[n], p[m], d[m] }'
}

one() { # HELLO_MS (empty: the default)
	if [ -z "$1" ]; then
		"$SRC/examples/grid.sh" "$ROWS" "$COLS" lbench >"$topo"
	else
		"$SRC/examples/grid.sh" "$ROWS" "$COLS" lbench "hello-interval $1" "dead-interval $((4 * $1))" >"$topo"
	fi
	local t0 t1 out
	t0=$(date +%s%N)
	out=$("$BUILD/newip" lab up "$topo")
	t1=$(date +%s%N)
	echo "hello ${1:-100} ms: lab up $(((t1 - t0) / 1000000)) ms wall"
	grep -E '^(lab |namespaces|routing|warning)' <<<"$out" | sed 's/^/  /'
	sleep 10 # idle: what the lab costs when nothing happens
	echo "  idle: $(memory); CPUs $(busy) % busy"
	t0=$(date +%s%N)
	"$BUILD/newip" lab down "$topo"
	t1=$(date +%s%N)
	echo "  lab down $(((t1 - t0) / 1000000)) ms"
}

echo "lab_bench: a ${ROWS}x${COLS} grid, $(nproc) CPUs"
one ""
[ -z "${HELLO:-}" ] || one "$HELLO"
