# SPDX-License-Identifier: Apache-2.0
# The ready profiles in policies/ (notes/policies.md): each is a tinyjail
# profile with a description, lints without high findings, runs a real Debian
# program in enforce mode, and stops what it forbids; every stopped call has a
# control showing the same call succeeds without the profile.  Network
# traffic goes to a loopback server only.
. "$ROOT/tests/integration/lib.sh"

POL="$ROOT/policies"
DATA="$ROOT/tests/integration/data/policies"
READY="static-tool cli-tool net-client build-job shell-script curl-download"
srv_pid=""
trap '[ -n "$srv_pid" ] && kill "$srv_pid" 2>/dev/null; rm -rf "$TMP"' EXIT

# expect_probe PROFILE RC PROBE-ARGS...: the probe under a profile exits RC
# (159: killed by seccomp; "none" runs it without a filter, the control).
expect_probe() {
	_p=$1 _want=$2
	shift 2
	run "$TJ" -q --profile "$_p" -- "$PROBE" "$@"
	[ "$rc" -eq "$_want" ] || fail "$_p: probe $*: expected exit $_want, got $rc"
}

# killed PROFILE SYSCALL PROBE-ARGS...: killed under PROFILE, naming the
# call; allowed without a filter (exit 0 or an errno, never 159).
killed() {
	_p=$1 _name=$2
	shift 2
	run "$TJ" --profile "$_p" -- "$PROBE" "$@"
	[ "$rc" -eq 159 ] || fail "$_p: probe $*: expected 159, got $rc"
	expect_err_contains "killed by seccomp: $_name("
	run "$TJ" -q --profile none -- "$PROBE" "$@"
	[ "$rc" -ne 159 ] && [ "$rc" -lt 128 ] || fail "control without a filter: probe $* exited $rc"
}

t "every ready profile is a described tinyjail profile and lints clean"
for p in $READY; do
	run "$TJ" check --lint "$POL/$p.json"
	expect_rc 0
	expect_out_contains "$POL/$p.json: ok: tinyjail profile;"
	expect_out_contains "lint: 0 high, 0 medium"
	grep -q '"description": "[A-Za-z]' "$POL/$p.json" || fail "$p has no description"
	grep -q '"@' "$POL/$p.json" || fail "$p is not built from groups"
done

t "static-tool: busybox (static) works on files"
printf 'b\na\nc\n' >"$TMP/in.txt"
run "$TJ" -q --profile static-tool -- busybox sha256sum "$TMP/in.txt"
expect_rc 0
[ "$out" = "$(sha256sum "$TMP/in.txt")" ] || fail "sha256sum differs: $out"
run "$TJ" -q --profile static-tool -- busybox sort "$TMP/in.txt"
expect_rc 0
[ "$out" = "$(printf 'a\nb\nc')" ] || fail "sort printed: $out"
run "$TJ" -q --profile static-tool -- busybox tar -cf "$TMP/in.tar" -C "$TMP" in.txt
expect_rc 0
[ "$(tar -tf "$TMP/in.tar")" = in.txt ] || fail "busybox tar made a bad archive"
run "$TJ" -q --profile static-tool -- busybox find "$TMP" -name 'in.*'
expect_out_contains "$TMP/in.tar"

t "static-tool: no new processes, no network"
run "$TJ" --profile static-tool -- busybox sh -c "busybox cat $TMP/in.txt | busybox wc -l"
expect_rc 159
expect_err_contains "killed by seccomp: pipe2("
run "$TJ" -q --profile none -- busybox sh -c "busybox cat $TMP/in.txt | busybox wc -l"
expect_rc 0
killed static-tool socket syscall socket 2 1 0
killed static-tool clone fork getpid

t "cli-tool: coreutils, tar and gzip, id with name-service lookups"
seq 1 50000 | sort -R >"$TMP/nums.txt"
run "$TJ" -q --profile cli-tool -- sort -n --parallel=2 -S 1M "$TMP/nums.txt"
expect_rc 0
[ "$(printf '%s\n' "$out" | tail -1)" = 50000 ] || fail "sort did not sort"
run "$TJ" -q --profile cli-tool -- wc -l "$TMP/nums.txt"
expect_out_contains "50000"
run "$TJ" -q --profile cli-tool -- cp "$TMP/nums.txt" "$TMP/copy.txt"
expect_rc 0
cmp -s "$TMP/nums.txt" "$TMP/copy.txt" || fail "cp made a different file"
run "$TJ" -q --profile cli-tool -- ls -l "$TMP/copy.txt"
expect_rc 0
[ "$out" = "$(ls -l "$TMP/copy.txt")" ] || fail "ls -l differs: $out"
run "$TJ" -q --profile cli-tool -- tar -czf "$TMP/n.tgz" -C "$TMP" nums.txt copy.txt
expect_rc 0
run "$TJ" -q --profile cli-tool -- tar -tzf "$TMP/n.tgz"
expect_out_contains "copy.txt"
run "$TJ" -q --profile cli-tool -- id
expect_rc 0
[ "$out" = "$(id)" ] || fail "id differs: $out"

