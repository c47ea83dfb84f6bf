# SPDX-License-Identifier: Apache-2.0
# tinyjail edit in a real terminal: tmux runs the editor, send-keys types,
# capture-pane reads the screen; then the saved file is checked, and its
# effect on the real kernel (the edited profile enforced).
. "$ROOT/tests/integration/lib.sh"

command -v tmux >/dev/null 2>&1 || { t "tmux"; skip "tmux is not installed (tools/install-deps.sh test)"; finish; exit; }

# One tmux server per editor run (a fresh socket: a server being killed
# cannot take the next session with it).
export TMUX_TMPDIR="$TMP"
_n=0
TMUX_SOCK="tj-edit-$$-$_n"
tm() { tmux -L "$TMUX_SOCK" "$@"; }
trap 'tm kill-server 2>/dev/null; rm -rf "$TMP"' EXIT

# Starts the editor in a detached terminal of COLSxROWS.
start_editor() {
	_cols=$1 _rows=$2
	shift 2
	tm kill-server 2>/dev/null
	_n=$((_n + 1))
	TMUX_SOCK="tj-edit-$$-$_n"
	tm new-session -d -x "$_cols" -y "$_rows" \
		"env TINYJAIL_POLICY_DIR='$TINYJAIL_POLICY_DIR' $* 2>'$TMP/editor.err'; echo EDITOR-EXIT \$?; sleep 600"
}

screen() { tm capture-pane -p 2>/dev/null; }

# Waits until the screen shows text (no timing assumptions: up to 60 s).
wait_for() {
	_i=0
	while [ $_i -lt 600 ]; do
		screen | grep -qF -- "$1" && return 0
		sleep 0.1
		_i=$((_i + 1))
	done
	fail "the screen never showed: $1"
	screen | sed 's/^/       # /' | head -30
	return 1
}

keys() { tm send-keys "$@"; }

# The same for an extended regular expression.
wait_for_re() {
	_i=0
	while [ $_i -lt 600 ]; do
		screen | grep -Eq -- "$1" && return 0
		sleep 0.1
		_i=$((_i + 1))
	done
	fail "the screen never matched: $1"
	screen | sed 's/^/       # /' | head -30
	return 1
}

# Waits up to 60 s for a file to exist.
wait_file() {
	_i=0
	while [ $_i -lt 600 ]; do
		[ -e "$1" ] && return 0
		sleep 0.1
		_i=$((_i + 1))
	done
	fail "$1 never appeared"
	return 1
}

# The live feed: the editor on profile $P listening on $SOCK (a new one
# per editor), 120x30.
start_feed() {
	SOCK="$TMP/feed$_n.sock"
	start_editor 120 30 "$TJ" edit "$P" --listen "$SOCK" "$@"
	wait_for "listening on $SOCK"
}

# sandbox NAME CMD...: CMD under $P with the editor as its agent, in the
# background; its stdout, stderr and status in $TMP/NAME.out, .err, .rc.
sandbox() {
	_o="$TMP/$1"
	shift
	rm -f "$_o.rc"
	("$TJ" -q --profile "$P" --notify-socket "$SOCK" -- "$@" >"$_o.out" 2>"$_o.err"
	echo $? >"$_o.rc") &
}

# sandbox_rc NAME: waits for the sandbox's status and loads it as $rc, $out
# and $err (for expect_rc and friends).
sandbox_rc() {
	wait_file "$TMP/$1.rc" || return 1
	rc=$(cat "$TMP/$1.rc")
	out=$(cat "$TMP/$1.out")
	err=$(cat "$TMP/$1.err")
}

