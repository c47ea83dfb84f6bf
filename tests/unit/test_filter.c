/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The seccomp compiler (src/filter/filter.c): conflict detection, unknown names,
 * the table of syscalls newer than libseccomp, syscall names, load flags,
 * the truth program, and the programs themselves.
 */
#include "unit.h"

#include <errno.h>
#include <glob.h>
#include <linux/audit.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tj/filter/bpfsim.h"
#include "tj/filter/filter.h"
#include "tj/filter/verify.h"
#include "tj/json/profile_json.h"

#define X32 0x40000000

static const struct tj_host host0 = {.go_arch = "amd64", .kernel_major = 6, .kernel_minor = 1, .caps = 0};

static struct tj_profile *load(const char *text)
{
	struct tj_profile *p = NULL;
	struct tj_err *err = NULL;
	if (tj_profile_load_buffer("t.json", text, strlen(text), &p, &err) < 0) {
		char *m = tj_err_format(err);
		fail_msg("cannot load the test profile: %s", m);
	}
	return p;
}

static struct tj_profile *load_file(const char *path)
{
	struct tj_profile *p = NULL;
	struct tj_err *err = NULL;
	if (tj_profile_load_file(path, path, &p, &err) < 0) {
		char *m = tj_err_format(err);
		fail_msg("cannot load %s: %s", path, m);
	}
	return p;
}

/* Compiles text; returns the filter, or NULL with *err set. */
static struct tj_filter *compile_opts(const char *text, const struct tj_filter_opts *opts, struct tj_err **err)
{
	struct tj_profile *p = load(text);
	struct tj_filter_opts o = *opts;
	if (!o.host)
		o.host = &host0;
	struct tj_filter *f = NULL;
	int rc = tj_filter_compile(p, &o, &f, err);
	tj_profile_free(p);
	if (rc < 0) {
		assert_null(f);
		assert_non_null(*err);
		return NULL;
	}
	assert_int_equal(rc, 0);
	assert_non_null(f);
	return f;
}

static struct tj_filter *compile_ok(const char *text, const struct tj_filter_opts *opts)
{
	struct tj_err *err = NULL;
	struct tj_filter *f = compile_opts(text, opts, &err);
	if (!f) {
		char *m = tj_err_format(err);
		fail_msg("unexpected compile error: %s", m);
	}
	return f;
}

static struct tj_err *compile_err(const char *text, const struct tj_filter_opts *opts)
{
	struct tj_err *err = NULL;
	struct tj_filter *f = compile_opts(text, opts, &err);
	if (f) {
		tj_filter_free(f);
		fail_msg("the profile compiled, but an error was expected");
	}
	return err;
}

static uint32_t run(const struct tj_filter *f, uint32_t arch, int nr, uint64_t a0, uint64_t a1)
{
	struct seccomp_data d = {.nr = nr, .arch = arch, .args = {a0, a1}};
	return tj_bpf_run(f->prog, f->len, &d);
}

static uint32_t run_truth(const struct tj_filter *f, int nr, uint64_t a0)
{
	struct seccomp_data d = {.nr = nr, .arch = AUDIT_ARCH_X86_64, .args = {a0}};
	return f->truth ? tj_bpf_run(f->truth, f->truth_len, &d) : tj_bpf_run(f->prog, f->len, &d);
}

static bool notes_contain(const struct tj_notes *n, const char *path, const char *fragment)
{
	for (size_t i = 0; i < n->n; i++)
		if ((!path || (n->v[i].json_path && strcmp(n->v[i].json_path, path) == 0)) &&
		    strstr(n->v[i].msg, fragment))
			return true;
	return false;
}

static const struct tj_filter_opts enforce = {.mode = TJ_MODE_ENFORCE};

/* --- conflicts --- */

