# SPDX-License-Identifier: Apache-2.0
# The attacks of issue 16 (notes/security.md), each performed by the command
# against what tinyjail runs outside the sandbox: its memory, environment,
# descriptors and signals, its helpers (the pid namespace's init, the proxy),
# the tree's lifetime.  Each case failed before its fix.  The probe's
# "attack" subcommand exits 0 when the attack worked, else with the errno
# that stopped it.
. "$ROOT/tests/integration/lib.sh"

# landlock_create_ruleset(NULL, 0, VERSION)
ABI=$("$PROBE" syscall 444 0 0 1 | sed -n 's/^syscall 444 = \([0-9]*\)$/\1/p')
ABI=${ABI:-0}

# run_in as nobody.
as_nobody_in() {
	_dir=$1
	shift
	(cd "$_dir" && as_nobody timeout -k 5 "${TJ_TEST_TIMEOUT:-60}" "$@") >"$TMP/.out" 2>"$TMP/.err"
	rc=$?
	out=$(cat "$TMP/.out")
	err=$(cat "$TMP/.err")
}

# The attack must have been refused with errno $1, not worked, and not been
# cut short by something else (a profile's kill).
expect_refused() {
	expect_rc "$1"
	expect_out_lacks "= worked"
}

# Background runs: bg CMD... sets $bgpid (tinyjail itself).
bg() {
	"$@" >"$TMP/bg.out" 2>"$TMP/bg.err" &
	bgpid=$!
}

# Waits until file $1 exists and is not empty (about 10 s at most).
wait_file() {
	_i=0
	while [ ! -s "$1" ] && [ $_i -lt 200 ]; do
		sleep 0.05
		_i=$((_i + 1))
	done
	[ -s "$1" ]
}

# True when process $1 is gone (or a zombie its new parent has not reaped).
gone() {
	[ ! -e "/proc/$1" ] && return 0
	_st=$(sed -n 's/^State:[[:space:]]*\([A-Z]\).*/\1/p' "/proc/$1/status" 2>/dev/null)
	[ -z "$_st" ] || [ "$_st" = Z ] || [ "$_st" = X ]
}

# Waits (about 5 s at most) until process $1 is gone.
wait_gone() {
	_i=0
	while ! gone "$1" && [ $_i -lt 100 ]; do
		sleep 0.05
		_i=$((_i + 1))
	done
	gone "$1"
}

NOBODY="setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all --"

# A directory nobody may write pid files into.
SHARED="$TMP/shared"
mkdir -p "$SHARED" && chmod 777 "$SHARED"

t "the parent's memory: /proc/PPID/mem cannot be opened, as root and as nobody (item 1)"
# The README's first example: --profile strict, no view, no namespace.
for opts in "--profile strict" "--profile none" ""; do
	# shellcheck disable=SC2086
	run_nobody "$TJ" -q $opts -- "$PROBE" attack mem parent
	expect_refused 13
	# shellcheck disable=SC2086
	run "$TJ" -q $opts -- "$PROBE" attack mem parent
	expect_refused 13
done
run "$TJ" -q --user nobody --profile strict -- "$PROBE" attack mem parent
expect_refused 13

t "the parent's memory: ptrace, process_vm_readv and its descriptors are refused (item 1)"
for who in run run_nobody; do
	$who "$TJ" -q --profile none -- "$PROBE" attack ptrace parent
	expect_refused 1
	$who "$TJ" -q --profile none -- "$PROBE" attack vmread parent
	expect_refused 1
	$who "$TJ" -q --profile none -- "$PROBE" attack fd parent
	expect_refused 13
done

t "the pid namespace's init: memory, environment, ptrace refused (item 1)"
for who in run run_nobody; do
	$who "$TJ" -q --unshare all --profile none -- "$PROBE" attack mem parent
	expect_refused 13
	expect_out_contains "attack mem 1 "
	$who "$TJ" -q --unshare all --profile none -- "$PROBE" attack environ parent
	expect_refused 13
	$who "$TJ" -q --unshare all --profile none -- "$PROBE" attack ptrace parent
	expect_refused 1
done

t "secrets withheld from the command cannot be read back from tinyjail (item 2)"
for opts in "--profile strict" "--profile none"; do
	# shellcheck disable=SC2086
	run_nobody env TJ_TEST_TOKEN=hunter2-sec "$TJ" -q $opts -- "$PROBE" attack environ parent
	expect_refused 13
	expect_out_lacks hunter2-sec
	# shellcheck disable=SC2086
	run env TJ_TEST_TOKEN=hunter2-sec "$TJ" -q $opts -- "$PROBE" attack environ parent
	expect_refused 13
	expect_out_lacks hunter2-sec
