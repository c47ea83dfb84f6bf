# SPDX-License-Identifier: Apache-2.0
# Complain mode on the real kernel: nothing is denied, every call the profile
# would have denied is reported (summary and --log), the exit status is the
# command's.
. "$ROOT/tests/integration/lib.sh"

STRICT="$ROOT/policies/strict.json"

run_nobody() {
	as_nobody timeout -k 5 "${TJ_TEST_TIMEOUT:-60}" "$@" >"$TMP/.out" 2>"$TMP/.err"
	rc=$?
	out=$(cat "$TMP/.out")
	err=$(cat "$TMP/.err")
}

# The summary's per-syscall lines as "COUNT NAME", sorted.
summary_lines() {
	printf '%s\n' "$err" | sed -n 's/^tinyjail: *\([0-9][0-9]*\)  \([a-z0-9_]*\) .*/\1 \2/p' | sort
}

expect_summary() {
	_got=$(summary_lines)
	_want=$(printf '%s\n' "$@" | sort)
	[ "$_got" = "$_want" ] || fail "summary lines: got [$(echo $_got)], want [$(echo $_want)]"
}

# Checks a --log file: valid JSON lines, start first, exit last, and the
# syscall events' names in order.  Usage: check_log FILE EXIT_CODE NAME...
check_log() {
	run /usr/bin/python3 - "$@" <<'EOF'
import json, sys
path, code, names = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
lines = open(path).read().splitlines()
ev = [json.loads(l) for l in lines]          # every line is JSON
assert all(e["v"] == 1 and e["time"].endswith("Z") for e in ev)
assert ev[0]["event"] == "start" and ev[-1]["event"] == "exit", [e["event"] for e in ev]
assert ev[0]["mode"] == "complain", ev[0]
# After the start event, the enforcement manifest (layer events), then the calls.
mid = [e for e in ev[1:-1] if e["event"] != "layer"]
assert all(e["event"] == "syscall" for e in mid), mid
assert any(e["event"] == "layer" and e["layer"] == "seccomp" for e in ev[1:-1]), ev
got = [e["syscall"] for e in mid]
assert got == names, "syscalls %r, want %r" % (got, names)
for e in mid:
    assert e["verdict"] == "would-deny", e
    assert e["arch"] == "x86_64" and isinstance(e["nr"], int) and len(e["args"]) == 6, e
    assert e["action"].startswith("SCMP_ACT_") and e["rule"], e
x = ev[-1]
assert x["exit_code"] == code and x["seccomp_kill"] is False and x["records"] == len(names), x
print("pids", " ".join(str(e["pid"]) for e in [ev[0]] + mid))
EOF
}

t "the summary lists exactly the forbidden calls made, with counts"
run "$TJ" --profile strict --complain -- "$PROBE" seq getpid socket mount getuid chroot socket kcmp
expect_rc 0
expect_err_contains "tinyjail: complain mode: $STRICT would have denied 4 kinds of syscall (5 calls):"
expect_summary "2 socket" "1 mount" "1 chroot" "1 kcmp"
expect_err_contains "by defaultAction (first pid "
expect_err_contains "tinyjail: complete: every would-be denial was recorded"
expect_err_lacks "getpid"
expect_err_lacks "getuid"
expect_err_lacks "killed"

t "nothing is denied: the forbidden calls really ran"
# In enforce mode the first socket call would be a kill (see the end).
run "$TJ" -q --profile strict --complain -- "$PROBE" seq getpid socket mount getuid chroot socket kcmp
expect_rc 0
expect_out_contains "syscall 41 = -1 (EAFNOSUPPORT)"
expect_out_contains "syscall 165 = -1 (EFAULT)"
expect_out_contains "syscall 161 = -1 (EFAULT)"
expect_out_contains "syscall 312 = -1"
expect_out_contains "syscall 102 = 0"
[ "$(printf '%s\n' "$out" | grep -c '^syscall 41 = -1 (EAFNOSUPPORT)$')" -eq 2 ] ||
	fail "socket did not run twice"
