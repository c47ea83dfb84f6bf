/* SPDX-License-Identifier: Apache-2.0 */
/* Raw system calls; each returns -errno on failure. */
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/close_range.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tj/base/sys.h"

static long ret(long r)
{
	return r < 0 ? -errno : r;
}

long tj_sys_clone3(struct tj_clone_args *args)
{
	long r = syscall(SYS_clone3, args, sizeof(*args));
	if (r >= 0 || errno != ENOSYS || args->cgroup || args->set_tid || args->stack ||
	    ((args->flags & CLONE_PIDFD) && (args->flags & CLONE_PARENT_SETTID)))
		return ret(r);
	/* Seccomp profiles answer clone3 with ENOSYS (Docker's, Podman's and
	 * tinyjail's own), which a tinyjail inside them must survive: clone(2)
	 * takes the same flags, and stores the pidfd where parent_tid points.
	 * x86_64 order: flags, stack, parent_tid, child_tid, tls. */
	uint64_t parent = args->flags & CLONE_PIDFD ? args->pidfd : args->parent_tid;
	return ret(syscall(SYS_clone, (unsigned long)(args->flags | args->exit_signal), 0UL, (unsigned long)parent,
			   (unsigned long)args->child_tid, (unsigned long)args->tls));
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

int tj_sys_open_tree(int dirfd, const char *path, unsigned flags)
{
	return (int)ret(syscall(SYS_open_tree, dirfd, path, flags));
}

int tj_sys_move_mount(int from_dirfd, const char *from, int to_dirfd, const char *to, unsigned flags)
{
	return (int)ret(syscall(SYS_move_mount, from_dirfd, from, to_dirfd, to, flags));
}

int tj_sys_mount_setattr(int dirfd, const char *path, unsigned flags, uint64_t set, uint64_t clr)
{
	struct {
		uint64_t attr_set, attr_clr, propagation, userns_fd;
	} attr = {set, clr, 0, 0};
	return (int)ret(syscall(SYS_mount_setattr, dirfd, path, flags, &attr, sizeof(attr)));
}

/* The uapi values (linux/mount.h clashes with glibc's sys/mount.h). */
#define FSOPEN_CLOEXEC 0x00000001
#define FSCONFIG_SET_STRING 1
#define FSCONFIG_CMD_CREATE 6
#define FSMOUNT_CLOEXEC 0x00000001

int tj_sys_fsopen(const char *fstype)
{
	return (int)ret(syscall(SYS_fsopen, fstype, FSOPEN_CLOEXEC));
}

int tj_sys_fsconfig_string(int fsfd, const char *key, const char *value)
{
	return (int)ret(syscall(SYS_fsconfig, fsfd, FSCONFIG_SET_STRING, key, value, 0));
}

int tj_sys_fsconfig_create(int fsfd)
{
	return (int)ret(syscall(SYS_fsconfig, fsfd, FSCONFIG_CMD_CREATE, NULL, NULL, 0));
}

int tj_sys_fsmount(int fsfd, unsigned attr)
{
	return (int)ret(syscall(SYS_fsmount, fsfd, FSMOUNT_CLOEXEC, attr));
}

int tj_sys_landlock_abi(void)
{
	return (int)ret(syscall(SYS_landlock_create_ruleset, NULL, 0, TJ_LANDLOCK_CREATE_RULESET_VERSION));
}

int tj_sys_landlock_create_ruleset(const struct tj_landlock_ruleset_attr *attr, size_t size)
{
	return (int)ret(syscall(SYS_landlock_create_ruleset, attr, size, 0));
}

int tj_sys_landlock_add_rule(int ruleset, int type, const void *attr)
{
	return (int)ret(syscall(SYS_landlock_add_rule, ruleset, type, attr, 0));
}

int tj_sys_landlock_restrict_self(int ruleset)
{
	return (int)ret(syscall(SYS_landlock_restrict_self, ruleset, 0));
}

int tj_sys_capset(uint64_t effective, uint64_t permitted, uint64_t inheritable)
{
	struct __user_cap_header_struct h = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
	struct __user_cap_data_struct d[2] = {
		{(uint32_t)effective, (uint32_t)permitted, (uint32_t)inheritable},
		{(uint32_t)(effective >> 32), (uint32_t)(permitted >> 32), (uint32_t)(inheritable >> 32)},
	};
	return (int)ret(syscall(SYS_capset, &h, d));
}

int tj_sys_capbset_drop(uint64_t keep)
{
	for (int c = 0; c < 64; c++) {
		if (keep & ((uint64_t)1 << c))
			continue;
		if (prctl(PR_CAPBSET_DROP, c, 0, 0, 0) == 0)
			continue;
		/* Capabilities are numbered without gaps: the first the kernel
		 * does not know ends them (20-odd calls fewer than trying all). */
		return errno == EINVAL ? 0 : -errno;
	}
	return 0;
}

uint64_t tj_sys_cap_effective(void)
{
	struct __user_cap_header_struct h = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
	struct __user_cap_data_struct d[2] = {{0}};
	if (syscall(SYS_capget, &h, d) < 0)
		return 0;
	return (uint64_t)d[0].effective | (uint64_t)d[1].effective << 32;
}

bool tj_sys_privileged(void)
{
	return tj_sys_cap_effective() & (1ULL << CAP_SYS_ADMIN);
}

int tj_sys_seccomp_action_available(uint32_t action)
{
	return (int)ret(syscall(SYS_seccomp, SECCOMP_GET_ACTION_AVAIL, 0, &action));
}

int tj_sys_seccomp_mode(void)
{
	FILE *f = fopen("/proc/self/status", "re");
	char line[256];
	int mode = 0;
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "Seccomp: %d", &mode) == 1)
			break;
	if (f)
		fclose(f);
	return mode;
}

bool tj_sys_seccomp_listener_taken(void)
{
	/* Only a process that already runs under a filter can have one. */
	if (tj_sys_seccomp_mode() != SECCOMP_MODE_FILTER)
		return false;
	/* The kernel allows one listener per filter chain (EBUSY for the
	 * second): try to make one, in a child that exits at once. */
	pid_t pid = fork();
	if (pid == 0) {
		struct sock_filter allow = BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
		struct sock_fprog prog = {.len = 1, .filter = &allow};
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
			_exit(2);
		long r = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER, &prog);
		_exit(r < 0 && errno == EBUSY ? 1 : 0);
	}
	int status = 0;
	if (pid < 0 || waitpid(pid, &status, 0) < 0)
		return false;
	return WIFEXITED(status) && WEXITSTATUS(status) == 1;
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

int tj_sys_send_fd(int sock, int fd)
{
	char byte = 'F';
	struct iovec iov = {.iov_base = &byte, .iov_len = 1};
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	memset(&u, 0, sizeof(u));
	struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof(u.buf)};
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	return sendmsg(sock, &msg, MSG_NOSIGNAL) == 1 ? 0 : -1;
}

int tj_sys_receive_fd(int sock)
{
	char byte;
	struct iovec iov = {.iov_base = &byte, .iov_len = 1};
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	memset(&u, 0, sizeof(u));
	struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof(u.buf)};
	ssize_t n = recvmsg(sock, &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
	if (n < 0)
		return -1;
	struct cmsghdr *c = n > 0 ? CMSG_FIRSTHDR(&msg) : NULL;
	if (!c || c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) {
		errno = ENOMSG;
		return -1;
	}
	int fd;
	memcpy(&fd, CMSG_DATA(c), sizeof(int));
	return fd;
}
