/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The profile writer (src/json/json_profile_write.c): deterministic order,
 * comments kept, the output loads back to the same rules, and the SPO
 * SeccompProfile rendering with its refusals.
 */
#include "unit.h"

#include "tj/json/profile_json.h"
#include "tj/json/profile_write.h"

static struct tj_profile *load(const char *text)
{
	struct tj_profile *p = NULL;
	struct tj_err *err = NULL;
	if (tj_profile_load_buffer("p.json", text, strlen(text), &p, &err) < 0)
		fail_msg("load: %s", err->msg);
	return p;
}

static char *write_json(const struct tj_seccomp *s, unsigned flags, const char *comment)
{
	struct tj_profile_write_opts o = {.flags = flags, .comment = comment};
	char *out = NULL;
	struct tj_err *err = NULL;
	if (tj_profile_write_json(s, &o, "out.json", &out, &err) < 0)
		fail_msg("write: %s", err->msg);
	return out;
}

static const char profile_a[] =
	"{\"defaultAction\": \"SCMP_ACT_KILL\", \"syscalls\": ["
	" {\"names\": [\"write\", \"read\"], \"action\": \"SCMP_ACT_ALLOW\", \"comment\": \"io \\\"quoted\\\"\"},"
	" {\"names\": [\"clone3\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 38},"
	" {\"names\": [\"openat\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": ["
	"   {\"index\": 2, \"value\": 4294967295, \"valueTwo\": 0, \"op\": \"SCMP_CMP_MASKED_EQ\"}]},"
	" {\"names\": [\"exit_group\"], \"action\": \"SCMP_ACT_ALLOW\"}]}";

/* The same rules in another order. */
static const char profile_b[] =
	"{\"defaultAction\": \"SCMP_ACT_KILL_PROCESS\", \"syscalls\": ["
	" {\"names\": [\"exit_group\"], \"action\": \"SCMP_ACT_ALLOW\"},"
	" {\"names\": [\"openat\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": ["
	"   {\"index\": 2, \"value\": 4294967295, \"valueTwo\": 0, \"op\": \"SCMP_CMP_MASKED_EQ\"}]},"
	" {\"names\": [\"clone3\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 38},"
	" {\"names\": [\"read\", \"write\"], \"action\": \"SCMP_ACT_ALLOW\", \"comment\": \"io \\\"quoted\\\"\"}]}";

static void test_deterministic_order(void **state)
{
	(void)state;
	struct tj_profile *a = load(profile_a), *b = load(profile_b);
	char *wa = write_json(a->seccomp, TJ_WRITE_SORT, "learned");
	char *wb = write_json(b->seccomp, TJ_WRITE_SORT, "learned");
	assert_string_equal(wa, wb);
	/* Key order, canonical action, names sorted, rules by first name. */
	assert_contains(wa, "{\n  \"defaultAction\": \"SCMP_ACT_KILL_PROCESS\",\n  \"architectures\": "
			    "[\"SCMP_ARCH_X86_64\"],\n  \"comment\": \"learned\",\n  \"syscalls\": [\n");
	const char *clone3 = strstr(wa, "\"clone3\""), *exitg = strstr(wa, "\"exit_group\""),
		   *openat = strstr(wa, "\"openat\""), *rw = strstr(wa, "[\"read\", \"write\"]");
	assert_true(clone3 && exitg && openat && rw);
	assert_true(clone3 < exitg && exitg < openat && openat < rw);
	assert_contains(wa, "\"errnoRet\": 38");
	assert_contains(wa, "        {\"index\": 2, \"value\": 4294967295, \"valueTwo\": 0, \"op\": "
			    "\"SCMP_CMP_MASKED_EQ\"}\n");
	assert_contains(wa, "\"comment\": \"io \\\"quoted\\\"\"");
	/* Writing the output's own model again gives the same bytes. */
	struct tj_profile *again = load(wa);
	char *w2 = write_json(again->seccomp, TJ_WRITE_SORT, "learned");
	assert_string_equal(wa, w2);
	free(w2);
	tj_profile_free(again);
	free(wa);
	free(wb);
	tj_profile_free(a);
	tj_profile_free(b);
}

static void test_keep_order(void **state)
{
	(void)state;
	struct tj_profile *a = load(profile_a);
	char *w = write_json(a->seccomp, 0, NULL);
	assert_true(strstr(w, "[\"write\", \"read\"]") < strstr(w, "\"clone3\""));
	assert_null(strstr(w, "\"comment\": \"learned\""));
	free(w);
	tj_profile_free(a);
}

static void test_empty_and_errno_default(void **state)
{
	(void)state;
	struct tj_profile *p = load("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": 38}");
	char *w = write_json(p->seccomp, TJ_WRITE_SORT, NULL);
	assert_string_equal(w, "{\n  \"defaultAction\": \"SCMP_ACT_ERRNO\",\n  \"defaultErrnoRet\": 38,\n"
			       "  \"architectures\": [\"SCMP_ARCH_X86_64\"],\n  \"syscalls\": []\n}\n");
	free(w);
	tj_profile_free(p);
}

static char *write_spo(const struct tj_seccomp *s, const char *name, struct tj_err **err)
{
	struct tj_profile_write_opts o = {.flags = TJ_WRITE_SORT, .comment = "learned by tinyjail"};
	char *out = NULL;
	if (tj_profile_write_spo(s, &o, name, NULL, &out, err) < 0)
		return NULL;
	return out;
}

static void test_spo(void **state)
{
	(void)state;
	struct tj_profile *a = load(profile_a);
	struct tj_err *err = NULL;
	char *y = write_spo(a->seccomp, "My_Profile.json", &err);
	assert_non_null(y);
	assert_contains(y, "# learned by tinyjail\napiVersion: security-profiles-operator.x-k8s.io/v1beta1\n"
			   "kind: SeccompProfile\nmetadata:\n  name: my-profile.json\nspec:\n"
			   "  defaultAction: SCMP_ACT_KILL_PROCESS\n  architectures:\n  - SCMP_ARCH_X86_64\n"
			   "  syscalls:\n");
	assert_contains(y, "  - action: SCMP_ACT_ERRNO\n    errnoRet: 38\n    names:\n    - clone3\n");
	assert_contains(y, "    args:\n    - index: 2\n      op: SCMP_CMP_MASKED_EQ\n      value: 4294967295\n"
			   "      valueTwo: 0\n");
	assert_contains(y, "  # io \"quoted\"\n  - action: SCMP_ACT_ALLOW\n");
	free(y);
	tj_profile_free(a);

	/* Docker's legacy OR of repeated indexes: one rule per comparison. */
	struct tj_profile *p = load("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [{\"names\": "
				    "[\"personality\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": ["
				    "{\"index\": 0, \"value\": 0, \"op\": \"SCMP_CMP_EQ\"},"
				    "{\"index\": 0, \"value\": 8, \"op\": \"SCMP_CMP_EQ\"}]}]}");
	y = write_spo(p->seccomp, "p", &err);
	assert_non_null(y);
	const char *first = strstr(y, "- personality");
	assert_non_null(first);
	assert_non_null(strstr(first + 1, "- personality"));
	free(y);
	tj_profile_free(p);
}

static void test_spo_refusals(void **state)
{
	(void)state;
	struct tj_err *err = NULL;
	struct tj_profile *p = load("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": 38}");
	assert_null(write_spo(p->seccomp, "p", &err));
	assert_contains(err->msg, "defaultErrnoRet");
	tj_err_free(err);
	err = NULL;
	tj_profile_free(p);

	p = load("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [{\"names\": [\"ioctl\"], "
		 "\"action\": \"SCMP_ACT_ALLOW\", \"args\": [{\"index\": 1, \"value\": 18446744073709551615, "
		 "\"op\": \"SCMP_CMP_EQ\"}]}]}");
	assert_null(write_spo(p->seccomp, "p", &err));
	assert_contains(err->msg, "int64");
	assert_string_equal(err->json_path, "syscalls[0]");
	tj_err_free(err);
	tj_profile_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_deterministic_order),
		cmocka_unit_test(test_keep_order),
		cmocka_unit_test(test_empty_and_errno_default),
		cmocka_unit_test(test_spo),
		cmocka_unit_test(test_spo_refusals),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
