/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Syscall groups in profiles (src/filter/expand.c, through the compiler): group
 * names, exclusions, constrained members, provenance, errors with paths and
 * suggestions, per-syscall checks after expansion, and plain OCI exports.
 */
#include "unit.h"

#include <linux/audit.h>
#include <linux/seccomp.h>

#include "tj/filter/bpfsim.h"
#include "tj/filter/expand.h"
#include "tj/filter/explain.h"
#include "tj/filter/filter.h"
#include "tj/json/profile_json.h"
#include "tj/model/sysgroups.h"

static const struct tj_host host0 = {.go_arch = "amd64", .kernel_major = 6, .kernel_minor = 1, .caps = 0};

/* Compiles text; returns the filter, or NULL with *err set (line:col too). */
static struct tj_filter *compile(const char *text, struct tj_err **err)
{
	struct tj_profile *p = NULL;
	if (tj_profile_load_buffer("t.json", text, strlen(text), &p, err) < 0)
		fail_msg("load: %s", (*err)->msg);
	struct tj_filter_opts o = {.host = &host0};
	struct tj_filter *f = NULL;
	int rc = tj_filter_compile(p, &o, &f, err);
	tj_profile_free(p);
	if (rc < 0)
		assert_null(f);
	return f;
}

static struct tj_filter *compile_ok(const char *text)
{
	struct tj_err *err = NULL;
	struct tj_filter *f = compile(text, &err);
	if (!f)
		fail_msg("compile: %s", err->msg);
	return f;
}

/* Expects a compile error whose message and path are these. */
static void expect_error(const char *text, const char *msg, const char *path)
{
	struct tj_err *err = NULL;
	struct tj_filter *f = compile(text, &err);
	if (f)
		fail_msg("compiled, expected: %s", msg);
	assert_contains(err->msg, msg);
	if (path)
		assert_string_equal(err->json_path, path);
	assert_int_equal(err->kind, TJ_ERR_PROFILE);
	assert_true(err->line > 0);
	tj_err_free(err);
}

static uint32_t run(const struct tj_filter *f, const char *name, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3)
{
	int nr;
	assert_int_equal(tj_syscall_resolve(name, &nr), TJ_SYSCALL_NATIVE);
	struct seccomp_data d = {.nr = nr, .arch = AUDIT_ARCH_X86_64, .args = {a0, a1, a2, a3}};
	return tj_bpf_run(f->prog, f->len, &d);
}

#define ALLOW SECCOMP_RET_ALLOW
#define EPERM_ (SECCOMP_RET_ERRNO | 1u)
#define E99 (SECCOMP_RET_ERRNO | 99u)

/* The names a group has, in a resolved rule, with their origins. */
static void test_group_becomes_names(void **state)
{
	(void)state;
	struct tj_filter *f = compile_ok(
		"{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": 99, \"syscalls\": ["
		"{\"names\": [\"getpid\", \"@basic-io\", \"read\", \"@chown\"], \"action\": \"SCMP_ACT_ALLOW\"},"
		"{\"names\": [\"gettid\"], \"action\": \"SCMP_ACT_ALLOW\"}]}");
	const struct tj_rule *r = &f->resolved->rules[0];
	assert_int_equal(r->names.n, 1 + tj_sysgroup_size(tj_sysgroup_find("@basic-io")) + 4);
	assert_string_equal(r->names.v[0], "getpid");
	assert_null(tj_rule_name_via(r, 0));
	char *path = tj_rule_name_path(r, 0);
	assert_string_equal(path, "syscalls[0].names[0]");
	free(path);
	/* "read" comes through @basic-io first: once, from names[1] */
	size_t reads = 0;
	for (size_t k = 0; k < r->names.n; k++) {
		if (strcmp(r->names.v[k], "read") == 0) {
			reads++;
			assert_string_equal(tj_rule_name_via(r, k), "@basic-io");
			path = tj_rule_name_path(r, k);
			assert_string_equal(path, "syscalls[0].names[1]");
			free(path);
		}
		if (strcmp(r->names.v[k], "fchownat") == 0) {
			path = tj_rule_name_where(r, k);
			assert_string_equal(path, "syscalls[0].names[3] (@chown)");
			free(path);
		}
		assert_false(tj_name_is_group_syntax(r->names.v[k]));
	}
	assert_int_equal(reads, 1);
	/* A rule without groups is untouched: no origins. */
	assert_null(f->resolved->rules[1].origins);
	assert_int_equal(run(f, "pwritev2", 0, 0, 0, 0), ALLOW);
	assert_int_equal(run(f, "lchown", 0, 0, 0, 0), ALLOW);
	assert_int_equal(run(f, "openat", 0, 0, 0, 0), E99);
	tj_filter_free(f);

	/* The deprecated singular "name" takes a group too. */
	f = compile_ok("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": "
		       "[{\"name\": \"@keyring\", \"action\": \"SCMP_ACT_ERRNO\"}]}");
	assert_int_equal(run(f, "keyctl", 0, 0, 0, 0), EPERM_);
	assert_int_equal(run(f, "request_key", 0, 0, 0, 0), EPERM_);
	path = tj_rule_name_path(&f->resolved->rules[0], 1);
	assert_string_equal(path, "syscalls[0].name");
	free(path);
	tj_filter_free(f);
}

