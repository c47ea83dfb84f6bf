# SPDX-License-Identifier: Apache-2.0
# `tinyjail report LOG...` (notes/reports.md): seen, missed and unused, the
# timeline in the terminal, the tightened profile, and the HTML page opened
# in headless Chromium (the test reads the DOM the page's script built and
# keeps a screenshot); logs of real programs (coreutils in a shell, gcc,
# python3, curl against a loopback server); bad input.
. "$ROOT/tests/integration/lib.sh"

B="$ROOT/$BUILD"
SCHEMA="$ROOT/notes/events.schema.json"
VALIDATE="$ROOT/tests/helpers/validate_events.py"

validate() {
	run /usr/bin/python3 "$VALIDATE" "$SCHEMA" "$@"
	[ "$rc" -eq 0 ] || fail "schema: $(printf '%s\n' "$out" | head -5)"
}

# Every line of $out at most 80 columns.
expect_80_columns() { # characters, not bytes: "│" and "…" are one column each
	wide=$(printf '%s\n' "$out" | /usr/bin/python3 -c '
import sys
for line in sys.stdin.read().splitlines():
    if len(line) > 80:
        print(line)' | head -3)
	[ -z "$wide" ] || fail "lines wider than 80 columns: $wide"
}

t "a shell pipeline of coreutils: the run records allowed calls, processes and usage counts"
run_in "$TMP" "$TJ" --profile default --report=usage --log "$TMP/sh.log" -- \
	sh -c 'ls / >/dev/null; cat /etc/hostname | wc -c >/dev/null; exit 3'
expect_rc 3
validate "$TMP/sh.log"
expect_file_contains "$TMP/sh.log" '"recording":["usage","processes"]'
expect_file_contains "$TMP/sh.log" '"event":"process","pid":'
expect_file_contains "$TMP/sh.log" '"cause":"start","comm":"sh"'
expect_file_contains "$TMP/sh.log" '"cause":"exec","comm":"ls","exe":"/usr/bin/ls"'
expect_file_contains "$TMP/sh.log" '"event":"usage"'
expect_file_contains "$TMP/sh.log" '"cause":"exit","comm":"sh","code":3'

t "report: seen, missed and unused, per program and in total, in 80 columns"
run "$TJ" report "$TMP/sh.log"
expect_rc 0
expect_out_contains "runs: 1, from 1 log"
expect_out_contains "seen (allowed and used): "
expect_out_contains "/usr/bin/ls ("
expect_out_contains "/usr/bin/cat ("
expect_out_contains "/usr/bin/wc ("
expect_out_contains "missed (denied, killed for, or would have been): none"
expect_out_contains "unused (allowed by "
expect_out_contains "syscalls[0] SCMP_ACT_ALLOW ("
expect_80_columns
# Piped: no colour.
case "$out" in *"$(printf '\033')"*) fail "colour codes in piped output" ;; esac

t "a process that execs another program: each program's calls under its own name"
run_in "$TMP" "$TJ" --profile default --report=usage --log "$TMP/exec.log" -- \
	sh -c 'echo x >/dev/null; exec /usr/bin/ls / >/dev/null'
expect_rc 0
validate "$TMP/exec.log"
run "$TJ" report "$TMP/exec.log"
expect_rc 0
# The per-program lists: ls's own loader mapped and opened its libraries,
# after dash had done the same under the same pid.
printf '%s\n' "$out" | /usr/bin/python3 -c '
import re, sys
text = sys.stdin.read()
blocks = dict(re.findall(r"^  (/\S+) \(\d+ syscalls, \d+ calls\):((?:.*\n)(?:      .*\n)*)", text, re.M))
ls, dash = blocks.get("/usr/bin/ls", ""), blocks.get("/usr/bin/dash", "")
need = [(ls, "mmap "), (ls, "openat "), (ls, "getdents64 "), (dash, "execve 2,"), (dash, "mmap ")]
missing = [w for b, w in need if w not in b]
nogo = [w for w in ("getdents64 ",) if w in dash]
sys.exit("missing %s, misplaced %s in %r" % (missing, nogo, blocks) if missing or nogo else 0)' ||
	fail "calls under the wrong program"
