/* SPDX-License-Identifier: Apache-2.0 */
/* Raw system calls; each returns -errno on failure. */
#include <errno.h>
#include <fcntl.h>
#include <linux/close_range.h>
#include <sys/resource.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "tj/sys.h"

static long ret(long r)
{
	return r < 0 ? -errno : r;
}

long tj_sys_clone3(struct tj_clone_args *args)
{
	return ret(syscall(SYS_clone3, args, sizeof(*args)));
}

long tj_sys_clone_flags(unsigned long flags)
{
	/* x86_64 argument order: flags, stack, parent_tid, child_tid, tls.
	 * A NULL stack makes the child continue on a copy of ours, like fork. */
	return ret(syscall(SYS_clone, flags, 0, 0, 0, 0));
}

int tj_sys_pidfd_open(pid_t pid, unsigned flags)
{
	return (int)ret(syscall(SYS_pidfd_open, pid, flags));
}

int tj_sys_pidfd_send_signal(int pidfd, int sig, siginfo_t *info, unsigned flags)
{
	return (int)ret(syscall(SYS_pidfd_send_signal, pidfd, sig, info, flags));
}

int tj_sys_seccomp_load(unsigned flags, const struct sock_filter *prog, unsigned short len)
{
	struct sock_fprog fprog = {.len = len, .filter = (struct sock_filter *)prog};
	return (int)ret(syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &fprog));
}

int tj_sys_close_range_cloexec(unsigned first)
{
	if (syscall(SYS_close_range, first, ~0U, CLOSE_RANGE_CLOEXEC) == 0)
		return 0;
	if (errno != ENOSYS && errno != EINVAL)
		return -errno;
	/* Before 5.11: every possible descriptor, without allocating. */
	struct rlimit rl;
	unsigned max = getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < 65536 ? (unsigned)rl.rlim_cur : 65536;
	for (unsigned fd = first; fd < max; fd++)
		fcntl((int)fd, F_SETFD, FD_CLOEXEC);
	return 0;
}

int tj_sys_seccomp_action_available(uint32_t action)
{
	return (int)ret(syscall(SYS_seccomp, SECCOMP_GET_ACTION_AVAIL, 0, &action));
}

int tj_sys_seccomp_flags_supported(unsigned flags)
{
	/* The kernel checks the flags before it reads the program, so a NULL
	 * program gives EFAULT for supported flags and EINVAL otherwise. */
	long r = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, NULL);
	if (r == 0)
		return 0; /* cannot happen with a NULL program */
	return errno == EFAULT ? 0 : -errno;
}
