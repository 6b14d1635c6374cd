#!/usr/bin/env bash
# `make demo` itself (examples/demo.sh): it must find all six nodes, report 30/30 pairs, trace,
# send a contract flow that every hop accounts for, exit 0, and leave nothing behind.
source "$(dirname "$0")/lib.sh"
out=$(NEWIP_BIN=$BUILD "$SRC/examples/demo.sh" 2>&1); rc=$?
expect_eq "the demo exits 0" 0 "$rc"
expect_match "the demo pinged all 30 pairs" '^summary: 30/30 pairs reached each other' "$out"
expect_match "the demo traced hA to hD (32 octets) through r1 and r2" \
	'^ 3  x2001\.0db8\.000d\.[0-9a-f.]+  ' "$out"
expect_match "... in three hops" '^\(3 hops\) crossed eth and udp links' "$out"
expect_match "the demo printed the convergence time" '^routing converged [0-9]+ ms' "$out"
expect_match "the demo sent a flow with a latency contract, which 3 hops updated" \
	'^  accumulated latency \(network\) us: .*; hops updated 3$' "$out"
assert_gone demo
finish
