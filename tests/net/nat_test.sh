#!/usr/bin/env bash
# Keyed UDP links across real NATs (docs/spec.md §1.1), with nftables 'masquerade random':
#
#   h1 (10.1.0.2, roams to 10.1.1.2) -- nat1 --\
#                                               r (public, one port for every peer) -- r2
#   h2 (10.2.0.2, seal on) ------------ nat2 --/      |          (a plain udp link)
#   h4 (10.3.0.2, the wrong key for r) -- nat2        evil (an off-path attacker)
#   h3 (10.4.0.2, roams to 10.4.1.2; routing off: only keepalives) -- nat1
#
# Checks: NATed hosts join and routing converges (ping, trace); two hosts behind two NATs
# reach each other; the attacker's replayed, altered and forged datagrams are counted and move
# nothing; a wrong key never brings a link up; h1 roams mid-transfer and traffic resumes
# within one keepalive interval (measured), and so does an idle host's (h3), whose keepalive
# is the only datagram that can tell r where it went.
. "$(dirname "$0")/lib.sh" "$1"
command -v nft >/dev/null || { echo "SKIP: no nft (Debian package nftables)"; exit 77; }

P=nipnat$$
NS=(h1 h2 h3 h4 nat1 nat2 r r2 evil)
pids=()
down() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	for p in "${pids[@]}"; do wait "$p" 2>/dev/null; done
	for n in "${NS[@]}"; do ip netns del "$P-$n" 2>/dev/null; done
	cleanup
}
trap down EXIT
nsx() { local n=$1; shift; ip netns exec "$P-$n" "$@"; }
for n in "${NS[@]}"; do ip netns add "$P-$n"; nsx "$n" ip link set lo up; done

# wire A IFA ADDR/LEN B IFB ADDR/LEN
wire() {
	ip link add "$2" netns "$P-$1" type veth peer name "$5" netns "$P-$4"
	nsx "$1" ip addr add "$3" dev "$2"; nsx "$1" ip link set "$2" up
	[ -n "$6" ] && nsx "$4" ip addr add "$6" dev "$5"; nsx "$4" ip link set "$5" up
}
wire h1 i 10.1.0.2/24 nat1 in 10.1.0.1/24
nsx nat1 ip addr add 10.1.1.1/24 dev in # the network h1 roams to
wire h3 i 10.4.0.2/24 nat1 in3 10.4.0.1/24
nsx nat1 ip addr add 10.4.1.1/24 dev in3 # and h3
wire nat1 o 198.51.100.2/24 r n1 198.51.100.1/24
wire h2 i 10.2.0.2/24 nat2 in 10.2.0.1/24
wire h4 i 10.3.0.2/24 nat2 in4 10.3.0.1/24
wire nat2 o 198.51.101.2/24 r n2 198.51.101.1/24
wire evil o 203.0.113.2/24 r ev 203.0.113.1/24
wire r c 192.0.2.1/24 r2 c 192.0.2.2/24
nsx h1 ip route add default via 10.1.0.1
nsx h2 ip route add default via 10.2.0.1
nsx h3 ip route add default via 10.4.0.1
nsx h4 ip route add default via 10.3.0.1
nsx evil ip route add default via 203.0.113.1
for n in nat1 nat2; do
	nsx $n ip route add default via "198.51.10$([ $n = nat1 ] && echo 0 || echo 1).1"
	nsx $n sysctl -qw net.ipv4.ip_forward=1
	nsx $n nft -f - <<-NFT
		table ip nat {
			chain post { type nat hook postrouting priority srcnat; oifname "o" masquerade random; }
		}
	NFT
done

cd "$WORK" || exit 1
for n in r h1 h2 h3 h4; do "$NEWIP" key gen $n.key >/dev/null; done
R=$(pubkey r.key) H1=$(pubkey h1.key) H2=$(pubkey h2.key) H3=$(pubkey h3.key) H4=$(pubkey h4.key)
cat >r.conf <<-CONF
	node r
	address x0a00
	key $WORK/r.key
	link p1 udp local 0.0.0.0:6464 key $H1
	link p2 udp local 0.0.0.0:6464 key $H2
	link p4 udp local 0.0.0.0:6464 key $H4
	link p3 udp local 0.0.0.0:6464 key $H3
	route x0a13/16 via p3
	link core udp local 192.0.2.1:6464 peer 192.0.2.2:6464
