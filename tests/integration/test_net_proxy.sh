#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Filtered network mode (--net allow=..., notes/network.md): real curl and
# wget in a sandbox whose only way out is tinyjail's proxy.
#
# NETWORK SAFETY: every server lives on 127.0.0.1 in the host's namespace, or
# on 10.231.77.2 in a network namespace this file creates (a veth pair whose
# other end, 10.231.77.1, exists only for it) and removes.  Names reach them
# only through --resolve or /etc/hosts' localhost; nothing depends on DNS.  A
# refused request is refused before the proxy connects anywhere, and each
# such case checks that its server saw nothing.
. "$(dirname "$0")/lib.sh"

SERVER="$ROOT/tests/integration/data/net/server.py"
VALIDATE="/usr/bin/python3 $ROOT/tests/helpers/validate_events.py $ROOT/notes/events.schema.json"
NS=tjpx$$
VETH_H=tjh$$
VETH_N=tjn$$
pids=""
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null; done
	ip netns del "$NS" 2>/dev/null
	ip link del "$VETH_H" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT

# start_server NAME ARGS...: server.py in the background; sets $port.
start_server() {
	_name=$1
	shift
	"$@" >"$TMP/$_name.out" 2>&1 &
	pids="$pids $!"
	port=""
	for _ in $(seq 1 100); do
		port=$(sed -n 's/^port \([0-9]*\)$/\1/p' "$TMP/$_name.out")
		[ -n "$port" ] && return 0
		sleep 0.05
	done
	echo "     server $_name did not start: $(cat "$TMP/$_name.out")"
	return 1
}

# requests LOG: how many requests a server has seen.
requests() {
	if [ -s "$1" ]; then wc -l <"$1" | tr -d ' '; else echo 0; fi
}

mkdir -p "$TMP/www" "$TMP/got"
chmod 777 "$TMP/got"
echo hello-world >"$TMP/www/f.txt"
head -c 300000 /dev/urandom >"$TMP/www/blob.bin"

# A throw-away CA and a certificate for the names the tests use.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 -subj "/CN=tinyjail test CA" \
	-keyout "$TMP/ca.key" -out "$TMP/ca.pem" >/dev/null 2>&1
openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj "/CN=files.test" \
	-keyout "$TMP/srv.key" -out "$TMP/srv.csr" >/dev/null 2>&1
printf 'subjectAltName=DNS:files.test,DNS:evil.test\n' >"$TMP/ext.cnf"
openssl x509 -req -in "$TMP/srv.csr" -CA "$TMP/ca.pem" -CAkey "$TMP/ca.key" -CAcreateserial -days 1 \
	-extfile "$TMP/ext.cnf" -out "$TMP/srv.pem" >/dev/null 2>&1
