# SPDX-License-Identifier: Apache-2.0
# The verbs for working without knowing syscalls: `groups`, `why` (checked
# against what the kernel really does under the same profile) and
# `check --lint` (its exit status gates CI).
. "$ROOT/tests/integration/lib.sh"

POL="$ROOT/policies"

t "groups lists every group with its size, risk, origin and meaning"
run "$TJ" groups
expect_rc 0
expect_out_contains "@network-io"
expect_out_contains "systemd"
expect_out_contains "@memory-exec"
printf '%s\n' "$out" | grep -Eq '^@file-system +[0-9]+  normal +systemd +open, stat' || fail "no @file-system line"
[ "$(printf '%s\n' "$out" | grep -c '^@')" -ge 40 ] || fail "fewer than 40 groups"

t "groups @name lists its syscalls, nested groups expanded"
run "$TJ" groups @privileged
expect_rc 0
expect_out_contains "@privileged: calls that need super-user capabilities"
printf '%s\n' "$out" | grep -Eq '^  fchownat +via @chown$' || fail "fchownat via @chown missing"
printf '%s\n' "$out" | grep -Eq '^  bpf$' || fail "bpf missing"
run "$TJ" groups @network-client
expect_out_contains "only when Unix, IPv4 or IPv6; stream or datagram"
expect_out_contains "via @socket-ip"

t "groups SYSCALL lists the groups that hold it"
run "$TJ" groups process_vm_readv
expect_rc 0
expect_out_contains "@ipc"
expect_out_contains "via @system-service > @ipc"

t "groups: a typo is an error with a suggestion"
run "$TJ" groups @network-oi
expect_rc 125
expect_err_contains "unknown syscall group '@network-oi' (did you mean '@network-io'?)"
run "$TJ" groups ptrac
expect_rc 125
expect_err_contains "did you mean 'ptrace'?"

t "a profile with a typo'd group names the entry, line and column"
printf '{"defaultAction": "SCMP_ACT_ERRNO",\n "syscalls": [{"names": ["read", "@basic-oi"], "action": "SCMP_ACT_ALLOW"}]}\n' >"$TMP/typo.json"
run "$TJ" --profile "$TMP/typo.json" -- /bin/true
expect_rc 125
expect_err_contains "$TMP/typo.json:2:34: syscalls[0].names[1]: unknown syscall group '@basic-oi' (did you mean '@basic-io'?)"

t "why names the rule, the group and the action, as the kernel enforces it"
# Each: the why answer, then the probe making the same call under the
# same profile (159 = killed; otherwise the errno or 0).
run "$TJ" why mmap "$POL/curl-download.json" 0 4096 3 0x22 -1 0
expect_rc 0
expect_out_contains "mmap(NULL, 4096, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0x0) on x86_64 (nr 9): SCMP_ACT_ALLOW"
expect_out_contains "decided by: linux.seccomp.syscalls[0].names[2], through @memory ($POL/curl-download.json:"
expect_out_contains "when: (arg2 & 0x4) == 0x0"
run "$TJ" -q --profile curl-download -- "$PROBE" syscall 9 0 4096 3 0x22 -1 0
expect_rc 0
run "$TJ" why mmap "$POL/curl-download.json" 0 4096 7 0x22 -1 0
expect_out_contains "SCMP_ACT_KILL_PROCESS"
expect_out_contains "decided by: linux.seccomp.defaultAction, as no rule matches"
expect_out_contains "otherwise: linux.seccomp.syscalls[0].names[2] (@memory) says SCMP_ACT_ALLOW when"
run "$TJ" -q --profile curl-download -- "$PROBE" syscall 9 0 4096 7 0x22 -1 0
expect_rc 159
run "$TJ" why clone3 "$POL/curl-download.json"
expect_out_contains "SCMP_ACT_ERRNO(ENOSYS)"
run "$TJ" -q --profile curl-download -- "$PROBE" syscall clone3 0 0
expect_rc 38
run "$TJ" why socket "$POL/cli-tool.json" 2 1 0
expect_out_contains "SCMP_ACT_ERRNO(EACCES)"
run "$TJ" -q --profile cli-tool -- "$PROBE" syscall socket 2 1 0
expect_rc 13
run "$TJ" why clone "$POL/cli-tool.json" 0x11
expect_out_contains "through @spawn"
run "$TJ" why kill "$POL/curl-download.json" 1 9
expect_out_contains "SCMP_ACT_KILL_PROCESS"
run "$TJ" why kill "$POL/curl-download.json" 1 -2147483633
expect_out_contains "SCMP_ACT_KILL_PROCESS"
run "$TJ" why kill "$POL/curl-download.json" 1 15
expect_out_contains "SCMP_ACT_ALLOW"
expect_out_contains "decided by: linux.seccomp.syscalls[2].names[0] ($POL/curl-download.json:"

