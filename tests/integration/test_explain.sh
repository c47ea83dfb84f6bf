# SPDX-License-Identifier: Apache-2.0
# --explain SYSCALL (notes/reports.md): the call stacks of a syscall's calls,
# taken while each call waits in its seccomp notification, counted per call
# site, printed at exit and logged; and the chain in the kill message.  On
# tests/helpers/stackprog.c built with and without frame pointers and debug
# information and stripped, and on real programs: coreutils, python3, gcc,
# curl against a loopback server.  As root and as nobody.
. "$ROOT/tests/integration/lib.sh"

B="$ROOT/$BUILD"
A=$(printf '\342\206\220') # the arrow between frames
SCHEMA="$ROOT/notes/events.schema.json"
VALIDATE="$ROOT/tests/helpers/validate_events.py"
printf 'key = value\n' >"$TMP/app.conf"
chmod 644 "$TMP/app.conf"

validate() {
	run /usr/bin/python3 "$VALIDATE" "$SCHEMA" "$@"
	[ "$rc" -eq 0 ] || fail "schema: $(printf '%s\n' "$out" | head -5)"
}

expect_chain() { # the part of a chain the build should show
	expect_err_contains "$1"
}

t "explain openat: the chain through fopen to load_config and main, with file:line"
run "$TJ" --profile strict --explain openat --log "$TMP/nofp.log" -- "$B/stackprog-nofp" config "$TMP/app.conf" 3
expect_rc 0
expect_err_contains "tinyjail: explain openat: "
expect_chain "openat $A __open (open64.c:41) $A"
expect_chain "$A __fopen_internal (iofopen.c:75) $A load_config (stackprog.c:"
expect_chain "$A main (stackprog.c:"
# Three calls from one site make one line with their count.
printf '%s\n' "$err" | grep -q '^tinyjail:        3  openat .* load_config ' || fail "no line with 3 calls from load_config"
validate "$TMP/nofp.log"
expect_file_contains "$TMP/nofp.log" '"recording":["processes","explain"],"explain":["openat"]'
expect_file_contains "$TMP/nofp.log" '"event":"explain","syscall":"openat"'
expect_file_contains "$TMP/nofp.log" '"function":"load_config"'
# The allowed calls were logged with their stack and site (one per site).
n=$(grep -c '"verdict":"allowed".*"syscall":"openat".*"stack":' "$TMP/nofp.log")
[ "$n" -ge 1 ] || fail "no allowed openat event with a stack"

t "explain: frame pointers (rbp recovered from the stack), no debug information, stripped"
run "$TJ" --profile strict --explain openat -- "$B/stackprog-fp" config "$TMP/app.conf" 1
expect_rc 0
expect_chain "$A load_config (stackprog.c:"
expect_err_lacks "truncated"
run "$TJ" --profile strict --explain openat -- "$B/stackprog-nodebug" config "$TMP/app.conf" 1
expect_rc 0
expect_chain "$A load_config (stackprog-nodebug) $A main"
# Stripped: offsets into the program where names are missing.
run "$TJ" --profile strict --explain openat -- "$B/stackprog-stripped" config "$TMP/app.conf" 1
expect_rc 0
expect_chain "$A __fopen_internal (iofopen.c:75) $A stackprog-stripped+0x"

t "explain: several syscalls, comma list or repeated; --explain-stacks logs N per site"
run "$TJ" --profile strict --explain openat,read --explain getppid --explain-stacks 2 --log "$TMP/many.log" -- \
	"$B/stackprog-nofp" getppid 5
expect_rc 0
expect_err_contains "tinyjail: explain getppid: 5 calls, 1 call site:"
expect_chain "getppid $A getppid (syscall-template.S:"
expect_chain "$A ask_parent (stackprog.c:"
expect_err_contains "tinyjail: explain read: "
validate "$TMP/many.log"
n=$(grep '"event":"syscall".*"syscall":"getppid"' "$TMP/many.log" | grep -c '"stack":\[')
[ "$n" -eq 2 ] || fail "expected 2 getppid events with a stack (--explain-stacks 2), got $n"
grep -q '"event":"explain","syscall":"getppid","calls":5,"stacks":5,"skipped":0' "$TMP/many.log" ||
	fail "the explain event does not count 5 calls: $(grep '"event":"explain"' "$TMP/many.log" | head -3)"

t "the kill message names the killed call's chain (no --explain needed)"
printf '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["getppid"], "action": "SCMP_ACT_KILL_PROCESS"}]}\n' \
	>"$TMP/kill.json"