t "from a bundled profile: allow a syscall the profile kills, save, and the call now passes"
run "$TJ" --profile strict -- "$PROBE" syscall getpgrp
expect_rc 159
P="$TMP/p.json"
start_editor 100 30 "$TJ" edit --from strict "$P"
wait_for "? for help"
keys / getpgrp Enter
wait_for "getpgrp"
keys a
wait_for "getpgrp: SCMP_ACT_ALLOW"
keys s
wait_for "saved"
keys q
wait_for "EDITOR-EXIT 0"
expect_file_contains "$P" '"getpgrp"'
[ -e "$P.bak" ] && fail "a new file has no backup"
run "$TJ" --profile "$P" -- "$PROBE" syscall getpgrp
expect_rc 0
run "$TJ" --profile "$P" -- "$PROBE" syscall getppid
expect_rc 0

t "kill it again: the old file is kept as .bak and the call is killed"
cp "$P" "$TMP/before.json"
start_editor 100 30 "$TJ" edit "$P"
wait_for "? for help"
keys / getpgrp Enter
wait_for "ALLOW"
keys k
wait_for "KILL_PROCESS"
keys s
wait_for "old content in .bak"
keys q
wait_for "EDITOR-EXIT 0"
expect_true cmp -s "$P.bak" "$TMP/before.json"
run "$TJ" --profile "$P" -- "$PROBE" syscall getpgrp
expect_rc 159

t "deny with a chosen errno, then undo and redo"
cp "$ROOT/policies/strict.json" "$TMP/q.json"
start_editor 100 30 "$TJ" edit "$TMP/q.json"
wait_for "? for help"
keys / getpgrp Enter
wait_for "getpgrp"
keys e
wait_for "errno"
keys BSpace BSpace BSpace BSpace BSpace EACCES Enter
wait_for "ERRNO(EACCES)"
keys u
wait_for "undone"
keys r
wait_for "redone"
keys s
wait_for "saved"
keys q
wait_for "EDITOR-EXIT 0"
run "$TJ" --profile "$TMP/q.json" -- "$PROBE" syscall getpgrp
expect_rc 13

t "no edit: saving writes the file byte for byte as it was"
cp "$ROOT/policies/default.json" "$TMP/d.json"
start_editor 100 30 "$TJ" edit "$TMP/d.json"
wait_for "? for help"
keys a u s
wait_for "saved"
keys q
wait_for "EDITOR-EXIT 0"
expect_true cmp -s "$TMP/d.json" "$ROOT/policies/default.json"

t "quitting with unsaved changes asks; 'y' leaves the file alone"
cp "$ROOT/policies/strict.json" "$TMP/u.json"
start_editor 100 30 "$TJ" edit "$TMP/u.json"
wait_for "? for help"
keys / getpgrp Enter a q
wait_for "unsaved changes"
keys y Enter
wait_for "EDITOR-EXIT 0"
expect_true cmp -s "$TMP/u.json" "$ROOT/policies/strict.json"

t "a terminal too small gets a message, not a garbled screen"
start_editor 40 10 "$TJ" edit "$TMP/u.json"
wait_for "terminal too small"
keys q
wait_for "EDITOR-EXIT 0"

t "works without colour (NO_COLOR) and shows the keys and help"
start_editor 80 24 env NO_COLOR=1 "$TJ" edit "$TMP/u.json"
wait_for "a allow e errno"
keys ?
wait_for "back to the default action"
keys q q
wait_for "EDITOR-EXIT 0"

t "an invalid profile: the loader's message (file, line, JSON path) in a dialog, exit 125, nothing written"
printf '{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ALOW"}]}\n' >"$TMP/bad.json"
cp "$TMP/bad.json" "$TMP/bad.orig"
start_editor 100 30 "$TJ" edit "$TMP/bad.json"
wait_for "the profile does not load"
wait_for "bad.json:1:80: syscalls[0].action: unknown action 'SCMP_ACT_ALOW'"
wait_for "nothing was written"
keys q
wait_for "EDITOR-EXIT 125"
expect_true grep -q "SCMP_ACT_ALOW" "$TMP/editor.err"
expect_true cmp -s "$TMP/bad.json" "$TMP/bad.orig"

