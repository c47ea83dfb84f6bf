#!/bin/sh
# Installs the Debian packages tinyjail needs for one purpose, and nothing if
# they are already there.  Usage: tools/install-deps.sh build|build-nobpf|test|bench|vm|fuzz|toolchains
# Needs root (or sudo) only when something is missing.
set -eu

# clang, bpftool and libbpf build the host network rules (a BPF program and
# its libbpf skeleton); `make NET_BPF=0` builds without them (build-nobpf).
# capstone disassembles for the static analysis, which reads libc's symbols
# from libc6-dbg when present (a tighter result); libdw (elfutils) unwinds
# call stacks for --explain, naming glibc's frames with file:line from
# libc6-dbg; ncurses draws `tinyjail edit`.  zlib, liblzma and libbz2 (libdw's
# decompressors): their static libraries, since tinyjail links libdw statically.
nobpf="gcc make pkg-config libc6-dev libseccomp-dev libjson-c-dev libcap-dev libelf-dev libcapstone-dev libc6-dbg \
libdw-dev libncurses-dev zlib1g-dev liblzma-dev libbz2-dev"
build="$nobpf clang bpftool libbpf-dev"
# Tests: cmocka for unit tests, clang for the libFuzzer smoke run, seccomp
# (scmp_sys_resolver) to cross-check names, bubblewrap to load exported BPF,
# the OCI JSON schema and python3-jsonschema to validate exported profiles,
# coreutils-style programs the policies are tested with, iproute2/curl
# for loopback tests, python3-yaml for the SeccompProfile check, git, which
# `learn` is tested on, for the static analysis's tests a Go toolchain (a
# static Go binary) and libnss-systemd (the NSS module case), chromium
# (headless) to open the HTML report, afl++ (afl-fuzz, afl-showmap,
# afl-clang-fast) for learn --fuzz's loop (test_fuzz_learn.sh); man-db, groff
# and zsh check the man page and the completions; tmux drives `tinyjail edit`
# in its tests.
test="$build afl++ tmux libcmocka-dev clang clang-format libclang-rt-14-dev seccomp bubblewrap python3 python3-jsonschema \
python3-yaml golang-github-opencontainers-specs-dev busybox-static crun strace procps util-linux make gcc curl \
iproute2 git golang-go libnss-systemd chromium binutils man-db groff-base zsh"
# Benchmarks: the launchers compared, and what the workloads run (a loopback
# HTTP server in python3, curl, strace for reference).
bench="$build hyperfine bubblewrap firejail util-linux python3 curl strace tar git openssl"
# The second kernel (tools/vm-test.sh): qemu, and busybox for its initramfs.
vm="qemu-system-x86 cpio busybox-static"
# The toolchains the bundled profiles are tested with
# (tests/integration/test_toolchains.sh), as command:package: a command
# already on PATH counts as installed, whichever package (or rustup, or
# NodeSource) brought it.
toolchains="gcc:gcc make:make cmake:cmake ninja:ninja-build cargo:cargo node:nodejs npm:npm java:default-jre-headless \
git:git python3:python3 tar:tar gzip:gzip curl:curl ps:procps flock:util-linux ionice:util-linux bwrap:bubblewrap"
# The long fuzzing campaigns (make fuzz, tests/fuzz/afl.sh): AFL++ and clang.
fuzz="$build afl++ clang"

case "${1:-}" in
build) want=$build ;;
build-nobpf) want=$nobpf ;;
test) want=$test ;;
bench) want=$bench ;;
vm) want=$vm ;;
toolchains)
	want=""
	for pair in $toolchains; do
		command -v "${pair%%:*}" >/dev/null 2>&1 || want="$want ${pair#*:}"
	done
	# The toolchain cases run as nobody too: a cargo in root's home (rustup)
	# is out of nobody's reach, so Debian's goes beside it.
	[ -x /usr/bin/cargo ] || want="$want cargo"
	# python3 -m venv needs Debian's ensurepip package.
	/usr/bin/python3 -c 'import ensurepip' 2>/dev/null || want="$want python3-venv"
	;;
fuzz) want=$fuzz ;;
*) echo "usage: $0 build|build-nobpf|test|bench|vm|fuzz|toolchains" >&2; exit 2 ;;
esac

missing=""
for p in $want; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		case " $missing " in *" $p "*) ;; *) missing="$missing $p" ;; esac
	fi
done
[ -z "$missing" ] && exit 0

echo "tinyjail: installing missing Debian packages:$missing" >&2
if [ "$(id -u)" -eq 0 ]; then
	sudo=""
elif command -v sudo >/dev/null 2>&1; then
	sudo="sudo"
else
	echo "tinyjail: not root and no sudo; run as root: apt-get install$missing" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
# The package lists of a fresh machine may be empty or stale.
$sudo apt-get update -q >/dev/null
# shellcheck disable=SC2086
$sudo apt-get install -y -q --no-install-recommends $missing >/dev/null
