/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What the rules say about a call (src/filter/verify.c), the standard the
 * compiler's programs are checked against: ABIs, unconditional rules,
 * repeated indexes, 32-bit ABIs, rules the default makes moot, and a
 * program built with other actions (complain, routed kills).
 */
#include "unit.h"

#include <linux/audit.h>
#include <seccomp.h>
#include <string.h>
#include <sys/syscall.h>

#include "tj/filter/filter.h"
#include "tj/filter/verify.h"
#include "tj/json/profile_json.h"

static struct tj_profile *load(const char *text)
{
	struct tj_profile *p = NULL;
	struct tj_err *err = NULL;
	if (tj_profile_load_buffer("t.json", text, strlen(text), &p, &err) < 0)
		fail_msg("cannot load the test profile: %s", tj_err_format(err));
	return p;
}

static uint32_t only(const struct tj_seccomp *s, const struct tj_verify_actions *acts, uint32_t arch, int nr,
		     uint64_t a0, uint64_t a1)
{
	struct seccomp_data d = {.nr = nr, .arch = arch, .args = {a0, a1}};
	struct tj_expected e;
	tj_verify_expected(s, acts, &d, &e);
	assert_int_equal(e.n, 1);
	return e.v[0];
}

static const char profile[] = "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"architectures\": [\"SCMP_ARCH_X86\"],"
			      " \"syscalls\": ["
			      "{\"names\": [\"getpid\"], \"action\": \"SCMP_ACT_ALLOW\"},"
			      "{\"names\": [\"getpid\"], \"action\": \"SCMP_ACT_KILL_PROCESS\", \"args\": ["
			      " {\"index\": 0, \"value\": 1, \"op\": \"SCMP_CMP_EQ\"}]},"
			      "{\"names\": [\"dup\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": ["
			      " {\"index\": 0, \"value\": 1, \"op\": \"SCMP_CMP_EQ\"},"
			      " {\"index\": 0, \"value\": 2, \"op\": \"SCMP_CMP_EQ\"}]},"
			      "{\"names\": [\"kill\"], \"action\": \"SCMP_ACT_KILL_PROCESS\", \"args\": ["
			      " {\"index\": 0, \"value\": 5, \"op\": \"SCMP_CMP_EQ\"},"
			      " {\"index\": 1, \"value\": 9, \"op\": \"SCMP_CMP_EQ\"}]},"
			      "{\"names\": [\"kill\"], \"action\": \"SCMP_ACT_ERRNO\", \"args\": ["
			      " {\"index\": 1, \"value\": 15, \"op\": \"SCMP_CMP_EQ\"}]}]}";

static void test_own_actions(void **state)
{
	(void)state;
	struct tj_profile *p = load(profile);
	const struct tj_seccomp *s = p->seccomp;
	const uint32_t allow = SECCOMP_RET_ALLOW, kill = SECCOMP_RET_KILL_PROCESS, eperm = SECCOMP_RET_ERRNO | 1;
	/* The unconditional rule decides every argument. */
	assert_int_equal(only(s, NULL, AUDIT_ARCH_X86_64, SYS_getpid, 1, 0), allow);
	/* A repeated index: any one comparison. */
	assert_int_equal(only(s, NULL, AUDIT_ARCH_X86_64, SYS_dup, 2, 0), allow);
	assert_int_equal(only(s, NULL, AUDIT_ARCH_X86_64, SYS_dup, 3, 0), eperm);
	/* Distinct indexes: all; the ERRNO rule equals the default. */
	assert_int_equal(only(s, NULL, AUDIT_ARCH_X86_64, SYS_kill, 5, 9), kill);
	assert_int_equal(only(s, NULL, AUDIT_ARCH_X86_64, SYS_kill, 5, 15), eperm);
	/* x86 compares low words: the high word of a 64-bit datum is gone. */
	int dup_x86 = seccomp_syscall_resolve_name_arch(SCMP_ARCH_X86, "dup");
	assert_int_equal(only(s, NULL, AUDIT_ARCH_I386, dup_x86, 0x100000002ull, 0), allow);
	assert_int_equal(only(s, NULL, AUDIT_ARCH_X86_64, SYS_dup, 0x100000002ull, 0), eperm);
	/* x32 is not listed: the bad-arch action. */
	assert_int_equal(only(s, NULL, AUDIT_ARCH_X86_64, SYS_getpid | 0x40000000, 0, 0), kill);
	assert_int_equal(only(s, NULL, AUDIT_ARCH_AARCH64, 172, 0, 0), kill);
	tj_profile_free(p);
}

/* Complain mode as the compiler builds it: denials notify.  A rule whose
 * action becomes the default's drops out, and the next rule decides. */
static uint32_t complain_value(const void *ctx, const struct seccomp_data *d, enum tj_action a, unsigned errno_ret,
			       bool is_default)
{
	(void)ctx, (void)d, (void)is_default;
	return a == TJ_ACT_ALLOW || a == TJ_ACT_LOG ? tj_filter_action_value(a, errno_ret) : SECCOMP_RET_USER_NOTIF;
}

static void test_other_actions(void **state)
{
	(void)state;
	struct tj_profile *p = load(profile);
	const struct tj_seccomp *s = p->seccomp;
	const struct tj_verify_actions complain = {.value = complain_value, .bad_arch = SECCOMP_RET_USER_NOTIF};
	assert_int_equal(only(s, &complain, AUDIT_ARCH_X86_64, SYS_kill, 5, 9), SECCOMP_RET_USER_NOTIF);
	assert_int_equal(only(s, &complain, AUDIT_ARCH_X86_64, SYS_dup, 3, 0), SECCOMP_RET_USER_NOTIF);
	assert_int_equal(only(s, &complain, AUDIT_ARCH_X86_64, SYS_dup, 1, 0), SECCOMP_RET_ALLOW);
	assert_int_equal(only(s, &complain, AUDIT_ARCH_AARCH64, 172, 0, 0), SECCOMP_RET_USER_NOTIF);
	tj_profile_free(p);
}

/* Two rules of different actions that both hold: either is right. */
static void test_overlapping_rules(void **state)
{
	(void)state;
	struct tj_profile *p = load("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": ["
				    "{\"names\": [\"dup\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": ["
				    " {\"index\": 0, \"value\": 4, \"op\": \"SCMP_CMP_GT\"}]},"
				    "{\"names\": [\"dup\"], \"action\": \"SCMP_ACT_LOG\", \"args\": ["
				    " {\"index\": 1, \"value\": 0, \"op\": \"SCMP_CMP_EQ\"}]}]}");
	struct seccomp_data d = {.nr = SYS_dup, .arch = AUDIT_ARCH_X86_64, .args = {5, 0}};
	struct tj_expected e;
	tj_verify_expected(p->seccomp, NULL, &d, &e);
	assert_int_equal(e.n, 2);
	assert_int_equal(e.v[0], SECCOMP_RET_ALLOW);
	assert_int_equal(e.v[1], SECCOMP_RET_LOG);
	tj_profile_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_own_actions),
		cmocka_unit_test(test_other_actions),
		cmocka_unit_test(test_overlapping_rules),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
