/* SPDX-License-Identifier: Apache-2.0 */
/* The error record (src/base/err.c): building, context, rendering, exit codes. */
#include "unit.h"

#include <errno.h>

#include "tj/base/err.h"

static int fails_with(struct tj_err **err, const char *what)
{
	return tj_err_set(err, TJ_ERR_PROFILE, 0, "bad %s", what);
}

static void test_set(void **state)
{
	(void)state;
	struct tj_err *e = NULL;
	assert_int_equal(tj_err_set(&e, TJ_ERR_LAYER, ENOENT, "cannot open '%s' (%d)", "x", 3), -1);
	assert_non_null(e);
	assert_int_equal(e->kind, TJ_ERR_LAYER);
	assert_int_equal(e->errnum, ENOENT);
	assert_string_equal(e->msg, "cannot open 'x' (3)");
	assert_null(e->hint);
	assert_null(e->file);
	assert_null(e->json_path);
	assert_null(e->layer);
	assert_int_equal(e->line, 0);
	assert_int_equal(e->col, 0);
	/* A second error keeps the first: it is the cause. */
	assert_int_equal(tj_err_set(&e, TJ_ERR_USAGE, 0, "second"), -1);
	assert_string_equal(e->msg, "cannot open 'x' (3)");
	assert_int_equal(e->kind, TJ_ERR_LAYER);
	tj_err_freep(&e);
	assert_null(e);
	tj_err_freep(&e); /* twice is harmless */
	tj_err_free(NULL);
	/* No place to put it: still -1, nothing else. */
	assert_int_equal(tj_err_set(NULL, TJ_ERR_INTERNAL, 0, "lost"), -1);
	assert_int_equal(fails_with(&e, "thing"), -1);
	assert_string_equal(e->msg, "bad thing");
	tj_err_free(e);
}

static void test_wrap(void **state)
{
	(void)state;
	struct tj_err *e = NULL;
	/* Nothing to wrap: -1 and still nothing. */
	assert_int_equal(tj_err_wrap(&e, "ctx"), -1);
	assert_null(e);
	assert_int_equal(tj_err_wrap(NULL, "ctx"), -1);
	tj_err_set(&e, TJ_ERR_INTERNAL, EIO, "read failed");
	assert_int_equal(tj_err_wrap(&e, "loading '%s'", "p.json"), -1);
	assert_int_equal(tj_err_wrap(&e, "run"), -1);
	assert_string_equal(e->msg, "run: loading 'p.json': read failed");
	assert_int_equal(e->errnum, EIO);
	tj_err_free(e);
}

static void test_fields(void **state)
{
	(void)state;
	struct tj_err *e = NULL;
	/* Setters accept a missing record. */
	assert_int_equal(tj_err_at(&e, "f", "p"), -1);
	assert_int_equal(tj_err_position(&e, 1, 2), -1);
	assert_int_equal(tj_err_hint(&e, "h"), -1);
	assert_int_equal(tj_err_layer(&e, "l"), -1);
	assert_null(e);
	assert_int_equal(tj_err_at(NULL, "f", "p"), -1);

	tj_err_set(&e, TJ_ERR_PROFILE, 0, "m");
	/* at: the innermost file and path win; either may be NULL. */
	assert_int_equal(tj_err_at(&e, NULL, "syscalls[2]"), -1);
	assert_null(e->file);
	assert_int_equal(tj_err_at(&e, "inner.json", "outer.path"), -1);
	assert_string_equal(e->file, "inner.json");
	assert_string_equal(e->json_path, "syscalls[2]");
	tj_err_at(&e, "outer.json", NULL);
	assert_string_equal(e->file, "inner.json");
	/* position: the first one stays. */
	tj_err_position(&e, 3, 7);
	tj_err_position(&e, 9, 9);
	assert_int_equal(e->line, 3);
	assert_int_equal(e->col, 7);
	/* hint: the first (innermost, most specific) one stays. */
	tj_err_hint(&e, "first %d", 1);
	tj_err_hint(&e, "second %s", "hint");
	assert_string_equal(e->hint, "first 1");
	/* layer: the first one stays; NULL is ignored. */
	tj_err_layer(&e, NULL);
	assert_null(e->layer);
	tj_err_layer(&e, "seccomp");
	tj_err_layer(&e, "rlimits");
	assert_string_equal(e->layer, "seccomp");
	tj_err_free(e);
}

