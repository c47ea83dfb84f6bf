/* SPDX-License-Identifier: Apache-2.0 */
/* tj_sys_capbset_drop (base/sys.c): the bounding set keeps exactly what was
 * asked, up to the kernel's last capability, in a child of the test. */
#include <errno.h>
#include <linux/capability.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "unit.h"

#include "tj/base/sys.h"

static uint64_t bounding_set(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	uint64_t v = ~(uint64_t)0;
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "CapBnd: %lx", &v) == 1)
			break;
	if (f)
		fclose(f);
	return v;
}

static void test_drop_keeps_only_what_is_asked(void **state)
{
	(void)state;
	if (!(tj_sys_cap_effective() & ((uint64_t)1 << CAP_SETPCAP)))
		skip(); /* without CAP_SETPCAP: EPERM, checked below */
	uint64_t keep = (uint64_t)1 << CAP_NET_BIND_SERVICE | (uint64_t)1 << CAP_KILL;
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int r = tj_sys_capbset_drop(keep);
		_exit(r == 0 && bounding_set() == keep ? 0 : 1);
	}
	int st;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
}

static void test_drop_all(void **state)
{
	(void)state;
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		bool can = tj_sys_cap_effective() & ((uint64_t)1 << CAP_SETPCAP);
		int r = tj_sys_capbset_drop(0);
		_exit(can ? (r == 0 && bounding_set() == 0 ? 0 : 1) : (r == -EPERM ? 0 : 2));
	}
	int st;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_drop_keeps_only_what_is_asked),
		cmocka_unit_test(test_drop_all),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
