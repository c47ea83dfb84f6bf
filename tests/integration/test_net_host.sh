#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# --net host with rules (issue 5, NET-005, NET-006): cgroup BPF programs
# refuse TCP connects and UDP sends the rules do not allow, with EPERM, an
# event in --log and a line on stderr.
#
# NETWORK SAFETY: every attempt is made inside a network namespace this test
# creates (tjtest-PID: loopback, and a veth to a second namespace, the
# "remote" private host 10.77.0.2 / fd77::2).  Neither namespace has a route
# anywhere else, so no packet can reach the machine's own network; the
# addresses tried are loopback and the remote host only.
. "$(dirname "$0")/lib.sh"

NS=tjtest-$$
REMOTE=tjremote-$$
VA=tjva$$
VB=tjvb$$
REMOTE4=10.77.0.2
REMOTE6=fd77::2
pids=""
# Every run's cgroup is noted, for the last case.
own_sandboxes

cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null; done
	ip netns del "$NS" 2>/dev/null
	ip netns del "$REMOTE" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT

# nsenter changes the network namespace only: `ip netns exec` would also
# remount /sys, hiding the cgroup hierarchies tinyjail attaches to.
IN_NS="nsenter --net=/run/netns/$NS --"
IN_REMOTE="nsenter --net=/run/netns/$REMOTE --"
NOBODY="setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all --"
in_ns() { $IN_NS "$@"; }
in_remote() { $IN_REMOTE "$@"; }

# A listener in a namespace; waits until it is ready.  Output in $TMP/$name.
# It lives for the whole test (the cleanup kills it): with 60 s, a loaded
# machine made the later cases find nobody listening (exit 111).
listen() {
	where=$1 name=$2
	shift 2
	# nsenter itself, not a subshell running in_ns, so that $! is the
	# listener (nsenter execs it) and the cleanup's kill reaches it.
	case $where in
	in_ns) enter=$IN_NS ;;
	in_remote) enter=$IN_REMOTE ;;
	*) echo "listen: no namespace $where" >&2 && return 1 ;;
	esac
	$enter "$PROBE" listen "$@" 1800 >"$TMP/$name" 2>&1 &
	pids="$pids $!"
	# Up to 30 s: a loaded machine (or the other files of a parallel run).
	for _ in $(seq 300); do
		grep -q listening "$TMP/$name" 2>/dev/null && return 0
		sleep 0.1
	done
	echo "listener $name did not start" >&2
}

setup_namespaces() {
	ip netns add "$NS" && ip netns add "$REMOTE" || return 1
	ip link add "$VA" type veth peer name "$VB" || return 1
	ip link set "$VA" netns "$NS" && ip link set "$VB" netns "$REMOTE" || return 1
	in_ns ip link set lo up && in_remote ip link set lo up || return 1
	in_ns ip addr add 10.77.0.1/24 dev "$VA" && in_remote ip addr add "$REMOTE4/24" dev "$VB" || return 1
	in_ns ip -6 addr add fd77::1/64 dev "$VA" nodad && in_remote ip -6 addr add "$REMOTE6/64" dev "$VB" nodad || return 1
	in_ns ip link set "$VA" up && in_remote ip link set "$VB" up
}

t "setup: two network namespaces joined by a veth pair"
if [ "$(id -u)" -ne 0 ]; then
	skip "needs root (network namespaces, cgroup BPF)"
	finish
	exit $?
fi
if ! command -v ip >/dev/null 2>&1 || ! command -v nsenter >/dev/null 2>&1; then
	skip "needs ip (iproute2) and nsenter"
	finish
	exit $?
