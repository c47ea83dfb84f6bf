/* SPDX-License-Identifier: Apache-2.0 */
/* Pure helpers (src/base/util.c): numbers, sizes, durations, suggestions,
 * strings, string vectors and notes. */
#include "unit.h"

#include "tj/base/util.h"

static void test_parse_u64(void **state)
{
	(void)state;
	uint64_t v = 0;
	assert_true(tj_parse_u64("0", &v));
	assert_true(v == 0);
	assert_true(tj_parse_u64("42", &v));
	assert_true(v == 42);
	assert_true(tj_parse_u64("18446744073709551615", &v));
	assert_true(v == UINT64_MAX);
	assert_true(tj_parse_u64("0x10", &v));
	assert_true(v == 16);
	assert_true(tj_parse_u64("0XfF", &v));
	assert_true(v == 255);
	assert_true(tj_parse_u64("0xffffffffffffffff", &v));
	assert_true(v == UINT64_MAX);
	/* Decimal, not octal: a leading zero changes nothing. */
	assert_true(tj_parse_u64("010", &v));
	assert_true(v == 10);
	assert_true(tj_parse_u64("08", &v));
	assert_true(v == 8);
	assert_true(tj_parse_u64("0038", &v));
	assert_true(v == 38);

	v = 7;
	static const char *const bad[] = {
		"",
		"-1",
		"+1",
		" 1",
		"1 ",
		"\t1",
		"1x",
		"x1",
		"0x",
		"0x-1",
		"0x+1",
		"0x 1",
		"0xg",
		"18446744073709551616",
		"0x10000000000000000",
		"99999999999999999999999",
		"1e3",
		"1.0",
		"--1",
	};
	for (size_t i = 0; i < TJ_ARRAY_SIZE(bad); i++)
		if (tj_parse_u64(bad[i], &v))
			fail_msg("tj_parse_u64 accepted \"%s\"", bad[i]);
	assert_false(tj_parse_u64(NULL, &v));
	assert_true(v == 7); /* untouched on failure */
}

static void test_parse_size(void **state)
{
	(void)state;
	static const struct {
		const char *s;
		uint64_t v;
	} good[] = {
		{"0", 0},
		{"4096", 4096},
		{"1K", 1024},
		{"1k", 1024},
		{"10M", 10ULL << 20},
		{"10MiB", 10ULL << 20},
		{"10MB", 10ULL << 20},
		{"10mb", 10ULL << 20},
		{"10Mi", 10ULL << 20},
		{"3G", 3ULL << 30},
		{"2T", 2ULL << 40},
		{"5B", 5},
		{"5b", 5},
		{"16777215T", 16777215ULL << 40},
		{"18446744073709551615", UINT64_MAX},
	};
	for (size_t i = 0; i < TJ_ARRAY_SIZE(good); i++) {
		uint64_t v = 1;
		if (!tj_parse_size(good[i].s, &v))
			fail_msg("tj_parse_size rejected \"%s\"", good[i].s);
		if (v != good[i].v)
			fail_msg("tj_parse_size(\"%s\") = %llu, expected %llu", good[i].s, (unsigned long long)v,
				 (unsigned long long)good[i].v);
	}
	static const char *const bad[] = {
		"",
		"M",
		"-1",
		"+1",
		" 1",
		"1 M",
		"1.5M",
		"1P",
		"1KK",
		"1MBB",
		"1iB",
		"1Bi",
		"1KiBx",
		"16777216T",
		"18446744073709551616",
		"18014398509481984K",
		"0x10",
		NULL,
	};
	for (size_t i = 0; i < TJ_ARRAY_SIZE(bad); i++) {
		uint64_t v = 99;
		if (tj_parse_size(bad[i], &v))
			fail_msg("tj_parse_size accepted \"%s\"", bad[i] ? bad[i] : "(null)");
		assert_true(v == 99);
	}
}

