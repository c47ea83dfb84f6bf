#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# tinyjail's benchmark suite (notes/performance.md).  Prints markdown tables
# and writes one JSON file per section.
#
#   bench/run.sh [-m full|quick|smoke] [-b BUILD] [-o OUTDIR] [-B OLD-TINYJAIL] [section...]
#
# sections: launch syscall workloads monitor notify learn (default: all), and compare
# (an older tinyjail given with -B against this one).  Modes:
#   full   the published figures (make bench), about 15-25 minutes
#   quick  a development loop (make bench-quick), under 2 minutes
#   smoke  tiny counts, only to keep the harness working (make check)
# Row definitions are in bench/*.rows (the format is at the top of
# bench/launch.rows).  Timings are paired A/B with the
# median of per-pair ratios (bench/abtime.c); per-syscall costs come from
# bench/sysbench.c.  Run it on a quiet machine: each row first waits for
# the CPUs to be 85% idle (up to a limit), and reports how idle they were.
set -u
cd "$(dirname "$0")/.." || exit 1
ROOT=$(pwd)
mode=full build=build outdir="" BEFORE=""
while getopts m:b:o:B: opt; do
	case $opt in
	m) mode=$OPTARG ;;
	b) build=$OPTARG ;;
	o) outdir=$OPTARG ;;
	B) BEFORE=$OPTARG ;;
	*) echo "usage: bench/run.sh [-m full|quick|smoke] [-b BUILD] [-o OUTDIR] [-B OLD] [section...]" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
sections=${*:-launch syscall workloads monitor notify learn}

case $mode in
full)  pairs=40 warm=5 wpairs=12 wwarm=1 idle=85 wait=30 rounds=21 iters=100000 procs=3 ncalls=20000 nrounds=7 ;;
quick) pairs=10 warm=2 wpairs=3 wwarm=1 idle=70 wait=3 rounds=5 iters=20000 procs=1 ncalls=5000 nrounds=3 ;;
smoke) pairs=1 warm=0 wpairs=1 wwarm=0 idle=0 wait=0 rounds=1 iters=1000 procs=1 ncalls=200 nrounds=1 ;;
*) echo "bench: unknown mode '$mode'" >&2; exit 2 ;;
esac
[ -n "$outdir" ] || outdir=bench/results
mkdir -p "$outdir"
suffix=$([ "$mode" = full ] && echo "" || echo "-$mode")

TJ="$ROOT/$build/tinyjail"
AB="$ROOT/$build/bench/abtime"
SB="$ROOT/$build/bench/sysbench"
CORPUS="$ROOT/tests/fixtures/corpus"
for f in "$TJ" "$AB" "$SB"; do
	[ -x "$f" ] || { echo "bench: $f is missing (make bench builds it)" >&2; exit 1; }
