# SPDX-License-Identifier: Apache-2.0
# tinyjail learn (notes/learn.md): profiles learnt from real programs and
# enforced on held-out runs (other flags, other inputs), none of tinyjail's
# own set-up calls in a profile, adaptive repeat runs, merging, --check,
# diff, and the bad-input cases: 127/126 write nothing, a failing command
# still writes, an unwritable or existing output is refused before anything
# runs, a bad merge target names its JSON path, signals and --timeout leave
# a whole profile.  The profiles load in tinyjail, validate against the OCI
# schema, and run real programs in crun (test_crun.sh's harness).
. "$ROOT/tests/integration/lib.sh"
. "$ROOT/tests/integration/crun_lib.sh"

SCHEMA_DIR=/usr/share/gocode/src/github.com/opencontainers/runtime-spec/schema
VALIDATE="$ROOT/tests/integration/data/oci_seccomp_validate.py"
W="$TMP/w"
mkdir -p "$W"
chmod 777 "$W"

# A small tree with files, a symbolic link and a subdirectory, and another.
mk_tree() {
	mkdir -p "$1/sub/deeper"
	printf 'banana\napple\ncherry\n10\n9\n' >"$1/fruit.txt"
	printf 'root:x:0:0\nnobody:x:65534:65534\n' >"$1/users.txt"
	printf 'deep line\n' >"$1/sub/deeper/note.txt"
	ln -sf fruit.txt "$1/link"
}
mk_tree "$W/a"
mk_tree "$W/b"
printf 'zeta\nalpha\n3\n20\n' >"$W/b/other.txt"

# learns PROFILE from the training cases (one per line of $1); expects 0.
learn_cases() {
	_p=$1 _cases=$2
	shift 2
	printf '%s\n' "$_cases" >"$TMP/train.txt"
	run "$TJ" learn -o "$_p" --force "$@" --cases "$TMP/train.txt"
	[ "$rc" -eq 0 ] || fail "learning $_p failed ($rc)"
	[ -s "$_p" ] || fail "$_p was not written"
}

# Runs the held-out cases under PROFILE; expects none to break.
check_cases() {
	_p=$1 _cases=$2
	shift 2
	printf '%s\n' "$_cases" >"$TMP/heldout.txt"
	run "$TJ" learn --check "$TMP/heldout.txt" "$@" "$_p"
	[ "$rc" -eq 0 ] || fail "held-out cases broke under $_p: $(printf '%s\n' "$err" | grep -A2 BROKE | head -9)"
	expect_err_contains "0 broke"
}

t "learn ls, enforce it; a repeat run learns nothing new and notifies nothing"
run "$TJ" learn -o "$W/ls.json" -- ls -l "$W/a"
expect_rc 0
expect_out_contains "fruit.txt"
expect_err_contains "tinyjail: learn: wrote $W/ls.json:"
expect_err_contains "syscalls allowed"
expect_err_contains "recording complete"
run "$TJ" --profile "$W/ls.json" -- ls -l "$W/b"
expect_rc 0
expect_out_contains "other.txt"
run "$TJ" learn -o "$W/ls.json" --merge --log "$TMP/repeat.log" -- ls -l "$W/a"
expect_rc 0
expect_err_contains "0 new (syscall, argument class) pairs"
expect_err_contains "2 runs merged"
# Known pairs are allowed by the kernel: the log has no syscall event.
grep -q '"event":"syscall"' "$TMP/repeat.log" && fail "a repeat run still notified known calls"
grep -q '"mode":"learn"' "$TMP/repeat.log" || fail "the log does not say learn mode"

t "the learnt profile loads, passes check --lint, and validates against the OCI schema"
run "$TJ" check "$W/ls.json"
expect_rc 0
run "$TJ" check --lint "$W/ls.json"
[ "$rc" -eq 0 ] || fail "lint found high-severity problems: $out"
if [ ! -f "$SCHEMA_DIR/config-linux.json" ] || ! /usr/bin/python3 -c 'import jsonschema' 2>/dev/null; then
	skip "the OCI schema or python3-jsonschema is missing"
