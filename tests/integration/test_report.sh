# SPDX-License-Identifier: Apache-2.0
# --report: why the command ended, what was killed, denied with an errno or
# would have been denied (with counts and the first pid), which rules were
# never used, and whether the record is complete.
. "$ROOT/tests/integration/lib.sh"

STRICT="$ROOT/policies/strict.json"

# The report's per-syscall lines as "COUNT NAME ACTION", sorted.
tally_lines() {
	printf '%s\n' "$err" | sed -n 's/^tinyjail: *\([0-9][0-9]*\)  \([a-z0-9_]*\) *\([A-Z_]*[A-Z_(0-9)]*\) .*/\1 \2 \3/p' | sort
}

expect_tally() {
	_got=$(tally_lines)
	_want=$(printf '%s\n' "$@" | sort)
	[ "$_got" = "$_want" ] || fail "tally lines: got [$(echo $_got)], want [$(echo $_want)]"
}

cat >"$TMP/errno.json" <<'EOF'
{
  "defaultAction": "SCMP_ACT_ALLOW",
  "syscalls": [
    {"names": ["ptrace"], "action": "SCMP_ACT_ERRNO", "errnoRet": 77},
    {"names": ["getppid"], "action": "SCMP_ACT_ERRNO", "errnoRet": 0},
    {"names": ["socket"], "action": "SCMP_ACT_ERRNO", "errnoRet": 79,
     "args": [{"index": 0, "value": 9999, "op": "SCMP_CMP_EQ"}]},
    {"names": ["kcmp", "mount"], "action": "SCMP_ACT_ERRNO"},
    {"names": ["chroot"], "action": "SCMP_ACT_KILL_PROCESS"},
    {"names": ["personality"], "action": "SCMP_ACT_TRAP"}
  ]
}
EOF

t "without --report there is no report"
run "$TJ" --profile "$TMP/errno.json" -- "$PROBE" seq ptrace
expect_rc 0
# (The one line naming variables the environment did not pass is no report.)
rest=$(printf '%s\n' "$err" | grep -v '^tinyjail: environment: not passed: ')
[ -z "$rest" ] || fail "printed: $rest"

t "enforce --report: calls denied with an errno are seen, and still get the profile's errno"
run "$TJ" --profile "$TMP/errno.json" --report -- "$PROBE" seq ptrace kcmp ptrace getpid
expect_rc 0
# The calls still fail exactly as without --report.
[ "$(printf '%s\n' "$out" | grep -c '^syscall 101 = -1 (EBADFD)$')" -eq 2 ] || fail "ptrace: $out"
expect_out_contains "syscall 312 = -1 (EPERM)"
expect_err_contains "tinyjail: report: $PROBE exited with status 0 after "
expect_err_contains "tinyjail: report: denied with an errno (2 kinds, 3 calls):"
expect_tally "2 ptrace SCMP_ACT_ERRNO(EBADFD)" "1 kcmp SCMP_ACT_ERRNO(EPERM)"
expect_err_contains "by syscalls[0] (first pid "
expect_err_contains "by syscalls[3] (first pid "
expect_err_contains "tinyjail: complete: every tracked call was recorded (seccomp user notification)"

t "errnoRet 0 (a faked success) answers 0 through the supervisor too"
run "$TJ" --profile "$TMP/errno.json" -- "$PROBE" syscall getppid
expect_rc 0
expect_out_contains "syscall 110 = 0"
run "$TJ" --profile "$TMP/errno.json" --report -- "$PROBE" syscall getppid
expect_rc 0
expect_out_contains "syscall 110 = 0"
expect_tally "1 getppid SCMP_ACT_ERRNO(0)"

t "rules never used: per rule, and per name when some of a rule's names were used"
run "$TJ" --profile "$TMP/errno.json" --report -- "$PROBE" seq ptrace kcmp
expect_rc 0
expect_err_contains "tinyjail: report: rules never used in this run:"
expect_err_contains "tinyjail:          syscalls[1] SCMP_ACT_ERRNO(0): getppid"
expect_err_contains "tinyjail:          syscalls[2] SCMP_ACT_ERRNO(ELIBACC): socket"
expect_err_contains "tinyjail:          syscalls[3] SCMP_ACT_ERRNO(EPERM): 1 of 2 names never used: mount"
expect_err_contains "tinyjail:          syscalls[4] SCMP_ACT_KILL_PROCESS: chroot"
expect_err_lacks "syscalls[0] SCMP_ACT_ERRNO"
# The kernel answers TRAP alone: it cannot be called unused.
expect_err_contains "tinyjail: report: not tracked (their calls are answered by the kernel alone; --report=usage tracks SCMP_ACT_ALLOW rules): syscalls[5]"
# The control: when every rule is used, none is listed.
run "$TJ" --profile "$TMP/errno.json" --report -- "$PROBE" seq ptrace getppid kcmp mount
expect_err_lacks "syscalls[0] SCMP"
expect_err_lacks "syscalls[1] SCMP"
expect_err_lacks "syscalls[3] SCMP"