run "$TJ" --profile strict -- "$PROBE" seq getpid socket
expect_rc 159

t "ERRNO rules are not applied either, but reported"
# strict answers clone3 with ENOSYS; in complain mode the kernel answers.
run "$TJ" --profile strict -- "$PROBE" seq clone3
expect_out_contains "syscall 435 = -1 (ENOSYS)"
run "$TJ" --profile strict --complain -- "$PROBE" seq clone3
expect_rc 0
expect_out_contains "syscall 435 = -1 (EINVAL)"
expect_summary "1 clone3"
expect_err_contains "SCMP_ACT_ERRNO(ENOSYS)"
expect_err_contains "by syscalls[11]"

t "the exit status is the command's"
run "$TJ" --profile strict --complain -- "$PROBE" syscall socket 9999 0 0
expect_rc 97
expect_summary "1 socket"
run "$TJ" --profile strict --complain -- "$PROBE" exit 42
expect_rc 42
run "$TJ" --profile strict --complain -- "$PROBE" raise 15
expect_rc 143

t "--log writes valid JSON lines, one syscall event per call"
run "$TJ" --profile strict --complain --log "$TMP/c.log" -- "$PROBE" seq getpid socket mount getuid socket kcmp
expect_rc 0
check_log "$TMP/c.log" 0 socket mount socket kcmp
expect_rc 0
# Every event came from the probe itself.
[ "$(printf '%s\n' "$out" | tr ' ' '\n' | sed 1d | sort -u | wc -l)" -eq 1 ] || fail "several pids: $out"
expect_file_contains "$TMP/c.log" '"argv":["'"$PROBE"'","seq","getpid","socket"'
expect_file_contains "$TMP/c.log" '"profile":"'"$STRICT"'"'
expect_file_contains "$TMP/c.log" '"syscall":"socket","nr":41,"args":["0x0","0x0","0x0","0x0","0x0","0x0"]'

t "--log records children's calls under their own pid"
run "$TJ" --profile default --complain --log "$TMP/fork.log" -- "$PROBE" fork ptrace 16 999999999
expect_rc 0
expect_out_contains "probe: child exited 3"
check_log "$TMP/fork.log" 0 ptrace
expect_rc 0
set -- $out
[ "$#" -eq 3 ] && [ "$2" != "$3" ] || fail "the ptrace event should carry the child's pid: $out"

t "a program that makes no forbidden call: nothing would have been denied"
run "$TJ" --profile strict --complain -- "$PROBE" seq getpid getuid uname
expect_rc 0
expect_err_contains "tinyjail: complain mode: nothing the command did would have been denied by $STRICT"
expect_err_contains "tinyjail: complete: every would-be denial was recorded"
run "$TJ" --profile default --complain --log "$TMP/none.log" -- /bin/true
expect_rc 0
expect_err_contains "nothing the command did would have been denied"
check_log "$TMP/none.log" 0
expect_rc 0

t "-q: no summary"
run "$TJ" -q --profile strict --complain -- "$PROBE" seq socket
expect_rc 0
[ -z "$err" ] || fail "-q printed: $err"

t "threads: the call is reported and the process survives"
run "$TJ" --profile strict --complain -- "$PROBE" thread socket 9999 0 0
expect_rc 0
expect_out_contains "thread syscall 41 = -1 (EAFNOSUPPORT)"
expect_out_contains "probe: process survived"
# pthread_create tries clone3 first, which strict answers ENOSYS.
expect_summary "1 clone3" "1 socket"