else
	run /usr/bin/python3 "$VALIDATE" --allow-comment "$SCHEMA_DIR" "$W/ls.json"
	expect_rc 0
	run "$TJ" learn -q -o "$W/ls-plain.json" --plain-names -- ls -l "$W/a"
	run "$TJ" compile -q "$W/ls-plain.json" --oci "$TMP/ls.oci.json"
	run /usr/bin/python3 "$VALIDATE" "$SCHEMA_DIR" "$TMP/ls.oci.json"
	expect_rc 0
fi

t "every rule carries its provenance: runs, calls, the program, the values"
expect_file_contains "$W/ls.json" '"comment": "tinyjail learn: 2 runs: '
expect_file_contains "$W/ls.json" 'first by \"/usr/bin/ls\"'
expect_file_contains "$W/ls.json" 'open flag class O_RDONLY'
grep -q '"comment": "generalised: ' "$W/ls.json" || fail "no generalised rule says so"
cp "$W/ls.json" "$TMP/ls.before"

t "none of tinyjail's own set-up calls are in a profile (against strace of the bare command)"
if ! command -v strace >/dev/null 2>&1; then
	skip "strace is not installed (tools/install-deps.sh test installs it)"
else
	# The static probe makes a known handful of calls.
	run "$TJ" learn -q -o "$W/probe.json" --exact -- "$PROBE" syscall 110
	expect_rc 0
	learned=$(grep -o '"names": \["[a-z0-9_]*"\], *$' "$W/probe.json" | sed 's/.*\["\(.*\)"\].*/\1/' | sort -u | tr '\n' ' ')
	# Standard output to a file, as in learn's run (to a device libc
	# would ask whether it is a terminal).
	strace -f -qq -o "$TMP/st.txt" "$PROBE" syscall 110 >"$TMP/st.out" 2>&1
	traced=$(sed -n 's/^[0-9]* *\([a-z0-9_]*\)(.*/\1/p' "$TMP/st.txt" | sort -u | tr '\n' ' ')
	[ "$learned" = "$traced" ] || fail "learnt '$learned', strace saw '$traced'"
	# With namespaces, a filesystem view, hardening and limits, tinyjail
	# makes many more calls before the command: none is learnt.
	run "$TJ" learn -q -o "$W/probe-iso.json" --exact --unshare user,mount,pid,ipc,uts,net --ro / \
		--deny-write-execute --rlimit nofile=64 -- "$PROBE" syscall 110
	expect_rc 0
	learned=$(grep -o '"names": \["[a-z0-9_]*"\], *$' "$W/probe-iso.json" | sed 's/.*\["\(.*\)"\].*/\1/' | sort -u | tr '\n' ' ')
	[ "$learned" = "$traced" ] || fail "with isolation: learnt '$learned', strace saw '$traced'"
	for own in seccomp prctl clone3 socketpair sendmsg mount pivot_root unshare setns landlock_create_ruleset \
		landlock_restrict_self capset setrlimit close_range; do
		grep -q "\"names\": \[\"$own\"\]" "$W/probe-iso.json" && fail "tinyjail's own '$own' is in the profile"
	done
fi

t "a command not found or not executable: 127 or 126, nothing written, nothing run"
run "$TJ" learn -o "$W/none.json" -- /nonexistent/cmd
expect_rc 127
[ ! -e "$W/none.json" ] || fail "a profile was written"
printf 'data\n' >"$W/noexec"
chmod 644 "$W/noexec"
run "$TJ" learn -o "$W/none.json" -- "$W/noexec"
expect_rc 126
[ ! -e "$W/none.json" ] || fail "a profile was written"
ls -a "$W" | grep -q '^\.none\.json\.' && fail "a temporary file was left"

t "a failing command: the profile is written and the summary says how it ended"
run "$TJ" learn -o "$W/fail.json" -- sh -c 'cat /nonexistent; exit 3'
expect_rc 3
[ -s "$W/fail.json" ] || fail "no profile"
expect_err_contains "exited 3"
expect_err_contains "did not succeed (status 3)"
expect_file_contains "$W/fail.json" '(exited 3, complete)'

