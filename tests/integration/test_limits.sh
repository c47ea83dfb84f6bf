# SPDX-License-Identifier: Apache-2.0
# Resource limits and lifecycle on the real kernel: each seed policy is
# violated and the effect checked; the whole tree dies at a timeout; cgroups,
# processes and descriptors never outlive a run.
. "$ROOT/tests/integration/lib.sh"

# The cgroups tinyjail made for sandboxes, on every hierarchy.
sandbox_cgroups() {
	find /sys/fs/cgroup -maxdepth 6 -type d -name 'tj-*' 2>/dev/null | sort
}
json() { # json FILE KEY
	/usr/bin/python3 -c 'import json,sys; v=json.load(open(sys.argv[1]))[sys.argv[2]]; print("null" if v is None else v)' "$1" "$2"
}

t "MEM-001: past the memory limit the command is killed, and tinyjail says so"
run "$TJ" --profile none --memory 64M -- "$PROBE" alloc 200
expect_rc 137
expect_err_contains "tinyjail: killed: memory limit 64M reached"
case "$out" in *"allocated"*) fail "the allocation succeeded" ;; esac

t "MEM-001: within the memory limit the command runs, and peak memory is reported"
run "$TJ" --profile none -q --memory 64M --json-status "$TMP/mem.json" -- "$PROBE" alloc 16
expect_rc 0
expect_out_contains "allocated 16 MiB"
peak=$(json "$TMP/mem.json" peak_memory_bytes)
[ "$peak" != null ] && [ "$peak" -ge $((16 << 20)) ] && [ "$peak" -lt $((64 << 20)) ] ||
	fail "peak memory $peak is not between 16M and 64M"
[ "$(json "$TMP/mem.json" limit)" = null ] || fail "a limit was reported hit"

t "MEM-001: the limit also comes from a profile (linux.resources.memory)"
cat >"$TMP/mem-profile.json" <<'EOF'
{"tinyjail": {"version": 1},
 "linux": {"resources": {"memory": {"limit": 67108864, "swap": 67108864}},
           "seccomp": {"defaultAction": "SCMP_ACT_ALLOW"}}}
EOF
run "$TJ" --profile "$TMP/mem-profile.json" -- "$PROBE" alloc 200
expect_rc 137
expect_err_contains "memory limit 64M reached"