fi
setup_namespaces || fail "cannot create the test namespaces"
# No route leaves the test namespace: only loopback and the veth subnet.
in_ns ip route show | grep -q default && fail "the test namespace has a default route"
listen in_ns lo80 tcp 127.0.0.1 18080
listen in_ns lo6 tcp ::1 18080
listen in_ns loudp udp 127.0.0.1 18081
listen in_remote r80 tcp "$REMOTE4" 8080
listen in_remote r6 tcp "$REMOTE6" 8080
listen in_remote rdns udp "$REMOTE4" 53
listen in_remote rdnstcp tcp "$REMOTE4" 53
run $IN_NS "$PROBE" tcp "$REMOTE4" 8080
expect_rc 0

# EPERM is 1, EACCES 13, ECONNREFUSED 111 (the probe exits with the errno).
t "NET-006: the allowed port reaches a loopback listener; another port gets EPERM"
run $IN_NS "$TJ" -q --net host --net-ports 18080,443 -- "$PROBE" tcp 127.0.0.1 18080
expect_rc 0
run $IN_NS "$TJ" --net host --net-ports 18080,443 -- "$PROBE" tcp 127.0.0.1 18082
expect_rc 1
expect_out_contains "tcp 127.0.0.1 18082 = EPERM"
expect_err_contains "tinyjail: network refused: connect inet/tcp 127.0.0.1 port 18082 by pid"
expect_err_contains "(probe): port 18082 is not in --net-ports (18080, 443)"
expect_err_contains "tinyjail: network: the host rules refused 1 attempt"
# Control: without the rule the same attempt reaches the kernel (refused by
# nobody listening), so the EPERM above is the rule's.
run $IN_NS "$TJ" -q --net host -- "$PROBE" tcp 127.0.0.1 18082
expect_rc 111

t "UDP: sendto and a connected socket to a denied port get EPERM; the allowed port receives"
run $IN_NS "$TJ" -q --net host --net-ports 18081 -- sh -c "'$PROBE' udp 127.0.0.1 18081 && '$PROBE' udpconn 127.0.0.1 18081"
expect_rc 0
sleep 0.2
[ "$(grep -c 'received probe' "$TMP/loudp")" -eq 2 ] || fail "the listener did not receive both datagrams"
run $IN_NS "$TJ" -q --net host --net-ports 18080 -- "$PROBE" udp 127.0.0.1 18081
expect_rc 1
run $IN_NS "$TJ" -q --net host --net-ports 18080 -- "$PROBE" udpconn 127.0.0.1 18081
expect_rc 1
[ "$(grep -c 'received probe' "$TMP/loudp")" -eq 2 ] || fail "a refused datagram arrived"

t "TCP Fast Open (sendto with MSG_FASTOPEN) goes through the connect rules"
run $IN_NS "$TJ" -q --net host --net-ports 18080 -- "$PROBE" tfo 127.0.0.1 18082
expect_rc 1
run $IN_NS "$TJ" -q --net host --net-ports 18080 -- "$PROBE" tfo 127.0.0.1 18080
expect_rc 0

t "NET-005: --net-deny-private refuses the private test host; without the rule it connects"
run $IN_NS "$TJ" -q --net host -- "$PROBE" tcp "$REMOTE4" 8080
expect_rc 0
run $IN_NS "$TJ" --net host --net-deny-private -- "$PROBE" tcp "$REMOTE4" 8080
expect_rc 1
expect_err_contains "network refused: connect inet/tcp $REMOTE4 port 8080"
expect_err_contains "private (10.0.0.0/8), refused by --net-deny-private"
# Every process of the sandbox, however started: a shell's background child.
run $IN_NS "$TJ" -q --net host --net-deny-private -- sh -c "'$PROBE' tcp $REMOTE4 8080 & wait \$!"
expect_rc 1
# Loopback is a special range too.
run $IN_NS "$TJ" -q --net host --net-deny-private -- "$PROBE" tcp 127.0.0.1 18080
expect_rc 1

