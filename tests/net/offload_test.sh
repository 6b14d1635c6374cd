#!/usr/bin/env bash
# UDP GSO and GRO on udp links (newipd.conf(5) offload, dataplane/udp_gro.c) in real
# namespaces (tests/net/offload.yaml): a's newipd sends bursts as runs (GSO), r's socket takes
# each run whole (GRO) and r cuts it into the packets sent; over the link with 'offload off'
# both ends send and read datagram by datagram. A perf flow each way arrives whole and in
# order, r drops nothing, and newip link says which link does what.
source "$(dirname "$0")/lib.sh"
topo=$SRC/tests/net/offload.yaml
lab_up "$topo"

expect_match "the lab wrote 'offload off' on both ends of the r-b link" \
	'^link r udp .* offload off' "$(grep '^link r ' "$NEWIP_RUNDIR/labs/offload/b.conf")"
expect_match "r: its link to a reads runs (gro on) and sends them (gso on)" \
	'^    offload: gso on, gro on' "$("$NEWIP" -n r link | sed -n '/^a:/,/^b:/p')"
expect_match "r: its link to b does neither" \
	'^    offload: gso off, gro off \(0 runs read\)' "$("$NEWIP" -n r link | sed -n '/^b:/,$p')"

runs() { # NODE LINK: the GRO runs the node's link read
	"$NEWIP" -n "$1" -j link | python3 -c "import json, sys
print(next(l['offload']['gro_runs'] for l in json.load(sys.stdin)['links'] if l['name'] == sys.argv[1]))" "$2"
}
# perf FROM TO_NODE TO_ADDR: a 1 s flow at 20 Mbit/s of 1000-octet payloads; its summary line
perf() {
	"$NEWIP" -n "$2" perf -s >"$WORK/perf-$2.log" 2>&1 & local spid=$!
	wait_until 5 grep -q "perf server on" "$WORK/perf-$2.log"
	"$NEWIP" -n "$1" perf "$3" --rate 20mbit --size 1000 --time 1 | grep '^flow 0:'
	kill "$spid" 2>/dev/null
	wait "$spid" 2>/dev/null
}
# sent N, received M, lost L (...), reordered R: all of it (99 % when the machine is busy: a
# perf server's socket may overflow; lost in newipd would show in its drop counters), in order
arrived() {
	local sent got reo
	sent=$(sed -n 's/.*sent \([0-9]*\),.*/\1/p' <<<"$1")
	got=$(sed -n 's/.*received \([0-9]*\),.*/\1/p' <<<"$1")
	reo=$(sed -n 's/.*reordered \([0-9]*\).*/\1/p' <<<"$1")
	[ "${sent:-0}" -gt 2000 ] && [ $((got * 100)) -ge $((sent * 99)) ] && [ "$reo" = 0 ]
}
drops() { # NODE: the sum of its drop counters
	"$NEWIP" -n "$1" -j stats | python3 -c "import json, sys
print(sum(json.load(sys.stdin)['drops'].values()))"
}

out=$(perf a b x03)
check "a -> b: the flow arrived whole and in order ($out)" arrived "$out"
check "r read a's bursts as GRO runs ($(runs r a))" test "$(runs r a)" -gt 0
expect_eq "... and none on the link without offload" 0 "$(runs r b)"
expect_eq "... nor did b" 0 "$(runs b r)"
out=$(perf b a x01)
check "b -> a: the flow arrived whole and in order ($out)" arrived "$out"
check "a read r's bursts as GRO runs ($(runs a r))" test "$(runs a r)" -gt 0
expect_eq "r dropped nothing" 0 "$(drops r)"
lab_down "$topo" offload
finish
