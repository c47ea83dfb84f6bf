# SPDX-License-Identifier: Apache-2.0
# curl-download as a person uses it (issue 17, "curl-download ergonomics"):
# the per-user download directory is curl's working directory (curl -O),
# --workdir moves it, copy-back counts only what is new, the 10 MB limit
# is named and its cut-short file flagged, every layer a user lacks is named
# at once, failures past the proxy are shown, a refused loopback name says
# which flag admits it, and an upstream (corporate) proxy can be named.
# Real curl against loopback servers only: the file server, a stand-in
# upstream proxy (tests/helpers/upstream_proxy.py) and, for name lookups,
# a network namespace this test makes, with nothing in it.
# Its cases use root's and nobody's default download directories, which its
# copy on the other build uses too: in a parallel run (run.sh -j) this file
# runs alone (CI, session 5: one copy's rm was undone by the other's
# copy-back, the product bug its "changed or removed on the host" case
# now tests).
# run.sh: alone
. "$ROOT/tests/integration/lib.sh"

POL="$ROOT/policies"
srv_pid="" up_pid=""
trap 'for p in $srv_pid $up_pid; do kill "$p" 2>/dev/null; done; rm -rf "$TMP"' EXIT

mkdir -p "$TMP/www"
name="cd-$$.bin"
head -c 200000 /dev/urandom >"$TMP/www/$name"
head -c 12000000 /dev/zero >"$TMP/www/big.bin"
start_file_server "$TMP/www"
started=$?
srv_pid=$srv
NET="--net allow=files.test:$port --resolve files.test:127.0.0.1"
URL="http://files.test:$port"
# The default directories of root and nobody (uid 65534).
ROOTDL=/tmp/curl_downloads-0
NOBODYDL=/tmp/curl_downloads-65534
trap 'for p in $srv_pid $up_pid; do kill "$p" 2>/dev/null; done; rm -f "$ROOTDL/$name" "$NOBODYDL/$name"; rm -rf "$TMP"' EXIT

if [ "$started" -ne 0 ]; then
	t "the loopback file server starts"
	fail "it did not: $(cat "$TMP/srv.log")"
	finish
	exit
fi

t "curl -O saves into the per-user download directory, which is its working directory"
# Started from a directory the view does not let it write (before: curl (23)).
run_in "$TMP" "$TJ" -q --profile curl-download $NET -- curl -sS -O "$URL/$name"
expect_rc 0
cmp -s "$ROOTDL/$name" "$TMP/www/$name" || fail "not in $ROOTDL"
[ -e "$TMP/$name" ] && fail "it landed in the caller's directory"
run "$TJ" check curl-download
expect_out_contains "working directory /tmp/curl_downloads-0"

t "each user has a download directory of their own (nobody's is not root's)"
rm -f "$NOBODYDL/$name"
run_nobody sh -c 'cd /tmp && exec "$@"' sh "$TJ" -q --allow-degraded memory,cpu --profile curl-download $NET -- \
	curl -sS -O "$URL/$name"
expect_rc 0
cmp -s "$NOBODYDL/$name" "$TMP/www/$name" || fail "not in $NOBODYDL"
[ "$(stat -c %u "$NOBODYDL")" = 65534 ] || fail "$NOBODYDL belongs to uid $(stat -c %u "$NOBODYDL")"

t "--workdir DIR moves the download directory (and its limits) to DIR"
rm -f "$ROOTDL/$name"
run "$TJ" -q --profile curl-download --workdir "$TMP/mine" $NET -- curl -sS -O "$URL/$name"
expect_rc 0
cmp -s "$TMP/mine/$name" "$TMP/www/$name" || fail "not in --workdir"
[ -e "$ROOTDL/$name" ] && fail "it went to the default directory as well"
run "$TJ" -v --profile curl-download --workdir "$TMP/mine" $NET -- curl -sS -o /dev/null "$URL/$name"
expect_err_contains "$TMP/mine limited to 50M (copied back at the end), not executable $TMP/mine"
# Without a profile that makes it anything, it is only where the command starts.
run "$TJ" -q --workdir "$TMP/www" -- pwd
expect_rc 0
expect_out_is "$TMP/www"
run "$TJ" -q --workdir "$TMP/none-$$" -- pwd
expect_rc 125
expect_err_contains "working directory"

t "copy-back counts only the files the command made or changed"
mkdir -p "$TMP/seeded"
for f in a b c; do echo "$f" >"$TMP/seeded/$f.txt"; done
chown -R nobody "$TMP/seeded"
before=$(stat -c %Y.%i "$TMP/seeded/a.txt")
run "$TJ" --profile curl-download --workdir "$TMP/seeded" $NET -- curl -sS -O "$URL/$name"
expect_rc 0
expect_err_contains "$TMP/seeded: 1 new or changed file, 200000 bytes copied back (3 unchanged)"
[ "$(stat -c %Y.%i "$TMP/seeded/a.txt")" = "$before" ] || fail "an unchanged file was written again"
# A file the command changed is copied back, and counted.
run "$TJ" --user nobody --workdir "$TMP/seeded" --rw-limit "$TMP/seeded=1M" -- sh -c 'echo changed > b.txt'
expect_rc 0
expect_err_contains "1 new or changed file, 8 bytes copied back (3 unchanged)"
[ "$(cat "$TMP/seeded/b.txt")" = changed ] || fail "the change did not come back"

