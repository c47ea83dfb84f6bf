#!/bin/sh
# The evaluation of `tinyjail learn --fuzz` (notes/fuzz-learn.md, the table
# there comes from this script).  For each program, built with afl-clang-fast:
#
#   1. static:  learn --static -o P.static.json PROGRAM            (timed)
#   2. fuzz:    learn --fuzz SEEDS -o P.json -- PROGRAM ...         (timed; the
#               seeds' traced runs are its calibration)
#   3. again:   a second, independent campaign (another afl-fuzz seed, the same
#               budget) from P.json: its kills (sig:31 crashes) should be 0
#   4. base:    learn --fuzz SEEDS --from P.static.json -o P.s.json (the issue's
#               flow: a static base, then fuzzing; its kills are what the static
#               analysis missed)                                     (timed)
#
# and prints a table row: syscalls the seeds' runs made, syscalls only fuzzing
# found, the second campaign's kills, the static base's kills, and the time of
# static + traced + fuzz (1 + 2, and 1 + 4).
#
#   bench/fuzz_eval.sh [-b BUDGET] [-e EXECS] [-j JOBS] [-o DIR] [NAME...]
#
# Programs: cpio, sed, unzip (Debian's source packages, `apt-get source`,
# which needs a deb-src line: notes/fuzz-learn.md), app
# (tests/integration/data/fuzz_app.c), and tinyjail's own AFL++ targets
# (http, profile, elf, ...: tests/fuzz/afl.sh build).  Default: cpio sed unzip,
# 60s per round without anything new, one afl-fuzz instance.  Everything runs
# under nice -n 10; the load average is printed with each row.
set -u
cd "$(dirname "$0")/.." || exit 1
ROOT=$(pwd)
TJ=${TJ:-$ROOT/build/tinyjail}
budget=60s execs="" dir="" jobs=1
while getopts b:e:j:o: opt; do
	case $opt in
	b) budget=$OPTARG ;;
	e) execs=$OPTARG ;;
	j) jobs=$OPTARG ;;
	o) dir=$OPTARG ;;
	*)
		echo "usage: $0 [-b BUDGET] [-e EXECS] [-j JOBS] [-o DIR] [NAME...]" >&2
		exit 2
		;;
	esac
done
shift $((OPTIND - 1))
[ -x "$TJ" ] || {
	echo "fuzz_eval: build tinyjail first (make)" >&2
	exit 1
}
command -v afl-clang-fast >/dev/null || {
	echo "fuzz_eval: afl++ missing (tools/install-deps.sh fuzz)" >&2
	exit 1
}
[ -n "$dir" ] || dir=$(mktemp -d /tmp/fuzz-eval.XXXXXX)
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
names=${*:-cpio sed unzip}
limit="--budget $budget"
[ -n "$execs" ] && limit="--budget-execs $execs"
export ASAN_OPTIONS=abort_on_error=1:symbolize=0:detect_leaks=0:allocator_may_return_null=1
export UBSAN_OPTIONS=halt_on_error=1:abort_on_error=1:symbolize=0
NICE="nice -n 10"

# source PKG: the unpacked Debian source of PKG in $dir/src, its path printed.
source_of() {
	mkdir -p "$dir/src"
	d=$(ls -d "$dir/src/$1"-*/ 2>/dev/null | head -1)
	if [ -z "$d" ]; then
		(cd "$dir/src" && apt-get source -q "$1" >"$dir/src/$1.get.log" 2>&1) || {
			echo "fuzz_eval: apt-get source $1 failed ($dir/src/$1.get.log): it needs a deb-src line for" \
				"Debian's archive (notes/fuzz-learn.md, Evaluation) and dpkg-dev" >&2
			return 1
		}
		d=$(ls -d "$dir/src/$1"-*/ | head -1)
		# One time for every file: Debian's patches leave some newer than
		# what is generated from them, and make would want automake.
		find "$d" -exec touch -r "$d/configure" {} + 2>/dev/null
	fi
	echo "${d%/}"
}

