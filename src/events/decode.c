/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Argument decoding for messages and logs.  The values come from the
 * kernel's uapi headers for x86_64; they are spelt out here (not included)
 * so the table does not depend on which headers a build host has, and so
 * that a reviewer can check each line against one source.
 */
#include <linux/audit.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>

#include "tj/base/util.h"
#include "tj/events/decode.h"
#include "tj/filter/filter.h"

enum kind {
	K_END = 0, /* no more arguments */
	K_INT,	   /* a C int: the low 32 bits, signed */
	K_LONG,	   /* signed 64 bits */
	K_ULONG,   /* unsigned, decimal */
	K_HEX,	   /* unsigned, hexadecimal */
	K_PTR,	   /* a pointer: NULL or hexadecimal (never dereferenced) */
	K_OCTAL,   /* a mode */
	K_DIRFD,   /* an int fd, or AT_FDCWD */
	K_SIG,	   /* a signal number */
	K_PTRACE,
	K_FAMILY,
	K_SOCKTYPE,
	K_CLONE,   /* clone(2) flags with the exit signal in the low byte */
	K_NSFLAGS, /* CLONE_NEW* flags of unshare/setns */
	K_OPEN,
	K_PROT,
	K_MAP,
	K_IOCTL,
	K_MOUNT,
	K_UMOUNT,
	K_PRCTL,
	K_BPF,
	K_FCNTL,
	K_KEYCTL,
	K_ATFLAGS,
	K_MADV,
	K_FUTEX,
	K_ARCHPRCTL,
	K_SOCKLEVEL,
	K_RLIMIT,
	K_MEMBARRIER,
	K_GRND,
	K_MFD,
	K_MREMAP,
	K_SECCOMP,
	K_PERSONA,
	K_FLOCK,  /* LOCK_SH, LOCK_EX, LOCK_UN, LOCK_NB */
	K_OFLAGS, /* O_* flags without an access mode (pipe2, dup3, ...) */
	K_WHENCE, /* SEEK_* */
	K_WAIT,	  /* WNOHANG, WUNTRACED, ... */
};

#define END_NAMES       \
	{               \
		0, NULL \
	}

/* Signals by name, for kill-like calls (the numbers of x86_64). */
static const struct tj_decode_name signals[] = {
	{1, "SIGHUP"},	 {2, "SIGINT"},	    {3, "SIGQUIT"},  {4, "SIGILL"},	{5, "SIGTRAP"},	 {6, "SIGABRT"},
	{7, "SIGBUS"},	 {8, "SIGFPE"},	    {9, "SIGKILL"},  {10, "SIGUSR1"},	{11, "SIGSEGV"}, {12, "SIGUSR2"},
	{13, "SIGPIPE"}, {14, "SIGALRM"},   {15, "SIGTERM"}, {16, "SIGSTKFLT"}, {17, "SIGCHLD"}, {18, "SIGCONT"},
	{19, "SIGSTOP"}, {20, "SIGTSTP"},   {21, "SIGTTIN"}, {22, "SIGTTOU"},	{23, "SIGURG"},	 {24, "SIGXCPU"},
	{25, "SIGXFSZ"}, {26, "SIGVTALRM"}, {27, "SIGPROF"}, {28, "SIGWINCH"},	{29, "SIGIO"},	 {30, "SIGPWR"},
	{31, "SIGSYS"},	 END_NAMES,
};
static const struct tj_decode_name ptrace_requests[] = {
	{0, "PTRACE_TRACEME"},
	{1, "PTRACE_PEEKTEXT"},
	{2, "PTRACE_PEEKDATA"},
	{3, "PTRACE_PEEKUSER"},
	{4, "PTRACE_POKETEXT"},
	{5, "PTRACE_POKEDATA"},
	{6, "PTRACE_POKEUSER"},
	{7, "PTRACE_CONT"},
	{8, "PTRACE_KILL"},
	{9, "PTRACE_SINGLESTEP"},
	{12, "PTRACE_GETREGS"},
	{13, "PTRACE_SETREGS"},
	{14, "PTRACE_GETFPREGS"},
	{15, "PTRACE_SETFPREGS"},
	{16, "PTRACE_ATTACH"},
	{17, "PTRACE_DETACH"},
	{24, "PTRACE_SYSCALL"},
	{0x4200, "PTRACE_SETOPTIONS"},
	{0x4201, "PTRACE_GETEVENTMSG"},
	{0x4202, "PTRACE_GETSIGINFO"},
	{0x4203, "PTRACE_SETSIGINFO"},
	{0x4204, "PTRACE_GETREGSET"},
	{0x4205, "PTRACE_SETREGSET"},
	{0x4206, "PTRACE_SEIZE"},
	{0x4207, "PTRACE_INTERRUPT"},
	{0x4208, "PTRACE_LISTEN"},
	{0x4209, "PTRACE_PEEKSIGINFO"},
	{0x420e, "PTRACE_GET_SYSCALL_INFO"},
	END_NAMES,
};

static const struct tj_decode_name families[] = {
	{0, "AF_UNSPEC"},    {1, "AF_UNIX"}, {2, "AF_INET"},	   {3, "AF_AX25"}, {4, "AF_IPX"},
	{5, "AF_APPLETALK"}, {9, "AF_X25"},  {10, "AF_INET6"},	   {15, "AF_KEY"}, {16, "AF_NETLINK"},
	{17, "AF_PACKET"},   {29, "AF_CAN"}, {31, "AF_BLUETOOTH"}, {38, "AF_ALG"}, {40, "AF_VSOCK"},
	{44, "AF_XDP"},	     END_NAMES,
};

static const struct tj_decode_name socktypes[] = {
	{1, "SOCK_STREAM"},    {2, "SOCK_DGRAM"}, {3, "SOCK_RAW"},     {4, "SOCK_RDM"},
	{5, "SOCK_SEQPACKET"}, {6, "SOCK_DCCP"},  {10, "SOCK_PACKET"}, END_NAMES,
};
static const struct tj_decode_name sockflags[] = {{04000, "SOCK_NONBLOCK"}, {02000000, "SOCK_CLOEXEC"}, END_NAMES};

/* CLONE_NEWTIME (0x80) is only a namespace flag for unshare, setns and
 * clone3; in clone(2) that bit belongs to the exit signal. */
static const struct tj_decode_name ns_flags[] = {
	{0x80, "CLONE_NEWTIME"},      {0x20000, "CLONE_NEWNS"},	    {0x2000000, "CLONE_NEWCGROUP"},
	{0x4000000, "CLONE_NEWUTS"},  {0x8000000, "CLONE_NEWIPC"},  {0x10000000, "CLONE_NEWUSER"},
	{0x20000000, "CLONE_NEWPID"}, {0x40000000, "CLONE_NEWNET"}, {0x400, "CLONE_FILES"},
	{0x200, "CLONE_FS"},	      {0x40000, "CLONE_SYSVSEM"},   END_NAMES,
};

