#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# --signals restricts every route to another process's signals, not only
# kill(2) and friends (issue 16 item 8): a descriptor's owner receives SIGIO,
# or whatever F_SETSIG names, when the descriptor becomes ready.  The command
# makes a victim (a process of the same user outside the sandbox, or tinyjail
# itself) the owner of a socket through each route and makes it ready.
. "$(dirname "$0")/lib.sh"

# A victim of the runner's uid; its pid in $victim.
start_victim() {
	# Started directly (not through a shell function, whose subshell would
	# be the pid): setpriv execs sleep, so $! is the victim itself.
	if [ "$1" = nobody ]; then
		setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all -- sleep 60 &
	else
		sleep 60 &
	fi
	victim=$!
}

victim_alive() {
	sleep 0.3
	kill -0 "$victim" 2>/dev/null
}

for who in root nobody; do
	[ "$who" = nobody ] && [ "$(id -u)" -ne 0 ] && continue
	runner=run
	[ "$who" = nobody ] && runner=run_nobody
	for how in setown setown_ex fiosetown siocspgrp; do
		t "--signals TERM ($who): no SIGKILL to another process through $how"
		start_victim "$who"
		$runner "$TJ" -q --signals TERM -- "$PROBE" sigio "$how" "$victim" 9
		expect_out_contains "sigio $how = 1" # EPERM
		victim_alive || fail "the victim was killed through $how"
		kill "$victim" 2>/dev/null
		wait "$victim" 2>/dev/null
	done

	t "--signals TERM ($who): plain SIGIO (no F_SETSIG) cannot reach tinyjail itself"
	$runner "$TJ" -q --signals TERM -- /bin/sh -c "'$PROBE' sigio setown \$PPID 0; '$PROBE' sigio fiosetown \$PPID 0; sleep 0.3; echo still"
	expect_rc 0
	expect_out_contains "sigio setown = 1"
	expect_out_contains "still"

	# The control: without --signals the route kills.  Its victim is in
	# the sandbox too (a process outside it is out of reach anyway: the
	# command's Landlock domain scopes signals, SIGIO included, on kernels
	# with ABI 6, and the guard covers tinyjail where it cannot; security.md).
	t "the route works without --signals ($who): the control for the cases above"
	$runner "$TJ" -q -- /bin/sh -c "sleep 60 & v=\$!; '$PROBE' sigio setown \$v 9; wait \$v; echo status \$?"
	expect_out_contains "sigio setown = 0"
	expect_out_contains "status 137" # 128 + SIGKILL: the attack works where nothing stops it

	t "--signals TERM ($who): the same victim in the sandbox is safe"
	$runner "$TJ" -q --signals TERM -- /bin/sh -c "sleep 1 & v=\$!; '$PROBE' sigio setown \$v 9; wait \$v; echo status \$?"
	expect_out_contains "sigio setown = 1"
	expect_out_contains "status 0"

	t "--signals TERM ($who): a descriptor without an owner, and O_ASYNC, still work"
	$runner "$TJ" -q --signals TERM -- "$PROBE" sigio setown 0 0
	expect_rc 0
done

finish
