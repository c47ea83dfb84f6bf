# SPDX-License-Identifier: Apache-2.0
# Interoperability of the seccomp agent protocol: Debian's crun runs a
# minimal container (static busybox rootfs) whose linux.seccomp.listenerPath
# is `tinyjail supervise`.  crun sends the container state and the listener
# as the OCI runtime spec says; tinyjail decides the container's calls and
# writes its decisions back into the bundle's config.json.
. "$ROOT/tests/integration/lib.sh"
. "$ROOT/tests/integration/crun_lib.sh"
. "$ROOT/tests/integration/supervise_lib.sh"

BUNDLE="$TMP/bundle"
SOCK="$TMP/agent.sock"
ID_BASE="tj-agent-$$"

cat >"$TMP/rules.json" <<'EOF'
{"tinyjailDecisions": 1,
 "rules": [
  {"names": ["getpgrp"], "decision": "allow"},
  {"names": ["socket"], "decision": "deny", "errno": "EACCES"},
  {"names": ["mkdir"], "decision": "kill"}
 ]}
EOF
AGENT_SECCOMP='{"defaultAction": "SCMP_ACT_ALLOW", "listenerPath": "'"$SOCK"'", "listenerMetadata": "from-crun",
 "syscalls": [{"names": ["getpgrp", "socket", "mkdir"], "action": "SCMP_ACT_NOTIFY"}]}'

t "crun is available and runs a container here"
crun_setup

t "controls: without a filter the calls run in the container"
if [ "$ready" = 1 ]; then
	configure none /bin/probe seq getpgrp socket
	crun_run
	expect_rc 0
	expect_out_contains "syscall 111 = 1"
	expect_out_contains "syscall 41 = -1 (EAFNOSUPPORT)"
	# Without an agent crun refuses to start a container with a listenerPath.
	rm -f "$SOCK"
	configure "$AGENT_SECCOMP" /bin/probe seq getpgrp
	crun_run
	[ "$rc" -ne 0 ] || fail "crun ran without its agent"
	case "$out" in *"syscall 111"*) fail "the container ran" ;; esac
else
	skip "crun is not usable"
fi

t "crun hands its listener to tinyjail supervise, which allows one call and denies another"
if [ "$ready" = 1 ]; then
	start_sup --rules "$TMP/rules.json" --once --log "$TMP/crun-sup.log"
	configure "$AGENT_SECCOMP" /bin/probe seq getpgrp socket getppid
	crun_run
	end_sup
	expect_rc 0
	# getpgrp ran in the container's pid namespace (the probe is pid 1).
	expect_out_contains "syscall 111 = 1"
	expect_out_contains "syscall 41 = -1 (EACCES)"
	expect_out_contains "syscall 110 = 0"
	[ "$sup_rc" -eq 0 ] || fail "supervise exited $sup_rc"
	sup_contains "supervising $ID_BASE-$ids (pid "
	sup_contains "metadata from-crun"
	sup_contains "allowed getpgrp() by pid "
	sup_contains "denied (EACCES) socket(AF_UNSPEC, 0, 0)"
	sup_contains "1 sandbox: 1 allowed, 1 denied, 0 killed"
	expect_file_contains "$TMP/crun-sup.log" '"event":"listener","state":"attached"'
	expect_file_contains "$TMP/crun-sup.log" "\"id\":\"$ID_BASE-$ids\",\"metadata\":\"from-crun\""
	run /usr/bin/python3 "$ROOT/tests/helpers/validate_events.py" "$ROOT/notes/events.schema.json" "$TMP/crun-sup.log"
	expect_rc 0
else
	skip "crun is not usable"
fi

t "a kill decision kills the container's process"
if [ "$ready" = 1 ]; then
	start_sup --rules "$TMP/rules.json" --once
	configure "$AGENT_SECCOMP" /bin/probe syscall mkdir 0 0
	crun_run
	end_sup
	expect_rc 137
	case "$out" in *"syscall 83"*) fail "mkdir returned" ;; esac
	sup_contains "killed mkdir(NULL, 00)"
else
	skip "crun is not usable"
fi

t "decisions are written back into the bundle's config.json; crun runs it without an agent"
if [ "$ready" = 1 ]; then
	configure "$AGENT_SECCOMP" /bin/probe seq getpgrp socket
	cp "$BUNDLE/config.json" "$TMP/config.orig.json"
	start_sup --rules "$TMP/rules.json" --once --profile "$BUNDLE/config.json" --write-back
	crun_run
	end_sup
	expect_rc 0
	sup_contains "2 decisions in $BUNDLE/config.json"
	cmp -s "$TMP/config.orig.json" "$BUNDLE/config.json.bak" || fail "config.json.bak is not the original"
	# mkdir was never asked about, so it still goes to an agent.
	expect_file_contains "$BUNDLE/config.json" '"listenerPath"'
	# With mkdir decided too, nothing is left for an agent: crun runs the
	# updated bundle on its own, and the decisions hold.
	/usr/bin/python3 - "$BUNDLE/config.json" <<'EOF'
import json, sys
c = json.load(open(sys.argv[1]))
for r in c["linux"]["seccomp"]["syscalls"]:
    if r["action"] == "SCMP_ACT_NOTIFY":
        r["names"] = ["mkdir"]
c["process"]["args"] = ["/bin/probe", "syscall", "mkdir", "0", "0"]
json.dump(c, open(sys.argv[1], "w"))
EOF
	start_sup --rules "$TMP/rules.json" --once --profile "$BUNDLE/config.json" --write-back
	crun_run
	end_sup
	expect_rc 137
	/usr/bin/python3 - "$BUNDLE/config.json" <<'EOF'
import json, sys
c = json.load(open(sys.argv[1]))
assert "listenerPath" not in c["linux"]["seccomp"], c["linux"]["seccomp"]
c["process"]["args"] = ["/bin/probe", "seq", "getpgrp", "socket", "getppid"]
json.dump(c, open(sys.argv[1], "w"))
EOF
	rm -f "$SOCK"
	crun_run
	expect_rc 0
	expect_out_contains "syscall 111 = 1"
	expect_out_contains "syscall 41 = -1 (EACCES)"
	expect_out_contains "syscall 110 = 0"
	# tinyjail reads the same file, with the same result.
	run "$TJ" --profile "$BUNDLE/config.json" -- "$PROBE" seq socket
	expect_rc 0
	expect_out_contains "syscall 41 = -1 (EACCES)"
else
	skip "crun is not usable"
fi

t "no container is left behind"
if [ "$ready" = 1 ]; then
	left=$(crun list 2>/dev/null | grep -c "$ID_BASE-" || true)
	[ "$left" -eq 0 ] || fail "$left containers left"
else
	skip "crun is not usable"
fi

finish
