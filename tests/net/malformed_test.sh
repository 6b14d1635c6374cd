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

lab_down "$topo" inject
finish