t "an unwritable output, or an existing one without --merge or --force, is refused before anything runs"
mkdir -p "$W/ro"
chmod 555 "$W/ro"
rm -f "$W/marker"
run_nobody "$TJ" learn -o "$W/ro/p.json" -- touch "$W/marker"
expect_rc 125
expect_err_contains "not writable"
[ ! -e "$W/marker" ] || fail "the command ran"
run "$TJ" learn -o "$W/ls.json" -- touch "$W/marker"
expect_rc 125
expect_err_contains "exists"
expect_err_contains "--merge"
[ ! -e "$W/marker" ] || fail "the command ran"
expect_true cmp -s "$W/ls.json" "$TMP/ls.before"
run "$TJ" learn -o "$W/ls.json" --merge --force -- true
expect_rc 125
ln -sf "$W/ls.json" "$W/link.json"
run "$TJ" learn -o "$W/link.json" --force -- touch "$W/marker"
expect_rc 125
[ ! -e "$W/marker" ] || fail "the command ran through a symbolic link"

t "a merge target that is not a valid profile: the loader's message with its JSON path"
printf '{"defaultAction": "SCMP_ACT_KILL_PROCESS",\n "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ALOW"}]}\n' \
	>"$W/bad.json"
cp "$W/bad.json" "$TMP/bad.before"
rm -f "$W/marker"
run "$TJ" learn -o "$W/bad.json" --merge -- touch "$W/marker"
expect_rc 125
expect_err_contains "bad.json:2:"
expect_err_contains "syscalls[0].action"
expect_err_contains "SCMP_ACT_ALOW"
[ ! -e "$W/marker" ] || fail "the command ran"
expect_true cmp -s "$W/bad.json" "$TMP/bad.before"
printf '{"ociVersion": "1.0.2", "linux": {"seccomp": {"defaultAction": "SCMP_ACT_ERRNO"}}}\n' >"$W/config.json"
run "$TJ" learn -o "$W/config.json" --merge -- true
expect_rc 125
expect_err_contains "an OCI config"

t "SIGTERM to tinyjail: the command ends, the profile is whole and says the run was interrupted"
"$TJ" learn -o "$W/term.json" -- sh -c 'echo started; sleep 30' >"$TMP/term.out" 2>"$TMP/term.err" &
lpid=$!
for _ in $(seq 1 100); do grep -q started "$TMP/term.out" && break; sleep 0.1; done
kill -TERM "$lpid"
wait "$lpid"
rc=$?
err=$(cat "$TMP/term.err")
[ "$rc" -ne 0 ] || fail "tinyjail exited 0 after SIGTERM"
run "$TJ" check "$W/term.json"
expect_rc 0
expect_file_contains "$W/term.json" "incomplete: interrupted"
ls -a "$W" | grep -q '^\.term\.json\.' && fail "a temporary file was left"
# SIGKILL of tinyjail itself: the old profile or nothing, never a part.
cp "$W/ls.json" "$W/kill.json"
"$TJ" learn -o "$W/kill.json" --merge -- sh -c 'echo started; sleep 30' >"$TMP/kill.out" 2>/dev/null &
lpid=$!
for _ in $(seq 1 100); do grep -q started "$TMP/kill.out" && break; sleep 0.1; done
kill -KILL "$lpid"
wait "$lpid" 2>/dev/null
expect_true cmp -s "$W/kill.json" "$W/ls.json"

t "--timeout ends a command that runs forever; what it did is written"
run "$TJ" learn -o "$W/timeout.json" --timeout 1s -- sh -c 'while :; do sleep 0.1; done'
expect_rc 124
expect_file_contains "$W/timeout.json" "killed at the timeout, incomplete"
run "$TJ" check "$W/timeout.json"
expect_rc 0

