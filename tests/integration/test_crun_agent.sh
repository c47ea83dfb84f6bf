# SPDX-License-Identifier: Apache-2.0
# Interoperability of the seccomp agent protocol: Debian's crun runs a
# minimal container (static busybox rootfs) whose linux.seccomp.listenerPath
# is `tinyjail supervise`.  crun sends the container state and the listener
# as the OCI runtime spec says; tinyjail decides the container's calls and
# writes its decisions back into the bundle's config.json.
. "$ROOT/tests/integration/lib.sh"

BUNDLE="$TMP/bundle"
SOCK="$TMP/agent.sock"
ID_BASE="tj-agent-$$"
ids=0
use_unshare=0

# crun as in test_crun.sh: on this hybrid-cgroup host crun 1.8 runs in a
# private mount namespace without /sys/fs/cgroup/unified (the host's mounts
# are never touched).  Usage: crun_run [BUNDLE]
crun_run() {
	ids=$((ids + 1))
	_id="$ID_BASE-$ids"
	_b=${1:-$BUNDLE}
	if [ "$use_unshare" = 1 ]; then
		run unshare -m --propagation private sh -c '
			if mountpoint -q /sys/fs/cgroup/unified; then
				umount /sys/fs/cgroup/unified || exit 120
			fi
			exec crun --cgroup-manager=disabled run --bundle "$1" "$2"' sh "$_b" "$_id"
	else
		run crun --cgroup-manager=disabled run --bundle "$_b" "$_id"
	fi
	crun delete -f "$_id" >/dev/null 2>&1
	return 0
}

# configure SECCOMP_JSON|none ARGS...: the container's command and seccomp.
configure() {
	_seccomp=$1
	shift
	/usr/bin/python3 - "$BUNDLE/config.json" "$_seccomp" "$@" <<'EOF'
import json, sys
path, seccomp, args = sys.argv[1], sys.argv[2], sys.argv[3:]
with open(path) as f:
    c = json.load(f)
c["process"]["terminal"] = False
c["process"]["args"] = args
if seccomp == "none":
    c["linux"].pop("seccomp", None)
else:
    c["linux"]["seccomp"] = json.loads(seccomp)
with open(path, "w") as f:
    json.dump(c, f, indent=1)
EOF
}

wait_socket() {
	_i=0
	while [ ! -S "$1" ] && [ $_i -lt 400 ]; do
		sleep 0.05
		_i=$((_i + 1))
	done
	[ -S "$1" ] || fail "no socket at $1"
}

start_sup() {
	rm -f "$SOCK"
	"$TJ" supervise --listen "$SOCK" "$@" >"$TMP/sup.out" 2>"$TMP/sup.err" </dev/null &
	sup_pid=$!
	wait_socket "$SOCK"
}

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
ready=0
if [ "$(id -u)" -ne 0 ]; then
	skip "needs root to run crun"
elif ! command -v crun >/dev/null 2>&1; then
	skip "crun is not installed (tools/install-deps.sh test installs it)"
elif [ ! -x /bin/busybox ]; then
	skip "needs /bin/busybox (busybox-static) for the rootfs"
else
	mkdir -p "$BUNDLE/rootfs/bin"
	cp /bin/busybox "$PROBE" "$BUNDLE/rootfs/bin/"
	(cd "$BUNDLE" && crun spec) || fail "crun spec failed"
	configure none /bin/busybox echo container-ok
	crun_run
	case "$err" in
	*"hybrid mode not supported"*)
		use_unshare=1
		crun_run
		;;
	esac
	if [ "$rc" -eq 0 ] && [ "$out" = container-ok ]; then
		ready=1
	else
		skip "crun cannot run a container on this host (exit $rc): $(printf '%s' "$err" | head -1)"
	fi
fi

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
