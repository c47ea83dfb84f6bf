# SPDX-License-Identifier: Apache-2.0
# The event log (--log) against its documented schema, version 1
# (notes/events.md, notes/events.schema.json), validated with python3-jsonschema:
# logs of real runs in every mode, a supervisor's log, and one event of every
# kind written through the C API that other layers use.
. "$ROOT/tests/integration/lib.sh"

SCHEMA="$ROOT/notes/events.schema.json"
VALIDATE="$ROOT/tests/helpers/validate_events.py"
EMIT="$ROOT/$BUILD/emit_events"

validate() {
	run /usr/bin/python3 "$VALIDATE" "$SCHEMA" "$@"
	[ "$rc" -eq 0 ] || fail "schema: $(printf '%s\n' "$out" | head -5)"
}

# The events of a log, in order, as "event[:verdict]"; a run's layer events
# (its enforcement manifest, which depends on the host) are left out unless
# a second argument says "all".
kinds() {
	/usr/bin/python3 -c '
import json, sys
events = [e for e in map(json.loads, open(sys.argv[1])) if sys.argv[2] == "all" or e["event"] != "layer"]
print(" ".join(e["event"] + (":" + e["verdict"] if "verdict" in e else "") for e in events))
' "$1" "${2:-runs}"
}

t "python3-jsonschema is there and the schema itself is valid"
run /usr/bin/python3 -c "import json, jsonschema; jsonschema.Draft202012Validator.check_schema(json.load(open('$SCHEMA')))"
expect_rc 0

t "enforce: a kill"
run "$TJ" --profile strict --log "$TMP/kill.log" -- "$PROBE" syscall ptrace 16 999999999
expect_rc 159
validate "$TMP/kill.log"
[ "$(kinds "$TMP/kill.log")" = "start syscall:killed exit" ] || fail "events: $(kinds "$TMP/kill.log")"
expect_file_contains "$TMP/kill.log" '"call":"ptrace(PTRACE_ATTACH, 999999999, 0xffffffffffffffff, 0xffffffffffffffff)"'
expect_file_contains "$TMP/kill.log" '"reason":"seccomp-kill"'

t "enforce --report: denials with an errno"
printf '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["kcmp"], "action": "SCMP_ACT_ERRNO", "errnoRet": 38}]}\n' \
	>"$TMP/errno.json"
run "$TJ" --profile "$TMP/errno.json" --report --log "$TMP/errno.log" -- "$PROBE" seq kcmp kcmp
validate "$TMP/errno.log"
[ "$(kinds "$TMP/errno.log")" = "start syscall:denied syscall:denied exit" ] || fail "events: $(kinds "$TMP/errno.log")"
expect_file_contains "$TMP/errno.log" '"errno":"ENOSYS"'
# --report=usage with --log records allowed calls: the first of each
# syscall per process as an event, then their counts; and the process.
run "$TJ" --profile strict --report=usage --log "$TMP/usage.log" -- "$PROBE" seq getpid getuid
validate "$TMP/usage.log"
case "$(kinds "$TMP/usage.log")" in
"start process syscall:allowed "*" usage "*" process exit") ;;
*) fail "events: $(kinds "$TMP/usage.log")" ;;
esac
# The rule is strict.json's rule that names getpid.
getpid_rule=$(python3 -c 'import json, sys
rules = json.load(open(sys.argv[1]))["syscalls"]
print(next(i for i, r in enumerate(rules) if "getpid" in r["names"]))' "$ROOT/policies/strict.json")
expect_file_contains "$TMP/usage.log" '"syscall":"getpid","nr":39,"action":"SCMP_ACT_ALLOW","rule":"syscalls['"$getpid_rule"']","count":1}'
# Without --report=usage nothing allowed is logged.
run "$TJ" --profile strict --log "$TMP/nousage.log" -- "$PROBE" seq getpid getuid
validate "$TMP/nousage.log"
[ "$(kinds "$TMP/nousage.log")" = "start exit" ] || fail "events: $(kinds "$TMP/nousage.log")"

t "run: the enforcement manifest follows the start event, one layer event per layer"
run "$TJ" --profile strict --user nobody --unshare pid --log "$TMP/layers.log" -- "$PROBE" exit 0
expect_rc 0
validate "$TMP/layers.log"
case "$(kinds "$TMP/layers.log" all)" in
"start layer layer layer layer"*" exit") ;;
*) fail "events: $(kinds "$TMP/layers.log" all)" ;;
esac
expect_file_contains "$TMP/layers.log" '"layer":"privileges","status":"applied","detail":"uid 65534, gid 65534'
expect_file_contains "$TMP/layers.log" '"layer":"namespaces","status":"applied"'
expect_file_contains "$TMP/layers.log" '"layer":"seccomp","status":"applied"'

t "complain: a forked child, a shell pipeline"
run "$TJ" --profile default --complain --log "$TMP/fork.log" -- "$PROBE" fork ptrace 16 999999999
validate "$TMP/fork.log"
run "$TJ" --profile strict --complain --log "$TMP/bash.log" -- bash -c 'ls / | sort | head -1 >/dev/null'
expect_rc 0
validate "$TMP/bash.log"

