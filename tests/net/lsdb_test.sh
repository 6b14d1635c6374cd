#!/usr/bin/env bash
# LSDB life cycle and adjacency rules on a line n1 - n2 - n3 with a 1 s LSA refresh (so MaxAge
# is 3 s):
#  - a node that stops for good is purged from every database after MaxAge;
#  - n3 starts near the end of the sequence space: it wraps (purge, then 1) and the others
#    still hold its current LSA;
#  - a neighbour with a different MTU never becomes two-way, and `newip neigh` says why.
source "$(dirname "$0")/lib.sh"
cat >"$WORK/line.yaml" <<'YAML'
name: lsdb
nodes:
  n1: {addresses: [x0501], config: [lsa-refresh 1]}
  n2: {addresses: [x0502], config: [lsa-refresh 1]}
  n3: {addresses: [x0503], config: [lsa-refresh 1, lsa-seq-start 4294967290]}
links:
  - {endpoints: [n1:r, n2:l], kind: eth}
  - {endpoints: [n2:r, n3:l], kind: udp}
YAML
lab_up "$WORK/line.yaml"
seq_of() { "$NEWIP" -n "$1" -j lsdb | tr -d ' \n' | grep -o "\"name\":\"$2\",\"seq\":[0-9]*" | grep -o '[0-9]*$'; }

# n3 refreshes every second from 4294967291 on: within a few seconds it passes 2^32-2,
# purges and starts again from 1. n1 must follow it down.
wrapped() { s=$(seq_of n1 n3); [ -n "$s" ] && [ "$s" -lt 100 ]; }
check "n3's sequence wrapped and n1 holds the new low one" wait_until 12 wrapped
# The purge and the new LSA arrive one after the other: the route may be gone for one SPF delay.
reach() { "$NEWIP" -n n1 ping -q -c 2 -i 0.05 -W 1 x0503 | grep -q '2 received'; }
check "n1 still reaches n3 after the wrap (within 2 s)" wait_until 2 reach

# Stop n3 for good (SIGKILL: no goodbye). n2 drops the link at once; n1 and n2 purge the LSA.
kill -KILL "$(awk '$1 == "n3" { print $2 }' "$NEWIP_RUNDIR/labs/lsdb/pids")"
gone() { ! "$NEWIP" -n n1 lsdb | grep -q ' n3 ' && ! "$NEWIP" -n n2 lsdb | grep -q ' n3 '; }
t0=$(date +%s%N)
check "n3's LSA is purged everywhere after MaxAge" wait_until 8 gone
echo "figure: a dead node's LSA left every database $((($(date +%s%N) - t0) / 1000000)) ms after SIGKILL (MaxAge 3 s)"

# MTU: restart n3 with a 1400 MTU on its link to n2 (1472 on n2's side): no adjacency.
rm -f "$NEWIP_RUNDIR/n3/"*.sock
sed -i 's/^\(link l udp .*\)$/\1 mtu 1400/' "$NEWIP_RUNDIR/labs/lsdb/n3.conf"
check "n3's configuration now says mtu 1400" grep -q '^link l udp .* mtu 1400$' \
	"$NEWIP_RUNDIR/labs/lsdb/n3.conf"
setsid ip netns exec nip-lsdb-n3 "$NEWIPD" -c "$NEWIP_RUNDIR/labs/lsdb/n3.conf" \
	>>"$NEWIP_RUNDIR/labs/lsdb/n3.log" 2>&1 </dev/null &
check "n3 restarted with MTU 1400" wait_until 5 "$NEWIP" -n n3 addr
mismatch() { "$NEWIP" -n n2 neigh | grep -Eq '^r +init .*mtu 1400 +mtu mismatch'; }
check "n2 sees n3 but refuses the adjacency: mtu mismatch" wait_until 3 mismatch
out=$("$NEWIP" -n n1 ping -c 1 x0503)
expect_match "so there is no route to n3" 'destination unreachable \(no route\)' "$out"
pkill -f "newipd -c $NEWIP_RUNDIR/labs/lsdb/n3.conf" || true
lab_down "$WORK/line.yaml" lsdb
finish