t "threads, forks, vfork, set-user-ID programs and leftovers are recorded, and said"
run "$TJ" learn -o "$W/thread.json" -- "$PROBE" thread 39
expect_rc 0
expect_file_contains "$W/thread.json" "CLONE_THREAD"
run "$TJ" --profile "$W/thread.json" -- "$PROBE" thread 39
expect_rc 0
# The clone flags are checked: a fork (no CLONE_THREAD, SIGCHLD) was never
# seen, so the profile kills it.
run "$TJ" --profile "$W/thread.json" -- "$PROBE" fork 39
expect_rc 159
expect_err_contains "killed by seccomp: clone("
run "$TJ" learn -o "$W/suid.json" -- sh -c 'mount --version >/dev/null'
expect_rc 0
expect_err_contains "'/usr/bin/mount' is set-user-ID or set-group-ID: no_new_privs ran it without its privileges"
# One leftover whatever the timing: sh forks sleep itself (a subshell that
# forks sleep was one or two processes by the time sh exited).
run "$TJ" learn -o "$W/left.json" -- sh -c 'sleep 1 & exit 0'
expect_rc 0
expect_err_contains "recording incomplete: 1 process outlived the command and was killed"
expect_err_contains "run the command again with --merge"
expect_file_contains "$W/left.json" "(exited 0, incomplete: 1 process outlived the command and was killed)"

t "SIGINT to tinyjail (twice: the tree is killed): the profile is whole"
"$TJ" learn -o "$W/int.json" -- sh -c 'trap "" INT; echo started; sleep 30' >"$TMP/int.out" 2>"$TMP/int.err" &
lpid=$!
for _ in $(seq 1 100); do grep -q started "$TMP/int.out" && break; sleep 0.1; done
kill -INT "$lpid"
sleep 0.3
kill -INT "$lpid"
wait "$lpid"
rc=$?
err=$(cat "$TMP/int.err")
expect_err_contains "interrupted a second time"
run "$TJ" check "$W/int.json"
expect_rc 0
expect_file_contains "$W/int.json" "incomplete: interrupted"

t "learn works as nobody, with the same options as enforce mode"
run_nobody "$TJ" learn -o "$W/nobody.json" --ro / --rlimit nofile=64 -- cat "$W/a/fruit.txt"
expect_rc 0
expect_out_contains "banana"
run_nobody "$TJ" --profile "$W/nobody.json" -- cat "$W/b/users.txt"
expect_rc 0
expect_out_contains "nobody"

t "coreutils: ls, cat, sort, grep, wc learnt from training cases, held-out cases pass"
learn_cases "$W/coreutils.json" "ls -l $W/a
ls -la $W/a
ls -R $W/a
cat $W/a/fruit.txt
sort $W/a/fruit.txt
sort -r -o $W/sorted.txt $W/a/fruit.txt
grep an $W/a/fruit.txt
grep -r line $W/a
wc $W/a/fruit.txt"
check_cases "$W/coreutils.json" "ls -lh $W/b
ls -1 $W/b/sub
cat -n $W/b/users.txt $W/b/other.txt
sort -n $W/b/other.txt
sort -u -o $W/sorted2.txt $W/b/fruit.txt
grep -c root $W/b/users.txt
grep -ri DEEP $W/b
wc -l $W/b/other.txt"
# A case the training never did breaks, and --check says which call and
# which rule would admit it.
printf 'mkdir %s\n' "$W/newdir" >"$TMP/novel.txt"
run "$TJ" learn --check "$TMP/novel.txt" "$W/coreutils.json"
expect_rc 1
expect_err_contains "BROKE"
expect_err_contains "killed at mkdir("
expect_err_contains 'a rule that admits it: {"names": ["mkdir"], "action": "SCMP_ACT_ALLOW"}'
expect_err_contains "1 broke"

t "python3 running a script (json, re, os): held-out with another input"
cat >"$W/script.py" <<'EOF'
import json, os, re, sys
names = sorted(os.listdir(sys.argv[1]))
print(json.dumps({"n": len(names), "txt": [n for n in names if re.search(r"\.txt$", n)]}))
EOF
learn_cases "$W/python.json" "/usr/bin/python3 $W/script.py $W/a"
check_cases "$W/python.json" "/usr/bin/python3 $W/script.py $W/b
/usr/bin/python3 $W/script.py $W/b/sub"

