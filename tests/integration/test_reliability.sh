# SPDX-License-Identifier: Apache-2.0
# Reliability (issue 19): races between tinyjail's processes reproduced
# deterministically with the test build's hooks (include/tj/base/testhook.h),
# and the promise that a SIGTERM sent to tinyjail ends the whole tree within
# a bounded time, whatever the command or a helper does.  Every run has a
# deadline (run's timeout, or bg_finish's), so a hang is a failure, not a
# stuck suite.
. "$ROOT/tests/integration/lib.sh"


# bg_start CMD...: runs CMD in the background; $bgpid is tinyjail itself.
bg_start() {
	"$@" >"$TMP/bg.out" 2>"$TMP/bg.err" &
	bgpid=$!
}

# bg_wait_tag TAG: waits until the probe runs with TAG as its last argument
# (anchored: tinyjail's own command line has the tag too).
bg_wait_tag() {
	_i=0
	while [ $_i -lt 400 ]; do
		pgrep -f "^$PROBE .* $1\$" >/dev/null && return 0
		sleep 0.05
		_i=$((_i + 1))
	done
	return 1
}

# bg_finish SECONDS: waits at most SECONDS for $bgpid, then kills it (a
# hang: the case fails); sets $rc, $err, $hung.
bg_finish() {
	_deadline=$(($(date +%s) + $1))
	hung=0
	while kill -0 "$bgpid" 2>/dev/null && [ "$(date +%s)" -lt "$_deadline" ]; do
		sleep 0.05
	done
	if kill -0 "$bgpid" 2>/dev/null; then
		hung=1
		kill -KILL "$bgpid"
	fi
	wait "$bgpid" 2>/dev/null
	rc=$?
	err=$(cat "$TMP/bg.err")
}

# tag_gone TAG: true once no live (non-zombie) process has TAG in its
# command line; waits up to ~5 s for the kernel to finish the kills.
tag_gone() {
	_i=0
	while [ $_i -lt 100 ]; do
		_left=$(pgrep -f "$1" | while read -r p; do
			_s=$(sed -n 's/^State:[[:space:]]*\([A-Z]\).*/\1/p' "/proc/$p/status" 2>/dev/null)
			[ -n "$_s" ] && [ "$_s" != Z ] && echo "$p"
		done)
		[ -z "$_left" ] && return 0
		sleep 0.05
		_i=$((_i + 1))
	done
	pkill -KILL -f "$1"
	return 1
}

t "pid namespace: a command that exits before its init waits is reaped (the race, held open)"
if has_hooks; then
	# pidinit-hold keeps init from reaching its wait until the command has
	# exited: before the fix its SIGCHLD was lost and init waited forever.
	TJ_TEST_TIMEOUT=30
	for cmd in /bin/true "sh -c 'exit 42'"; do
		want=0
		[ "$cmd" = /bin/true ] || want=42
		run env TJ_TEST_HOOK=pidinit-hold sh -c "exec \"\$0\" --profile none --unshare all -- $cmd" "$TJ"
		[ "$rc" -eq 124 ] || [ "$rc" -eq 137 ] && fail "'$cmd' hung (exit $rc)"
		expect_rc "$want"
	done
	# Under a seccomp profile too (the listener helper lives in the namespace).
	run env TJ_TEST_HOOK=pidinit-hold "$TJ" --unshare all -- "$PROBE" exit 7
	expect_rc 7
	# A command that forks and exits at once: the orphan must not keep init.
	run env TJ_TEST_HOOK=pidinit-hold "$TJ" --profile none --unshare all -- \
		sh -c "sleep 100 & exit 3"
	expect_rc 3
	unset TJ_TEST_TIMEOUT
else
	skip_without_hooks "this build has no test hooks (SAN=1 builds have them)"
fi

