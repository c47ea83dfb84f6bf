/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The syscall groups (notes/groups.md).  Data first, then lookups.
 *
 * The groups marked systemd are systemd 252's SystemCallFilter= sets as
 * `systemd-analyze syscall-filter` prints them on Debian 12, restricted to
 * x86_64 names, plus the syscalls newer than that list (tests/unit/
 * test_sysgroups.c compares them with tests/fixtures/systemd/).  Every list
 * is sorted by strcmp and holds each name once; nested groups ("@chown")
 * sort first.  No libseccomp here: the tests check every name.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tj/base/util.h"
#include "tj/model/sysgroups.h"

#define S(n)                \
	{                   \
		.name = (n) \
	}
#define G(n)                \
	{                   \
		.name = (n) \
	}
#define C(n, a, w)                                                               \
	{                                                                        \
		.name = (n), .alts = (a), .nalts = TJ_ARRAY_SIZE(a), .when = (w) \
	}
#define MASKED(i, mask, want)                                                              \
	{                                                                                  \
		.index = (i), .value = (mask), .value_two = (want), .op = TJ_CMP_MASKED_EQ \
	}
#define ALT(a)                                         \
	{                                              \
		.args = (a), .nargs = TJ_ARRAY_SIZE(a) \
	}
#define ALT1(a, k)                          \
	{                                   \
		.args = &(a)[k], .nargs = 1 \
	}

/* Kernel constants (x86_64 uapi), spelt out so no kernel header decides
 * what a group means. */
#define PROT_W 0x2u
#define PROT_X 0x4u
#define MAP_ANON 0x20u
#define CLONE_THREAD_ 0x10000u
#define CLONE_NEWNS_ 0x20000u
#define CLONE_NEWCGROUP_ 0x2000000u
#define CLONE_NEWUTS_ 0x4000000u
#define CLONE_NEWIPC_ 0x8000000u
#define CLONE_NEWUSER_ 0x10000000u
#define CLONE_NEWPID_ 0x20000000u
#define CLONE_NEWNET_ 0x40000000u
#define CLONE_NEW_ALL                                                                                       \
	(CLONE_NEWNS_ | CLONE_NEWCGROUP_ | CLONE_NEWUTS_ | CLONE_NEWIPC_ | CLONE_NEWUSER_ | CLONE_NEWPID_ | \
	 CLONE_NEWNET_)
/* int arguments: the kernel reads the low 32 bits, so compare only those
 * (a 64-bit compare could be dodged by setting the high bits). */
#define INT32 0xffffffffu
#define AF_UNIX_ 1u
#define AF_INET_ 2u
#define AF_INET6_ 10u
#define SOCK_TYPE_MASK 0xfu
#define SOCK_STREAM_ 1u
#define SOCK_DGRAM_ 2u

/* --- argument constraints --- */

/* mmap: executable only when not writable and backed by a file (the
 * dynamic loader maps libraries so); never anonymous executable memory. */
static const struct tj_arg prot_no_exec[] = {MASKED(2, PROT_X, 0)};
static const struct tj_arg prot_exec_file[] = {MASKED(2, PROT_W | PROT_X, PROT_X), MASKED(3, MAP_ANON, 0)};
static const struct tj_sysgroup_alt mmap_wx[] = {ALT(prot_no_exec), ALT(prot_exec_file)};
/* mprotect and pkey_mprotect: never to executable (that is how a JIT, or
 * an exploit, turns written bytes into code). */
static const struct tj_sysgroup_alt mprotect_nx[] = {ALT(prot_no_exec)};

static const struct tj_arg clone_no_ns_args[] = {MASKED(0, CLONE_NEW_ALL, 0)};
static const struct tj_sysgroup_alt clone_no_ns[] = {ALT(clone_no_ns_args)};
static const struct tj_arg clone_thread_args[] = {MASKED(0, CLONE_THREAD_ | CLONE_NEW_ALL, CLONE_THREAD_)};
static const struct tj_sysgroup_alt clone_thread[] = {ALT(clone_thread_args)};
static const struct tj_arg clone_ns_args[] = {
	MASKED(0, CLONE_NEWNS_, CLONE_NEWNS_),	   MASKED(0, CLONE_NEWCGROUP_, CLONE_NEWCGROUP_),
	MASKED(0, CLONE_NEWUTS_, CLONE_NEWUTS_),   MASKED(0, CLONE_NEWIPC_, CLONE_NEWIPC_),
	MASKED(0, CLONE_NEWUSER_, CLONE_NEWUSER_), MASKED(0, CLONE_NEWPID_, CLONE_NEWPID_),
	MASKED(0, CLONE_NEWNET_, CLONE_NEWNET_),
};
static const struct tj_sysgroup_alt clone_ns[] = {
	ALT1(clone_ns_args, 0), ALT1(clone_ns_args, 1), ALT1(clone_ns_args, 2), ALT1(clone_ns_args, 3),
	ALT1(clone_ns_args, 4), ALT1(clone_ns_args, 5), ALT1(clone_ns_args, 6),
};

/* TIOCSTI pushes bytes into the terminal's input, TIOCLINUX (subcode 2/3)
 * selects and pastes on a virtual console: both type commands into the
 * shell that started the program. */
static const struct tj_arg ioctl_inject_args[] = {MASKED(1, INT32, 0x5412), MASKED(1, INT32, 0x541c)};
static const struct tj_sysgroup_alt ioctl_inject[] = {ALT1(ioctl_inject_args, 0), ALT1(ioctl_inject_args, 1)};
/* TCGETS, TIOCGPGRP, TIOCGWINSZ, FIONREAD, FIONBIO, FIONCLEX, FIOCLEX */
static const struct tj_arg ioctl_basic_args[] = {
	MASKED(1, INT32, 0x5401), MASKED(1, INT32, 0x540f), MASKED(1, INT32, 0x5413), MASKED(1, INT32, 0x541b),
	MASKED(1, INT32, 0x5421), MASKED(1, INT32, 0x5450), MASKED(1, INT32, 0x5451),
};
static const struct tj_sysgroup_alt ioctl_basic[] = {
	ALT1(ioctl_basic_args, 0), ALT1(ioctl_basic_args, 1), ALT1(ioctl_basic_args, 2), ALT1(ioctl_basic_args, 3),
	ALT1(ioctl_basic_args, 4), ALT1(ioctl_basic_args, 5), ALT1(ioctl_basic_args, 6),
};

