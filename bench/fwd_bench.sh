#!/usr/bin/env bash
# Forwarding rate of one newipd on one core against the Linux kernel's IPv6 forwarding, in the
# same namespaces, over the same veths, in the same run (bench/fwd.yaml):
#
#   gen --veth-- dut --veth-- sink        CPU 1: everything dut does (RPS steers its receive
#                                         work there; newipd is pinned there)
#                                         CPU 0: the generator and the sink
#
# Table 1, udp links (bench/fwd.yaml): gen sends New IP (44-octet header) + UDP over the UDP
# overlay; dut's newipd forwards. kernel: gen sends plain IPv6/UDP to sink's address; dut's
# kernel routes it (forwarding=1).
# Table 1b, the same links with gen sending runs of datagrams (UDP GSO): newipd with UDP GRO
# and GSO against the kernel, and against newipd with 'offload off'.
# Table 2, eth links (bench/fwd_eth.yaml): gen sends Ethernet frames from a packet socket
# (blast ethsend) to dut: New IP on EtherType 0x88B5, forwarded by newipd on its packet socket
# and then on AF_XDP (xdp on), and IPv6 + UDP forwarded by dut's kernel; the sink's interface
# counts what dut delivered (its receive counter, over a window after a warm-up second).
# Table 3, workers (bench/fwd.yaml with 'workers W' and 'ports 16'): gen's senders send 64
# flows each from several ports over the udp link; dut runs W workers on W CPUs of its own;
# pkt/s at the sinks against W = 1 and against the kernel forwarding on the same W CPUs, and
# each worker's share of what dut forwarded (the CPU split: workers_table).
# Usage: bench/fwd_bench.sh [BUILD_DIR] [udp|eth|workers|all] (root). SECS=5 by default.
set -euo pipefail
BUILD=$(cd "${1:-build}" && pwd)
TABLES=${2:-all}
SRC=$(cd "$(dirname "$0")/.." && pwd)
SECS=${SECS:-5}
NEWIP_RUNDIR=$(mktemp -d /tmp/nip-bench.XXXXXX)
export NEWIP_RUNDIR
topo=$SRC/bench/fwd.yaml
etopo=$SRC/bench/fwd_eth.yaml
trap '"$BUILD/newip" lab down "$topo" >/dev/null 2>&1; "$BUILD/newip" lab down "$etopo" \
	>/dev/null 2>&1; rm -rf "$NEWIP_RUNDIR"' EXIT
