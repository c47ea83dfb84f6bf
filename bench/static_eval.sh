#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The static pre-analysis against traced runs (notes/static-analysis.md):
# for each program, the syscalls `tinyjail learn --static` allows, the syscalls a
# traced run of it used (its own image: `strace -f`, then
# tests/helpers/traced_syscalls.py), whether static covers traced, and the
# analysis's wall and CPU time cold (an empty summary cache) and cached, and
# its peak memory.  Then every binary of Debian's coreutils package: the
# median and largest static count.  Prints a Markdown table.
# Usage: bench/static_eval.sh [BUILD]    (needs strace, gcc, python3, git)
set -u
cd "$(dirname "$0")/.." || exit 1
root=$(pwd)
build=${1:-build}
TJ=$root/$build/tinyjail
TRACED=$root/tests/helpers/traced_syscalls.py
[ -x "$TJ" ] || { echo "static_eval: build $build first (make)" >&2; exit 1; }
for c in strace gcc python3 git; do
	command -v $c >/dev/null 2>&1 || { echo "static_eval: $c is missing (tools/install-deps.sh bench)" >&2; exit 1; }
done
W=$(mktemp -d "${TMPDIR:-/tmp}/tj-static-eval.XXXXXX")
trap 'rm -rf "$W"' EXIT
cd "$W" || exit 1

# Inputs the traced runs use.
printf '#include <stdio.h>\nint main(void) { puts("hello, world"); return 0; }\n' >hello.c
gcc -O2 -o hello hello.c
printf 'import json, re, os\nprint(json.dumps(sorted(os.listdir("/"))), re.sub("a+", "b", "caaat"))\n' >script.py
printf 'int main(void) { return 0; }\n' >prog.c
seq 1 2000 | sort -R >numbers
touch unknown-owner && chown 54321:54321 unknown-owner 2>/dev/null
mkdir repo

names_of() {
	python3 -c 'import json,sys; print("\n".join(sorted(n for r in json.load(open(sys.argv[1]))["syscalls"] for n in r["names"])))' "$1"
}

# measure OUT.json PROGRAM: "wall cpu maxrss_kb" of one analysis
measure() {
	/usr/bin/time -f '%e %U %S %M' -o time.txt "$TJ" learn --static --force -q -o "$1" "$2" 2>/dev/null || echo "learn --static failed: $2" >&2
	awk '{printf "%.2f %.2f %d", $1, $2 + $3, $4}' time.txt
}

echo "| program | static | traced | static ⊇ traced | cold wall (CPU) | cached wall (CPU) | peak memory |"
echo "| --- | ---: | ---: | --- | ---: | ---: | ---: |"
# row LABEL PROGRAM ARGS...: PROGRAM is the image analysed and traced.
row() {
	label=$1
	shift
	img=$(readlink -f "$(command -v "$1")")
	export XDG_CACHE_HOME="$W/cache-$$-$(echo "$label" | tr -c 'a-z0-9' _)"
	set -- $(measure cold.json "$img") "$@"
	cold_wall=$1 cold_cpu=$2 cold_rss=$3
	shift 3
	set -- $(measure cached.json "$img") "$@"
	warm_wall=$1 warm_cpu=$2 warm_rss=$3
	shift 3
	names_of cached.json >static.txt
	strace -f -qq -o trace.txt "$@" >/dev/null 2>&1
	python3 "$TRACED" trace.txt "$img" >traced.txt
	miss=$(comm -13 static.txt traced.txt | tr '\n' ' ')
	incomplete=$(grep -q INCOMPLETE cached.json && echo " (incomplete)")
	rss=$cold_rss
	[ "$warm_rss" -gt "$rss" ] && rss=$warm_rss
	printf '| %s | %d%s | %d | %s | %s s (%s s) | %s s (%s s) | %d MiB |\n' "$label" "$(wc -l <static.txt)" \
		"$incomplete" "$(wc -l <traced.txt)" "${miss:+misses: $miss}${miss:-yes}" "$cold_wall" "$cold_cpu" \
		"$warm_wall" "$warm_cpu" $((rss / 1024))
}

row "hello world (glibc, dynamic PIE)" ./hello
row "true" /bin/true
row "ls -la /etc" /bin/ls -la /etc
row "ls -l (unknown owner: NSS)" /bin/ls -l unknown-owner
row "cat" /bin/cat /etc/os-release
row "cp" /bin/cp /etc/os-release copy
row "sort" /usr/bin/sort -n numbers
row "grep -r" /bin/grep -r root /etc/passwd
row "find" /usr/bin/find /etc -name passwd
row "tar czf (tar's image)" /bin/tar czf x.tgz /etc/os-release
row "gzip" /bin/gzip -c /etc/passwd
row "sed" /bin/sed s/root/toor/ /etc/passwd
row "wc" /usr/bin/wc /etc/passwd
row "python3 (json, re, os)" /usr/bin/python3 script.py
row "git init (git's image)" /usr/bin/git init -q repo
row "gcc -c (the driver's image)" /usr/bin/gcc -c prog.c -o prog.o
row "curl file://" /usr/bin/curl -s -o /dev/null file:///etc/os-release

# Every coreutils binary: the static count alone (cached libraries).
export XDG_CACHE_HOME="$W/cache-coreutils"
: >counts.txt
for f in $(dpkg -L coreutils 2>/dev/null | grep -E '^/(usr/)?s?bin/' | sort -u); do
	[ -f "$f" ] && [ ! -L "$f" ] || continue
	"$TJ" learn --static --force -q -o c.json "$f" 2>/dev/null || continue
	echo "$(names_of c.json | wc -l) $(basename "$f")" >>counts.txt
done
sort -n counts.txt | awk '{v[NR] = $1; n[NR] = $2} END {
	if (NR == 0) { print "no coreutils binaries found"; exit }
	m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
	printf "\ncoreutils: %d binaries, static syscall count median %s, smallest %d (%s), largest %d (%s)\n", NR, m, v[1], n[1], v[NR], n[NR]
}'