/* prctl on the caller itself: PR_SET_PDEATHSIG, PR_GET_PDEATHSIG,
 * PR_GET_DUMPABLE, PR_SET_NAME, PR_GET_NAME, PR_GET_SECCOMP, PR_CAPBSET_READ,
 * PR_SET_NO_NEW_PRIVS, PR_GET_NO_NEW_PRIVS.  Not PR_SET_DUMPABLE or
 * PR_SET_PTRACER (they open the process to ptrace), not PR_SET_MM. */
static const struct tj_arg prctl_basic_args[] = {
	MASKED(0, INT32, 1),  MASKED(0, INT32, 2),  MASKED(0, INT32, 3),  MASKED(0, INT32, 15), MASKED(0, INT32, 16),
	MASKED(0, INT32, 21), MASKED(0, INT32, 23), MASKED(0, INT32, 38), MASKED(0, INT32, 39),
};
static const struct tj_sysgroup_alt prctl_basic[] = {
	ALT1(prctl_basic_args, 0), ALT1(prctl_basic_args, 1), ALT1(prctl_basic_args, 2),
	ALT1(prctl_basic_args, 3), ALT1(prctl_basic_args, 4), ALT1(prctl_basic_args, 5),
	ALT1(prctl_basic_args, 6), ALT1(prctl_basic_args, 7), ALT1(prctl_basic_args, 8),
};

/* socket: Unix, IPv4 and IPv6; stream or datagram (flags allowed). */
#define SOCKET_ARGS(dom, type)                                         \
	{                                                              \
		MASKED(0, INT32, dom), MASKED(1, SOCK_TYPE_MASK, type) \
	}
static const struct tj_arg sock_unix_stream[] = SOCKET_ARGS(AF_UNIX_, SOCK_STREAM_);
static const struct tj_arg sock_unix_dgram[] = SOCKET_ARGS(AF_UNIX_, SOCK_DGRAM_);
static const struct tj_arg sock_inet_stream[] = SOCKET_ARGS(AF_INET_, SOCK_STREAM_);
static const struct tj_arg sock_inet_dgram[] = SOCKET_ARGS(AF_INET_, SOCK_DGRAM_);
static const struct tj_arg sock_inet6_stream[] = SOCKET_ARGS(AF_INET6_, SOCK_STREAM_);
static const struct tj_arg sock_inet6_dgram[] = SOCKET_ARGS(AF_INET6_, SOCK_DGRAM_);
static const struct tj_sysgroup_alt socket_ip[] = {
	ALT(sock_unix_stream), ALT(sock_unix_dgram),   ALT(sock_inet_stream),
	ALT(sock_inet_dgram),  ALT(sock_inet6_stream), ALT(sock_inet6_dgram),
};
static const struct tj_arg socketpair_unix_args[] = {MASKED(0, INT32, AF_UNIX_)};
static const struct tj_sysgroup_alt socketpair_unix[] = {ALT(socketpair_unix_args)};

/* --- systemd's sets (x86_64) --- */