done
export TINYJAIL_POLICY_DIR="$ROOT/policies"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/tj-bench.XXXXXX")
chmod 755 "$WORK"
# The filter cache of the runs under test, apart from the user's own.
export XDG_CACHE_HOME="$WORK/cache"
PORT="" server=""
cleanup() {
	[ -n "$server" ] && kill "$server" 2>/dev/null
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
status=0

machine_json() {
	cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
	distro=$(. /etc/os-release 2>/dev/null && echo "$PRETTY_NAME")
	printf '{"date": "%s", "cpus": %s, "cpu_model": "%s", "kernel": "%s", "distro": "%s", ' \
		"$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$(nproc)" "$cpu" "$(uname -r)" "$distro"
	printf '"tinyjail": "%s", ' "$("$TJ" --version | tr '\n' ' ' | sed 's/"/\\"/g; s/ *$//')"
	printf '"bwrap": "%s", "firejail": "%s", "hyperfine": "%s", "gcc": "%s", ' \
		"$(bwrap --version 2>/dev/null | head -1)" "$(firejail --version 2>/dev/null | head -1)" \
		"$(hyperfine --version 2>/dev/null | head -1)" "$(gcc --version 2>/dev/null | head -1)"
	printf '"mode": "%s", "load_before": "%s"}' "$mode" "$(cut -d' ' -f1-3 /proc/loadavg)"
}

# Wraps the JSON lines in $1 into one document: the section, the machine and
# the rows.
write_json() { # section lines-file out-file
	{
		printf '{"section": "%s", "machine": %s, "rows": [\n' "$1" "$(machine_json)"
		sed '$!s/$/,/' "$2"
		printf ']}\n'
	} >"$3"
	echo "bench: wrote $3"
}

# Runs the rows of FILE through abtime.
run_rows() { # rows-file json-lines pairs warmup
	rows=$1 jsonl=$2 npairs=$3 nwarm=$4
	need="" reason=""
	while IFS= read -r line; do
		case $line in
		need\ *)
			rest=${line#need }
			need=${rest%% :: *}
			reason=$(echo "${rest#* :: }" | sed 's/^ *//; s/ *$//')
			continue
			;;
		row\ *) ;;
		*) continue ;;
		esac
		rest=${line#row }
		label=$(echo "${rest%%|*}" | sed 's/^ *//; s/ *$//')
		rest=${rest#*|}
		acmd=${rest%%|*}
		bcmd=${rest#*|}
		if [ -n "$need" ] && ! eval "$need" >/dev/null 2>&1; then
			echo "| $label | skipped: $reason | | | | | | |"
			printf '{"label": "%s", "skipped": "%s"}\n' "$label" "$reason" >>"$jsonl"
			need=""
			continue
		fi
		need=""
		eval "set -- $acmd ++ $bcmd"
		"$AB" -n "$npairs" -w "$nwarm" -i "$idle" -W "$wait" -l "$label" -j "$jsonl" -- "$@" || {
			echo "| $label | FAILED (a run did not exit 0) | | | | | | |"
			status=1
		}
	done <"$rows"
}

table_header() {
	echo "| $1 | median ms | paired $2 ms | ratio: median of pairs (min..max) | +ms | CPU ratio | pairs | idle |"
	echo "|---|---:|---:|---:|---:|---:|---:|---:|"
}

section_launch() {
	echo "## Launch overhead: /bin/true ($mode)"
	echo
	table_header launcher /bin/true
	: >"$WORK/launch.jsonl"
	# Fill the filter cache once, as any earlier run would have.
	"$TJ" -q -- /bin/true
	"$TJ" -q --profile strict -- /bin/true
	run_rows bench/launch.rows "$WORK/launch.jsonl" "$pairs" "$warm"
	echo
	write_json launch "$WORK/launch.jsonl" "$outdir/launch$suffix.json"
}

section_syscall() {
	echo "## Filter cost per syscall ($mode: $procs process(es) x $rounds rounds x $iters calls)"
	echo
	: >"$WORK/syscall.jsonl"
	# Configurations interleaved process by process, so a noisy phase of
	# the machine is spread over all of them.
	p=0
	while [ "$p" -lt "$procs" ]; do
		grep -v '^#' bench/syscall.rows | while IFS='|' read -r label call prof opt; do
			[ -n "$label" ] || continue
			label=$(echo "$label" | sed 's/^ *//; s/ *$//')
			eval "prof=$(echo $prof)"
			set -- -l "$label" -c $call -O $opt -n "$iters" -r "$rounds"
			[ "$prof" = none ] || set -- "$@" -p "$prof"
			"$SB" "$@" >>"$WORK/syscall.jsonl" || { echo "bench: sysbench failed: $label" >&2; echo fail >"$WORK/sb.fail"; }
		done
		p=$((p + 1))
	done
	[ -e "$WORK/sb.fail" ] && status=1
	# Median over processes per label, then the cost against the unfiltered
	# row of the same call.
	awk '
	function num(k,   m) { if (match($0, "\"" k "\": [-0-9.]+")) { m = substr($0, RSTART, RLENGTH); sub(/.*: /, "", m); return m + 0 } return 0 }
	function str(k,   m) { if (match($0, "\"" k "\": \"[^\"]*\"")) { m = substr($0, RSTART, RLENGTH); sub(/^[^:]*: "/, "", m); sub(/"$/, "", m); return m } return "" }
	function med(s,   a, n, i, j, t) { n = split(s, a, " "); for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t } return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
	{ l = str("label"); if (!(l in seen)) { seen[l] = 1; order[++n] = l; call[l] = str("call"); opt[l] = num("optimize"); insns[l] = num("insns") }
	  d[l] = d[l] " " num("ns_diff"); c[l] = c[l] " " num("ns_call") }
	END {
		print "| configuration | call | layout | BPF insns | ns/call | filter cost ns |"
		print "|---|---|---|---:|---:|---:|"
		for (i = 1; i <= n; i++) { l = order[i]; if (insns[l] == 0 && !(call[l] in base)) base[call[l]] = med(d[l]) }
		for (i = 1; i <= n; i++) {
			l = order[i]; lay = insns[l] == 0 ? "-" : opt[l] == 1 ? "linear" : opt[l] == 2 ? "binary tree" : "tinyjail'"'"'s choice"
			cost = med(d[l]) - base[call[l]]
			printf "| %s | %s | %s | %d | %.0f | %+.0f |\n", l, call[l], lay, insns[l], med(c[l]), cost
			printf "{\"label\": \"%s\", \"call\": \"%s\", \"optimize\": %d, \"insns\": %d, \"ns_call_median\": %.1f, \"filter_cost_ns\": %.1f}\n", l, call[l], opt[l], insns[l], med(c[l]), cost > "/dev/stderr"
		}
	}' "$WORK/syscall.jsonl" 2>"$WORK/syscall.summary"
	echo
	cat "$WORK/syscall.jsonl" "$WORK/syscall.summary" | sed 's/^{/{"kind": "row", /' >"$WORK/syscall.all"
	sed -i '/"filter_cost_ns"/s/"kind": "row"/"kind": "summary"/' "$WORK/syscall.all"
	write_json syscall "$WORK/syscall.all" "$outdir/syscall$suffix.json"
}

# The workloads' inputs: a small C project, a directory to archive and a
# loopback HTTP server.
prepare_work() {
	[ -d "$WORK/proj" ] && return 0
	mkdir -p "$WORK/proj" "$WORK/www"
	i=0
	n=$([ "$mode" = smoke ] && echo 1 || echo 8)
	objs=""
	while [ "$i" -lt "$n" ]; do
		cat >"$WORK/proj/m$i.c" <<-EOF
		#include <stdio.h>
		#include <string.h>
		int f$i(const char *s)
		{
			char buf[64];
			snprintf(buf, sizeof(buf), "%s-%d", s, $i);
			return (int)strlen(buf);
		}
		EOF
		objs="$objs m$i.o"
		i=$((i + 1))
	done
	printf 'int main(void) { return 0; }\n' >"$WORK/proj/main.c"
	printf 'CFLAGS = -O2\nprog: main.o%s\n\t$(CC) -o $@ $^\n' "$objs" >"$WORK/proj/Makefile"
	# The archive: long enough in full mode (/usr/share/doc, about 130 MB,
	# as perf-baseline.md used) that start-up does not decide the ratio.
	mkdir -p "$WORK/tree"
	case $mode in
	smoke) cp -r "$ROOT/src" "$WORK/tree/" ;;
	quick) cp -r /usr/include/linux "$WORK/tree/" 2>/dev/null || cp -r "$ROOT/src" "$WORK/tree/" ;;
	*) cp -r /usr/share/doc "$WORK/tree/" 2>/dev/null || cp -r /usr/include "$WORK/tree/" ;;
	esac
	mb=$([ "$mode" = smoke ] && echo 1 || echo 32)
	head -c $((mb * 1048576)) /dev/urandom >"$WORK/www/blob"
	if command -v python3 >/dev/null 2>&1; then
		for try in 1 2 3; do
			p=$(( (($$ + try * 7919) % 20000) + 30000 ))
			(cd "$WORK/www" && exec python3 -m http.server --bind 127.0.0.1 "$p") >/dev/null 2>&1 &
			server=$!
			for _ in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
				curl -sf -o /dev/null "http://127.0.0.1:$p/blob" 2>/dev/null && { PORT=$p; break; }
				kill -0 "$server" 2>/dev/null || break
				sleep 0.25
			done
			[ -n "$PORT" ] && break
			kill "$server" 2>/dev/null
			server=""
		done
	fi
	# The build workload; a smoke run only checks the rows work, so it
	# builds once here and then times an up-to-date make.
	BUILD_CMD="make -s -B -C $WORK/proj"
	if [ "$mode" = smoke ]; then
		make -s -C "$WORK/proj" >/dev/null
		BUILD_CMD="make -s -C $WORK/proj"
	fi
	# A profile that denies everything: complain mode reports every syscall.
	ALL_DENY="$WORK/all-deny.json"
	printf '{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": []}\n' >"$ALL_DENY"
	export WORK PORT ALL_DENY BUILD_CMD
}