ns() { ip netns exec "nip-fwd-$1" "${@:2}"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b ? a / b : 0 }'; }
case $TABLES in udp | eth | workers | all) ;; *) echo "usage: $0 [BUILD_DIR] [udp|eth|workers|all]" >&2; exit 2 ;; esac
udp_table() {
declare -A plain # newipd's pkt/s by payload, gen sending datagram by datagram
"$BUILD/newip" lab up "$topo" >/dev/null
setup() {
	local dut_pid
	dut_pid=$(awk '$1 == "dut" { print $2 }' "$NEWIP_RUNDIR/labs/fwd/pids")
	taskset -pc 1 "$dut_pid" >/dev/null
	ns dut sh -c 'echo 2 > /sys/class/net/g/queues/rx-0/rps_cpus'
	ns sink sh -c 'echo 1 > /sys/class/net/u0/queues/rx-0/rps_cpus'
	# The kernel path: routes across dut, forwarding on in dut only.
	ns dut sysctl -qw net.ipv6.conf.all.forwarding=1
	ip -n nip-fwd-gen -6 route add fd00:2::/64 via fd00:1::2
	ip -n nip-fwd-sink -6 route add fd00:1::/64 via fd00:2::1
}
setup

# run SINK_ADDR SEND_ARGS...: prints the sink's packets/s
run() {
	local sink=$1 out=$NEWIP_RUNDIR/sink.out
	shift
	ns sink env ${SINK_ENV:-} taskset -c 0 "$BUILD/blast" sink "$sink" "$SECS" >"$out" &
	local spid=$!
	until grep -q ready "$out" 2>/dev/null; do sleep 0.05; done
	ns gen env ${GEN_ENV:-} taskset -c 0 "$BUILD/blast" send "$@" >/dev/null
	wait "$spid"
	sed -n 's/.*s: \([0-9]*\) packets\/s.*/\1/p' "$out"
}

# A variant of dut, run between the others' runs in the same session: the topology with one
# link line changed (sed expression), the same traffic; prints packets/s.
variant_row() {
	local expr=$1 payload=$2
	"$BUILD/newip" lab down "$topo" >/dev/null
	sed "$expr" "$topo" >"$NEWIP_RUNDIR/fwd-variant.yaml"
	"$BUILD/newip" lab up "$NEWIP_RUNDIR/fwd-variant.yaml" >/dev/null
	setup
	run '[fd00:2::2]:6464' '[fd00:1::1]:6464' '[fd00:1::2]:6464' "$SECS" "$payload" \
		newip 2001:db8:5::1 2001:db8:6::1
	"$BUILD/newip" lab down "$NEWIP_RUNDIR/fwd-variant.yaml" >/dev/null
	"$BUILD/newip" lab up "$topo" >/dev/null
	setup
}
# +sched: the link to sink paced at 10 Gbit/s, far above what one core forwards, so the figure
# is the cost of scheduling, not of shaping (docs/spec.md §10).
sched_row() {
	variant_row 's/{endpoints: \[dut:s, sink:u0\], kind: udp, underlay: ipv6, mtu: 2000}/{endpoints: [dut:s, sink:u0], kind: udp, underlay: ipv6, mtu: 2000, rate: 10gbit}/' "$1"
}
# +srccheck: gen's link source-checked (docs/spec.md §11): every packet's source bound to the
# link (the SAVI path: gen has no key) and its digest cached for shut-off. Tag verification
# itself is measured by build/guard_bench.
srccheck_row() {
	variant_row 's/{endpoints: \[gen:u0, dut:g\], kind: udp, underlay: ipv6, mtu: 2000}/{endpoints: [gen:u0, dut:g], kind: udp, underlay: ipv6, mtu: 2000, source-check: dut}/' "$1"
}

# +keyed: both links keyed (docs/spec.md §1.1): gen and sink speak the frames themselves
# (bench/blast.c), so dut checks a tag on every packet it receives and makes one for every
# packet it sends; 32 octets more a packet on the wire.
keyed_row() {
	local payload=$1 y=$NEWIP_RUNDIR/fwd-keyed.yaml keys=$NEWIP_RUNDIR/labs/fwd dut
	"$BUILD/newip" lab down "$topo" >/dev/null
	sed -e 's/{daemon: false}/{daemon: false, key: auto}/' -e 's/^  dut:$/&\n    key: auto/' \
		-e 's/mtu: 2000}/mtu: 2000, keyed: true}/' "$topo" >"$y"
	"$BUILD/newip" lab up "$y" >/dev/null
	setup
	dut=$("$BUILD/newip" key show "$keys/dut.key" | awk '/^public-key/ { print $2 }')
	GEN_ENV="BLAST_KEY=$keys/gen.key BLAST_PEER_KEY=$dut" \
	SINK_ENV="BLAST_KEY=$keys/sink.key BLAST_PEER_KEY=$dut" \
		run '[fd00:2::2]:6464' '[fd00:1::1]:6464' '[fd00:1::2]:6464' "$SECS" "$payload" \
		newip 2001:db8:5::1 2001:db8:6::1
	"$BUILD/newip" lab down "$y" >/dev/null
	"$BUILD/newip" lab up "$topo" >/dev/null
	setup
}

printf '%-10s %14s %14s %8s %16s %8s %16s %8s %14s %8s\n' payload "newipd pkt/s" "kernel pkt/s" ratio \
	"+sched pkt/s" "sched/no" "+srccheck pkt/s" "chk/no" "+keyed pkt/s" "key/no"
for payload in 64 1400; do
	nip=$(run '[fd00:2::2]:6464' '[fd00:1::1]:6464' '[fd00:1::2]:6464' "$SECS" "$payload" \
		newip 2001:db8:5::1 2001:db8:6::1)
	krn=$(run '[fd00:2::2]:9000' '[fd00:1::1]:9001' '[fd00:2::2]:9000' "$SECS" "$payload")
	sch=$(sched_row "$payload")
	chk=$(srccheck_row "$payload")
	key=$(keyed_row "$payload")
	plain[$payload]=$nip
	printf '%-10s %14s %14s %8s %16s %8s %16s %8s %14s %8s\n' "$payload B" "$nip" "$krn" \
		"$(ratio "$nip" "$krn")" "$sch" "$(ratio "$sch" "$nip")" "$chk" "$(ratio "$chk" "$nip")" \
		"$key" "$(ratio "$key" "$nip")"
done
echo "(ratio = newipd / kernel, same core budget;"
echo " +sched = newipd with its link to sink paced at 10 Gbit/s through the scheduler;"
echo " +srccheck = gen's link source-checked: first-come binding and the shut-off digest cache;"
echo " +keyed = both links keyed (spec §1.1): a Poly1305 tag checked and made per packet, 32 octets"
echo "   more each; a keepalive is 32 octets of UDP payload, a handshake 96 + 60)"

# The same with gen sending runs: each message one UDP_SEGMENT send of 64 datagrams (at most
# 60000 octets), as a newipd neighbour sends equal-size bursts. The kernel forwards a run
# whole; newipd reads it whole with UDP GRO and sends it on as runs (GSO), or, with 'offload
# off' on both links, reads and sends datagram by datagram.
echo
printf '%-10s %14s %14s %8s %18s %14s\n' payload "newipd pkt/s" "kernel pkt/s" ratio \
	"offload off pkt/s" "vs datagrams"
for payload in 64 1400; do
	nip=$(GEN_ENV=BLAST_GSO=64 run '[fd00:2::2]:6464' '[fd00:1::1]:6464' '[fd00:1::2]:6464' \
		"$SECS" "$payload" newip 2001:db8:5::1 2001:db8:6::1)
	krn=$(GEN_ENV=BLAST_GSO=64 run '[fd00:2::2]:9000' '[fd00:1::1]:9001' '[fd00:2::2]:9000' \
		"$SECS" "$payload")
	off=$(GEN_ENV=BLAST_GSO=64 variant_row 's/mtu: 2000}/mtu: 2000, offload: off}/g' "$payload")
	printf '%-10s %14s %14s %8s %18s %14s\n' "$payload B" "$nip" "$krn" "$(ratio "$nip" "$krn")" \
		"$off" "$(ratio "$nip" "${plain[$payload]:-0}")"
done
echo "(gen sends runs of up to 64 datagrams, 60000 octets a run (BLAST_GSO=64); newipd: UDP GRO"
echo " on receive, GSO on send (the default, newipd.conf(5) offload); offload off: neither, so"
echo " CPU 1's softirq cuts every run for a socket that overflows, and newipd barely runs"
echo " (receive livelock); vs datagrams = newipd here / newipd in the table above, where gen"
echo " sends datagram by datagram)"
"$BUILD/newip" lab down "$topo" >/dev/null
}

