#!/usr/bin/env bash
# The AF_XDP data path of eth and udp links (newipd.conf(5) xdp, dataplane/xsk.c) in real
# namespaces: New IP crosses routers on AF_XDP at every size, over Ethernet and over UDP on
# IPv6 and IPv4 (outer headers written and checked by newipd; a datagram from a port not the
# peer's is dropped and counted), the interface's other traffic (ARP, IPv4)
# still reaches the kernel, a node killed without cleaning up restarts on AF_XDP (its stale
# program replaced); 'xdp auto' falls back to the packet socket with one log line saying why
# (an interface with two receive queues), 'xdp on' refuses to start there. And the control
# socket: clients that connect and say nothing for longer than the dead interval hold up
# neither the other clients nor the routing protocol.
source "$(dirname "$0")/lib.sh"
topo=$SRC/tests/net/xdp.yaml
P=nipxdp$$
cleanup_q() {
	[ -z "${qpid:-}" ] || kill "$qpid" 2>/dev/null
	ip netns del $P-1 2>/dev/null
	ip netns del $P-2 2>/dev/null
}
trap 'cleanup_q; cleanup' EXIT

lab_up "$topo"
logs=$NEWIP_RUNDIR/labs/xdp
for n in a b c; do
	expect_match "$n: its eth links run on AF_XDP" "^newipd $n: link [abc]: AF_XDP \((native|generic) XDP, (copy mode|zero copy)\)$" "$(cat "$logs/$n.log")"
done
for n in d e; do
	expect_match "$n: its udp links run on AF_XDP" "^newipd $n: link [cde]: AF_XDP on [cde] \((native|generic) XDP, (copy mode|zero copy)\)$" "$(cat "$logs/$n.log")"
done
expect_match "newip link shows the data path" '^    AF_XDP \(native XDP' "$("$NEWIP" -n b link)"
check "a reaches c over two AF_XDP hops (20 of 20)" sh -c "'$NEWIP' -n a ping -q -c 20 -i 0.02 -W 2 x03 | grep -q ' 20 received'"
check "... with 1400-octet packets" sh -c "'$NEWIP' -n a ping -q -c 5 -i 0.02 -s 1400 -W 2 x03 | grep -q ' 5 received'"
check "... and a single octet" sh -c "'$NEWIP' -n a ping -q -c 5 -i 0.02 -s 1 -W 2 x03 | grep -q ' 5 received'"
expect_eq "trace a -> c: 2 hops" 2 "$("$NEWIP" -n a trace -q 1 x03 | awk 'NR > 1 { n = $1 } END { print n }')"
check "a reaches e across eth, udp/IPv6 and udp/IPv4 on AF_XDP (20 of 20)" sh -c "'$NEWIP' -n a ping -q -c 20 -i 0.02 -W 2 x05 | grep -q ' 20 received'"
check "... with 1400-octet packets" sh -c "'$NEWIP' -n a ping -q -c 5 -i 0.02 -s 1400 -W 2 x05 | grep -q ' 5 received'"
check "... and a single octet" sh -c "'$NEWIP' -n a ping -q -c 5 -i 0.02 -s 1 -W 2 x05 | grep -q ' 5 received'"
# A datagram to d's udp link from c's address but another port: the connected socket would
# not take it; AF_XDP drops it and counts it.
local_of() { # NODE LINK: the link's local underlay address
	"$NEWIP" -n "$1" -j link | python3 -c "import json, sys
print(next(l['local'] for l in json.load(sys.stdin)['links'] if l['name'] == sys.argv[1]))" "$2"
}
dl=$(local_of d c) cl=$(local_of c d)
before=$("$NEWIP" -n d -j stats | tr -d ' \n' | grep -o '"underlay":[0-9]*' | cut -d: -f2)
ip netns exec nip-xdp-c python3 -c "
import socket, sys
h, p = sys.argv[1].rsplit(':', 1)
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.bind((sys.argv[2].rsplit(':', 1)[0].strip('[]'), 7000))
for _ in range(5): s.sendto(b'x' * 48, (h.strip('[]'), int(p)))" "$dl" "$cl"
check "5 datagrams from another port are dropped as underlay" wait_until 3 sh -c "'$NEWIP' -n d -j stats | tr -d ' \n' | grep -q '\"underlay\":$((${before:-0} + 5))'"
# Datagrams larger than the underlay's MTU arrive as IP fragments, which the XDP program leaves
# to the kernel: newipd reads them, reassembled, from the link's kernel socket (e: 3 from d over
# IPv4, d: 2 from c over IPv6, to ports nobody listens on: counted there as no_port).
FORGE=$BUILD/tests/nip_forge
kernel_rx() { # NODE LINK
	"$NEWIP" -n "$1" -j link | python3 -c "import json, sys
print(next(l['path']['kernel_rx'] for l in json.load(sys.stdin)['links'] if l['name'] == sys.argv[1]))" "$2"
}
kernel_rx_is() { [ "$(kernel_rx "$1" "$2")" = "$3" ]; }
# (the hellos that reached a socket before its XDP program was attached count there too)
e_np=$(jnum e stats no_port) d_np=$(jnum d stats no_port)
e_k=$(kernel_rx e d) d_k=$(kernel_rx d c)
ip netns exec nip-xdp-d "$FORGE" "$(local_of d e)" "$(local_of e d)" big x04 x05 1600 3 ||
	bad "forge big d -> e"
