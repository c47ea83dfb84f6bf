/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The kernel's floor for a notified call on this machine: a minimal
 * supervisor and target pair on the raw seccomp user-notification API
 * (seccomp_unotify(2)), nothing of tinyjail's in the loop.  The target calls
 * getppid, which its filter sends to the supervisor (SECCOMP_RET_USER_NOTIF);
 * the supervisor receives each notification and answers CONTINUE, as
 * tinyjail's does for a counted or complained-about call.  What tinyjail's
 * round trip costs above this is tinyjail's (notes/performance.md).
 *
 *   notify_floor [-n CALLS] [-r ROUNDS] [-j] [VARIANT...]
 *
 * VARIANT is "none" (no filter), "allow" (a filter that lets getppid run in
 * the kernel), or API-WAIT-SYNC-CPU for a notified getppid:
 *   API   lib: libseccomp (seccomp_notify_receive/respond); raw: the ioctls
 *   WAIT  recv: the supervisor blocks in ioctl(RECV); poll / epoll: it
 *         waits in poll(2) / epoll_wait(2) on the listener, then receives
 *   SYNC  sync: SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP set (Linux 6.6); nosync
 *   CPU   same: both pinned to one CPU; split: on two CPUs; free: no pinning
 * Rounds interleave the variants (a busy phase of the machine hits them
 * all); each figure is the median over the rounds of: the target's wall
 * time per call (its own clock around CALLS calls, after a warm-up), and
 * the CPU time per call of target and supervisor together (their CPU
 * clocks over the same calls), which other load hardly moves.  Prints a
 * markdown table, or one JSON object per variant with -j.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <sched.h>
#include <seccomp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tj/base/sys.h"

#ifndef SECCOMP_IOCTL_NOTIF_SET_FLAGS
#define SECCOMP_IOCTL_NOTIF_SET_FLAGS SECCOMP_IOW(4, __u64)
#endif
#ifndef SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP
#define SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP (1UL << 0)
#endif

#define WARMUP 500
#define MAX_VARIANTS 64
#define MAX_ROUNDS 101

enum filter_kind {
	FILTER_NONE,
	FILTER_ALLOW,
	FILTER_NOTIFY
};
enum wait_kind {
	W_RECV,
	W_POLL,
	W_EPOLL
};
enum cpu_kind {
	C_FREE,
	C_SAME,
	C_SPLIT
};

struct variant {
	char name[48];
	enum filter_kind filter;
	bool raw;
	enum wait_kind wait;
	bool sync;
	enum cpu_kind cpu;
	double wall[MAX_ROUNDS], cpu_ns[MAX_ROUNDS];
	size_t nrounds;
};

/* What the target reports back (shared memory). */
struct shared {
	double wall_ns, cpu_ns;
	int ok;
};

static const char *const default_variants[] = {
	"none",
	"allow",
	"lib-recv-nosync-free",
	"lib-recv-sync-free",
	"lib-recv-nosync-same",
	"lib-recv-sync-same",
	"lib-recv-nosync-split",
	"lib-recv-sync-split",
	"lib-poll-sync-free",
	"lib-poll-nosync-free",
	"lib-epoll-sync-free",
	"raw-recv-sync-free",
	"raw-recv-sync-same",
	NULL,
};

static double clock_ns(clockid_t c)
{
	struct timespec ts;
	clock_gettime(c, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int parse_variant(const char *s, struct variant *v)
{
	memset(v, 0, sizeof(*v));
	snprintf(v->name, sizeof(v->name), "%s", s);
	if (strcmp(s, "none") == 0)
		return 0;
	if (strcmp(s, "allow") == 0) {
		v->filter = FILTER_ALLOW;
		return 0;
	}
	char api[8], wait[8], sync[8], cpu[8];
	if (sscanf(s, "%7[a-z]-%7[a-z]-%7[a-z]-%7[a-z]", api, wait, sync, cpu) != 4)
		return -1;
	v->filter = FILTER_NOTIFY;
	if (strcmp(api, "raw") == 0)
		v->raw = true;
	else if (strcmp(api, "lib") != 0)
		return -1;
	if (strcmp(wait, "recv") == 0)
		v->wait = W_RECV;
	else if (strcmp(wait, "poll") == 0)
		v->wait = W_POLL;
	else if (strcmp(wait, "epoll") == 0)
		v->wait = W_EPOLL;
	else
		return -1;
	if (strcmp(sync, "sync") == 0)
		v->sync = true;
	else if (strcmp(sync, "nosync") != 0)
		return -1;
	if (strcmp(cpu, "same") == 0)
		v->cpu = C_SAME;
	else if (strcmp(cpu, "split") == 0)
		v->cpu = C_SPLIT;
	else if (strcmp(cpu, "free") == 0)
		v->cpu = C_FREE;
	else
		return -1;
	return 0;
}

/* The CPUs this process may use, lowest and highest. */
static int cpu_range(int *lo, int *hi)
{
	cpu_set_t set;
	if (sched_getaffinity(0, sizeof(set), &set) < 0)
		return -1;
	*lo = *hi = -1;
	for (int i = 0; i < CPU_SETSIZE; i++) {
		if (!CPU_ISSET(i, &set))
			continue;
		if (*lo < 0)
			*lo = i;
		*hi = i;
	}
	return *lo < 0 ? -1 : 0;
}

static void pin(int cpu)
{
	cpu_set_t set;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set) < 0) {
		perror("notify_floor: sched_setaffinity");
		exit(2);
	}
}