run "$TJ" report "$TMP/exec.log" --timeline
expect_out_contains " /usr/bin/dash: sh -c echo x >/dev/null; exec /usr/bin/ls"
expect_out_contains "│ exec /usr/bin/ls /"
printf '%s\n' "$out" | grep -A1 '│ exec /usr/bin/ls /' | grep -q '│ start-up: .*mmap' ||
	fail "no start-up after the exec"

t "report --timeline: the fork and exec tree, start-up and first uses, exits"
run "$TJ" report "$TMP/sh.log" --timeline
expect_rc 0
expect_out_contains " /usr/bin/dash: sh -c ls / >/dev/null;"
expect_out_contains "│ start-up: execve"
expect_out_contains "│ first use: "
expect_out_contains "/usr/bin/ls: ls /"
expect_out_contains "│ │ exit: status 0"
expect_out_contains "│ exit: status 3"
expect_out_contains "end: exit 3"
expect_80_columns

t "colour only on a terminal, and never with NO_COLOR"
run /usr/bin/python3 "$ROOT/tests/helpers/pty_run.py" "" "$TMP/tty.txt" -- "$TJ" report "$TMP/sh.log" --timeline
expect_rc 0
grep -q "$(printf '\033\\[1m')" "$TMP/tty.txt" || fail "no colour on a terminal"
run env NO_COLOR=1 /usr/bin/python3 "$ROOT/tests/helpers/pty_run.py" "" "$TMP/tty2.txt" -- "$TJ" report "$TMP/sh.log" \
	--timeline
expect_rc 0
grep -q "$(printf '\033')" "$TMP/tty2.txt" && fail "colour although NO_COLOR is set"
grep -q "end: exit 3" "$TMP/tty2.txt" || fail "no timeline on the terminal"

t "denials: missed with the first call's arguments and the rule that decided"
printf '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["kcmp"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1}, {"names": ["getppid"], "action": "SCMP_ACT_KILL_PROCESS"}]}\n' \
	>"$TMP/deny.json"
run "$TJ" --profile "$TMP/deny.json" --report=usage --log "$TMP/deny.log" -- "$PROBE" seq kcmp kcmp getppid
expect_rc 159
validate "$TMP/deny.log"
run "$TJ" report "$TMP/deny.log"
expect_rc 0
expect_out_contains "killed     getppid"
expect_out_contains "syscalls[1] (KILL_PROCESS)"
expect_out_contains "denied     kcmp                        2 calls  syscalls[0] (ERRNO(EPERM))"
expect_out_contains ": kcmp("
run "$TJ" report "$TMP/deny.log" --timeline
expect_out_contains "KILLED getppid()"
expect_out_contains "denied kcmp("
expect_out_contains "exit: killed for a syscall"

t "the timeline shows limits: a timeout, a memory limit"
run "$TJ" --profile default --report=usage --timeout 1s --log "$TMP/slow.log" -- sleep 30
expect_rc 124
validate "$TMP/slow.log"
run "$TJ" report "$TMP/slow.log" --timeline
expect_rc 0
expect_out_contains "/usr/bin/sleep: sleep 30"
expect_out_contains "limit wall-time killed at 1000 ms"
expect_out_contains "end: exit 124"
# A memory limit that ended the run, with the limit in MiB.
run "$TJ" --profile default --report=usage --memory 64M --log "$TMP/mem.log" -- "$PROBE" alloc 200
expect_rc 137
validate "$TMP/mem.log"
run "$TJ" report "$TMP/mem.log" --timeline
expect_rc 0
expect_out_contains "limit memory killed at 64.0 MiB"
expect_out_contains "end: exit 137"