# --- Table 2: eth links ---------------------------------------------------------------------
ens() { ip netns exec "nip-fwde-$1" "${@:2}"; }
mac() { ens "$1" cat "/sys/class/net/$2/address"; }
rx_packets() { ens sink cat /sys/class/net/u0/statistics/rx_packets; }

# cpu1: CPU 1's busy and total jiffies ("BUSY TOTAL"), from /proc/stat.
cpu1() { awk '$1 == "cpu1" { t = 0; for (i = 2; i <= 9; i++) t += $i; print t - $5 - $6, t }' /proc/stat; }

# eth_setup [xdp]: dut's CPU budget as in table 1: newipd and the receive work of its link from
# gen on CPU 1 (RPS; on AF_XDP the veth's NAPI, made a thread). The sink drops every frame in
# XDP (bench/xdp_drop.bpf.c), in a NAPI thread on CPU 0: receiving costs dut the same whatever
# it forwards. The kernel path's addresses, and a permanent neighbour fd00:2::99 at the sink's
# MAC for it to forward to.
eth_setup() {
	local pid n=0
	pid=$(awk '$1 == "dut" { print $2 }' "$NEWIP_RUNDIR/labs/fwde/pids")
	taskset -pc 1 "$pid" >/dev/null
	ens dut sh -c 'echo 2 > /sys/class/net/g/queues/rx-0/rps_cpus'
	if [ "${1:-}" = xdp ]; then
		ens dut sh -c 'echo 1 > /sys/class/net/g/threaded'
		for k in $(pgrep '^napi/g-'); do
			taskset -pc 1 "$k" >/dev/null
			n=$((n + 1))
		done
		[ "$n" -gt 0 ] || { echo "fwd_bench: no NAPI thread for dut's g" >&2; exit 1; }
	fi
	ens sink ip link set dev u0 xdp obj "$BUILD/xdp_drop.bpf.o" sec xdp
	ens sink sh -c 'echo 1 > /sys/class/net/u0/threaded'
	for k in $(pgrep '^napi/u0-'); do
		taskset -pc 0 "$k" >/dev/null && chrt -f -p 50 "$k"
	done
	ens gen ip addr add fd00:1::1/64 dev u0 nodad
	ens dut ip addr add fd00:1::2/64 dev g nodad
	ens dut ip addr add fd00:2::1/64 dev s nodad
	ens sink ip addr add fd00:2::2/64 dev u0 nodad
	ens dut sysctl -qw net.ipv6.conf.all.forwarding=1
	ens dut ip -6 neigh replace fd00:2::99 lladdr "$(mac sink u0)" dev s nud permanent
}