ip netns exec nip-xdp-c "$FORGE" "$cl" "$dl" big x03 x04 1700 2 || bad "forge big c -> d"
check "e read d's 3 fragmented datagrams through the kernel (udp/IPv4)" wait_until 3 kernel_rx_is e d $((e_k + 3))
expect_eq "... and took them in: no_port" $((e_np + 3)) "$(jnum e stats no_port)"
check "d read c's 2 through the kernel (udp/IPv6)" wait_until 3 kernel_rx_is d c $((d_k + 2))
check "... and took them in: no_port" test "$(jnum d stats no_port)" -ge $((d_np + 2))
expect_match "newip link says so" "^    AF_XDP on d .*, $((e_k + 3)) datagrams through the kernel\$" \
	"$("$NEWIP" -n e link)"
# Everything that is not New IP passes to the kernel: IPv4 (with ARP) on the same veth.
ip -n nip-xdp-a addr add 192.0.2.1/30 dev b
ip -n nip-xdp-b addr add 192.0.2.2/30 dev a
check "IPv4 (ARP, ICMP) still reaches the kernel beside the XDP program" ip netns exec nip-xdp-a ping -q -c 3 -i 0.1 -W 2 192.0.2.2

# Idle control clients (longer than the 400 ms dead interval) stall nothing.
python3 -c 'import socket, sys, time
s = [socket.socket(socket.AF_UNIX) for _ in range(3)]
for x in s: x.connect(sys.argv[1])
print("held", flush=True)
time.sleep(1.5)' "$NEWIP_RUNDIR/b/ctl.sock" >"$WORK/held" & hold=$!
wait_until 5 grep -q held "$WORK/held"
t0=$(date +%s%N)
check "while three clients sit idle on b's control socket, newip still answers" "$NEWIP" -n b neigh
t1=$(date +%s%N)
echo "figure: newip neigh beside three idle control clients: $(((t1 - t0) / 1000000)) ms"
check "... at once (under 300 ms)" test $(((t1 - t0) / 1000000)) -lt 300
wait "$hold"
lost=$(($(jnum a stats neighbours_lost) + $(jnum c stats neighbours_lost) + $(jnum b stats neighbours_lost)))
expect_eq "no neighbour was lost meanwhile" 0 "$lost"

