/* SPDX-License-Identifier: Apache-2.0 */
/*
 * probe: the program the integration tests run inside sandboxes.  Each
 * subcommand does one observable thing and exits with a status that tells
 * what happened, so that an allowed and a blocked outcome always differ:
 *
 *   probe syscall NR|NAME [ARG...]   make one raw system call; exit 0 on
 *                                    success, else the errno it failed with
 *   probe seq NR|NAME...             several raw calls with zero arguments;
 *                                    exit 0 (results are printed)
 *   probe i386 NR [ARG...]           the call through int 0x80 (the i386
 *                                    ABI, i386 numbers; up to 5 arguments)
 *   probe x32 NR                     the call through the x32 ABI bit
 *   probe thread NR|NAME [ARG...]    the call from a second thread while the
 *                                    main thread waits; exit 0 if the process
 *                                    survives
 *   probe fork NR|NAME [ARG...]      the call from a child process; prints
 *                                    how the child ended, exits 0
 *   probe exit N | probe raise SIG   end with status N / by signal SIG
 *   probe sleep SECONDS              sleep (for signal tests)
 *   probe write FILE BYTES           write BYTES bytes to FILE
 *   probe env NAME                   print NAME's value, exit 1 if unset
 *   probe alloc MB                   allocate and touch MB MiB; exit 0
 *   probe heap                       the fault injector's start marker, then
 *                                    2 MiB of small blocks from malloc, each
 *                                    touched; exit 0 (tests/faults/smoke.sh)
 *   probe spin SECONDS               burn CPU for SECONDS of wall time
 *   probe stack MB                   recurse until MB MiB of stack are used
 *   probe forks N SECONDS            fork N children that sleep SECONDS; print
 *                                    how many forks failed; exit 0
 *   probe tree PIDFILE SECONDS       start a grandchild that writes its pid to
 *                                    PIDFILE and sleeps; then sleep too
 *   probe fds                        print the open file descriptors
 *   probe sigio setown|setown_ex|fiosetown|siocspgrp PID SIG
 *                                    make PID the owner of a descriptor
 *                                    (fcntl F_SETOWN/F_SETOWN_EX, ioctl
 *                                    FIOSETOWN/SIOCSPGRP), F_SETSIG SIG (0:
 *                                    SIGIO), then make it ready: PID gets
 *                                    the signal; 0 or the errno that stopped it
 *   probe repeat NR|NAME COUNT       the call COUNT times with zero arguments;
 *                                    prints the mean time per call (for
 *                                    measuring a path's overhead, bench/)
 *   probe tcp ADDR PORT              TCP connect (5 s at most); exit 0 when
 *                                    connected, else the errno
 *   probe udp ADDR PORT              one UDP datagram with sendto; 0 or errno
 *   probe udpconn ADDR PORT          UDP connect, then send; 0 or errno
 *   probe tfo ADDR PORT              TCP Fast Open: sendto(MSG_FASTOPEN); 0
 *                                    or errno
 *   probe listen tcp|udp ADDR PORT SECONDS
 *                                    serve: accept and close (tcp), print
 *                                    each datagram (udp); "listening" once
 *                                    ready
 *   probe listen unix PATH|@NAME SECONDS
 *                                    the same on a UNIX stream socket, a
 *                                    file or an abstract name (mode 0777)
 *   probe unix PATH|@NAME [read]     connect to it; exit 0 when connected,
 *                                    else the errno; with read, then print
 *                                    how many bytes came before EOF
 *   probe connects ADDR PORT COUNT   COUNT TCP connects, closing each; prints
 *                                    the mean time per connect (bench/)
 *   probe sends ADDR PORT COUNT      COUNT UDP sendto calls on one socket;
 *                                    prints the mean time per call (bench/)
 *   probe confinement FILE OUTSIDE   write to FILE what confines it: seccomp
 *                                    mode, no_new_privs, capabilities, its
 *                                    namespaces, cgroup, RLIMIT_NOFILE, and
 *                                    whether OUTSIDE (a path outside a view)
 *                                    can be opened (tests/faults/)
 *   probe attack HOW TARGET [SIG]    an attack on another process (tinyjail's
 *                                    own, in the security tests): exit 0 when
 *                                    it worked, else the errno that stopped
 *                                    it.  TARGET: parent, grandparent,
 *                                    proxy (tinyjail-proxy, tinyjail's child),
 *                                    sibling (another child of tinyjail
 *                                    named tinyjail: the listener helper)
 *                                    or a pid.  HOW:
 *                                      mem      open /proc/T/mem read-write,
 *                                               and write a byte back
 *                                      environ  read /proc/T/environ (printed)
 *                                      fd       list /proc/T/fd
 *                                      ptrace   PTRACE_ATTACH (then detach)
 *                                      vmread   process_vm_readv (EFAULT
 *                                               means the access was allowed)
 *                                      kill     kill(T, SIG); a SIGSTOP that
 *                                               lands is undone by SIGCONT
 *                                      pidfd    pidfd_send_signal(SIG) through
 *                                               pidfd_open and /proc/T
 *                                      setown   F_SETOWN T, F_SETSIG SIG on a
 *                                               pipe, then make it readable
 *                                    TARGET "group" with kill: kill(0, SIG),
 *                                    the probe ignoring SIG where it can
 *
 * Built static and without sanitizers: it must start under strict filters,
 * and a sanitizer runtime makes system calls of its own.
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const struct {
	const char *name;
	long nr;
} names[] = {
	{"read", SYS_read},
	{"write", SYS_write},
	{"getpid", SYS_getpid},
	{"getppid", SYS_getppid},
	{"getuid", SYS_getuid},
	{"getgid", SYS_getgid},
	{"geteuid", SYS_geteuid},
	{"gettid", SYS_gettid},
	{"uname", SYS_uname},
	{"socket", SYS_socket},
	{"ptrace", SYS_ptrace},
	{"personality", SYS_personality},
	{"mkdir", SYS_mkdir},
	{"mkdirat", SYS_mkdirat},
	{"unshare", SYS_unshare},
	{"setns", SYS_setns},
	{"kcmp", SYS_kcmp},
	{"dup3", SYS_dup3},
	{"ftruncate", SYS_ftruncate},
	{"clone", SYS_clone},
	{"process_vm_readv", SYS_process_vm_readv},
	{"process_vm_writev", SYS_process_vm_writev},
	{"mount", SYS_mount},
	{"chroot", SYS_chroot},
	{"sethostname", SYS_sethostname},
	{"syslog", SYS_syslog},
	{"reboot", SYS_reboot},
	{"bpf", SYS_bpf},
	{"keyctl", SYS_keyctl},
	{"userfaultfd", SYS_userfaultfd},
	{"acct", SYS_acct},
	{"chmod", SYS_chmod},
	{"getcwd", SYS_getcwd},
	{"sched_yield", SYS_sched_yield},
	{"getpgrp", SYS_getpgrp},
	{"getsid", SYS_getsid},
	{"mseal", 462},
	{"clone3", SYS_clone3},
	{"io_uring_setup", SYS_io_uring_setup},
	{"mmap", SYS_mmap},
	{"mprotect", SYS_mprotect},
	{"ioctl", SYS_ioctl},
	{"kill", SYS_kill},
	{"init_module", SYS_init_module},
	{"finit_module", SYS_finit_module},
	{"kexec_load", SYS_kexec_load},
	{"open_by_handle_at", SYS_open_by_handle_at},
	{"perf_event_open", SYS_perf_event_open},
	{"iopl", SYS_iopl},
	{"ioperm", SYS_ioperm},
	{"add_key", SYS_add_key},
	{"delete_module", SYS_delete_module},
};

static long parse_nr(const char *s)
{
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(names[i].name, s) == 0)
			return names[i].nr;
	char *end;
	long v = strtol(s, &end, 0);
	if (*end || end == s) {
		fprintf(stderr, "probe: unknown syscall '%s'\n", s);
		exit(200);
	}
	return v;
}

static unsigned long parse_arg(const char *s)
{
	return strtoul(s, NULL, 0);
}

struct call {
	long nr;
	unsigned long a[6];
	long ret;
	int err;
};

static void parse_call(struct call *c, int argc, char **argv)
{
	memset(c, 0, sizeof(*c));
	c->nr = parse_nr(argv[0]);
	/* Defaults make allowed calls fail harmlessly: fd -1 (EBADF), NULL
	 * pointers (EFAULT). */
	for (int i = 0; i < 6; i++)
		c->a[i] = (unsigned long)-1;
	for (int i = 1; i < argc && i <= 6; i++)
		c->a[i - 1] = parse_arg(argv[i]);
	if (argc == 1)
		memset(c->a, 0, sizeof(c->a));
}

