# SPDX-License-Identifier: Apache-2.0
# --complain=kmsg: would-be denials compiled as SCMP_ACT_LOG and read back
# from the kernel log (/dev/kmsg), attributed to the command's processes,
# with the rate limit's losses detected.  Needs a readable kernel log.
#
# The printk rate limit is shared by the whole machine, so a run can lose
# records to other programs; the positive cases retry (waiting out the
# rate-limit interval) until a run says it is complete.  Its rate-limit
# case floods that limit on purpose, so in a parallel run (run.sh -j) this
# file runs alone: beside itself on the other build it made the positive
# cases lose their records for longer than their retries (CI, session 4).
# run.sh: alone
. "$ROOT/tests/integration/lib.sh"

kmsg_ok=0
if [ -r /dev/kmsg ] && dd if=/dev/kmsg of=/dev/null bs=8192 count=1 iflag=nonblock 2>/dev/null ||
	[ "$(id -u)" -eq 0 ]; then
	grep -qw log /proc/sys/kernel/seccomp/actions_logged 2>/dev/null && kmsg_ok=1
fi
interval=$(cat /proc/sys/kernel/printk_ratelimit 2>/dev/null || echo 5)
burst=$(cat /proc/sys/kernel/printk_ratelimit_burst 2>/dev/null || echo 10)

summary_lines() {
	printf '%s\n' "$err" | sed -n 's/^tinyjail: *\([0-9][0-9]*\)  \([a-z0-9_]*\) .*/\1 \2/p' | sort
}

expect_summary() {
	_got=$(summary_lines)
	_want=$(printf '%s\n' "$@" | sort)
	[ "$_got" = "$_want" ] || fail "summary lines: got [$(echo $_got)], want [$(echo $_want)]"
}

# Runs tinyjail until it reports a complete record (at most 4 times).
run_complete() {
	_n=0
	while :; do
		run "$@"
		case "$err" in *"tinyjail: complete: "*) return 0 ;; esac
		_n=$((_n + 1))
		[ $_n -lt 4 ] || return 0
		sleep $((interval + 1))
	done
}

t "complain=kmsg: the summary lists exactly the calls the probe made"
if [ "$kmsg_ok" = 1 ]; then
	run_complete "$TJ" --profile strict --complain=kmsg --log "$TMP/k.log" -- "$PROBE" seq getpid socket mount getuid \
		socket kcmp
	expect_rc 0
	expect_err_contains "tinyjail: complete: every would-be denial was recorded (kernel log: no audit record was dropped"
	expect_summary "2 socket" "1 mount" "1 kcmp"
	expect_err_contains "SCMP_ACT_KILL_PROCESS    by defaultAction (first pid "
	# Nothing was denied: the calls ran.
	expect_out_contains "syscall 41 = -1 (EAFNOSUPPORT)"
	expect_out_contains "syscall 165 = -1 (EFAULT)"
	expect_file_contains "$TMP/k.log" '"source":"kmsg"'
	expect_file_contains "$TMP/k.log" '"syscall":"mount","nr":165,"args":null'
	[ "$(grep -c '"event":"syscall"' "$TMP/k.log")" -eq 4 ] || fail "log: $(cat "$TMP/k.log")"
	# The notify source finds the same calls.
	run "$TJ" --profile strict --complain -- "$PROBE" seq getpid socket mount getuid socket kcmp
	expect_summary "2 socket" "1 mount" "1 kcmp"
else
	skip "the kernel log is not readable here (root, or kernel.dmesg_restrict=0, and 'log' in actions_logged)"
fi

