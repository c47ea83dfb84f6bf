#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Where a launch's milliseconds go: runs a tinyjail command line N times
with TINYJAIL_PHASES=1 (include/tj/base/phase.h) and prints the median of
each phase on the launch's critical path, interleaved run by run with a
reference command (bubblewrap by default) timed whole.

    bench/phases.py [-n RUNS] [-b BUILD] [-B OLD-TINYJAIL] [-r REFERENCE] -- TINYJAIL-ARGS...
    bench/phases.py -n 40 -- -q --profile strict --unshare all --ro / -- /bin/true
    bench/phases.py -n 40 -B /tmp/old/tinyjail -- -q -- /bin/true   # before/after columns

-B runs an older tinyjail binary (built with phase.h, so from 2026-12-06 on)
interleaved with this one and prints both columns and the difference.  Its
profiles come from this tree (TINYJAIL_POLICY_DIR) unless already set.

The critical path, from the moment the caller spawns tinyjail:
  exec         fork+execve of tinyjail, ld.so, relocations (-z now), to main
  options      the command line
  profile      reading and parsing the profile (json-c)
  plan         isolation, identity, network policy
  filter       the compiled-filter cache (or libseccomp's compile)
  environment  the command's environment, PATH search, tinyjail's hardening
               filter, the layers' probes, output files, the event log
  prepare      the layers' prepare hooks in the parent (cgroups, mounts
               planned, Landlock rules opened, the listener's socket pair)
  clone        clone3 until the child's first instruction
  sync         the child waits while the parent's started hooks run (user
               namespace id maps, cgroup placement)
  enter:LAYER  each layer in the child, in order (launch.c's table)
  exec+run     the seccomp load, execve, the command, its exit, and the
               parent's wait, to the monitor's return
  teardown     copy-back, the layers' release (cgroup removal), the report
  exit         tinyjail's exit until the caller's wait4 returns
The parent's started hooks are listed too (they overlap "sync").
"""
import getopt
import os
import statistics
import subprocess
import sys
import time


def spawn(argv, env):
    t0 = time.monotonic_ns()
    p = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    err = p.stderr.read()
    p.wait()
    t1 = time.monotonic_ns()
    return t0, t1, p.returncode, err.decode(errors="replace")


def phases(t0, t1, err, parent_pid):
    events = []
    for line in err.splitlines():
        f = line.split()
        if len(f) == 4 and f[0] == "tinyjail-phase":
            events.append((int(f[3]), int(f[1]), f[2]))
    events.sort()
    par = [(t, n) for t, pid, n in events if pid == parent_pid]
    kid = [(t, n) for t, pid, n in events if pid != parent_pid]
    first = {}
    for t, n in par:
        first.setdefault(n, t)
    out = []  # (name, ns)

    def span(name, a, b):
        if a is not None and b is not None:
            out.append((name, b - a))

    span("exec", t0, first.get("main"))
    span("options", first.get("main"), first.get("parse"))
    span("profile", first.get("parse"), first.get("isolation"))
    span("plan", first.get("isolation"), first.get("filter", first.get("environment")))
    span("filter", first.get("filter"), first.get("environment"))
    span("environment", first.get("environment", first.get("isolation")), first.get("probe"))
    span("environment", first.get("probe"), first.get("launch"))
    span("prepare", first.get("launch"), first.get("clone"))
    if kid:
        span("clone", first.get("clone"), kid[0][0])
        names = {"child": "sync" if any(n == "synced" for _, n in kid) else "child set-up",
                 "synced": "close fds", "init-fork": "init fork"}
        for (ta, na), (tb, _) in zip(kid, kid[1:]):
            out.append((names.get(na, na), tb - ta))
        span("exec+run", kid[-1][0], first.get("ended"))
    span("teardown", first.get("ended"), first.get("exit"))
    span("exit", first.get("exit"), t1)
    started = [(t, n) for t, n in par if n.startswith("started:") or n == "monitor"]
    for (ta, na), (tb, _) in zip(started, started[1:]):
        if na.startswith("started:"):
            out.append(("(parent) " + na, tb - ta))
    return out


def main():
    opts, args = getopt.getopt(sys.argv[1:], "n:b:r:B:")
    o = dict(opts)
    runs = int(o.get("-n", "30"))
    build = o.get("-b", "build")
    ref = (o.get("-r") or "bwrap --ro-bind / / /bin/true").split()
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    tjs = {"new": [os.path.join(root, build, "tinyjail")] + args}
    if o.get("-B"):
        tjs["old"] = [os.path.abspath(o["-B"])] + args
    env = dict(os.environ, TINYJAIL_PHASES="1")
    env.setdefault("TINYJAIL_POLICY_DIR", os.path.join(root, "policies"))
    # Warm the filter cache and the page cache.
    for _ in range(3):
        for tj in tjs.values():
            spawn(tj, env)
        spawn(ref, os.environ)
    rows = {k: {} for k in tjs}
    totals = {k: [] for k in tjs}
    order, reftotals, trues = [], [], []
    load = open("/proc/loadavg").read().split()[:3]
    for i in range(runs):
        # Interleaved, alternating which goes first.
        seq = [(k, v) for k, v in sorted(tjs.items())] + [("ref", ref), ("true", ["/bin/true"])]
        if i % 2:
            seq.reverse()
        for kind, argv in seq:
            t0, t1, rc, err = spawn(argv, env if kind in tjs else os.environ)
            if rc != 0:
                sys.stderr.write("phases: %s exited %d\n%s" % (" ".join(argv), rc, err))
                sys.exit(1)
            if kind == "ref":
                reftotals.append(t1 - t0)
                continue
            if kind == "true":
                trues.append(t1 - t0)
                continue
            totals[kind].append(t1 - t0)
            pids = [int(l.split()[1]) for l in err.splitlines() if l.startswith("tinyjail-phase ") and " main " in l]
            seen = {}
            for name, ns in phases(t0, t1, err, pids[0] if pids else -1):
                seen[name] = seen.get(name, 0) + ns
            for name, ns in seen.items():
                if name not in order:
                    order.append(name)
                rows[kind].setdefault(name, []).append(ns)
    load_after = open("/proc/loadavg").read().split()[:3]
    ms = lambda v: statistics.median(v) / 1e6
    col = lambda kind, name: ms(rows[kind].get(name, []) + [0] * (runs - len(rows[kind].get(name, []))))
    print("tinyjail %s" % " ".join(args))
    print("%d runs interleaved with `%s` and /bin/true%s; load average %s before, %s after"
          % (runs, " ".join(ref), " and %s" % tjs["old"][0] if "old" in tjs else "",
             "/".join(load), "/".join(load_after)))
    print()
    if "old" in tjs:
        told, tnew = ms(totals["old"]), ms(totals["new"])
        print("| phase | before ms | after ms | after - before ms | share of the median total (after) |")
        print("|---|---:|---:|---:|---:|")
        for name in order:
            a, b = col("old", name), col("new", name)
            share = "" if name.startswith("(") else "%.0f%%" % (100 * b / tnew)
            print("| %s | %.3f | %.3f | %+.3f | %s |" % (name, a, b, b - a, share))
        print("| **tinyjail total** (spawn to wait) | %.3f | %.3f | %+.3f | |" % (told, tnew, tnew - told))
    else:
        print("| phase | median ms | share of the median total |")
        print("|---|---:|---:|")
        total = ms(totals["new"])
        for name in order:
            v = col("new", name)
            print("| %s | %.3f | %s |" % (name, v, "" if name.startswith("(") else "%.0f%%" % (100 * v / total)))
        print("| **tinyjail total** (spawn to wait) | %.3f | |" % total)
    print("| reference `%s` total | %.3f | |" % (" ".join(ref), ms(reftotals)))
    print("| /bin/true total | %.3f | |" % ms(trues))


if __name__ == "__main__":
    main()
