#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Runs a command on a pseudo-terminal and answers tinyjail supervise's prompts.

usage: pty_run.py ANSWERS TRANSCRIPT -- COMMAND...
ANSWERS is a comma-separated list, one per prompt ("a", "A", "d", "D", "k",
"K"); "KILL" sends SIGKILL to the command at that prompt instead of answering,
"WAIT" answers nothing (the prompt stays open until the command is stopped).
Prompts beyond the list get "d".  Everything the command prints is written
to TRANSCRIPT as it arrives, followed by "pty: prompts=N status=S".  Exits
with the command's wait status >> 8, or 128+N if it died from signal N.
"""
import os
import pty
import select
import signal
import sys
import time

PROMPT = b"kill always [K]? "


def main():
    answers = sys.argv[1].split(",") if sys.argv[1] else []
    transcript = open(sys.argv[2], "wb", buffering=0)
    args = sys.argv[4:]
    pid, fd = pty.fork()
    if pid == 0:
        os.execv(args[0], args)
    seen = b""
    prompts = 0
    deadline = time.time() + 120
    status = None
    while time.time() < deadline:
        r, _, _ = select.select([fd], [], [], 0.1)
        if r:
            try:
                data = os.read(fd, 4096)
            except OSError:
                data = b""
            if data:
                seen += data
                transcript.write(data)
                while seen.count(PROMPT) > prompts:
                    a = answers[prompts] if prompts < len(answers) else "d"
                    prompts += 1
                    if a == "KILL":
                        os.kill(pid, signal.SIGKILL)
                    elif a != "WAIT":
                        os.write(fd, (a + "\n").encode())
                continue
        p, st = os.waitpid(pid, os.WNOHANG)
        if p:
            status = st
            break
    if status is None:
        os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
    transcript.write(b"\npty: prompts=%d status=%d\n" % (prompts, status))
    if os.WIFSIGNALED(status):
        return 128 + os.WTERMSIG(status)
    return os.WEXITSTATUS(status)


if __name__ == "__main__":
    sys.exit(main())
