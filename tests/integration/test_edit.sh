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

t "an invalid profile: the loader's message, exit 125, nothing written"
printf '{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ALOW"}]}\n' >"$TMP/bad.json"
cp "$TMP/bad.json" "$TMP/bad.orig"
start_editor 100 30 "$TJ" edit "$TMP/bad.json"
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

t "edit needs a terminal"
run "$TJ" edit "$TMP/u.json" </dev/null
expect_rc 125
expect_err_contains "needs a terminal"

finish