# eth_row PATH PAYLOAD newip|ipv6 DST SRC: prints "PATH PKT/S BUSY% US/PKT CAPACITY OFFERED".
# The generator runs on CPU 0 for SECS + 3 s; the window of SECS s opens a second after the
# first frame reaches the sink. CPU 1 holds everything dut does, so its busy time over the
# window divided by the packets delivered is dut's cost per packet, and packets/s divided by
# the busy fraction its capacity (an estimate when the generator cannot load CPU 1 fully).
eth_row() {
	local path=$1 out=$NEWIP_RUNDIR/ethsend.out gpid c0 c1 c2 t1 t2 b1 b2 tries=0
	shift
	c0=$(rx_packets)
	ens gen taskset -c 0 "$BUILD/blast" ethsend u0 "$(mac dut g)" $((SECS + 3)) "$@" >"$out" &
	gpid=$!
	until [ "$(rx_packets)" -gt "$c0" ]; do
		tries=$((tries + 1))
		[ "$tries" -lt 100 ] || { echo "fwd_bench: nothing reached the sink ($path)" >&2; exit 1; }
		sleep 0.05
	done
	sleep 1
	t1=$(date +%s.%N) c1=$(rx_packets) b1=$(cpu1)
	sleep "$SECS"
	t2=$(date +%s.%N) c2=$(rx_packets) b2=$(cpu1)
	kill -0 "$gpid" 2>/dev/null || { echo "fwd_bench: the generator stopped early" >&2; exit 1; }
	wait "$gpid"
	awk -v p="$path" -v c1="$c1" -v c2="$c2" -v t1="$t1" -v t2="$t2" -v b1="$b1" -v b2="$b2" \
		-v hz="$(getconf CLK_TCK)" -v o="$(sed -n 's/.*(\([0-9]*\)\/s).*/\1/p' "$out")" '
	BEGIN {
		split(b1, x, " "); split(b2, y, " ")
		pps = (c2 - c1) / (t2 - t1); busy = (y[1] - x[1]) / (y[2] - x[2])
		us = (pps > 0) ? busy * (t2 - t1) * 1e6 / (c2 - c1) : 0
		printf "%s %.0f %.0f %.2f %.0f %s\n", p, pps, busy * 100, us, (busy > 0) ? pps / busy : 0, o
	}'
}

