#!/usr/bin/env bash
# Data-plane workers (newipd.conf(5) workers, dataplane/workers.c) in real namespaces: eight
# flows (newip perf -P 8, one Flow Label each) cross two routers whose links two workers read,
# over Ethernet (a PACKET_FANOUT group) and UDP on IPv6 and IPv4 (SO_REUSEPORT groups), and
# not one packet of any flow is reordered; both of r's workers forward a share; s's second
# worker hands what leaves on its paced link to worker 0 (one scheduling owner per link); r
# sends the flows to s from several of its link's four ports (ports 4), each flow from one; a
# shared udp socket, which is not connected, drops and counts a datagram from a foreign port
# (one past the peer's four, too);
# the counters of all workers add up in newip stats; bad 'workers' values are refused.
source "$(dirname "$0")/lib.sh"
topo=$SRC/tests/net/workers.yaml
trap 'kill ${srv:-} 2>/dev/null; cleanup' EXIT

lab_up "$topo"
logs=$NEWIP_RUNDIR/labs/workers
expect_match "r starts two workers" "^newipd r: up, 2 links, 2 data-plane workers," "$(cat "$logs/r.log")"
expect_match "b starts one" "^newipd b: up, 1 links, 1 data-plane worker," "$(cat "$logs/b.log")"
wshare() { # NODE WORKER FIELD: that worker's counter
	"$NEWIP" -n "$1" -j stats | python3 -c "import json, sys
print(json.load(sys.stdin)['workers'][int(sys.argv[1])][sys.argv[2]])" "$2" "$3"
}
expect_eq "newip link: r's eth link is shared by 2 workers" 2 \
	"$("$NEWIP" -n r -j link | python3 -c "import json, sys
print(next(l.get('workers', 1) for l in json.load(sys.stdin)['links'] if l['name'] == 'a'))")"
# GRO would steer a whole run by its first packet's flow: a udp link two workers read has none
# (GSO still sends runs); b's, read by one, has it.
expect_match "r's udp link, read by 2 workers, has GSO but no GRO" '^    offload: gso on, gro off' \
	"$("$NEWIP" -n r link | sed -n '/^s:/,$p')"
expect_match "b's udp link, read by 1, has both" '^    offload: gso on, gro on' "$("$NEWIP" -n b link)"

expect_match "the lab wrote 'ports 4' on both ends of the r-s link" '^link s udp .* ports 4' \
	"$(grep '^link s ' "$NEWIP_RUNDIR/labs/workers/r.conf")"
expect_match "newip link: s's link to r has 4 ports" '^r: udp mtu [0-9]* local .* 4 ports each$' \
	"$("$NEWIP" -n s link)"
# s counts what arrives from each of r's four ports over IPv6 (nftables, in s's namespace)
ip netns exec nip-workers-s nft -f - <<'NFT'
table inet ports {
	chain in {
		type filter hook input priority 0;
		meta nfproto ipv6 udp sport 6464 counter
		meta nfproto ipv6 udp sport 6465 counter
		meta nfproto ipv6 udp sport 6466 counter
		meta nfproto ipv6 udp sport 6467 counter
	}
}
NFT
"$NEWIP" -n b perf -s >"$WORK/srv.out" 2>&1 & srv=$!
wait_until 5 grep -q "perf server" "$WORK/srv.out"
"$NEWIP" -n a perf x04 -P 8 --rate 4m --size 200 --time 2 --json >"$WORK/perf.json" ||
	bad "newip perf a -> b"
python3 - "$WORK/perf.json" <<'PY' || bad "perf: every flow in order, nothing lost"
import json, sys
flows = json.load(open(sys.argv[1]))["flows"]
ok = len(flows) == 8
for f in flows:
    print("figure: flow %d sent %d received %d lost %d reordered %d"
          % (f["flow"], f["sent"], f["received"], f["lost"], f["reordered"]))
    ok &= f["reordered"] == 0 and f["received"] > 0 and f["lost"] <= f["sent"] // 100
