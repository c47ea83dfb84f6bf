# tinyjail - see README.md.  `make`, `make check`, `make demo`, `make install`.
VERSION := 0.1.0
PREFIX ?= /usr/local
DESTDIR ?=
SAN ?= 0
BUILD ?= $(if $(filter 1,$(SAN)),build-san,build)

CC ?= gcc
# NET_BPF=0 builds without the host network rules' BPF programs, so without
# clang, LLVM and bpftool (about 240 MB) and without libbpf: --net host rules
# are then refused (or degraded with --allow-degraded net-rules).  make check
# needs the default, NET_BPF=1.
NET_BPF ?= 1
PKGS := libseccomp json-c libcap libelf capstone libdw ncurses $(if $(filter 1,$(NET_BPF)),libbpf)
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
# Loaded when a feature first needs them, not linked: each linked library
# costs every launch its mapping, relocations and symbol bindings
# (notes/performance.md).  capstone: static analysis (src/static/summary.c);
# ncurses: the editor (src/edit/view.c); libbpf: the host network rules
# (src/layers/netbpf.c, base/dynlib.h).
LAZY_PKGS := capstone ncurses libbpf
LINK_PKGS := $(filter-out $(LAZY_PKGS),$(PKGS))
PKG_LIBS = $(shell pkg-config --libs $(LINK_PKGS) 2>/dev/null)
# The soname of lib$(2).so in package $(1)'s libdir: from the library, or
# from the linker script Debian installs for ncurses (INPUT(libncurses.so.6 ...)).
lib_soname = $(shell f=$$(pkg-config --variable=libdir $(1) 2>/dev/null)/lib$(2).so; \
	objdump -p $$f 2>/dev/null | sed -n 's/^ *SONAME *//p' | grep . || \
	sed -n 's/^INPUT(\([^ )]*\).*/\1/p' $$f 2>/dev/null)
CAPSTONE_SONAME := $(call lib_soname,capstone,capstone)
NCURSES_SONAME := $(call lib_soname,ncurses,ncurses)
LIBBPF_SONAME := $(if $(filter 1,$(NET_BPF)),$(call lib_soname,libbpf,bpf))
# The shipped binary links every library it needs at start-up statically
# except glibc (libseccomp, json-c, libcap, libdw, libelf and libdw's
# compressors): ld.so then maps and relocates two objects instead of nine,
# about half of tinyjail's start-up (notes/performance.md).  A security fix in
# one of them needs a rebuild; STATIC_DEPS=0 links them shared (README.md,
# "License", says how to relink).  Unit tests and helpers stay shared.
STATIC_DEPS ?= 1
STATIC_ON := -Wl,-Bstatic
STATIC_OFF := -Wl,-Bdynamic
STATIC_LIBS = $(filter-out -pthread -lpthread,$(shell pkg-config --static --libs $(LINK_PKGS) 2>/dev/null))
BIN_LIBS = $(if $(filter 1,$(STATIC_DEPS)),$(STATIC_ON) $(STATIC_LIBS) $(STATIC_OFF) -pthread,$(PKG_LIBS))

WARN := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wpointer-arith \
	-Winit-self -Wformat=2 -Wmisleading-indentation -Wno-missing-field-initializers \
	-Werror=implicit-function-declaration -Werror=return-type -Werror=int-conversion \
	-Werror=incompatible-pointer-types
CFLAGS ?= -g -O2
BASE_CFLAGS := -std=c17 -D_GNU_SOURCE -Iinclude -I$(BUILD)/bpf -I$(BUILD)/gen $(WARN) -fstack-protector-strong \
	-DTJ_VERSION='"$(VERSION)"' $(if $(CAPSTONE_SONAME),-DTJ_CAPSTONE_SONAME='"$(CAPSTONE_SONAME)"') \
	$(if $(NCURSES_SONAME),-DTJ_SONAME_NCURSES='"$(NCURSES_SONAME)"') $(if $(LIBBPF_SONAME),-DTJ_SONAME_LIBBPF='"$(LIBBPF_SONAME)"')
ifeq ($(SAN),1)
SAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
else
SAN_FLAGS := -D_FORTIFY_SOURCE=2
endif
# Test hooks (include/tj/base/testhook.h): in the sanitised build make check uses.
TEST_HOOKS ?= $(SAN)
HOOK_FLAGS := $(if $(filter 1,$(TEST_HOOKS)),-DTJ_TEST_HOOKS)
ALL_CFLAGS = $(BASE_CFLAGS) $(PKG_CFLAGS) $(CFLAGS) $(SAN_FLAGS) $(HOOK_FLAGS)
LDFLAGS ?=
# Full RELRO: symbols are bound before the command is cloned, so neither side
# takes a copy-on-write fault on the GOT afterwards (and it is hardening).
ALL_LDFLAGS = -Wl,-z,relro,-z,now $(LDFLAGS) $(SAN_FLAGS)