t "complain=kmsg: records other processes log are not the command's"
if [ "$kmsg_ok" = 1 ]; then
	printf '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["socket"], "action": "SCMP_ACT_LOG"}]}\n' \
		>"$TMP/log.json"
	# Another sandbox logs socket calls while the command sleeps.
	(for i in 1 2 3; do
		"$TJ" -q --profile "$TMP/log.json" -- "$PROBE" syscall socket 9999 0 0 >/dev/null 2>&1
		sleep 0.2
	done) &
	other=$!
	run "$TJ" --profile strict --complain=kmsg -- "$PROBE" sleep 1
	wait "$other"
	expect_rc 0
	expect_err_contains "complain mode: nothing the command did would have been denied"
	expect_err_lacks " socket "
	# The profile's own SCMP_ACT_LOG rules log, but deny nothing.
	run_complete "$TJ" --profile "$TMP/log.json" --complain=kmsg -- "$PROBE" syscall socket 9999 0 0
	expect_rc 97
	expect_err_contains "complain mode: nothing the command did would have been denied"
else
	skip "the kernel log is not readable here"
fi

t "complain=kmsg: a rule that depends on arguments cannot be resolved without them"
if [ "$kmsg_ok" = 1 ]; then
	printf '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["socket"], "action": "SCMP_ACT_ERRNO", "args": [{"index": 0, "value": 9999, "op": "SCMP_CMP_EQ"}]}]}\n' \
		>"$TMP/args.json"
	run_complete "$TJ" --profile "$TMP/args.json" --complain=kmsg --log "$TMP/a.log" -- "$PROBE" syscall socket 9999 0 0
	expect_rc 97
	expect_summary "1 socket"
	expect_err_contains "socket               (depends on arguments)   by unknown"
	expect_file_contains "$TMP/a.log" '"action":"unknown","rule":"unknown"'
	# The control: arguments that the rule does not match are not logged.
	run_complete "$TJ" --profile "$TMP/args.json" --complain=kmsg -- "$PROBE" syscall socket 9998 0 0
	expect_err_contains "nothing the command did would have been denied"
else
	skip "the kernel log is not readable here"
fi

t "complain=kmsg: records lost to the rate limit are detected and said"
if [ "$kmsg_ok" = 1 ] && [ "$interval" -gt 0 ] && [ "$burst" -lt 100 ]; then
	n=$((burst * 3))
	calls=$(i=0; while [ $i -lt $n ]; do printf 'socket '; i=$((i + 1)); done)
	# shellcheck disable=SC2086
	run "$TJ" --profile strict --complain=kmsg --log "$TMP/lost.log" -- "$PROBE" seq $calls
	expect_rc 0
	expect_err_contains "tinyjail: incomplete: "
	expect_err_lacks "tinyjail: complete: "
	expect_file_contains "$TMP/lost.log" '"complete":false'
	got=$(grep -c '"event":"syscall"' "$TMP/lost.log")
	[ "$got" -lt "$n" ] || fail "all $n records arrived despite a burst of $burst"
	# The notify source loses nothing.
	# shellcheck disable=SC2086
	run "$TJ" --profile strict --complain -- "$PROBE" seq $calls
	expect_summary "$n socket"
	expect_err_contains "tinyjail: complete: "
	sleep $((interval + 1))
else
	skip "the kernel log is not readable or not rate-limited here"
fi

t "complain=kmsg as nobody: refused when the kernel log is restricted, used when not"
run_nobody() {
	as_nobody timeout -k 5 60 "$@" >"$TMP/.out" 2>"$TMP/.err"
	rc=$?
	out=$(cat "$TMP/.out")
	err=$(cat "$TMP/.err")
}
if [ "$(cat /proc/sys/kernel/dmesg_restrict 2>/dev/null)" = 1 ]; then
	run_nobody "$TJ" --profile strict --complain=kmsg -- "$PROBE" seq socket
	expect_rc 125
	expect_err_contains "seccomp layer: cannot read the kernel log (/dev/kmsg)"
	expect_err_contains "hint: reading it needs CAP_SYSLOG while kernel.dmesg_restrict is 1"
	[ -z "$out" ] || fail "the command ran: $out"
elif grep -qw log /proc/sys/kernel/seccomp/actions_logged 2>/dev/null; then
	# Anyone may read the log here: the unprivileged run works.
	run_nobody "$TJ" --profile strict --complain=kmsg -- "$PROBE" seq socket
	expect_rc 0
	expect_err_contains " socket "
else
	skip "the kernel does not log SECCOMP_RET_LOG"
fi

finish