done

t "nor from the process that started tinyjail: Landlock's ptrace rule (item 2)"
if [ "$ABI" -lt 2 ]; then
	skip "Landlock ABI $ABI: no domain that restricts nothing but ptrace"
else
	# tinyjail's parent (timeout, from run_nobody) holds the secret.
	export TJ_TEST_TOKEN=hunter2-sec
	run_nobody "$TJ" -q --profile none -- "$PROBE" attack environ grandparent
	expect_refused 13
	expect_out_lacks hunter2-sec
	# Without tinyjail the same read works: the attack is real.
	run_nobody sh -c "exec \"$PROBE\" attack environ parent"
	expect_rc 0
	expect_out_contains hunter2-sec
	unset TJ_TEST_TOKEN
fi

t "tinyjail scrubs withheld variables from its own environment (item 2)"
rm -f "$SHARED/scrub"
bg env TJ_TEST_TOKEN=hunter2-sec TJ_TEST_OTHER=other-sec "$TJ" -q --env-keep PATH -- sh -c "echo \$\$ >$SHARED/scrub; exec \"$PROBE\" sleep 30"
if wait_file "$SHARED/scrub"; then
	# Root reads it anyway (CAP_SYS_PTRACE): what is left in the memory.
	tr '\0' '\n' <"/proc/$bgpid/environ" >"$TMP/environ"
	grep -q hunter2-sec "$TMP/environ" && fail "the withheld secret is still in tinyjail's environment"
	grep -q other-sec "$TMP/environ" && fail "a variable the command did not get is still in tinyjail's environment"
	grep -q '^PATH=' "$TMP/environ" || fail "what the command got should stay"
else
	fail "the command did not start"
fi
kill "$bgpid" 2>/dev/null
wait "$bgpid" 2>/dev/null

t "the command cannot stop or kill tinyjail: kill, pidfd, F_SETOWN (item 7)"
if [ "$ABI" -lt 6 ]; then
	note="the hardening filter's guard"
else
	note="Landlock's signal scoping"
fi
for who in run run_nobody; do
	$who "$TJ" -q --profile none -- "$PROBE" attack kill parent 19
	expect_refused 1
	$who "$TJ" -q --profile none -- "$PROBE" attack kill parent 9
	expect_refused 1
	$who "$TJ" -q -- "$PROBE" attack pidfd parent 9
	expect_rc 1
	expect_out_lacks "= worked"
	# F_SETSIG SIGKILL: the kernel signals the owner when the pipe is
	# readable.  tinyjail must live to report the probe's status.
	$who "$TJ" -q --profile none --json-status "$SHARED/st.json" -- "$PROBE" attack setown parent 9
	[ "$rc" -eq 0 ] || [ "$rc" -eq 1 ] || fail "tinyjail did not survive F_SETOWN + SIGKILL ($note): exit $rc"
	[ -s "$SHARED/st.json" ] || fail "no status file: tinyjail died"
	rm -f "$SHARED/st.json"
done

t "the command cannot stop or kill its process group's tinyjail (item 7)"
# In a session of its own, so that only tinyjail and the command share it.
for who in run run_nobody; do
	TJ_TEST_TIMEOUT=20 $who setsid -w "$TJ" --profile none -- "$PROBE" attack kill group 9
	expect_rc 137
	expect_err_contains "the command was killed by signal SIGKILL"
	TJ_TEST_TIMEOUT=20 $who setsid -w "$TJ" -q --profile none -- "$PROBE" attack kill group 20
	[ "$rc" -eq 0 ] || [ "$rc" -eq 1 ] || fail "tinyjail was stopped by SIGTSTP to its group: exit $rc"
done

t "the proxy cannot be signalled (item 7)"
for who in run run_nobody; do
	$who "$TJ" -q --net allow=example.org --profile none -- "$PROBE" attack kill proxy 19
	expect_refused 1
	$who "$TJ" -q --net allow=example.org --profile none -- "$PROBE" attack mem proxy
	expect_refused 13
done

t "without Landlock the guard filter refuses signals to tinyjail (item 7)"
# An outer tinyjail hides Landlock from the inner one (ENOSYS), as on a
# kernel without it; the outer one's domain holds both the inner tinyjail and
# its command, so only the guard separates them.
cat >"$TMP/nolandlock.json" <<'EOF'
{"defaultAction": "SCMP_ACT_ALLOW",
 "syscalls": [{"names": ["landlock_create_ruleset"], "action": "SCMP_ACT_ERRNO", "errnoRet": 38}]}
