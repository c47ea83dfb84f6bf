#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# What the host network rules cost: connect() on loopback with and without
# the cgroup BPF programs, a refused connect, and the start-up of a run.
# Self-contained, root only; everything happens in a network namespace this
# script creates (loopback only, nothing leaves it).
# Usage: bench/net_bpf.sh [BUILD]   (COUNT connects per row, default 500)
set -u
cd "$(dirname "$0")/.." || exit 1
build=${1:-build}
TJ=$(pwd)/$build/tinyjail
PROBE=$(pwd)/$build/probe
count=${COUNT:-500}
[ -x "$TJ" ] && [ -x "$PROBE" ] || { echo "net_bpf: build $build first (make)" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || { echo "net_bpf: needs root (cgroup BPF, a network namespace)" >&2; exit 1; }
NS=tjbench-$$
ip netns add "$NS" || exit 1
listener=""
trap 'kill $listener 2>/dev/null; ip netns del "$NS" 2>/dev/null' EXIT
IN_NS="nsenter --net=/run/netns/$NS --"
$IN_NS ip link set lo up
$IN_NS "$PROBE" listen tcp 127.0.0.1 18090 600 >/dev/null &
listener=$!
sleep 0.3

row() { printf '%-46s %s\n' "$1" "$2"; }
per_connect() { sed -n 's/.* \([0-9]*\) ns\/connect$/\1 ns/p'; }
per_send() { sed -n 's/.* \([0-9]*\) ns\/send$/\1 ns/p'; }

echo "connect() on loopback, $count per row (mean):"
row "no tinyjail" "$($IN_NS "$PROBE" connects 127.0.0.1 18090 "$count" | per_connect)"
row "tinyjail --net host (no rules, no programs)" \
	"$($IN_NS "$TJ" -q --profile none --net host -- "$PROBE" connects 127.0.0.1 18090 "$count" | per_connect)"
row "tinyjail --net host --net-ports 18090" \
	"$($IN_NS "$TJ" -q --profile none --net host --net-ports 18090 -- "$PROBE" connects 127.0.0.1 18090 "$count" | per_connect)"
row "  ...with --net-deny-private --net-allow-cidr" \
	"$($IN_NS "$TJ" -q --profile none --net host --net-ports 18090 --net-deny-private --net-allow-cidr 127.0.0.0/8 -- \
		"$PROBE" connects 127.0.0.1 18090 "$count" | per_connect)"
row "refused (EPERM, a record per attempt)" \
	"$($IN_NS "$TJ" -q --profile none --net host --net-ports 443 -- "$PROBE" connects 127.0.0.1 18090 "$count" | per_connect)"

# UDP sendto to a port nobody listens on: the cost of the call itself,
# without the handshake (on a VM, loopback TCP connect times are dominated by
# the packet path, milliseconds, and hide the programs' cost).
scount=$((count * 10))
echo "UDP sendto on loopback, $scount per row (mean):"
row "no tinyjail" "$($IN_NS "$PROBE" sends 127.0.0.1 18091 "$scount" | per_send)"
row "tinyjail --net host (no rules, no programs)" \
	"$($IN_NS "$TJ" -q --profile none --net host -- "$PROBE" sends 127.0.0.1 18091 "$scount" | per_send)"
row "tinyjail --net host --net-ports 18091" \
	"$($IN_NS "$TJ" -q --profile none --net host --net-ports 18091 -- "$PROBE" sends 127.0.0.1 18091 "$scount" | per_send)"
row "  ...with --net-deny-private --net-allow-cidr" \
	"$($IN_NS "$TJ" -q --profile none --net host --net-ports 18091 --net-deny-private --net-allow-cidr 127.0.0.0/8 -- \
		"$PROBE" sends 127.0.0.1 18091 "$scount" | per_send)"

runs=20
start_ms() {
	t0=$(date +%s%N)
	i=0
	while [ $i -lt $runs ]; do
		$IN_NS "$TJ" -q --profile none "$@" -- true || return 1
		i=$((i + 1))
	done
	echo "$((($(date +%s%N) - t0) / runs / 1000000)) ms"
}
echo "a run of 'true', mean of $runs:"
row "tinyjail --net host" "$(start_ms --net host)"
row "tinyjail --net host --net-deny-private" "$(start_ms --net host --net-deny-private)"
