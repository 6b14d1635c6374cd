#!/usr/bin/env bash
# The mapping path (docs/spec.md §12.4) against TAYGA, Debian's stateless NAT64 over TUN, on the
# same three namespaces, in one run (issue 9):
#
#   c (IPv6 only) -- t [kernel; TAYGA on TUN nat64; newipd on TUN nip0] -- s
#
#   kernel:  c -> 2001:db8:2::2       IPv6 forwarded by t's kernel, no translation (the baseline)
#   TAYGA:   c -> 2001:db8:64::a40:2  IPv6 -> IPv4 by TAYGA (prefix 2001:db8:64::/96, c mapped
#                                     statically to 192.168.254.2), to s's IPv4 10.64.0.2
#   newipd:  c -> 2001:db8:ee::1      IPv6 -> New IP by newipd's map x0c00/8 2001:db8:ee::/104,
#                                     to s's New IP address x0c01 over an Ethernet link
#
# s has all three addresses on one veth; its newipd (the New IP host) answers pings. Figures:
#  - added latency: ping -6 RTT (50 pings) less the kernel path's. The newipd path's far end is
#    s's newipd (a New IP-only host answers in user space), TAYGA's is s's kernel: so the RTT
#    from t's newipd to s's (no translation) is printed beside them;
#  - throughput: `blast` pushes UDP datagrams from c for SECS s at each target; delivered = frames
#    arriving at s's veth (rx_packets), while s's newipd is stopped (SIGSTOP) so the receiver
#    costs the same on every path; CPU seconds of the translator process, and delivered
#    datagrams per translator CPU second.
# Usage: bench/map_bench.sh [BUILD_DIR] (root). SECS=5, SIZES="64 1200" by default.
set -euo pipefail
BUILD=$(cd "${1:-build}" && pwd)
SECS=${SECS:-5}
SIZES=${SIZES:-64 1200}
for t in tayga ping; do
	command -v "$t" >/dev/null || { echo "map_bench: needs $t (apt-get install tayga iputils-ping)" >&2; exit 1; }
done
DIR=$(mktemp -d /tmp/nip-mapbench.XXXXXX)
export NEWIP_RUNDIR=$DIR/run
NS=(c t s)
cleanup() {
	for n in "${NS[@]}"; do
		ip netns pids "nipm-$n" 2>/dev/null | xargs -r kill -CONT 2>/dev/null || true
		ip netns pids "nipm-$n" 2>/dev/null | xargs -r kill -9 2>/dev/null || true
		ip netns del "nipm-$n" 2>/dev/null || true
	done
	rm -rf "$DIR"
}
trap cleanup EXIT
x() { local n=$1; shift; ip netns exec "nipm-$n" "$@"; }

for n in "${NS[@]}"; do
	ip netns add "nipm-$n"
	ip -n "nipm-$n" link set lo up
	x "$n" sysctl -qw net.ipv6.conf.all.forwarding=1 net.ipv4.ip_forward=1 \
		net.ipv6.conf.default.accept_dad=0
done
ip link add to-t netns nipm-c type veth peer name to-c netns nipm-t
ip link add to-s netns nipm-t type veth peer name to-t netns nipm-s
for l in c:to-t t:to-c t:to-s s:to-t; do ip -n "nipm-${l%%:*}" link set "${l#*:}" up; done
ip -n nipm-c addr add 2001:db8:1::2/64 dev to-t nodad
ip -n nipm-t addr add 2001:db8:1::1/64 dev to-c nodad
ip -n nipm-t addr add 2001:db8:2::1/64 dev to-s nodad
ip -n nipm-t addr add 10.64.0.1/24 dev to-s
ip -n nipm-s addr add 2001:db8:2::2/64 dev to-t nodad
ip -n nipm-s addr add 10.64.0.2/24 dev to-t
ip -n nipm-c -6 route add default via 2001:db8:1::1
ip -n nipm-s -6 route add default via 2001:db8:2::1
ip -n nipm-s -4 route add default via 10.64.0.1

# TAYGA on t: stateless, the client mapped statically (no dynamic pool).
mkdir -p "$DIR/tayga"
cat >"$DIR/tayga.conf" <<EOF
tun-device nat64
ipv4-addr 192.168.255.1
prefix 2001:db8:64::/96
data-dir $DIR/tayga
map 192.168.254.2 2001:db8:1::2
EOF
x t tayga -c "$DIR/tayga.conf" --mktun >/dev/null
ip -n nipm-t link set nat64 up
ip -n nipm-t route add 192.168.254.0/23 dev nat64
ip -n nipm-t route add 2001:db8:64::/96 dev nat64
x t tayga -c "$DIR/tayga.conf" --pidfile "$DIR/tayga.pid"
TPID=$(cat "$DIR/tayga.pid")