static void check_format(const struct tj_err *e, const char *want)
{
	char *s = tj_err_format(e);
	assert_string_equal(s, want);
	free(s);
}

static void test_format(void **state)
{
	(void)state;
	struct tj_err *e = NULL;
	tj_err_set(&e, TJ_ERR_PROFILE, 0, "unknown key 'x'");
	check_format(e, "unknown key 'x'");
	tj_err_at(&e, NULL, "syscalls[1].args[0]");
	check_format(e, "syscalls[1].args[0]: unknown key 'x'");
	tj_err_at(&e, "p.json", NULL);
	check_format(e, "p.json: syscalls[1].args[0]: unknown key 'x'");
	tj_err_position(&e, 12, 5);
	check_format(e, "p.json:12:5: syscalls[1].args[0]: unknown key 'x'");
	tj_err_hint(&e, "did you mean '%s'?", "y");
	check_format(e, "p.json:12:5: syscalls[1].args[0]: unknown key 'x'\nhint: did you mean 'y'?");
	tj_err_free(e);

	/* Layer and errno. */
	e = NULL;
	tj_err_set(&e, TJ_ERR_LAYER, EPERM, "seccomp(2) refused the filter");
	tj_err_layer(&e, "seccomp");
	check_format(e, "seccomp layer: seccomp(2) refused the filter: Operation not permitted");
	tj_err_wrap(&e, "cannot start");
	check_format(e, "seccomp layer: cannot start: seccomp(2) refused the filter: Operation not permitted");
	tj_err_free(e);

	/* An empty JSON path (the whole file) is not shown; a position
	 * without a file is not either. */
	e = NULL;
	tj_err_set(&e, TJ_ERR_PROFILE, 0, "not a profile");
	tj_err_at(&e, NULL, "");
	tj_err_position(&e, 1, 1);
	check_format(e, "not a profile");
	tj_err_at(&e, "-", NULL);
	check_format(e, "-:1:1: not a profile");
	tj_err_free(e);

	/* Everything at once. */
	e = NULL;
	tj_err_set(&e, TJ_ERR_CANNOT_EXEC, EACCES, "cannot execute '%s'", "/bin/x");
	tj_err_at(&e, "cfg.json", "process.args[0]");
	tj_err_position(&e, 2, 14);
	tj_err_layer(&e, "exec");
	tj_err_hint(&e, "check the file's mode");
	check_format(e, "cfg.json:2:14: process.args[0]: exec layer: cannot execute '/bin/x': Permission denied\n"
			"hint: check the file's mode");
	tj_err_free(e);
}

static void test_exit_codes(void **state)
{
	(void)state;
	assert_int_equal(tj_err_exit_code(NULL), 0);
	static const struct {
		enum tj_err_kind kind;
		int code;
	} map[] = {
		{TJ_ERR_INTERNAL, 125}, {TJ_ERR_USAGE, 125},	 {TJ_ERR_PROFILE, 125},
		{TJ_ERR_LAYER, 125},	{TJ_ERR_NOT_FOUND, 127}, {TJ_ERR_CANNOT_EXEC, 126},
	};
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		struct tj_err *e = NULL;
		tj_err_set(&e, map[i].kind, 0, "x");
		assert_int_equal(tj_err_exit_code(e), map[i].code);
		tj_err_free(e);
	}
	assert_int_equal(TJ_EXIT_OK, 0);
	assert_int_equal(TJ_EXIT_FINDINGS, 1);
	assert_int_equal(TJ_EXIT_TIMEOUT, 124);
	assert_int_equal(TJ_EXIT_ERROR, 125);
	assert_int_equal(TJ_EXIT_CANNOT_EXEC, 126);
	assert_int_equal(TJ_EXIT_NOT_FOUND, 127);
	assert_int_equal(TJ_EXIT_SIGNAL_BASE, 128);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_set),    cmocka_unit_test(test_wrap),	  cmocka_unit_test(test_fields),
		cmocka_unit_test(test_format), cmocka_unit_test(test_exit_codes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
