#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The JSON Schema of the profile format (notes/profile.schema.json) accepts
# every bundled policy and every profile tinyjail accepts, and rejects the
# structural mistakes the loader rejects.
. "$(dirname "$0")/lib.sh"

VALIDATE="/usr/bin/python3 $ROOT/tools/validate-profile"
GOOD=$ROOT/tests/fixtures/profiles/good
BAD=$ROOT/tests/fixtures/profiles/bad

t "the schema is a valid JSON Schema (draft 2020-12) and accepts every bundled policy"
if ! /usr/bin/python3 -c 'import jsonschema' 2>/dev/null; then
	skip "python3-jsonschema is not installed"
else
	n=0
	for p in "$ROOT"/policies/*.json; do
		run $VALIDATE "$p"
		expect_rc 0
		n=$((n + 1))
	done
	[ "$n" -ge 2 ] || fail "only $n bundled policies found"
fi

t "the schema accepts the good fixtures and the real corpus (tinyjail accepts them too)"
for p in "$GOOD"/*.json "$ROOT"/tests/fixtures/corpus/*.json; do
	# OCI runtime configs without a tinyjail section are the OCI schema's.
	grep -q '"tinyjail"' "$p" || ! grep -q '"ociVersion"' "$p" || continue
	run $VALIDATE "$p"
	[ "$rc" -eq 0 ] || fail "$out"
	run "$TJ" check "$p"
	# A few corpus profiles cannot compile here (see test_cli_profiles), but
	# none is rejected as malformed.
	# (Warnings may say "unknown"; a profile that denies execve is refused
	# as run refuses it, issue 18.)
	[ "$rc" -ne 125 ] || case "$(printf '%s\n' "$err" | grep -v '^tinyjail: warning: ')" in
	*"is not"* | *unknown* | *expected*) fail "tinyjail rejects $p: $err" ;;
	esac
done

t "the schema rejects what the loader rejects for its structure"
for name in tinyjail-key-typo tinyjail-unknown-key tinyjail-missing-version tinyjail-version-2 \
	tinyjail-version-string tinyjail-fs-relative tinyjail-port-range tinyjail-write-limit-size \
	tinyjail-linux-unknown-key tinyjail-seccomp-unknown-key oci-namespace-path oci-no-new-privileges-false \
	tinyjail-env-bad-name; do
	run $VALIDATE "$BAD/$name.json"
	[ "$rc" -eq 1 ] || fail "$name.json: the schema accepts it"
	run "$TJ" check "$BAD/$name.json"
	[ "$rc" -eq 125 ] || fail "$name.json: tinyjail accepts it"
done

t "a profile using every section validates and is accepted"
run $VALIDATE "$GOOD/tinyjail-isolation.json"
expect_rc 0
expect_out_contains "ok "

finish
