# SPDX-License-Identifier: Apache-2.0
# Enforce mode on the real kernel: what the profile forbids is killed (and
# named), what it allows runs, ERRNO rules answer with the profile's errno.
. "$ROOT/tests/integration/lib.sh"

STRICT="$ROOT/policies/strict.json"
DEFAULT="$ROOT/policies/default.json"

# Like `run`, but as the unprivileged user nobody (through as_nobody).
run_nobody() {
	as_nobody timeout -k 5 "${TJ_TEST_TIMEOUT:-60}" "$@" >"$TMP/.out" 2>"$TMP/.err"
	rc=$?
	out=$(cat "$TMP/.out")
	err=$(cat "$TMP/.err")
}

# The pid in the kill message is a number followed by the comm.
expect_kill_pid() {
	printf '%s\n' "$err" | grep -Eq "pid [0-9]+ \\($1\\)" || fail "kill message lacks 'pid N ($1)'"
}

# Profiles with distinctive errnos.  Allow-by-default keeps them small.
cat >"$TMP/errno.json" <<'EOF'
{
  "defaultAction": "SCMP_ACT_ALLOW",
  "syscalls": [
    {"names": ["ptrace"], "action": "SCMP_ACT_ERRNO", "errnoRet": 77},
    {"names": ["getppid"], "action": "SCMP_ACT_ERRNO", "errnoRet": 78},
    {"names": ["socket"], "action": "SCMP_ACT_ERRNO", "errnoRet": 79,
     "args": [{"index": 0, "value": 9999, "op": "SCMP_CMP_EQ"}]},
    {"names": ["kcmp"], "action": "SCMP_ACT_ERRNO"},
    {"names": ["mount"], "action": "SCMP_ACT_KILL_PROCESS"},
    {"names": ["chroot"], "action": "SCMP_ACT_KILL"}
  ]
}
EOF
# strict with every unlisted call answered EREMOTE (66) instead of a kill.
/usr/bin/python3 - "$STRICT" "$TMP" <<'EOF'
import json, sys
src, tmp = sys.argv[1], sys.argv[2]
def variant(name, change):
    p = json.load(open(src))
    change(p)
    json.dump(p, open(tmp + "/" + name, "w"), indent=1)
def errno66(p):
    p["defaultAction"] = "SCMP_ACT_ERRNO"
    p["defaultErrnoRet"] = 66
def x32(p):
    p["architectures"].append("SCMP_ARCH_X32")
def noexec(p):
    for r in p["syscalls"]:
        if "execve" in r["names"]:
            r["names"].remove("execve")
variant("errno66.json", errno66)
variant("x32.json", x32)
variant("noexec.json", noexec)
EOF

t "without a filter the harmless ptrace/socket/mount calls just fail"
# The controls: the same calls with no profile fail with ESRCH, EAFNOSUPPORT
# and EFAULT, so a 159 below comes from the filter, not from the calls.
run "$TJ" -q --profile none -- "$PROBE" syscall ptrace 16 999999999
expect_rc 3
run "$TJ" -q --profile none -- "$PROBE" syscall socket 9999 0 0
expect_rc 97
run "$TJ" -q --profile none -- "$PROBE" syscall mount 0 0 0 0 0
expect_rc 14

t "strict kills ptrace(PTRACE_ATTACH) and names it"
run "$TJ" --profile strict -- "$PROBE" syscall ptrace 16 999999999
expect_rc 159
expect_err_contains "tinyjail: killed by seccomp: ptrace(PTRACE_ATTACH, 999999999, "
expect_err_contains "): syscall 101 on x86_64, pid "
expect_err_contains "not allowed by $STRICT (defaultAction: SCMP_ACT_KILL_PROCESS)"
expect_kill_pid probe
expect_out_lacks "syscall 101 ="

t "strict kills socket with a bad family and names it"
run "$TJ" --profile strict -- "$PROBE" syscall socket 9999 0 0
expect_rc 159
expect_err_contains "tinyjail: killed by seccomp: socket(9999, 0, 0): "
expect_err_contains "syscall 41 on x86_64"
expect_err_contains "(defaultAction: SCMP_ACT_KILL_PROCESS)"
expect_out_lacks "syscall 41 ="

