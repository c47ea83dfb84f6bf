#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Keeps the benchmark harness working (make check): every section with tiny
# counts, then checks the JSON it wrote has the rows it should.  Times
# nothing: the figures of a smoke run mean nothing.
# Usage: bench/smoke.sh BUILD
set -u
cd "$(dirname "$0")/.." || exit 1
build=${1:-build}
out="$build/bench/smoke"
# The integration tests check tinyjail for leaks; here the exit-time leak
# scan of a sanitised build would only double the run time.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
rm -rf "$out"
start=$(date +%s)
if ! bench/run.sh -m smoke -b "$build" -o "$out" >"$out.log" 2>&1; then
	tail -20 "$out.log"
	echo "bench smoke: FAILED (log $out.log)"
	exit 1
fi
python3 - "$out" <<'PY' || { echo "bench smoke: FAILED (log $out.log)"; exit 1; }
import json, sys
out = sys.argv[1]
def rows(section):
    doc = json.load(open(f"{out}/{section}-smoke.json"))
    assert doc["section"] == section and doc["machine"]["cpus"] >= 1, section
    return doc["rows"]
def timed(rs, label):
    r = [r for r in rs if r["label"] == label]
    assert r, f"no row '{label}'"
    r = r[0]
    assert "skipped" in r or (r["ratio_median"] > 0 and r["median_ms_b"] > 0), r
    return r
launch = rows("launch")
for l in ["/bin/true (A/A check)", "tinyjail (default profile)", "tinyjail --kill-via=kernel (default profile)",
          "tinyjail --profile none", "tinyjail Podman default profile (3 ABIs) --no-cache"]:
    assert "skipped" not in timed(launch, l), l
assert len(launch) >= 14, len(launch)
sc = [r for r in rows("syscall") if r["kind"] == "summary"]
assert len(sc) >= 13, len(sc)
for r in sc:
    assert (r["insns"] > 0) == (not r["label"].startswith("no filter")), r
    assert r["ns_call_median"] > 0, r
work = rows("workloads")
for l in ["make + gcc: small C project", "tar czf of a directory", "curl download from 127.0.0.1"]:
    assert "skipped" not in timed(work, l), l
mon = rows("monitor")
timed(mon, "tinyjail complain via notification, every syscall reported")
timed(mon, "tinyjail complain via kernel log (kmsg)")
nt = rows("notify")
assert len(nt) == 12 and all("ns_per_call_median" in r for r in nt), nt
learn = rows("learn")
for l in ["make + gcc: learn, first run", "make + gcc: learn, repeat run", "find: learn, first run",
          "find: learn, repeat run"]:
    assert "skipped" not in timed(learn, l), l
print(f"bench smoke: {len(launch) + len(sc) + len(work) + len(mon) + len(nt) + len(learn)} rows in 6 sections")
PY
echo "bench smoke: ok in $(( $(date +%s) - start ))s (tables in $out.log)"
