# SPDX-License-Identifier: Apache-2.0
# tinyjail learn --fuzz (notes/fuzz-learn.md): the AFL++ refinement loop on a
# small instrumented program (data/fuzz_app.c) that calls uname and socket
# only for some inputs, hangs and then calls getppid for others, and aborts
# for others.  The loop must find the calls
# the seeds never make, learn them from replays, converge, and write a
# profile that enforces cleanly on those inputs; the abort is reported and
# never learned from.  Also run --afl (AFL++'s forkserver descriptors and
# variables pass, nothing else does), --jobs 2 with --from, and the bad
# input: afl-fuzz missing, empty seeds, an uninstrumented target, options
# afl-fuzz cannot work with, an interrupted campaign.  Budgets are counted
# in executions, never in seconds, so a slow machine takes longer but
# finds the same.
. "$ROOT/tests/integration/lib.sh"

W="$TMP/w"
mkdir -p "$W/seeds" "$W/empty"
printf 'hello\n' >"$W/seeds/a"
printf 'abc' >"$W/seeds/b"
printf 'X' >"$W/x1"
printf '\300\301 socket' >"$W/x2"
HAVE_AFL=0
if command -v afl-fuzz >/dev/null && command -v afl-clang-fast >/dev/null &&
	AFL_QUIET=1 afl-clang-fast -O1 -o "$W/app" "$ROOT/tests/integration/data/fuzz_app.c" >"$TMP/cc.log" 2>&1 &&
	AFL_QUIET=1 afl-clang-fast -O1 -o "$W/bad" "$ROOT/tests/integration/data/fuzz_bad.c" >>"$TMP/cc.log" 2>&1; then
	HAVE_AFL=1
fi
need_afl() {
	[ "$HAVE_AFL" = 1 ] && return 0
	skip "afl-fuzz or afl-clang-fast missing (tools/install-deps.sh fuzz)"
	return 1
}

# --- run --afl ---

t "--afl: AFL++'s forkserver pipes (198, 199) and variables reach the command"
mkfifo "$W/fifo"
run env __AFL_SHM_ID=4242 AFL_MAP_SIZE=65536 bash -c \
	'exec 198<>"$1" 199<>"$1"; exec "$2" --profile none --afl -- sh -c "ls /proc/\$\$/fd; echo shm=\$__AFL_SHM_ID map=\$AFL_MAP_SIZE"' \
	_ "$W/fifo" "$TJ"
expect_rc 0
case " $(echo $out) " in *" 198 199 "*) ;; *) fail "198 and 199 not passed: $out" ;; esac
expect_out_contains "shm=4242 map=65536"

t "without --afl the same descriptors and variables are closed and cleared"
run env __AFL_SHM_ID=4242 bash -c \
	'exec 198<>"$1" 199<>"$1"; exec "$2" --profile none -- sh -c "ls /proc/\$\$/fd; echo shm=\$__AFL_SHM_ID"' \
	_ "$W/fifo" "$TJ"
expect_rc 0
expect_out_lacks "198"
expect_out_contains "shm="
expect_out_lacks "4242"

t "--afl passes only pipes inherited at 198/199, not a file there"
run bash -c 'exec 198<"$1"; exec "$2" --profile none --afl -- sh -c "ls /proc/\$\$/fd"' _ "$W/seeds/a" "$TJ"
expect_rc 0
expect_out_lacks "198"

t "--afl refuses what afl-fuzz's forkserver cannot work with"
for opt in "--unshare pid" "--unshare ipc" "--timeout 5s" "--no-fork" "--memory 100M"; do
	# shellcheck disable=SC2086
	run "$TJ" --profile none --afl $opt -- true
	[ "$rc" -eq 125 ] || fail "$opt: expected 125, got $rc"
done
run "$TJ" --profile none --afl --unshare pid -- true
expect_err_contains "no pid namespace"

# --- learn --fuzz: bad input ---

t "learn --fuzz: afl-fuzz missing: 125, the Debian package named"
run env PATH=/nonexistent "$TJ" learn --fuzz "$W/seeds" -o "$W/none.json" -- "$W/app" @@
expect_rc 125
expect_err_contains "afl-fuzz not found"
expect_err_contains "apt-get install afl++"
[ -e "$W/none.json" ] && fail "a profile was written"