static const struct tj_sysgroup_member m_default[] = {
	S("arch_prctl"),
	S("brk"),
	S("clock_getres"),
	S("clock_gettime"),
	S("clock_nanosleep"),
	S("execve"),
	S("exit"),
	S("exit_group"),
	S("futex"),
	S("futex_requeue"),
	S("futex_wait"),
	S("futex_waitv"),
	S("futex_wake"),
	S("get_robust_list"),
	S("get_thread_area"),
	S("getegid"),
	S("geteuid"),
	S("getgid"),
	S("getgroups"),
	S("getpgid"),
	S("getpgrp"),
	S("getpid"),
	S("getppid"),
	S("getrandom"),
	S("getresgid"),
	S("getresuid"),
	S("getrlimit"),
	S("getsid"),
	S("gettid"),
	S("gettimeofday"),
	S("getuid"),
	S("map_shadow_stack"),
	S("membarrier"),
	S("mmap"),
	S("mprotect"),
	S("mseal"),
	S("munmap"),
	S("nanosleep"),
	S("pause"),
	S("prlimit64"),
	S("restart_syscall"),
	S("rseq"),
	S("rt_sigreturn"),
	S("sched_getaffinity"),
	S("sched_yield"),
	S("set_robust_list"),
	S("set_thread_area"),
	S("set_tid_address"),
	S("time"),
	S("uretprobe"),
};
static const struct tj_sysgroup_member m_aio[] = {
	S("io_cancel"), S("io_destroy"),     S("io_getevents"),	     S("io_pgetevents"),  S("io_setup"),
	S("io_submit"), S("io_uring_enter"), S("io_uring_register"), S("io_uring_setup"),
};
static const struct tj_sysgroup_member m_basic_io[] = {
	S("close"),   S("close_range"), S("dup"),     S("dup2"),     S("dup3"), S("lseek"), S("pread64"), S("preadv"),
	S("preadv2"), S("pwrite64"),	S("pwritev"), S("pwritev2"), S("read"), S("readv"), S("write"),	  S("writev"),
};
static const struct tj_sysgroup_member m_chown[] = {
	S("chown"),
	S("fchown"),
	S("fchownat"),
	S("lchown"),
};
static const struct tj_sysgroup_member m_clock[] = {
	S("adjtimex"),
	S("clock_adjtime"),
	S("clock_settime"),
	S("settimeofday"),
};
static const struct tj_sysgroup_member m_cpu_emulation[] = {
	S("modify_ldt"),
};
static const struct tj_sysgroup_member m_debug[] = {
	S("lookup_dcookie"),
	S("perf_event_open"),
	S("pidfd_getfd"),
	S("ptrace"),
};
static const struct tj_sysgroup_member m_file_system[] = {
	S("access"),
	S("chdir"),
	S("chmod"),
	S("close"),
	S("creat"),
	S("faccessat"),
	S("faccessat2"),
	S("fallocate"),
	S("fchdir"),
	S("fchmod"),
	S("fchmodat"),
	S("fchmodat2"),
	S("fcntl"),
	S("fgetxattr"),
	S("file_getattr"),
	S("file_setattr"),
	S("flistxattr"),
	S("fremovexattr"),
	S("fsetxattr"),
	S("fstat"),
	S("fstatfs"),
	S("ftruncate"),
	S("futimesat"),
	S("getcwd"),
	S("getdents"),
	S("getdents64"),
	S("getxattr"),
	S("getxattrat"),
	S("inotify_add_watch"),
	S("inotify_init"),
	S("inotify_init1"),
	S("inotify_rm_watch"),
	S("lgetxattr"),
	S("link"),
	S("linkat"),
	S("listmount"),
	S("listxattr"),
	S("listxattrat"),
	S("llistxattr"),
	S("lremovexattr"),
	S("lsetxattr"),
	S("lstat"),
	S("mkdir"),
	S("mkdirat"),
	S("mknod"),
	S("mknodat"),
	S("newfstatat"),
	S("open"),
	S("openat"),
	S("openat2"),
	S("readlink"),
	S("readlinkat"),
	S("removexattr"),
	S("removexattrat"),
	S("rename"),
	S("renameat"),
	S("renameat2"),
	S("rmdir"),
	S("setxattr"),
	S("setxattrat"),
	S("stat"),
	S("statfs"),
	S("statmount"),
	S("statx"),
	S("symlink"),
	S("symlinkat"),
	S("truncate"),
	S("unlink"),
	S("unlinkat"),
	S("utime"),
	S("utimensat"),
	S("utimes"),
};
static const struct tj_sysgroup_member m_io_event[] = {
	S("epoll_create"), S("epoll_create1"), S("epoll_ctl"),	    S("epoll_ctl_old"), S("epoll_pwait"),
	S("epoll_pwait2"), S("epoll_wait"),    S("epoll_wait_old"), S("eventfd"),	S("eventfd2"),
	S("poll"),	   S("ppoll"),	       S("pselect6"),	    S("select"),
};
static const struct tj_sysgroup_member m_ipc[] = {
	S("memfd_create"),
	S("mq_getsetattr"),
	S("mq_notify"),
	S("mq_open"),
	S("mq_timedreceive"),
	S("mq_timedsend"),
	S("mq_unlink"),
	S("msgctl"),
	S("msgget"),
	S("msgrcv"),
	S("msgsnd"),
	S("pipe"),
	S("pipe2"),
	S("process_madvise"),
	S("process_vm_readv"),
	S("process_vm_writev"),
	S("semctl"),
	S("semget"),
	S("semop"),
	S("semtimedop"),
	S("shmat"),
	S("shmctl"),
	S("shmdt"),
	S("shmget"),
};
static const struct tj_sysgroup_member m_keyring[] = {
	S("add_key"),
	S("keyctl"),
	S("request_key"),
};
static const struct tj_sysgroup_member m_memlock[] = {
	S("mlock"), S("mlock2"), S("mlockall"), S("munlock"), S("munlockall"),
};
static const struct tj_sysgroup_member m_module[] = {
	S("delete_module"),
	S("finit_module"),
	S("init_module"),
};
static const struct tj_sysgroup_member m_mount[] = {
	S("chroot"),	    S("fsconfig"),   S("fsmount"),   S("fsopen"),	  S("fspick"),	   S("mount"),
	S("mount_setattr"), S("move_mount"), S("open_tree"), S("open_tree_attr"), S("pivot_root"), S("umount2"),
};
static const struct tj_sysgroup_member m_network_io[] = {
	S("accept"),	 S("accept4"), S("bind"),	S("connect"),  S("getpeername"), S("getsockname"),
	S("getsockopt"), S("listen"),  S("recvfrom"),	S("recvmmsg"), S("recvmsg"),	 S("sendmmsg"),
	S("sendmsg"),	 S("sendto"),  S("setsockopt"), S("shutdown"), S("socket"),	 S("socketpair"),
};
static const struct tj_sysgroup_member m_obsolete[] = {
	S("_sysctl"), S("afs_syscall"),	 S("create_module"), S("get_kernel_syms"), S("getpmsg"),
	S("putpmsg"), S("query_module"), S("security"),	     S("sysfs"),	   S("tuxcall"),
	S("uselib"),  S("ustat"),	 S("vserver"),
};
static const struct tj_sysgroup_member m_pkey[] = {
	S("pkey_alloc"),
	S("pkey_free"),
	S("pkey_mprotect"),
};
static const struct tj_sysgroup_member m_privileged[] = {
	G("@chown"),	 G("@clock"),	     G("@module"),	 G("@raw-io"),	     G("@reboot"),
	G("@swap"),	 S("_sysctl"),	     S("acct"),		 S("bpf"),	     S("capset"),
	S("chroot"),	 S("fanotify_init"), S("fanotify_mark"), S("nfsservctl"),    S("open_by_handle_at"),
	S("pivot_root"), S("quotactl"),	     S("quotactl_fd"),	 S("setdomainname"), S("setfsuid"),
	S("setgroups"),	 S("sethostname"),   S("setresuid"),	 S("setreuid"),	     S("setuid"),
	S("vhangup"),
};
static const struct tj_sysgroup_member m_process[] = {
	S("capget"),
	S("clone"),
	S("clone3"),
	S("execveat"),
	S("fork"),
	S("getrusage"),
	S("kill"),
	S("pidfd_open"),
	S("pidfd_send_signal"),
	S("prctl"),
	S("process_mrelease"),
	S("rt_sigqueueinfo"),
	S("rt_tgsigqueueinfo"),
	S("setns"),
	S("tgkill"),
	S("times"),
	S("tkill"),
	S("unshare"),
	S("vfork"),
	S("wait4"),
	S("waitid"),
};
static const struct tj_sysgroup_member m_raw_io[] = {
	S("ioperm"),
	S("iopl"),
};
static const struct tj_sysgroup_member m_reboot[] = {
	S("kexec_file_load"),
	S("kexec_load"),
	S("reboot"),
};
static const struct tj_sysgroup_member m_resources[] = {
	S("ioprio_set"),	S("mbind"),
	S("migrate_pages"),	S("move_pages"),
	S("sched_setaffinity"), S("sched_setattr"),
	S("sched_setparam"),	S("sched_setscheduler"),
	S("set_mempolicy"),	S("set_mempolicy_home_node"),
	S("setpriority"),	S("setrlimit"),
};
static const struct tj_sysgroup_member m_setuid[] = {
	S("setgid"), S("setgroups"), S("setregid"), S("setresgid"), S("setresuid"), S("setreuid"), S("setuid"),
};
static const struct tj_sysgroup_member m_signal[] = {
	S("rt_sigaction"),    S("rt_sigpending"), S("rt_sigprocmask"), S("rt_sigsuspend"),
	S("rt_sigtimedwait"), S("sigaltstack"),	  S("signalfd"),       S("signalfd4"),
};
static const struct tj_sysgroup_member m_swap[] = {
	S("swapoff"),
	S("swapon"),
};
static const struct tj_sysgroup_member m_sync[] = {
	S("fdatasync"), S("fsync"), S("msync"), S("sync"), S("sync_file_range"), S("syncfs"),
};
static const struct tj_sysgroup_member m_system_service[] = {
	G("@aio"),
	G("@basic-io"),
	G("@chown"),
	G("@default"),
	G("@file-system"),
	G("@io-event"),
	G("@ipc"),
	G("@keyring"),
	G("@memlock"),
	G("@network-io"),
	G("@process"),
	G("@resources"),
	G("@setuid"),
	G("@signal"),
	G("@sync"),
	G("@timer"),
	S("cachestat"),
	S("capget"),
	S("capset"),
	S("copy_file_range"),
	S("fadvise64"),
	S("flock"),
	S("get_mempolicy"),
	S("getcpu"),
	S("getpriority"),
	S("ioctl"),
	S("ioprio_get"),
	S("kcmp"),
	S("lsm_get_self_attr"),
	S("lsm_list_modules"),
	S("lsm_set_self_attr"),
	S("madvise"),
	S("mremap"),
	S("name_to_handle_at"),
	S("personality"),
	S("readahead"),
	S("remap_file_pages"),
	S("sched_get_priority_max"),
	S("sched_get_priority_min"),
	S("sched_getattr"),
	S("sched_getparam"),
	S("sched_getscheduler"),
	S("sched_rr_get_interval"),
	S("sched_yield"),
	S("sendfile"),
	S("setfsgid"),
	S("setfsuid"),
	S("setpgid"),
	S("setsid"),
	S("splice"),
	S("sysinfo"),
	S("tee"),
	S("umask"),
	S("uname"),
	S("userfaultfd"),
	S("vmsplice"),
};
static const struct tj_sysgroup_member m_timer[] = {
	S("alarm"),	     S("getitimer"),	    S("setitimer"),	  S("timer_create"),
	S("timer_delete"),   S("timer_getoverrun"), S("timer_gettime"),	  S("timer_settime"),
	S("timerfd_create"), S("timerfd_gettime"),  S("timerfd_settime"), S("times"),
};

