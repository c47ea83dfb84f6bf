#!/bin/sh
# The short stress run of make check (tests/stress/stress.py with small
# counts); `make stress` is the full one.  Usage: tests/stress/smoke.sh BUILD
set -u
cd "$(dirname "$0")/../.." || exit 1
build=${1:-build}
if [ "$(id -u)" -ne 0 ]; then
	if [ "${TJ_STRICT_SKIPS:-0}" = 1 ]; then
		echo "stress smoke: FAILED: needs root (cgroup limits, runs as nobody), and TJ_STRICT_SKIPS=1"
		exit 1
	fi
	echo "stress smoke: skipped (needs root: cgroup limits, runs as nobody)"
	exit 0
fi
TINYJAIL_POLICY_DIR="$(pwd)/policies" exec python3 tests/stress/stress.py --tj "$build/tinyjail" \
	--probe "$build/probe" --launches "${TJ_STRESS_LAUNCHES:-80}" --jobs 20 --notifications 1000
