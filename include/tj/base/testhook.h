/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Test hooks: named points where a test build (TJ_TEST_HOOKS, on in SAN=1
 * builds, which `make check` uses) changes tinyjail's timing on request, so
 * that a race can be reproduced deterministically.  The request is the
 * environment variable TJ_TEST_HOOK, a comma list of hook names; it never
 * reaches the command (the environment filter drops it).  Release builds
 * compile every hook to nothing.  notes/testing.md lists the hooks.
 */
#ifndef TJ_TESTHOOK_H
#define TJ_TESTHOOK_H

#include <stdbool.h>

/* Test builds make prctl(TJ_TESTHOOK_MARKER) (an unknown option: EINVAL)
 * where tinyjail's own code starts, after the dynamic loader's and the
 * sanitiser's system calls, so that tests/helpers/faultinject.c knows
 * where the set-up path begins. */
#define TJ_TESTHOOK_MARKER 0x544a3139

#ifdef TJ_TEST_HOOKS
/* True when TJ_TEST_HOOK names this hook.  No allocation: safe in the
 * child after clone. */
bool tj_testhook(const char *name);
#else
static inline bool tj_testhook(const char *name)
{
	(void)name;
	return false;
}
#endif

#endif
