/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The static pre-analysis (src/static/) on tiny programs this test builds
 * with gcc: raw syscalls, numbers set in another block or loaded from
 * memory, wrappers in the program and libc's syscall(), function pointers
 * (qsort callbacks, tables in data, wrappers reached only through a pointer),
 * jump tables, static, static-pie, PIE, non-PIE, -fno-plt, stripped
 * binaries, dlopen, NSS, scripts; corrupt ELF files; the summary cache and
 * ld.so.cache readers.
 */
#include <elf.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <unistd.h>

#include "unit.h"

#include "tj/static/analyze.h"
#include "tj/static/cache.h"
#include "tj/static/elf.h"
#include "tj/static/loader.h"
#include "tj/static/summary.h"

static char dir[] = "/tmp/tj-static-XXXXXX";

static int setup(void **state)
{
	(void)state;
	if (!mkdtemp(dir))
		return -1;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* Writes src to DIR/name.ext and builds DIR/name with gcc and flags. */
static char *build(const char *name, const char *ext, const char *src, const char *flags)
{
	char *srcpath = tj_xasprintf("%s/%s.%s", dir, name, ext);
	FILE *f = fopen(srcpath, "w");
	assert_non_null(f);
	fputs(src, f);
	fclose(f);
	char *out = tj_xasprintf("%s/%s", dir, name);
	char *cmd = tj_xasprintf("gcc -w -o %s %s %s", out, srcpath, flags);
	int rc = system(cmd);
	if (rc != 0)
		fail_msg("cannot build %s: %s", name, cmd);
	free(cmd);
	free(srcpath);
	return out;
}

struct result {
	struct tj_static_result *r;
	bool nr[TJ_STATIC_MAX_NR];
};

static void analyze_opts(const char *path, const struct tj_static_opts *o, struct result *res)
{
	struct tj_err *err = NULL;
	memset(res, 0, sizeof(*res));
	const char *paths[] = {path};
	if (tj_static_analyze(paths, 1, o, &res->r, &err) < 0)
		fail_msg("analysing %s: %s", path, err->msg);
	for (size_t i = 0; i < res->r->nsys; i++)
		res->nr[res->r->sys[i].nr] = true;
}

static void analyze(const char *path, struct result *res)
{
	struct tj_static_opts o = {.debug_dir = "/usr/lib/debug", .no_vdso = true};
	analyze_opts(path, &o, res);
}

static size_t count(const struct result *res)
{
	size_t n = 0;
	for (size_t i = 0; i < TJ_STATIC_MAX_NR; i++)
		n += res->nr[i];
	return n;
}

static bool has_object(const struct result *res, const char *name)
{
	for (size_t i = 0; i < res->r->nobjs; i++)
		if (strstr(res->r->objs[i].path, name))
			return true;
	return false;
}

static bool has_note(const struct tj_notes *n, const char *text)
{
	for (size_t i = 0; i < n->n; i++)
		if (strstr(n->v[i].msg, text))
			return true;
	return false;
}

static char *explain(const struct result *res, int nr)
{
	struct tj_strv lines = {0};
	tj_static_explain(res->r, nr, &lines);
	struct tj_buf b = {0};
	tj_buf_add(&b, "");
	for (size_t i = 0; i < lines.n; i++)
		tj_buf_addf(&b, "%s\n", lines.v[i]);
	tj_strv_done(&lines);
	return tj_buf_steal(&b);
}

/* The two syscalls tinyjail itself adds to every result. */
#define FIXED 2

/* --- hand-made assembly: exact answers --- */

static void test_raw_syscalls(void **state)
{
	(void)state;
	tj_autofree char *p = build("raw", "S",
				    ".globl _start\n_start:\n mov $39, %eax\n syscall\n xor %edi, %edi\n"
				    " mov $60, %eax\n syscall\n",
				    "-nostdlib -static");
	struct result res;
	analyze(p, &res);
	assert_true(res.nr[SYS_getpid]);
	assert_true(res.nr[SYS_exit]);
	assert_true(res.nr[SYS_execve]);
	assert_int_equal(count(&res), 2 + FIXED);
	assert_false(res.r->incomplete);
	tj_static_result_free(res.r);
}

/* The number is set before a loop and copied inside it (glibc's getentropy). */
static void test_number_from_another_block(void **state)
{
	(void)state;
	tj_autofree char *p = build("loop", "S",
				    ".globl _start\n_start:\n mov $318, %r9d\n xor %ebx, %ebx\n"
				    "1: mov %r9d, %eax\n xor %edi, %edi\n xor %esi, %esi\n xor %edx, %edx\n syscall\n"
				    " inc %ebx\n cmp $3, %ebx\n jne 1b\n test %eax, %eax\n js 2f\n"
				    " mov $60, %eax\n jmp 3f\n2: mov $231, %eax\n3: syscall\n",
				    "-nostdlib -static");
	struct result res;
	analyze(p, &res);
	assert_true(res.nr[SYS_getrandom]);
	assert_true(res.nr[SYS_exit]);
	assert_true(res.nr[SYS_exit_group]);
	assert_int_equal(count(&res), 3 + FIXED);
	assert_false(res.r->incomplete);
	tj_static_result_free(res.r);
}

/* A number loaded from a variable is reported, never dropped: its initial
 * value is a candidate, and the result is incomplete. */
static void test_number_from_memory(void **state)
{
	(void)state;
	tj_autofree char *p = build("mem", "S",
				    ".globl _start\n_start:\n mov num(%rip), %eax\n syscall\n mov $60, %eax\n syscall\n"
				    ".data\nnum: .long 39\n",
				    "-nostdlib -static");
	struct result res;
	analyze(p, &res);
	assert_true(res.r->incomplete);
	assert_int_equal(res.r->nunres, 1);
	assert_int_equal(res.r->unres[0].kind, TJ_SU_SITE);
	assert_true(res.r->unres[0].reasons & TJ_SR_LOAD);
	assert_string_equal(res.r->unres[0].function, "_start");
	assert_true(res.nr[SYS_getpid]);
	assert_true(res.nr[SYS_exit]);
	struct tj_seccomp *s = NULL;
	tj_autofree char *comment = NULL;
	assert_int_equal(tj_static_to_seccomp(res.r, &s, &comment, NULL), 0);
	assert_contains(comment, "INCOMPLETE");
	tj_seccomp_free(s);
	tj_static_result_free(res.r);
}

/* A wrapper taking the number in rdi, resolved at its call sites. */
static void test_wrapper_in_program(void **state)
{
	(void)state;
	tj_autofree char *p =
		build("wrap", "S",
		      ".globl _start\n_start:\n mov $186, %edi\n call w\n mov $39, %edi\n call w\n"
		      " mov $60, %edi\n call w\n hlt\n.type w,@function\nw:\n mov %rdi, %rax\n syscall\n ret\n",
		      "-nostdlib -static");
	struct result res;
	analyze(p, &res);
	assert_true(res.nr[SYS_gettid]);
	assert_true(res.nr[SYS_getpid]);
	assert_true(res.nr[SYS_exit]);
	assert_int_equal(count(&res), 3 + FIXED);
	assert_false(res.r->incomplete);
	tj_autofree char *why = explain(&res, SYS_gettid);
	assert_contains(why, "gettid <- w() <- _start");
	tj_static_result_free(res.r);
}

static void test_jump_table(void **state)
{
	(void)state;
	tj_autofree char *p =
		build("switch", "c",
		      "#define S(n) ({ long r; __asm__ volatile(\"syscall\" : \"=a\"(r) : \"0\"((long)(n)) : \"rcx\", \"r11\", \"memory\"); r; })\n"
		      "int main(int argc, char **argv) { (void)argv; switch (argc) {\n"
		      " case 1: return S(102); case 2: return S(104); case 3: return S(107); case 4: return S(108);\n"
		      " case 5: return S(110); case 6: return S(111); case 7: return S(124); default: return 0; } }\n",
		      "-O2");
	struct result res;
	analyze(p, &res);
	int want[] = {102, 104, 107, 108, 110, 111, 124};
	for (size_t i = 0; i < TJ_ARRAY_SIZE(want); i++)
		if (!res.nr[want[i]])
			fail_msg("syscall %d of the switch is missing", want[i]);
	tj_static_result_free(res.r);
}

/* --- libc's syscall(), through the PLT, the GOT, and statically --- */

static const char gettid_src[] = "#include <unistd.h>\n#include <sys/syscall.h>\n"
				 "int main(void) { return syscall(SYS_gettid) < 0; }\n";

static void check_gettid(const char *name, const char *flags)
{
	tj_autofree char *p = build(name, "c", gettid_src, flags);
	struct result res;
	analyze(p, &res);
	if (!res.nr[SYS_gettid])
		fail_msg("%s (%s): gettid through syscall() is missing", name, flags);
	tj_autofree char *why = explain(&res, SYS_gettid);
	assert_contains(why, "gettid <- syscall() <- main");
	assert_true(res.nr[SYS_write]); /* libc's own paths */
	assert_true(res.nr[SYS_exit_group]);
	tj_static_result_free(res.r);
}

static void test_syscall_pie(void **state)
{
	(void)state;
	check_gettid("gettid-pie", "-O2 -fpie -pie");
}

static void test_syscall_no_pie(void **state)
{
	(void)state;
	check_gettid("gettid-nopie", "-O2 -fno-pie -no-pie");
}

static void test_syscall_no_plt(void **state)
{
	(void)state;
	check_gettid("gettid-noplt", "-O2 -fno-plt");
}

static void test_syscall_O0(void **state)
{
	(void)state;
	check_gettid("gettid-O0", "-O0");
}

static void test_syscall_static(void **state)
{
	(void)state;
	check_gettid("gettid-static", "-O2 -static");
}

static void test_syscall_static_pie(void **state)
{
	(void)state;
	check_gettid("gettid-static-pie", "-O2 -static-pie");
}

/* Stripped: no .symtab, boundaries from .eh_frame_hdr and dynsym. */
static void test_syscall_stripped(void **state)
{
	(void)state;
	tj_autofree char *p = build("gettid-strip", "c", gettid_src, "-O2 -s");
	struct result res;
	analyze(p, &res);
	assert_true(res.nr[SYS_gettid]);
	tj_static_result_free(res.r);
	tj_autofree char *q = build("gettid-static-strip", "c", gettid_src, "-O2 -static -s");
	analyze(q, &res);
	assert_true(res.nr[SYS_gettid]);
	tj_static_result_free(res.r);
}

/* --- function pointers --- */

static void test_qsort_callback(void **state)
{
	(void)state;
	tj_autofree char *p =
		build("qsort", "c",
		      "#include <stdlib.h>\n#include <unistd.h>\n"
		      "static int cmp(const void *a, const void *b) { if (getppid() == 1) return 0;\n"
		      " return *(const int *)a - *(const int *)b; }\n"
		      "int main(void) { int v[3] = {3, 1, 2}; qsort(v, 3, sizeof(int), cmp); return v[0]; }\n",
		      "-O2");
	struct result res;
	analyze(p, &res);
	assert_true(res.nr[SYS_getppid]);
	tj_autofree char *why = explain(&res, SYS_getppid);
	assert_contains(why, "getppid (libc.so.6) <- cmp (qsort) <- (pointer) main (qsort)");
	tj_static_result_free(res.r);
}

/* With symbols, a table of pointers counts only when reachable code
 * refers to it; without symbols every pointer in data is live. */
static const char tables_src[] =
	"#define S(n) ({ long r; __asm__ volatile(\"syscall\" : \"=a\"(r) : \"0\"((long)(n)) : \"rcx\", \"r11\", \"memory\"); r; })\n"
	"__attribute__((noinline)) static long f1(void) { return S(135); }\n"
	"__attribute__((noinline)) static long f2(void) { return S(153); }\n"
	"static long (*const used[])(void) = {f1};\n"
	"long (*const unused[])(void) = {f2};\n"
	"int main(int argc, char **argv) { (void)argv; return (int)used[argc - 1](); }\n";

static void check_tables(const char *name, const char *flags, bool stripped)
{
	tj_autofree char *p = build(name, "c", tables_src, flags);
	struct result res;
	analyze(p, &res);
	if (!res.nr[SYS_personality])
		fail_msg("%s: the used table's syscall is missing", name);
	if (res.nr[SYS_vhangup] != stripped)
		fail_msg("%s: the unused table's syscall is %s", name, stripped ? "missing" : "present");
	tj_static_result_free(res.r);
}

static void test_tables_pie(void **state)
{
	(void)state;
	check_tables("tables-pie", "-O2 -fpie -pie", false);
}

static void test_tables_no_pie(void **state)
{
	(void)state;
	check_tables("tables-nopie", "-O2 -fno-pie -no-pie", false);
}

static void test_tables_stripped(void **state)
{
	(void)state;
	check_tables("tables-strip", "-O2 -s", true);
}

/* A wrapper whose only callers hold a pointer to it: reported. */
static void test_wrapper_through_pointer(void **state)
{
	(void)state;
	tj_autofree char *p =
		build("wrapptr", "c",
		      "__attribute__((noinline)) long w(long n) { long r;\n"
		      " __asm__ volatile(\"syscall\" : \"=a\"(r) : \"0\"(n) : \"rcx\", \"r11\", \"memory\"); return r; }\n"
		      "long (*volatile fp)(long) = w;\n"
		      "int main(void) { return fp(39) < 0; }\n",
		      "-O2 -fno-inline");
	struct result res;
	analyze(p, &res);
	assert_true(res.r->incomplete);
	bool found = false;
	for (size_t i = 0; i < res.r->nunres; i++)
		found |= !strcmp(res.r->unres[i].function, "w") && (res.r->unres[i].reasons & TJ_SR_POINTER);
	assert_true(found);
	tj_static_result_free(res.r);
}

/* Go: a static binary with raw syscall instructions, the number passed in
 * RAX through runtime/internal/syscall.Syscall6 and spilled to the stack
 * around runtime.entersyscall by syscall.Syscall. */
static void test_go(void **state)
{
	(void)state;
	if (system("command -v go >/dev/null 2>&1") != 0)
		fail_msg("go is missing (Debian's golang-go, tools/install-deps.sh test)");
	tj_autofree char *src = tj_xasprintf("%s/go/main.go", dir);
	tj_autofree char *godir = tj_xasprintf("%s/go", dir);
	mkdir(godir, 0755);
	FILE *f = fopen(src, "w");
	fputs("package main\n\nimport (\n\t\"fmt\"\n\t\"os\"\n\t\"syscall\"\n)\n\n"
	      "func main() {\n\tvar r syscall.Rlimit\n\t_ = syscall.Getrlimit(syscall.RLIMIT_NOFILE, &r)\n"
	      "\tfi, err := os.Stat(\"/etc/passwd\")\n\tfmt.Println(fi.Size(), err, syscall.Getppid())\n}\n",
	      f);
	fclose(f);
	for (int stripped = 0; stripped < 2; stripped++) {
		tj_autofree char *out = tj_xasprintf("%s/go/hello%d", dir, stripped);
		tj_autofree char *cmd =
			tj_xasprintf("cd %s && HOME=%s GOCACHE=%s/cache GOPATH=%s/gopath GO111MODULE=off GOFLAGS= CGO_ENABLED=0 "
				     "go build %s -o %s main.go",
				     godir, godir, godir, godir, stripped ? "-ldflags='-s -w'" : "", out);
		if (system(cmd) != 0)
			fail_msg("cannot build the Go program: %s", cmd);
		struct result res;
		analyze(out, &res);
		assert_true(res.nr[SYS_newfstatat]); /* os.Stat: through syscall.Syscall6's stack slot */
		assert_true(res.nr[SYS_getrlimit]);  /* syscall.Getrlimit: RawSyscall, RAX */
		assert_true(res.nr[SYS_getppid]);
		assert_true(res.nr[SYS_exit_group]);
		assert_true(res.nr[SYS_fcntl]); /* the initial value of unix.FcntlSyscall, a variable: incomplete */
		assert_true(res.r->incomplete);
		/* What stays unknown: a number in a variable, and wrappers
		 * whose address Go keeps in data (func values). */
		for (size_t i = 0; i < res.r->nunres; i++)
			assert_true(res.r->unres[i].reasons & (TJ_SR_LOAD | TJ_SR_POINTER));
		tj_static_result_free(res.r);
	}
}

/* --- what no call graph shows --- */

static void test_dlopen_constant(void **state)
{
	(void)state;
	tj_autofree char *p = build("dl", "c",
				    "#include <dlfcn.h>\n"
				    "int main(void) { void *h = dlopen(\"libm.so.6\", RTLD_NOW); return h == 0; }\n",
				    "-O2 -ldl");
	struct result res;
	analyze(p, &res);
	assert_true(has_object(&res, "libm.so.6"));
	tj_static_result_free(res.r);
}

static void test_nss_modules(void **state)
{
	(void)state;
	if (access("/lib/x86_64-linux-gnu/libnss_systemd.so.2", R_OK) != 0)
		fail_msg("libnss_systemd.so.2 is missing (Debian's libnss-systemd, tools/install-deps.sh test)");
	tj_autofree char *p = build("pw", "c",
				    "#include <pwd.h>\n"
				    "int main(void) { return getpwuid(12345) != 0; }\n",
				    "-O2");
	tj_autofree char *conf = tj_xasprintf("%s/nsswitch.conf", dir);
	FILE *f = fopen(conf, "w");
	fputs("# test\npasswd:         files systemd\ngroup: files [NOTFOUND=return] systemd\nhosts: files dns\n", f);
	fclose(f);
	struct tj_static_opts o = {.debug_dir = "/usr/lib/debug", .no_vdso = true, .nsswitch = conf};
	struct result res;
	analyze_opts(p, &o, &res);
	assert_true(has_object(&res, "libnss_systemd.so.2"));
	assert_true(has_object(&res, "libcap.so.2")); /* the module's own library */
	assert_true(res.nr[SYS_prctl]);
	assert_true(res.nr[SYS_socket]); /* nscd's probe */
	tj_static_result_free(res.r);

	/* Without systemd in nsswitch.conf, no module. */
	f = fopen(conf, "w");
	fputs("passwd: files\n", f);
	fclose(f);
	analyze_opts(p, &o, &res);
	assert_false(has_object(&res, "libnss_systemd.so.2"));
	tj_static_result_free(res.r);
}

static void test_script(void **state)
{
	(void)state;
	tj_autofree char *p = tj_xasprintf("%s/script.sh", dir);
	FILE *f = fopen(p, "w");
	fputs("#!/bin/sh\necho hi\n", f);
	fclose(f);
	struct result res;
	analyze(p, &res);
	assert_true(has_note(&res.r->notes, "is a script: analysed through its interpreter /bin/sh"));
	assert_true(res.nr[SYS_vfork] || res.nr[SYS_clone] || res.nr[SYS_fork]);
	tj_static_result_free(res.r);
}

static void test_vdso(void **state)
{
	(void)state;
	void *img = NULL;
	size_t size = 0;
	assert_int_equal(tj_loader_vdso(&img, &size, NULL), 0);
	struct tj_elf *e = NULL;
	assert_int_equal(tj_elf_open_mem("[vdso]", img, size, &e, NULL), 0);
	free(img);
	struct tj_summary *s = NULL;
	assert_int_equal(tj_summary_build(e, NULL, &s, NULL), 0);
	bool clock = false;
	for (size_t i = 0; i < s->nsys; i++)
		clock |= s->sys[i].nr == SYS_clock_gettime;
	assert_true(clock);
	tj_summary_free(s);
	tj_elf_close(e);
}

/* --- the provenance in the profile --- */

static void test_profile_model(void **state)
{
	(void)state;
	tj_autofree char *p = build("prov", "c", gettid_src, "-O2");
	struct result res;
	analyze(p, &res);
	struct tj_seccomp *s = NULL;
	tj_autofree char *comment = NULL;
	assert_int_equal(tj_static_to_seccomp(res.r, &s, &comment, NULL), 0);
	assert_int_equal(s->default_action, TJ_ACT_KILL_PROCESS);
	assert_contains(comment, "complete");
	bool gettid = false, execve = false;
	for (size_t i = 0; i < s->nrules; i++) {
		assert_int_equal(s->rules[i].action, TJ_ACT_ALLOW);
		assert_int_equal(s->rules[i].names.n, 1);
		if (i)
			assert_true(strcmp(s->rules[i - 1].names.v[0], s->rules[i].names.v[0]) < 0);
		if (!strcmp(s->rules[i].names.v[0], "gettid")) {
			gettid = true;
			assert_contains(s->rules[i].comment, "prov main via syscall()");
		}
		if (!strcmp(s->rules[i].names.v[0], "restart_syscall")) {
			execve = true;
			assert_contains(s->rules[i].comment, "the kernel restarts");
		}
	}
	assert_true(gettid && execve);
	tj_seccomp_free(s);
	tj_static_result_free(res.r);
}

/* --- bad input --- */

static char *copy_file(const char *from, const char *name, size_t keep)
{
	char *to = tj_xasprintf("%s/%s", dir, name);
	char *cmd = keep ? tj_xasprintf("head -c %zu %s > %s", keep, from, to) : tj_xasprintf("cp %s %s", from, to);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	return to;
}

static void expect_error(const char *path, const char *fragment)
{
	struct tj_elf *e = NULL;
	struct tj_err *err = NULL;
	if (tj_elf_open(path, NULL, &e, &err) == 0) {
		tj_elf_close(e);
		fail_msg("%s was accepted", path);
	}
	assert_contains(err->msg, path);
	assert_contains(err->msg, fragment);
	assert_int_equal(err->kind, TJ_ERR_CANNOT_EXEC);
	tj_err_free(err);
}

static void test_corrupt_elf(void **state)
{
	(void)state;
	tj_autofree char *trunc = copy_file("/bin/true", "trunc", 40);
	expect_error(trunc, "truncated ELF header");
	tj_autofree char *half = copy_file("/bin/true", "half", 8192);
	expect_error(half, "offset 0x");
	tj_autofree char *text = tj_xasprintf("%s/text", dir);
	FILE *f = fopen(text, "w");
	fputs("hello\n", f);
	fclose(f);
	expect_error(text, "is not an ELF file");
	/* A section whose contents lie past the end of the file. */
	tj_autofree char *bad = copy_file("/bin/true", "badsec", 0);
	int fd = open(bad, O_RDWR);
	Elf64_Ehdr h;
	assert_int_equal(pread(fd, &h, sizeof(h), 0), sizeof(h));
	Elf64_Shdr sh;
	off_t at = (off_t)(h.e_shoff + 2 * sizeof(Elf64_Shdr));
	assert_int_equal(pread(fd, &sh, sizeof(sh), at), sizeof(sh));
	sh.sh_offset = 0x7fffffff;
	assert_int_equal(pwrite(fd, &sh, sizeof(sh), at), sizeof(sh));
	close(fd);
	tj_autofree char *where = tj_xasprintf("offset 0x%llx", (unsigned long long)at);
	expect_error(bad, where);
	/* Not x86-64. */
	tj_autofree char *arm = copy_file("/bin/true", "arm", 0);
	fd = open(arm, O_RDWR);
	uint16_t machine = EM_AARCH64;
	assert_int_equal(pwrite(fd, &machine, 2, offsetof(Elf64_Ehdr, e_machine)), 2);
	close(fd);
	expect_error(arm, "only x86-64");
	/* A program whose file is corrupt: analyze names it. */
	const char *paths[] = {half};
	struct tj_static_opts o = {.no_vdso = true};
	struct tj_static_result *r = NULL;
	struct tj_err *err = NULL;
	assert_int_equal(tj_static_analyze(paths, 1, &o, &r, &err), -1);
	assert_contains(err->msg, "half");
	tj_err_free(err);
}

/* DT_RELR: Debian 12's libc packs its relative relocations. */
static void test_relr(void **state)
{
	(void)state;
	struct tj_elf *e = NULL;
	assert_int_equal(tj_elf_open("/lib/x86_64-linux-gnu/libc.so.6", NULL, &e, NULL), 0);
	bool relr = false;
	for (size_t i = 0; i < e->nsecs; i++)
		relr |= e->secs[i].type == 19;
	assert_true(relr);
	size_t relative = 0, in_code = 0;
	const struct tj_elf_sec *text = tj_elf_section_named(e, ".text");
	for (size_t i = 0; i < e->nrels; i++) {
		if (e->rels[i].type != R_X86_64_RELATIVE)
			continue;
		relative++;
		uint64_t v = (uint64_t)e->rels[i].addend;
		in_code += v >= text->addr && v < text->addr + text->size;
	}
	assert_true(relative > 1000);
	assert_true(in_code > 100); /* function pointers: stdio tables, atexit, ... */
	tj_elf_close(e);
}

/* --- arrays of entry points larger than the file --- */

static const char ctor_src[] =
	"#include <unistd.h>\n#include <sys/syscall.h>\n"
	"__attribute__((constructor)) static void tj_ctor(void) { syscall(SYS_getcpu, 0, 0, 0); }\n"
	"int main(void) { return 0; }\n";

/* The summary of path: does it list the function `name` as an entry point? */
static bool init_listed(const char *path, const char *name)
{
	struct tj_elf *e = NULL;
	struct tj_err *err = NULL;
	if (tj_elf_open(path, NULL, &e, &err) < 0)
		fail_msg("%s: %s", path, err->msg);
	struct tj_wrapper_table wt = {0};
	struct tj_summary *s = NULL;
	if (tj_summary_build(e, &wt, &s, &err) < 0)
		fail_msg("%s: %s", path, err->msg);
	bool found = false;
	for (size_t i = 0; i < s->ninits; i++)
		found |= !strcmp(tj_summary_str(s, s->funcs[s->inits[i]].name), name);
	tj_summary_free(s);
	tj_wrapper_table_done(&wt);
	tj_elf_close(e);
	return found;
}

/* The sizes of the entry point arrays come from the file: a SHT_NOBITS
 * .init_array needs no bytes in it, so a 14 kB file could claim one of a
 * terabyte (2^37 slots), and DT_INIT_ARRAYSZ up to 16 MB (the elf fuzz
 * campaign's slowest input: 110-126 ms under ASan, every slot looked up).
 * Only the slots the file holds or a relocation writes can name a function;
 * the analysis reads those and still finds the constructor.  Without that
 * it walks every slot: SIGPROF after a minute of CPU time ends the test
 * (the walk itself takes well under a second). */
static void test_huge_init_array(void **state)
{
	(void)state;
	tj_autofree char *p = build("ctor", "c", ctor_src, "-O2 -fpie -pie");
	assert_true(init_listed(p, "tj_ctor"));
	int fd = open(p, O_RDWR);
	assert_true(fd >= 0);
	Elf64_Ehdr h;
	assert_int_equal(pread(fd, &h, sizeof(h), 0), sizeof(h));
	Elf64_Shdr strtab;
	assert_int_equal(pread(fd, &strtab, sizeof(strtab), (off_t)(h.e_shoff + h.e_shstrndx * sizeof(Elf64_Shdr))),
			 sizeof(strtab));
	bool init_array = false, arraysz = false;
	for (unsigned i = 1; i < h.e_shnum; i++) {
		off_t at = (off_t)(h.e_shoff + i * sizeof(Elf64_Shdr));
		Elf64_Shdr sh;
		char name[32] = "";
		assert_int_equal(pread(fd, &sh, sizeof(sh), at), sizeof(sh));
		assert_true(pread(fd, name, sizeof(name) - 1, (off_t)(strtab.sh_offset + sh.sh_name)) > 0);
		if (!strcmp(name, ".init_array")) {
			sh.sh_type = SHT_NOBITS;
			sh.sh_size = 1ull << 40;
			assert_int_equal(pwrite(fd, &sh, sizeof(sh), at), sizeof(sh));
			init_array = true;
		} else if (sh.sh_type == SHT_DYNAMIC) {
			for (uint64_t d = 0; d + sizeof(Elf64_Dyn) <= sh.sh_size; d += sizeof(Elf64_Dyn)) {
				Elf64_Dyn dyn;
				assert_int_equal(pread(fd, &dyn, sizeof(dyn), (off_t)(sh.sh_offset + d)), sizeof(dyn));
				if (dyn.d_tag != DT_INIT_ARRAYSZ)
					continue;
				dyn.d_un.d_val = (1u << 24) - 8;
				assert_int_equal(pwrite(fd, &dyn, sizeof(dyn), (off_t)(sh.sh_offset + d)), sizeof(dyn));
				arraysz = true;
			}
		}
	}
	close(fd);
	assert_true(init_array && arraysz);
	struct itimerval cpu = {.it_value = {.tv_sec = 60}};
	assert_int_equal(setitimer(ITIMER_PROF, &cpu, NULL), 0);
	assert_true(init_listed(p, "tj_ctor"));
	struct itimerval off = {0};
	setitimer(ITIMER_PROF, &off, NULL);
}

/* --- the cache --- */

static const uint8_t mac_key[TJ_INTEGRITY_KEY_LEN] = "0123456789abcdef0123456789abcde";

static void test_cache(void **state)
{
	(void)state;
	struct tj_elf *e = NULL;
	assert_int_equal(tj_elf_open("/bin/true", NULL, &e, NULL), 0);
	struct tj_summary *s = NULL;
	assert_int_equal(tj_summary_build(e, NULL, &s, NULL), 0);
	uint8_t key[TJ_SHA256_LEN], other[TJ_SHA256_LEN];
	tj_static_cache_key(e, "", key);
	tj_static_cache_key(e, "syscall:80\n", other);
	assert_memory_not_equal(key, other, TJ_SHA256_LEN);
	size_t len;
	uint8_t *data = tj_static_cache_encode(key, mac_key, s, &len);
	struct tj_summary *back = NULL;
	assert_int_equal(tj_static_cache_decode(data, len, key, mac_key, &back), 1);
	assert_int_equal(back->nfuncs, s->nfuncs);
	assert_int_equal(back->nedges, s->nedges);
	assert_memory_equal(back->funcs, s->funcs, s->nfuncs * sizeof(*s->funcs));
	assert_memory_equal(back->strings, s->strings, s->strings_len);
	tj_summary_free(back);
	assert_int_equal(tj_static_cache_decode(data, len, other, mac_key, &back), 0);
	assert_int_equal(tj_static_cache_decode(data, len - 1, key, mac_key, &back), 0);
	for (size_t i = 0; i < len; i += 97) {
		data[i] ^= 0x40;
		assert_int_equal(tj_static_cache_decode(data, len, key, mac_key, &back), 0);
		data[i] ^= 0x40;
	}

	/* The attack (issue 16): whoever can write the cache changes a
	 * summary and fixes every check it can compute.  The entry's MAC
	 * sits after magic, format, zero, key and length (88-byte header). */
	const size_t mac_at = 8 + 4 + 4 + TJ_SHA256_LEN + 8, head = mac_at + TJ_INTEGRITY_MAC_LEN;
	uint32_t *flags = (uint32_t *)(data + head);
	*flags ^= 1; /* a changed summary: the first payload word */
	/* Resealed with the plain hash the first format used: refused. */
	struct tj_sha256 h;
	tj_sha256_init(&h);
	tj_sha256_update(&h, key, TJ_SHA256_LEN);
	tj_sha256_update(&h, data + head, len - head);
	tj_sha256_final(&h, data + mac_at);
	assert_int_equal(tj_static_cache_decode(data, len, key, mac_key, &back), 0);
	/* Sealed under a key of its own: refused. */
	const uint8_t own[TJ_INTEGRITY_KEY_LEN] = "attacker-attacker-attacker-atta";
	tj_integrity_mac2(own, data, mac_at, data + head, len - head, data + mac_at);
	assert_int_equal(tj_static_cache_decode(data, len, key, mac_key, &back), 0);
	/* The control: with the real key the same bytes are a good entry, so
	 * the MAC alone refused them. */
	tj_integrity_mac2(mac_key, data, mac_at, data + head, len - head, data + mac_at);
	assert_int_equal(tj_static_cache_decode(data, len, key, mac_key, &back), 1);
	assert_int_equal(back->flags, s->flags ^ 1);
	tj_summary_free(back);
	free(data);

	/* Files: a hit at another path, a refused directory. */
	tj_autofree char *base = tj_xasprintf("%s/cache", dir);
	struct tj_static_cache *c = NULL;
	assert_int_equal(tj_static_cache_open(base, mac_key, &c, NULL), 0);
	assert_int_equal(tj_static_cache_load(c, key, &back), 0);
	assert_int_equal(tj_static_cache_store(c, key, s, NULL), 0);
	assert_int_equal(tj_static_cache_load(c, key, &back), 1);
	tj_summary_free(back);
	tj_static_cache_close(c);
	tj_autofree char *sub = tj_xasprintf("%s/static", base);
	chmod(sub, 0777);
	struct tj_err *err = NULL;
	assert_int_equal(tj_static_cache_open(base, mac_key, &c, &err), -1);
	assert_contains(err->msg, "writable by group or others");
	tj_err_free(err);
	chmod(sub, 0700);
	tj_summary_free(s);
	tj_elf_close(e);

	/* Through the analysis: the second run takes every summary from the cache. */
	tj_autofree char *p = build("cached", "c", gettid_src, "-O2");
	struct tj_static_opts o = {.debug_dir = "/usr/lib/debug",
				   .no_vdso = true,
				   .cache_dir = base,
				   .cache_mac_key = mac_key};
	struct result r1, r2;
	analyze_opts(p, &o, &r1);
	analyze_opts(p, &o, &r2);
	assert_int_equal(r1.r->nsys, r2.r->nsys);
	assert_memory_equal(r1.nr, r2.nr, sizeof(r1.nr));
	for (size_t i = 0; i < r2.r->nobjs; i++) {
		assert_false(r1.r->objs[i].cached);
		assert_true(r2.r->objs[i].cached);
	}
	tj_static_result_free(r1.r);
	tj_static_result_free(r2.r);
}

/* --- the loader --- */

static void test_ldcache(void **state)
{
	(void)state;
	struct tj_ldcache c;
	assert_int_equal(tj_ldcache_load("/etc/ld.so.cache", &c, NULL), 0);
	const char *libc = tj_ldcache_find(&c, "libc.so.6");
	assert_non_null(libc);
	assert_int_equal(access(libc, R_OK), 0);
	tj_ldcache_done(&c);
	uint8_t junk[64] = "glibc-ld.so.cache1.1";
	uint32_t n = 1000;
	memcpy(junk + 20, &n, 4);
	struct tj_err *err = NULL;
	assert_int_equal(tj_ldcache_parse(junk, sizeof(junk), &c, &err), -1);
	assert_contains(err->msg, "entries do not fit");
	tj_err_free(err);
	assert_int_equal(tj_ldcache_load("/nonexistent/ld.so.cache", &c, NULL), 0);
	assert_int_equal(c.n, 0);
}

static void test_runpath_origin(void **state)
{
	(void)state;
	/* A library found through $ORIGIN only. */
	tj_autofree char *libdir = tj_xasprintf("%s/lib", dir);
	mkdir(libdir, 0755);
	tj_autofree char *src = tj_xasprintf("%s/lib/x.c", dir);
	FILE *f = fopen(src, "w");
	fputs("#include <unistd.h>\nint x(void) { return getppid(); }\n", f);
	fclose(f);
	tj_autofree char *cmd = tj_xasprintf("gcc -shared -fpic -o %s/lib/libtjx.so %s", dir, src);
	assert_int_equal(system(cmd), 0);
	tj_autofree char *flags = tj_xasprintf("-O2 -L%s/lib -Wl,-rpath,'$ORIGIN/lib' -ltjx", dir);
	tj_autofree char *p = build("origin", "c", "int x(void);\nint main(void) { return x(); }\n", flags);
	struct result res;
	analyze(p, &res);
	assert_true(has_object(&res, "lib/libtjx.so"));
	assert_true(res.nr[SYS_getppid]);
	tj_autofree char *why = explain(&res, SYS_getppid);
	assert_contains(why, "x (libtjx.so) <- main (origin)");
	tj_static_result_free(res.r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_raw_syscalls),
		cmocka_unit_test(test_number_from_another_block),
		cmocka_unit_test(test_number_from_memory),
		cmocka_unit_test(test_wrapper_in_program),
		cmocka_unit_test(test_jump_table),
		cmocka_unit_test(test_syscall_pie),
		cmocka_unit_test(test_syscall_no_pie),
		cmocka_unit_test(test_syscall_no_plt),
		cmocka_unit_test(test_syscall_O0),
		cmocka_unit_test(test_syscall_static),
		cmocka_unit_test(test_syscall_static_pie),
		cmocka_unit_test(test_syscall_stripped),
		cmocka_unit_test(test_qsort_callback),
		cmocka_unit_test(test_tables_pie),
		cmocka_unit_test(test_tables_no_pie),
		cmocka_unit_test(test_tables_stripped),
		cmocka_unit_test(test_wrapper_through_pointer),
		cmocka_unit_test(test_go),
		cmocka_unit_test(test_dlopen_constant),
		cmocka_unit_test(test_nss_modules),
		cmocka_unit_test(test_script),
		cmocka_unit_test(test_vdso),
		cmocka_unit_test(test_profile_model),
		cmocka_unit_test(test_corrupt_elf),
		cmocka_unit_test(test_relr),
		cmocka_unit_test(test_huge_init_array),
		cmocka_unit_test(test_cache),
		cmocka_unit_test(test_ldcache),
		cmocka_unit_test(test_runpath_origin),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
