# SPDX-License-Identifier: Apache-2.0
# The integration-test harness, sourced by every tests/integration/test_*.sh.
#
#   t "name"                 starts a test case (and closes the previous one)
#   run CMD...               runs CMD with a time limit; sets $rc, $out, $err
#   run_in DIR CMD...        the same, in directory DIR
#   run_nobody CMD...        the same, as the unprivileged user nobody
#   expect_rc N              the last run exited with N
#   expect_out_is S / expect_out_contains S / expect_out_lacks S
#   expect_err_contains S / expect_err_lacks S
#   expect_file_contains F S / expect_true CMD... / fail "why"
#   skip "reason"            this case cannot run here (a failure when
#                            TJ_STRICT_SKIPS=1, as in CI on a full machine)
#   as_nobody CMD...         CMD as the unprivileged user nobody
#   finish                   prints this file's totals; call once at the end
#
# Environment from run.sh: TJ (tinyjail), PROBE (the static probe), ROOT (the
# repository), BUILD, and RESULTS (where totals are appended).
set -u

: "${TJ:?}" "${PROBE:?}" "${ROOT:?}"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/tj-it.XXXXXX")
chmod 755 "$TMP"
# Each file starts with an empty filter cache of its own (test_cache.sh).
export XDG_CACHE_HOME="$TMP/cache"
trap 'rm -rf "$TMP"' EXIT
# run.sh --release names the second build's lines test_x@BUILD.
FILE_NAME=$(basename "$0" .sh)${TJ_RUN_LABEL:+@$TJ_RUN_LABEL}
_pass=0 _fail=0 _skip=0 _case="" _case_failed=0 _case_skipped=0
rc=0 out="" err=""

_close_case() {
	[ -n "$_case" ] || return 0
	_took=""
	# TJ_CASE_TIMES=1: each case's wall time, to find the slow ones.
	[ "${TJ_CASE_TIMES:-0}" = 1 ] && _took=" ($((($(date +%s%N) - _case_start) / 1000000)) ms)"
	if [ "$_case_skipped" -eq 1 ]; then
		:
	elif [ "$_case_failed" -eq 0 ]; then
		_pass=$((_pass + 1))
		printf 'ok   %s: %s%s\n' "$FILE_NAME" "$_case" "$_took"
	else
		_fail=$((_fail + 1))
		printf 'FAIL %s: %s%s\n' "$FILE_NAME" "$_case" "$_took"
	fi
	_case=""
}

t() {
	_close_case
	_case=$1 _case_failed=0 _case_skipped=0
	[ "${TJ_CASE_TIMES:-0}" = 1 ] && _case_start=$(date +%s%N)
	return 0
}

fail() {
	_case_failed=1
	printf '     %s\n' "$*"
	printf '     last command exit %s; stderr:\n' "$rc"
	printf '%s\n' "$err" | head -15 | sed 's/^/       | /'
}

skip() {
	if [ "${TJ_STRICT_SKIPS:-0}" = 1 ]; then
		fail "skipped, but TJ_STRICT_SKIPS=1: $*"
		return
	fi
	_case_skipped=1
	_skip=$((_skip + 1))
	printf 'skip %s: %s (%s)\n' "$FILE_NAME" "$_case" "$*"
}

# The test build's hooks (include/tj/base/testhook.h) exist only where
# TJ_TEST_HOOKS was defined (SAN=1 builds, which make check runs first).
has_hooks() {
	grep -qa TJ_TEST_HOOK "$TJ"
}

# A case that needs those hooks.  On the release build (make check-release,
# TJ_RELEASE_BUILD=1) that lacks them by design it is skipped and said so,
# also under TJ_STRICT_SKIPS: the sanitiser build's run covers it.
skip_without_hooks() {
	if [ "${TJ_RELEASE_BUILD:-0}" = 1 ] && ! has_hooks; then
		_case_skipped=1
		_skip=$((_skip + 1))
		printf 'skip %s: %s (release build without test hooks: %s)\n' "$FILE_NAME" "$_case" "$*"
		return
	fi
	skip "$@"
}

# A case this host's kernel cannot run (a kernel feature that is compiled out here) and that the
# second kernel runs instead (make check-vm, tools/vm-cases.sh): skipped and said, also under
# TJ_STRICT_SKIPS, so that CI on this host stays strict about every other skip.
skip_host_kernel() {
	_case_skipped=1
	_skip=$((_skip + 1))
	printf 'skip %s: %s (this kernel: %s; tools/vm-cases.sh runs it on the second kernel)\n' "$FILE_NAME" "$_case" "$*"
}

