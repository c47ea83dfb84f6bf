# SPDX-License-Identifier: Apache-2.0
# tinyjail supervise, an OCI seccomp agent, deciding for tinyjail --notify-socket
# (and for a profile's listenerPath): rules-file decisions, a person on a
# terminal, remembered decisions written back into the profile, and what
# happens when the supervisor goes away.
. "$ROOT/tests/integration/lib.sh"
. "$ROOT/tests/integration/supervise_lib.sh"

STRICT="$ROOT/policies/strict.json"
SOCK="$TMP/agent.sock"
PTY="$ROOT/tests/helpers/pty_run.py"

cat >"$TMP/rules.json" <<'EOF'
{"tinyjailDecisions": 1,
 "rules": [
  {"names": ["getpgrp"], "decision": "allow"},
  {"names": ["socket"], "decision": "deny", "errno": "EACCES"},
  {"names": ["ptrace"], "decision": "kill"},
  {"names": ["kcmp"], "decision": "ask"}
 ]}
EOF

t "controls: strict kills getpgrp and socket, and the calls just fail without a filter"
run "$TJ" --profile strict -- "$PROBE" syscall getpgrp
expect_rc 159
run "$TJ" -q --profile none -- "$PROBE" syscall socket 9999 0 0
expect_rc 97

t "a supervisor allows one syscall and denies another in the same run"
start_sup --rules "$TMP/rules.json" --once
run "$TJ" --profile strict --notify-socket "$SOCK" -- "$PROBE" seq getpgrp socket getpgrp
end_sup
expect_rc 0
# getpgrp ran (it returned the process group, not an error); socket did not
# run (EACCES from the supervisor, not EAFNOSUPPORT from the kernel).
printf '%s\n' "$out" | grep -Eq '^syscall 111 = [0-9]+$' || fail "getpgrp did not run: $out"
expect_out_contains "syscall 41 = -1 (EACCES)"
expect_out_lacks "EAFNOSUPPORT"
[ "$sup_rc" -eq 0 ] || fail "supervise exited $sup_rc"
sup_contains "supervise: allowed getpgrp() by pid "
sup_contains "rules: $TMP/rules.json rules[0]"
sup_contains "supervise: denied (EACCES) socket(AF_UNSPEC, 0, 0) by pid "
# The second getpgrp was answered from memory.
sup_contains "memory: $TMP/rules.json rules[0]"
sup_contains "1 sandbox: 2 allowed, 1 denied, 0 killed"

t "a runtime slow to send its listener (a loaded machine's set-up) is still served"
if has_hooks; then
	start_sup --rules "$TMP/rules.json" --once
	run env TJ_TEST_HOOK=agent-slow "$TJ" --profile strict --notify-socket "$SOCK" -- "$PROBE" seq getpgrp
	end_sup
	expect_rc 0
	expect_err_lacks "Broken pipe"
	printf '%s\n' "$out" | grep -Eq '^syscall 111 = [0-9]+$' || fail "getpgrp was not answered: $out"
	sup_contains "supervise: allowed getpgrp() by pid "
else
	skip_without_hooks "needs the agent-slow test hook"
fi

t "a kill decision kills the calling process; the call never runs"
start_sup --rules "$TMP/rules.json" --once
run "$TJ" --profile strict --notify-socket "$SOCK" -- "$PROBE" syscall ptrace 16 999999999
end_sup
expect_rc 137
expect_out_lacks "syscall 101"
sup_contains "killed ptrace(PTRACE_ATTACH, 999999999, "
expect_err_contains "the command was killed by signal SIGKILL"

t "with nobody to ask (no terminal), 'ask' denies with EPERM"
start_sup --rules "$TMP/rules.json" --once
run "$TJ" --profile strict --notify-socket "$SOCK" -- "$PROBE" syscall kcmp 0 0 0 0 0
end_sup
expect_rc 1
sup_contains "denied (EPERM) kcmp("
sup_contains "nobody to ask (no terminal)"

t "a rules file's default decides the calls it does not name"
printf '{"tinyjailDecisions": 1, "default": {"decision": "deny", "errno": 77}}\n' >"$TMP/default.json"
start_sup --rules "$TMP/default.json" --once
run "$TJ" --profile strict --notify-socket "$SOCK" -- "$PROBE" syscall getpgrp
end_sup
expect_rc 77

