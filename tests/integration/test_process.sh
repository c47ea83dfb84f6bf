# SPDX-License-Identifier: Apache-2.0
# tinyjail as a process launcher: exit statuses, standard streams, signals,
# the parent-death guarantee, what the command inherits, and the CLI's own
# exit codes.
. "$ROOT/tests/integration/lib.sh"

DEFAULT="$ROOT/policies/default.json"

expect_out_is() {
	[ "$out" = "$1" ] || fail "stdout is '$out', expected '$1'"
}

# Background runs for the signal cases.  bg_start CMD... sets $bgpid (the
# tinyjail process itself, not a wrapper).
bg_start() {
	"$@" >"$TMP/bg.out" 2>"$TMP/bg.err" &
	bgpid=$!
}

# Waits until tinyjail's child has become the probe; sets $cpid.
bg_wait_probe() {
	cpid=""
	_i=0
	while [ $_i -lt 200 ]; do
		cpid=$(pgrep -P "$bgpid" -x probe | head -1)
		[ -n "$cpid" ] && return 0
		sleep 0.05
		_i=$((_i + 1))
	done
	return 1
}

# Waits for $bgpid to end (at most ~10 s); sets $rc, $err and $elapsed_ms.
bg_finish() {
	_t0=$(date +%s%N)
	_i=0
	while kill -0 "$bgpid" 2>/dev/null && [ $_i -lt 200 ]; do
		sleep 0.05
		_i=$((_i + 1))
	done
	kill -0 "$bgpid" 2>/dev/null && kill -KILL "$bgpid"
	wait "$bgpid" 2>/dev/null
	rc=$?
	elapsed_ms=$((($(date +%s%N) - _t0) / 1000000))
	err=$(cat "$TMP/bg.err")
}

# True when process $1 is gone (or only a zombie waiting for init).
process_gone() {
	[ ! -e "/proc/$1" ] && return 0
	_state=$(sed -n 's/^State:[[:space:]]*\([A-Z]\).*/\1/p' "/proc/$1/status" 2>/dev/null)
	[ -z "$_state" ] || [ "$_state" = Z ] || [ "$_state" = X ]
}

t "exit statuses pass through"
for n in 0 1 42 255; do
	run "$TJ" -- "$PROBE" exit "$n"
	expect_rc "$n"
done
# (The one line naming variables the environment did not pass is no message about the exit.)
rest=$(printf '%s\n' "$err" | grep -v '^tinyjail: environment: ')
[ -z "$rest" ] || fail "unexpected stderr: $rest"

t "death by signal N exits 128+N"
run "$TJ" -- "$PROBE" raise 15
expect_rc 143
expect_err_contains "tinyjail: the command was killed by signal SIGTERM"
run "$TJ" -- "$PROBE" raise 9
expect_rc 137
expect_err_contains "tinyjail: the command was killed by signal SIGKILL"
run "$TJ" -q -- "$PROBE" raise 10
expect_rc 138
# tinyjail dies of the command's signal, so the shell around it may say "User defined signal 1";
# tinyjail itself says nothing under -q.
case "$err" in *tinyjail*) fail "-q still printed: $err" ;; esac

t "standard input and output pass through byte-exactly (binary, NUL bytes)"
# 1 MiB of random bytes with NULs and a missing final newline.
head -c 1048576 /dev/urandom >"$TMP/blob"
printf 'a\000b\000\000\nno newline' >>"$TMP/blob"
run sh -c '"$1" -- cat <"$2" >"$3"' sh "$TJ" "$TMP/blob" "$TMP/blob.out"
expect_rc 0
cmp -s "$TMP/blob" "$TMP/blob.out" || fail "cat's output differs from its input"
# Through a pipe on both sides, too.
run sh -c 'cat "$2" | "$1" -- cat | cat >"$3"' sh "$TJ" "$TMP/blob" "$TMP/blob.pipe"
expect_rc 0
cmp -s "$TMP/blob" "$TMP/blob.pipe" || fail "piped output differs from the input"

t "standard error is separate from standard output"
run "$TJ" -- sh -c 'printf out; printf err >&2; printf " more"'
expect_rc 0
expect_out_is "out more"
rest=$(printf '%s\n' "$err" | grep -v '^tinyjail: environment: ')
[ "$rest" = "err" ] || fail "stderr is '$rest', expected 'err'"