t "MEM-001: a command that may write cgroup files (uid 0) cannot leave its cgroup"
# It tries to move itself into the cgroup above its own, on every hierarchy
# that has its memory or unified cgroup; the file systems are read-only for it.
# shellcheck disable=SC2016
escape='for line in $(grep -E "^[0-9]+:(memory)?:" /proc/self/cgroup); do
	rel=${line#*:*:}; ctl=${line#*:}; ctl=${ctl%%:*}
	for m in /sys/fs/cgroup/${ctl:-unified} /sys/fs/cgroup; do
		if [ -e "$m$rel/cgroup.procs" ]; then echo $$ > "$m${rel%/*}/cgroup.procs" && echo "moved $m"; break; fi
	done
done; grep -E "^[0-9]+:(memory)?:" /proc/self/cgroup'
run "$TJ" -q --profile none --memory 100M -- /bin/bash -c "$escape"
expect_rc 0
expect_out_lacks "moved"
expect_err_contains "Read-only file system"
[ "$(printf '%s\n' "$out" | grep -c 'tj-[0-9]*-[0-9]*$')" -ge 1 ] || fail "the command left its cgroup: $out"
printf '%s\n' "$out" | grep -v 'tj-[0-9]*-[0-9]*$' | grep -q . && fail "a hierarchy lost the sandbox cgroup: $out"

t "MEM-003: at the timeout the whole tree dies (grandchild too), exit 124"
rm -f "$TMP/grandchild.pid"
run "$TJ" --profile none --timeout 2s --json-status "$TMP/timeout.json" -- "$PROBE" tree "$TMP/grandchild.pid" 60
expect_rc 124
expect_err_contains "tinyjail: killed: timeout 2s"
[ -s "$TMP/grandchild.pid" ] || fail "the grandchild never started"
gc=$(cat "$TMP/grandchild.pid" 2>/dev/null)
[ -n "$gc" ] && kill -0 "$gc" 2>/dev/null && fail "grandchild $gc survived the timeout"
[ "$(json "$TMP/timeout.json" limit)" = timeout ] || fail "json status does not name the timeout"
[ "$(json "$TMP/timeout.json" exit_code)" = 124 ] || fail "json status exit_code is not 124"

t "MEM-003: without a timeout the same command is not cut short"
run "$TJ" --profile none -q --timeout 10s -- "$PROBE" sleep 1
expect_rc 0

t "MEM-003: --kill-after sends SIGTERM first, then SIGKILL after the grace"
start=$(date +%s%N)
run "$TJ" --profile none --timeout 1s --kill-after 2s -- sh -c 'trap "" TERM; sleep 30'
end=$(date +%s%N)
expect_rc 124
elapsed=$(( (end - start) / 1000000 ))
[ "$elapsed" -ge 2900 ] || fail "killed after ${elapsed} ms; the grace was ignored"
[ "$elapsed" -lt 20000 ] || fail "took ${elapsed} ms"
run "$TJ" --profile none --timeout 1s --kill-after 5s -- sh -c 'sleep 30'
expect_rc 124

t "MEM-004: CPU is throttled to half a core (CPU time at most about half the wall time)"
# Other load on the machine can only lower the ratio, so only the upper
# bound is the claim: the command gets no more than its share.
run "$TJ" --profile none -q --cpu 50% --json-status "$TMP/cpu.json" -- "$PROBE" spin 3
expect_rc 0
cpu=$(json "$TMP/cpu.json" cpu_usec)
wall=$(json "$TMP/cpu.json" wall_ms)
ratio=$((cpu / 10 / wall)) # percent
[ "$ratio" -le 70 ] || fail "CPU/wall is ${ratio}% (cpu ${cpu} us, wall ${wall} ms)"
# Throttling shows only when the command could use more than its quota.
# With 1% of a core (1 ms per 100 ms period) it does whenever the scheduler
# lets it run for one of its slices (more than 1 ms) in any of 20 periods,
# however busy the machine is: it does not depend on idle CPU.
run "$TJ" --profile none -q --cpu 1% --json-status "$TMP/cpu1.json" -- "$PROBE" spin 2
expect_rc 0
cpu=$(json "$TMP/cpu1.json" cpu_usec)
wall=$(json "$TMP/cpu1.json" wall_ms)
ratio=$((cpu / 10 / wall))
[ "$ratio" -le 10 ] || fail "CPU/wall is ${ratio}% with --cpu 1% (cpu ${cpu} us, wall ${wall} ms)"
[ "$(json "$TMP/cpu1.json" cpu_throttled_periods)" -gt 0 ] || fail "no throttling recorded"

t "MEM-004: with room for two CPUs the same spin is never throttled"
run "$TJ" --profile none -q --cpu 200% --json-status "$TMP/cpu2.json" -- "$PROBE" spin 2
expect_rc 0
[ "$(json "$TMP/cpu2.json" cpu_throttled_periods)" -eq 0 ] || fail "throttled without a binding limit"

t "MEM-006: the stack is limited to 8M (deeper recursion dies, shallower runs)"
run "$TJ" --profile none -q --rlimit stack=8M -- "$PROBE" stack 16
expect_rc 139
run "$TJ" --profile none -q --rlimit stack=8M -- "$PROBE" stack 6
expect_rc 0
run "$TJ" --profile none -q --rlimit stack=8M -- sh -c 'ulimit -s; ulimit -Hs'
expect_out_contains "8192
8192"

t "FS-003: no file larger than 10M (SIGXFSZ, the file stops at the limit)"
run "$TJ" --profile none -q --rlimit fsize=10M -- "$PROBE" write "$TMP/big" 11000000
expect_rc 153
size=$(stat -c %s "$TMP/big")
[ "$size" -eq $((10 << 20)) ] || fail "the file has $size bytes"
run "$TJ" --profile none -q --rlimit fsize=10M -- "$PROBE" write "$TMP/ok" 9000000
expect_rc 0

t "rlimits from a profile (process.rlimits) and the RLIMIT_CORE default of 0"
cat >"$TMP/rl.json" <<'EOF'
{"tinyjail": {"version": 1},
 "process": {"rlimits": [{"type": "RLIMIT_NOFILE", "hard": 300, "soft": 256}]},
 "linux": {"seccomp": {"defaultAction": "SCMP_ACT_ALLOW"}}}
EOF
run "$TJ" --profile "$TMP/rl.json" -q -- sh -c 'ulimit -n; ulimit -Hn; ulimit -c; ulimit -Hc'
expect_rc 0
expect_out_contains "256
300
0
0"
# A flag overrides the profile (dash counts core sizes in 512-byte blocks).
run "$TJ" --profile "$TMP/rl.json" -q --rlimit nofile=64 --rlimit core=1M -- sh -c 'ulimit -n; ulimit -c'
expect_out_contains "64
2048"

t "rlimits reach the command, not the pid namespace's init (as nobody, with the listener's helper)"
# The helper that hands the seccomp listener over is tinyjail's process:
# RLIMIT_NPROC=1 must neither stop it nor init from forking the command.
run_nobody "$TJ" -q --unshare user,pid --rlimit nproc=1 --rlimit nofile=64 -- cat /proc/1/limits /proc/self/limits
expect_rc 0
[ "$(printf '%s\n' "$out" | grep -c '^Max processes  *1  *1 ')" = 1 ] || fail "nproc=1 should show once (the command's), not on init: $out"
[ "$(printf '%s\n' "$out" | grep -c '^Max open files  *64  *64 ')" = 1 ] || fail "nofile=64 should show once (the command's): $out"
# ...and the limit holds for the command: it cannot fork.
run_nobody "$TJ" -q --unshare user,pid --rlimit nproc=1 -- "$PROBE" forks 1 0
expect_rc 0
expect_out_contains "probe: 1 of 1 forks failed"
# The same as root, the command as nobody in its user namespace.
run "$TJ" -q --unshare user,pid --user nobody --rlimit nproc=1 -- cat /proc/1/limits /proc/self/limits
expect_rc 0
[ "$(printf '%s\n' "$out" | grep -c '^Max processes  *1  *1 ')" = 1 ] || fail "as root: nproc=1 should show once: $out"

t "pids: a fork bomb stops at the limit and the host stays responsive"
run "$TJ" --profile none --pids 32 -- "$PROBE" forks 200 1
expect_rc 0
failed=$(printf '%s\n' "$out" | sed -n 's/probe: \([0-9]*\) of 200 forks failed/\1/p')
[ -n "$failed" ] && [ "$failed" -ge 160 ] || fail "only '$failed' of 200 forks failed under --pids 32"
expect_err_contains "the pids limit (32) refused"
run "$PROBE" forks 20 0
expect_out_contains "0 of 20 forks failed"

t "a second SIGINT kills the whole tree"
rm -f "$TMP/int.pid"
"$TJ" --profile none --memory 64M -- "$PROBE" tree "$TMP/int.pid" 60 2>"$TMP/int.err" &
tjpid=$!
for _ in $(seq 50); do [ -s "$TMP/int.pid" ] && break; sleep 0.1; done
kill -INT "$tjpid"; sleep 0.3; kill -INT "$tjpid"
wait "$tjpid"
rc=$?
err=$(cat "$TMP/int.err")
[ "$rc" -eq 137 ] || [ "$rc" -eq 130 ] || fail "exit $rc after two SIGINTs"
expect_err_contains "killed: interrupted a second time"
gc=$(cat "$TMP/int.pid" 2>/dev/null)
[ -n "$gc" ] && kill -0 "$gc" 2>/dev/null && fail "grandchild $gc survived"

t "leftover processes are killed at the end, with a note"
run "$TJ" --profile none -- sh -c "$PROBE sleep 60 tj-limits-left-$$ & echo started"
expect_rc 0
expect_err_contains "killed 1 process that outlived the command"
pgrep -f "$PROBE sleep 60 tj-limits-left-$$" >/dev/null && fail "the background probe survived"

t "a cgroup left by a SIGKILLed tinyjail is reaped by the next run"
"$TJ" --profile none -q --memory 64M -- "$PROBE" sleep 60 &
tjpid=$!
# Until tinyjail has made its cgroup (a busy machine may take seconds).
stale=""
for _ in $(seq 300); do
	stale=$(sandbox_cgroups | grep "/tj-$tjpid-" | head -1)
	[ -n "$stale" ] && break
	sleep 0.1
done
kill -KILL "$tjpid"
wait "$tjpid" 2>/dev/null
[ -n "$stale" ] && [ -d "$stale" ] || fail "no cgroup was made for pid $tjpid"
run "$TJ" --profile none -q --memory 64M -- true
expect_rc 0
[ -d "$stale" ] && fail "the stale cgroup $stale is still there"

t "check reports how each limit is enforced on this host"
cat >"$TMP/all.json" <<'EOF'
{"tinyjail": {"version": 1, "timeout": "120s"},
 "process": {"rlimits": [{"type": "RLIMIT_STACK", "hard": 8388608, "soft": 8388608}]},
 "linux": {"resources": {"memory": {"limit": 104857600}, "cpu": {"quota": 50000, "period": 100000},
                         "pids": {"limit": 64}},
           "seccomp": {"defaultAction": "SCMP_ACT_ALLOW"}}}
EOF
run "$TJ" check "$TMP/all.json"
expect_rc 0
expect_out_contains "cgroup: applied: memory 100M (no swap): cgroup v"
expect_out_contains "cgroup: applied: cpu 50% of one CPU"
expect_out_contains "cgroup: applied: pids 64: cgroup v"
expect_out_contains "the cgroup file systems read-only (the command cannot leave its cgroup)"
expect_out_contains "cgroup: applied: timeout 120s: the whole tree is killed with"
expect_out_contains "rlimit: applied: RLIMIT_STACK soft 8388608 hard 8388608"

t "as nobody without delegation: refuse (with how to get it), or degrade when allowed"
run setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all -- "$TJ" --profile none --memory 64M -- true
expect_rc 125
expect_err_contains "cgroup layer: cannot enforce memory 64M (no swap)"
expect_err_contains "hint:"
expect_err_contains "Delegate=yes"
run setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all -- "$TJ" --profile none -v --memory 64M --allow-degraded memory -- true
expect_rc 0
expect_err_contains "cgroup: degraded: memory 64M (no swap): not enforced (--allow-degraded)"
run setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all -- "$TJ" --profile none -q --rlimit nofile=100 -- sh -c 'ulimit -n'
expect_rc 0
expect_out_contains "100"

t "bad limits are refused before anything runs"
for args in "--memory 12X" "--cpu 500%" "--pids 0" "--timeout 1e3" "--rlimit nofil=3" "--kill-after 1s"; do
	# shellcheck disable=SC2086
	run "$TJ" --profile none $args -- touch "$TMP/ran"
	expect_rc 125
	[ -e "$TMP/ran" ] && fail "ran with $args"
done

t "the command inherits only stdin, stdout and stderr"
exec 7</dev/null
run "$TJ" -q -- "$PROBE" fds
exec 7<&-
expect_rc 0
[ "$out" = "0
1
2" ] || fail "descriptors in the sandbox: $(echo $out)"

t "200 sandboxes in sequence and 20 at once leave no cgroup, process or descriptor"
fds_before=$(ls /proc/$$/fd | wc -l)
# Only this test's own cgroups are looked at (lib.sh): other tests on the
# machine make and remove theirs meanwhile.
own_sandboxes
i=0
while [ $i -lt 200 ]; do
	"$TJ" --profile none -q --memory 64M --pids 32 -- true &
	wait $! || { fail "run $i failed"; break; }
	i=$((i + 1))
done
pids=""
for i in $(seq 20); do
	"$TJ" --profile none -q --memory 64M --timeout 30s -- "$PROBE" sleep 1 "tj-limits-par-$$" &
	pids="$pids $!"
done
for p in $pids; do wait "$p" || fail "a parallel run failed"; done
[ "$(wc -l <"$_own_rec")" -eq 220 ] || fail "$(wc -l <"$_own_rec") runs noted, not 220"
left=$(own_cgroups_left)
[ -z "$left" ] || fail "cgroups left: $(echo "$left" | head -3)"
pgrep -f "$PROBE sleep 1 tj-limits-par-$$" >/dev/null && fail "processes left"
[ "$(ls /proc/$$/fd | wc -l)" -eq "$fds_before" ] || fail "descriptors leaked into the test shell"

finish