t "a shell pipeline under strict: process creation reported, exit 0"
# bash, not dash: a notified fork that a signal interrupts before tinyjail
# has read the notification fails with EINTR (the kernel's user-notification
# semantics), and dash's SIGCHLD handler lacks SA_RESTART, so dash reports
# "Cannot fork" now and then; bash restarts.  See the report on this suite.
pipeline='ls / | sort | head -3 >/dev/null; echo one | tr a-z A-Z'
run "$TJ" --profile strict --complain -- bash -c "$pipeline"
expect_rc 0
expect_out_contains "ONE"
expect_err_contains "tinyjail: complain mode: $STRICT would have denied "
# Starting and waiting for processes is what strict forbids here.
printf '%s\n' "$err" | grep -Eq '^tinyjail: +[0-9]+  (clone|vfork|fork) ' || fail "no process creation reported"
printf '%s\n' "$err" | grep -Eq '^tinyjail: +[0-9]+  wait4 ' || fail "wait4 not reported"
[ "$(summary_lines | wc -l)" -ge 2 ] || fail "too few kinds"
expect_err_contains "complete: every would-be denial was recorded"
# The control: enforced, bash is killed early (getpgrp, before any fork).
run "$TJ" --profile strict -- bash -c "$pipeline"
expect_rc 159
expect_err_contains "tinyjail: killed by seccomp: "
expect_out_lacks "ONE"

t "gcc under strict in complain mode builds a program"
if ! command -v gcc >/dev/null 2>&1; then
	skip "gcc is not installed"
else
	printf '#include <stdio.h>\nint main(void) { puts("built"); return 0; }\n' >"$TMP/hello.c"
	run "$TJ" --profile strict --complain -- gcc -o "$TMP/hello" "$TMP/hello.c"
	expect_rc 0
	n=$(printf '%s\n' "$err" | sed -n 's/.*would have denied \([0-9]*\) kinds* of syscall.*/\1/p')
	[ "${n:-0}" -ge 2 ] || fail "expected at least 2 kinds, got '${n:-none}'"
	[ "$(summary_lines | wc -l)" -eq "${n:-0}" ] || fail "the header's count does not match the lines"
	# gcc starts cc1, as and collect2/ld with vfork and waits for them.
	printf '%s\n' "$err" | grep -Eq '^tinyjail: +[0-9]+  vfork ' || fail "gcc's vfork not reported"
	printf '%s\n' "$err" | grep -Eq '^tinyjail: +[0-9]+  wait4 ' || fail "gcc's wait4 not reported"
	expect_err_contains "complete: every would-be denial was recorded"
	# What gcc built is real and runs under strict, enforced.
	run "$TJ" --profile strict -- "$TMP/hello"
	expect_rc 0
	expect_out_contains "built"
	# The control: enforced, gcc dies at its first vfork.
	run "$TJ" --profile strict -- gcc -o "$TMP/hello2" "$TMP/hello.c"
	expect_rc 159
	[ ! -e "$TMP/hello2" ] || fail "gcc finished under strict"
fi

t "as nobody: the summary and the log"
mkdir -p "$TMP/nobody"
chmod 777 "$TMP/nobody"
run_nobody "$TJ" --profile strict --complain --log "$TMP/nobody/n.log" -- "$PROBE" seq getuid socket mount socket
expect_rc 0
expect_out_contains "syscall 102 = 65534"
expect_out_contains "syscall 41 = -1 (EAFNOSUPPORT)"
expect_summary "2 socket" "1 mount"
expect_err_contains "complete: every would-be denial was recorded"
check_log "$TMP/nobody/n.log" 0 socket mount socket
expect_rc 0

t "complain mode does not kill calls through another ABI (x32)"
# KNOWN BUG (fails until fixed): src/filter/filter.c new_ctx() sets libseccomp's
# bad-architecture action to SCMP_ACT_KILL_PROCESS in every program, so the
# loaded complain-mode program kills x32 (and int 0x80) calls in the kernel,
# and the summary still says nothing would have been denied.
# "Complain mode denies nothing": an x32 call under an x86_64-only profile
# would be killed in enforce mode, so complain mode must report it and let
# it run (the kernel then answers, ENOSYS without x32 support).
run "$TJ" -q --profile none -- "$PROBE" x32 39
kernel_rc=$rc
run "$TJ" --profile strict --complain -- "$PROBE" x32 39
expect_rc "$kernel_rc"
expect_out_contains "x32 syscall 1073741863 = "
expect_err_lacks "nothing the command did would have been denied"
expect_err_lacks "killed by signal"

finish