static const struct tj_decode_name clone_flags[] = {
	{0x100, "CLONE_VM"},
	{0x200, "CLONE_FS"},
	{0x400, "CLONE_FILES"},
	{0x800, "CLONE_SIGHAND"},
	{0x1000, "CLONE_PIDFD"},
	{0x2000, "CLONE_PTRACE"},
	{0x4000, "CLONE_VFORK"},
	{0x8000, "CLONE_PARENT"},
	{0x10000, "CLONE_THREAD"},
	{0x20000, "CLONE_NEWNS"},
	{0x40000, "CLONE_SYSVSEM"},
	{0x80000, "CLONE_SETTLS"},
	{0x100000, "CLONE_PARENT_SETTID"},
	{0x200000, "CLONE_CHILD_CLEARTID"},
	{0x400000, "CLONE_DETACHED"},
	{0x800000, "CLONE_UNTRACED"},
	{0x1000000, "CLONE_CHILD_SETTID"},
	{0x2000000, "CLONE_NEWCGROUP"},
	{0x4000000, "CLONE_NEWUTS"},
	{0x8000000, "CLONE_NEWIPC"},
	{0x10000000, "CLONE_NEWUSER"},
	{0x20000000, "CLONE_NEWPID"},
	{0x40000000, "CLONE_NEWNET"},
	{0x80000000, "CLONE_IO"},
	END_NAMES,
};

/* The access mode (the low two bits) is printed first, separately. */
static const struct tj_decode_name open_flags[] = {
	{0100, "O_CREAT"},	 {0200, "O_EXCL"},	     {0400, "O_NOCTTY"},
	{01000, "O_TRUNC"},	 {02000, "O_APPEND"},	     {04000, "O_NONBLOCK"},
	{04010000, "O_SYNC"},	 {010000, "O_DSYNC"},	     {020000, "O_ASYNC"},
	{040000, "O_DIRECT"},	 {0100000, "O_LARGEFILE"},   {0200000, "O_DIRECTORY"},
	{0400000, "O_NOFOLLOW"}, {01000000, "O_NOATIME"},    {02000000, "O_CLOEXEC"},
	{010000000, "O_PATH"},	 {020000000, "__O_TMPFILE"}, END_NAMES,
};

static const struct tj_decode_name prot_flags[] = {
	{1, "PROT_READ"},
	{2, "PROT_WRITE"},
	{4, "PROT_EXEC"},
	{8, "PROT_SEM"},
	{0x01000000, "PROT_GROWSDOWN"},
	{0x02000000, "PROT_GROWSUP"},
	END_NAMES,
};

/* The sharing type (the low two bits) is printed first, separately. */
static const struct tj_decode_name map_flags[] = {
	{0x10, "MAP_FIXED"},
	{0x20, "MAP_ANONYMOUS"},
	{0x40, "MAP_32BIT"},
	{0x100, "MAP_GROWSDOWN"},
	{0x800, "MAP_DENYWRITE"},
	{0x1000, "MAP_EXECUTABLE"},
	{0x2000, "MAP_LOCKED"},
	{0x4000, "MAP_NORESERVE"},
	{0x8000, "MAP_POPULATE"},
	{0x10000, "MAP_NONBLOCK"},
	{0x20000, "MAP_STACK"},
	{0x40000, "MAP_HUGETLB"},
	{0x80000, "MAP_SYNC"},
	{0x100000, "MAP_FIXED_NOREPLACE"},
	END_NAMES,
};
static const struct tj_decode_name map_types[] = {
	{1, "MAP_SHARED"},
	{2, "MAP_PRIVATE"},
	{3, "MAP_SHARED_VALIDATE"},
	END_NAMES,
};

/* Terminal ioctls (asm-generic/ioctls.h) and the generic file ones. */
static const struct tj_decode_name ioctls[] = {
	{0x5401, "TCGETS"},	    {0x5402, "TCSETS"},
	{0x5403, "TCSETSW"},	    {0x5404, "TCSETSF"},
	{0x5405, "TCGETA"},	    {0x5406, "TCSETA"},
	{0x5409, "TCSBRK"},	    {0x540A, "TCXONC"},
	{0x540B, "TCFLSH"},	    {0x540C, "TIOCEXCL"},
	{0x540D, "TIOCNXCL"},	    {0x540E, "TIOCSCTTY"},
	{0x540F, "TIOCGPGRP"},	    {0x5410, "TIOCSPGRP"},
	{0x5411, "TIOCOUTQ"},	    {0x5412, "TIOCSTI"},
	{0x5413, "TIOCGWINSZ"},	    {0x5414, "TIOCSWINSZ"},
	{0x5415, "TIOCMGET"},	    {0x541B, "FIONREAD"},
	{0x541C, "TIOCLINUX"},	    {0x541D, "TIOCCONS"},
	{0x5421, "FIONBIO"},	    {0x5422, "TIOCNOTTY"},
	{0x5423, "TIOCSETD"},	    {0x5424, "TIOCGETD"},
	{0x5429, "TIOCGSID"},	    {0x5441, "TIOCGPTPEER"},
	{0x5450, "FIONCLEX"},	    {0x5451, "FIOCLEX"},
	{0x5452, "FIOASYNC"},	    {0x80045430, "TIOCGPTN"},
	{0x40045431, "TIOCSPTLCK"}, END_NAMES,
};

static const struct tj_decode_name mount_flags[] = {
	{1, "MS_RDONLY"},
	{2, "MS_NOSUID"},
	{4, "MS_NODEV"},
	{8, "MS_NOEXEC"},
	{16, "MS_SYNCHRONOUS"},
	{32, "MS_REMOUNT"},
	{64, "MS_MANDLOCK"},
	{128, "MS_DIRSYNC"},
	{256, "MS_NOSYMFOLLOW"},
	{1024, "MS_NOATIME"},
	{2048, "MS_NODIRATIME"},
	{4096, "MS_BIND"},
	{8192, "MS_MOVE"},
	{16384, "MS_REC"},
	{32768, "MS_SILENT"},
	{1 << 16, "MS_POSIXACL"},
	{1 << 17, "MS_UNBINDABLE"},
	{1 << 18, "MS_PRIVATE"},
	{1 << 19, "MS_SLAVE"},
	{1 << 20, "MS_SHARED"},
	{1 << 21, "MS_RELATIME"},
	{1 << 22, "MS_KERNMOUNT"},
	{1 << 23, "MS_I_VERSION"},
	{1 << 24, "MS_STRICTATIME"},
	{1 << 25, "MS_LAZYTIME"},
	END_NAMES,
};

