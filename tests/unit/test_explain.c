/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Rule provenance (src/filter/explain.c): which rule of a profile decided a
 * syscall, given the action the compiled program returned.
 */
#include "unit.h"

#include <linux/audit.h>
#include <linux/seccomp.h>
#include <sys/syscall.h>

#include "tj/filter/bpfsim.h"
#include "tj/filter/explain.h"
#include "tj/filter/filter.h"
#include "tj/json/profile_json.h"

#define X32 0x40000000

static const struct tj_host host0 = {.go_arch = "amd64", .kernel_major = 6, .kernel_minor = 1, .caps = 0};

static struct tj_filter *compile_text(const char *text)
{
	struct tj_profile *p = NULL;
	struct tj_err *err = NULL;
	if (tj_profile_load_buffer("t.json", text, strlen(text), &p, &err) < 0)
		fail_msg("load: %s", err->msg);
	struct tj_filter_opts o = {.host = &host0};
	struct tj_filter *f = NULL;
	if (tj_filter_compile(p, &o, &f, &err) < 0)
		fail_msg("compile: %s", err->msg);
	tj_profile_free(p);
	return f;
}

static struct tj_filter *compile_path(const char *path)
{
	struct tj_profile *p = NULL;
	struct tj_err *err = NULL;
	if (tj_profile_load_file(path, path, &p, &err) < 0)
		fail_msg("load: %s", err->msg);
	struct tj_filter_opts o = {.host = &host0};
	struct tj_filter *f = NULL;
	if (tj_filter_compile(p, &o, &f, &err) < 0)
		fail_msg("compile: %s", err->msg);
	tj_profile_free(p);
	return f;
}

/* Runs the program and explains its answer. */
static const char *why(const struct tj_filter *f, uint32_t arch, int nr, uint64_t a0, uint64_t a1, uint32_t *action)
{
	struct seccomp_data d = {.nr = nr, .arch = arch, .args = {a0, a1}};
	uint32_t a = tj_bpf_run(f->prog, f->len, &d);
	if (action)
		*action = a;
	return tj_explain_rule(f->resolved, &d, a);
}

