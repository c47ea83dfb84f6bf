#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# What the caches' integrity MAC costs a cached launch (notes/security.md,
# "The filter cache"), as paired A/B ratios (bench/abtime.c):
#
#   1. the same tree built with tj_integrity_key() handing out a fixed key
#      without asking the agent (A) against tinyjail as built (B): the
#      difference is the agent round trip (the HMAC itself is two SHA-256
#      blocks more than a plain hash);
#   2. what is left of the cache's benefit: --no-cache (A) against a cached
#      launch with the MAC (B).
#
# Each side has a filter cache of its own (the fixed key's entries would be
# misses for the real key, and the other way round).
#
#   bench/integrity_cost.sh [-n PAIRS] [-b BUILD]
#
# Builds the variant in a temporary directory (from build/'s objects when
# BUILD is build: one file and the link).
# Never part of the timed tests; run it on a quiet machine.
set -u
cd "$(dirname "$0")/.." || exit 1
ROOT=$(pwd)
pairs=30 build=build
while getopts n:b: opt; do
	case $opt in
	n) pairs=$OPTARG ;;
	b) build=$OPTARG ;;
	*) echo "usage: bench/integrity_cost.sh [-n PAIRS] [-b BUILD]" >&2; exit 2 ;;
	esac
done
TJ="$ROOT/$build/tinyjail"
AB="$ROOT/$build/bench/abtime"
for f in "$TJ" "$AB"; do
	[ -x "$f" ] || { echo "integrity_cost: $f is missing (make tests)" >&2; exit 1; }
done
export TINYJAIL_POLICY_DIR="$ROOT/policies"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/tj-maccost.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
trap 'exit 130' INT TERM

# The variant: this working tree, the key without the agent.
mkdir -p "$WORK/tree"
git ls-files -z | xargs -0 cp -p --parents -t "$WORK/tree" || exit 1
# The objects of BUILD (a release build: SAN=0, no test hooks), so that only
# the patched file is compiled again.
[ "$build" = build ] && [ -d "$ROOT/build/obj" ] && cp -a "$ROOT/build" "$WORK/tree/"
sed -i '/^int tj_integrity_key(/{n;s/^{$/{ memset(key, 0x5a, TJ_INTEGRITY_KEY_LEN); (void)err; return 0;/}' "$WORK/tree/src/base/integrity.c"
grep -q 'memset(key, 0x5a' "$WORK/tree/src/base/integrity.c" || { echo "integrity_cost: could not patch integrity.c" >&2; exit 1; }
make -C "$WORK/tree" -j2 SAN=0 all >"$WORK/build.log" 2>&1 || { tail -20 "$WORK/build.log" >&2; exit 1; }
NOMAC="$WORK/tree/build/tinyjail"

CORPUS="$ROOT/tests/fixtures/corpus"
DOCKER="$CORPUS/moby-profiles_default.json"
echo "| launch | B median ms | A median ms (paired) | ratio B/A: median of pairs (min..max) | +ms | CPU ratio B/A | pairs | idle |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|"
for prof in strict "$DOCKER"; do
	name=$(basename "$prof" .json)
	# Fill both caches (and start the agent) first.
	env XDG_CACHE_HOME="$WORK/cache-a" "$NOMAC" -q --profile "$prof" -- /bin/true
	env XDG_CACHE_HOME="$WORK/cache-b" "$TJ" -q --profile "$prof" -- /bin/true
	"$AB" -n "$pairs" -w 3 -i 60 -W 10 -l "cached, $name: without the MAC (A) vs with it (B)" -j "$WORK/rows.jsonl" -- \
		env XDG_CACHE_HOME="$WORK/cache-a" "$NOMAC" -q --profile "$prof" -- /bin/true ++ \
		env XDG_CACHE_HOME="$WORK/cache-b" "$TJ" -q --profile "$prof" -- /bin/true
	"$AB" -n "$pairs" -w 3 -i 60 -W 10 -l "$name: --no-cache (A) vs cached with the MAC (B)" -j "$WORK/rows.jsonl" -- \
		env XDG_CACHE_HOME="$WORK/cache-b" "$TJ" -q --no-cache --profile "$prof" -- /bin/true ++ \
		env XDG_CACHE_HOME="$WORK/cache-b" "$TJ" -q --profile "$prof" -- /bin/true
done
echo
echo "machine: $(nproc) CPUs, $(uname -r), load $(cut -d' ' -f1-3 /proc/loadavg)"
