/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The profile linter (src/filter/lint.c): each check finds its case, with the
 * severity and JSON path, and stays quiet on the fixed profile.
 */
#include "unit.h"

#include "tj/filter/filter.h"
#include "tj/filter/lint.h"
#include "tj/json/profile_json.h"

static const struct tj_host host0 = {.go_arch = "amd64", .kernel_major = 6, .kernel_minor = 1, .caps = 0};

static struct tj_findings findings;

/* Lints text (which must compile) into `findings`. */
static void lint(const char *text)
{
	struct tj_profile *p = NULL;
	struct tj_err *err = NULL;
	if (tj_profile_load_buffer("t.json", text, strlen(text), &p, &err) < 0)
		fail_msg("load: %s", err->msg);
	struct tj_filter_opts o = {.host = &host0, .supervise_kills = true};
	struct tj_filter *f = NULL;
	if (tj_filter_compile(p, &o, &f, &err) < 0)
		fail_msg("compile: %s", err->msg);
	tj_findings_done(&findings);
	tj_lint(p, f, &host0, &findings);
	tj_filter_free(f);
	tj_profile_free(p);
}

/* The finding of this check at this path, or NULL. */
static const struct tj_finding *find(const char *check, const char *path)
{
	for (size_t i = 0; i < findings.n; i++)
		if (!strcmp(findings.v[i].check, check) && (!path || !strcmp(findings.v[i].json_path, path)))
			return &findings.v[i];
	return NULL;
}

static const struct tj_finding *expect(const char *check, const char *path, enum tj_severity sev)
{
	const struct tj_finding *f = find(check, path);
	if (!f) {
		for (size_t i = 0; i < findings.n; i++)
			print_message("  have: %s %s %s\n", findings.v[i].check, findings.v[i].json_path,
				      findings.v[i].what);
		fail_msg("no '%s' finding at %s", check, path ? path : "(any)");
	}
	assert_int_equal(f->severity, sev);
	assert_true(f->why && *f->why && f->fix && *f->fix && f->what && *f->what);
	return f;
}

static void expect_none(const char *check)
{
	const struct tj_finding *f = find(check, NULL);
	if (f)
		fail_msg("unexpected '%s' finding at %s: %s", check, f->json_path, f->what);
}

#define HEAD "{\"architectures\": [\"SCMP_ARCH_X86_64\"], "
#define CLONE3 "{\"names\": [\"clone3\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 38}"
/* A clean deny-by-default profile built from groups. */
#define CLEAN_RULES                                                                                           \
	"{\"names\": [\"@baseline\", \"@memory\", \"@basic-io\", \"@file-system\", \"@signal\", \"execve\", " \
	"\"@threads\"], \"action\": \"SCMP_ACT_ALLOW\"}, " CLONE3

static void test_clean_profile(void **state)
{
	(void)state;
	lint(HEAD "\"defaultAction\": \"SCMP_ACT_KILL_PROCESS\", \"syscalls\": [" CLEAN_RULES "]}");
	if (findings.n)
		fail_msg("a clean profile has findings, the first: %s: %s", findings.v[0].json_path,
			 findings.v[0].what);
}

