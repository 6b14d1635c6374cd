#!/usr/bin/env bash
# No islands (issue 9; docs/spec.md §12): unmodified IPv4 and IPv6 applications on two IP hosts
# talk across a three-router New IP core through TUN gateways: iputils ping and traceroute,
# curl from python3's HTTP server (10 MB, through a 1280-octet New IP link: path-MTU discovery
# for IPv4, the MSS clamp for IPv6), ssh with key authentication, iperf3 TCP and UDP both ways;
# an IPv6 host reaches an IoT host that has only a 2-octet address through g1's map (§12.4);
# and input a gateway must refuse is counted and answered as a router would.
# Topology: tests/net/gateway.yaml.
source "$(dirname "$0")/lib.sh"
for t in ping traceroute curl iperf3 ssh /usr/sbin/sshd python3; do
	command -v "$t" >/dev/null || { echo "SKIP: no $t (scripts/deps.sh installs it)"; exit 77; }
done
lab_up "$SRC/tests/net/gateway.yaml"
H1=("$NEWIP" lab exec g1-lan --)
H2=("$NEWIP" lab exec g2-lan --)
stat() { jnum "$1" stats "$2"; }
listening() { "${H2[@]}" ss -Hltn "sport = :$1" | grep -q .; }

for d in 10.2.0.2 2001:db8:2::2; do
	out=$("${H1[@]}" ping -c 3 -i 0.2 -W 2 "$d")
	expect_match "ping $d across the gateways" '3 received' "$out"
	# Six hops: the kernel and newipd of each gateway, and the two core routers.
	expect_match "... its replies have crossed six routers (TTL 64 - 6)" 'ttl=58' "$out"
done
out=$("${H1[@]}" traceroute -n -w 2 -q 1 10.2.0.2)
expect_match "traceroute names every New IP router by its IPv4 address" \
	' 2  10\.255\.0\.1 .* 3  10\.255\.0\.2 .* 4  10\.255\.0\.3 .* 5  10\.255\.0\.4 .* 7  10\.2\.0\.2 ' \
	"$(tr '\n' ' ' <<<"$out")"
out=$("${H1[@]}" traceroute -6 -n -w 2 -q 1 2001:db8:2::2)
expect_match "traceroute -6 likewise by IPv6" \
	' 3  2001:db8:ff::2 .* 4  2001:db8:ff::3 .* 7  2001:db8:2::2 ' "$(tr '\n' ' ' <<<"$out")"
out=$("${H1[@]}" traceroute -I -n -w 2 -q 1 10.2.0.2)
expect_match "traceroute -I (ICMP echo) too" ' 4  10\.255\.0\.3 .* 7  10\.2\.0\.2 ' \
	"$(tr '\n' ' ' <<<"$out")"

# HTTP: 10 MB each way of the address families, byte for byte.
head -c 10000000 /dev/urandom >"$WORK/blob"
(cd "$WORK" && exec "${H2[@]}" python3 -m http.server --bind :: 8080 >"$WORK/http.log" 2>&1) &
check "python3's HTTP server listens on g2's LAN" wait_until 10 listening 8080
before=$(stat r2 too_big)
for u in "10.2.0.2" "[2001:db8:2::2]"; do
	rm -f "$WORK/got"
	out=$("${H1[@]}" curl -s -m 30 -o "$WORK/got" -w '%{http_code} %{size_download}' "http://$u:8080/blob")
	expect_eq "curl http://$u:8080/blob: 200 and 10 MB" "200 10000000" "$out"
	check "... byte for byte" cmp -s "$WORK/blob" "$WORK/got"
done
check "the 1280-octet link's router told IPv4 senders its MTU (NCMP -> ICMP frag. needed)" \
	test "$(stat r2 too_big)" -gt "$before"
expect_match "g2's host learned the path MTU of 1280 towards g1's" 'mtu 1280' \
	"$("${H2[@]}" ip route get 10.1.0.2)"

# ssh with a key, a command run remotely.
ssh-keygen -q -t ed25519 -N '' -f "$WORK/id" && ssh-keygen -q -t ed25519 -N '' -f "$WORK/hostkey"
cp "$WORK/id.pub" "$WORK/authorized_keys"
cat >"$WORK/sshd_config" <<EOF
Port 2222
HostKey $WORK/hostkey
AuthorizedKeysFile $WORK/authorized_keys
PidFile $WORK/sshd.pid
StrictModes no
UsePAM no
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
EOF
mkdir -p /run/sshd
"${H2[@]}" /usr/sbin/sshd -f "$WORK/sshd_config" -E "$WORK/sshd.log"
check "sshd listens on g2's LAN" wait_until 10 listening 2222
SSH=(ssh -i "$WORK/id" -p 2222 -o BatchMode=yes -o StrictHostKeyChecking=no
	-o UserKnownHostsFile=/dev/null -o LogLevel=ERROR)
for d in 10.2.0.2 2001:db8:2::2; do
	out=$("${H1[@]}" "${SSH[@]}" "root@$d" 'echo "remote: $(ip -br addr show lan | tr -s " ")"')
	expect_match "ssh root@$d runs a command on g2's host" "remote: lan.*${d}/" "$out"
done
[ -f "$WORK/sshd.pid" ] && kill "$(cat "$WORK/sshd.pid")"

