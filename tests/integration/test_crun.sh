# SPDX-License-Identifier: Apache-2.0
# Interoperability: what tinyjail writes, other OCI tools must accept.  The
# output of `tinyjail compile --oci` goes into an OCI bundle's
# linux.seccomp, and crun must run the container with it: what the profile
# allows works, what it kills is killed, what it answers with an errno gets
# that errno.
. "$ROOT/tests/integration/lib.sh"
. "$ROOT/tests/integration/crun_lib.sh"

BUNDLE="$TMP/bundle"
ID_BASE="tj-it-$$"

t "crun is available and runs a container here"
crun_setup

if [ "$ready" = 1 ]; then
	run "$TJ" compile "$ROOT/policies/default.json" --oci "$TMP/default.oci.json"
	[ "$rc" -eq 0 ] || fail "compile --oci default.json failed"
	run "$TJ" compile strict --oci "$TMP/strict.oci.json"
	[ "$rc" -eq 0 ] || fail "compile --oci strict failed"
fi

t "without seccomp: the calls the profiles deny work in the container"
if [ "$ready" = 1 ]; then
	# The controls.  ptrace(PTRACE_ATTACH, 999999999) fails with ESRCH;
	# socket with a bad family with EAFNOSUPPORT; io_uring_setup(0, NULL)
	# with something other than ENOSYS.
	configure none /bin/probe syscall ptrace 16 999999999
	crun_run
	expect_rc 3
	configure none /bin/probe syscall socket 9999 0 0
	crun_run
	expect_rc 97
	configure none /bin/probe syscall io_uring_setup 0 0
	crun_run
	[ "$rc" -ne 38 ] && [ "$rc" -ne 0 ] || fail "io_uring_setup gave $rc without a filter"
else
	skip "crun is not usable"
fi

t "crun accepts the exported default profile and runs what it allows"
if [ "$ready" = 1 ]; then
	configure "$TMP/default.oci.json" /bin/busybox true
	crun_run
	expect_rc 0
	expect_err_lacks "seccomp"
	configure "$TMP/default.oci.json" /bin/busybox sh -c 'echo hi | /bin/busybox tr a-z A-Z'
	crun_run
	expect_rc 0
	expect_out_contains "HI"
	configure "$TMP/default.oci.json" /bin/probe syscall socket 9999 0 0
	crun_run
	expect_rc 97
else
	skip "crun is not usable"
fi

t "under crun, the exported default profile kills ptrace"
if [ "$ready" = 1 ]; then
	configure "$TMP/default.oci.json" /bin/probe syscall ptrace 16 999999999
	crun_run
	# SIGSYS from the kernel's SECCOMP_RET_KILL_PROCESS: 128 + 31.
	expect_rc 159
	case "$out" in *"syscall 101"*) fail "ptrace returned" ;; esac
	# busybox linux32 needs personality(2), which default.json kills;
	# without the filter it runs.
	configure "$TMP/default.oci.json" /bin/busybox linux32 /bin/busybox true
	crun_run
	expect_rc 159
	configure none /bin/busybox linux32 /bin/busybox true
	crun_run
	[ "$rc" -ne 159 ] || fail "linux32 was killed without a filter"
else
	skip "crun is not usable"
fi

t "under crun, ERRNO rules answer with the profile's errno"
if [ "$ready" = 1 ]; then
	# default.json answers io_uring_setup with ENOSYS (38).
	configure "$TMP/default.oci.json" /bin/probe syscall io_uring_setup 0 0
	crun_run
	expect_rc 38
	cat >"$TMP/errno.json" <<'EOF'
{"defaultAction": "SCMP_ACT_ALLOW",
 "syscalls": [{"names": ["ptrace"], "action": "SCMP_ACT_ERRNO", "errnoRet": 77},
              {"names": ["socket"], "action": "SCMP_ACT_ERRNO", "errnoRet": 79,
               "args": [{"index": 0, "value": 9999, "op": "SCMP_CMP_EQ"}]}]}
EOF
	run "$TJ" compile "$TMP/errno.json" --oci "$TMP/errno.oci.json"
	expect_rc 0
	configure "$TMP/errno.oci.json" /bin/probe syscall ptrace 16 999999999
	crun_run
	expect_rc 77
	configure "$TMP/errno.oci.json" /bin/probe syscall socket 9999 0 0
	crun_run
	expect_rc 79
	configure "$TMP/errno.oci.json" /bin/probe syscall socket 9998 0 0
	crun_run
	expect_rc 97
else
	skip "crun is not usable"
fi

