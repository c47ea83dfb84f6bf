/* SPDX-License-Identifier: Apache-2.0 */
/* JSON paths and source positions (src/base/jsonpos.c). */
#include "unit.h"

#include <stdbool.h>

#include "tj/base/jsonpos.h"
#include "tj/base/util.h"

/* --- tj_jpath_* --- */

static void test_jpath_build(void **state)
{
	(void)state;
	struct tj_jpath p;
	tj_jpath_init(&p);
	assert_string_equal(p.s, "");
	assert_int_equal(p.len, 0);

	size_t a = tj_jpath_push_key(&p, "linux");
	assert_int_equal(a, 0);
	assert_string_equal(p.s, "linux");
	size_t b = tj_jpath_push_key(&p, "seccomp");
	assert_int_equal(b, 5);
	assert_string_equal(p.s, "linux.seccomp");
	size_t c = tj_jpath_push_key(&p, "syscalls");
	size_t d = tj_jpath_push_index(&p, 12);
	assert_int_equal(d, strlen("linux.seccomp.syscalls"));
	assert_string_equal(p.s, "linux.seccomp.syscalls[12]");
	tj_jpath_push_key(&p, "args");
	tj_jpath_push_index(&p, 0);
	tj_jpath_push_key(&p, "valueTwo");
	assert_string_equal(p.s, "linux.seccomp.syscalls[12].args[0].valueTwo");
	assert_int_equal(p.len, strlen(p.s));

	tj_jpath_pop(&p, d);
	assert_string_equal(p.s, "linux.seccomp.syscalls");
	assert_int_equal(p.len, d);
	tj_jpath_pop(&p, c);
	assert_string_equal(p.s, "linux.seccomp");
	tj_jpath_pop(&p, a);
	assert_string_equal(p.s, "");
	assert_int_equal(p.len, 0);

	/* An index at the top level, and nested indexes. */
	tj_jpath_push_index(&p, 0);
	tj_jpath_push_index(&p, 7);
	assert_string_equal(p.s, "[0][7]");
}

static void test_jpath_quoting(void **state)
{
	(void)state;
	static const struct {
		const char *key, *want;
	} cases[] = {
		{"plain_key-1", "a.plain_key-1"},
		{"x.y", "a[\"x.y\"]"},
		{"my key", "a[\"my key\"]"},
		{"1abc", "a[\"1abc\"]"},
		{"", "a[\"\"]"},
		{"q\"k", "a[\"q\\\"k\"]"},
		{"back\\slash", "a[\"back\\\\slash\"]"},
		{"new\nline", "a[\"new\\nline\"]"},
		{"ü", "a[\"ü\"]"},
		{"[0]", "a[\"[0]\"]"},
	};
	for (size_t i = 0; i < TJ_ARRAY_SIZE(cases); i++) {
		struct tj_jpath p;
		tj_jpath_init(&p);
		tj_jpath_push_key(&p, "a");
		size_t old = tj_jpath_push_key(&p, cases[i].key);
		assert_int_equal(old, 1);
		assert_string_equal(p.s, cases[i].want);
		tj_jpath_pop(&p, old);
		assert_string_equal(p.s, "a");
	}
	/* A quoted key at the top level has no leading dot. */
	struct tj_jpath p;
	tj_jpath_init(&p);
	tj_jpath_push_key(&p, "x y");
	tj_jpath_push_key(&p, "z");
	assert_string_equal(p.s, "[\"x y\"].z");
}

static void test_jpath_overflow(void **state)
{
	(void)state;
	struct tj_jpath p;
	tj_jpath_init(&p);
	size_t last = 0;
	for (int i = 0; i < 200; i++) {
		last = tj_jpath_push_key(&p, "abcdefgh");
		tj_jpath_push_index(&p, 123456);
	}
	/* Truncated, never overflowing, always terminated. */
	assert_int_equal(p.len, TJ_JPATH_MAX - 1);
	assert_int_equal(strlen(p.s), TJ_JPATH_MAX - 1);
	tj_jpath_pop(&p, last);
	assert_int_equal(strlen(p.s), last);
	tj_jpath_pop(&p, 0);
	assert_string_equal(p.s, "");
}

/* --- tj_jsonpos_line_col --- */

