#!/bin/sh
# Runs every cmocka unit-test binary in BUILD/tests and prints the totals.
# Usage: tests/run-unit.sh [-j N] BUILD   (run from the repository root)
# -j N (or TJ_JOBS=N): N binaries at once, each one's lines printed when it
# ends; the slowest (SLOW_FIRST) start first.
set -u

# One binary: its line (and its failures), then "name passed failed" into
# DIR/name.res.
run_one() {
	t=$1 dir=$2
	name=$(basename "$t")
	out=$("$t" 2>&1)
	rc=$?
	# cmocka prints "[  PASSED  ] N test(s)." and "[  FAILED  ] N test(s)".
	p=$(printf '%s\n' "$out" | sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' | tail -1)
	f=$(printf '%s\n' "$out" | sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' | tail -1)
	if [ "$rc" -ne 0 ]; then
		f=${f:-1}
		[ "$f" -gt 0 ] || f=1
		report=$(printf '%s\n' "$out" | grep -E '^\[  (FAILED|  ERROR)|^\[  FAILED|ERROR|Failure|error:|expected' | head -40
			printf 'unit: %s FAILED (exit %d)\n' "$name" "$rc")
	else
		f=0
		report=$(printf 'unit: %-28s %s passed\n' "$name" "${p:-0}")
	fi
	flock "$dir" printf '%s\n' "$report"
	echo "$name ${p:-0} $f" >"$dir/$name.res"
}

if [ "${TJ_UNIT_ONE:-}" ]; then
	# A worker of the -j pool below.
	dir=$TJ_UNIT_ONE
	unset TJ_UNIT_ONE
	for t in "$@"; do run_one "$t" "$dir"; done
	exit 0
fi

jobs=${TJ_JOBS:-1}
if [ "${1:-}" = -j ]; then
	jobs=$2
	shift 2
fi
case $jobs in '' | *[!0-9]* | 0) echo "unit: -j needs a number of binaries at once" >&2; exit 1 ;; esac
build=${1:-build}
# The binaries that take longest (they build or load programs), first.
SLOW_FIRST="test_static test_sim_kernel test_plan_edit test_filter test_edit_model test_plan"
dir=$(mktemp -d "${TMPDIR:-/tmp}/tj-unit.XXXXXX")
bins=""
for s in $SLOW_FIRST; do [ -x "$build/tests/$s" ] && bins="$bins $build/tests/$s"; done
for t in "$build"/tests/test_*; do
	[ -x "$t" ] || continue
	case " $bins " in *" $t "*) ;; *) bins="$bins $t" ;; esac
done
# shellcheck disable=SC2086
printf '%s\n' $bins | TJ_UNIT_ONE="$dir" xargs -P "$jobs" -n 1 sh "$0"
pass=0 fail=0 failed=""
for t in $bins; do
	name=$(basename "$t")
	if [ -f "$dir/$name.res" ]; then
		read -r _ p f <"$dir/$name.res"
	else
		p=0 f=1
	fi
	pass=$((pass + p))
	fail=$((fail + f))
	[ "$f" -eq 0 ] || failed="$failed $name"
done
rm -rf "$dir"
printf 'unit tests: %d passed, %d failed%s\n' "$pass" "$fail" "${failed:+ (in$failed)}"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
