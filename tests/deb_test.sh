#!/usr/bin/env bash
# The Debian package (make deb): built with dpkg-shlibdeps and dpkg-deb, installed by dpkg into
# a scratch root (its own dpkg database), the installed newipd started from there and stopped,
# then the package removed and purged: nothing of it may remain.
set -uo pipefail
BUILD=$(cd "${1:?usage: $0 BUILD_DIR}" && pwd)
SRC=$(cd "$(dirname "$0")/.." && pwd)
WORK=$(mktemp -d /tmp/nip-debtest.XXXXXX)
trap 'kill "$pid" 2>/dev/null; rm -rf "$WORK"' EXIT
pid=
fails=0
ok() { printf 'ok   %s\n' "$1"; }
bad() { printf 'FAIL %s\n' "$1"; fails=$((fails + 1)); }
check() { local d=$1; shift; if "$@" >/dev/null 2>&1; then ok "$d"; else bad "$d"; fi; }

deb=$("$SRC/scripts/deb.sh" "$BUILD/deb-build" "$WORK") || { bad "scripts/deb.sh built nothing"; exit 1; }
check "make deb wrote $(basename "$deb")" test -s "$deb"
info=$(dpkg-deb -I "$deb")
check "the package is newip" grep -q '^ Package: newip$' <<<"$info"
check "its dependencies come from dpkg-shlibdeps (libsodium23, libmicrohttpd12, ...)" \
	grep -Eq '^ Depends: .*libsodium23.*' <<<"$info"
check "its files sit in Debian's places" sh -c "dpkg-deb -c '$deb' | grep -q ' ./usr/lib/$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || echo x86_64-linux-gnu)/wireshark/plugins/newip.lua$'"

R=$WORK/root
mkdir -p "$R/var/lib/dpkg/info" "$R/var/lib/dpkg/updates"
touch "$R/var/lib/dpkg/status" "$R/var/lib/dpkg/available"
dpkg_r() { dpkg --root="$R" --force-script-chrootless --force-depends --log=/dev/null "$@"; }
check "dpkg installs it into a scratch root" dpkg_r -i "$deb"
check "dpkg says it is installed" sh -c "dpkg --root='$R' -s newip | grep -q '^Status: install ok installed$'"
check "the unit, the man pages and the binaries are in place" test -x "$R/usr/sbin/newipd" -a \
	-s "$R/usr/lib/systemd/system/newipd@.service" -a -s "$R/usr/share/man/man8/newipd.8"

# Start the installed daemon as the unit would (check, then run), talk to it, stop it.
printf 'node debt\naddress x0a01\n' >"$WORK/debt.conf"
check "the installed newipd accepts a configuration" "$R/usr/sbin/newipd" --check -c "$WORK/debt.conf"
"$R/usr/sbin/newipd" -c "$WORK/debt.conf" --rundir "$WORK/run" 2>"$WORK/d.log" & pid=$!
up() { NEWIP_RUNDIR=$WORK/run "$R/usr/bin/newip" -n debt addr | grep -q '^x0a01$'; }
for _ in $(seq 100); do up 2>/dev/null && break; sleep 0.05; done # poll: the daemon starting
check "it starts, and the installed newip talks to it" up
kill -TERM "$pid"; wait "$pid"; rc=$?; pid=
check "it stops on SIGTERM with status 0" test "$rc" -eq 0
check "... saying so" grep -q 'newipd debt: stopped' "$WORK/d.log"

check "dpkg removes it" dpkg_r -r newip
check "dpkg purges it" dpkg_r -P newip
left=$(find "$R/usr" -type f -o -type l 2>/dev/null | wc -l)
[ "$left" -eq 0 ] && ok "nothing of it remains under /usr" || bad "$left files remain: $(find "$R/usr" -type f | head -3)"
check "dpkg no longer knows it" sh -c "! dpkg --root='$R' -s newip 2>/dev/null | grep -q installed"

if [ "$fails" -gt 0 ]; then echo "$fails check(s) failed"; exit 1; fi
echo "all checks passed"