/* --- tinyjail's groups --- */

/* @default without the three calls @memory and @exec decide. */
static const struct tj_sysgroup_member m_baseline[] = {
	S("arch_prctl"),
	S("brk"),
	S("clock_getres"),
	S("clock_gettime"),
	S("clock_nanosleep"),
	S("exit"),
	S("exit_group"),
	S("futex"),
	S("futex_requeue"),
	S("futex_wait"),
	S("futex_waitv"),
	S("futex_wake"),
	S("get_robust_list"),
	S("get_thread_area"),
	S("getegid"),
	S("geteuid"),
	S("getgid"),
	S("getgroups"),
	S("getpgid"),
	S("getpgrp"),
	S("getpid"),
	S("getppid"),
	S("getrandom"),
	S("getresgid"),
	S("getresuid"),
	S("getrlimit"),
	S("getsid"),
	S("gettid"),
	S("gettimeofday"),
	S("getuid"),
	S("map_shadow_stack"),
	S("membarrier"),
	S("mseal"),
	S("munmap"),
	S("nanosleep"),
	S("pause"),
	S("prlimit64"),
	S("restart_syscall"),
	S("rseq"),
	S("rt_sigreturn"),
	S("sched_getaffinity"),
	S("sched_yield"),
	S("set_robust_list"),
	S("set_thread_area"),
	S("set_tid_address"),
	S("time"),
	S("uretprobe"),
};
static const struct tj_sysgroup_member m_exec[] = {
	S("execve"),
	S("execveat"),
};
static const struct tj_sysgroup_member m_ioctl_basic[] = {
	C("ioctl", ioctl_basic, "request is TCGETS, TIOCGPGRP, TIOCGWINSZ, FIONREAD, FIONBIO, FIONCLEX or FIOCLEX"),
};
static const struct tj_sysgroup_member m_kernel_surface[] = {
	G("@cpu-emulation"), G("@keyring"),	   S("bpf"),	     S("io_uring_enter"), S("io_uring_register"),
	S("io_uring_setup"), S("perf_event_open"), S("userfaultfd"),
};
static const struct tj_sysgroup_member m_memory[] = {
	S("brk"),
	S("madvise"),
	S("mincore"),
	C("mmap", mmap_wx, "not writable and executable; executable only for files"),
	C("mprotect", mprotect_nx, "prot lacks PROT_EXEC"),
	S("mremap"),
	S("munmap"),
	C("pkey_mprotect", mprotect_nx, "prot lacks PROT_EXEC"),
};
static const struct tj_sysgroup_member m_memory_exec[] = {
	S("mmap"),
	S("mprotect"),
	S("pkey_mprotect"),
};
static const struct tj_sysgroup_member m_namespaces[] = {
	C("clone", clone_ns, "flags include a CLONE_NEW* flag"),
	S("setns"),
	S("unshare"),
};
static const struct tj_sysgroup_member m_network_client[] = {
	G("@socket-ip"), S("connect"),	  S("getpeername"), S("getsockname"), S("getsockopt"),
	S("recvfrom"),	 S("recvmmsg"),	  S("recvmsg"),	    S("sendmmsg"),    S("sendmsg"),
	S("sendto"),	 S("setsockopt"), S("shutdown"),
};
static const struct tj_sysgroup_member m_prctl_basic[] = {
	C("prctl", prctl_basic,
	  "option names, death signal, dumpable, seccomp, bounding set or no_new_privs of the caller"),
};
static const struct tj_sysgroup_member m_sandbox[] = {
	S("landlock_add_rule"),
	S("landlock_create_ruleset"),
	S("landlock_restrict_self"),
	S("seccomp"),
};
static const struct tj_sysgroup_member m_socket_ip[] = {
	C("socket", socket_ip, "Unix, IPv4 or IPv6; stream or datagram"),
	C("socketpair", socketpair_unix, "Unix"),
};
static const struct tj_sysgroup_member m_spawn[] = {
	C("clone", clone_no_ns, "flags without CLONE_NEW* (no namespaces)"),
	S("fork"),
	S("vfork"),
	S("wait4"),
	S("waitid"),
};
static const struct tj_sysgroup_member m_terminal_injection[] = {
	C("ioctl", ioctl_inject, "request is TIOCSTI or TIOCLINUX"),
};
static const struct tj_sysgroup_member m_threads[] = {
	C("clone", clone_thread, "flags include CLONE_THREAD, without CLONE_NEW*"),
};