section_workloads() {
	prepare_work
	echo "## Real workloads: plain against tinyjail's default profile ($mode)"
	echo
	table_header workload plain
	: >"$WORK/workloads.jsonl"
	run_rows bench/workloads.rows "$WORK/workloads.jsonl" "$wpairs" "$wwarm"
	echo
	write_json workloads "$WORK/workloads.jsonl" "$outdir/workloads$suffix.json"
}

section_monitor() {
	prepare_work
	echo "## Monitoring cost on make + gcc ($mode)"
	echo
	table_header mode plain
	: >"$WORK/monitor.jsonl"
	run_rows bench/monitor.rows "$WORK/monitor.jsonl" "$wpairs" "$wwarm"
	echo
	write_json monitor "$WORK/monitor.jsonl" "$outdir/monitor$suffix.json"
}

# Per notified call: the supervisor's round trip (--report=usage counts an
# allowed getppid), and what --explain adds (a stack unwound per call; with
# --explain-stacks and --log, every stack also logged).  The caller times
# its own calls (tests/helpers/stackprog.c "bench", python3's
# time.perf_counter_ns), so start-up does not count; bench/notify_cost.py
# also takes the CPU time spent per call (tinyjail and the command).
notify_row() { # label command (with @N@ for the number of calls)
	label=$1 cmd=$2
	eval "set -- $cmd"
	if ! line=$(python3 "$ROOT/bench/notify_cost.py" "$nrounds" "$ncalls" -- "$@"); then
		echo "| $label | FAILED | |"
		status=1
		return
	fi
	echo "$line" | python3 -c '
import json, sys
r = json.loads(sys.stdin.read())
print("| %s | %.1f | %.1f |" % (sys.argv[1], r["ns_per_call_median"] / 1000, r["cpu_ns_per_call_median"] / 1000))' "$label"
	echo "$line" | sed "s/^{/{\"label\": \"$label\", /" >>"$WORK/notify.jsonl"
}

