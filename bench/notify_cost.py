#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""One row of bench/run.sh's notify section: the cost of a notified call.

usage: notify_cost.py ROUNDS N -- COMMAND...   where COMMAND contains @N@
Runs COMMAND with @N@ = N and with @N@ = 0, ROUNDS times.  The command's
last line of output is the caller's own nanoseconds per call; the CPU time
of the whole run (tinyjail and the command, from wait4) gives the CPU spent
per call, (cpu(N) - cpu(0)) / N, which the machine's load hardly moves.
Prints one JSON object: medians of both.
"""
import json
import os
import statistics
import subprocess
import sys


def run(cmd, n):
    args = [a.replace("@N@", str(n)) for a in cmd]
    p = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    out = p.stdout.read().decode()
    _, status, ru = os.wait4(p.pid, 0)
    if status != 0:
        raise SystemExit("failed: %s" % " ".join(args))
    lines = out.strip().splitlines()
    return (int(lines[-1]) if lines and lines[-1].isdigit() else 0), (ru.ru_utime + ru.ru_stime) * 1e9


def main():
    rounds, n = int(sys.argv[1]), int(sys.argv[2])
    cmd = sys.argv[sys.argv.index("--") + 1:]
    wall, cpu = [], []
    for _ in range(rounds):
        w, c1 = run(cmd, n)
        _, c0 = run(cmd, 0)
        wall.append(w)
        cpu.append(max(0.0, (c1 - c0) / n))
    print(json.dumps({"ns_per_call_median": statistics.median(wall), "cpu_ns_per_call_median": statistics.median(cpu),
                      "rounds": rounds, "calls": n}))


if __name__ == "__main__":
    main()
