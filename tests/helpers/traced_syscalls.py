# SPDX-License-Identifier: Apache-2.0
"""The syscalls one program image made in a traced run, for the static
analysis's superset checks (tests/integration/test_static.sh,
bench/static_eval.sh).

usage: traced_syscalls.py STRACE_OUTPUT IMAGE

STRACE_OUTPUT is `strace -f -qq -o FILE cmd...` output.  A process runs an
image from its successful execve on (or, before any, the image of the process
that cloned it); the syscalls made while IMAGE ran are printed, one name a
line, sorted.  Calls made by other programs the command executes (a shell, a
compressor) are left out: a static analysis of IMAGE does not cover them.
"""
import os
import re
import sys

LINE = re.compile(r"^(\d+) +(?:<\.\.\. (\w+) resumed>|(\w+)\()(.*)$")
RESULT = re.compile(r"= (-?\d+)(?: |$)")


def main():
    path, image = sys.argv[1], os.path.realpath(sys.argv[2])
    # per pid: list of [image or None (inherited), set of names]
    segs = {}
    parent = {}  # child pid -> (parent pid, segment index at the clone)
    pending_exec = {}
    with open(path, errors="replace") as f:
        for line in f:
            m = LINE.match(line)
            if not m:
                continue
            pid = int(m.group(1))
            name = m.group(2) or m.group(3)
            rest = m.group(4)
            s = segs.setdefault(pid, [[None, set()]])
            if m.group(3) == "execve":
                q = re.match(r'"([^"]*)"', rest)
                pending_exec[pid] = q.group(1) if q else None
            s[-1][1].add(name)
            if "<unfinished ...>" in rest and not m.group(2):
                continue
            r = RESULT.search(rest)
            ret = int(r.group(1)) if r else None
            if name == "execve" and ret == 0 and pending_exec.get(pid):
                s.append([os.path.realpath(pending_exec.pop(pid)), set()])
            elif name in ("clone", "clone3", "fork", "vfork") and ret and ret > 0:
                parent[ret] = (pid, len(s) - 1)

    def image_of(pid, idx, depth=0):
        img = segs[pid][idx][0]
        if img is not None or idx > 0 or depth > 100:
            return img
        if pid not in parent:
            return None
        ppid, pidx = parent[pid]
        return image_of(ppid, pidx, depth + 1) if ppid in segs else None

    names = set()
    for pid, s in segs.items():
        for i, (img, calls) in enumerate(s):
            if image_of(pid, i) == image:
                # the execve that started the next image was made by this one
                names |= calls
    for n in sorted(names):
        print(n)


if __name__ == "__main__":
    main()
