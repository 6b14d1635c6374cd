#!/usr/bin/env bash
# Deterministic forwarding under load (docs/spec.md §10), three ways on the same dumbbell:
#
#   s1 (bulk, classic) --+                                      
#   s2 (bulk + L4S)  ----+-- r1 ==bottleneck RATE Mbit/s==> r2 -- dst (perf server)
#   s3 (contracts)   ----+
#
#   fifo    newipd paces the bottleneck itself with one FIFO (sched fifo: scheduler off)
#   kernel  newipd unpaced; the kernel shapes r1's veth with HTB at RATE + pfifo 1000
#           (this kernel has no fq_codel or CAKE: its queue is a FIFO)
#   newipd  newipd paces with its scheduler: contract EDF + L4S/Classic dual queue with PI2
#
# Bulk best effort is offered at 95 % and 120 % of the bottleneck (half from s1, half from s2),
# with an L4S flow (ECT(1)) of 5 % from s2 and two contract flows from s3: in-time 2 ms and
# on-time 1..2 ms, 2 Mbit/s each of 200-octet packets. Usage: bench/contract_bench.sh [BUILD]
# (root). RATE=100 (Mbit/s) by default: on 2 shared cores the 12 processes saturate the CPU at
# that rate, so RATE=30 shows the scheduler without the hosts' noise. SECS=10 per run;
# LOADS="95 120"; RT=N runs the routers' data planes at realtime-priority N.
set -euo pipefail
BUILD=$(cd "${1:-build}" && pwd)
SECS=${SECS:-10}
RATE=${RATE:-100} # the bottleneck in Mbit/s; loads, L4S (5 %) scale with it, contracts do not
RT=${RT:-0} # realtime-priority of the routers r1 and r2 (0: normal scheduling)
LOADS=${LOADS:-95 120}
NEWIP=$BUILD/newip
NEWIP_RUNDIR=$(mktemp -d /tmp/nip-cbench.XXXXXX)
export NEWIP_RUNDIR
W=$NEWIP_RUNDIR/work
mkdir -p "$W"
topo=$W/cb.yaml
trap '"$NEWIP" lab down "$topo" >/dev/null 2>&1; rm -rf "$NEWIP_RUNDIR"' EXIT

lab() { # egress options of the bottleneck link, as lab YAML keys
	cat >"$topo" <<YAML
name: cb
nodes:
  s1: {addresses: [x01]}
  s2: {addresses: [x02]}
  s3: {addresses: [x03]}
  r1: {addresses: [x10], config: [realtime-priority $RT]}
  r2: {addresses: [x20], config: [realtime-priority $RT]}
  dst: {addresses: [x0d]}
links:
  - {endpoints: [s1:r, r1:s1], kind: eth}
  - {endpoints: [s2:r, r1:s2], kind: eth}
  - {endpoints: [s3:r, r1:s3], kind: eth}
  - {endpoints: [r1:b, r2:b], kind: eth$1}
  - {endpoints: [r2:d, dst:r], kind: eth}
YAML
	"$NEWIP" lab up "$topo" >/dev/null
}

jv() { sed -n "s/^ *\"$2\": \(-\{0,1\}[0-9.e+-]*\),\{0,1\}\$/\1/p" "$1" 2>/dev/null | head -n 1 | grep . || echo 0; }
f1() { awk -v v="$1" 'BEGIN { printf "%.1f", v }'; }
f3() { awk -v v="$1" 'BEGIN { printf "%.3f", v }'; }
lat() { [ "$(jv "$1" received)" != 0 ] && f1 "$(jv "$1" "$2")" || echo dropped; } # FILE KEY
pct() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b ? 100 * a / b : 0 }'; }