t "--report=usage: allowed calls are counted, so unused SCMP_ACT_ALLOW names show"
run "$TJ" --profile strict --report=usage -- "$PROBE" seq getpid getuid
expect_rc 0
expect_err_contains "tinyjail: report: allowed by rules: "
line=$(printf '%s\n' "$err" | grep '^tinyjail:          syscalls\[5\] SCMP_ACT_ALLOW: ')
[ -n "$line" ] || fail "no line for syscalls[5] (the process rule)"
case "$line" in *" getppid,"* | *" getppid") ;; *) fail "getppid not listed as unused: $line" ;; esac
case "$line" in *"getpid,"* | *"getpid") fail "getpid listed as unused: $line" ;; *) ;; esac
case "$line" in *"getuid,"* | *"getuid") fail "getuid listed as unused: $line" ;; *) ;; esac
# Without usage tracking the same rule is not judged.
run "$TJ" --profile strict --report -- "$PROBE" seq getpid getuid
expect_err_lacks "syscalls[5] SCMP_ACT_ALLOW"
expect_err_contains "not tracked (their calls are answered by the kernel alone; --report=usage tracks SCMP_ACT_ALLOW rules)"

t "why it ended: killed by seccomp, with the decoded call"
run "$TJ" --profile strict --report -- "$PROBE" syscall ptrace 16 999999999
expect_rc 159
expect_err_contains "tinyjail: report: $PROBE was killed by seccomp after "
expect_err_contains ": ptrace(PTRACE_ATTACH, 999999999, "
expect_err_contains "tinyjail: report: killed for (1 kind, 1 call):"
expect_tally "1 ptrace SCMP_ACT_KILL_PROCESS"

t "why it ended: a signal of its own, or one tinyjail passed on"
run "$TJ" --profile default --report -- "$PROBE" raise 15
expect_rc 143
expect_err_contains "tinyjail: report: $PROBE was killed by signal SIGTERM after "
expect_err_lacks "passed on"
"$TJ" --profile default --report -- "$PROBE" sleep 30 >/dev/null 2>"$TMP/bg.err" &
bg=$!
i=0
while ! pgrep -P "$bg" -x probe >/dev/null && [ $i -lt 200 ]; do
	sleep 0.05
	i=$((i + 1))
done
kill -TERM "$bg"
wait "$bg"
rc=$?
err=$(cat "$TMP/bg.err")
expect_rc 143
expect_err_contains "was killed by signal SIGTERM after "
expect_err_contains "(sent to tinyjail and passed on)"

t "why it ended: a kernel kill (--kill-via=kernel) is not tracked as a rule"
run "$TJ" --profile "$TMP/errno.json" --kill-via=kernel --report -- "$PROBE" syscall chroot 0
expect_rc 159
expect_err_contains "was killed by signal SIGSYS after "
expect_err_contains "(from seccomp: a kill by the kernel)"
expect_err_lacks "syscalls[4] SCMP_ACT_KILL_PROCESS"

t "complain --report lists exactly the calls the probe made, with counts and first pid"
run "$TJ" --profile strict --complain --report -- "$PROBE" seq getpid socket mount getuid chroot socket kcmp
expect_rc 0
expect_err_contains "tinyjail: report: would have been denied (4 kinds, 5 calls):"
expect_tally "2 socket SCMP_ACT_KILL_PROCESS" "1 mount SCMP_ACT_KILL_PROCESS" "1 chroot SCMP_ACT_KILL_PROCESS" \
	"1 kcmp SCMP_ACT_KILL_PROCESS"
pid=$(printf '%s\n' "$err" | sed -n 's/.*socket .*(first pid \([0-9]*\)).*/\1/p')
[ -n "$pid" ] || fail "no first pid"
expect_err_contains "tinyjail: report: rules never used in this run:"
expect_err_contains "syscalls[11] SCMP_ACT_ERRNO(ENOSYS): clone3"
expect_err_contains "tinyjail: complete: every would-be denial was recorded"
# The same in the log, one event per call.
run "$TJ" -q --profile strict --complain --report --log "$TMP/c.log" -- "$PROBE" seq socket mount socket
[ "$(grep -c '"event":"syscall"' "$TMP/c.log")" -eq 3 ] || fail "log: $(cat "$TMP/c.log")"
[ -z "$err" ] || fail "-q printed: $err"

t "--report with a forked child: its calls are attributed to its own pid"
run "$TJ" --profile default --complain --report -- "$PROBE" fork ptrace 16 999999999
expect_rc 0
expect_out_contains "probe: child exited 3"
cpid=$(printf '%s\n' "$err" | sed -n 's/.*ptrace .*(first pid \([0-9]*\)).*/\1/p')
[ -n "$cpid" ] || fail "no ptrace line"
expect_err_contains "tinyjail: report: $PROBE exited with status 0"

t "usage errors"
run "$TJ" --complain=kmsg --report=usage -- "$PROBE" exit 0
expect_rc 125
expect_err_contains "--report=usage needs seccomp user notification"
run "$TJ" --report=everything -- "$PROBE" exit 0
expect_rc 125
expect_err_contains "--report takes 'usage' (or nothing), not 'everything'"

t "--profile none --report: only why it ended"
run "$TJ" -q --profile none -- true
run "$TJ" --profile none --report -- "$PROBE" exit 3
expect_rc 3
expect_err_contains "tinyjail: report: $PROBE exited with status 3 after "
expect_err_contains "tinyjail: report: no syscall filter (--profile none)"

finish
