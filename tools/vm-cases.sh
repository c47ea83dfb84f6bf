#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# /init of tools/vm-test.sh's initramfs (busybox sh): mounts a pure cgroup v2
# hierarchy and runs tinyjail cases on this kernel; prints "VMTEST ..." lines
# for the host to read, then powers off.
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs dev /dev 2>/dev/null
mount -t tmpfs tmpfs /tmp
mkdir -p /sys/fs/cgroup
mount -t cgroup2 cgroup2 /sys/fs/cgroup
hostname vm

pass=0 fail=0
ok() { pass=$((pass + 1)); echo "VMTEST ok   $1"; }
bad() { fail=$((fail + 1)); echo "VMTEST FAIL $1: $2"; }
# check NAME EXPECTED-EXIT CMD...: runs CMD, keeps its stderr in $err
check() {
	name=$1 want=$2
	shift 2
	"$@" >/tmp/out 2>/tmp/err
	rc=$?
	err=$(cat /tmp/err)
	out=$(cat /tmp/out)
	if [ "$rc" -eq "$want" ]; then ok "$name"; else bad "$name" "exit $rc, expected $want: $(head -c 300 /tmp/err)"; fi
}
has() { case "$2" in *"$3"*) ok "$1" ;; *) bad "$1" "lacks '$3' in: $(printf '%s' "$2" | head -c 300)" ;; esac; }

echo "VMTEST kernel $(uname -r), cgroup controllers: $(cat /sys/fs/cgroup/cgroup.controllers)"
# Before an init passes controllers down (as systemd does), tinyjail says
# how to do it rather than reshape a cgroup it did not make.
check "without delegated controllers: refused (125)" 125 tinyjail --profile none --memory 32M -- true
has "the fix is named" "$err" "does not pass it to child cgroups (enable it: echo +memory > /sys/fs/cgroup/cgroup.subtree_control)"
echo "+cpu +memory +pids" >/sys/fs/cgroup/cgroup.subtree_control

check "runs under the default profile" 0 tinyjail -- probe exit 0
check "seccomp kill is named (159)" 159 tinyjail --profile strict -- probe syscall ptrace 16 999999999
has "the kill names the call" "$err" "killed by seccomp: ptrace("

# cgroup v2 limits
check "memory limit kills past 32M (137)" 137 tinyjail --profile none --memory 32M -- probe alloc 64
has "memory: the message" "$err" "killed: memory limit 32M reached"
check "memory limit lets 16M run" 0 tinyjail --profile none -v --memory 64M -- probe alloc 16
has "memory: cgroup v2 in the manifest" "$err" "cgroup v2"
# uid 0 without capabilities could move itself to the parent cgroup; the
# cgroup2 mount is read-only in its mount namespace.
check "cgroup: a uid-0 command cannot leave its cgroup" 0 tinyjail --profile none --memory 64M -- \
	sh -c 'cg=$(sed -n "s/^0:://p" /proc/self/cgroup); echo $$ >"/sys/fs/cgroup${cg%/*}/cgroup.procs"; cat /proc/self/cgroup'
has "cgroup: the write failed" "$err" "Read-only file system"
has "cgroup: still in the sandbox cgroup" "$out" "/tinyjail/tj-"
check "pids limit refuses forks" 0 tinyjail --profile none --pids 8 -- probe forks 20 1
case "$out" in
"probe: 0 of"* | "") bad "pids: forks were refused" "printed '$out'" ;;
*" of 20 forks failed"*) ok "pids: forks were refused ($out)" ;;
*) bad "pids: forks were refused" "printed '$out'" ;;
esac
check "cpu limit runs" 0 tinyjail --profile none --cpu 20% --json-status /tmp/st.json -- probe spin 1
has "cpu: throttled periods recorded" "$(cat /tmp/st.json)" "\"cpu_throttled_periods\": "
check "timeout kills the tree (124)" 124 tinyjail --profile none --timeout 1s -- probe sleep 20
# tinyjail's own parent cgroup stays (runs share it); no sandbox cgroup does.
left=$(find /sys/fs/cgroup/tinyjail -mindepth 1 -type d 2>/dev/null | wc -l)
[ "$left" -eq 0 ] && ok "no sandbox cgroup left behind" || bad "no sandbox cgroup left behind" "$left left"

