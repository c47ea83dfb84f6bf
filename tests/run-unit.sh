#!/bin/sh
# Runs every cmocka unit-test binary in BUILD/tests and prints the totals.
# Usage: tests/run-unit.sh BUILD   (run from the repository root)
set -u
build=${1:-build}
pass=0 fail=0 failed=""
for t in "$build"/tests/test_*; do
	[ -x "$t" ] || continue
	name=$(basename "$t")
	out=$("$t" 2>&1)
	rc=$?
	# cmocka prints "[  PASSED  ] N test(s)." and "[  FAILED  ] N test(s)".
	p=$(printf '%s\n' "$out" | sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' | tail -1)
	f=$(printf '%s\n' "$out" | sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' | tail -1)
	pass=$((pass + ${p:-0}))
	if [ "$rc" -ne 0 ]; then
		fail=$((fail + ${f:-1}))
		failed="$failed $name"
		printf '%s\n' "$out" | grep -E '^\[  (FAILED|  ERROR)|^\[  FAILED|ERROR|Failure|error:|expected' | head -40
		printf 'unit: %s FAILED (exit %d)\n' "$name" "$rc"
	else
		printf 'unit: %-28s %s passed\n' "$name" "${p:-0}"
	fi
done
printf 'unit tests: %d passed, %d failed%s\n' "$pass" "$fail" "${failed:+ (in$failed)}"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