static void do_call(struct call *c)
{
	errno = 0;
	c->ret = syscall(c->nr, c->a[0], c->a[1], c->a[2], c->a[3], c->a[4], c->a[5]);
	c->err = c->ret < 0 ? errno : 0;
}

/* A call through the i386 ABI from this 64-bit process: seccomp sees
 * AUDIT_ARCH_I386 and i386 numbers. */
static void do_call_i386(struct call *c)
{
	long ret;
	__asm__ volatile("int $0x80"
			 : "=a"(ret)
			 : "a"(c->nr), "b"(c->a[0]), "c"(c->a[1]), "d"(c->a[2]), "S"(c->a[3]), "D"(c->a[4])
			 : "memory", "r8", "r9", "r10", "r11"); /* the kernel zeroes r8-r11 */
	c->ret = ret < 0 && ret > -4096 ? -1 : ret;
	c->err = ret < 0 && ret > -4096 ? (int)-ret : 0;
}

static void print_call(const char *prefix, const struct call *c)
{
	printf("%ssyscall %ld = %ld", prefix, c->nr, c->ret);
	if (c->err)
		printf(" (%s)", strerrorname_np(c->err) ? strerrorname_np(c->err) : "?");
	printf("\n");
	fflush(stdout);
}

/* Uses about `bytes` of stack, a page per call; returns what it used. */
__attribute__((noinline)) static long recurse(long bytes, long used)
{
	volatile char page[4096];
	page[0] = (char)used;
	if (used + (long)sizeof(page) >= bytes)
		return used + (long)sizeof(page);
	/* Not a tail call: each frame must stay on the stack. */
	long r = recurse(bytes, used + (long)sizeof(page));
	page[1] = (char)r;
	return r;
}

