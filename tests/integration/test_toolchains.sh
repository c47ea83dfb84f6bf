# SPDX-License-Identifier: Apache-2.0
# The compatibility matrix (notes/policies.md): mainstream toolchains and
# tools run, in enforce mode, under each bundled profile they are meant for,
# and must work exactly as without tinyjail (exit status, output, files).
# Missing tools are installed by tools/install-deps.sh toolchains where it
# can; a tool still missing is skipped with the reason.  Network traffic goes
# to a loopback server only.
. "$ROOT/tests/integration/lib.sh"

DATA="$ROOT/tests/integration/data/toolchains"
PY=/usr/bin/python3
srv_pid="" reg_pid=""
trap 'for p in $srv_pid $reg_pid; do kill "$p" 2>/dev/null; done; rm -rf "$TMP"' EXIT

missing=""
for c in gcc make cmake ninja cargo node npm java git tar gzip curl ps flock ionice bwrap; do
	command -v "$c" >/dev/null 2>&1 || missing="$missing $c"
done
if [ -n "$missing" ]; then
	echo "test_toolchains: installing what is missing:$missing" >&2
	"$ROOT/tools/install-deps.sh" toolchains >&2 || echo "test_toolchains: could not install:$missing" >&2
fi
have() {
	command -v "$1" >/dev/null 2>&1
}

# A fresh copy of the sources for each run.
fresh() {
	_d=$(mktemp -d "$TMP/w.XXXXXX")
	cp -r "$DATA/." "$_d/"
	echo "$_d"
}

# works PROFILE CMD...: CMD runs in a fresh copy under PROFILE in enforce
# mode, exits 0 and nothing was killed.  Sets $dir.
works() {
	_p=$1
	shift
	dir=$(fresh)
	run_in "$dir" "$TJ" -q --profile "$_p" "$@"
	[ "$rc" -eq 0 ] || fail "$_p: $*: exit $rc"
	expect_err_lacks "killed by seccomp"
}

# An assert() failure exits 134 (SIGABRT), as without tinyjail, never 159.
gcc -o "$TMP/assert" "$DATA/assert.c"
gcc -o "$TMP/wx" "$DATA/wx.c"
aborts() {
	run "$TJ" --profile "$1" -- "$TMP/assert"
	expect_rc 134
	expect_err_contains "Assertion"
	expect_err_lacks "killed by seccomp"
}

t "control: without tinyjail an assert() failure exits 134"
run "$TMP/assert"
expect_rc 134

for p in default strict static-tool cli-tool net-client build-job shell-script; do
	t "$p: an assert() failure exits 134 (abort sends SIGABRT to itself)"
	aborts "$p"
done

t "the self-abort exception is exact: SIGABRT to another process is still killed under strict"
# (pids no process has: allowed, these would fail with ESRCH)
run "$TJ" --profile strict -- "$PROBE" syscall kill 999999999 6
expect_rc 159
expect_err_contains "killed by seccomp: kill("
run "$TJ" --profile strict -- "$PROBE" syscall 234 999999999 999999999 6
expect_rc 159
run "$TJ" -q --profile none -- "$PROBE" syscall 234 999999999 999999999 6
[ "$rc" -lt 128 ] || fail "control: tgkill of no process exited $rc"

t "strict refuses writable and executable memory; plain writable memory works"
run "$TJ" -q --profile strict -- "$TMP/wx"
expect_rc 0
expect_out_is mapped
run "$TJ" --profile strict -- "$TMP/wx" wx
expect_rc 159
expect_err_contains "killed by seccomp: mmap(NULL, 4096, PROT_READ|PROT_WRITE|PROT_EXEC"
run "$TJ" -q --profile none -- "$TMP/wx" wx
expect_out_is mapped

