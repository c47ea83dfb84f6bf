/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Shared by the cmocka unit tests: cmocka's headers in the order it needs,
 * and small helpers.  Each tests/unit/test_<module>.c is one binary; the
 * runner (tests/run-unit.sh) runs them all and prints totals.
 */
#ifndef TJ_UNIT_H
#define TJ_UNIT_H

#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

/* The repository root, for fixtures: tests run from there (make check). */
#define TJ_FIXTURES "tests/fixtures"

/* Asserts that haystack contains needle, printing both when it does not. */
#define assert_contains(haystack, needle)                                                      \
	do {                                                                                   \
		const char *h_ = (haystack), *n_ = (needle);                                   \
		if (!h_ || !strstr(h_, n_))                                                    \
			fail_msg("expected \"%s\" to contain \"%s\"", h_ ? h_ : "(null)", n_); \
	} while (0)

/* Calls fn on every .json file in dir and returns how many there were; fails the
 * test when fn returned non-zero for any (fn prints why). */
static inline size_t unit_each_json(const char *dir, int (*fn)(const char *path))
{
	DIR *d = opendir(dir);
	if (!d)
		fail_msg("cannot open %s", dir);
	struct dirent *e;
	size_t n = 0;
	int failures = 0;
	while ((e = readdir(d))) {
		size_t len = strlen(e->d_name);
		if (len < 6 || strcmp(e->d_name + len - 5, ".json") != 0)
			continue;
		char path[512];
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		failures += fn(path);
		n++;
	}
	closedir(d);
	if (failures)
		fail_msg("%d profile(s) in %s failed (see above)", failures, dir);
	return n;
}

#endif