CONF
printf 'node r2\naddress x0a09\nlink core udp local 192.0.2.2:6464 peer 192.0.2.1:6464\n' >r2.conf
host_conf() { # NAME ADDR ROUTER_KEY ENDPOINT
	printf 'node %s\naddress %s\nkey %s/%s.key\n' "$1" "$2" "$WORK" "$1"
	printf 'link up udp local 0.0.0.0:6464 key %s endpoint %s keepalive 1\n' "$3" "$4"
}
host_conf h1 x0a11 "$R" 198.51.100.1:6464 >h1.conf
host_conf h2 x0a12 "$R" 198.51.101.1:6464 | sed 's/keepalive 1$/& seal on/' >h2.conf
host_conf h4 x0a14 "$H2" 198.51.101.1:6464 >h4.conf # not r's key
host_conf h3 x0a13 "$R" 198.51.100.1:6464 >h3.conf
printf 'routing off\nroute x0a00/16 via up\n' >>h3.conf
for n in r r2 h1 h2 h3 h4; do # not through nsx: \$! must be newipd itself (ip execs it)
	ip netns exec "$P-$n" "$NEWIPD" -c $n.conf --rundir "$NEWIP_RUNDIR" 2>$n.log &
	pids+=($!)
done
for n in r r2 h1 h2 h3 h4; do
	wait_until 10 node_up $n || { bad "newipd $n did not start: $(cat $n.log)"; finish; }
done
say "waiting for NLS to converge through the NATs"
two_way() { "$NEWIP" -n "$1" neigh | grep -q "^$2 *two-way"; }
routed() { "$NEWIP" -n "$1" route | grep -q "$2"; }
check "r: h1 is a two-way neighbour through nat1" wait_until 10 two_way r p1
check "r: h2 is a two-way neighbour through nat2" wait_until 10 two_way r p2
check "h1 has a route to r2 (routing converged)" wait_until 10 routed h1 x0a09
check "h1 has a route to h2" wait_until 10 routed h1 x0a12