t "cli-tool: sockets fail with EACCES; W^X memory; no ptrace"
expect_probe cli-tool 13 syscall socket 2 1 0
expect_probe none 0 syscall socket 2 1 0
# mmap(PROT_READ|PROT_WRITE|PROT_EXEC, MAP_PRIVATE|MAP_ANONYMOUS) is killed;
# read-write memory is not
killed cli-tool mmap syscall 9 0 4096 7 0x22 -1 0
expect_probe cli-tool 0 syscall 9 0 4096 3 0x22 -1 0
killed cli-tool ptrace syscall ptrace 16 999999999

t "net-client: curl downloads from a loopback server"
mkdir -p "$TMP/www"
head -c 200000 /dev/urandom >"$TMP/www/blob.bin"
start_file_server "$TMP/www"
started=$?
srv_pid=$srv
if [ "$started" -ne 0 ]; then
	fail "the loopback server did not start: $(cat "$TMP/srv.log")"
else
	run "$TJ" -q --profile net-client -- curl -sS -o "$TMP/got.bin" "http://127.0.0.1:$port/blob.bin"
	expect_rc 0
	cmp -s "$TMP/got.bin" "$TMP/www/blob.bin" || fail "the download differs"
	run "$TJ" -q --profile net-client -- curl -sS -o /dev/null -w '%{http_code}' "http://localhost:$port/missing"
	expect_out_contains "404"
fi

t "net-client: no raw, packet or netlink sockets, no listening, no fork"
killed net-client socket syscall socket 16 3 0
killed net-client socket syscall socket 17 3 0
killed net-client socket syscall socket 2 3 1
killed net-client listen syscall 50 3 1
killed net-client clone fork getpid

t "build-job: make runs gcc on a small project"
cp -r "$DATA/hello" "$TMP/hello"
run "$TJ" -q --profile build-job -- make -C "$TMP/hello"
expect_rc 0
[ -x "$TMP/hello/hello" ] || fail "no program was built"
run "$TMP/hello/hello"
[ "$out" = 42 ] || fail "the program printed '$out'"
run "$TJ" -q --profile build-job -- make -C "$TMP/hello" clean
expect_rc 0

t "build-job: no namespaces, no mounts, no network"
killed build-job unshare syscall unshare 0x10000000
killed build-job mount syscall mount 0 0 0 0 0
expect_probe build-job 13 syscall socket 2 1 0

t "shell-script: sh and bash run a script with pipelines and jobs"
for sh in sh bash; do
	run "$TJ" -q --profile shell-script -- "$sh" "$DATA/script.sh"
	expect_rc 0
	[ "$out" = ok ] || fail "$sh printed '$out'"
done

t "shell-script: what the script runs is confined too"
run "$TJ" --profile shell-script -- sh -c "exec $PROBE syscall ptrace 16 999999999"
expect_rc 159
expect_err_contains "killed by seccomp: ptrace("
# A child killed for a syscall: the shell sees SIGKILL and goes on.
run "$TJ" --profile shell-script -- sh -c "$PROBE syscall bpf 0 0 0; echo after \$?"
expect_out_contains "after 137"
expect_err_contains "killed by seccomp: bpf("

# curl-download writes to /tmp/curl_downloads-UID (its working directory);
# the tests use a copy of the bundled profile that names a directory of
# their own instead (test_curl_download.sh tries --workdir and the default).
DLDIR=$TMP/curl_downloads
CURLDL=$TMP/curl-download.json
sed 's|/tmp/curl_downloads-${UID}|'"$DLDIR"'|g' "$POL/curl-download.json" >"$CURLDL"

# The loopback server is reached through the proxy as files.test (the
# profile's allowlist is extended on the command line; --resolve points the
# name at 127.0.0.1, which is thereby allowed).
NET="--net allow=files.test:$port --resolve files.test:127.0.0.1"
URL="http://files.test:$port"

