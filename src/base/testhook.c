/* SPDX-License-Identifier: Apache-2.0 */
/* Test hooks (testhook.h): TJ_TEST_HOOK=name,name,... in test builds. */
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>

#include "tj/base/testhook.h"

#ifdef TJ_TEST_HOOKS
/* Read before main: tinyjail scrubs its own environment once the command's
 * is built (cmd_run.c), and hooks are asked after that. */
static char hooks[256];

/* After the libraries' constructors and the sanitiser's start-up: the
 * marker of testhook.h, then the request. */
__attribute__((constructor)) static void read_hooks(void)
{
	prctl(TJ_TESTHOOK_MARKER, 0, 0, 0, 0);
	const char *v = getenv("TJ_TEST_HOOK");
	if (v && strlen(v) < sizeof(hooks))
		strcpy(hooks, v);
}

bool tj_testhook(const char *name)
{
	const char *v = hooks;
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