static void test_line_col(void **state)
{
	(void)state;
	const char *t = "ab\ncd\n\nxyz";
	size_t len = strlen(t);
	static const struct {
		size_t offset;
		int line, col;
	} cases[] = {
		{0, 1, 1},   {1, 1, 2}, {2, 1, 3}, /* the newline itself ends line 1 */
		{3, 2, 1},   {4, 2, 2}, {6, 3, 1}, {7, 4, 1}, {9, 4, 3}, {10, 4, 4}, /* the end */
		{500, 4, 4},							     /* clamped to the end */
	};
	for (size_t i = 0; i < TJ_ARRAY_SIZE(cases); i++) {
		int line = -1, col = -1;
		tj_jsonpos_line_col(t, len, cases[i].offset, &line, &col);
		if (line != cases[i].line || col != cases[i].col)
			fail_msg("offset %zu: %d:%d, expected %d:%d", cases[i].offset, line, col, cases[i].line,
				 cases[i].col);
	}
}

static void test_line_col_utf8(void **state)
{
	(void)state;
	/* Columns count characters: é is 2 bytes, € 3, 🙂 4. */
	const char *t = "\"é€🙂x\"\n\té:";
	size_t len = strlen(t);
	const char *x = strchr(t, 'x');
	int line, col;
	tj_jsonpos_line_col(t, len, (size_t)(x - t), &line, &col);
	assert_int_equal(line, 1);
	assert_int_equal(col, 5); /* " é € 🙂 x */
	tj_jsonpos_line_col(t, len, (size_t)(x - t) + 1, &line, &col);
	assert_int_equal(col, 6);
	const char *colon = strchr(t, ':');
	tj_jsonpos_line_col(t, len, (size_t)(colon - t), &line, &col);
	assert_int_equal(line, 2);
	assert_int_equal(col, 3); /* a tab is one column */
}

/* --- tj_jsonpos_locate --- */

static const char *doc = "{\n"
			 "  \"defaultAction\": \"SCMP_ACT_ERRNO\",\n"
			 "  \"x.y\": {\"q\\\"k\": [10, 20]},\n"
			 "  \"syscalls\": [\n"
			 "    {\"names\": [\"read\", \"write\"], \"action\": \"SCMP_ACT_ALLOW\"},\n"
			 "    {\n"
			 "      \"names\": [\"personality\"],\n"
			 "      \"args\": [\n"
			 "        {\"index\": 0,\n"
			 "         \"value\":\n"
			 "            8,\n"
			 "         \"op\": \"SCMP_CMP_EQ\"}\n"
			 "      ],\n"
			 "      \"action\": \"SCMP_ACT_ERRNO\"\n"
			 "    }\n"
			 "  ],\n"
			 "  \"ünï\": {\"[a]\": 1, \"k\": {\"\": [[], [true, {\"deep\": null}]]}}\n"
			 "}\n";

static void test_locate(void **state)
{
	(void)state;
	static const struct {
		const char *path;
		int line, col;
	} cases[] = {
		{"", 1, 1},
		{"defaultAction", 2, 20},
		{"[\"x.y\"]", 3, 10},
		{"[\"x.y\"][\"q\\\"k\"]", 3, 19},
		{"[\"x.y\"][\"q\\\"k\"][1]", 3, 24},
		{"syscalls", 4, 15},
		{"syscalls[0]", 5, 5},
		{"syscalls[0].names[1]", 5, 24},
		{"syscalls[0].action", 5, 44},
		{"syscalls[1]", 6, 5},
		{"syscalls[1].args[0]", 9, 9},
		{"syscalls[1].args[0].index", 9, 19},
		{"syscalls[1].args[0].value", 11, 13}, /* after the line break */
		{"syscalls[1].args[0].op", 12, 16},
		{"syscalls[1].action", 14, 17},
		{"[\"ünï\"]", 17, 10},
		{"[\"ünï\"][\"[a]\"]", 17, 18},
		{"[\"ünï\"].k[\"\"][1][1].deep", 17, 52},
		{"[\"\\u00fcn\\u00efx\"]", 0, 0}, /* escapes in a path are decoded, but this key differs */
	};
	size_t len = strlen(doc);
	for (size_t i = 0; i < TJ_ARRAY_SIZE(cases); i++) {
		int line = -1, col = -1;
		bool found = tj_jsonpos_locate(doc, len, cases[i].path, &line, &col);
		if (!cases[i].line) {
			if (found)
				fail_msg("'%s' should not be found (got %d:%d)", cases[i].path, line, col);
			continue;
		}
		if (!found)
			fail_msg("'%s' not found", cases[i].path);
		if (line != cases[i].line || col != cases[i].col)
			fail_msg("'%s': %d:%d, expected %d:%d", cases[i].path, line, col, cases[i].line, cases[i].col);
	}
	/* A NULL path is the document, after leading white space. */
	int line, col;
	assert_true(tj_jsonpos_locate("\n\n   {}", 7, NULL, &line, &col));
	assert_int_equal(line, 3);
	assert_int_equal(col, 4);
}

