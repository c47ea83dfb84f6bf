# SPDX-License-Identifier: Apache-2.0
# Helpers for tests that run Debian's crun (sourced after lib.sh), as root:
# BUNDLE is the OCI bundle, ID_BASE names the containers.
#
# On a hybrid-cgroup host (v1 controllers plus /sys/fs/cgroup/unified) crun
# 1.8 refuses to run ("cgroups in hybrid mode not supported"); with
# --cgroup-manager=disabled it only needs to not see the v2 mount, so it
# then runs in a private mount namespace in which /sys/fs/cgroup/unified is
# unmounted.  The host's mounts are never touched: unshare(1) makes the new
# namespace's mounts private before the umount.
ids=0
use_unshare=0

# crun_run [BUNDLE]: runs the bundle's container; run's out, err and rc.
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

# configure SECCOMP ARGS...: the container's command, and its linux.seccomp:
# a file, JSON text (starting with "{"), or "none".
configure() {
	_seccomp=$1
	shift
	/usr/bin/python3 - "$BUNDLE/config.json" "$_seccomp" "$@" <<'PY'
import json, sys
path, seccomp, args = sys.argv[1], sys.argv[2], sys.argv[3:]
with open(path) as f:
    c = json.load(f)
c["process"]["terminal"] = False
c["process"]["args"] = args
if seccomp == "none":
    c["linux"].pop("seccomp", None)
elif seccomp.lstrip().startswith("{"):
    c["linux"]["seccomp"] = json.loads(seccomp)
else:
    with open(seccomp) as f:
        c["linux"]["seccomp"] = json.load(f)
with open(path, "w") as f:
    json.dump(c, f, indent=1)
PY
}

# Makes the bundle (a static busybox and the probe as its rootfs) and sets
# ready=1 when crun runs a container on this host; else skips, saying why.
crun_setup() {
	ready=0
	if [ "$(id -u)" -ne 0 ]; then
		skip "needs root to run crun"
		return
	fi
	if ! command -v crun >/dev/null 2>&1; then
		skip "crun is not installed (tools/install-deps.sh test installs it)"
		return
	fi
	if [ ! -x /bin/busybox ]; then
		skip "needs /bin/busybox (busybox-static) for the rootfs"
		return
	fi
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
		# E.g. a dynamic busybox (the rootfs has no libc), or no
		# namespaces for crun in this sandbox.
		skip "crun cannot run a container on this host (exit $rc): $(printf '%s' "$err" | head -1)"
	fi
}
