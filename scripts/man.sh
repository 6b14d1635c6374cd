#!/usr/bin/env bash
# Turn one of the Markdown docs into a man page with pandoc, so the Markdown stays the source:
#   man.sh SRC.md NAME SECTION OUT
# The first heading ("# newip(8)" or "# newipd.conf — what it is") becomes the title line;
# "## X" headings become sections; a page without "## NAME" gets one from the first heading.
set -euo pipefail
src=$1 name=$2 section=$3 out=$4
first=$(head -n 1 "$src" | sed 's/^# *//')
body=$(tail -n +2 "$src")
if ! grep -q '^## NAME' "$src"; then
	what=$(sed -n 's/^[^—]*— *//p' <<<"$first")
	body=$(printf '## NAME\n%s — %s\n\n## DESCRIPTION\n%s' "$name" "${what:-New IP}" "$body")
fi
# Headings up one level (## -> #, ### -> ##): pandoc's man writer makes # a section (.SH).
sed 's/^#\(#*\) /\1 /' <<<"$body" |
	pandoc -f markdown -t man -s -M title="${name^^}" -M section="$section" \
		-M header="New IP" -M footer="newip" -o "$out"