section_notify() {
	echo "## Per notified call, and --explain's stacks ($mode: $nrounds rounds of $ncalls calls)"
	echo
	echo "| mode | µs per call, as the caller sees it (median) | CPU µs per call (median) |"
	echo "|---|---:|---:|"
	: >"$WORK/notify.jsonl"
	SP="$ROOT/$build/stackprog"
	if [ ! -x "$SP-nofp" ]; then
		echo "bench: $SP-nofp is missing (make tests builds it)" >&2
		status=1
		return
	fi
	"$TJ" -q --profile default -- /bin/true
	PY="import os, time; t = time.perf_counter_ns(); [os.getppid() for _ in range(@N@)]; print((time.perf_counter_ns() - t) // max(1, @N@))"
	notify_row "not notified (getppid allowed in the kernel)" "$TJ -q --profile default -- $SP-nofp bench @N@"
	notify_row "notified and counted (--report=usage): the round trip" \
		"$TJ -q --profile default --report=usage -- $SP-nofp bench @N@"
	notify_row "--explain getppid: each call's stack unwound (9 frames)" \
		"$TJ -q --profile default --explain getppid -- $SP-nofp bench @N@"
	notify_row "--explain getppid, every stack logged (--explain-stacks, --log)" \
		"$TJ -q --profile default --explain getppid --explain-stacks 1000000000 --log $WORK/explain.log -- $SP-nofp bench @N@"
	notify_row "--explain getppid, frame pointers (rbp found on the stack)" \
		"$TJ -q --profile default --explain getppid -- $SP-fp bench @N@"
	notify_row "python3 getppid, notified and counted (--report=usage)" \
		"$TJ -q --profile default --report=usage -- /usr/bin/python3 -c '$PY'"
	notify_row "python3 getppid, --explain (about 20 frames)" \
		"$TJ -q --profile default --explain getppid -- /usr/bin/python3 -c '$PY'"
	printf '%s\n' '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["getppid"], "action": "SCMP_ACT_ERRNO"}]}' \
		>"$WORK/deny-getppid.json"
	notify_row "complain: every getppid would be denied (no log)" \
		"$TJ -q --complain --profile $WORK/deny-getppid.json -- $SP-nofp bench @N@"
	notify_row "learn, first run: every getppid recorded" \
		"$TJ learn -q -o $WORK/notify-learnt.json --force -- $SP-nofp bench @N@"
	# The kernel's own round trip here (bench/notify_floor.c): a minimal
	# supervisor on the raw API, blocked in the receive ioctl or in poll.
	"$ROOT/$build/bench/notify_floor" -j -n "$ncalls" -r "$nrounds" lib-recv-sync-free lib-poll-sync-free \
		lib-recv-nosync-free | while read -r line; do
		label="floor: the kernel alone, $(echo "$line" | python3 -c 'import json, sys; print(json.load(sys.stdin)["variant"])')"
		echo "$line" | python3 -c '
import json, sys
r = json.loads(sys.stdin.read())
print("| %s | %.1f | %.1f |" % (sys.argv[1], r["ns_per_call_median"] / 1000, r["cpu_ns_per_call_median"] / 1000))' "$label"
		echo "$line" | sed "s/^{/{\"label\": \"$label\", /" >>"$WORK/notify.jsonl"
	done
	echo
	write_json notify "$WORK/notify.jsonl" "$outdir/notify$suffix.json"
}