t "inbound TCP: under host rules the command cannot listen for a private peer to connect in (issue 16 item 14)"
# The rules judge destinations of connect and send; a connection accepted from
# the private host would carry data to it unjudged, so listen is refused.
run $IN_NS "$TJ" -q --net host --net-deny-private -- "$PROBE" listen tcp 10.77.0.1 18090 1
expect_rc 1
expect_err_contains "Operation not permitted"
expect_out_lacks "listening"
run $IN_NS "$TJ" -q --net host --net-ports 80 --profile none -- "$PROBE" listen tcp 127.0.0.1 18090 1
expect_rc 1
# The control: --net host without rules listens.
run $IN_NS "$TJ" -q --net host -- "$PROBE" listen tcp 10.77.0.1 18090 2
expect_rc 0
expect_out_contains "listening"

t "--net-allow-cidr re-allows a private range; --net-deny-cidr refuses, and wins over it"
run $IN_NS "$TJ" -q --net host --net-deny-private --net-allow-cidr 10.77.0.0/24 -- "$PROBE" tcp "$REMOTE4" 8080
expect_rc 0
run $IN_NS "$TJ" --net host --net-deny-cidr "$REMOTE4" -- "$PROBE" tcp "$REMOTE4" 8080
expect_rc 1
expect_err_contains "the address is in a denied range (--net-deny-cidr $REMOTE4)"
run $IN_NS "$TJ" -q --net host --net-allow-cidr 10.77.0.0/24 --net-deny-cidr 10.77.0.0/28 -- "$PROBE" tcp "$REMOTE4" 8080
expect_rc 1
run $IN_NS "$TJ" -q --net host --net-deny-cidr 10.77.0.3 -- "$PROBE" tcp "$REMOTE4" 8080
expect_rc 0

t "IPv6: ::1 and the remote host's unique-local address; IPv4-mapped addresses are judged as IPv4"
run $IN_NS "$TJ" -q --net host --net-ports 18080 -- "$PROBE" tcp ::1 18080
expect_rc 0
run $IN_NS "$TJ" -q --net host --net-ports 18080 -- "$PROBE" tcp ::1 18082
expect_rc 1
run $IN_NS "$TJ" -q --net host --net-deny-private -- "$PROBE" tcp ::1 18080
expect_rc 1
run $IN_NS "$TJ" -q --net host -- "$PROBE" tcp "$REMOTE6" 8080
expect_rc 0
run $IN_NS "$TJ" -q --net host --net-deny-private -- "$PROBE" tcp "$REMOTE6" 8080
expect_rc 1
run $IN_NS "$TJ" -q --net host --net-deny-private --net-allow-cidr fd77::/64 -- "$PROBE" tcp "$REMOTE6" 8080
expect_rc 0
run $IN_NS "$TJ" -q --net host -- "$PROBE" tcp "::ffff:$REMOTE4" 8080
expect_rc 0
run $IN_NS "$TJ" -q --net host --net-deny-private -- "$PROBE" tcp "::ffff:$REMOTE4" 8080
expect_rc 1
run $IN_NS "$TJ" -q --net host --net-deny-cidr 10.77.0.0/24 -- "$PROBE" udp "::ffff:$REMOTE4" 9
expect_rc 1

t "DNS goes only to the configured resolvers, which --net-deny-private and --net-ports do not block"
run $IN_NS "$TJ" -q --net host --net-deny-private --net-ports 443 --net-dns "$REMOTE4" -- \
	sh -c "'$PROBE' udp $REMOTE4 53 && '$PROBE' tcp $REMOTE4 53"
expect_rc 0
sleep 0.2
expect_file_contains "$TMP/rdns" "received probe"
# Another resolver address (a fake one on loopback, nothing listens): refused.
run $IN_NS "$TJ" --net host --net-dns "$REMOTE4" -- "$PROBE" udp 127.0.0.9 53
expect_rc 1
expect_err_contains "DNS (port 53) goes only to the resolvers: $REMOTE4 (--net-dns)"
run $IN_NS "$TJ" -q --net host --net-dns "$REMOTE4" -- "$PROBE" tcp 127.0.0.9 53
expect_rc 1
# Without --net-dns the resolvers are those of /etc/resolv.conf, which the
# remote test host is not.
resolvers=$(sed -n 's/^nameserver[[:space:]]*\([^[:space:]%]*\).*/\1/p' /etc/resolv.conf | tr '\n' ' ')
case " $resolvers " in
*" $REMOTE4 "*) skip "/etc/resolv.conf names $REMOTE4" ;;
*)
	run $IN_NS "$TJ" --net host --net-deny-cidr 192.0.2.99 -- "$PROBE" udp "$REMOTE4" 53
	expect_rc 1
	expect_err_contains "(/etc/resolv.conf)"
	;;
