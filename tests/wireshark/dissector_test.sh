#!/usr/bin/env bash
echo "dissector test: not yet written" >&2; exit 1