t "a remembered decision is written back and honoured on the next run"
cp "$STRICT" "$TMP/p.json"
start_sup --rules "$TMP/rules.json" --profile "$TMP/p.json" --write-back --once
run "$TJ" --profile "$TMP/p.json" --notify-socket "$SOCK" -- "$PROBE" seq getpgrp socket
end_sup
expect_rc 0
sup_contains "2 decisions in $TMP/p.json"
cmp -s "$STRICT" "$TMP/p.json.bak" || fail "p.json.bak is not the profile as it was"
# The next run needs no supervisor: the profile itself now allows getpgrp
# and answers socket with EACCES (13).
run "$TJ" --profile "$TMP/p.json" -- "$PROBE" syscall getpgrp
expect_rc 0
run "$TJ" --profile "$TMP/p.json" -- "$PROBE" syscall socket 9999 0 0
expect_rc 13
# ... and the rest of strict still holds.
run "$TJ" --profile "$TMP/p.json" -- "$PROBE" syscall ptrace 16 999999999
expect_rc 159
run "$TJ" check "$TMP/p.json"
expect_rc 0

t "--write-back-to writes a copy and leaves the profile alone"
cp "$STRICT" "$TMP/q.json"
start_sup --rules "$TMP/rules.json" --profile "$TMP/q.json" --write-back-to "$TMP/q2.json" --once
run "$TJ" --profile "$TMP/q.json" --notify-socket "$SOCK" -- "$PROBE" seq getpgrp
end_sup
cmp -s "$STRICT" "$TMP/q.json" || fail "the profile was changed"
[ ! -e "$TMP/q.json.bak" ] || fail "a backup was made for a copy"
run "$TJ" --profile "$TMP/q2.json" -- "$PROBE" syscall getpgrp
expect_rc 0

t "a person answers 'always' once; the rest of the run is answered from memory and written back"
if ! command -v python3 >/dev/null 2>&1; then
	skip "needs python3 for a pseudo-terminal"
else
	cp "$STRICT" "$TMP/r.json"
	rm -f "$SOCK"
	/usr/bin/python3 "$PTY" A "$TMP/pty.out" -- "$TJ" supervise --listen "$SOCK" --profile "$TMP/r.json" \
		--write-back --once &
	pty_pid=$!
	wait_socket "$SOCK"
	run "$TJ" --profile "$TMP/r.json" --notify-socket "$SOCK" -- "$PROBE" seq getpgrp getpgrp getpgrp
	wait "$pty_pid"
	expect_rc 0
	[ "$(printf '%s\n' "$out" | grep -Ec '^syscall 111 = [0-9]+$')" -eq 3 ] || fail "getpgrp did not run 3 times"
	grep -q "pty: prompts=1 " "$TMP/pty.out" || fail "asked more than once: $(tail -3 "$TMP/pty.out")"
	grep -q "supervise: getpgrp() by pid " "$TMP/pty.out" || fail "the prompt did not show the call"
	grep -q "allowed getpgrp() by pid .*memory: a person" "$TMP/pty.out" || fail "not answered from memory"
	run "$TJ" --profile "$TMP/r.json" -- "$PROBE" syscall getpgrp
	expect_rc 0
fi

t "'always' for a fork: written beside strict's thread rule for that argument class only"
if ! command -v python3 >/dev/null 2>&1; then
	skip "needs python3 for a pseudo-terminal"