t "why without arguments says when they matter; bad input is an error"
run "$TJ" why kill "$POL/curl-download.json"
expect_out_contains "note: the answer depends on the arguments"
run "$TJ" why read "$POL/default.json"
expect_out_contains "SCMP_ACT_ALLOW"
expect_out_contains "decided by: syscalls[0].names["
run "$TJ" why raed "$POL/default.json"
expect_rc 125
expect_err_contains "unknown syscall 'raed' (did you mean 'read'?)"
run "$TJ" why read "$POL/default.json" 1 x
expect_rc 125
expect_err_contains "argument 'x' is not a number"
run "$TJ" why _llseek "$POL/default.json"
expect_rc 125
expect_err_contains "exists only on 32-bit ABIs"

t "check --lint: findings with severity, path, why and fix; exit 1 on high"
cat >"$TMP/risky.json" <<'EOF'
{"defaultAction": "SCMP_ACT_ALLOW",
 "syscalls": [
  {"names": ["socket"], "action": "SCMP_ACT_ERRNO", "args": [{"index": 0, "value": 40, "op": "SCMP_CMP_EQ"}]},
  {"names": ["kill"], "action": "SCMP_ACT_KILL_THREAD"}
 ]}
EOF
run "$TJ" check --lint "$TMP/risky.json"
expect_rc 1
expect_out_contains "$TMP/risky.json:1:19: high: defaultAction: the default action allows every syscall no rule names; the rules deny only 2 [default-allow]"
expect_out_contains "high: syscalls[0].args[0]: argument 0 of 'socket' is an int, but SCMP_CMP_EQ compares all 64 bits: a value with high bits set (0x100000028) escapes this denial [int-arg-bypass]"
expect_out_contains "medium: syscalls[1].action: SCMP_ACT_KILL_THREAD kills only the calling thread [kill-thread]"
expect_out_contains "  why: "
expect_out_contains "  fix: "
expect_out_contains "lint: 3 high, 2 medium"
# The bypass is real: socket(AF_VSOCK | 1 << 32) is not denied.
run "$TJ" -q --profile "$TMP/risky.json" -- "$PROBE" syscall socket 40 1 0
[ "$rc" -eq 1 ] || fail "socket(40) was not denied with EPERM ($rc)"
run "$TJ" -q --profile "$TMP/risky.json" -- "$PROBE" syscall socket 0x100000028 1 0
[ "$rc" -ne 1 ] || fail "socket(0x100000028) was denied: no bypass to lint"
# Without --lint the same profile is simply valid.
run "$TJ" check "$TMP/risky.json"
expect_rc 0

t "check --lint finds the real hole in Docker's socket rule"
MOBY="$ROOT/tests/fixtures/corpus/moby-profiles_default.json"
run "$TJ" check -q --lint "$MOBY"
expect_rc 1
expect_out_contains "argument 0 of 'socket' is an int, but SCMP_CMP_GT compares all 64 bits: a value with high bits set (0x100000028) passes this check [int-arg-bypass]"
# AF_VSOCK (40) is denied; 40 with a high bit set makes an AF_VSOCK socket.
run "$TJ" -q --profile "$MOBY" -- "$PROBE" syscall socket 40 1 0
expect_rc 1
run "$TJ" -q --profile "$MOBY" -- "$PROBE" syscall socket 0x100000028 1 0
[ "$rc" -ne 1 ] || fail "socket(0x100000028) was denied"
# tinyjail's groups compare the 32 bits the kernel reads.
run "$TJ" -q --profile net-client -- "$PROBE" syscall socket 0x100000028 1 0
expect_rc 159

t "check --lint: exit 0 on low and medium findings, 125 on errors"
printf '{"defaultAction": "SCMP_ACT_KILL_PROCESS", "syscalls": [{"names": ["@default", "@basic-io"], "action": "SCMP_ACT_ALLOW"}]}\n' >"$TMP/medium.json"
run "$TJ" check --lint "$TMP/medium.json"
expect_rc 0
expect_out_contains "[write-exec-memory]"
# default lets the command build sandboxes of its own (tinyjail, bwrap), on
# purpose (notes/policies.md): the linter says what that costs.
run "$TJ" check --lint "$POL/default.json"
expect_rc 1
expect_out_contains "'unshare' is allowed without argument checks [dangerous-unconstrained]"
run "$TJ" check --lint "$POL/strict.json" "$TMP/typo.json"
expect_rc 125
run "$TJ" check --lint "$TMP/risky.json" "$POL/strict.json"
expect_rc 1

finish