chmod 644 "$TMP"/*.pem "$TMP"/*.key

start_server http /usr/bin/python3 "$SERVER" --bind 127.0.0.1 --dir "$TMP/www" --log "$TMP/http.log"
HP=$port
start_server https /usr/bin/python3 "$SERVER" --bind 127.0.0.1 --dir "$TMP/www" --log "$TMP/https.log" \
	--cert "$TMP/srv.pem" --key "$TMP/srv.key"
SP=$port
[ -n "$HP" ] && [ -n "$SP" ] && [ -s "$TMP/ca.pem" ] || { t "servers"; fail "the test servers did not start"; finish; exit 1; }

# The usual sandbox: files.test is the allowed name, on the test ports.
ALLOW="--net allow=files.test:$HP,files.test:$SP --resolve files.test:127.0.0.1"

t "allowed name: curl over HTTP, and HTTPS through CONNECT, reaches the loopback server"
run "$TJ" -q --profile none $ALLOW -- curl -fsS "http://files.test:$HP/f.txt"
expect_rc 0
expect_out_is hello-world
run "$TJ" -q --profile none $ALLOW -- curl -fsS --cacert "$TMP/ca.pem" -o "$TMP/got/c.bin" "https://files.test:$SP/blob.bin"
expect_rc 0
cmp -s "$TMP/www/blob.bin" "$TMP/got/c.bin" || fail "the HTTPS download differs"
expect_file_contains "$TMP/http.log" "GET /f.txt"
expect_file_contains "$TMP/https.log" "GET /blob.bin"
# The proxy's own view: the same server through it with -v names it.
run "$TJ" -v --profile none $ALLOW -- true
expect_err_contains "network: applied: filtered: its own network namespace; out only through tinyjail's proxy at http://127.0.0.1:3128"

t "the relay moves bodies and tunnels with splice(2), byte for byte (strace)"
if ! command -v strace >/dev/null 2>&1; then
	skip "strace is not installed"
else
	head -c 3000000 /dev/urandom >"$TMP/www/big.bin"
	# LeakSanitizer cannot run under ptrace (the sanitised build).
	lsan="ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
	run env "$lsan" strace -f -qq -e trace=splice -o "$TMP/splice.trace" "$TJ" -q --profile none $ALLOW -- \
		curl -fsS -o "$TMP/got/big-http.bin" "http://files.test:$HP/big.bin"
	expect_rc 0
	cmp -s "$TMP/www/big.bin" "$TMP/got/big-http.bin" || fail "the HTTP download through the pipe differs"
	grep -q '^[0-9]* *splice(' "$TMP/splice.trace" || fail "no splice(2) in the HTTP relay"
	run env "$lsan" strace -f -qq -e trace=splice -o "$TMP/splice2.trace" "$TJ" -q --profile none $ALLOW -- \
		curl -fsS --cacert "$TMP/ca.pem" -o "$TMP/got/big-https.bin" "https://files.test:$SP/big.bin"
	expect_rc 0
	cmp -s "$TMP/www/big.bin" "$TMP/got/big-https.bin" || fail "the HTTPS download through the tunnel differs"
	grep -q '^[0-9]* *splice(' "$TMP/splice2.trace" || fail "no splice(2) in the tunnel"
fi

t "keep-alive: curl's second request on one connection, each judged on its own; a server's close retried (issue 19)"
# num_connects: 1 for a new connection to the proxy, 0 for a reused one.
run "$TJ" -q --profile none $ALLOW -- curl -fsS -w '%{num_connects}\n' -o /dev/null "http://files.test:$HP/f.txt" \
	-o "$TMP/got/ka.bin" "http://files.test:$HP/blob.bin"
expect_rc 0
expect_out_is "$(printf '1\n0')"
cmp -s "$TMP/www/blob.bin" "$TMP/got/ka.bin" || fail "the second download on the kept connection differs"
# The server closes the kept connection as the second request arrives (its
# keep-alive timeout): curl sees its own kept connection closed without an
# answer, as it would without the proxy, and retries on a new one (a 502
# would have been final: exit 22).
if start_server idle /usr/bin/python3 "$SERVER" --bind 127.0.0.1 --dir "$TMP/www" --log "$TMP/idle-http.log" --answers 1; then
	IP=$port
	run "$TJ" -q --profile none --net "allow=files.test:$IP" --resolve files.test:127.0.0.1 -- \
		curl -fsS -w '%{num_connects}\n' -o /dev/null "http://files.test:$IP/f.txt" \
		-o "$TMP/got/ka-retry.bin" "http://files.test:$IP/blob.bin"
	expect_rc 0
	expect_out_is "$(printf '1\n1')"
	cmp -s "$TMP/www/blob.bin" "$TMP/got/ka-retry.bin" || fail "the retried download differs"
	[ "$(grep -c 'GET /blob.bin' "$TMP/idle-http.log")" = 2 ] || fail "the server did not see the request and its retry"
else
	fail "the server did not start"
fi
# A pipelined second request to a name the rules deny: 403, never forwarded.
before=$(requests "$TMP/http.log")
cat >"$TMP/pipeline.py" <<'PY'
import os, re, socket, sys
port = int(os.environ["http_proxy"].rsplit(":", 1)[1])
s = socket.create_connection(("127.0.0.1", port))
s.sendall(("GET http://files.test:%s/f.txt HTTP/1.1\r\nHost: files.test\r\n\r\n"
           "GET http://evil.test:%s/f.txt HTTP/1.1\r\nHost: files.test\r\n\r\n" % (sys.argv[1], sys.argv[1])).encode())
got = b""
while True:
    b = s.recv(65536)
    if not b:
        break
    got += b
for status in re.findall(rb"HTTP/1\.1 [0-9]{3} [^\r]*", got):
    print(status.decode())
PY
run "$TJ" -q --profile none $ALLOW -- /usr/bin/python3 "$TMP/pipeline.py" "$HP"
expect_rc 0
expect_out_is "$(printf 'HTTP/1.1 200 OK\nHTTP/1.1 403 Forbidden')"
[ "$(requests "$TMP/http.log")" = "$((before + 1))" ] || fail "the server saw other than the one allowed request"
! grep -q evil "$TMP/http.log" || fail "a denied request reached the server"

t "allowed name: wget too (HTTP and HTTPS)"
run "$TJ" -q --profile none $ALLOW -- wget -q -O "$TMP/got/w.bin" "http://files.test:$HP/blob.bin"
expect_rc 0
cmp -s "$TMP/www/blob.bin" "$TMP/got/w.bin" || fail "the wget HTTP download differs"
run "$TJ" -q --profile none $ALLOW -- wget -q -O - --ca-certificate="$TMP/ca.pem" "https://files.test:$SP/f.txt"
expect_rc 0
expect_out_is hello-world

t "a chunked body whose trailer is not a header field, or carries framing, is refused (issue 16 item 18)"
# The command speaks to the proxy itself: a POST whose chunked body ends with
# the trailer given in $1; it prints the proxy's status line.
cat >"$TMP/trailer.py" <<'PY'
import os, socket, sys
port = int(os.environ["http_proxy"].rsplit(":", 1)[1])
s = socket.create_connection(("127.0.0.1", port))
url = "http://files.test:%s/f.txt" % sys.argv[2]
s.sendall(("POST %s HTTP/1.1\r\nHost: files.test:%s\r\nTransfer-Encoding: chunked\r\n\r\n"
           "5\r\nhello\r\n0\r\n%s\r\n\r\n" % (url, sys.argv[2], sys.argv[1])).encode("latin-1"))
print((s.recv(200).split(b"\r\n")[0] or b"closed").decode())
PY
for trailer in 'Content-Length: 0' 'X-A: 1\r\n folded' 'no colon' 'Transfer-Encoding: chunked'; do
	bad=$(printf '%b' "$trailer")
	run "$TJ" -q --profile none $ALLOW -- /usr/bin/python3 "$TMP/trailer.py" "$bad" "$HP"
	expect_out_contains " 400 "
done
# The control: a well-formed trailer passes (the server answers the POST).
run "$TJ" -q --profile none $ALLOW -- /usr/bin/python3 "$TMP/trailer.py" "X-Checksum: 1234" "$HP"
expect_out_lacks " 400 "
expect_out_contains "HTTP/1."

t "the command's environment names the proxy; no_proxy cannot route around it"
run env NO_PROXY=files.test no_proxy='*' ftp_proxy=http://elsewhere:1 "$TJ" -q --profile none --env-all $ALLOW -- env
expect_rc 0
for v in http_proxy https_proxy all_proxy HTTP_PROXY HTTPS_PROXY ALL_PROXY; do
	expect_out_contains "$v=http://127.0.0.1:3128"
done
expect_out_lacks "NO_PROXY"
expect_out_lacks "no_proxy"
expect_out_lacks "elsewhere"
# Even a client told to go direct has no route: only the proxy is there.
before=$(requests "$TMP/http.log")
run "$TJ" -q --profile none $ALLOW -- curl -sS --noproxy '*' "http://127.0.0.1:$HP/f.txt"
expect_rc 7
[ "$(requests "$TMP/http.log")" = "$before" ] || fail "a direct connection reached the server"

t "other names get 403: curl exits 56 (HTTPS), 22 (HTTP, -f) and 18 (HTTP), wget 4 and 8; nothing reaches a server"
before=$(requests "$TMP/http.log")
before_s=$(requests "$TMP/https.log")
run "$TJ" --profile none $ALLOW --resolve evil.test:127.0.0.1 -- curl -sS --cacert "$TMP/ca.pem" \
	"https://evil.test:$SP/f.txt"
expect_rc 56
expect_err_contains "CONNECT tunnel failed, response 403"
expect_err_contains "tinyjail: network refused: CONNECT evil.test port $SP: 'evil.test' is not in the allowlist (--net allow=evil.test admits it) [allowlist]"
expect_err_contains "tinyjail: network: 1 request refused, 0 connections cut"
run "$TJ" -q --profile none $ALLOW -- curl -sS -f -D "$TMP/h.txt" "http://evil.test:$HP/f.txt"
expect_rc 22
expect_file_contains "$TMP/h.txt" "X-Tinyjail-Refused: allowlist"
# Without -f curl fails too: the body the refusal announces never comes, so
# curl saves nothing (exit 18) instead of the proxy's text as the download.
run "$TJ" -q --profile none $ALLOW -- curl -sS -o "$TMP/refused.bin" "http://evil.test:$HP/f.txt"
expect_rc 18
[ ! -e "$TMP/refused.bin" ] || fail "curl saved the refusal as the download: $(cat "$TMP/refused.bin")"
run "$TJ" -q --profile none $ALLOW -- wget -q -O - --ca-certificate="$TMP/ca.pem" "https://evil.test:$SP/f.txt"
expect_rc 4
run "$TJ" -q --profile none $ALLOW -- wget -q -O - "http://evil.test:$HP/f.txt"
expect_rc 8
# A name below an allowed one is not allowed, nor one that merely ends alike.
run "$TJ" -q --profile none $ALLOW --resolve www.files.test:127.0.0.1 -- curl -sS -f "http://www.files.test:$HP/f.txt"
expect_rc 22
[ "$(requests "$TMP/http.log")" = "$before" ] || fail "a refused request reached the HTTP server"
[ "$(requests "$TMP/https.log")" = "$before_s" ] || fail "a refused request reached the HTTPS server"

t "ports 21, 22 and 25, and protocols other than HTTP, are refused (NET-002, NET-006)"
# files.test without a port: the default ports 80 and 443 only.
for p in 21 22 25; do
	run "$TJ" --profile none --net allow=files.test --resolve files.test:127.0.0.1 -- curl -sS \
		"https://files.test:$p/"
	expect_rc 56
	expect_err_contains "port $p is not allowed for 'files.test' (ports 80,443) [port]"
done
run "$TJ" --profile none --net allow=files.test --resolve files.test:127.0.0.1 -- curl -sS ftp://files.test/pub/x
expect_err_contains "'ftp://' URLs are not forwarded"
expect_err_contains "[protocol]"
run "$TJ" -q --profile none --net allow=files.test --resolve files.test:127.0.0.1 -- curl -sS telnet://files.test:23
expect_rc 56
# Anything but TCP to the proxy has no route at all.
run "$TJ" -q --profile none $ALLOW -- "$PROBE" tcp 127.0.0.1 "$HP"
expect_rc 111

t "a connection that outlives --net-conn-timeout is cut (NET-003), and one idle too long"
run "$TJ" --profile none $ALLOW --net-conn-timeout 1s --log "$TMP/cut.log" -- curl -sS -o /dev/null \
	"http://files.test:$HP/slow/40"
[ "$rc" -ne 0 ] || fail "the 4-second transfer succeeded"
expect_err_contains "tinyjail: network connection cut: GET files.test port $HP (127.0.0.1) after 1"
expect_err_contains "the connection reached its maximum lifetime of 1s (--net-conn-timeout) [connection-timeout]"
expect_err_contains "tinyjail: network: 0 requests refused, 1 connection cut"
# Not the wall time (under load the SAN build took 8 s to start and end):
# the cut's own age, "after 1s" above, says when it happened.
expect_file_contains "$TMP/cut.log" '"action":"cut"'
expect_file_contains "$TMP/cut.log" '"rule":"connection-timeout"'
# A tunnel is cut as well (TLS sees a reset, never a clean end).
run "$TJ" -q --profile none $ALLOW --net-conn-timeout 1s -- curl -sS --cacert "$TMP/ca.pem" -o /dev/null \
	"https://files.test:$SP/slow/40"
expect_rc 56
# Idle: a server that does not answer within the idle timeout; nothing was
# sent to the client yet, so it gets 504 rather than a reset.
run "$TJ" --profile none $ALLOW --net-idle-timeout 1s -- curl -sS -f "http://files.test:$HP/hold/3"
expect_rc 22
expect_err_contains "504"
expect_err_contains "no data either way for 1s (--net-idle-timeout) [idle-timeout]"

t "the profile's limits: 30 s per connection, 3 at once, ports 80 and 443 (tinyjail check, -v)"
run "$TJ" check "$ROOT/policies/curl-download.json"
expect_rc 0
expect_out_contains "network: applied: filtered:"
expect_out_contains "ports 80,443"
expect_out_contains "at most 3 connections at once; lifetime 30s; idle 5m"
expect_out_contains "allow deb.debian.org, security.debian.org, example.com, example.org"
expect_out_contains "TCP connect to 3128 (the proxy)"
expect_out_contains "net (loopback only)"
run "$TJ" -v --profile none --net allow=files.test --net-conn-timeout 45s --net-max-conns 2 -- true
expect_err_contains "at most 2 connections at once; lifetime 45s; idle 5m"

t "a 4th concurrent connection with --net-max-conns 3 gets 503 (NET-004); later ones work"
run "$TJ" --profile none $ALLOW --net-max-conns 3 --log "$TMP/max.log" -- sh -c "
	for i in 1 2 3; do curl -s -o /dev/null http://files.test:$HP/hold/2 & done
	sleep 1
	curl -sS -f -o /dev/null http://files.test:$HP/f.txt; echo fourth=\$?
	wait
	curl -sS -f http://files.test:$HP/f.txt; echo fifth=\$?"
expect_out_contains "fourth=22"
expect_out_contains "hello-world"
expect_out_contains "fifth=0"
expect_err_contains "at most 3 connections at once (--net-max-conns) [max-connections]"
expect_file_contains "$TMP/max.log" '"rule":"max-connections","status":503'

t "private ranges are refused after resolution, before any connection (NET-005)"
if ! command -v ip >/dev/null 2>&1 || [ "$(id -u)" -ne 0 ]; then
	skip "needs root and iproute2 for a test namespace"
elif ip route show match 10.231.77.2 2>/dev/null | grep -qv '^default'; then
	skip "10.231.77.0/30 is in use on this machine"
else
	ip netns add "$NS" && ip link add "$VETH_H" type veth peer name "$VETH_N" &&
		ip link set "$VETH_N" netns "$NS" && ip addr add 10.231.77.1/30 dev "$VETH_H" &&
		ip link set "$VETH_H" up && ip -n "$NS" addr add 10.231.77.2/30 dev "$VETH_N" &&
		ip -n "$NS" link set "$VETH_N" up && ip -n "$NS" link set lo up || fail "cannot make the test namespace"
	start_server private ip netns exec "$NS" /usr/bin/python3 "$SERVER" --bind 10.231.77.2 --port 8080 \
		--dir "$TMP/www" --log "$TMP/private.log"
	# An allowed literal address in 10/8: refused, and the server saw nothing.
	run "$TJ" --profile none --net allow=10.231.77.2:8080 --log "$TMP/private-ev.log" -- curl -sS -f \
		http://10.231.77.2:8080/f.txt
	expect_rc 22
	expect_err_contains "network refused: GET 10.231.77.2 port 8080 (10.231.77.2): 10.231.77.2: private (10.0.0.0/8) (--net-allow-cidr 10.231.77.2/32 admits it) [address]"
	expect_file_contains "$TMP/private-ev.log" '"rule":"address","status":403'
	[ "$(requests "$TMP/private.log")" = 0 ] || fail "the private server was contacted"
	# Explicitly allowed, the same request works: the refusal was the policy.
	run "$TJ" -q --profile none --net allow=10.231.77.2:8080 --net-allow-cidr 10.231.77.2 -- curl -fsS \
		http://10.231.77.2:8080/f.txt
	expect_rc 0
	expect_out_is hello-world
	# Without the proxy there is no route to it at all, TCP or UDP.
	run "$TJ" -q --profile none $ALLOW -- "$PROBE" tcp 10.231.77.2 8080
	expect_rc 101
	run "$TJ" -q --net none -- "$PROBE" udp 10.231.77.2 53
	expect_rc 101
fi
# A name that resolves to loopback (/etc/hosts' localhost, no DNS) is refused.
if grep -q '^127\.0\.0\.1[[:space:]].*localhost' /etc/hosts; then
	before=$(requests "$TMP/http.log")
	run "$TJ" --profile none --net allow=localhost:"$HP" -- curl -sS -f "http://localhost:$HP/f.txt"
	expect_rc 22
	expect_err_contains "'localhost' resolves to 127.0.0.1: loopback (127.0.0.0/8) (--resolve localhost:127.0.0.1 or --net-allow-cidr 127.0.0.1/32 admits it) [address]"
	[ "$(requests "$TMP/http.log")" = "$before" ] || fail "the loopback server was contacted"
	run "$TJ" -q --profile none --net allow=localhost:"$HP" --net-allow-cidr 127.0.0.1 -- curl -fsS \
		"http://localhost:$HP/f.txt"
	expect_out_is hello-world
else
	skip "/etc/hosts has no 127.0.0.1 localhost"
fi

t "--net none: the probe reaches nothing, over TCP or UDP"
run "$TJ" -q --net none -- "$PROBE" tcp 127.0.0.1 "$HP"
expect_rc 111
run "$TJ" -q --net none -- curl -sS "http://127.0.0.1:$HP/f.txt"
expect_rc 7
run "$TJ" -q --net none -- env
expect_out_lacks "127.0.0.1:3128"

t "the proxy answers bad requests with 400 and an event; it listens on [::1] too"
run "$TJ" --profile none $ALLOW -- /usr/bin/python3 -c '
import socket
s = socket.create_connection(("127.0.0.1", 3128))
s.sendall(b"GET /f.txt HTTP/1.1\r\nHost: files.test\r\n\r\n")
print(s.recv(4096).decode().split("\r\n")[0])'
expect_out_is "HTTP/1.1 400 Bad Request"
expect_err_contains "a proxy needs the whole URL"
expect_err_contains "[malformed-request]"
run "$TJ" -q --profile none $ALLOW -- curl -fsS -x 'http://[::1]:3128' "http://files.test:$HP/f.txt"
expect_out_is hello-world

t "fail closed: a proxy that cannot confine itself stops the run (125, the network layer)"
# An outer tinyjail takes away what the inner one's proxy needs: Landlock's
# enforcement, or seccomp(2).  The command must not start either way.  (The
# inner one is root without CAP_SYS_ADMIN: it keeps CAP_SETUID and
# CAP_SETFCAP so that it can make its namespaces in a user namespace, and
# hiding host sockets is allowed away, so that the proxy is what fails.)
cat >"$TMP/nolandlock.json" <<'EOF'
{"defaultAction": "SCMP_ACT_ALLOW",
 "syscalls": [{"names": ["landlock_restrict_self"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1}]}
EOF
run "$TJ" -q --profile "$TMP/nolandlock.json" --cap-keep setuid,setgid,setfcap -- "$TJ" --profile none --allow-degraded unix-sockets $ALLOW -- touch "$TMP/got/ran"
expect_rc 125
expect_err_contains "network layer: the proxy could not confine itself: cannot enforce the Landlock ruleset: Operation not permitted"
[ -e "$TMP/got/ran" ] && fail "the command ran without its proxy"
cat >"$TMP/noseccomp.json" <<'EOF'
{"defaultAction": "SCMP_ACT_ALLOW",
 "syscalls": [{"names": ["seccomp"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1}]}
EOF
run "$TJ" -q --profile "$TMP/noseccomp.json" --cap-keep setuid,setgid,setfcap -- "$TJ" --profile none --allow-degraded unix-sockets $ALLOW -- touch "$TMP/got/ran"
expect_rc 125
expect_err_contains "network layer: cannot compile the proxy's seccomp filter"
[ -e "$TMP/got/ran" ] && fail "the command ran without its proxy"

t "as nobody: filtered mode works in a user namespace"
run_nobody "$TJ" -q --profile none $ALLOW -- curl -fsS --cacert "$TMP/ca.pem" "https://files.test:$SP/f.txt"
expect_rc 0
expect_out_is hello-world
run_nobody "$TJ" -q --profile none $ALLOW -- curl -sS "https://evil.test:$SP/f.txt"
expect_rc 56

t "every --log of these runs validates against the event schema"
run "$TJ" --profile none $ALLOW --log "$TMP/mixed.log" -- sh -c "
	curl -s -o /dev/null http://files.test:$HP/f.txt
	curl -s -o /dev/null http://evil.test/
	curl -s -o /dev/null https://files.test:22/"
for f in "$TMP"/*.log; do
	case "$f" in *http.log | *https.log | *private.log) continue ;; esac
	run $VALIDATE "$f"
	expect_rc 0
done
expect_file_contains "$TMP/mixed.log" '"host":"evil.test","method":"GET","rule":"allowlist","status":403'
expect_file_contains "$TMP/mixed.log" '"host":"files.test","method":"CONNECT","rule":"port","status":403'

finish