static const struct tj_decode_name umount_flags[] = {
	{1, "MNT_FORCE"}, {2, "MNT_DETACH"}, {4, "MNT_EXPIRE"}, {8, "UMOUNT_NOFOLLOW"}, END_NAMES,
};

static const struct tj_decode_name prctl_options[] = {
	{1, "PR_SET_PDEATHSIG"},
	{2, "PR_GET_PDEATHSIG"},
	{3, "PR_GET_DUMPABLE"},
	{4, "PR_SET_DUMPABLE"},
	{8, "PR_SET_KEEPCAPS"},
	{15, "PR_SET_NAME"},
	{16, "PR_GET_NAME"},
	{21, "PR_GET_SECCOMP"},
	{22, "PR_SET_SECCOMP"},
	{23, "PR_CAPBSET_READ"},
	{24, "PR_CAPBSET_DROP"},
	{27, "PR_GET_SECUREBITS"},
	{28, "PR_SET_SECUREBITS"},
	{35, "PR_SET_MM"},
	{36, "PR_SET_CHILD_SUBREAPER"},
	{38, "PR_SET_NO_NEW_PRIVS"},
	{39, "PR_GET_NO_NEW_PRIVS"},
	{47, "PR_CAP_AMBIENT"},
	{0x59616d61, "PR_SET_PTRACER"},
	END_NAMES,
};

static const struct tj_decode_name bpf_cmds[] = {
	{0, "BPF_MAP_CREATE"},	     {1, "BPF_MAP_LOOKUP_ELEM"},
	{2, "BPF_MAP_UPDATE_ELEM"},  {3, "BPF_MAP_DELETE_ELEM"},
	{4, "BPF_MAP_GET_NEXT_KEY"}, {5, "BPF_PROG_LOAD"},
	{6, "BPF_OBJ_PIN"},	     {7, "BPF_OBJ_GET"},
	{8, "BPF_PROG_ATTACH"},	     {9, "BPF_PROG_DETACH"},
	{10, "BPF_PROG_TEST_RUN"},   {18, "BPF_BTF_LOAD"},
	{28, "BPF_LINK_CREATE"},     END_NAMES,
};

static const struct tj_decode_name fcntl_cmds[] = {
	{0, "F_DUPFD"},
	{1, "F_GETFD"},
	{2, "F_SETFD"},
	{3, "F_GETFL"},
	{4, "F_SETFL"},
	{5, "F_GETLK"},
	{6, "F_SETLK"},
	{7, "F_SETLKW"},
	{8, "F_SETOWN"},
	{9, "F_GETOWN"},
	{1030, "F_DUPFD_CLOEXEC"},
	{1031, "F_SETPIPE_SZ"},
	{1032, "F_GETPIPE_SZ"},
	{1033, "F_ADD_SEALS"},
	{1034, "F_GET_SEALS"},
	END_NAMES,
};

static const struct tj_decode_name keyctl_cmds[] = {
	{0, "KEYCTL_GET_KEYRING_ID"},
	{1, "KEYCTL_JOIN_SESSION_KEYRING"},
	{2, "KEYCTL_UPDATE"},
	{3, "KEYCTL_REVOKE"},
	{4, "KEYCTL_CHOWN"},
	{5, "KEYCTL_SETPERM"},
	{6, "KEYCTL_DESCRIBE"},
	{7, "KEYCTL_CLEAR"},
	{8, "KEYCTL_LINK"},
	{9, "KEYCTL_UNLINK"},
	{10, "KEYCTL_SEARCH"},
	{11, "KEYCTL_READ"},
	END_NAMES,
};

static const struct tj_decode_name at_flags[] = {
	{0x100, "AT_SYMLINK_NOFOLLOW"}, {0x200, "AT_REMOVEDIR"},   {0x400, "AT_SYMLINK_FOLLOW"},
	{0x800, "AT_NO_AUTOMOUNT"},	{0x1000, "AT_EMPTY_PATH"}, END_NAMES,
};

static const struct tj_decode_name madvise_advice[] = {
	{0, "MADV_NORMAL"},
	{1, "MADV_RANDOM"},
	{2, "MADV_SEQUENTIAL"},
	{3, "MADV_WILLNEED"},
	{4, "MADV_DONTNEED"},
	{8, "MADV_FREE"},
	{9, "MADV_REMOVE"},
	{10, "MADV_DONTFORK"},
	{11, "MADV_DOFORK"},
	{12, "MADV_MERGEABLE"},
	{13, "MADV_UNMERGEABLE"},
	{14, "MADV_HUGEPAGE"},
	{15, "MADV_NOHUGEPAGE"},
	{16, "MADV_DONTDUMP"},
	{17, "MADV_DODUMP"},
	{18, "MADV_WIPEONFORK"},
	{19, "MADV_KEEPONFORK"},
	{20, "MADV_COLD"},
	{21, "MADV_PAGEOUT"},
	{22, "MADV_POPULATE_READ"},
	{23, "MADV_POPULATE_WRITE"},
	{24, "MADV_DONTNEED_LOCKED"},
	{25, "MADV_COLLAPSE"},
	{100, "MADV_HWPOISON"},
	END_NAMES,
};

/* The operation (low 7 bits) with its two modifier flags. */
static const struct tj_decode_name futex_ops[] = {
	{0, "FUTEX_WAIT"},
	{1, "FUTEX_WAKE"},
	{2, "FUTEX_FD"},
	{3, "FUTEX_REQUEUE"},
	{4, "FUTEX_CMP_REQUEUE"},
	{5, "FUTEX_WAKE_OP"},
	{6, "FUTEX_LOCK_PI"},
	{7, "FUTEX_UNLOCK_PI"},
	{8, "FUTEX_TRYLOCK_PI"},
	{9, "FUTEX_WAIT_BITSET"},
	{10, "FUTEX_WAKE_BITSET"},
	{11, "FUTEX_WAIT_REQUEUE_PI"},
	{12, "FUTEX_CMP_REQUEUE_PI"},
	{13, "FUTEX_LOCK_PI2"},
	END_NAMES,
};
static const struct tj_decode_name futex_flags[] = {{128, "FUTEX_PRIVATE_FLAG"},
						    {256, "FUTEX_CLOCK_REALTIME"},
						    END_NAMES};

static const struct tj_decode_name arch_prctl_codes[] = {
	{0x1001, "ARCH_SET_GS"},	 {0x1002, "ARCH_SET_FS"},
	{0x1003, "ARCH_GET_FS"},	 {0x1004, "ARCH_GET_GS"},
	{0x1011, "ARCH_GET_CPUID"},	 {0x1012, "ARCH_SET_CPUID"},
	{0x1021, "ARCH_GET_XCOMP_SUPP"}, {0x1022, "ARCH_GET_XCOMP_PERM"},
	{0x1023, "ARCH_REQ_XCOMP_PERM"}, {0x3001, "ARCH_CET_STATUS"},
	{0x4001, "ARCH_GET_UNTAG_MASK"}, {0x5001, "ARCH_SHSTK_ENABLE"},
	{0x5005, "ARCH_SHSTK_STATUS"},	 END_NAMES,
};

