#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The evaluation of tinyjail learn (notes/learn.md, issue 12): for each
# real program, learn a profile from training cases, then run held-out
# cases (other flags, other inputs) under it in enforce mode, and print
#
#   program | training | held-out | floor | allowed | over the floor |
#   argument rules | held-out failures | learning time | overhead
#
# floor: distinct syscall names of the training cases under strace -f (a
#        single-run lower bound, as the issue's figures);
# allowed: syscall names the profile allows, groups expanded, generalisation on;
# argument rules: allowed syscalls of the argument table whose every rule
#        checks arguments, of those in the table;
# learning time: `tinyjail learn --cases` over the training cases (median
#        of REPS runs after a warm-up); overhead: the median ratio of REPS
#        pairs against running the same cases plainly (for curl-https, under
#        tinyjail --profile none with the same --net allow=, which it needs).
#
#   bench/learn_eval.sh [-b BUILD] [-r REPS] [-o OUT.jsonl] [program...]
#
# Programs: ls cat cp sort grep find tar gzip sed wc python3 git gcc make
# curl-http curl-https (default: all).  Everything runs on this machine in
# a scratch directory; the network cases use a server on 127.0.0.1 only
# (curl-https through tinyjail's filtering proxy, --net allow=, with
# --resolve pointing the name at the loopback server and a throw-away CA).
set -u
cd "$(dirname "$0")/.." || exit 1
ROOT=$(pwd)
build=build reps=3 jsonl=""
while getopts b:r:o: opt; do
	case $opt in
	b) build=$OPTARG ;;
	r) reps=$OPTARG ;;
	o) jsonl=$OPTARG ;;
	*) echo "usage: bench/learn_eval.sh [-b BUILD] [-r REPS] [-o OUT.jsonl] [program...]" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
programs=${*:-ls cat cp sort grep find tar gzip sed wc python3 git gcc make curl-http curl-https}
TJ="$ROOT/$build/tinyjail"
[ -x "$TJ" ] || { echo "learn_eval: build $build first (make)" >&2; exit 1; }
export TINYJAIL_POLICY_DIR="$ROOT/policies"
W=$(mktemp -d "${TMPDIR:-/tmp}/tj-learn-eval.XXXXXX")
chmod 755 "$W"
export XDG_CACHE_HOME="$W/cache"
srv_http="" srv_https=""
cleanup() {
	[ -n "$srv_http" ] && kill "$srv_http" 2>/dev/null
	[ -n "$srv_https" ] && kill "$srv_https" 2>/dev/null
	rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
[ -n "$jsonl" ] && : >"$jsonl"

# --- inputs ---

mk_tree() {
	mkdir -p "$1/sub/deeper" "$1/docs"
	i=0
	while [ $i -lt 20 ]; do
		printf 'line %d of %s\napple %d\nbanana\n' $i "$1" $((i * 7 % 13)) >"$1/f$i.txt"
		i=$((i + 1))
	done
	printf 'deep line\n' >"$1/sub/deeper/note.txt"
	printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534::/nonexistent:/usr/sbin/nologin\n' >"$1/users.txt"
	cp /etc/os-release "$1/docs/" 2>/dev/null
	ln -sf f1.txt "$1/link"
}
mk_tree "$W/t1"
mk_tree "$W/t2"
printf '3\n20\n1\n100\n7\n' >"$W/t2/numbers.txt"
mkdir -p "$W/out"
cat >"$W/script.py" <<'EOF'
import json, os, re, sys
d = sys.argv[1]
names = sorted(os.listdir(d))
txt = [n for n in names if re.search(r"\.txt$", n)]
sizes = {n: os.stat(os.path.join(d, n)).st_size for n in txt}
print(json.dumps({"dir": d, "n": len(names), "txt": len(txt), "bytes": sum(sizes.values())}))
EOF
mkdir -p "$W/proj" "$W/proj2"
printf 'int f(int x) { return x + 1; }\n' >"$W/proj/f.c"
printf '#include <stdio.h>\nint f(int);\nint main(void) { printf("%%d\\n", f(1)); return 0; }\n' >"$W/proj/main.c"
printf 'prog: main.o f.o\n\tgcc -o prog main.o f.o\n%%.o: %%.c\n\tgcc -c $< -o $@\n' >"$W/proj/Makefile"
cp "$W/proj/f.c" "$W/proj/main.c" "$W/proj2/"
printf '#include <string.h>\nint g(const char *s) { return (int)strlen(s); }\n' >"$W/proj2/g.c"
printf 'prog: main.o f.o g.o\n\tgcc -o prog main.o f.o g.o\n%%.o: %%.c\n\tgcc -O2 -Wall -c $< -o $@\n' \
	>"$W/proj2/Makefile"
mkdir -p "$W/www"
printf 'hello\n' >"$W/www/a.txt"
head -c 100000 /dev/urandom >"$W/www/b.bin"

start_server() { # VAR-for-pid LOG args...
	_log=$1
	shift
	/usr/bin/python3 "$ROOT/tests/integration/data/net/server.py" --bind 127.0.0.1 --dir "$W/www" \
		--log "$W/$_log.requests" "$@" >"$W/$_log.out" 2>&1 &
	_pid=$!
	_port=""
	for _ in $(seq 1 100); do
		_port=$(sed -n 's/^port \([0-9]*\)$/\1/p' "$W/$_log.out")
		[ -n "$_port" ] && break
		sleep 0.1
	done
}

# --- the cases: training (T) and held-out (H), one command line each ---

G="git -c user.name=eval -c user.email=eval@example.invalid -c init.defaultBranch=main -c safe.directory=*"
cases() { # program
	LEARN_OPTS="" T="" H=""
	case $1 in
	ls) T="ls -l $W/t1
ls -la $W/t1
ls -R $W/t1"
		H="ls -lh $W/t2
ls -1 $W/t2/sub
ls -laR $W/t2
ls -lt $W/t2/docs" ;;
	cat) T="cat $W/t1/f1.txt
