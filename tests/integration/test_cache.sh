# SPDX-License-Identifier: Apache-2.0
# The compiled-filter cache (src/filter/filter_cache.c): repeat launches take the
# filter from a private per-user directory, enforce exactly as a fresh
# compile does, and never trust a directory or entry someone else could
# have written.
. "$ROOT/tests/integration/lib.sh"

CACHE="$XDG_CACHE_HOME/tinyjail"
STRICT="$ROOT/policies/strict.json"

entries() { ls -A "$CACHE" 2>/dev/null | wc -l; }

t "the first run compiles and stores, the second takes the filter from the cache"
run "$TJ" -v --profile strict -- "$PROBE" exit 0
expect_rc 0
expect_err_contains "compiled filter stored in the cache in $CACHE"
[ "$(entries)" = 1 ] || fail "expected one cache entry, found $(entries)"
[ "$(stat -c %a "$CACHE")" = 700 ] || fail "cache directory mode $(stat -c %a "$CACHE"), want 700"
[ "$(stat -c %a "$CACHE"/*.tjf)" = 600 ] || fail "cache entry mode is not 600"
run "$TJ" -v --profile strict -- "$PROBE" exit 0
expect_rc 0
expect_err_contains "compiled filter taken from the cache in $CACHE"
expect_err_lacks "stored in the cache"

t "a cached filter kills and names the call as a compiled one does"
run "$TJ" -v --profile strict -- "$PROBE" syscall ptrace 16 999999999
expect_rc 159
expect_err_contains "taken from the cache"
expect_err_contains "tinyjail: killed by seccomp: ptrace(PTRACE_ATTACH, 999999999, "
expect_err_contains "not allowed by $STRICT (defaultAction: SCMP_ACT_KILL_PROCESS)"

t "a cached filter in complain mode reports what it would deny"
run "$TJ" --complain --profile strict -- "$PROBE" syscall ptrace 16 999999999
run "$TJ" -v --complain --profile strict -- "$PROBE" syscall ptrace 16 999999999
expect_rc 3
expect_err_contains "taken from the cache"
expect_err_contains "would have denied 1 kind of syscall (1 call)"
expect_err_contains "ptrace"

t "a different mode or profile is a different entry"
n=$(entries)
run "$TJ" -v --kill-via=kernel --profile strict -- "$PROBE" exit 0
expect_err_contains "stored in the cache"
[ "$(entries)" -gt "$n" ] || fail "no new entry for --kill-via=kernel"
sed 's/"defaultAction"/ "defaultAction"/' "$STRICT" >"$TMP/strict-copy.json"
run "$TJ" -v --profile "$TMP/strict-copy.json" -- "$PROBE" exit 0
expect_err_contains "stored in the cache"

t "--no-cache neither reads nor writes the cache"
rm -rf "$CACHE"
run "$TJ" -v --no-cache --profile strict -- "$PROBE" exit 0
expect_rc 0
expect_err_lacks "cache"
[ ! -e "$CACHE" ] || fail "--no-cache created $CACHE"

t "a corrupted entry is compiled again, not used"
run "$TJ" -q --profile strict -- "$PROBE" exit 0
f=$(ls "$CACHE"/*.tjf)
head -c 200 "$f" >"$f.cut" && mv "$f.cut" "$f"
run "$TJ" -v --profile strict -- "$PROBE" syscall ptrace 16 999999999
expect_rc 159
expect_err_contains "stored in the cache"
expect_err_contains "killed by seccomp: ptrace("
# flip one byte in the middle of a good entry
size=$(stat -c %s "$f")
printf 'X' | dd of="$f" bs=1 seek=$((size / 2)) conv=notrunc 2>/dev/null
run "$TJ" -v --profile strict -- "$PROBE" syscall ptrace 16 999999999
expect_rc 159
expect_err_contains "stored in the cache"

t "a cache directory others can write is refused with a warning"
chmod 777 "$CACHE"
run "$TJ" --profile strict -- "$PROBE" exit 0
expect_rc 0
expect_err_contains "warning: filter cache not used: the cache directory '$CACHE' is writable by group or others (mode 0777)"
chmod 700 "$CACHE"

t "a cache directory that is a symbolic link is refused"
mv "$CACHE" "$TMP/elsewhere"
ln -s "$TMP/elsewhere" "$CACHE"
run "$TJ" --profile strict -- "$PROBE" exit 0
expect_rc 0
expect_err_contains "is a symbolic link"
rm "$CACHE"
mv "$TMP/elsewhere" "$CACHE"

t "a cache directory owned by another user is refused"
if [ "$(id -u)" -ne 0 ]; then
	skip "needs root to give the directory away"
else
	chown 65534 "$CACHE"
	run "$TJ" --profile strict -- "$PROBE" exit 0
	expect_rc 0
	expect_err_contains "is owned by uid 65534, not by this user"
	chown 0 "$CACHE"
fi

t "without a usable home the run goes on quietly"
run env -u XDG_CACHE_HOME HOME=/nonexistent/home "$TJ" --profile strict -- "$PROBE" exit 0
expect_rc 0
expect_err_lacks "cache"

finish