static const struct tj_decode_name sock_levels[] = {
	{0, "IPPROTO_IP"},    {1, "SOL_SOCKET"},    {6, "IPPROTO_TCP"},	 {17, "IPPROTO_UDP"},
	{41, "IPPROTO_IPV6"}, {255, "IPPROTO_RAW"}, {263, "SOL_PACKET"}, {270, "SOL_NETLINK"},
	{282, "SOL_TLS"},     {283, "SOL_XDP"},	    END_NAMES,
};

static const struct tj_decode_name rlimits[] = {
	{0, "RLIMIT_CPU"},
	{1, "RLIMIT_FSIZE"},
	{2, "RLIMIT_DATA"},
	{3, "RLIMIT_STACK"},
	{4, "RLIMIT_CORE"},
	{5, "RLIMIT_RSS"},
	{6, "RLIMIT_NPROC"},
	{7, "RLIMIT_NOFILE"},
	{8, "RLIMIT_MEMLOCK"},
	{9, "RLIMIT_AS"},
	{10, "RLIMIT_LOCKS"},
	{11, "RLIMIT_SIGPENDING"},
	{12, "RLIMIT_MSGQUEUE"},
	{13, "RLIMIT_NICE"},
	{14, "RLIMIT_RTPRIO"},
	{15, "RLIMIT_RTTIME"},
	END_NAMES,
};

static const struct tj_decode_name membarrier_cmds[] = {
	{0, "MEMBARRIER_CMD_QUERY"},
	{1, "MEMBARRIER_CMD_GLOBAL"},
	{2, "MEMBARRIER_CMD_GLOBAL_EXPEDITED"},
	{4, "MEMBARRIER_CMD_REGISTER_GLOBAL_EXPEDITED"},
	{8, "MEMBARRIER_CMD_PRIVATE_EXPEDITED"},
	{16, "MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED"},
	{32, "MEMBARRIER_CMD_PRIVATE_EXPEDITED_SYNC_CORE"},
	{64, "MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED_SYNC_CORE"},
	{128, "MEMBARRIER_CMD_PRIVATE_EXPEDITED_RSEQ"},
	{256, "MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED_RSEQ"},
	END_NAMES,
};

static const struct tj_decode_name grnd_flags[] = {{1, "GRND_NONBLOCK"},
						   {2, "GRND_RANDOM"},
						   {4, "GRND_INSECURE"},
						   END_NAMES};
static const struct tj_decode_name mfd_flags[] = {{1, "MFD_CLOEXEC"},	  {2, "MFD_ALLOW_SEALING"}, {4, "MFD_HUGETLB"},
						  {8, "MFD_NOEXEC_SEAL"}, {16, "MFD_EXEC"},	    END_NAMES};
static const struct tj_decode_name mremap_flags[] = {{1, "MREMAP_MAYMOVE"},
						     {2, "MREMAP_FIXED"},
						     {4, "MREMAP_DONTUNMAP"},
						     END_NAMES};
static const struct tj_decode_name seccomp_ops[] = {
	{0, "SECCOMP_SET_MODE_STRICT"},
	{1, "SECCOMP_SET_MODE_FILTER"},
	{2, "SECCOMP_GET_ACTION_AVAIL"},
	{3, "SECCOMP_GET_NOTIF_SIZES"},
	END_NAMES,
};
static const struct tj_decode_name flock_ops[] = {{1, "LOCK_SH"},
						  {2, "LOCK_EX"},
						  {4, "LOCK_NB"},
						  {8, "LOCK_UN"},
						  END_NAMES};
static const struct tj_decode_name whences[] = {{0, "SEEK_SET"},  {1, "SEEK_CUR"},  {2, "SEEK_END"},
						{3, "SEEK_DATA"}, {4, "SEEK_HOLE"}, END_NAMES};
static const struct tj_decode_name wait_flags[] =
	{{1, "WNOHANG"},	 {2, "WUNTRACED"},	   {4, "WEXITED"},
	 {8, "WCONTINUED"},	 {0x1000000, "WNOWAIT"},   {0x20000000, "__WNOTHREAD"},
	 {0x40000000, "__WALL"}, {0x80000000, "__WCLONE"}, END_NAMES};
static const struct tj_decode_name personas[] = {
	{0, "PER_LINUX"},
	{0x0008, "PER_LINUX_32BIT"},
	{0x00400000, "READ_IMPLIES_EXEC"},
	{0x0040000, "ADDR_NO_RANDOMIZE"},
	{0x8000000, "ADDR_LIMIT_3GB"},
	{0xffffffff, "0xffffffff (query)"},
	END_NAMES,
};

static const struct tj_decode_name open_modes[] = {{0, "O_RDONLY"}, {1, "O_WRONLY"}, {2, "O_RDWR"}, END_NAMES};
static const struct tj_decode_name dirfds[] = {{0xffffff9c, "AT_FDCWD"}, END_NAMES};