t "gcc compiling a C file, and make on a small project"
mkdir -p "$W/proj" "$W/proj2"
printf 'int f(void) { return 1; }\n' >"$W/proj/f.c"
printf '#include <stdio.h>\nint f(void);\nint main(void) { printf("%%d\\n", f()); return 0; }\n' >"$W/proj/main.c"
cp "$W/proj/f.c" "$W/proj/main.c" "$W/proj2/"
printf 'int g(void) { return 2; }\n' >"$W/proj2/g.c"
printf 'prog: main.o f.o\n\tgcc -o prog main.o f.o\n%%.o: %%.c\n\tgcc -c $< -o $@\n' >"$W/proj/Makefile"
printf 'prog: main.o f.o g.o\n\tgcc -o prog main.o f.o g.o\n%%.o: %%.c\n\tgcc -O2 -c $< -o $@\n' >"$W/proj2/Makefile"
learn_cases "$W/gcc.json" "gcc -c $W/proj/f.c -o $W/f.o"
check_cases "$W/gcc.json" "gcc -O2 -Wall -c $W/proj2/g.c -o $W/g.o"
learn_cases "$W/make.json" "make -s -B -C $W/proj"
# make starts its jobs with posix_spawn: clone3 (answered ENOSYS), then
# clone with CLONE_VM|CLONE_VFORK.
expect_file_contains "$W/make.json" "CLONE_VFORK"
grep -A1 '"names": \["clone3"\]' "$W/make.json" | grep -q '"SCMP_ACT_ERRNO"' || fail "clone3 is not answered ENOSYS"
check_cases "$W/make.json" "make -s -B -C $W/proj2"
run "$TJ" --profile "$W/make.json" -- "$W/proj2/prog"
expect_rc 0

t "git init, add, commit, log in a scratch repository"
if ! command -v git >/dev/null 2>&1; then
	skip "git is not installed (tools/install-deps.sh test installs it)"
else
	G="git -c user.name=t -c user.email=t@example.invalid -c init.defaultBranch=main -c safe.directory=*"
	learn_cases "$W/git.json" "$G init -q $W/repo1
$G -C $W/repo1 add -A
$G -C $W/repo1 commit -q --allow-empty -m first
$G -C $W/repo1 log"
	cp "$W/a/fruit.txt" "$W/a/users.txt" "$TMP/"
	check_cases "$W/git.json" "$G init -q $W/repo2
$G -C $W/repo2 add -A
$G -C $W/repo2 commit -q --allow-empty -m second
$G -C $W/repo2 log --oneline"
fi

t "curl from a loopback server over HTTP"
mkdir -p "$TMP/www"
printf 'hello\n' >"$TMP/www/a.txt"
printf 'world\n' >"$TMP/www/b.txt"
start_file_server "$TMP/www"
started=$?
srv_pid=$srv
if [ "$started" -ne 0 ]; then
	fail "the loopback server did not start: $(cat "$TMP/srv.log")"
else
	learn_cases "$W/curl.json" "curl -sS -o $W/a.out http://127.0.0.1:$port/a.txt"
	check_cases "$W/curl.json" "curl -sS -o $W/b.out http://127.0.0.1:$port/b.txt
curl -sS -o /dev/null -w '%{http_code}' http://127.0.0.1:$port/missing"
	expect_file_contains "$W/b.out" "world"
	# No raw socket, no namespace, nothing writable and executable.
	grep -q 'SOCK_RAW' "$W/curl.json" && fail "a raw socket is allowed"
fi
kill "$srv_pid" 2>/dev/null
wait "$srv_pid" 2>/dev/null