/* Every x86_64 syscall this tinyjail can name (libseccomp 2.5.4 and filter.c's
 * newer-syscall table). */
static const struct tj_sysgroup_member m_known[] = {
	S("_sysctl"),
	S("accept"),
	S("accept4"),
	S("access"),
	S("acct"),
	S("add_key"),
	S("adjtimex"),
	S("afs_syscall"),
	S("alarm"),
	S("arch_prctl"),
	S("bind"),
	S("bpf"),
	S("brk"),
	S("cachestat"),
	S("capget"),
	S("capset"),
	S("chdir"),
	S("chmod"),
	S("chown"),
	S("chroot"),
	S("clock_adjtime"),
	S("clock_getres"),
	S("clock_gettime"),
	S("clock_nanosleep"),
	S("clock_settime"),
	S("clone"),
	S("clone3"),
	S("close"),
	S("close_range"),
	S("connect"),
	S("copy_file_range"),
	S("creat"),
	S("create_module"),
	S("delete_module"),
	S("dup"),
	S("dup2"),
	S("dup3"),
	S("epoll_create"),
	S("epoll_create1"),
	S("epoll_ctl"),
	S("epoll_ctl_old"),
	S("epoll_pwait"),
	S("epoll_pwait2"),
	S("epoll_wait"),
	S("epoll_wait_old"),
	S("eventfd"),
	S("eventfd2"),
	S("execve"),
	S("execveat"),
	S("exit"),
	S("exit_group"),
	S("faccessat"),
	S("faccessat2"),
	S("fadvise64"),
	S("fallocate"),
	S("fanotify_init"),
	S("fanotify_mark"),
	S("fchdir"),
	S("fchmod"),
	S("fchmodat"),
	S("fchmodat2"),
	S("fchown"),
	S("fchownat"),
	S("fcntl"),
	S("fdatasync"),
	S("fgetxattr"),
	S("file_getattr"),
	S("file_setattr"),
	S("finit_module"),
	S("flistxattr"),
	S("flock"),
	S("fork"),
	S("fremovexattr"),
	S("fsconfig"),
	S("fsetxattr"),
	S("fsmount"),
	S("fsopen"),
	S("fspick"),
	S("fstat"),
	S("fstatfs"),
	S("fsync"),
	S("ftruncate"),
	S("futex"),
	S("futex_requeue"),
	S("futex_wait"),
	S("futex_waitv"),
	S("futex_wake"),
	S("futimesat"),
	S("get_kernel_syms"),
	S("get_mempolicy"),
	S("get_robust_list"),
	S("get_thread_area"),
	S("getcpu"),
	S("getcwd"),
	S("getdents"),
	S("getdents64"),
	S("getegid"),
	S("geteuid"),
	S("getgid"),
	S("getgroups"),
	S("getitimer"),
	S("getpeername"),
	S("getpgid"),
	S("getpgrp"),
	S("getpid"),
	S("getpmsg"),
	S("getppid"),
	S("getpriority"),
	S("getrandom"),
	S("getresgid"),
	S("getresuid"),
	S("getrlimit"),
	S("getrusage"),
	S("getsid"),
	S("getsockname"),
	S("getsockopt"),
	S("gettid"),
	S("gettimeofday"),
	S("getuid"),
	S("getxattr"),
	S("getxattrat"),
	S("init_module"),
	S("inotify_add_watch"),
	S("inotify_init"),
	S("inotify_init1"),
	S("inotify_rm_watch"),
	S("io_cancel"),
	S("io_destroy"),
	S("io_getevents"),
	S("io_pgetevents"),
	S("io_setup"),
	S("io_submit"),
	S("io_uring_enter"),
	S("io_uring_register"),
	S("io_uring_setup"),
	S("ioctl"),
	S("ioperm"),
	S("iopl"),
	S("ioprio_get"),
	S("ioprio_set"),
	S("kcmp"),
	S("kexec_file_load"),
	S("kexec_load"),
	S("keyctl"),
	S("kill"),
	S("landlock_add_rule"),
	S("landlock_create_ruleset"),
	S("landlock_restrict_self"),
	S("lchown"),
	S("lgetxattr"),
	S("link"),
	S("linkat"),
	S("listen"),
	S("listmount"),
	S("listxattr"),
	S("listxattrat"),
	S("llistxattr"),
	S("lookup_dcookie"),
	S("lremovexattr"),
	S("lseek"),
	S("lsetxattr"),
	S("lsm_get_self_attr"),
	S("lsm_list_modules"),
	S("lsm_set_self_attr"),
	S("lstat"),
	S("madvise"),
	S("map_shadow_stack"),
	S("mbind"),
	S("membarrier"),
	S("memfd_create"),
	S("memfd_secret"),
	S("migrate_pages"),
	S("mincore"),
	S("mkdir"),
	S("mkdirat"),
	S("mknod"),
	S("mknodat"),
	S("mlock"),
	S("mlock2"),
	S("mlockall"),
	S("mmap"),
	S("modify_ldt"),
	S("mount"),
	S("mount_setattr"),
	S("move_mount"),
	S("move_pages"),
	S("mprotect"),
	S("mq_getsetattr"),
	S("mq_notify"),
	S("mq_open"),
	S("mq_timedreceive"),
	S("mq_timedsend"),
	S("mq_unlink"),
	S("mremap"),
	S("mseal"),
	S("msgctl"),
	S("msgget"),
	S("msgrcv"),
	S("msgsnd"),
	S("msync"),
	S("munlock"),
	S("munlockall"),
	S("munmap"),
	S("name_to_handle_at"),
	S("nanosleep"),
	S("newfstatat"),
	S("nfsservctl"),
	S("open"),
	S("open_by_handle_at"),
	S("open_tree"),
	S("open_tree_attr"),
	S("openat"),
	S("openat2"),
	S("pause"),
	S("perf_event_open"),
	S("personality"),
	S("pidfd_getfd"),
	S("pidfd_open"),
	S("pidfd_send_signal"),
	S("pipe"),
	S("pipe2"),
	S("pivot_root"),
	S("pkey_alloc"),
	S("pkey_free"),
	S("pkey_mprotect"),
	S("poll"),
	S("ppoll"),
	S("prctl"),
	S("pread64"),
	S("preadv"),
	S("preadv2"),
	S("prlimit64"),
	S("process_madvise"),
	S("process_mrelease"),
	S("process_vm_readv"),
	S("process_vm_writev"),
	S("pselect6"),
	S("ptrace"),
	S("putpmsg"),
	S("pwrite64"),
	S("pwritev"),
	S("pwritev2"),
	S("query_module"),
	S("quotactl"),
	S("quotactl_fd"),
	S("read"),
	S("readahead"),
	S("readlink"),
	S("readlinkat"),
	S("readv"),
	S("reboot"),
	S("recvfrom"),
	S("recvmmsg"),
	S("recvmsg"),
	S("remap_file_pages"),
	S("removexattr"),
	S("removexattrat"),
	S("rename"),
	S("renameat"),
	S("renameat2"),
	S("request_key"),
	S("restart_syscall"),
	S("rmdir"),
	S("rseq"),
	S("rt_sigaction"),
	S("rt_sigpending"),
	S("rt_sigprocmask"),
	S("rt_sigqueueinfo"),
	S("rt_sigreturn"),
	S("rt_sigsuspend"),
	S("rt_sigtimedwait"),
	S("rt_tgsigqueueinfo"),
	S("sched_get_priority_max"),
	S("sched_get_priority_min"),
	S("sched_getaffinity"),
	S("sched_getattr"),
	S("sched_getparam"),
	S("sched_getscheduler"),
	S("sched_rr_get_interval"),
	S("sched_setaffinity"),
	S("sched_setattr"),
	S("sched_setparam"),
	S("sched_setscheduler"),
	S("sched_yield"),
	S("seccomp"),
	S("security"),
	S("select"),
	S("semctl"),
	S("semget"),
	S("semop"),
	S("semtimedop"),
	S("sendfile"),
	S("sendmmsg"),
	S("sendmsg"),
	S("sendto"),
	S("set_mempolicy"),
	S("set_mempolicy_home_node"),
	S("set_robust_list"),
	S("set_thread_area"),
	S("set_tid_address"),
	S("setdomainname"),
	S("setfsgid"),
	S("setfsuid"),
	S("setgid"),
	S("setgroups"),
	S("sethostname"),
	S("setitimer"),
	S("setns"),
	S("setpgid"),
	S("setpriority"),
	S("setregid"),
	S("setresgid"),
	S("setresuid"),
	S("setreuid"),
	S("setrlimit"),
	S("setsid"),
	S("setsockopt"),
	S("settimeofday"),
	S("setuid"),
	S("setxattr"),
	S("setxattrat"),
	S("shmat"),
	S("shmctl"),
	S("shmdt"),
	S("shmget"),
	S("shutdown"),
	S("sigaltstack"),
	S("signalfd"),
	S("signalfd4"),
	S("socket"),
	S("socketpair"),
	S("splice"),
	S("stat"),
	S("statfs"),
	S("statmount"),
	S("statx"),
	S("swapoff"),
	S("swapon"),
	S("symlink"),
	S("symlinkat"),
	S("sync"),
	S("sync_file_range"),
	S("syncfs"),
	S("sysfs"),
	S("sysinfo"),
	S("syslog"),
	S("tee"),
	S("tgkill"),
	S("time"),
	S("timer_create"),
	S("timer_delete"),
	S("timer_getoverrun"),
	S("timer_gettime"),
	S("timer_settime"),
	S("timerfd_create"),
	S("timerfd_gettime"),
	S("timerfd_settime"),
	S("times"),
	S("tkill"),
	S("truncate"),
	S("tuxcall"),
	S("umask"),
	S("umount2"),
	S("uname"),
	S("unlink"),
	S("unlinkat"),
	S("unshare"),
	S("uretprobe"),
	S("uselib"),
	S("userfaultfd"),
	S("ustat"),
	S("utime"),
	S("utimensat"),
	S("utimes"),
	S("vfork"),
	S("vhangup"),
	S("vmsplice"),
	S("vserver"),
	S("wait4"),
	S("waitid"),
	S("write"),
	S("writev"),
};

