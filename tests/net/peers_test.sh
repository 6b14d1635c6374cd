#!/usr/bin/env bash
# Many keyed peers on one listening port (docs/spec.md §1.1): a hub with PEERS keyed links on
# one socket, PEERS real newipd nodes, each with its own key and source port. Checks that every
# session comes up, that the hub reaches every peer, that one socket serves them all, and
# reports the hub's memory per peer (against the same hub with no peers, in the same run).
# PEERS: 200 (50 under the sanitizers, whose shadow memory makes each process heavy).
. "$(dirname "$0")/lib.sh" "$1"

PEERS=${PEERS:-200}
[ "$san" -eq 0 ] || PEERS=${SAN_PEERS:-50}
P=nippeers$$
pids=()
down() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	for p in "${pids[@]}"; do wait "$p" 2>/dev/null; done
	ip netns del "$P-hub" 2>/dev/null
	ip netns del "$P-many" 2>/dev/null
	cleanup
}
trap down EXIT
ip netns add "$P-hub"
ip netns add "$P-many"
ip link add hubv netns "$P-hub" type veth peer name manyv netns "$P-many"
ip -n "$P-hub" addr add 10.9.0.1/24 dev hubv
ip -n "$P-many" addr add 10.9.0.2/24 dev manyv
ip -n "$P-hub" link set hubv up
ip -n "$P-many" link set manyv up
cd "$WORK" || exit 1

rss_kb() { awk '/^VmRSS/ { print $2 }' "/proc/$1/status"; }

say "the baseline: the hub's configuration without its peers"
"$NEWIP" key gen hub.key >/dev/null
printf 'node hub0\naddress x0900\nkey %s/hub.key\nrouting off\n' "$WORK" >hub0.conf
ip netns exec "$P-hub" "$NEWIPD" -c hub0.conf --rundir "$NEWIP_RUNDIR" 2>hub0.log &
hub0=$!
wait_until 10 node_up hub0 || { bad "hub0 did not start: $(cat hub0.log)"; finish; }
base_kb=$(rss_kb $hub0)
kill $hub0; wait $hub0

say "$PEERS peers"
HUB=$(pubkey hub.key)
{
	printf 'node hub\naddress x0900\nkey %s/hub.key\nrouting off\n' "$WORK"
	for i in $(seq 1 "$PEERS"); do
		"$NEWIP" key gen p$i.key >/dev/null
		printf 'link p%d udp local 10.9.0.1:6464 key %s\n' "$i" "$(pubkey p$i.key)"
		printf 'route x%04x/16 via p%d\n' $((0x2000 + i)) "$i"
	done
} >hub.conf
ip netns exec "$P-hub" "$NEWIPD" -c hub.conf --rundir "$NEWIP_RUNDIR" 2>hub.log &
hub=$!
pids+=($hub)
wait_until 10 node_up hub || { bad "the hub did not start: $(cat hub.log)"; finish; }
t0=$(date +%s%N)
for i in $(seq 1 "$PEERS"); do
	{
		printf 'node p%d\naddress x%04x\nkey %s/p%d.key\nrouting off\n' "$i" $((0x2000 + i)) "$WORK" "$i"
		printf 'link up udp local 10.9.0.2:%d key %s endpoint 10.9.0.1:6464 keepalive 5\n' \
			$((20000 + i)) "$HUB"
		printf 'route x0900/16 via up\n'
	} >p$i.conf
	ip netns exec "$P-many" "$NEWIPD" -c p$i.conf --rundir "$NEWIP_RUNDIR" 2>p$i.log &
	pids+=($!)
done
n_up() {
	"$NEWIP" -n hub -j link | python3 -c "
import json, sys
print(sum(1 for l in json.load(sys.stdin)['links'] if l['peer']['state'] == 'up'))"
}
all_up() { [ "$(n_up)" -eq "$PEERS" ]; }
# Counted from the hub's log (one line a link as it comes up), so that no view of 200 links is
# built before the memory is read: those are freed, but the heap keeps its high-water mark.
logged_up() { [ "$(grep -c ': up (endpoint' hub.log)" -ge "$PEERS" ]; }
check "the hub logged all $PEERS links up" wait_until 60 logged_up || finish
t1=$(date +%s%N)
echo "peers: $PEERS sessions up $(( (t1 - t0) / 1000000 )) ms after the first peer started"
hub_kb=$(rss_kb $hub)
check "newip link shows all $PEERS sessions up" all_up
sockets=$(ip netns exec "$P-hub" ss -uanp | grep -c 'newipd')
expect_eq "one UDP socket serves every peer" 1 "$sockets"

reached=0
for i in $(seq 1 "$PEERS"); do
	"$NEWIP" -n hub ping -c 1 -W 2 "$(printf 'x%04x' $((0x2000 + i)))" 2>/dev/null |
		grep -q '1 received' && reached=$((reached + 1))
done
expect_eq "the hub reaches every peer (one echo each)" "$PEERS" "$reached"
out=$("$NEWIP" -n p1 ping -c 2 -i 0.2 x0900)
expect_match "a peer reaches the hub" '2 received' "$out"

per=$(( (hub_kb - base_kb) * 1024 / PEERS ))
echo "memory: hub RSS ${hub_kb} KiB with $PEERS peers, ${base_kb} KiB without: $per octets per peer"
# ASan's redzones and quarantine inflate every allocation: the bound holds for the real build.
[ "$san" -eq 1 ] || check "memory per peer is bounded (under 64 KiB): $per octets" test "$per" -lt 65536
expect_eq "no MAC failure at the hub" 0 "$(jnum hub stats link_mac_failure)"

down_all() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	for p in "${pids[@]}"; do wait "$p" 2>/dev/null; done
	pids=()
}
down_all
ip netns del "$P-hub"
ip netns del "$P-many"
expect_eq "no namespace left" "" "$(ip netns list | grep "^$P-" || true)"
expect_eq "no newipd left" "" "$(pgrep -f "newipd -c .* --rundir $NEWIP_RUNDIR" || true)"
finish