/* ADDR (IPv4 or IPv6, brackets optional) and PORT into a socket address. */
static socklen_t parse_sockaddr(const char *addr, const char *port, struct sockaddr_storage *ss)
{
	char buf[64];
	snprintf(buf, sizeof(buf), "%s", addr);
	if (buf[0] == '[') {
		memmove(buf, buf + 1, strlen(buf));
		buf[strcspn(buf, "]")] = '\0';
	}
	memset(ss, 0, sizeof(*ss));
	struct sockaddr_in *v4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)ss;
	if (inet_pton(AF_INET, buf, &v4->sin_addr) == 1) {
		v4->sin_family = AF_INET;
		v4->sin_port = htons((uint16_t)atoi(port));
		return sizeof(*v4);
	}
	if (inet_pton(AF_INET6, buf, &v6->sin6_addr) == 1) {
		v6->sin6_family = AF_INET6;
		v6->sin6_port = htons((uint16_t)atoi(port));
		return sizeof(*v6);
	}
	fprintf(stderr, "probe: '%s' is not an address\n", addr);
	exit(200);
}

static int report_net(const char *what, const char *addr, const char *port, int err)
{
	printf("%s %s %s = %s\n", what, addr, port, err ? strerrorname_np(err) : "ok");
	fflush(stdout);
	return err;
}

/* A TCP connect that gives up after 5 seconds (ETIMEDOUT).  reset: close
 * with a reset, leaving no TIME_WAIT behind (many connects in a row). */
static int tcp_connect(const struct sockaddr_storage *ss, socklen_t len, bool reset)
{
	int fd = socket(ss->ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return errno;
	struct linger lg = {.l_onoff = 1, .l_linger = 0};
	if (reset)
		setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	int err = 0;
	if (connect(fd, (const struct sockaddr *)ss, len) < 0) {
		err = errno;
		if (err == EINPROGRESS) {
			struct pollfd p = {.fd = fd, .events = POLLOUT};
			if (poll(&p, 1, 5000) != 1) {
				err = ETIMEDOUT;
			} else {
				socklen_t l = sizeof(err);
				getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &l);
			}
		}
	}
	close(fd);
	return err;
}

