# SPDX-License-Identifier: Apache-2.0
# What the fuzz scripts share (sourced by smoke.sh and afl.sh from the
# repository's root): the targets, their seeds, the sources and libraries.
#
# A target is one file tests/fuzz/fuzz_NAME.c with one LLVMFuzzerTestOneInput,
# built for libFuzzer (smoke.sh, make check) and for AFL++ (afl.sh, make fuzz).
# Its committed corpus, minimised by `make fuzz`, is tests/fuzz/corpus/NAME/.

# Every target, by name.
fuzz_targets() {
	for f in tests/fuzz/fuzz_*.c; do
		f=${f#tests/fuzz/fuzz_}
		echo "${f%.c}"
	done
}

FUZZ_PKGS="libseccomp json-c libcap libelf libbpf"
pkg-config --exists capstone 2>/dev/null && FUZZ_PKGS="$FUZZ_PKGS capstone"
pkg-config --exists libdw 2>/dev/null && FUZZ_PKGS="$FUZZ_PKGS libdw"

# fuzz_make_lib CC OUT FLAGS: OUT/libtj.a, all of tinyjail but main, built by
# the Makefile (incrementally) with CC, ASan and UBSan, and FLAGS.
fuzz_make_lib() {
	make --no-print-directory -s -j2 BUILD="$2" CC="$1" SAN=1 CFLAGS="-g -O1 $3" "$2/libtj.a" 2>&1 |
		grep -v 'warning: format string is not a string literal\|vsnprintf(libbpf_last\|^ *\^\|^1 warning generated'
	[ -f "$2/libtj.a" ]
}

# fuzz_link CC OUT NAME FLAGS: OUT/fuzz_NAME from tests/fuzz/fuzz_NAME.c.
fuzz_link() {
	# shellcheck disable=SC2086
	"$1" -std=c17 -D_GNU_SOURCE -g -O1 -Iinclude $(pkg-config --cflags $FUZZ_PKGS) \
		-fsanitize=address,undefined -fno-sanitize-recover=undefined $4 \
		tests/fuzz/fuzz_"$3".c "$2/libtj.a" -o "$2/fuzz_$3" $(pkg-config --libs $FUZZ_PKGS)
}

# fuzz_afl_args NAME: afl-fuzz's options for NAME.  -G caps the inputs' size:
# the JSON targets cost about a microsecond a byte under ASan (libseccomp
# grows its BPF program by realloc, which ASan always copies), so a 17 kB
# profile took 40-60 ms and the corpus's mean 1.5 ms against 0.28 ms for
# inputs up to 4 kB; structure, not size, is what the parsers get wrong, and
# the smoke run keeps the whole-size seeds (libFuzzer, -max_len=16384).
# -x: the grammar's words (tests/fuzz/dict/).
fuzz_afl_args() {
	case $1 in
	profile | learn | decisions | agent) echo "-G 4096 -x tests/fuzz/dict/json.dict" ;;
	http) echo "-G 4096 -x tests/fuzz/dict/http.dict" ;;
	kmsg) echo "-G 2048" ;;
	elf) echo "-G 16384" ;;
	esac
}

# fuzz_seeds NAME DIR: the committed corpus and the fixtures that fit NAME.
fuzz_seeds() {
	mkdir -p "$2"
	cp tests/fuzz/corpus/"$1"/* "$2/" 2>/dev/null
	case $1 in
	profile)
		cp tests/fixtures/profiles/good/*.json tests/fixtures/profiles/bad/*.json \
			tests/fixtures/corpus/*.json policies/*.json "$2/" 2>/dev/null ;;
	learn)
		cp tests/fixtures/profiles/good/*.json policies/*.json "$2/" 2>/dev/null ;;
	decisions)
		cp tests/fixtures/supervise/*.json tests/fixtures/profiles/good/*.json policies/*.json "$2/" 2>/dev/null ;;
	kmsg)
		cp tests/fixtures/supervise/kmsg-*.txt "$2/" 2>/dev/null ;;
	agent)
		cp tests/fixtures/supervise/state-*.json "$2/" 2>/dev/null ;;
	elf)
		# Small executables (static and dynamic, PIE and not), and the
		# head of ld.so.cache.
		printf '.globl _start\n_start:\n mov $39, %%eax\n syscall\n mov %%rdi, %%rax\n call w\n hlt\nw: mov %%rdi, %%rax\n syscall\n ret\n' \
			>"$2.S"
		printf '#include <unistd.h>\n#include <sys/syscall.h>\nint main(void) { return syscall(SYS_gettid) < 0; }\n' >"$2.c"
		gcc -nostdlib -static -s -Wl,-z,max-page-size=0x1000 -o "$2/asm" "$2.S" &&
			gcc -Os -s -Wl,-z,max-page-size=0x1000 -o "$2/pie" "$2.c" &&
			gcc -Os -s -no-pie -fno-plt -Wl,-z,max-page-size=0x1000 -o "$2/nopie" "$2.c" || return 1
		rm -f "$2.S" "$2.c"
		head -c 4096 /etc/ld.so.cache >"$2/ldcache" 2>/dev/null ;;
	esac
	# An empty seed directory would make the fuzzers refuse to start.
	[ -n "$(ls -A "$2")" ] || printf '{}' >"$2/empty"
}
