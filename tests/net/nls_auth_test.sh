#!/usr/bin/env bash
# Routing messages that cannot be forged (issue 8 item 5; docs/spec.md §9.1): with nls-auth on,
# a network of signing routers converges; an unsigned hello, one signed by a key nobody trusts,
# one with a bad signature, a stale one and a replayed one are each refused, counted and logged
# with their reason; an unauthenticated node cannot become anyone's neighbour; the old
# unsigned attacker (nip_inject's NLS mode) gets nowhere. Then x, holding a trusted key, becomes
# b's neighbour and forges LSAs for c: unsigned, signed by itself, with a bad signature, expired,
# and an older one (a replay); none is stored. Topology: tests/net/nls_auth.yaml.
source "$(dirname "$0")/lib.sh"
lab_up "$SRC/tests/net/nls_auth.yaml"
FORGE=("$NEWIP" lab exec x -- "$BUILD/tests/nip_forge" 172.16.0.1:6464 172.16.0.2:6464)
XKEY=$NEWIP_RUNDIR/labs/nlsauth/x.key
LOG=$NEWIP_RUNDIR/labs/nlsauth/b.log
stat() { jnum b stats "$1"; }
rej() { stat auth_rejected; }
stale() { [ "$(stat stale_msgs)" -gt "$1" ]; }
grows() { [ "$(rej)" -ge $(($1 + ${2:-1})) ]; }

expect_match "lab up wrote the trust anchors into each node's configuration" \
	'^trust [A-Za-z0-9+/]{43}= # c$' "$(grep '^trust' "$NEWIP_RUNDIR/labs/nlsauth/a.conf")"
out=$("$NEWIP" -n a ping -c 3 -i 0.05 x0a03)
expect_match "signed routing converges: a reaches c through b" '3 received' "$out"
expect_eq "b rejected nothing from its real neighbours" 0 "$(rej)"
expect_eq "a holds three LSAs, each signed by its origin" 3 "$("$NEWIP" -n a lsdb | grep -c '  signed$')"

for c in "unsigned:unsigned" "untrusted:untrusted key" "rid:router ID not its key's" \
	"badsig:bad signature" "stale:stale"; do
	IFS=: read -r cas why <<<"$c"
	before=$(rej)
	"${FORGE[@]}" nls "$XKEY" "$cas" || bad "forge nls $cas"
	check "a hello that is $cas is refused" wait_until 5 grows "$before"
	check "... and logged as '$why'" grep -q "link x: NLS message from x7e rejected: $why" "$LOG"
done
before=$(rej)
"${FORGE[@]}" nls "$XKEY" replay || bad "forge nls replay"
check "a replayed hello is refused (the first copy was accepted)" wait_until 5 grows "$before"
check "... and logged as replayed" grep -q "link x: NLS message from x7e rejected: replayed" "$LOG"
expect_eq "exactly one of the two copies was refused" $((before + 1)) "$(rej)"

before=$(rej)
"$NEWIP" lab exec x -- "$BUILD/tests/nip_inject" 172.16.0.1:6464 172.16.0.2:6464 nls x0a02 x0a03 1472 200 \
	>/dev/null 2>&1
check "an unsigned attacker's hellos and LSAs are all refused" wait_until 5 grows "$before" 4
expect_match "b's route to c still goes to c, not to the attacker" 'x0a03.*via c' "$("$NEWIP" -n b route)"
check "b's neighbour on link x never became two-way" \
	sh -c "'$NEWIP' -n b neigh | grep '^x ' | grep -vq two-way"
out=$("$NEWIP" -n a ping -c 3 -i 0.05 x0a03)
expect_match "and the network still works" '3 received' "$out"

# LSAs signed by their origin (§9.1): x holds a key b trusts, so it becomes b's neighbour, but
# every LSA it forges for c is refused, each for its own reason; c's own routes stand.
pk=$(pubkey "$NEWIP_RUNDIR/labs/nlsauth/c.key")
want=$(base64 -d <<<"$pk" | b2sum -l 256 | cut -c1-16)
expect_match "c's Router ID is taken from its key (BLAKE2b-256 of it, first 8 octets)" \
	"\"router_id\": \"$want\"" "$("$NEWIP" -n c -j neigh)"
if command -v tshark >/dev/null; then # the dissector shows the origin's signature trailer
	ip netns exec nip-nlsauth-b tshark -q -f 'udp port 6464' -i x -a duration:2 \
		-w "$WORK/lsa.pcap" 2>"$WORK/tshark.err" & tpid=$!
	check "tshark captures on b's link x" wait_until 5 grep -q "Capturing on" "$WORK/tshark.err"
fi
for c in "unsigned:unsigned LSA" "origin:LSA not signed by its origin" \
	"badsig:bad LSA signature" "expired:expired LSA"; do
	IFS=: read -r cas why <<<"$c"
	before=$(rej)
	out=$("${FORGE[@]}" lsa "$XKEY" c "$cas" "$NEWIP_RUNDIR/labs/nlsauth/c.key") ||
		bad "forge lsa $cas"
	read -r rid seq <<<"$out"
	check "a forged LSA for c ($cas) is refused" wait_until 5 grows "$before"
	check "... and logged as '$why'" \
		grep -q "link x: LSA of $rid (c) seq $((seq + 1)) rejected: $why" "$LOG"
	expect_match "... and b's route to c still goes to c" 'x0a03.*via c' "$("$NEWIP" -n b route)"
done
if [ -n "${tpid:-}" ]; then
	wait "$tpid"
	dec=$(tshark -X "lua_script:$SRC/tools/wireshark/newip.lua" -r "$WORK/lsa.pcap" -V 2>&1)
	expect_match "the dissector decodes signed LSAs (their origin key and signing time)" \
		'Signed At \(Unix s\): [0-9]+' "$dec"
	expect_eq "... and nothing in the capture is malformed" "" \
		"$(grep -Ei 'malformed|unknown|Lua Error' <<<"$dec" | sort -u)"
fi
before=$(stat stale_msgs)
"${FORGE[@]}" lsa "$XKEY" c old "$NEWIP_RUNDIR/labs/nlsauth/c.key" >/dev/null || bad "forge lsa old"
check "a replayed older LSA of c (validly signed) is counted as stale, not stored" \
	wait_until 5 stale "$before"
expect_match "... and b's route to c still goes to c" 'x0a03.*via c' "$("$NEWIP" -n b route)"
out=$("$NEWIP" -n a ping -c 3 -i 0.05 x0a03)
expect_match "and the network still works after the forged LSAs" '3 received' "$out"
lab_down "$SRC/tests/net/nls_auth.yaml" nlsauth
finish
