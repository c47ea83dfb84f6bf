#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Isolation layers on the real kernel: Landlock, namespaces, privileges,
# environment, the hardening filter, size-limited directories.  Each seed
# policy gets a case that attempts the violation and checks that it failed
# (and left no trace), next to one showing the legitimate use still works.
. "$(dirname "$0")/lib.sh"

# A filesystem view in which ordinary dynamically linked programs run.
VIEW="--ro /usr --ro /lib --ro /lib64 --ro /bin --ro /etc --ro $(dirname "$PROBE")"
# The command runs as root without capabilities (so DAC applies to it) or
# as nobody: each gets a write directory of its own.
DL=$TMP/dl
NDL=$TMP/nobody-dl
mkdir -p "$DL" "$NDL"
chown nobody "$NDL"

landlock_abi() {
	"$PROBE" syscall 444 0 0 1 | sed -n 's/^syscall 444 = \([0-9]*\)$/\1/p'
}
ABI=$(landlock_abi)

t "FS-001: writes only under the write directory; elsewhere nothing is created"
run "$TJ" -q $VIEW --rw "$DL" -- sh -c "echo data > '$DL/ok' && echo more > '$TMP/outside'"
expect_rc 2
expect_err_contains "Permission denied"
expect_file_contains "$DL/ok" data
[ -e "$TMP/outside" ] && fail "a file was created outside the write directory"
# Root without capabilities would otherwise write every root-owned file.
run "$TJ" -q $VIEW -- sh -c "touch /usr/tj-isolation-test"
expect_rc 1
[ -e /usr/tj-isolation-test ] && { rm -f /usr/tj-isolation-test; fail "/usr was written"; }

t "FS-002/FS-006: nothing outside the view can be read; system directories are read-only"
mkdir -p "$TMP/home/.ssh"
echo secret-key >"$TMP/home/.ssh/id"
run "$TJ" -q $VIEW -- cat "$TMP/home/.ssh/id"
expect_rc 1
expect_err_contains "Permission denied"
case "$out" in *secret-key*) fail "the file was read" ;; esac
run "$TJ" -q $VIEW --ro "$TMP/home" -- cat "$TMP/home/.ssh/id"
expect_rc 0
expect_out_contains secret-key
# /etc only when asked: a view without it cannot read the password file.
run "$TJ" -q --ro /usr --ro /lib --ro /lib64 --ro /bin -- cat /etc/passwd
expect_rc 1
# The devices every program uses stay usable inside a view.
run "$TJ" -q $VIEW -- sh -c 'echo x >/dev/null && head -c 8 /dev/urandom | wc -c'
expect_rc 0
expect_out_contains 8

t "FS-004: files in the write directory cannot be executed"
cp "$PROBE" "$DL/payload"
chmod 755 "$DL/payload"
run "$TJ" -q $VIEW --rw "$DL" --noexec "$DL" -- "$DL/payload" exit 0
expect_rc 126
expect_err_contains "cannot execute"
# The same file runs without --noexec: the refusal is the option's doing.
run "$TJ" -q $VIEW --rw "$DL" -- "$DL/payload" exit 0
expect_rc 0
# And from inside: a shell cannot run what it downloaded either.
run "$TJ" -q $VIEW --rw "$DL" --noexec "$DL" -- sh -c "cp '$PROBE' '$DL/p2' && chmod +x '$DL/p2' && '$DL/p2' exit 0"
expect_rc 126
# The mount stays private: the host sees no noexec mount afterwards.
grep -q " $DL " /proc/self/mountinfo && fail "a mount leaked to the host"
rm -f "$DL/payload" "$DL/p2"

t "FS-005: a size-limited write directory stops at its limit and loses nothing"
lim=$TMP/lim
mkdir -p "$lim"
echo before >"$lim/existing"
run "$TJ" -q --rw-limit "$lim=1M" -- sh -c "
	cat '$lim/existing' &&
	head -c 300000 /dev/urandom > '$lim/a' &&
	mkdir '$lim/sub' && echo nested > '$lim/sub/b' &&
	head -c 2000000 /dev/zero > '$lim/big'; echo big=\$?"
