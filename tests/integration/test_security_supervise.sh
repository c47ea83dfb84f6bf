#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# tinyjail supervise faces the commands it supervises (issue 16 item 16):
# what a command names itself is printed without terminal escapes, and an idle
# client cannot hold up the supervision of every sandbox.
. "$ROOT/tests/integration/lib.sh"
. "$ROOT/tests/integration/supervise_lib.sh"

SOCK="$TMP/agent.sock"
cat >"$TMP/rules.json" <<'EOF2'
{"tinyjailDecisions": 1, "rules": [{"names": ["getpgrp"], "decision": "allow"}]}
EOF2
ESC=$(printf '\033')

t "a command whose name holds terminal escapes is printed without them"
# The process name is the file's name: ESC [ 2 J clears the screen, OSC 0 sets
# the window title.
evil="$TMP/$(printf 'x\033[2J\033]0;pwn\007')"
cp "$PROBE" "$evil"
start_sup --rules "$TMP/rules.json" --once
run "$TJ" --profile strict --notify-socket "$SOCK" -- "$evil" seq getpgrp
end_sup
expect_rc 0
sup_contains "allowed getpgrp() by pid"
case "$sup_err" in *"$ESC"* | *"$(printf '\007')"*) fail "supervise printed a raw escape: $(printf '%s' "$sup_err" | od -c | head -5)" ;; esac
sup_contains "(x?[2J?]0;pwn"

t "tinyjail's own kill message does not print the escapes either"
run "$TJ" --profile strict -- "$evil" syscall getpgrp
expect_rc 159
expect_err_contains "killed by seccomp"
case "$err" in *"$ESC"*) fail "tinyjail printed a raw escape" ;; esac

t "a runtime's state with escapes (id, metadata) is printed without them"
start_sup --rules "$TMP/rules.json" --once
# The profile's listenerMetadata travels to the agent, which prints it.
cat >"$TMP/meta.json" <<EOF2
{"defaultAction": "SCMP_ACT_ALLOW", "listenerPath": "$SOCK", "listenerMetadata": "m\\u001b[31mred",
 "syscalls": [{"names": ["getpgrp"], "action": "SCMP_ACT_NOTIFY"}]}
EOF2
run "$TJ" --profile "$TMP/meta.json" -- "$PROBE" seq getpgrp
end_sup
expect_rc 0
case "$sup_err" in *"$ESC"*) fail "supervise printed a raw escape from the metadata" ;; esac
sup_contains "m?[31mred"

t "idle clients do not stall the supervisor for the sandboxes it serves"
start_sup --rules "$TMP/rules.json"
# Ten connections that send nothing and stay open; before, each held the
# supervisor for 5 s in turn while every sandbox's calls waited.
cat >"$TMP/idle.py" <<'PY'
import socket, sys, time
conns = []
for _ in range(10):
    s = socket.socket(socket.AF_UNIX)
    s.connect(sys.argv[1])
    conns.append(s)
print("connected", flush=True)
time.sleep(60)
PY
/usr/bin/python3 "$TMP/idle.py" "$SOCK" >"$TMP/idle.out" 2>&1 &
idle=$!
for _ in $(seq 100); do grep -q connected "$TMP/idle.out" 2>/dev/null && break; sleep 0.1; done
# A generous bound, far from the 50 s the old supervisor needed.
TJ_TEST_TIMEOUT=25 run "$TJ" --profile strict --notify-socket "$SOCK" -- "$PROBE" seq getpgrp getpgrp
expect_rc 0
printf '%s\n' "$out" | grep -Eq '^syscall 111 = [0-9]+$' || fail "getpgrp was not answered: $out"
kill -0 "$sup_pid" 2>/dev/null || fail "the supervisor died"
kill "$idle" 2>/dev/null
wait "$idle" 2>/dev/null
end_sup
sup_contains "allowed getpgrp() by pid"

t "a connection from another user is refused"
if [ "$(id -u)" -eq 0 ]; then
	start_sup --rules "$TMP/rules.json"
	chmod 0777 "$SOCK" "$TMP"
	run_nobody /usr/bin/python3 -c 'import socket,sys; s=socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.sendall(b"{}"); s.close()' "$SOCK"
	sleep 0.3
	end_sup
	chmod 0755 "$TMP"
	sup_contains "a connection from uid 65534, neither this user nor root"
else
	skip "needs root (the other user is nobody)"
fi

finish