static void test_parse_duration(void **state)
{
	(void)state;
	static const struct {
		const char *s;
		uint64_t ms;
	} good[] = {
		{"0", 0},	 {"10", 10000},	    {"120s", 120000}, {"250ms", 250},
		{"1.5m", 90000}, {"2min", 120000},  {"2h", 7200000},  {".5", 500},
		{"0.5s", 500},	 {"1.0005s", 1001}, /* rounded to the nearest millisecond */
		{"0.0004", 0},	 {"3.9999ms", 4},
	};
	for (size_t i = 0; i < TJ_ARRAY_SIZE(good); i++) {
		uint64_t v = 1;
		if (!tj_parse_duration_ms(good[i].s, &v))
			fail_msg("tj_parse_duration_ms rejected \"%s\"", good[i].s);
		if (v != good[i].ms)
			fail_msg("tj_parse_duration_ms(\"%s\") = %llu, expected %llu", good[i].s, (unsigned long long)v,
				 (unsigned long long)good[i].ms);
	}
	static const char *const bad[] = {
		"",
		"s",
		"-1",
		"+1",
		" 1",
		"1 s",
		"1x",
		"1sec",
		"1S",
		"1hh",
		"1ms5",
		"inf",
		"nan",
		"infinity",
		"1e400",
		"1e20h",
		"5124095576030431h",
		NULL,
	};
	for (size_t i = 0; i < TJ_ARRAY_SIZE(bad); i++) {
		uint64_t v = 99;
		if (tj_parse_duration_ms(bad[i], &v))
			fail_msg("tj_parse_duration_ms accepted \"%s\"", bad[i] ? bad[i] : "(null)");
		assert_true(v == 99);
	}
}

static void test_suggest(void **state)
{
	(void)state;
	assert_int_equal(tj_edit_distance("", ""), 0);
	assert_int_equal(tj_edit_distance("abc", ""), 3);
	assert_int_equal(tj_edit_distance("kitten", "sitting"), 3);
	assert_int_equal(tj_edit_distance("getpid", "getpdi"), 1); /* a swap of neighbours costs 1 */
	assert_int_equal(tj_edit_distance("mkdri", "mkdir"), 1);
	assert_int_equal(tj_edit_distance("SCMP_ACT_ALLOW", "scmp_act_allow"), 0); /* case-insensitive */
	char long_a[70], long_b[70];
	memset(long_a, 'a', 65);
	long_a[65] = '\0';
	memset(long_b, 'a', 64);
	long_b[64] = '\0';
	assert_int_equal(tj_edit_distance(long_a, "a"), 255);
	assert_int_equal(tj_edit_distance(long_b, long_b), 0);

	static const char *const names[] = {"SCMP_ACT_ALLOW", "SCMP_ACT_ERRNO", "SCMP_ACT_KILL", "SCMP_ACT_LOG",
					    "getpid",	      "getppid",	"read",		 NULL};
	assert_string_equal(tj_suggest("SCMP_ACT_ALOW", names), "SCMP_ACT_ALLOW");
	assert_string_equal(tj_suggest("SCMP_ACT_ERNO", names), "SCMP_ACT_ERRNO");
	assert_string_equal(tj_suggest("scmp_act_log", names), "SCMP_ACT_LOG");
	assert_string_equal(tj_suggest("getpdi", names), "getpid");
	/* Ties go to the candidate sharing the longer beginning, then to the
	 * first one: TRAP and ERRNO are both 3 edits from EROR. */
	assert_string_equal(tj_suggest("getpd", names), "getpid");
	static const char *const actions[] = {"SCMP_ACT_TRAP", "SCMP_ACT_ERRNO", NULL};
	assert_string_equal(tj_suggest("SCMP_ACT_EROR", actions), "SCMP_ACT_ERRNO");
	/* Short words allow one edit, longer ones a third of their length,
	 * at most three. */
	assert_string_equal(tj_suggest("rad", names), "read");
	assert_null(tj_suggest("rd", names));
	assert_null(tj_suggest("xyz", names));
	assert_null(tj_suggest("SCMP_ACT_NOTHING", names));
	assert_null(tj_suggest("gtppd", names)); /* 2 edits from getppid, limit 1 */
	static const char *const none[] = {NULL};
	assert_null(tj_suggest("anything", none));
}

static void test_buf(void **state)
{
	(void)state;
	struct tj_buf b = {0};
	char *s = tj_buf_steal(&b);
	assert_string_equal(s, ""); /* never NULL */
	free(s);
	tj_buf_add(&b, "a");
	tj_buf_addn(&b, "bcdef", 2);
	tj_buf_addf(&b, "-%d-%s", 42, "x");
	assert_string_equal(b.s, "abc-42-x");
	assert_int_equal(b.len, 8);
	for (int i = 0; i < 1000; i++)
		tj_buf_add(&b, "0123456789");
	assert_int_equal(b.len, 10008);
	assert_int_equal(strlen(b.s), 10008);
	assert_true(b.cap > b.len);
	s = tj_buf_steal(&b);
	assert_null(b.s);
	assert_int_equal(b.len, 0);
	assert_int_equal(b.cap, 0);
	assert_int_equal(strncmp(s, "abc-42-x0123", 12), 0);
	free(s);
	tj_buf_add(&b, "x");
	tj_buf_done(&b);
	assert_null(b.s);
	assert_int_equal(b.len, 0);
}

