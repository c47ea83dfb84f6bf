# SPDX-License-Identifier: Apache-2.0
# The man page and the zsh completion follow the binary (issue 17,
# Conventions): every option `tinyjail help VERB` lists is in man/tinyjail.1,
# and the zsh completion reads each verb's options from `tinyjail help VERB`
# (as the bash one does, test_conventions.sh).
. "$ROOT/tests/integration/lib.sh"

MAN="$ROOT/man/tinyjail.1"
VERBS="run check compile groups why profiles supervise learn diff explain edit report help version"

# missing_from_man BIN MAN: "verb --option" for every option of an option
# table of BIN help VERB (a line that starts with it) that MAN never names as
# \-\-option (whole: --net does not count for --net-ports).
missing_from_man() {
	for v in $VERBS; do
		"$1" help "$v" 2>/dev/null | python3 -c '
import re, sys
verb, man = sys.argv[1], open(sys.argv[2]).read()
named = set(re.findall(r"\\-\\-([a-z0-9]+(?:\\-[a-z0-9]+)*)", man))
for line in sys.stdin:
    m = re.match(r"^ +(?:-[A-Za-z], +)?--([a-z][a-z0-9-]*)", line)
    if m and m.group(1).replace("-", "\\-") not in named:
        print(verb, "--" + m.group(1))
' "$v" "$2"
	done
}

t "the man page names every option of every verb's help"
missing=$(missing_from_man "$TJ" "$MAN")
[ -z "$missing" ] || fail "man/tinyjail.1 lacks: $(echo $missing)"
# learn --fuzz's options, by name (issue 17).
for o in budget budget-execs max-time jobs from fuzz-dir fuzz-seed afl workdir net-upstream-proxy; do
	esc=$(printf '%s' "--$o" | sed 's/-/\\-/g')
	grep -qF -- "$esc" "$MAN" || fail "the man page lacks --$o"
done

t "the man page check fails for an option the page lacks (the check can fail)"
mkdir -p "$TMP/fake"
cat >"$TMP/fake/tinyjail" <<EOF
#!/bin/sh
"$TJ" "\$@"
[ "\$1 \$2" = "help learn" ] && printf '      --zz-not-documented N    a new option\n'
exit 0
EOF
chmod +x "$TMP/fake/tinyjail"
missing=$(missing_from_man "$TMP/fake/tinyjail" "$MAN")
[ "$missing" = "learn --zz-not-documented" ] || fail "the check reported '$missing'"
# A prefix does not count: --net is named, --net-nope is not.
printf '.B \\-\\-net\n' >"$TMP/short.1"
out=$(printf '      --net-nope X   x\n' | python3 -c '
import re, sys
man = open(sys.argv[1]).read()
named = set(re.findall(r"\\-\\-([a-z0-9]+(?:\\-[a-z0-9]+)*)", man))
for line in sys.stdin:
    m = re.match(r"^ +(?:-[A-Za-z], +)?--([a-z][a-z0-9-]*)", line)
    if m and m.group(1).replace("-", "\\-") not in named:
        print("--" + m.group(1))
' "$TMP/short.1")
[ "$out" = "--net-nope" ] || fail "a prefix passed for the option: '$out'"

t "groff renders the man page without warnings"
if ! command -v groff >/dev/null; then
	skip "groff is not installed (tools/install-deps.sh test)"
else
	run groff -ww -man -Tutf8 -P-cbou "$MAN"
	expect_rc 0
	[ -z "$err" ] || fail "groff: $err"
	expect_out_contains "VERB OPTIONS"
fi

# zsh_specs WORDS...: the _arguments specs the zsh completion offers for a
# command line (the last word is being completed), with tinyjail from PATH.
zsh_specs() {
	zsh -f -c '
		_arguments() { print -l -- "$@"; }
		_describe() { :; }
		words=("$@"); CURRENT=$#
		source "$COMP"' zsh "$@"
}

t "zsh completion reads each verb's options from tinyjail help VERB"
if ! command -v zsh >/dev/null; then
	skip "zsh is not installed (tools/install-deps.sh test)"
else
	mkdir -p "$TMP/bin"
	ln -sf "$TJ" "$TMP/bin/tinyjail"
	export COMP="$ROOT/tools/completion/_tinyjail"
	out=$(PATH="$TMP/bin:$PATH" zsh_specs tinyjail learn --bu 2>&1)
	for o in --budget --budget-execs --jobs --from --fuzz-dir --fuzz-seed --fuzz --merge --journal; do
		case "$out" in *"*$o["*) ;; *) fail "learn: no spec for $o" ;; esac
	done
	# help's own words, and a value completion kept for --from.
	case "$out" in *"*--from[start from this profile"*":profile:_tinyjail_profiles"*) ;; *) fail "learn --from: $(echo "$out" | grep -- --from)" ;; esac
	case "$out" in *"(-o --output)--output["*) ;; *) fail "learn: no -o/--output pair" ;; esac
	out=$(PATH="$TMP/bin:$PATH" zsh_specs tinyjail --wo 2>&1)
	for o in --workdir --net-upstream-proxy --allow-syscall --rw-limit --afl; do
		case "$out" in *"*$o["*) ;; *) fail "run: no spec for $o" ;; esac
	done
	out=$(PATH="$TMP/bin:$PATH" zsh_specs tinyjail compile x --sp 2>&1)
	for o in --spo --spo-name --optimize --bpf; do
		case "$out" in *"*$o["*) ;; *) fail "compile: no spec for $o" ;; esac
	done
	out=$(PATH="$TMP/bin:$PATH" zsh_specs tinyjail supervise --wr 2>&1)
	case "$out" in *"*--write-back-to["*) ;; *) fail "supervise: no --write-back-to" ;; esac
	# An option only the binary knows shows up: nothing is listed by hand.
	out=$(PATH="$TMP/fake:$PATH" zsh_specs tinyjail learn --zz 2>&1)
	case "$out" in *"*--zz-not-documented[a new option]:value:"*) ;; *) fail "not read from help: $out" ;; esac
	case "$out" in *"bad math"* | *"error"*) fail "zsh: $out" ;; *) ;; esac
fi

finish