t "a read-only file is said at start and never written"
cp "$ROOT/policies/strict.json" "$TMP/ro.json"
chmod 444 "$TMP/ro.json"
if [ "$(id -u)" -eq 0 ]; then
	start_editor 100 30 setpriv --reuid=65534 --regid=65534 --clear-groups "$TJ" edit "$TMP/ro.json"
else
	start_editor 100 30 "$TJ" edit "$TMP/ro.json"
fi
wait_for "read-only"
keys / getpgrp Enter a s
wait_for "not saved"
keys q
wait_for "EDITOR-EXIT 0"
expect_true cmp -s "$TMP/ro.json" "$ROOT/policies/strict.json"

t "a condition chosen by name: socket(AF_UNIX) allowed, socket(AF_INET) still killed"
cp "$ROOT/policies/strict.json" "$TMP/c.json"
start_editor 100 30 "$TJ" edit "$TMP/c.json"
wait_for "? for help"
keys / socket Enter
wait_for "socket"
keys c
wait_for "AF_UNIX"
keys Down Space Enter
wait_for "action when it holds"
keys Enter
wait_for "1 conditional rule added"
keys s
wait_for "saved"
keys q
wait_for "EDITOR-EXIT 0"
run "$TJ" -q --profile "$TMP/c.json" -- "$PROBE" syscall socket 1 1 0
expect_rc 0
run "$TJ" -q --profile "$TMP/c.json" -- "$PROBE" syscall socket 2 1 0
expect_rc 159

# --- the live feed (--listen) ---

t "live feed: a waiting call shows decoded, with its process, program and age; allow once runs it and changes no file"
P="$TMP/l.json"
cp "$ROOT/policies/strict.json" "$P"
start_feed
sandbox s1 "$PROBE" syscall getpgrp
wait_for "1 sandbox, 1 waiting (getpgrp 1)"
wait_for "program $PROBE"
wait_for_re "[1-9]s  getpgrp\(\)  pid [0-9]+ probe"
keys a
sandbox_rc s1
expect_rc 0
expect_out_contains "syscall 111 = "
wait_for "getpgrp(): answered once"
expect_true cmp -s "$P" "$ROOT/policies/strict.json"
[ -e "$P.bak" ] && fail "a once answer wrote a backup"

t "live feed: deny with an errno chosen by name; kill"
sandbox s2 "$PROBE" syscall getpgrp
wait_for "1 waiting (getpgrp 1)"
keys d
wait_for "deny with errno"
keys BSpace BSpace BSpace BSpace BSpace EACCES Enter
sandbox_rc s2
expect_rc 13
expect_out_contains "(EACCES)"
sandbox s3 "$PROBE" syscall getpgrp
wait_for "1 waiting (getpgrp 1)"
keys k
sandbox_rc s3
expect_rc 137
expect_out_lacks "syscall 111"
expect_true cmp -s "$P" "$ROOT/policies/strict.json"

t "live feed: allow always for these argument values: the rule is on disk at once (with a .bak), and enforces without the editor"
sandbox s4 "$PROBE" syscall socket 1 1 0
wait_for "socket(AF_UNIX, SOCK_STREAM, 0)"
wait_for "A: allow always for calls with socket domain AF_UNIX"
keys A
sandbox_rc s4
expect_rc 0
wait_for "socket: rule added; saved"
# On disk while the editor still runs.
expect_file_contains "$P" "allowed from the live feed for calls with socket domain AF_UNIX"
expect_true cmp -s "$P.bak" "$ROOT/policies/strict.json"
run "$TJ" -q --profile "$P" -- "$PROBE" syscall socket 1 1 0
expect_rc 0
run "$TJ" -q --profile "$P" -- "$PROBE" syscall socket 2 1 0
expect_rc 159

