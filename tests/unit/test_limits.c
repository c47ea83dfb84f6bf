/* SPDX-License-Identifier: Apache-2.0 */
/* Limits: parsing flags, merging with a profile, formatting. */
#include "unit.h"

#include <unistd.h>

#include "tj/base/util.h"
#include "tj/model/limits.h"

static void test_rlimit_parse(void **state)
{
	(void)state;
	struct tj_limits l = {0};
	struct tj_err *err = NULL;
	assert_int_equal(tj_limits_parse_rlimit(&l, "nofile=256", &err), 0);
	assert_true(l.rlimits[RLIMIT_NOFILE].set);
	assert_true(l.rlimits[RLIMIT_NOFILE].soft == 256 && l.rlimits[RLIMIT_NOFILE].hard == 256);
	assert_int_equal(tj_limits_parse_rlimit(&l, "RLIMIT_STACK=8M", &err), 0);
	assert_true(l.rlimits[RLIMIT_STACK].soft == 8u << 20);
	assert_int_equal(tj_limits_parse_rlimit(&l, "fsize=10M:20M", &err), 0);
	assert_true(l.rlimits[RLIMIT_FSIZE].soft == 10u << 20 && l.rlimits[RLIMIT_FSIZE].hard == 20u << 20);
	assert_int_equal(tj_limits_parse_rlimit(&l, "cpu=unlimited", &err), 0);
	assert_true(l.rlimits[RLIMIT_CPU].soft == TJ_LIMIT_UNLIMITED);
	assert_int_equal(tj_limits_parse_rlimit(&l, "Core=0", &err), 0);
	assert_true(l.rlimits[RLIMIT_CORE].set && l.rlimits[RLIMIT_CORE].hard == 0);

	static const struct {
		const char *arg, *fragment;
	} bad[] = {
		{"nofile", "expected NAME=SOFT[:HARD]"}, {"nofil=3", "unknown limit 'nofil' (did you mean 'nofile'?)"},
		{"bogus=3", "unknown limit 'bogus'"},	 {"nofile=20:10", "soft limit is above the hard limit"},
		{"nofile=-1", "values are numbers"},	 {"nofile=1e3", "values are numbers"},
		{"stack=8X", "values are numbers"},	 {"stack=", "values are numbers"},
	};
	for (size_t i = 0; i < TJ_ARRAY_SIZE(bad); i++) {
		struct tj_limits b = {0};
		assert_int_equal(tj_limits_parse_rlimit(&b, bad[i].arg, &err), -1);
		assert_int_equal(err->kind, TJ_ERR_USAGE);
		assert_contains(err->msg, bad[i].fragment);
		assert_false(b.rlimits[RLIMIT_NOFILE].set);
		tj_err_freep(&err);
	}
	assert_int_equal(tj_rlimit_from_name("msgqueue"), RLIMIT_MSGQUEUE);
	assert_int_equal(tj_rlimit_from_name("RLIMIT_RTTIME"), RLIMIT_RTTIME);
	assert_int_equal(tj_rlimit_from_name("RLIMIT_"), -1);
	assert_string_equal(tj_rlimit_name(RLIMIT_AS), "RLIMIT_AS");
}

static void test_cpu_parse(void **state)
{
	(void)state;
	struct tj_limits l = {0};
	struct tj_err *err = NULL;
	assert_int_equal(tj_limits_parse_cpu(&l, "50%", &err), 0);
	assert_true(l.has_cpu && l.cpu_quota == 50000 && l.cpu_period == 100000);
	assert_int_equal(tj_limits_parse_cpu(&l, "0.25", &err), 0);
	assert_true(l.cpu_quota == 25000);
	assert_int_equal(tj_limits_parse_cpu(&l, ".5", &err), 0);
	assert_true(l.cpu_quota == 50000);
	assert_int_equal(tj_limits_parse_cpu(&l, "1%", &err), 0);
	assert_true(l.cpu_quota == 1000);
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	char over[32];
	snprintf(over, sizeof(over), "%ld%%", cpus * 100 + 1);
	static const char *const bad[] = {"", "%", "0", "0.001", "-50%", "1e2", "0x10", "50%%", "half", "5."};
	for (size_t i = 0; i < TJ_ARRAY_SIZE(bad); i++) {
		struct tj_limits b = {0};
		if (tj_limits_parse_cpu(&b, bad[i], &err) == 0)
			fail_msg("--cpu '%s' was accepted", bad[i]);
		assert_false(b.has_cpu);
		tj_err_freep(&err);
	}
	struct tj_limits b = {0};
	assert_int_equal(tj_limits_parse_cpu(&b, over, &err), -1);
	assert_contains(err->msg, "this host has");
	tj_err_freep(&err);
}

static void test_degrade_and_merge(void **state)
{
	(void)state;
	struct tj_limits base = {0}, over = {0};
	struct tj_err *err = NULL;
	assert_int_equal(tj_limits_parse_degrade(&over, "memory,pids", &err), 0);
	assert_int_equal(over.degrade, TJ_DEGRADE_MEMORY | TJ_DEGRADE_PIDS);
	assert_int_equal(tj_limits_parse_degrade(&over, "cgroup", &err), 0);
	assert_int_equal(over.degrade, TJ_DEGRADE_MEMORY | TJ_DEGRADE_PIDS | TJ_DEGRADE_CPU);
	assert_int_equal(tj_limits_parse_degrade(&over, "landlock", &err), -1);
	assert_contains(err->msg, "unknown layer 'landlock'");
	tj_err_freep(&err);

	base.has_memory = true;
	base.memory = 100;
	base.timeout_ms = 5000;
	base.rlimits[RLIMIT_NOFILE] = (struct tj_rlimit){true, 10, 10};
	base.rlimits[RLIMIT_STACK] = (struct tj_rlimit){true, 1, 1};
	over.has_memory = true;
	over.memory = 200;
	over.rlimits[RLIMIT_NOFILE] = (struct tj_rlimit){true, 20, 30};
	tj_limits_merge(&base, &over);
	assert_true(base.memory == 200);      /* the flag wins */
	assert_true(base.timeout_ms == 5000); /* kept from the profile */
	assert_true(base.rlimits[RLIMIT_NOFILE].hard == 30);
	assert_true(base.rlimits[RLIMIT_STACK].set); /* not touched */
	assert_true(tj_limits_want_cgroup(&base));
	struct tj_limits none = {0};
	assert_false(tj_limits_want_cgroup(&none));
}

static void test_format(void **state)
{
	(void)state;
	char b[32];
	static const struct {
		uint64_t v;
		const char *s;
	} bytes[] = {{0, "0"},
		     {1000, "1000"},
		     {4096, "4K"},
		     {100u << 20, "100M"},
		     {(uint64_t)3 << 30, "3G"},
		     {123456789, "117.7M"},
		     {1536, "1.5K"}};
	for (size_t i = 0; i < TJ_ARRAY_SIZE(bytes); i++) {
		tj_format_bytes(bytes[i].v, b, sizeof(b));
		assert_string_equal(b, bytes[i].s);
	}
	tj_format_ms(120000, b, sizeof(b));
	assert_string_equal(b, "120s");
	tj_format_ms(1500, b, sizeof(b));
	assert_string_equal(b, "1.5s");
	tj_format_ms(250, b, sizeof(b));
	assert_string_equal(b, "250ms");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rlimit_parse),
		cmocka_unit_test(test_cpu_parse),
		cmocka_unit_test(test_degrade_and_merge),
		cmocka_unit_test(test_format),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