else
	# strict allows clone only with CLONE_THREAD; a fork reaches the agent.
	cp "$STRICT" "$TMP/c.json"
	rm -f "$SOCK"
	/usr/bin/python3 "$PTY" A,A "$TMP/pty.out" -- "$TJ" supervise --listen "$SOCK" --profile "$TMP/c.json" \
		--write-back --once &
	pty_pid=$!
	wait_socket "$SOCK"
	run "$TJ" --profile "$TMP/c.json" --notify-socket "$SOCK" -- "$PROBE" fork 39
	wait "$pty_pid"
	expect_rc 0
	grep -q '"always" answers the rest of the run, and writes back, for calls with clone flags within' \
		"$TMP/pty.out" || fail "the prompt does not say what 'always' covers: $(grep always "$TMP/pty.out")"
	grep -q 'not written back' "$TMP/pty.out" && fail "the decision was not written back"
	# The profile now runs the fork on its own, keeps the thread rule,
	# and still kills a clone with a namespace flag.
	run "$TJ" --profile "$TMP/c.json" -- "$PROBE" fork 39
	expect_rc 0
	run "$TJ" --profile "$TMP/c.json" -- "$PROBE" thread 39
	expect_rc 0
	run "$TJ" --profile "$TMP/c.json" -- "$PROBE" syscall clone 0x10000011 0 0 0 0
	expect_rc 159
	expect_err_contains "killed by seccomp: clone(CLONE_NEWUSER|SIGCHLD"
fi

t "killing the supervisor mid-call fails the pending call; the target stays confined"
if ! command -v python3 >/dev/null 2>&1; then
	skip "needs python3 for a pseudo-terminal"
else
	# strict answering EPERM by default, plus an explicit kill rule for
	# ptrace, which the kernel keeps enforcing whatever happens to the
	# supervisor.
	/usr/bin/python3 - "$STRICT" "$TMP/k.json" <<'EOF'
import json, sys
p = json.load(open(sys.argv[1]))
p["defaultAction"] = "SCMP_ACT_ERRNO"
p["syscalls"].append({"names": ["ptrace"], "action": "SCMP_ACT_KILL_PROCESS"})
json.dump(p, open(sys.argv[2], "w"))
EOF
	rm -f "$SOCK"
	/usr/bin/python3 "$PTY" KILL "$TMP/pty2.out" -- "$TJ" supervise --listen "$SOCK" &
	pty_pid=$!
	wait_socket "$SOCK"
	# The first getpgrp waits for an answer when the supervisor is killed.
	run "$TJ" --profile "$TMP/k.json" --notify-socket "$SOCK" -- "$PROBE" seq getpgrp getpgrp getpid socket ptrace
	wait "$pty_pid"
	pty_rc=$?
	[ "$pty_rc" -eq 137 ] || fail "the supervisor was not killed (pty exit $pty_rc)"
	grep -q "supervise: getpgrp() by pid " "$TMP/pty2.out" || fail "the supervisor never asked"
	# The pending call failed (ENOSYS) instead of running, and so did
	# every later call the profile routes to the agent; allowed calls work.
	[ "$(printf '%s\n' "$out" | grep -c '^syscall 111 = -1 (ENOSYS)$')" -eq 2 ] || fail "getpgrp ran: $out"
	printf '%s\n' "$out" | grep -Eq '^syscall 39 = [0-9]+$' || fail "getpid failed"
	expect_out_contains "syscall 41 = -1 (ENOSYS)"
	expect_out_lacks "EAFNOSUPPORT"
	# Still confined: the profile's own kill rule kills (the kernel's kill).
	expect_rc 159
	expect_out_lacks "syscall 101"
	expect_err_contains "killed by signal SIGSYS (a seccomp kill by the kernel: the listener belongs to the seccomp agent"
fi

t "the profile's listenerPath and SCMP_ACT_NOTIFY rules reach the agent without --notify-socket"
cat >"$TMP/agentrules.json" <<EOF
{"defaultAction": "SCMP_ACT_ALLOW", "listenerPath": "$SOCK", "listenerMetadata": "from-profile",
 "syscalls": [{"names": ["getpgrp", "socket"], "action": "SCMP_ACT_NOTIFY"}]}
EOF
start_sup --rules "$TMP/rules.json" --once
run "$TJ" --profile "$TMP/agentrules.json" -- "$PROBE" seq getpgrp socket getppid
end_sup
expect_rc 0
printf '%s\n' "$out" | grep -Eq '^syscall 111 = [0-9]+$' || fail "getpgrp did not run"
expect_out_contains "syscall 41 = -1 (EACCES)"
sup_contains "metadata from-profile"
# Only the NOTIFY rules ask: getppid was allowed by the profile.
sup_contains "1 sandbox: 1 allowed, 1 denied, 0 killed"

