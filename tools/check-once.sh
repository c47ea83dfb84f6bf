#!/bin/sh
# Knowledge written once (issue 18): each rule names a pattern and the only
# files that may contain it, so a second copy of a kernel ABI number, a
# third-party include or an option bound fails `make check-tree`.  Comment
# lines (starting with / * or *) are not code and are skipped.
set -u
cd "$(dirname "$0")/.." || exit 2
bad=0
# rule WHAT ERE ALLOWED-FILES...: ERE (grep -E) may appear in src/ and
# include/ only in ALLOWED (the BPF program is not host C).  $scope narrows
# where to look.
scope="src include"
rule() {
	what=$1 re=$2
	shift 2
	# shellcheck disable=SC2086
	hits=$(grep -rnE --include='*.[ch]' --exclude-dir=bpf "$re" $scope | grep -vE '^[^:]+:[0-9]+:[[:space:]]*(/\*|\*)' |
		while IFS= read -r line; do
			f=${line%%:*}
			ok=0
			for a in "$@"; do [ "$f" = "$a" ] && ok=1; done
			[ $ok = 1 ] || printf '%s\n' "$line"
		done)
	if [ -n "$hits" ]; then
		if [ $# -gt 0 ]; then
			printf 'once check: %s belongs to %s only:\n%s\n' "$what" "$*" "$hits"
		else
			printf 'once check: %s, nowhere:\n%s\n' "$what" "$hits"
		fi
		bad=$((bad + 1))
	fi
}
rule "libseccomp (<seccomp.h>)" '#[[:space:]]*include[[:space:]]*<seccomp\.h>' src/filter/filter.c src/filter/notify.c
rule "the kernel's seccomp ABI (<linux/seccomp.h>)" '#[[:space:]]*include[[:space:]]*<linux/seccomp\.h>' \
	include/tj/base/seccomp_abi.h
rule "seccomp return values as numbers (use SECCOMP_RET_*)" \
	'0x(7fff0000|7ffc0000|7ff00000|7fc00000|00050000|00030000|ffff0000|0000ffff)[uUlL]*\b'
rule "Landlock's headers and access rights" \
	'#[[:space:]]*include[[:space:]]*<linux/landlock\.h>|#define[[:space:]]+[A-Z_]*(FS|NET|SCOPE)_[A-Z_]+[[:space:]]+\(1ULL' \
	include/tj/base/sys.h
rule "Landlock ABI levels as numbers (use TJ_LANDLOCK_ABI_*)" 'landlock_abi\(\) *[<>]=? *[2-9]|abi *[<>]=? *[2-9]\b' 
rule "the pending-notification check of a safe kill (tj_notify_kill_caller)" \
	'seccomp_notify_id_valid|SECCOMP_IOCTL_NOTIF_ID_VALID' src/filter/notify.c
rule "the highest port (TJ_PORT_MAX)" '\b65535\b' include/tj/model/ports.h
# The flags (cli.c) and the profile's sections (json_sections.c) share the
# bounds of model/limits.h, netpolicy.h, ports.h and isolation.h.
scope="src/cli/cli.c src/json/json_sections.c src/model/limits.c src/model/netpolicy.c src/model/isolation.c"
rule "option bounds (the constants of model/limits.h, netpolicy.h, ports.h, isolation.h)" '\b(4096|100000|1000000)\b'
scope="src include"
[ $bad = 0 ] || { printf 'once check: %d problem(s)\n' $bad; exit 1; }
echo "once check: libseccomp, the seccomp and Landlock ABIs, ports and option bounds each have one home"