t "learn --fuzz: empty or missing seed directory, uninstrumented target, zero budget"
if need_afl; then
	run "$TJ" learn --fuzz "$W/empty" -o "$W/none.json" -- "$W/app" @@
	expect_rc 125
	expect_err_contains "holds no readable file"
	run "$TJ" learn --fuzz "$W/nothere" -o "$W/none.json" -- "$W/app" @@
	expect_rc 125
	expect_err_contains "cannot read the seed directory"
	run "$TJ" learn --fuzz "$W/seeds" -o "$W/none.json" -- /bin/cat @@
	expect_rc 125
	expect_err_contains "not instrumented for AFL++"
	run "$TJ" learn --fuzz "$W/seeds" --budget 0 -o "$W/none.json" -- "$W/app" @@
	expect_rc 125
	run "$TJ" learn --fuzz "$W/seeds" --unshare pid -o "$W/none.json" -- "$W/app" @@
	expect_rc 125
	expect_err_contains "no pid namespace"
	run "$TJ" learn --fuzz "$W/seeds" --log "$W/l" -o "$W/none.json" -- "$W/app" @@
	expect_rc 125
	[ -e "$W/none.json" ] && fail "a profile was written"
	run "$TJ" learn --fuzz "$W/seeds" --budget-execs 0 -o "$W/none.json" -- "$W/app" @@
	expect_rc 125
	[ -e "$W/none.json" ] && fail "a profile was written"
fi

t "learn --fuzz: a seed directory that cannot be read, one whose only file cannot be read (as nobody)"
if need_afl; then
	mkdir -p "$W/locked"
	printf 'a' >"$W/locked/a"
	chmod 700 "$W/locked"
	chmod 755 "$W"
	if [ "$(id -u)" = 0 ]; then
		run_nobody "$TJ" learn --fuzz "$W/locked" -o /tmp/none.$$.json -- "$W/app" @@
		expect_rc 125
		expect_err_contains "cannot read the seed directory"
		chmod 755 "$W/locked"
		chmod 000 "$W/locked/a"
		run_nobody "$TJ" learn --fuzz "$W/locked" -o /tmp/none.$$.json -- "$W/app" @@
		expect_rc 125
		expect_err_contains "holds no readable file"
		[ -e /tmp/none.$$.json ] && fail "a profile was written"
		rm -f /tmp/none.$$.json
	else
		skip "needs root to become nobody"
	fi
fi

t "learn --fuzz: a program that crashes on every input: 125, said, nothing written"
if need_afl; then
	run "$TJ" learn --fuzz "$W/seeds" --budget-execs 200 -o "$W/crash.json" -- "$W/bad" crash @@
	expect_rc 125
	expect_err_contains "every seed crashes the program"
	expect_err_contains "SIGABRT"
	[ -e "$W/crash.json" ] && fail "a profile was written"
fi

t "learn --fuzz: a program that needs a terminal, one that never reads its input: said"
if need_afl; then
	# The runs are in sessions of their own (as afl-fuzz's), so /dev/tty is
	# not the user's terminal even when the campaign runs on one.
	TJ_TEST_TIMEOUT=600 run "$TJ" learn --fuzz "$W/seeds" --budget-execs 200 -o "$W/tty.json" -- "$W/bad" tty @@
	expect_rc 0
	expect_err_contains "every seed's run ended with status 1"
	expect_err_contains "needs a terminal"
	expect_file_contains "$W/tty.json" '"openat"'
	TJ_TEST_TIMEOUT=600 run "$TJ" learn --fuzz "$W/seeds" --budget-execs 200 -o "$W/noread.json" -- "$W/bad" noread @@
	expect_rc 0
	expect_err_contains "all 2 seeds took the same path"
	expect_err_lacks "every seed's run ended"
	# Seeds that take different paths are not warned about (a and b take
	# the same one through data/fuzz_app.c: the warning says so).
	mkdir -p "$W/seeds2"
	cp "$W/seeds/a" "$W/x1" "$W/seeds2/"
	TJ_TEST_TIMEOUT=600 run "$TJ" learn --fuzz "$W/seeds2" --budget-execs 1 -o "$W/paths.json" -- "$W/app" @@
	expect_rc 0
	expect_err_lacks "took the same path"
fi

# --- learn --fuzz: the loop ---

t "a profile learnt from the seeds alone kills the inputs only fuzzing reaches"
if need_afl; then
	run "$TJ" learn -o "$W/seeds.json" -- "$W/app" "$W/seeds/a"
	expect_rc 0
	run "$TJ" --profile "$W/seeds.json" -- "$W/app" "$W/x1"
	expect_rc 159
	expect_err_contains "uname"
fi

