# Helpers for the namespace tests: sourced with the build directory as $1.
# Every test gets its own run directory, brings labs up through lab_up (so the EXIT trap takes
# them down), asserts with check/expect_*, and ends with finish (which checks nothing is left).
set -uo pipefail

BUILD=$(cd "${1:?usage: $0 BUILD_DIR}" && pwd)
SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
NEWIP=$BUILD/newip
NEWIPD=$BUILD/newipd
fails=0
labs=()
# 1 in the sanitizer build (build-san): every daemon runs a few times slower there.
san=0
grep -q 'NIP_SANITIZE:BOOL=ON' "$BUILD/CMakeCache.txt" 2>/dev/null && san=1

if [ "$(id -u)" -ne 0 ]; then
	echo "SKIP: namespace tests need root"
	exit 77
fi
NEWIP_RUNDIR=$(mktemp -d /tmp/nip-run.XXXXXX)
WORK=$(mktemp -d /tmp/nip-work.XXXXXX) # the test's own scratch files
export NEWIP_RUNDIR

cleanup() {
	for l in "${labs[@]}"; do "$NEWIP" lab down "$l" >/dev/null 2>&1; done
	rm -rf "$NEWIP_RUNDIR" "$WORK"
}
trap cleanup EXIT

say() { printf '+ %s\n' "$*" >&2; }
ok() { printf 'ok   %s\n' "$1"; }
bad() { printf 'FAIL %s\n' "$1"; fails=$((fails + 1)); }

# check DESCRIPTION COMMAND...: the command must succeed.
check() {
	local d=$1; shift
	if "$@" >/dev/null; then ok "$d"; else bad "$d"; fi
}

# expect_match DESCRIPTION REGEX TEXT
expect_match() {
	if grep -Eq -- "$2" <<<"$3"; then ok "$1"; else bad "$1: /$2/ not in:"; printf '%s\n' "$3" | sed 's/^/     | /'; fi
}

# expect_eq DESCRIPTION WANT GOT
expect_eq() {
	if [ "$2" = "$3" ]; then ok "$1"; else bad "$1: want '$2', got '$3'"; fi
}

# wait_until SECONDS COMMAND...: poll (20 ms) until the command succeeds.
wait_until() {
	local deadline=$(($(date +%s%N) + $1 * 1000000000)); shift
	until "$@" >/dev/null 2>&1; do
		[ "$(date +%s%N)" -lt "$deadline" ] || return 1
		sleep 0.02
	done
}

# jnum NODE VIEW FIELD: the first number named FIELD in `newip -n NODE -j VIEW`.
jnum() { "$NEWIP" -n "$1" -j "$2" | tr -d ' \n' | grep -o "\"$3\":[0-9]*" | head -n 1 | cut -d: -f2; }

# pubkey FILE: a node key's public half in base64, as a config's 'key' or 'trust' takes it.
pubkey() { "$NEWIP" key show "$1" | awk '/^public-key/ { print $2 }'; }

# node_up NODE: its newipd answers on the control socket (for daemons started outside labs).
node_up() { "$NEWIP" -n "$1" addr >/dev/null 2>&1; }

lab_up() {
	labs+=("$1")
	say "newip lab up $1"
	"$NEWIP" lab up "$1" >/dev/null || { bad "lab up $1"; finish; }
}

# After lab down: no namespace, no daemon and no run directory of this lab remain.
assert_gone() {
	local name=$1
	expect_eq "lab $name: no namespace left" "" "$(ip netns list | grep -o "^nip-$name-[^ ]*" || true)"
	expect_eq "lab $name: no newipd left" "" "$(pgrep -af "newipd -c $NEWIP_RUNDIR/labs/$name/" || true)"
	expect_eq "lab $name: no run directory left" "" "$(ls "$NEWIP_RUNDIR" | grep -v '^labs$' || true)"
}

lab_down() {
	say "newip lab down $1"
	"$NEWIP" lab down "$1" >/dev/null
	assert_gone "$2"
}

finish() {
	if [ "$fails" -gt 0 ]; then
		echo "$fails check(s) failed"
		exit 1
	fi
	echo "all checks passed"
	exit 0
}

# The node's counter at a JSON path printed by `newip -j`: json_get NODE CMD KEY
json_get() {
	"$NEWIP" -n "$1" -j "$2" | sed -n "s/^ *\"$3\": \\([0-9]*\\),\\{0,1\\}\$/\\1/p" | head -n 1
}