expect_rc 0
expect_out_contains before
expect_out_contains "big=1"
# Everything written before the limit was reached is on the host.
[ "$(stat -c %s "$lim/a" 2>/dev/null)" = 300000 ] || fail "a: $(stat -c %s "$lim/a" 2>&1)"
expect_file_contains "$lim/sub/b" nested
expect_file_contains "$lim/existing" before
big=$(stat -c %s "$lim/big" 2>/dev/null || echo 0)
[ "$big" -lt 1048576 ] || fail "big is $big bytes, above the 1M limit"
# Files the command deletes are not deleted on the host (merge, documented).
run "$TJ" -q --rw-limit "$lim=1M" -- rm "$lim/existing"
expect_rc 0
expect_file_contains "$lim/existing" before
# More than the limit already there: refuse to start, say why.
run "$TJ" -q --rw-limit "$lim=64K" -- "$PROBE" exit 0
expect_rc 125
expect_err_contains "already holds more than its limit"
# Set-user-ID bits never come back to the host.
rm -f "$lim/big" "$lim/a"
run "$TJ" -q --rw-limit "$lim=1M" -- sh -c "echo x > '$lim/s' && chmod 4755 '$lim/s'"
expect_rc 0
[ -u "$lim/s" ] && fail "a set-user-ID file was copied back"

t "FS-005 without root: the limit works for an unprivileged user"
ulim=$TMP/ulim
mkdir -p "$ulim"
chown nobody "$ulim"
run_nobody "$TJ" -q --rw-limit "$ulim=128K" -- sh -c "echo kept > '$ulim/f'; head -c 200000 /dev/zero > '$ulim/g'; echo g=\$?"
expect_rc 0
expect_out_contains "g=1"
expect_file_contains "$ulim/f" kept

t "MEM-002: no new processes, but threads work"
run "$TJ" -q --no-fork -- "$PROBE" forks 1 0
expect_rc 0
expect_out_contains "1"
run "$TJ" -q --no-fork -- "$PROBE" thread getpid
expect_rc 0
run "$TJ" -q --no-fork -- sh -c "$PROBE exit 0"
[ "$rc" -ne 0 ] || fail "the shell started a child"
run "$TJ" -q --no-fork -- /usr/bin/python3 -c '
import threading, os
t = threading.Thread(target=print, args=("thread ran",)); t.start(); t.join()
try:
    os.fork(); print("forked")
except PermissionError:
    print("fork refused")'
expect_rc 0
expect_out_contains "thread ran"
expect_out_contains "fork refused"
# Control: without the option the same program forks.
run "$TJ" -q -- "$PROBE" forks 1 0
expect_out_contains "0"

t "MEM-002: no exec of anything but the command (and its ELF interpreter)"
run "$TJ" -q --no-exec -- sh -c 'echo started; ls / >/dev/null'
expect_rc 126
expect_out_contains started
expect_err_contains "Permission denied"
run "$TJ" -q --no-exec -- ls /
expect_rc 0
run "$TJ" -v --no-exec -- "$PROBE" exit 0
expect_rc 0
expect_err_contains "execute only $PROBE"

t "MEM-005: no writable or anonymous executable memory; dynamic programs still start"
run "$TJ" -q --deny-write-execute -- "$PROBE" syscall mmap 0 4096 7 0x22 -1 0
expect_rc 1
run "$TJ" -q --deny-write-execute -- "$PROBE" syscall mmap 0 4096 5 0x22 -1 0
expect_rc 1
# mprotect(PROT_EXEC) on an unmapped page: ENOMEM (12) from the kernel when
# allowed, EPERM (1) from the filter.
run "$TJ" -q --deny-write-execute -- "$PROBE" syscall mprotect 0 4096 4
expect_rc 1
run "$TJ" -q -- "$PROBE" syscall mprotect 0 4096 4
expect_rc 12
run "$TJ" -q --deny-write-execute -- ls /
expect_rc 0
run "$TJ" -q --deny-write-execute -- /usr/bin/python3 -c 'print("python ran")'
expect_rc 0
expect_out_contains "python ran"
run "$TJ" -q --deny-write-execute -- /usr/bin/python3 -c '
import mmap
mmap.mmap(-1, 4096, prot=mmap.PROT_READ | mmap.PROT_WRITE | mmap.PROT_EXEC)'
expect_rc 1
expect_err_contains PermissionError

