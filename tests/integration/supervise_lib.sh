# SPDX-License-Identifier: Apache-2.0
# Helpers for tests that run `tinyjail supervise` (sourced after lib.sh):
# SOCK names its socket; sup_err and sup_rc hold what it said and its status.

wait_socket() {
	_i=0
	while [ ! -S "$1" ] && [ $_i -lt 400 ]; do
		sleep 0.05
		_i=$((_i + 1))
	done
	[ -S "$1" ] || fail "no socket at $1"
}

# Starts `tinyjail supervise --listen $SOCK ARGS...` in the background.
start_sup() {
	rm -f "$SOCK"
	"$TJ" supervise --listen "$SOCK" "$@" >"$TMP/sup.out" 2>"$TMP/sup.err" </dev/null &
	sup_pid=$!
	wait_socket "$SOCK"
}

# Waits for the supervisor to end (it was started with --once), else stops it.
end_sup() {
	_i=0
	while kill -0 "$sup_pid" 2>/dev/null && [ $_i -lt 200 ]; do
		sleep 0.05
		_i=$((_i + 1))
	done
	kill -TERM "$sup_pid" 2>/dev/null
	wait "$sup_pid"
	sup_rc=$?
	sup_err=$(cat "$TMP/sup.err")
}

sup_contains() {
	case "$sup_err" in *"$1"*) ;; *) fail "supervise's stderr lacks: $1"; printf '%s\n' "$sup_err" | head -20 | sed 's/^/       s /' ;; esac
}