eth_table() {
	local xdp=$NEWIP_RUNDIR/fwd-eth-xdp.yaml k
	sed 's/xdp off/xdp on/' "$etopo" >"$xdp"
	printf '%-8s %-14s %12s %9s %10s %14s %9s %14s\n' payload path "pkt/s" "CPU1 busy" \
		"us/pkt" "capacity pkt/s" "vs kernel" "offered pkt/s"
	for payload in 64 1400; do
		"$BUILD/newip" lab up "$etopo" >/dev/null
		eth_setup
		rows=("$(eth_row kernel "$payload" ipv6 fd00:2::99 fd00:1::1)")
		rows+=("$(eth_row packet "$payload" newip 2001:db8:5::1 2001:db8:6::1)")
		"$BUILD/newip" lab down "$etopo" >/dev/null
		"$BUILD/newip" lab up "$xdp" >/dev/null
		eth_setup xdp
		rows+=("$(eth_row AF_XDP "$payload" newip 2001:db8:5::1 2001:db8:6::1)")
		"$BUILD/newip" lab down "$xdp" >/dev/null
		k=$(echo "${rows[0]}" | awk '{ print $5 }')
		for r in "${rows[@]}"; do
			echo "$r" | awk -v pl="$payload B" -v k="$k" '{
				printf "%-8s %-14s %12s %8s%% %10s %14s %9.2f %14s\n", pl, $1, $2, $3, $4,
					$5, k ? $5 / k : 0, $6 }'
		done
	done
	echo "(eth links; dut's whole work on CPU 1: kernel = its IPv6 forwarding of IPv6 + UDP of"
	echo " the same payload, packet = newipd on a packet socket (AF_PACKET), AF_XDP = newipd with"
	echo " xdp on (copy mode on veth, the veth's NAPI threaded on CPU 1); gen (blast ethsend, a"
	echo " packet socket) and the sink's kernel on CPU 0. us/pkt = CPU 1 busy time / packets"
	echo " delivered; capacity = pkt/s / CPU 1 busy fraction; vs kernel = capacity ratio)"
}