esac

t "refusals are network events in --log (schema-valid), on stderr and in --report"
log=$TMP/net.log
run $IN_NS "$TJ" --log "$log" --report --net host --net-ports 18080 --net-deny-private --net-allow-cidr 127.0.0.0/8 -- \
	sh -c "'$PROBE' tcp 127.0.0.1 18080; '$PROBE' tcp 127.0.0.1 22; '$PROBE' udp $REMOTE4 18080; '$PROBE' tcp ::1 18080"
expect_rc 1
run /usr/bin/python3 "$ROOT/tests/helpers/validate_events.py" "$ROOT/notes/events.schema.json" "$log"
expect_rc 0
[ "$(grep -c '"event":"network"' "$log")" -eq 3 ] || fail "expected 3 network events in $log"
expect_file_contains "$log" '"syscall":"connect","family":"inet","protocol":"tcp","address":"127.0.0.1","port":22,"reason":"port 22 is not in --net-ports (18080)"'
expect_file_contains "$log" '"syscall":"sendmsg","family":"inet","protocol":"udp","address":"10.77.0.2","port":18080,"reason":"private (10.0.0.0/8), refused by --net-deny-private"'
expect_file_contains "$log" '"family":"inet6","protocol":"tcp","address":"::1","port":18080,"reason":"loopback (::1), refused by --net-deny-private"'
expect_file_contains "$log" '"layer":"net-rules","status":"applied"'
run $IN_NS "$TJ" --log "$log" --report --net host --net-ports 18080 -- "$PROBE" tcp 127.0.0.1 22
expect_err_contains "report: 0 limits reached, 1 network refusal"

t "the manifest (-v, check) says what is enforced; --net host alone attaches nothing"
run $IN_NS "$TJ" -v --net host --net-deny-private --net-ports 80,443 --net-dns "$REMOTE4" -- true
expect_rc 0
expect_err_contains "tinyjail: net-rules: applied: cgroup BPF on TCP and UDP connect and UDP send (IPv4, IPv6) in the sandbox's cgroup v2: ports 80, 443; no private or special ranges; DNS (port 53) only to $REMOTE4 (--net-dns)"
run $IN_NS "$TJ" -v --net host -- "$PROBE" tcp 127.0.0.1 18080
expect_rc 0
expect_err_lacks "net-rules"
cat >"$TMP/host-rules.json" <<EOF
{"tinyjail": {"version": 1, "network": {"mode": "host", "denyPrivate": true, "ports": [443], "dnsServers": ["$REMOTE4"]}}}
EOF
run "$TJ" check "$TMP/host-rules.json" -v
expect_rc 0
expect_out_contains "net-rules: applied: cgroup BPF"
run $IN_NS "$TJ" -q --profile "$TMP/host-rules.json" -- "$PROBE" tcp "$REMOTE4" 8080
expect_rc 1