static int net_command(const char *cmd, int argc, char **argv)
{
	struct sockaddr_storage ss;
	socklen_t len = parse_sockaddr(argv[2], argv[3], &ss);
	if (strcmp(cmd, "tcp") == 0)
		return report_net(cmd, argv[2], argv[3], tcp_connect(&ss, len, false));
	if (strcmp(cmd, "connects") == 0 && argc >= 5) {
		long count = atol(argv[4]), failed = 0;
		struct timespec t0, t1;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		for (long i = 0; i < count; i++)
			failed += tcp_connect(&ss, len, true) != 0;
		clock_gettime(CLOCK_MONOTONIC, &t1);
		double ns = (double)(t1.tv_sec - t0.tv_sec) * 1e9 + (double)(t1.tv_nsec - t0.tv_nsec);
		printf("connects: %ld, %ld failed, %.0f ns/connect\n", count, failed,
		       count > 0 ? ns / (double)count : 0.0);
		return failed ? 1 : 0;
	}
	if (strcmp(cmd, "sends") == 0 && argc >= 5) {
		long count = atol(argv[4]), failed = 0;
		int fd = socket(ss.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		struct timespec t0, t1;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		for (long i = 0; i < count; i++)
			failed += sendto(fd, "x", 1, 0, (struct sockaddr *)&ss, len) < 0;
		clock_gettime(CLOCK_MONOTONIC, &t1);
		close(fd);
		double ns = (double)(t1.tv_sec - t0.tv_sec) * 1e9 + (double)(t1.tv_nsec - t0.tv_nsec);
		printf("sends: %ld, %ld failed, %.0f ns/send\n", count, failed, count > 0 ? ns / (double)count : 0.0);
		return 0;
	}
	int type = strcmp(cmd, "tfo") == 0 ? SOCK_STREAM : SOCK_DGRAM;
	int fd = socket(ss.ss_family, type | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return report_net(cmd, argv[2], argv[3], errno);
	int err = 0;
	if (strcmp(cmd, "udp") == 0) {
		if (sendto(fd, "probe\n", 6, 0, (struct sockaddr *)&ss, len) < 0)
			err = errno;
	} else if (strcmp(cmd, "udpconn") == 0) {
		if (connect(fd, (struct sockaddr *)&ss, len) < 0 || send(fd, "probe\n", 6, 0) < 0)
			err = errno;
	} else if (strcmp(cmd, "tfo") == 0) {
		if (sendto(fd, "probe\n", 6, MSG_FASTOPEN, (struct sockaddr *)&ss, len) < 0)
			err = errno;
	} else {
		fprintf(stderr, "probe: bad arguments\n");
		return 200;
	}
	close(fd);
	return report_net(cmd, argv[2], argv[3], err);
}

/* PATH, or @NAME for the abstract namespace. */
/* Waits until fd is readable or `seconds` after t0 have passed (false). */
static bool wait_readable(int fd, const struct timespec *t0, int seconds)
{
	for (;;) {
		struct timespec t;
		clock_gettime(CLOCK_MONOTONIC, &t);
		long left = (long)seconds * 1000 -
			    ((t.tv_sec - t0->tv_sec) * 1000 + (t.tv_nsec - t0->tv_nsec) / 1000000);
		if (left <= 0)
			return false;
		struct pollfd p = {.fd = fd, .events = POLLIN};
		if (poll(&p, 1, (int)left) == 1)
			return true;
	}
}

static socklen_t unix_address(const char *name, struct sockaddr_un *sun)
{
	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	size_t n = strlen(name);
	if (n >= sizeof(sun->sun_path)) {
		fprintf(stderr, "probe: '%s' is too long\n", name);
		exit(200);
	}
	memcpy(sun->sun_path, name, n);
	if (name[0] == '@')
		sun->sun_path[0] = '\0';
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n);
}

static int unix_listen(const char *name, int seconds)
{
	struct sockaddr_un sun;
	socklen_t len = unix_address(name, &sun);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sun, len) < 0 || listen(fd, 64) < 0) {
		perror("probe: listen");
		return 1;
	}
	if (name[0] != '@')
		chmod(name, 0777);
	printf("listening\n");
	fflush(stdout);
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		if (!wait_readable(fd, &t0, seconds))
			return 0;
		int c = accept4(fd, NULL, NULL, SOCK_CLOEXEC);
		if (c >= 0) {
			printf("accepted\n");
			fflush(stdout);
			close(c);
		}
	}
}

static int unix_connect(const char *name, bool read_all)
{
	struct sockaddr_un sun;
	socklen_t len = unix_address(name, &sun);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int err = fd < 0 ? errno : 0;
	if (!err && connect(fd, (struct sockaddr *)&sun, len) < 0)
		err = errno;
	printf("unix %s = %s\n", name, err ? strerrorname_np(err) : "connected");
	if (!err && read_all) {
		char buf[256];
		size_t total = 0;
		ssize_t n;
		while ((n = read(fd, buf, sizeof(buf))) > 0)
			total += (size_t)n;
		printf("read %zu bytes\n", total);
	}
	if (fd >= 0)
		close(fd);
	fflush(stdout);
	return err;
}

static int listen_command(const char *proto, const char *addr, const char *port, int seconds)
{
	struct sockaddr_storage ss;
	socklen_t len = parse_sockaddr(addr, port, &ss);
	bool tcp = strcmp(proto, "tcp") == 0;
	int fd = socket(ss.ss_family, (tcp ? SOCK_STREAM : SOCK_DGRAM) | SOCK_CLOEXEC, 0);
	int one = 1;
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(fd, (struct sockaddr *)&ss, len) < 0 || (tcp && listen(fd, 64) < 0)) {
		perror("probe: listen");
		return 1;
	}
	if (tcp)
		setsockopt(fd, IPPROTO_TCP, TCP_FASTOPEN, &(int){16}, sizeof(int));
	printf("listening\n");
	fflush(stdout);
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		if (!wait_readable(fd, &t0, seconds))
			return 0;
		if (tcp) {
			int c = accept4(fd, NULL, NULL, SOCK_CLOEXEC);
			if (c >= 0)
				close(c);
		} else {
			char buf[512];
			ssize_t n = recv(fd, buf, sizeof(buf) - 1, 0);
			if (n > 0) {
				buf[n] = '\0';
				printf("received %s", buf);
				fflush(stdout);
			}
		}
	}
}