t "SEC-001: runs as nobody with no capabilities; a setuid binary gains nothing"
run "$TJ" -q --user nobody -- sh -c 'id -u; id -g; id -G; grep -E "^Cap(Prm|Eff|Bnd|Amb|Inh)" /proc/self/status'
expect_rc 0
[ "$(printf '%s\n' "$out" | sed -n 1p)" = 65534 ] || fail "uid: $out"
[ "$(printf '%s\n' "$out" | sed -n 3p)" = "$(id -g nobody)" ] || fail "groups: $out"
[ "$(printf '%s\n' "$out" | grep -c '0000000000000000$')" = 5 ] || fail "capabilities left: $out"
cp "$PROBE" "$TMP/suid-probe"
chmod 4755 "$TMP/suid-probe"
run "$TJ" -q --user nobody -- "$TMP/suid-probe" syscall geteuid
expect_rc 0
expect_out_contains "= 65534"
run "$TJ" -q --user nobody -- sh -c 'echo $USER $HOME'
expect_out_contains "nobody"
# Root stays uid 0 but loses every capability unless it keeps some.
run "$TJ" -q -- grep CapEff /proc/self/status
expect_out_contains "0000000000000000"
run "$TJ" -q --cap-keep NET_BIND_SERVICE -- grep CapEff /proc/self/status
expect_out_contains "0000000000000400"
run "$TJ" -q --user no-such-user-here -- true
expect_rc 125
expect_err_contains "no user named"

t "SEC-002: secrets in the environment never reach the command"
run env DB_PASSWORD=hunter2 API_KEY=k MY_SECRET=s TJ_OK=1 "$TJ" -q --env-all -- env
expect_rc 0
case "$out" in *hunter2* | *API_KEY* | *MY_SECRET*) fail "a secret passed: $out" ;; esac
expect_out_contains "TJ_OK=1"
cat >"$TMP/env.json" <<EOF
{"tinyjail": {"version": 1, "environment": {"keep": ["TJ_*"], "deny": ["TJ_HIDDEN"]}},
 "process": {"env": ["FROM_PROFILE=yes"]}}
EOF
run env TJ_SHOWN=1 TJ_HIDDEN=2 "$TJ" -q --profile "$TMP/env.json" -- env
expect_out_contains "TJ_SHOWN=1"
expect_out_contains "FROM_PROFILE=yes"
case "$out" in *TJ_HIDDEN*) fail "a denied name passed" ;; esac

t "SEC-003: network interfaces and configuration cannot be changed"
run "$TJ" -q --profile none -- ip link add tjdummy0 type dummy
[ "$rc" -ne 0 ] || { ip link del tjdummy0 2>/dev/null; fail "an interface was added"; }
ip link show tjdummy0 >/dev/null 2>&1 && { ip link del tjdummy0; fail "tjdummy0 exists on the host"; }
run "$TJ" -q --profile none -- ip link set lo down
[ "$rc" -ne 0 ] || fail "lo was set down"
ip -br link show lo | grep -q UP || { ip link set lo up; fail "the host's lo went down"; }
# With its own network namespace the command sees only its loopback.
run "$TJ" -q --unshare net -- cat /proc/net/dev
expect_rc 0
[ "$(printf '%s\n' "$out" | tail -n +3 | wc -l)" = 1 ] || fail "interfaces: $out"
expect_out_contains "lo:"

t "SEC-004: only TERM and INT may be sent"
# The victim is the command's own child: nothing outside the sandbox can be
# signalled at all (security.md).
run "$TJ" -q --signals TERM,INT -- sh -c "\"$PROBE\" sleep 30 & v=\$!
kill -HUP \$v; echo hup=\$?; kill -KILL \$v; echo kill=\$?; kill -0 \$v; echo check=\$?
kill -TERM \$v; echo term=\$?; wait \$v; echo status=\$?"
expect_out_contains "hup=1"
expect_out_contains "kill=1"
expect_out_contains "check=0"
expect_out_contains "term=0"
expect_out_contains "status=143"