static void test_locate_missing(void **state)
{
	(void)state;
	static const char *const missing[] = {
		"nope",
		"syscalls[2]", /* index past the end */
		"syscalls[1].args[1]",
		"syscalls[0].names[2]",
		"defaultAction.x",  /* a key on a string */
		"defaultAction[0]", /* an index on a string */
		"syscalls.names",   /* a key on an array */
		"[\"x.y\"][0]",	    /* an index on an object */
		"x.y",		    /* the quoted key, unquoted */
		"syscalls[-1]",
		"syscalls[a]",
		"syscalls[1",
		"[\"unterminated",
		"[\"ünï\"].k[\"\"][1][2]",
		"Syscalls", /* keys are case-sensitive */
	};
	size_t len = strlen(doc);
	for (size_t i = 0; i < TJ_ARRAY_SIZE(missing); i++) {
		int line = -7, col = -7;
		if (tj_jsonpos_locate(doc, len, missing[i], &line, &col))
			fail_msg("'%s' should not be found (got %d:%d)", missing[i], line, col);
	}
	/* Empty containers and truncated texts never read past the end. */
	int line, col;
	assert_false(tj_jsonpos_locate("{}", 2, "a", &line, &col));
	assert_false(tj_jsonpos_locate("[]", 2, "[0]", &line, &col));
	assert_false(tj_jsonpos_locate("{\"a\": [1, 2", 11, "a[5]", &line, &col));
	assert_false(tj_jsonpos_locate("{\"a\"", 4, "a", &line, &col));
	assert_false(tj_jsonpos_locate("", 0, "a", &line, &col));
	/* Only len bytes count. */
	assert_false(tj_jsonpos_locate("{\"a\": 1, \"b\": 2}", 8, "b", &line, &col));
	assert_true(tj_jsonpos_locate("{\"a\": 1, \"b\": 2}", 16, "b", &line, &col));
	assert_int_equal(col, 15);
}

/* The paths the loader builds find their values. */
static void test_locate_built_paths(void **state)
{
	(void)state;
	struct tj_jpath p;
	tj_jpath_init(&p);
	tj_jpath_push_key(&p, "ünï");
	tj_jpath_push_key(&p, "k");
	tj_jpath_push_key(&p, "");
	tj_jpath_push_index(&p, 1);
	tj_jpath_push_index(&p, 1);
	tj_jpath_push_key(&p, "deep");
	int line, col;
	assert_true(tj_jsonpos_locate(doc, strlen(doc), p.s, &line, &col));
	assert_int_equal(line, 17);
	assert_int_equal(col, 52);

	tj_jpath_init(&p);
	tj_jpath_push_key(&p, "x.y");
	tj_jpath_push_key(&p, "q\"k");
	assert_true(tj_jsonpos_locate(doc, strlen(doc), p.s, &line, &col));
	assert_int_equal(line, 3);
	assert_int_equal(col, 19);
}

/* --- tj_jsonpos_check --- */

/* Checks text and returns the error (caller frees), or NULL when clean. */
static struct tj_err *check(const char *text)
{
	struct tj_err *err = NULL;
	int r = tj_jsonpos_check(text, strlen(text), &err);
	if (r == 0) {
		assert_null(err);
		return NULL;
	}
	assert_int_equal(r, -1);
	assert_non_null(err);
	assert_int_equal(err->kind, TJ_ERR_PROFILE);
	return err;
}

static void assert_finding(const char *text, const char *fragment, const char *path, int line, int col)
{
	struct tj_err *err = check(text);
	if (!err)
		fail_msg("no finding in: %s", text);
	assert_contains(err->msg, fragment);
	assert_non_null(err->json_path);
	assert_string_equal(err->json_path, path);
	if (err->line != line || err->col != col)
		fail_msg("%s: at %d:%d, expected %d:%d", err->msg, err->line, err->col, line, col);
	tj_err_free(err);
}

static void assert_clean(const char *text)
{
	struct tj_err *err = check(text);
	if (err)
		fail_msg("unexpected finding '%s' in: %s", err->msg, text);
}