t "strict kills mount with NULL pointers and names it"
run "$TJ" --profile strict -- "$PROBE" syscall mount 0 0 0 0 0
expect_rc 159
expect_err_contains "tinyjail: killed by seccomp: mount(NULL, NULL, NULL, 0, NULL): "
expect_err_contains "syscall 165 on x86_64"
expect_out_lacks "syscall 165 ="

t "the default profile (no --profile) kills ptrace too"
run "$TJ" -- "$PROBE" syscall ptrace 16 999999999
expect_rc 159
expect_err_contains "killed by seccomp: ptrace("
expect_err_contains "not allowed by $DEFAULT (defaultAction: SCMP_ACT_KILL_PROCESS)"

t "allowed calls pass through"
run "$TJ" --profile strict -- "$PROBE" syscall getpid
expect_rc 0
expect_out_contains "syscall 39 = "
expect_err_lacks "killed"
run "$TJ" --profile strict -- "$PROBE" seq getuid gettid uname getcwd
expect_rc 0
expect_out_contains "syscall 102 = 0"
expect_err_lacks "killed"

t "the command runs with no_new_privs under a seccomp filter"
run "$TJ" -- grep -E '^(NoNewPrivs|Seccomp|Seccomp_filters):' /proc/self/status
expect_rc 0
expect_out_contains "NoNewPrivs:	1"
expect_out_contains "Seccomp:	2"
# tinyjail's own rules and the profile's.
expect_out_contains "Seccomp_filters:	2"
# The control: no profile filter, tinyjail's own rules alone.
run "$TJ" -q --profile none -- grep -E '^Seccomp_filters:' /proc/self/status
expect_out_contains "Seccomp_filters:	1"

t "a second thread's forbidden call kills the whole process"
run "$TJ" --profile strict -- "$PROBE" thread ptrace 16 999999999
expect_rc 159
expect_out_lacks "process survived"
expect_err_contains "killed by seccomp: ptrace(PTRACE_ATTACH, 999999999"
# The control: an allowed call from the thread leaves the process alive.
run "$TJ" --profile strict -- "$PROBE" thread getpid
expect_rc 0
expect_out_contains "probe: process survived"

t "SCMP_ACT_KILL (Docker's spelling) also kills the whole process"
run "$TJ" --profile "$TMP/errno.json" -- "$PROBE" thread chroot 0
expect_rc 159
expect_out_lacks "process survived"
expect_err_contains "killed by seccomp: chroot(NULL)"
expect_err_contains "not allowed by $TMP/errno.json (syscalls[5]: SCMP_ACT_KILL_PROCESS)"

t "a forked child that violates is killed; the parent survives"
run "$TJ" --profile default -- "$PROBE" fork ptrace 16 999999999
expect_rc 0
expect_out_contains "probe: child killed by signal 9"
expect_out_contains "probe: parent survived"
expect_out_lacks "child syscall"
expect_err_contains "tinyjail: killed by seccomp: ptrace(PTRACE_ATTACH, 999999999"
expect_err_contains "not allowed by $DEFAULT"
# The control: the same child making an allowed call exits normally.
run "$TJ" --profile default -- "$PROBE" fork getpid
expect_rc 0
expect_out_contains "probe: child exited 0"
expect_err_lacks "killed"

t "strict forbids new processes: fork itself is killed"
run "$TJ" --profile strict -- "$PROBE" fork getpid
expect_rc 159
expect_out_lacks "parent survived"
expect_err_contains "killed by seccomp: clone("

t "ERRNO rules return the profile's errno"
run "$TJ" --profile "$TMP/errno.json" -- "$PROBE" syscall ptrace 16 999999999
expect_rc 77
run "$TJ" --profile "$TMP/errno.json" -- "$PROBE" syscall getppid
expect_rc 78
# SCMP_ACT_ERRNO without errnoRet means EPERM, as in runc and crun.
run "$TJ" --profile "$TMP/errno.json" -- "$PROBE" syscall kcmp 0 0 0 0 0
expect_rc 1
expect_err_lacks "killed"

t "ERRNO rules with argument checks match only those arguments"
run "$TJ" --profile "$TMP/errno.json" -- "$PROBE" syscall socket 9999 0 0
expect_rc 79
run "$TJ" --profile "$TMP/errno.json" -- "$PROBE" syscall socket 9998 0 0
expect_rc 97