#define INT32 0xffffffffull
struct kind_tables {
	unsigned char kind;
	struct tj_decode_table t[2];
};
/* Which tables each kind of argument has (put_arg above shows the same). */
static const struct kind_tables kind_tables[] = {
	{K_SIG, {{"signal", false, INT32, signals}}},
	{K_PTRACE, {{"ptrace request", false, ~0ull, ptrace_requests}}},
	{K_FAMILY, {{"socket family", false, INT32, families}}},
	{K_SOCKTYPE, {{"socket type", false, 0xf, socktypes}, {"socket flags", true, INT32 & ~0xfull, sockflags}}},
	{K_CLONE, {{"clone flags", true, INT32 & ~0xffull, clone_flags}}},
	{K_NSFLAGS, {{"namespace flags", true, INT32, ns_flags}}},
	{K_OPEN, {{"open access mode", false, 3, open_modes}, {"open flags", true, INT32 & ~3ull, open_flags}}},
	{K_PROT, {{"memory protection", true, INT32, prot_flags}}},
	{K_MAP, {{"mapping type", false, 3, map_types}, {"mapping flags", true, INT32 & ~3ull, map_flags}}},
	{K_IOCTL, {{"ioctl request", false, INT32, ioctls}}},
	{K_MOUNT, {{"mount flags", true, INT32, mount_flags}}},
	{K_UMOUNT, {{"unmount flags", true, INT32, umount_flags}}},
	{K_PRCTL, {{"prctl option", false, INT32, prctl_options}}},
	{K_BPF, {{"bpf command", false, INT32, bpf_cmds}}},
	{K_FCNTL, {{"fcntl command", false, INT32, fcntl_cmds}}},
	{K_KEYCTL, {{"keyctl command", false, INT32, keyctl_cmds}}},
	{K_ATFLAGS, {{"AT_ flags", true, INT32, at_flags}}},
	{K_MADV, {{"madvise advice", false, INT32, madvise_advice}}},
	{K_FUTEX, {{"futex operation", false, 127, futex_ops}, {"futex flags", true, INT32 & ~127ull, futex_flags}}},
	{K_ARCHPRCTL, {{"arch_prctl code", false, INT32, arch_prctl_codes}}},
	{K_SOCKLEVEL, {{"socket option level", false, INT32, sock_levels}}},
	{K_RLIMIT, {{"resource", false, INT32, rlimits}}},
	{K_MEMBARRIER, {{"membarrier command", false, INT32, membarrier_cmds}}},
	{K_GRND, {{"getrandom flags", true, INT32, grnd_flags}}},
	{K_MFD, {{"memfd flags", true, INT32, mfd_flags}}},
	{K_MREMAP, {{"mremap flags", true, INT32, mremap_flags}}},
	{K_SECCOMP, {{"seccomp operation", false, INT32, seccomp_ops}}},
	{K_PERSONA, {{"personality", false, INT32, personas}}},
	{K_DIRFD, {{"directory fd", false, INT32, dirfds}}},
};

struct call {
	int nr;
	unsigned char args[6];
};