t "SEC-005: no kernel memory, modules or raw I/O"
run "$TJ" -q -- grep -E '^Cap(Eff|Bnd)' /proc/self/status
expect_out_contains "CapBnd:	0000000000000000"
# Without capabilities the kernel refuses device nodes (so no /dev/mem of
# one's own) even with no filter at all.
run "$TJ" -q --profile none -- "$PROBE" syscall mknodat -100 "$TMP/mem" 0x21b6 0x101
[ -e "$TMP/mem" ] && fail "a device node was created"
run "$TJ" -q --profile none -- sh -c "mknod '$TMP/mem' c 1 1"
[ "$rc" -ne 0 ] || fail "mknod worked"
[ -e "$TMP/mem" ] && fail "a device node was created"
# The profiles refuse the calls outright (this kernel may not even have
# modules or kexec: the control shows what the kernel itself answers).
for call in finit_module init_module delete_module kexec_load iopl ioperm perf_event_open open_by_handle_at bpf \
	keyctl add_key userfaultfd ptrace; do
	run "$TJ" -q --profile strict -- "$PROBE" syscall "$call"
	[ "$rc" -eq 159 ] || fail "strict: $call: exit $rc, expected SIGSYS (159)"
	run "$TJ" -q --profile default -- "$PROBE" syscall "$call"
	[ "$rc" -eq 159 ] || fail "default: $call: exit $rc, expected SIGSYS (159)"
done

t "terminal input cannot be injected (TIOCSTI)"
# EPERM (1) from the filter, where the kernel would answer ENOTTY (25): in
# every mode, --profile none included (security.md).
run "$TJ" -q -- "$PROBE" syscall ioctl 0 0x5412 0 </dev/null
expect_rc 1
run "$TJ" -q --profile none -- "$PROBE" syscall ioctl 0 0x5412 0 </dev/null
expect_rc 1
# The control: without tinyjail the kernel answers.
run "$PROBE" syscall ioctl 0 0x5412 0 </dev/null
expect_rc 25

t "terminal input cannot be injected through the i386 ABI either (int 0x80)"
# ioctl is 54 on i386.  --profile none has no profile filter at all, and a
# profile that lists SCMP_ARCH_X86 admits i386 calls: the hardening filter
# holds on every ABI (security.md, item 11).
run "$PROBE" i386 54 0 0x5412 0 </dev/null
if [ "$rc" -ne 25 ]; then
	skip_host_kernel "no i386 calls (int 0x80 gave exit $rc: no IA32 emulation)"
else
	cat >"$TMP/x86.json" <<'EOF'
{"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86"]}
EOF
	for opts in "--profile none" "--profile $TMP/x86.json"; do
		# shellcheck disable=SC2086
		run "$TJ" -q $opts -- "$PROBE" i386 54 0 0x5412 0 </dev/null
		expect_rc 1
		expect_out_contains "i386 syscall 54 = -1 (EPERM)"
		# TIOCLINUX (0x541C) too.
		# shellcheck disable=SC2086
		run "$TJ" -q $opts -- "$PROBE" i386 54 0 0x541C 0 </dev/null
		expect_rc 1
	done
	# Other i386 calls still pass (getpid, 20).
	run "$TJ" -q --profile none -- "$PROBE" i386 20
	expect_rc 0
fi

t "namespaces: pid 1 is tinyjail's init, hostname, loopback only, cgroup"
run "$TJ" -q --unshare all --hostname tjbox -- sh -c 'echo $$; hostname; cat /proc/1/comm; ls /proc | grep -c "^[0-9]"'
expect_rc 0
[ "$(printf '%s\n' "$out" | sed -n 1p)" = 2 ] || fail "the command is not pid 2: $out"
expect_out_contains tjbox
expect_out_contains tinyjail
[ "$(printf '%s\n' "$out" | sed -n 4p)" -le 5 ] || fail "too many processes visible: $out"
[ "$(hostname)" != tjbox ] || fail "the host's name changed"