/* probe confinement: the facts, one "key value" per line, written at once. */
static int confinement(const char *file, const char *outside)
{
	char buf[8192];
	size_t n = 0;
	char line[512];
	FILE *f = fopen("/proc/self/status", "re");
	if (f) {
		while (fgets(line, sizeof(line), f)) {
			const char *keys[] = {"Seccomp:", "NoNewPrivs:", "CapEff:", "CapPrm:", "CapBnd:", "Uid:"};
			for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
				if (strncmp(line, keys[i], strlen(keys[i])) == 0)
					n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s", line);
		}
		fclose(f);
	}
	const char *ns[] = {"user", "mnt", "pid", "net", "ipc", "uts", "cgroup"};
	for (size_t i = 0; i < sizeof(ns) / sizeof(ns[0]); i++) {
		char path[64], target[128];
		snprintf(path, sizeof(path), "/proc/self/ns/%s", ns[i]);
		ssize_t k = readlink(path, target, sizeof(target) - 1);
		target[k > 0 ? k : 0] = '\0';
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "ns_%s %s\n", ns[i], target);
	}
	f = fopen("/proc/self/cgroup", "re");
	if (f) {
		while (fgets(line, sizeof(line), f))
			n += (size_t)snprintf(buf + n, sizeof(buf) - n, "cgroup %s", line);
		fclose(f);
	}
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "nofile %llu\n", (unsigned long long)rl.rlim_cur);
	int fd = open(outside, O_RDONLY | O_CLOEXEC);
	n += (size_t)snprintf(buf + n, sizeof(buf) - n, "outside %s\n", fd >= 0 ? "readable" : strerror(errno));
	if (fd >= 0)
		close(fd);
	/* Whole or not at all: a command killed while it writes (its pid
	 * namespace's init killed, faults.py's kill runs) leaves no file,
	 * never a part of one. */
	char tmp[PATH_MAX];
	if (snprintf(tmp, sizeof(tmp), "%s.tmp", file) >= (int)sizeof(tmp))
		return 1;
	int out = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (out < 0)
		return 1;
	if (write(out, buf, n) != (ssize_t)n) {
		close(out);
		return 1;
	}
	if (close(out) < 0)
		return 1;
	return rename(tmp, file) < 0;
}

/* --- attacks on other processes (probe attack) --- */

static pid_t ppid_of(pid_t pid)
{
	char path[64], line[256];
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	FILE *f = fopen(path, "re");
	pid_t ppid = -1;
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "PPid: %d", &ppid) == 1)
			break;
	if (f)
		fclose(f);
	return ppid;
}

/* Another child of our parent named `name`: the filtering proxy
 * (tinyjail-proxy), the seccomp listener's helper (tinyjail, CLONE_PARENT). */
static pid_t find_sibling(const char *name)
{
	for (pid_t pid = 1; pid < 4194304; pid++) {
		char path[64], comm[64] = "";
		snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
		FILE *f = fopen(path, "re");
		if (!f)
			continue;
		if (fgets(comm, sizeof(comm), f))
			comm[strcspn(comm, "\n")] = '\0';
		fclose(f);
		if (pid != getpid() && strcmp(comm, name) == 0 && ppid_of(pid) == getppid())
			return pid;
	}
	return -1;
}

static pid_t attack_target(const char *t)
{
	if (strcmp(t, "parent") == 0)
		return getppid();
	if (strcmp(t, "grandparent") == 0)
		return ppid_of(getppid());
	if (strcmp(t, "proxy") == 0)
		return find_sibling("tinyjail-proxy");
	if (strcmp(t, "sibling") == 0)
		return find_sibling("tinyjail");
	if (strcmp(t, "group") == 0)
		return 0;
	return (pid_t)atoi(t);
}

static int attack_result(const char *how, pid_t pid, int err)
{
	printf("attack %s %d = %s\n", how, (int)pid, err ? strerrorname_np(err) : "worked");
	fflush(stdout);
	return err;
}