# A node killed outright leaves its XDP program on the veth: the next start replaces it.
apid=$(pgrep -f "newipd -c $NEWIP_RUNDIR/labs/xdp/a.conf" | head -n 1)
kill -9 "$apid"
wait_until 5 sh -c "! kill -0 $apid"
expect_match "the killed node's program is still attached" 'prog/xdp' "$(ip -n nip-xdp-a -d link show b)"
rm -f "$NEWIP_RUNDIR/a/ctl.sock" "$NEWIP_RUNDIR/a/local.sock"
setsid ip netns exec nip-xdp-a "$NEWIPD" -c "$logs/a.conf" >"$WORK/a2.log" 2>&1 & disown
wait_until 10 grep -q "^newipd a: up" "$WORK/a2.log"
expect_match "restarted, a is on AF_XDP again" "^newipd a: link b: AF_XDP" "$(cat "$WORK/a2.log")"
# "up" comes before routing converges: wait for the routes both ways before pinging.
routed() { "$NEWIP" -n "$1" route | grep -q "^$2/"; }
check "... and relearns its route to c" wait_until 10 routed a x03
check "... and c its route back" wait_until 10 routed c x01
pong=$("$NEWIP" -n a ping -q -c 5 -i 0.05 -W 3 x03 2>&1)
expect_match "and reaches c" ' 5 received' "$pong"
lab_down "$topo" xdp

# Fallback: an interface with two receive queues (one worker serves queue 0 only).
ip netns add $P-1 && ip netns add $P-2
ip link add q1 numrxqueues 2 netns $P-1 type veth peer q2 numrxqueues 2 netns $P-2
ip -n $P-1 link set q1 up && ip -n $P-2 link set q2 up && ip -n $P-1 link set lo up
# fallback LINK_LINE WHAT LOG_LINE IO: node q in $P-1 with one link under xdp auto starts, logs
# why it fell back, and runs the link on IO.
fallback() {
	printf 'node q\naddress x09\nrundir %s\n%s\n' "$NEWIP_RUNDIR" "$1" >"$WORK/q.conf"
	ip netns exec $P-1 "$NEWIPD" -c "$WORK/q.conf" >"$WORK/q.log" 2>&1 & qpid=$!
	wait_until 10 grep -q "^newipd q: up" "$WORK/q.log"
	expect_match "$2: one line says why it fell back" "$3" "$(cat "$WORK/q.log")"
	expect_eq "... and the link runs on the $4" "$4" "$("$NEWIP" -n q -j link | tr -d ' \n' | grep -o '"io":"[a-z_]*"' | cut -d'"' -f4)"
	kill "$qpid"; wait "$qpid" 2>/dev/null; qpid=
}
fallback 'link l eth dev q1 xdp auto' "xdp auto" "^newipd q: link l: xdp auto: q1 has 2 receive queues and one worker serves queue 0 only; packet socket instead$" packet_socket
sed -i 's/xdp auto/xdp on/' "$WORK/q.conf" # the same node, xdp on
out=$(ip netns exec $P-1 "$NEWIPD" -c "$WORK/q.conf" 2>&1); rc=$?
expect_eq "xdp on without XDP: exit 2" 2 "$rc"
expect_match "... naming the link, the reason and the fix" "link l: xdp on: q1 has 2 receive queues and one worker serves queue 0 only \(write 'xdp auto' to fall back to the packet socket\)" "$out"
out=$(printf 'node q\naddress x09\nxdp fast\n' >"$WORK/bad.conf"; "$NEWIPD" -n -c "$WORK/bad.conf" 2>&1); rc=$?
expect_eq "xdp fast: exit 1" 1 "$rc"
expect_match "... naming the file, line and values" "bad.conf:3: 'xdp' is auto, on or off" "$out"
# A udp link whose peer is not on the interface's subnet stays on its socket.
ip -n $P-1 addr add 10.9.0.1/24 dev q1 && ip -n $P-1 route add 10.8.0.0/24 via 10.9.0.2
fallback 'link l udp local 10.9.0.1:6464 peer 10.8.0.2:6464 xdp auto' "udp, xdp auto, an off-link peer" "^newipd q: link l: xdp auto: the peer 10.8.0.2 is not on q1's subnet \(AF_XDP reaches on-link peers only\); UDP socket instead$" udp_socket
cleanup_q
finish
