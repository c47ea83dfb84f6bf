# SPDX-License-Identifier: Apache-2.0
# Launch phase timestamps (include/tj/base/phase.h, bench/phases.py):
# TINYJAIL_PHASES=1 writes one line per phase to stderr, never to stdout,
# nothing without it, and none after the seccomp filter is loaded (the
# profile judges every call from there on, a write to stderr too).
. "$ROOT/tests/integration/lib.sh"

t "TINYJAIL_PHASES=1 names every phase of a launch on stderr"
run env TINYJAIL_PHASES=1 "$TJ" -q --profile strict --unshare all --ro / -- "$PROBE" exit 0
expect_rc 0
expect_out_is ""
for p in main parse isolation filter environment probe launch prepare:mount clone child synced \
	enter:namespaces enter:mount init-fork enter:listener enter:landlock enter:seccomp started:namespaces \
	monitor ended released exit; do
	printf '%s\n' "$err" | grep -Eq "^tinyjail-phase [0-9]+ $p [0-9]+\$" || fail "no phase $p"
done
# The parent's clock and the child's are one clock: clone comes before child.
c=$(printf '%s\n' "$err" | awk '$3 == "clone" { print $4 }')
k=$(printf '%s\n' "$err" | awk '$3 == "child" { print $4 }')
[ -n "$c" ] && [ -n "$k" ] && [ "$k" -gt "$c" ] || fail "child ($k) not after clone ($c)"

t "without TINYJAIL_PHASES nothing is written"
run env -u TINYJAIL_PHASES "$TJ" -q --profile strict -- "$PROBE" exit 0
expect_rc 0
expect_err_lacks "tinyjail-phase"
run env TINYJAIL_PHASES=0 "$TJ" -q --profile strict -- "$PROBE" exit 0
expect_err_lacks "tinyjail-phase"

t "no phase is written once the filter is loaded (a profile that kills write still runs)"
cat >"$TMP/nowrite.json" <<'JSON'
{"defaultAction": "SCMP_ACT_ALLOW",
 "syscalls": [{"names": ["write", "writev"], "action": "SCMP_ACT_KILL_PROCESS"}]}
JSON
run env TINYJAIL_PHASES=1 "$TJ" -q --profile "$TMP/nowrite.json" -- "$PROBE" exit 7
expect_rc 7
expect_err_contains " enter:seccomp "
expect_err_lacks "killed"

t "the binary needs only glibc: libseccomp, json-c, libcap, libdw and libelf are linked in (STATIC_DEPS=1)"
needed=$(readelf -d "$TJ" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
[ -n "$needed" ] || fail "readelf found no NEEDED entries in $TJ"
# The sanitised build adds its runtimes (libasan, libubsan, libstdc++ and
# friends); nothing else may be a shared object of its own.
for lib in $needed; do
	case "$lib" in
	libc.so.* | ld-linux-*.so.* | libm.so.* | libasan.so.* | libubsan.so.* | libstdc++.so.* | libgcc_s.so.*) ;;
	*) fail "$TJ needs $lib at start-up (STATIC_DEPS=1 links it in)" ;;
	esac
done
run env LD_DEBUG=files "$TJ" --version
expect_rc 0
for lib in libseccomp libjson-c libcap libdw libelf libz liblzma libbz2; do
	expect_err_lacks "file=$lib"
done

t "with limits the command is born in its cgroup v2 (CLONE_INTO_CGROUP), and the cgroup is gone afterwards"
v2=$(awk '$9 == "cgroup2" { print $5; exit }' /proc/self/mountinfo)
if [ "$(id -u)" != 0 ] || [ -z "$v2" ] || [ ! -w "$v2" ]; then
	skip "needs root and a writable cgroup v2 hierarchy"
elif ! command -v strace >/dev/null; then
	skip "needs strace"
else
	# LeakSanitizer (the sanitised build) cannot run under ptrace.
	run env ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
		strace -f -qq -e trace=clone3 -o "$TMP/clone3" "$TJ" -q --memory 64M --pids 64 -- cat /proc/self/cgroup
	expect_rc 0
	grep -q "CLONE_INTO_CGROUP" "$TMP/clone3" || fail "clone3 without CLONE_INTO_CGROUP: $(cat "$TMP/clone3")"
	cg=$(printf '%s\n' "$out" | sed -n 's/^0:://p')
	case "$cg" in */tinyjail/tj-*) ;; *) fail "the command is not in its v2 cgroup: $out" ;; esac
	[ ! -e "$v2$cg" ] || fail "$v2$cg is left behind"
fi

t "a kernel or cgroup that refuses CLONE_INTO_CGROUP: the child is moved into its cgroup v2 as before"
if [ "$(id -u)" != 0 ] || [ -z "$v2" ] || [ ! -w "$v2" ]; then
	skip "needs root and a writable cgroup v2 hierarchy"
elif ! has_hooks; then
	skip_without_hooks "the clone-into-cgroup-refused hook"
else
	run env TJ_TEST_HOOK=clone-into-cgroup-refused "$TJ" -q --memory 64M --pids 64 -- cat /proc/self/cgroup
	expect_rc 0
	cg=$(printf '%s\n' "$out" | sed -n 's/^0:://p')
	case "$cg" in */tinyjail/tj-*) ;; *) fail "the command is not in its v2 cgroup: $out" ;; esac
	[ ! -e "$v2$cg" ] || fail "$v2$cg is left behind"
fi

t "a launch loads no library it does not use: ncurses, libbpf and capstone come on first use"
needed=$(readelf -d "$TJ" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
[ -n "$needed" ] || fail "readelf found no NEEDED entries in $TJ"
for lib in libncurses libtinfo libbpf libcapstone; do
	case "$needed" in *"$lib"*) fail "$TJ is linked against $lib" ;; esac
done
run env LD_DEBUG=files "$TJ" -q -- "$PROBE" exit 0
expect_rc 0
for lib in libncurses libtinfo libbpf libcapstone; do
	expect_err_lacks "file=$lib"
done
# The host rules load libbpf in the parent before the command starts.
if [ "$(id -u)" = 0 ]; then
	run env LD_DEBUG=files "$TJ" -q --net host --net-ports 443 -- "$PROBE" exit 0
	expect_rc 0
	printf '%s\n' "$err" | grep -q "file=libbpf" || fail "--net host with rules did not load libbpf"
fi

finish
