#!/usr/bin/env bash
# Run each libFuzzer target for a bounded time, seeded from docs/vectors/, and report how many
# executions each made. Usage: fuzz.sh BUILD_DIR SECONDS [RUNS]. Any finding fails the run and
# is kept in BUILD_DIR/findings/ (turn it into a regression vector).
set -euo pipefail

build=$1 secs=$2 runs=${3:-0}
src=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$build/findings" "$build/corpus/packet" "$build/corpus/addr" "$build/corpus/nls" \
	"$build/corpus/perf" "$build/corpus/guard" "$build/corpus/xlat"

# Seeds: every vector's bytes for the packet parser; address and prefix texts for the other.
for v in "$src"/docs/vectors/*.vec; do
	grep '^hex: ' "$v" | cut -c6- | xxd -r -p >"$build/corpus/packet/$(basename "$v" .vec)"
	cp "$build/corpus/packet/$(basename "$v" .vec)" "$build/corpus/guard/" # the guard's too
	cp "$build/corpus/packet/$(basename "$v" .vec)" "$build/corpus/xlat/"  # New IP to IP
done
i=0
for s in 192.0.2.1 2001:db8::1 ::ffff:1.2.3.4 x2a x0a01 x0a01.02 default 10.0.0.0/8 \
	x0a00/8 2001:db8::/32 x0011.2233.4455.6677.8899.aabb.ccdd.eeff.0011.2233.4455.6677.8899.aabb.ccdd.eeff; do
	printf '%s' "$s" >"$build/corpus/addr/seed$((i++))"
done

# NLS seeds: a hello, an LSA and an acknowledgement (fuzz/nls_seeds.c).
"$build/fuzz/nls_seeds" "$build/corpus/nls" >/dev/null 2>&1 || true

# perf seeds: a DATA, a REQUEST and a RESULTS message with one record; rate and time texts.
printf 'NIPF\001\000\000\000\001\002\003\004\000\000\000\007\000\000\000\000\000\000\000\011' >"$build/corpus/perf/data"
printf 'NIPF\002\000\000\000\001\002\003\004\000\000\000\070' >"$build/corpus/perf/request"
printf 'NIPF\003\001\000\000\001\002\003\004\000\000\000\000\000\000\000\001\000\001\000\000\000\000\000\007\000\000\000\000\000\001\000\000\000\000\001\364\003\001\001\000' >"$build/corpus/perf/results"
i=0
for s in 100mbit 1gbit 20M 2ms 250us 1.5s 0 64000bit; do printf '%s' "$s" >"$build/corpus/perf/text$((i++))"; done

# xlat seeds (IP to New IP): an IPv4 ICMP echo and an IPv6 UDP datagram.
printf '\x45\x00\x00\x1c\x00\x00\x40\x00\x40\x01\x00\x00\x0a\x01\x00\x02\x0a\x02\x00\x02\x08\x00\xf7\xff\x00\x00\x00\x00' >"$build/corpus/xlat/echo4"
u6='\x60\x00\x00\x00\x00\x08\x11\x40\x20\x01\x0d\xb8\x00\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x20\x01\x0d\xb8\x00\x02\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x30\x39\x00\x35\x00\x08\x00\x00'
printf "$u6" >"$build/corpus/xlat/udp6"
# ... the same to a mapped address (2001:db8:ee::1, §12.4), and an offload case: 8 octets of
# vnet header fields (TCP super-packet, segments of 256), then an IPv4 TCP packet of 600 octets.
python3 - "$build/corpus/xlat" <<'PY'
import struct, sys
d = sys.argv[1]
u = bytes.fromhex("6000000000081140" + "20010db8000100000000000000000002" +
                  "20010db800ee00000000000000000001" + "3039003500080000")
open(d + "/udp6_mapped", "wb").write(u)
ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 640, 1, 0x4000, 64, 6, 0, bytes([10, 1, 0, 2]),
                 bytes([10, 2, 0, 2]))
tcp = struct.pack("!HHIIBBHHH", 40000, 5201, 1000, 0, 0x50, 0x18, 1024, 0, 0)
open(d + "/tso4", "wb").write(bytes([2, 1, 0, 0, 20, 0, 16, 0]) + ip + tcp + bytes(600))
PY

# keyed link seeds (§1.1): frames behind a 2-octet length, the first octet's low bit asking
# for data frames to be tagged with the live session's key: a data frame with vector 01
# inside, the same twice (a replay), a keepalive, a forged initiation and a response.
mkdir -p "$build/corpus/link"
python3 - "$build/corpus/link" <<'PY'
import struct, sys
d = sys.argv[1]
v01 = bytes.fromhex("10000000000d114014000404c6336407c000020113881b58000da0e568656c6c6f")
def fr(b): return struct.pack("!H", len(b)) + b
data = b"\xa3\0\0\0" + bytes(4) + struct.pack("!Q", 5) + v01 + bytes(16)
keep = b"\xa3\0\0\0" + bytes(4) + struct.pack("!Q", 6) + bytes(16)
init = b"\xa1\0\0\0" + bytes(4) + bytes(32) + bytes(32) + struct.pack("!Q", 1) + bytes(16)
resp = b"\xa2\0\0\0" + bytes(8) + bytes(32) + bytes(16)
open(d + "/signed", "wb").write(b"\x01" + fr(data) + fr(data) + fr(keep))
open(d + "/forged", "wb").write(b"\x00" + fr(data) + fr(init) + fr(resp))
PY

# SCHC seeds (§13): OpenSCHC's sample 04 and the IoT rules' compressed sensor packet to
# decompress; fragments of the ACK-on-Error rule (RuleID 14/4) and an ACK for its sender.
mkdir -p "$build/corpus/schc"
printf '\000' >"$build/corpus/schc/s04"; xxd -r -p "$src/tests/vectors/openschc/04-IPv6-UDP-all-CDA.txt" >>"$build/corpus/schc/s04" 2>/dev/null || true
printf '\000\024\001\002\003' >"$build/corpus/schc/sensor"
printf '\002\012\357\300\001\002\003\004\005\006\007\010\006\357\377\001\002\003\004' >"$build/corpus/schc/frags"
printf '\004\002\340\000\002\341\377' >"$build/corpus/schc/acks"

status=0
for t in packet addr nls perf guard xlat link schc; do
	limit=(-max_total_time="$secs")
	[ "$runs" -gt 0 ] && limit=(-runs="$runs")
	log=$build/fuzz_$t.log
	if ! "$build/fuzz/fuzz_$t" "$build/corpus/$t" "${limit[@]}" -print_final_stats=1 \
		-artifact_prefix="$build/findings/$t-" >"$log" 2>&1; then
		echo "fuzz_$t: FINDING — see $log and $build/findings/" >&2
		tail -30 "$log" >&2
		status=1
	fi
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
	echo "fuzz_$t: ${execs:-?} executions (${speed:-?}/s), corpus $(ls "$build/corpus/$t" | wc -l) inputs"
done
exit $status