sys.exit(0 if ok else 1)
PY
echo "ok - 8 flows through r and s: none reordered, under 1 % lost"
counts=$(ip netns exec nip-workers-s nft list table inet ports | sed -n 's/.*udp sport \([0-9]*\) counter packets \([0-9]*\).*/\1:\2/p')
echo "figure: packets s received from r's ports: $(echo $counts)"
busy=$(for c in $counts; do [ "${c#*:}" -gt 100 ] && echo "$c"; done | wc -l)
check "the 8 flows came from more than one of r's ports ($busy busy)" test "$busy" -ge 2
for w in 0 1; do
	fw=$(wshare r $w forwarded)
	echo "figure: r worker $w forwarded $fw, handed off $(wshare r $w handed_off)"
	check "r's worker $w forwarded a share of the flows ($fw)" test "${fw:-0}" -gt 100
done
ho=$(wshare s 1 handed_off)
check "s's worker 1 handed its flows for the paced link to worker 0 ($ho)" test "${ho:-0}" -gt 100
expect_eq "... and worker 1 forwarded none of them itself" 0 "$(wshare s 1 forwarded)"
expect_eq "nothing was lost in the hand-over" 0 "$(jnum s stats handoff)"
sum=$(( $(wshare r 0 forwarded) + $(wshare r 1 forwarded) ))
expect_eq "newip stats: r's forwarded is both workers' together" "$sum" \
	"$("$NEWIP" -n r -j stats | python3 -c "import json, sys; print(json.load(sys.stdin)['forwarded'])")"

# A datagram to s's shared udp socket from r's address but another port: not the peer's.
local_of() { # NODE LINK: the link's local underlay address
	"$NEWIP" -n "$1" -j link | python3 -c "import json, sys
print(next(l['local'] for l in json.load(sys.stdin)['links'] if l['name'] == sys.argv[1]))" "$2"
}
sl=$(local_of s r) rl=$(local_of r s)
before=$(jnum s stats underlay)
foreign() { # PORT: 5 datagrams to s's link from r's underlay address and PORT
	ip netns exec nip-workers-r python3 -c "
import socket, sys
h, p = sys.argv[1].rsplit(':', 1)
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.bind((sys.argv[2].rsplit(':', 1)[0].strip('[]'), int(sys.argv[3])))
for _ in range(5): s.sendto(b'x' * 48, (h.strip('[]'), int(p)))" "$sl" "$rl" "$1"
}
foreign 7000
under() { test "$(jnum s stats underlay)" -eq $((${before:-0} + 5)); }
check "5 datagrams from another port are dropped as underlay" wait_until 3 under
# and from the port just past r's four (6464 + 4): not the peer's either
before=$(jnum s stats underlay)
foreign $(( ${rl##*:} + 4 ))
check "5 datagrams from r's port + 4 are dropped as underlay" wait_until 3 under
check "a still reaches b" sh -c "'$NEWIP' -n a ping -q -c 5 -i 0.05 -W 2 x04 | grep -q ' 5 received'"
lab_down "$topo" workers

# Bad values: one line naming the file and line, exit 1.
conf=$WORK/w.conf
for v in 0 17 many; do
	printf 'node w\naddress x09\nworkers %s\n' "$v" >"$conf"
	out=$("$BUILD/newipd" -n -c "$conf" 2>&1); rc=$?
	expect_eq "workers $v: exit 1" 1 "$rc"
	expect_match "workers $v: the line and the fix" "w.conf:3: 'workers' takes auto" "$out"
done
printf 'node w\naddress x09\n' >"$conf"
out=$(NEWIPD_WORKERS=lots "$BUILD/newipd" -n -c "$conf" 2>&1); rc=$?
expect_eq "NEWIPD_WORKERS=lots: exit 1" 1 "$rc"
expect_match "... named" "NEWIPD_WORKERS is 'lots'" "$out"
expect_match "workers auto is the default" "^workers auto$" "$("$BUILD/newipd" -n -c "$conf")"
finish