t "a missing command exits 127"
run "$TJ" -- tj-no-such-command-$$
expect_rc 127
expect_err_contains "tinyjail: 'tj-no-such-command-$$': command not found"
run "$TJ" -- "$TMP/no/such/file"
expect_rc 127
expect_err_contains "tinyjail: cannot run '$TMP/no/such/file': No such file or directory"

t "a non-executable file or a directory exits 126"
printf '#!/bin/sh\ntouch "%s"\n' "$TMP/ran-126" >"$TMP/script"
chmod 644 "$TMP/script"
run "$TJ" -- "$TMP/script"
expect_rc 126
expect_err_contains "cannot run '$TMP/script': Permission denied"
mkdir -p "$TMP/adir"
run "$TJ" -- "$TMP/adir"
expect_rc 126
expect_err_contains "cannot run '$TMP/adir': Is a directory"
[ ! -e "$TMP/ran-126" ] || fail "the script ran"
# The control: made executable, the same script runs.
chmod 755 "$TMP/script"
run "$TJ" -- "$TMP/script"
expect_rc 0
[ -e "$TMP/ran-126" ] || fail "the executable script did not run"

t "tinyjail's own errors exit 125"
run "$TJ" --profile "$TMP/no-such-profile.json" -- "$PROBE" exit 0
expect_rc 125
expect_err_contains "cannot open profile"
run "$TJ" --
expect_rc 125
expect_err_contains "no command given"
run "$TJ" --no-such-option -- "$PROBE" exit 0
expect_rc 125
expect_err_contains "unknown option '--no-such-option'"
run "$TJ" --kill-via=nobody -- "$PROBE" exit 0
expect_rc 125
expect_err_contains "--kill-via takes 'supervisor' or 'kernel', not 'nobody'"
run "$TJ" --log "$TMP/no/such/dir/log" -- "$PROBE" exit 0
expect_rc 125
expect_err_contains "cannot open the log file '$TMP/no/such/dir/log'"

t "SIGTERM sent to tinyjail is forwarded"
bg_start "$TJ" -- "$PROBE" sleep 10
if ! bg_wait_probe; then
	fail "the probe did not start"
	kill -KILL "$bgpid"
fi
kill -TERM "$bgpid"
bg_finish
expect_rc 143
[ "$elapsed_ms" -lt 3000 ] || fail "took ${elapsed_ms} ms"
expect_err_contains "killed by signal SIGTERM"
process_gone "$cpid" || fail "the probe ($cpid) is still running"

t "SIGINT sent to tinyjail is forwarded"
# A non-interactive shell starts background jobs with SIGINT ignored, and
# the command would inherit that; restore the default first.
bg_start env --default-signal=INT "$TJ" -- "$PROBE" sleep 10
if ! bg_wait_probe; then
	fail "the probe did not start"
	kill -KILL "$bgpid"
fi
kill -INT "$bgpid"
bg_finish
expect_rc 130
[ "$elapsed_ms" -lt 3000 ] || fail "took ${elapsed_ms} ms"
expect_err_contains "killed by signal SIGINT"

t "SIGKILL of tinyjail leaves no target running"
tag="tj-pdeath-$$"
bg_start "$TJ" -- "$PROBE" sleep 20 "$tag"
if bg_wait_probe; then
	process_gone "$cpid" && fail "the probe is not running before the kill"
	kill -KILL "$bgpid"
	wait "$bgpid" 2>/dev/null
	rc=$?
	expect_rc 137
	_i=0
	while ! process_gone "$cpid" && [ $_i -lt 60 ]; do
		sleep 0.05
		_i=$((_i + 1))
	done
	process_gone "$cpid" || { fail "the probe ($cpid) outlived tinyjail"; kill -KILL "$cpid"; }
	left=$(pgrep -f "$tag" | while read -r p; do process_gone "$p" || echo "$p"; done)
	[ -z "$left" ] || fail "processes still running with the tag: $left"
else
	fail "the probe did not start"
	kill -KILL "$bgpid"
fi

t "the working directory is inherited"
mkdir -p "$TMP/work dir"
run_in "$TMP/work dir" "$TJ" -- /bin/pwd
expect_rc 0
expect_out_is "$TMP/work dir"

