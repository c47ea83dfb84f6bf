# SPDX-License-Identifier: Apache-2.0
# tinyjail as a Unix tool and a CI step (issue 17): help and verbs, the man
# page and completions installed by make install, --log -, options checked
# before anything runs, --allow-syscall/--deny-syscall and "extends", kill
# hints, the environment (what passes, one line on what does not, make's
# jobserver, --pass-fd), --fail-on-violation and --json-status, Ctrl-C on a
# real terminal, tinyjail dying of the command's signal, nested root, the
# build switches (PREFIX, NET_BPF=0).
. "$ROOT/tests/integration/lib.sh"

PTY="$ROOT/tests/helpers/pty_keys.py"
PY=/usr/bin/python3

t "--help: no literal %%, every verb with a line, every bundled profile"
run "$TJ" --help
expect_rc 0
expect_out_lacks "%%"
for v in run check compile groups why profiles supervise learn diff explain report help version; do
	printf '%s\n' "$out" | grep -q "^  $v " || fail "--help does not list the verb $v"
done
for p in $(ls "$ROOT/policies" | sed 's/\.json$//'); do
	expect_out_contains "$p"
done
expect_out_contains "-vv also every"

t "help VERB: every verb has its help; an unknown verb is an error"
for v in run check compile groups why profiles supervise learn diff explain report help version; do
	run "$TJ" help "$v"
	expect_rc 0
	expect_out_contains "usage: tinyjail"
done
run "$TJ" help grops
expect_rc 125
expect_err_contains "help: unknown verb 'grops' (did you mean 'groups'?)"
[ -z "$out" ] || fail "an unknown verb printed a usage: $out"

t "tinyjail profiles: names, files and descriptions; -q the names alone"
run "$TJ" profiles
expect_rc 0
expect_out_contains "cli-tool  ($ROOT/policies/cli-tool.json)"
expect_out_contains "JIT compilers"
expect_out_contains "tinyjail strict profile"
run "$TJ" profiles -q
[ "$out" = "$(ls "$ROOT/policies" | sed 's/\.json$//')" ] || fail "profiles -q: $out"

t "verbs only as the first argument: tinyjail groups lists groups, tinyjail -q groups is refused, -- runs groups(1)"
run "$TJ" groups
expect_rc 0
expect_out_contains "@network-io"
run "$TJ" -q groups
expect_rc 125
expect_err_contains "'groups' is a tinyjail verb, which only counts as the first argument"
expect_err_contains "write 'tinyjail [options] -- groups'"
run "$TJ" -q -- groups
expect_rc 0
[ "$out" = "$(groups)" ] || fail "tinyjail -q -- groups printed: $out"
run "$TJ" run -q groups
expect_rc 0
[ "$out" = "$(groups)" ] || fail "tinyjail run -q groups printed: $out"

t "a second --profile is refused, not silently the one that counts"
run "$TJ" --profile strict --profile default -- true
expect_rc 125
expect_err_contains "--profile given twice ('strict', then 'default')"

t "--log - writes the events to standard error, never to a file named -"
run_in "$TMP" "$TJ" -q --log - -- echo out
expect_rc 0
expect_out_is out
expect_err_contains '"event":"start"'
expect_err_contains '"event":"exit"'
[ ! -e "$TMP/-" ] || fail "a file named - was written"

t "--json-status and --log paths are checked before anything runs"
run "$TJ" -q --json-status "$TMP/no/such/dir/s.json" -- sh -c "echo ran >$TMP/ran"
expect_rc 125
expect_err_contains "the status file"
[ ! -e "$TMP/ran" ] || fail "the command ran before the bad --json-status was refused"
run "$TJ" -q --log "$TMP" -- sh -c "echo ran >$TMP/ran"
expect_rc 125
[ ! -e "$TMP/ran" ] || fail "the command ran before the bad --log was refused"