t "curl-download: the bundled profile names /tmp/curl_downloads-UID and every layer it needs"
run "$TJ" check "$POL/curl-download.json"
expect_rc 0
expect_out_contains "/tmp/curl_downloads-0 limited to 50M (copied back at the end), not executable /tmp/curl_downloads-0"
expect_out_contains "working directory /tmp/curl_downloads-0"
expect_out_contains "privileges: applied: uid 65534"
expect_out_contains "TCP connect to 3128 (the proxy)"
expect_out_contains "namespaces: applied: mount (private), pid"
expect_out_contains "net (loopback only)"
expect_out_contains "network: applied: filtered"
grep -c "$DLDIR" "$CURLDL" | grep -q '^[1-9]' || fail "the test copy does not name $DLDIR"

t "curl-download: curl saves a file through the proxy, as root and as nobody"
if [ -z "$port" ]; then
	fail "no loopback server"
else
	# The download directory is made for the command's user (nobody).
	run "$TJ" -q --profile "$CURLDL" $NET -- curl -sS --proto =http,https -o "$DLDIR/a.bin" "$URL/blob.bin"
	expect_rc 0
	cmp -s "$DLDIR/a.bin" "$TMP/www/blob.bin" || fail "the download differs"
	[ "$(stat -c %U "$DLDIR")" = nobody ] || fail "the download directory belongs to $(stat -c %U "$DLDIR")"
	# nobody has no delegated cgroup here: the memory and CPU limits
	# refuse to run without one, unless told to degrade
	run_nobody "$TJ" -q --profile "$CURLDL" $NET -- curl -sS -o "$DLDIR/b.bin" "$URL/blob.bin"
	expect_rc 125
	expect_err_contains "cannot enforce memory 100M"
	run_nobody "$TJ" -q --allow-degraded memory,cpu --profile "$CURLDL" $NET -- \
		curl -sS -o "$DLDIR/b.bin" "$URL/blob.bin"
	expect_rc 0
	cmp -s "$DLDIR/b.bin" "$TMP/www/blob.bin" || fail "the download as nobody differs"
fi

t "curl-download: SEC-006 its own network namespace; the proxy is the only way out"
# Even with Landlock's permission for the port, a direct connection finds
# nothing: the host's loopback is not in the command's namespace.
run "$TJ" -q --profile "$CURLDL" $NET --tcp-connect "$port" -- curl -sS --noproxy '*' -o "$DLDIR/d.bin" \
	"http://127.0.0.1:$port/blob.bin"
expect_rc 7
[ -e "$DLDIR/d.bin" ] && fail "a direct download worked"
run "$TJ" -q --profile none -- curl -sS -o "$TMP/d.bin" "http://127.0.0.1:$port/blob.bin"
expect_rc 0

t "curl-download: NET-001 only allowlisted names (403, curl exits 56 for HTTPS, 22 for HTTP with -f)"
before=$(wc -l <"$TMP/requests.log")
run "$TJ" --profile "$CURLDL" $NET --resolve other.test:127.0.0.1 -- curl -sS -f -o "$DLDIR/e.bin" \
	"http://other.test:$port/blob.bin"
expect_rc 22
expect_err_contains "network refused: GET other.test port $port: 'other.test' is not in the allowlist (--net allow=other.test admits it) [allowlist]"
run "$TJ" -q --profile "$CURLDL" $NET -- curl -sS "https://example.net/"
expect_rc 56
[ "$(wc -l <"$TMP/requests.log")" = "$before" ] || fail "a refused request reached the server"

t "curl-download: NET-002, NET-006 only HTTP(S) on ports 80 and 443"
# files.test without its port: the profile's ports, 80 and 443, only.
run "$TJ" --profile "$CURLDL" --net allow=files.test --resolve files.test:127.0.0.1 -- curl -sS -f \
	-o "$DLDIR/c.bin" "$URL/blob.bin"
expect_rc 22
expect_err_contains "port $port is not allowed for 'files.test' (ports 80,443) [port]"
[ -e "$DLDIR/c.bin" ] && fail "a file was downloaded from port $port"
for p in 21 22 23 25; do
	run "$TJ" --profile "$CURLDL" --net allow=files.test --resolve files.test:127.0.0.1 -- curl -sS \
		"https://files.test:$p/"
	expect_rc 56
	expect_err_contains "[port]"