t "the environment is filtered: allowlisted names pass, others on request"
run env TERM=tj-term TJ_IT_VAR='a value with spaces' "$TJ" -- "$PROBE" env TERM
expect_rc 0
expect_out_is "tj-term"
run env TJ_IT_VAR='a value with spaces' "$TJ" -- "$PROBE" env TJ_IT_VAR
expect_rc 1
run env TJ_IT_VAR='a value with spaces' "$TJ" --env-keep 'TJ_IT_*' -- "$PROBE" env TJ_IT_VAR
expect_rc 0
expect_out_is "a value with spaces"
run env TJ_IT_VAR='a value with spaces' "$TJ" --env-all -- "$PROBE" env TJ_IT_VAR
expect_rc 0
expect_out_is "a value with spaces"
run env -u TJ_IT_VAR "$TJ" --env-all -- "$PROBE" env TJ_IT_VAR
expect_rc 1

t "secrets are withheld even with --env-all; --setenv wins over everything"
run env GITHUB_TOKEN=ghp_secret AWS_SECRET_ACCESS_KEY=x "$TJ" --env-all -v -- "$PROBE" env GITHUB_TOKEN
expect_rc 1
expect_err_contains "secrets not passed"
expect_err_contains "GITHUB_TOKEN"
run env GITHUB_TOKEN=ghp_secret "$TJ" --env-all --setenv GITHUB_TOKEN=given -- "$PROBE" env GITHUB_TOKEN
expect_rc 0
expect_out_is "given"
# Only --env-keep with the exact name passes a secret (notes/isolation.md).
run env GITHUB_TOKEN=ghp_secret "$TJ" --env-keep GITHUB_TOKEN -- "$PROBE" env GITHUB_TOKEN
expect_rc 0
expect_out_is "ghp_secret"
run env GITHUB_TOKEN=ghp_secret "$TJ" --env-keep 'GITHUB_*' -- "$PROBE" env GITHUB_TOKEN
expect_rc 1

t "a secret with a long name is withheld with --env-all (issue 16 item 17: 256+ byte names failed open)"
long=$(printf 'A%.0s' $(seq 300))_TOKEN
run env "$long=ghp_secret" "$TJ" --env-all -- "$PROBE" env "$long"
expect_rc 1
expect_out_lacks "ghp_secret"
run env "$long=ghp_secret" "$TJ" --env-all -- /usr/bin/env
expect_rc 0
expect_out_lacks "ghp_secret"
run "$TJ" --setenv 'BAD NAME=1' -- "$PROBE" exit 0
expect_rc 125
expect_err_contains "expected NAME=VALUE"
# PATH from the environment finds the command.
mkdir -p "$TMP/bin"
cp "$PROBE" "$TMP/bin/tj-it-probe"
run env PATH="$TMP/bin:/usr/bin:/bin" "$TJ" -- tj-it-probe exit 7
expect_rc 7

t "--profile none runs without a filter, with a warning"
run "$TJ" --profile none -- "$PROBE" syscall ptrace 16 999999999
# ESRCH: the call reached the kernel; under the default profile it is killed.
expect_rc 3
expect_err_contains "tinyjail: warning: no syscall filter (--profile none)"
run "$TJ" -- "$PROBE" syscall ptrace 16 999999999
expect_rc 159

t "tinyjail run -- CMD works like tinyjail CMD"
run "$TJ" run -- true
expect_rc 0
run "$TJ" run -- false
expect_rc 1
run "$TJ" run --profile strict -- "$PROBE" syscall ptrace 16 999999999
expect_rc 159
run "$TJ" run "$PROBE" exit 5
expect_rc 5

t "-v says what is enforced"
run "$TJ" -v -- true
expect_rc 0
expect_err_contains "tinyjail: seccomp: applied: "
expect_err_contains "enforce mode, supervised through a seccomp listener, no_new_privs"
run "$TJ" -v --kill-via=kernel -- true
expect_err_contains "enforce mode, no_new_privs"
expect_err_lacks "listener"
run "$TJ" -v --complain --profile strict -- true
expect_err_contains "complain mode (nothing denied), supervised through a seccomp listener"

t "--help and --version exit 0 and mention libseccomp"
run "$TJ" --help
expect_rc 0
expect_out_contains "usage: tinyjail [run] [options] [--] command [args...]"
expect_out_contains "libseccomp"
run "$TJ" --version
expect_rc 0
expect_out_contains "tinyjail "
expect_out_contains "libseccomp 2."

finish
