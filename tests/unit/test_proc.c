/* SPDX-License-Identifier: Apache-2.0 */
/* /proc lookups (src/base/proc.c): the command name, read once or through
 * the supervisor's cache of open /proc/PID/comm descriptors. */
#include "unit.h"

#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tj/base/proc.h"

static void test_comm(void **state)
{
	(void)state;
	char buf[64];
	assert_int_equal(prctl(PR_SET_NAME, "tj-unit-a", 0, 0, 0), 0);
	tj_proc_comm(getpid(), buf, sizeof(buf));
	assert_string_equal(buf, "tj-unit-a");
	tj_proc_comm(-1, buf, sizeof(buf));
	assert_string_equal(buf, "");
}

static void test_comm_cached(void **state)
{
	(void)state;
	struct tj_comm_cache c = {0};
	char buf[64];
	assert_int_equal(prctl(PR_SET_NAME, "tj-unit-b", 0, 0, 0), 0);
	tj_proc_comm_cached(&c, getpid(), buf, sizeof(buf));
	assert_string_equal(buf, "tj-unit-b");
	size_t i = (size_t)getpid() % TJ_COMM_CACHE_SIZE;
	int fd = c.fd[i];
	assert_true(fd > 0);
	/* A renamed process reads its new name through the same descriptor. */
	assert_int_equal(prctl(PR_SET_NAME, "tj-unit-c", 0, 0, 0), 0);
	tj_proc_comm_cached(&c, getpid(), buf, sizeof(buf));
	assert_string_equal(buf, "tj-unit-c");
	assert_int_equal(c.fd[i], fd);

	/* A process that is gone reads as "" and leaves nothing open. */
	pid_t kid = fork();
	assert_true(kid >= 0);
	if (kid == 0) {
		prctl(PR_SET_NAME, "tj-unit-kid", 0, 0, 0);
		pause();
		_exit(0);
	}
	/* Until the child has renamed itself. */
	for (int tries = 0; tries < 1000; tries++) {
		tj_proc_comm_cached(&c, kid, buf, sizeof(buf));
		if (strcmp(buf, "tj-unit-kid") == 0)
			break;
		usleep(1000);
	}
	assert_string_equal(buf, "tj-unit-kid");
	kill(kid, SIGKILL);
	waitpid(kid, NULL, 0);
	tj_proc_comm_cached(&c, kid, buf, sizeof(buf));
	assert_string_equal(buf, "");
	assert_int_equal(c.fd[(size_t)kid % TJ_COMM_CACHE_SIZE], 0);

	/* Another pid in the same slot replaces the entry. */
	pid_t other = getpid() + TJ_COMM_CACHE_SIZE;
	tj_proc_comm_cached(&c, other, buf, sizeof(buf)); /* gone or someone's: no crash */
	tj_proc_comm_cached(&c, getpid(), buf, sizeof(buf));
	assert_string_equal(buf, "tj-unit-c");
	tj_comm_cache_done(&c);
	for (size_t k = 0; k < TJ_COMM_CACHE_SIZE; k++)
		assert_int_equal(c.fd[k], 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_comm),
		cmocka_unit_test(test_comm_cached),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