EOF
for who in run run_nobody; do
	$who "$TJ" -q --profile "$TMP/nolandlock.json" -- "$TJ" -q --profile none -- "$PROBE" attack kill parent 19
	expect_refused 1
	$who "$TJ" -q --profile "$TMP/nolandlock.json" -- "$TJ" -q --profile none -- "$PROBE" attack kill parent 0
	expect_rc 0 # the existence check stays
	$who "$TJ" -q --profile "$TMP/nolandlock.json" -- "$TJ" -q --profile none -- "$PROBE" attack pidfd parent 9
	expect_rc 1
	expect_out_lacks "= worked"
	$who "$TJ" -q --profile "$TMP/nolandlock.json" -- "$TJ" -q --profile none -- "$PROBE" attack setown parent 9
	expect_refused 1
	$who "$TJ" -q --profile "$TMP/nolandlock.json" -- "$TJ" -q --profile none -- "$PROBE" attack mem parent
	expect_refused 13
	TJ_TEST_TIMEOUT=20 $who setsid -w "$TJ" -q --profile "$TMP/nolandlock.json" -- "$TJ" --profile none -- "$PROBE" attack kill group 9
	expect_refused 1
	TJ_TEST_TIMEOUT=20 $who setsid -w "$TJ" -q --profile "$TMP/nolandlock.json" -- "$TJ" --profile none -- "$PROBE" attack kill group 20
	expect_refused 1
done
run "$TJ" -v --profile "$TMP/nolandlock.json" -- "$TJ" -v --profile none -- true
expect_err_contains "landlock: unavailable: no Landlock on this kernel"

t "--user keeps the parent-death signal: the command dies with tinyjail (item 9)"
for opts in "--user nobody" "--user nobody --profile none"; do
	rm -f "$SHARED/pd"
	# shellcheck disable=SC2086
	bg "$TJ" -q $opts -- sh -c "echo \$\$ >$SHARED/pd; exec \"$PROBE\" sleep 30"
	if wait_file "$SHARED/pd"; then
		cpid=$(cat "$SHARED/pd")
		kill -KILL "$bgpid"
		wait "$bgpid" 2>/dev/null
		wait_gone "$cpid" || {
			fail "$opts: the command outlived tinyjail"
			kill -KILL "$cpid"
		}
	else
		fail "the command did not start"
		kill -KILL "$bgpid"
	fi
done

t "with a pid namespace nothing of the tree outlives a killed tinyjail (item 7)"
for who in "" "$NOBODY"; do
	rm -f "$SHARED/tree"
	# shellcheck disable=SC2086
	bg $who "$TJ" -q --unshare pid,user,mount --profile none -- "$PROBE" tree "$SHARED/tree" 30
	if wait_file "$SHARED/tree"; then
		# The file holds the namespace's pid; find them on the host.
		procs=$(pgrep -f "^$PROBE tree $SHARED/tree")
		[ "$(echo "$procs" | wc -w)" -ge 2 ] || fail "the tree is not there: $procs"
		kill -KILL "$bgpid"
		wait "$bgpid" 2>/dev/null
		for p in $procs; do
			wait_gone "$p" || {
				fail "process $p of the tree outlived tinyjail"
				kill -KILL "$p"
			}
		done
	else
		fail "the tree did not start"
		kill -KILL "$bgpid"
	fi
done

t "host UNIX sockets are out of reach with --net none, filtered mode, a view, curl-download (item 5)"
# Servers the test starts on the host: a socket file in a temporary
# directory, one in /run (where the D-Bus system bus and resolvers live),
# and an abstract name.
SOCKDIR="$TMP/sockets"
mkdir -p "$SOCKDIR" && chmod 777 "$SOCKDIR"
RUNSOCK="/run/tj-sec-$$.sock"
ABSTRACT="@tj-sec-$$"
"$PROBE" listen unix "$SOCKDIR/srv.sock" 120 >"$TMP/srv1.out" &
srv1=$!
"$PROBE" listen unix "$RUNSOCK" 120 >"$TMP/srv2.out" &
srv2=$!
"$PROBE" listen unix "$ABSTRACT" 120 >"$TMP/srv3.out" &
srv3=$!
wait_file "$TMP/srv1.out" && wait_file "$TMP/srv2.out" && wait_file "$TMP/srv3.out" || fail "the servers did not start"
VIEWS="--ro /usr --ro /lib --ro /lib64 --ro /bin --ro $(dirname "$PROBE") --ro $TMP --ro /run"
# The control: without a view or an isolated network every one answers.
for sock in "$SOCKDIR/srv.sock" "$RUNSOCK" "$ABSTRACT"; do
	run_nobody "$TJ" -q --profile none -- "$PROBE" unix "$sock"
	expect_rc 0