t "pid namespace: exit status, signals forwarded, orphans reaped"
run "$TJ" -q --unshare pid -- sh -c 'exit 7'
expect_rc 7
run "$TJ" -q --unshare pid -- sh -c 'kill -9 $$'
expect_rc 137
"$TJ" -q --unshare pid -- sh -c 'trap "echo got-term; exit 3" TERM; echo ready; while :; do sleep 0.1; done' >"$TMP/fw.out" 2>&1 &
tjpid=$!
for _ in $(seq 50); do grep -q ready "$TMP/fw.out" && break; sleep 0.1; done
kill -TERM "$tjpid"
wait "$tjpid"
rc=$?
expect_rc 3
expect_file_contains "$TMP/fw.out" got-term
# An orphan that outlives the command is reaped, not left a zombie.
run "$TJ" -q --unshare pid -- sh -c 'sh -c "sleep 0.2" & exit 0'
expect_rc 0

t "mount namespace: tmpfs is private and empty; nothing leaks to the host"
mkdir -p "$TMP/scratch"
echo host >"$TMP/scratch/host-file"
run "$TJ" -q --tmpfs "$TMP/scratch" -- sh -c "ls '$TMP/scratch' | wc -l; echo inner > '$TMP/scratch/inner'"
expect_rc 0
expect_out_contains 0
[ -e "$TMP/scratch/inner" ] && fail "the tmpfs contents reached the host"
expect_file_contains "$TMP/scratch/host-file" host
run "$TJ" -q --unshare mount --ro / --rw "$DL" -- sh -c "touch '$TMP/nope'; touch '$DL/yes'"
[ -e "$TMP/nope" ] && fail "--ro / let a write through"
[ -e "$DL/yes" ] || fail "--rw under --ro / did not allow a write"
grep -q "$TMP" /proc/self/mountinfo && fail "a mount leaked to the host"

t "without root: user namespace, Landlock, env and seccomp all work as nobody"
run_nobody "$TJ" -v --unshare all $VIEW --rw "$NDL" -- sh -c "id -u; echo \$\$; echo w > '$NDL/nobody-file'; cat /etc/shadow"
expect_rc 1
expect_out_contains 65534
expect_err_contains "namespaces: applied: user"
expect_err_contains "landlock: applied: ABI"
expect_file_contains "$NDL/nobody-file" w
run_nobody "$TJ" -q --user root -- true
expect_rc 125
expect_err_contains "--unshare user"
run_nobody env DB_PASSWORD=x "$TJ" -q --env-all -- env
case "$out" in *DB_PASSWORD*) fail "a secret passed" ;; esac

t "fail closed: a missing layer stops the run unless degrading was allowed"
# An outer tinyjail hides Landlock from the inner one (ENOSYS).
cat >"$TMP/nolandlock.json" <<'EOF'
{"defaultAction": "SCMP_ACT_ALLOW",
 "syscalls": [{"names": ["landlock_create_ruleset"], "action": "SCMP_ACT_ERRNO", "errnoRet": 38}]}
EOF
run "$TJ" -q --profile "$TMP/nolandlock.json" -- "$TJ" --ro /usr -- touch "$TMP/ran"
expect_rc 125
expect_err_contains "landlock layer: this kernel does not offer Landlock"
[ -e "$TMP/ran" ] && fail "the command ran"
run "$TJ" -q --profile "$TMP/nolandlock.json" -- "$TJ" --allow-degraded landlock --ro /usr -- "$PROBE" exit 0
expect_rc 0
expect_err_contains "warning: landlock degraded"
run "$TJ" -q --ro /no/such/dir -- true
expect_rc 125
expect_err_contains "'/no/such/dir'"

t "Landlock TCP ports (ABI 4): connect only where allowed, on loopback"
if [ "${ABI:-0}" -lt 4 ]; then
	skip "Landlock ABI ${ABI:-none} has no TCP rules"
else
	port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	/usr/bin/python3 -c "