t "several logs merge: counts add up, per run and in total"
run_in "$TMP" "$TJ" --profile default --report=usage --log "$TMP/sh2.log" -- sh -c 'ls / >/dev/null'
expect_rc 0
run "$TJ" report "$TMP/sh.log" "$TMP/sh2.log"
expect_rc 0
expect_out_contains "runs: 2, from 2 logs"
expect_out_contains "1. sh.log: sh -c"
expect_out_contains "2. sh2.log: sh -c ls / >/dev/null"

t "-o: a tightened profile that still runs the command, and denies what it did not use"
run "$TJ" report "$TMP/sh.log" -o "$TMP/tight.json"
expect_rc 0
expect_err_contains "tinyjail: wrote $TMP/tight.json: "
run "$TJ" check "$TMP/tight.json"
expect_rc 0
run_in "$TMP" "$TJ" --profile "$TMP/tight.json" -- sh -c 'ls / >/dev/null; cat /etc/hostname | wc -c >/dev/null; exit 3'
expect_rc 3
# socket was allowed by default.json, never used, and is gone now.
run "$TJ" --profile "$TMP/tight.json" -- "$PROBE" syscall socket 2 1 0
expect_rc 159
# Without allowed calls in the logs there is nothing to tighten from.
run "$TJ" --profile default --log "$TMP/plain.log" -- true
run "$TJ" report "$TMP/plain.log" -o "$TMP/never.json"
expect_rc 125
expect_err_contains "the runs did not record allowed calls"
[ -e "$TMP/never.json" ] && fail "a profile was written from a log without allowed calls"

t "a profile that does not match the log is named as such"
run "$TJ" report "$TMP/deny.log" --profile strict
expect_rc 0
expect_err_contains "does not match the logs"
expect_out_contains "warning: "

t "gcc, python3 and curl: their logs read back"
printf 'int main(void) { return 0; }\n' >"$TMP/x.c"
run_in "$TMP" "$TJ" --profile default --report=usage --log "$TMP/gcc.log" -- gcc -o "$TMP/x" "$TMP/x.c"
expect_rc 0
validate "$TMP/gcc.log"
run "$TJ" report "$TMP/gcc.log" --timeline
expect_rc 0
expect_out_contains "/usr/lib/gcc/x86_64-linux-gnu/12/cc1: "
expect_out_contains "/usr/bin/x86_64-linux-gnu-as: as "
# A profile whose rules hold groups and conditions (build-job: one rule
# expands into several with one JSON path) matches its own log, and its
# unused names are listed once per rule.
run_in "$TMP" "$TJ" --profile build-job --report=usage --log "$TMP/bj.log" -- gcc -c -o "$TMP/x.o" "$TMP/x.c"
expect_rc 0
run "$TJ" report "$TMP/bj.log"
expect_rc 0
case "$err" in *"does not match"*) fail "build-job does not match its own log: $err" ;; esac
n=$(printf '%s\n' "$out" | grep -c '^  linux.seccomp.syscalls\[0\] SCMP_ACT_ALLOW')
[ "$n" -eq 1 ] || fail "rule syscalls[0] listed $n times among the unused"
run "$TJ" --profile default --report=usage --log "$TMP/py.log" -- /usr/bin/python3 -c 'import json; print(json.dumps(1))'
expect_rc 0
run "$TJ" report "$TMP/py.log"
expect_rc 0
expect_out_contains "/usr/bin/python3.11 ("
mkdir -p "$TMP/www"
printf 'hello\n' >"$TMP/www/hi.txt"
if ! start_file_server "$TMP/www"; then
	fail "the loopback server did not start: $(cat "$TMP/srv.log")"
else
	run "$TJ" --profile net-client --report=usage --explain connect --log "$TMP/curl.log" -- \
		curl -sS "http://127.0.0.1:$port/hi.txt"
	expect_rc 0
	validate "$TMP/curl.log"
	run "$TJ" report "$TMP/curl.log"
	expect_rc 0
	expect_out_contains "call chains (--explain):"
	expect_out_contains "connect "
	printf '%s\n' "$out" | grep -q '^  connect ' || fail "connect is not among the seen syscalls"
