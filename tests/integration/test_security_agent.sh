#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The seccomp listener goes only to an agent of the caller's (or root's), at a
# socket in a directory no other user can write (issue 16 item 10): whoever
# receives the listener decides the command's notified system calls.
. "$(dirname "$0")/lib.sh"

if [ "$(id -u)" -ne 0 ]; then
	t "seccomp agent peers"
	skip "needs root (the fake agent runs as nobody)"
	finish
	exit
fi

# A fake agent: listens at $1, writes "ready", then what it received, to $2.
cat >"$TMP/fake_agent.py" <<'PY'
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.bind(sys.argv[1])
s.listen(1)
open(sys.argv[2], "w").write("ready")
c, _ = s.accept()
msg, fds, _, _ = socket.recv_fds(c, 65536, 8)
open(sys.argv[2], "w").write("got %d fds" % len(fds))
PY
mkdir -p "$TMP/res"
chown nobody "$TMP/res"

start_fake() { # $1 socket, $2 as nobody or root
	rm -f "$TMP/res/state"
	if [ "$2" = nobody ]; then
		setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all -- /usr/bin/python3 "$TMP/fake_agent.py" "$1" "$TMP/res/state" &
	else
		/usr/bin/python3 "$TMP/fake_agent.py" "$1" "$TMP/res/state" &
	fi
	fake=$!
	for _ in $(seq 50); do [ -s "$TMP/res/state" ] && break; sleep 0.1; done
}

stop_fake() {
	kill "$fake" 2>/dev/null
	wait "$fake" 2>/dev/null
}

t "--notify-socket: an agent of another user (in a sticky /tmp-like directory) does not get the listener"
mkdir "$TMP/sticky"
chmod 1777 "$TMP/sticky"
start_fake "$TMP/sticky/agent.sock" nobody
run "$TJ" --profile strict --notify-socket "$TMP/sticky/agent.sock" -- "$PROBE" exit 0
expect_rc 125
expect_err_contains "runs as uid 65534, neither you nor root"
sleep 0.2
grep -q "got [1-9]" "$TMP/res/state" && fail "nobody's agent received the listener: $(cat "$TMP/res/state")"
stop_fake

t "--notify-socket: a socket in a directory other users can write is refused"
mkdir "$TMP/open"
chmod 0777 "$TMP/open"
start_fake "$TMP/open/agent.sock" root
run "$TJ" --profile strict --notify-socket "$TMP/open/agent.sock" -- "$PROBE" exit 0
expect_rc 125
expect_err_contains "in a directory other users can write (mode 0777)"
sleep 0.2
grep -q "got [1-9]" "$TMP/res/state" && fail "the agent received the listener: $(cat "$TMP/res/state")"
stop_fake

t "listenerPath in a profile is checked the same way"
start_fake "$TMP/sticky/agent2.sock" nobody
cat >"$TMP/notify.json" <<JSON
{"defaultAction": "SCMP_ACT_ALLOW", "listenerPath": "$TMP/sticky/agent2.sock",
 "syscalls": [{"names": ["getppid"], "action": "SCMP_ACT_NOTIFY"}]}
JSON
run "$TJ" --profile "$TMP/notify.json" -- "$PROBE" exit 0
expect_rc 125
expect_err_contains "runs as uid 65534, neither you nor root"
stop_fake

t "the control: the caller's own agent in its own directory gets the listener"
mkdir "$TMP/mine"
start_fake "$TMP/mine/agent.sock" root
run "$TJ" --profile strict --notify-socket "$TMP/mine/agent.sock" -- "$PROBE" exit 0
sleep 0.3
grep -q "got 1 fds" "$TMP/res/state" || fail "the caller's agent got nothing: $(cat "$TMP/res/state")"
stop_fake

finish
