# SPDX-License-Identifier: Apache-2.0
# One plan for run and check (src/plan/, issue 18): check refuses exactly
# what run refuses, with the same message, on every fixture and bundled
# profile; the messages name the flag or the profile's key.
. "$(dirname "$0")/lib.sh"

FIX=$ROOT/tests/fixtures/profiles

# The error line of a run: the first "tinyjail: " line that is not a
# warning or a note, without the file prefix (run and check name the file
# differently: check always adds it).
first_error() {
	printf '%s\n' "$1" | grep -v '^tinyjail: \(warning\|note\|hint\): ' | head -1 | sed 's/^tinyjail: //' |
		sed 's/^[^ ]*\.json\(:[0-9]*:[0-9]*\)\?: //'
}

t "the refused fixtures: check and run both refuse, with the .expect message, and nothing runs"
n=0
for p in "$FIX"/refused/*.json; do
	frag=$(sed -n 's/^fragment: //p' "${p%.json}.expect" | head -1)
	rm -f "$TMP/ran"
	run "$TJ" check "$p"
	expect_rc 125
	expect_err_contains "$frag"
	run "$TJ" --profile "$p" -- /bin/touch "$TMP/ran"
	expect_rc 125
	expect_err_contains "$frag"
	[ -e "$TMP/ran" ] && fail "$p: the command ran"
	n=$((n + 1))
done
[ "$n" -ge 4 ] || fail "only $n refused fixtures"

t "a profile that does not allow execve: check exits 125 as run does (was: check 0, run 125)"
run "$TJ" check "$FIX/refused/execve-denied.json"
expect_rc 125
expect_err_contains "execve-denied.json: the profile does not allow execve (SCMP_ACT_ERRNO(EPERM))"
expect_out_lacks "ok:"

t "host rules with CAP_NET_RAW from process.capabilities: both name the key and its line, never --cap-keep"
run "$TJ" check "$FIX/refused/host-rules-raw-socket.json"
expect_rc 125
expect_err_contains "host-rules-raw-socket.json:4:30: process.capabilities: the profile keeps CAP_NET_RAW"
expect_err_lacks "--cap-keep"
expect_out_lacks "applied"
run "$TJ" --profile "$FIX/refused/host-rules-raw-socket.json" -- true
expect_rc 125
expect_err_contains "host-rules-raw-socket.json:4:30: process.capabilities: the profile keeps CAP_NET_RAW"
expect_err_lacks "--cap-keep"
# The flag, when the flag keeps it.
run "$TJ" --profile none --net host --net-deny-private --cap-keep CAP_NET_RAW -- true
expect_rc 125
expect_err_contains "--cap-keep CAP_NET_RAW would let the command go around the --net host rules"

# (The ~100 profiles of bad/ fail to load, alike; tests/unit/test_plan.c
# compares the two verbs' plans on every fixture, bad/ included.)
t "every fixture that loads, and every bundled profile: check refuses exactly when run does, with the same message"
n=0
for p in "$FIX"/good/*.json "$FIX"/bad-compile/*.json "$FIX"/refused/*.json "$ROOT"/tests/fixtures/corpus/*.json \
	"$ROOT"/policies/*.json; do
	run "$TJ" check -q "$p"
	crc=$rc cerr=$err
	run "$TJ" -q --profile "$p" -- "$PROBE" exit 0
	case $(basename "$p") in
	# The one difference: run connects to the seccomp agent the profile
	# names (listenerPath), which check never does (the connection would
	# be taken for a run); none listens here.
	notify-listener.json)
		[ "$crc" -eq 0 ] && [ "$rc" -eq 125 ] || fail "$p: check $crc, run $rc"
		expect_err_contains "cannot reach the seccomp agent"
		continue
		;;
	esac
	if [ "$crc" -eq 125 ]; then
		[ "$rc" -eq 125 ] || fail "$p: check refuses, run exits $rc"
		[ "$(first_error "$cerr")" = "$(first_error "$err")" ] ||
			fail "$p: check says '$(first_error "$cerr")', run '$(first_error "$err")'"
	else
		[ "$crc" -eq 0 ] || fail "$p: check exits $crc"
		[ "$rc" -ne 125 ] || fail "$p: check accepts, run refuses: $(first_error "$err")"
	fi
	n=$((n + 1))
done
[ "$n" -ge 45 ] || fail "only $n profiles compared"

finish