fi
kill "$srv" 2>/dev/null
wait "$srv" 2>/dev/null

t "the HTML page in headless Chromium: tables, sorting, the zoomable timeline, the tree, the chains"
run "$TJ" report "$TMP/sh.log" "$TMP/deny.log" "$TMP/curl.log" --html "$TMP/report.html"
expect_rc 0
# One file, nothing fetched: no external address anywhere in it.
grep -Eq '(src|href)="(https?:|//)' "$TMP/report.html" && fail "the page refers to something outside itself"
expect_file_contains "$TMP/report.html" "Content-Security-Policy"
CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$CHROMIUM" ]; then
	skip "chromium is not installed (tools/install-deps.sh test installs it)"
else
	browse() { # URL OUTPUT: the DOM after the page's script ran
		timeout -k 5 90 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-background-networking \
			--disable-component-update --disable-sync --no-first-run --user-data-dir="$(mktemp -d "$TMP/chr.XXXXXX")" \
			--virtual-time-budget=5000 --dump-dom "$1" >"$2" 2>"$TMP/chromium.err"
	}
	browse "file://$TMP/report.html" "$TMP/dom.html"
	grep -q 'data-ready="yes"' "$TMP/dom.html" || fail "the page's script did not finish: $(tail -3 "$TMP/chromium.err")"
	# The timeline: one lane per process, marks for kills and first uses.
	lanes=$(grep -o 'class="lane"' "$TMP/dom.html" | wc -l)
	procs=$(grep -c '"event":"process".*"cause":"\(start\|fork\)"' "$TMP/sh.log" "$TMP/deny.log" "$TMP/curl.log" |
		awk -F: '{s+=$2} END {print s}')
	[ "$lanes" -ge "$procs" ] && [ "$lanes" -ge 4 ] || fail "timeline lanes: $lanes for $procs processes"
	grep -q 'class="mark" data-kind="killed"' "$TMP/dom.html" || fail "no kill mark in the timeline"
	grep -q 'class="mark" data-kind="first-use"' "$TMP/dom.html" || fail "no first-use mark in the timeline"
	# The dynamic loader's start-up phase, as the terminal timeline has it.
	grep -q 'class="mark" data-kind="first-use"[^>]*data-phase="start-up"' "$TMP/dom.html" ||
		fail "no start-up phase in the timeline"
	# The tables and the tree as the page shows them.
	grep -q '<td class="killed">killed</td><td><code>getppid</code>' "$TMP/dom.html" || fail "getppid is not in missed"
	grep -q '<li data-pid="[0-9]*"><b>[0-9]*</b> <span title="/usr/bin/ls">ls</span>' "$TMP/dom.html" ||
		fail "ls is not in the process tree"
	grep -q '<div class="chain" data-syscall="connect">' "$TMP/dom.html" || fail "no call chain"
	# Sorting (seen totals by calls, ascending) and zoom, driven by the address.
	browse "file://$TMP/report.html#sort=seen-total:1:asc&zoom=4" "$TMP/dom2.html"
	grep -q 'id="seen-total" data-sorted="1:asc"' "$TMP/dom2.html" || fail "the seen table was not sorted"
	/usr/bin/python3 - "$TMP/dom2.html" <<'EOF' || fail "the seen table is not in ascending order of calls"
