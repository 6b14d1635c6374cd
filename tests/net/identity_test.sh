#!/usr/bin/env bash
# Node identities (docs/spec.md §4.3; issue 8, first part): `newip key gen|show`, newipd's
# `key FILE` and `address auto PREFIX`, and a lab whose nodes get keys and self-certifying
# addresses and reach each other by them:
#   a (auto 2001:db8:a::) --eth-- b (auto 2001:db8:b::, and x0b)
# The secret never shows: not in any output, log or JSON.
source "$(dirname "$0")/lib.sh"
K=$WORK/k.key
check "newip key gen writes a key" "$NEWIP" key gen "$K"
expect_eq "... mode 0600" 600 "$(stat -c %a "$K")"
secret=$(cat "$K")
out=$("$NEWIP" key gen "$K" 2>&1); rc=$?
expect_eq "it never overwrites a key (exit 2)" 2 "$rc"
expect_match "... and says why" 'File exists \(a key is never overwritten: remove it first\)' "$out"
show=$("$NEWIP" key show "$K" 2001:db8:1:2::)
expect_match "key show: the public key" '^public-key  [A-Za-z0-9+/]{43}=$' "$show"
addr=$(sed -n 's/^address     //p' <<<"$show")
expect_match "key show: the address is the prefix and a 16-octet identifier" '^x2001\.0db8\.0001\.0002(\.[0-9a-f]{4}){12}$' "$addr"
printf 'node n\nkey %s\naddress auto 2001:db8:1:2::\n' "$K" >"$WORK/n.conf"
expect_match "newipd makes the same address from 'address auto'" "^address auto 2001:db8:1:2:: # $addr\$" \
	"$("$NEWIPD" -n -c "$WORK/n.conf")"
chmod 644 "$K"
out=$("$NEWIP" key show "$K" 2>&1); rc=$?
expect_eq "a key others may read is refused (exit 2)" 2 "$rc"
expect_match "... with the fix" "readable by others \(mode 0644\); run: chmod 600 $K" "$out"
out=$("$NEWIPD" -n -c "$WORK/n.conf" 2>&1); rc=$?
expect_eq "newipd refuses it too (exit 1)" 1 "$rc"
expect_match "... naming file and line" "n.conf:2: key $K is readable by others" "$out"
chmod 600 "$K"
printf 'node n\naddress auto 2001:db8:1:2::\n' >"$WORK/nokey.conf"
expect_match "'address auto' without a key: file, line, fix" "nokey.conf:2: 'address auto' needs the node's key: add 'key FILE'" \
	"$("$NEWIPD" -n -c "$WORK/nokey.conf" 2>&1)"
printf 'node n\nkey %s\nkey %s\naddress x01\n' "$K" "$K" >"$WORK/twice.conf"
expect_match "one key per node" "twice.conf:3: 'key' given twice" "$("$NEWIPD" -n -c "$WORK/twice.conf" 2>&1)"
printf 'node n\nkey %s\naddress auto x0a01\n' "$K" >"$WORK/short.conf"
expect_match "a prefix must have 16 octets" "short.conf:3: 'address auto' takes a 16-octet routing prefix" \
	"$("$NEWIPD" -n -c "$WORK/short.conf" 2>&1)"

cat >"$WORK/id.yaml" <<'YAML'
name: id
nodes:
  a: {key: auto, addresses: ["auto 2001:db8:a::"]}
  b: {key: auto, addresses: ["auto 2001:db8:b::", x0b]}
links:
  - {endpoints: [a:r, b:l], kind: eth}
YAML
lab_up "$WORK/id.yaml"
expect_eq "lab up made each node a key, mode 0600" "600 600" \
	"$(stat -c %a "$NEWIP_RUNDIR/labs/id/a.key" "$NEWIP_RUNDIR/labs/id/b.key" | xargs)"
ab=$("$NEWIP" -n b addr | head -n 1)
expect_match "b's first address is self-certifying under its prefix" '^x2001\.0db8\.000b\.0000' "$ab"
expect_eq "... and is what its key makes" "$ab" \
	"$("$NEWIP" key show "$NEWIP_RUNDIR/labs/id/b.key" 2001:db8:b:: | sed -n 's/^address     //p')"
out=$("$NEWIP" -n a ping -c 2 -i 0.05 "$ab")
expect_match "a reaches b at its 32-octet self-certifying address" '2 received' "$out"
for n in a b; do
	s=$(cat "$NEWIP_RUNDIR/labs/id/$n.key")
	all=$(cat "$NEWIP_RUNDIR/labs/id/$n.log"; for c in status stats link route lsdb neigh; do "$NEWIP" -n "$n" -j "$c"; done)
	check "$n's key is in no log and no JSON answer" test "$(grep -cF "$s" <<<"$all")" -eq 0
done
lab_down "$WORK/id.yaml" id
check "the first key appeared in no output either" test "$(grep -cF "$secret" <<<"$show")" -eq 0
finish