t "live feed: allow always for any arguments; the later calls are answered from the profile without asking"
sandbox s5 "$PROBE" seq getpgrp getpgrp getpgrp
wait_for "1 waiting (getpgrp 1)"
keys W
sandbox_rc s5
expect_rc 0
[ "$(printf '%s\n' "$out" | grep -Ec '^syscall 111 = [0-9]+$')" -eq 3 ] || fail "not three getpgrp: $out"
wait_for "by pid"
keys L
wait_for "calls per syscall"
# this session so far: s1 once, s2 denied, s3 killed, s5 three allowed (one asked)
wait_for_re "getpgrp +4 +4 +1 +1 +0"
keys q
run "$TJ" -q --profile "$P" -- "$PROBE" syscall getpgrp
expect_rc 0

t "live feed: a socket that disappears is reported"
rm -f "$SOCK"
wait_for "was removed: no new sandbox can reach the editor"

t "live feed: quitting the editor fails the waiting call and the later ones (ENOSYS); nothing runs"
cp "$ROOT/policies/strict.json" "$P"
start_feed
sandbox s6 "$PROBE" seq getppid getpgrp getpgrp
wait_for "1 waiting (getpgrp 1)"
keys Tab q
wait_for "EDITOR-EXIT 0"
sandbox_rc s6
[ "$(printf '%s\n' "$out" | grep -c '^syscall 111 = -1 (ENOSYS)$')" -eq 2 ] || fail "getpgrp ran: $out"
expect_out_contains "syscall 110 = "
expect_true cmp -s "$P" "$ROOT/policies/strict.json"
[ -e "$SOCK" ] && fail "the socket file was left behind"

t "attack: the editor killed (SIGKILL) while a call waits: the call fails (ENOSYS), never runs"
start_feed
sandbox s7 "$PROBE" seq getpgrp getpgrp getpid
wait_for "1 waiting (getpgrp 1)"
editor_pid=$(pgrep -P "$(tm list-panes -F '#{pane_pid}')" -x tinyjail)
if [ -z "$editor_pid" ]; then
	fail "cannot find the editor's pid"
else
	kill -KILL "$editor_pid"
	wait_for "EDITOR-EXIT 137"
	sandbox_rc s7
	[ "$(printf '%s\n' "$out" | grep -c '^syscall 111 = -1 (ENOSYS)$')" -eq 2 ] || fail "getpgrp ran: $out"
	printf '%s\n' "$out" | grep -Eq '^syscall 39 = [0-9]+$' || fail "allowed getpid failed: $out"
fi

t "attack: a command whose view hides the editor's socket cannot reach it (without a view it can: keep sockets out of views)"
start_feed
run "$TJ" -q --profile none --ro / -- "$PROBE" unix "$SOCK"
expect_out_lacks "connected"
expect_out_contains "ECONNREFUSED"
run "$TJ" -q --profile none -- "$PROBE" unix "$SOCK"
expect_out_contains "connected"
keys Tab q
wait_for "EDITOR-EXIT 0"

t "live feed: a flood of waiting calls shows counts per syscall, the editor stays usable, one answer settles them all"
P="$TMP/flood.json"
printf '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["getpgrp"], "action": "SCMP_ACT_NOTIFY"}]}\n' >"$P"
start_feed
sandbox s8 sh -c "for i in \$(seq 40); do '$PROBE' syscall getpgrp >/dev/null & done; wait"
wait_for "40 waiting (getpgrp 40)"
keys ?
wait_for "quitting the editor fails the waiting calls"
keys q
wait_for "40 waiting (getpgrp 40)"
keys W
sandbox_rc s8
expect_rc 0
wait_for "0 waiting"
keys L
wait_for_re "getpgrp +40 +40 +0 +0 +0"
keys q Tab q
wait_for "EDITOR-EXIT 0"
run "$TJ" -q --profile "$P" -- "$PROBE" syscall getpgrp
expect_rc 0