import re, sys
html = open(sys.argv[1]).read()
table = html[html.index('id="seen-total"'):]
table = table[:table.index('</table>')]
calls = [int(v) for v in re.findall(r'<td class="num" data-v="(\d+)">\d+</td><td class="num"', table)]
sys.exit(0 if len(calls) > 3 and calls == sorted(calls) else 1)
EOF
	v1=$(grep -o 'data-view="[^"]*"' "$TMP/dom.html" | head -1)
	v2=$(grep -o 'data-view="[^"]*"' "$TMP/dom2.html" | head -1)
	[ -n "$v1" ] && [ "$v1" != "$v2" ] || fail "zoom did not change the view ($v1, $v2)"
	mkdir -p "$B/artifacts"
	timeout -k 5 90 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-background-networking \
		--disable-component-update --disable-sync --no-first-run --user-data-dir="$(mktemp -d "$TMP/chr.XXXXXX")" \
		--window-size=1280,2400 --screenshot="$B/artifacts/report.png" "file://$TMP/report.html" \
		>/dev/null 2>"$TMP/chromium.err"
	[ -s "$B/artifacts/report.png" ] || fail "no screenshot: $(tail -3 "$TMP/chromium.err")"
fi

t "bad input: a truncated log, a corrupt line, another version, not a log at all"
head -c -40 "$TMP/deny.log" >"$TMP/cut.log"
lines=$(wc -l <"$TMP/cut.log")
run "$TJ" report "$TMP/cut.log"
expect_rc 0
expect_err_contains "cut.log:$((lines + 1)): the last line is cut short"
expect_out_contains "the first is line $((lines + 1))"
expect_out_contains "killed     getppid"
sed '3s/.*/{"v":1,"time":"garbage/' "$TMP/deny.log" >"$TMP/corrupt.log"
printf '{"v":2,"time":"2030-01-01T00:00:00.000000Z","event":"syscall","future":true}\n' >>"$TMP/corrupt.log"
run "$TJ" report "$TMP/corrupt.log"
expect_rc 0
expect_err_contains "corrupt.log:3: "
expect_err_contains "an event of version 2, which this tinyjail does not read"
expect_out_contains "1 event skipped"
printf 'hello\nworld\n' >"$TMP/notalog.txt"
run "$TJ" report "$TMP/notalog.txt"
expect_rc 125
expect_err_contains "no event could be read: not a tinyjail event log"
run "$TJ" report "$TMP/missing.log"
expect_rc 125
expect_err_contains "cannot read the event log"
run "$TJ" report
expect_rc 125

t "a large log is read in bounded memory (streamed)"
# 200,000 events from 100 processes (~60 MB), and a quarter of it: a log
# four times longer must not take much more memory (each process keeps its
# first 200 denials for the timeline, and both logs have more).  Under AddressSanitizer
# only that ratio means something; the release build must also stay under
# 200 MiB (notes/reports.md has the 1 GiB figure).
/usr/bin/python3 - "$TMP/deny.log" "$TMP/big.log" "$TMP/small.log" <<'EOF'
import sys
lines = open(sys.argv[1]).read().splitlines()
body = [l for l in lines if '"event":"syscall"' in l]
for path, n in ((sys.argv[2], 200000), (sys.argv[3], 50000)):
    with open(path, "w") as f:
        f.write(lines[0] + "\n")
        for i in range(n):
            f.write(body[i % len(body)].replace('"pid":', '"pid":%d, "x":' % (1000 + i % 100), 1) + "\n")
EOF
rss() {
	/usr/bin/python3 - "$TJ" "$1" <<'EOF'
import os, subprocess, sys
p = subprocess.Popen([sys.argv[1], "report", "-q", sys.argv[2], "--timeline"], stdout=subprocess.DEVNULL)
_, status, ru = os.wait4(p.pid, 0)
print(ru.ru_maxrss // 1024 if status == 0 else "failed")
EOF
}
big=$(rss "$TMP/big.log")
small=$(rss "$TMP/small.log")
size=$(($(stat -c %s "$TMP/big.log") / 1048576))
case "$big$small" in *[!0-9]*) fail "report failed on the large logs ($big, $small)" ;; esac
[ "$big" -lt $((small * 2)) ] || fail "peak RSS grows with the log: ${small} MiB for 50,000 events, ${big} MiB for 200,000"
if ! nm -D "$TJ" 2>/dev/null | grep -q __asan_init; then
	[ "$big" -lt 200 ] || fail "peak RSS ${big} MiB for a ${size} MiB log"
fi

finish
