#!/usr/bin/env bash
# Shut-off reaction (issue 8; docs/spec.md §6.5, §11): 20 sources flood one victim across three
# hops (edge, core, the victim's router) while 5 legitimate senders talk to it:
#
#   s01..s20 (500 packets/s each) --+
#   l1..l5   (newip perf, 50/s)   --+-- e1..e5 (source-check on) -- c -- rv -- v
#
# Run 1: the victim asks (`newip shutoff` for each source, at once). Run 2: the victim's flood
# guard decides alone. Prints: how long each request took to be answered (the filter goes in
# before the answer leaves, so this bounds the time until the flood stops at its edge) beside
# the victim's round trip to the sources, flood packets that still reached the victim after
# its filters were acknowledged, and legitimate packets lost.
# Usage: bench/shutoff_bench.sh [BUILD_DIR] (root). SOURCES=20 LEGIT=5 SECS=8.
set -euo pipefail
BUILD=$(cd "${1:-build}" && pwd)
N=${SOURCES:-20} L=${LEGIT:-5} SECS=${SECS:-8}
NEWIP_RUNDIR=$(mktemp -d /tmp/nip-bench.XXXXXX)
export NEWIP_RUNDIR
NEWIP=$BUILD/newip
topo=$NEWIP_RUNDIR/shutoff.yaml
trap '"$NEWIP" lab down "$topo" >/dev/null 2>&1; rm -rf "$NEWIP_RUNDIR"' EXIT

# topo GUARD: the lab; GUARD "on" gives v the flood guard (300 packets/s from one source)
write_topo() {
	local e s i
	{
		echo "name: shutoff"
		echo "nodes:"
		echo "  c: {addresses: [x0c00]}"
		echo "  rv: {addresses: [x0e00]}"
		if [ "$1" = on ]; then
			echo '  v: {key: auto, addresses: ["auto 2001:db8:9::"], config: ["flood-guard on", "flood-threshold 300", "flood-duration 60"]}'
		else
			echo '  v: {key: auto, addresses: ["auto 2001:db8:9::"]}'
		fi
		for e in $(seq 1 5); do echo "  e$e: {key: auto, addresses: [x0d0$e]}"; done
		for i in $(seq 1 "$N"); do printf '  s%02d: {addresses: [x0a%02x]}\n' "$i" "$i"; done
		for i in $(seq 1 "$L"); do printf '  l%d: {addresses: [x0b%02x]}\n' "$i" "$i"; done
		echo "links:"
		echo "  - {endpoints: [c:v, rv:c], kind: eth}"
		echo "  - {endpoints: [rv:v, v:e0], kind: eth}"
		for e in $(seq 1 5); do echo "  - {endpoints: [e$e:c, c:e$e], kind: eth}"; done
		for i in $(seq 1 "$N"); do
			e=$(((i - 1) % 5 + 1))
			printf '  - {endpoints: [s%02d:e0, e%d:s%02d], kind: eth, source-check: e%d}\n' "$i" "$e" "$i" "$e"
		done
		for i in $(seq 1 "$L"); do
			e=$(((i - 1) % 5 + 1))
			printf '  - {endpoints: [l%d:e0, e%d:l%d], kind: eth, source-check: e%d}\n' "$i" "$e" "$i" "$e"
		done
	} >"$topo"
}

jfield() { tr -d ' \n' | grep -o "\"$1\":[0-9.]*" | cut -d: -f2; }
now_ms() { echo $(($(date +%s%N) / 1000000)); }

