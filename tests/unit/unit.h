/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Shared by the cmocka unit tests: cmocka's headers in the order it needs,
 * and small helpers.  Each tests/unit/test_<module>.c is one binary; the
 * runner (tests/run-unit.sh) runs them all and prints totals.
 */
#ifndef TJ_UNIT_H
#define TJ_UNIT_H

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

#endif