t "a file changed or removed on the host during a run is not overwritten by the run's untouched copy"
# Two runs in one download directory, or the user meanwhile: what the run
# was seeded with and left alone must not come back over a newer change
# (the CI of session 5: a parallel copy of this file restored a download
# this one had removed).  The command waits on a fifo until the host side
# has changed, so that the change is certainly after the seeding.
mkdir -p "$TMP/shared"
echo old >"$TMP/shared/kept.txt"
echo old >"$TMP/shared/removed.txt"
echo old >"$TMP/shared/mine.txt"
mkfifo "$TMP/go"
"$TJ" -q --rw-limit "$TMP/shared=1M" --ro / --ro "$TMP/go" -- \
	sh -c "cd '$TMP/shared' && echo ready && read x <'$TMP/go' && echo command >mine.txt" >"$TMP/shared.out" 2>&1 &
tj=$!
for _ in $(seq 200); do grep -q ready "$TMP/shared.out" 2>/dev/null && break; sleep 0.05; done
grep -q ready "$TMP/shared.out" || fail "the command did not start: $(cat "$TMP/shared.out")"
echo host >"$TMP/shared/kept.txt"
rm "$TMP/shared/removed.txt"
echo go >"$TMP/go"
wait "$tj"
rc=$?
[ "$rc" -eq 0 ] || fail "exit $rc: $(cat "$TMP/shared.out")"
[ "$(cat "$TMP/shared/kept.txt")" = host ] || fail "the host's change was overwritten by the run's old copy"
[ ! -e "$TMP/shared/removed.txt" ] || fail "a file removed on the host came back"
[ "$(cat "$TMP/shared/mine.txt")" = command ] || fail "the command's own change did not come back"

t "the 10 MB limit is named, and the cut-short file lands as NAME.partial"
run "$TJ" --profile curl-download --workdir "$TMP/big" $NET -- curl -sS -O "$URL/big.bin"
expect_rc 153
expect_err_contains "file size limit of 10M"
expect_err_contains "RLIMIT_FSIZE"
expect_err_contains "saved as 'big.bin.partial'"
[ -e "$TMP/big/big.bin" ] && fail "the cut-short file passes for the download"
[ "$(stat -c %s "$TMP/big/big.bin.partial" 2>/dev/null)" = 10485760 ] || fail "no 10 MiB big.bin.partial"
# A later run leaves the flagged file as it is (it is not cut short again).
run "$TJ" -q --profile curl-download --workdir "$TMP/big" $NET -- curl -sS -o /dev/null "$URL/$name"
expect_rc 0
ls "$TMP/big" | grep -q 'partial[.]partial' && fail "the kept file was flagged again: $(ls "$TMP/big")"
[ "$(stat -c %s "$TMP/big/big.bin.partial" 2>/dev/null)" = 10485760 ] || fail "big.bin.partial is gone"

t "as a user, every layer it cannot apply is named at once, with one --allow-degraded list"
run_nobody sh -c 'cd /tmp && exec "$@"' sh "$TJ" --profile curl-download $NET -- curl -sS -O "$URL/$name"
if [ "$rc" -eq 0 ]; then
	skip "nobody has a delegated cgroup here: nothing is degraded"
else
	expect_rc 125
	expect_err_contains "cannot enforce memory 100M"
	expect_err_contains "nor cpu 50%"
	expect_err_contains "--allow-degraded memory,cpu"
fi
# Across layers too: the cgroup and the --net host rules (BPF needs root).
run_nobody "$TJ" --memory 10M --net host --net-ports 80 -- true
expect_rc 125
expect_err_contains "and the net-rules layer"
expect_err_contains "--allow-degraded memory,net-rules runs without all of them"

t "a server the proxy cannot reach is shown on stderr and in --log"
dead=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
run "$TJ" --profile curl-download --workdir "$TMP/dead" --log "$TMP/dead.log" \
	--net allow=dead.test:"$dead" --resolve dead.test:127.0.0.1 -- curl -sS -O "http://dead.test:$dead/x"
[ "$rc" -ne 0 ] || fail "curl succeeded"
expect_err_contains "network request failed (allowed, but not reached): GET dead.test port $dead"
expect_err_contains "cannot connect to 'dead.test' port $dead (127.0.0.1): Connection refused"
grep -q '"action":"failed"' "$TMP/dead.log" || fail "--log has no failed request"
grep -q 'Connection refused' "$TMP/dead.log" || fail "--log lacks the reason"
# Not a violation: --fail-on-violation leaves curl's own status.
run "$TJ" -q --fail-on-violation --profile curl-download --workdir "$TMP/dead" \
	--net allow=dead.test:"$dead" --resolve dead.test:127.0.0.1 -- curl -sS -o /dev/null "http://dead.test:$dead/x"
expect_rc 18