t "merging: what two runs learnt, in either order, is one profile"
run "$TJ" learn -q -o "$W/m1.json" -- cat "$W/a/fruit.txt"
run "$TJ" learn -q -o "$W/m2.json" -- sort "$W/a/fruit.txt"
cp "$W/m1.json" "$W/m12.json"
run "$TJ" learn -q -o "$W/m12.json" --merge --cases /dev/null
expect_rc 125
expect_err_contains "no cases"
run "$TJ" diff "$W/m1.json" "$W/m2.json"
expect_rc 1
expect_out_contains "--- $W/m1.json"
run "$TJ" diff "$W/m1.json" "$W/m1.json"
expect_rc 0
[ -z "$out" ] || fail "diff of a profile with itself printed: $out"
# m2 merged into m1: everything m1 allowed is still allowed (only added
# or widened).
printf 'sort %s\n' "$W/b/fruit.txt" >"$TMP/s.txt"
run "$TJ" learn -q -o "$W/m12.json" --merge --cases "$TMP/s.txt"
expect_rc 0
run "$TJ" diff "$W/m1.json" "$W/m12.json"
expect_rc 1
printf '%s\n' "$out" | grep -q '^- ' && fail "the merge removed a syscall: $out"
expect_out_lacks "narrowed"
expect_out_lacks "action changed"

t "--default-errno, --exact, --plain-names and --group-share shape the profile"
run "$TJ" learn -q -o "$W/e.json" --default-errno=EACCES --exact --plain-names -- cat "$W/a/fruit.txt"
expect_rc 0
expect_file_contains "$W/e.json" '"defaultAction": "SCMP_ACT_ERRNO"'
expect_file_contains "$W/e.json" '"defaultErrnoRet": 13'
grep -q 'generalised: libc' "$W/e.json" && fail "--exact still generalised"
grep -q '"@' "$W/e.json" && fail "--plain-names wrote a group"
run "$TJ" learn -q -o "$W/e2.json" --default-errno=EACCES -- "$PROBE" syscall 110
run "$TJ" --profile "$W/e2.json" -- "$PROBE" syscall 101 0 0 0 0
expect_rc 13
expect_out_contains "= -1 (EACCES)"
run "$TJ" learn -q -o "$W/g.json" --group-share 0 -- true
expect_rc 125
run "$TJ" learn -q -o "$W/g.json" --group-share 10% -- cat "$W/a/fruit.txt"
expect_rc 0
grep -q '"names": \["@' "$W/g.json" || fail "no group name at 10%"
# A group never brings what the argument rules keep out (W+X memory).
run "$TJ" check --lint "$W/g.json"
expect_rc 0
case "$out$err" in *write-exec-memory*) fail "the group allows writable and executable memory" ;; esac

t "crun runs a container under a learnt profile (plain names), and kills what it did not learn"
BUNDLE="$TMP/bundle"
ID_BASE="tj-learn-$$"
crun_setup
if [ "$ready" = 1 ]; then
	# crun's environment has no PWD, so busybox sh asks getcwd: learn
	# without it too.
	run "$TJ" learn -o "$W/bb.json" --plain-names --env-deny PWD -- /bin/busybox sh -c \
		'echo hi | /bin/busybox tr a-z A-Z'
	expect_rc 0
	configure "$W/bb.json" /bin/busybox sh -c 'echo hi | /bin/busybox tr a-z A-Z'
	crun_run
	expect_rc 0
	expect_out_contains "HI"
	configure "$W/bb.json" /bin/busybox sh -c 'echo hi | /bin/busybox tr a-z A-Z; /bin/busybox mkdir /tmp/x'
	crun_run
	expect_rc 159
	expect_out_contains "HI"
fi

t "compile --spo writes a learnt profile as a SeccompProfile"
if ! /usr/bin/python3 -c 'import jsonschema, yaml' 2>/dev/null; then
	skip "python3-jsonschema or python3-yaml is missing"
else
	run "$TJ" compile -q "$W/coreutils.json" --spo "$TMP/cu.yaml"
	expect_rc 0
	run /usr/bin/python3 "$ROOT/tests/integration/data/spo_validate.py" "$TMP/cu.yaml"
	expect_rc 0
	expect_file_contains "$TMP/cu.yaml" "  name: coreutils"
	expect_file_contains "$TMP/cu.yaml" "# learned in "
fi

finish
