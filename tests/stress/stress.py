#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""tinyjail under load (issue 19; notes/testing.md, "Stress").

Runs LAUNCHES sandboxes, JOBS at a time, with a mix of options (profiles,
--unshare all, limits, views with a size-limited directory, --net none and
allow=, complain, --report, a timeout that fires, commands that fork and exit
early, seccomp kills by the supervisor and by the kernel, signals, runs as
nobody), while one long-lived `tinyjail supervise` answers NOTIFICATIONS
seccomp notifications for the supervised runs.  Passes when:

  - no run hangs: each has a deadline, after which it gets SIGTERM (which
    must end it: test_reliability.sh) and then SIGKILL; either is a failure;
  - every exit status is the one expected (100 % fidelity), and the files a
    run must produce are there (copy-back, --json-status);
  - nothing is left afterwards: no process that carries the run's tag in its
    environment (tinyjail, its helpers, the commands and their children;
    network namespaces live only as long as one of them or a mount), no
    sandbox cgroup of any tinyjail this run started, no mount under the
    run's directory, nothing in the run's TMPDIR, no temporary file in the
    filter cache or beside a --json-status file;
  - the supervisor's descriptors and resident memory stay flat: descriptors
    equal at the start and at the end (both idle), resident memory grown by
    at most --rss-slack between a tenth of the notifications and the end.

Usage: stress.py --tj BUILD/tinyjail --probe BUILD/probe [--launches 1000]
       [--jobs 50] [--notifications 10000] [--seed N]