t "a command's SIGCHLD lost (a wrong signal mask) does not hang tinyjail: its pidfd is watched"
if has_hooks; then
	# sigchld-lost unblocks SIGCHLD in the monitor's loop, so the signal is
	# delivered and discarded instead of read from the signalfd (the fault
	# sweep's garbage mask).  Without the pidfd watch every run hangs.
	TJ_TEST_TIMEOUT=30
	for opts in "" "--profile none" "--unshare all" "--memory 64M --pids 64"; do
		# shellcheck disable=SC2086
		run env TJ_TEST_HOOK=sigchld-lost "$TJ" -q $opts -- "$PROBE" exit 9
		[ "$rc" -eq 124 ] || [ "$rc" -eq 137 ] && fail "[$opts] hung (exit $rc)"
		expect_rc 9
	done
	unset TJ_TEST_TIMEOUT
else
	skip_without_hooks "this build has no test hooks (SAN=1 builds have them)"
fi

t "SIGTERM ends the tree even when the pid namespace's init is stuck"
if has_hooks; then
	tag="tj-rel-stuck-init-$$"
	bg_start env TJ_TEST_HOOK=pidinit-stall "$TJ" --profile none --unshare all -- "$PROBE" sleep 1000 "$tag"
	if bg_wait_tag "$tag"; then
		kill -TERM "$bgpid"
		# The default grace is 10 s; 60 s is only the hang detector.
		bg_finish 60
		[ "$hung" -eq 0 ] || fail "tinyjail did not end after SIGTERM"
		expect_rc 137
		expect_err_contains "tinyjail: killed: the command did not end after SIGTERM"
		tag_gone "$tag" || fail "the command outlived tinyjail"
	else
		fail "the command did not start"
		kill -KILL "$bgpid"
	fi
else
	skip_without_hooks "this build has no test hooks (SAN=1 builds have them)"
fi

t "a second SIGTERM ends the tree at once (init stuck)"
if has_hooks; then
	tag="tj-rel-second-term-$$"
	bg_start env TJ_TEST_HOOK=pidinit-stall "$TJ" --profile none --unshare all -- "$PROBE" sleep 1000 "$tag"
	if bg_wait_tag "$tag"; then
		kill -TERM "$bgpid"
		sleep 0.2
		kill -TERM "$bgpid"
		bg_finish 60
		[ "$hung" -eq 0 ] || fail "tinyjail did not end after two SIGTERMs"
		expect_rc 137
		expect_err_contains "did not end after SIGTERM"
		tag_gone "$tag" || fail "the command outlived tinyjail"
	else
		fail "the command did not start"
		kill -KILL "$bgpid"
	fi
else
	skip_without_hooks "this build has no test hooks (SAN=1 builds have them)"
fi

t "SIGTERM during the set-up: the command never starts, nothing is left (cgroup, proxy)"
if has_hooks; then
	# launch-hold stops tinyjail once everything is prepared (a cgroup, the
	# proxy process) and before the command exists, until a signal comes.
	bg_start env TJ_TEST_HOOK=launch-hold "$TJ" --profile none --memory 64M --net allow=tj.invalid -- \
		/bin/sh -c "touch '$TMP/setup-ran'"
	_i=0
	while ! grep -q "test hook: holding" "$TMP/bg.err" 2>/dev/null && [ $_i -lt 600 ]; do
		sleep 0.05
		_i=$((_i + 1))
	done
	if grep -q "test hook: holding" "$TMP/bg.err"; then
		cg=$(find /sys/fs/cgroup -maxdepth 6 -type d -name "tj-$bgpid-*" 2>/dev/null | head -1)
		[ -n "$cg" ] || fail "no sandbox cgroup while held (the hold is not after the set-up)"
		kill -TERM "$bgpid"
		bg_finish 60
		[ "$hung" -eq 0 ] || fail "tinyjail did not end"
		expect_rc 143
		expect_err_contains "tinyjail: interrupted by SIGTERM before the command started"
		[ ! -e "$TMP/setup-ran" ] || fail "the command ran"
		left=$(find /sys/fs/cgroup -maxdepth 6 -type d -name "tj-$bgpid-*" 2>/dev/null)
		[ -z "$left" ] || fail "cgroup left behind: $left"
		pgrep -P "$bgpid" >/dev/null && fail "a helper of tinyjail is still running"
	else
		fail "tinyjail never reached the hook"
		kill -KILL "$bgpid"
	fi
