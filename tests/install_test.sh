#!/usr/bin/env bash
# Install as an operator would (CMake's install rules behind `make install`): under a PREFIX,
# and again into a DESTDIR staging root; then run what was installed from there: newipd checks a
# configuration, a program builds and links against libnewip through pkg-config, man renders
# every page, systemd accepts the unit, bash completes commands and node names; `make
# uninstall` removes every file it installed.
set -uo pipefail
BUILD=$(cd "${1:?usage: $0 BUILD_DIR}" && pwd)
SRC=$(cd "$(dirname "$0")/.." && pwd)
WORK=$(mktemp -d /tmp/nip-install.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
fails=0
ok() { printf 'ok   %s\n' "$1"; }
bad() { printf 'FAIL %s\n' "$1"; fails=$((fails + 1)); }
check() { local d=$1; shift; if "$@" >/dev/null 2>&1; then ok "$d"; else bad "$d"; fi; }

root=$WORK/root/usr
cmake --install "$BUILD" --prefix "$root" >"$WORK/install.log" 2>&1 || { cat "$WORK/install.log"; exit 1; }
lib=$(sed -n 's/^libdir=//p' "$root"/lib*/pkgconfig/newip.pc)
for f in bin/newip sbin/newipd include/newip/newip.h share/man/man8/newip.8 \
	share/man/man8/newipd.8 share/man/man5/newipd.conf.5 lib/systemd/system/newipd@.service \
	share/bash-completion/completions/newip; do
	check "installed $f" test -s "$root/$f"
done
for f in libnewip.a libnewip.so.0 pkgconfig/newip.pc wireshark/plugins/newip.lua; do
	check "installed $lib/$f" test -s "$lib/$f"
done
check "libnewip.so.0 is the shared library's soname" \
	sh -c "objdump -p '$lib/libnewip.so.0' | grep -q 'SONAME *libnewip.so.0'"

printf 'node t\naddress x01\nlink a udp local 127.0.0.1:7000 peer 127.0.0.1:7001\n' >"$WORK/t.conf"
check "the installed newipd checks a configuration" "$root/sbin/newipd" -n -c "$WORK/t.conf"
check "the installed newip answers --help" "$root/bin/newip" --help

cat >"$WORK/use.c" <<'C'
#include <newip/newip.h>
#include <stdio.h>
int main(void)
{
	struct nip_addr a;
	char s[NIP_ADDR_STRLEN];
	if (nip_addr_parse(&a, "x0a01.02") < 0 || nip_addr_format(&a, s, sizeof(s)) < 0)
		return 1;
	printf("%s %s\n", s, nip_strerror(NIP_E_TRUNCATED));
	return 0;
}
C
flags=$(PKG_CONFIG_PATH="$lib/pkgconfig" pkg-config --cflags --libs newip)
check "pkg-config describes newip ($flags)" test -n "$flags"
if cc -o "$WORK/use" "$WORK/use.c" $flags 2>"$WORK/cc.log"; then
	out=$(LD_LIBRARY_PATH=$lib "$WORK/use")
	[ "$out" = "x0a01.02 truncated" ] && ok "a program built with pkg-config runs against libnewip.so" ||
		bad "a program built with pkg-config: got '$out'"
else
	bad "a program builds against the installed headers and library: $(cat "$WORK/cc.log")"
fi

for page in man8/newip.8 man8/newipd.8 man5/newipd.conf.5; do
	out=$(MANWIDTH=100 man -l "$root/share/man/$page" 2>&1)
	if grep -q '^NAME' <<<"$out" && [ "$(wc -l <<<"$out")" -gt 20 ]; then ok "man -l renders $page"; else bad "man -l $page: $out"; fi
done

if command -v systemd-analyze >/dev/null; then
	cp "$root/lib/systemd/system/newipd@.service" "$WORK/newipd@r1.service"
	out=$(MANPATH=$root/share/man systemd-analyze verify "$WORK/newipd@r1.service" 2>&1)
	[ -z "$out" ] && ok "systemd-analyze verify accepts the unit" || bad "systemd-analyze verify: $out"
	check "the unit runs the installed newipd" grep -q "^ExecStart=$root/sbin/newipd -c /etc/newip/%i.conf" \
		"$root/lib/systemd/system/newipd@.service"
else
	echo "skip systemd-analyze: not installed"
fi

# Completion: commands, and node names from the run directory.
mkdir -p "$WORK/run/r1" "$WORK/run/h2"
touch "$WORK/run/r1/ctl.sock" "$WORK/run/h2/ctl.sock"
complete_words() { # WORD... : what bash offers for the last word
	bash -c 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _newip; echo "${COMPREPLY[*]}"' \
		_ "$root/share/bash-completion/completions/newip" "$@"
}
got=$(NEWIP_RUNDIR=$WORK/run complete_words newip -n "")
[ "$got" = "h2 r1" ] || [ "$got" = "r1 h2" ] && ok "completion offers the running nodes ($got)" || bad "completion after -n: '$got'"
got=$(complete_words newip -n r1 pe)
[ "$got" = perf ] && ok "completion offers commands" || bad "completion of 'pe': '$got'"
got=$(complete_words newip perf --dead)
[ "$got" = --deadline ] && ok "completion offers perf options" || bad "completion of perf --dead: '$got'"

# A staging root (DESTDIR), as a package build uses; then uninstall it all.
DESTDIR=$WORK/stage cmake --install "$BUILD" --prefix /usr >/dev/null 2>&1
check "DESTDIR: newipd staged under the root" test -x "$WORK/stage/usr/sbin/newipd"
check "DESTDIR: the staged newipd runs from there" "$WORK/stage/usr/sbin/newipd" -n -c "$WORK/t.conf"
check "DESTDIR: the staged newip runs from there" "$WORK/stage/usr/bin/newip" --help
check "DESTDIR: the unit still names /usr/sbin/newipd" \
	grep -q '^ExecStart=/usr/sbin/newipd ' "$WORK/stage/usr/lib/systemd/system/newipd@.service"
n=$(wc -l <"$BUILD/install_manifest.txt")
make -s -C "$SRC" uninstall BUILD="$BUILD" DESTDIR="$WORK/stage" >/dev/null 2>&1
left=$(find "$WORK/stage" -type f | wc -l)
[ "$left" -eq 0 ] && ok "make uninstall removed all $n installed files" || bad "make uninstall left $left files"

if [ "$fails" -gt 0 ]; then echo "$fails check(s) failed"; exit 1; fi
echo "all checks passed"