#define GROUP(n, m, r, sd, mem)                                                                      \
	{                                                                                            \
		.name = (n), .meaning = (m), .risk = TJ_RISK_##r, .systemd = (sd), .members = (mem), \
		.nmembers = TJ_ARRAY_SIZE(mem)                                                       \
	}

static const struct tj_sysgroup groups[] = {
	GROUP("@aio", "asynchronous I/O: io_setup, io_submit, and io_uring, whose operations seccomp cannot see",
	      DANGEROUS, true, m_aio),
	GROUP("@baseline", "@default without mmap, mprotect and execve, which @memory and @exec decide", BASELINE,
	      false, m_baseline),
	GROUP("@basic-io", "read, write, seek, duplicate and close open descriptors", BASELINE, true, m_basic_io),
	GROUP("@chown", "change the owner of files and directories", SENSITIVE, true, m_chown),
	GROUP("@clock", "set the system clock", DANGEROUS, true, m_clock),
	GROUP("@cpu-emulation", "CPU emulation: modify_ldt (and vm86 on 32-bit systems)", DANGEROUS, true,
	      m_cpu_emulation),
	GROUP("@debug", "debug, trace and profile processes: ptrace, perf_event_open, pidfd_getfd", DANGEROUS, true,
	      m_debug),
	GROUP("@default", "what every program calls: exit, futexes, identity queries, clocks, mmap, execve", BASELINE,
	      true, m_default),
	GROUP("@exec", "run another program: execve, execveat", SENSITIVE, false, m_exec),
	GROUP("@file-system", "open, stat, create, rename, link and remove files; directories, xattrs, inotify", NORMAL,
	      true, m_file_system),
	GROUP("@io-event", "event loops: poll, select, epoll, eventfd", NORMAL, true, m_io_event),
	GROUP("@ioctl-basic", "ioctl for terminal queries and descriptor flags only (no TIOCSTI, no device control)",
	      NORMAL, false, m_ioctl_basic),
	GROUP("@ipc", "pipes, memfd, SysV IPC, POSIX message queues, and process_vm_* (other processes' memory)",
	      DANGEROUS, true, m_ipc),
	GROUP("@kernel-surface",
	      "rarely needed interfaces with a record of kernel exploits: bpf, perf, userfaultfd, io_uring, keyrings",
	      DANGEROUS, false, m_kernel_surface),
	GROUP("@keyring", "the kernel keyrings: add_key, keyctl, request_key", DANGEROUS, true, m_keyring),
	GROUP("@known", "every x86_64 system call this tinyjail knows", DANGEROUS, true, m_known),
	GROUP("@memlock", "lock memory in RAM", SENSITIVE, true, m_memlock),
	GROUP("@memory", "map and manage memory, never writable and executable (W^X): no new code at run time", NORMAL,
	      false, m_memory),
	GROUP("@memory-exec", "mmap and mprotect with any protection: writable and executable memory, as JITs use",
	      DANGEROUS, false, m_memory_exec),
	GROUP("@module", "load and unload kernel modules", DANGEROUS, true, m_module),
	GROUP("@mount", "mount, unmount and move file systems; chroot and pivot_root", DANGEROUS, true, m_mount),
	GROUP("@namespaces", "create or join namespaces: unshare, setns, clone with CLONE_NEW* flags", DANGEROUS, false,
	      m_namespaces),
	GROUP("@network-client",
	      "connect out over Unix, IPv4 and IPv6 stream and datagram sockets; no listening, no raw sockets",
	      SENSITIVE, false, m_network_client),
	GROUP("@network-io", "sockets of every family: create, connect, listen, accept, send and receive", SENSITIVE,
	      true, m_network_io),
	GROUP("@obsolete", "unusual, obsolete or unimplemented system calls", DANGEROUS, true, m_obsolete),
	GROUP("@pkey", "memory protection keys", NORMAL, true, m_pkey),
	GROUP("@prctl-basic", "prctl on the caller only: thread names, death signal, no_new_privs, queries", NORMAL,
	      false, m_prctl_basic),
	GROUP("@privileged",
	      "calls that need super-user capabilities (with @chown @clock @module @raw-io @reboot @swap)", DANGEROUS,
	      true, m_privileged),
	GROUP("@process", "process control: clone, fork, kill, wait, prctl, and namespaces (unshare, setns)", DANGEROUS,
	      true, m_process),
	GROUP("@raw-io", "raw I/O port access", DANGEROUS, true, m_raw_io),
	GROUP("@reboot", "reboot the machine or load a new kernel (kexec)", DANGEROUS, true, m_reboot),
	GROUP("@resources", "change resource limits, priorities, CPU affinity and NUMA memory policy", SENSITIVE, true,
	      m_resources),
	GROUP("@sandbox", "confine oneself further: seccomp, Landlock", NORMAL, false, m_sandbox),
	GROUP("@setuid", "change user and group ids", SENSITIVE, true, m_setuid),
	GROUP("@signal", "handle signals: actions, masks, waiting, signalfd", NORMAL, true, m_signal),
	GROUP("@socket-ip", "create Unix, IPv4 and IPv6 stream and datagram sockets (no raw, packet, netlink, vsock)",
	      SENSITIVE, false, m_socket_ip),
	GROUP("@spawn", "create processes and wait for them: fork, vfork, clone without namespace flags", SENSITIVE,
	      false, m_spawn),
	GROUP("@swap", "enable and disable swap devices", DANGEROUS, true, m_swap),
	GROUP("@sync", "flush files and memory to storage", NORMAL, true, m_sync),
	GROUP("@system-service",
	      "systemd's allowlist for services: most sets above, plus ioctl, personality and userfaultfd", DANGEROUS,
	      true, m_system_service),
	GROUP("@terminal-injection", "ioctls that type into the controlling terminal: TIOCSTI, TIOCLINUX", DANGEROUS,
	      false, m_terminal_injection),
	GROUP("@threads", "start threads (clone with CLONE_THREAD); no new processes", NORMAL, false, m_threads),
	GROUP("@timer", "timers and alarms", NORMAL, true, m_timer),
};