done
for opts in "--net none" "--net allow=example.org" "$VIEWS" "--profile curl-download"; do
	for who in run run_nobody; do
		extra=""
		# curl-download's limits need a delegated cgroup, which nobody lacks.
		[ "$who" = run_nobody ] && [ "$opts" = "--profile curl-download" ] && extra="--allow-degraded memory,cpu,pids"
		for sock in "$SOCKDIR/srv.sock" "$RUNSOCK" "$ABSTRACT"; do
			# shellcheck disable=SC2086
			$who "$TJ" -q $opts $extra -- "$PROBE" unix "$sock"
			[ "$rc" -ne 0 ] || fail "[$opts] $who reached $sock"
			expect_out_lacks "= connected"
			case "$rc" in 111 | 1 | 2) ;; *) fail "[$opts] $who: $sock: exit $rc (not refused by the sandbox)" ;; esac
		done
	done
done

t "a host socket is reachable only where the view grants it: --rw (item 5)"
for who in run run_nobody; do
	# shellcheck disable=SC2086
	$who "$TJ" -q $VIEWS --rw "$SOCKDIR" -- "$PROBE" unix "$SOCKDIR/srv.sock"
	expect_rc 0
	# shellcheck disable=SC2086
	$who "$TJ" -q $VIEWS --rw "$SOCKDIR" -- "$PROBE" unix "$RUNSOCK"
	expect_rc 111
	# shellcheck disable=SC2086
	$who "$TJ" -q --net none --rw "$SOCKDIR" --ro / -- "$PROBE" unix "$SOCKDIR/srv.sock"
	expect_rc 0
done
run "$TJ" -v --net none -- true
expect_err_contains "the host's UNIX sockets outside --rw paths covered"

t "a host socket removed while the view is made is skipped, one bound in its place covered (CI, stop 24)"
# Sockets of other programs come and go: one listed in /proc/net/unix can be
# removed before its cover is mounted, and the kernel then refuses the mount
# with ENOENT.  The hook removes the test's own socket at that moment.
if has_hooks; then
	"$PROBE" listen unix "$SOCKDIR/tj-hook-gone.sock" 120 >"$TMP/srv4.out" &
	srv4=$!
	wait_file "$TMP/srv4.out" || fail "the server did not start"
	run env TJ_TEST_HOOK=socket-gone "$TJ" -q --net none -- "$PROBE" exit 7
	expect_rc 7
	expect_err_lacks "cannot cover"
	[ ! -e "$SOCKDIR/tj-hook-gone.sock" ] || fail "the hook did not remove the socket"
	kill "$srv4" 2>/dev/null
	wait "$srv4" 2>/dev/null
	# Removed and another bound under its name (the hook renames NAME.next
	# over it): the new one is covered too.  The second server listens in a
	# network namespace of its own, so that /proc/net/unix does not list it
	# and only the look again can find it (a path reaches it from anywhere).
	"$PROBE" listen unix "$SOCKDIR/tj-hook-gone.sock" 120 >"$TMP/srv5.out" &
	srv5=$!
	unshare -n "$PROBE" listen unix "$SOCKDIR/tj-hook-gone.sock.next" 120 >"$TMP/srv6.out" &
	srv6=$!
	wait_file "$TMP/srv5.out" && wait_file "$TMP/srv6.out" || fail "the servers did not start"
	run "$TJ" -q --profile none -- "$PROBE" unix "$SOCKDIR/tj-hook-gone.sock.next"
	expect_rc 0
	run env TJ_TEST_HOOK=socket-gone "$TJ" -q --net none -- "$PROBE" unix "$SOCKDIR/tj-hook-gone.sock"
	expect_rc 111
	expect_out_lacks "= connected"
	[ -S "$SOCKDIR/tj-hook-gone.sock" ] && [ ! -e "$SOCKDIR/tj-hook-gone.sock.next" ] ||
		fail "the hook did not rename the second socket over the first"
	run "$TJ" -q --profile none -- "$PROBE" unix "$SOCKDIR/tj-hook-gone.sock"
	expect_rc 0
	kill "$srv5" "$srv6" 2>/dev/null
	wait "$srv5" "$srv6" 2>/dev/null
	rm -f "$SOCKDIR/tj-hook-gone.sock"