static int attack(const char *how, const char *target, int sig)
{
	pid_t pid = attack_target(target);
	if (pid < 0 || (pid == 0 && strcmp(target, "group") != 0)) {
		fprintf(stderr, "probe: no target '%s'\n", target);
		return 200;
	}
	char path[64];
	if (strcmp(how, "mem") == 0) {
		snprintf(path, sizeof(path), "/proc/%d/mem", (int)pid);
		int fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			return attack_result(how, pid, errno);
		/* Open is the breach; a byte written back proves it. */
		unsigned long start = 0;
		char maps[64];
		snprintf(maps, sizeof(maps), "/proc/%d/maps", (int)pid);
		FILE *m = fopen(maps, "re");
		if (m && fscanf(m, "%lx", &start) != 1)
			start = 0;
		if (m)
			fclose(m);
		char byte;
		int err = 0;
		if (start && pread(fd, &byte, 1, (off_t)start) == 1 && pwrite(fd, &byte, 1, (off_t)start) != 1)
			err = errno;
		close(fd);
		return attack_result(how, pid, err);
	}
	if (strcmp(how, "environ") == 0) {
		snprintf(path, sizeof(path), "/proc/%d/environ", (int)pid);
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return attack_result(how, pid, errno);
		char buf[65536];
		ssize_t n = read(fd, buf, sizeof(buf));
		int err = n < 0 ? errno : 0;
		close(fd);
		for (ssize_t i = 0; i < n; i++)
			if (buf[i] == '\0')
				buf[i] = '\n';
		if (n > 0)
			fwrite(buf, 1, (size_t)n, stdout);
		return attack_result(how, pid, err);
	}
	if (strcmp(how, "fd") == 0) {
		snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
		DIR *d = opendir(path);
		if (!d)
			return attack_result(how, pid, errno);
		/* The names are numbers; reading where they lead is the breach. */
		struct dirent *e;
		int err = ENOENT;
		while ((e = readdir(d))) {
			char link[PATH_MAX], to[PATH_MAX];
			if (e->d_name[0] == '.')
				continue;
			snprintf(link, sizeof(link), "%s/%s", path, e->d_name);
			ssize_t n = readlink(link, to, sizeof(to) - 1);
			if (n < 0) {
				err = errno;
				continue;
			}
			to[n] = '\0';
			printf("fd %s -> %s\n", e->d_name, to);
			err = 0;
		}
		closedir(d);
		return attack_result(how, pid, err);
	}
	if (strcmp(how, "ptrace") == 0) {
		if (ptrace(PTRACE_ATTACH, pid, NULL, NULL) < 0)
			return attack_result(how, pid, errno);
		waitpid(pid, NULL, __WALL);
		ptrace(PTRACE_DETACH, pid, NULL, NULL);
		return attack_result(how, pid, 0);
	}
	if (strcmp(how, "vmread") == 0) {
		char byte;
		struct iovec local = {.iov_base = &byte, .iov_len = 1};
		struct iovec remote = {.iov_base = (void *)0x10000, .iov_len = 1};
		int err = process_vm_readv(pid, &local, 1, &remote, 1, 0) < 0 ? errno : 0;
		return attack_result(how, pid, err == EFAULT ? 0 : err);
	}
	if (strcmp(how, "kill") == 0) {
		if (pid == 0 && sig != SIGKILL && sig != SIGSTOP)
			signal(sig, SIG_IGN);
		int err = kill(pid, sig) < 0 ? errno : 0;
		if (!err && sig == SIGSTOP)
			kill(pid, SIGCONT);
		return attack_result(how, pid, err);
	}
	if (strcmp(how, "pidfd") == 0) {
		int fd = (int)syscall(SYS_pidfd_open, pid, 0);
		int err = fd < 0 ? errno : 0;
		if (fd >= 0) {
			err = syscall(SYS_pidfd_send_signal, fd, sig, NULL, 0) < 0 ? errno : 0;
			close(fd);
		}
		if (err) {
			/* A /proc/PID directory is a pidfd too. */
			snprintf(path, sizeof(path), "/proc/%d", (int)pid);
			fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
			if (fd >= 0) {
				int e2 = syscall(SYS_pidfd_send_signal, fd, sig, NULL, 0) < 0 ? errno : 0;
				err = e2 == 0 ? 0 : err;
				close(fd);
			}
		}
		if (!err && sig == SIGSTOP)
			kill(pid, SIGCONT);
		return attack_result(how, pid, err);
	}
	if (strcmp(how, "setown") == 0) {
		int p[2];
		if (pipe(p) < 0)
			return 201;
		int err = 0;
		if (fcntl(p[0], F_SETOWN, pid) < 0 || fcntl(p[0], F_SETSIG, sig) < 0 ||
		    fcntl(p[0], F_SETFL, O_ASYNC | O_NONBLOCK) < 0)
			err = errno;
		/* Readable now: the kernel signals the owner, if it may. */
		if (!err && write(p[1], "x", 1) != 1)
			err = errno;
		usleep(100 * 1000);
		return attack_result(how, pid, err);
	}
	fprintf(stderr, "probe: unknown attack '%s'\n", how);
	return 200;
}

static void *thread_main(void *arg)
{
	struct call *c = arg;
	do_call(c);
	return NULL;
}