cat -n $W/t1/f2.txt"
		H="cat $W/t2/f3.txt $W/t2/users.txt
cat -A $W/t2/numbers.txt
cat -s $W/t2/docs/os-release" ;;
	cp) T="cp $W/t1/f1.txt $W/out/c1
cp -r $W/t1 $W/out/ct1"
		H="cp $W/t2/f4.txt $W/out/c2
cp -r $W/t2/sub $W/out/ct2
cp -f $W/t2/users.txt $W/out/c2" ;;
	sort) T="sort $W/t1/f1.txt
sort -r -o $W/out/s1 $W/t1/f2.txt"
		H="sort -n $W/t2/numbers.txt
sort -u -o $W/out/s2 $W/t2/f5.txt
sort -k2 $W/t2/users.txt" ;;
	grep) T="grep apple $W/t1/f1.txt
grep -r banana $W/t1"
		H="grep -c root $W/t2/users.txt
grep -ri DEEP $W/t2
grep -v apple $W/t2/f6.txt
grep -l line -r $W/t2/sub" ;;
	find) T="find $W/t1 -name *.txt
find $W/t1 -type d"
		H="find $W/t2 -name f1*
find $W/t2 -maxdepth 1 -type f
find $W/t2 -newer $W/t2/f1.txt" ;;
	tar) T="tar czf $W/out/a.tgz -C $W/t1 .
tar xzf $W/out/a.tgz -C $W/out/x1"
		H="tar cf $W/out/b.tar -C $W/t2 .
tar tzf $W/out/a.tgz
tar xf $W/out/b.tar -C $W/out/x2" ;;
	gzip) cp "$W/t1/f1.txt" "$W/out/g1"
		cp "$W/t2/f2.txt" "$W/out/g2"
		T="gzip -k -f $W/out/g1
gzip -d -f $W/out/g1.gz"
		H="gzip -9 -k -f $W/out/g2
gzip -t $W/out/g2.gz
gzip -l $W/out/g2.gz" ;;
	sed) T="sed s/apple/pear/ $W/t1/f1.txt
sed -n 2p $W/t1/f2.txt"
		H="sed -e s/line/LINE/g $W/t2/f3.txt
sed -E s/[0-9]+/N/ $W/t2/numbers.txt
sed 1d $W/t2/users.txt" ;;
	wc) T="wc $W/t1/f1.txt"
		H="wc -l $W/t2/f2.txt $W/t2/f3.txt
wc -c $W/t2/users.txt
wc -w $W/t2/docs/os-release" ;;
	python3) T="/usr/bin/python3 $W/script.py $W/t1"
		H="/usr/bin/python3 $W/script.py $W/t2
/usr/bin/python3 $W/script.py $W/t2/sub" ;;
	git) T="$G init -q $W/repo1
$G -C $W/repo1 add -A
$G -C $W/repo1 commit -q --allow-empty -m first
$G -C $W/repo1 log"
		H="$G init -q $W/repo2
$G -C $W/repo2 add -A
$G -C $W/repo2 commit -q --allow-empty -m second
$G -C $W/repo2 log --oneline" ;;
	gcc) T="gcc -o $W/out/prog1 $W/proj/main.c $W/proj/f.c"
		H="gcc -O2 -Wall -c $W/proj2/g.c -o $W/out/g.o
