#!/bin/sh
# A short libFuzzer run of every fuzz target (tests/fuzz/fuzz_*.c: the
# profile loader and compiler, the decisions file, kernel-log records, the
# agent protocol, the proxy's HTTP parsers, ...), seeded with its committed
# corpus (tests/fuzz/corpus/NAME/, which is thereby replayed whole) and the
# fixtures that fit it (targets.sh).  Fails on any crash, leak or sanitizer
# report.  The long campaigns are AFL++'s: tests/fuzz/afl.sh (make fuzz).
# Usage: tests/fuzz/smoke.sh [BUILD, ignored: it builds its own, build-fuzz/]
# (TJ_FUZZ_SECONDS, default 20, for the
# profile loader; the others get a quarter of it)
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/fuzz/targets.sh
out=build-fuzz
mkdir -p "$out"
seconds=${TJ_FUZZ_SECONDS:-20}
if ! command -v clang >/dev/null 2>&1; then
	echo "fuzz smoke: clang is missing (tools/install-deps.sh test)" >&2
	exit 1
fi
# The library once, instrumented for libFuzzer and sanitised, by the Makefile
# (incremental); then one small link per target.
fuzz_make_lib clang "$out" "-fsanitize=fuzzer-no-link" || exit 1
status=0
for f in $(fuzz_targets); do
	fuzz_link clang "$out" "$f" "-fsanitize=fuzzer" || exit 1
	corpus="$out/corpus-$f"
	rm -rf "$corpus"
	fuzz_seeds "$f" "$corpus" || exit 1
	t=$seconds
	[ "$f" = profile ] || t=$(((seconds + 3) / 4))
	log="$out/fuzz-$f.log"
	"$out/fuzz_$f" -max_total_time="$t" -max_len=16384 -timeout=10 -rss_limit_mb=2048 \
		-print_final_stats=1 "$corpus" >"$log" 2>&1
	rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	if [ "$rc" -ne 0 ]; then
		grep -E 'ERROR|SUMMARY|==[0-9]+==|Test unit written' "$log" | head -20
		echo "fuzz smoke: fuzz_$f: ${runs:-?} runs, FAILED (crash input in $out/, log $log)"
		status=1
	else
		echo "fuzz smoke: fuzz_$f: ${runs:-?} runs in ${t}s, 0 crashes"
	fi
done
exit $status