/* probe sigio: a signal to another process through a descriptor's owner,
 * the routes around kill(2) (issue 16 item 8). */
static int sigio(const char *how, pid_t pid, int sig)
{
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
		return errno;
	int r = 0;
	if (strcmp(how, "setown") == 0) {
		r = fcntl(sv[0], F_SETOWN, pid);
	} else if (strcmp(how, "setown_ex") == 0) {
		struct f_owner_ex o = {.type = F_OWNER_PID, .pid = pid};
		r = fcntl(sv[0], F_SETOWN_EX, &o);
	} else if (strcmp(how, "fiosetown") == 0) {
		r = ioctl(sv[0], FIOSETOWN, &pid);
	} else if (strcmp(how, "siocspgrp") == 0) {
		r = ioctl(sv[0], SIOCSPGRP, &pid);
	} else {
		return 200;
	}
	if (r < 0)
		return errno;
	if (sig && fcntl(sv[0], F_SETSIG, sig) < 0)
		return errno;
	if (fcntl(sv[0], F_SETFL, O_ASYNC) < 0)
		return errno;
	if (write(sv[1], "x", 1) != 1)
		return errno;
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: probe syscall|seq|x32|thread|fork|exit|raise|sleep|write|env|repeat ...\n");
		return 200;
	}
	const char *cmd = argv[1];
	struct call c;
	if (strcmp(cmd, "sigio") == 0 && argc >= 5) {
		int r = sigio(argv[2], (pid_t)atoi(argv[3]), atoi(argv[4]));
		printf("sigio %s = %d\n", argv[2], r);
		return r;
	}

	if (strcmp(cmd, "syscall") == 0 && argc >= 3) {
		parse_call(&c, argc - 2, argv + 2);
		do_call(&c);
		print_call("", &c);
		return c.err;
	}
	if (strcmp(cmd, "seq") == 0) {
		for (int i = 2; i < argc; i++) {
			parse_call(&c, 1, argv + i);
			do_call(&c);
			print_call("", &c);
		}
		return 0;
	}
	if (strcmp(cmd, "i386") == 0 && argc >= 3) {
		parse_call(&c, argc - 2, argv + 2);
		do_call_i386(&c);
		print_call("i386 ", &c);
		return c.err;
	}
	if (strcmp(cmd, "x32") == 0 && argc >= 3) {
		parse_call(&c, argc - 2, argv + 2);
		c.nr |= 0x40000000;
		do_call(&c);
		print_call("x32 ", &c);
		return c.err;
	}
	if (strcmp(cmd, "thread") == 0 && argc >= 3) {
		parse_call(&c, argc - 2, argv + 2);
		pthread_t t;
		if (pthread_create(&t, NULL, thread_main, &c) != 0)
			return 201;
		pthread_join(t, NULL);
		print_call("thread ", &c);
		printf("probe: process survived\n");
		return 0;
	}
	if (strcmp(cmd, "fork") == 0 && argc >= 3) {
		parse_call(&c, argc - 2, argv + 2);
		fflush(stdout);
		pid_t pid = fork();
		if (pid < 0)
			return 202;
		if (pid == 0) {
			do_call(&c);
			print_call("child ", &c);
			_exit(c.err);
		}
		int st;
		waitpid(pid, &st, 0);
		if (WIFSIGNALED(st))
			printf("probe: child killed by signal %d\n", WTERMSIG(st));
		else
			printf("probe: child exited %d\n", WEXITSTATUS(st));
		printf("probe: parent survived\n");
		return 0;
	}
	if (strcmp(cmd, "exit") == 0 && argc >= 3)
		return atoi(argv[2]);
	if (strcmp(cmd, "confinement") == 0 && argc >= 4)
		return confinement(argv[2], argv[3]);
	if (strcmp(cmd, "raise") == 0 && argc >= 3) {
		signal(atoi(argv[2]), SIG_DFL);
		raise(atoi(argv[2]));
		return 203;
	}
	if (strcmp(cmd, "sleep") == 0 && argc >= 3) {
		struct timespec ts = {atoi(argv[2]), 0};
		while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
			;
		return 0;
	}
	if (strcmp(cmd, "write") == 0 && argc >= 4) {
		int fd = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (fd < 0)
			return errno;
		long left = atol(argv[3]);
		char buf[65536];
		memset(buf, 'x', sizeof(buf));
		while (left > 0) {
			ssize_t n = write(fd, buf, left < (long)sizeof(buf) ? (size_t)left : sizeof(buf));
			if (n < 0)
				return errno;
			left -= n;
		}
		return close(fd) < 0 ? errno : 0;
	}
	if (strcmp(cmd, "repeat") == 0 && argc >= 4) {
		long nr = parse_nr(argv[2]);
		long count = atol(argv[3]);
		struct timespec t0, t1;
		/* clock_gettime is answered by the vDSO: no system call. */
		clock_gettime(CLOCK_MONOTONIC, &t0);
		for (long i = 0; i < count; i++)
			syscall(nr, 0, 0, 0, 0, 0, 0);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		double ns = (double)(t1.tv_sec - t0.tv_sec) * 1e9 + (double)(t1.tv_nsec - t0.tv_nsec);
		printf("repeat %s: %ld calls, %.0f ns/call\n", argv[2], count, count > 0 ? ns / (double)count : 0.0);
		return 0;
	}
	if (strcmp(cmd, "env") == 0 && argc >= 3) {
		const char *v = getenv(argv[2]);
		if (!v)
			return 1;
		printf("%s\n", v);
		return 0;
	}
	if (strcmp(cmd, "alloc") == 0 && argc >= 3) {
		size_t mb = (size_t)atol(argv[2]);
		char *p = malloc(mb << 20);
		if (!p)
			return 12;
		for (size_t i = 0; i < (mb << 20); i += 4096)
			p[i] = 1;
		printf("probe: allocated %zu MiB\n", mb);
		return 0;
	}
	if (strcmp(cmd, "heap") == 0) {
		/* Small blocks come from the brk heap, each new 128 KiB from a
		 * brk call: under a failing brk malloc must fall back to mmap. */
		prctl(0x544a3139 /* TJ_TESTHOOK_MARKER */, 0, 0, 0, 0);
		for (int i = 0; i < 2048; i++) {
			char *p = malloc(1000);
			if (!p)
				return 12;
			memset(p, 1, 1000);
		}
		printf("probe: heap ok\n");
		return 0;
	}
	if (strcmp(cmd, "spin") == 0 && argc >= 3) {
		struct timespec t0, t;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		volatile unsigned long x = 0;
		do {
			for (int i = 0; i < 100000; i++)
				x++;
			clock_gettime(CLOCK_MONOTONIC, &t);
		} while (t.tv_sec - t0.tv_sec < atoi(argv[2]));
		return 0;
	}
	if (strcmp(cmd, "stack") == 0 && argc >= 3) {
		printf("probe: used %ld MiB of stack\n", recurse((long)atol(argv[2]) << 20, 0) >> 20);
		return 0;
	}
	if (strcmp(cmd, "forks") == 0 && argc >= 4) {
		int n = atoi(argv[2]), failed = 0;
		for (int i = 0; i < n; i++) {
			pid_t pid = fork();
			if (pid == 0) {
				sleep((unsigned)atoi(argv[3]));
				_exit(0);
			}
			if (pid < 0)
				failed++;
		}
		printf("probe: %d of %d forks failed\n", failed, n);
		fflush(stdout);
		while (wait(NULL) > 0)
			;
		return 0;
	}
	if (strcmp(cmd, "tree") == 0 && argc >= 4) {
		if (fork() == 0) {
			if (fork() == 0) {
				FILE *f = fopen(argv[2], "w");
				if (f) {
					fprintf(f, "%d\n", (int)getpid());
					fclose(f);
				}
				sleep((unsigned)atoi(argv[3]));
				_exit(0);
			}
			_exit(0);
		}
		sleep((unsigned)atoi(argv[3]));
		return 0;
	}
	if ((strcmp(cmd, "tcp") == 0 || strcmp(cmd, "udp") == 0 || strcmp(cmd, "udpconn") == 0 ||
	     strcmp(cmd, "tfo") == 0 || strcmp(cmd, "connects") == 0 || strcmp(cmd, "sends") == 0) &&
	    argc >= 4)
		return net_command(cmd, argc, argv);
	if (strcmp(cmd, "listen") == 0 && argc >= 5 && strcmp(argv[2], "unix") == 0)
		return unix_listen(argv[3], atoi(argv[4]));
	if (strcmp(cmd, "listen") == 0 && argc >= 6)
		return listen_command(argv[2], argv[3], argv[4], atoi(argv[5]));
	if (strcmp(cmd, "unix") == 0 && argc >= 3)
		return unix_connect(argv[2], argc >= 4 && strcmp(argv[3], "read") == 0);
	if (strcmp(cmd, "attack") == 0 && argc >= 4)
		return attack(argv[2], argv[3], argc >= 5 ? atoi(argv[4]) : SIGSTOP);
	if (strcmp(cmd, "fds") == 0) {
		for (int fd = 0; fd < 1024; fd++)
			if (fcntl(fd, F_GETFD) >= 0)
				printf("%d\n", fd);
		return 0;
	}
	fprintf(stderr, "probe: bad arguments\n");
	return 200;
}
