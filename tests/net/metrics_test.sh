#!/usr/bin/env bash
# The Prometheus endpoint (metrics-listen): a scrape from a running lab passes Debian's
# `promtool check metrics` and says what `newip` says; a bad value and a port in use are
# one-line errors with exit status 2.
#   a x0701 --eth, paced 10 Mbit/s-- b x0702
source "$(dirname "$0")/lib.sh"
command -v promtool >/dev/null || { echo "SKIP: no promtool (apt-get install prometheus)"; exit 77; }

printf 'node m\naddress x09\nmetrics-listen nope\n' >"$WORK/bad.conf"
out=$("$NEWIPD" -n -c "$WORK/bad.conf" 2>&1); rc=$?
expect_eq "a bad metrics-listen: exit 2" 2 "$rc"
expect_match "... in one line that says what to write" "^newipd m: metrics-listen 'nope' is not IP:PORT; write e.g. 127.0.0.1:9464 or \[::1\]:9464$" "$out"

cat >"$WORK/m.yaml" <<'YAML'
name: mt
nodes:
  a: {addresses: [x0701], config: [metrics-listen 127.0.0.1:9464]}
  b: {addresses: [x0702]}
links:
  - {endpoints: [a:r, b:l], kind: eth, rate: 10mbit}
YAML
lab_up "$WORK/m.yaml"
"$NEWIP" -n a ping -q -c 5 -i 0.02 x0702 >/dev/null
scrape() { ip netns exec nip-mt-a curl -sf http://127.0.0.1:9464/metrics; }
check "GET /metrics answers" scrape
scrape >"$WORK/m.txt"
out=$(promtool check metrics <"$WORK/m.txt" 2>&1); rc=$?
expect_eq "promtool check metrics: no problem found (exit 0)" "0:" "$rc:$out"
m() { sed -n "s/^$1 \([0-9.e+-]*\)$/\1/p" "$WORK/m.txt"; }
check "the link counted the echoes it sent" test "$(m 'newip_link_transmit_packets_total{link="r"}')" -ge 5
expect_eq "drops are labelled by reason, one series each" "$(grep -c '^newip_dropped_packets_total{reason=' "$WORK/m.txt")" \
	"$("$NEWIP" -n a -j stats | tr -d ' \n' | grep -o '"drops":{[^}]*}' | tr ',' '\n' | grep -c ':')"
expect_eq "the routing neighbour is two-way" 1 "$(m 'newip_routing_neighbours{state="two-way"}')"
check "the paced link's Classic queue has a sojourn histogram with the echoes" \
	test "$(m 'newip_queue_sojourn_seconds_count{link="r",class="classic"}')" -ge 5
expect_eq "... whose +Inf bucket is its count" "$(m 'newip_queue_sojourn_seconds_count{link="r",class="classic"}')" \
	"$(m 'newip_queue_sojourn_seconds_bucket{link="r",class="classic",le="+Inf"}')"
check "the latency estimate is in seconds (under 10 ms on a veth)" \
	awk -v v="$(m 'newip_link_latency_seconds{link="r"}')" 'BEGIN { exit !(v > 0 && v < 0.01) }'
code=$(ip netns exec nip-mt-a curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:9464/other)
expect_eq "another path is 404" 404 "$code"

# A second node in a's namespace cannot have the same port.
printf 'node m2\naddress x08\nrundir %s\nmetrics-listen 127.0.0.1:9464\n' "$NEWIP_RUNDIR" >"$WORK/m2.conf"
out=$(ip netns exec nip-mt-a "$NEWIPD" -c "$WORK/m2.conf" 2>&1); rc=$?
expect_eq "a port in use: exit 2" 2 "$rc"
expect_match "... in one line naming it" '^newipd m2: metrics-listen 127.0.0.1:9464: Address already in use$' "$out"
check "... and it left no run directory" test ! -e "$NEWIP_RUNDIR/m2"
lab_down "$WORK/m.yaml" mt
finish
