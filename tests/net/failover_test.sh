#!/usr/bin/env bash
# Failure and recovery on a ring of four (n1 - n2 - n3 - n4 - n1), where n1 reaches n3 over
# two equal paths:
#  - one flow stays on one path (ECMP by flow hash);
#  - the link under a ping stream goes down: traffic moves to the other path, and the packets
#    lost are bounded by the dead interval (400 ms = 40 pings at 10 ms);
#  - the link comes back and carries traffic again;
#  - a node killed with SIGKILL and restarted is routed to again, its new LSA superseding the
#    one the network remembered.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/topo.sh"
topo_line fo 4 1 4 >"$WORK/ring.yaml"
lab_up "$WORK/ring.yaml"
ns() { echo "nip-fo-$1"; }

# lab up waits for a route to every address; the equal-cost pair may complete a moment later.
two_paths() { "$NEWIP" -n n1 route | grep -Eq '^x0403/16 +via (r,l2|l2,r) '; }
check "n1 has two equal-cost paths to n3" wait_until 5 two_paths

# Which neighbour carries n1 -> n3? (n2 via link r, or n4 via link l2)
first_hop() { "$NEWIP" -n n1 trace -q 1 -m 1 x0403 | awk 'NR == 2 { print $2 }'; }
hop=$(first_hop)
check "n1 -> n3 goes through n2 or n4" test "$hop" = x0402 -o "$hop" = x0404
if [ "$hop" = x0402 ]; then via=n2 link=r other=n4; else via=n4 link=l2 other=n2; fi

# One flow, one path: 100 echoes all cross $via. Their replies are a flow of their own (the
# addresses swapped), which n3 hashes to one path too: so $other forwarded all 100 or none.
f_via=$(json_get $via stats forwarded); f_other=$(json_get $other stats forwarded)
"$NEWIP" -n n1 ping -q -c 100 -i 0.002 x0403 >/dev/null
d_via=$(($(json_get $via stats forwarded) - f_via)) d_other=$(($(json_get $other stats forwarded) - f_other))
check "100 echoes of one flow all crossed $via" test "$d_via" -ge 100
check "... and no flow was split: $via forwarded $d_via, $other $d_other (200 and 0, or 100 and 100)" \
	test $((d_via + d_other)) -eq 200 -a \( "$d_other" -eq 0 -o "$d_other" -eq 100 \)

# Fail the link under a stream of 300 echoes, 10 ms apart.
"$NEWIP" -n n1 ping -q -c 300 -i 0.01 -W 1 x0403 >"$WORK/ping.out" &
ppid=$!
f_mid=$(json_get $via stats forwarded)
streaming() { test $(($(json_get $via stats forwarded) - f_mid)) -ge 100; }
check "the stream is flowing through $via" wait_until 5 streaming
ip -n "$(ns n1)" link set dev "$link" down
say "link n1:$link down"
wait $ppid
received=$(sed -n 's/.* \([0-9]*\) received.*/\1/p' "$WORK/ping.out")
lost=$((300 - received))
echo "figure: failover: $lost of 300 echoes lost at 10 ms intervals: $((lost * 10)) ms without a path (dead interval 400 ms)"
check "traffic moved to the other path (most echoes answered)" test "$received" -ge 240
check "loss bounded by the dead interval plus a hello ($lost <= 55)" test "$lost" -le 55
hop=$(first_hop)
expect_eq "n1 -> n3 now goes through $other" "$([ $other = n2 ] && echo x0402 || echo x0404)" "$hop"

ip -n "$(ns n1)" link set dev "$link" up
say "link n1:$link up"
check "the adjacency comes back" wait_until 5 sh -c "$NEWIP -n n1 neigh | grep -q '^$link *two-way'"
check "n1 -> n3 uses $via again" wait_until 5 sh -c "test \"\$($NEWIP -n n1 trace -q 1 -m 1 x0403 | awk 'NR == 2 { print \$2 }')\" = $([ $via = n2 ] && echo x0402 || echo x0404)"

# SIGKILL n2, then start it again by hand with one more address: its new LSA must supersede
# the one the network remembers (the restarted node starts from sequence 1 and must jump past
# it, or reuse its number with the larger checksum).
seq_before=$("$NEWIP" -n n1 -j lsdb | tr -d ' \n' | grep -o '"name":"n2","seq":[0-9]*' | grep -o '[0-9]*$')
pid=$(awk '$1 == "n2" { print $2 }' "$NEWIP_RUNDIR/labs/fo/pids")
kill -KILL "$pid"
check "n1 loses n2 within the dead interval" wait_until 2 sh -c "! $NEWIP -n n1 neigh | grep -q '^r *two-way'"
rm -f "$NEWIP_RUNDIR/n2/ctl.sock" "$NEWIP_RUNDIR/n2/local.sock"
echo "address x04ff" >>"$NEWIP_RUNDIR/labs/fo/n2.conf"
setsid ip netns exec "$(ns n2)" "$NEWIPD" -c "$NEWIP_RUNDIR/labs/fo/n2.conf" \
	>>"$NEWIP_RUNDIR/labs/fo/n2.log" 2>&1 </dev/null &
check "n2 restarted" wait_until 5 "$NEWIP" -n n2 addr
route_to_new() { "$NEWIP" -n n4 route | grep -q '^x04ff/16 .*link-state'; }
check "n4 learns n2's new address" wait_until 5 route_to_new
# n4 may know the way to n2 a moment before n2 (still taking in the database) knows the way back.
reach_new() { "$NEWIP" -n n4 ping -q -c 2 -i 0.05 -W 1 x04ff | grep -q '2 received'; }
check "n4 reaches the restarted n2 at its new address (within 2 s)" wait_until 2 reach_new
# The new LSA supersedes the remembered one by a higher sequence number, or, where the restarted
# node reused the remembered number before it heard the old LSA back, by the larger checksum
# (spec §9): either way n1 must come to hold the LSA with the new address, at no lower number.
n2_lsa() { # n2's LSA at n1: "SEQ yes" when it lists x04ff, "SEQ no" when not
	"$NEWIP" -n n1 -j lsdb | python3 -c "import json, sys
e = next(e for e in json.load(sys.stdin)['lsas'] if e['name'] == 'n2')
print(e['seq'], 'yes' if any(p.startswith('x04ff') for p in e['prefixes']) else 'no')"
}
superseded() { [ "$(n2_lsa | cut -d' ' -f2)" = yes ]; }
wait_until 2 superseded || true # the checks below say so
read -r seq_after has_new <<<"$(n2_lsa)"
expect_eq "n1 holds n2's new LSA (with x04ff)" yes "$has_new"
check "... at sequence $seq_after, not below the remembered $seq_before" \
	test "$seq_after" -ge "$seq_before"
pkill -f "newipd -c $NEWIP_RUNDIR/labs/fo/n2.conf" || true
lab_down "$WORK/ring.yaml" fo
finish