t "--deny-syscall kills (named, no hint to allow it); --allow-syscall lets a call through"
run "$TJ" --profile cli-tool --deny-syscall flock -- "$PROBE" syscall 73 0 2
expect_rc 159
expect_err_contains "killed by seccomp: flock(0, LOCK_EX)"
expect_err_contains "(--deny-syscall: SCMP_ACT_KILL_PROCESS)"
expect_err_lacks "hint: --allow-syscall"
run "$TJ" -q --profile cli-tool -- "$PROBE" syscall 73 0 2
[ "$rc" -ne 159 ] || fail "control: flock is killed by cli-tool itself"
run "$TJ" -q --profile strict --allow-syscall socket -- "$PROBE" syscall socket 2 1 0
expect_rc 0
run "$TJ" -q --profile strict -- "$PROBE" syscall socket 2 1 0
expect_rc 159
# Groups, and what nesting needs under default.
run "$TJ" -q --deny-syscall @namespaces,@mount -- unshare -r true
expect_rc 159
run "$TJ" -q --deny-syscall flok -- true
expect_rc 125
expect_err_contains "--deny-syscall: unknown syscall 'flok' (did you mean 'flock'?)"
run "$TJ" -q --allow-syscall @networkio -- true
expect_rc 125
expect_err_contains "unknown syscall group '@networkio' (did you mean '@network-io'?)"
run "$TJ" -q --allow-syscall mmap --deny-syscall mmap -- true
expect_rc 125
run "$TJ" -q --profile none --allow-syscall mmap -- true
expect_rc 125

t "a kill says how to allow the call, once per syscall"
run "$TJ" --profile strict -- sh -c "$PROBE syscall socket 2 1 0; $PROBE syscall socket 2 1 0"
expect_err_contains "hint: --allow-syscall"
run "$TJ" --profile strict -- "$PROBE" syscall socket 2 1 0
expect_err_contains "hint: --allow-syscall socket lets every socket call through (or allow it in a profile that \"extends\": \"strict\"; 'tinyjail why socket strict' shows the rules)"
[ "$(printf '%s\n' "$err" | grep -c 'hint: --allow-syscall')" -eq 1 ] || fail "more than one hint"

t "extends: a profile on top of a bundled one; its rules decide what they name; loops are refused"
mkdir -p "$TMP/prof/sub"
cat >"$TMP/prof/net-strict.json" <<'EOF'
{"tinyjail": {"version": 1, "extends": "strict", "description": "strict, with sockets"},
 "linux": {"seccomp": {"syscalls": [{"names": ["socket"], "action": "SCMP_ACT_ERRNO", "errnoRet": 97}]}}}
