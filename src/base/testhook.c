/* SPDX-License-Identifier: Apache-2.0 */
/* Test hooks (testhook.h): TJ_TEST_HOOK=name,name,... in test builds. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>

#include "tj/base/testhook.h"

#ifdef TJ_TEST_HOOKS
/* The request, read at start-up: cmd_run.c scrubs the environment before
 * the launch (nothing the command does not get stays in tinyjail). */
static char request[256];

/* After the libraries' constructors and the sanitiser's start-up: the
 * marker of testhook.h. */
__attribute__((constructor)) static void mark_start(void)
{
	prctl(TJ_TESTHOOK_MARKER, 0, 0, 0, 0);
	const char *v = getenv("TJ_TEST_HOOK");
	if (v)
		snprintf(request, sizeof(request), "%s", v);
}

bool tj_testhook(const char *name)
{
	const char *v = request;
	size_t len = strlen(name);
	while (v && *v) {
		const char *end = strchr(v, ',');
		size_t n = end ? (size_t)(end - v) : strlen(v);
		if (n == len && strncmp(v, name, n) == 0)
			return true;
		v = end ? end + 1 : NULL;
	}
	return false;
}
#endif