run "$TJ" --profile "$TMP/kill.json" --log "$TMP/kill.log" -- "$B/stackprog-nofp" getppid 1
expect_rc 159
expect_err_contains "tinyjail: killed by seccomp: getppid()"
expect_err_contains "tinyjail: called from: getppid $A getppid (syscall-template.S:"
expect_err_contains "$A ask_parent (stackprog.c:"
validate "$TMP/kill.log"
grep '"verdict":"killed"' "$TMP/kill.log" | grep -q '"function":"ask_parent"' || fail "the killed event has no stack"
# The kernel's kill names nothing, and --explain refuses to pretend otherwise.
run "$TJ" --profile "$TMP/kill.json" --kill-via=kernel -- "$B/stackprog-nofp" getppid 1
expect_rc 159
expect_err_lacks "called from"

t "explain keeps the profile's decisions: errno and kill answered as the kernel would"
printf '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["getppid"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13}]}\n' \
	>"$TMP/errno.json"
run "$TJ" --profile "$TMP/errno.json" --explain getppid -- "$PROBE" syscall getppid
# The probe prints the errno the call returned: the profile's EACCES.
expect_out_contains "EACCES"
expect_err_contains "tinyjail: explain getppid: 1 call"
run "$TJ" --profile "$TMP/kill.json" --explain getppid -- "$B/stackprog-nofp" getppid 1
expect_rc 159
expect_err_contains "called from: getppid"

t "explain: bad requests are refused before anything runs"
run "$TJ" --profile strict --explain opnat -- true
expect_rc 125
expect_err_contains "--explain: 'opnat' is not an x86_64 syscall"
run "$TJ" --profile none --explain openat -- true
expect_rc 125
expect_err_contains "--explain needs a syscall filter"
run "$TJ" --profile strict --explain openat --kill-via=kernel -- true
expect_rc 125
expect_err_contains "--explain needs tinyjail's own seccomp listener"
run "$TJ" --profile strict --explain-stacks 3 -- true
expect_rc 125
printf '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["getppid"], "action": "SCMP_ACT_TRAP"}]}\n' \
	>"$TMP/trap.json"
run "$TJ" --profile "$TMP/trap.json" --explain getppid -- true
expect_rc 125
expect_err_contains "'getppid' is decided by SCMP_ACT_TRAP, which only the kernel"

t "explain works as nobody, under the listener's own rules"
run_nobody "$TJ" --profile strict --explain openat -- "$B/stackprog-nofp" config "$TMP/app.conf" 2
expect_rc 0
expect_chain "$A load_config (stackprog.c:"
expect_err_lacks "not taken"

t "explain in a pid namespace and a mount namespace (files opened through /proc/PID/root)"
run "$TJ" --profile strict --unshare user,pid,mount --explain openat -- "$B/stackprog-nofp" config "$TMP/app.conf" 1
expect_rc 0
expect_chain "$A load_config (stackprog.c:"

t "coreutils: cat's openat comes from its main"
run "$TJ" --profile default --explain openat -- cat "$TMP/app.conf"
expect_rc 0
expect_out_is "key = value"
expect_err_contains "tinyjail: explain openat: "
printf '%s\n' "$err" | grep 'tinyjail: .*openat ' | grep -q "cat+0x\|(cat)" || fail "no chain through cat"

t "python3: opening a file, through the interpreter's frames"
run "$TJ" --profile default --explain openat -- /usr/bin/python3 -c "open('$TMP/app.conf').read()"
expect_rc 0
# Debian's python3.11 has no symbols for its static functions: names where
# it exports them, offsets elsewhere.
expect_chain "$A PyEval_EvalCode"
expect_chain "$A Py_BytesMain $A __libc_start_call_main"
expect_chain "python3.11+0x"

t "gcc: execve of cc1 and as, from the driver"
printf 'int main(void) { return 0; }\n' >"$TMP/x.c"
run_in "$TMP" "$TJ" --profile default --explain execve -- gcc -c -o "$TMP/x.o" "$TMP/x.c"
expect_rc 0
expect_err_contains "tinyjail: explain execve: "
expect_chain "execve $A execve (syscall-template.S:"
expect_chain "$A __execvpe_common (execvpe.c:"
# tinyjail's own execve of gcc is not the command's.
expect_err_lacks "tj_launch"

t "curl: connect to a loopback server"
mkdir -p "$TMP/www"
printf 'hello\n' >"$TMP/www/hi.txt"
if ! start_file_server "$TMP/www"; then
	fail "the loopback server did not start: $(cat "$TMP/srv.log")"
else
	run "$TJ" --profile net-client --explain connect -- curl -sS "http://127.0.0.1:$port/hi.txt"
	expect_rc 0
	expect_out_is "hello"
	expect_err_contains "tinyjail: explain connect: "
	expect_chain "$A libcurl.so.4"
	expect_chain "$A curl_easy_perform $A curl+0x"
fi
kill "$srv" 2>/dev/null
wait "$srv" 2>/dev/null

finish