# iperf3: TCP and UDP, both directions, each family once.
"${H2[@]}" iperf3 -s -D -p 5201 --logfile "$WORK/iperf3.log"
check "iperf3 listens on g2's LAN" wait_until 10 listening 5201
bytes() { grep -o "\"$1\":[[:space:]]*[0-9.e+]*" | tail -1 | grep -o '[0-9.e+]*$'; }
for args in "-c 10.2.0.2" "-c 10.2.0.2 -R" "-6 -c 2001:db8:2::2" "-6 -c 2001:db8:2::2 -R"; do
	# shellcheck disable=SC2086
	out=$("${H1[@]}" iperf3 $args -p 5201 -t 1 -J)
	got=$(bytes bytes <<<"$out")
	check "iperf3 TCP $args: data arrived ($got octets)" awk "BEGIN { exit !(${got:-0} > 1000000) }"
	# shellcheck disable=SC2086
	out=$("${H1[@]}" iperf3 $args -p 5201 -t 1 -u -b 20M -l 1200 -J)
	lost=$(bytes lost_percent <<<"$out")
	check "iperf3 UDP 20 Mbit/s $args: under 5 % lost (${lost:-?} %)" \
		awk "BEGIN { exit !(\"${lost}\" != \"\" && ${lost:-100} < 5) }"
done
"${H2[@]}" pkill -f "iperf3 -s" || true
seg() { jnum "$1" stats offload_segments; }
check "g1's TUN handed over TCP super-packets and g1 cut them into segments (offload)" \
	test "$(seg g1)" -gt 0
check "... and so did g2's" test "$(seg g2)" -gt 0

# The IoT host s1 (x0b01, no IP address) from IPv6 through g1's map: 2001:db8:ee::1.
out=$("${H1[@]}" ping -6 -c 3 -i 0.2 -W 2 2001:db8:ee::1)
expect_match "ping -6 2001:db8:ee::1 reaches the 2-octet host x0b01" '3 received' "$out"
expect_match "... its replies come from the mapped address, across four routers (TTL 64 - 4)" \
	'from 2001:db8:ee::1: icmp_seq=1 ttl=60' "$out"
out=$("${H1[@]}" traceroute -6 -n -w 2 -q 1 2001:db8:ee::1)
expect_match "traceroute -6 ends at the mapped address (port unreachable from x0b01)" \
	' 4  2001:db8:ff::3 .* 5  2001:db8:ee::1 ' "$(tr '\n' ' ' <<<"$out")"
"$NEWIP" -n s1 recv -c 1 -W 10 7000 >"$WORK/iot.out" &
rpid=$!
check "a New IP application listens on s1" wait_until 5 grep -q listening "$WORK/iot.out"
"${H1[@]}" python3 "$SRC/tests/net/gw_probe.py" udp 2001:db8:ee::1 7000 hello-iot >"$WORK/ip.out" &
ppid=$!
wait $rpid
expect_match "an IPv6 UDP datagram arrives at x0b01 from the IPv6 host (checksum fixed: it verifies)" \
	'^from 2001:db8:1::2 port 40000: hello-iot$' "$(cat "$WORK/iot.out")"
"$NEWIP" -n s1 send -p 7000 2001:db8:1::2 40000 reply-from-iot
wait $ppid
expect_eq "... and x0b01's reply reaches the IPv6 socket from 2001:db8:ee::1 port 7000" \
	"2001:db8:ee::1 7000 reply-from-iot" "$(cat "$WORK/ip.out")"
before=$(stat g1 gw_spoofed)
"$NEWIP" lab exec g1 -- python3 "$SRC/tests/net/gw_probe.py" tun nip0 spoof
spoofed() { [ "$(stat g1 gw_spoofed)" -gt "$before" ]; }
check "an IP packet claiming a mapped source (2001:db8:ee::5) is dropped and counted" \
	wait_until 5 spoofed

# Input a gateway must refuse: counted, and answered as a router would.
before_x=$(stat g1 gw_untranslatable)
out=$("${H1[@]}" python3 "$SRC/tests/net/gw_probe.py" refused 2001:db8:2::2)
expect_eq "an IPv6 hop-by-hop header is refused with ICMPv6 parameter problem, next header" \
	"4/1 pointer 6" "$out"
out=$("${H1[@]}" python3 "$SRC/tests/net/gw_probe.py" refused 10.2.0.2)
expect_eq "IPv4 carrying New IP's NCMP (253) is refused with protocol unreachable" "3/2 pointer 0" \
	"$out"
check "... and both were counted as untranslatable" test "$(stat g1 gw_untranslatable)" -ge $((before_x + 2))
for c in notip:gw_not_ip badsum:gw_bad_ip; do
	IFS=: read -r cas ctr <<<"$c"
	before=$(stat g1 "$ctr")
	"$NEWIP" lab exec g1 -- python3 "$SRC/tests/net/gw_probe.py" tun nip0 "$cas"
	grown() { [ "$(stat g1 "$ctr")" -gt "$before" ]; }
	check "a $cas packet in the TUN is dropped and counted as $ctr" wait_until 5 grown
done
out=$("${H1[@]}" ping -c 1 -W 2 10.2.0.2)
expect_match "and the gateway still forwards" '1 received' "$out"
lab_down "$SRC/tests/net/gateway.yaml" gw
finish
