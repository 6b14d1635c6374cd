#!/usr/bin/env bash
# Install the Debian packages newip needs, or print the exact command when not root.
set -euo pipefail

pkgs=(build-essential cmake pkg-config clang libclang-rt-14-dev libsodium-dev libjansson-dev
	libxdp-dev libbpf-dev
	libyaml-dev tshark xxd iproute2 procps gnuplot-nox pandoc man-db systemd
	libmicrohttpd-dev prometheus curl iputils-ping traceroute openssh-server openssh-client iperf3 nftables ethtool
	python3)

missing=()
for p in "${pkgs[@]}"; do
	st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	[ "$st" = "install ok installed" ] || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

cmd="apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
	echo "newip: missing Debian packages: ${missing[*]}" >&2
	echo "newip: run as root:  $cmd" >&2
	exit 1
fi
echo "newip: installing ${missing[*]}" >&2
# tshark asks whether non-root users may capture; answer no so the install never waits.
echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