t "an explicit kill rule is named by its JSON path"
run "$TJ" --profile "$TMP/errno.json" -- "$PROBE" syscall mount 0 0 0 0 0
expect_rc 159
expect_err_contains "not allowed by $TMP/errno.json (syscalls[4]: SCMP_ACT_KILL_PROCESS)"

t "defaultAction ERRNO with defaultErrnoRet answers with that errno"
run "$TJ" --profile "$TMP/errno66.json" -- "$PROBE" syscall socket 9999 0 0
expect_rc 66
run "$TJ" --profile "$TMP/errno66.json" -- "$PROBE" syscall ptrace 16 999999999
expect_rc 66
run "$TJ" --profile "$TMP/errno66.json" -- "$PROBE" syscall getpid
expect_rc 0

t "--kill-via=kernel: SIGSYS from the kernel, exit 159"
run "$TJ" --profile strict --kill-via=kernel -- "$PROBE" syscall ptrace 16 999999999
expect_rc 159
expect_err_contains "tinyjail: the command was killed by signal SIGSYS"
# The kernel kills without a report: the supervisor was not involved.
expect_err_lacks "killed by seccomp:"
expect_out_lacks "syscall 101 ="
run "$TJ" --profile strict --kill-via kernel -- "$PROBE" thread ptrace 16 999999999
expect_rc 159
expect_out_lacks "process survived"
run "$TJ" --profile strict --kill-via=kernel -- "$PROBE" syscall getpid
expect_rc 0

t "x32 calls are killed under an x86_64-only profile"
run "$TJ" --profile strict -- "$PROBE" x32 39
expect_rc 159
expect_out_lacks "x32 syscall"
run "$TJ" --profile strict -- "$PROBE" thread 0x40000027
expect_rc 159
expect_out_lacks "process survived"

t "x32 calls pass the filter when the profile lists SCMP_ARCH_X32"
# What the kernel itself answers: ENOSYS (38) when it was built without the
# x32 ABI, as here; the filter must get out of the way either way.
run "$TJ" -q --profile none -- "$PROBE" x32 39
kernel_rc=$rc
run "$TJ" --profile "$TMP/x32.json" -- "$PROBE" x32 39
expect_rc "$kernel_rc"
expect_out_contains "x32 syscall 1073741863 = "
[ "$kernel_rc" -ne 38 ] || expect_out_contains "(ENOSYS)"
expect_err_lacks "killed"

t "a profile that denies execve fails with 125 before anything runs"
run "$TJ" --profile "$TMP/noexec.json" -- /bin/touch "$TMP/noexec-marker"
expect_rc 125
expect_err_contains "tinyjail: $TMP/noexec.json: the profile does not allow execve (SCMP_ACT_KILL_PROCESS), so no command could start"
expect_err_contains "tinyjail: hint: add execve to an SCMP_ACT_ALLOW rule"
expect_err_lacks "killed"
[ ! -e "$TMP/noexec-marker" ] || fail "the command ran"
# The control: with execve allowed the same command does run.
run "$TJ" --profile strict -- /bin/touch "$TMP/strict-marker"
expect_rc 0
[ -e "$TMP/strict-marker" ] || fail "touch did not run under strict"

t "--log records the kill"
run "$TJ" --profile strict --log "$TMP/kill.log" -- "$PROBE" syscall ptrace 16 999999999
expect_rc 159
run /usr/bin/python3 - "$TMP/kill.log" <<'EOF'
import json, sys
ev = [e for e in map(json.loads, open(sys.argv[1])) if e["event"] != "layer"]
assert [e["event"] for e in ev] == ["start", "syscall", "exit"], [e["event"] for e in ev]
s, k, x = ev
assert s["mode"] == "enforce", s
assert k["verdict"] == "killed" and k["syscall"] == "ptrace" and k["nr"] == 101, k
assert k["args"][:2] == ["0x10", "0x3b9ac9ff"] and k["pid"] == s["pid"], k
assert k["action"] == "SCMP_ACT_KILL_PROCESS" and k["rule"] == "defaultAction", k
assert x["exit_code"] == 159 and x["seccomp_kill"] is True and x["signal"] == 31, x
EOF
expect_rc 0