/* Nested groups go at most this deep; the tests keep the data far below. */
#define MAX_DEPTH 8

const struct tj_sysgroup *tj_sysgroups(size_t *n)
{
	*n = TJ_ARRAY_SIZE(groups);
	return groups;
}

static int compare_group(const void *key, const void *elem)
{
	return strcmp(key, ((const struct tj_sysgroup *)elem)->name);
}

const struct tj_sysgroup *tj_sysgroup_find(const char *name)
{
	return bsearch(name, groups, TJ_ARRAY_SIZE(groups), sizeof(groups[0]), compare_group);
}

const char *const *tj_sysgroup_names(void)
{
	static const char *names[TJ_ARRAY_SIZE(groups) + 1];
	if (!names[0])
		for (size_t i = 0; i < TJ_ARRAY_SIZE(groups); i++)
			names[i] = groups[i].name;
	return names;
}

const char *const *tj_known_syscall_names(void)
{
	static const char *names[TJ_ARRAY_SIZE(m_known) + 1];
	if (!names[0])
		for (size_t i = 0; i < TJ_ARRAY_SIZE(m_known); i++)
			names[i] = m_known[i].name;
	return names;
}

const char *tj_risk_name(enum tj_risk r)
{
	static const char *const names[] = {"baseline", "normal", "sensitive", "dangerous"};
	return (unsigned)r < TJ_ARRAY_SIZE(names) ? names[r] : "?";
}

/* --- sets --- */

