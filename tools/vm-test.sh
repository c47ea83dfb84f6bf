#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Runs tinyjail on a second kernel: Debian 12's linux-image (6.1) under
# qemu (software emulation), booted with a busybox initramfs that mounts a
# pure cgroup v2 hierarchy.  This host is hybrid (cgroup v1 controllers) with
# Landlock ABI 7; the VM is what most users run: cgroup v2 only, and an older
# Landlock (ABI 2), so the v2 limit paths and the fail-closed Landlock paths
# run on a real kernel.
#
#   tools/vm-test.sh [BUILD]      (BUILD defaults to build; `make check-vm`)
#
# Installs qemu-system-x86, cpio and busybox-static when missing and downloads
# the kernel package (not installed: only its vmlinuz is used) into BUILD/vm.
# Prints one line per case and the totals; exits non-zero on any failure.
set -eu

BUILD=${1:-build}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
VM=$ROOT/$BUILD/vm
TJ=$ROOT/$BUILD/tinyjail
PROBE=$ROOT/$BUILD/probe
[ -x "$TJ" ] && [ -x "$PROBE" ] || { echo "vm-test: build first (make)" >&2; exit 2; }
"$ROOT/tools/install-deps.sh" vm

mkdir -p "$VM"
kernel=$(ls "$VM"/vmlinuz-* 2>/dev/null | head -1 || true)
if [ -z "$kernel" ]; then
	pkg=$(apt-cache depends linux-image-amd64 | sed -n 's/.*Depends: \(linux-image-[0-9].*\)/\1/p' | head -1)
	[ -n "$pkg" ] || { echo "vm-test: cannot find Debian's kernel package" >&2; exit 2; }
	(cd "$VM" && apt-get download "$pkg" >/dev/null 2>&1) || { echo "vm-test: cannot download $pkg" >&2; exit 2; }
	dpkg-deb --fsys-tarfile "$VM"/"$pkg"_*.deb | tar -x -C "$VM" --wildcards './boot/vmlinuz-*' --strip-components=2
	rm -f "$VM"/"$pkg"_*.deb
	kernel=$(ls "$VM"/vmlinuz-* | head -1)
fi

# The initramfs: busybox, tinyjail with its libraries, the probe, the cases.
rootfs=$VM/rootfs
rm -rf "$rootfs"
mkdir -p "$rootfs/bin" "$rootfs/etc" "$rootfs/proc" "$rootfs/sys" "$rootfs/tmp" "$rootfs/dev" "$rootfs/root"
cp /bin/busybox "$rootfs/bin/busybox"
for applet in $(/bin/busybox --list); do
	[ "$applet" = busybox ] || ln -sf busybox "$rootfs/bin/$applet"
done
copy_with_libs() {
	install -D -m 0755 "$1" "$rootfs$2"
	for lib in $(ldd "$1" 2>/dev/null | sed -n 's/.*=> \(\/[^ ]*\).*/\1/p; s/^[[:space:]]*\(\/[^ ]*\) (.*/\1/p'); do
		[ -e "$rootfs$lib" ] || install -D -m 0755 "$lib" "$rootfs$lib"
	done
}
copy_with_libs "$TJ" /bin/tinyjail
install -D -m 0755 "$PROBE" "$rootfs/bin/probe"
install -D -m 0644 "$ROOT/policies/default.json" "$rootfs/usr/local/share/tinyjail/policies/default.json"
install -D -m 0644 "$ROOT/policies/strict.json" "$rootfs/usr/local/share/tinyjail/policies/strict.json"
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$rootfs/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$rootfs/etc/group"
install -m 0755 "$ROOT/tools/vm-cases.sh" "$rootfs/init"
(cd "$rootfs" && find . | cpio -o -H newc 2>/dev/null | gzip -1) >"$VM/initrd.gz"

# Boot; the cases power the VM off when done.  TCG is slow: allow minutes.
log=$VM/console.log
timeout 900 qemu-system-x86_64 -machine q35 -cpu max -smp 2 -m 1024 -nographic -no-reboot \
	-kernel "$kernel" -initrd "$VM/initrd.gz" \
	-append "console=ttyS0 quiet panic=-1 lsm=landlock,bpf systemd.unified_cgroup_hierarchy=1" \
	>"$log" 2>&1 || true
tr -d '\r' <"$log" | sed -n 's/^VMTEST //p'
totals=$(tr -d '\r' <"$log" | sed -n 's/^VMTEST totals \([0-9]*\) passed, \([0-9]*\) failed$/\1 \2/p')
if [ -z "$totals" ]; then
	echo "vm-test: the VM did not finish; the end of its console:" >&2
	tail -30 "$log" >&2
	exit 1
fi
set -- $totals
[ "$2" -eq 0 ] && [ "$1" -gt 0 ]
