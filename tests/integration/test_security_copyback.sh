#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Size-limited directories (--rw-limit) cannot be turned against the host
# (issue 16 items 12 and 13): sparse files do not copy back past the limit,
# the directory must be the caller's (not one another user made first, not
# reached through another user's link), and copy-back never writes through a
# hard link.  Attacks by nobody against root, and by the command itself.
. "$(dirname "$0")/lib.sh"

if [ "$(id -u)" -ne 0 ]; then
	t "size-limited directories"
	skip "needs root (the attacks are by nobody against root)"
	finish
	exit
fi

# A directory every user may write, like /tmp (not sticky: the kernel's
# protected_symlinks would not apply in it either way).
shared="$TMP/shared"
mkdir "$shared"
chmod 0777 "$shared"
private="$TMP/private"
mkdir "$private"
chmod 0700 "$private"

for who in root nobody; do
	runner=run
	[ "$who" = nobody ] && runner=run_nobody
	d="$TMP/sparse-$who"
	mkdir "$d"
	[ "$who" = nobody ] && chown nobody "$d"

	t "item 12 ($who): a 200 MiB sparse file in a 1M directory is not copied back"
	$runner "$TJ" -q --rw-limit "$d=1M" -- sh -c "echo kept > '$d/small'; truncate -s 200M '$d/huge'; echo made"
	expect_out_contains "made"
	expect_rc 125
	expect_err_contains "1 sparse file larger than the limit of '$d' (1M) not copied back, such as 'huge'"
	[ -e "$d/huge" ] && fail "the sparse file reached the host: $(du -k "$d/huge")"
	expect_file_contains "$d/small" kept

	t "item 12 ($who): a sparse file within the limit keeps its holes"
	$runner "$TJ" -q --rw-limit "$d=1M" -- sh -c "truncate -s 900K '$d/holes'; printf x | dd of='$d/holes' bs=1 seek=500000 conv=notrunc 2>/dev/null"
	expect_rc 0
	[ "$(stat -c %s "$d/holes")" = 921600 ] || fail "the size changed: $(stat -c %s "$d/holes")"
	used=$(du -k "$d/holes" | cut -f1)
	[ "$used" -le 64 ] || fail "the holes were filled: $used KiB on disk"
	[ "$(dd if="$d/holes" bs=1 skip=500000 count=1 2>/dev/null)" = x ] || fail "the data moved"

	t "item 12 ($who): a directory already holding a sparse file larger than the limit refuses to start"
	truncate -s 5M "$d/seed"
	[ "$who" = nobody ] && chown nobody "$d/seed"
	$runner "$TJ" -q --rw-limit "$d=1M" -- /bin/true
	expect_rc 125
	expect_err_contains "already holds more than its limit"
	rm -f "$d/seed"
done

t "item 13: a directory another user created first is refused"
# nobody makes the directory the victim (root) will download into.
as_nobody mkdir "$shared/curl_downloads"
run "$TJ" -q --rw-limit "$shared/curl_downloads=1M" -- sh -c "echo secret > '$shared/curl_downloads/f'"
expect_rc 125
expect_err_contains "belongs to uid 65534, not to you"
[ -e "$shared/curl_downloads/f" ] && fail "root's file landed in nobody's directory"
# The same the other way: a root-made directory is not nobody's.
mkdir "$shared/rootmade"
run_nobody "$TJ" -q --rw-limit "$shared/rootmade=1M" -- /bin/true
expect_rc 125
expect_err_contains "belongs to uid 0, not to you"

t "item 13: the caller's own directory that others can write is refused"
mkdir "$TMP/open"
chmod 0777 "$TMP/open"
run "$TJ" -q --rw-limit "$TMP/open=1M" -- /bin/true
expect_rc 125
expect_err_contains "can be written by other users (mode 0777)"
expect_err_contains "chmod go-w"

t "item 13: a symbolic link another user planted on the path is not followed"
# nobody points the name root will use at a private directory of root's.
as_nobody ln -s "$private" "$shared/dl"
run "$TJ" -q --rw-limit "$shared/dl=1M" -- sh -c "echo planted > '$shared/dl/authorized_keys'"
expect_rc 125
expect_err_contains "is a symbolic link owned by uid 65534"
[ -e "$private/authorized_keys" ] && fail "root wrote through nobody's link into its private directory"
# ... nor one in the middle of the path.
run "$TJ" -q --rw-limit "$shared/dl/sub=1M" -- /bin/true
expect_rc 125
expect_err_contains "is a symbolic link owned by uid 65534"
[ -e "$private/sub" ] && fail "root created a directory through nobody's link"
# A link of root's own is followed as before.
ln -s "$private" "$TMP/mine"
run "$TJ" -q --rw-limit "$TMP/mine=1M" -- sh -c "echo ok > '$TMP/mine/f'"
expect_rc 0
expect_file_contains "$private/f" ok

t "item 13: copy-back never writes through a hard link in the directory"
hl="$TMP/hl"
mkdir "$hl"
echo precious >"$TMP/victim"
ln "$TMP/victim" "$hl/f" # left by an earlier run (or by the user)
run "$TJ" -q --rw-limit "$hl=1M" -- sh -c "echo changed > '$hl/f'"
expect_rc 0
expect_file_contains "$hl/f" changed
[ "$(cat "$TMP/victim")" = precious ] || fail "copy-back wrote through the hard link: $(cat "$TMP/victim")"

t "item 13: --json-status and --log are not written through another user's directory link"
as_nobody ln -s "$private" "$shared/out"
run "$TJ" -q --profile none --json-status "$shared/out/st.json" -- /bin/true
expect_rc 125
expect_err_contains "is a symbolic link owned by uid 65534"
run "$TJ" -q --profile none --log "$shared/out/log" -- /bin/true
expect_rc 125
[ -e "$private/st.json" ] || [ -e "$private/log" ] && fail "root wrote into its private directory through nobody's link"

finish
