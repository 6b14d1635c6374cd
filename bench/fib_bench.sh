#!/usr/bin/env bash
# The FIB on a real table (issue 11), beside DPDK's rte_fib and rte_fib6 in the same run.
# Fetches the route collectors' prefix set (npm @ip-location-db/asn, CC BY 4.0: about 565k IPv4
# and 168k IPv6 prefixes) into BUILD_DIR/fib-data once, never into the tree; installs Debian's
# libdpdk-dev when run as root (else says how) and rebuilds fib_bench with it.
# Usage: bench/fib_bench.sh [BUILD_DIR]
set -euo pipefail
BUILD=$(cd "${1:-build}" && pwd)
DATA=$BUILD/fib-data

if ! pkg-config --exists libdpdk; then
	if [ "$(id -u)" = 0 ]; then
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends libdpdk-dev >/dev/null
	else
		echo "fib_bench: for DPDK's figures beside ours: sudo apt-get install libdpdk-dev" >&2
	fi
fi
if [ ! -s "$DATA/asn-ipv4.csv" ] || [ ! -s "$DATA/asn-ipv6.csv" ]; then
	command -v npm >/dev/null || { echo "fib_bench: needs npm to fetch the table: sudo apt-get install npm" >&2; exit 1; }
	mkdir -p "$DATA"
	(cd "$DATA" && npm pack --silent @ip-location-db/asn >/dev/null && tar xzf ip-location-db-asn-*.tgz &&
		mv package/asn-ipv4.csv package/asn-ipv6.csv . && rm -rf package ip-location-db-asn-*.tgz)
fi
cmake "$BUILD" >/dev/null # finds DPDK if it was just installed
cmake --build "$BUILD" --target fib_bench >/dev/null
exec "$BUILD/fib_bench" "$DATA/asn-ipv4.csv" "$DATA/asn-ipv6.csv"