gcc -O1 -o $W/out/prog2 $W/proj2/main.c $W/proj2/f.c" ;;
	make) T="make -s -B -C $W/proj"
		H="make -s -B -C $W/proj2" ;;
	curl-http)
		[ -n "$HTTP_PORT" ] || return 1
		T="curl -sS -o $W/out/a http://127.0.0.1:$HTTP_PORT/a.txt"
		H="curl -sS -o $W/out/b http://127.0.0.1:$HTTP_PORT/b.bin
curl -sS -I http://127.0.0.1:$HTTP_PORT/a.txt
curl -sS -o /dev/null -w '%{http_code}' http://127.0.0.1:$HTTP_PORT/missing" ;;
	curl-https)
		[ -n "$HTTPS_PORT" ] || return 1
		LEARN_OPTS="--net allow=files.test:$HTTPS_PORT --resolve files.test:127.0.0.1"
		T="curl -sS --cacert $W/ca.pem -o $W/out/sa https://files.test:$HTTPS_PORT/a.txt"
		H="curl -sS --cacert $W/ca.pem -o $W/out/sb https://files.test:$HTTPS_PORT/b.bin
curl -sS --cacert $W/ca.pem -I https://files.test:$HTTPS_PORT/a.txt" ;;
	*) return 1 ;;
	esac
}

HTTP_PORT="" HTTPS_PORT=""
case " $programs " in *" curl-http "*)
	start_server http
	srv_http=$_pid HTTP_PORT=$_port ;;
esac
case " $programs " in *" curl-https "*)
	if command -v openssl >/dev/null 2>&1; then
		openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 \
			-subj "/CN=learn eval CA" -keyout "$W/ca.key" -out "$W/ca.pem" >/dev/null 2>&1
		openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj "/CN=files.test" \
			-keyout "$W/srv.key" -out "$W/srv.csr" >/dev/null 2>&1
		printf 'subjectAltName=DNS:files.test\n' >"$W/ext.cnf"
		openssl x509 -req -in "$W/srv.csr" -CA "$W/ca.pem" -CAkey "$W/ca.key" -CAcreateserial -days 1 \
			-extfile "$W/ext.cnf" -out "$W/srv.pem" >/dev/null 2>&1
		start_server https --cert "$W/srv.pem" --key "$W/srv.key"
		srv_https=$_pid HTTPS_PORT=$_port
	fi ;;
esac

now_ms() { date +%s%3N; }

median() { tr ' ' '\n' | grep -v '^$' | sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR + 1) / 2] : int((a[NR / 2] + a[NR / 2 + 1]) / 2)}'; }

# The distinct syscalls of the training cases under strace -f.
floor_of() { # cases-file
	: >"$W/floor.txt"
	while IFS= read -r line; do
		eval "set -- $line"
		strace -f -qq -o "$W/st.txt" "$@" >/dev/null 2>&1 </dev/null
		sed -n 's/^[0-9]* *\([a-z0-9_]*\)(.*/\1/p; s/^\([a-z0-9_]*\)(.*/\1/p' "$W/st.txt" >>"$W/floor.txt"
	done <"$1"
	sort -u "$W/floor.txt" | grep -c .
}