# build NAME: builds the program with afl-clang-fast (once), prints its path.
# configure runs with gcc (afl-clang-fast makes its hundreds of checks slow),
# make with afl-clang-fast.
build() {
	case $1 in
	cpio | sed)
		s=$(source_of "$1") || return 1
		bin=$s/src/cpio
		[ "$1" = sed ] && bin=$s/sed/sed
		if [ ! -x "$bin" ] || ! grep -q __AFL_SHM_ID "$bin"; then
			(cd "$s" && $NICE ./configure -q CC=gcc --disable-nls --without-selinux --disable-acl \
				>"$dir/$1.configure.log" 2>&1 &&
				$NICE make -j2 CC=afl-clang-fast "${bin#"$s"/}" >"$dir/$1.make.log" 2>&1) || return 1
		fi
		echo "$bin"
		;;
	unzip)
		s=$(source_of unzip) || return 1
		if [ ! -x "$s/unzip" ] || ! grep -q __AFL_SHM_ID "$s/unzip"; then
			(cd "$s" && $NICE make -f unix/Makefile CC=afl-clang-fast generic >"$dir/unzip.make.log" 2>&1) ||
				return 1
		fi
		echo "$s/unzip"
		;;
	app)
		AFL_QUIET=1 afl-clang-fast -O1 -o "$dir/app" tests/integration/data/fuzz_app.c || return 1
		echo "$dir/app"
		;;
	*)
		[ -x build-afl/fuzz_"$1" ] || tests/fuzz/afl.sh build >&2 || return 1
		echo "$ROOT/build-afl/fuzz_$1"
		;;
	esac
}

# seeds NAME BIN: plain seed inputs into $dir/NAME.seeds (the calls fuzzing
# finds must be ones these do not make).
seeds() {
	s=$dir/$1.seeds
	rm -rf "$s"
	mkdir -p "$s"
	case $1 in
	cpio)
		# newc archives of regular files only, made by the program itself.
		t=$(mktemp -d)
		printf 'hello\n' >"$t/a"
		printf 'world\n' >"$t/b"
		(cd "$t" && echo a | "$2" -o -H newc >"$s/one.cpio" 2>/dev/null &&
			printf 'a\nb\n' | "$2" -o -H newc >"$s/two.cpio" 2>/dev/null)
		rm -rf "$t"
		;;
	sed)
		# sed scripts (the input file is fixed): a substitution, a print.
		printf 's/a/b/\n' >"$s/subst"
		printf '2p\n' >"$s/print"
		;;
	unzip)
		python3 - "$s" <<'EOF'
import sys, zipfile
for name, method in (("stored.zip", zipfile.ZIP_STORED), ("deflated.zip", zipfile.ZIP_DEFLATED)):
    with zipfile.ZipFile(sys.argv[1] + "/" + name, "w", method) as z:
        info = zipfile.ZipInfo("a", (2020, 1, 1, 0, 0, 0))
        info.compress_type = method  # writestr takes the ZipInfo's, not the archive's
        z.writestr(info, "hello\n" * 4)
EOF
		;;
	app)
		printf 'hello\n' >"$s/a"
		printf 'abc' >"$s/b"
		;;
	*) (. tests/fuzz/targets.sh && fuzz_seeds "$1" "$s") >/dev/null 2>&1 ;;
	esac
}

# command NAME BIN: the fuzzed command line (@@: the input file).  The real
# programs write only below $dir/NAME.scratch (--ro / --rw), no network.
command_of() {
	case $1 in
	cpio) echo "$2 -i -d -u -F @@" ;;
	sed) echo "$2 -f @@ $dir/sed.text" ;;
	unzip) echo "$2 -o -q @@" ;;
	app) echo "$2 @@" ;;
	*) echo "$2" ;;
	esac
}