t "fail closed: without bpf() the command does not start (exit 125, the layer named)"
cat >"$TMP/no-bpf.json" <<'EOF'
{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["bpf"], "action": "SCMP_ACT_ERRNO", "errnoRet": 38}]}
EOF
# The outer tinyjail keeps what the inner one needs to manage cgroups and BPF.
OUTER="$TJ -q --profile $TMP/no-bpf.json --cap-keep CAP_BPF,CAP_NET_ADMIN,CAP_SYS_ADMIN,CAP_DAC_OVERRIDE,CAP_SETPCAP --"
run $IN_NS $OUTER "$TJ" --profile none --net host --net-deny-private -- "$PROBE" write "$TMP/ran" 1
expect_rc 125
expect_err_contains "net-rules layer: cannot enforce the --net host rules: cannot load the BPF programs"
expect_err_contains "Function not implemented"
expect_err_contains "hint: --allow-degraded net-rules runs without them"
[ -e "$TMP/ran" ] && fail "the command ran"
# The same outer sandbox with bpf() allowed: the rules apply there.
run $IN_NS "$TJ" -q --profile none --cap-keep CAP_BPF,CAP_NET_ADMIN,CAP_SYS_ADMIN,CAP_DAC_OVERRIDE,CAP_SETPCAP -- \
	"$TJ" -q --profile none --net host --net-deny-private -- "$PROBE" tcp "$REMOTE4" 8080
expect_rc 1

t "--allow-degraded net-rules: address rules are not enforced (and said so); ports only fall back to Landlock"
run $IN_NS $OUTER "$TJ" --profile none --allow-degraded net-rules --net host --net-deny-private -- "$PROBE" tcp "$REMOTE4" 8080
expect_rc 0
expect_err_contains "warning: net-rules degraded: the --net host rules are NOT enforced (--allow-degraded net-rules)"
run $IN_NS $OUTER "$TJ" --profile none --allow-degraded net-rules --net host --net-ports 18080 -- "$PROBE" tcp 127.0.0.1 18082
expect_rc 13
expect_err_contains "net-rules degraded: TCP connect only to ports 18080 (Landlock ABI"
expect_err_contains "UDP and DNS NOT restricted"
run $IN_NS $OUTER "$TJ" -q --profile none --allow-degraded net-rules --net host --net-ports 18080 -- "$PROBE" tcp 127.0.0.1 18080
expect_rc 0

t "unprivileged: a clear refusal, or with --allow-degraded the Landlock fallback for ports"
run $IN_NS $NOBODY "$TJ" --net host --net-ports 18080 -- "$PROBE" tcp 127.0.0.1 18082
expect_rc 125
expect_err_contains "net-rules layer: cannot enforce the --net host rules: cannot load the BPF programs: loading BPF programs needs CAP_BPF and CAP_NET_ADMIN (root)"
expect_err_contains "hint: the rules are cgroup BPF programs, which need root"
expect_err_contains "--tcp-connect PORTS needs no privileges"
run $IN_NS $NOBODY "$TJ" --allow-degraded net-rules --net host --net-ports 18080 -- "$PROBE" tcp 127.0.0.1 18082
expect_rc 13
run $IN_NS $NOBODY "$TJ" -q --allow-degraded net-rules --net host --net-ports 18080 -- "$PROBE" tcp 127.0.0.1 18080
expect_rc 0
run $IN_NS $NOBODY "$TJ" --net host --net-deny-private -- true
expect_rc 125
expect_err_lacks "Landlock then"

t "capabilities that go around the rules are refused with them"
run $IN_NS "$TJ" --net host --net-deny-private --cap-keep CAP_NET_RAW -- true
expect_rc 125
expect_err_contains "--cap-keep CAP_NET_RAW would let the command go around the --net host rules"

t "nothing is left behind: no tinyjail cgroup, no program attached elsewhere"
# This file's runs only (own_sandboxes above): others on the machine have theirs.
[ "$(wc -l <"$_own_rec")" -gt 40 ] || fail "only $(wc -l <"$_own_rec") runs were noted"
leftover=$(own_cgroups_left | wc -l)
[ "$leftover" -eq 0 ] || fail "$leftover sandbox cgroups left: $(own_cgroups_left | head -3)"
if command -v bpftool >/dev/null 2>&1; then
	bpftool cgroup show /sys/fs/cgroup/unified 2>/dev/null | grep -q tj_ && fail "a program is attached to the root cgroup"
fi

finish