/* x86_64 numbers (arch/x86/entry/syscalls/syscall_64.tbl). */
static const struct call calls[] = {
	{SYS_read, {K_INT, K_PTR, K_ULONG}},
	{SYS_write, {K_INT, K_PTR, K_ULONG}},
	{SYS_open, {K_PTR, K_OPEN, K_OCTAL}},
	{SYS_close, {K_INT}},
	{SYS_mmap, {K_PTR, K_ULONG, K_PROT, K_MAP, K_INT, K_HEX}},
	{SYS_mprotect, {K_PTR, K_ULONG, K_PROT}},
	{SYS_ioctl, {K_INT, K_IOCTL, K_HEX}},
	{SYS_socket, {K_FAMILY, K_SOCKTYPE, K_INT}},
	{SYS_connect, {K_INT, K_PTR, K_INT}},
	{SYS_accept4, {K_INT, K_PTR, K_PTR, K_SOCKTYPE}},
	{SYS_bind, {K_INT, K_PTR, K_INT}},
	{SYS_listen, {K_INT, K_INT}},
	{SYS_socketpair, {K_FAMILY, K_SOCKTYPE, K_INT, K_PTR}},
	{SYS_clone, {K_CLONE, K_PTR, K_PTR, K_PTR, K_HEX}},
	{SYS_fork, {K_END}},
	{SYS_vfork, {K_END}},
	{SYS_execve, {K_PTR, K_PTR, K_PTR}},
	{SYS_kill, {K_INT, K_SIG}},
	{SYS_fcntl, {K_INT, K_FCNTL, K_HEX}},
	{SYS_mkdir, {K_PTR, K_OCTAL}},
	{SYS_chmod, {K_PTR, K_OCTAL}},
	{SYS_ptrace, {K_PTRACE, K_LONG, K_PTR, K_PTR}},
	{SYS_personality, {K_PERSONA}},
	{SYS_chroot, {K_PTR}},
	{SYS_mount, {K_PTR, K_PTR, K_PTR, K_MOUNT, K_PTR}},
	{SYS_umount2, {K_PTR, K_UMOUNT}},
	{SYS_reboot, {K_HEX, K_HEX, K_HEX, K_PTR}},
	{SYS_sethostname, {K_PTR, K_INT}},
	{SYS_prctl, {K_PRCTL, K_HEX, K_HEX, K_HEX, K_HEX}},
	{SYS_tkill, {K_INT, K_SIG}},
	{SYS_tgkill, {K_INT, K_INT, K_SIG}},
	{SYS_keyctl, {K_KEYCTL, K_HEX, K_HEX, K_HEX, K_HEX}},
	{SYS_openat, {K_DIRFD, K_PTR, K_OPEN, K_OCTAL}},
	{SYS_mkdirat, {K_DIRFD, K_PTR, K_OCTAL}},
	{SYS_unshare, {K_NSFLAGS}},
	{SYS_setns, {K_INT, K_NSFLAGS}},
	{SYS_process_vm_readv, {K_INT, K_PTR, K_ULONG, K_PTR, K_ULONG, K_HEX}},
	{SYS_process_vm_writev, {K_INT, K_PTR, K_ULONG, K_PTR, K_ULONG, K_HEX}},
	{SYS_kcmp, {K_INT, K_INT, K_INT, K_HEX, K_HEX}},
	{SYS_bpf, {K_BPF, K_PTR, K_ULONG}},
	{SYS_execveat, {K_DIRFD, K_PTR, K_PTR, K_PTR, K_ATFLAGS}},
	{SYS_userfaultfd, {K_HEX}},
	{SYS_pidfd_open, {K_INT, K_HEX}},
	{SYS_clone3, {K_PTR, K_ULONG}},
	{SYS_getpid, {K_END}},
	{SYS_getppid, {K_END}},
	{SYS_getuid, {K_END}},
	{SYS_getpgrp, {K_END}},
	{SYS_gettid, {K_END}},
	{SYS_getsid, {K_INT}},
	{SYS_madvise, {K_PTR, K_ULONG, K_MADV}},
	{SYS_futex, {K_PTR, K_FUTEX, K_INT, K_PTR, K_PTR, K_INT}},
	{SYS_arch_prctl, {K_ARCHPRCTL, K_HEX}},
	{SYS_setsockopt, {K_INT, K_SOCKLEVEL, K_INT, K_PTR, K_INT}},
	{SYS_getsockopt, {K_INT, K_SOCKLEVEL, K_INT, K_PTR, K_PTR}},
	{SYS_pkey_mprotect, {K_PTR, K_ULONG, K_PROT, K_INT}},
	{SYS_rt_sigqueueinfo, {K_INT, K_SIG, K_PTR}},
	{SYS_rt_tgsigqueueinfo, {K_INT, K_INT, K_SIG, K_PTR}},
	{SYS_pidfd_send_signal, {K_INT, K_SIG, K_PTR, K_HEX}},
	{SYS_membarrier, {K_MEMBARRIER, K_HEX, K_INT}},
	{SYS_prlimit64, {K_INT, K_RLIMIT, K_PTR, K_PTR}},
	{SYS_getrandom, {K_PTR, K_ULONG, K_GRND}},
	{SYS_memfd_create, {K_PTR, K_MFD}},
	{SYS_mremap, {K_PTR, K_ULONG, K_ULONG, K_MREMAP, K_PTR}},
	{SYS_seccomp, {K_SECCOMP, K_HEX, K_PTR}},
	/* The rest: every argument with its count, so that no call shows six
	 * registers where it takes one. */
	{SYS_flock, {K_INT, K_FLOCK}},
	{SYS_pipe, {K_PTR}},
	{SYS_pipe2, {K_PTR, K_OFLAGS}},
	{SYS_dup, {K_INT}},
	{SYS_dup2, {K_INT, K_INT}},
	{SYS_dup3, {K_INT, K_INT, K_OFLAGS}},
	{SYS_setpgid, {K_INT, K_INT}},
	{SYS_getpgid, {K_INT}},
	{SYS_setsid, {K_END}},
	{SYS_setuid, {K_INT}},
	{SYS_setgid, {K_INT}},
	{SYS_setreuid, {K_INT, K_INT}},
	{SYS_setregid, {K_INT, K_INT}},
	{SYS_setresuid, {K_INT, K_INT, K_INT}},
	{SYS_setresgid, {K_INT, K_INT, K_INT}},
	{SYS_setgroups, {K_INT, K_PTR}},
	{SYS_capget, {K_PTR, K_PTR}},
	{SYS_capset, {K_PTR, K_PTR}},
	{SYS_getpriority, {K_INT, K_INT}},
	{SYS_setpriority, {K_INT, K_INT, K_INT}},
	{SYS_ioprio_get, {K_INT, K_INT}},
	{SYS_ioprio_set, {K_INT, K_INT, K_HEX}},
	{SYS_get_mempolicy, {K_PTR, K_PTR, K_ULONG, K_PTR, K_HEX}},
	{SYS_set_mempolicy, {K_INT, K_PTR, K_ULONG}},
	{SYS_sched_setaffinity, {K_INT, K_ULONG, K_PTR}},
	{SYS_sched_getaffinity, {K_INT, K_ULONG, K_PTR}},
	{SYS_lseek, {K_INT, K_LONG, K_WHENCE}},
	{SYS_pread64, {K_INT, K_PTR, K_ULONG, K_LONG}},
	{SYS_pwrite64, {K_INT, K_PTR, K_ULONG, K_LONG}},
	{SYS_readv, {K_INT, K_PTR, K_INT}},
	{SYS_writev, {K_INT, K_PTR, K_INT}},
	{SYS_access, {K_PTR, K_OCTAL}},
	{SYS_faccessat, {K_DIRFD, K_PTR, K_OCTAL}},
	{SYS_faccessat2, {K_DIRFD, K_PTR, K_OCTAL, K_ATFLAGS}},
	{SYS_stat, {K_PTR, K_PTR}},
	{SYS_lstat, {K_PTR, K_PTR}},
	{SYS_fstat, {K_INT, K_PTR}},
	{SYS_newfstatat, {K_DIRFD, K_PTR, K_PTR, K_ATFLAGS}},
	{SYS_statx, {K_DIRFD, K_PTR, K_ATFLAGS, K_HEX, K_PTR}},
	{SYS_unlink, {K_PTR}},
	{SYS_unlinkat, {K_DIRFD, K_PTR, K_ATFLAGS}},
	{SYS_rename, {K_PTR, K_PTR}},
	{SYS_renameat2, {K_DIRFD, K_PTR, K_DIRFD, K_PTR, K_HEX}},
	{SYS_rmdir, {K_PTR}},
	{SYS_link, {K_PTR, K_PTR}},
	{SYS_symlink, {K_PTR, K_PTR}},
	{SYS_readlink, {K_PTR, K_PTR, K_ULONG}},
	{SYS_chdir, {K_PTR}},
	{SYS_fchdir, {K_INT}},
	{SYS_getcwd, {K_PTR, K_ULONG}},
	{SYS_getdents64, {K_INT, K_PTR, K_ULONG}},
	{SYS_fsync, {K_INT}},
	{SYS_fdatasync, {K_INT}},
	{SYS_truncate, {K_PTR, K_LONG}},
	{SYS_ftruncate, {K_INT, K_LONG}},
	{SYS_fchmod, {K_INT, K_OCTAL}},
	{SYS_fchmodat, {K_DIRFD, K_PTR, K_OCTAL}},
	{SYS_chown, {K_PTR, K_INT, K_INT}},
	{SYS_fchown, {K_INT, K_INT, K_INT}},
	{SYS_lchown, {K_PTR, K_INT, K_INT}},
	{SYS_umask, {K_OCTAL}},
	{SYS_mknod, {K_PTR, K_OCTAL, K_HEX}},
	{SYS_mknodat, {K_DIRFD, K_PTR, K_OCTAL, K_HEX}},
	{SYS_utimensat, {K_DIRFD, K_PTR, K_PTR, K_ATFLAGS}},
	{SYS_munmap, {K_PTR, K_ULONG}},
	{SYS_brk, {K_PTR}},
	{SYS_msync, {K_PTR, K_ULONG, K_HEX}},
	{SYS_mlock, {K_PTR, K_ULONG}},
	{SYS_mincore, {K_PTR, K_ULONG, K_PTR}},
	{SYS_exit, {K_INT}},
	{SYS_exit_group, {K_INT}},
	{SYS_wait4, {K_INT, K_PTR, K_WAIT, K_PTR}},
	{SYS_waitid, {K_INT, K_INT, K_PTR, K_WAIT, K_PTR}},
	{SYS_nanosleep, {K_PTR, K_PTR}},
	{SYS_clock_nanosleep, {K_INT, K_HEX, K_PTR, K_PTR}},
	{SYS_alarm, {K_ULONG}},
	{SYS_pause, {K_END}},
	{SYS_sendto, {K_INT, K_PTR, K_ULONG, K_HEX, K_PTR, K_INT}},
	{SYS_recvfrom, {K_INT, K_PTR, K_ULONG, K_HEX, K_PTR, K_PTR}},
	{SYS_sendmsg, {K_INT, K_PTR, K_HEX}},
	{SYS_recvmsg, {K_INT, K_PTR, K_HEX}},
	{SYS_shutdown, {K_INT, K_INT}},
	{SYS_getpeername, {K_INT, K_PTR, K_PTR}},
	{SYS_getsockname, {K_INT, K_PTR, K_PTR}},
	{SYS_accept, {K_INT, K_PTR, K_PTR}},
	{SYS_epoll_create1, {K_OFLAGS}},
	{SYS_epoll_ctl, {K_INT, K_INT, K_INT, K_PTR}},
	{SYS_epoll_wait, {K_INT, K_PTR, K_INT, K_INT}},
	{SYS_epoll_pwait, {K_INT, K_PTR, K_INT, K_INT, K_PTR, K_ULONG}},
	{SYS_poll, {K_PTR, K_ULONG, K_INT}},
	{SYS_ppoll, {K_PTR, K_ULONG, K_PTR, K_PTR, K_ULONG}},
	{SYS_select, {K_INT, K_PTR, K_PTR, K_PTR, K_PTR}},
	{SYS_pselect6, {K_INT, K_PTR, K_PTR, K_PTR, K_PTR, K_PTR}},
	{SYS_eventfd2, {K_ULONG, K_OFLAGS}},
	{SYS_timerfd_create, {K_INT, K_OFLAGS}},
	{SYS_signalfd4, {K_INT, K_PTR, K_ULONG, K_OFLAGS}},
	{SYS_inotify_init1, {K_OFLAGS}},
	{SYS_sync, {K_END}},
	{SYS_syncfs, {K_INT}},
	{SYS_sysinfo, {K_PTR}},
	{SYS_uname, {K_PTR}},
	{SYS_times, {K_PTR}},
	{SYS_getrusage, {K_INT, K_PTR}},
	{SYS_shmget, {K_HEX, K_ULONG, K_OCTAL}},
	{SYS_shmat, {K_INT, K_PTR, K_HEX}},
	{SYS_shmdt, {K_PTR}},
	{SYS_shmctl, {K_INT, K_INT, K_PTR}},
	{SYS_semget, {K_HEX, K_INT, K_OCTAL}},
	{SYS_semop, {K_INT, K_PTR, K_ULONG}},
	{SYS_msgget, {K_HEX, K_OCTAL}},
	{SYS_pkey_alloc, {K_HEX, K_HEX}},
	{SYS_pkey_free, {K_INT}},
	{SYS_landlock_create_ruleset, {K_PTR, K_ULONG, K_HEX}},
	{SYS_landlock_add_rule, {K_INT, K_INT, K_PTR, K_HEX}},
	{SYS_landlock_restrict_self, {K_INT, K_HEX}},
	{SYS_io_uring_setup, {K_ULONG, K_PTR}},
	{SYS_perf_event_open, {K_PTR, K_INT, K_INT, K_INT, K_HEX}},
	{SYS_pidfd_getfd, {K_INT, K_INT, K_HEX}},
	{SYS_pivot_root, {K_PTR, K_PTR}},
	{SYS_swapon, {K_PTR, K_HEX}},
	{SYS_swapoff, {K_PTR}},
	{SYS_init_module, {K_PTR, K_ULONG, K_PTR}},
	{SYS_finit_module, {K_INT, K_PTR, K_HEX}},
	{SYS_delete_module, {K_PTR, K_HEX}},
	{SYS_kexec_load, {K_ULONG, K_ULONG, K_PTR, K_HEX}},
	{SYS_settimeofday, {K_PTR, K_PTR}},
	{SYS_clock_settime, {K_INT, K_PTR}},
	{SYS_iopl, {K_INT}},
	{SYS_ioperm, {K_ULONG, K_ULONG, K_INT}},
	{SYS_sendfile, {K_INT, K_INT, K_PTR, K_ULONG}},
	{SYS_splice, {K_INT, K_PTR, K_INT, K_PTR, K_ULONG, K_HEX}},
	{SYS_copy_file_range, {K_INT, K_PTR, K_INT, K_PTR, K_ULONG, K_HEX}},
	{SYS_fadvise64, {K_INT, K_LONG, K_LONG, K_INT}},
	{SYS_sched_yield, {K_END}},
	{SYS_getcpu, {K_PTR, K_PTR, K_PTR}},
};