# --- Table 3: workers -----------------------------------------------------------------------
# The machine split three ways: gen's senders, the sinks, and dut's CPUs (with 8 CPUs or more:
# a quarter, a quarter, the rest; with fewer: gen and sink share CPU 0, dut has the rest). Every
# sender sends 64 flows (Flow Labels) from 4 ports (BLAST_PORTS), so the outer 4-tuples are
# many; dut's links have 'ports 16' (spec §1.2), so what it sends is many 4-tuples too. The
# veths have a queue for each CPU at their receiving end (lab 'queues', as RSS would), with
# threaded NAPI (GRO on, /sys/class/net/*/threaded): the receive work of dut's W queues runs in
# W kernel threads on dut's W CPUs, scheduled beside the workers, not in softirq above them
# (where a flood starves any user-space reader: receive livelock). The kernel row: the same
# senders send plain IPv6/UDP that dut's kernel forwards, in the same threads on the same CPUs.
workers_table() {
	local y=$NEWIP_RUNDIR/fwd-workers.yaml out=$NEWIP_RUNDIR/sink ncpu g gcpus scpus first \
		maxw w pid base=0 kbase=0 offered koffered
	command -v ethtool >/dev/null || { echo "fwd_bench workers: needs ethtool (apt-get install ethtool)" >&2; exit 1; }
	ncpu=$(nproc)
	[ "$ncpu" -le 32 ] || ncpu=32
	if [ "$ncpu" -ge 8 ]; then
		g=$((ncpu / 4)) first=$((2 * (ncpu / 4)))
		gcpus=0-$((g - 1)) scpus=$g-$((2 * g - 1))
	else
		g=1 first=1 gcpus=0 scpus=0
	fi
	maxw=$((ncpu - first))
	local ws=() k
	for ((k = 1; k < maxw; k *= 2)); do ws+=("$k"); done
	ws+=("$maxw")
	traffic() { # DST SRC_PORT SEND_ARGS...: pkt/s at the sinks together, then offered
		local dst=$1 sport=$2 i spids=() sum=0 sent=0
		shift 2
		for ((i = 0; i < g; i++)); do
			ns sink taskset -c "$scpus" "$BUILD/blast" sink "$dst" "$SECS" >"$out.$i" &
			spids+=($!)
		done
		for ((i = 0; i < g; i++)); do
			until grep -q ready "$out.$i" 2>/dev/null; do sleep 0.05; done
		done
		for ((i = 0; i < g; i++)); do
			ns gen env BLAST_FLOWS=64 BLAST_PORTS=4 taskset -c "$(( ${gcpus%-*} + i ))" \
				"$BUILD/blast" send "[fd00:1::1]:$((sport + 4 * i))" "$@" >"$out.g$i" &
		done
		wait
		for ((i = 0; i < g; i++)); do
			sum=$((sum + $(sed -n 's/.*s: \([0-9]*\) packets\/s.*/\1/p' "$out.$i")))
			sent=$((sent + $(sed -n 's/.* s (\([0-9]*\)\/s).*/\1/p' "$out.g$i")))
		done
		echo "$sum $sent"
	}
	napi() { # NODE DEV CPUS: the device's receive queues in NAPI threads on CPUS, no RPS
		ns "$1" ethtool -K "$2" gro on
		ns "$1" sh -c "echo 1 > /sys/class/net/$2/threaded"
		ns "$1" sh -c "for r in /sys/class/net/$2/queues/rx-*; do echo 0 > \$r/rps_cpus; done"
		for k in $(pgrep "^napi/$2-"); do taskset -pc "$3" "$k" >/dev/null; done
	}
	printf '%-8s %-8s %12s %8s %12s %8s %8s %13s  %s\n' workers "dut CPUs" "newipd pkt/s" \
		"vs W=1" "kernel pkt/s" "vs W=1" "nip/krn" "offered pkt/s" "forwarded by worker 0, 1, ..."
	for w in "${ws[@]}"; do
		local cpus=$first-$((first + w - 1)) nip krn shares r
		sed -e "s/workers 1\]/workers $w]/" \
			-e "s/\(\[gen:u0, dut:g\].*mtu: 2000\)}/\1, ports: 16, queues: $w}/" \
			-e "s/\(\[dut:s, sink:u0\].*mtu: 2000\)}/\1, ports: 16, queues: $g}/" "$topo" >"$y"
		"$BUILD/newip" lab up "$y" >/dev/null
		pid=$(awk '$1 == "dut" { print $2 }' "$NEWIP_RUNDIR/labs/fwd/pids")
		taskset -apc "$cpus" "$pid" >/dev/null
		napi dut g "$cpus"
		napi sink u0 "$scpus"
		ns dut sysctl -qw net.ipv6.conf.all.forwarding=1
		ip -n nip-fwd-gen -6 route add fd00:2::/64 via fd00:1::2
		ip -n nip-fwd-sink -6 route add fd00:1::/64 via fd00:2::1
		r=$(traffic '[fd00:2::2]:6464' 6464 '[fd00:1::2]:6464' "$SECS" 64 newip \
			2001:db8:5::1 2001:db8:6::1)
		nip=${r% *} offered=${r#* }
		shares=$("$BUILD/newip" -n dut -j stats | python3 -c "import json, sys
print(', '.join(str(x['forwarded']) for x in json.load(sys.stdin)['workers']))")
		r=$(traffic '[fd00:2::2]:9000' 9001 '[fd00:2::2]:9000' "$SECS" 64)
		krn=${r% *} koffered=${r#* }
		[ "$w" -gt 1 ] || base=$nip kbase=$krn
		printf '%-8s %-8s %12s %8s %12s %8s %8s %13s  %s\n' "$w" "$cpus" "$nip" \
			"$(ratio "$nip" "$base")" "$krn" "$(ratio "$krn" "$kbase")" "$(ratio "$nip" "$krn")" \
			"$offered/$koffered" "$shares"
		"$BUILD/newip" lab down "$y" >/dev/null
	done
	echo "(64-octet payloads over udp links; gen: $g sender(s) on CPUs $gcpus, each 64 flows from 4"
	echo " ports; sink: $g receiver(s) sharing a port on CPUs $scpus, its veth's $g queues' NAPI"
	echo " threads there too; dut: W workers, and W receive queues' NAPI threads, on the CPUs"
	echo " shown, its links with 'ports 16'; kernel = IPv6 forwarding on the same CPUs and queues;"
	echo " offered = what the senders sent, newipd's run/the kernel's: a row whose figures near it"
	echo " measures the traffic tools, not dut)"
}

case $TABLES in
udp) udp_table ;;
eth) eth_table ;;
workers) workers_table ;;
all) udp_table; echo; eth_table; echo; workers_table ;;
esac