static void json(const char *in, const char *want)
{
	struct tj_buf b = {0};
	tj_buf_add(&b, ">");
	tj_buf_add_json_string(&b, in);
	assert_string_equal(b.s, want);
	tj_buf_done(&b);
}

static void test_json_string(void **state)
{
	(void)state;
	json("", ">\"\"");
	json("plain", ">\"plain\"");
	json("a\"b", ">\"a\\\"b\"");
	json("back\\slash", ">\"back\\\\slash\"");
	json("l1\nl2\r\t", ">\"l1\\nl2\\r\\t\"");
	json("\x01\x1f\b\f", ">\"\\u0001\\u001f\\u0008\\u000c\"");
	json("\x7f", ">\"\x7f\"");
	json("caf\xc3\xa9 \xe2\x9c\x93", ">\"caf\xc3\xa9 \xe2\x9c\x93\""); /* UTF-8 passes through */
	json("/</", ">\"/</\"");
}

static void test_strv(void **state)
{
	(void)state;
	struct tj_strv sv = {0};
	assert_false(tj_strv_contains(&sv, "a"));
	tj_strv_add(&sv, "a");
	tj_strv_add_owned(&sv, tj_xstrdup("b"));
	char tmp[] = "c";
	tj_strv_add(&sv, tmp);
	tmp[0] = 'z'; /* add copies */
	assert_int_equal(sv.n, 3);
	assert_string_equal(sv.v[0], "a");
	assert_string_equal(sv.v[1], "b");
	assert_string_equal(sv.v[2], "c");
	assert_null(sv.v[3]); /* NULL-terminated */
	assert_true(tj_strv_contains(&sv, "b"));
	assert_false(tj_strv_contains(&sv, "z"));
	assert_false(tj_strv_contains(&sv, "B"));
	for (int i = 0; i < 100; i++)
		tj_strv_add_owned(&sv, tj_xasprintf("item%d", i));
	assert_int_equal(sv.n, 103);
	assert_string_equal(sv.v[102], "item99");
	assert_null(sv.v[103]);
	tj_strv_done(&sv);
	assert_null(sv.v);
	assert_int_equal(sv.n, 0);
	assert_int_equal(sv.cap, 0);
	tj_strv_done(&sv); /* twice is harmless */
}

static void test_notes(void **state)
{
	(void)state;
	struct tj_notes n = {0};
	tj_notes_add(&n, "syscalls[3]", "skipped %d names: %s", 2, "'a', 'b'");
	tj_notes_add(&n, NULL, "no path");
	for (int i = 0; i < 20; i++)
		tj_notes_add(&n, "x", "%d", i);
	assert_int_equal(n.n, 22);
	assert_string_equal(n.v[0].json_path, "syscalls[3]");
	assert_string_equal(n.v[0].msg, "skipped 2 names: 'a', 'b'");
	assert_null(n.v[1].json_path);
	assert_string_equal(n.v[1].msg, "no path");
	assert_string_equal(n.v[21].msg, "19");
	tj_notes_done(&n);
	assert_null(n.v);
	assert_int_equal(n.n, 0);
}

static void test_alloc(void **state)
{
	(void)state;
	int *v = NULL;
	size_t cap = 0;
	tj_xreserve((void **)&v, &cap, 1, sizeof(*v));
	assert_int_equal(cap, 8);
	tj_xreserve((void **)&v, &cap, 8, sizeof(*v));
	assert_int_equal(cap, 8);
	tj_xreserve((void **)&v, &cap, 9, sizeof(*v));
	assert_int_equal(cap, 16);
	tj_xreserve((void **)&v, &cap, 100, sizeof(*v));
	assert_int_equal(cap, 128);
	v[127] = 1;
	free(v);
	char *s = tj_xstrdup(NULL);
	assert_string_equal(s, "");
	free(s);
	s = tj_xstrndup("abcdef", 3);
	assert_string_equal(s, "abc");
	free(s);
	s = tj_xasprintf("%s=%u", "k", 7u);
	assert_string_equal(s, "k=7");
	free(s);
	void *p = tj_xmalloc(0);
	assert_non_null(p);
	free(p);
	p = tj_xcalloc(0, 0);
	assert_non_null(p);
	free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_u64),
		cmocka_unit_test(test_parse_size),
		cmocka_unit_test(test_parse_duration),
		cmocka_unit_test(test_suggest),
		cmocka_unit_test(test_buf),
		cmocka_unit_test(test_json_string),
		cmocka_unit_test(test_strv),
		cmocka_unit_test(test_notes),
		cmocka_unit_test(test_alloc),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
