#!/usr/bin/env bash
# Unmodified IPv6 applications across a gateway path, against the same shape of path built from
# the kernel's own IPv6 routing and from a wireguard-go tunnel (userspace over TUN, as newipd
# is), in one run (issue 9):
#
#   newipd:    h1 -- g1 [TUN, newipd] -- r1 -- r2 -- g2 [newipd, TUN] -- h2   (bench/gateway.yaml)
#   kernel:    h1 -- g1 -- r1 -- r2 -- g2 -- h2, each hop the kernel's IPv6 forwarding
#   wireguard: the kernel path, with g1 and g2 joined by wireguard-go (h1 and h2 use a second
#              pair of prefixes routed into the tunnel)
#
# newipd runs twice: with its TUN devices' TCP offload (the default) and without (offload: off).
# Prints iperf3 TCP throughput (SECS s, one stream), ping RTT (20 pings), and the CPU seconds the
# userspace forwarders (the four newipd; the two wireguard-go) spent, with throughput per CPU
# second. Usage: bench/gateway_bench.sh [BUILD_DIR] (root). SECS=5 by default.
set -euo pipefail
BUILD=$(cd "${1:-build}" && pwd)
SRC=$(cd "$(dirname "$0")/.." && pwd)
SECS=${SECS:-5}
for t in iperf3 ping wireguard-go wg; do
	command -v "$t" >/dev/null || { echo "gateway_bench: needs $t (apt-get install iperf3 iputils-ping wireguard-go wireguard-tools)" >&2; exit 1; }
done
NEWIP_RUNDIR=$(mktemp -d /tmp/nip-bench.XXXXXX)
export NEWIP_RUNDIR
topo=$SRC/bench/gateway.yaml
K=(h1 g1 r1 r2 g2 h2)
cleanup() {
	"$BUILD/newip" lab down "$topo" >/dev/null 2>&1 || true
	for n in "${K[@]}"; do
		ip netns pids "nipk-$n" 2>/dev/null | xargs -r kill -9
		ip netns del "nipk-$n" 2>/dev/null || true
	done
	rm -f /var/run/wireguard/nipwg1.sock /var/run/wireguard/nipwg2.sock
	rm -rf "$NEWIP_RUNDIR"
}
trap cleanup EXIT

# CPU seconds (user + system) of the given PIDs so far.
cpu() { local t=0; for p in "$@"; do t=$((t + $(awk '{ print $14 + $15 }' "/proc/$p/stat"))); done; echo "$t"; }
# measure NS_EXEC_PREFIX... DST PIDS: "Mbit/s rtt_ms cpu_s first_pid_cpu_s"
measure() {
	local -n run=$1
	local dst=$2 pids=("${@:3}") c0 c1 f0 f1 mbps rtt hz
	hz=$(getconf CLK_TCK)
	"${run[@]}" ping -c 3 -i 0.1 -W 2 "$dst" >/dev/null # neighbours resolved, paths warm
	c0=$(cpu "${pids[@]}") f0=$(cpu "${pids[0]}")
	mbps=$("${run[@]}" iperf3 -6 -c "$dst" -t "$SECS" -J | grep -o '"bits_per_second":[[:space:]]*[0-9.e+]*' |
		tail -1 | awk -F: '{ printf "%.0f", $2 / 1e6 }')
	c1=$(cpu "${pids[@]}") f1=$(cpu "${pids[0]}")
	rtt=$("${run[@]}" ping -q -c 20 -i 0.05 "$dst" | awk -F/ '/^rtt/ { print $5 }')
	awk "BEGIN { printf \"%s %s %.2f %.2f\\n\", \"$mbps\", \"$rtt\", ($c1 - $c0) / $hz, ($f1 - $f0) / $hz }"
}

# --- newipd, with the TUN's TCP offload and without -------------------------------------------
# newipd_run TOPOLOGY: "Mbit/s rtt_ms cpu_s g1_cpu_s" (g1: the sending side's gateway)
newipd_run() {
	"$BUILD/newip" lab up "$1" >/dev/null
	"$BUILD/newip" lab exec g2-lan -- iperf3 -s -D
	mapfile -t NPIDS < <(awk '{ print $2 }' "$NEWIP_RUNDIR/labs/gwb/pids")
	NRUN=("$BUILD/newip" lab exec g1-lan --)
	until "$BUILD/newip" lab exec g2-lan -- ss -Hltn 'sport = :5201' | grep -q .; do sleep 0.05; done
	measure NRUN 2001:db8:2::2 "${NPIDS[@]}"
	"$BUILD/newip" lab down "$1" >/dev/null
}
# (command substitution, not < <(...): it waits for the lab to be down before the next one)
out=$(newipd_run "$topo")
read -r n_mbps n_rtt n_cpu n_g1 <<<"$out"
sed 's/lan: \[\(.*\)\]}/lan: [\1], offload: off}/' "$topo" >"$NEWIP_RUNDIR/nooffload.yaml"
out=$(newipd_run "$NEWIP_RUNDIR/nooffload.yaml")
read -r o_mbps o_rtt o_cpu o_g1 <<<"$out"

# --- the kernel's path, and wireguard-go over it -----------------------------------------------
for n in "${K[@]}"; do
	ip netns add "nipk-$n"
	ip -n "nipk-$n" link set lo up
	ip netns exec "nipk-$n" sysctl -qw net.ipv6.conf.all.forwarding=1 net.ipv6.conf.default.accept_dad=0