static const struct call *find_call(const struct seccomp_data *d)
{
	if (d->arch != AUDIT_ARCH_X86_64 || (d->nr & 0x40000000))
		return NULL;
	for (size_t i = 0; i < TJ_ARRAY_SIZE(calls); i++)
		if (calls[i].nr == d->nr)
			return &calls[i];
	return NULL;
}

bool tj_decode_known(const struct seccomp_data *d)
{
	return find_call(d) != NULL;
}

static const char *lookup(const struct tj_decode_name *t, uint64_t v)
{
	for (; t->name; t++)
		if (t->value == v)
			return t->name;
	return NULL;
}

static void put_enum(struct tj_buf *b, const struct tj_decode_name *t, uint64_t v, bool decimal)
{
	const char *n = lookup(t, v);
	if (n)
		tj_buf_add(b, n);
	else if (decimal)
		tj_buf_addf(b, "%llu", (unsigned long long)v);
	else
		tj_buf_addf(b, "0x%llx", (unsigned long long)v);
}

/* Names every flag of t found in v, in table order, then the rest in hex.
 * Multi-bit entries (O_SYNC) match only when all their bits are set. */
static void put_flags(struct tj_buf *b, const struct tj_decode_name *t, uint64_t v, bool *first)
{
	for (; t->name; t++) {
		if (t->value && (v & t->value) == t->value) {
			tj_buf_addf(b, "%s%s", *first ? "" : "|", t->name);
			*first = false;
			v &= ~t->value;
		}
	}
	if (v) {
		tj_buf_addf(b, "%s0x%llx", *first ? "" : "|", (unsigned long long)v);
		*first = false;
	}
}

static void put_flagset(struct tj_buf *b, const struct tj_decode_name *t, uint64_t v)
{
	bool first = true;
	put_flags(b, t, v, &first);
	if (first)
		tj_buf_add(b, "0");
}

static void put_signal(struct tj_buf *b, uint64_t v)
{
	int sig = (int)(uint32_t)v;
	const char *known = lookup(signals, (uint32_t)v);
	const char *n = sig > 0 && sig < NSIG ? sigabbrev_np(sig) : NULL;
	if (known)
		tj_buf_add(b, known);
	else if (n)
		tj_buf_addf(b, "SIG%s", n);
	else
		tj_buf_addf(b, "%d", sig);
}

