#!/bin/sh
# A short libFuzzer run of the profile loader and compiler, seeded with every
# fixture and corpus profile.  Fails on any crash, leak or sanitizer report.
# Usage: tests/fuzz/smoke.sh BUILD   (TJ_FUZZ_SECONDS, default 20)
set -u
cd "$(dirname "$0")/../.." || exit 1
out=build-fuzz
mkdir -p "$out/corpus"
seconds=${TJ_FUZZ_SECONDS:-20}
if ! command -v clang >/dev/null 2>&1; then
	echo "fuzz smoke: clang is missing (tools/install-deps.sh test)" >&2
	exit 1
fi
srcs=$(ls src/*.c | grep -v '/main\.c$')
# shellcheck disable=SC2086
clang -std=c17 -D_GNU_SOURCE -g -O1 -Iinclude $(pkg-config --cflags json-c) \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
	$srcs tests/fuzz/fuzz_profile.c -o "$out/fuzz_profile" \
	$(pkg-config --libs libseccomp json-c libcap libelf) || exit 1
cp tests/fixtures/profiles/good/*.json tests/fixtures/profiles/bad/*.json tests/fixtures/corpus/*.json \
	policies/*.json "$out/corpus/" 2>/dev/null
log="$out/fuzz.log"
"$out/fuzz_profile" -max_total_time="$seconds" -max_len=16384 -timeout=10 -rss_limit_mb=2048 \
	-print_final_stats=1 "$out/corpus" >"$log" 2>&1
rc=$?
runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
if [ "$rc" -ne 0 ]; then
	grep -E 'ERROR|SUMMARY|==[0-9]+==|Test unit written' "$log" | head -20
	echo "fuzz smoke: ${runs:-?} runs, FAILED (crash input in $out/, log $log)"
	exit 1
fi
echo "fuzz smoke: ${runs:-?} runs in ${seconds}s, 0 crashes"