else
	skip_without_hooks "this build has no test hooks (SAN=1 builds have them)"
fi

t "a --timeout that fires during the set-up: 124, the command never ran, nothing left"
if has_hooks; then
	# listener-stall keeps the listener helper from handing the listener
	# over, so the child waits in its start call when the timeout fires.
	# Before: 125 "the listener helper ended without handing ..." (the
	# stress run saw it under load).
	tag="tj-rel-setup-timeout-$$"
	run env TJ_TEST_HOOK=listener-stall "$TJ" --timeout 300ms -- /bin/sh -c "touch '$TMP/to-ran'; : $tag"
	expect_rc 124
	expect_err_lacks "listener helper"
	[ ! -e "$TMP/to-ran" ] || fail "the command ran"
	tag_gone "$tag" || fail "part of the tree outlived tinyjail"
	# With a pid namespace (the helper is init's child there).
	run env TJ_TEST_HOOK=listener-stall "$TJ" --unshare all --timeout 300ms -- /bin/sh -c "touch '$TMP/to-ran'"
	expect_rc 124
	expect_err_lacks "listener helper"
	[ ! -e "$TMP/to-ran" ] || fail "the command ran (pid namespace)"
else
	skip_without_hooks "this build has no test hooks (SAN=1 builds have them)"
fi

t "SIGTERM while the command's set-up is under way, init slow to reap: 143, not the listener helper"
if has_hooks; then
	# command-hold stops the command's set-up before the listener's helper
	# exists; pidinit-lag makes init pass the SIGTERM on but never reap, so
	# the end of the hand-off socket (the command's death) reaches tinyjail
	# first.  Before: 125 "the listener helper ended without handing the
	# seccomp listener over" (the full stress run, 2 of 1,000 launches).
	for ns in "--unshare pid" ""; do
		rm -f "$TMP/hold-ran"
		bg_start env TJ_TEST_HOOK=command-hold,pidinit-lag "$TJ" $ns -- /bin/sh -c "touch '$TMP/hold-ran'"
		_i=0
		while ! grep -q "set-up holds" "$TMP/bg.err" 2>/dev/null && [ $_i -lt 600 ]; do
			sleep 0.05
			_i=$((_i + 1))
		done
		if grep -q "set-up holds" "$TMP/bg.err"; then
			kill -TERM "$bgpid"
			bg_finish 60
			[ "$hung" -eq 0 ] || fail "tinyjail ($ns) did not end"
			expect_rc 143
			expect_err_lacks "listener helper"
			expect_err_lacks "init was killed"
			[ ! -e "$TMP/hold-ran" ] || fail "the command ran ($ns)"
			pgrep -P "$bgpid" >/dev/null && fail "a helper of tinyjail is still running ($ns)"
		else
			fail "the command's set-up never reached the hook ($ns)"
			kill -KILL "$bgpid"
		fi
	done
else
	skip_without_hooks "this build has no test hooks (SAN=1 builds have them)"
fi

t "the listener helper still alive when the command ends is tinyjail's own, never a leftover"
if has_hooks; then
	# listener-hold keeps the helper 3 s after its hand-off (it normally
	# lives microseconds; a loaded machine can stretch that past the end of
	# a short command).  Before: "killed 1 process that outlived the
	# command" (test_enforce under load).
	for ns in "" "--unshare pid"; do
		run env TJ_TEST_HOOK=listener-hold "$TJ" --profile strict $ns -- "$PROBE" exit 3
		expect_rc 3
		expect_err_lacks "outlived"
	done
else
	skip_without_hooks "this build has no test hooks (SAN=1 builds have them)"
fi