static void test_conflict_unconditional(void **state)
{
	(void)state;
	struct tj_err *err = compile_err("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": ["
					 "{\"names\": [\"read\", \"getpid\"], \"action\": \"SCMP_ACT_ALLOW\"},"
					 "{\"names\": [\"getpid\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 13}]}",
					 &enforce);
	assert_int_equal(err->kind, TJ_ERR_PROFILE);
	assert_string_equal(err->msg, "conflicting rules for 'getpid': syscalls[0] says SCMP_ACT_ALLOW, "
				      "this rule says SCMP_ACT_ERRNO(EACCES)");
	assert_string_equal(err->file, "t.json");
	assert_string_equal(err->json_path, "syscalls[1]");
	assert_string_equal(err->hint, "libseccomp would silently keep the first; remove one of them");
	assert_int_equal(tj_err_exit_code(err), TJ_EXIT_ERROR);
	tj_err_free(err);

	/* Two ERRNO rules with different errnos conflict too. */
	err = compile_err("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": ["
			  "{\"names\": [\"mkdir\"], \"action\": \"SCMP_ACT_ERRNO\"},"
			  "{\"names\": [\"rmdir\", \"mkdir\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 2}]}",
			  &enforce);
	assert_string_equal(err->msg, "conflicting rules for 'mkdir': syscalls[0] says SCMP_ACT_ERRNO(EPERM), "
				      "this rule says SCMP_ACT_ERRNO(ENOENT)");
	tj_err_free(err);

	/* Supplement syscalls are checked as well. */
	err = compile_err("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": ["
			  "{\"names\": [\"mseal\"], \"action\": \"SCMP_ACT_KILL_PROCESS\"},"
			  "{\"names\": [\"mseal\"], \"action\": \"SCMP_ACT_LOG\"}]}",
			  &enforce);
	assert_string_equal(err->msg, "conflicting rules for 'mseal': syscalls[0] says SCMP_ACT_KILL_PROCESS, "
				      "this rule says SCMP_ACT_LOG");
	tj_err_free(err);
}

static void test_conflict_none(void **state)
{
	(void)state;
	/* The same action twice, and KILL next to KILL_PROCESS (one action
	 * in tinyjail), are not conflicts. */
	struct tj_filter *f = compile_ok("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": ["
					 "{\"names\": [\"getpid\"], \"action\": \"SCMP_ACT_ERRNO\"},"
					 "{\"names\": [\"getpid\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 1},"
					 "{\"names\": [\"gettid\"], \"action\": \"SCMP_ACT_KILL\"},"
					 "{\"names\": [\"gettid\"], \"action\": \"SCMP_ACT_KILL_PROCESS\"}]}",
					 &enforce);
	assert_int_equal(run(f, AUDIT_ARCH_X86_64, SYS_getpid, 0, 0), SECCOMP_RET_ERRNO | 1);
	assert_int_equal(run(f, AUDIT_ARCH_X86_64, SYS_gettid, 0, 0), SECCOMP_RET_KILL_PROCESS);
	tj_filter_free(f);

	/* A rule equal to the default is skipped before conflicts are looked
	 * for: ERRNO(EPERM) under an EPERM default, KILL under KILL_PROCESS. */
	f = compile_ok("{\"defaultAction\": \"SCMP_ACT_KILL_PROCESS\", \"syscalls\": ["
		       "{\"names\": [\"getpid\"], \"action\": \"SCMP_ACT_KILL\"},"
		       "{\"names\": [\"getpid\"], \"action\": \"SCMP_ACT_ALLOW\"}]}",
		       &enforce);
	assert_int_equal(run(f, AUDIT_ARCH_X86_64, SYS_getpid, 0, 0), SECCOMP_RET_ALLOW);
	assert_int_equal(run(f, AUDIT_ARCH_X86_64, SYS_gettid, 0, 0), SECCOMP_RET_KILL_PROCESS);
	tj_filter_free(f);
	f = compile_ok("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": ["
		       "{\"names\": [\"getpid\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 1},"
		       "{\"names\": [\"getpid\"], \"action\": \"SCMP_ACT_ALLOW\"}]}",
		       &enforce);
	assert_int_equal(run(f, AUDIT_ARCH_X86_64, SYS_getpid, 0, 0), SECCOMP_RET_ALLOW);
	tj_filter_free(f);
}

static void test_conflict_conditional(void **state)
{
	(void)state;
	/* A conditional rule that denies more than an unconditional one would
	 * be dropped by libseccomp: an error. */
	struct tj_err *err = compile_err("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": ["
					 "{\"names\": [\"read\"], \"action\": \"SCMP_ACT_ALLOW\"},"
					 "{\"names\": [\"read\"], \"action\": \"SCMP_ACT_KILL_PROCESS\","
					 " \"args\": [{\"index\": 0, \"value\": 3, \"op\": \"SCMP_CMP_EQ\"}]}]}",
					 &enforce);
	assert_int_equal(err->kind, TJ_ERR_PROFILE);
	assert_string_equal(err->msg, "this rule never applies to 'read': syscalls[0] already decides it "
				      "(SCMP_ACT_ALLOW) for all arguments");
	assert_string_equal(err->json_path, "syscalls[1]");
	assert_contains(err->hint, "libseccomp drops a conditional rule when an unconditional rule exists");
	tj_err_free(err);

	/* One that allows more than an unconditional denial has no effect:
	 * a note, and the denial stands. */
	struct tj_filter *f = compile_ok("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": ["
					 "{\"names\": [\"read\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 77},"
					 "{\"names\": [\"read\"], \"action\": \"SCMP_ACT_LOG\","
					 " \"args\": [{\"index\": 0, \"value\": 3, \"op\": \"SCMP_CMP_EQ\"}]}]}",
					 &enforce);
	assert_true(notes_contain(&f->info, "syscalls[1]",
				  "no effect for 'read': syscalls[0] decides it for all arguments"));
	assert_int_equal(run(f, AUDIT_ARCH_X86_64, SYS_read, 3, 0), SECCOMP_RET_ERRNO | 77);
	assert_int_equal(run(f, AUDIT_ARCH_X86_64, SYS_read, 4, 0), SECCOMP_RET_ERRNO | 77);
	assert_int_equal(f->warnings.n, 0);
	tj_filter_free(f);

	/* Two conditional rules with identical checks and different actions. */
	err = compile_err("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": ["
			  "{\"names\": [\"read\"], \"action\": \"SCMP_ACT_ERRNO\","
			  " \"args\": [{\"index\": 0, \"value\": 3, \"op\": \"SCMP_CMP_EQ\"}]},"
			  "{\"names\": [\"read\"], \"action\": \"SCMP_ACT_KILL_PROCESS\","
			  " \"args\": [{\"index\": 0, \"value\": 3, \"op\": \"SCMP_CMP_EQ\"}]}]}",
			  &enforce);
	assert_int_equal(err->kind, TJ_ERR_PROFILE);
	assert_string_equal(err->msg, "'read' already has a rule with the same argument checks and a different action");
	assert_string_equal(err->json_path, "syscalls[1]");
	tj_err_free(err);
}

/* Podman's default profile, for a target without CAP_SYS_ADMIN, allows
 * setns in its big list and denies it in a rule for exactly that case;
 * runc and crun (through libseccomp) keep the ALLOW, which comes first.
 * Because the denial is conditional (excludes.caps), tinyjail gives the
 * same outcome with a warning, and drops the overridden name from the
 * resolved rules (notes/profile-format.md). */
static void test_conflict_podman_default(void **state)
{
	(void)state;
	struct tj_profile *p = load_file("tests/fixtures/corpus/container-libs_common_seccomp.json");
	struct tj_filter *f = NULL;
	struct tj_err *err = NULL;
	struct tj_filter_opts o = {.host = &host0};
	assert_int_equal(tj_filter_compile(p, &o, &f, &err), 0);
	assert_null(err);
	bool warned = false;
	for (size_t i = 0; i < f->warnings.n; i++)
		warned |= strcmp(f->warnings.v[i].json_path, "syscalls[16]") == 0 &&
			  strstr(f->warnings.v[i].msg, "'setns' SCMP_ACT_ERRNO(EPERM) is overridden by syscalls[1] "
						       "(SCMP_ACT_ALLOW)") != NULL;
	assert_true(warned);
	assert_int_equal(run(f, AUDIT_ARCH_X86_64, SYS_setns, 0, 0), SECCOMP_RET_ALLOW);
	/* The overridden name is gone from the rules in force. */
	for (size_t i = 0; i < f->resolved->nrules; i++)
		if (strcmp(f->resolved->rules[i].json_path, "syscalls[16]") == 0)
			for (size_t k = 0; k < f->resolved->rules[i].names.n; k++)
				assert_string_not_equal(f->resolved->rules[i].names.v[k], "setns");
	tj_filter_free(f);
	f = NULL;
	/* With CAP_SYS_ADMIN the denial does not apply. */
	struct tj_host admin = host0;
	admin.caps = 1ULL << 21;
	o.host = &admin;
	assert_int_equal(tj_filter_compile(p, &o, &f, &err), 0);
	assert_int_equal(run(f, AUDIT_ARCH_X86_64, SYS_setns, 0, 0), SECCOMP_RET_ALLOW);
	tj_filter_free(f);
	tj_profile_free(p);
}

/* --- unknown names --- */

static void test_unknown_in_allow_rule(void **state)
{
	(void)state;
	struct tj_filter *f = compile_ok(
		"{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": ["
		"{\"names\": [\"getpid\", \"no_such_syscall\", \"frobnicate\"], \"action\": \"SCMP_ACT_ALLOW\"}]}",
		&enforce);
	assert_int_equal(f->warnings.n, 1);
	assert_string_equal(f->warnings.v[0].json_path, "syscalls[0]");
	char version[32];
	tj_filter_library_version(version, sizeof(version));
	char *want = tj_xasprintf("skipped syscall names unknown to libseccomp %s: 'no_such_syscall', 'frobnicate' "
				  "(this rule is not a denial, so skipping only tightens the filter)",
				  version);
	assert_string_equal(f->warnings.v[0].msg, want);
	free(want);
	/* The known name in the same rule still applies, and the resolved
	 * profile keeps only it. */
	assert_int_equal(run(f, AUDIT_ARCH_X86_64, SYS_getpid, 0, 0), SECCOMP_RET_ALLOW);
	assert_int_equal(f->resolved->rules[0].names.n, 1);
	assert_string_equal(f->resolved->rules[0].names.v[0], "getpid");
	tj_filter_free(f);

	/* Names other ABIs have (socketcall, _llseek) are not unknown. */
	f = compile_ok("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": ["
		       "{\"names\": [\"socketcall\", \"_llseek\"], \"action\": \"SCMP_ACT_KILL_PROCESS\"}]}",
		       &enforce);
	assert_int_equal(f->warnings.n, 0);
	tj_filter_free(f);
}

static void test_unknown_in_deny_rule(void **state)
{
	(void)state;
	const char *text = "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": ["
			   "{\"names\": [\"getppid\"], \"action\": \"SCMP_ACT_LOG\"},"
			   "{\"names\": [\"mount\", \"getpdi\"], \"action\": \"SCMP_ACT_ERRNO\"}]}";
	struct tj_err *err = compile_err(text, &enforce);
	assert_int_equal(err->kind, TJ_ERR_PROFILE);
	assert_string_equal(err->msg, "unknown syscall 'getpdi' (did you mean 'getpid'?)");
	assert_string_equal(err->file, "t.json");
	assert_string_equal(err->json_path, "syscalls[1].names[1]");
	assert_string_equal(err->hint,
			    "skipping this name would let 'getpdi' through under the default action "
			    "SCMP_ACT_ALLOW; fix the name, or pass --ignore-unknown-syscalls to skip it anyway");
	tj_err_free(err);

	/* No close name: no suggestion.  The deprecated singular "name". */
	err = compile_err("{\"defaultAction\": \"SCMP_ACT_LOG\", \"syscalls\": ["
			  "{\"name\": \"zzzzzzzzzzzzzzzz\", \"action\": \"SCMP_ACT_KILL_THREAD\"}]}",
			  &enforce);
	assert_string_equal(err->msg, "unknown syscall 'zzzzzzzzzzzzzzzz' in a rule that denies it");
	assert_string_equal(err->json_path, "syscalls[0].name");
	assert_contains(err->hint, "under the default action SCMP_ACT_LOG");
	tj_err_free(err);

	/* --ignore-unknown-syscalls: skipped with a warning that says so. */
	struct tj_filter_opts o = {.ignore_unknown_deny = true};
	struct tj_filter *f = compile_ok(text, &o);
	assert_int_equal(f->warnings.n, 1);
	assert_string_equal(f->warnings.v[0].json_path, "syscalls[1]");
	assert_contains(f->warnings.v[0].msg, ": 'getpdi' (this weakens the filter (--ignore-unknown-syscalls))");
	assert_int_equal(run(f, AUDIT_ARCH_X86_64, SYS_mount, 0, 0), SECCOMP_RET_ERRNO | 1);
	assert_int_equal(run(f, AUDIT_ARCH_X86_64, SYS_getpid, 0, 0), SECCOMP_RET_ALLOW);
	tj_filter_free(f);
}

/* --- the supplement table --- */

/* tinyjail's table of syscalls newer than libseccomp 2.5.4, from the
 * kernel's arch/x86/entry/syscalls/syscall_64.tbl. */
static const struct {
	const char *name;
	int nr;
} newer[] = {
	{"uretprobe", 335},	    {"statmount", 457},	       {"listmount", 458},     {"lsm_get_self_attr", 459},
	{"lsm_set_self_attr", 460}, {"lsm_list_modules", 461}, {"mseal", 462},	       {"setxattrat", 463},
	{"getxattrat", 464},	    {"listxattrat", 465},      {"removexattrat", 466}, {"open_tree_attr", 467},
	{"file_getattr", 468},	    {"file_setattr", 469},
};

static bool in_newer(const char *name, int nr)
{
	for (size_t i = 0; i < TJ_ARRAY_SIZE(newer); i++)
		if (strcmp(newer[i].name, name) == 0 && newer[i].nr == nr)
			return true;
	return false;
}

static void test_supplement_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < TJ_ARRAY_SIZE(newer); i++) {
		int nr = -1;
		assert_int_equal(tj_syscall_resolve(newer[i].name, &nr), TJ_SYSCALL_NATIVE);
		assert_int_equal(nr, newer[i].nr);
		/* Unknown to this libseccomp, or it agrees. */
		int lib = seccomp_syscall_resolve_name_arch(SCMP_ARCH_X86_64, newer[i].name);
		if (lib != __NR_SCMP_ERROR)
			assert_int_equal(lib, newer[i].nr);
		char *libname = seccomp_syscall_resolve_num_arch(SCMP_ARCH_X86_64, newer[i].nr);
		if (libname)
			assert_string_equal(libname, newer[i].name);
		free(libname);
		char buf[64];
		tj_syscall_name(AUDIT_ARCH_X86_64, newer[i].nr, buf, sizeof(buf));
		assert_string_equal(buf, newer[i].name);
		/* x86_64 only. */
		tj_syscall_name(AUDIT_ARCH_I386, newer[i].nr, buf, sizeof(buf));
		char *i386name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_X86, newer[i].nr);
		if (!i386name) {
			char want[32];
			snprintf(want, sizeof(want), "syscall_%d", newer[i].nr);
			assert_string_equal(buf, want);
		}
		free(i386name);
	}
	/* The table has no entry this list lacks: every x86_64 number that
	 * libseccomp cannot name but tinyjail can is one of the above. */
	size_t found = 0;
	for (int nr = 0; nr < 1024; nr++) {
		char *libname = seccomp_syscall_resolve_num_arch(SCMP_ARCH_X86_64, nr);
		if (libname) {
			free(libname);
			continue;
		}
		char buf[64], unnamed[32];
		tj_syscall_name(AUDIT_ARCH_X86_64, nr, buf, sizeof(buf));
		snprintf(unnamed, sizeof(unnamed), "syscall_%d", nr);
		if (strcmp(buf, unnamed) == 0)
			continue;
		if (!in_newer(buf, nr))
			fail_msg("tinyjail names x86_64 syscall %d '%s', which this test does not know", nr, buf);
		found++;
	}
	assert_int_equal(found, TJ_ARRAY_SIZE(newer));
}

/* Each number exists on the running kernel: a call with a bad first
 * argument fails with something other than ENOSYS. */
static void test_supplement_on_kernel(void **state)
{
	(void)state;
	for (size_t i = 0; i < TJ_ARRAY_SIZE(newer); i++) {
		if (newer[i].nr == 335)
			continue; /* uretprobe raises SIGILL outside a uretprobe trampoline */
		int pipefd[2];
		assert_int_equal(pipe(pipefd), 0);
		pid_t pid = fork();
		assert_true(pid >= 0);
		if (pid == 0) {
			close(pipefd[0]);
			long r = syscall(newer[i].nr, -1L, 0L, 0L, 0L, 0L, 0L);
			int e = r < 0 ? errno : 0;
			ssize_t unused = write(pipefd[1], &e, sizeof(e));
			(void)unused;
			_exit(0);
		}
		close(pipefd[1]);
		int e = -1, status = 0;
		ssize_t n = read(pipefd[0], &e, sizeof(e));
		close(pipefd[0]);
		assert_int_equal(waitpid(pid, &status, 0), pid);
		assert_int_equal(n, (ssize_t)sizeof(e));
		if (e == ENOSYS)
			fail_msg("%s (%d) is ENOSYS on this kernel", newer[i].name, newer[i].nr);
	}
}

/* --- names --- */

static void test_syscall_resolve(void **state)
{
	(void)state;
	int nr = -12345;
	assert_int_equal(tj_syscall_resolve("getpid", &nr), TJ_SYSCALL_NATIVE);
	assert_int_equal(nr, 39);
	assert_int_equal(tj_syscall_resolve("read", &nr), TJ_SYSCALL_NATIVE);
	assert_int_equal(nr, 0);
	assert_int_equal(tj_syscall_resolve("futex_requeue", &nr), TJ_SYSCALL_NATIVE);
	assert_int_equal(nr, 456);
	assert_int_equal(tj_syscall_resolve("mseal", &nr), TJ_SYSCALL_NATIVE);
	assert_int_equal(nr, 462);
	nr = 0;
	assert_int_equal(tj_syscall_resolve("socketcall", &nr), TJ_SYSCALL_FOREIGN);
	assert_true(nr < 0);
	assert_int_equal(tj_syscall_resolve("_llseek", &nr), TJ_SYSCALL_FOREIGN);
	assert_int_equal(tj_syscall_resolve("waitpid", &nr), TJ_SYSCALL_FOREIGN);
	assert_int_equal(tj_syscall_resolve("no_such_syscall", &nr), TJ_SYSCALL_UNKNOWN);
	assert_int_equal(tj_syscall_resolve("", &nr), TJ_SYSCALL_UNKNOWN);
	assert_int_equal(tj_syscall_resolve("GETPID", &nr), TJ_SYSCALL_UNKNOWN);
}

static void test_syscall_name(void **state)
{
	(void)state;
	char b[64];
	tj_syscall_name(AUDIT_ARCH_X86_64, 39, b, sizeof(b));
	assert_string_equal(b, "getpid");
	tj_syscall_name(AUDIT_ARCH_X86_64, 0, b, sizeof(b));
	assert_string_equal(b, "read");
	tj_syscall_name(AUDIT_ARCH_I386, 20, b, sizeof(b));
	assert_string_equal(b, "getpid");
	tj_syscall_name(AUDIT_ARCH_I386, 102, b, sizeof(b));
	assert_string_equal(b, "socketcall");
	tj_syscall_name(AUDIT_ARCH_I386, 39, b, sizeof(b));
	assert_string_equal(b, "mkdir");
	tj_syscall_name(AUDIT_ARCH_X86_64, X32 | 39, b, sizeof(b));
	assert_string_equal(b, "getpid");
	tj_syscall_name(AUDIT_ARCH_X86_64, X32 | 512, b, sizeof(b));
	assert_string_equal(b, "rt_sigaction");
	tj_syscall_name(AUDIT_ARCH_X86_64, 462, b, sizeof(b));
	assert_string_equal(b, "mseal");
	/* Unknown numbers, and the supplement on the other ABIs. */
	tj_syscall_name(AUDIT_ARCH_X86_64, 1000, b, sizeof(b));
	assert_string_equal(b, "syscall_1000");
	tj_syscall_name(AUDIT_ARCH_X86_64, X32 | 1000, b, sizeof(b));
	assert_string_equal(b, "syscall_1000");
	tj_syscall_name(AUDIT_ARCH_X86_64, X32 | 462, b, sizeof(b));
	assert_string_equal(b, "syscall_462");
	tj_syscall_name(AUDIT_ARCH_I386, 462, b, sizeof(b));
	assert_string_equal(b, "syscall_462");
	tj_syscall_name(AUDIT_ARCH_I386, 5000, b, sizeof(b));
	assert_string_equal(b, "syscall_5000");
	tj_syscall_name(AUDIT_ARCH_AARCH64, 172, b, sizeof(b));
	assert_string_equal(b, "syscall_172");
	tj_syscall_name(AUDIT_ARCH_X86_64, 0x3ffffff0, b, sizeof(b));
	assert_string_equal(b, "syscall_1073741808");
	/* Truncation keeps the buffer terminated. */
	char small[4];
	tj_syscall_name(AUDIT_ARCH_X86_64, 39, small, sizeof(small));
	assert_string_equal(small, "get");

	assert_string_equal(tj_arch_short_name(AUDIT_ARCH_X86_64, 39), "x86_64");
	assert_string_equal(tj_arch_short_name(AUDIT_ARCH_X86_64, X32 | 39), "x32");
	assert_string_equal(tj_arch_short_name(AUDIT_ARCH_I386, 20), "x86");
	assert_string_equal(tj_arch_short_name(AUDIT_ARCH_AARCH64, 1), "unknown-arch");
}

/* --- actions --- */

static void test_action_values(void **state)
{
	(void)state;
	assert_int_equal(tj_filter_action_value(TJ_ACT_KILL, 0), SECCOMP_RET_KILL_PROCESS);
	assert_int_equal(tj_filter_action_value(TJ_ACT_KILL_PROCESS, 0), SECCOMP_RET_KILL_PROCESS);
	assert_int_equal(tj_filter_action_value(TJ_ACT_KILL_THREAD, 0), SECCOMP_RET_KILL_THREAD);
	assert_int_equal(tj_filter_action_value(TJ_ACT_TRAP, 0), SECCOMP_RET_TRAP);
	assert_int_equal(tj_filter_action_value(TJ_ACT_ERRNO, 38), SECCOMP_RET_ERRNO | 38);
	assert_int_equal(tj_filter_action_value(TJ_ACT_TRACE, 7), SECCOMP_RET_TRACE | 7);
	assert_int_equal(tj_filter_action_value(TJ_ACT_NOTIFY, 0), SECCOMP_RET_USER_NOTIF);
	assert_int_equal(tj_filter_action_value(TJ_ACT_LOG, 0), SECCOMP_RET_LOG);
	assert_int_equal(tj_filter_action_value(TJ_ACT_ALLOW, 0), SECCOMP_RET_ALLOW);

	char b[64];
	tj_filter_describe_action(SECCOMP_RET_ERRNO | 1, b, sizeof(b));
	assert_string_equal(b, "SCMP_ACT_ERRNO(EPERM)");
	tj_filter_describe_action(SECCOMP_RET_ERRNO | 38, b, sizeof(b));
	assert_string_equal(b, "SCMP_ACT_ERRNO(ENOSYS)");
	tj_filter_describe_action(SECCOMP_RET_ERRNO | 4000, b, sizeof(b));
	assert_string_equal(b, "SCMP_ACT_ERRNO(4000)");
	tj_filter_describe_action(SECCOMP_RET_TRACE | 5, b, sizeof(b));
	assert_string_equal(b, "SCMP_ACT_TRACE(5)");
	tj_filter_describe_action(SECCOMP_RET_KILL_PROCESS, b, sizeof(b));
	assert_string_equal(b, "SCMP_ACT_KILL_PROCESS");
	tj_filter_describe_action(SECCOMP_RET_KILL_THREAD, b, sizeof(b));
	assert_string_equal(b, "SCMP_ACT_KILL_THREAD");
	tj_filter_describe_action(SECCOMP_RET_TRAP, b, sizeof(b));
	assert_string_equal(b, "SCMP_ACT_TRAP");
	tj_filter_describe_action(SECCOMP_RET_USER_NOTIF, b, sizeof(b));
	assert_string_equal(b, "SCMP_ACT_NOTIFY");
	tj_filter_describe_action(SECCOMP_RET_LOG, b, sizeof(b));
	assert_string_equal(b, "SCMP_ACT_LOG");
	tj_filter_describe_action(SECCOMP_RET_ALLOW, b, sizeof(b));
	assert_string_equal(b, "SCMP_ACT_ALLOW");
	tj_filter_describe_action(0x00010000u, b, sizeof(b));
	assert_string_equal(b, "0x00010000");
}

/* --- load flags and the truth program --- */

#define FLAG_TSYNC 1u
#define FLAG_LOG 2u
#define FLAG_SPEC_ALLOW 4u
#define FLAG_NEW_LISTENER 8u
#define FLAG_TSYNC_ESRCH 16u
#define FLAG_WAIT_KILLABLE_RECV 32u

static void test_load_flags(void **state)
{
	(void)state;
	/* No "flags": nothing, not even SPEC_ALLOW (runc and crun add it). */
	const char *plain = "{\"defaultAction\": \"SCMP_ACT_KILL_PROCESS\", \"syscalls\": ["
			    "{\"names\": [\"getpid\"], \"action\": \"SCMP_ACT_ALLOW\"}]}";
	struct tj_filter *f = compile_ok(plain, &enforce);
	assert_int_equal(f->load_flags, 0);
	assert_false(f->uses_listener);
	assert_null(f->truth);
	assert_int_equal(f->truth_len, 0);
	tj_filter_free(f);

	/* Supervised kills: a listener, and a separate truth program. */
	struct tj_filter_opts sup = {.supervise_kills = true};
	f = compile_ok(plain, &sup);
	assert_int_equal(f->load_flags, FLAG_NEW_LISTENER);
	assert_true(f->uses_listener);
	assert_false(f->has_agent_rules);
	assert_non_null(f->truth);
	assert_int_equal(run(f, AUDIT_ARCH_X86_64, SYS_gettid, 0, 0), SECCOMP_RET_USER_NOTIF);
	assert_int_equal(run_truth(f, SYS_gettid, 0), SECCOMP_RET_KILL_PROCESS);
	tj_filter_free(f);

	/* Supervised kills, but nothing kills: no listener, no truth. */
	f = compile_ok("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": ["
		       "{\"names\": [\"getpid\"], \"action\": \"SCMP_ACT_KILL_THREAD\"}]}",
		       &sup);
	assert_false(f->uses_listener);
	assert_null(f->truth);
	assert_int_equal(f->load_flags, 0);
	tj_filter_free(f);

	/* The OCI flags map one to one; TSYNC with a listener needs ESRCH. */
	const char *flagged =
		"{\"defaultAction\": \"SCMP_ACT_KILL_PROCESS\", \"flags\": [\"SECCOMP_FILTER_FLAG_TSYNC\", "
		"\"SECCOMP_FILTER_FLAG_LOG\", \"SECCOMP_FILTER_FLAG_SPEC_ALLOW\"], \"syscalls\": ["
		"{\"names\": [\"getpid\"], \"action\": \"SCMP_ACT_ALLOW\"}]}";
	f = compile_ok(flagged, &enforce);
	assert_int_equal(f->load_flags, FLAG_TSYNC | FLAG_LOG | FLAG_SPEC_ALLOW);
	tj_filter_free(f);
	f = compile_ok(flagged, &sup);
	assert_int_equal(f->load_flags, FLAG_TSYNC | FLAG_LOG | FLAG_SPEC_ALLOW | FLAG_NEW_LISTENER | FLAG_TSYNC_ESRCH);
	tj_filter_free(f);

	/* WAIT_KILLABLE_RECV only with a listener; dropped with a note. */
	const char *wkr = "{\"defaultAction\": \"SCMP_ACT_KILL_PROCESS\", \"flags\": "
			  "[\"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV\"], \"syscalls\": ["
			  "{\"names\": [\"getpid\"], \"action\": \"SCMP_ACT_ALLOW\"}]}";
	f = compile_ok(wkr, &enforce);
	assert_int_equal(f->load_flags, 0);
	assert_true(notes_contain(&f->info, "",
				  "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV ignored: it only applies to "
				  "notifying filters"));
	tj_filter_free(f);
	f = compile_ok(wkr, &sup);
	assert_int_equal(f->load_flags, FLAG_WAIT_KILLABLE_RECV | FLAG_NEW_LISTENER);
	tj_filter_free(f);

	/* "flags": [] is present but empty. */
	f = compile_ok("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"flags\": [], \"syscalls\": []}", &enforce);
	assert_int_equal(f->load_flags, 0);
	tj_filter_free(f);
}

static void test_complain_and_agent_rules(void **state)
{
	(void)state;
	struct tj_filter_opts complain = {.mode = TJ_MODE_COMPLAIN};
	struct tj_filter *f = compile_ok("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": ["
					 "{\"names\": [\"getpid\"], \"action\": \"SCMP_ACT_ALLOW\"}]}",
					 &complain);
	assert_true(f->uses_listener);
	assert_int_equal(f->load_flags, FLAG_NEW_LISTENER);
	assert_non_null(f->truth);
	assert_int_equal(run(f, AUDIT_ARCH_X86_64, SYS_gettid, 0, 0), SECCOMP_RET_USER_NOTIF);
	assert_int_equal(run_truth(f, SYS_gettid, 0), SECCOMP_RET_ERRNO | 1);
	assert_int_equal(run(f, AUDIT_ARCH_X86_64, SYS_getpid, 0, 0), SECCOMP_RET_ALLOW);
	tj_filter_free(f);

	/* Complain mode listens even with nothing to deny: a call through an
	 * ABI the profile does not list is recorded instead of killed. */
	f = compile_ok("{\"defaultAction\": \"SCMP_ACT_LOG\", \"syscalls\": ["
		       "{\"names\": [\"getpid\"], \"action\": \"SCMP_ACT_ALLOW\"}]}",
		       &complain);
	assert_true(f->uses_listener);
	assert_non_null(f->truth);
	assert_int_equal(run(f, AUDIT_ARCH_X86_64, SYS_getpid | 0x40000000, 0, 0), SECCOMP_RET_USER_NOTIF);
	assert_int_equal(run(f, AUDIT_ARCH_X86_64, SYS_gettid, 0, 0), SECCOMP_RET_LOG);
	tj_filter_free(f);

	/* The profile's own NOTIFY rules: a listener even in plain enforce. */
	f = compile_ok("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"listenerPath\": \"/run/agent.sock\", \"syscalls\": ["
		       "{\"names\": [\"mount\"], \"action\": \"SCMP_ACT_NOTIFY\"}]}",
		       &enforce);
	assert_true(f->has_agent_rules);
	assert_true(f->uses_listener);
	assert_int_equal(f->load_flags, FLAG_NEW_LISTENER);
	assert_null(f->truth); /* the loaded program is the truth */
	tj_filter_free(f);
}

static void test_no_seccomp_section(void **state)
{
	(void)state;
	struct tj_profile *p = load("{\"ociVersion\": \"1.2.0\", \"linux\": {}}");
	assert_null(p->seccomp);
	struct tj_filter *f = NULL;
	struct tj_err *err = NULL;
	struct tj_filter_opts o = {.host = &host0};
	assert_int_equal(tj_filter_compile(p, &o, &f, &err), -1);
	assert_null(f);
	assert_int_equal(err->kind, TJ_ERR_INTERNAL);
	assert_string_equal(err->msg, "profile 't.json' has no seccomp section");
	tj_err_free(err);
	tj_profile_free(p);
}

static void test_host_conditions_and_arches(void **state)
{
	(void)state;
	struct tj_filter *f = compile_ok(
		"{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"architectures\": "
		"[\"SCMP_ARCH_X86_64\", \"SCMP_ARCH_AARCH64\"], \"syscalls\": ["
		"{\"names\": [\"reboot\"], \"action\": \"SCMP_ACT_ALLOW\", \"includes\": {\"caps\": [\"CAP_SYS_BOOT\"]}},"
		"{\"names\": [\"getpid\"], \"action\": \"SCMP_ACT_ALLOW\", \"includes\": {\"minKernel\": \"6.2\"}},"
		"{\"names\": [\"gettid\"], \"action\": \"SCMP_ACT_ALLOW\", \"includes\": {\"minKernel\": \"6.1\"}}]}",
		&enforce);
	assert_true(notes_contain(&f->info, "syscalls[0]",
				  "rule skipped on this host: includes.caps lists a capability the target lacks"));
	assert_true(notes_contain(&f->info, "syscalls[1]",
				  "rule skipped on this host: includes.minKernel is above this kernel"));
	assert_true(
		notes_contain(&f->info, "",
			      "architecture SCMP_ARCH_AARCH64 ignored: it cannot issue syscalls on an x86_64 kernel"));
	assert_int_equal(f->resolved->nrules, 1);
	assert_string_equal(f->resolved->rules[0].json_path, "syscalls[2]");
	assert_int_equal(run(f, AUDIT_ARCH_X86_64, SYS_reboot, 0, 0), SECCOMP_RET_ERRNO | 1);
	assert_int_equal(run(f, AUDIT_ARCH_X86_64, SYS_getpid, 0, 0), SECCOMP_RET_ERRNO | 1);
	assert_int_equal(run(f, AUDIT_ARCH_X86_64, SYS_gettid, 0, 0), SECCOMP_RET_ALLOW);
	assert_int_equal(run(f, AUDIT_ARCH_AARCH64, 172, 0, 0), SECCOMP_RET_KILL_PROCESS);
	tj_filter_free(f);
}

static void test_rules_added_and_pfc(void **state)
{
	(void)state;
	/* Two names without args: two rules.  A repeated index splits into
	 * one rule per comparison (3), per name (2): six.  Distinct indexes
	 * stay one rule.  A rule equal to the default adds nothing. */
	struct tj_filter_opts o = {.want_pfc = true};
	struct tj_filter *f = compile_ok("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": ["
					 "{\"names\": [\"getpid\", \"gettid\"], \"action\": \"SCMP_ACT_ALLOW\"},"
					 "{\"names\": [\"dup\", \"dup2\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": ["
					 " {\"index\": 0, \"value\": 1, \"op\": \"SCMP_CMP_EQ\"},"
					 " {\"index\": 0, \"value\": 2, \"op\": \"SCMP_CMP_EQ\"},"
					 " {\"index\": 1, \"value\": 3, \"op\": \"SCMP_CMP_EQ\"}]},"
					 "{\"names\": [\"kill\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": ["
					 " {\"index\": 0, \"value\": 1, \"op\": \"SCMP_CMP_EQ\"},"
					 " {\"index\": 1, \"value\": 0, \"op\": \"SCMP_CMP_EQ\"}]},"
					 "{\"names\": [\"read\"], \"action\": \"SCMP_ACT_ERRNO\"}]}",
					 &o);
	assert_int_equal(f->nrules_added, 2 + 6 + 1);
	assert_non_null(f->pfc);
	assert_contains(f->pfc, "# pseudo filter code start");
	assert_contains(f->pfc, "# filter for syscall \"dup2\" (33)");
	assert_contains(f->pfc, "action ERRNO(1);");
	/* dup: any one comparison; kill: both. */
	assert_int_equal(run(f, AUDIT_ARCH_X86_64, SYS_dup, 2, 0), SECCOMP_RET_ALLOW);
	assert_int_equal(run(f, AUDIT_ARCH_X86_64, SYS_dup, 5, 3), SECCOMP_RET_ALLOW);
	assert_int_equal(run(f, AUDIT_ARCH_X86_64, SYS_dup, 5, 4), SECCOMP_RET_ERRNO | 1);
	assert_int_equal(run(f, AUDIT_ARCH_X86_64, SYS_kill, 1, 0), SECCOMP_RET_ALLOW);
	assert_int_equal(run(f, AUDIT_ARCH_X86_64, SYS_kill, 1, 9), SECCOMP_RET_ERRNO | 1);
	assert_int_equal(run(f, AUDIT_ARCH_X86_64, SYS_kill, 2, 0), SECCOMP_RET_ERRNO | 1);
	tj_filter_free(f);

	/* Without want_pfc there is none. */
	f = compile_ok("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": []}", &enforce);
	assert_null(f->pfc);
	assert_int_equal(f->nrules_added, 0);
	tj_filter_free(f);
}

/* A rule that makes part of an earlier one redundant (the third below
 * covers the first) must still leave the union of all three.  libseccomp
 * loses tree nodes on exactly this sequence; the sanitised build would fail
 * here at exit if filter.c's LeakSanitizer suppression went missing. */
static void test_rule_made_redundant(void **state)
{
	(void)state;
	struct tj_filter *f = compile_ok("{\"defaultAction\": \"SCMP_ACT_KILL_PROCESS\", \"syscalls\": ["
					 "{\"names\": [\"mmap\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": ["
					 " {\"index\": 2, \"value\": 5, \"op\": \"SCMP_CMP_MASKED_EQ\"},"
					 " {\"index\": 3, \"value\": 4294965229, \"op\": \"SCMP_CMP_MASKED_EQ\"}]},"
					 "{\"names\": [\"mmap\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": ["
					 " {\"index\": 3, \"value\": 9, \"op\": \"SCMP_CMP_MASKED_EQ\"},"
					 " {\"index\": 3, \"value\": 4294965229, \"op\": \"SCMP_CMP_MASKED_EQ\"}]}]}",
					 &enforce);
	/* {a3 & 9 == 0} or {a3 & 0xfffff7ed == 0}; arg 2 no longer matters. */
	static const struct {
		uint64_t a2, a3;
		uint32_t want;
	} cases[] = {{7, 0x0, SECCOMP_RET_ALLOW},	   {7, 0x812, SECCOMP_RET_ALLOW},
		     {0, 0x100, SECCOMP_RET_ALLOW},	   {7, 0x1, SECCOMP_RET_KILL_PROCESS},
		     {0, 0x101, SECCOMP_RET_KILL_PROCESS}, {0, 0x8, SECCOMP_RET_KILL_PROCESS}};
	for (size_t i = 0; i < TJ_ARRAY_SIZE(cases); i++) {
		struct seccomp_data d = {.nr = SYS_mmap,
					 .arch = AUDIT_ARCH_X86_64,
					 .args = {0, 0, cases[i].a2, cases[i].a3}};
		uint32_t got = tj_bpf_run(f->prog, f->len, &d);
		if (got != cases[i].want)
			fail_msg("mmap a2=0x%llx a3=0x%llx: 0x%x, expected 0x%x", (unsigned long long)cases[i].a2,
				 (unsigned long long)cases[i].a3, got, cases[i].want);
	}
	tj_filter_free(f);
}

/* Every bundled, corpus, simulator and fixture profile that compiles gives a
 * program that agrees with its own rules (tj_verify_program, on every
 * syscall they name, not only those the compiler checks itself: every ABI,
 * argument values around each datum); the program kept as the truth when
 * kills are routed to the supervisor too.  A program of another profile
 * must not pass. */
static void test_programs_agree_with_rules(void **state)
{
	(void)state;
	static const char *const patterns[] = {"policies/*.json", "tests/fixtures/corpus/*.json",
					       "tests/sim/profiles/*.json", "tests/fixtures/profiles/good/*.json"};
	size_t profiles = 0, calls = 0;
	struct tj_verify_result res;
	for (size_t g = 0; g < TJ_ARRAY_SIZE(patterns); g++) {
		glob_t gl;
		assert_int_equal(glob(patterns[g], 0, NULL, &gl), 0);
		for (size_t i = 0; i < gl.gl_pathc; i++) {
			struct tj_profile *p = NULL;
			struct tj_err *err = NULL;
			if (tj_profile_load_file(gl.gl_pathv[i], gl.gl_pathv[i], &p, &err) < 0 || !p->seccomp) {
				tj_err_free(err);
				tj_profile_free(p);
				continue;
			}
			for (int routed = 0; routed < 2; routed++) {
				struct tj_filter_opts o = {.host = &host0, .supervise_kills = routed};
				struct tj_filter *f = NULL;
				if (tj_filter_compile(p, &o, &f, &err) < 0) {
					tj_err_free(err);
					err = NULL;
					continue;
				}
				profiles += !routed;
				const struct sock_filter *prog = f->truth ? f->truth : f->prog;
				size_t len = f->truth ? f->truth_len : f->len;
				tj_verify_program(f->resolved, NULL, prog, len, 256, &res);
				calls += res.calls;
				if (res.mismatch)
					fail_msg("%s%s: %s (arch 0x%x) args 0x%llx 0x%llx: the program returns 0x%x, the "
						 "rules say 0x%x",
						 gl.gl_pathv[i], routed ? " (kills routed)" : "", res.name,
						 res.data.arch, (unsigned long long)res.data.args[0],
						 (unsigned long long)res.data.args[1], res.got, res.want.v[0]);
				tj_filter_free(f);
			}
			tj_profile_free(p);
		}
		globfree(&gl);
	}
	print_message("%zu profiles, %zu calls checked\n", profiles, calls);
	assert_true(profiles >= 40);
	assert_true(calls > 50000);

	/* The control: strict's rules against the default profile's program. */
	struct tj_profile *a = load_file("policies/strict.json"), *b = load_file("policies/default.json");
	struct tj_filter_opts o = {.host = &host0};
	struct tj_filter *fa = NULL, *fb = NULL;
	struct tj_err *err = NULL;
	assert_int_equal(tj_filter_compile(a, &o, &fa, &err), 0);
	assert_int_equal(tj_filter_compile(b, &o, &fb, &err), 0);
	tj_verify_program(fa->resolved, NULL, fb->prog, fb->len, 48, &res);
	assert_true(res.mismatch);
	tj_filter_free(fa);
	tj_filter_free(fb);
	tj_profile_free(a);
	tj_profile_free(b);
}

/* Profiles libseccomp 2.5.4 (and 2.6.x) compiles wrongly are refused, with
 * the seccomp layer and the syscall named.  Both programs let through calls
 * the rules deny (checked on the kernel: read(0x2ffffffff, 0x200000000) and
 * read(0x300000005, 0xffffffff) ran).  Without the checks both compile. */
static void test_miscompiled_refused(void **state)
{
	(void)state;
	/* The second rule goes missing from libseccomp's tree. */
	struct tj_err *err = compile_err("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": ["
					 "{\"names\": [\"read\"], \"action\": \"SCMP_ACT_KILL_PROCESS\", \"args\": ["
					 " {\"index\": 0, \"value\": 12884901887, \"op\": \"SCMP_CMP_GT\"}]},"
					 "{\"names\": [\"read\"], \"action\": \"SCMP_ACT_KILL_PROCESS\", \"args\": ["
					 " {\"index\": 1, \"value\": 4294967297, \"op\": \"SCMP_CMP_GT\"},"
					 " {\"index\": 0, \"value\": 8589934597, \"op\": \"SCMP_CMP_GE\"}]}]}",
					 &enforce);
	char *m = tj_err_format(err);
	assert_contains(m, "seccomp layer");
	assert_contains(m, "compiled the rules for 'read'");
	assert_contains(m, "meets SCMP_ACT_ALLOW, the rules say SCMP_ACT_KILL_PROCESS");
	free(m);
	tj_err_free(err);

	/* The same behind 40 other rules for read: each rule is tried at its
	 * own datums, however many values the rules compare. */
	struct tj_buf b = {0};
	tj_buf_addf(&b, "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [");
	for (int i = 0; i < 40; i++)
		tj_buf_addf(&b,
			    "{\"names\": [\"read\"], \"action\": \"SCMP_ACT_KILL_PROCESS\", \"args\": ["
			    " {\"index\": 0, \"value\": %d, \"op\": \"SCMP_CMP_EQ\"},"
			    " {\"index\": 1, \"value\": %d, \"op\": \"SCMP_CMP_EQ\"}]},",
			    100 + 1000 * i, 100 + 1000 * i);
	tj_buf_addf(&b, "{\"names\": [\"read\"], \"action\": \"SCMP_ACT_KILL_PROCESS\", \"args\": ["
			" {\"index\": 0, \"value\": 12884901887, \"op\": \"SCMP_CMP_GT\"}]},"
			"{\"names\": [\"read\"], \"action\": \"SCMP_ACT_KILL_PROCESS\", \"args\": ["
			" {\"index\": 1, \"value\": 4294967297, \"op\": \"SCMP_CMP_GT\"},"
			" {\"index\": 0, \"value\": 8589934597, \"op\": \"SCMP_CMP_GE\"}]}]}");
	err = compile_err(b.s, &enforce);
	tj_buf_done(&b);
	m = tj_err_format(err);
	assert_contains(m, "compiled the rules for 'read'");
	free(m);
	tj_err_free(err);

	/* One argument-checked rule each: libseccomp's x86 section compares
	 * the architecture word with syscall numbers (it leaves out the load
	 * of the number), so no x86 rule ever applies; the path check cannot
	 * see it (every path agrees on the wrong word), the decisions can. */
	err = compile_err("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"architectures\": [\"SCMP_ARCH_X86_64\", "
			  "\"SCMP_ARCH_X86\"], \"syscalls\": ["
			  "{\"names\": [\"read\"], \"action\": \"SCMP_ACT_KILL_PROCESS\", \"args\": ["
			  " {\"index\": 0, \"value\": 8589934593, \"op\": \"SCMP_CMP_EQ\"},"
			  " {\"index\": 1, \"value\": 8589934594, \"op\": \"SCMP_CMP_LT\"}]},"
			  "{\"names\": [\"send\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": ["
			  " {\"index\": 1, \"value\": 4294967301, \"op\": \"SCMP_CMP_GT\"}]}]}",
			  &enforce);
	m = tj_err_format(err);
	assert_contains(m, "compiled the rules for 'read'");
	assert_contains(m, "read (x86) with arguments");
	free(m);
	tj_err_free(err);

	/* A comparison reached with another argument in the accumulator. */
	err = compile_err("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": ["
			  "{\"names\": [\"read\"], \"action\": \"SCMP_ACT_LOG\", \"args\": ["
			  " {\"index\": 1, \"value\": 12884901887, \"op\": \"SCMP_CMP_GE\"},"
			  " {\"index\": 1, \"value\": 4294967297, \"op\": \"SCMP_CMP_GT\"},"
			  " {\"index\": 0, \"value\": 8589934597, \"op\": \"SCMP_CMP_LT\"}]},"
			  "{\"names\": [\"read\"], \"action\": \"SCMP_ACT_KILL_PROCESS\", \"args\": ["
			  " {\"index\": 0, \"value\": 18446744073709551615, \"op\": \"SCMP_CMP_GE\"},"
			  " {\"index\": 1, \"value\": 2, \"op\": \"SCMP_CMP_LT\"},"
			  " {\"index\": 0, \"value\": 4294967296, \"op\": \"SCMP_CMP_LE\"}]}]}",
			  &enforce);
	m = tj_err_format(err);
	assert_contains(m, "seccomp layer");
	assert_contains(m, "can read a different argument by path");
	free(m);
	tj_err_free(err);
}

static void test_too_many_instructions(void **state)
{
	(void)state;
	/* 4096 argument checks on one syscall cannot fit in 4096 instructions. */
	struct tj_buf b = {0};
	tj_buf_add(&b, "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"ioctl\"], "
		       "\"action\": \"SCMP_ACT_ERRNO\", \"args\": [");
	for (int i = 0; i < 64; i++)
		tj_buf_addf(&b, "%s{\"index\": 1, \"value\": %d, \"op\": \"SCMP_CMP_EQ\"}", i ? "," : "", 0x5400 + i);
	tj_buf_add(&b, "]}");
	for (int r = 1; r < 64; r++) {
		tj_buf_add(&b, ", {\"names\": [\"ioctl\"], \"action\": \"SCMP_ACT_ERRNO\", \"args\": [");
		for (int i = 0; i < 64; i++)
			tj_buf_addf(&b, "%s{\"index\": 1, \"value\": %d, \"op\": \"SCMP_CMP_EQ\"}", i ? "," : "",
				    0x10000 * r + i);
		tj_buf_add(&b, "]}");
	}
	tj_buf_add(&b, "]}");
	struct tj_err *err = compile_err(b.s, &enforce);
	assert_int_equal(err->kind, TJ_ERR_PROFILE);
	assert_contains(err->msg, "the compiled filter has ");
	assert_contains(err->msg, " instructions; the kernel accepts at most 4096");
	assert_string_equal(err->hint, "list fewer architectures or fewer argument checks");
	assert_string_equal(err->file, "t.json");
	tj_err_free(err);
	tj_buf_done(&b);
}

/* --- the programs --- */

static const char *const real_profiles[] = {
	"policies/default.json",
	"policies/strict.json",
	"tests/fixtures/corpus/moby-profiles_default.json",
	"tests/fixtures/corpus/moby_v20.10.24_default.json",
	"tests/fixtures/corpus/moby-profiles_fixture_default-old-format.json",
	"tests/fixtures/corpus/runc_seccomp_syscall_test1.json",
	"tests/fixtures/corpus/spo_security-profiles-operator.json",
	"tests/sim/profiles/operators.json",
	"tests/sim/profiles/compat.json",
	"tests/sim/profiles/modes.json",
};

static void test_validate_libseccomp_output(void **state)
{
	(void)state;
	for (size_t i = 0; i < TJ_ARRAY_SIZE(real_profiles); i++) {
		struct tj_profile *p = load_file(real_profiles[i]);
		for (int mode = 0; mode < 3; mode++) {
			struct tj_filter_opts o = {.host = &host0,
						   .mode = mode == 1 ? TJ_MODE_COMPLAIN : TJ_MODE_ENFORCE,
						   .supervise_kills = mode == 2};
			struct tj_filter *f = NULL;
			struct tj_err *err = NULL;
			if (tj_filter_compile(p, &o, &f, &err) < 0) {
				char *m = tj_err_format(err);
				fail_msg("%s: %s", real_profiles[i], m);
			}
			char why[128] = "";
			if (tj_bpf_validate(f->prog, f->len, why, sizeof(why)) < 0)
				fail_msg("%s: %s", real_profiles[i], why);
			if (f->truth && tj_bpf_validate(f->truth, f->truth_len, why, sizeof(why)) < 0)
				fail_msg("%s (truth): %s", real_profiles[i], why);
			tj_filter_free(f);
		}
		tj_profile_free(p);
	}
}

/* A hand-made invalid program is refused. */
static void test_validate_invalid(void **state)
{
	(void)state;
	char why[128];
	struct sock_filter bad_load[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 64),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	assert_int_equal(tj_bpf_validate(bad_load, 2, why, sizeof(why)), -1);
	assert_string_equal(why, "load offset 64 is outside struct seccomp_data or unaligned");
	struct sock_filter no_ret[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 0),
	};
	assert_int_equal(tj_bpf_validate(no_ret, 1, why, sizeof(why)), -1);
	assert_string_equal(why, "the program does not end with a return");
}

/* --optimize 1 (linear) and 2 (binary tree) are different programs with
 * the same answers. */
static void test_optimize_same_actions(void **state)
{
	(void)state;
	static const uint64_t argv_[][2] =
		{{0, 0},	  {1, 0x5401},	   {3, 0x5412}, {0xffffffff, 1}, {UINT64_MAX, UINT64_MAX},
		 {0x10000, 0x11}, {0x10000011, 2}, {40, 1},	{0x100000028, 0}};
	static const uint32_t arches[] = {AUDIT_ARCH_X86_64, AUDIT_ARCH_I386, AUDIT_ARCH_X86_64 /* x32 */};
	size_t differing_programs = 0, evaluations = 0;
	for (size_t i = 0; i < TJ_ARRAY_SIZE(real_profiles); i++) {
		struct tj_profile *p = load_file(real_profiles[i]);
		struct tj_filter *f[3] = {NULL, NULL, NULL};
		for (int o = 0; o < 3; o++) {
			struct tj_filter_opts opts = {.host = &host0, .optimize = o};
			struct tj_err *err = NULL;
			assert_int_equal(tj_filter_compile(p, &opts, &f[o], &err), 0);
		}
		if (f[1]->len != f[2]->len || memcmp(f[1]->prog, f[2]->prog, f[1]->len * sizeof(*f[1]->prog)) != 0)
			differing_programs++;
		for (size_t a = 0; a < TJ_ARRAY_SIZE(arches); a++) {
			for (int nr = 0; nr < 560; nr++) {
				for (size_t k = 0; k < TJ_ARRAY_SIZE(argv_); k++) {
					struct seccomp_data d = {.nr = a == 2 ? nr | X32 : nr,
								 .arch = arches[a],
								 .args = {argv_[k][0], argv_[k][1]}};
					uint32_t r1 = tj_bpf_run(f[1]->prog, f[1]->len, &d);
					uint32_t r2 = tj_bpf_run(f[2]->prog, f[2]->len, &d);
					uint32_t r0 = tj_bpf_run(f[0]->prog, f[0]->len, &d);
					if (r1 != r2 || r0 != r1)
						fail_msg("%s: arch 0x%x nr %d: optimize 0/1/2 give 0x%x/0x%x/0x%x",
							 real_profiles[i], arches[a], d.nr, r0, r1, r2);
					evaluations++;
				}
			}
		}
		for (int o = 0; o < 3; o++)
			tj_filter_free(f[o]);
		tj_profile_free(p);
	}
	/* Every one of these profiles has enough rules for the tree to differ. */
	assert_int_equal(differing_programs, TJ_ARRAY_SIZE(real_profiles));
	assert_true(evaluations > 100000);
}

/* The default (0) picks the binary tree above 32 rules or names, as runc. */
static void test_optimize_default_choice(void **state)
{
	(void)state;
	struct tj_buf b = {0};
	tj_buf_add(&b, "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [{\"names\": [");
	for (int nr = 0; nr < 40; nr++) {
		char *name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_X86_64, nr);
		tj_buf_addf(&b, "%s\"%s\"", nr ? ", " : "", name);
		free(name);
	}
	tj_buf_add(&b, "], \"action\": \"SCMP_ACT_ALLOW\"}]}");
	struct tj_filter_opts o0 = {0}, o1 = {.optimize = 1}, o2 = {.optimize = 2};
	struct tj_filter *f0 = compile_ok(b.s, &o0), *f1 = compile_ok(b.s, &o1), *f2 = compile_ok(b.s, &o2);
	assert_int_equal(f0->len, f2->len);
	assert_memory_equal(f0->prog, f2->prog, f0->len * sizeof(*f0->prog));
	assert_int_not_equal(f1->len, f2->len);
	tj_filter_free(f0);
	tj_filter_free(f1);
	tj_filter_free(f2);
	tj_buf_done(&b);

	/* Few rules and names: linear. */
	const char *small =
		"{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": ["
		"{\"names\": [\"read\", \"write\", \"close\", \"getpid\", \"gettid\"], \"action\": \"SCMP_ACT_ALLOW\"}]}";
	f0 = compile_ok(small, &o0);
	f1 = compile_ok(small, &o1);
	assert_int_equal(f0->len, f1->len);
	assert_memory_equal(f0->prog, f1->prog, f0->len * sizeof(*f0->prog));
	tj_filter_free(f0);
	tj_filter_free(f1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_conflict_unconditional),
		cmocka_unit_test(test_conflict_none),
		cmocka_unit_test(test_conflict_conditional),
		cmocka_unit_test(test_conflict_podman_default),
		cmocka_unit_test(test_unknown_in_allow_rule),
		cmocka_unit_test(test_unknown_in_deny_rule),
		cmocka_unit_test(test_supplement_table),
		cmocka_unit_test(test_supplement_on_kernel),
		cmocka_unit_test(test_syscall_resolve),
		cmocka_unit_test(test_syscall_name),
		cmocka_unit_test(test_action_values),
		cmocka_unit_test(test_load_flags),
		cmocka_unit_test(test_complain_and_agent_rules),
		cmocka_unit_test(test_no_seccomp_section),
		cmocka_unit_test(test_host_conditions_and_arches),
		cmocka_unit_test(test_rules_added_and_pfc),
		cmocka_unit_test(test_rule_made_redundant),
		cmocka_unit_test(test_programs_agree_with_rules),
		cmocka_unit_test(test_miscompiled_refused),
		cmocka_unit_test(test_too_many_instructions),
		cmocka_unit_test(test_validate_libseccomp_output),
		cmocka_unit_test(test_validate_invalid),
		cmocka_unit_test(test_optimize_same_actions),
		cmocka_unit_test(test_optimize_default_choice),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