t "a generic OCI agent gets tinyjail's state and listener as runc and crun send them"
# A minimal agent in Python, checking what crun's own test suite checks of
# crun: one recvmsg with the JSON and one fd; then it drops the listener
# without answering, which fails the waiting call with ENOSYS.
rm -f "$SOCK" "$TMP/generic.out"
/usr/bin/python3 - "$SOCK" "$TMP/generic.out" <<'EOF'
import array, json, os, socket, sys
path, report = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(path)
s.listen(1)
if os.fork():
    os._exit(0)
conn, _ = s.accept()
fds = array.array("i")
msg, anc, _, _ = conn.recvmsg(4096, socket.CMSG_LEN(4 * fds.itemsize))
for level, kind, data in anc:
    if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
        fds.frombytes(data[: len(data) - len(data) % fds.itemsize])
m = json.loads(msg)
checks = [
    len(fds) == 1,
    m["fds"] == ["seccompFd"],
    isinstance(m["pid"], int) and m["pid"] > 0,
    m["metadata"] == "generic",
    m["state"]["status"] == "creating",
    m["state"]["id"] == "tinyjail-%d" % m["pid"],
    m["state"]["pid"] == m["pid"],
    "ociVersion" in m and "bundle" in m["state"],
    os.readlink("/proc/self/fd/%d" % fds[0]) == "anon_inode:seccomp notify",
]
os.close(fds[0])
with open(report + ".tmp", "w") as f:
    f.write("checks %s\n" % " ".join("ok" if c else "FAIL" for c in checks))
os.rename(report + ".tmp", report)
EOF
wait_socket "$SOCK"
cat >"$TMP/generic.json" <<EOF
{"defaultAction": "SCMP_ACT_ALLOW", "listenerPath": "$SOCK", "listenerMetadata": "generic",
 "syscalls": [{"names": ["getpgrp"], "action": "SCMP_ACT_NOTIFY"}]}
EOF
run "$TJ" --profile "$TMP/generic.json" -- "$PROBE" syscall getpgrp
expect_rc 38
i=0
while [ ! -s "$TMP/generic.out" ] && [ $i -lt 200 ]; do
	sleep 0.05
	i=$((i + 1))
done
[ "$(cat "$TMP/generic.out" 2>/dev/null)" = "checks ok ok ok ok ok ok ok ok ok" ] ||
	fail "the agent saw: $(cat "$TMP/generic.out" 2>/dev/null)"

t "no agent listening: exit 125 before anything runs"
rm -f "$SOCK" "$TMP/ran"
run "$TJ" --profile strict --notify-socket "$SOCK" -- /bin/touch "$TMP/ran"
expect_rc 125
expect_err_contains "cannot reach the seccomp agent at '$SOCK'"
expect_err_contains "hint: start one first, e.g. tinyjail supervise --listen $SOCK"
[ ! -e "$TMP/ran" ] || fail "the command ran"
run "$TJ" --profile "$TMP/agentrules.json" -- /bin/touch "$TMP/ran"
expect_rc 125
[ ! -e "$TMP/ran" ] || fail "the command ran"

t "SCMP_ACT_NOTIFY without an agent is refused; --notify-socket needs enforce mode"
printf '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["getpgrp"], "action": "SCMP_ACT_NOTIFY"}]}\n' \
	>"$TMP/noagent.json"
run "$TJ" --profile "$TMP/noagent.json" -- "$PROBE" syscall getpgrp
expect_rc 125
expect_err_contains "the profile uses SCMP_ACT_NOTIFY, which needs a seccomp agent"
expect_err_contains "hint: name one with --notify-socket SOCK"
run "$TJ" --profile strict --complain --notify-socket "$SOCK" -- "$PROBE" syscall getpgrp
expect_rc 125
expect_err_contains "--notify-socket applies to enforce mode"

t "SCMP_ACT_NOTIFY on execve: the agent's answer starts the command (as runc and crun)"
# runc's seccomp-notify.bats sends execve, openat, read, close and fcntl to
# its agent; such a profile runs when the agent allows execve.
printf '%s\n' '{"defaultAction": "SCMP_ACT_ALLOW", "listenerPath": "'"$SOCK"'", "syscalls": [' \
	'{"names": ["execve", "openat", "read", "close", "fcntl", "getpgrp"], "action": "SCMP_ACT_NOTIFY"}]}' \
	>"$TMP/notify-execve.json"
