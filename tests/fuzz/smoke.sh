#!/bin/sh
# A short libFuzzer run of the profile loader and compiler, seeded with every
# fixture and corpus profile, and of the supervisor's parsers (decisions,
# agent state, kernel-log records, write-back; tests/fixtures/supervise).
# Fails on any crash, leak or sanitizer report.
# Usage: tests/fuzz/smoke.sh BUILD   (TJ_FUZZ_SECONDS, default 20)
set -u
cd "$(dirname "$0")/../.." || exit 1
out=build-fuzz
build=${1:-build}
mkdir -p "$out/corpus"
seconds=${TJ_FUZZ_SECONDS:-20}
if ! command -v clang >/dev/null 2>&1; then
	echo "fuzz smoke: clang is missing (tools/install-deps.sh test)" >&2
	exit 1
fi
srcs=$(ls src/*/*.c | grep -v '/main\.c$')
# The host-rules layer embeds the BPF skeleton the Makefile generates.
make --no-print-directory -s BUILD="$build" "$build/bpf/netrules.skel.h" || exit 1
for f in profile supervise; do
	# shellcheck disable=SC2086
	clang -std=c17 -D_GNU_SOURCE -g -O1 -Iinclude -I"$build/bpf" $(pkg-config --cflags json-c) \
		-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
		$srcs tests/fuzz/fuzz_$f.c -o "$out/fuzz_$f" \
		$(pkg-config --libs libseccomp json-c libcap libelf libbpf) || exit 1
done
cp tests/fixtures/profiles/good/*.json tests/fixtures/profiles/bad/*.json tests/fixtures/corpus/*.json \
	policies/*.json "$out/corpus/" 2>/dev/null
mkdir -p "$out/corpus-supervise"
cp tests/fixtures/supervise/* tests/fixtures/profiles/good/*.json policies/*.json "$out/corpus-supervise/" 2>/dev/null
# The profile loader gets the time asked for; the smaller parsers of the
# supervisor half of it.
status=0
for f in profile supervise; do
	t=$seconds
	corpus="$out/corpus"
	if [ "$f" = supervise ]; then
		t=$(((seconds + 1) / 2))
		corpus="$out/corpus-supervise"
	fi
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