t "under crun, the exported strict profile kills sockets and new processes"
if [ "$ready" = 1 ]; then
	configure "$TMP/strict.oci.json" /bin/probe syscall socket 9999 0 0
	crun_run
	expect_rc 159
	configure "$TMP/strict.oci.json" /bin/probe syscall getpid
	crun_run
	expect_rc 0
	configure "$TMP/strict.oci.json" /bin/probe fork getpid
	crun_run
	expect_rc 159
	# The same commands under tinyjail give the same results.
	run "$TJ" --profile "$TMP/strict.oci.json" -- "$PROBE" syscall socket 9999 0 0
	expect_rc 159
	run "$TJ" --profile "$TMP/strict.oci.json" -- "$PROBE" fork getpid
	expect_rc 159
else
	skip "crun is not usable"
fi

t "crun accepts exported profiles built from syscall groups"
if [ "$ready" = 1 ]; then
	# Groups, exclusions and constrained members become plain OCI rules.
	run "$TJ" compile "$ROOT/policies/static-tool.json" --oci "$TMP/static-tool.oci.json"
	expect_rc 0
	run "$TJ" compile "$ROOT/policies/curl-download.json" --oci "$TMP/curl-download.oci.json"
	expect_rc 0
	configure "$TMP/static-tool.oci.json" /bin/busybox sha256sum /bin/busybox
	crun_run
	expect_rc 0
	expect_out_contains "/bin/busybox"
	configure "$TMP/static-tool.oci.json" /bin/busybox sh -c '/bin/busybox true | /bin/busybox true'
	crun_run
	expect_rc 159
	# W^X from @memory: read-write memory works, writable+executable is killed
	configure "$TMP/curl-download.oci.json" /bin/probe syscall 9 0 4096 3 0x22 -1 0
	crun_run
	expect_rc 0
	configure "$TMP/curl-download.oci.json" /bin/probe syscall 9 0 4096 7 0x22 -1 0
	crun_run
	expect_rc 159
	# @threads: a thread starts (clone3 answers ENOSYS, clone follows)
	configure "$TMP/curl-download.oci.json" /bin/probe thread getpid
	crun_run
	expect_rc 0
else
	skip "crun is not usable"
fi

t "conformance with crun (issue 20): masked datum, big-endian architectures, wrapped errnoRet"
if [ "$ready" = 1 ]; then
	# MASKED_EQ whose valueTwo has bits outside the mask: libseccomp masks it,
	# so crun and tinyjail both match (flags & 0xff) == 0xff.
	masked='{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["dup3"], "action": "SCMP_ACT_ERRNO",
	 "errnoRet": 77, "args": [{"index": 2, "value": 255, "valueTwo": 511, "op": "SCMP_CMP_MASKED_EQ"}]}]}'
	printf '%s\n' "$masked" >"$TMP/masked.json"
	for case in 0x2ff:77 0:9; do
		flags=${case%:*}
		configure "$masked" /bin/probe syscall dup3 999 998 $flags
		crun_run
		[ "$rc" = "${case#*:}" ] || fail "crun: dup3 flags $flags exits $rc, expected ${case#*:}"
		run "$TJ" --profile "$TMP/masked.json" -- "$PROBE" syscall dup3 999 998 $flags
		expect_rc "${case#*:}"
	done
	# Big-endian architectures: libseccomp cannot add them here; crun refuses
	# the profile, and so does tinyjail (before anything runs).
	big='{"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_S390X"], "syscalls": []}'
	printf '%s\n' "$big" >"$TMP/big.json"
	configure "$big" /bin/busybox echo ran
	crun_run
	[ "$rc" -ne 0 ] || fail "crun ran a profile listing SCMP_ARCH_S390X"
	expect_out_lacks "ran"
	run "$TJ" --profile "$TMP/big.json" -- /bin/echo ran
	expect_rc 125
	expect_err_contains "SCMP_ARCH_S390X is a big-endian architecture"
	# errnoRet 65537: crun keeps the low 16 bits (EPERM) and runs; tinyjail
	# refuses the value (a deliberate, documented difference).
	wrapped='{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["getpgrp"], "action": "SCMP_ACT_ERRNO", "errnoRet": 65537}]}'
	printf '%s\n' "$wrapped" >"$TMP/wrapped.json"
	configure "$wrapped" /bin/probe syscall getpgrp
	crun_run
	expect_rc 1
	run "$TJ" --profile "$TMP/wrapped.json" -- "$PROBE" syscall getpgrp
	expect_rc 125
	expect_err_contains "65537 is out of range (at most 4094)"
else
	skip "crun is not usable"
fi

t "no container is left behind"
if [ "$ready" = 1 ]; then
	left=$(crun list 2>/dev/null | grep -c "$ID_BASE-" || true)
	[ "$left" -eq 0 ] || fail "$left containers left"
else
	skip "crun is not usable"
fi

finish
