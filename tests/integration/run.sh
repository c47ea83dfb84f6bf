#!/bin/sh
# Runs every tests/integration/test_*.sh against BUILD/tinyjail and prints
# the totals and each file's wall and CPU time.
# Usage: tests/integration/run.sh [-j N] [--release RBUILD] BUILD [test_name...]
#
# -j N (or TJ_JOBS=N) runs N files at once; each file's output is printed
# whole when it ends.  The slowest files (last run's times in
# BUILD/integration-times, else SLOW_FIRST below) start first.  A file with
# the line "# run.sh: alone" runs with no other file of this suite: after
# the others, one at a time.
# --release RBUILD runs every file on RBUILD too, in the same pool, as the
# release build (TJ_RELEASE_BUILD=1, lib.sh); its lines say test_x@RBUILD.
set -u
cd "$(dirname "$0")/../.." || exit 1
ROOT=$(pwd)

# One file on one build: its output into LOGS/BUILD/NAME.log, printed whole
# when it ends; its wall time and its processes' CPU time into .time.
run_file() {
	_b=$1 _f=$2
	_name=$(basename "$_f" .sh)
	_dir="$LOGS/$(echo "$_b" | tr / _)"
	_label=$_name
	[ "$_b" = "$MAIN_BUILD" ] || _label="$_name@$_b"
	_start=$(date +%s%N)
	(
		TJ="$ROOT/$_b/tinyjail" PROBE="$ROOT/$_b/probe" BUILD=$_b RESULTS="$_dir/results"
		export TJ PROBE BUILD RESULTS
		if [ "$_b" != "$MAIN_BUILD" ]; then
			export TJ_RELEASE_BUILD=1 TJ_RUN_LABEL=$_b
		fi
		sh "$_f"
		echo $? >"$_dir/$_name.rc"
		times >"$_dir/$_name.cpu"
	) >"$_dir/$_name.log" 2>&1 </dev/null
	_ms=$((($(date +%s%N) - _start) / 1000000))
	# "0m12.34s 0m5.67s" on the second line: user and system time of the
	# file's processes (those waited for).
	_cpu=$(awk 'NR == 2 {n = 0; for (i = 1; i <= 2; i++) {split($i, a, /[ms]/); n += a[1] * 60 + a[2]}; printf "%.1f", n}' \
		"$_dir/$_name.cpu")
	printf '%s %d.%d %s\n' "$_name" $((_ms / 1000)) $((_ms % 1000 / 100)) "${_cpu:-0}" >"$_dir/$_name.time"
	flock "$LOGS" sh -c 'cat "$1"; printf "time %s: %s s wall, %s s CPU\n" "$2" $(cut -d" " -f2- "$3")' sh \
		"$_dir/$_name.log" "$_label" "$_dir/$_name.time"
}

if [ "${TJ_RUN_ONE:-}" = 1 ]; then
	# A worker of the -j pool below: BUILD FILE.
	unset TJ_RUN_ONE
	run_file "$1" "$2"
	exit 0
fi

jobs=${TJ_JOBS:-1} release=""
while :; do
	case ${1:-} in
	-j) jobs=$2 && shift 2 ;;
	--release) release=$2 && shift 2 ;;
	*) break ;;
	esac
done
case $jobs in '' | *[!0-9]* | 0) echo "integration: -j needs a number of files at once" >&2; exit 1 ;; esac
MAIN_BUILD=${1:-build}
shift 2>/dev/null || true
builds="$MAIN_BUILD${release:+ $release}"
LOGS=$(mktemp -d "${TMPDIR:-/tmp}/tj-run.XXXXXX")
export ROOT LOGS MAIN_BUILD
for b in $builds; do
	[ -x "$ROOT/$b/tinyjail" ] && [ -x "$ROOT/$b/probe" ] || { echo "integration: build $b first" >&2; exit 1; }
	mkdir -p "$LOGS/$(echo "$b" | tr / _)"
done
# Bundled profiles come from this tree, whatever else is installed.
export TINYJAIL_POLICY_DIR="$ROOT/policies"

# The longest files on a machine without a record of its own (CPU time
# under the sanitisers, longest first): started first, they end with the rest.
SLOW_FIRST="test_static test_toolchains test_report_logs test_isolation test_learn test_conventions
	test_edit test_limits test_net_proxy test_supervise test_explain test_security"

files=""
if [ $# -gt 0 ]; then
	for n in "$@"; do files="$files tests/integration/$n.sh"; done
else
	files=$(ls tests/integration/test_*.sh)
fi
alone="" together=""
for f in $files; do
	if grep -qx '# run.sh: alone' "$f" 2>/dev/null; then alone="$alone $f"; else together="$together $f"; fi
done
# "BUILD FILE" lines, longest first: last run's wall times, else SLOW_FIRST.
order() {
	for b in $builds; do
		for f in "$@"; do
			n=$(basename "$f" .sh)
			w=$(awk -v n="$n" '$1 == n {print $2}' "$ROOT/$b/integration-times" 2>/dev/null)
			if [ -z "$w" ]; then
				i=0 w=0
				for s in $SLOW_FIRST; do
					i=$((i + 1))
					[ "$s" = "$n" ] && w=$((1000 - i))
				done
			fi
			echo "$w $b $f"
		done
	done | sort -k1,1nr -k3 | cut -d' ' -f2-
}

start=$(date +%s)
# shellcheck disable=SC2086
if [ "$jobs" -gt 1 ]; then
	order $together | TJ_RUN_ONE=1 xargs -P "$jobs" -n 2 sh "$0"
else
	order $together | while read -r b f; do run_file "$b" "$f"; done
fi
# shellcheck disable=SC2086
order $alone | while read -r b f; do run_file "$b" "$f"; done
wall=$(($(date +%s) - start))

status=0
for b in $builds; do
	dir="$LOGS/$(echo "$b" | tr / _)"
	label=""
	[ "$b" = "$MAIN_BUILD" ] || label=" on $b"
	for f in $files; do
		n=$(basename "$f" .sh)
		[ "$(cat "$dir/$n.rc" 2>/dev/null)" = 0 ] || status=1
	done
	# This run's times order the next one (a run of a few files adds to them).
	times="$ROOT/$b/integration-times"
	cat "$dir"/*.time 2>/dev/null >"$times.new"
	[ -f "$times" ] && awk 'NR == FNR {seen[$1] = 1; print; next} !($1 in seen)' "$times.new" "$times" >"$times.all" &&
		mv "$times.all" "$times.new"
	mv "$times.new" "$times"
	cat "$dir"/*.time 2>/dev/null | awk -v l="$label" '{c += $3; s += $2} END {
		printf "integration time%s: the files took %.0f s wall, %.0f s CPU in all\n", l, s, c}'
	# lib.sh's finish: "passed failed skipped", a line per file.
	awk -v l="$label" '{p += $1; f += $2; s += $3} END {
		printf "integration tests%s: %d passed, %d failed, %d skipped\n", l, p, f, s; exit (f > 0)}' "$dir/results" 2>/dev/null ||
		status=1
	[ -s "$dir/results" ] || { echo "integration: no results$label" >&2; status=1; }
done
echo "integration time: $wall s wall, $jobs file(s) at a time"
rm -rf "$LOGS"
exit $status