t "a command that ignores SIGTERM is killed after --kill-after, with its children"
for ns in "" "--unshare all"; do
	tag="tj-rel-ignore-term-$$"
	# SIG_IGN survives execve: the probe and its children ignore SIGTERM.
	bg_start "$TJ" --profile none $ns --timeout 1h --kill-after 1s -- \
		sh -c "trap '' TERM; exec \"\$0\" forks 2 1000 $tag" "$PROBE"
	if bg_wait_tag "$tag"; then
		sleep 0.2
		kill -TERM "$bgpid"
		bg_finish 60
		[ "$hung" -eq 0 ] || fail "tinyjail ($ns) did not end after SIGTERM"
		expect_rc 137
		expect_err_contains "did not end after SIGTERM"
		tag_gone "$tag" || fail "part of the tree ($ns) outlived tinyjail"
	else
		fail "the command did not start ($ns)"
		kill -KILL "$bgpid"
	fi
done

t "a SIGTERM the command obeys still exits 128+15 (no kill)"
for ns in "" "--unshare all"; do
	tag="tj-rel-obey-term-$$"
	bg_start "$TJ" --profile none $ns -- "$PROBE" sleep 1000 "$tag"
	if bg_wait_tag "$tag"; then
		kill -TERM "$bgpid"
		bg_finish 60
		[ "$hung" -eq 0 ] || fail "tinyjail ($ns) did not end after SIGTERM"
		expect_rc 143
		expect_err_lacks "did not end after SIGTERM"
		tag_gone "$tag" || fail "the command ($ns) outlived tinyjail"
	else
		fail "the command did not start ($ns)"
		kill -KILL "$bgpid"
	fi
done

t "an unreadable cache entry, or something else in its place: compiled afresh, still enforced"
# As nobody, so that file modes apply; the cache is the run's own.
NB="$TMP/nobody-home"
mkdir -p "$NB"
chown 65534:65534 "$NB"
run_nobody env XDG_CACHE_HOME="$NB/cache" "$TJ" -v --profile strict -- "$PROBE" exit 0
expect_rc 0
expect_err_contains "stored in the cache"
entry=$(ls "$NB"/cache/tinyjail/*.tjf 2>/dev/null | head -1)
if [ -n "$entry" ]; then
	for how in unreadable directory fifo; do
		rm -rf "$entry"
		case $how in
		unreadable) printf 'garbage' >"$entry" && chmod 000 "$entry" ;;
		directory) mkdir "$entry" ;;
		fifo) mkfifo "$entry" ;;
		esac
		chown -h 65534:65534 "$entry"
		run_nobody env XDG_CACHE_HOME="$NB/cache" "$TJ" -q --profile strict -- "$PROBE" syscall ptrace 16 999999999
		[ "$rc" -eq 124 ] && fail "a $how entry hung tinyjail"
		expect_rc 159
	done
else
	fail "no cache entry was stored"
fi

t "a full disk during copy-back: the loss is reported, never silent"
# A 256 KiB file system (in a mount namespace of this test's own, so that
# nothing outlives it) takes the copy-back of a 1 MiB file.
cat >"$TMP/fulldisk.sh" <<'SH'
set -u
mount -t tmpfs -o size=256k tmpfs "$1" || exit 90
mkdir "$1/dl"
"$2" -q --profile none --unshare all --rw-limit "$1/dl=4M" -- /bin/sh -c \
	"head -c 1048576 /dev/zero > '$1/dl/big'; echo small > '$1/dl/small'"
echo "rc=$?"
ls -l "$1/dl" >&2
SH
mkdir -p "$TMP/full"
run unshare -m --propagation private sh "$TMP/fulldisk.sh" "$TMP/full" "$TJ"
[ "$out" = "rc=90" ] && skip "cannot mount a tmpfs here"
case "$out" in rc=0) fail "tinyjail exited 0 although the copy-back lost data" ;; esac
expect_err_contains "tinyjail: error:"
expect_err_contains "No space left on device"
expect_err_contains "big"

finish