ep_of() { "$NEWIP" -n r -j link | python3 -c "
import json,sys
for l in json.load(sys.stdin)['links']:
    if l['name'] == '$1': print(l['peer']['$2'] if '$2' != 'frames' else l['peer']['frames']['${3:-}'])"; }
ep1=$(ep_of p1 endpoint)
expect_match "r learned h1's endpoint: nat1's address" '^198\.51\.100\.2:[0-9]+$' "$ep1"
check "nat1 chose another source port than 6464 (masquerade random)" test "${ep1##*:}" != 6464

out=$("$NEWIP" -n h1 ping -c 3 -i 0.2 x0a09)
expect_match "h1 -> r2 across the NAT: ping" '3 received' "$out"
out=$("$NEWIP" -n h1 trace x0a09)
expect_match "h1 -> r2: trace names r, then r2" 'x0a00.*'$'\n''.*x0a09' "$out"
out=$("$NEWIP" -n h1 ping -c 3 -i 0.2 x0a12)
expect_match "h1 -> h2: two hosts behind two NATs, through r" '3 received' "$out"
out=$("$NEWIP" -n h2 ping -c 3 -i 0.2 x0a11)
expect_match "h2 -> h1 (h2 seals what it sends, r opens it)" '3 received' "$out"
nsx r timeout 20 python3 "$SRC/tests/net/keyed_forge.py" capture n2 198.51.101.2 a4 >sealed.hex &
cap=$!
"$NEWIP" -n h2 ping -c 5 -i 0.1 x0a11 >/dev/null
wait $cap
check "h2's packets cross nat2 sealed (0xA4 frames)" test -s sealed.hex

say "an off-path attacker replays, alters and forges h1's datagrams from 203.0.113.2"
nsx r timeout 20 python3 "$SRC/tests/net/keyed_forge.py" capture n1 198.51.100.2 >frame.hex &
cap=$!
"$NEWIP" -n h1 ping -c 5 -i 0.1 x0a09 >/dev/null
wait $cap
check "captured one of h1's data frames at r" test -s frame.hex
mac0=$(ep_of p1 frames mac_failures) rep0=$(ep_of p1 frames replayed)
drops() { jnum r stats "$1"; }
unk0=$(drops link_unknown_peer) mal0=$(drops link_malformed)
nsx evil python3 "$SRC/tests/net/keyed_forge.py" attack 198.51.100.1 "$(cat frame.hex)" "$H1" >sent
expect_eq "the attacker sent its five kinds" 5 "$(wc -l <sent)"
got() { [ "$(ep_of p1 frames "$1")" -ge "$2" ]; }
check "r: the replayed frame is counted as replayed" wait_until 5 got replayed $((rep0 + 1))
check "r: the altered frame and the forged initiation are MAC failures" \
	wait_until 5 got mac_failures $((mac0 + 2))
check "r: the unknown index is counted" test "$(drops link_unknown_peer)" -gt "$unk0"
check "r: the malformed frame is counted" test "$(drops link_malformed)" -gt "$mal0"
expect_eq "r: h1's endpoint did not move" "$ep1" "$(ep_of p1 endpoint)"
out=$("$NEWIP" -n h1 ping -c 3 -i 0.2 x0a09)
expect_match "h1 -> r2 still works" '3 received' "$out"

say "h4 has the wrong key for r"
macs4() { [ "$(ep_of p4 frames mac_failures)" -ge 2 ]; }
check "r: h4's initiations fail the MAC" wait_until 10 macs4
out=$("$NEWIP" -n r neigh)
expect_match "r: newip neigh says why p4 is down" 'p4 +down +MAC failures: [0-9]+' "$out"
out=$("$NEWIP" -n h4 link)
expect_match "h4: newip link says it hears nothing" 'down: no datagram from peer' "$out"
check "h4 never became a neighbour" sh -c "! '$NEWIP' -n h4 neigh | grep -q two-way"
expect_match "r logged why p4 is down" 'link p4: down: MAC failures' "$(cat r.log)"

say "h1 roams to 10.1.1.2 in the middle of a transfer (keepalive 1 s)"
"$NEWIP" -n h1 ping -c 80 -i 0.05 -W 1 x0a09 >roam.out &
ping_pid=$!
sleep 1 # part of the transfer before the move: the ping keeps the time, not this
nsx h1 ip addr flush dev i
nsx h1 ip addr add 10.1.1.2/24 dev i
nsx h1 ip route add default via 10.1.1.1
wait $ping_pid
received=$(grep -c 'bytes from' roam.out)
lost=$((80 - received))
# The interruption: echoes lost (50 ms apart) or the slowest echo, whichever is longer.
slowest=$(sed -n 's/.*time=\([0-9]*\).*/\1/p' roam.out | sort -n | tail -n 1)
ms=$((lost * 50 > slowest ? lost * 50 : slowest))
echo "roaming: $lost of 80 echoes lost at 50 ms intervals, slowest ${slowest} ms: traffic resumed within ${ms} ms"
check "traffic resumed within one keepalive interval (1000 ms): ${ms} ms" test "$ms" -lt 1000
check "the transfer went on after the move" test "$(tail -n 20 roam.out | grep -c 'bytes from')" -ge 1
ep1b=$(ep_of p1 endpoint)
check "r follows h1 to its new NAT port" test "$ep1b" != "$ep1"
check "r counted the endpoint change" test "$(ep_of p1 frames endpoint_changes)" -ge 1
expect_match "r logged the move" 'link p1: endpoint moved to 198\.51\.100\.2:' "$(cat r.log)"

say "h3 (routing off, keepalive 1 s) roams while r sends to it; nothing else comes from h3"
out=$("$NEWIP" -n r ping -c 3 -i 0.2 x0a13)
expect_match "r -> h3 over a link without routing" '3 received' "$out"
ep3=$(ep_of p3 endpoint)
"$NEWIP" -n r ping -c 60 -i 0.05 -W 1 x0a13 >roam3.out &
ping_pid=$!
sleep 0.5
nsx h3 ip addr flush dev i
nsx h3 ip addr add 10.4.1.2/24 dev i
nsx h3 ip route add default via 10.4.1.1
wait $ping_pid
lost=$((60 - $(grep -c 'bytes from' roam3.out)))
echo "roaming, idle host: $lost of 60 echoes lost at 50 ms intervals: r reached h3 again after" \
	"about $((lost * 50)) ms (keepalive 1000 ms, timers at 100 ms)"
check "r reached h3 again within one keepalive interval, a timer tick and scheduling slack (1250 ms): $((lost * 50)) ms" \
	test $((lost * 50)) -le 1250
check "h3's keepalive moved r's link to its new NAT port" test "$(ep_of p3 endpoint)" != "$ep3"

for p in "${pids[@]}"; do kill "$p"; done
for p in "${pids[@]}"; do wait "$p"; done
pids=()
for n in "${NS[@]}"; do ip netns del "$P-$n"; done
expect_eq "no namespace left" "" "$(ip netns list | grep "^$P-" || true)"
expect_eq "no newipd left" "" "$(pgrep -f "newipd -c .* --rundir $NEWIP_RUNDIR" || true)"
finish