static int install_filter(enum filter_kind kind, int *listener)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
	if (!ctx)
		return -1;
	int rc = kind == FILTER_NOTIFY ? seccomp_rule_add(ctx, SCMP_ACT_NOTIFY, SCMP_SYS(getppid), 0)
				       : seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(acct), 0);
	if (rc == 0)
		rc = seccomp_load(ctx);
	if (rc == 0 && kind == FILTER_NOTIFY) {
		*listener = seccomp_notify_fd(ctx);
		if (*listener < 0)
			rc = *listener;
	}
	seccomp_release(ctx);
	return rc;
}

static void target(const struct variant *v, int calls, int lo, int sock, int go, struct shared *out)
{
	if (v->cpu == C_SAME || v->cpu == C_SPLIT)
		pin(lo);
	int listener = -1;
	if (v->filter != FILTER_NONE && install_filter(v->filter, &listener) < 0)
		_exit(3);
	if (listener >= 0) {
		if (tj_sys_send_fd(sock, listener) < 0)
			_exit(4);
		close(listener); /* the supervisor holds it now */
	}
	char c;
	if (read(go, &c, 1) != 1)
		_exit(5);
	for (int i = 0; i < WARMUP; i++)
		syscall(SYS_getppid);
	double c0 = clock_ns(CLOCK_PROCESS_CPUTIME_ID), w0 = clock_ns(CLOCK_MONOTONIC);
	for (int i = 0; i < calls; i++)
		syscall(SYS_getppid);
	double w1 = clock_ns(CLOCK_MONOTONIC), c1 = clock_ns(CLOCK_PROCESS_CPUTIME_ID);
	out->wall_ns = (w1 - w0) / calls;
	out->cpu_ns = (c1 - c0) / calls;
	out->ok = 1;
	_exit(0);
}

static int receive(const struct variant *v, int fd, struct seccomp_notif *req)
{
	if (v->raw) {
		memset(req, 0, sizeof(*req));
		return ioctl(fd, SECCOMP_IOCTL_NOTIF_RECV, req) < 0 ? -errno : 0;
	}
	/* The kernel wants a zeroed buffer; libseccomp 2.5 does not clear it. */
	memset(req, 0, sizeof(*req));
	return seccomp_notify_receive(fd, req);
}

static int respond(const struct variant *v, int fd, uint64_t id, struct seccomp_notif_resp *resp)
{
	memset(resp, 0, sizeof(*resp));
	resp->id = id;
	resp->flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
	if (v->raw)
		return ioctl(fd, SECCOMP_IOCTL_NOTIF_SEND, resp) < 0 ? -errno : 0;
	return seccomp_notify_respond(fd, resp);
}

/* Answers every notification until the target is gone; returns the
 * supervisor's CPU time over the measured calls (after the warm-up). */
static double supervise(const struct variant *v, int fd, int calls, int go)
{
	struct seccomp_notif *req;
	struct seccomp_notif_resp *resp;
	if (seccomp_notify_alloc(&req, &resp) < 0) {
		fprintf(stderr, "notify_floor: seccomp_notify_alloc failed\n");
		exit(2);
	}
	if (v->sync &&
	    ioctl(fd, SECCOMP_IOCTL_NOTIF_SET_FLAGS, (unsigned long)SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP) < 0) {
		perror("notify_floor: SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP");
		exit(2);
	}
	int ep = -1;
	if (v->wait == W_EPOLL) {
		ep = epoll_create1(EPOLL_CLOEXEC);
		struct epoll_event ev = {.events = EPOLLIN};
		if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) < 0) {
			perror("notify_floor: epoll");
			exit(2);
		}
	}
	if (write(go, "g", 1) != 1)
		exit(2);
	double c0 = 0;
	long total = (long)WARMUP + calls;
	for (long done = 0; done < total;) {
		if (v->wait == W_POLL) {
			struct pollfd p = {.fd = fd, .events = POLLIN};
			if (poll(&p, 1, -1) < 0)
				continue;
			if (p.revents & (POLLHUP | POLLERR) && !(p.revents & POLLIN))
				break;
		} else if (v->wait == W_EPOLL) {
			struct epoll_event ev;
			if (epoll_wait(ep, &ev, 1, -1) < 0)
				continue;
			if (ev.events & (EPOLLHUP | EPOLLERR) && !(ev.events & EPOLLIN))
				break;
		}
		if (receive(v, fd, req) < 0)
			break;
		if (respond(v, fd, req->id, resp) < 0)
			break;
		if (++done == WARMUP)
			c0 = clock_ns(CLOCK_THREAD_CPUTIME_ID);
	}
	double c1 = clock_ns(CLOCK_THREAD_CPUTIME_ID);
	if (ep >= 0)
		close(ep);
	seccomp_notify_free(req, resp);
	return c1 - c0;
}