static size_t hash_name(const char *s)
{
	size_t h = 2166136261u; /* FNV-1a */
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

/* The slot for name: the one holding it, or the empty one where it goes. */
static size_t *set_slot(const struct tj_sysgroup_set *set, const char *name)
{
	size_t i = hash_name(name) & (set->nslots - 1);
	while (set->slots[i] && strcmp(set->v[set->slots[i] - 1].name, name) != 0)
		i = (i + 1) & (set->nslots - 1);
	return &set->slots[i];
}

/* Rebuilds the index, at least twice as large as the set. */
static void set_reindex(struct tj_sysgroup_set *set)
{
	size_t want = 64;
	while (want < 2 * (set->n + 1))
		want *= 2;
	if (want != set->nslots) {
		free(set->slots);
		set->slots = tj_xmalloc(want * sizeof(*set->slots));
		set->nslots = want;
	}
	memset(set->slots, 0, set->nslots * sizeof(*set->slots));
	for (size_t i = 0; i < set->n; i++)
		*set_slot(set, set->v[i].name) = i + 1;
}

static struct tj_sysgroup_syscall *set_lookup(const struct tj_sysgroup_set *set, const char *name)
{
	if (!set->nslots)
		return NULL;
	size_t at = *set_slot(set, name);
	return at ? &set->v[at - 1] : NULL;
}

const struct tj_sysgroup_syscall *tj_sysgroup_set_find(const struct tj_sysgroup_set *set, const char *name)
{
	return set_lookup(set, name);
}

static void add_constrained_way(struct tj_sysgroup_syscall *e, const struct tj_sysgroup_member *m, const char *via,
				size_t origin)
{
	size_t n = e->nconstrained + 1;
	e->constrained = tj_xrealloc(e->constrained, n * sizeof(*e->constrained));
	e->constrained_origin = tj_xrealloc(e->constrained_origin, n * sizeof(*e->constrained_origin));
	e->constrained_via = tj_xrealloc(e->constrained_via, n * sizeof(*e->constrained_via));
	e->constrained[e->nconstrained] = m;
	e->constrained_origin[e->nconstrained] = origin;
	e->constrained_via[e->nconstrained] = via ? tj_xstrdup(via) : NULL;
	e->nconstrained = n;
}

static void free_constrained(struct tj_sysgroup_syscall *e)
{
	for (size_t i = 0; i < e->nconstrained; i++)
		free(e->constrained_via[i]);
	free(e->constrained);
	free(e->constrained_origin);
	free(e->constrained_via);
	e->constrained = NULL;
	e->constrained_origin = NULL;
	e->constrained_via = NULL;
	e->nconstrained = 0;
}

/* Adds one syscall reached through member m (NULL: named directly).  A way
 * without constraints absorbs the constrained ones, and then names the
 * provenance, since that way is the one that decides. */
static void set_add(struct tj_sysgroup_set *set, const char *name, const struct tj_sysgroup_member *m, const char *via,
		    size_t origin)
{
	bool any = !m || !m->alts;
	struct tj_sysgroup_syscall *e = set_lookup(set, name);
	if (!e) {
		if (2 * (set->n + 1) > set->nslots)
			set_reindex(set);
		tj_xreserve((void **)&set->v, &set->cap, set->n + 1, sizeof(*set->v));
		*set_slot(set, name) = set->n + 1;
		e = &set->v[set->n++];
		*e = (struct tj_sysgroup_syscall){.name = name,
						  .origin = origin,
						  .via = via ? tj_xstrdup(via) : NULL,
						  .any_args = any};
		if (!any)
			add_constrained_way(e, m, via, origin);
		return;
	}
	if (e->any_args)
		return;
	if (any) {
		free_constrained(e);
		free(e->via);
		e->any_args = true;
		e->origin = origin;
		e->via = via ? tj_xstrdup(via) : NULL;
		return;
	}
	for (size_t i = 0; i < e->nconstrained; i++)
		if (e->constrained[i] == m)
			return;
	add_constrained_way(e, m, via, origin);
}

static size_t walk(struct tj_sysgroup_set *set, const struct tj_sysgroup *g, const char *via, size_t origin, int depth)
{
	size_t count = 0;
	if (depth > MAX_DEPTH)
		return 0;
	for (size_t i = 0; i < g->nmembers; i++) {
		const struct tj_sysgroup_member *m = &g->members[i];
		if (m->name[0] != '@') {
			set_add(set, m->name, m, via, origin);
			count++;
			continue;
		}
		const struct tj_sysgroup *sub = tj_sysgroup_find(m->name);
		if (!sub)
			continue; /* the data tests rule this out */
		char *sub_via = tj_xasprintf("%s > %s", via, sub->name);
		count += walk(set, sub, sub_via, origin, depth + 1);
		free(sub_via);
	}
	return count;
}

size_t tj_sysgroup_set_add_group(struct tj_sysgroup_set *set, const struct tj_sysgroup *g, size_t origin)
{
	return walk(set, g, g->name, origin, 0);
}

void tj_sysgroup_set_add_name(struct tj_sysgroup_set *set, const char *name, size_t origin)
{
	set_add(set, name, NULL, NULL, origin);
}

bool tj_sysgroup_set_remove(struct tj_sysgroup_set *set, const char *name)
{
	struct tj_sysgroup_syscall *e = set_lookup(set, name);
	if (!e)
		return false;
	free(e->via);
	free_constrained(e);
	size_t k = (size_t)(e - set->v);
	memmove(e, e + 1, (set->n - k - 1) * sizeof(*e));
	set->n--;
	set_reindex(set); /* the entries after k moved */
	return true;
}

void tj_sysgroup_set_done(struct tj_sysgroup_set *set)
{
	for (size_t i = 0; i < set->n; i++) {
		free(set->v[i].via);
		free_constrained(&set->v[i]);
	}
	free(set->v);
	free(set->slots);
	*set = (struct tj_sysgroup_set){0};
}

size_t tj_sysgroup_size(const struct tj_sysgroup *g)
{
	/* Remembered (plus one, 0 = not yet): learn's renderer asks for every
	 * group's size each time, and expanding @known and the nested groups
	 * was a quarter of its cost.  The tables never change; two threads
	 * at worst compute the same number. */
	static _Atomic size_t known[TJ_ARRAY_SIZE(groups)];
	uintptr_t off = (uintptr_t)g - (uintptr_t)groups;
	size_t i = off / sizeof(*g);
	bool ours = (uintptr_t)g >= (uintptr_t)groups && off % sizeof(*g) == 0 && i < TJ_ARRAY_SIZE(groups);
	if (ours && known[i])
		return known[i] - 1;
	struct tj_sysgroup_set set = {0};
	tj_sysgroup_set_add_group(&set, g, 0);
	size_t n = set.n;
	tj_sysgroup_set_done(&set);
	if (ours)
		known[i] = n + 1;
	return n;
}