# newipd on t (the gateway) and s (the New IP host). A long dead interval: s's newipd is
# stopped during the throughput runs, and t must keep its route.
cat >"$DIR/t.conf" <<EOF
node t
rundir $NEWIP_RUNDIR
address x0d01
address 2001:db8:ff::1
link s eth dev to-s
gateway tun nip0
route 2001:db8:1::/64 via nip0
map x0c00/8 2001:db8:ee::/104
dead-interval 60000
hello-interval 1000
EOF
cat >"$DIR/s.conf" <<EOF
node s
rundir $NEWIP_RUNDIR
address x0c01
link t eth dev to-t
dead-interval 60000
hello-interval 1000
EOF
x t "$BUILD/newipd" -c "$DIR/t.conf" >"$DIR/t.log" 2>&1 &
x s "$BUILD/newipd" -c "$DIR/s.conf" >"$DIR/s.log" 2>&1 &
until ip -n nipm-t link show nip0 >/dev/null 2>&1; do sleep 0.05; done
NT=$(pgrep -f "newipd -c $DIR/t.conf")
NS_PID=$(pgrep -f "newipd -c $DIR/s.conf")
ip -n nipm-t route add 2001:db8:ee::/104 dev nip0
for i in $(seq 200); do "$BUILD/newip" -n t route 2>/dev/null | grep -q '^x0c01' && break; sleep 0.05; done
"$BUILD/newip" -n t route | grep -q '^x0c01' || { echo "map_bench: t never learned x0c01" >&2; exit 1; }

cpu() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
rtt() { x c ping -6 -q -c 3 -i 0.05 -W 2 "$1" >/dev/null; x c ping -6 -q -c 50 -i 0.02 "$1" | awk -F/ '/^rtt/ { print $5 }'; }
# blast DST SIZE PID: "sent/s delivered/s cpu_s"
blast() {
	local r0 r1 c0 c1 out
	r0=$(x s cat /sys/class/net/to-t/statistics/rx_packets)
	c0=$([ "$3" = - ] && echo 0 || cpu "$3")
	out=$(x c "$BUILD/blast" send "[2001:db8:1::2]:5000" "[$1]:7000" "$SECS" "$2")
	x c ping -6 -q -c 1 -W 1 "$1" >/dev/null 2>&1 || true # the queues have drained
	r1=$(x s cat /sys/class/net/to-t/statistics/rx_packets)
	c1=$([ "$3" = - ] && echo 0 || cpu "$3")
	awk -v o="$out" -v d=$((r1 - r0)) -v s="$SECS" -v c=$((c1 - c0)) -v hz="$(getconf CLK_TCK)" 'BEGIN {
		split(o, w, " "); printf "%.0f %.0f %.2f\n", w[2] / s, d / s, c / hz }'
}

K_RTT=$(rtt 2001:db8:2::2)
T_RTT=$(rtt 2001:db8:64::a40:2)
N_RTT=$(rtt 2001:db8:ee::1)
# How long the New IP host itself takes, seen from the gateway's newipd (no translation).
H_RTT=$("$BUILD/newip" -n t ping -q -c 50 -i 0.02 x0c01 | awk -F/ '/^rtt/ { print $5 }')
kill -STOP "$NS_PID"
printf 'IPv6 client -> one translator -> server; ping -6 RTT (50) and UDP blast (%s s)\n' "$SECS"
printf '%-24s %8s %10s %12s %12s %8s %8s %14s\n' "path" "RTT ms" "added ms" "payload" "sent/s" \
	"deliv./s" "CPU s" "deliv./CPU s"
for size in $SIZES; do
	read -r ks kd _ < <(blast 2001:db8:2::2 "$size" -)
	read -r ts td tc < <(blast 2001:db8:64::a40:2 "$size" "$TPID")
	read -r ns nd nc < <(blast 2001:db8:ee::1 "$size" "$NT")
	for row in "kernel IPv6 forwarding|$K_RTT|$ks|$kd|-" "TAYGA (NAT64, TUN)|$T_RTT|$ts|$td|$tc" \
		"newipd map (TUN)|$N_RTT|$ns|$nd|$nc"; do
		IFS='|' read -r name r s d c <<<"$row"
		awk -v n="$name" -v r="$r" -v k="$K_RTT" -v p="$size" -v s="$s" -v d="$d" -v c="$c" 'BEGIN {
			printf "%-24s %8.3f %10.3f %12s %12.0f %8.0f %8s %14s\n", n, r, r - k, p " octets", s, d, c,
			       c == "-" || c == 0 ? "-" : sprintf("%.0f", d * '"$SECS"' / c) }'
	done
	awk -v nd="$nd" -v td="$td" -v nc="$nc" -v tc="$tc" -v nr="$N_RTT" -v tr="$T_RTT" -v k="$K_RTT" -v p="$size" 'BEGIN {
		printf "newipd / TAYGA at %s octets: %.2f x delivered, %.2f x per CPU second; added latency %.3f against %.3f ms\n",
		       p, nd / td, (nc > 0 && tc > 0) ? (nd / nc) / (td / tc) : 0, nr - k, tr - k }'
done
kill -CONT "$NS_PID"
printf 'newipd t -> s (x0c01), New IP only: RTT %s ms (s answers in user space; TAYGA'"'"'s s answers in its kernel)\n' "$H_RTT"
