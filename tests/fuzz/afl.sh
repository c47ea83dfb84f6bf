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
#                                      TJ_AFL_JOBS=N: N instances a target
#   tests/fuzz/afl.sh min [NAME...]    minimise each campaign's queues into
#                                      tests/fuzz/corpus/NAME/ (afl-cmin)
#   tests/fuzz/afl.sh report           executions, coverage, time, crashes
#                                      and hangs per target (notes/testing.md)
#   tests/fuzz/afl.sh speed [NAME...]  CPU time an input over the committed
#                                      corpus (tests/fuzz/speed.c)
#   tests/fuzz/afl.sh all              build, run, min, report (make fuzz)
#
# Fails when any campaign saved a crash or a hang (in build-afl/out/NAME/).
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/fuzz/targets.sh
out=build-afl
execs=${TJ_AFL_EXECS:-10000000}
asan=abort_on_error=1:symbolize=0:detect_leaks=0:allocator_may_return_null=1:malloc_context_size=0:quarantine_size_mb=16
ubsan=halt_on_error=1:abort_on_error=1:symbolize=0

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

# figure FILE KEY: one figure of a fuzzer_stats file.
figure() {
	sed -n "s/^$2 *: *//p" "$1" 2>/dev/null
}

# The instances' directories of a campaign (default, s1, s2, ...).
instances() {
	for d in "$out/out/$1"/*/; do
		[ -f "$d/fuzzer_stats" ] && echo "${d%/}"
	done
}

# execs NAME: executions of the whole campaign, every instance's summed.
campaign_execs() {
	n=0
	for d in $(instances "$1"); do
		n=$((n + $(figure "$d/fuzzer_stats" execs_done)))
	done
	echo "$n"
}

run() {
	need
	jobs=${TJ_AFL_JOBS:-1}
	set -- $(names "$@")
	for f in "$@"; do
		shift
		[ -x "$out/fuzz_$f" ] || build
		seeds="$out/seeds/$f"
		rm -rf "$seeds"
		fuzz_seeds "$f" "$seeds" || exit 1
		mkdir -p "$out/out"
		done_execs=$(campaign_execs "$f")
		left=$((execs - done_execs))
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
		echo "afl: fuzz_$f: $left more executions${limit:+, at most ${secs}s}, $jobs instance(s) (log $out/out/$f.log)"
		# TJ_AFL_JOBS instances share the campaign (the first is
		# "default", the others -S sK and import its finds): on a loaded
		# machine a fast target waits for the scheduler at each of an
		# execution's hand-offs, so two instances make twice the
		# executions.  -E is each instance's own total: what it has done
		# (a resumed instance restores its count) and its share of the rest.
		i=0
		while [ "$i" -lt "$jobs" ]; do
			if [ "$i" -eq 0 ]; then name=default role=""; else name=s$i role="-S s$i"; fi
			own=$(figure "$out/out/$f/$name/fuzzer_stats" execs_done)
			log="$out/out/$f.log"
			[ "$i" -eq 0 ] || log="$out/out/$f-$name.log"
			# One core at most each, and the lowest priority (nice 19:
			# idle CPU only): the machine is shared.  ASan as afl-fuzz
			# wants it; leaks are the smoke
			# run's (a persistent loop cannot tell them from the next
			# iteration).  For speed (afl.sh speed): no allocation
			# stacks (a crash is triaged with the libFuzzer build, which
			# records them) and a 16 MB quarantine instead of 256 MB
			# (which cycled through fresh pages).  AFL_FAST_CAL: fewer
			# calibration runs of each new input.
			# shellcheck disable=SC2046,SC2086
			AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_NO_AFFINITY=1 AFL_AUTORESUME=1 AFL_SKIP_CRASHES=1 \
				AFL_FAST_CAL=1 ASAN_OPTIONS=$asan UBSAN_OPTIONS=$ubsan \
				nice -n 19 afl-fuzz $role -i "$seeds" -o "$out/out/$f" -E $((${own:-0} + (left + jobs - 1) / jobs)) \
				$limit -m none -t 2000 $(fuzz_afl_args "$f") -- "$out/fuzz_$f" >"$log" 2>&1 &
			i=$((i + 1))
		done
		wait
		echo "afl: fuzz_$f: $(campaign_execs "$f") executions"
	done
}

minimise() {
	need
	for f in $(names "$@"); do
		[ -n "$(instances "$f")" ] || { echo "afl: fuzz_$f: no campaign to minimise" >&2; continue; }
		# Every instance's queue.
		rm -rf "$out/cmin-$f" "$out/queues-$f"
		mkdir -p "$out/queues-$f"
		for d in $(instances "$f"); do
			for i in "$d"/queue/id*; do
				[ -f "$i" ] && cp "$i" "$out/queues-$f/$(basename "$d")-$(basename "$i" | cut -c1-9)"
			done
		done
		AFL_SKIP_BIN_CHECK=1 ASAN_OPTIONS=$asan \
			nice -n 19 afl-cmin -i "$out/queues-$f" -o "$out/cmin-$f" -m none -t 5000 -- "$out/fuzz_$f" >"$out/cmin-$f.log" 2>&1 ||
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

# The figures of every campaign, its instances' together: executions and
# crashes and hangs summed, exec/s the sum over the first instance's time,
# the edges of the instance that found most (they share their finds).
report() {
	status=0
	printf '| target | executions | exec/s | edges found (of the map) | time | instances | crashes | hangs | corpus |\n'
	printf '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n'
	for f in $(fuzz_targets); do
		s="$out/out/$f/default/fuzzer_stats"
		[ -f "$s" ] || { printf '| %s | (no campaign) | | | | | | | |\n' "$f"; continue; }
		crashes=0 hangs=0 edges=0 cvg="" n=0
		for d in $(instances "$f"); do
			n=$((n + 1))
			crashes=$((crashes + $(ls "$d/crashes" 2>/dev/null | grep -vc README)))
			hangs=$((hangs + $(ls "$d/hangs" 2>/dev/null | grep -vc README)))
			e=$(figure "$d/fuzzer_stats" edges_found)
			[ "$e" -le "$edges" ] || { edges=$e; cvg=$(figure "$d/fuzzer_stats" bitmap_cvg); }
		done
		[ "$crashes" -eq 0 ] && [ "$hangs" -eq 0 ] || status=1
		t=$(figure "$s" run_time)
		[ -n "$t" ] || t=$(($(figure "$s" last_update) - $(figure "$s" start_time)))
		total=$(campaign_execs "$f")
		printf '| %s | %s | %s | %s | %dh%02dm | %s | %s | %s | %s |\n' "$f" "$total" \
			$((total / (t > 0 ? t : 1))) "$edges of $(figure "$s" total_edges) ($cvg)" \
			$((t / 3600)) $((t % 3600 / 60)) "$n" \
			"$crashes" "$hangs" "$(ls "tests/fuzz/corpus/$f" 2>/dev/null | wc -l)"
	done
	return $status
}

# speed [NAME...]: each target's CPU cost an input over its committed corpus
# (tests/fuzz/speed.c, built as the campaigns' targets are, run with their
# ASan options; TJ_AFL_ASAN=... to compare others).
speed() {
	need
	[ -f "$out/libtj.a" ] || build
	for f in $(names "$@"); do
		# shellcheck disable=SC2086
		AFL_QUIET=1 afl-clang-fast -std=c17 -D_GNU_SOURCE -g -O1 -Iinclude $(pkg-config --cflags $FUZZ_PKGS) \
			-fsanitize=address,undefined -fno-sanitize-recover=undefined tests/fuzz/fuzz_"$f".c \
			tests/fuzz/speed.c "$out/libtj.a" -o "$out/speed_$f" $(pkg-config --libs $FUZZ_PKGS) || exit 1
		echo "afl: fuzz_$f: $(ASAN_OPTIONS=${TJ_AFL_ASAN:-$asan} UBSAN_OPTIONS=$ubsan "$out/speed_$f" 3 "tests/fuzz/corpus/$f" | head -1)"
	done
}

case "${1:-all}" in
build) build ;;
run) shift; run "$@"; report ;;
min) shift; minimise "$@" ;;
report) report ;;
speed) shift; speed "$@" ;;
all) build && run && minimise && report ;;
*) echo "usage: $0 build|run|min|report|speed|all [NAME...]" >&2; exit 2 ;;
esac