static void test_exclusions(void **state)
{
	(void)state;
	struct tj_filter *f = compile_ok(
		"{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": 99, \"syscalls\": ["
		"{\"names\": [\"@system-service\", \"!@ipc\", \"!ioctl\", \"!@process\", \"@spawn\"],"
		" \"action\": \"SCMP_ACT_ALLOW\"}]}");
	assert_int_equal(run(f, "openat", 0, 0, 0, 0), ALLOW);
	assert_int_equal(run(f, "process_vm_readv", 0, 0, 0, 0), E99);
	assert_int_equal(run(f, "pipe2", 0, 0, 0, 0), E99);
	assert_int_equal(run(f, "ioctl", 0, 0x5401, 0, 0), E99);
	assert_int_equal(run(f, "unshare", 0, 0, 0, 0), E99);
	/* @spawn's clone is taken out by !@process: exclusions apply to the
	 * whole rule, whatever the order of its entries. */
	assert_int_equal(run(f, "clone", 0x1200011, 0, 0, 0), E99);
	assert_int_equal(run(f, "fork", 0, 0, 0, 0), E99);
	assert_int_equal(f->warnings.n, 0);
	tj_filter_free(f);

	/* An exclusion that removes nothing is a warning with its path. */
	f = compile_ok("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": ["
		       "{\"names\": [\"@basic-io\", \"!ptrace\", \"!@aio\"], \"action\": \"SCMP_ACT_ALLOW\"}]}");
	assert_int_equal(f->warnings.n, 2);
	assert_string_equal(f->warnings.v[0].json_path, "syscalls[0].names[1]");
	assert_contains(f->warnings.v[0].msg, "'!ptrace' excludes nothing");
	assert_string_equal(f->warnings.v[1].json_path, "syscalls[0].names[2]");
	tj_filter_free(f);

	/* Everything excluded: a warning, and the rule is gone. */
	f = compile_ok("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": ["
		       "{\"names\": [\"@chown\", \"!@privileged\"], \"action\": \"SCMP_ACT_ALLOW\"}]}");
	assert_int_equal(f->resolved->nrules, 0);
	assert_contains(f->warnings.v[0].msg, "no syscalls left");
	tj_filter_free(f);
}

static void test_errors(void **state)
{
	(void)state;
	expect_error("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": ["
		     "{\"names\": [\"read\", \"@netwrok-io\"], \"action\": \"SCMP_ACT_ALLOW\"}]}",
		     "unknown syscall group '@netwrok-io' (did you mean '@network-io'?)", "syscalls[0].names[1]");
	expect_error("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": ["
		     "{\"names\": [\"@privileged\", \"!ptrac\"], \"action\": \"SCMP_ACT_ERRNO\"}]}",
		     "unknown syscall 'ptrac' in an exclusion (did you mean 'ptrace'?)", "syscalls[0].names[1]");
	expect_error("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": ["
		     "{\"names\": [\"@privileged\", \"!@chwn\"], \"action\": \"SCMP_ACT_ERRNO\"}]}",
		     "unknown syscall group '@chwn' (did you mean '@chown'?)", "syscalls[0].names[1]");
	expect_error("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": ["
		     "{\"names\": [\"@privileged\", \"!\"], \"action\": \"SCMP_ACT_ERRNO\"}]}",
		     "'!' is not an exclusion", "syscalls[0].names[1]");
	expect_error("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": ["
		     "{\"names\": [\"!ptrace\"], \"action\": \"SCMP_ACT_ERRNO\"}]}",
		     "this rule only excludes", "syscalls[0].names[0]");
	expect_error("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [{\"names\": [\"@memory\"], \"action\": "
		     "\"SCMP_ACT_ALLOW\", \"args\": [{\"index\": 0, \"value\": 0, \"op\": \"SCMP_CMP_EQ\"}]}]}",
		     "'mmap' comes from @memory with argument checks of its own", "syscalls[0].names[0]");
	/* Groups without constraints take the rule's args. */
	struct tj_filter *f = compile_ok(
		"{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": 99, \"syscalls\": ["
		"{\"names\": [\"@keyring\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": "
		"[{\"index\": 0, \"value\": 7, \"op\": \"SCMP_CMP_EQ\"}]}]}");
	assert_int_equal(run(f, "keyctl", 7, 0, 0, 0), ALLOW);
	assert_int_equal(run(f, "keyctl", 8, 0, 0, 0), E99);
	tj_filter_free(f);
}

/* After expansion the compiler judges each syscall on its own: unknown
 * names keep their JSON path, conflicts name the groups. */
static void test_checks_per_syscall(void **state)
{
	(void)state;
	expect_error("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": ["
		     "{\"names\": [\"@keyring\", \"@debug\", \"ptrac\"], \"action\": \"SCMP_ACT_ERRNO\"}]}",
		     "unknown syscall 'ptrac' (did you mean 'ptrace'?)", "syscalls[0].names[2]");
	expect_error("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": ["
		     "{\"names\": [\"@privileged\"], \"action\": \"SCMP_ACT_ALLOW\"},"
		     "{\"names\": [\"read\", \"@reboot\"], \"action\": \"SCMP_ACT_KILL_PROCESS\"}]}",
		     "conflicting rules for 'kexec_file_load': syscalls[0].names[0] (@privileged > @reboot) says "
		     "SCMP_ACT_ALLOW, syscalls[1].names[1] (@reboot) says SCMP_ACT_KILL_PROCESS",
		     "syscalls[1].names[1]");
	/* A group that repeats a syscall of an earlier rule with the same
	 * action is no conflict. */
	struct tj_filter *f = compile_ok("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": ["
					 "{\"names\": [\"@basic-io\"], \"action\": \"SCMP_ACT_ALLOW\"},"
					 "{\"names\": [\"@file-system\"], \"action\": \"SCMP_ACT_ALLOW\"}]}");
	assert_int_equal(run(f, "close", 0, 0, 0, 0), ALLOW);
	tj_filter_free(f);
}

/* Constrained members become rules of their own; provenance follows. */
static void test_constrained_members(void **state)
{
	(void)state;
	struct tj_filter *f = compile_ok(
		"{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": 99, \"syscalls\": ["
		"{\"names\": [\"@memory\", \"@socket-ip\"], \"action\": \"SCMP_ACT_ALLOW\"}]}");
	/* the main rule, mmap x2, mprotect, pkey_mprotect, socket x6, socketpair */
	assert_int_equal(f->resolved->nrules, 1 + 2 + 1 + 1 + 6 + 1);
	for (size_t i = 0; i < f->resolved->nrules; i++)
		assert_string_equal(f->resolved->rules[i].json_path, "syscalls[0]");
	assert_int_equal(run(f, "mmap", 0, 4096, 3, 0x22), ALLOW);
	assert_int_equal(run(f, "mmap", 0, 4096, 7, 0x22), E99);
	assert_int_equal(run(f, "mmap", 0, 4096, 5, 0x22), E99);
	assert_int_equal(run(f, "mmap", 0, 4096, 5, 0x02), ALLOW);
	assert_int_equal(run(f, "mprotect", 0, 4096, 5, 0), E99);
	assert_int_equal(run(f, "socket", 2, 0x80001, 0, 0), ALLOW);
	assert_int_equal(run(f, "socket", 2, 3, 0, 0), E99);
	assert_int_equal(run(f, "socket", 16, 3, 0, 0), E99);
	/* the deciding rule, and the group its name came through */
	struct seccomp_data d = {.nr = 9, .arch = AUDIT_ARCH_X86_64, .args = {0, 4096, 5, 2}};
	size_t k = 99;
	const struct tj_rule *r = tj_explain_find(f->resolved, &d, ALLOW, &k);
	assert_non_null(r);
	assert_int_equal(r->nargs, 2);
	assert_string_equal(tj_rule_name_via(r, k), "@memory");
	char *path = tj_rule_name_path(r, k);
	assert_string_equal(path, "syscalls[0].names[0]");
	free(path);
	tj_filter_free(f);
}

/* One syscall reached through two groups with conditions of their own
 * (clone: @threads and @spawn): each condition names its own group. */
static void test_constrained_provenance(void **state)
{
	(void)state;
	struct tj_filter *f = compile_ok("{\"defaultAction\": \"SCMP_ACT_KILL_PROCESS\", \"syscalls\": ["
					 "{\"names\": [\"@threads\", \"@spawn\"], \"action\": \"SCMP_ACT_ALLOW\"}]}");
	static const struct {
		uint64_t flags;
		const char *via, *path;
	} cases[] = {
		{0x11 /* SIGCHLD: fork */, "@spawn", "syscalls[0].names[1]"},
		{0x10f00 /* CLONE_THREAD|...: a thread */, "@threads", "syscalls[0].names[0]"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct seccomp_data d = {.nr = 56, .arch = AUDIT_ARCH_X86_64, .args = {cases[i].flags}};
		size_t k = 99;
		const struct tj_rule *r = tj_explain_find(f->resolved, &d, ALLOW, &k);
		assert_non_null(r);
		assert_string_equal(tj_rule_name_via(r, k), cases[i].via);
		char *path = tj_rule_name_path(r, k);
		assert_string_equal(path, cases[i].path);
		free(path);
	}
	tj_filter_free(f);
}

/* compile --oci: only plain names, and the same program when re-read. */
static void test_oci_export_is_plain(void **state)
{
	(void)state;
	const char *text =
		"{\"tinyjail\": {\"version\": 1}, \"linux\": {\"seccomp\": {"
		"\"defaultAction\": \"SCMP_ACT_KILL_PROCESS\", \"syscalls\": ["
		"{\"names\": [\"@baseline\", \"@memory\", \"@basic-io\", \"@file-system\", \"!@chown\", \"execve\","
		" \"@threads\", \"@network-client\"], \"action\": \"SCMP_ACT_ALLOW\"},"
		"{\"names\": [\"clone3\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 38}]}}}";
	struct tj_filter *f = compile_ok(text);
	char *json = tj_seccomp_to_oci_json(f->resolved);
	assert_null(strchr(json, '@'));
	assert_null(strchr(json, '!'));
	assert_contains(json, "\"openat\"");
	assert_contains(json, "SCMP_CMP_MASKED_EQ");
	struct tj_filter *g = compile_ok(json);
	assert_int_equal(f->len, g->len);
	assert_memory_equal(f->prog, g->prog, f->len * sizeof(*f->prog));
	free(json);
	tj_filter_free(g);
	tj_filter_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_group_becomes_names),
		cmocka_unit_test(test_exclusions),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_checks_per_syscall),
		cmocka_unit_test(test_constrained_members),
		cmocka_unit_test(test_constrained_provenance),
		cmocka_unit_test(test_oci_export_is_plain),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