# Landlock ABI 2 on 6.1: file rules work, TCP port rules fail closed, and a
# view without a network namespace cannot keep the command from the host's
# abstract sockets (no scoping before ABI 6): refused unless allowed.
VIEW="--ro /bin --ro /lib --ro /lib64 --ro /usr"
check "landlock view denies reads outside it" 1 tinyjail --profile none --unshare net $VIEW -- cat /etc/passwd
check "landlock view allows reads inside it" 0 tinyjail --profile none --unshare net $VIEW --ro /etc -- cat /etc/passwd
check "a view without scoping or a network namespace: refused (125)" 125 tinyjail --profile none $VIEW -- true
has "the refusal names the abstract sockets" "$err" "abstract UNIX sockets without Landlock ABI 6"
check "--allow-degraded unix-sockets runs the view" 1 tinyjail --profile none --allow-degraded unix-sockets $VIEW -- cat /etc/passwd
has "that degradation is reported" "$err" "abstract UNIX sockets reachable"
check "TCP port rules need ABI 4: refused (125)" 125 tinyjail --profile none --tcp-connect 80 -- probe exit 0
has "the refusal names the ABI" "$err" "need Landlock ABI 4"
check "--allow-degraded landlock-net runs" 0 tinyjail --profile none --allow-degraded landlock-net --tcp-connect 80 -- probe exit 0
has "the degradation is reported" "$err" "landlock degraded"

# Namespaces, identity and the pid namespace's init.
check "unshare all: the command is pid 2" 0 tinyjail --profile none --unshare all --hostname box -- sh -c 'echo $$ $(hostname)'
has "pid 2 in box" "$out" "2 box"
check "runs as nobody" 0 tinyjail --profile none --user nobody -- probe syscall geteuid
has "uid 65534" "$out" "= 65534"
check "size-limited directory" 0 tinyjail --profile none --rw-limit /tmp/dl=64K -- sh -c 'echo kept > /tmp/dl/f; head -c 100000 /dev/zero > /tmp/dl/g; true'
has "what was written came back" "$(cat /tmp/dl/f 2>&1)" "kept"

# tinyjail's own processes without Landlock's signal scoping (issue 16):
# the command is still in a Landlock domain (ptrace rule, ABI 2) that
# restricts nothing else, and the guard filter refuses signals to tinyjail.
check "own domain on ABI 2 is reported" 0 tinyjail -v --profile none -- true
has "ptrace rule, no scoping" "$err" "cannot ptrace or read the memory of processes outside the sandbox; no scoping"
check "renames across directories still work in that domain" 0 tinyjail --profile none -- \
	sh -c 'mkdir -p /tmp/ra /tmp/rb && echo x >/tmp/ra/f && mv /tmp/ra/f /tmp/rb/f && cat /tmp/rb/f'
check "the parent's memory cannot be opened (13)" 13 tinyjail --profile none -- probe attack mem parent
check "the guard refuses SIGSTOP to tinyjail (1)" 1 tinyjail --profile none -- probe attack kill parent 19
check "the guard refuses F_SETOWN to tinyjail (1)" 1 tinyjail --profile none -- probe attack setown parent 9
check "the guard refuses a pidfd of tinyjail (1)" 1 tinyjail --profile none -- probe attack pidfd parent 9
# The filter cache's integrity key comes from the per-user agent, which on
# 6.1 identifies its peers without SO_PEERPIDFD (Linux 6.5).
export HOME=/root
check "a first run stores a sealed entry" 0 tinyjail -v --profile strict -- probe exit 0
has "stored" "$err" "compiled filter stored in the cache"
check "the next takes it from the cache" 0 tinyjail -v --profile strict -- probe exit 0
has "taken" "$err" "compiled filter taken from the cache"
check "a sandboxed command gets no key from the agent" 0 tinyjail -q --profile none -- probe unix @tinyjail-integrity-0 read
has "no key" "$out" "read 0 bytes"
# Host UNIX sockets with an isolated network: covered (ECONNREFUSED, 111).
probe listen unix /tmp/host.sock 60 >/tmp/srv.out &
sleep 1
check "the host socket answers without isolation" 0 tinyjail --profile none -- probe unix /tmp/host.sock
check "--net none: the host socket is covered (111)" 111 tinyjail --profile none --net none -- probe unix /tmp/host.sock
check "--unshare net with a view: covered too (111)" 111 tinyjail --profile none --unshare net $VIEW --ro /tmp -- probe unix /tmp/host.sock
# TIOCSTI through the i386 ABI (int 0x80; ioctl is 54): this kernel runs
# i386 calls, the host's may not.  The filter answers EPERM (1) in every
# mode; without tinyjail the kernel answers ENOTTY (25) for /dev/null.
check "i386: the kernel answers TIOCSTI on /dev/null (25)" 25 sh -c 'exec probe i386 54 0 0x5412 0 </dev/null'
check "i386: TIOCSTI refused with --profile none (1)" 1 sh -c 'exec tinyjail -q --profile none -- probe i386 54 0 0x5412 0 </dev/null'
check "i386: other i386 calls pass (getpid)" 0 tinyjail -q --profile none -- probe i386 20

echo "VMTEST totals $pass passed, $fail failed"
poweroff -f
