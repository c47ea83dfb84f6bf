#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# What the filtering proxy (--net allow=..., filtered mode) costs: the time
# of one request through it against the same request direct, the download
# rate through it (HTTP forwarding and HTTPS through CONNECT), many
# connections at once, and the start-up of a run.  Self-contained, root
# only; everything happens in a network namespace this script creates, with
# only its loopback (the servers are on 127.0.0.1 there; --resolve maps the
# one allowed name to it; nothing depends on DNS and nothing leaves).
# Usage: bench/net_proxy.sh [BUILD]
#   REQS     sequential requests per latency run (default 200)
#   RUNS     runs of each latency and parallel row, interleaved (default 5)
#   SIZE_MB  the download's size in MiB (default 256)
#   DL_RUNS  downloads per throughput row, interleaved (default 5)
#   PAR      parallel connections (default 50); PAR_REQS requests (default 500)
#   PROXY_OPTS  more tinyjail options for the proxied rows, e.g. --net-max-conns 200
#            (above the default of 64 connections at once, PAR needs it)
#   KEEP     a directory to keep curl's per-transfer lines in (default: none)
#   SECTIONS which parts to run, of: lat dl par bulk ka start (default: all)
#   BULK_RUNS   paired bulk downloads, direct then proxied (default 7), of BULK_MB MiB (default SIZE_MB)
#   KA_REQS  requests per keep-alive run (default 500), KA_RUNS runs (default 5)
#   TJ_B     a second tinyjail binary for the bulk rows (e.g. an older build): its
#            proxy is paired with the same direct downloads
set -u
cd "$(dirname "$0")/.." || exit 1
build=${1:-build}
TJ=$(pwd)/$build/tinyjail
SERVER=$(pwd)/tests/integration/data/net/server.py
PY=/usr/bin/python3
reqs=${REQS:-200}
runs=${RUNS:-5}
size_mb=${SIZE_MB:-256}
dl_runs=${DL_RUNS:-5}
par=${PAR:-50}
par_reqs=${PAR_REQS:-500}
keep=${KEEP:-}
proxy_opts=${PROXY_OPTS:-}
sections=${SECTIONS:-lat dl par bulk ka start}
bulk_runs=${BULK_RUNS:-7}
bulk_mb=${BULK_MB:-$size_mb}
ka_reqs=${KA_REQS:-500}
ka_runs=${KA_RUNS:-5}
TJ_B=${TJ_B:-}
want() { case " $sections " in *" $1 "*) return 0 ;; esac; return 1; }
[ -x "$TJ" ] || { echo "net_proxy: build $build first (make)" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || { echo "net_proxy: needs root (a network namespace)" >&2; exit 1; }
for t in curl openssl ip nsenter "$PY"; do
	command -v "$t" >/dev/null 2>&1 || { echo "net_proxy: needs $t" >&2; exit 1; }
done
# The direct rows must be direct: no proxy from the caller's environment.
unset http_proxy https_proxy all_proxy HTTP_PROXY HTTPS_PROXY ALL_PROXY no_proxy NO_PROXY

NS=tjpxbench-$$
TMP=$(mktemp -d /tmp/tjpxbench.XXXXXX) || exit 1
pids=""
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null; done
	ip netns del "$NS" 2>/dev/null
	[ -z "$keep" ] || { mkdir -p "$keep" && cp "$TMP"/out/* "$TMP/errors" "$keep"/ 2>/dev/null; }
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
ip netns add "$NS" || exit 1
IN_NS="nsenter --net=/run/netns/$NS --"
$IN_NS ip link set lo up || exit 1
chmod 755 "$TMP"
mkdir "$TMP/www" "$TMP/out"
echo hello >"$TMP/www/f.txt"
truncate -s "${size_mb}M" "$TMP/www/big.bin" # sparse: nothing on disk
truncate -s "${bulk_mb}M" "$TMP/www/bulk.bin"
size=$((size_mb * 1024 * 1024))

# A throw-away CA and a certificate for files.test.
if ! openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 \
	-subj "/CN=tinyjail bench CA" -keyout "$TMP/ca.key" -out "$TMP/ca.pem" >/dev/null 2>&1 ||
	! openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj "/CN=files.test" \
		-keyout "$TMP/srv.key" -out "$TMP/srv.csr" >/dev/null 2>&1 ||
	! printf 'subjectAltName=DNS:files.test\n' >"$TMP/ext.cnf" ||
	! openssl x509 -req -in "$TMP/srv.csr" -CA "$TMP/ca.pem" -CAkey "$TMP/ca.key" -CAcreateserial -days 1 \
		-extfile "$TMP/ext.cnf" -out "$TMP/srv.pem" >/dev/null 2>&1; then
	echo "net_proxy: openssl failed" >&2
	exit 1
fi
chmod 644 "$TMP"/*.pem "$TMP"/*.key

# start_server NAME ARGS...: the tests' server.py on 127.0.0.1 in the
# namespace, with a listen backlog that many connections at once do not
# overflow (its default, 5, drops SYNs: one-second stalls, direct or not),
# files sent over HTTP with sendfile(2), so that the Python server is not
# what limits a download, and TCP_NODELAY (keep-alive rows).
start_server() {
	_name=$1
	shift
	$IN_NS "$PY" -c 'import http.server, runpy, ssl, sys
H = http.server.SimpleHTTPRequestHandler
plain = H.copyfile
def copyfile(self, src, dst):
    if isinstance(self.connection, ssl.SSLSocket):
        plain(self, src, dst)
    else:
        self.connection.sendfile(src)
H.copyfile = copyfile
# Head and body are separate writes: with Nagle on, a kept-alive connection
# waits out the delayed ACK of the client (40 ms) on every response.
H.disable_nagle_algorithm = True
http.server.ThreadingHTTPServer.request_queue_size = 1024
sys.argv = sys.argv[1:]
runpy.run_path(sys.argv[0], run_name="__main__")' "$SERVER" --bind 127.0.0.1 --dir "$TMP/www" \
		--log /dev/null "$@" >"$TMP/$_name.out" 2>&1 &
	pids="$pids $!"
	port=""
	for _ in $(seq 1 100); do
		port=$(sed -n 's/^port \([0-9]*\)$/\1/p' "$TMP/$_name.out")
		[ -n "$port" ] && return 0
		sleep 0.05
	done
	echo "net_proxy: server $_name did not start: $(cat "$TMP/$_name.out")" >&2
	exit 1
}
start_server http
HP=$port
start_server https --cert "$TMP/srv.pem" --key "$TMP/srv.key"
SP=$port

H="http://files.test:$HP"
S="https://files.test:$SP"
DIRECT="--resolve files.test:$HP:127.0.0.1 --resolve files.test:$SP:127.0.0.1"
PROXY="--net allow=files.test:$HP,files.test:$SP --resolve files.test:127.0.0.1 $proxy_opts"
# Per transfer: seconds to connect (to the proxy, when there is one), to the first
# byte and in all, the status, curl's exit code, bytes, bytes/s, and seconds
# to the end of the TLS handshake and to the request.
W='%{time_connect} %{time_starttransfer} %{time_total} %{http_code} %{exitcode} %{size_download} %{speed_download} %{time_appconnect} %{time_pretransfer}\n'

# One curl per run; its URL list is a glob (?[1-N]: the server ignores the
# query), so many requests share one process and one tinyjail start.
# "Connection: close" gives every request a connection of its own (except in
# the keep-alive rows, which set HDR to another header).
# curl_in MODE OUT ARGS...: MODE direct, host (tinyjail --net host) or
# proxy (tinyjail, filtered); appends curl's lines to OUT, the wall time of
# the whole run (tinyjail's start included) to OUT.wall, and the CPU time of
# the run's processes in ms (curl, tinyjail and its proxy: the shell's
# children's times, so never the servers') to OUT.cpu.
curl_in() {
	_mode=$1
	_out=$2
	shift 2
	# HDR: curl's extra header; "Connection: close" (a new connection per
	# request) unless a keep-alive row sets another.
	_hdr=${HDR:-Connection: close}
	times >"$TMP/times.0"
	_t0=$(date +%s%N)
	# shellcheck disable=SC2086 # DIRECT and PROXY are lists of options
	case $_mode in
	direct) $IN_NS curl -sS --no-progress-meter -H "$_hdr" -w "$W" $DIRECT "$@" ;;
	host) $IN_NS "$TJ" -q --profile none --net host -- curl -sS --no-progress-meter -H "$_hdr" -w "$W" $DIRECT "$@" ;;
	proxy) $IN_NS "$TJ" -q --profile none $PROXY -- curl -sS --no-progress-meter -H "$_hdr" -w "$W" "$@" ;;
	proxyb) $IN_NS "$TJ_B" -q --profile none $PROXY -- curl -sS --no-progress-meter -H "$_hdr" -w "$W" "$@" ;;
	esac >>"$_out" 2>>"$TMP/errors"
	echo "$(($(date +%s%N) - _t0))" >>"$_out.wall"
	times >"$TMP/times.1"
	awk 'FNR == 2 { split($1, u, "m"); split($2, s, "m"); t = (u[1] * 60 + u[2] + s[1] * 60 + s[2]) * 1000 }
	     FNR == 2 && NR == 2 { t0 = t } END { printf "%.0f\n", t - t0 }' "$TMP/times.0" "$TMP/times.1" >>"$_out.cpu"
}

# stats FILE COLUMN: "median mean p90 count" of a column, seconds in, ms out.
stats() {
	awk -v c="$2" '{ print $c * 1000 }' "$1" | sort -g | awk '
		{ v[NR] = $1; s += $1 }
		END { if (NR == 0) { print "- - - 0"; exit }
		      p = int(NR * 0.9 + 0.5); if (p < 1) p = 1
		      printf "%.3f %.3f %.3f %d\n", (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2), s / NR, v[p], NR }'
}
# median FILE: of one number a line.
median() {
	sort -g "$1" | awk '{ v[NR] = $1 } END { if (NR == 0) print 0; else printf "%.15g\n", (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'
}
# failures FILE EXPECTED_BYTES: transfers that did not end 200, complete.
failures() {
	awk -v b="$2" '$4 != 200 || $5 != 0 || (b != "" && $6 != b) { n++ } END { print n + 0 }' "$1"
}
problems=0
check() {
	_f=$(failures "$1" "$2")
	_n=$(wc -l <"$1" | tr -d ' ')
	if [ "$_f" -ne 0 ] || [ "$_n" -ne "$3" ]; then
		echo "  !! $4: $_f of $_n transfers failed or were short ($3 expected); statuses:" \
			"$(awk '$4 != 200 { print $4 }' "$1" | sort | uniq -c | tr -s ' \n' ' ')" >&2
		problems=$((problems + 1))
	fi
}

echo "$("$TJ" --version 2>/dev/null | head -1), $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"

# label ROW: what a row (lat-, dl- or par-, then PROTOCOL-MODE) measures.
label() {
	case ${1#*-} in
	http-direct) echo "HTTP, no tinyjail (direct)" ;;
	http-host) echo "HTTP, tinyjail --net host (no proxy)" ;;
	http-proxy) echo "HTTP, tinyjail --net allow= (proxy)" ;;
	https-direct) echo "HTTPS, no tinyjail (direct)" ;;
	https-proxy) echo "HTTPS, tinyjail --net allow= (CONNECT)" ;;
	esac
}

if want lat; then
# --- connection latency ---------------------------------------------------
lat_rows="lat-http-direct lat-http-host lat-http-proxy lat-https-direct lat-https-proxy"
i=0
while [ $i -lt "$runs" ]; do
	curl_in direct "$TMP/out/lat-http-direct" -o /dev/null "$H/f.txt?[1-$reqs]"
	curl_in host "$TMP/out/lat-http-host" -o /dev/null "$H/f.txt?[1-$reqs]"
	curl_in proxy "$TMP/out/lat-http-proxy" -o /dev/null "$H/f.txt?[1-$reqs]"
	curl_in direct "$TMP/out/lat-https-direct" --cacert "$TMP/ca.pem" -o /dev/null "$S/f.txt?[1-$reqs]"
	curl_in proxy "$TMP/out/lat-https-proxy" --cacert "$TMP/ca.pem" -o /dev/null "$S/f.txt?[1-$reqs]"
	i=$((i + 1))
done
echo
echo "connection latency: $runs runs x $reqs sequential GETs of a 6-byte file, a new connection each,"
echo "one curl per run ($((runs * reqs)) requests per row); ms per request from curl, and the whole run:"
printf '%-40s %9s %9s %9s %9s %11s\n' "" "median" "mean" "p90" "to 1st B" "run (med)"
for r in $lat_rows; do
	read -r med mean p90 _ <<EOF
$(stats "$TMP/out/$r" 3)
EOF
	ttfb=$(stats "$TMP/out/$r" 2 | cut -d' ' -f1)
	printf '%-40s %9s %9s %9s %9s %8s ms\n' "$(label "$r")" "$med" "$mean" "$p90" "$ttfb" \
		"$(($(median "$TMP/out/$r.wall" | cut -d. -f1) / 1000000))"
	eval "$(echo "$r" | tr - _)=$med"
	check "$TMP/out/$r" 6 $((runs * reqs)) "$(label "$r")"
done
# shellcheck disable=SC2154 # set by the eval above
awk -v d="$lat_http_direct" -v h="$lat_http_host" -v p="$lat_http_proxy" -v sd="$lat_https_direct" \
	-v sp="$lat_https_proxy" 'BEGIN {
	printf "the proxy adds per request (medians): HTTP %+.3f ms against direct, %+.3f ms against --net host; HTTPS %+.3f ms\n",
		p - d, p - h, sp - sd }'
# Where HTTPS spends it: the TLS handshake (through the proxy: the CONNECT
# exchange too) and the request's round trip.
# phase ROW connect|tls|request: median ms of curl's TCP connect, from there
# to the end of the TLS handshake, and from the request to the first byte.
phase() {
	case $2 in
	connect) awk '{ print $1 * 1000 }' "$TMP/out/$1" ;;
	tls) awk '{ print ($8 - $1) * 1000 }' "$TMP/out/$1" ;;
	request) awk '{ print ($2 - $9) * 1000 }' "$TMP/out/$1" ;;
	esac >"$TMP/phase"
	printf '%.3f' "$(median "$TMP/phase")"
}
echo "HTTPS medians, direct against CONNECT: TCP connect $(phase lat-https-direct connect) against" \
	"$(phase lat-https-proxy connect) ms (to the proxy), then to the end of the TLS handshake" \
	"$(phase lat-https-direct tls) against $(phase lat-https-proxy tls) ms (CONNECT included), request to" \
	"first byte $(phase lat-https-direct request) against $(phase lat-https-proxy request) ms" | fold -s -w 100

fi

if want dl; then
# --- throughput -----------------------------------------------------------
# $DIRECT is a list of options; the first read of the file (sparse: page
# cache filled with zeroes) is slower, so it is not timed.
# shellcheck disable=SC2086
$IN_NS curl -s -o /dev/null $DIRECT "$H/big.bin"
i=0
while [ $i -lt "$dl_runs" ]; do
	curl_in direct "$TMP/out/dl-http-direct" -o /dev/null "$H/big.bin"
	curl_in host "$TMP/out/dl-http-host" -o /dev/null "$H/big.bin"
	curl_in proxy "$TMP/out/dl-http-proxy" -o /dev/null "$H/big.bin"
	curl_in direct "$TMP/out/dl-https-direct" --cacert "$TMP/ca.pem" -o /dev/null "$S/big.bin"
	curl_in proxy "$TMP/out/dl-https-proxy" --cacert "$TMP/ca.pem" -o /dev/null "$S/big.bin"
	i=$((i + 1))
done
echo
echo "throughput: a $size_mb MiB download, $dl_runs per row, interleaved (MB/s = 10^6 bytes/s, from curl;"
echo "CPU ms: median user+system time of curl, tinyjail and the proxy for one download, servers not included):"
printf '%-40s %9s %9s %9s %10s %10s\n' "" "median" "min" "max" "vs direct" "CPU ms"
for r in dl-http-direct dl-http-host dl-http-proxy dl-https-direct dl-https-proxy; do
	awk '{ print $7 / 1e6 }' "$TMP/out/$r" | sort -g >"$TMP/out/$r.mbs"
	med=$(median "$TMP/out/$r.mbs")
	case $r in *-direct) base=$med ;; esac
	printf '%-40s %9.0f %9.0f %9.0f %9.2fx %10s\n' "$(label "$r")" "$med" "$(head -1 "$TMP/out/$r.mbs")" \
		"$(tail -1 "$TMP/out/$r.mbs")" "$(awk -v a="$med" -v b="$base" 'BEGIN { print (b > 0 ? a / b : 0) }')" \
		"$(median "$TMP/out/$r.cpu")"
	check "$TMP/out/$r" "$size" "$dl_runs" "$(label "$r")"
done

fi

if want par; then
# --- many connections at once ---------------------------------------------
i=0
while [ $i -lt "$runs" ]; do
	curl_in direct "$TMP/out/par-http-direct" -Z --parallel-max "$par" --parallel-immediate \
		-o /dev/null "$H/f.txt?[1-$par_reqs]"
	curl_in proxy "$TMP/out/par-http-proxy" -Z --parallel-max "$par" --parallel-immediate \
		-o /dev/null "$H/f.txt?[1-$par_reqs]"
	i=$((i + 1))
done
echo
echo "many at once: $par_reqs GETs of the small file, $par in parallel, one curl per run, $runs runs:"
printf '%-40s %9s %9s %9s %11s\n' "" "median" "p90" "max" "run (med)"
for r in par-http-direct par-http-proxy; do
	read -r med _ p90 _ <<EOF
$(stats "$TMP/out/$r" 3)
EOF
	mx=$(awk '{ print $3 * 1000 }' "$TMP/out/$r" | sort -g | tail -1)
	printf '%-40s %9s %9s %9s %8s ms\n' "$(label "$r")" "$med" "$p90" "$mx" \
		"$(($(median "$TMP/out/$r.wall" | cut -d. -f1) / 1000000))"
	check "$TMP/out/$r" 6 $((runs * par_reqs)) "$(label "$r")"
done
echo "(ms per request from curl; the run includes tinyjail's start in the proxy row)"

fi

# --- bulk: paired downloads, direct then through the proxy ----------------
if want bulk; then
	# One download direct and one proxied, back to back, BULK_RUNS times: each
	# pair sees about the same load, so the ratio of a pair is the figure.
	# CPU ms per MB: user+system of the run's processes (curl; tinyjail and
	# its proxy too in the proxied rows) over the MB moved; the proxy's own
	# cost is the proxied row's minus the direct row's, which stays steady
	# under load where the wall ratio does not.
	bulk_bytes=$((bulk_mb * 1024 * 1024))
	# shellcheck disable=SC2086
	$IN_NS curl -s -o /dev/null $DIRECT "$H/bulk.bin"
	bulk_rows="bulk-http-direct bulk-http-proxy bulk-https-direct bulk-https-proxy"
	[ -z "$TJ_B" ] || bulk_rows="$bulk_rows bulk-http-proxyb bulk-https-proxyb"
	i=0
	while [ $i -lt "$bulk_runs" ]; do
		curl_in direct "$TMP/out/bulk-http-direct" -o /dev/null "$H/bulk.bin"
		curl_in proxy "$TMP/out/bulk-http-proxy" -o /dev/null "$H/bulk.bin"
		[ -z "$TJ_B" ] || curl_in proxyb "$TMP/out/bulk-http-proxyb" -o /dev/null "$H/bulk.bin"
		curl_in direct "$TMP/out/bulk-https-direct" --cacert "$TMP/ca.pem" -o /dev/null "$S/bulk.bin"
		curl_in proxy "$TMP/out/bulk-https-proxy" --cacert "$TMP/ca.pem" -o /dev/null "$S/bulk.bin"
		[ -z "$TJ_B" ] || curl_in proxyb "$TMP/out/bulk-https-proxyb" --cacert "$TMP/ca.pem" -o /dev/null "$S/bulk.bin"
		i=$((i + 1))
	done
	echo
	echo "bulk: $bulk_runs pairs of $bulk_mb MiB downloads, direct then proxied back to back (load now" \
		"$(cut -d' ' -f1-3 /proc/loadavg)); MB/s = 10^6 bytes/s from curl; ratio: of each pair, median" \
		"(min..max); CPU: ms per MB of curl + tinyjail + proxy (servers not included):" | fold -s -w 100
	printf '%-42s %9s %18s %10s\n' "" "MB/s med" "ratio med (range)" "CPU ms/MB"
	for r in $bulk_rows; do
		awk '{ print $7 / 1e6 }' "$TMP/out/$r" >"$TMP/out/$r.mbs"
		d=$(echo "$r" | sed 's/-proxyb*$/-direct/')
		ratio="-"
		case $r in
		*-proxy | *-proxyb)
			paste "$TMP/out/$r.mbs" "$TMP/out/$d.mbs" | awk '{ print ($2 > 0 ? $1 / $2 : 0) }' >"$TMP/out/$r.ratio"
			ratio=$(printf '%.2fx (%.2f..%.2f)' "$(median "$TMP/out/$r.ratio")" \
				"$(sort -g "$TMP/out/$r.ratio" | head -1)" "$(sort -g "$TMP/out/$r.ratio" | tail -1)")
			;;
		esac
		cpu=$(awk -v mb="$(awk -v b="$bulk_bytes" 'BEGIN { print b / 1e6 }')" '{ print $1 / mb }' "$TMP/out/$r.cpu" >"$TMP/out/$r.cpumb" && median "$TMP/out/$r.cpumb")
		lbl=$(label "${r%b}")
		case $r in *-proxyb) lbl="$lbl [TJ_B]" ;; esac
		printf '%-42s %9.0f %18s %10.2f\n' "$lbl" "$(median "$TMP/out/$r.mbs")" "$ratio" "$cpu"
		check "$TMP/out/$r" "$bulk_bytes" "$bulk_runs" "$(label "${r%b}")"
	done
fi

# --- keep-alive: N requests on one connection against a new one each --------
if want ka; then
	i=0
	while [ $i -lt "$ka_runs" ]; do
		curl_in direct "$TMP/out/ka-http-direct-new" -o /dev/null "$H/f.txt?[1-$ka_reqs]"
		HDR="X-Bench: keep-alive" curl_in direct "$TMP/out/ka-http-direct-ka" -o /dev/null "$H/f.txt?[1-$ka_reqs]"
		curl_in proxy "$TMP/out/ka-http-proxy-new" -o /dev/null "$H/f.txt?[1-$ka_reqs]"
		HDR="X-Bench: keep-alive" curl_in proxy "$TMP/out/ka-http-proxy-ka" -o /dev/null "$H/f.txt?[1-$ka_reqs]"
		i=$((i + 1))
	done
	echo
	echo "keep-alive: $ka_runs runs x $ka_reqs sequential GETs of a 6-byte file in one curl, a new connection" \
		"each (Connection: close) or all on one (curl's keep-alive); requests/s = requests over the sum of" \
		"curl's per-request times (tinyjail's start not included); load now $(cut -d' ' -f1-3 /proc/loadavg):" |
		fold -s -w 100
	printf '%-46s %10s %10s %12s\n' "" "req/s" "ms median" "connections"
	for r in ka-http-direct-new ka-http-direct-ka ka-http-proxy-new ka-http-proxy-ka; do
		rps=$(awk '{ s += $3 } END { printf "%.0f", (s > 0 ? NR / s : 0) }' "$TMP/out/$r")
		med=$(stats "$TMP/out/$r" 3 | cut -d' ' -f1)
		case $r in
		*-new) how="a new connection each" ;;
		*) how="one connection" ;;
		esac
		# curl's time_connect is 0 on a reused connection.
		conns=$(awk '$1 > 0 { n++ } END { print n + 0 }' "$TMP/out/$r")
		printf '%-46s %10s %10s %12s\n' "$(label "${r%-*}"), $how" "$rps" "$med" "$conns"
		check "$TMP/out/$r" 6 $((ka_runs * ka_reqs)) "$r"
	done
fi

if want start; then
# --- start-up -------------------------------------------------------------
start_ms() {
	t0=$(date +%s%N)
	i=0
	while [ $i -lt 20 ]; do
		$IN_NS "$TJ" -q --profile none "$@" -- true || return 1
		i=$((i + 1))
	done
	echo "$((($(date +%s%N) - t0) / 20000000)) ms"
}
echo
echo "a run of 'true', mean of 20:"
printf '%-40s %9s\n' "tinyjail --net host" "$(start_ms --net host)"
# shellcheck disable=SC2086 # PROXY is a list of options
printf '%-40s %9s\n' "tinyjail --net allow= (proxy started)" "$(start_ms $PROXY)"

fi

if [ -s "$TMP/errors" ] || [ "$problems" -ne 0 ]; then
	echo
	echo "net_proxy: $problems row(s) with failed transfers; curl said (if anything):"
	sort "$TMP/errors" | uniq -c | sort -rn | head -20
	exit 1
fi
echo
echo "load at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
