# SPDX-License-Identifier: Apache-2.0
# Every process tinyjail runs outside the sandbox is out of the command's
# reach (issue 16 items 1, 2, 7; notes/security.md, "tinyjail's own
# processes"): the parent, the pid namespace's init, the filtering proxy, the
# seccomp listener's helper and the per-user integrity agent.  For each, the
# command tries every access of the outside review's breakout: write its
# memory through /proc/PID/mem, read its environment, list its descriptors,
# PTRACE_ATTACH, process_vm_readv, SIGSTOP, and pidfd_send_signal; as root
# and as nobody.
#
# The attacks are real: in builds with test hooks, TJ_TEST_HOOK=no-walls
# takes the walls away (tinyjail stays dumpable, the command gets no Landlock
# domain of tinyjail's, no guard filter) and the same attacks must then work.
# Without that control a refusal could come from anything.
. "$ROOT/tests/integration/lib.sh"

has_hooks() {
	grep -qa TJ_TEST_HOOK "$TJ"
}

# landlock_create_ruleset(NULL, 0, VERSION)
ABI=$("$PROBE" syscall 444 0 0 1 | sed -n 's/^syscall 444 = \([0-9]*\)$/\1/p')
ABI=${ABI:-0}

# The signals each process is guarded against.  Landlock's scoping (ABI 6)
# covers every one; below it the guard filter covers only tinyjail's own pid
# and process group: the proxy, the helper and the agent can then be stopped
# (the command's own run, or the cache, suffers: security.md), and init
# drops what its namespace sends it without an error.
signal_hows() {
	if [ "$ABI" -ge 6 ] || [ "$1" = parent ]; then
		echo "kill pidfd"
	fi
}

# A profile whose filter notifies (complain mode) makes the listener helper;
# listener-hold keeps it alive for the command to find.
cat >"$TMP/notify.json" <<'EOF'
{"defaultAction": "SCMP_ACT_ALLOW",
 "syscalls": [{"names": ["getpgid"], "action": "SCMP_ACT_ERRNO"}]}
EOF
chmod 644 "$TMP/notify.json"

# target NAME: the options that make the process, and how the probe names it.
target_opts() {
	case $1 in
	parent) echo "--profile none" ;;
	init) echo "--profile none --unshare all" ;;
	proxy) echo "--profile none --net allow=example.org" ;;
	helper) echo "--profile $TMP/notify.json --complain" ;;
	esac
}
target_name() {
	case $1 in
	parent | init) echo parent ;;
	proxy) echo proxy ;;
	helper) echo sibling ;;
	esac
}

# attack WHO TARGET HOW [HOOKS]: sets rc/out/err; the probe exits 0 when
# the attack worked.
attack() {
	_who=$1 _target=$2 _how=$3 _hooks=${4:-listener-hold}
	_sig=""
	case $_how in kill | pidfd) _sig=19 ;; esac
	# shellcheck disable=SC2046
	$_who env TJ_TEST_HOOK="$_hooks" "$TJ" -q $(target_opts "$_target") -- \
		"$PROBE" attack "$_how" "$(target_name "$_target")" $_sig
}

HOWS="mem environ fd ptrace vmread"

for target in parent init proxy helper; do
	for who in run run_nobody; do
		t "$target ($who): memory, environment, descriptors, ptrace, signals all refused"
		if [ "$target" = helper ] && ! has_hooks; then
			skip "the helper lives microseconds; only a build with test hooks can hold it (SAN=1)"
			continue
		fi
		for how in $HOWS $(signal_hows "$target"); do
			attack "$who" "$target" "$how"
			case $rc in
			0) fail "$how on the $target worked: $out" ;;
			200) fail "$how: the probe found no $target (exit 200): $err" ;;
			esac
			expect_out_lacks "= worked"
			# The target is tinyjail's: init is pid 1 of the namespace.
			[ "$target" = init ] && expect_out_contains "attack $how 1 "
		done
	done
done

# Where the kernel itself refuses anyway, there is no control: a command
# without capabilities cannot reach a process holding some (root's parent,
# root's init and listener helper: the permitted set must be a subset of the
# caller's), nor one in an ancestor user namespace (nobody's init and proxy,
# whose command runs in a user namespace of its own).  Those cases rest on
# the walls and on these kernel rules together.
t "the controls: without the walls (test hook no-walls) the same attacks work"
if ! has_hooks; then
	skip "this build has no test hooks (SAN=1 builds have them)"
else
	for pair in parent:run_nobody proxy:run helper:run_nobody; do
		target=${pair%:*} who=${pair#*:}
		for how in mem environ fd ptrace vmread kill pidfd; do
			attack "$who" "$target" "$how" "no-walls,listener-hold"
			[ "$rc" -eq 0 ] || fail "[$target $who] $how did not work without the walls (exit $rc): the case above proves nothing"
		done
	done
fi

t "the integrity agent: refused too, by its own non-dumpable flag even without the other walls"
for who in run run_nobody; do
	uid=0
	[ "$who" = run_nobody ] && uid=65534
	$who "$TJ" -q --profile strict -- "$PROBE" exit 0 # the agent runs now
	agent=$(pgrep -u "$uid" -f -- "--integrity-agent" | head -1)
	if [ -z "$agent" ]; then
		fail "no agent for uid $uid"
		continue
	fi
	hooks=""
	has_hooks && hooks=no-walls
	for how in mem environ fd ptrace vmread; do
		$who env TJ_TEST_HOOK="$hooks" "$TJ" -q --profile none -- "$PROBE" attack "$how" "$agent"
		[ "$rc" -ne 0 ] || fail "$how on the agent worked: $out"
		expect_out_lacks "= worked"
	done
	for how in $(signal_hows agent); do
		$who "$TJ" -q --profile none -- "$PROBE" attack "$how" "$agent" 19
		[ "$rc" -ne 0 ] || fail "$how on the agent worked"
	done
done

t "the control for the agent: a dumpable process of the same uid is reachable without the walls"
if ! has_hooks; then
	skip "this build has no test hooks (SAN=1 builds have them)"
else
	# nobody: root's command has no capabilities, root's processes do.
	setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all -- sleep 30 &
	victim=$!
	run_nobody env TJ_TEST_HOOK=no-walls "$TJ" -q --profile none -- "$PROBE" attack mem "$victim"
	expect_rc 0
	# With the walls (Landlock's ptrace rule) the same process is out of reach.
	run_nobody "$TJ" -q --profile none -- "$PROBE" attack mem "$victim"
	[ "$rc" -ne 0 ] || fail "an outside process's memory was writable with the walls"
	kill "$victim" 2>/dev/null
	wait "$victim" 2>/dev/null
fi

finish