static void put_arg(struct tj_buf *b, enum kind k, uint64_t v)
{
	switch (k) {
	case K_INT: tj_buf_addf(b, "%d", (int)(uint32_t)v); return;
	case K_LONG: tj_buf_addf(b, "%lld", (long long)v); return;
	case K_ULONG: tj_buf_addf(b, "%llu", (unsigned long long)v); return;
	case K_PTR:
		if (v == 0) {
			tj_buf_add(b, "NULL");
			return;
		}
		/* fall through */
	case K_HEX: tj_buf_addf(b, "0x%llx", (unsigned long long)v); return;
	case K_OCTAL: tj_buf_addf(b, "0%llo", (unsigned long long)v); return;
	case K_DIRFD:
		if ((int)(uint32_t)v == -100)
			tj_buf_add(b, "AT_FDCWD");
		else
			tj_buf_addf(b, "%d", (int)(uint32_t)v);
		return;
	case K_SIG: put_signal(b, v); return;
	case K_PTRACE: put_enum(b, ptrace_requests, v, true); return;
	case K_FAMILY: put_enum(b, families, (uint32_t)v, true); return;
	case K_SOCKTYPE: {
		uint32_t t = (uint32_t)v & 0xf, rest = (uint32_t)v & ~0xfu;
		bool first = true;
		const char *n = lookup(socktypes, t);
		if (n) {
			tj_buf_add(b, n);
			first = false;
		} else {
			rest = (uint32_t)v;
		}
		if (rest || first)
			put_flags(b, sockflags, rest, &first);
		if (first)
			tj_buf_add(b, "0");
		return;
	}
	case K_CLONE: {
		bool first = true;
		put_flags(b, clone_flags, v & ~0xffull, &first);
		if (v & 0xff) {
			tj_buf_add(b, first ? "" : "|");
			put_signal(b, v & 0xff);
			first = false;
		}
		if (first)
			tj_buf_add(b, "0");
		return;
	}
	case K_NSFLAGS: put_flagset(b, ns_flags, v); return;
	case K_OPEN: {
		static const char *const modes[] = {"O_RDONLY", "O_WRONLY", "O_RDWR", "O_ACCMODE"};
		tj_buf_add(b, modes[v & 3]);
		bool first = false;
		put_flags(b, open_flags, v & ~3ull, &first);
		return;
	}
	case K_PROT:
		if (v == 0)
			tj_buf_add(b, "PROT_NONE");
		else
			put_flagset(b, prot_flags, v);
		return;
	case K_MAP: {
		bool first = true;
		const char *n = lookup(map_types, v & 3);
		if (n) {
			tj_buf_add(b, n);
			first = false;
			v &= ~3ull;
		}
		put_flags(b, map_flags, v, &first);
		if (first)
			tj_buf_add(b, "0");
		return;
	}
	case K_IOCTL: put_enum(b, ioctls, (uint32_t)v, false); return;
	case K_MOUNT: put_flagset(b, mount_flags, v); return;
	case K_UMOUNT: put_flagset(b, umount_flags, v); return;
	case K_PRCTL: put_enum(b, prctl_options, (uint32_t)v, true); return;
	case K_BPF: put_enum(b, bpf_cmds, (uint32_t)v, true); return;
	case K_FCNTL: put_enum(b, fcntl_cmds, (uint32_t)v, true); return;
	case K_KEYCTL: put_enum(b, keyctl_cmds, (uint32_t)v, true); return;
	case K_ATFLAGS: put_flagset(b, at_flags, v); return;
	case K_MADV: put_enum(b, madvise_advice, (uint32_t)v, true); return;
	case K_FUTEX: {
		put_enum(b, futex_ops, (uint32_t)v & 127, true);
		bool first = false;
		put_flags(b, futex_flags, (uint32_t)v & ~127u, &first);
		return;
	}
	case K_ARCHPRCTL: put_enum(b, arch_prctl_codes, (uint32_t)v, false); return;
	case K_SOCKLEVEL: put_enum(b, sock_levels, (uint32_t)v, true); return;
	case K_RLIMIT: put_enum(b, rlimits, (uint32_t)v, true); return;
	case K_MEMBARRIER: put_enum(b, membarrier_cmds, (uint32_t)v, true); return;
	case K_GRND: put_flagset(b, grnd_flags, v); return;
	case K_MFD: put_flagset(b, mfd_flags, v); return;
	case K_MREMAP: put_flagset(b, mremap_flags, v); return;
	case K_SECCOMP: put_enum(b, seccomp_ops, (uint32_t)v, true); return;
	case K_FLOCK: put_flagset(b, flock_ops, (uint32_t)v); return;
	case K_OFLAGS: {
		/* open_flags without the access mode, which these calls lack */
		bool first = true;
		put_flags(b, open_flags, (uint32_t)v & ~3u, &first);
		if ((uint32_t)v & 3u)
			tj_buf_addf(b, "%s0x%x", first ? "" : "|", (unsigned)v & 3u);
		else if (first)
			tj_buf_add(b, "0");
		return;
	}
	case K_WHENCE: put_enum(b, whences, (uint32_t)v, true); return;
	case K_WAIT: put_flagset(b, wait_flags, (uint32_t)v); return;
	case K_PERSONA: {
		const char *n = lookup(personas, (uint32_t)v);
		if (n)
			tj_buf_add(b, n);
		else
			tj_buf_addf(b, "0x%llx", (unsigned long long)v);
		return;
	}
	case K_END: return;
	}
}

void tj_decode_call(const struct seccomp_data *d, char *buf, size_t size)
{
	if (!size)
		return;
	char name[64];
	tj_syscall_name(d->arch, d->nr, name, sizeof(name));
	struct tj_buf b = {0};
	tj_buf_addf(&b, "%s(", name);
	const struct call *c = find_call(d);
	for (int i = 0; i < 6; i++) {
		if (c && c->args[i] == K_END)
			break;
		if (i)
			tj_buf_add(&b, ", ");
		if (c)
			put_arg(&b, (enum kind)c->args[i], d->args[i]);
		else
			tj_buf_addf(&b, "0x%llx", (unsigned long long)d->args[i]);
	}
	tj_buf_add(&b, ")");
	snprintf(buf, size, "%s", b.s);
	tj_buf_done(&b);
}

void tj_decode_arg(int nr, unsigned index, uint64_t value, char *buf, size_t size)
{
	if (!size)
		return;
	struct seccomp_data d = {.nr = nr, .arch = AUDIT_ARCH_X86_64};
	const struct call *c = find_call(&d);
	struct tj_buf b = {0};
	if (c && index < 6 && c->args[index] != K_END)
		put_arg(&b, (enum kind)c->args[index], value);
	else
		tj_buf_addf(&b, "0x%llx", (unsigned long long)value);
	snprintf(buf, size, "%s", b.s);
	tj_buf_done(&b);
}

size_t tj_decode_tables(int nr, unsigned index, const struct tj_decode_table **out, size_t max)
{
	struct seccomp_data d = {.nr = nr, .arch = AUDIT_ARCH_X86_64};
	const struct call *c = find_call(&d);
	if (!c || index >= 6)
		return 0;
	for (size_t i = 0; i < TJ_ARRAY_SIZE(kind_tables); i++) {
		if (kind_tables[i].kind != c->args[index])
			continue;
		size_t n = 0;
		for (size_t k = 0; k < 2 && kind_tables[i].t[k].names; k++)
			if (n < max)
				out[n++] = &kind_tables[i].t[k];
		return n;
	}
	return 0;
}
