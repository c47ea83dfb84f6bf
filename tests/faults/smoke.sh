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
# The injector's own brk fault: the kernel's failure (the old break back,
# the argument register kept) makes glibc's malloc fall back to mmap.  It
# used to leave a 0 in that register, which glibc's __brk compared with and
# took for success: SIGSEGV in sysmalloc, blamed on tinyjail.
for occ in 1 2 3; do
	out=$("$build/faultinject" --fail "0:12:$occ" --errno 12 --command /bin/true -- "$build/probe" heap 2>&1)
	case $out in
	*"injected 0 12 $occ "*"probe: heap ok"*"exit 0"*) ;;
	*)
		echo "faults smoke: FAILED: brk #$occ failing under the injector: $out"
		exit 1
		;;
	esac
done
# The fcntl hang (notes/testing.md, "Faults"): tinyjail cannot make the
# error pipe non-blocking (fcntl F_SETFL O_NONBLOCK, ENOMEM) while the
# listener's helper, which shares the child's descriptors, is alive; the
# injector makes that order certain (--after) and keeps the helper stopped
# (--hold), so a blocking read of the pipe would wait forever.  tinyjail
# must refuse at once: 125 naming the step.  The deadline only turns the
# old hang into a failure.
tmp=$(mktemp -d)
out=$(TINYJAIL_POLICY_DIR="$(pwd)/policies" XDG_CACHE_HOME="$tmp" TMPDIR="$tmp" timeout -k 5 60 \
	"$build/faultinject" --fail 0:72:1 --match 1=4 --match 2=2048 --after 0.0.0 --hold 0.0.0 --errno 12 \
	--command "$(pwd)/$build/probe" -- "$build/tinyjail" -q --no-cache -- "$(pwd)/$build/probe" exit 0 2>&1)
rc=$?
rm -rf "$tmp"
case $rc:$out in
0:*"injected 0 72 1 "*"cannot make the error pipe non-blocking: Cannot allocate memory"*"exit 125"*) ;;
124:*)
	echo "faults smoke: FAILED: the error pipe's fcntl failing hung tinyjail (no end within 60 s): $out"
	exit 1
	;;
*)
	echo "faults smoke: FAILED: the error pipe's fcntl failing (status $rc): $out"
	exit 1
	;;
esac
# The listener thread's signal masks (notes/testing.md, "Faults"): glibc's
# pthread_create blocks every signal around the clone and sets back the
# mask it read; when that read fails it sets back whatever its buffer held,
# which let SIGCHLD through to be lost, and tinyjail waited forever.  Every
# rt_sigprocmask of the default run, each failing in turn: the run ends,
# with the command's status or 125 and the cause.
tmp=$(mktemp -d)
# --no-cache: the counted run and the faulted ones take the same path.
sites=$(TINYJAIL_POLICY_DIR="$(pwd)/policies" XDG_CACHE_HOME="$tmp" TMPDIR="$tmp" timeout -k 5 60 \
	"$build/faultinject" --command "$(pwd)/$build/probe" -- "$build/tinyjail" -q --no-cache -- "$(pwd)/$build/probe" exit 0 2>&1 |
	sed -n 's/^site \([0-9.]*\) 14 \([0-9]*\) .*/\1:14:\2/p')
[ -n "$sites" ] || {
	echo "faults smoke: FAILED: no rt_sigprocmask in the default run's set-up path"
	exit 1
}
for site in $sites; do
	out=$(TINYJAIL_POLICY_DIR="$(pwd)/policies" XDG_CACHE_HOME="$tmp" TMPDIR="$tmp" timeout -k 5 60 \
		"$build/faultinject" --fail "$site" --errno 12 \
		--command "$(pwd)/$build/probe" -- "$build/tinyjail" -q --no-cache -- "$(pwd)/$build/probe" exit 0 2>&1)
	rc=$?
	case $rc:$out in
	0:*"injected "*"exit 0"* | 0:*"injected "*"Cannot allocate memory"*"exit 125"*) ;;
	124:*)
		rm -rf "$tmp"
		echo "faults smoke: FAILED: rt_sigprocmask $site failing hung tinyjail (no end within 60 s): $out"
		exit 1
		;;
	*)
		rm -rf "$tmp"
		echo "faults smoke: FAILED: rt_sigprocmask $site failing (status $rc): $out"
		exit 1
		;;
	esac
done
rm -rf "$tmp"
echo "faults smoke: $(echo "$sites" | wc -w) rt_sigprocmask sites failed in turn, no hang"
TINYJAIL_POLICY_DIR="$(pwd)/policies" exec python3 tests/faults/faults.py --build "$build" \
	--sample "${TJ_FAULTS_SAMPLE:-40}" --kills "${TJ_FAULTS_KILLS:-10}" --jobs "${TJ_FAULTS_JOBS:-2}"
