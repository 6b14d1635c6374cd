#!/usr/bin/env bash
# Routing messages that cannot be forged (issue 8 item 5; docs/spec.md §9.1): with nls-auth on,
# a network of signing routers converges; an unsigned hello, one signed by a key nobody trusts,
# one with a bad signature, a stale one and a replayed one are each refused, counted and logged
# with their reason; an unauthenticated node cannot become anyone's neighbour; the old
# unsigned attacker (nip_inject's NLS mode) gets nowhere. Topology: tests/net/nls_auth.yaml.
source "$(dirname "$0")/lib.sh"
lab_up "$SRC/tests/net/nls_auth.yaml"
FORGE=("$NEWIP" lab exec x -- "$BUILD/tests/nip_forge" 172.16.0.1:6464 172.16.0.2:6464)
XKEY=$NEWIP_RUNDIR/labs/nlsauth/x.key
LOG=$NEWIP_RUNDIR/labs/nlsauth/b.log
rej() { "$NEWIP" -n b -j stats | tr -d ' \n' | grep -o '"auth_rejected":[0-9]*' | cut -d: -f2; }
grows() { [ "$(rej)" -ge $(($1 + ${2:-1})) ]; }

expect_match "lab up wrote the trust anchors into each node's configuration" \
	'^trust [A-Za-z0-9+/]{43}= # c$' "$(grep '^trust' "$NEWIP_RUNDIR/labs/nlsauth/a.conf")"
out=$("$NEWIP" -n a ping -c 3 -i 0.05 x0a03)
expect_match "signed routing converges: a reaches c through b" '3 received' "$out"
expect_eq "b rejected nothing from its real neighbours" 0 "$(rej)"

for c in "unsigned:unsigned" "untrusted:untrusted key" "badsig:bad signature" "stale:stale"; do
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
lab_down "$SRC/tests/net/nls_auth.yaml" nlsauth
finish