import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('127.0.0.1', $port)); s.listen(8); print('up', flush=True)
while True:
    c, _ = s.accept(); c.sendall(b'hello\n'); c.close()" >"$TMP/srv.out" 2>&1 &
	srv=$!
	for _ in $(seq 50); do grep -q up "$TMP/srv.out" && break; sleep 0.1; done
	run "$TJ" -q --tcp-connect "$port" -- /usr/bin/python3 -c "
import socket; s = socket.create_connection(('127.0.0.1', $port)); print(s.recv(16).decode().strip())"
	expect_rc 0
	expect_out_contains hello
	run "$TJ" -q --tcp-connect 1 -- /usr/bin/python3 -c "
import socket; socket.create_connection(('127.0.0.1', $port))"
	expect_rc 1
	expect_err_contains "Permission denied"
	run "$TJ" -q --tcp-bind none -- /usr/bin/python3 -c "
import socket; socket.socket().bind(('127.0.0.1', 0)); print('bound')"
	expect_rc 1
	kill "$srv" 2>/dev/null
	wait "$srv" 2>/dev/null
fi

t "the legitimate use: curl downloads from a loopback server into the write directory"
if ! command -v curl >/dev/null 2>&1; then
	skip "curl is not installed"
else
	mkdir -p "$TMP/www"
	head -c 200000 /dev/urandom >"$TMP/www/file.bin"
	/usr/bin/python3 -m http.server --bind 127.0.0.1 0 --directory "$TMP/www" >"$TMP/http.out" 2>&1 &
	http=$!
	hport=""
	for _ in $(seq 50); do
		hport=$(sed -n 's/.*port \([0-9]*\).*/\1/p' "$TMP/http.out" | head -1)
		[ -n "$hport" ] && break
		sleep 0.1
	done
	dl2=$TMP/downloads
	mkdir -p "$dl2"
	chown nobody "$dl2"
	run "$TJ" -q --user nobody --unshare pid,ipc,uts,mount $VIEW --rw-limit "$dl2=1M" --noexec "$dl2" \
		--deny-write-execute --no-fork --signals TERM,INT --tcp-connect "$hport" -- \
		curl -sS -o "$dl2/file.bin" "http://127.0.0.1:$hport/file.bin"
	expect_rc 0
	cmp -s "$TMP/www/file.bin" "$dl2/file.bin" || fail "the download differs"
	# The same sandbox refuses a download anywhere else, even into a
	# directory nobody may write to.
	run "$TJ" -q --user nobody $VIEW --rw-limit "$dl2=1M" --tcp-connect "$hport" -- \
		curl -sS -o "$NDL/elsewhere.bin" "http://127.0.0.1:$hport/file.bin"
	[ "$rc" -ne 0 ] || fail "curl wrote outside the write directory"
	[ -e "$NDL/elsewhere.bin" ] && fail "a file was written outside"
	# And cannot connect to any other port.
	run "$TJ" -q --user nobody $VIEW --rw-limit "$dl2=1M" --tcp-connect 1 -- \
		curl -sS -o "$dl2/again.bin" "http://127.0.0.1:$hport/file.bin"
	expect_rc 7
	kill "$http" 2>/dev/null
	wait "$http" 2>/dev/null
fi

t "enforcement manifest: check and -v list each layer and what it applies"
cat >"$TMP/iso.json" <<EOF
{"tinyjail": {"version": 1,
  "filesystem": {"read": ["/usr", "/etc"], "write": ["$DL"]},
  "hardening": {"denyWriteExecute": true}},
 "process": {"user": {"uid": 65534, "gid": 65534}},
 "linux": {"namespaces": [{"type": "pid"}, {"type": "network"}]}}
EOF
run "$TJ" check "$TMP/iso.json"
expect_rc 0
expect_out_contains "namespaces: applied: mount (private), pid"
expect_out_contains "landlock: applied: ABI $ABI; read /usr; read /etc; write $DL"
expect_out_contains "privileges: applied: uid 65534, gid 65534"
expect_out_contains "no capabilities"
expect_out_contains "no W+X memory"

finish
