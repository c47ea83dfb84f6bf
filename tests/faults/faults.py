#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""tinyjail under faults (issue 19; notes/testing.md, "Faults").

For each configuration (a set of options) it first runs tinyjail once under
tests/helpers/faultinject.c to list the call sites of its set-up path: every
system call of every task (tinyjail, its child, the pid namespace's init,
the listener helper, the proxy and its threads) from where tinyjail's own
code starts until the command is exec'd.  Then, once per site and errno,
it runs tinyjail again with that one call failing, and checks:

  - the command never runs without every layer the configuration asks for:
    if it started, `probe confinement` wrote what confines it, and all of it
    must be there (seccomp, no_new_privs, no capabilities, the namespaces,
    the view, the cgroup, the rlimit);
  - if it did not start, tinyjail exits 125 (126 when the command's own
    execve failed) with an error message that gives the cause
    (strerror of the injected errno), or the failure was one tinyjail may
    absorb (the command then starts, confined, and exits 0);
  - nothing is left behind: no process carrying the run's tag, no sandbox
    cgroup of that tinyjail, nothing in its TMPDIR, no mount under its
    directory;
  - no run hangs (a deadline), no sanitizer report.

Runs go side by side (--jobs): each has its own directory (TMPDIR, cache,
output) and its own tag, and its leftovers are looked for only among what it
made (its tag, its tinyjail's cgroups, its directory).

Usage: faults.py --build BUILD [--configs a,b] [--errnos EPERM,...]
       [--max-occ N] [--stride K] [--seed N] [--jobs N]
Prints the coverage (sites, runs, outcomes, time) and every failure; exit 0
on pass.  Run as root.
"""
import argparse
import collections
import errno
import os
import queue
import random
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor

ERRNOS = ["EPERM", "ENOMEM", "EAGAIN", "EINTR", "ENOSPC"]
# In a sanitised build these are mostly the sanitiser's own (its allocator;
# the alternate signal stack it checks before every no-return call and sets
# up in each thread), which cannot fail gracefully; the unsanitised build
# covers them.
SANITISER_CALLS = {9, 10, 11, 12, 25, 28, 131, 204}  # mmap mprotect munmap brk mremap madvise
# sigaltstack sched_getaffinity
OUTSIDE = "/root"
INCOMPLETE = "(the command could not tell: its facts are incomplete)"
# Calls that cannot fail (or whose failure no program checks): not faults
# that can happen.
CANNOT_FAIL = {24, 39, 95, 102, 104, 107, 108, 110, 111, 186,  # sched_yield getpid umask getuid getgid
               # geteuid getegid getppid getpgrp gettid
               202,  # futex: the kernel fails a private (non-PI) wait only with EAGAIN (the
               # word changed) or EINTR, which glibc's wrappers retry, and a wake never;
               # glibc aborts by design on any other answer ("The futex facility returned
               # an unexpected error code"), in a contended mutex as in a join.
               334}  # rseq: in the set-up path only a new thread's registration (the first
# thread's is the loader's), which the kernel fails only for a bad area or a
# second registration, and refuses either for every thread or for none (an
# outer filter); glibc aborts by design when a thread's alone fails
# (nptl's start_thread: "rseq registration failed").
# Messages of steps whose library hides the errno: they name the step.
NAMED_STEPS = [
    re.compile(r"libseccomp"),
]


def syscall_names():
    """Numbers to names, from scmp_sys_resolver (package seccomp)."""
    names = {}
    try:
        out = subprocess.run(["scmp_sys_resolver", "-a", "x86_64", "-t"] + [str(n) for n in range(0, 460)],
                             capture_output=True, text=True, timeout=30).stdout.split()
    except (OSError, subprocess.SubprocessError):
        return names
    for n, name in zip(range(0, 460), out):
        names[n] = name
    return names


class Slot:
    """What one run at a time owns: its directory (TMPDIR, the cache, the
    command's output) and the tag its processes carry."""

    def __init__(self, top, i):
        self.dir = os.path.join(top, "slot%d" % i)
        self.tag = "tj-faults-%d-%d" % (os.getpid(), i)
        for d in ("tmp", "cache", "out"):
            os.makedirs(os.path.join(self.dir, d))
        os.chmod(self.dir, 0o755)
        os.chmod(os.path.join(self.dir, "out"), 0o777)

    def reset(self, warm):
        """An empty output directory and the configuration's cache: a copy
        of the warm one, or none."""
        out = os.path.join(self.dir, "out")
        for f in os.listdir(out):
            os.unlink(os.path.join(out, f))
        cache = os.path.join(self.dir, "cache")
        shutil.rmtree(cache, ignore_errors=True)
        if warm:
            shutil.copytree(warm, cache)
        else:
            os.mkdir(cache)


class Faults:
    def __init__(self, o):
        self.o = o
        b = os.path.abspath(o.build)
        self.tj = os.path.join(b, "tinyjail")
        self.probe = os.path.join(b, "probe")
        self.inject = os.path.join(b, "faultinject")
        self.san = "build-san" in b or o.sanitised
        self.dir = tempfile.mkdtemp(prefix="tj-faults.")
        os.chmod(self.dir, 0o755)
        self.names = syscall_names()
        self.lock = threading.Lock()
        self.warm = {}
        self.rng = random.Random(o.seed)
        self.failures = []
        self.reported = 0
        self.cut = False
        self.weak = []
        self.stats = collections.Counter()
        self.sites_total = 0
        self.by_outcome = collections.defaultdict(collections.Counter)
        self.host_ns = {n: os.readlink("/proc/self/ns/" + n) for n in
                        ("user", "mnt", "pid", "net", "ipc", "uts", "cgroup")}

    def configs(self, slot):
        """name: (options, expectations, warm cache).  The filter cache is
        warmed before counting (the faulted runs then take the counted
        path), except for strict, which writes its cache entry in the run."""
        out = os.path.join(slot.dir, "out")
        view = ["--ro", "/usr", "--ro", "/lib", "--ro", "/lib64", "--ro", "/bin", "--ro", "/etc", "--rw", out]
        return {
            # name: (options, expectations)
            "default": (["--no-cache"], {"seccomp"}, False),
            "strict": (["--profile", "strict", "--rw", out, "--ro", os.path.dirname(self.probe)] +
                       ["--ro", "/usr", "--ro", "/lib", "--ro", "/etc", "--ro", "/proc"], {"seccomp", "view"}, False),
            "limits": (["--memory", "64M", "--pids", "64", "--rlimit", "nofile=256"], {"seccomp", "cgroup", "nofile"},
                       True),
            "isolation": (["--unshare", "all"] + view + ["--ro", os.path.dirname(self.probe), "--ro", "/proc"],
                          {"seccomp", "ns", "view"}, True),
            "net": (["--net", "allow=tj-faults.invalid", "--unshare", "pid"], {"seccomp", "ns_net", "ns_pid"}, True),
        }

    # --- one run ---

    def env(self, slot):
        e = {k: v for k, v in os.environ.items() if not k.startswith(("ASAN_", "XDG_", "TJ_TEST_"))}
        e["TJ_FAULT_TAG"] = slot.tag
        e["TMPDIR"] = os.path.join(slot.dir, "tmp")
        e["XDG_CACHE_HOME"] = os.path.join(slot.dir, "cache")
        e["ASAN_OPTIONS"] = "exitcode=86:allocator_may_return_null=1"
        e["UBSAN_OPTIONS"] = "halt_on_error=1:exitcode=86"
        return e

    def run(self, slot, cfg, fail=None, err_name=None):
        """Returns (report lines, tinyjail's stderr, confinement facts or None, hung)."""
        opts = self.configs(slot)[cfg][0]
        slot.reset(self.warm.get(cfg))
        rep = os.path.join(slot.dir, "report")
        facts = os.path.join(slot.dir, "out", "facts")
        argv = [self.inject, "--out", rep, "--command", self.probe]
        if fail:
            argv += ["--fail", fail, "--errno", str(getattr(errno, err_name))]
        argv += ["--", self.tj, "-q"] + opts + ["--setenv", "TJ_FAULT_TAG=" + slot.tag, "--",
                                               self.probe, "confinement", facts, OUTSIDE]
        hung = False
        try:
            p = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, env=self.env(slot), cwd=slot.dir,
                               timeout=self.o.deadline)
            err = p.stderr.decode(errors="replace")
        except subprocess.TimeoutExpired as e:
            hung = True
            err = (e.stderr or b"").decode(errors="replace")
        try:
            with open(rep) as f:
                lines = f.read().splitlines()
        except OSError:
            lines = []
        got = None
        if os.path.exists(facts):
            with open(facts) as f:
                got = f.read()
        return lines, err, got, hung

    # --- checks ---

    def check_layers(self, facts, want):
        """What is missing from the command's confinement."""
        missing = []
        kv = collections.defaultdict(list)
        for line in facts.splitlines():
            k, _, v = line.partition(":\t") if ":\t" in line else line.partition(" ")
            kv[k].append(v.strip())
        if "NoNewPrivs" not in kv or "ns_net" not in kv:
            return [INCOMPLETE]
        if kv.get("NoNewPrivs", ["0"])[0] != "1":
            missing.append("no_new_privs")
        if kv.get("CapEff", ["?"])[0].strip("0") != "":
            missing.append("capabilities dropped")
        if "seccomp" in want and kv.get("Seccomp", ["0"])[0] != "2":
            missing.append("seccomp filter")
        if "ns" in want:
            for n, host in self.host_ns.items():
                if kv.get("ns_" + n, [host])[0] == host:
                    missing.append("%s namespace" % n)
        for n in ("net", "pid"):
            if "ns_" + n in want and kv.get("ns_" + n, [self.host_ns[n]])[0] == self.host_ns[n]:
                missing.append("%s namespace" % n)
        if "view" in want and kv.get("outside", ["readable"])[0] == "readable":
            missing.append("view (Landlock)")
        if "cgroup" in want and not any("/tinyjail/tj-" in c for c in kv.get("cgroup", [])):
            missing.append("cgroup")
        if "nofile" in want and kv.get("nofile", ["?"])[0] != "256":
            missing.append("rlimit nofile")
        return missing

    def leaks(self, slot, pid):
        """What this run left: only its own (its tag, its tinyjail's
        cgroups, its slot's directories), so runs side by side do not see
        each other's."""
        left = []
        needle = ("TJ_FAULT_TAG=" + slot.tag).encode()
        for attempt in range(40):
            left = []
            for p in os.listdir("/proc"):
                if not p.isdigit() or int(p) == os.getpid():
                    continue
                try:
                    with open("/proc/%s/environ" % p, "rb") as f:
                        if needle in f.read():
                            with open("/proc/%s/comm" % p) as c:
                                left.append("process %s (%s)" % (p, c.read().strip()))
                except OSError:
                    pass
            if not left:
                break
            time.sleep(0.05)
        for p in left:
            subprocess.run(["kill", "-9", p.split()[1]], capture_output=True)
        if pid:
            for root, dirs, _ in os.walk("/sys/fs/cgroup"):
                for d in dirs:
                    if d.startswith("tj-%d-" % pid):
                        left.append("cgroup " + os.path.join(root, d))
                dirs[:] = [d for d in dirs if not d.startswith("tj-")]
        tmp = os.listdir(os.path.join(slot.dir, "tmp"))
        if tmp:
            left.append("TMPDIR entries %s" % tmp[:5])
            for t in tmp:
                shutil.rmtree(os.path.join(slot.dir, "tmp", t), ignore_errors=True)
        for root, _, files in os.walk(os.path.join(slot.dir, "cache")):
            for f in files:
                if ".tmp" in f:
                    left.append("cache temporary file " + f)
                    os.unlink(os.path.join(root, f))
        with open("/proc/self/mountinfo") as f:
            for line in f:
                if any(f == slot.dir or f.startswith(slot.dir + "/") for f in line.split()):
                    left.append("mount " + line.split()[4])
        return left

    def keep(self, err, lines):
        """A failed run's whole stderr and the injector's report, kept for
        the diagnosis (the summary shows only tinyjail's last lines)."""
        n = len(self.failures) + 1
        path = os.path.join(self.dir, "failure-%d.txt" % n)
        with open(path, "w") as f:
            f.write("\n".join(lines) + "\n--- stderr\n" + err)
        return "\n      (all of it: %s)" % path

    def judge(self, slot, cfg, site, err_name, lines, err, facts, hung, want):
        task, nr, occ = site
        what = "%s: %s#%s in task %s, %s" % (cfg, self.names.get(nr, nr), occ, task, err_name)
        injected = any(l.startswith("injected ") for l in lines)
        filtered = any(l.startswith("injected ") and l.endswith(" filtered") for l in lines)
        started = any(l.startswith("exec ") for l in lines)
        pid = next((int(l.split()[1]) for l in lines if l.startswith("pid ")), 0)
        code = next((int(l.split()[1]) for l in lines if l.startswith("exit ")), None)
        problems = []
        if hung:
            problems.append("hung (no end within %ds)" % self.o.deadline)
        if "Sanitizer" in err or "runtime error:" in err:
            problems.append("sanitizer report")
        exec_facts = "".join(l[5:] + "\n" for l in lines if l.startswith("fact "))
        if not injected:
            outcome = "not reached"
        elif facts is not None or (started and exec_facts and code == 125):
            missing = self.check_layers(facts, want) if facts is not None else [INCOMPLETE]
            outcome = "absorbed, command confined" if code == 0 else "command started, then ended (%s)" % code
            if missing == [INCOMPLETE] and exec_facts and code == 125:
                # Killed before it could write (a helper's death took it
                # down; the facts are written whole or not at all):
                # judged by what the injector saw at its exec; the view
                # (Landlock) cannot be seen from outside.
                missing = self.check_layers(exec_facts + "outside unknown\n", want - {"view"})
                outcome = "command started, killed before it told (layers seen at its exec), 125"
            if missing:
                problems.append("THE COMMAND RAN WITHOUT: " + ", ".join(missing))
            if code not in (0, 125):
                problems.append("exit %s after the command started" % code)
        else:
            e = getattr(errno, err_name)
            if code == 125:
                # The message must name the step; whether it also gives
                # the injected errno is counted (a library may hide it, a
                # task may have died of it, the step may not pass it on).
                if os.strerror(e) in err:
                    outcome = "refused: 125, the step and the cause"
                else:
                    outcome = "refused: 125, the step"
                    with self.lock:
                            self.weak.append("%s: %s" % (what, " | ".join(
                            l for l in err.splitlines() if l.startswith("tinyjail:"))))
                if not any(l.startswith("tinyjail: ") and "warning" not in l for l in err.splitlines()):
                    problems.append("exit 125 without a message")
            elif code in (126, 127) and ("cannot run '" in err or "cannot execute" in err) and os.strerror(e) in err:
                outcome = "refused: %d (finding or executing the command)" % code
            elif filtered and not started and code in (159, 137, 128 + 31):
                outcome = "killed by the task's own filter (the call became syscall -1)"
            elif started:
                outcome = "command started, no facts (exit %s)" % code
                problems.append("the command started but wrote nothing (exit %s)" % code)
            else:
                outcome = "ended %s without starting the command" % code
                problems.append("exit %s instead of 125" % code)
        for leak in self.leaks(slot, pid):
            problems.append("left behind: " + leak)
        with self.lock:
            self.by_outcome[cfg][outcome] += 1
            self.stats[outcome] += 1
            if problems:
                msg = [l for l in err.splitlines() if l.startswith("tinyjail:")][-3:]
                self.failures.append("%s: %s\n      tinyjail said: %s%s" % (what, "; ".join(problems),
                                                                              " | ".join(msg) or "(nothing)",
                                                                              self.keep(err, lines)))

    # --- helpers killed at random moments ---

    def children(self, pid):
        try:
            with open("/proc/%d/task/%d/children" % (pid, pid)) as f:
                return [int(x) for x in f.read().split()]
        except OSError:
            return []

    def kill_run(self, slot, cfg, rng):
        """tinyjail with one of its own processes (the proxy, the listener
        helper, the pid namespace's init, the child before it execs)
        SIGKILLed at a random moment: the command dies or is denied, never
        runs unconfined, and nothing hangs or is left."""
        opts, want, _ = self.configs(slot)[cfg]
        slot.reset(self.warm.get(cfg))
        facts = os.path.join(slot.dir, "out", "facts")
        argv = [self.tj, "-q"] + opts + ["--setenv", "TJ_FAULT_TAG=" + slot.tag, "--",
                                         self.probe, "confinement", facts, OUTSIDE]
        env = self.env(slot)
        # LeakSanitizer's tracer at exit is a process named tinyjail too:
        # killing it would hang the sanitiser, not tinyjail.
        env["ASAN_OPTIONS"] += ":detect_leaks=0"
        p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                             env=env, cwd=slot.dir)
        delay = rng.uniform(0, self.o.kill_window)
        victim = None
        # The moment is counted from tinyjail's first child: a loaded
        # machine can take longer than the window to get there, and a kill
        # before it finds nothing to kill.
        t0 = time.monotonic()
        while not self.children(p.pid) and p.poll() is None and time.monotonic() - t0 < self.o.deadline:
            time.sleep(0.001)
        t0 = time.monotonic()
        while time.monotonic() - t0 < delay and p.poll() is None:
            time.sleep(0.002)
        # Only tinyjail's own processes: the command has another name.
        own = []
        for c in self.children(p.pid):
            try:
                with open("/proc/%d/comm" % c) as f:
                    if f.read().strip().startswith("tinyjail"):
                        own.append(c)
            except OSError:
                pass
        if own and p.poll() is None:
            victim = rng.choice(own)
            try:
                with open("/proc/%d/comm" % victim) as f:
                    role = f.read().strip()
                os.kill(victim, 9)
                victim = "%d (%s)" % (victim, role)
            except OSError:
                victim = None
        hung = False
        try:
            _, err = p.communicate(timeout=self.o.deadline)
        except subprocess.TimeoutExpired:
            hung = True
            p.kill()
            _, err = p.communicate()
        err = err.decode(errors="replace")
        code = p.returncode
        problems = []
        if hung:
            problems.append("hung after its process %s was killed" % victim)
        if "Sanitizer" in err or "runtime error:" in err:
            problems.append("sanitizer report")
        got = None
        if os.path.exists(facts):
            with open(facts) as f:
                got = f.read()
        if got is not None:
            missing = self.check_layers(got, want)
            if missing:
                problems.append("THE COMMAND RAN WITHOUT: " + ", ".join(missing))
            outcome = "command ran confined%s (exit %s)" % (", nothing killed" if victim is None else "", code)
        elif victim is None:
            outcome = "nothing to kill in time"
        else:
            # The facts are written whole (probe.c): none means the command
            # never started, or was killed (with its pid namespace) before
            # it could tell.
            outcome = "command did not run, or was killed before it told (exit %s)" % code
            if code == 0:
                problems.append("exit 0 although the command did not run")
        for leak in self.leaks(slot, p.pid):
            problems.append("left behind: " + leak)
        role = victim.split("(")[-1].rstrip(")") if victim else "none"
        with self.lock:
            self.by_outcome[cfg + " (kills)"]["%s [%s]" % (outcome.split(" (")[0], role)] += 1
            if problems:
                msg = [l for l in err.splitlines() if l.startswith("tinyjail:")][-3:]
                self.failures.append("%s: killed process %s after %.0f ms: %s\n      tinyjail said: %s" % (
                    cfg, victim, delay * 1000, "; ".join(problems), " | ".join(msg) or "(nothing)"))

    def out_of_time(self):
        """--until: a campaign on a shared machine stops at a deadline and
        reports what it ran (the summary says it was cut short)."""
        if self.o.until and time.time() >= self.o.until:
            if not self.cut:
                self.cut = True
                print("faults: stopped at the --until deadline", flush=True)
            return True
        return False

    def progress(self, runs, total):
        """A long campaign shows where it is, and each failure as it comes."""
        if not self.o.progress:
            return
        while self.reported < len(self.failures):
            print("FAIL (so far) " + self.failures[self.reported], flush=True)
            self.reported += 1
        if runs % self.o.progress == 0:
            print("faults: %d of %d runs, %d failures" % (runs, total, len(self.failures)), flush=True)

    # --- the campaign ---

    def sites(self, slot, cfg):
        lines, err, facts, hung = self.run(slot, cfg)
        code = next((l for l in lines if l.startswith("exit ")), "exit ?")
        if hung or code != "exit 0" or facts is None:
            raise SystemExit("faults: the fault-free run of %s failed (%s, hung %s): %s" % (cfg, code, hung,
                                                                                           err[-2000:]))
        found = []
        last = {}
        for l in lines:
            if l.startswith("site "):
                _, task, nr, occ = l.split()[:4]
                if int(nr) in CANNOT_FAIL:
                    continue
                found.append((task, int(nr), int(occ)))
                last[(task, int(nr))] = int(occ)
        keep = []
        for task, nr, occ in found:
            if self.san and nr in SANITISER_CALLS:
                continue
            # A loop repeats the same call: its first few and its last.
            if occ <= self.o.max_occ or occ == last[(task, nr)]:
                keep.append((task, nr, occ))
        return found, keep

    def warm_cache(self, slot, cfg):
        """A fault-free run fills the cache; the faulted runs start from a
        copy of it (each its own), the path that was counted."""
        lines, err, _, hung = self.run(slot, cfg)
        if hung or "exit 0" not in lines:
            raise SystemExit("faults: the run warming the cache for %s failed: %s" % (cfg, err[-2000:]))
        warm = os.path.join(self.dir, "warm-" + cfg)
        shutil.copytree(os.path.join(slot.dir, "cache"), warm)
        self.warm[cfg] = warm

    def one(self, slots, slot, job):
        """One run on its slot (a worker thread), which it frees at the end."""
        try:
            if job[0] == "kill":
                _, cfg, seed = job
                self.kill_run(slot, cfg, random.Random(seed))
            else:
                _, cfg, site, e = job
                want = self.configs(slot)[cfg][1]
                lines, err, facts, hung = self.run(slot, cfg, "%s:%d:%d" % site, e)
                self.judge(slot, cfg, site, e, lines, err, facts, hung, want)
        except Exception as ex:  # a harness error is a failure, never lost
            with self.lock:
                self.failures.append("%s: the harness failed: %r" % (job, ex))
        finally:
            slots.put(slot)
        with self.lock:
            self.done += 1
            self.progress(self.done, self.planned)

    def main(self):
        slots = queue.Queue()
        for i in range(max(1, self.o.jobs)):
            slots.put(Slot(self.dir, i))
        first = slots.get()
        slots.put(first)
        names = self.o.configs.split(",") if self.o.configs else list(self.configs(first))
        errnos = self.o.errnos.split(",")
        t0 = time.monotonic()
        cpu0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        plan = []

        def prepare(cfg):
            """Warm the configuration's cache, count its sites (side by side)."""
            slot = slots.get()
            try:
                if self.configs(slot)[cfg][2]:
                    self.warm_cache(slot, cfg)
                return None if self.o.no_sites else self.sites(slot, cfg)
            finally:
                slots.put(slot)

        with ThreadPoolExecutor(max_workers=max(1, self.o.jobs)) as pool:
            counted = list(pool.map(prepare, names))
        for cfg, res in zip(names, counted):
            if res is None:
                continue
            found, keep = res
            if self.o.calls:
                only = {int(c) for c in self.o.calls.split(",")}
                keep = [s for s in keep if s[1] in only]
            keep = keep[self.rng.randrange(self.o.stride)::self.o.stride] if self.o.stride > 1 else keep
            print("faults: %s: %d calls in the set-up path, %d sites" % (cfg, len(found), len(keep)), flush=True)
            for i, site in enumerate(keep):
                # Every errno, or one per site in turn.
                for e in (errnos if self.o.all_errnos else [errnos[(i + self.rng.randrange(len(errnos))) % len(errnos)]]):
                    plan.append(("site", cfg, site, e))
        if self.o.sample and len(plan) > self.o.sample:
            plan = self.rng.sample(plan, self.o.sample)
        self.sites_total = len({(j[1], j[2]) for j in plan})
        # The kills first: quick, and a campaign cut short still has them.
        plan = [("kill", names[i % len(names)], self.rng.randrange(1 << 30)) for i in range(self.o.kills)] + plan
        self.planned = len(plan)
        self.done = 0
        started = []
        with ThreadPoolExecutor(max_workers=max(1, self.o.jobs)) as pool:
            for job in plan:
                if self.out_of_time():
                    break
                # Start a run only when a slot is free: the deadline is
                # checked right before each start.
                slot = slots.get()
                if self.out_of_time():
                    slots.put(slot)
                    break
                started.append(job)
                pool.submit(self.one, slots, slot, job)
        elapsed = time.monotonic() - t0
        cpu1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (cpu1.ru_utime - cpu0.ru_utime) + (cpu1.ru_stime - cpu0.ru_stime)
        runs = len(started)
        tried = {(j[1], j[2]) for j in started if j[0] == "site"}
        kills = sum(1 for j in started if j[0] == "kill")
        print("faults: %d runs (%d faults, %d random kills) in %.0fs with %d jobs, CPU %.0fs (%.2fs a run), "
              "load %.1f, over %d of %d sites%s" % (
                  runs, runs - kills, kills, elapsed, self.o.jobs, cpu, cpu / max(runs, 1), os.getloadavg()[1],
                  len(tried), self.sites_total,
                  " (CUT SHORT at the deadline: %d runs planned)" % len(plan) if self.cut else ""))
        for cfg in sorted(self.by_outcome):
            print("faults: %s: %s" % (cfg, ", ".join("%s %d" % kv for kv in sorted(self.by_outcome[cfg].items()))))
        with open(os.path.join(self.dir, "failures.txt"), "w") as fh:
            fh.write("\n".join(self.failures) + "\n")
        if self.o.verbose:
            for w in self.weak:
                print("step only: " + w)
        for f in self.failures[:60]:
            print("FAIL " + f)
        if len(self.failures) > 60:
            print("FAIL ... and %d more" % (len(self.failures) - 60))
        if self.failures:
            print("faults: FAILED (%d problems); files in %s" % (len(self.failures), self.dir))
            return 1
        shutil.rmtree(self.dir, ignore_errors=True)
        print("faults: passed")
        return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build", required=True)
    ap.add_argument("--configs", default="")
    ap.add_argument("--errnos", default=",".join(ERRNOS))
    ap.add_argument("--all-errnos", action="store_true", help="every errno at every site")
    ap.add_argument("--max-occ", type=int, default=3, help="occurrences of one call in one task tried")
    ap.add_argument("--stride", type=int, default=1, help="try every K-th site")
    ap.add_argument("--deadline", type=int, default=60)
    ap.add_argument("--sanitised", action="store_true")
    ap.add_argument("--verbose", action="store_true", help="also list the messages without the cause")
    ap.add_argument("--kills", type=int, default=0, help="runs with one of tinyjail's processes killed")
    ap.add_argument("--kill-window", type=float, default=0.05, help="seconds after tinyjail's first child appears to kill in")
    ap.add_argument("--no-sites", action="store_true", help="only the random kills")
    ap.add_argument("--sample", type=int, default=0, help="at most N (site, errno) runs, drawn at random")
    ap.add_argument("--calls", default="", help="only these syscall numbers (comma list)")
    ap.add_argument("--until", type=float, default=0, help="stop starting runs at this time (epoch seconds)")
    ap.add_argument("--progress", type=int, default=0, help="print a line every N runs, failures as they come")
    ap.add_argument("--seed", type=int, default=int(time.time()))
    ap.add_argument("--jobs", type=int, default=1, help="runs side by side")
    o = ap.parse_args()
    if os.geteuid() != 0:
        print("faults: run as root", file=sys.stderr)
        return 1
    print("faults: seed %d" % o.seed)
    return Faults(o).main()


if __name__ == "__main__":
    sys.exit(main())
