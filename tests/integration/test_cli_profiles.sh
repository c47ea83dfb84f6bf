# SPDX-License-Identifier: Apache-2.0
# Profiles from the outside: `check` on the bundled profiles and the corpus
# of real Docker/Podman/SPO/runc profiles, each corpus profile enforcing real
# programs, `compile` output consumed by bubblewrap and by the OCI schema, and
# bad profile files refused before anything runs.
. "$ROOT/tests/integration/lib.sh"

CORPUS="$ROOT/tests/fixtures/corpus"
SCHEMA_DIR=/usr/share/gocode/src/github.com/opencontainers/runtime-spec/schema
VALIDATE="$ROOT/tests/integration/data/oci_seccomp_validate.py"
BAD=moby-profiles_fixture_example.json

run_nobody() {
	as_nobody timeout -k 5 "${TJ_TEST_TIMEOUT:-60}" "$@" >"$TMP/.out" 2>"$TMP/.err"
	rc=$?
	out=$(cat "$TMP/.out")
	err=$(cat "$TMP/.err")
}

expect_out_is() {
	[ "$out" = "$1" ] || fail "stdout is '$out', expected '$1'"
}

# What each corpus profile does to: /bin/true, `ls /`, `sh -c 'echo hi'`,
# and `probe syscall userfaultfd` (which every one of them denies, while the
# kernel itself would succeed: exit 0).  "e125" means tinyjail refuses to
# start anything.
corpus_expect() {
	case $1 in
	moby-profiles_fixture_conditional_include.json | oci-seccomp-bpf-hook_block-mkdir.json)
		# Test fixtures, not profiles to run programs under: the default
		# is ERRNO and execve is not allowed.  runc would load the filter
		# and then fail its own execve with EPERM ("exec: operation not
		# permitted"); tinyjail sees that before starting and exits 125.
		echo "e125 e125 e125 e125" ;;
	moby-profiles_fixture_default-old-format.json)
		# Docker's 2020 list predates statx and rseq: both get EPERM, so
		# ls cannot stat '/' (exit 2, "Operation not permitted"), exactly
		# as under runc or Docker with this profile.
		echo "0 2 0 1" ;;
	spo_bpf-recorder.json)
		# SPO's profile for its static Go recorder lacks exit_group (and
		# access): exit_group fails with EPERM, glibc's _exit falls back
		# to a faulting instruction, and the program dies of SIGSEGV;
		# runc applies the same filter with the same result.
		echo "139 139 139 139" ;;
	runc_seccomp_syscall_test2.json)
		# defaultErrnoRet 6 (ENXIO) answers userfaultfd.
		echo "0 0 0 6" ;;
	*)
		echo "0 0 0 1" ;;
	esac
}

# Runs a command under a corpus profile and checks the expected outcome.
corpus_run() {
	_want=$1
	shift
	# CAP_SYS_PTRACE is kept so that the kernel itself would allow
	# userfaultfd: a denial then comes from the profile.
	run "$TJ" -q --cap-keep SYS_PTRACE --profile "$CORPUS/$name" -- "$@"
	case $_want in
	e125)
		[ "$rc" -eq 125 ] || fail "$name: $*: expected 125, got $rc"
		case "$err" in *"does not allow execve"*) ;; *) fail "$name: no execve message" ;; esac ;;
	*)
		[ "$rc" -eq "$_want" ] || fail "$name: $*: expected exit $_want, got $rc" ;;
	esac
}

