#!/usr/bin/env bash
# 10,000 malformed packets (mutated, truncated, noise; each one checked to fail the parser)
# injected into a running router while valid traffic crosses it. The router keeps forwarding,
# and its drop counters account for every bad packet, error by error.
source "$(dirname "$0")/lib.sh"
topo=$SRC/tests/net/inject.yaml
lab_up "$topo"
count=${NIP_INJECT_COUNT:-10000}

"$NEWIP" -n h1 ping -q -c 200 -i 0.01 -W 2 x0a02 >"$WORK/ping.out" &
ppid=$!
# x's underlay end of link 2 is 172.16.0.9, r's is 172.16.0.10 (the lab's /30 per link).
"$NEWIP" lab exec x -- "$BUILD/tests/nip_inject" 172.16.0.9:6464 172.16.0.10:6464 \
	"$NEWIP_RUNDIR/r/ctl.sock" junk "$count" 42 >"$WORK/inject.out"
expect_eq "injector sent them all" 0 $?
wait $ppid
expect_match "valid traffic kept flowing during the injection" '200 received, 0% packet loss' \
	"$(cat "$WORK/ping.out")"
expect_match "injected $count" "^injected $count\$" "$(cat "$WORK/inject.out")"

stats=$("$NEWIP" -n r -j stats)
expect_eq "r counted every one as malformed" "$count" "$(json_get r stats malformed)"
while IFS='=' read -r err n; do
	got=$(sed -n "s/^ *\"${err#malformed }\": \\([0-9]*\\),\\{0,1\\}\$/\\1/p" <<<"$stats")
	expect_eq "r's count of '${err#malformed }'" "$n" "$got"
done < <(grep '^malformed ' "$WORK/inject.out")
out=$("$NEWIP" -n h1 ping -c 3 -i 0.05 x0a02)
expect_match "r still forwards afterwards" '3 received' "$out"
check "r is still alive" pgrep -f "newipd -c $NEWIP_RUNDIR/labs/inject/r.conf"

# A well-formed packet with an unknown must-understand clause, "from" h1 port 5555: r must
# answer h1 with parameter problem, code 2, pointing at the clause; h1 hands it to the app.
"$NEWIP" -n h1 recv -c 1 -W 5 5555 >"$WORK/recv.out" &
rpid=$!
wait_until 5 grep -q listening "$WORK/recv.out"
out=$("$NEWIP" lab exec x -- "$BUILD/tests/nip_inject" 172.16.0.9:6464 172.16.0.10:6464 craft \
	x0a01 x0a02 5555)
ptr=$(sed -n 's/.*clause at offset \([0-9]*\)$/\1/p' <<<"$out")
wait $rpid
expect_match "parameter problem reaches the sender's application, pointing at the clause" \
	"^error from x0a00: parameter problem \(unrecognised must-understand item, pointer $ptr\)\$" \
	"$(cat "$WORK/recv.out")"

# Routing messages: x poses as r's neighbour, then sends 500 garbage NLS messages, a replayed
# (stale) LSA of h1 and a corrupt one. r counts them, keeps h1's real LSA, and keeps routing.
h1_seq() { "$NEWIP" -n r -j lsdb | tr -d ' \n' | grep -o '"name":"h1","seq":[0-9]*' | grep -o '[0-9]*$'; }
seq0=$(h1_seq)
bad0=$(json_get r stats malformed_msgs); stale0=$(json_get r stats stale_msgs)
busy0=$(json_get r stats control_busy)
"$NEWIP" lab exec x -- "$BUILD/tests/nip_inject" 172.16.0.9:6464 172.16.0.10:6464 nls x0a00 \
	x0a01 1472 500 >"$WORK/nls.out"
expect_match "the injector sent its routing garbage" '^nls: 500 garbage' "$(cat "$WORK/nls.out")"
expect_match "the injector had become r's two-way neighbour (so the replay was judged)" \
	'^junk +two-way' "$("$NEWIP" -n r neigh)"
bad_counted() { test $(($(json_get r stats malformed_msgs) - bad0)) -ge 250; }
check "r counted the malformed routing messages" wait_until 3 bad_counted
expect_eq "no routing message was dropped for a full control queue" "$busy0" \
	"$(json_get r stats control_busy)"
stale_counted() { test $(($(json_get r stats stale_msgs) - stale0)) -ge 1; }
check "r counted the replayed LSA as stale" wait_until 3 stale_counted
expect_eq "r kept h1's real LSA (sequence unchanged)" "$seq0" "$(h1_seq)"
out=$("$NEWIP" -n h1 ping -c 3 -i 0.05 x0a02)
expect_match "r still routes h1 to h2" '3 received' "$out"

lab_down "$topo" inject
finish
