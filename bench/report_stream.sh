#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# `tinyjail report` on a large log: memory stays bounded (notes/reports.md).
#   bench/report_stream.sh [-b BUILD] [-s MiB]   (default 1024 MiB)
# Records one real run (gcc, with --report=usage), then writes a log of about
# the given size from its events, under new process ids (up to 20,000) and
# rising times, and reads it with `report`, `report --timeline` and `report --html`,
# printing each one's peak resident memory, CPU and wall time (the wall time
# depends on what else the machine runs).  Needs the disk space.
set -u
cd "$(dirname "$0")/.." || exit 1
ROOT=$(pwd)
build=build size=1024
while getopts b:s: opt; do
	case $opt in
	b) build=$OPTARG ;;
	s) size=$OPTARG ;;
	*) echo "usage: bench/report_stream.sh [-b BUILD] [-s MiB]" >&2; exit 2 ;;
	esac
done
TJ="$ROOT/$build/tinyjail"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/tj-stream.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
export TINYJAIL_POLICY_DIR="$ROOT/policies" XDG_CACHE_HOME="$WORK/cache"
printf 'int main(void) { return 0; }\n' >"$WORK/x.c"
"$TJ" -q --profile default --report=usage --log "$WORK/seed.log" -- gcc -o "$WORK/x" "$WORK/x.c" || exit 1
python3 - "$WORK/seed.log" "$WORK/big.log" "$size" <<'PY'
import json, sys
seed = [json.loads(l) for l in open(sys.argv[1])]
start = [e for e in seed if e["event"] == "start"][0]
body = [e for e in seed if e["event"] in ("syscall", "process", "usage")]
want = int(sys.argv[3]) << 20
with open(sys.argv[2], "w") as f:
    f.write(json.dumps(start, separators=(",", ":")) + "\n")
    written, i, t = 0, 0, 0
    while written < want:
        e = dict(body[i % len(body)])
        e["pid"] = 1000 + (i // len(body)) % 20000
        t += 7
        e["time"] = "2026-11-23T%02d:%02d:%02d.%06dZ" % (t // 3600000000 % 24, t // 60000000 % 60, t // 1000000 % 60, t % 1000000)
        line = json.dumps(e, separators=(",", ":")) + "\n"
        f.write(line)
        written += len(line)
        i += 1
print("log: %d MiB, %d events" % (written >> 20, i + 1))
PY
echo "| command | peak RSS MiB | CPU seconds | wall seconds |"
echo "|---|---:|---:|---:|"
for args in "" "--timeline" "--html $WORK/r.html"; do
	python3 - "$TJ" "$WORK/big.log" $args <<'PY'
import os, subprocess, sys, time
t = time.time()
p = subprocess.Popen([sys.argv[1], "report", "-q", sys.argv[2]] + sys.argv[3:], stdout=subprocess.DEVNULL)
_, status, ru = os.wait4(p.pid, 0)
print("| report %s | %d | %.1f | %.1f |" % (" ".join(sys.argv[3:2 + 2]) or "(seen, missed, unused)",
                                          ru.ru_maxrss // 1024, ru.ru_utime + ru.ru_stime, time.time() - t))
sys.exit(0 if status == 0 else 1)
PY
done