t "the corpus is complete"
n=$(ls "$CORPUS"/*.json | wc -l)
[ "$n" -eq 13 ] || fail "expected 13 corpus profiles, found $n"

t "check accepts the bundled profiles"
for p in "$ROOT"/policies/*.json; do
	run "$TJ" check "$p"
	expect_rc 0
	# default and strict are plain OCI profiles; the ready ones use groups
	case $(basename "$p") in
	default.json | strict.json) expect_out_contains "$p: ok: seccomp profile;" ;;
	*) expect_out_contains "$p: ok: tinyjail profile;" ;;
	esac
	expect_out_contains "seccomp: applied:"
done
run "$TJ" check default strict
expect_rc 0

t "check accepts every corpus profile but the fixture with errnoRet 12345 and the two that deny execve"
for p in "$CORPUS"/*.json; do
	name=$(basename "$p")
	run "$TJ" check "$p"
	if [ "$name" = "$BAD" ]; then
		[ "$rc" -eq 125 ] || fail "$name: expected 125, got $rc"
		expect_err_contains "$p:30:25: syscalls[3].errnoRet: 12345 is out of range (at most 4094)"
	elif [ "$name" = moby-profiles_fixture_conditional_include.json ] ||
		[ "$name" = oci-seccomp-bpf-hook_block-mkdir.json ]; then
		# Valid, but no command could start under them: run refuses
		# them, and so does check (issue 18, test_plan.sh).
		[ "$rc" -eq 125 ] || fail "$name: expected 125, got $rc"
		expect_err_contains "the profile does not allow execve"
	else
		[ "$rc" -eq 0 ] || fail "$name: check failed with $rc"
		expect_out_contains "$p: ok:"
	fi
done
# One bad profile among good ones makes the whole check fail.
run "$TJ" check "$ROOT/policies/strict.json" "$CORPUS/$BAD" "$ROOT/policies/default.json"
expect_rc 125
expect_out_contains "strict.json: ok:"
expect_out_contains "default.json: ok:"

t "every loadable corpus profile enforces real programs"
for p in "$CORPUS"/*.json; do
	name=$(basename "$p")
	[ "$name" = "$BAD" ] && continue
	set -- $(corpus_expect "$name")
	want_true=$1 want_ls=$2 want_sh=$3 want_uffd=$4
	corpus_run "$want_true" /bin/true
	corpus_run "$want_ls" ls /
	[ "$want_ls" = 2 ] && case "$err" in *"Operation not permitted"*) ;; *) fail "$name: ls: no EPERM" ;; esac
	corpus_run "$want_sh" sh -c 'echo hi'
	[ "$want_sh" = 0 ] && [ "$out" != hi ] && fail "$name: sh printed '$out'"
	# The filter is really loaded: a call the kernel allows is denied
	# with the profile's errno, while an allowed one passes.
	corpus_run "$want_uffd" "$PROBE" syscall userfaultfd
	case $want_uffd in
	e125 | 139) ;;
	*) corpus_run 0 "$PROBE" syscall getpid ;;
	esac
done
t "every loadable corpus profile runs the same real programs as nobody"
# As an ordinary user (no capabilities to keep): the same outcomes for true,
# ls and sh; userfaultfd gets the profile's errno (the kernel would refuse
# nobody with EPERM too, so runc's test2 profile, errno 6, shows the filter).
for p in "$CORPUS"/*.json; do
	name=$(basename "$p")
	[ "$name" = "$BAD" ] && continue
	set -- $(corpus_expect "$name")
	want_true=$1 want_ls=$2 want_sh=$3 want_uffd=$4
	for cmd in "true:/bin/true" "ls:ls /" "sh:sh -c echo_hi" "uffd:$PROBE syscall userfaultfd"; do
		what=${cmd%%:*} args=${cmd#*:}
		eval "want=\$want_$what"
		if [ "$what" = sh ]; then
			run_nobody "$TJ" -q --profile "$p" -- sh -c 'echo hi'
		else
			run_nobody "$TJ" -q --profile "$p" -- $args
		fi
		case $want in
		e125)
			[ "$rc" -eq 125 ] || fail "as nobody, $name: $args: expected 125, got $rc" ;;
		*)
			[ "$rc" -eq "$want" ] || fail "as nobody, $name: $args: expected exit $want, got $rc" ;;
		esac
		[ "$what" = sh ] && [ "$want" = 0 ] && [ "$out" != hi ] && fail "as nobody, $name: sh printed '$out'"
		expect_err_lacks "killed by seccomp"
	done
	case $want_uffd in
	e125 | 139) ;;
	*)
		run_nobody "$TJ" -q --profile "$p" -- "$PROBE" syscall getpid
		[ "$rc" -eq 0 ] || fail "as nobody, $name: getpid: exit $rc" ;;
	esac
done

# The control for userfaultfd: without a filter the kernel allows it (to a
# holder of CAP_SYS_PTRACE), and refuses it once capabilities are dropped.
run "$TJ" -q --cap-keep SYS_PTRACE --profile none -- "$PROBE" syscall userfaultfd
expect_rc 0
run "$TJ" -q --profile none -- "$PROBE" syscall userfaultfd
expect_rc 1

t "the fixture with errnoRet 12345 runs nothing"
run "$TJ" --profile "$CORPUS/$BAD" -- /bin/touch "$TMP/bad-ran"
expect_rc 125
expect_err_contains "syscalls[3].errnoRet: 12345 is out of range"
[ ! -e "$TMP/bad-ran" ] || fail "the command ran"

t "compile --bpf output loads in bubblewrap"
if ! command -v bwrap >/dev/null 2>&1; then
	skip "bwrap is not installed"
elif ! bwrap --ro-bind / / -- /bin/true 2>"$TMP/bwrap.err"; then
	skip "bwrap cannot run here: $(head -1 "$TMP/bwrap.err")"
else
	run "$TJ" compile "$ROOT/policies/default.json" --bpf "$TMP/default.bpf"
	expect_rc 0
	size=$(stat -c %s "$TMP/default.bpf")
	[ "$size" -gt 0 ] && [ $((size % 8)) -eq 0 ] || fail "default.bpf has $size bytes"
	run sh -c 'bwrap --ro-bind / / --seccomp 3 3<"$1" -- /bin/true' sh "$TMP/default.bpf"
	expect_rc 0
	run "$TJ" compile strict --bpf "$TMP/strict.bpf"
	expect_rc 0
	run sh -c 'bwrap --ro-bind / / --seccomp 3 3<"$1" -- "$2" syscall getpid' sh "$TMP/strict.bpf" "$PROBE"
	expect_rc 0
	# The kernel kills with SIGSYS; bwrap reports it as 128+31.
	run sh -c 'bwrap --ro-bind / / --seccomp 3 3<"$1" -- "$2" syscall ptrace 16 999999999' sh "$TMP/strict.bpf" "$PROBE"
	expect_rc 159
	case "$out" in *"syscall 101"*) fail "ptrace returned under strict" ;; esac
	# ERRNO rules carry their errno into the program.
	cat >"$TMP/errno.json" <<'EOF'
{"defaultAction": "SCMP_ACT_ALLOW",
 "syscalls": [{"names": ["ptrace"], "action": "SCMP_ACT_ERRNO", "errnoRet": 77}]}
EOF
	run "$TJ" compile "$TMP/errno.json" --bpf "$TMP/errno.bpf"
	expect_rc 0
	run sh -c 'bwrap --ro-bind / / --seccomp 3 3<"$1" -- "$2" syscall ptrace 16 999999999' sh "$TMP/errno.bpf" "$PROBE"
	expect_rc 77
fi

t "compile --pfc prints libseccomp pseudo code"
run "$TJ" compile strict --pfc -
expect_rc 0
expect_out_contains "# pseudo filter code start"
expect_out_contains "# filter for arch x86_64 (3221225534)"
expect_out_contains "action KILL_PROCESS;"
expect_out_contains "action ERRNO(38);"
run "$TJ" compile strict
expect_rc 0
expect_out_contains "# pseudo filter code start"
run "$TJ" compile strict --pfc "$TMP/strict.pfc"
expect_rc 0
expect_file_contains "$TMP/strict.pfc" "# pseudo filter code end"
[ -z "$out" ] || fail "--pfc FILE also wrote to stdout"

t "compile --oci output validates against the OCI runtime-spec schema"
if [ ! -f "$SCHEMA_DIR/config-linux.json" ] || ! /usr/bin/python3 -c 'import jsonschema' 2>/dev/null; then
	skip "the OCI schema or python3-jsonschema is missing"
else
	exported="" n=0
	# The ready profiles and the fixture use syscall groups and exclusions:
	# the export must name plain syscalls only.
	for p in "$ROOT"/policies/*.json "$CORPUS"/*.json "$ROOT/tests/fixtures/profiles/good/groups.json"; do
		name=$(basename "$p" .json)
		[ "$name.json" = "$BAD" ] && continue
		run "$TJ" compile -q "$p" --oci "$TMP/$name.oci.json"
		[ "$rc" -eq 0 ] || fail "$name: compile --oci failed with $rc"
		if grep -q '"[@!]' "$TMP/$name.oci.json"; then
			fail "$name: the export still names groups or exclusions"
		fi
		exported="$exported $TMP/$name.oci.json"
		n=$((n + 1))
	done
	[ "$n" -ge 21 ] || fail "only $n profiles exported"
	run /usr/bin/python3 "$VALIDATE" "$SCHEMA_DIR" $exported
	expect_rc 0
	[ "$(printf '%s\n' "$out" | grep -c '^ok ')" -eq "$n" ] || fail "not all $n exports validated"
	# The validator itself refuses what the spec forbids (and dialect keys).
	printf '{"defaultAction": "SCMP_ACT_ERRNO", "archMap": []}\n' >"$TMP/dialect.json"
	printf '{"defaultAction": "SCMP_ACT_BOGUS"}\n' >"$TMP/bogus.json"
	for f in "$TMP/dialect.json" "$TMP/bogus.json" "$CORPUS/moby-profiles_default.json"; do
		run /usr/bin/python3 "$VALIDATE" "$SCHEMA_DIR" "$f"
		[ "$rc" -eq 1 ] || fail "the validator accepted $f"
	done
fi

t "compile --spo: a SeccompProfile the operator's CRD accepts, with the same filter"
if ! /usr/bin/python3 -c 'import jsonschema, yaml' 2>/dev/null; then
	skip "python3-jsonschema or python3-yaml is missing"
else
	n=0
	for p in "$ROOT"/policies/*.json "$CORPUS"/*.json "$ROOT/tests/fixtures/profiles/good/groups.json"; do
		name=$(basename "$p" .json)
		[ "$name.json" = "$BAD" ] && continue
		run "$TJ" compile -q "$p" --spo "$TMP/$name.spo.yaml" --bpf "$TMP/$name.orig.bpf"
		if [ "$rc" -ne 0 ]; then
			# Docker's and Podman's profiles return ENOSYS by default,
			# which the CRD (no defaultErrnoRet) cannot say.
			case $err in *defaultErrnoRet*) continue ;; esac
			fail "$name: compile --spo failed with $rc"
			continue
		fi
		run /usr/bin/python3 "$ROOT/tests/integration/data/spo_validate.py" --spec-json "$TMP/$name.spec.json" \
			"$TMP/$name.spo.yaml"
		[ "$rc" -eq 0 ] || { fail "$name: $out"; continue; }
		run "$TJ" compile -q "$TMP/$name.spec.json" --bpf "$TMP/$name.spo.bpf"
		[ "$rc" -eq 0 ] || { fail "$name: the SPO spec does not load ($rc)"; continue; }
		cmp -s "$TMP/$name.orig.bpf" "$TMP/$name.spo.bpf" || fail "$name: the SPO spec compiles differently"
		n=$((n + 1))
	done
	[ "$n" -ge 15 ] || fail "only $n profiles written as SeccompProfiles"
	grep -q '^  name: strict$' "$TMP/strict.spo.yaml" || fail "the name is not the file's"
	run "$TJ" compile -q strict --spo - --spo-name 'My App_1'
	expect_rc 0
	expect_out_contains "  name: my-app-1"
	# What the CRD cannot hold is refused, not dropped.
	printf '{"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 38}\n' >"$TMP/enosys.json"
	run "$TJ" compile -q "$TMP/enosys.json" --spo "$TMP/enosys.yaml"
	expect_rc 125
	expect_err_contains "defaultErrnoRet"
	[ ! -e "$TMP/enosys.yaml" ] || fail "a refused profile was written"
fi

t "re-loading an exported profile gives the same BPF"
for p in "$ROOT"/policies/*.json "$CORPUS"/*.json "$ROOT/tests/fixtures/profiles/good/groups.json"; do
	name=$(basename "$p" .json)
	[ "$name.json" = "$BAD" ] && continue
	run "$TJ" compile -q "$p" --bpf "$TMP/$name.a.bpf" --oci "$TMP/$name.re.json"
	[ "$rc" -eq 0 ] || { fail "$name: compile failed with $rc"; continue; }
	run "$TJ" compile -q "$TMP/$name.re.json" --bpf "$TMP/$name.b.bpf"
	[ "$rc" -eq 0 ] || { fail "$name: the export does not load ($rc)"; continue; }
	cmp -s "$TMP/$name.a.bpf" "$TMP/$name.b.bpf" || fail "$name: the export compiles differently"
done

# --- bad profile files: each exits 125 and runs nothing ---

mkdir -p "$TMP/w"
chmod 777 "$TMP/w"

# Runs `tinyjail --profile P -- touch MARKER` (and check/compile on P);
# expects 125, the message, and no marker.
refuse() {
	_p=$1 _msg=$2
	rm -f "$TMP/w/marker"
	run "$TJ" --profile "$_p" -- /bin/touch "$TMP/w/marker"
	expect_rc 125
	expect_err_contains "$_msg"
	[ ! -e "$TMP/w/marker" ] || fail "the command ran"
	run "$TJ" check "$_p"
	expect_rc 125
	expect_err_contains "$_msg"
	run "$TJ" compile "$_p" --bpf "$TMP/w/out.bpf"
	expect_rc 125
	[ ! -e "$TMP/w/out.bpf" ] || fail "compile wrote a program"
}

t "a profile that is a directory"
mkdir -p "$TMP/dir.json"
refuse "$TMP/dir.json" "tinyjail: $TMP/dir.json: is a directory, not a profile file"

t "a missing profile"
refuse "$TMP/missing.json" "tinyjail: $TMP/missing.json: cannot open profile: No such file or directory"
run "$TJ" --profile no-such-bundled-profile -- /bin/touch "$TMP/w/marker"
expect_rc 125
expect_err_contains "no bundled profile named 'no-such-bundled-profile'"
[ ! -e "$TMP/w/marker" ] || fail "the command ran"

t "a malformed profile: the message has line:col"
printf '{\n  "defaultAction": "SCMP_ACT_ALLOW",\n  "syscalls": [ {"names": ["read"], "action": } ]\n}\n' >"$TMP/mal.json"
refuse "$TMP/mal.json" "tinyjail: $TMP/mal.json:3:"
printf '%s\n' "$err" | grep -Eq "mal\\.json:3:[0-9]+: invalid JSON" || fail "no 'file:3:col: invalid JSON'"
printf '{\n  "defaultAction": "SCMP_ACT_ALOW"\n}\n' >"$TMP/typo.json"
refuse "$TMP/typo.json" "$TMP/typo.json:2:20: defaultAction: unknown action 'SCMP_ACT_ALOW' (did you mean 'SCMP_ACT_ALLOW'?)"
: >"$TMP/empty.json"
refuse "$TMP/empty.json" "$TMP/empty.json: file is empty"
printf '[]\n' >"$TMP/array.json"
refuse "$TMP/array.json" "$TMP/array.json:1:1: expected a JSON object"

t "a profile nobody cannot read"
cp "$ROOT/policies/default.json" "$TMP/unreadable.json"
chmod 600 "$TMP/unreadable.json"
rm -f "$TMP/w/marker"
run_nobody "$TJ" --profile "$TMP/unreadable.json" -- /bin/touch "$TMP/w/marker"
expect_rc 125
expect_err_contains "tinyjail: $TMP/unreadable.json: cannot open profile: Permission denied"
[ ! -e "$TMP/w/marker" ] || fail "the command ran"
run_nobody "$TJ" check "$TMP/unreadable.json"
expect_rc 125
# The control: readable, the same command as nobody does create the marker.
chmod 644 "$TMP/unreadable.json"
run_nobody "$TJ" --profile "$TMP/unreadable.json" -- /bin/touch "$TMP/w/marker"
expect_rc 0
[ -e "$TMP/w/marker" ] || fail "the control did not create the marker"

finish