static void test_check_duplicates(void **state)
{
	(void)state;
	assert_finding("{\"a\": 1, \"b\": 2, \"a\": 3}", "duplicate key 'a' (first at line 1)", "", 1, 18);
	assert_finding("{\"defaultAction\": \"SCMP_ACT_ALLOW\",\n"
		       " \"syscalls\": [{}, {\"names\": [\"read\"],\n"
		       "                    \"action\": \"SCMP_ACT_ERRNO\",\n"
		       "                    \"action\": \"SCMP_ACT_ALLOW\"}]}",
		       "duplicate key 'action' (first at line 3): JSON parsers keep only one of them", "syscalls[1]", 4,
		       21);
	/* The same key written with escapes is the same key. */
	assert_finding("{\"action\": 1, \"\\u0061ction\": 2}", "duplicate key 'action'", "", 1, 15);
	assert_finding("{\"x\": {\"\\u00fc\": 1, \"ü\": 2}}", "duplicate key 'ü'", "x", 1, 21);
	assert_finding("{\"a\\/b\": 1, \"a/b\": 2}", "duplicate key 'a/b'", "", 1, 13);
	assert_finding("{\"t\\tab\": 1, \"t\\u0009ab\": 2}", "duplicate key", "", 1, 14);
	/* Deep inside arrays. */
	assert_finding("[[{}], [{\"k\": {\"z\": 1, \"z\": 1}}]]", "duplicate key 'z'", "[1][0].k", 1, 24);
	/* Not duplicates: case differs, different objects, a key equal to a value. */
	assert_clean("{\"a\": 1, \"A\": 2}");
	assert_clean("{\"a\": {\"a\": {\"a\": 1}}, \"b\": [{\"a\": 1}, {\"a\": 2}]}");
	assert_clean("{\"a\": \"a\", \"b\": \"a\"}");
	assert_clean("{\"ab\": 1, \"a\\u0062c\": 2}");
}

static void test_check_integers(void **state)
{
	(void)state;
	/* The largest that fit. */
	assert_clean("{\"v\": 18446744073709551615}");
	assert_clean("{\"v\": -9223372036854775808}");
	assert_clean("{\"v\": 0, \"w\": -0, \"x\": 9223372036854775807}");
	/* One more. */
	assert_finding("{\"v\": 18446744073709551616}", "number 18446744073709551616 does not fit in 64 bits", "v", 1,
		       7);
	assert_finding("{\"v\": -9223372036854775809}", "number -9223372036854775809 does not fit in 64 bits", "v", 1,
		       7);
	assert_finding("{\"a\": [1, 2,\n   99999999999999999999]}", "99999999999999999999", "a[2]", 2, 4);
	assert_finding("{\"v\": 100000000000000000000000}", "does not fit in 64 bits", "v", 1, 7);
	/* Long literals are shortened in the message. */
	struct tj_err *err = check("{\"v\": 123456789012345678901234567890123456789012345678901234567890}");
	assert_non_null(err);
	assert_contains(err->msg, "number 1234567890123456789012345678901234567890... does not fit");
	tj_err_free(err);
	/* Fractions and exponents are not integers: the loader rejects them
	 * where it needs one, so they are no finding here. */
	assert_clean("{\"v\": 1e400, \"w\": 18446744073709551616.0, \"x\": -1E+30, \"y\": 0.5}");
	/* A top-level number is checked too. */
	assert_finding("18446744073709551616", "does not fit", "", 1, 1);
}

/* What json-c accepts in strict mode although JSON does not. */
static void test_check_strictness(void **state)
{
	(void)state;
	assert_finding("{'a': 1}", "object keys must be in double quotes", "", 1, 2);
	assert_finding("{\"a\": NaN}", "'NaN' is not a JSON value", "a", 1, 7);
	assert_finding("{\"a\": [-Infinity]}", "'-Infinity' is not a JSON value", "a[0]", 1, 8);
	assert_finding("{\"a\": 1.}", "'1.' is not a JSON value", "a", 1, 7);
	assert_finding("{\"a\": \"x\ny\"}", "line break inside a string", "a", 1, 9);
	assert_finding("{\"a\": \"\x1f\"}", "control character 0x1f inside a string", "a", 1, 8);
	assert_finding("{\"k\x01\": 1}", "control character 0x01", "", 1, 4);
	assert_clean("{\"a\": [true, false, null, -0, 0.5, 1e5, 1E-5, -12.5e+3], \"b\": \"\\u0001\\n\x7f\"}");
	/* Structural damage json-c would have refused is still reported. */
	assert_finding("{\"a\": 1", "invalid JSON: unexpected end of file", "", 1, 8);
	assert_finding("{\"a\": 1 \"b\": 2}", "invalid JSON: unexpected character", "", 1, 9);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_jpath_build),	 cmocka_unit_test(test_jpath_quoting),
		cmocka_unit_test(test_jpath_overflow),	 cmocka_unit_test(test_line_col),
		cmocka_unit_test(test_line_col_utf8),	 cmocka_unit_test(test_locate),
		cmocka_unit_test(test_locate_missing),	 cmocka_unit_test(test_locate_built_paths),
		cmocka_unit_test(test_check_duplicates), cmocka_unit_test(test_check_integers),
		cmocka_unit_test(test_check_strictness),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
