# SPDX-License-Identifier: Apache-2.0
# What a notified call costs the supervisor, in system calls (counts, never
# times: notes/performance.md, "A notified call"): strace -c over runs of
# tests/helpers/stackprog.c making N and 0 getppid calls; the difference
# over N is the supervisor's system calls per notification.  The kernel's
# floor is two (receive, answer); tinyjail made four before issue 19's
# session 4 (poll, receive, a read of /proc/PID/comm, answer).
# And that naming callers only where the name is written changed nothing
# in what is written.
. "$ROOT/tests/integration/lib.sh"

B="$ROOT/$BUILD"
N=400
cat >"$TMP/deny-getppid.json" <<'EOF'
{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["getppid"], "action": "SCMP_ACT_ERRNO"}]}
EOF
chmod 644 "$TMP/deny-getppid.json"

# supervisor_calls N TINYJAIL-ARGS...: sets calls to the number of system
# calls tinyjail's own process made while the command called getppid N times.
supervisor_calls() {
	_n=$1
	shift
	calls=0
	# -f: the supervisor answers from a thread of its own; the command's
	# getppid calls are not counted (its other calls are the same for N
	# and for none).
	# (LeakSanitizer cannot run under ptrace: the sanitised build's exit
	# scan is off here.)
	run env ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
		strace -f -e 'trace=!getppid' -c -U calls,name -o "$TMP/strace.txt" \
		"$TJ" "$@" -- "$B/stackprog-nofp" getppid "$_n"
	[ "$rc" -eq 0 ] || { fail "tinyjail $* with $_n calls exited $rc"; return; }
	calls=$(awk '$2 == "total" { print $1 }' "$TMP/strace.txt")
}

# per_call LIMIT TINYJAIL-ARGS...: fails when a notification costs more than
# LIMIT system calls (the difference of N calls and none, over N).
per_call() {
	_limit=$1
	shift
	# The first run writes the filter cache (XDG_CACHE_HOME is this
	# file's own): not a notification's cost.
	supervisor_calls 0 "$@"
	supervisor_calls "$N" "$@"
	_with=$calls
	cp "$TMP/strace.txt" "$TMP/strace-n.txt"
	supervisor_calls 0 "$@"
	_without=$calls
	[ "$_with" -gt "$N" ] || { fail "only $_with system calls for $N notified calls: were they notified?"; return; }
	_extra=$((_with - _without))
	# A few signals and reaps more or less in one run than the other are
	# not the notifications' (N/8 of slack, far below one call each).
	if [ "$_extra" -gt $((_limit * N + N / 8)) ]; then
		fail "$_extra system calls for $N notified calls: more than $_limit per notification"
		sort -rn "$TMP/strace-n.txt" | head -6 | sed 's/^/       | /'
	fi
}

if ! command -v strace >/dev/null 2>&1; then
	t "system calls per notification"
	skip "strace is not installed (tools/install-deps.sh test installs it)"
	t "a process left behind keeps using the filter: the supervisor's thread is still ended, and the process killed"
# The command ends at once; the sleep it started keeps the listener's
# receive waiting, which only the thread's wake-up signal ends (a hang here
# is what the run's time limit would show).
run "$TJ" --complain --profile "$TMP/deny-getppid.json" -- /bin/sh -c 'sleep 60 & exit 0'
expect_rc 0
expect_err_contains "killed 1 process that outlived the command"

finish
	exit
fi

t "--report=usage: a counted call costs the supervisor at most 2 system calls (no poll, no read of /proc)"
per_call 2 -q --profile default --report=usage

t "complain, no log: a complaint costs the supervisor at most 2 system calls"
per_call 2 -q --complain --profile "$TMP/deny-getppid.json"

t "learn, first run: a recorded call costs the supervisor at most 2 system calls"
per_call 2 learn -q -o "$TMP/learnt.json" --force

t "complain with --log: every complaint still names its caller"
run "$TJ" -q --complain --profile "$TMP/deny-getppid.json" --log "$TMP/c.log" -- "$B/stackprog-nofp" getppid 5
expect_rc 0
got=$(grep -c '"syscall":"getppid".*"comm":"stackprog-nofp"\|"comm":"stackprog-nofp".*"syscall":"getppid"' "$TMP/c.log")
[ "$got" = 5 ] || fail "$got of 5 complaints name stackprog-nofp: $(head -c 600 "$TMP/c.log")"

t "--report=usage with --log: the first call of a kind is logged with its caller's name"
run "$TJ" -q --profile default --report=usage --log "$TMP/u.log" -- "$B/stackprog-nofp" getppid 5
expect_rc 0
grep '"syscall":"getppid"' "$TMP/u.log" | grep -q '"comm":"stackprog-nofp"' ||
	fail "no getppid event names stackprog-nofp: $(grep getppid "$TMP/u.log" | head -c 600)"

t "a process left behind keeps using the filter: the supervisor's thread is still ended, and the process killed"
# The command ends at once; the sleep it started keeps the listener's
# receive waiting, which only the thread's wake-up signal ends (a hang here
# is what the run's time limit would show).
run "$TJ" --complain --profile "$TMP/deny-getppid.json" -- /bin/sh -c 'sleep 60 & exit 0'
expect_rc 0
expect_err_contains "killed 1 process that outlived the command"

finish