done
run "$TJ" --profile "$CURLDL" $NET -- curl -sS -o "$DLDIR/f.bin" "ftp://files.test:$port/blob.bin"
expect_err_contains "[protocol]"
run "$TJ" -q --profile none -- curl -sS -o "$TMP/c.bin" "http://127.0.0.1:$port/blob.bin"
expect_rc 0

t "curl-download: NET-003 each connection lives at most 30 s (here 1 s), then it is cut"
run "$TJ" check "$POL/curl-download.json"
expect_out_contains "lifetime 30s"
run "$TJ" --profile "$CURLDL" $NET --net-conn-timeout 1s -- curl -sS -o "$DLDIR/slow.bin" "$URL/slow/30"
[ "$rc" -ne 0 ] || fail "a 3-second transfer outlived a 1-second lifetime"
expect_err_contains "maximum lifetime of 1s (--net-conn-timeout) [connection-timeout]"

t "curl-download: NET-004 at most 3 connections at once"
run "$TJ" check "$POL/curl-download.json"
expect_out_contains "at most 3 connections at once"
# curl's own parallel transfers (the profile allows no fork): four at once.
run "$TJ" -q --profile "$CURLDL" $NET -- curl -s -Z --parallel-immediate --parallel-max 4 -w '%{http_code}\n' \
	-o /dev/null -o /dev/null -o /dev/null -o /dev/null \
	"$URL/hold/2" "$URL/hold/2" "$URL/hold/2" "$URL/hold/2"
[ "$(printf '%s\n' "$out" | grep -c '^200$')" = 3 ] || fail "expected three 200s: $out"
[ "$(printf '%s\n' "$out" | grep -c '^503$')" = 1 ] || fail "expected one 503: $out"

t "curl-download: NET-005 private and other special addresses are refused before any connection"
# In a namespace of its own with nothing in it: had the proxy connected, it
# would have found no route (502); the policy answers 403 first.
for a in 10.0.0.5 172.16.0.5 192.168.0.5 169.254.169.254; do
	run unshare --net "$TJ" --profile "$CURLDL" --net allow="$a" -- curl -sS -f "http://$a/"
	expect_rc 22
	expect_err_contains "[address]"
done
expect_err_contains "169.254.169.254: link-local (169.254.0.0/16)"
run unshare --net "$TJ" --profile "$CURLDL" --net allow=10.0.0.5 -- curl -sS -f "http://10.0.0.5/"
expect_err_contains "10.0.0.5: private (10.0.0.0/8)"

t "curl-download: FS-001 writes only to the download directory; FS-005 at most 50 MB there"
run "$TJ" -q --profile "$CURLDL" $NET -- curl -sS -o "$TMP/outside.bin" "$URL/blob.bin"
expect_rc 23
[ -e "$TMP/outside.bin" ] && fail "curl wrote outside the download directory"
run "$TJ" -q --profile "$CURLDL" $NET -- curl -sS -o "/var/tmp/tj-curl-$$.bin" "$URL/blob.bin"
[ "$rc" -ne 0 ] || fail "curl wrote to /var/tmp"
rm -f "/var/tmp/tj-curl-$$.bin"
# Six files of 9 MB (each under FS-003's 10 MB): the sixth does not fit.
run "$TJ" -q --profile "$CURLDL" -- "$PROBE" write "$DLDIR/f1" 9000000
expect_rc 0
for i in 2 3 4 5; do head -c 9000000 /dev/zero >"$DLDIR/f$i"; done
run "$TJ" -q --profile "$CURLDL" -- "$PROBE" write "$DLDIR/f6" 9000000
expect_rc 28
total=$(du -sb "$DLDIR" | cut -f1)
[ "$total" -le 52428800 ] || fail "the download directory holds $total bytes"
rm -f "$DLDIR"/f?

t "curl-download: FS-002, FS-006 no reads beyond what curl needs; FS-004 no exec of downloads"
run "$TJ" -q --profile "$CURLDL" -- curl -sS file:///etc/passwd
expect_rc 37
run "$TJ" -q --profile "$CURLDL" -- curl -sS file:///usr/bin/env -o /dev/null
expect_rc 37
run "$TJ" -q --profile none -- curl -sS file:///etc/passwd
expect_rc 0
cp "$PROBE" "$DLDIR/payload"
run "$TJ" -q --profile "$CURLDL" -- "$DLDIR/payload" exit 0
expect_rc 126
run "$TJ" -q --profile none -- "$DLDIR/payload" exit 0
expect_rc 0
rm -f "$DLDIR/payload"

