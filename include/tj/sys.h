/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Thin wrappers over system calls glibc 2.36 lacks or wraps unhelpfully.
 * Each returns the kernel's result, or -errno on failure (errno is set too).
 * Safe to call in the child after clone: no allocation, no stdio.
 */
#ifndef TJ_SYS_H
#define TJ_SYS_H

#include <linux/filter.h>
#include <signal.h>
#include <stdint.h>
#include <sys/types.h>

#ifndef CLONE_PIDFD
#define CLONE_PIDFD 0x00001000 /* linux/sched.h, 5.2 */
#endif

struct tj_clone_args {
	uint64_t flags;
	uint64_t pidfd;
	uint64_t child_tid;
	uint64_t parent_tid;
	uint64_t exit_signal;
	uint64_t stack;
	uint64_t stack_size;
	uint64_t tls;
	uint64_t set_tid;
	uint64_t set_tid_size;
	uint64_t cgroup;
};

/* fork-like clone3: returns 0 in the child, the pid in the parent. */
long tj_sys_clone3(struct tj_clone_args *args);
/* fork-like clone(2) with extra flags (CLONE_FILES, CLONE_PARENT). */
long tj_sys_clone_flags(unsigned long flags);
int tj_sys_pidfd_open(pid_t pid, unsigned flags);
int tj_sys_pidfd_send_signal(int pidfd, int sig, siginfo_t *info, unsigned flags);
int tj_sys_seccomp_load(unsigned flags, const struct sock_filter *prog, unsigned short len);
/* Marks every descriptor from `first` up close-on-exec (close_range, 5.11),
 * falling back to a loop over /proc/self/fd's range on older kernels. */
int tj_sys_close_range_cloexec(unsigned first);
/* 0 if the kernel supports this SECCOMP_RET_* action, else -errno. */
int tj_sys_seccomp_action_available(uint32_t action);
/* 0 if the kernel accepts these SECCOMP_FILTER_FLAG_* bits, else -EINVAL. */
int tj_sys_seccomp_flags_supported(unsigned flags);

#endif
