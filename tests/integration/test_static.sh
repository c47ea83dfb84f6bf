# SPDX-License-Identifier: Apache-2.0
# The static pre-analysis (tinyjail learn --static, tinyjail explain; src/static/):
# the profile it writes loads, keeps real programs working when enforced on
# the real kernel, and admits no more than it found; its set is a superset of
# what traced runs of real programs use (each miss would be a program killed
# by its own profile); bad input gets a clear error.
. "$ROOT/tests/integration/lib.sh"

TRACED="$ROOT/tests/helpers/traced_syscalls.py"

names_of() { # profile -> one syscall name a line, sorted
	python3 -c 'import json,sys; print("\n".join(sorted(n for r in json.load(open(sys.argv[1]))["syscalls"] for n in r["names"])))' "$1"
}

# superset NAME PROGRAM ARGS...: the static set of PROGRAM covers what a
# traced run of PROGRAM ARGS used (its own image; programs it runs are not).
superset() {
	_name=$1
	shift
	_img=$(readlink -f "$1")
	run "$TJ" learn --static -q -o "$TMP/sup-$_name.json" "$_img"
	[ "$rc" -eq 0 ] || { fail "$_name: learn --static exited $rc"; return; }
	names_of "$TMP/sup-$_name.json" >"$TMP/$_name.static"
	(cd "$TMP" && strace -f -qq -o "$TMP/$_name.strace" "$@" >/dev/null 2>&1)
	python3 "$TRACED" "$TMP/$_name.strace" "$_img" >"$TMP/$_name.traced"
	[ -s "$TMP/$_name.traced" ] || { fail "$_name: the traced run recorded nothing"; return; }
	_miss=$(comm -13 "$TMP/$_name.static" "$TMP/$_name.traced" | tr '\n' ' ')
	[ -z "$_miss" ] || fail "$_name: traced but not in the static set (a soundness bug): $_miss"
	printf '     %s: static %s, traced %s\n' "$_name" "$(wc -l <"$TMP/$_name.static")" "$(wc -l <"$TMP/$_name.traced")"
}

if ! command -v strace >/dev/null 2>&1; then
	t "strace is there for the superset checks"
	skip "strace is missing (tools/install-deps.sh test)"
fi

t "learn --static writes a deny-by-default profile with provenance that tinyjail loads"
run "$TJ" learn --static -o "$TMP/true.json" /bin/true
expect_rc 0
expect_err_contains "syscalls reachable from"
expect_file_contains "$TMP/true.json" '"defaultAction": "SCMP_ACT_KILL_PROCESS"'
expect_file_contains "$TMP/true.json" '"comment": "static: libc.so.6 '
expect_file_contains "$TMP/true.json" 'tinyjail static analysis: complete'
run "$TJ" check "$TMP/true.json"
expect_rc 0

t "nothing goes to standard output; an existing profile is replaced only with --force"
run "$TJ" learn --static -o "$TMP/true.json" /bin/true
expect_rc 125
expect_err_contains "'$TMP/true.json' exists"
run "$TJ" learn --static --force -o "$TMP/true.json" /bin/true
expect_rc 0
expect_out_is ""

t "a static baseline and a traced run merge: learn --merge keeps the static rules"
run "$TJ" learn --static -o "$TMP/base.json" /bin/ls
run "$TJ" learn --merge -o "$TMP/base.json" -- /bin/ls /
expect_rc 0
expect_file_contains "$TMP/base.json" '"comment": "static: '
run "$TJ" --profile "$TMP/base.json" -- /bin/ls -la /etc
expect_rc 0

t "real programs run under their own static profile, enforced by the kernel"
for p in "/bin/ls -la /etc" "/bin/cat /etc/os-release" "/usr/bin/sort /etc/passwd" "/bin/grep -r root /etc/passwd" \
	"/usr/bin/wc /etc/passwd" "/bin/date" "/usr/bin/id"; do
	set -- $p
	run "$TJ" learn --static -q --force -o "$TMP/p.json" "$1"
	[ "$rc" -eq 0 ] || fail "learn --static $1 exited $rc"
	run "$TJ" --profile "$TMP/p.json" -- "$@"
	[ "$rc" -eq 0 ] || fail "'$p' under its static profile exited $rc"
done

t "a static profile admits nothing else: ls under true's profile is killed for a call true never makes"
run "$TJ" --profile "$TMP/true.json" -- /bin/ls /
expect_rc 159
expect_err_contains "killed by seccomp"
expect_err_contains "not allowed by $TMP/true.json"

t "the static set is a superset of traced runs of real programs"
touch "$TMP/unknown-owner"
chown 54321:54321 "$TMP/unknown-owner"
superset true /bin/true
superset ls /bin/ls -la /etc
superset ls-nss /bin/ls -l "$TMP/unknown-owner"
superset cat /bin/cat /etc/os-release
superset cp /bin/cp /etc/os-release "$TMP/copy"
superset sort /usr/bin/sort /etc/passwd
superset grep /bin/grep -r root /etc/passwd
superset sed /bin/sed s/root/toor/ /etc/passwd
superset find /usr/bin/find /etc -name passwd
superset tar /bin/tar czf "$TMP/x.tgz" /etc/os-release
superset gzip /bin/gzip -c /etc/passwd
superset python3 /usr/bin/python3 -c 'import json, re, os; print(json.dumps(sorted(os.listdir("/"))))'
superset sh /bin/sh -c 'echo hi | cat'