# run GUARD: one measurement; prints its figures
run() {
	local guard=$1 i V pids=() t0 tall
	write_topo "$guard"
	"$NEWIP" lab up "$topo" >/dev/null
	V=$("$NEWIP" -n v addr | head -n 1)
	until "$NEWIP" -n s01 ping -c 1 -W 1 "$V" >/dev/null 2>&1; do sleep 0.2; done
	rtt=$("$NEWIP" -n v ping -q -c 20 -i 0.01 x0a01 | sed -n 's/.*= [0-9.]*\/\([0-9.]*\)\/.*/\1/p')
	"$NEWIP" -n v perf -s >/dev/null 2>&1 &
	local server=$!
	sleep 0.5 # the server binds its port (not a measurement)
	for i in $(seq 1 "$L"); do
		"$NEWIP" -n "l$i" perf "$V" --rate 80k --size 200 --time "$SECS" --json \
			>"$NEWIP_RUNDIR/legit$i.json" 2>/dev/null &
		pids+=($!)
	done
	t0=$(now_ms)
	for i in $(seq 1 "$N"); do
		"$NEWIP" -n "$(printf s%02d "$i")" ping -q -c $((SECS * 500)) -i 0.002 "$V" >/dev/null 2>&1 &
		pids+=($!)
	done
	if [ "$guard" = off ]; then
		sleep 2 # let the flood run (traffic shaping, not synchronisation)
		one=$("$NEWIP" -n v shutoff x0a01 --for 60s | sed -n 's/.*answer in \([0-9.]*\) ms.*/\1/p')
		t0=$(now_ms)
		local asks=()
		for i in $(seq 2 "$N"); do
			"$NEWIP" -n v shutoff "$(printf x0a%02x "$i")" --for 60s --no-wait >/dev/null \
				2>>"$NEWIP_RUNDIR/asks.err" &
			asks+=($!)
		done
		wait "${asks[@]}" || true
	fi
	until [ "$("$NEWIP" -n v -j filters | tr -d ' \n' | grep -o '"state":"installed"' | wc -l)" -ge "$N" ]; do
		[ $(($(now_ms) - t0)) -lt 20000 ] || break
		sleep 0.01
	done
	tall=$(($(now_ms) - t0))
	wait "${pids[@]}" 2>/dev/null || true
	kill "$server" 2>/dev/null || true
	local f installed answers still lost=0 sent=0
	f=$("$NEWIP" -n v -j filters)
	installed=$(tr -d ' \n' <<<"$f" | grep -o '"state":"installed"' | wc -l)
	[ ! -s "$NEWIP_RUNDIR/asks.err" ] || { echo "newip shutoff said:"; sort "$NEWIP_RUNDIR/asks.err" | uniq -c; }
	rm -f "$NEWIP_RUNDIR/asks.err"
	"$NEWIP" -n v filters | grep -v -e installed -e 'asked for' || true
	answers=$(jfield answer_ms <<<"$f" | sort -n)
	still=$(jfield hits <<<"$f" | awk '{ s += $1 } END { print s + 0 }')
	for i in $(seq 1 "$L"); do
		lost=$((lost + $(jfield lost <"$NEWIP_RUNDIR/legit$i.json" | head -n 1)))
		sent=$((sent + $(jfield sent <"$NEWIP_RUNDIR/legit$i.json" | head -n 1)))
	done
	local edge=0 e
	for e in $(seq 1 5); do
		edge=$((edge + $("$NEWIP" -n "e$e" -j stats | jfield shut_off)))
	done
	printf '%-22s %s of %s sources shut off in %s ms (from %s)\n' "$2" "$installed" "$N" "$tall" \
		"$([ "$guard" = on ] && echo 'the flood starting' || echo 'the requests')"
	[ "$guard" = on ] || printf '%-22s one request alone: answered in %s ms (filter installed before the answer left)\n' "" "$one"
	printf '%-22s answer per request: median %s ms, max %s ms (victim RTT to a source %s ms)\n' "" \
		"$(awk '{ a[NR] = $1 } END { printf "%.2f", a[int((NR + 1) / 2)] }' <<<"$answers")" \
		"$(tail -n 1 <<<"$answers" | awk '{ printf "%.2f", $1 }')" "$rtt"
	printf '%-22s flood packets reaching v after its filters were acknowledged: %s; dropped at the edges: %s\n' "" "$still" "$edge"
	printf '%-22s legitimate packets lost: %s of %s\n' "" "$lost" "$sent"
	"$NEWIP" lab down "$topo" >/dev/null
}

echo "shutoff_bench: $N sources at 500 packets/s, $L legitimate senders, ${SECS}s, across 3 hops"
run off "victim asks:"
run on "flood guard alone:"
