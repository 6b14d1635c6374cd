#!/usr/bin/env bash
# Build the Debian package newip_VERSION_ARCH.deb with Debian's own tools: a release build
# configured for /usr (so GNUInstallDirs picks Debian's multiarch library directory, where
# Wireshark looks for plugins too), `cmake --install` into a staging root, dependencies from
# dpkg-shlibdeps, the archive from dpkg-deb. Usage: deb.sh BUILD_DIR OUT_DIR (BUILD_DIR is its
# own build tree); prints the .deb's path.
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$1" "$2"
build=$(cd "$1" && pwd) out=$(cd "$2" && pwd)
cmake -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_INSTALL_PREFIX=/usr >/dev/null
cmake --build "$build" -j "$(nproc)" --target newipd newip newip_static newip_shared man >/dev/null
version=$(sed -n 's/^project(newip VERSION \([0-9.]*\).*/\1/p' "$src/CMakeLists.txt")-1
arch=$(dpkg --print-architecture)
stage=$(mktemp -d /tmp/nip-deb.XXXXXX)
trap 'rm -rf "$stage"' EXIT
root=$stage/debian/newip # where dpkg-shlibdeps expects a package's files

DESTDIR=$root cmake --install "$build" --prefix /usr >/dev/null
rm -f "$build/install_manifest.txt" # a staging install is not an installation to uninstall
install -d -m 0755 "$root/etc/newip" "$root/usr/share/doc/newip/examples"
install -m 0644 "$src/README.md" "$root/usr/share/doc/newip/README.md"
install -m 0644 "$src/docs/spec.md" "$root/usr/share/doc/newip/spec.md"
cat >"$root/usr/share/doc/newip/examples/node.conf" <<'CONF'
# /etc/newip/NAME.conf for `systemctl enable --now newipd@NAME` (newipd.conf(5))
node r1
address x0a01
link up0 udp local 192.0.2.1:6464 peer 192.0.2.2:6464
CONF
printf 'Copyright: the newip authors\nSee https://www.debian.org/doc/debian-policy/ for the format.\n' \
	>"$root/usr/share/doc/newip/copyright"

# Shared-library dependencies, computed as a Debian package build does.
printf 'Source: newip\n\nPackage: newip\nArchitecture: any\n' >"$stage/debian/control"
deps=$(cd "$stage" && dpkg-shlibdeps -O debian/newip/usr/sbin/newipd debian/newip/usr/bin/newip \
	2> >(grep -v 'should already be installed' >&2) | sed -n 's/^shlibs:Depends=//p')
# newipd opens libmicrohttpd at run time (metrics-listen): not a link dpkg-shlibdeps can see
deps="$deps, libmicrohttpd12 (>= 0.9.75)"
# nor libxdp and libbpf, opened at the first AF_XDP link (xdp in newipd.conf)
deps="$deps, libxdp1 (>= 1.3), libbpf1 (>= 1:1.1)"

mkdir -p "$root/DEBIAN"
cat >"$root/DEBIAN/control" <<CTL
Package: newip
Version: $version
Architecture: $arch
Maintainer: newip developers <newip@localhost>
Section: net
Priority: optional
Depends: $deps
Suggests: tshark, gnuplot-nox, prometheus
Installed-Size: $(du -sk "$root/usr" | cut -f1)
Homepage: https://localhost/newip
Description: New IP network layer: node daemon, command line and library
 newipd is a New IP host and router (variable-length addresses, latency contracts
 honoured per hop, link-state routing) running over UDP/IP or Ethernet; newip is
 its command line (ping, trace, perf, labs); libnewip the wire format.
CTL
# systemd learns of the unit; nothing starts until the operator enables an instance.
# With dpkg --root (DPKG_ROOT set) there is no running system to tell.
for s in postinst postrm; do
	cat >"$root/DEBIAN/$s" <<'SH'
#!/bin/sh
set -e
if [ -z "$DPKG_ROOT" ] && [ -d /run/systemd/system ]; then
	systemctl daemon-reload >/dev/null || true
fi
exit 0
SH
	chmod 0755 "$root/DEBIAN/$s"
done
find "$root" -type d -exec chmod 0755 {} +
deb=$out/newip_${version}_${arch}.deb
dpkg-deb --root-owner-group --build "$root" "$deb" >/dev/null
echo "$deb"