done
for i in 0 1 2 3 4; do # link i joins K[i] and K[i+1]: fd00:i::1 and ::2
	a=${K[$i]} b=${K[$((i + 1))]}
	ip link add "to-$b" netns "nipk-$a" type veth peer name "to-$a" netns "nipk-$b"
	ip -n "nipk-$a" link set "to-$b" up
	ip -n "nipk-$b" link set "to-$a" up
	ip -n "nipk-$a" addr add "fd00:$i::1/64" dev "to-$b" nodad
	ip -n "nipk-$b" addr add "fd00:$i::2/64" dev "to-$a" nodad
done
# Node i reaches the links on its right through fd00:i::2 (one route for all of fd00::/16) and
# each link left of its own left link through fd00:(i-1)::1; its own links are connected.
for i in 0 1 2 3 4 5; do
	n=${K[$i]}
	if [ "$i" -lt 5 ]; then
		ip -n "nipk-$n" -6 route add fd00::/16 via "fd00:$i::2" metric 100
	fi
	for ((k = 0; k < i - 1; k++)); do
		ip -n "nipk-$n" -6 route add "fd00:$k::/64" via "fd00:$((i - 1))::1"
	done
done
# WireGuard between g1 (fd00:1::1) and g2 (fd00:3::2); h1 2001:db8:a::2, h2 2001:db8:b::2.
# wireguard-go's control socket is /var/run/wireguard/NAME.sock, one file system for every
# namespace: so the two ends get different interface names (nipwg1, nipwg2).
(umask 077 && wg genkey >"$NEWIP_RUNDIR/k1" && wg genkey >"$NEWIP_RUNDIR/k2")
for s in 1 2; do
	ip netns exec "nipk-g$s" wireguard-go "nipwg$s" 2>/dev/null
	ip netns exec "nipk-g$s" wg set "nipwg$s" private-key "$NEWIP_RUNDIR/k$s" listen-port 51820
	ip -n "nipk-g$s" link set "nipwg$s" mtu 1420 up
done
ip netns exec nipk-g1 wg set nipwg1 peer "$(wg pubkey <"$NEWIP_RUNDIR/k2")" \
	endpoint "[fd00:3::2]:51820" allowed-ips 2001:db8:b::/64
ip netns exec nipk-g2 wg set nipwg2 peer "$(wg pubkey <"$NEWIP_RUNDIR/k1")" \
	endpoint "[fd00:1::1]:51820" allowed-ips 2001:db8:a::/64
ip -n nipk-h1 addr add 2001:db8:a::2/64 dev to-g1 nodad
ip -n nipk-g1 addr add 2001:db8:a::1/64 dev to-h1 nodad
ip -n nipk-h2 addr add 2001:db8:b::2/64 dev to-g2 nodad
ip -n nipk-g2 addr add 2001:db8:b::1/64 dev to-h2 nodad
ip -n nipk-h1 -6 route add 2001:db8:b::/64 via 2001:db8:a::1 src 2001:db8:a::2
ip -n nipk-h2 -6 route add 2001:db8:a::/64 via 2001:db8:b::1 src 2001:db8:b::2
ip -n nipk-g1 -6 route add 2001:db8:b::/64 dev nipwg1
ip -n nipk-g2 -6 route add 2001:db8:a::/64 dev nipwg2
ip netns exec nipk-h2 iperf3 -s -D
until ip netns exec nipk-h2 ss -Hltn 'sport = :5201' | grep -q .; do sleep 0.05; done
KRUN=(ip netns exec nipk-h1)
read -r k_mbps k_rtt _ _ < <(measure KRUN fd00:4::2 1)
mapfile -t WPIDS < <(pgrep -f '^wireguard-go nipwg[12]$')
read -r w_mbps w_rtt w_cpu _ < <(measure KRUN 2001:db8:b::2 "${WPIDS[@]}")

per() { awk "BEGIN { c = $2; printf \"%.0f\", (c > 0 ? $1 * $SECS / c : 0) }"; }
printf '%-34s %10s %10s %10s %14s\n' "IPv6, iperf3 TCP, ${SECS} s" "Mbit/s" "RTT ms" "CPU s" "Mbit/s per CPU"
printf '%-34s %10s %10s %10s %14s\n' "kernel IPv6 routing (5 hops)" "$k_mbps" "$k_rtt" "-" "-"
printf '%-34s %10s %10s %10s %14s\n' "wireguard-go tunnel over it" "$w_mbps" "$w_rtt" "$w_cpu" "$(per "$w_mbps" "$w_cpu")"
printf '%-34s %10s %10s %10s %14s\n' "newipd gateways + 2 routers" "$n_mbps" "$n_rtt" "$n_cpu" "$(per "$n_mbps" "$n_cpu")"
printf '%-34s %10s %10s %10s %14s\n' "... the TUN's TCP offload off" "$o_mbps" "$o_rtt" "$o_cpu" "$(per "$o_mbps" "$o_cpu")"
awk -v n="$n_mbps" -v w="$w_mbps" -v k="$k_mbps" -v nc="$n_cpu" -v wc="$w_cpu" 'BEGIN {
	printf "newipd / wireguard-go: %.2f x throughput, %.2f x per CPU second; newipd / kernel: %.2f x\n",
	       n / w, (nc > 0 && wc > 0) ? (n / nc) / (w / wc) : 0, n / k }'
awk -v n="$n_mbps" -v o="$o_mbps" -v ng="$n_g1" -v og="$o_g1" 'BEGIN {
	printf "TUN offload on / off: %.2f x throughput; the sending gateway g1: %.2f against %.2f CPU s, %.2f x Mbit/s per its CPU second\n",
	       n / o, ng, og, (ng > 0 && og > 0) ? (n / ng) / (o / og) : 0 }'