static void test_default_allow(void **state)
{
	(void)state;
	lint(HEAD "\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": ["
		  "{\"names\": [\"ptrace\", \"bpf\"], \"action\": \"SCMP_ACT_ERRNO\"}]}");
	const struct tj_finding *f = expect("default-allow", "defaultAction", TJ_SEV_HIGH);
	assert_contains(f->what, "deny only 2");
	f = expect("dangerous-by-default", "defaultAction", TJ_SEV_HIGH);
	assert_contains(f->what, "userfaultfd");
	assert_contains(f->what, "process_vm_readv");
	assert_null(strstr(f->what, "ptrace"));
	assert_null(strstr(f->what, "bpf"));
	/* A long denylist is still a denylist, but less so. */
	lint(HEAD "\"defaultAction\": \"SCMP_ACT_LOG\", \"syscalls\": [{\"names\": [\"@privileged\", \"@debug\", "
		  "\"@kernel-surface\", \"@namespaces\", \"@mount\", \"@obsolete\", \"process_vm_readv\", "
		  "\"process_vm_writev\", \"personality\", \"clone3\"], \"action\": \"SCMP_ACT_ERRNO\"}]}");
	expect("default-allow", "defaultAction", TJ_SEV_MEDIUM);
	/* clone has @namespaces' conditional rule: constrained, not flagged */
	expect_none("dangerous-by-default");
	expect_none("dangerous-unconstrained");
	/* Deny by default: nothing of the kind. */
	lint(HEAD "\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [" CLEAN_RULES "]}");
	expect_none("default-allow");
}

static void test_dangerous_unconstrained(void **state)
{
	(void)state;
	lint(HEAD "\"defaultAction\": \"SCMP_ACT_KILL_PROCESS\", \"syscalls\": [" CLEAN_RULES ", "
		  "{\"names\": [\"@system-service\", \"!clone3\"], \"action\": \"SCMP_ACT_ALLOW\"}, "
		  "{\"names\": [\"ptrace\"], \"action\": \"SCMP_ACT_LOG\"}]}");
	const struct tj_finding *f = expect("dangerous-unconstrained", "syscalls[2].names[0]", TJ_SEV_HIGH);
	(void)f;
	bool vm = false, uffd = false, ptrace = false, personality = false;
	for (size_t i = 0; i < findings.n; i++) {
		const struct tj_finding *g = &findings.v[i];
		if (strcmp(g->check, "dangerous-unconstrained"))
			continue;
		if (strstr(g->what, "'process_vm_readv'")) {
			vm = true;
			assert_string_equal(g->where, "syscalls[2].names[0] (@system-service > @ipc)");
		}
		uffd |= strstr(g->what, "'userfaultfd'") != NULL;
		if (strstr(g->what, "'ptrace'")) {
			ptrace = true;
			assert_string_equal(g->json_path, "syscalls[3].names[0]");
		}
		if (strstr(g->what, "'personality'")) {
			personality = true;
			assert_int_equal(g->severity, TJ_SEV_MEDIUM);
		}
	}
	assert_true(vm && uffd && ptrace && personality);
	/* Excluded from the group, or allowed only with checks: quiet. */
	lint(HEAD
	     "\"defaultAction\": \"SCMP_ACT_KILL_PROCESS\", \"syscalls\": [" CLEAN_RULES ", "
	     "{\"names\": [\"@ipc\", \"!process_vm_readv\", \"!process_vm_writev\"], \"action\": \"SCMP_ACT_ALLOW\"}, "
	     "{\"names\": [\"personality\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": "
	     "[{\"index\": 0, \"value\": 4294967295, \"valueTwo\": 0, \"op\": \"SCMP_CMP_MASKED_EQ\"}]}]}");
	expect_none("dangerous-unconstrained");
}

static void test_write_exec_memory(void **state)
{
	(void)state;
	lint(HEAD "\"defaultAction\": \"SCMP_ACT_KILL_PROCESS\", \"syscalls\": ["
		  "{\"names\": [\"@default\", \"@basic-io\"], \"action\": \"SCMP_ACT_ALLOW\"}, " CLONE3 "]}");
	const struct tj_finding *f = expect("write-exec-memory", "syscalls[0].names[0]", TJ_SEV_MEDIUM);
	assert_string_equal(f->where, "syscalls[0].names[0] (@default)");
	assert_contains(f->what, "mmap, mprotect");
	/* Denied with a masked check: quiet. */
	lint(HEAD "\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"mmap\", \"mprotect\", "
		  "\"pkey_mprotect\"], \"action\": \"SCMP_ACT_ERRNO\", \"args\": "
		  "[{\"index\": 2, \"value\": 6, \"valueTwo\": 6, \"op\": \"SCMP_CMP_MASKED_EQ\"}]}]}");
	expect_none("write-exec-memory");
}

static void test_clone3(void **state)
{
	(void)state;
	lint(HEAD "\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": ["
		  "{\"names\": [\"@baseline\", \"@memory\", \"@spawn\"], \"action\": \"SCMP_ACT_ALLOW\"}]}");
	const struct tj_finding *f = expect("clone3-not-enosys", "defaultAction", TJ_SEV_MEDIUM);
	assert_contains(f->what, "SCMP_ACT_ERRNO(EPERM)");
	lint(HEAD "\"defaultAction\": \"SCMP_ACT_KILL_PROCESS\", \"syscalls\": ["
		  "{\"names\": [\"@baseline\", \"@memory\", \"@spawn\"], \"action\": \"SCMP_ACT_ALLOW\"}, "
		  "{\"names\": [\"clone3\"], \"action\": \"SCMP_ACT_ERRNO\"}]}");
	expect("clone3-not-enosys", "syscalls[1].names[0]", TJ_SEV_MEDIUM);
	/* No clone allowed at all: clone3's answer does not matter. */
	lint(HEAD "\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": ["
		  "{\"names\": [\"@baseline\", \"@memory\"], \"action\": \"SCMP_ACT_ALLOW\"}]}");
	expect_none("clone3-not-enosys");
}

static void test_architectures(void **state)
{
	(void)state;
	lint("{\"defaultAction\": \"SCMP_ACT_KILL_PROCESS\", \"architectures\": [\"SCMP_ARCH_X86_64\", "
	     "\"SCMP_ARCH_X86\", \"SCMP_ARCH_AARCH64\", \"SCMP_ARCH_X32\"], \"syscalls\": [" CLEAN_RULES "]}");
	expect("arch-compat", "architectures[1]", TJ_SEV_LOW);
	expect("arch-foreign", "architectures[2]", TJ_SEV_LOW);
	expect("arch-compat", "architectures[3]", TJ_SEV_LOW);
	lint("{\"defaultAction\": \"SCMP_ACT_KILL_PROCESS\", \"syscalls\": [" CLEAN_RULES "]}");
	expect("arch-missing", "", TJ_SEV_LOW);
}

static void test_names_and_rules(void **state)
{
	(void)state;
	lint(HEAD
	     "\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [" CLEAN_RULES ", "
	     "{\"names\": [\"gettid\", \"frobnicate\", \"_llseek\", \"socketcall\"], \"action\": \"SCMP_ACT_ALLOW\"}, "
	     "{\"names\": [\"ptrace\"], \"action\": \"SCMP_ACT_ERRNO\"}, "
	     "{\"names\": [\"kill\"], \"action\": \"SCMP_ACT_KILL_THREAD\"}, "
	     "{\"names\": [\"tkill\"], \"action\": \"SCMP_ACT_KILL\"}]}");
	expect("unknown-name", "syscalls[2].names[1]", TJ_SEV_LOW);
	const struct tj_finding *f = expect("foreign-name", "syscalls[2].names", TJ_SEV_LOW);
	assert_contains(f->what, "2 names exist only on 32-bit ABIs");
	assert_contains(f->what, "_llseek, socketcall");
	expect("equals-default", "syscalls[3]", TJ_SEV_LOW);
	expect("kill-thread", "syscalls[4].action", TJ_SEV_MEDIUM);
	expect("kill-ambiguous", "syscalls[5].action", TJ_SEV_LOW);
	/* the did-you-mean of an unknown name */
	lint(HEAD "\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [" CLEAN_RULES ", "
		  "{\"names\": [\"getppid\", \"gettidd\"], \"action\": \"SCMP_ACT_ALLOW\"}]}");
	f = expect("unknown-name", "syscalls[2].names[1]", TJ_SEV_LOW);
	assert_contains(f->what, "did you mean 'gettid'");
	expect_none("equals-default");
}

static void test_shadowed(void **state)
{
	(void)state;
	lint(HEAD "\"defaultAction\": \"SCMP_ACT_KILL_PROCESS\", \"syscalls\": [" CLEAN_RULES ", "
		  "{\"names\": [\"read\", \"gettid\", \"@sync\"], \"action\": \"SCMP_ACT_ALLOW\"}, "
		  "{\"names\": [\"@basic-io\", \"uname\"], \"action\": \"SCMP_ACT_ALLOW\"}, "
		  "{\"names\": [\"@memory-exec\"], \"action\": \"SCMP_ACT_ALLOW\"}]}");
	const struct tj_finding *f = expect("shadowed", "syscalls[2].names[0]", TJ_SEV_LOW);
	assert_contains(f->what, "'read' is already decided by syscalls[0].names[2] (@basic-io)");
	expect("shadowed", "syscalls[3].names[0]", TJ_SEV_LOW);
	assert_contains(find("shadowed", "syscalls[3].names[0]")->what, "all 16 syscalls of this entry");
	assert_contains(expect("shadowed", "syscalls[2].names[1]", TJ_SEV_LOW)->what, "(@baseline)");
	/* @memory's checks on mmap never apply: @memory-exec allows all */
	f = expect("shadowed", "syscalls[0].names[1]", TJ_SEV_MEDIUM);
	assert_contains(f->what, "the argument checks for 'mmap' never apply: syscalls[4].names[0] (@memory-exec)");
	/* Partly new entries are not reported: @sync and uname add syscalls. */
	assert_null(find("shadowed", "syscalls[2].names[2]"));
	assert_null(find("shadowed", "syscalls[3].names[1]"));
}

static void test_int_arg_bypass(void **state)
{
	(void)state;
	/* Docker's AF_VSOCK rule, and an ioctl denial by 64-bit equality. */
	lint(HEAD "\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [" CLEAN_RULES ", "
		  "{\"names\": [\"socket\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": "
		  "[{\"index\": 0, \"value\": 40, \"op\": \"SCMP_CMP_NE\"}]}, "
		  "{\"names\": [\"ioctl\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": "
		  "[{\"index\": 1, \"value\": 21505, \"op\": \"SCMP_CMP_EQ\"}]}, "
		  "{\"names\": [\"msync\"], \"action\": \"SCMP_ACT_LOG\", \"args\": "
		  "[{\"index\": 0, \"value\": 3, \"op\": \"SCMP_CMP_NE\"}]}]}");
	const struct tj_finding *f = expect("int-arg-bypass", "syscalls[2].args[0]", TJ_SEV_HIGH);
	assert_contains(f->what, "0x100000028");
	assert_null(find("int-arg-bypass", "syscalls[3].args[0]")); /* allowing by equality is safe */
	assert_null(find("int-arg-bypass", "syscalls[4].args[0]")); /* msync's start is 64 bits */
	lint(HEAD "\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": ["
		  "{\"names\": [\"ioctl\"], \"action\": \"SCMP_ACT_ERRNO\", \"args\": "
		  "[{\"index\": 1, \"value\": 21522, \"op\": \"SCMP_CMP_EQ\"}]}, "
		  "{\"names\": [\"socket\"], \"action\": \"SCMP_ACT_ERRNO\", \"args\": "
		  "[{\"index\": 0, \"value\": 4294967295, \"valueTwo\": 40, \"op\": \"SCMP_CMP_MASKED_EQ\"}]}]}");
	f = expect("int-arg-bypass", "syscalls[0].args[0]", TJ_SEV_HIGH);
	assert_contains(f->what, "escapes this denial");
	assert_null(find("int-arg-bypass", "syscalls[1].args[0]"));
}

static void test_masked_datum(void **state)
{
	(void)state;
	/* Accepted as runc and crun accept it; the linter says what is enforced. */
	lint(HEAD "\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": ["
		  "{\"names\": [\"personality\"], \"action\": \"SCMP_ACT_ERRNO\", \"args\": "
		  "[{\"index\": 0, \"value\": 255, \"valueTwo\": 511, \"op\": \"SCMP_CMP_MASKED_EQ\"}]}, "
		  "{\"names\": [\"sync\"], \"action\": \"SCMP_ACT_ERRNO\", \"args\": "
		  "[{\"index\": 0, \"value\": 255, \"valueTwo\": 255, \"op\": \"SCMP_CMP_MASKED_EQ\"}]}]}");
	const struct tj_finding *f = expect("masked-datum", "syscalls[0].args[0].valueTwo", TJ_SEV_LOW);
	assert_contains(f->what, "(arg & 0xff) == 0xff");
	assert_contains(f->fix, "255");
	assert_null(find("masked-datum", "syscalls[1].args[0].valueTwo"));
}

static void test_order_and_counts(void **state)
{
	(void)state;
	lint("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": ["
	     "{\"names\": [\"kill\"], \"action\": \"SCMP_ACT_KILL_THREAD\"}]}");
	assert_true(findings.n >= 4);
	for (size_t i = 1; i < findings.n; i++)
		assert_true(findings.v[i - 1].severity >= findings.v[i].severity);
	assert_int_equal(tj_findings_count(&findings, TJ_SEV_HIGH) + tj_findings_count(&findings, TJ_SEV_MEDIUM) +
				 tj_findings_count(&findings, TJ_SEV_LOW),
			 findings.n);
	assert_string_equal(tj_severity_name(TJ_SEV_HIGH), "high");
	/* A tinyjail profile: paths carry the linux.seccomp prefix. */
	lint("{\"tinyjail\": {\"version\": 1}, \"linux\": {\"seccomp\": {\"defaultAction\": \"SCMP_ACT_ALLOW\"}}}");
	expect("default-allow", "linux.seccomp.defaultAction", TJ_SEV_HIGH);
	expect("arch-missing", "linux.seccomp", TJ_SEV_LOW);
	tj_findings_done(&findings);
}

/* With x86 listed, argument checks on socket or System V IPC calls do not
 * hold through socketcall(2) and ipc(2); without x86, or without argument
 * checks, nothing to say. */
static void test_x86_multiplexed(void **state)
{
	(void)state;
	const char *rules = "\"defaultAction\": \"SCMP_ACT_KILL_PROCESS\", \"syscalls\": [" CLEAN_RULES ","
			    "{\"names\": [\"socket\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": ["
			    " {\"index\": 0, \"value\": 10, \"op\": \"SCMP_CMP_EQ\"}]},"
			    "{\"names\": [\"shmget\", \"getpid\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": ["
			    " {\"index\": 2, \"value\": 0, \"op\": \"SCMP_CMP_EQ\"}]},"
			    "{\"names\": [\"bind\"], \"action\": \"SCMP_ACT_ALLOW\"}]}";
	char *text = tj_xasprintf("{\"architectures\": [\"SCMP_ARCH_X86_64\", \"SCMP_ARCH_X86\"], %s", rules);
	lint(text);
	free(text);
	const struct tj_finding *f = expect("x86-multiplexed", "syscalls[2]", TJ_SEV_MEDIUM);
	assert_non_null(strstr(f->what, "'socket' can also be called through socketcall(2)"));
	f = expect("x86-multiplexed", "syscalls[3]", TJ_SEV_MEDIUM);
	assert_non_null(strstr(f->what, "'shmget' can also be called through ipc(2)"));
	assert_null(find("x86-multiplexed", "syscalls[4]"));
	text = tj_xasprintf("{\"architectures\": [\"SCMP_ARCH_X86_64\"], %s", rules);
	lint(text);
	free(text);
	expect_none("x86-multiplexed");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_clean_profile),
		cmocka_unit_test(test_default_allow),
		cmocka_unit_test(test_dangerous_unconstrained),
		cmocka_unit_test(test_write_exec_memory),
		cmocka_unit_test(test_clone3),
		cmocka_unit_test(test_architectures),
		cmocka_unit_test(test_names_and_rules),
		cmocka_unit_test(test_shadowed),
		cmocka_unit_test(test_int_arg_bypass),
		cmocka_unit_test(test_masked_datum),
		cmocka_unit_test(test_order_and_counts),
		cmocka_unit_test(test_x86_multiplexed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
