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
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#ifndef CLONE_PIDFD
#define CLONE_PIDFD 0x00001000 /* linux/sched.h, 5.2 */
#endif
#ifndef CLONE_INTO_CGROUP
#define CLONE_INTO_CGROUP 0x200000000ULL /* linux/sched.h, 5.7 */
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

/* fork-like clone3: returns 0 in the child, the pid in the parent.  Where
 * clone3 is answered ENOSYS (a seccomp profile), falls back to clone(2) for
 * what it can express (no cgroup, set_tid or stack). */
long tj_sys_clone3(struct tj_clone_args *args);
/* fork-like clone(2) with extra flags (CLONE_FILES, CLONE_PARENT). */
long tj_sys_clone_flags(unsigned long flags);
int tj_sys_pidfd_open(pid_t pid, unsigned flags);
int tj_sys_pidfd_send_signal(int pidfd, int sig, siginfo_t *info, unsigned flags);
int tj_sys_seccomp_load(unsigned flags, const struct sock_filter *prog, unsigned short len);
/* Marks every descriptor from `first` up close-on-exec (close_range, 5.11),
 * falling back to a loop over /proc/self/fd's range on older kernels. */
int tj_sys_close_range_cloexec(unsigned first);
/* The new mount API (5.2, mount_setattr 5.12). */
#define TJ_OPEN_TREE_CLONE 1
#define TJ_MOVE_MOUNT_F_EMPTY_PATH 0x00000004
#define TJ_MOVE_MOUNT_T_EMPTY_PATH 0x00000040
#define TJ_MOUNT_ATTR_RDONLY 0x00000001
#define TJ_MOUNT_ATTR_NOSUID 0x00000002
#define TJ_MOUNT_ATTR_NODEV 0x00000004
#define TJ_MOUNT_ATTR_NOEXEC 0x00000008
int tj_sys_open_tree(int dirfd, const char *path, unsigned flags);
int tj_sys_move_mount(int from_dirfd, const char *from, int to_dirfd, const char *to, unsigned flags);
int tj_sys_mount_setattr(int dirfd, const char *path, unsigned flags, uint64_t set, uint64_t clr);
/* A file system made detached (5.2): fsopen, fsconfig with string options,
 * fsmount into a mount fd that move_mount attaches. */
#define TJ_MOVE_MOUNT_T_EMPTY_PATH 0x00000040
#define TJ_MOUNT_ATTR_NOSUID 0x00000002
#define TJ_MOUNT_ATTR_NODEV 0x00000004
int tj_sys_fsopen(const char *fstype);
int tj_sys_fsconfig_string(int fsfd, const char *key, const char *value);
int tj_sys_fsconfig_create(int fsfd);
int tj_sys_fsmount(int fsfd, unsigned attr);

/* Landlock (ABI 1-7; Debian 12's headers stop at 3). */
#define TJ_LANDLOCK_CREATE_RULESET_VERSION (1u << 0)
#define TJ_LANDLOCK_RULE_PATH_BENEATH 1
#define TJ_LANDLOCK_RULE_NET_PORT 2
struct tj_landlock_ruleset_attr {
	uint64_t handled_access_fs;
	uint64_t handled_access_net; /* ABI 4 */
	uint64_t scoped;	     /* ABI 6 */
};
struct tj_landlock_path_beneath_attr {
	uint64_t allowed_access;
	int32_t parent_fd;
} __attribute__((packed));
struct tj_landlock_net_port_attr {
	uint64_t allowed_access;
	uint64_t port;
};
/* Access rights, by the ABI that introduced them: the one copy of
 * linux/landlock.h's numbers (the layer and the proxy use these). */