EOF
cat >"$TMP/prof/sub/again.json" <<'EOF'
{"tinyjail": {"version": 1, "extends": "../net-strict.json"},
 "linux": {"seccomp": {"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["getppid"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1}]}}}
EOF
printf '{"tinyjail": {"version": 1, "extends": "./loop.json"}}\n' >"$TMP/prof/loop.json"
run "$TJ" -q --profile "$TMP/prof/net-strict.json" -- "$PROBE" syscall socket 2 1 0
expect_rc 97
run "$TJ" -q --profile "$TMP/prof/net-strict.json" -- "$PROBE" syscall ptrace 16 999999999
expect_rc 159
run "$TJ" -q --profile "$TMP/prof/sub/again.json" -- "$PROBE" syscall socket 2 1 0
expect_rc 97
run "$TJ" -q --profile "$TMP/prof/sub/again.json" -- "$PROBE" syscall getppid
expect_rc 1
run "$TJ" -q --profile "$TMP/prof/sub/again.json" -- "$PROBE" syscall ptrace 16 999999999
expect_rc 1
run "$TJ" why socket "$TMP/prof/net-strict.json" 2 1 0
expect_out_contains "SCMP_ACT_ERRNO(EAFNOSUPPORT)"
run "$TJ" why read "$TMP/prof/net-strict.json"
expect_out_contains "decided by: extends strict: syscalls[0]"
run "$TJ" -q --profile "$TMP/prof/loop.json" -- true
expect_rc 125
expect_err_contains "more than 8 profiles deep (a loop?)"
run "$ROOT/tools/validate-profile" "$TMP/prof/net-strict.json"
expect_rc 0

t "--report lists each rule once, however many groups it names"
run "$TJ" --profile cli-tool --report -- true
expect_rc 0
line=$(printf '%s\n' "$err" | grep 'report: not tracked')
[ "$(printf '%s\n' "$line" | grep -o 'syscalls\[0\]' | wc -l)" -eq 1 ] || fail "syscalls[0] repeated: $line"

t "Docker's profile: no warning on every run for a syscall of another architecture"
run "$TJ" --profile "$ROOT/tests/fixtures/corpus/moby-profiles_default.json" -- true
expect_rc 0
expect_err_lacks "warning"
run "$TJ" -v --profile "$ROOT/tests/fixtures/corpus/moby-profiles_default.json" -- true
expect_err_contains "'riscv_hwprobe' exists only on other architectures"

t "environment: builds' and CI's variables pass; secrets only by exact name; one line says what did not pass"
run env -i PATH="$PATH" HOME=/root CC=gcc CFLAGS=-O1 CI=true MAKEFLAGS=-j2 VIRTUAL_ENV=/v JAVA_HOME=/jdk \
	GITHUB_SHA=abc GITHUB_TOKEN=t0ken EDITOR=vi "$TJ" -- env
expect_rc 0
for v in CC=gcc CFLAGS=-O1 CI=true MAKEFLAGS=-j2 VIRTUAL_ENV=/v JAVA_HOME=/jdk; do
	expect_out_contains "$v"
done
expect_out_lacks "GITHUB"
expect_out_lacks "EDITOR"
expect_err_contains "tinyjail: environment: not passed: EDITOR, GITHUB_SHA (--env-keep NAME,... passes them, --env-all all but secrets); secrets not passed: GITHUB_TOKEN (only --env-keep with the exact name passes one)"
[ "$(printf '%s\n' "$err" | grep -c 'environment:')" -eq 1 ] || fail "more than one line"
expect_err_lacks "t0ken"
# A glob keeps what it matches, but never a secret; the exact name does.
run env -i PATH="$PATH" GITHUB_SHA=abc GITHUB_TOKEN=t0ken "$TJ" -q --env-keep 'GITHUB_*' -- env
expect_out_contains "GITHUB_SHA=abc"
expect_out_lacks "GITHUB_TOKEN"
run env -i PATH="$PATH" GITHUB_SHA=abc GITHUB_TOKEN=t0ken "$TJ" -q --env-all --env-keep GITHUB_TOKEN -- env
expect_out_contains "GITHUB_TOKEN=t0ken"
# -vv: every variable passed, by name.
run env -i PATH="$PATH" CC=gcc "$TJ" -vv -- true
expect_err_contains "tinyjail: environment: passed: CC, PATH"

t "make's jobserver reaches a make inside tinyjail (two jobs that need each other finish)"
mkdir -p "$TMP/js"
cat >"$TMP/js/inner.mk" <<'EOF'
# a and b each wait for the other to have started: only two jobs at once
# (the jobserver's second token) finish.
all: a b
a:
	@touch a.started; for i in $$(seq 1 200); do [ -e b.started ] && exit 0; sleep 0.1; done; echo "a: b never started"; exit 1
b:
	@touch b.started; for i in $$(seq 1 200); do [ -e a.started ] && exit 0; sleep 0.1; done; echo "b: a never started"; exit 1
EOF
printf 'all:\n\t+$(TJ) -q -- $(MAKE) -s -f inner.mk\n' >"$TMP/js/Makefile"
run_in "$TMP/js" make -s -j2 TJ="$TJ"
expect_rc 0
expect_out_lacks "never started"
expect_err_lacks "jobserver unavailable"
# Control: the descriptors are what makes it work.
rm -f "$TMP/js/"*.started
printf 'all:\n\t+$(TJ) -q --env-deny MAKEFLAGS -- $(MAKE) -s -f inner.mk -j1\n' >"$TMP/js/Makefile.j1"
run_in "$TMP/js" timeout 60 make -s -j2 -f Makefile.j1 TJ="$TJ"
[ "$rc" -ne 0 ] || fail "the control finished without the jobserver"

t "--pass-fd N: that descriptor reaches the command; others do not; a closed one is an error"
run sh -c "exec 7<'$ROOT/README.md' 8<'$ROOT/README.md'; '$TJ' -q --pass-fd 7 -- sh -c 'head -c 9 <&7; echo; ls /proc/self/fd'"
expect_rc 0
expect_out_contains "# tinyjai"
printf '%s\n' "$out" | grep -qx 7 || fail "fd 7 did not reach the command"
printf '%s\n' "$out" | grep -qx 8 && fail "fd 8 reached the command"
run "$TJ" -q --pass-fd 9 -- true
expect_rc 125
expect_err_contains "--pass-fd 9: tinyjail has no descriptor 9"

t "--fail-on-violation: a killed helper fails the job (159); --json-status names the kill; signals agree with the log"
run "$TJ" -q --profile cli-tool --json-status "$TMP/st.json" -- sh -c "$PROBE syscall ptrace 16 999999999; exit 0"
expect_rc 0
expect_file_contains "$TMP/st.json" '"syscall": "ptrace", "nr": 101, "count": 1'
expect_file_contains "$TMP/st.json" '"violation": true'
run "$TJ" --fail-on-violation --profile cli-tool -- sh -c "$PROBE syscall ptrace 16 999999999; exit 0"
expect_rc 159
expect_err_contains "the command exited 0, but a process was killed by seccomp: exit 159 (--fail-on-violation)"
run "$TJ" -q --fail-on-violation --profile cli-tool -- true
expect_rc 0
run "$TJ" -q --profile strict --json-status "$TMP/st2.json" --log "$TMP/st2.log" -- "$PROBE" syscall socket 2 1 0
expect_rc 159
expect_file_contains "$TMP/st2.json" '"signal": 31'
expect_file_contains "$TMP/st2.log" '"signal":31'

t "tinyjail dies of the signal the command died of (shell loops stop, pipes end quietly)"
run sh -c "'$TJ' -q -- sh -c 'kill -TERM \$\$'; echo \"status \$?\""
expect_out_contains "status 143"
run "$PY" -c "import subprocess, sys; p = subprocess.run(sys.argv[1:]); print(p.returncode)" "$TJ" -q -- sh -c 'kill -INT $$'
expect_out_is -2
run sh -c "'$TJ' -q -- yes | head -1"
expect_rc 0
expect_err_lacks "tinyjail"

t "Ctrl-C on a terminal: the command's to handle; two in a second stop the tree; no message after it"
cat >"$TMP/catch.py" <<'EOF'
import os, signal, time
n = 0
def h(*a):
    global n
    n += 1
    os.write(1, b"caught %d\n" % n)
signal.signal(signal.SIGINT, h)
os.write(1, b"READY\n")
while n < 2:
    time.sleep(0.05)
os.write(1, b"DONE\n")
EOF
run "$PY" "$PTY" "$TMP/t1" wait:READY ctrl-c "wait:caught 1" sleep:2.5 ctrl-c wait:DONE -- "$TJ" -q -- "$PY" "$TMP/catch.py"
expect_rc 0
expect_file_contains "$TMP/t1" "caught 2"
expect_file_contains "$TMP/t1" "pty: status=exited 0"
run "$PY" "$PTY" "$TMP/t2" wait:READY ctrl-c sleep:0.2 ctrl-c -- "$TJ" -- "$PY" -c \
	'import signal, time; signal.signal(signal.SIGINT, signal.SIG_IGN); print("READY", flush=True); time.sleep(60)'
expect_rc 0
expect_file_contains "$TMP/t2" "tinyjail: killed: interrupted a second time"
expect_file_contains "$TMP/t2" "pty: status=signaled 2"
# The command takes SIGINT's default action before it says READY: a shell
# (`sh -c 'echo READY; sleep 60'`) would race on its own, without tinyjail
# (dash catches a Ctrl-C that comes before it forks sleep, then waits 60 s).
run "$PY" "$PTY" "$TMP/t3" wait:READY ctrl-c -- "$TJ" -q -- "$PY" -c \
	'import signal, time; signal.signal(signal.SIGINT, signal.SIG_DFL); print("READY", flush=True); time.sleep(60)'
expect_file_contains "$TMP/t3" "pty: status=signaled 2"
grep -q "tinyjail:" "$TMP/t3" && fail "a message after the terminal's Ctrl-C: $(cat "$TMP/t3")"
# A shell loop around tinyjail stops on Ctrl-C, as around the command itself.
run "$PY" "$PTY" "$TMP/t4" wait:READY ctrl-c -- bash -c "echo READY; while true; do '$TJ' -q -- sleep 60; done; echo LOOP-ENDED"
expect_file_contains "$TMP/t4" "pty: status=signaled 2"
grep -q LOOP-ENDED "$TMP/t4" && fail "the loop went on after Ctrl-C"

t "Ctrl-C during the set-up: the command never starts, tinyjail dies of SIGINT (a shell loop stops)"
if has_hooks; then
	# launch-hold stops tinyjail once everything is prepared, before the
	# command exists: the terminal's SIGINT reaches tinyjail alone.
	run "$PY" "$PTY" "$TMP/t5" "wait:holding before the command starts" ctrl-c -- \
		env TJ_TEST_HOOK=launch-hold "$TJ" -q -- /bin/sh -c "touch '$TMP/t5-ran'"
	expect_rc 0
	expect_file_contains "$TMP/t5" "pty: status=signaled 2"
	expect_file_contains "$TMP/t5" "tinyjail: interrupted by SIGINT before the command started"
	[ ! -e "$TMP/t5-ran" ] || fail "the command ran after the Ctrl-C"
else
	skip_without_hooks "this build has no test hooks (SAN=1 builds have them)"
fi

t "uid 0 without CAP_SYS_ADMIN takes the user-namespace path; without CAP_SETFCAP it says how to nest"
if [ "$(id -u)" -ne 0 ]; then
	skip "needs root"
else
	run "$TJ" -q --cap-keep setuid,setgid,setfcap --setenv ASAN_OPTIONS=detect_leaks=0 -- \
		"$TJ" -q --unshare all --ro / -- cat /proc/self/uid_map
	expect_rc 0
	expect_out_contains "0          0          1"
	run "$TJ" -q --setenv ASAN_OPTIONS=detect_leaks=0 -- "$TJ" -q --unshare all -- true
	expect_rc 125
	expect_err_contains "running as uid 0 without CAP_SYS_ADMIN"
	expect_err_contains "--user USER"
fi

t "views compose as with bwrap: --ro / --tmpfs /tmp --rw /tmp/ws (mounts from the top of the tree down)"
ws=$(mktemp -d /tmp/tj-ws.XXXXXX)
run_in / "$TJ" -q --ro / --tmpfs /tmp --rw "$ws" -- sh -c "echo kept >'$ws/f' && ls /tmp && touch /tmp/scratch && touch /etc/tj-no 2>/dev/null; echo etc=\$?"
expect_rc 0
expect_out_contains "$(basename "$ws")"
expect_out_contains "etc=1"
[ "$(cat "$ws/f" 2>/dev/null)" = kept ] || fail "the write beneath the tmpfs did not reach the host"
[ ! -e /tmp/scratch ] || fail "the tmpfs write reached the host's /tmp"
# The same, the options in another order.
run_in / "$TJ" -q --rw "$ws" --tmpfs /tmp --ro / -- sh -c "echo again >'$ws/g'"
expect_rc 0
[ "$(cat "$ws/g" 2>/dev/null)" = again ] || fail "with --rw first, the write did not reach the host"
# A --ro beneath a --rw stays read-only.
mkdir -p "$ws/sub"
run_in / "$TJ" -q --ro / --rw "$ws" --ro "$ws/sub" -- sh -c "touch '$ws/sub/x' 2>/dev/null; echo sub=\$?; touch '$ws/y'; echo top=\$?"
expect_out_contains "sub=1"
expect_out_contains "top=0"
rm -rf "$ws"

t "a command that fails in a view is told what the view grants (Landlock refuses silently)"
run "$TJ" --ro /usr --ro /lib --ro /lib64 --ro /bin -- cat /etc/hostname
expect_rc 1
expect_err_contains "Permission denied"
expect_err_contains "tinyjail: hint: the command ran in a filesystem view (Landlock), where everything else fails with 'Permission denied': it grants read /usr, /lib, /lib64, /bin"
run "$TJ" --ro /usr --ro /lib --ro /lib64 --ro /bin --ro /etc -- cat /etc/hostname
expect_rc 0
expect_err_lacks "filesystem view"

t "man tinyjail, bash and zsh completion and the notes, installed by make install"
inst="$TMP/inst"
run make -s -C "$ROOT" install DESTDIR="$inst" PREFIX=/usr/local BUILD="$BUILD" SAN="$(case $BUILD in *san*) echo 1 ;; *) echo 0 ;; esac)"
expect_rc 0
for f in bin/tinyjail share/man/man1/tinyjail.1 share/bash-completion/completions/tinyjail \
	share/zsh/site-functions/_tinyjail share/doc/tinyjail/README.md share/doc/tinyjail/policies.md \
	share/tinyjail/policies/default.json; do
	[ -f "$inst/usr/local/$f" ] || fail "make install did not install $f"
done
run env MANPATH="$inst/usr/local/share/man" MANWIDTH=80 man tinyjail
expect_rc 0
expect_out_contains "VERBS"
expect_out_contains "only as the first argument"
expect_out_contains "TINYJAIL_POLICY_DIR"
run groff -man -t -ww -z "$ROOT/man/tinyjail.1"
[ -z "$err" ] || fail "groff warnings: $err"
# The installed binary finds its installed profiles and points to its notes.
run env -u TINYJAIL_POLICY_DIR "$inst/usr/local/bin/tinyjail" profiles -q
expect_out_contains "cli-tool"
# bash: the verbs, and bundled profiles after --profile.
run bash -c ". '$inst/usr/local/share/bash-completion/completions/tinyjail'; PATH='$inst/usr/local/bin':\$PATH
	COMP_WORDS=(tinyjail gr); COMP_CWORD=1; _tinyjail; echo \"\${COMPREPLY[*]}\"
	COMP_WORDS=(tinyjail --profile cli); COMP_CWORD=2; _tinyjail; echo \"\${COMPREPLY[*]}\"
	COMP_WORDS=(tinyjail rep); COMP_CWORD=1; _tinyjail; echo \"verbs: \${COMPREPLY[*]}\"
	COMP_WORDS=(tinyjail report --ti); COMP_CWORD=2; _tinyjail; echo \"\${COMPREPLY[*]}\"
	COMP_WORDS=(tinyjail learn --fuz); COMP_CWORD=2; _tinyjail; echo \"learn: \${COMPREPLY[*]}\"
	COMP_WORDS=(tinyjail check --li); COMP_CWORD=2; _tinyjail; echo \"check: \${COMPREPLY[*]}\""
expect_out_contains "learn: --fuzz --fuzz-dir --fuzz-seed"
expect_out_contains "check: --lint"
expect_out_contains "groups"
expect_out_contains "cli-tool"
expect_out_contains "verbs: report"
expect_out_contains "--timeline"
if command -v zsh >/dev/null 2>&1; then
	run zsh -n "$inst/usr/local/share/zsh/site-functions/_tinyjail"
	expect_rc 0
else
	skip "zsh missing (tools/install-deps.sh test installs it)"
fi

t "PREFIX is compiled into a generated header: a new PREFIX rebuilds only what embeds it"
run make -n -C "$ROOT" BUILD="$BUILD" SAN="$(case $BUILD in *san*) echo 1 ;; *) echo 0 ;; esac)" PREFIX=/opt/elsewhere "$BUILD/tinyjail"
compiled=$(printf '%s\n' "$out" | grep -o ' -c src/[^ ]*' | sort | tr '\n' ' ')
[ "$compiled" = " -c src/cli/cmd_help.c  -c src/model/policy.c " ] || fail "a new PREFIX recompiles: $compiled"

t "make NET_BPF=0 builds without clang, bpftool or libbpf"
run make -n -C "$ROOT" BUILD="$TMP/nobpf" NET_BPF=0 "$TMP/nobpf/tinyjail"
expect_rc 0
printf '%s\n' "$out" | grep -E 'clang|bpftool|-lbpf|netbpf\.c' && fail "NET_BPF=0 still uses the BPF tool chain"
expect_out_contains "netbpf_none.c"
# The stub compiles on its own, and says what is missing.
run sh -c "cc -std=c17 -D_GNU_SOURCE -I'$ROOT/include' -Wall -Wextra -Werror -c '$ROOT/src/layers/netbpf_none.c' -o '$TMP/netbpf_none.o'"
expect_rc 0

finish