t "a name that cannot be resolved is shown (in an empty network namespace)"
if ! unshare --net true 2>/dev/null; then
	skip "cannot make a network namespace"
else
	# No interface is up there: the lookup fails and nothing leaves.
	run unshare --net "$TJ" --profile curl-download --workdir "$TMP/dns" --log "$TMP/dns.log" \
		--net allow=nowhere.test -- curl -sS -o /dev/null "http://nowhere.test/"
	[ "$rc" -ne 0 ] || fail "curl succeeded"
	expect_err_contains "network request failed (allowed, but not reached): GET nowhere.test port 80"
	expect_err_contains "cannot resolve 'nowhere.test'"
	grep -q "cannot resolve 'nowhere.test'" "$TMP/dns.log" || fail "--log lacks it"
fi

t "an allowlisted loopback address that is refused names the flag that admits it"
run "$TJ" --profile curl-download --workdir "$TMP/lo" --net allow=127.0.0.1:"$port" -- \
	curl -sS -f -o /dev/null "http://127.0.0.1:$port/$name"
[ "$rc" -ne 0 ] || fail "loopback was reached without being admitted"
expect_err_contains "127.0.0.1: loopback (127.0.0.0/8) (--net-allow-cidr 127.0.0.1/32 admits it)"
# ...and that flag does admit it.
run "$TJ" -q --profile curl-download --workdir "$TMP/lo" --net allow=127.0.0.1:"$port" \
	--net-allow-cidr 127.0.0.1/32 -- curl -sS -f -O "http://127.0.0.1:$port/$name"
expect_rc 0
cmp -s "$TMP/lo/$name" "$TMP/www/$name" || fail "the admitted download differs"
run "$TJ" --profile curl-download --workdir "$TMP/lo" $NET -- curl -sS -f -o /dev/null "http://other.test:$port/x"
expect_err_contains "'other.test' is not in the allowlist (--net allow=other.test admits it)"

t "an upstream (corporate) HTTP proxy can be named: plain requests and CONNECT go through it"
/usr/bin/python3 "$ROOT/tests/helpers/upstream_proxy.py" --log "$TMP/up.log" --map files.test=127.0.0.1 \
	--deny blocked.test >"$TMP/up.out" 2>&1 &
up_pid=$!
up=""
for _ in $(seq 1 100); do
	up=$(sed -n 's/^port \([0-9]*\)$/\1/p' "$TMP/up.out")
	[ -n "$up" ] && break
	sleep 0.1
done
if [ -z "$up" ]; then
	fail "the upstream proxy did not start: $(cat "$TMP/up.out")"
else
	# No --resolve: the upstream proxy resolves files.test (to 127.0.0.1).
	UPNET="--net allow=files.test:$port,blocked.test:$port --net-upstream-proxy 127.0.0.1:$up"
	run "$TJ" -q --profile curl-download --workdir "$TMP/up" $UPNET -- curl -sS -O "$URL/$name"
	expect_rc 0
	cmp -s "$TMP/up/$name" "$TMP/www/$name" || fail "the download through the upstream differs"
	expect_file_contains "$TMP/up.log" "GET http://files.test:$port/$name HTTP/1.1"
	# A tunnel (what HTTPS uses): CONNECT goes on to the upstream.
	run "$TJ" -q --profile curl-download --workdir "$TMP/up" $UPNET -- curl -sS -p -o t.bin "$URL/$name"
	expect_rc 0
	cmp -s "$TMP/up/t.bin" "$TMP/www/$name" || fail "the tunnelled download differs"
	expect_file_contains "$TMP/up.log" "CONNECT files.test:$port HTTP/1.1"
	# tinyjail's rules still come first: a name outside the allowlist
	# never reaches the upstream.
	run "$TJ" -q --profile curl-download --workdir "$TMP/up" $UPNET -- curl -sS -f -o /dev/null \
		"http://elsewhere.test:$port/x"
	[ "$rc" -ne 0 ] || fail "a name outside the allowlist went through"
	grep -q elsewhere.test "$TMP/up.log" && fail "the upstream saw a refused name"
	# The upstream's own refusal reaches curl.
	run "$TJ" -q --profile curl-download --workdir "$TMP/up" $UPNET -- curl -sS -f -o /dev/null \
		"http://blocked.test:$port/x"
	expect_rc 22
	run "$TJ" -v --profile curl-download --workdir "$TMP/up" $UPNET -- curl -sS -o /dev/null "$URL/$name"
	expect_err_contains "through the upstream proxy 127.0.0.1:$up"
	# An unreachable upstream is named as such.
	run "$TJ" --profile curl-download --workdir "$TMP/up" --net allow=files.test:$port \
		--net-upstream-proxy 127.0.0.1:"$dead" -- curl -sS -o /dev/null "$URL/$name"
	expect_err_contains "cannot connect to the upstream proxy '127.0.0.1' port $dead"
	run "$TJ" --net allow=files.test --net-upstream-proxy nope -- true
	expect_rc 125
	expect_err_contains "expected HOST:PORT"
	run "$TJ" --net-upstream-proxy 127.0.0.1:3128 -- true
	expect_rc 125
	expect_err_contains "use it with --net allow="
fi

finish