# A background process that outlives the command makes a forbidden call a
# second later, after tinyjail has exited.  Waits for its report in $1.
orphan_run() {
	_rep=$1
	shift
	rm -f "$_rep"
	run "$TJ" "$@" -- sh -c '("$1" sleep 1; "$1" syscall ptrace 16 999999999 >"$2" 2>&1; echo "rc=$?" >>"$2") \
		>/dev/null 2>&1 </dev/null &' sh "$PROBE" "$_rep"
	_i=0
	while ! grep -q '^rc=' "$_rep" 2>/dev/null && [ $_i -lt 100 ]; do
		sleep 0.05
		_i=$((_i + 1))
	done
}

t "processes that outlive the command are killed when it ends, before any forbidden call"
# The background subshell would make a forbidden call a second after the
# command ended; tinyjail ends the whole tree first, so the call never
# happens at all (no report file), with or without the supervisor.
orphan_run "$TMP/orphan1" --profile default
expect_rc 0
expect_err_contains "process" # the subshell and its sleeping child
expect_err_contains "that outlived the command"
[ -e "$TMP/orphan1" ] && fail "the orphan ran on: $(cat "$TMP/orphan1")"
orphan_run "$TMP/orphan2" --profile default --kill-via=kernel
expect_rc 0
expect_err_contains "that outlived the command"
[ -e "$TMP/orphan2" ] && fail "the orphan ran on: $(cat "$TMP/orphan2")"

t "as nobody: the probe really runs unprivileged"
run_nobody "$TJ" --profile strict -- "$PROBE" syscall getuid
expect_rc 0
expect_out_contains "syscall 102 = 65534"

t "as nobody: strict kills ptrace and names it"
run_nobody "$TJ" --profile strict -- "$PROBE" syscall ptrace 16 999999999
expect_rc 159
expect_err_contains "tinyjail: killed by seccomp: ptrace(PTRACE_ATTACH, 999999999"
expect_err_contains "syscall 101 on x86_64"
expect_out_lacks "syscall 101 ="
run_nobody "$TJ" --profile strict -- "$PROBE" thread socket 9999 0 0
expect_rc 159
expect_out_lacks "process survived"

t "as nobody: ERRNO rules and --kill-via=kernel"
run_nobody "$TJ" --profile "$TMP/errno.json" -- "$PROBE" syscall ptrace 16 999999999
expect_rc 77
run_nobody "$TJ" --profile strict --kill-via=kernel -- "$PROBE" syscall mount 0 0 0 0 0
expect_rc 159
expect_err_contains "killed by signal SIGSYS"

t "as nobody: complain mode lets the forbidden call run"
run_nobody "$TJ" --profile strict --complain -- "$PROBE" syscall ptrace 16 999999999
# ESRCH: the call really ran (no pid 999999999), nothing was killed.
expect_rc 3
expect_err_contains "would have denied 1 kind of syscall (1 call)"
expect_err_contains "ptrace"
expect_err_lacks "killed"

# libseccomp 2.5.4 (and 2.6.x) drops the second rule from its tree: the
# program it makes lets read(0x2ffffffff, 0x200000000) run, which the second
# rule kills (seen on the kernel before tinyjail checked its programs).
cat >"$TMP/miscompiled.json" <<'EOF'
{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
 {"names": ["read"], "action": "SCMP_ACT_KILL_PROCESS",
  "args": [{"index": 0, "value": 12884901887, "op": "SCMP_CMP_GT"}]},
 {"names": ["read"], "action": "SCMP_ACT_KILL_PROCESS",
  "args": [{"index": 1, "value": 4294967297, "op": "SCMP_CMP_GT"},
           {"index": 0, "value": 8589934597, "op": "SCMP_CMP_GE"}]}
]}
EOF
t "a profile libseccomp compiles wrongly is refused before anything runs"
run "$TJ" --profile "$TMP/miscompiled.json" -- touch "$TMP/ran"
expect_rc 125
expect_err_contains "seccomp layer: libseccomp"
expect_err_contains "compiled the rules for 'read'"
expect_err_contains "miscompiled.json:"
[ ! -e "$TMP/ran" ] || fail "the command ran"
run "$TJ" check "$TMP/miscompiled.json"
expect_rc 125
run_nobody "$TJ" --profile "$TMP/miscompiled.json" -- touch "$TMP/ran"
expect_rc 125
[ ! -e "$TMP/ran" ] || fail "the command ran as nobody"

finish