static const char *const profile =
	"{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": 77,"
	" \"architectures\": [\"SCMP_ARCH_X86_64\", \"SCMP_ARCH_X86\", \"SCMP_ARCH_X32\"], \"syscalls\": ["
	/* 0 */ "{\"names\": [\"read\", \"write\"], \"action\": \"SCMP_ACT_ALLOW\"},"
	/* 1 */ "{\"names\": [\"dup\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": ["
	"  {\"index\": 0, \"value\": 1, \"op\": \"SCMP_CMP_EQ\"}, {\"index\": 0, \"value\": 2, \"op\": \"SCMP_CMP_EQ\"}]},"
	/* 2 */ "{\"names\": [\"kill\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": ["
	"  {\"index\": 0, \"value\": 1, \"op\": \"SCMP_CMP_EQ\"}, {\"index\": 1, \"value\": 0, \"op\": \"SCMP_CMP_EQ\"}]},"
	/* 3 */ "{\"names\": [\"kill\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 88, \"args\": ["
	"  {\"index\": 1, \"value\": 9, \"op\": \"SCMP_CMP_EQ\"}]},"
	/* 4 */ "{\"names\": [\"personality\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": ["
	"  {\"index\": 0, \"value\": 4294967295, \"op\": \"SCMP_CMP_EQ\"}]},"
	/* 5 */ "{\"names\": [\"getpid\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 77},"
	/* 6 */ "{\"names\": [\"gettid\"], \"action\": \"SCMP_ACT_LOG\"},"
	/* 7 */ "{\"names\": [\"gettid\"], \"action\": \"SCMP_ACT_LOG\"},"
	/* 8 */ "{\"names\": [\"umask\"], \"action\": \"SCMP_ACT_TRAP\", \"args\": ["
	"  {\"index\": 0, \"value\": 4294967296, \"op\": \"SCMP_CMP_GE\"}]}"
	"]}";

static void test_provenance(void **state)
{
	(void)state;
	struct tj_filter *f = compile_text(profile);
	uint32_t a;
	assert_string_equal(why(f, AUDIT_ARCH_X86_64, SYS_read, 0, 0, &a), "syscalls[0]");
	assert_int_equal(a, SECCOMP_RET_ALLOW);
	assert_string_equal(why(f, AUDIT_ARCH_X86_64, SYS_write, 0, 0, NULL), "syscalls[0]");
	/* Same index: either comparison. */
	assert_string_equal(why(f, AUDIT_ARCH_X86_64, SYS_dup, 1, 0, NULL), "syscalls[1]");
	assert_string_equal(why(f, AUDIT_ARCH_X86_64, SYS_dup, 2, 0, NULL), "syscalls[1]");
	assert_string_equal(why(f, AUDIT_ARCH_X86_64, SYS_dup, 3, 0, &a), "defaultAction");
	assert_int_equal(a, SECCOMP_RET_ERRNO | 77);
	/* Distinct indexes: both. */
	assert_string_equal(why(f, AUDIT_ARCH_X86_64, SYS_kill, 1, 0, &a), "syscalls[2]");
	assert_int_equal(a, SECCOMP_RET_ALLOW);
	assert_string_equal(why(f, AUDIT_ARCH_X86_64, SYS_kill, 1, 1, NULL), "defaultAction");
	assert_string_equal(why(f, AUDIT_ARCH_X86_64, SYS_kill, 2, 0, NULL), "defaultAction");
	/* The rule whose action the program returned, not the first naming it. */
	assert_string_equal(why(f, AUDIT_ARCH_X86_64, SYS_kill, 5, 9, &a), "syscalls[3]");
	assert_int_equal(a, SECCOMP_RET_ERRNO | 88);
	/* A rule with the default's action names the syscall first. */
	assert_string_equal(why(f, AUDIT_ARCH_X86_64, SYS_getpid, 0, 0, &a), "syscalls[5]");
	assert_int_equal(a, SECCOMP_RET_ERRNO | 77);
	/* Two rules with the same action: the first. */
	assert_string_equal(why(f, AUDIT_ARCH_X86_64, SYS_gettid, 0, 0, NULL), "syscalls[6]");
	/* 64-bit comparisons on x86_64. */
	assert_string_equal(why(f, AUDIT_ARCH_X86_64, SYS_personality, 0xffffffff, 0, NULL), "syscalls[4]");
	assert_string_equal(why(f, AUDIT_ARCH_X86_64, SYS_personality, UINT64_MAX, 0, NULL), "defaultAction");
	assert_string_equal(why(f, AUDIT_ARCH_X86_64, SYS_umask, 0x100000000ULL, 0, &a), "syscalls[8]");
	assert_int_equal(a, SECCOMP_RET_TRAP);
	assert_string_equal(why(f, AUDIT_ARCH_X86_64, SYS_umask, 0xffffffff, 0, NULL), "defaultAction");
	/* No rule names it. */
	assert_string_equal(why(f, AUDIT_ARCH_X86_64, SYS_mount, 0, 0, NULL), "defaultAction");
	assert_string_equal(why(f, AUDIT_ARCH_X86_64, 1000, 0, 0, NULL), "defaultAction");
	/* An action no rule has (a bad architecture kill). */
	assert_string_equal(tj_explain_rule(f->resolved,
					    &(struct seccomp_data){.nr = SYS_read, .arch = AUDIT_ARCH_X86_64},
					    SECCOMP_RET_KILL_PROCESS),
			    "defaultAction");
	tj_filter_free(f);
}

static void test_32bit_abis(void **state)
{
	(void)state;
	struct tj_filter *f = compile_text(profile);
	uint32_t a;
	/* i386: names by i386 number (personality is 136, read 3, dup 41). */
	assert_string_equal(why(f, AUDIT_ARCH_I386, 3, 0, 0, &a), "syscalls[0]");
	assert_int_equal(a, SECCOMP_RET_ALLOW);
	assert_string_equal(why(f, AUDIT_ARCH_I386, 41, 2, 0, NULL), "syscalls[1]");
	/* Only the low 32 bits are compared, as libseccomp compiles them. */
	assert_string_equal(why(f, AUDIT_ARCH_I386, 136, 0xffffffff, 0, &a), "syscalls[4]");
	assert_int_equal(a, SECCOMP_RET_ALLOW);
	assert_string_equal(why(f, AUDIT_ARCH_I386, 136, UINT64_MAX, 0, &a), "syscalls[4]");
	assert_int_equal(a, SECCOMP_RET_ALLOW);
	/* umask >= 0x100000000: low word 0 >= 0 on a 32-bit ABI. */
	assert_string_equal(why(f, AUDIT_ARCH_I386, 60, 5, 0, &a), "syscalls[8]");
	assert_int_equal(a, SECCOMP_RET_TRAP);
	/* x32 is a 32-bit ABI for libseccomp as well. */
	assert_string_equal(why(f, AUDIT_ARCH_X86_64, X32 | SYS_personality, UINT64_MAX, 0, &a), "syscalls[4]");
	assert_int_equal(a, SECCOMP_RET_ALLOW);
	assert_string_equal(why(f, AUDIT_ARCH_X86_64, X32 | SYS_umask, 5, 0, &a), "syscalls[8]");
	assert_int_equal(a, SECCOMP_RET_TRAP);
	assert_string_equal(why(f, AUDIT_ARCH_X86_64, X32 | SYS_read, 0, 0, NULL), "syscalls[0]");
	assert_string_equal(why(f, AUDIT_ARCH_X86_64, X32 | 1000, 0, 0, NULL), "defaultAction");
	tj_filter_free(f);
}

static void test_arg_matches(void **state)
{
	(void)state;
	struct tj_arg a = {.index = 0, .value = 10, .op = TJ_CMP_NE};
	assert_true(tj_explain_arg_matches(&a, 9, false));
	assert_false(tj_explain_arg_matches(&a, 10, false));
	assert_true(tj_explain_arg_matches(&a, 0x10000000aULL, false));
	assert_false(tj_explain_arg_matches(&a, 0x10000000aULL, true));
	a.op = TJ_CMP_LT;
	assert_true(tj_explain_arg_matches(&a, 9, false));
	assert_false(tj_explain_arg_matches(&a, 10, false));
	assert_false(tj_explain_arg_matches(&a, UINT64_MAX, false));
	a.op = TJ_CMP_LE;
	assert_true(tj_explain_arg_matches(&a, 10, false));
	assert_false(tj_explain_arg_matches(&a, 11, false));
	a.op = TJ_CMP_EQ;
	assert_true(tj_explain_arg_matches(&a, 10, false));
	assert_false(tj_explain_arg_matches(&a, 0xffffffff0000000aULL, false));
	assert_true(tj_explain_arg_matches(&a, 0xffffffff0000000aULL, true));
	a.op = TJ_CMP_GE;
	assert_true(tj_explain_arg_matches(&a, 10, false));
	assert_false(tj_explain_arg_matches(&a, 9, false));
	a.op = TJ_CMP_GT;
	assert_true(tj_explain_arg_matches(&a, 11, false));
	assert_false(tj_explain_arg_matches(&a, 10, false));
	assert_true(tj_explain_arg_matches(&a, 0x100000000ULL, false));
	assert_false(tj_explain_arg_matches(&a, 0x100000000ULL, true));
	/* MASKED_EQ: value is the mask, value_two the datum. */
	struct tj_arg m = {.index = 0, .value = 0xff00, .value_two = 0x1200, .op = TJ_CMP_MASKED_EQ};
	assert_true(tj_explain_arg_matches(&m, 0x12ab, false));
	assert_false(tj_explain_arg_matches(&m, 0x13ab, false));
	struct tj_arg m64 = {.index = 0,
			     .value = 0xffffffff00000000ULL,
			     .value_two = 0x100000000ULL,
			     .op = TJ_CMP_MASKED_EQ};
	assert_true(tj_explain_arg_matches(&m64, 0x1deadbeefULL, false));
	assert_false(tj_explain_arg_matches(&m64, 0x2deadbeefULL, false));
	/* 32-bit: the mask and the datum lose their high words too, so this
	 * one matches everything. */
	assert_true(tj_explain_arg_matches(&m64, 0x2deadbeefULL, true));
	assert_true(tj_explain_arg_matches(&m64, 0, true));
	struct tj_arg m32 = {.index = 0, .value = 0x1000000ffULL, .value_two = 0x100000012ULL, .op = TJ_CMP_MASKED_EQ};
	assert_true(tj_explain_arg_matches(&m32, 0x312, true));
	assert_false(tj_explain_arg_matches(&m32, 0x312, false));
	assert_true(tj_explain_arg_matches(&m32, 0x100000312ULL, false));
	/* A datum with bits outside the mask is masked too, as libseccomp
	 * compiles it: (arg & 0xff) == (0x1ff & 0xff). */
	struct tj_arg wide = {.index = 0, .value = 0xff, .value_two = 0x1ff, .op = TJ_CMP_MASKED_EQ};
	assert_true(tj_explain_arg_matches(&wide, 0xff, false));
	assert_true(tj_explain_arg_matches(&wide, 0x2ff, false));
	assert_false(tj_explain_arg_matches(&wide, 0x7f, false));
	struct tj_arg bad = {.index = 0, .value = 1, .op = (enum tj_cmp)0};
	assert_false(tj_explain_arg_matches(&bad, 1, false));
}

/* For real profiles, whatever the program returns, the explanation names
 * a rule with that action for that syscall, or the default when the
 * action is the default's; the memo (a supervisor's) says the same. */
static void test_consistent_with_programs(void **state)
{
	(void)state;
	static const char *const paths[] = {
		"policies/default.json",
		"policies/strict.json",
		"tests/fixtures/corpus/runc_seccomp_syscall_test1.json",
		"tests/fixtures/corpus/moby-profiles_default.json",
		"tests/sim/profiles/operators.json",
		"tests/sim/profiles/compat.json",
		"tests/sim/profiles/modes.json",
	};
	static const uint64_t values[] = {0,	     1,	     2,	     3,	      40,	  100,	      666,
					  1337,	     0x5401, 0x5412, 0x10000, 0x7e020000, 0xffffffff, 0x100000000ULL,
					  UINT64_MAX};
	size_t named = 0;
	for (size_t i = 0; i < TJ_ARRAY_SIZE(paths); i++) {
		struct tj_filter *f = compile_path(paths[i]);
		/* One memo for the whole sweep, as a supervisor keeps one
		 * for a run: it must answer as tj_explain_rule does, also
		 * where arguments decide (they change from call to call). */
		static struct tj_explain_memo memo;
		memset(&memo, 0, sizeof(memo));
		uint32_t def = tj_filter_action_value(f->resolved->default_action,
						      tj_seccomp_effective_default_errno(f->resolved));
		for (int arch = 0; arch < 3; arch++) {
			for (int nr = 0; nr < 470; nr++) {
				for (size_t v = 0; v < TJ_ARRAY_SIZE(values); v++) {
					struct seccomp_data d = {
						.nr = arch == 2 ? nr | X32 : nr,
						.arch = arch == 1 ? AUDIT_ARCH_I386 : AUDIT_ARCH_X86_64,
						.args = {values[v], values[TJ_ARRAY_SIZE(values) - 1 - v], values[v],
							 values[v]},
					};
					uint32_t a = tj_bpf_run(f->prog, f->len, &d);
					const char *r = tj_explain_rule(f->resolved, &d, a);
					const char *rm = tj_explain_rule_memo(&memo, f->resolved, &d, a);
					if (strcmp(r, rm) != 0)
						fail_msg("%s: arch %d nr %d arg 0x%llx: the memo says %s, not %s",
							 paths[i], arch, nr, (unsigned long long)values[v], rm, r);
					if (strcmp(r, "architectures") == 0) {
						/* An ABI the profile does not list: the bad-arch kill. */
						if (a != SECCOMP_RET_KILL_PROCESS)
							fail_msg("%s: arch %d nr %d: returns 0x%x, explained as an unlisted ABI",
								 paths[i], arch, nr, a);
						continue;
					}
					if (strcmp(r, "defaultAction") == 0) {
						if (a != def)
							fail_msg("%s: arch %d nr %d arg 0x%llx: returns 0x%x, explained as the "
								 "default 0x%x",
								 paths[i], arch, nr, (unsigned long long)values[v], a,
								 def);
						continue;
					}
					named++;
					bool found = false;
					for (size_t k = 0; k < f->resolved->nrules && !found; k++) {
						const struct tj_rule *rule = &f->resolved->rules[k];
						if (strcmp(rule->json_path, r) == 0)
							found = tj_filter_action_value(rule->action,
										       tj_rule_effective_errno(rule)) ==
								a;
					}
					if (!found)
						fail_msg("%s: nr %d: %s does not return 0x%x", paths[i], nr, r, a);
				}
			}
		}
		tj_filter_free(f);
	}
	assert_true(named > 10000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_provenance),
		cmocka_unit_test(test_32bit_abis),
		cmocka_unit_test(test_arg_matches),
		cmocka_unit_test(test_consistent_with_programs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
