#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Runs a command on a pseudo-terminal, as the foreground job of its own
session, and types into it as a person would.

usage: pty_keys.py TRANSCRIPT STEP... -- COMMAND...
Steps, in order:
  wait:TEXT    wait until TEXT has appeared in the output (since the start)
  ctrl-c       type Ctrl-C (the terminal sends SIGINT to the foreground job)
  sleep:SECS   wait this long
Everything the command prints is written to TRANSCRIPT, followed by
"pty: status=exited N" or "pty: status=signaled N".  Exits 0 when every step
ran (a step that waits more than 60 s fails the run with exit 99).
"""
import os
import pty
import select
import sys
import time


def main():
    transcript = open(sys.argv[1], "wb", buffering=0)
    sep = sys.argv.index("--")
    steps = sys.argv[2:sep]
    args = sys.argv[sep + 1 :]
    pid, fd = pty.fork()
    if pid == 0:
        os.execvp(args[0], args)
    seen = b""

    def pump(timeout):
        nonlocal seen
        r, _, _ = select.select([fd], [], [], timeout)
        if r:
            try:
                data = os.read(fd, 4096)
            except OSError:
                data = b""
            seen += data
            transcript.write(data)

    ok = True
    for step in steps:
        if step.startswith("wait:"):
            want = step[5:].encode()
            deadline = time.time() + 60
            while want not in seen and time.time() < deadline:
                pump(0.1)
            if want not in seen:
                ok = False
                break
        elif step == "ctrl-c":
            os.write(fd, b"\x03")
        elif step.startswith("sleep:"):
            end = time.time() + float(step[6:])
            while time.time() < end:
                pump(0.05)
    deadline = time.time() + 60
    status = None
    while status is None and time.time() < deadline:
        pump(0.05)
        p, st = os.waitpid(pid, os.WNOHANG)
        if p:
            status = st
    if status is None:
        os.kill(pid, 9)
        _, status = os.waitpid(pid, 0)
        ok = False
    for _ in range(20):  # what is still in the terminal's buffer
        pump(0.01)
    if os.WIFSIGNALED(status):
        transcript.write(b"\npty: status=signaled %d\n" % os.WTERMSIG(status))
    else:
        transcript.write(b"\npty: status=exited %d\n" % os.WEXITSTATUS(status))
    sys.exit(0 if ok else 99)


main()