t "curl-download: SEC-001 nobody without capabilities; SEC-002 no secrets in the environment"
run "$TJ" -q --profile "$CURLDL" -- "$PROBE" syscall geteuid
expect_out_contains "= 65534"
run env GITHUB_TOKEN=ghp_x DB_PASSWORD=p "$TJ" -q --profile "$CURLDL" -- "$PROBE" env GITHUB_TOKEN
expect_rc 1
run env GITHUB_TOKEN=ghp_x "$TJ" -q --profile none --env-all -- "$PROBE" env GITHUB_TOKEN
expect_rc 1
run env TJ_PLAIN=x "$TJ" -q --profile none --env-all -- "$PROBE" env TJ_PLAIN
expect_rc 0

t "curl-download: MEM-002 no fork (threads are fine) and no exec but curl's own"
killed "$CURLDL" clone fork getpid
expect_probe "$CURLDL" 0 thread getpid
expect_probe "$CURLDL" 38 syscall clone3 0 0
run "$TJ" -q --profile "$CURLDL" -- sh -c 'exec /bin/ls /'
expect_rc 126
run "$TJ" -q --profile none -- sh -c 'exec /bin/ls /'
expect_rc 0

t "curl-download: MEM-005 no writable+executable or anonymous executable memory"
killed "$CURLDL" mmap syscall 9 0 4096 7 0x22 -1 0
killed "$CURLDL" mmap syscall 9 0 4096 5 0x22 -1 0
killed "$CURLDL" mprotect syscall 10 0 4096 5
expect_probe "$CURLDL" 0 syscall 9 0 4096 3 0x22 -1 0

t "curl-download: SEC-003 no netlink, packet or raw sockets, no interface ioctls"
killed "$CURLDL" socket syscall socket 16 3 0
killed "$CURLDL" socket syscall socket 17 3 0
# SIOCSIFFLAGS on stdin: ENOTTY or EFAULT without the profile
killed "$CURLDL" ioctl syscall 16 0 0x8914 0

t "curl-download: SEC-004 only SIGTERM and SIGINT"
killed "$CURLDL" kill syscall 62 999999999 9
expect_probe "$CURLDL" 3 syscall 62 999999999 15
expect_probe "$CURLDL" 3 syscall 62 999999999 2
# The kernel reads the signal as an int: high bits change nothing.
killed "$CURLDL" kill syscall 62 999999999 0x100000009
expect_probe "$CURLDL" 3 syscall 62 999999999 0x10000000f

t "curl-download: MEM-001, MEM-003, MEM-004, MEM-006 and FS-003 from the profile's limits"
run "$TJ" check "$POL/curl-download.json"
expect_rc 0
expect_out_contains "cgroup: applied: memory 100M (no swap)"
expect_out_contains "cgroup: applied: cpu 50% of one CPU"
expect_out_contains "timeout 120s"
expect_out_contains "rlimit: applied: RLIMIT_STACK soft 8388608 hard 8388608"
expect_out_contains "rlimit: applied: RLIMIT_FSIZE soft 10485760 hard 10485760"
# FS-003 for real: the write past 10 MiB gets SIGXFSZ (128 + 25), and the
# file that reaches the host stops at the limit.
# It lands as big.partial: never under the name it would pass for whole with.
expect_probe "$CURLDL" 153 write "$DLDIR/big" 11000000
[ -e "$DLDIR/big" ] && fail "the cut-short file landed under its own name"
[ "$(stat -c %s "$DLDIR/big.partial")" -eq 10485760 ] || fail "the file grew past 10 MiB"
rm -f "$DLDIR/big" "$DLDIR/big.partial"
mkdir -p "$TMP/downloads"
expect_probe none 0 write "$TMP/downloads/big2" 11000000

t "curl-download: SEC-005 no module loading, no kernel memory; limits stay as set"
killed "$CURLDL" init_module syscall 175 0 0 0
killed "$CURLDL" finit_module syscall 313 0 0 0
killed "$CURLDL" prlimit64 syscall 302 0 7 1 0
expect_probe "$CURLDL" 0 syscall 302 0 7 0 0
run "$TJ" -q --profile "$CURLDL" -- curl -sS file:///proc/kcore -o /dev/null
expect_rc 37

finish