section_learn() {
	prepare_work
	# find over /usr in full mode (perf-baseline.md's workload), less for
	# the others.
	case $mode in
	full) FIND_DIR=/usr ;;
	quick) FIND_DIR=/usr/include ;;
	*) FIND_DIR=/usr/include/linux ;;
	esac
	# Directories a command without capabilities cannot read (tinyjail
	# drops them; plain root keeps CAP_DAC_READ_SEARCH) are pruned.
	FIND_EXPR=""
	for d in $(find "$FIND_DIR" -type d ! -perm -o+rx 2>/dev/null | head -20); do
		FIND_EXPR="$FIND_EXPR -path $d -prune -o"
	done
	FIND_EXPR="$FIND_EXPR -name '*.h' -print"
	export FIND_DIR FIND_EXPR
	echo "## tinyjail learn: the cost of recording ($mode; find over $FIND_DIR)"
	echo
	table_header run plain
	: >"$WORK/learn.jsonl"
	# The repeat rows start from a profile of the same command.
	rm -f "$WORK"/learn-*.json
	"$TJ" learn -q -o "$WORK/learn-repeat.json" -- $BUILD_CMD >/dev/null 2>&1
	eval "\"\$TJ\" learn -q -o \"\$WORK/learn-find-repeat.json\" -- find \"\$FIND_DIR\" $FIND_EXPR" >/dev/null 2>&1
	run_rows bench/learn.rows "$WORK/learn.jsonl" "$wpairs" "$wwarm"
	echo
	write_json learn "$WORK/learn.jsonl" "$outdir/learn$suffix.json"
}

section_compare() {
	[ -x "$BEFORE" ] || { echo "bench: compare needs -B OLD-TINYJAIL" >&2; status=1; return; }
	prepare_work
	echo "## Before/after: $BEFORE (A) against $TJ (B) ($mode)"
	echo
	table_header "launch path" "old tinyjail"
	: >"$WORK/compare.jsonl"
	"$TJ" -q -- /bin/true
	run_rows bench/compare.rows "$WORK/compare.jsonl" "$pairs" "$warm"
	echo
	write_json compare "$WORK/compare.jsonl" "$outdir/compare$suffix.json"
}

echo "# tinyjail benchmarks: $(nproc) CPUs, $(uname -r), $(date -u +%Y-%m-%d), mode $mode"
echo
for s in $sections; do
	case $s in
	launch | syscall | workloads | monitor | notify | learn | compare) "section_$s" ;;
	*) echo "bench: unknown section '$s'" >&2; status=1 ;;
	esac
done
exit $status
