#!/bin/sh
# The evaluation of `tinyjail learn --fuzz` (notes/fuzz-learn.md): for each
# program built with afl-clang-fast, a campaign from its seeds, then a second,
# independent campaign (another afl-fuzz seed) from the first one's profile,
# which should learn nothing.  Prints one table row per program.
#
#   bench/fuzz_eval.sh [-b BUDGET] [-e EXECS] [-o DIR] [NAME...]
#
# Programs: app (tests/integration/data/fuzz_app.c, calls that only some
# inputs reach) and tinyjail's own AFL++ targets (tests/fuzz/, persistent
# mode, ASan and UBSan; built by tests/fuzz/afl.sh build): http, profile,
# elf, ...  Default budget: 30s per round without anything new.
set -u
cd "$(dirname "$0")/.." || exit 1
ROOT=$(pwd)
TJ=${TJ:-$ROOT/build/tinyjail}
budget=30s execs="" dir=""
while getopts b:e:o: opt; do
	case $opt in
	b) budget=$OPTARG ;;
	e) execs=$OPTARG ;;
	o) dir=$OPTARG ;;
	*) echo "usage: $0 [-b BUDGET] [-e EXECS] [-o DIR] [NAME...]" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ -x "$TJ" ] || { echo "fuzz_eval: build tinyjail first (make)" >&2; exit 1; }
command -v afl-clang-fast >/dev/null || { echo "fuzz_eval: afl++ missing (tools/install-deps.sh fuzz)" >&2; exit 1; }
[ -n "$dir" ] || dir=$(mktemp -d /tmp/fuzz-eval.XXXXXX)
mkdir -p "$dir"
names=${*:-app http profile elf}
limit="--budget $budget"
[ -n "$execs" ] && limit="--budget-execs $execs"
export ASAN_OPTIONS=abort_on_error=1:symbolize=0:detect_leaks=0:allocator_may_return_null=1
export UBSAN_OPTIONS=halt_on_error=1:abort_on_error=1:symbolize=0

# program NAME: prints the program's path; its seeds go to $dir/NAME.seeds.
program() {
	rm -rf "$dir/$1.seeds"
	mkdir -p "$dir/$1.seeds"
	if [ "$1" = app ]; then
		printf 'hello\n' >"$dir/app.seeds/a"
		printf 'abc' >"$dir/app.seeds/b"
		AFL_QUIET=1 afl-clang-fast -O1 -o "$dir/app" tests/integration/data/fuzz_app.c || return 1
		echo "$dir/app @@"
		return
	fi
	[ -x build-afl/fuzz_"$1" ] || tests/fuzz/afl.sh build >&2 || return 1
	(. tests/fuzz/targets.sh && fuzz_seeds "$1" "$dir/$1.seeds") >/dev/null 2>&1
	echo "$ROOT/build-afl/fuzz_$1"
}

# field FILE: the numbers of the report line.
summary() {
	sed -n 's/^tinyjail learn --fuzz: \([0-9]*\) rounds\{0,1\}, \([0-9]*\) executions, \([0-9]*\) s; .*; \([0-9]*\) findings\{0,1\}; \([0-9]*\) syscalls learnt.*/\1 \2 \3 \4 \5/p' "$1"
}

printf '| program | seeds | rounds | executions | time | findings | learned by fuzzing | syscalls (made) | allowed | second campaign: executions, learned |\n'
printf '|---|---:|---:|---:|---:|---:|---|---:|---:|---|\n'
for n in $names; do
	cmd=$(program "$n") || { echo "fuzz_eval: $n: cannot build" >&2; continue; }
	seeds=$(ls "$dir/$n.seeds" | wc -l)
	rm -rf "$dir/$n.json" "$dir/$n.json.fuzz" "$dir/$n.2.json" "$dir/$n.2.json.fuzz"
	# shellcheck disable=SC2086
	"$TJ" learn --fuzz "$dir/$n.seeds" $limit --fuzz-seed 1 -o "$dir/$n.json" -- $cmd >"$dir/$n.log" 2>&1
	set -- $(summary "$dir/$n.log")
	learned=$(sed -n 's/^tinyjail: learn --fuzz: round .*: learned \([a-z0-9_ ]*\) (.*/\1/p' "$dir/$n.log" | tr '\n' ' ' | sed 's/ $//')
	allowed=$(sed -n 's/.*wrote .*: \([0-9]*\) syscalls allowed.*/\1/p' "$dir/$n.log")
	# shellcheck disable=SC2086
	"$TJ" learn --fuzz "$dir/$n.seeds" $limit --fuzz-seed 1000 --from "$dir/$n.json" -o "$dir/$n.2.json" \
		-- $cmd >"$dir/$n.2.log" 2>&1
	second=$(summary "$dir/$n.2.log")
	learned2=$(sed -n 's/^tinyjail: learn --fuzz: round .*: learned \([a-z0-9_ ]*\) (.*/\1/p' "$dir/$n.2.log" | tr '\n' ' ' | sed 's/ $//')
	printf '| %s | %s | %s | %s | %s s | %s | %s | %s | %s | %s, %s |\n' "$n" "$seeds" "${1:-?}" "${2:-?}" "${3:-?}" \
		"${4:-?}" "${learned:-none}" "${5:-?}" "${allowed:-?}" "$(echo "$second" | cut -d' ' -f2)" "${learned2:-nothing}"
done
echo "(logs and campaigns in $dir)"
