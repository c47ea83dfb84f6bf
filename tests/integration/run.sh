#!/bin/sh
# Runs every tests/integration/test_*.sh against BUILD/tinyjail and prints
# the totals.  Usage: tests/integration/run.sh BUILD [test_name...]
set -u
cd "$(dirname "$0")/../.." || exit 1
build=${1:-build}
shift 2>/dev/null || true
ROOT=$(pwd)
TJ="$ROOT/$build/tinyjail"
PROBE="$ROOT/$build/probe"
RESULTS=$(mktemp)
export ROOT TJ PROBE RESULTS BUILD="$build"
[ -x "$TJ" ] && [ -x "$PROBE" ] || { echo "integration: build $build first" >&2; exit 1; }
# Bundled profiles come from this tree, whatever else is installed.
export TINYJAIL_POLICY_DIR="$ROOT/policies"

files=""
if [ $# -gt 0 ]; then
	for n in "$@"; do files="$files tests/integration/$n.sh"; done
else
	files=$(ls tests/integration/test_*.sh)
fi
status=0
for f in $files; do
	sh "$f" || status=1
done
awk '{p+=$1; f+=$2; s+=$3} END {printf "integration tests: %d passed, %d failed, %d skipped\n", p, f, s; exit (f > 0)}' "$RESULTS" || status=1
[ -s "$RESULTS" ] || { echo "integration: no results" >&2; status=1; }
rm -f "$RESULTS"
exit $status