t "a supervisor's log, and the log of a run whose listener went to it"
printf '{"tinyjailDecisions": 1, "rules": [{"names": ["getpgrp"], "decision": "allow"}, {"names": ["socket"], "decision": "deny"}, {"names": ["ptrace"], "decision": "kill"}]}\n' \
	>"$TMP/rules.json"
SOCK="$TMP/a.sock"
"$TJ" supervise -q --listen "$SOCK" --rules "$TMP/rules.json" --once --log "$TMP/sup.log" </dev/null &
sup=$!
i=0
while [ ! -S "$SOCK" ] && [ $i -lt 400 ]; do
	sleep 0.05
	i=$((i + 1))
done
run "$TJ" --profile strict --notify-socket "$SOCK" --log "$TMP/agent.log" -- "$PROBE" seq getpgrp socket kcmp
wait "$sup"
validate "$TMP/sup.log" "$TMP/agent.log"
[ "$(kinds "$TMP/sup.log")" = "listener syscall:allowed syscall:denied syscall:denied listener" ] ||
	fail "events: $(kinds "$TMP/sup.log")"
expect_file_contains "$TMP/sup.log" '"decided_by":"rules"'
expect_file_contains "$TMP/sup.log" '"decided_by":"default"'
expect_file_contains "$TMP/agent.log" '"source":"agent"'

t "complain=kmsg: records without arguments"
if [ "$(id -u)" -eq 0 ] && grep -qw log /proc/sys/kernel/seccomp/actions_logged 2>/dev/null; then
	run "$TJ" --profile strict --complain=kmsg --log "$TMP/kmsg.log" -- "$PROBE" seq socket
	expect_rc 0
	validate "$TMP/kmsg.log"
	expect_file_contains "$TMP/kmsg.log" '"source":"kmsg"'
else
	skip "the kernel log is not readable here"
fi

t "every event kind, written through the C API (limits, network, layers, ...)"
run "$EMIT" "$TMP/all.log"
expect_rc 0
validate "$TMP/all.log"
[ "$(kinds "$TMP/all.log" all)" = "start syscall:denied syscall:allowed syscall:allowed syscall:would-deny syscall:allowed process process process process usage explain limit limit network network network layer layer layer listener listener exit" ] ||
	fail "events: $(kinds "$TMP/all.log" all)"

t "the schema rejects what version 1 does not contain"
# Each line is a valid event with one thing wrong; every one must fail.
/usr/bin/python3 - "$TMP/all.log" "$TMP/bad" <<'PY'
import json, sys
events = [json.loads(l) for l in open(sys.argv[1])]
by = {}
for e in events:
    by.setdefault(e["event"] + ":" + e.get("verdict", ""), e)
def mutate(key, change):
    e = json.loads(json.dumps(by[key]))
    change(e)
    return e
bad = [
    mutate("syscall:denied", lambda e: e.pop("errno")),
    mutate("syscall:denied", lambda e: e.update(verdict="maybe")),
    mutate("syscall:denied", lambda e: e.update(surprise=1)),
    mutate("syscall:denied", lambda e: e.update(args=["0x0"])),
    mutate("syscall:would-deny", lambda e: e.update(call="socket(?)")),
    mutate("start:", lambda e: e.update(v=2)),
    mutate("start:", lambda e: e.update(time="yesterday")),
    mutate("limit:", lambda e: e.update(value=-1)),
    mutate("limit:", lambda e: e.update(action="exploded")),
    mutate("network:", lambda e: e.pop("reason")),
    mutate("network:", lambda e: e.update(action="dropped")),
    mutate("network:", lambda e: e.update(duration_ms=5)),
    mutate("network:", lambda e: e.update(action="cut")),
    mutate("network:", lambda e: e.update(status=99)),
    mutate("layer:", lambda e: e.update(status="maybe")),
    mutate("exit:", lambda e: e.update(code=0)),
    mutate("exit:", lambda e: e.pop("complete")),
    mutate("start:", lambda e: e.update(event="restart")),
    # revision 1.1
    mutate("syscall:allowed", lambda e: e.update(stack=[])),
    mutate("syscall:allowed", lambda e: e["stack"][0].pop("pc") if "stack" in e else e.update(stack=[{}])),
    mutate("syscall:allowed", lambda e: e.update(stack_truncated=True) or e.pop("stack", None)),
    mutate("syscall:allowed", lambda e: e.update(site=0)),
    mutate("process:", lambda e: e.update(cause="vanished")),
    mutate("process:", lambda e: e.update(code=1)),
    mutate("usage:", lambda e: e.update(count=0)),
    mutate("explain:", lambda e: e.pop("sites")),
]
for i, e in enumerate(bad):
    with open("%s.%d" % (sys.argv[2], i), "w") as f:
        f.write(json.dumps(e) + "\n")

PY
nbad=$(ls "$TMP"/bad.* | wc -l)
[ "$nbad" -eq 26 ] || fail "made $nbad bad events"
for f in "$TMP"/bad.*; do
	/usr/bin/python3 "$VALIDATE" "$SCHEMA" "$f" >/dev/null 2>&1 && fail "accepted: $(cat "$f")"
done

finish