printf '{"tinyjailDecisions": 1, "default": {"decision": "allow"}}\n' >"$TMP/allow-all.json"
start_sup --rules "$TMP/allow-all.json" --once
run "$TJ" -v --profile "$TMP/notify-execve.json" -- "$PROBE" syscall getpgrp
end_sup
expect_rc 0
printf '%s\n' "$out" | grep -Eq '^syscall 111 = [0-9]+$' || fail "getpgrp did not run: $out"
expect_err_contains "the command starts only if the agent allows its execve"
sup_contains "allowed execve("
sup_contains "allowed getpgrp() by pid "
# The same profile with an agent that refuses execve: the command never runs.
printf '{"tinyjailDecisions": 1, "rules": [{"names": ["execve"], "decision": "deny", "errno": "EACCES"}], "default": {"decision": "allow"}}\n' \
	>"$TMP/no-exec.json"
rm -f "$TMP/ran"
start_sup --rules "$TMP/no-exec.json" --once
run "$TJ" --profile "$TMP/notify-execve.json" -- /bin/touch "$TMP/ran"
end_sup
expect_rc 126
[ ! -e "$TMP/ran" ] || fail "the command ran although the agent refused its execve"
sup_contains "denied (EACCES) execve("
# Without an agent, the profile is refused before anything runs, saying why.
printf '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["execve"], "action": "SCMP_ACT_NOTIFY"}]}\n' \
	>"$TMP/notify-execve-noagent.json"
run "$TJ" --profile "$TMP/notify-execve-noagent.json" --complain -- "$PROBE" syscall getpgrp
expect_rc 0

t "supervise refuses a connection without a seccomp listener and keeps going"
start_sup --rules "$TMP/rules.json" --once
/usr/bin/python3 - "$SOCK" <<'EOF'
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sys.argv[1])
s.sendall(b'{"ociVersion":"1.0.2","fds":["seccompFd"],"pid":1,"state":{"id":"fake"}}')
s.close()
EOF
run "$TJ" --profile strict --notify-socket "$SOCK" -- "$PROBE" syscall getpgrp
end_sup
expect_rc 0
sup_contains "refused a connection: the runtime sent no seccomp listener (0 fds)"
sup_contains "1 sandbox: 1 allowed"

t "supervise: a bad rules file is an error with its position"
printf '{"tinyjailDecisions": 1,\n "rules": [{"names": ["ptrac"], "decision": "kill"}]}\n' >"$TMP/bad.json"
run "$TJ" supervise --listen "$SOCK" --rules "$TMP/bad.json"
expect_rc 125
expect_err_contains "$TMP/bad.json:2:"
expect_err_contains "rules[0].names[0]: unknown syscall 'ptrac'"
[ ! -S "$SOCK" ] || fail "a socket was created"

t "as nobody: agent and sandbox both unprivileged"
mkdir -p "$TMP/nobody"
chmod 1777 "$TMP/nobody" # sticky: the run refuses an agent socket in a directory others can write
NSOCK="$TMP/nobody/a.sock"
as_nobody "$TJ" supervise --listen "$NSOCK" --rules "$TMP/rules.json" --once >"$TMP/nsup.out" 2>"$TMP/nsup.err" &
nsup=$!
wait_socket "$NSOCK"
as_nobody timeout -k 5 60 "$TJ" --profile strict --notify-socket "$NSOCK" -- "$PROBE" seq getpgrp socket \
	>"$TMP/.out" 2>"$TMP/.err"
rc=$?
out=$(cat "$TMP/.out")
wait "$nsup"
expect_rc 0
printf '%s\n' "$out" | grep -Eq '^syscall 111 = [0-9]+$' || fail "getpgrp did not run"
expect_out_contains "syscall 41 = -1 (EACCES)"
[ "$(stat -c %a "$NSOCK" 2>/dev/null || echo gone)" = gone ] || fail "the socket was left behind"

finish