else
	skip_without_hooks "needs the socket-gone test hook"
fi

t "where no mount namespace can hide them, a view fails closed unless allowed (item 5)"
# Root without capabilities (inside an outer tinyjail, as in a container
# without CAP_SYS_ADMIN) cannot make the mount namespace.
run "$TJ" -q --profile none -- "$TJ" $VIEWS -- "$PROBE" unix "$SOCKDIR/srv.sock"
expect_rc 125
expect_err_contains "mount layer: hiding the host's UNIX sockets"
expect_err_contains "--allow-degraded unix-sockets"
expect_out_lacks "connected"
run "$TJ" -q --profile none -- "$TJ" --allow-degraded unix-sockets $VIEWS -- "$PROBE" unix "$SOCKDIR/srv.sock"
expect_rc 0
expect_err_contains "warning: landlock degraded"
expect_err_contains "the host's UNIX socket files reachable"
kill "$srv1" "$srv2" "$srv3" 2>/dev/null
wait "$srv1" "$srv2" "$srv3" 2>/dev/null
rm -f "$RUNSOCK"

t "a sandboxed command cannot poison the filter cache (item 3)"
# The attack: a command running as the user (no view) rewrites strict's
# cache entry with an allow-all profile's program, fixing up the key and the
# check it can compute (a SHA-256 of the payload: what the old format held).
echo '{"defaultAction": "SCMP_ACT_ALLOW"}' >"$TMP/allowall.json"
cat >"$TMP/poison.py" <<'EOF'
import hashlib, os, sys
d, a, b = sys.argv[1:4]
data = open(os.path.join(d, a), "rb").read()
key = bytes.fromhex(b[:-len(".tjf")])
head = data[:16] + key + data[48:56]
payload = data[88:]
open(os.path.join(d, "x.tmp"), "wb").write(head + hashlib.sha256(payload).digest() + payload)
os.rename(os.path.join(d, "x.tmp"), os.path.join(d, b))
print("poisoned", b)
EOF
chmod 644 "$TMP/allowall.json" "$TMP/poison.py"
for who in run run_nobody; do
	cache="$TMP/poison-cache-$who"
	mkdir -p "$cache"
	[ "$who" = run_nobody ] && chown 65534:65534 "$cache"
	export XDG_CACHE_HOME="$cache"
	$who "$TJ" -q --profile "$TMP/allowall.json" -- true
	a=$(ls "$cache/tinyjail")
	$who "$TJ" -q --profile strict -- "$PROBE" exit 0
	b=$(ls "$cache/tinyjail" | grep -v "^$a\$")
	[ -n "$a" ] && [ -n "$b" ] || fail "$who: no cache entries to attack ('$a', '$b')"
	$who "$TJ" -q --profile none -- /usr/bin/python3 "$TMP/poison.py" "$cache/tinyjail" "$a" "$b"
	expect_out_contains "poisoned"
	$who "$TJ" -v --profile strict -- "$PROBE" syscall ptrace 16 999999999
	expect_rc 159
	expect_err_contains "stored in the cache"
	expect_err_lacks "taken from the cache"
done
export XDG_CACHE_HOME="$TMP/cache"

