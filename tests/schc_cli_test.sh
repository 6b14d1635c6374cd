#!/bin/bash
# newip schc against OpenSCHC's samples: the same HEX/BITS out, the packet back, and clear
# errors with exit status 1 (2 for usage).
set -u
NEWIP=$1 V=$2/tests/vectors/openschc
fail() { echo "FAIL: $*"; exit 1; }
for f in "$V"/0*.txt; do
	n=$(basename "$f" .txt)
	out=$("$NEWIP" schc compress --rules "$V/rules.json" --rule "$n" < "$V/packet.hex") || fail "$n: compress"
	[ "$out" = "$(cat "$f")" ] || fail "$n: $out != $(cat "$f")"
	back=$("$NEWIP" schc decompress --rules "$V/rules.json" --rule "$n" "$out") || fail "$n: decompress"
	case $n in 01*|02*) [ "$back" = "$(cat "$V/packet.hex")" ] || fail "$n: not the packet back" ;;
	*) [ ${#back} -eq 194 ] || fail "$n: ${#back} hex digits back" ;; esac
done
err=$("$NEWIP" schc compress --rules "$V/rules.json" 00 2>&1); rc=$?
[ $rc -eq 1 ] && [[ $err == *"rule 2: a second NoCompression rule (rule 1 is one)"* ]] || fail "whole sample file: $rc $err"
err=$("$NEWIP" schc compress --rules "$V/rules.json" --rule nope 00 2>&1); rc=$?
[ $rc -eq 1 ] && [[ $err == *'no rule named "nope"'* ]] || fail "unknown rule: $rc $err"
err=$("$NEWIP" schc decompress --rules "$V/rules.json" --rule 03-IPv6-UDP-full-compression 0851/40 2>&1); rc=$?
[ $rc -eq 1 ] && [[ $err == *"not HEX or HEX/BITS"* ]] || fail "bad bit length: $rc $err"
err=$("$NEWIP" schc decompress --rules "$V/rules.json" --rule 04-IPv6-UDP-all-CDA 0811/12 2>&1); rc=$?
[ $rc -eq 1 ] && [[ $err == *"past the end"* ]] || fail "short residue: $rc $err"
"$NEWIP" schc frobnicate --rules x 2>/dev/null; [ $? -eq 2 ] || fail "usage exit status"
echo "newip schc: 4 samples identical, errors clear"