static int run_one(struct variant *v, int calls, int lo, int hi, struct shared *sh)
{
	int sv[2], gp[2];
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0 || pipe2(gp, O_CLOEXEC) < 0)
		return -1;
	memset(sh, 0, sizeof(*sh));
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		close(sv[0]);
		close(gp[1]);
		target(v, calls, lo, sv[1], gp[0], sh);
	}
	close(sv[1]);
	close(gp[0]);
	cpu_set_t all;
	sched_getaffinity(0, sizeof(all), &all);
	if (v->cpu == C_SAME)
		pin(lo);
	else if (v->cpu == C_SPLIT)
		pin(hi);
	double sup_cpu = 0;
	if (v->filter == FILTER_NOTIFY) {
		struct pollfd p = {.fd = sv[0], .events = POLLIN};
		int fd = -1;
		if (poll(&p, 1, 10000) == 1)
			fd = tj_sys_receive_fd(sv[0]);
		if (fd < 0) {
			fprintf(stderr, "notify_floor: %s: no listener from the target\n", v->name);
			kill(pid, SIGKILL);
		} else {
			sup_cpu = supervise(v, fd, calls, gp[1]);
			close(fd);
		}
	} else if (write(gp[1], "g", 1) != 1) {
		kill(pid, SIGKILL);
	}
	int st;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	sched_setaffinity(0, sizeof(all), &all);
	close(sv[0]);
	close(gp[1]);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0 || !sh->ok) {
		fprintf(stderr, "notify_floor: %s: the target failed (status 0x%x)\n", v->name, st);
		return -1;
	}
	v->wall[v->nrounds] = sh->wall_ns;
	v->cpu_ns[v->nrounds] = sh->cpu_ns + sup_cpu / calls;
	v->nrounds++;
	return 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double median(double *v, size_t n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

int main(int argc, char **argv)
{
	int calls = 20000, rounds = 5, opt;
	bool json = false;
	while ((opt = getopt(argc, argv, "n:r:j")) != -1) {
		if (opt == 'n')
			calls = atoi(optarg);
		else if (opt == 'r')
			rounds = atoi(optarg);
		else if (opt == 'j')
			json = true;
		else
			goto usage;
	}
	if (calls < 1 || rounds < 1 || rounds > MAX_ROUNDS)
		goto usage;
	static struct variant vs[MAX_VARIANTS];
	size_t nv = 0;
	const char *const *names = optind < argc ? (const char *const *)argv + optind : default_variants;
	for (; names[nv] && nv < MAX_VARIANTS; nv++)
		if (parse_variant(names[nv], &vs[nv]) < 0) {
			fprintf(stderr, "notify_floor: unknown variant '%s'\n", names[nv]);
			goto usage;
		}
	int lo, hi;
	if (cpu_range(&lo, &hi) < 0)
		return 2;
	struct shared *sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED)
		return 2;
	for (int r = 0; r < rounds; r++)
		for (size_t i = 0; i < nv; i++) {
			if (vs[i].cpu == C_SPLIT && lo == hi)
				continue; /* one CPU: nothing to split */
			if (run_one(&vs[i], calls, lo, hi, sh) < 0)
				return 1;
		}
	double load[3] = {0};
	getloadavg(load, 3);
	if (!json) {
		printf("notified getppid, %d calls x %d rounds, load %.2f %.2f %.2f\n\n", calls, rounds, load[0],
		       load[1], load[2]);
		printf("| variant | wall µs per call (median) | CPU µs per call (median) |\n|---|---:|---:|\n");
	}
	for (size_t i = 0; i < nv; i++) {
		if (!vs[i].nrounds)
			continue;
		double w = median(vs[i].wall, vs[i].nrounds), c = median(vs[i].cpu_ns, vs[i].nrounds);
		if (json)
			printf("{\"variant\": \"%s\", \"ns_per_call_median\": %.0f, \"cpu_ns_per_call_median\": %.0f, "
			       "\"rounds\": %zu, \"calls\": %d, \"load\": %.2f}\n",
			       vs[i].name, w, c, vs[i].nrounds, calls, load[0]);
		else
			printf("| %s | %.2f | %.2f |\n", vs[i].name, w / 1000, c / 1000);
	}
	return 0;
usage:
	fprintf(stderr, "usage: notify_floor [-n CALLS] [-r ROUNDS] [-j] [none|allow|API-WAIT-SYNC-CPU ...]\n"
			"  API lib|raw, WAIT recv|poll|epoll, SYNC sync|nosync, CPU same|split|free\n");
	return 2;
}
