#!/bin/sh
# AFL++ campaigns over every fuzz target (tests/fuzz/fuzz_*.c, targets.sh),
# built with afl-clang-fast, AddressSanitizer and UBSan (afl++'s libFuzzer
# driver runs the same LLVMFuzzerTestOneInput as the smoke run).
#
#   tests/fuzz/afl.sh build            build-afl/fuzz_NAME for every target
#   tests/fuzz/afl.sh run [NAME...]    a campaign per target, one after the
#                                      other, TJ_AFL_EXECS executions each
#                                      (default 10 million), nice'd, on one
#                                      core; an interrupted campaign resumes.
#                                      TJ_AFL_UNTIL=EPOCH-SECONDS: stop by
#                                      then, the time left shared evenly by
#                                      the targets still to run (time a
#                                      target does not use goes to the next)
#   tests/fuzz/afl.sh min [NAME...]    minimise each campaign's queue into
#                                      tests/fuzz/corpus/NAME/ (afl-cmin)
#   tests/fuzz/afl.sh report           executions, coverage, time, crashes
#                                      and hangs per target (notes/testing.md)
#   tests/fuzz/afl.sh all              build, run, min, report (make fuzz)
#
# Fails when any campaign saved a crash or a hang (in build-afl/out/NAME/).
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/fuzz/targets.sh
out=build-afl
execs=${TJ_AFL_EXECS:-10000000}

need() {
	command -v afl-clang-fast >/dev/null 2>&1 && command -v afl-fuzz >/dev/null 2>&1 && return 0
	echo "afl: afl++ is missing (tools/install-deps.sh fuzz)" >&2
	exit 1
}

build() {
	need
	# AFL_QUIET: afl-cc's banner on every file.
	AFL_QUIET=1 fuzz_make_lib afl-clang-fast "$out" "" || exit 1
	for f in $(fuzz_targets); do
		AFL_QUIET=1 fuzz_link afl-clang-fast "$out" "$f" "-fsanitize=fuzzer" || exit 1
	done
}

names() {
	if [ $# -gt 0 ]; then echo "$@"; else fuzz_targets; fi
}

run() {
	need
	set -- $(names "$@")
	for f in "$@"; do
		shift
		[ -x "$out/fuzz_$f" ] || build
		seeds="$out/seeds/$f"
		rm -rf "$seeds"
		fuzz_seeds "$f" "$seeds" || exit 1
		mkdir -p "$out/out"
		done_execs=$(sed -n 's/^execs_done *: *//p' "$out/out/$f/default/fuzzer_stats" 2>/dev/null)
		left=$((execs - ${done_execs:-0}))
		if [ "$left" -le 0 ]; then
			echo "afl: fuzz_$f: ${done_execs} executions already"
			continue
		fi
		limit=""
		if [ -n "${TJ_AFL_UNTIL:-}" ]; then
			secs=$(((TJ_AFL_UNTIL - $(date +%s)) / ($# + 1)))
			[ "$secs" -ge 60 ] || { echo "afl: fuzz_$f: no time left before TJ_AFL_UNTIL"; continue; }
			limit="-V $secs"
		fi
		echo "afl: fuzz_$f: $left more executions${limit:+, at most ${secs}s} (log $out/out/$f.log)"
		# -E counts the whole campaign: a resumed one restores its count.
		# One core at most, and the lowest priority: the machine is shared.
		# ASan's defaults as afl-fuzz wants them; leaks are the smoke run's
		# (a persistent loop cannot tell them from the next iteration).
		AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_NO_AFFINITY=1 AFL_AUTORESUME=1 AFL_SKIP_CRASHES=1 \
			ASAN_OPTIONS=abort_on_error=1:symbolize=0:detect_leaks=0:allocator_may_return_null=1 \
			UBSAN_OPTIONS=halt_on_error=1:abort_on_error=1:symbolize=0 \
			nice -n 10 afl-fuzz -i "$seeds" -o "$out/out/$f" -E "$execs" $limit -m none -t 2000 \
			-- "$out/fuzz_$f" >"$out/out/$f.log" 2>&1
		echo "afl: fuzz_$f: exit $?"
	done
}

minimise() {
	need
	for f in $(names "$@"); do
		q="$out/out/$f/default/queue"
		[ -d "$q" ] || { echo "afl: fuzz_$f: no campaign to minimise" >&2; continue; }
		rm -rf "$out/cmin-$f"
		AFL_SKIP_BIN_CHECK=1 ASAN_OPTIONS=abort_on_error=1:symbolize=0:detect_leaks=0 \
			nice -n 19 afl-cmin -i "$q" -o "$out/cmin-$f" -m none -t 5000 -- "$out/fuzz_$f" >"$out/cmin-$f.log" 2>&1 ||
			{ echo "afl: fuzz_$f: afl-cmin failed ($out/cmin-$f.log)" >&2; continue; }
		rm -rf "tests/fuzz/corpus/$f"
		mkdir -p "tests/fuzz/corpus/$f"
		# Stable names: the content's hash.
		for i in "$out/cmin-$f"/*; do
			cp "$i" "tests/fuzz/corpus/$f/$(sha256sum "$i" | cut -c1-16)"
		done
		echo "afl: fuzz_$f: $(ls "tests/fuzz/corpus/$f" | wc -l) inputs in tests/fuzz/corpus/$f"
	done
}

report() {
	status=0
	printf '| target | executions | exec/s | edges found (of the map) | time | crashes | hangs | corpus |\n'
	printf '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n'
	for f in $(fuzz_targets); do
		s="$out/out/$f/default/fuzzer_stats"
		[ -f "$s" ] || { printf '| %s | (no campaign) | | | | | | |\n' "$f"; continue; }
		get() { sed -n "s/^$1 *: *//p" "$s"; }
		crashes=$(ls "$out/out/$f/default/crashes" 2>/dev/null | grep -vc README)
		hangs=$(ls "$out/out/$f/default/hangs" 2>/dev/null | grep -vc README)
		[ "$crashes" -eq 0 ] && [ "$hangs" -eq 0 ] || status=1
		t=$(get run_time)
		[ -n "$t" ] || t=$(($(get last_update) - $(get start_time)))
		printf '| %s | %s | %s | %s | %dh%02dm | %s | %s | %s |\n' "$f" "$(get execs_done)" \
			"$(get execs_per_sec | cut -d. -f1)" "$(get edges_found) of $(get total_edges) ($(get bitmap_cvg))" \
			$((t / 3600)) $((t % 3600 / 60)) \
			"$crashes" "$hangs" "$(ls "tests/fuzz/corpus/$f" 2>/dev/null | wc -l)"
	done
	return $status
}

case "${1:-all}" in
build) build ;;
run) shift; run "$@"; report ;;
min) shift; minimise "$@" ;;
report) report ;;
all) build && run && minimise && report ;;
*) echo "usage: $0 build|run|min|report|all [NAME...]" >&2; exit 2 ;;
esac