# summary LOG: rounds executions seconds findings syscalls of the report line.
summary() {
	sed -n 's/^tinyjail learn --fuzz: \([0-9]*\) rounds\{0,1\}, \([0-9]*\) executions, \([0-9]*\) s; .*; \([0-9]*\) findings\{0,1\}; \([0-9]*\) syscalls learnt.*/\1 \2 \3 \4 \5/p' "$1"
}
learned() {
	sed -n 's/^tinyjail: learn --fuzz: round [0-9]*: .*: learned \([a-z0-9_ ]*\) (.*/\1/p' "$1" | tr '\n' ' ' |
		sed 's/ $//'
}
classes() { sed -n 's/^tinyjail: learn --fuzz: round [0-9]*: .*: learned \([0-9]*\) new argument class.*/\1/p' "$1" | awk '{ s += $1 } END { if (NR) print s }'; }
kills() { grep -c '^  round [0-9]*, sig 31:' "$1"; }
seconds() { date +%s; }

printf '| program | seeds | seeds made | found only by fuzzing | rounds, executions | fuzz time | static: syscalls, time | 2nd campaign: executions, kills | static base: kills, time | static+traced+fuzz | load |\n'
printf '|---|---:|---:|---|---|---:|---|---|---|---:|---:|\n'
for n in $names; do
	bin=$(build "$n") || {
		echo "fuzz_eval: $n: cannot build (logs in $dir)" >&2
		continue
	}
	seeds "$n" "$bin"
	scratch=$dir/$n.scratch
	rm -rf "$scratch" "$dir/$n".json* "$dir/$n".2.json* "$dir/$n".s.json* "$dir/$n".static.json
	mkdir -p "$scratch"
	printf 'abc\nabd\nxyz\n' >"$dir/sed.text"
	# shellcheck disable=SC2046
	set -- $(command_of "$n" "$bin")
	opts="--ro / --rw $scratch --net none"
	nseeds=$(ls "$dir/$n.seeds" | wc -l)

	t0=$(seconds)
	$NICE "$TJ" learn --static -o "$dir/$n.static.json" "$bin" >"$dir/$n.static.log" 2>&1
	t1=$(seconds)
	static_n=$(sed -n 's/.*: \([0-9]*\) syscalls reachable.*/\1/p' "$dir/$n.static.log")
	# shellcheck disable=SC2086
	(cd "$scratch" && $NICE "$TJ" learn --fuzz "$dir/$n.seeds" $limit --jobs "$jobs" --fuzz-seed 1 $opts \
		-o "$dir/$n.json" -- "$@" >"$dir/$n.log" 2>&1)
	t2=$(seconds)
	found=$(learned "$dir/$n.log")
	sum=$(summary "$dir/$n.log")
	made=$(echo "$sum" | cut -d' ' -f5)
	nfound=$(echo "$found" | wc -w)
	# shellcheck disable=SC2086
	(cd "$scratch" && $NICE "$TJ" learn --fuzz "$dir/$n.seeds" $limit --jobs "$jobs" --fuzz-seed 1000 $opts \
		--from "$dir/$n.json" -o "$dir/$n.2.json" -- "$@" >"$dir/$n.2.log" 2>&1)
	sum2=$(summary "$dir/$n.2.log")
	t3=$(seconds)
	# shellcheck disable=SC2086
	(cd "$scratch" && $NICE "$TJ" learn --fuzz "$dir/$n.seeds" $limit --jobs "$jobs" --fuzz-seed 1 $opts \
		--from "$dir/$n.static.json" -o "$dir/$n.s.json" -- "$@" >"$dir/$n.s.log" 2>&1)
	t4=$(seconds)
	printf '| %s | %s | %s | %s | %s, %s | %s s | %s, %s s | %s, %s | %s, %s s | %s s / %s s | %s |\n' \
		"$n" "$nseeds" "$((made - nfound))" "${found:-none}$(c=$(classes "$dir/$n.log"); [ -n "$c" ] && echo "; +$c argument class(es)")" "$(echo "$sum" | cut -d' ' -f1)" \
		"$(echo "$sum" | cut -d' ' -f2)" "$((t2 - t1))" "${static_n:-?}" "$((t1 - t0))" \
		"$(echo "$sum2" | cut -d' ' -f2)" "$(kills "$dir/$n.2.log")" "$(kills "$dir/$n.s.log")" "$((t4 - t3))" \
		"$((t2 - t0))" "$((t1 - t0 + t4 - t3))" "$(cut -d' ' -f1 /proc/loadavg)"
done
echo "(logs, profiles and campaigns in $dir)"
