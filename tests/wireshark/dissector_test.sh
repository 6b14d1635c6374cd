#!/usr/bin/env bash
# Runs Debian's tshark with tools/wireshark/newip.lua over pcaps of every test vector, once over
# the UDP overlay (port 6464) and once over raw Ethernet (EtherType 0x88B5), and checks that the
# dissector decodes each valid vector to exactly the fields the vector states, and each
# malformed one to the stated error and offset (docs/spec.md §7).
set -euo pipefail

src=${1:-$(cd "$(dirname "$0")/../.." && pwd)}
lua=$src/tools/wireshark/newip.lua
vectors=("$src"/docs/vectors/*.vec)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

command -v tshark >/dev/null || { echo "tshark not installed (scripts/deps.sh)" >&2; exit 1; }

# text2pcap input: one packet per vector, bytes as "offset hex hex ...".
for v in "${vectors[@]}"; do
	grep '^hex: ' "$v" | cut -c6- | sed 's/../& /g' | awk '{ print "000000 " $0 }'
done >"$work/all.txt"

# Every field name any vector mentions, plus the error fields.
{
	grep -h '^field: ' "${vectors[@]}" | sed 's/^field: //; s/=.*//'
	echo error
	echo error_off
} | awk '!seen[$0]++' >"$work/names"
mapfile -t names <"$work/names"
args=()
for n in "${names[@]}"; do args+=(-e "newip.$n"); done

fail=0
check_carrier() {
	local carrier=$1 pcap=$work/$1.pcap out=$work/$1.out
	shift
	text2pcap -q "$@" "$work/all.txt" "$pcap" >/dev/null
	tshark -X "lua_script:$lua" -r "$pcap" -T fields -E separator='|' -E occurrence=a \
		-E aggregator=, "${args[@]}" >"$out" 2>"$work/$carrier.err"
	if grep -qi 'lua\|error' "$work/$carrier.err"; then
		echo "$carrier: tshark reported: $(cat "$work/$carrier.err")" >&2
		fail=1
	fi
	local frames
	frames=$(wc -l <"$out")
	if [ "$frames" -ne "${#vectors[@]}" ]; then
		echo "$carrier: $frames frames decoded, ${#vectors[@]} vectors" >&2
		fail=1
		return
	fi
	local i=0 checked=0
	while IFS= read -r line; do
		local v=${vectors[$i]} name
		name=$(basename "$v")
		IFS='|' read -r -a got <<<"$line|"
		declare -A have=()
		for k in "${!names[@]}"; do have[${names[$k]}]=${got[$k]:-}; done
		# expected name=value pairs for this vector
		local expect
		expect=$(grep '^field: ' "$v" | sed 's/^field: //' || true)
		if [ "$carrier" = eth ] && grep -q '^error: truncated' "$v"; then
			# Ethernet pads frames to 60 octets: a truncated packet arrives with padding
			# in place of its missing octets (spec §3.2), so this rule is UDP-only.
			i=$((i + 1))
			continue
		elif grep -q '^error: ' "$v"; then
			expect="error=$(sed -n 's/^error: //p' "$v")
error_off=$(sed -n 's/^offset: //p' "$v")"
		elif [ -n "${have[error]}" ]; then
			echo "$carrier $name: dissector says malformed: ${have[error]}" >&2
			fail=1
		fi
		while IFS= read -r kv; do
			local key=${kv%%=*} want=${kv#*=}
			if [ "${have[$key]}" != "$want" ]; then
				echo "$carrier $name: newip.$key = '${have[$key]}', want '$want'" >&2
				fail=1
			fi
			checked=$((checked + 1))
		done <<<"$expect"
		unset have
		i=$((i + 1))
	done <"$out"
	echo "$carrier: ${#vectors[@]} vectors, $checked field values compared"
}

check_carrier udp -4 192.0.2.1,192.0.2.2 -u 40000,6464
check_carrier eth -e 0x88b5

# The per-hop contract state (spec §10) at a glance: the computed slack (Max - Accumulated
# Latency) and the block's summary, for the in-time vector (0 of 20000 us, 0 hops).
i09=$(printf '%s\n' "${vectors[@]}" | grep -n '/09-contract-in-time.vec$' | cut -d: -f1)
got=$(tshark -X "lua_script:$lua" -r "$work/udp.pcap" -Y "frame.number == $i09" -T fields \
	-e newip.contract.slack 2>/dev/null)
got="$got|$(tshark -X "lua_script:$lua" -r "$work/udp.pcap" -Y "frame.number == $i09" -V 2>/dev/null |
	grep -o 'Contract Block: [0-9a-f]*: 0 hops updated, 0 us of 20000 us' || true)"
if [ "$got" != "20000|Contract Block: 1100000000008109000000000000004e20: 0 hops updated, 0 us of 20000 us" ]; then
	echo "contract summary: got '$got'" >&2
	fail=1
else
	echo "contract summary: slack and block summary as expected"
fi
# Keyed link frames (spec §1.1) on the same port: a data frame around vector 01 (its New IP
# fields must decode through the frame), a keepalive, an initiation, and one with Reserved set.
v01=$(sed -n 's/^hex: //p' "$src/docs/vectors/01-ipv4-udp.vec")
tag=00112233445566778899aabbccddeeff
{
	echo "a3000000 0001002a 0000000000000007 $v01 $tag"
	echo "a3000000 0001002a 0000000000000008 $tag"
	echo "a1000000 12345678 $(printf '11%.0s' {1..32}) $(printf '22%.0s' {1..32}) 0000000000000001 $tag"
	echo "a3010000 0001002a 0000000000000009 $tag"
} | tr -d ' ' | sed 's/../& /g' | awk '{ print "000000 " $0 }' >"$work/kl.txt"
text2pcap -q -4 192.0.2.1,192.0.2.2 -u 40000,6464 "$work/kl.txt" "$work/kl.pcap" >/dev/null
got=$(tshark -X "lua_script:$lua" -r "$work/kl.pcap" -T fields -E separator='|' \
	-e newiplink.type -e newiplink.receiver -e newiplink.counter -e newiplink.keepalive \
	-e newiplink.sender -e newip.src -e newip.dst -e _ws.expert.message 2>/dev/null | tr '\n' ';')
want="0xa3|0x0001002a|7|||192.0.2.1|198.51.100.7|;0xa3|0x0001002a|8|1||||;0xa1||||0x12345678|||;0xa3|||||||length or Reserved does not fit the type;"
if [ "$got" != "$want" ]; then
	printf 'keyed frames: got  %s\n              want %s\n' "$got" "$want" >&2
	fail=1
else
	echo "keyed link frames: data (with the packet inside), keepalive, initiation, malformed"
fi
[ "$fail" -eq 0 ] && echo "dissector: all vectors decode as stated"
exit "$fail"