#define TJ_LANDLOCK_FS_EXECUTE (1ULL << 0)
#define TJ_LANDLOCK_FS_WRITE_FILE (1ULL << 1)
#define TJ_LANDLOCK_FS_READ_FILE (1ULL << 2)
#define TJ_LANDLOCK_FS_READ_DIR (1ULL << 3)
#define TJ_LANDLOCK_FS_REMOVE_DIR (1ULL << 4)
#define TJ_LANDLOCK_FS_REMOVE_FILE (1ULL << 5)
#define TJ_LANDLOCK_FS_MAKE_CHAR (1ULL << 6)
#define TJ_LANDLOCK_FS_MAKE_DIR (1ULL << 7)
#define TJ_LANDLOCK_FS_MAKE_REG (1ULL << 8)
#define TJ_LANDLOCK_FS_MAKE_SOCK (1ULL << 9)
#define TJ_LANDLOCK_FS_MAKE_FIFO (1ULL << 10)
#define TJ_LANDLOCK_FS_MAKE_BLOCK (1ULL << 11)
#define TJ_LANDLOCK_FS_MAKE_SYM (1ULL << 12)
#define TJ_LANDLOCK_FS_REFER (1ULL << 13)	    /* ABI 2 */
#define TJ_LANDLOCK_FS_TRUNCATE (1ULL << 14)	    /* ABI 3 */
#define TJ_LANDLOCK_FS_IOCTL_DEV (1ULL << 15)	    /* ABI 5 */
#define TJ_LANDLOCK_NET_BIND_TCP (1ULL << 0)	    /* ABI 4 */
#define TJ_LANDLOCK_NET_CONNECT_TCP (1ULL << 1)	    /* ABI 4 */
#define TJ_LANDLOCK_SCOPE_ABSTRACT_UNIX (1ULL << 0) /* ABI 6 */
#define TJ_LANDLOCK_SCOPE_SIGNAL (1ULL << 1)	    /* ABI 6 */
/* The first ABI of each feature. */
#define TJ_LANDLOCK_ABI_REFER 2
#define TJ_LANDLOCK_ABI_TRUNCATE 3
#define TJ_LANDLOCK_ABI_NET 4
#define TJ_LANDLOCK_ABI_IOCTL_DEV 5
#define TJ_LANDLOCK_ABI_SCOPE 6
/* The filesystem rights ABI abi can handle, without IOCTL_DEV (which
 * would also restrict the terminal's ioctls: the caller adds it). */
uint64_t tj_landlock_fs_rights(int abi);
/* Returns the ABI version (>= 1), or -errno when Landlock is unavailable. */
int tj_sys_landlock_abi(void);
int tj_sys_landlock_create_ruleset(const struct tj_landlock_ruleset_attr *attr, size_t size);
int tj_sys_landlock_add_rule(int ruleset, int type, const void *attr);
int tj_sys_landlock_restrict_self(int ruleset);

/* Passes one descriptor over a UNIX socket (SCM_RIGHTS) with a one-byte
 * message; async-signal-safe.  0, or -1 with errno. */
int tj_sys_send_fd(int sock, int fd);
/* Receives one without blocking; the new descriptor is close-on-exec.
 * Returns it, or -1 with errno: EAGAIN (nothing yet), ENOMSG (EOF or a
 * message without a descriptor), or the recvmsg error. */
int tj_sys_receive_fd(int sock);

/* Sets the three capability sets of the calling thread (capset, v3).  Raw
 * rather than libcap because the child calls it between clone and execve,
 * where libcap's allocating cap_t API is not safe. */
int tj_sys_capset(uint64_t effective, uint64_t permitted, uint64_t inheritable);
/* Drops every capability from the bounding set but those in KEEP (bit N:
 * capability N), up to the kernel's last one.  0, or -errno (EPERM without
 * CAP_SETPCAP).  Async-signal-safe. */
int tj_sys_capbset_drop(uint64_t keep);
/* The calling thread's effective capability set; 0 when it cannot be read. */
uint64_t tj_sys_cap_effective(void);
/* True when namespaces and mounts need no user namespace here:
 * CAP_SYS_ADMIN is effective (root on the host, not a container's root or
 * tinyjail inside tinyjail, which take the unprivileged path). */
bool tj_sys_privileged(void);
/* 0 if the kernel supports this SECCOMP_RET_* action, else -errno. */
int tj_sys_seccomp_action_available(uint32_t action);
/* This process's seccomp mode (/proc/self/status): 0 none, 1 strict,
 * 2 filter (SECCOMP_MODE_FILTER). */
int tj_sys_seccomp_mode(void);
/* True when this process already runs under a filter with a seccomp
 * listener (tinyjail inside tinyjail, a container's seccomp agent): the
 * kernel then refuses a second listener with EBUSY.  Forks a probe child,
 * only when the process is under a filter at all. */
bool tj_sys_seccomp_listener_taken(void);
/* 0 if the kernel accepts these SECCOMP_FILTER_FLAG_* bits, else -EINVAL. */
int tj_sys_seccomp_flags_supported(unsigned flags);

#endif