# run ROW LOAD: every flow at once; prints one table row.
run() {
	local row=$1 load=$2 half
	half=$(awk -v l="$load" -v r="$RATE" 'BEGIN { printf "%dk", l * r * 5 }') # kbit/s per bulk sender
	local l4s=$(awk -v r="$RATE" 'BEGIN { printf "%dk", r * 50 }')
	"$NEWIP" -n dst perf -s >"$W/server.log" 2>&1 & local spid=$!
	until grep -q "perf server on" "$W/server.log"; do sleep 0.05; done
	rm -f "$W"/*.json
	"$NEWIP" -n s1 perf x0d --rate "$half" --size 1200 --time "$SECS" --json >"$W/b1.json" 2>>"$W/err" & local p1=$!
	"$NEWIP" -n s2 perf x0d --rate "$half" --size 1200 --time "$SECS" --json >"$W/b2.json" 2>>"$W/err" & local p2=$!
	"$NEWIP" -n s2 perf x0d --rate "$l4s" --size 1200 --ecn l4s --time "$SECS" --json >"$W/l4s.json" 2>>"$W/err" & local p3=$!
	sleep 1 # the queues fill before the contract flows start (a warm-up, not synchronisation)
	"$NEWIP" -n s3 perf x0d --rate 2M --size 200 --time $((SECS - 2)) --deadline 2ms --json >"$W/in.json" 2>>"$W/err" & local p4=$!
	"$NEWIP" -n s3 perf x0d --rate 2M --size 200 --time $((SECS - 2)) --window 1ms..2ms --json >"$W/on.json" 2>>"$W/err" || true
	wait "$p1" "$p2" "$p3" "$p4" || true
	kill "$spid"; wait "$spid" 2>/dev/null || true
	local good
	good=$(awk -v a="$(jv "$W/b1.json" throughput_mbps)" -v b="$(jv "$W/b2.json" throughput_mbps)" 'BEGIN { print a + b }')
	printf '%-5s %-7s | %7s %7s %8s %8s | %8s %8s %8s %8s | %7s %7s | %8s %8s | %8s\n' "$load%" "$row" \
		"$(pct "$(jv "$W/in.json" missed)" "$(jv "$W/in.json" sent)")" \
		"$(pct "$(jv "$W/in.json" net_missed)" "$(jv "$W/in.json" sent)")" \
		"$(lat "$W/in.json" owd_p99_us)" "$(lat "$W/in.json" owd_p999_us)" \
		"$(pct "$(awk -v a="$(jv "$W/on.json" sent)" -v b="$(jv "$W/on.json" missed)" 'BEGIN { print a - b }')" "$(jv "$W/on.json" sent)")" \
		"$(lat "$W/on.json" owd_p50_us)" "$(lat "$W/on.json" owd_p99_us)" "$(lat "$W/on.json" acc_p99_us)" \
		"$(f1 "$(jv "$W/l4s.json" owd_p99_us)")" "$(f1 "$(jv "$W/l4s.json" owd_p999_us)")" \
		"$(f1 "$(jv "$W/b1.json" owd_p99_us)")" "$(f1 "$(jv "$W/b1.json" owd_p999_us)")" "$(f1 "$good")"
}

echo "bottleneck $RATE Mbit/s, $SECS s a run"
printf '%-5s %-7s | %-33s | %-35s | %-15s | %-17s | %s\n' "" "" "in-time 2 ms (us)" "on-time 1-2 ms (us)" \
	"L4S (us)" "bulk classic (us)" "best effort"
printf '%-5s %-7s | %7s %7s %8s %8s | %8s %8s %8s %8s | %7s %7s | %8s %8s | %8s\n' load row "miss %" "net %" p99 \
	p99.9 "in win %" p50 p99 "net p99" p99 p99.9 p99 p99.9 "Mbit/s"
for load in $LOADS; do
	for row in fifo kernel newipd; do
		case $row in
		fifo) lab ", rate: ${RATE}mbit, sched: fifo" ;;
		kernel)
			lab ""
			ip netns exec nip-cb-r1 tc qdisc add dev b root handle 1: htb default 10
			ip netns exec nip-cb-r1 tc class add dev b parent 1: classid 1:10 htb rate ${RATE}mbit quantum 1514
			ip netns exec nip-cb-r1 tc qdisc add dev b parent 1:10 handle 10: pfifo limit 1000 ;;
		newipd) lab ", rate: ${RATE}mbit" ;;
		esac
		run "$row" "$load"
		[ "$row" = newipd ] && "$NEWIP" -n r1 link | sed -n '/^b:/,/^[a-z0-9]*:/p' | grep -E '^    (contract|l4s|classic)' | sed "s/^/      r1 $load%: /"
		"$NEWIP" lab down "$topo" >/dev/null
	done
done
[ -s "$W/err" ] && { echo "errors from newip perf:"; sort -u "$W/err"; }
echo "(miss = lost or late against the deadline as the receiver measured it; net = lost, or late by"
echo " the network's own Accumulated Latency, without the hosts' scheduling delays;"
echo " dropped = every packet was dropped in the network as already late (spec §10.2);"
echo " in win = delivered inside [1 ms, 2 ms]; net p99 = the network's own Accumulated Latency;"
echo " latencies are one-way, measured by newip perf; best effort = goodput of the two bulk flows)"