Run as root (cgroup limits, runs as nobody).  Prints a summary; exit 0 on
pass, 1 on any failure.
"""
import argparse
import collections
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time

NOBODY = 65534


class Run:
    """One launch: its case, command line, expectations and outcome."""

    def __init__(self, index, case, argv, expect, check=None, as_nobody=False, term_after=None):
        self.index = index
        self.term_after = term_after  # seconds after the start: a SIGTERM at a random moment
        self.term_sent = False
        self.case = case
        self.argv = argv
        self.expect = expect
        self.check = check
        self.as_nobody = as_nobody
        self.proc = None
        self.start = 0.0
        self.deadline = 0.0
        self.termed = False
        self.hung = False
        self.rc = None
        self.err = b""


class Stress:
    def __init__(self, opts):
        self.o = opts
        self.tj = os.path.abspath(opts.tj)
        self.probe = os.path.abspath(opts.probe)
        self.rng = random.Random(opts.seed)
        self.dir = tempfile.mkdtemp(prefix="tj-stress.")
        os.chmod(self.dir, 0o755)
        self.tag = "tj-stress-%d-%d" % (os.getpid(), int(time.time()))
        for d in ("tmp", "cache", "cache-nobody", "out", "rw"):
            os.mkdir(os.path.join(self.dir, d))
        os.chmod(os.path.join(self.dir, "tmp"), 0o1777)
        os.chmod(os.path.join(self.dir, "out"), 0o1777)
        os.chmod(os.path.join(self.dir, "rw"), 0o1777)
        os.chown(os.path.join(self.dir, "cache-nobody"), NOBODY, NOBODY)
        self.sock = os.path.join(self.dir, "agent.sock")
        self.tj_pids = set()
        self.failures = []
        self.counts = collections.Counter()
        self.sup = None
        self.sup_samples = []

    # --- the mix ---

    def cases(self):
        """(name, weight, builder): builder(i) returns a Run."""
        p = self.probe
        env = ["--setenv", "TJ_STRESS_TAG=" + self.tag]
        view = ["--ro", "/usr", "--ro", "/lib", "--ro", "/lib64", "--ro", "/bin", "--ro", "/etc"]

        def exit_n(i):
            n = self.rng.randrange(256)
            return Run(i, "default profile, exit N", env + ["--", p, "exit", str(n)], n)

        def strict_kill(i):
            return Run(i, "strict, seccomp kill (supervisor)",
                       env + ["-q", "--profile", "strict", "--", p, "syscall", "ptrace", "16", "999999999"], 159)

        def kernel_kill(i):
            return Run(i, "strict, seccomp kill (kernel)",
                       env + ["-q", "--profile", "strict", "--kill-via", "kernel", "--",
                              p, "syscall", "ptrace", "16", "999999999"], 159)

        def thread_kill(i):
            return Run(i, "strict, a thread's call kills the process",
                       env + ["-q", "--profile", "strict", "--", p, "thread", "ptrace", "16", "999999999"], 159)

        def unshare_true(i):
            return Run(i, "--profile none --unshare all /bin/true",
                       env + ["-q", "--profile", "none", "--unshare", "all", "--", "/bin/true"], 0)

        def fork_early(i):
            n = self.rng.randrange(1, 100)
            ns = self.rng.choice([[], ["--unshare", "all"]])
            return Run(i, "fork and exit early" + (" (pid ns)" if ns else ""),
                       env + ["-q"] + ns + ["--", "/bin/sh", "-c", "%s sleep 30 & %s sleep 30 & exit %d" % (p, p, n)], n)

        def limits(i):
            return Run(i, "cgroup limits and rlimits",
                       env + ["-q", "--memory", "64M", "--pids", "32", "--cpu", "50%", "--rlimit", "nofile=64",
                              "--", p, "exit", "3"], 3)

        def oom(i):
            return Run(i, "memory limit kills", env + ["-q", "--memory", "32M", "--", p, "alloc", "256"], 137)

        def view_rw(i):
            d = os.path.join(self.dir, "rw", str(i))
            os.mkdir(d)

            def check(run):
                try:
                    with open(os.path.join(d, "f")) as f:
                        return None if f.read() == "hi %d\n" % i else "copied-back file has the wrong content"
                except OSError as e:
                    return "copied-back file missing: %s" % e
            return Run(i, "view + --rw-limit + copy-back",
                       env + ["-q", "--unshare", "all"] + view + ["--rw-limit", d + "=1M", "--",
                                                                  "/bin/sh", "-c", "echo hi %d > %s/f" % (i, d)], 0, check)

        def net_none(i):
            # Nothing listens on port 1 of the namespace's own loopback.
            return Run(i, "--net none (loopback, refused)",
                       env + ["-q", "--net", "none", "--", p, "tcp", "127.0.0.1", "1"], 111)

        def net_allow(i):
            # A name outside the allowlist is refused by the proxy before any
            # lookup: no traffic leaves the machine.
            return Run(i, "--net allow= (proxy refuses)",
                       env + ["-q", "--net", "allow=tj-stress.invalid", "--", "/bin/sh", "-c",
                              "[ \"$(curl -s -o /dev/null -w '%{http_code}' http://denied.invalid/)\" = 403 ]"
                              " && exit 4 || exit 5"], 4)

        def complain(i):
            return Run(i, "complain (the call runs)",
                       env + ["-q", "--profile", "strict", "--complain", "--",
                              p, "syscall", "ptrace", "16", "999999999"], 3)

        def report(i):
            return Run(i, "--report", env + ["--profile", "strict", "--report", "--", p, "exit", "5"], 5)

        def timeout(i):
            return Run(i, "--timeout fires", env + ["-q", "--timeout", "300ms", "--", p, "sleep", "30"], 124)

        def timeout_term(i):
            return Run(i, "--timeout with --kill-after, SIGTERM ignored",
                       env + ["-q", "--timeout", "300ms", "--kill-after", "200ms", "--",
                              "/bin/sh", "-c", "trap '' TERM; %s sleep 30" % p], 124)

        def signal_death(i):
            return Run(i, "death by signal", env + ["-q", "--", p, "raise", "11"], 139)

        def not_found(i):
            return Run(i, "command not found", env + ["-q", "--", "/nonexistent/tj-stress"], 127)

        def json_status(i):
            f = os.path.join(self.dir, "out", "%d.json" % i)

            def check(run):
                try:
                    with open(f) as fh:
                        st = json.load(fh)
                except (OSError, ValueError) as e:
                    return "--json-status unreadable: %s" % e
                return None if st.get("exit_code") == 12 else "--json-status says %r" % st.get("exit_code")
            return Run(i, "--json-status", env + ["-q", "--json-status", f, "--", p, "exit", "12"], 12, check)

        def nobody_ns(i):
            return Run(i, "nobody, --unshare all", env + ["-q", "--unshare", "all", "--", p, "exit", "4"], 4,
                       as_nobody=True)

        def nobody_kill(i):
            return Run(i, "nobody, seccomp kill",
                       env + ["-q", "--profile", "strict", "--", p, "syscall", "ptrace", "16", "999999999"], 159,
                       as_nobody=True)

        def sigterm_random(i):
            # SIGTERM at any moment of the set-up or the run: tinyjail dies of
            # it before it has made anything, or passes it on; never a leak.
            return Run(i, "SIGTERM at a random moment",
                       env + ["-q", "--memory", "64M", "--unshare", "all", "--net", "allow=tj-stress.invalid",
                              "--", p, "sleep", "30"], (143, -15), term_after=self.rng.uniform(0, 0.15))

        def supervised(i):
            return Run(i, "supervised by tinyjail supervise",
                       env + ["-q", "--profile", "strict", "--notify-socket", self.sock, "--",
                              p, "repeat", "getpgrp", str(self.per_supervised)], 0)

        return [
            ("exit_n", 8, exit_n), ("strict_kill", 6, strict_kill), ("kernel_kill", 3, kernel_kill),
            ("thread_kill", 3, thread_kill), ("unshare_true", 6, unshare_true), ("fork_early", 6, fork_early),
            ("limits", 5, limits), ("oom", 2, oom), ("view_rw", 5, view_rw), ("net_none", 4, net_none),
            ("net_allow", 4, net_allow), ("complain", 4, complain), ("report", 4, report),
            ("timeout", 3, timeout), ("timeout_term", 2, timeout_term), ("signal_death", 3, signal_death),
            ("not_found", 2, not_found), ("json_status", 3, json_status), ("nobody_ns", 3, nobody_ns),
            ("nobody_kill", 3, nobody_kill), ("sigterm_random", 4, sigterm_random), ("supervised", 10, supervised),
        ]

    def plan(self):
        cases = self.cases()
        total = sum(w for _, w, _ in cases)
        # Deterministic shares, shuffled order.
        names = []
        for name, w, _ in cases:
            names += [name] * max(1, round(self.o.launches * w / total))
        self.rng.shuffle(names)
        names = names[: self.o.launches]
        while len(names) < self.o.launches:
            names.append("exit_n")
        n_sup = names.count("supervised")
        self.per_supervised = max(1, -(-self.o.notifications // max(1, n_sup)))
        by_name = {name: b for name, _, b in cases}
        return [by_name[name](i) for i, name in enumerate(names)]

    # --- running ---

    def env(self, nobody):
        e = {k: v for k, v in os.environ.items() if not k.startswith(("ASAN_", "XDG_"))}
        e["TJ_STRESS_TAG"] = self.tag
        e["TMPDIR"] = os.path.join(self.dir, "tmp")
        e["XDG_CACHE_HOME"] = os.path.join(self.dir, "cache-nobody" if nobody else "cache")
        # The sanitiser's own exit code must not pass for the command's.
        e["ASAN_OPTIONS"] = "exitcode=86:detect_leaks=1"
        e["UBSAN_OPTIONS"] = "halt_on_error=1:exitcode=86"
        return e

    def start(self, run):
        argv = [self.tj] + run.argv
        kw = {}
        if run.as_nobody:
            kw["user"] = NOBODY
            kw["group"] = NOBODY
            kw["extra_groups"] = []
        run.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                    stderr=subprocess.PIPE, env=self.env(run.as_nobody), cwd=self.dir, **kw)
        os.set_blocking(run.proc.stderr.fileno(), False)
        self.tj_pids.add(run.proc.pid)
        run.start = time.monotonic()
        run.deadline = run.start + self.o.deadline

    def drain(self, run):
        try:
            data = run.proc.stderr.read()
            if data:
                run.err += data
        except (BlockingIOError, ValueError):
            pass

    def finish(self, run):
        self.drain(run)
        run.proc.stderr.close()
        run.rc = run.proc.returncode
        # tinyjail dies of the signal the command died of (main.c), as a
        # shell's child would: the status a shell reports is 128 + N.
        if run.rc is not None and run.rc < 0:
            run.rc = 128 - run.rc
        self.counts[run.case] += 1
        if run.hung:
            self.fail(run, "hung: no end within %ds%s" % (self.o.deadline, ", not even after SIGTERM" if run.termed else ""))
            return
        if run.rc not in (run.expect if isinstance(run.expect, tuple) else (run.expect,)):
            self.fail(run, "exit %s, expected %s" % (run.rc, run.expect))
            return
        if b"AddressSanitizer" in run.err or b"runtime error" in run.err or b"LeakSanitizer" in run.err:
            self.fail(run, "sanitizer report")
            return
        if run.check:
            why = run.check(run)
            if why:
                self.fail(run, why)

    def fail(self, run, why):
        err = run.err.decode(errors="replace").strip().splitlines()[-6:]
        self.failures.append("run %d (%s): %s\n      %s\n      stderr: %s" % (
            run.index, run.case, why, " ".join(run.argv), "\n              ".join(err)))

    def run_all(self, runs):
        pending = list(runs)
        running = []
        sup_runs = [r for r in runs if r.case.startswith("supervised")]
        tenth = max(1, len(sup_runs) // 10)
        sup_done = 0
        t0 = time.monotonic()
        while pending or running:
            while pending and len(running) < self.o.jobs:
                run = pending.pop(0)
                self.start(run)
                running.append(run)
            time.sleep(0.01)
            now = time.monotonic()
            for run in list(running):
                self.drain(run)
                if run.proc.poll() is not None:
                    running.remove(run)
                    self.finish(run)
                    if run.case.startswith("supervised"):
                        sup_done += 1
                        if sup_done == tenth:
                            self.sample_sup("after %d notifications" % (sup_done * self.per_supervised))
                    continue
                if run.term_after is not None and not run.term_sent and now > run.start + run.term_after:
                    run.term_sent = True
                    run.proc.send_signal(signal.SIGTERM)
                if now > run.deadline and not run.termed:
                    # tinyjail must end its whole tree on SIGTERM; a run that
                    # needed it is a hang all the same.
                    run.hung = run.termed = True
                    run.proc.send_signal(signal.SIGTERM)
                    run.deadline = now + 15
                elif now > run.deadline:
                    run.proc.kill()
        self.elapsed = time.monotonic() - t0

    # --- the supervisor ---

    def start_sup(self):
        rules = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures", "supervise",
                             "allow-getpgrp.json")
        self.sup_log = open(os.path.join(self.dir, "supervise.log"), "wb")
        env = self.env(False)
        # A sanitised build keeps freed memory in quarantine (up to 256 MiB),
        # which would read as growth; leaks are LeakSanitizer's at exit.
        env["ASAN_OPTIONS"] += ":quarantine_size_mb=0:thread_local_quarantine_size_kb=0"
        self.sup = subprocess.Popen([self.tj, "supervise", "--listen", self.sock, "--rules", rules],
                                    stdin=subprocess.DEVNULL, stdout=self.sup_log, stderr=self.sup_log, env=env)
        for _ in range(400):
            if os.path.exists(self.sock):
                break
            time.sleep(0.05)
        else:
            raise SystemExit("stress: tinyjail supervise did not create its socket")
        self.sample_sup("at start")

    def sample_sup(self, when):
        pid = self.sup.pid
        fds = len(os.listdir("/proc/%d/fd" % pid))
        rss = 0
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    rss = int(line.split()[1])
        self.sup_samples.append((when, fds, rss))

    def stop_sup(self):
        # A last supervised run: the calls are still answered (allowed).
        r = subprocess.run([self.tj, "-q", "--profile", "strict", "--notify-socket", self.sock, "--",
                            self.probe, "seq", "getpgrp"], capture_output=True, env=self.env(False), timeout=60)
        if b"syscall 111 = -1" in r.stdout or r.returncode != 0:
            self.failures.append("the supervisor no longer answers after the run: exit %d, %r" %
                                 (r.returncode, r.stdout))
        self.sample_sup("at the end")
        self.sup.send_signal(signal.SIGTERM)
        try:
            rc = self.sup.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.sup.kill()
            rc = self.sup.wait()
            self.failures.append("tinyjail supervise did not stop on SIGTERM")
        self.sup_log.close()
        if rc != 0:
            with open(os.path.join(self.dir, "supervise.log"), errors="replace") as f:
                tail = f.read()[-2000:]
            self.failures.append("tinyjail supervise exited %d: %s" % (rc, tail))
        # Descriptors when idle (no sandbox connected), memory once warm.
        fd0, fd1 = self.sup_samples[0][1], self.sup_samples[-1][1]
        rss0, rss1 = self.sup_samples[1][2], self.sup_samples[-1][2]
        if fd1 != fd0:
            self.failures.append("the supervisor's descriptors went from %d to %d" % (fd0, fd1))
        if rss1 - rss0 > self.o.rss_slack:
            self.failures.append("the supervisor's resident memory grew from %d to %d KiB" % (rss0, rss1))

    # --- what is left behind ---

    def leaks(self):
        me = os.getpid()
        needle = ("TJ_STRESS_TAG=" + self.tag).encode()
        # Killed processes take a moment to go.
        for attempt in range(50):
            left = []
            for pid in os.listdir("/proc"):
                if not pid.isdigit() or int(pid) in (me, self.sup.pid):
                    continue
                try:
                    with open("/proc/%s/environ" % pid, "rb") as f:
                        if needle in f.read():
                            with open("/proc/%s/cmdline" % pid, "rb") as c:
                                left.append("%s %s" % (pid, c.read().replace(b"\0", b" ").decode(errors="replace")))
                except OSError:
                    pass
            if not left:
                break
            time.sleep(0.1)
        for p in left:
            self.failures.append("process left behind: " + p)

        names = {"tj-%d-" % pid for pid in self.tj_pids}
        for root, dirs, _ in os.walk("/sys/fs/cgroup"):
            for d in dirs:
                if d.startswith("tj-") and any(d.startswith(n) for n in names):
                    self.failures.append("cgroup left behind: " + os.path.join(root, d))
            dirs[:] = [d for d in dirs if not d.startswith("tj-")]

        with open("/proc/self/mountinfo") as f:
            for line in f:
                if self.dir in line:
                    self.failures.append("mount left behind: " + line.strip())

        tmp = os.listdir(os.path.join(self.dir, "tmp"))
        if tmp:
            self.failures.append("left in TMPDIR: %s" % tmp[:10])
        for d in ("cache", "cache-nobody", "out"):
            for root, _, files in os.walk(os.path.join(self.dir, d)):
                for f in files:
                    if ".tmp" in f:
                        self.failures.append("temporary file left behind: " + os.path.join(root, f))
        self.cache_entries = sum(len(fs) for d in ("cache", "cache-nobody")
                                 for _, _, fs in os.walk(os.path.join(self.dir, d)))

    def main(self):
        runs = self.plan()
        print("stress: %d launches, %d at a time, %d notifications (%d per supervised run), tag %s" % (
            len(runs), self.o.jobs, self.o.notifications, self.per_supervised, self.tag), flush=True)
        self.start_sup()
        try:
            self.run_all(runs)
        finally:
            self.stop_sup()
        self.leaks()
        hung = sum(1 for r in runs if r.hung)
        exact = sum(1 for r in runs if r.rc in (r.expect if isinstance(r.expect, tuple) else (r.expect,)))
        print("stress: %d runs in %.0fs: %d hung, %d/%d exit statuses as expected; %d cases" % (
            len(runs), self.elapsed, hung, exact, len(runs), len(self.counts)))
        for when, fds, rss in self.sup_samples:
            print("stress: supervise %s: %d fds, %d KiB resident" % (when, fds, rss))
        print("stress: %d filter-cache entries" % self.cache_entries)
        for f in self.failures[:40]:
            print("FAIL " + f)
        if len(self.failures) > 40:
            print("FAIL ... and %d more" % (len(self.failures) - 40))
        if self.failures:
            print("stress: FAILED (%d problems); files kept in %s" % (len(self.failures), self.dir))
            return 1
        shutil.rmtree(self.dir, ignore_errors=True)
        print("stress: passed")
        return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tj", required=True)
    ap.add_argument("--probe", required=True)
    ap.add_argument("--launches", type=int, default=1000)
    ap.add_argument("--jobs", type=int, default=50)
    ap.add_argument("--notifications", type=int, default=10000)
    ap.add_argument("--deadline", type=int, default=120, help="seconds before a run counts as hung")
    ap.add_argument("--rss-slack", type=int, default=1024, help="KiB the supervisor may grow")
    ap.add_argument("--seed", type=int, default=int(time.time()))
    opts = ap.parse_args()
    if os.geteuid() != 0:
        print("stress: run as root (cgroup limits, runs as nobody)", file=sys.stderr)
        return 1
    print("stress: seed %d" % opts.seed)
    return Stress(opts).main()


if __name__ == "__main__":
    sys.exit(main())
