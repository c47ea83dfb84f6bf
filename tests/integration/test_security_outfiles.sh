#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Files tinyjail writes for the user (--json-status, --log) cannot be turned
# against it by the sandboxed command (issue 16 item 6): root writes them, the
# command (--user nobody) shares a directory with them and plants symbolic
# links, FIFOs or a link at the name of the temporary file.
. "$(dirname "$0")/lib.sh"

if [ "$(id -u)" -ne 0 ]; then
	t "output files written by root"
	skip "needs root (the attacks are by nobody against root)"
	finish
	exit
fi

# A directory both root and the command write: the output files live here.
shared="$TMP/shared"
mkdir "$shared"
chmod 0777 "$shared" # not sticky: the kernel's protected_symlinks would not apply either way
victim="$TMP/victim"

reset_victim() {
	printf 'precious\n' >"$victim"
	chmod 644 "$victim"
}

victim_intact() {
	[ "$(cat "$victim")" = precious ] || fail "root wrote through the planted link: the victim now holds: $(head -c 200 "$victim")"
}

t "--json-status: a link the command plants at the temporary file's name is not followed"
# The command knows tinyjail's pid (its parent) and so the old temporary
# name, path.tmp.PID; it links every name it can guess to the victim.
reset_victim
run "$TJ" -q --profile none --user nobody --json-status "$shared/st.json" -- /bin/sh -c \
	'for n in "$0.tmp.$PPID" "$0.tmp" "$0"; do rm -f "$n"; ln -s "$1" "$n"; done' "$shared/st.json" "$victim"
expect_rc 0
victim_intact
[ -L "$shared/st.json" ] && fail "the status path is still the command's link"
expect_file_contains "$shared/st.json" '"exit_code": 0'

t "--json-status: a symbolic link already at the path is refused before the command runs"
reset_victim
rm -f "$shared/st.json"
as_nobody ln -s "$victim" "$shared/st.json"
run "$TJ" -q --profile none --json-status "$shared/st.json" -- /bin/touch "$TMP/ran"
expect_rc 125
expect_err_contains "is a symbolic link, not a regular file"
[ -e "$TMP/ran" ] && fail "the command ran although the status file was refused"
victim_intact

t "--log: a symbolic link planted by an earlier sandboxed run is refused"
reset_victim
as_nobody ln -s "$victim" "$shared/events.jsonl"
run "$TJ" -q --profile none --log "$shared/events.jsonl" -- /bin/true
expect_rc 125
expect_err_contains "is a symbolic link, not a regular file"
victim_intact

t "--log: a FIFO at the path is refused (root would block on it forever)"
rm -f "$shared/events.jsonl"
as_nobody mkfifo "$shared/events.jsonl"
run "$TJ" -q --profile none --log "$shared/events.jsonl" -- /bin/true
expect_rc 125
expect_err_contains "is a special file, not a regular file"

t "--log: a hard link at the path is replaced, never truncated through"
rm -f "$shared/events.jsonl"
reset_victim
ln "$victim" "$shared/events.jsonl"
run "$TJ" -q --profile none --log "$shared/events.jsonl" -- /bin/true
expect_rc 0
victim_intact
expect_file_contains "$shared/events.jsonl" '"event":"exit"'
[ "$(stat -c %h "$victim")" = 1 ] || fail "the victim is still linked at the log path"

t "--json-status and --log: a regular file is replaced; no temporary file is left"
rm -f "$shared"/st.json*
echo old >"$shared/st.json"
run "$TJ" -q --profile none --log "$shared/events.jsonl" --json-status "$shared/st.json" -- /bin/true
expect_rc 0
expect_file_contains "$shared/st.json" '"status": "exited"'
expect_file_contains "$shared/events.jsonl" '"event":"start"'
left=$(ls -A "$shared" | grep -c '^\..*\.tmp$')
[ "$left" = 0 ] || fail "temporary files left behind: $(ls -A "$shared")"

t "--json-status: a directory at the path is refused at start"
mkdir "$shared/dir.json"
run "$TJ" -q --profile none --json-status "$shared/dir.json" -- /bin/true
expect_rc 125
expect_err_contains "is a directory, not a regular file"

finish
