#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Relative paths see the command's view (issue 16 item 19): after the mount
# namespace is built, the working directory is entered again by path, so a
# command that works in "." gets the same mounts as one naming absolute paths.
# Every mount option through relative paths, as root and as nobody.
. "$(dirname "$0")/lib.sh"

VIEW="--ro /usr --ro /lib --ro /lib64 --ro /bin --ro /etc --ro $(dirname "$PROBE")"

if [ "$(id -u)" -ne 0 ]; then
	t "relative paths in the command's view"
	skip "needs root (the cases run as root and as nobody)"
	finish
	exit
fi

# Each runner: "run" as root, "run_nobody" as nobody (through a user namespace).
for who in root nobody; do
	runner=run
	[ "$who" = nobody ] && runner=run_nobody
	base="$TMP/$who"
	mkdir -p "$base"
	[ "$who" = nobody ] && chown nobody "$base"
	mk() { mkdir -p "$@" && { [ "$who" = root ] || chown nobody "$@"; }; }

	t "--noexec ($who): a program in the working directory cannot run as ./prog"
	mk "$base/nx"
	cp "$PROBE" "$base/nx/payload"
	chmod 755 "$base/nx/payload"
	$runner sh -c 'cd "$1" && shift && exec "$@"' sh "$base/nx" "$TJ" -q --noexec "$base/nx" -- ./payload exit 0
	expect_rc 126
	# ...nor through a path relative to the directory above, with a relative option.
	$runner sh -c 'cd "$1" && shift && exec "$@"' sh "$base" "$TJ" -q --noexec nx -- nx/payload exit 0
	expect_rc 126
	# Control: without --noexec the same file runs.
	$runner sh -c 'cd "$1" && shift && exec "$@"' sh "$base/nx" "$TJ" -q --unshare mount -- ./payload exit 0
	expect_rc 0

	t "--tmpfs ($who): the working directory is the new empty tmpfs, nothing reaches the host"
	mk "$base/scratch"
	echo host >"$base/scratch/hostfile"
	$runner sh -c 'cd "$1" && shift && exec "$@"' sh "$base/scratch" "$TJ" -q --tmpfs "$base/scratch" -- \
		sh -c 'ls -A; echo inner > inner && echo wrote'
	expect_rc 0
	expect_out_lacks "hostfile"
	expect_out_contains "wrote"
	[ -e "$base/scratch/inner" ] && fail "a relative write under --tmpfs reached the host"

	t "--rw-limit ($who): a relative write stops at the limit; nothing larger lands on the host"
	mk "$base/lim"
	$runner sh -c 'cd "$1" && shift && exec "$@"' sh "$base/lim" "$TJ" -q --rw-limit "$base/lim=1M" -- \
		sh -c 'head -c 3000000 /dev/zero > big; echo rc=$?'
	expect_rc 0
	expect_out_contains "rc=1"
	size=$(stat -c %s "$base/lim/big" 2>/dev/null || echo 0)
	[ "$size" -le 1048576 ] || fail "a $size-byte file landed on the host past --rw-limit 1M"
	# A relative option and a relative path from the directory above.
	$runner sh -c 'cd "$1" && shift && exec "$@"' sh "$base" "$TJ" -q --rw-limit lim=1M -- \
		sh -c 'head -c 3000000 /dev/zero > lim/big2; echo rc=$?'
	expect_out_contains "rc=1"
	size=$(stat -c %s "$base/lim/big2" 2>/dev/null || echo 0)
	[ "$size" -le 1048576 ] || fail "a $size-byte file landed on the host past --rw-limit 1M"

	t "--ro and --rw ($who): relative writes follow the view"
	mk "$base/ro" "$base/rw"
	$runner sh -c 'cd "$1" && shift && exec "$@"' sh "$base/ro" "$TJ" -q $VIEW --ro "$base/ro" -- \
		sh -c 'echo x > f; echo rc=$?'
	expect_rc 0
	expect_out_lacks "rc=0"
	[ -e "$base/ro/f" ] && fail "a relative write went through --ro"
	# --ro / then --rw DIR: the writable bind is where "." is.
	$runner sh -c 'cd "$1" && shift && exec "$@"' sh "$base/rw" "$TJ" -q --ro / --rw "$base/rw" -- \
		sh -c 'echo x > f; echo rc=$?'
	expect_out_contains "rc=0"
	expect_file_contains "$base/rw/f" x

	t "a working directory hidden by the view stops the run ($who), as bwrap does"
	mk "$base/hidden/sub"
	$runner sh -c 'cd "$1" && shift && exec "$@"' sh "$base/hidden/sub" "$TJ" -q --tmpfs "$base/hidden" -- \
		/bin/touch here
	expect_rc 125
	expect_err_contains "the working directory is not there in the command's view"
	[ -e "$base/hidden/sub/here" ] && fail "the command ran in the old directory"
done

t "/proc in a pid namespace: relative paths from /proc see only the command's processes"
run sh -c 'cd /proc && exec "$@"' sh "$TJ" -q --unshare pid -- /bin/sh -c 'ls -d [0-9]* | wc -l; cat self/stat'
expect_rc 0
n=$(printf '%s\n' "$out" | head -1)
# init, sh, ls, wc: a handful; the host has hundreds, with numbers beyond.
[ "$n" -le 8 ] || fail "$n processes visible through ./ in /proc (the host's /proc)"
pid=$(printf '%s\n' "$out" | sed -n 2p | cut -d' ' -f1)
[ "$pid" -le 16 ] || fail "self/stat shows host pid $pid"

t "cgroups stay read-only through relative paths from /sys/fs/cgroup"
# shellcheck disable=SC2016
escape='for line in $(grep -E "^[0-9]+:(memory)?:" /proc/self/cgroup); do
	rel=${line#*:*:}; ctl=${line#*:}; ctl=${ctl%%:*}
	for m in ${ctl:-unified} .; do
		if [ -e "$m$rel/cgroup.procs" ]; then echo $$ > "$m${rel%/*}/cgroup.procs" && echo "moved $m"; break; fi
	done
done'
run sh -c 'cd /sys/fs/cgroup && exec "$@"' sh "$TJ" -q --profile none --memory 100M -- /bin/bash -c "$escape"
expect_out_lacks "moved"

t "--noexec / covers absolute paths too (a mount on / is entered as the root)"
run "$TJ" -q --noexec / -- /bin/true
expect_rc 126
run "$TJ" -q --rw / -- /bin/true
expect_rc 0

finish