# src/<subsystem>/*.c, one folder per level of notes/architecture.md.
LIB_SRCS := $(filter-out src/cli/main.c $(if $(filter 1,$(NET_BPF)),src/layers/netbpf_none.c,src/layers/netbpf.c),\
	$(wildcard src/*/*.c))
LIB_OBJS := $(LIB_SRCS:src/%.c=$(BUILD)/obj/%.o)
LIB := $(BUILD)/libtj.a
BIN := $(BUILD)/tinyjail
PROBE := $(BUILD)/probe
EMIT := $(BUILD)/emit_events
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)

.PHONY: FORCE all tests check check-tree check-unit check-integration check-release check-smokes check-fuzz fuzz check-stress stress check-faults faults check-vm check-bench deps-build deps-test \
	deps-bench demo install uninstall clean format bench bench-quick

all: $(BIN) $(PROBE)

# The host network rules: a BPF object (clang -target bpf, DWARF stripped by
# bpftool) embedded in the binary through the skeleton bpftool generates.
BPF_CC ?= clang
BPFTOOL ?= bpftool
MULTIARCH := $(shell gcc -print-multiarch 2>/dev/null)
BPF_OBJ := $(BUILD)/bpf/netrules.bpf.o
BPF_SKEL := $(BUILD)/bpf/netrules.skel.h

$(BPF_OBJ): src/net/bpf/netrules.bpf.c include/tj/net/netrules_bpf.h
	@mkdir -p $(@D)
	$(BPF_CC) -g -O2 -target bpf -Wall -Werror -Iinclude $(if $(MULTIARCH),-idirafter /usr/include/$(MULTIARCH)) \
		-c $< -o $@.tmp
	$(BPFTOOL) gen object $@ $@.tmp
	@rm -f $@.tmp

$(BPF_SKEL): $(BPF_OBJ)
	$(BPFTOOL) gen skeleton $< name tj_netrules >$@.tmp
	@mv $@.tmp $@

$(BUILD)/obj/layers/netbpf.o: $(BPF_SKEL)

# The install paths tinyjail looks in (bundled profiles, the notes) live in
# a generated header, rewritten only when they change: a different PREFIX
# rebuilds exactly the files that include it (-MMD records which).
PATHS_H := $(BUILD)/gen/tj_paths.h
$(PATHS_H): FORCE
	@mkdir -p $(@D)
	@printf '/* Generated by the Makefile from PREFIX. */\n#define TJ_POLICY_DIR "%s"\n#define TJ_DOC_DIR "%s"\n' \
		'$(PREFIX)/share/tinyjail/policies' '$(PREFIX)/share/doc/tinyjail' >$@.tmp
	@if cmp -s $@.tmp $@; then rm -f $@.tmp; else mv $@.tmp $@; fi
FORCE:

$(BUILD)/obj/%.o: src/%.c | $(PATHS_H)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c $< -o $@

$(LIB): $(LIB_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(BIN): $(BUILD)/obj/cli/main.o $(LIB)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(BIN_LIBS)

# The probe runs inside strict filters: static, and never sanitised (a
# sanitizer runtime makes system calls of its own at start-up).
$(PROBE): tests/helpers/probe.c
	@mkdir -p $(@D)
	$(CC) -std=c17 -D_GNU_SOURCE -O2 -Wall -Wextra -static -pthread -o $@ $<

# The fault injector of tests/faults/ (ptrace; a tracer, so never sanitised).
FAULTINJECT := $(BUILD)/faultinject
$(FAULTINJECT): tests/helpers/faultinject.c
	@mkdir -p $(@D)
	$(CC) -std=c17 -D_GNU_SOURCE -O2 -Wall -Wextra -o $@ $<

# A program with a known call chain for the unwinder's and --explain's tests,
# built four ways (never sanitised: its frames are the test's subject).
STACKPROGS := $(BUILD)/stackprog-nofp $(BUILD)/stackprog-fp $(BUILD)/stackprog-nodebug $(BUILD)/stackprog-stripped
STACKPROG_CFLAGS := -std=c17 -D_GNU_SOURCE -O2 -Wall -pthread
$(BUILD)/stackprog-nofp: tests/helpers/stackprog.c
	@mkdir -p $(@D)
	$(CC) $(STACKPROG_CFLAGS) -g -fomit-frame-pointer -o $@ $<
$(BUILD)/stackprog-fp: tests/helpers/stackprog.c
	@mkdir -p $(@D)
	$(CC) $(STACKPROG_CFLAGS) -g -fno-omit-frame-pointer -o $@ $<
$(BUILD)/stackprog-nodebug: tests/helpers/stackprog.c
	@mkdir -p $(@D)
	$(CC) $(STACKPROG_CFLAGS) -fomit-frame-pointer -o $@ $<
$(BUILD)/stackprog-stripped: tests/helpers/stackprog.c
	@mkdir -p $(@D)
	$(CC) $(STACKPROG_CFLAGS) -fomit-frame-pointer -s -o $@ $<

# Writes one event of every kind through events.h, for the schema test.
$(EMIT): tests/helpers/emit_events.c $(LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(LIB) $(ALL_LDFLAGS) $(PKG_LIBS)

$(BUILD)/tests/%: tests/unit/%.c tests/unit/unit.h $(LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -Itests/unit -o $@ $< $(LIB) $(ALL_LDFLAGS) $(UNIT_LDFLAGS_$*) $(PKG_LIBS) -lcmocka
# The fake sys layer of a unit test: system calls it replaces (--wrap).
UNIT_LDFLAGS_test_launch_fake := -Wl,--wrap=tj_sys_clone3

# The benchmark harness (bench/, notes/performance.md).
BENCH_BINS := $(BUILD)/bench/abtime $(BUILD)/bench/sysbench

$(BUILD)/bench/abtime: bench/abtime.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(ALL_LDFLAGS)

$(BUILD)/bench/sysbench: bench/sysbench.c $(LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(LIB) $(ALL_LDFLAGS) $(PKG_LIBS)

tests: all $(UNIT_BINS) $(EMIT) $(BENCH_BINS) $(STACKPROGS) $(FAULTINJECT)

-include $(LIB_OBJS:.o=.d) $(BUILD)/obj/cli/main.d

deps-build:
	@tools/install-deps.sh $(if $(filter 1,$(NET_BPF)),build,build-nobpf)

deps-test:
	@tools/install-deps.sh test
	@tools/install-deps.sh vm

# make check in parallel (notes/testing.md, "How long make check takes"):
# CHECK_JOBS compilers and unit-test binaries at once, IT_JOBS integration
# test files at once (tests/integration/run.sh -j; most of a file's time is
# spent waiting, not computing).
NPROC := $(shell nproc 2>/dev/null || echo 1)
CHECK_JOBS ?= $(NPROC)
IT_JOBS ?= $(shell echo $$(($(NPROC) + 1)))

# The whole suite, under AddressSanitizer and UBSan, and the integration
# suite on the release build too (check-release), in one pool with the
# sanitiser build's files.  Installs what is missing.  The smoke runs come
# after the pool, one at a time: the stress run is itself a load test.
check: deps-test
	$(MAKE) --no-print-directory check-tree
	$(MAKE) --no-print-directory -j$(CHECK_JOBS) SAN=1 tests
	$(MAKE) --no-print-directory -j$(CHECK_JOBS) SAN=0 TEST_HOOKS=0 tests
	$(MAKE) --no-print-directory SAN=1 check-unit
	@tests/integration/run.sh -j $(IT_JOBS) --release build build-san
	$(MAKE) --no-print-directory SAN=1 check-smokes

check-smokes: check-fuzz check-stress check-faults check-bench check-vm

# The integration suite on the release build that `make install` ships (no
# sanitisers, no test hooks: the cases that need hooks say so and are left
# to the SAN=1 run above).
check-release:
	$(MAKE) --no-print-directory -j$(CHECK_JOBS) SAN=0 TEST_HOOKS=0 tests
	@TJ_RELEASE_BUILD=1 tests/integration/run.sh -j $(IT_JOBS) build

check-unit:
	@tests/run-unit.sh -j $(CHECK_JOBS) $(BUILD)

check-integration:
	@tests/integration/run.sh -j $(IT_JOBS) $(BUILD)

check-fuzz:
	@tests/fuzz/smoke.sh $(BUILD)

# Load (tests/stress/stress.py): a short run here; `make stress` is 1,000
# launches, 50 at a time, and 10,000 notifications to one supervisor, on the
# optimised build.
check-stress:
	@tests/stress/smoke.sh $(BUILD)

stress:
	$(MAKE) --no-print-directory SAN=0 all
	@TINYJAIL_POLICY_DIR="$(CURDIR)/policies" tests/stress/stress.py --tj build/tinyjail --probe build/probe

# Faults (tests/faults/faults.py): a sample here; `make faults` fails every
# call site of the set-up path of five configurations with each of five
# errnos in the sanitised build (the memory calls left out: they are the
# sanitiser's own) and kills tinyjail's processes at random moments; then
# the same in the unsanitised test build, memory calls included (other
# timing, other races).
# FAULTS_JOBS runs side by side, nice'd; FAULTS_UNTIL=EPOCH stops at a deadline.
FAULTS_JOBS ?= 2
FAULTS_ARGS = --jobs $(FAULTS_JOBS) --progress 200 $(if $(FAULTS_UNTIL),--until $(FAULTS_UNTIL))
check-faults:
	@tests/faults/smoke.sh $(BUILD)

faults:
	$(MAKE) --no-print-directory SAN=1 all build-san/faultinject
	$(MAKE) --no-print-directory SAN=0 TEST_HOOKS=1 BUILD=build-hooks all build-hooks/faultinject
	@TINYJAIL_POLICY_DIR="$(CURDIR)/policies" nice -n 10 tests/faults/faults.py --build build-san --all-errnos \
		--kills 100 $(FAULTS_ARGS)
	@TINYJAIL_POLICY_DIR="$(CURDIR)/policies" nice -n 10 tests/faults/faults.py --build build-hooks --all-errnos \
		--kills 100 $(FAULTS_ARGS)

# The long AFL++ campaigns (tests/fuzz/afl.sh; TJ_AFL_EXECS per target,
# default 10 million): nice'd, one core; minimised corpora into tests/fuzz/corpus/.
fuzz:
	@tools/install-deps.sh fuzz
	@tests/fuzz/afl.sh all

# The second kernel: Debian's 6.1 under qemu, pure cgroup v2, Landlock ABI 2.
check-vm: all
	@tools/vm-test.sh $(BUILD)

# The benchmark harness with tiny counts: keeps it working, times nothing.
check-bench: $(BENCH_BINS)
	@bench/smoke.sh $(BUILD)

deps-bench:
	@tools/install-deps.sh bench

# The published figures (notes/performance.md), from an optimised build.
bench: deps-bench
	$(MAKE) --no-print-directory SAN=0 all $(patsubst $(BUILD)/%,build/%,$(BENCH_BINS))
	bench/run.sh -m full -b build

bench-quick: deps-bench
	$(MAKE) --no-print-directory SAN=0 all $(patsubst $(BUILD)/%,build/%,$(BENCH_BINS))
	bench/run.sh -m quick -b build

# One real program under the bundled default profile.
demo: deps-build
	$(MAKE) --no-print-directory all
	$(BIN) --profile policies/default.json -- ls -l /

# The binary, the bundled profiles, the man page, bash and zsh completion,
# and the notes --help and the man page point to.
SHARE := $(DESTDIR)$(PREFIX)/share
install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(SHARE)/tinyjail/policies $(SHARE)/man/man1 \
		$(SHARE)/bash-completion/completions $(SHARE)/zsh/site-functions $(SHARE)/doc/tinyjail
	install -m 0755 $(BIN) $(DESTDIR)$(PREFIX)/bin/tinyjail
	install -m 0644 policies/*.json $(SHARE)/tinyjail/policies/
	install -m 0644 man/tinyjail.1 $(SHARE)/man/man1/tinyjail.1
	install -m 0644 tools/completion/tinyjail.bash $(SHARE)/bash-completion/completions/tinyjail
	install -m 0644 tools/completion/_tinyjail $(SHARE)/zsh/site-functions/_tinyjail
	install -m 0644 README.md notes/*.md notes/*.json $(SHARE)/doc/tinyjail/

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/tinyjail $(SHARE)/man/man1/tinyjail.1 \
		$(SHARE)/bash-completion/completions/tinyjail $(SHARE)/zsh/site-functions/_tinyjail
	rm -rf $(SHARE)/tinyjail $(SHARE)/doc/tinyjail

# The C files clang-format owns (.clang-format); the BPF program is not C for the host.
FORMAT_FILES = $(filter-out src/net/bpf/%,$(wildcard src/*/*.[ch] src/*/*/*.[ch] include/tj/*/*.h \
	tests/unit/*.[ch] tests/helpers/*.c tests/fuzz/*.c bench/*.c))

format:
	clang-format -i $(FORMAT_FILES)

# The shape of the tree: the level rule (tools/levels.txt), knowledge written
# once (tools/check-once.sh) and the format.
check-tree:
	@tools/check-levels.sh
	@tools/check-once.sh
	@bad=$$(grep -rIlE '^(<<<<<<<|>>>>>>>)( |$$)' src include tests notes policies man tools bench README.md Makefile); \
	if [ -n "$$bad" ]; then echo "merge check: conflict markers left in:" $$bad; exit 1; fi; \
	echo "merge check: no conflict markers"
	@bad=$$(for f in $(FORMAT_FILES); do clang-format "$$f" | cmp -s "$$f" - || echo "$$f"; done); \
	if [ -n "$$bad" ]; then echo "format check: not clang-formatted (make format):" $$bad; exit 1; fi; \
	echo "format check: $(words $(FORMAT_FILES)) files as .clang-format wants them"


clean:
	rm -rf build build-san build-fuzz