t "explain names the call paths that reach a syscall"
run "$TJ" explain getdents64 /bin/ls
expect_rc 0
expect_out_contains "getdents64 <- "
expect_out_contains "(libc.so.6)"
expect_out_contains "[entry]"
run "$TJ" explain execve /bin/true
expect_rc 0
expect_out_contains "execve <- "
run "$TJ" explain kexec_load /bin/true
expect_rc 1
expect_err_contains "kexec_load is not reachable"
run "$TJ" explain not_a_syscall /bin/true
expect_rc 125
expect_err_contains "'not_a_syscall' is not an x86_64 syscall"

t "a wrapper's number is found at its call site: syscall(SYS_gettid) in a PIE"
printf '#include <unistd.h>\n#include <sys/syscall.h>\nint main(void) { return syscall(SYS_gettid) < 0; }\n' >"$TMP/g.c"
gcc -O2 -o "$TMP/g" "$TMP/g.c" || fail "cannot build the test program"
run "$TJ" explain gettid "$TMP/g"
expect_rc 0
expect_out_contains "gettid <- syscall() <- main (g)"
run "$TJ" learn --static -q -o "$TMP/g.json" "$TMP/g"
run "$TJ" --profile "$TMP/g.json" -- "$TMP/g"
expect_rc 0

t "an unknown syscall number makes the result incomplete, listed, and --strict fails"
printf '.globl _start\n_start:\n mov num(%%rip), %%eax\n syscall\n mov $60, %%eax\n xor %%edi, %%edi\n syscall\n.data\nnum: .long 39\n' \
	>"$TMP/m.S"
gcc -nostdlib -static -o "$TMP/m" "$TMP/m.S" || fail "cannot build the test program"
run "$TJ" learn --static -o "$TMP/m.json" "$TMP/m"
expect_rc 0
expect_err_contains "INCOMPLETE: 1 reachable place"
expect_err_contains "m: _start at 0x"
expect_err_contains "loaded from memory"
expect_file_contains "$TMP/m.json" "INCOMPLETE"
run "$TJ" learn --static --strict --force -o "$TMP/m.json" "$TMP/m"
expect_rc 1

t "a script is analysed through its interpreter, and the output says so"
printf '#!/bin/sh\necho hi\n' >"$TMP/s.sh"
chmod +x "$TMP/s.sh"
run "$TJ" learn --static -o "$TMP/s.json" "$TMP/s.sh"
expect_rc 0
expect_err_contains "is a script: analysed through its interpreter /bin/sh"
run "$TJ" --profile "$TMP/s.json" -- "$TMP/s.sh"
expect_rc 0
expect_out_contains "hi"

t "bad input: missing, not ELF, truncated, corrupt"
run "$TJ" learn --static -o "$TMP/bad.json" "$TMP/nonexistent"
expect_rc 127
expect_err_contains "cannot open '$TMP/nonexistent'"
printf 'just text\n' >"$TMP/text"
run "$TJ" learn --static -o "$TMP/bad.json" "$TMP/text"
expect_rc 126
expect_err_contains "'$TMP/text' is not an ELF file"
head -c 9000 /bin/true >"$TMP/trunc"
run "$TJ" learn --static -o "$TMP/bad.json" "$TMP/trunc"
expect_rc 126
expect_err_contains "'$TMP/trunc': offset 0x"
[ ! -e "$TMP/bad.json" ] || fail "a failed analysis wrote a profile"
run "$TJ" learn --static -o "$TMP/bad.json"
expect_rc 125
expect_err_contains "no program given"

t "-o never writes through a symbolic link"
ln -s "$TMP/victim" "$TMP/link.json"
run "$TJ" learn --static --force -o "$TMP/link.json" /bin/true
expect_rc 125
expect_err_contains "is a symbolic link"
[ ! -e "$TMP/victim" ] || fail "the link's target was written"

t "summaries are cached per user; a second run takes them from the cache"
export XDG_CACHE_HOME="$TMP/cache-static"
run "$TJ" learn --static -v -o "$TMP/c1.json" /bin/ls
expect_rc 0
expect_err_contains ", analysed,"
expect_err_lacks "from the cache"
[ "$(stat -c %a "$XDG_CACHE_HOME/tinyjail/static")" = 700 ] || fail "the cache directory is not mode 700"
run "$TJ" learn --static -v -o "$TMP/c2.json" /bin/ls
expect_rc 0
expect_err_contains "from the cache"
expect_err_lacks ", analysed,"
cmp -s "$TMP/c1.json" "$TMP/c2.json" || fail "the cached analysis wrote another profile"
run "$TJ" learn --static --no-cache -v -o "$TMP/c3.json" /bin/ls
expect_err_lacks "from the cache"

t "a cache directory others can write is not used (and the analysis still runs)"
chmod 777 "$XDG_CACHE_HOME/tinyjail/static"
run "$TJ" learn --static -v -o "$TMP/c4.json" /bin/ls
expect_rc 0
expect_err_contains "not using the summary cache"
expect_err_contains "writable by group or others"
expect_err_lacks "from the cache"
chmod 700 "$XDG_CACHE_HOME/tinyjail/static"

t "a corrupted cache entry is a miss, never a different result"
for f in "$XDG_CACHE_HOME"/tinyjail/static/*; do
	printf 'garbage' | dd of="$f" bs=1 seek=200 conv=notrunc status=none
done
run "$TJ" learn --static -v -o "$TMP/c5.json" /bin/ls
expect_rc 0
expect_err_lacks "from the cache"
cmp -s "$TMP/c1.json" "$TMP/c5.json" || fail "a corrupted cache changed the profile"

finish