run() {
	timeout -k 5 "${TJ_TEST_TIMEOUT:-60}" "$@" >"$TMP/.out" 2>"$TMP/.err"
	rc=$?
	out=$(cat "$TMP/.out")
	err=$(cat "$TMP/.err")
}

run_in() {
	_dir=$1
	shift
	(cd "$_dir" && timeout -k 5 "${TJ_TEST_TIMEOUT:-60}" "$@") >"$TMP/.out" 2>"$TMP/.err"
	rc=$?
	out=$(cat "$TMP/.out")
	err=$(cat "$TMP/.err")
}

as_nobody() {
	setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all -- "$@"
}

run_nobody() {
	as_nobody timeout -k 5 "${TJ_TEST_TIMEOUT:-60}" "$@" >"$TMP/.out" 2>"$TMP/.err"
	rc=$?
	out=$(cat "$TMP/.out")
	err=$(cat "$TMP/.err")
}

expect_rc() {
	[ "$rc" -eq "$1" ] || fail "expected exit $1, got $rc"
}

expect_out_is() {
	[ "$out" = "$1" ] || fail "stdout is '$out', expected '$1'"
}

expect_out_lacks() {
	case "$out" in *"$1"*) fail "stdout should not contain: $1" ;; *) ;; esac
}

expect_out_contains() {
	case "$out" in *"$1"*) ;; *) fail "stdout lacks: $1"; printf '%s\n' "$out" | head -10 | sed 's/^/       > /' ;; esac
}

expect_err_contains() {
	case "$err" in *"$1"*) ;; *) fail "stderr lacks: $1" ;; esac
}

expect_err_lacks() {
	case "$err" in *"$1"*) fail "stderr should not contain: $1" ;; *) ;; esac
}

expect_file_contains() {
	grep -qF -- "$2" "$1" 2>/dev/null || fail "$1 lacks: $2"
}

expect_true() {
	"$@" || fail "expected success: $*"
}


# start_file_server DIR: the tests' loopback HTTP server (data/net/server.py) serving DIR in the
# background, its log in $TMP/requests.log and its output in $TMP/srv.log; sets $srv (its pid)
# and $port. Returns 1 when it did not start within 10 s.
start_file_server() {
	/usr/bin/python3 "$ROOT/tests/integration/data/net/server.py" --bind 127.0.0.1 --dir "$1" \
		--log "$TMP/requests.log" >"$TMP/srv.log" 2>&1 &
	srv=$!
	port=""
	for _ in $(seq 1 100); do
		port=$(sed -n 's/^port \([0-9]*\)$/\1/p' "$TMP/srv.log")
		[ -n "$port" ] && return 0
		sleep 0.1
	done
	return 1
}

# own_sandboxes: from here on, each "$TJ" of this file goes through a wrapper
# that notes the name of the sandbox cgroup it will make (tj-PID-START as
# src/layers/cgroup.c names it: tinyjail's pid and start time, which exec
# keeps); own_cgroups_left prints those of them still on any hierarchy.
# Other tests on the machine make and remove cgroups meanwhile: only a
# file's own count, and a pid alone is reused too soon (pid_max 32768).
own_sandboxes() {
	_own_rec="$TMP/own-sandboxes"
	: >"$_own_rec"
	chmod 666 "$_own_rec"
	[ -n "${_own_tj:-}" ] || _own_tj=$TJ
	cat >"$TMP/tinyjail" <<EOF
#!/bin/sh
read -r s </proc/\$\$/stat
n=0
for f in \${s##*) }; do n=\$((n + 1)); [ \$n -lt 20 ] || break; done
echo "tj-\$\$-\$f" >>"$_own_rec"
exec "$_own_tj" "\$@"
EOF
	chmod 755 "$TMP/tinyjail"
	TJ="$TMP/tinyjail"
}

own_cgroups_left() {
	find /sys/fs/cgroup -maxdepth 6 -type d -name 'tj-*' 2>/dev/null |
		awk 'NR == FNR {own[$1]; next} {n = $0; sub(/.*\//, "", n); if (n in own) print}' "$_own_rec" -
}

finish() {
	_close_case
	printf '%s: %d passed, %d failed, %d skipped\n' "$FILE_NAME" "$_pass" "$_fail" "$_skip"
	[ -n "${RESULTS:-}" ] && printf '%d %d %d\n' "$_pass" "$_fail" "$_skip" >>"$RESULTS"
	[ "$_fail" -eq 0 ]
}
