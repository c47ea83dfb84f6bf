#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# A notified call's round trip, tinyjail against the kernel's floor on this
# machine (notes/performance.md, "A notified call"): alternates, ROUNDS
# times, bench/notify_floor (the raw API, a supervisor blocked in the
# receive ioctl and one in poll, SYNC_WAKE_UP set) with tinyjail's
# --report=usage, learn and complain rows (bench/notify_cost.py), for each
# tinyjail given; prints the medians of the alternations and the load
# average before and after.
# Usage: bench/notify_compare.sh [-r ROUNDS] [-n CALLS] [-b BUILD] [TINYJAIL...]
#        (default: BUILD/tinyjail; BUILD defaults to build)
set -eu
cd "$(dirname "$0")/.."
rounds=5 calls=20000 build=build
while getopts r:n:b: o; do
	case $o in
	r) rounds=$OPTARG ;;
	n) calls=$OPTARG ;;
	b) build=$OPTARG ;;
	*) exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ $# -gt 0 ] || set -- "$build/tinyjail"
SP="$build/stackprog-nofp"
FLOOR="$build/bench/notify_floor"
[ -x "$SP" ] && [ -x "$FLOOR" ] || { echo "notify_compare: make tests first ($SP, $FLOOR)" >&2; exit 1; }
work=$(mktemp -d "${TMPDIR:-/tmp}/tj-notify.XXXXXX")
trap 'rm -rf "$work"' EXIT
printf '%s\n' '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["getppid"], "action": "SCMP_ACT_ERRNO"}]}' \
	>"$work/deny-getppid.json"
load() { cut -d' ' -f1-3 /proc/loadavg; }
echo "load before: $(load)"
: >"$work/rows"
i=0
while [ "$i" -lt "$rounds" ]; do
	"$FLOOR" -j -n "$calls" -r 1 lib-recv-sync-free lib-poll-sync-free lib-recv-nosync-free |
		python3 -c 'import json, sys
for l in sys.stdin:
    r = json.loads(l); print("floor %s\t%s\t%s" % (r["variant"], r["ns_per_call_median"], r["cpu_ns_per_call_median"]))' >>"$work/rows"
	for tj in "$@"; do
		for mode in usage complain learn; do
			case $mode in
			usage) args="-q --profile default --report=usage" ;;
			complain) args="-q --complain --profile $work/deny-getppid.json" ;;
			learn) args="learn -q -o $work/learnt.json --force" ;;
			esac
			# shellcheck disable=SC2086 # args is a word list
			python3 bench/notify_cost.py 1 "$calls" -- "$tj" $args -- "$SP" bench @N@ |
				python3 -c 'import json, sys
r = json.loads(sys.stdin.read()); print("%s %s\t%s\t%s" % (sys.argv[1], sys.argv[2], r["ns_per_call_median"], r["cpu_ns_per_call_median"]))' "$tj" "$mode" >>"$work/rows"
		done
	done
	i=$((i + 1))
done
echo "load after: $(load)"
python3 - "$work/rows" "$rounds" <<'PY'
import statistics, sys
rows = {}
for line in open(sys.argv[1]):
    label, wall, cpu = line.rstrip("\n").split("\t")
    rows.setdefault(label, []).append((float(wall), float(cpu)))
print("\n| row (%s alternations) | wall µs per call | CPU µs per call (min..max) |\n|---|---:|---:|" % sys.argv[2])
for label, v in rows.items():
    cpus = [c for _, c in v]
    print("| %s | %.1f | %.1f (%.1f..%.1f) |" % (label, statistics.median(w for w, _ in v) / 1000,
                                                statistics.median(cpus) / 1000, min(cpus) / 1000, max(cpus) / 1000))
PY