for p in default build-job; do
	t "$p: gcc and a recursive make -j2 (the sub-make on the jobserver)"
	works "$p" -- make -C c -j2
	expect_out_lacks "jobserver unavailable"
	expect_err_lacks "jobserver unavailable"
	[ -x "$dir/c/hello" ] && [ "$("$dir/c/hello")" = "hello 42" ] || fail "$p: make did not build hello"

	t "$p: cmake generating for ninja, and ninja building"
	if have cmake && have ninja; then
		works "$p" -- sh -c 'cmake -S cmake -B cmake/build -G Ninja >/dev/null && ninja -C cmake/build'
		[ "$("$dir/cmake/build/hello")" = "hello 42" ] || fail "$p: ninja did not build hello"
	else
		skip "cmake or ninja missing (tools/install-deps.sh toolchains)"
	fi

	t "$p: cargo builds a tiny crate offline"
	if have cargo; then
		works "$p" --setenv CARGO_HOME="$TMP/cargo-home" -- sh -c 'cd rust && cargo build --offline -q && ./target/debug/tiny'
		expect_out_is "tiny 4"
	else
		skip "cargo missing (tools/install-deps.sh toolchains installs Debian's)"
	fi

	t "$p: python3: a venv, multiprocessing.Pool with flock, os.abort()"
	works "$p" -- sh -c "$PY -m venv --without-pip venv && venv/bin/python -c 'import sys; print(sys.prefix)'"
	expect_out_contains "/venv"
	for _ in 1 2 3; do
		works "$p" -- "$PY" mp.py lock
		expect_out_is 332833500
	done
	run "$TJ" --profile "$p" -- "$PY" -c 'import os; os.abort()'
	expect_rc 134
	expect_err_lacks "killed by seccomp"

	t "$p: git init, commit, log"
	works "$p" -- sh -c 'git init -q g && cd g && echo x >f && git add f &&
		git -c user.email=t@example.org -c user.name=t commit -q -m first && git log --oneline | wc -l'
	expect_out_is 1
done

# The same jobs as an unprivileged user (no namespaces, Landlock and seccomp
# only), in a copy that user can write.
works_nobody() {
	_p=$1
	shift
	dir=$(fresh)
	chmod -R a+rwX "$dir"
	(cd "$dir" && as_nobody env HOME="$dir" timeout -k 5 120 "$TJ" -q --profile "$_p" "$@") >"$TMP/.out" 2>"$TMP/.err"
	rc=$?
	out=$(cat "$TMP/.out")
	err=$(cat "$TMP/.err")
	[ "$rc" -eq 0 ] || fail "as nobody, $_p: $*: exit $rc"
	expect_err_lacks "killed by seccomp"
}

for p in default build-job; do
	t "$p, as nobody: make -j2 with gcc, cmake and ninja, python3 multiprocessing, git"
	works_nobody "$p" -- make -C c -j2
	[ "$("$dir/c/hello")" = "hello 42" ] || fail "as nobody, $p: make did not build hello"
	if have cmake && have ninja; then
		works_nobody "$p" -- sh -c 'cmake -S cmake -B cmake/build -G Ninja >/dev/null && ninja -C cmake/build'
		[ "$("$dir/cmake/build/hello")" = "hello 42" ] || fail "as nobody, $p: ninja did not build hello"
	fi
	works_nobody "$p" -- "$PY" mp.py lock
	expect_out_is 332833500
	works_nobody "$p" -- sh -c 'git init -q g && cd g && echo x >f && git add f &&
		git -c user.email=t@example.org -c user.name=t commit -q -m first && git log --oneline | wc -l'
	expect_out_is 1

	t "$p, as nobody: cargo builds a tiny crate offline"
	# A cargo nobody can run: Debian's /usr/bin/cargo (rustup's, under
	# /root, is out of its reach); CARGO_HOME is \$HOME/.cargo in the copy.
	if as_nobody sh -c 'cargo --version' >/dev/null 2>&1; then
		works_nobody "$p" -- sh -c 'cd rust && cargo build --offline -q && ./target/debug/tiny'
		expect_out_is "tiny 4"
		[ -d "$dir/.cargo" ] || fail "as nobody, $p: cargo did not use CARGO_HOME=\$HOME/.cargo"
	else
		skip "no cargo nobody can run (tools/install-deps.sh toolchains installs Debian's)"
	fi
done

t "default: node and npm"
if have node && have npm; then
	works default -- node -e 'console.log(6 * 7)'
	expect_out_is 42
	works default -- sh -c 'mkdir pkg && cd pkg && npm init -y >/dev/null && npm pack --offline --silent'
	expect_out_is pkg-1.0.0.tgz
else
	skip "node or npm missing (tools/install-deps.sh toolchains)"
fi

t "net-client: node --jitless runs (capget, pkey_alloc); with its JIT it is killed at W+X memory"
if have node; then
	works net-client -- node --jitless -e 'console.log(6 * 7)'
	expect_out_is 42
	run "$TJ" -q --profile net-client -- node -e 'for (let i = 0; i < 1e6; i++); console.log(1)'
	expect_rc 159
	expect_err_contains "PROT_WRITE|PROT_EXEC"
else
	skip "node missing (tools/install-deps.sh toolchains)"
fi

