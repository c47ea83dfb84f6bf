#!/bin/sh
# The short fault-injection run of make check (tests/faults/faults.py):
# every configuration's set-up path counted, a random sample of its call
# sites failed, and a few of tinyjail's processes killed at random moments.
# `make faults` is the whole campaign.  Usage: tests/faults/smoke.sh BUILD
set -u
cd "$(dirname "$0")/../.." || exit 1
build=${1:-build}
if [ "$(id -u)" -ne 0 ]; then
	if [ "${TJ_STRICT_SKIPS:-0}" = 1 ]; then
		echo "faults smoke: FAILED: needs root (ptrace of every process, cgroups), and TJ_STRICT_SKIPS=1"
		exit 1
	fi
	echo "faults smoke: skipped (needs root: ptrace of every process, cgroups)"
	exit 0
fi
if ! grep -qa TJ_TEST_HOOK "$build/tinyjail"; then
	echo "faults smoke: FAILED: $build has no test hooks (build with SAN=1 or TEST_HOOKS=1)"
	exit 1
fi
TINYJAIL_POLICY_DIR="$(pwd)/policies" exec python3 tests/faults/faults.py --build "$build" \
	--sample "${TJ_FAULTS_SAMPLE:-40}" --kills "${TJ_FAULTS_KILLS:-10}"