t "a sandboxed command cannot poison the static analysis's summary cache (item 3)"
# Two static programs; the command rewrites the first one's summary with the
# second one's (which calls ptrace), fixing the key and the plain SHA-256
# tag the first format checked.  learn --static of the first program would
# then write a profile that allows ptrace.
printf 'int main(void) { return 0; }\n' >"$TMP/p1.c"
printf '#include <sys/ptrace.h>\nint main(void) { return (int)ptrace(PTRACE_TRACEME, 0, 0, 0); }\n' >"$TMP/p2.c"
cat >"$TMP/poison_static.py" <<'EOF'
import hashlib, os, sys
d1, d2 = sys.argv[1:3]
only = lambda a, b: [n for n in os.listdir(a) if n not in os.listdir(b) and not n.startswith(".")]
(e1,), (e2,) = only(d1, d2), only(d2, d1)
victim = open(os.path.join(d1, e1), "rb").read()
payload = open(os.path.join(d2, e2), "rb").read()[88:]
head = victim[:48] + len(payload).to_bytes(8, "little")
tag = hashlib.sha256(victim[16:48] + payload).digest()
open(os.path.join(d1, "x.tmp"), "wb").write(head + tag + payload)
os.rename(os.path.join(d1, "x.tmp"), os.path.join(d1, e1))
print("poisoned", e1)
EOF
if cc -static -O1 -o "$TMP/p1" "$TMP/p1.c" && cc -static -O1 -o "$TMP/p2" "$TMP/p2.c"; then
	chmod 755 "$TMP/p1" "$TMP/p2"
	chmod 644 "$TMP/poison_static.py"
	for who in run run_nobody; do
		c1="$TMP/static-cache1-$who" c2="$TMP/static-cache2-$who"
		mkdir -p "$c1" "$c2"
		[ "$who" = run_nobody ] && chown 65534:65534 "$c1" "$c2"
		$who env XDG_CACHE_HOME="$c1" "$TJ" learn --static -q -o "$SHARED/p1-$who.json" "$TMP/p1"
		expect_rc 0
		$who env XDG_CACHE_HOME="$c2" "$TJ" learn --static -q -o "$SHARED/p2-$who.json" "$TMP/p2"
		expect_rc 0
		expect_file_contains "$SHARED/p2-$who.json" '"ptrace"'
		$who "$TJ" -q --profile none -- /usr/bin/python3 "$TMP/poison_static.py" "$c1/tinyjail/static" "$c2/tinyjail/static"
		expect_out_contains "poisoned"
		$who env XDG_CACHE_HOME="$c1" "$TJ" learn --static -v --force -o "$SHARED/p1b-$who.json" "$TMP/p1"
		expect_rc 0
		grep -q '"ptrace"' "$SHARED/p1b-$who.json" && fail "$who: the poisoned summary put ptrace in the profile"
		cmp -s "$SHARED/p1-$who.json" "$SHARED/p1b-$who.json" || fail "$who: the poisoned cache changed the profile"
	done
else
	fail "cc -static: no static C library (libc6-dev)"
fi

t "the integrity agent gives its key to tinyjail, never to a sandboxed command (item 3)"
for who in run run_nobody; do
	uid=0
	[ "$who" = run_nobody ] && uid=65534
	$who "$TJ" -q --profile strict -- "$PROBE" exit 0 # the agent runs now
	$who "$PROBE" unix "@tinyjail-integrity-$uid" read
	expect_out_contains "read 32 bytes"
	$who "$TJ" -q --profile none -- "$PROBE" unix "@tinyjail-integrity-$uid" read
	expect_out_contains "read 0 bytes"
	agent=$(pgrep -u "$uid" -f -- "--integrity-agent" | head -1)
	if [ -z "$agent" ]; then
		fail "no agent for uid $uid"
		continue
	fi
	$who "$TJ" -q --profile none -- "$PROBE" attack mem "$agent"
	expect_refused 13
	$who "$TJ" -q --profile none -- "$PROBE" attack kill "$agent" 19
	expect_refused 1
done

t "bare names are bundled profiles, never files planted in the current directory (item 4)"
# An allow-all profile named like the bundled ones: ptrace would pass.
PLANT="$TMP/plant"
mkdir -p "$PLANT"
echo '{"defaultAction": "SCMP_ACT_ALLOW"}' >"$PLANT/default"
echo '{"defaultAction": "SCMP_ACT_ALLOW"}' >"$PLANT/strict"
chmod 755 "$PLANT"
for who in run_in as_nobody_in; do
	# The implicit default and the explicit names.
	$who "$PLANT" "$TJ" -- "$PROBE" syscall ptrace 0
	expect_rc 159
	expect_err_contains "policies/default.json"
	$who "$PLANT" "$TJ" --profile default -- "$PROBE" syscall ptrace 0
	expect_rc 159
	$who "$PLANT" "$TJ" --profile strict -- "$PROBE" syscall ptrace 0
	expect_rc 159
	expect_err_contains "policies/strict.json"
done
# A file is still a file when it says so.
run_in "$PLANT" "$TJ" -q --profile ./default -- "$PROBE" syscall ptrace 0
[ "$rc" -ne 159 ] || fail "./default should be the planted file"
run_in "$PLANT" "$TJ" --profile nosuch -- true
echo '{}' >"$PLANT/nosuch"
run_in "$PLANT" "$TJ" --profile nosuch -- true
expect_rc 125
expect_err_contains "no bundled profile named 'nosuch'"
expect_err_contains "--profile ./nosuch"

finish