# A registry on loopback for npm install: the package document and the
# tarball served as files (tests/integration/data/net/server.py).
start_registry() {
	mkdir -p "$TMP/reg/www/tarballs" "$TMP/reg/src/package"
	printf '{"name":"tinyleft","version":"1.0.0","main":"index.js","license":"MIT"}\n' >"$TMP/reg/src/package/package.json"
	printf 'module.exports = (s, n) => String(s).padStart(n, "0");\n' >"$TMP/reg/src/package/index.js"
	tar czf "$TMP/reg/www/tarballs/tinyleft-1.0.0.tgz" -C "$TMP/reg/src" package
	$PY "$ROOT/tests/integration/data/net/server.py" --bind 127.0.0.1 --dir "$TMP/reg/www" \
		--log "$TMP/reg/requests.log" >"$TMP/reg/srv.log" 2>&1 &
	reg_pid=$!
	reg_port=""
	for _ in $(seq 1 100); do
		reg_port=$(sed -n 's/^port \([0-9]*\)$/\1/p' "$TMP/reg/srv.log")
		[ -n "$reg_port" ] && break
		sleep 0.1
	done
	[ -n "$reg_port" ] || return 1
	$PY - "$reg_port" "$TMP/reg/www" <<'PYEOF'
import base64, hashlib, json, sys
port, www = sys.argv[1], sys.argv[2]
tgz = open(www + "/tarballs/tinyleft-1.0.0.tgz", "rb").read()
dist = {"tarball": "http://127.0.0.1:%s/tarballs/tinyleft-1.0.0.tgz" % port,
        "shasum": hashlib.sha1(tgz).hexdigest(),
        "integrity": "sha512-" + base64.b64encode(hashlib.sha512(tgz).digest()).decode()}
doc = {"name": "tinyleft", "dist-tags": {"latest": "1.0.0"},
       "versions": {"1.0.0": {"name": "tinyleft", "version": "1.0.0", "main": "index.js", "dist": dist}}}
open(www + "/tinyleft", "w").write(json.dumps(doc))
PYEOF
}

t "npm install from a registry on loopback, under default, as root and as nobody"
if have node && have npm; then
	if start_registry; then
		npm_app() {
			_d=$(mktemp -d "$TMP/npm.XXXXXX")
			chmod 777 "$_d"
			printf '{"name":"app","version":"1.0.0","private":true}\n' >"$_d/package.json"
			chmod 666 "$_d/package.json"
			echo "$_d"
		}
		app=$(npm_app)
		run_in "$app" "$TJ" -q --profile default -- npm install --registry "http://127.0.0.1:$reg_port/" \
			--cache "$app/cache" --no-audit --no-fund --no-update-notifier tinyleft
		expect_rc 0
		expect_err_lacks "killed by seccomp"
		run_in "$app" "$TJ" -q --profile default -- node -e 'console.log(require("tinyleft")(7, 3))'
		expect_out_is 007
		grep -q "GET /tarballs/tinyleft-1.0.0.tgz" "$TMP/reg/requests.log" || fail "npm did not fetch the tarball"
		app=$(npm_app)
		(cd "$app" && as_nobody timeout -k 5 120 "$TJ" -q --profile default -- /usr/bin/npm install \
			--registry "http://127.0.0.1:$reg_port/" --cache "$app/cache" --no-audit --no-fund \
			--no-update-notifier tinyleft) >"$TMP/.out" 2>"$TMP/.err"
		rc=$? err=$(cat "$TMP/.err")
		expect_rc 0
		expect_err_lacks "killed by seccomp"
		[ -f "$app/node_modules/tinyleft/index.js" ] || fail "as nobody: npm did not install tinyleft"

		t "npm install --offline from npm's cache, under build-job and cli-tool (node --jitless)"
		cache="$TMP/reg/cache"
		npm cache add --cache "$cache" --registry "http://127.0.0.1:$reg_port/" tinyleft@1.0.0 >/dev/null 2>&1 ||
			fail "could not fill npm's cache (outside tinyjail)"
		for p in build-job cli-tool; do
			app=$(npm_app)
			run_in "$app" "$TJ" -q --profile "$p" --setenv NODE_OPTIONS=--jitless -- npm install --offline \
				--registry "http://127.0.0.1:$reg_port/" --cache "$cache" --no-audit --no-fund --no-update-notifier tinyleft
			expect_rc 0
			expect_err_lacks "killed by seccomp"
			[ -f "$app/node_modules/tinyleft/index.js" ] || fail "$p: npm did not install tinyleft offline"
		done
	else
		fail "the registry on loopback did not start: $(cat "$TMP/reg/srv.log")"
	fi
else
	skip "node or npm missing (tools/install-deps.sh toolchains)"
fi