echo "# tinyjail learn: held-out evaluation ($(nproc) CPUs, $(uname -r), $(date -u +%Y-%m-%d), $reps reps)"
echo
echo "| program | training | held-out | floor (strace) | allowed | over the floor | argument rules | held-out failures | learning time | overhead |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
failures_all=""
: >"$W/allowed.coreutils"
for p in $programs; do
	if ! cases "$p"; then
		echo "| $p | skipped: its server did not start | | | | | | | | |"
		continue
	fi
	printf '%s\n' "$T" >"$W/train.$p"
	printf '%s\n' "$H" >"$W/heldout.$p"
	nt=$(grep -c . "$W/train.$p")
	nh=$(grep -c . "$W/heldout.$p")
	rm -rf "$W/repo1" "$W/repo2" "$W/out/x1" "$W/out/x2" "$W/out/ct1" "$W/out/ct2"
	mkdir -p "$W/out/x1" "$W/out/x2"
	# Plain timing: without tinyjail, except behind the proxy (the
	# HTTPS case needs it): there tinyjail --profile none is the plain run.
	# A warm-up pair (caches), then REPS pairs, plain and learn in turn;
	# the overhead is the median of the pairs' ratios (as bench/abtime).
	plain="" learn="" ratios=""
	r=-1
	while [ $r -lt "$reps" ]; do
		rm -rf "$W/repo1" "$W/out/ct1"
		t0=$(now_ms)
		if [ -n "$LEARN_OPTS" ]; then
			while IFS= read -r line; do
				eval "set -- $line"
				"$TJ" -q --profile none $LEARN_OPTS -- "$@" >/dev/null 2>&1 </dev/null
			done <"$W/train.$p"
		else
			while IFS= read -r line; do
				eval "set -- $line"
				"$@" >/dev/null 2>&1 </dev/null
			done <"$W/train.$p"
		fi
		t1=$(now_ms)
		rm -rf "$W/repo1" "$W/out/ct1"
		t2=$(now_ms)
		"$TJ" learn -o "$W/$p.json" --force $LEARN_OPTS --cases "$W/train.$p" >/dev/null 2>"$W/learn.$p.err" </dev/null
		lrc=$?
		t3=$(now_ms)
		if [ $r -ge 0 ]; then
			plain="$plain $((t1 - t0))"
			learn="$learn $((t3 - t2))"
			ratios="$ratios $(awk -v a=$((t3 - t2)) -v b=$((t1 - t0)) 'BEGIN { printf "%.0f", 100 * a / (b > 0 ? b : 1) }')"
		fi
		r=$((r + 1))
	done
	if [ "$lrc" -ne 0 ]; then
		echo "| $p | learning failed ($lrc): $(tail -1 "$W/learn.$p.err") | | | | | | | | |"
		continue
	fi
	pm=$(echo "$plain" | median)
	lm=$(echo "$learn" | median)
	summary=$(grep 'learn: wrote' "$W/learn.$p.err" | tail -1)
	allowed=$(echo "$summary" | sed -n 's/.*: \([0-9]*\) syscalls\{0,1\} allowed.*/\1/p')
	capable=$(echo "$summary" | sed -n 's/.*; \([0-9]*\) of \([0-9]*\) argument-capable.*/\2/p')
	constrained=$(echo "$summary" | sed -n 's/.*; \([0-9]*\) of \([0-9]*\) argument-capable.*/\1/p')
	floor="n/a"
	command -v strace >/dev/null 2>&1 && [ -z "$LEARN_OPTS" ] && { rm -rf "$W/repo1" "$W/out/ct1"; floor=$(floor_of "$W/train.$p"); }
	over=$([ "$floor" = n/a ] && echo n/a || echo "+$((allowed - floor))")
	rm -rf "$W/repo2" "$W/out/ct2" "$W/out/x2"
	mkdir -p "$W/out/x2"
	"$TJ" learn --check "$W/heldout.$p" $LEARN_OPTS "$W/$p.json" >/dev/null 2>"$W/check.$p.err" </dev/null
	broke=$(sed -n 's/.*case.* run, \([0-9]*\) broke.*/\1/p' "$W/check.$p.err" | tail -1)
	[ -n "$broke" ] || broke="error"
	if [ "$broke" != 0 ]; then
		failures_all="$failures_all
$(grep -A2 'BROKE' "$W/check.$p.err" | sed "s/^/  [$p] /")"
	fi
	case $p in ls | cat | cp | sort | grep | find | tar | gzip | sed | wc) echo "$allowed" >>"$W/allowed.coreutils" ;; esac
	rm_=$(echo "$ratios" | median)
	ratio=$(awk -v r="$rm_" -v a="$lm" -v b="$pm" 'BEGIN { printf "%.1fx (+%d ms)", r / 100, a - b }')
	share=$(awk -v c="$constrained" -v n="$capable" 'BEGIN { printf "%d of %d (%d%%)", c, n, n ? (100 * c + n / 2) / n : 100 }')
	echo "| $p | $nt | $nh | $floor | $allowed | $over | $share | $broke | $lm ms | $ratio |"
	[ -n "$jsonl" ] && printf '{"program": "%s", "training": %d, "heldout": %d, "floor": "%s", "allowed": %s, "arg_capable": %s, "arg_constrained": %s, "heldout_failures": "%s", "learn_ms": %s, "plain_ms": %s}\n' \
		"$p" "$nt" "$nh" "$floor" "$allowed" "$capable" "$constrained" "$broke" "$lm" "$pm" >>"$jsonl"
done
echo
if [ -s "$W/allowed.coreutils" ]; then
	sort -n "$W/allowed.coreutils" | awk '{a[NR]=$1} END {
		med = (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2
		p90 = a[int(0.9 * NR + 0.999)]
		printf "coreutils (%d programs): allowed median %s, p90 %s (goal: median <= 40, p90 <= 50)\n", NR, med, p90 }'
fi
if [ -n "$failures_all" ]; then
	echo "held-out failures:$failures_all"
else
	echo "held-out failures: none"
fi