t "learn --fuzz finds uname and socket, the hang's getppid, converges, and the profile enforces cleanly"
if need_afl; then
	TJ_TEST_TIMEOUT=900 run "$TJ" learn --fuzz "$W/seeds" --budget-execs 1500 --fuzz-seed 7 -o "$W/app.json" \
		-- "$W/app" @@
	expect_rc 0
	expect_err_contains "calibration:"
	printf '%s\n' "$err" | grep -q 'learned.*uname' || fail "uname not learned"
	expect_err_contains "converged"
	expect_file_contains "$W/app.json" '"uname"'
	expect_file_contains "$W/app.json" '"socket"'
	# A hang (1.5 s, over afl-fuzz's 1 s) replayed with a longer timeout:
	# the call after the sleep, which no afl-fuzz run reached.
	printf '%s\n' "$err" | grep -q 'hang: .*learned getppid' || fail "the hang's getppid not learned"
	expect_file_contains "$W/app.json" '"getppid"'
	# AFL++'s harness calls come from the calibration, through the forkserver:
	# the rounds' profiles allow them, the profile written does not (the
	# program makes none of them), and the report names them.
	printf '%s\n' "$err" | grep "only through AFL++'s forkserver" | grep -q shmat ||
		fail "the harness's calls are not named apart"
	d=$(ls -d "$W"/app.json.fuzz/*/ | head -1)
	expect_file_contains "$d/round-1.json" '"shmat"'
	for c in shmat wait4 clone; do
		grep -q "\"$c\"" "$W/app.json" && fail "the harness's $c is in the program's profile"
	done
	printf '5' >"$W/x5"
	for x in x1 x2 x5; do
		run "$TJ" --profile "$W/app.json" -- "$W/app" "$W/$x"
		[ "$rc" -eq 0 ] || fail "$x: expected 0 under the learnt profile, got $rc"
	done
	run "$TJ" --profile "$W/app.json" -- "$W/app" "$W/x2"
	expect_out_is "9"
	expect_true test -s "$d/curve.tsv"
	expect_file_contains "$d/curve.svg" "<svg"
	expect_file_contains "$d/report.txt" "converged"
	expect_file_contains "$d/round-1.out/default/fuzzer_stats" "execs_done"
fi

t "learn --fuzz reports the genuine crash (abort) and never learns from it"
if need_afl; then
	# The abort (first byte 0) is found while the last round runs its budget.
	expect_file_contains "$d/report.txt" "genuine crash"
	grep -q '"tgkill"' "$W/app.json" && fail "the abort's tgkill was learned"
	printf '\0' >"$W/x0"
	run "$TJ" --profile "$W/app.json" -- "$W/app" "$W/x0"
	[ "$rc" -eq 134 ] || [ "$rc" -eq 159 ] || fail "the abort should still end the program, got $rc"
fi

t "a second, independent campaign (another seed) under the learnt profile finds nothing new"
if need_afl; then
	TJ_TEST_TIMEOUT=900 run "$TJ" learn --fuzz "$W/seeds" --budget-execs 1500 --fuzz-seed 99 --from "$W/app.json" \
		-o "$W/again.json" -- "$W/app" @@
	expect_rc 0
	expect_err_contains "1 round,"
	expect_err_contains "converged"
	printf '%s\n' "$err" | grep -q ': learned ' && fail "the second campaign learned something"
	run "$TJ" diff "$W/app.json" "$W/again.json"
	expect_rc 0
fi

t "learn --fuzz on stdin (no @@), --jobs 2 with main and secondary, --from a profile"
if need_afl; then
	TJ_TEST_TIMEOUT=900 run "$TJ" learn --fuzz "$W/seeds" --jobs 2 --budget-execs 1500 --from "$W/seeds.json" \
		-o "$W/jobs.json" -- "$W/app"
	expect_rc 0
	expect_err_contains "2 instances"
	printf '%s\n' "$err" | grep -q 'learned.*uname' || fail "uname not learned"
	d=$(ls -d "$W"/jobs.json.fuzz/*/ | head -1)
	expect_true test -s "$d/round-1.out/main/fuzzer_stats"
	expect_true test -s "$d/round-1.out/secondary1/fuzzer_stats"
	run "$TJ" --profile "$W/jobs.json" -- "$W/app" "$W/x1"
	expect_rc 0
fi

t "learn --fuzz interrupted: the profile so far is written, marked incomplete"
if need_afl; then
	("$TJ" learn --fuzz "$W/seeds" --budget-execs 100000000 -o "$W/int.json" -- "$W/app" @@ \
		>"$TMP/int.out" 2>"$TMP/int.err") &
	pid=$!
	for _ in $(seq 1 600); do
		ls "$W"/int.json.fuzz/*/round-1.out/default/fuzzer_stats >/dev/null 2>&1 && break
		sleep 0.5
	done
	kill -INT "$pid"
	wait "$pid"
	rc=$?
	err=$(cat "$TMP/int.err")
	expect_rc 130
	expect_err_contains "interrupted"
	expect_file_contains "$W/int.json" "incomplete: interrupted"
	run "$TJ" check "$W/int.json"
	expect_rc 0
	pgrep -f "$W/int.json" >/dev/null && fail "afl-fuzz or a target outlived the campaign"
fi

finish