t "build-job: node without its JIT (build-job refuses W+X memory by design), npm with NODE_OPTIONS=--jitless"
if have node && have npm; then
	works build-job -- node --jitless -e 'console.log(6 * 7)'
	expect_out_is 42
	works build-job --setenv NODE_OPTIONS=--jitless -- npm --version
	expect_out_contains "."
	run "$TJ" --profile build-job -- node -e 'console.log(1)'
	expect_rc 159
	expect_err_contains "PROT_EXEC"
else
	skip "node or npm missing (tools/install-deps.sh toolchains)"
fi

t "java -version: works under default; build-job refuses the JIT's W+X memory, by design"
if have java; then
	run "$TJ" -q --profile default -- java -version
	expect_rc 0
	expect_err_contains "version"
	run "$TJ" --profile build-job -- java -version
	expect_rc 159
	expect_err_contains "PROT_EXEC"
	grep -q 'JIT' "$ROOT/policies/build-job.json" || fail "build-job's description does not say so"
else
	skip "java missing (tools/install-deps.sh toolchains)"
fi

for p in default cli-tool build-job shell-script; do
	t "$p: tar and gzip"
	works "$p" -- sh -c 'tar czf c.tgz c && gzip -t c.tgz && tar tzf c.tgz | sort | head -1'
	expect_out_is "c/"

	t "$p: coreutils and util-linux: timeout, nice, ionice, ps, flock"
	works "$p" -- timeout 5 true
	run "$TJ" -q --profile "$p" -- timeout 0.2 sleep 5
	expect_rc 124
	expect_err_lacks "killed by seccomp"
	works "$p" -- nice -n 5 nice
	expect_out_is 5
	works "$p" -- ionice -c 3 true
	works "$p" -- ps -o comm= -p 1
	works "$p" -- flock lockfile echo locked
	expect_out_is locked

	t "$p: bash -c does not read ~/.bashrc (an inherited descriptor is no ssh connection)"
	mkdir -p "$TMP/home"
	echo 'echo FROM-BASHRC' >"$TMP/home/.bashrc"
	run env HOME="$TMP/home" "$TJ" -q --profile "$p" -- bash -c 'echo ok' </dev/null
	expect_rc 0
	expect_out_is ok
done

t "curl: downloads from a loopback server under default and net-client"
mkdir -p "$TMP/www"
head -c 100000 /dev/urandom >"$TMP/www/blob.bin"
start_file_server "$TMP/www"
started=$?
srv_pid=$srv
if [ "$started" -ne 0 ]; then
	fail "the loopback server did not start: $(cat "$TMP/srv.log")"
else
	for p in default net-client; do
		run "$TJ" -q --profile "$p" -- curl -sS -o "$TMP/got-$p.bin" "http://127.0.0.1:$port/blob.bin"
		expect_rc 0
		cmp -s "$TMP/got-$p.bin" "$TMP/www/blob.bin" || fail "$p: the download differs"
	done
fi

# A sanitised inner tinyjail: LeakSanitizer stops the world with ptrace at
# exit, which default rightly kills.
NOLEAK="--setenv ASAN_OPTIONS=detect_leaks=0"

t "default: tinyjail runs inside tinyjail (the inner one kills through the kernel, and says why)"
run "$TJ" -q $NOLEAK -- "$TJ" -q --profile cli-tool -- ls "$DATA"
expect_rc 0
expect_out_contains "assert.c"
run "$TJ" -q $NOLEAK -- "$TJ" --profile strict -- "$PROBE" syscall socket 2 1 0
expect_rc 159
expect_err_contains "runs under another one's seccomp listener"
# With the outer one killing through the kernel, the inner one names the call.
run "$TJ" -q $NOLEAK --kill-via kernel -- "$TJ" --profile strict -- "$PROBE" syscall socket 2 1 0
expect_rc 159
expect_err_contains "killed by seccomp: socket("

t "default: tinyjail with namespaces and bwrap inside tinyjail, as nobody"
run_nobody "$TJ" -q $NOLEAK -- "$TJ" -q --unshare all --ro / -- cat "$DATA/c/b.c"
expect_rc 0
expect_out_contains "return 42"
if have bwrap; then
	run_nobody "$TJ" -q -- bwrap --ro-bind / / --unshare-all --die-with-parent cat "$DATA/c/b.c"
	expect_rc 0
	expect_out_contains "return 42"
	run "$TJ" -q --user nobody -- bwrap --ro-bind / / --unshare-all cat "$DATA/c/b.c"
	expect_rc 0
	expect_out_contains "return 42"
else
	skip "bwrap missing (tools/install-deps.sh toolchains)"
fi

finish
