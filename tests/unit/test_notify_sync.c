/* SPDX-License-Identifier: Apache-2.0 */
/* tj_notify_sync_wakeup (filter/notify.c): the kernel takes the flag on a
 * real listener from Linux 6.6 on (a wrong request number or a flag passed
 * by pointer would be refused), and older kernels refuse it harmlessly. */
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "unit.h"

#include "tj/base/sys.h"
#include "tj/filter/notify.h"

static bool kernel_at_least(int major, int minor)
{
	struct utsname u;
	int a = 0, b = 0;
	return uname(&u) == 0 && sscanf(u.release, "%d.%d", &a, &b) == 2 && (a > major || (a == major && b >= minor));
}

static void test_sync_wakeup_on_a_listener(void **state)
{
	(void)state;
	bool want = kernel_at_least(6, 6);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		/* Allows everything; the listener exists all the same. */
		struct sock_filter allow[] = {BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW)};
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
			_exit(3);
		int fd = tj_sys_seccomp_load(SECCOMP_FILTER_FLAG_NEW_LISTENER, allow, 1);
		if (fd < 0)
			_exit(4);
		int r = tj_notify_sync_wakeup(fd);
		_exit(want ? (r == 0 ? 0 : 1) : (r < 0 ? 0 : 2));
	}
	int st;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sync_wakeup_on_a_listener),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