t "attack: a program whose name holds terminal escapes cannot rewrite the editor's screen"
# The process name and the program's path are the file's name: ESC [ 2 J
# clears the screen, OSC 0 sets the window title.
evil="$TMP/$(printf 'x\033[2J\033]0;pwn\007')"
cp "$PROBE" "$evil"
P="$TMP/esc.json"
cp "$ROOT/policies/strict.json" "$P"
start_feed
sandbox s9 "$evil" seq getpgrp
wait_for "1 waiting (getpgrp 1)"
wait_for "pid "
wait_for "x?[2J?]0;pwn"
wait_for "tinyjail edit $P"
[ "$(tm display-message -p '#{pane_title}')" = "pwn" ] && fail "the program set the terminal's title"
keys a
sandbox_rc s9
expect_rc 0
keys Tab q
wait_for "EDITOR-EXIT 0"

t "--log: the filter 'used in the log' shows the syscalls the log saw"
run "$TJ" -q --profile strict --complain --log "$TMP/run.log" -- "$PROBE" syscall getpgrp
expect_rc 0
cp "$ROOT/policies/strict.json" "$TMP/lg.json"
start_editor 100 30 "$TJ" edit "$TMP/lg.json" --log "$TMP/run.log"
wait_for "? for help"
keys f f f f f
wait_for "filter: used in the log"
wait_for "getpgrp"
screen | grep -q "accept4" && fail "a syscall the log never saw is listed"
keys q
wait_for "EDITOR-EXIT 0"
start_editor 100 30 "$TJ" edit "$TMP/lg.json"
wait_for "? for help"
keys f f f f f
wait_for "filter: all"
keys q
wait_for "EDITOR-EXIT 0"

t "done when: curl to a loopback server, its profile built from an empty deny-by-default one in the live feed"
if ! command -v curl >/dev/null 2>&1; then
	skip "curl is not installed"
else
	mkdir -p "$TMP/www"
	echo "hello from the loopback server" >"$TMP/www/index.html"
	if ! start_file_server "$TMP/www"; then
		fail "the file server did not start"
	else
		P="$TMP/curl.json"
		printf '{"defaultAction": "SCMP_ACT_KILL_PROCESS", "syscalls": []}\n' >"$P"
		start_feed
		sandbox curl1 curl -sS -o "$TMP/got.html" "http://127.0.0.1:$port/index.html"
		# The person: each waiting call (the one the lower pane shows)
		# allowed always; socket for its argument values only.
		answers=0
		while [ ! -e "$TMP/curl1.rc" ] && [ $answers -lt 300 ]; do
			s=$(screen)
			if printf '%s\n' "$s" | grep -q ' 0 waiting'; then
				sleep 0.1
				continue
			fi
			req=$(printf '%s\n' "$s" | sed -n '/^-----/{n;p;q}' | sed 's/^ //')
			name=${req%%(*}
			case "$name" in
			socket) keys A ;;
			*) keys W ;;
			esac
			answers=$((answers + 1))
			_i=0
			while [ $_i -lt 600 ] && ! screen | grep -q "$name: rule added\|refused\|no longer waiting"; do
				sleep 0.1
				_i=$((_i + 1))
			done
		done
		sandbox_rc curl1
		expect_rc 0
		expect_true cmp -s "$TMP/got.html" "$TMP/www/index.html"
		keys Tab q
		wait_for "EDITOR-EXIT 0"
		expect_file_contains "$P" '"connect"'
		expect_file_contains "$P" "socket domain AF_INET"
		printf '     %s calls answered, %s rules\n' "$answers" "$(grep -c '"names"' "$P")"
		# The saved profile alone: curl works, what it never did is killed.
		rm -f "$TMP/got.html"
		run "$TJ" -q --profile "$P" -- curl -sS -o "$TMP/got.html" "http://127.0.0.1:$port/index.html"
		expect_rc 0
		expect_true cmp -s "$TMP/got.html" "$TMP/www/index.html"
		run "$TJ" -q --profile "$P" -- curl -sS "http://[::1]:$port/index.html"
		expect_rc 159
		expect_err_contains "socket(AF_INET6"
		kill "$srv" 2>/dev/null
	fi
fi

t "edit needs a terminal"
run "$TJ" edit "$TMP/u.json" </dev/null
expect_rc 125
expect_err_contains "needs a terminal"

finish
