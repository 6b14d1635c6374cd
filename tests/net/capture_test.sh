#!/usr/bin/env bash
# The dissector on a live lab (tools/wireshark/newip.lua): tshark captures both links of the
# middle node of
#   n1 x0601 --eth-- n2 x0602 --udp/IPv4-- n3 x0603
# while n3 restarts (its adjacency and databases converge again, with a 1 s LSA refresh), and
# pings and a trace cross it; every frame must decode: no malformed or unknown New IP, NCMP or
# NLS message, and each kind (hello, update, acknowledgement, echo, hop limit exceeded) seen.
source "$(dirname "$0")/lib.sh"
command -v tshark >/dev/null || { echo "SKIP: no tshark"; exit 77; }
# xdp off: a capture needs the kernel's taps, which an AF_XDP link's frames skip (newipd.conf(5)).
cat >"$WORK/cap.yaml" <<'YAML'
name: cap
nodes:
  n1: {addresses: [x0601], config: [lsa-refresh 1, xdp off]}
  n2: {addresses: [x0602], config: [lsa-refresh 1, xdp off]}
  n3: {addresses: [x0603], config: [lsa-refresh 1]}
links:
  - {endpoints: [n1:r, n2:l], kind: eth}
  - {endpoints: [n2:r, n3:l], kind: udp}
YAML
lab_up "$WORK/cap.yaml"
lua=$SRC/tools/wireshark/newip.lua
pcap=$WORK/cap.pcap
ip netns exec nip-cap-n2 tshark -q -f 'udp port 6464 or ether proto 0x88b5' -i l -i r \
	-a duration:4 -w "$pcap" 2>"$WORK/tshark.err" & tpid=$!
check "tshark captures on n2's two links" wait_until 5 grep -q "Capturing on" "$WORK/tshark.err"

# n3 restarts: its neighbour goes down and comes back, and the databases are exchanged again.
pid=$(awk '$1 == "n3" { print $2 }' "$NEWIP_RUNDIR/labs/cap/pids")
kill -TERM "$pid"
wait_until 3 sh -c "! kill -0 $pid"
setsid ip netns exec nip-cap-n3 "$NEWIPD" -c "$NEWIP_RUNDIR/labs/cap/n3.conf" \
	>>"$NEWIP_RUNDIR/labs/cap/n3.log" 2>&1 </dev/null &
reach() { "$NEWIP" -n n1 ping -q -c 1 -W 1 x0603 | grep -q '1 received'; }
check "n1 reaches n3 again after its restart" wait_until 3 reach
"$NEWIP" -n n1 ping -q -c 3 -i 0.05 x0603 >/dev/null
"$NEWIP" -n n1 trace -q 1 x0603 >/dev/null
wait "$tpid"
pkill -f "newipd -c $NEWIP_RUNDIR/labs/cap/n3.conf" || true

frames=$(tshark -r "$pcap" 2>/dev/null | wc -l)
check "frames were captured ($frames)" test "$frames" -gt 20
fields() { tshark -X "lua_script:$lua" -r "$pcap" -T fields "$@" 2>"$WORK/dissect.err"; }
expect_eq "every frame is New IP" "$frames" "$(fields -e newip.version | grep -c '^1$')"
expect_eq "no frame is malformed New IP" "" "$(fields -e newip.error | sort -u | tr -d '\n')"
expect_eq "tshark and the dissector raised no error" "" "$(grep -iv '^Running as user' "$WORK/dissect.err" || true)"
verbose=$(tshark -X "lua_script:$lua" -r "$pcap" -V 2>&1)
expect_eq "no malformed or unknown message in the decode" "" \
	"$(grep -Ei 'malformed|unknown|Lua Error' <<<"$verbose" | sort -u)"
types=$(fields -e nls.type | sort | uniq -c | awk '{ printf "%s:%s ", $2, $1 }')
for t in 1 2 3; do
	check "NLS type $t was seen and decoded ($types)" grep -q " *$t:" <<<" $types"
done
expect_eq "every NLS message names its version 2" "" "$(fields -e nls.version | grep -v '^$' | grep -v '^2$' | sort -u)"
check "hellos carry their round-trip fields" test "$(fields -Y 'nls.type == 1 && nls.echo > 0' -e nls.echo | grep -c .)" -gt 0
check "updates carry LSAs with link latencies" test "$(fields -Y 'nls.type == 2' -e nls.link.latency | grep -c .)" -gt 0
ncmp=$(fields -e newip.ncmp.type | tr ',' '\n' | sort -u | tr '\n' ' ')
expect_match "echo request, reply and hop limit exceeded were decoded" '(^| )128 129 3 |(^| )3 128 129 ' "$ncmp"
lab_down "$WORK/cap.yaml" cap
finish
