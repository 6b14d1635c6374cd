#!/usr/bin/env bash
# Forwarding rate of one newipd on one core against the Linux kernel's IPv6 forwarding, in the
# same namespaces, over the same veths, in the same run (bench/fwd.yaml):
#
#   gen --veth-- dut --veth-- sink        CPU 1: everything dut does (RPS steers its receive
#                                         work there; newipd is pinned there)
#                                         CPU 0: the generator and the sink
#
# newipd: gen sends New IP (44-octet header) + UDP over the UDP overlay; dut's newipd forwards.
# kernel: gen sends plain IPv6/UDP to sink's address; dut's kernel routes it (forwarding=1).
# Usage: bench/fwd_bench.sh [BUILD_DIR] (root). SECS=5 by default.
set -euo pipefail
BUILD=$(cd "${1:-build}" && pwd)
SRC=$(cd "$(dirname "$0")/.." && pwd)
SECS=${SECS:-5}
NEWIP_RUNDIR=$(mktemp -d /tmp/nip-bench.XXXXXX)
export NEWIP_RUNDIR
topo=$SRC/bench/fwd.yaml
trap '"$BUILD/newip" lab down "$topo" >/dev/null 2>&1; rm -rf "$NEWIP_RUNDIR"' EXIT

"$BUILD/newip" lab up "$topo" >/dev/null
ns() { ip netns exec "nip-fwd-$1" "${@:2}"; }
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

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b ? a / b : 0 }'; }
printf '%-10s %14s %14s %8s %16s %8s %16s %8s %14s %8s\n' payload "newipd pkt/s" "kernel pkt/s" ratio \
	"+sched pkt/s" "sched/no" "+srccheck pkt/s" "chk/no" "+keyed pkt/s" "key/no"
for payload in 64 1400; do
	nip=$(run '[fd00:2::2]:6464' '[fd00:1::1]:6464' '[fd00:1::2]:6464' "$SECS" "$payload" \
		newip 2001:db8:5::1 2001:db8:6::1)
	krn=$(run '[fd00:2::2]:9000' '[fd00:1::1]:9001' '[fd00:2::2]:9000' "$SECS" "$payload")
	sch=$(sched_row "$payload")
	chk=$(srccheck_row "$payload")
	key=$(keyed_row "$payload")
	printf '%-10s %14s %14s %8s %16s %8s %16s %8s %14s %8s\n' "$payload B" "$nip" "$krn" \
		"$(ratio "$nip" "$krn")" "$sch" "$(ratio "$sch" "$nip")" "$chk" "$(ratio "$chk" "$nip")" \
		"$key" "$(ratio "$key" "$nip")"
done
echo "(ratio = newipd / kernel, same core budget;"
echo " +sched = newipd with its link to sink paced at 10 Gbit/s through the scheduler;"
echo " +srccheck = gen's link source-checked: first-come binding and the shut-off digest cache;"
echo " +keyed = both links keyed (spec §1.1): a Poly1305 tag checked and made per packet, 32 octets"
echo "   more each; a keepalive is 32 octets of UDP payload, a handshake 96 + 60)"
