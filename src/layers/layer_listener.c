/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The seccomp listener's way out of the command (part of the seccomp
 * layer's job, named "seccomp" in errors).  Once the filter is loaded every
 * system call the child makes is judged by the profile, so the child makes
 * none except execve.  Before that, this layer starts a helper that shares
 * the child's file table (CLONE_FILES) and is tinyjail's child, not the
 * target's (CLONE_PARENT).  The seccomp layer writes the listener's fd
 * number into shared memory (a store, not a system call) and the child goes
 * on to execve; execve gives the child a private copy of the fd table, so
 * the helper still holds the listener and sends it to the supervisor over a
 * socket, then exits.  This is crun's idea, changed so the target never
 * waits and never gains a child.
 *
 * The helper also shares the child's memory (CLONE_VM) and runs on a stack
 * of its own: a fork would copy the page tables and then pay a copy-on-write
 * fault for every page either side touches, which cost about 1.7 ms per launch
 * on the reference VM (notes/performance.md).
 *
 * It is tinyjail's process, not the command's: launch.c starts it before the
 * command's rlimits, Landlock domain and identity apply (RLIMIT_NPROC must
 * not count it, and the command must not be able to reach it).
 */
#include <errno.h>
#include <linux/futex.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "tj/base/cleanup.h"
#include "tj/base/sys.h"
#include "tj/base/testhook.h"
#include "tj/layers/layer.h"

#define LAYER "seccomp"
#define LISTENER_PENDING (-1)
#define LISTENER_FAILED (-2)
#define HELPER_STACK_SIZE (64 * 1024)

struct shared {
	int listener_fd; /* LISTENER_PENDING until the child has loaded the filter */
	int armed;	 /* a futex: 1 once the child is about to load the filters */
	int helper_pid;
	int child_pid;	  /* the child that waits for the hand-off (in its namespace) */
	int helper_errno; /* why the helper could not hand the listener over, or 0 */
};

struct state {
	int parent_sock; /* the supervisor's end */
	int child_sock;	 /* the helper's end */
	struct shared *shared;
	void *helper_stack;
	bool stall; /* test hook listener-stall: the helper never sends */
	bool hold;  /* the listener-hold test hook, asked here: the helper calls nothing */
	struct tj_listener_service service;
};

static bool listener_wanted(const struct tj_plan *plan)
{
	return plan->filter && plan->filter->uses_listener;
}

static void wake_helper(struct shared *sh)
{
	__atomic_store_n(&sh->armed, 1, __ATOMIC_RELEASE);
	syscall(SYS_futex, &sh->armed, FUTEX_WAKE, 1, NULL, NULL, 0);
}

/* With a listener, only a store: the filter now judges every call. */
static void publish(void *ctx, int fd)
{
	struct state *s = ctx;
	__atomic_store_n(&s->shared->listener_fd, fd >= 0 ? fd : LISTENER_FAILED, __ATOMIC_RELEASE);
	if (fd < 0)
		wake_helper(s->shared); /* no filter loaded: calls are still free */
}

static void arm(void *ctx)
{
	struct state *s = ctx;
	wake_helper(s->shared);
}

static int take_sock(void *ctx)
{
	struct state *s = ctx;
	return TJ_STEAL_FD(&s->parent_sock);
}

static pid_t helper_pid(void *ctx)
{
	struct state *s = ctx;
	return __atomic_load_n(&s->shared->helper_pid, __ATOMIC_ACQUIRE);
}

static int helper_error(void *ctx)
{
	struct state *s = ctx;
	return __atomic_load_n(&s->shared->helper_errno, __ATOMIC_ACQUIRE);
}

static int listener_prepare(const struct tj_plan *plan, void **ret_state, struct tj_err **err)
{
	(void)plan;
	struct state *s = tj_xcalloc(1, sizeof(*s));
	s->parent_sock = s->child_sock = -1;
	*ret_state = s;
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return tj_err_set(err, TJ_ERR_INTERNAL, errno, "socketpair for the seccomp listener");
	s->parent_sock = sv[0];
	s->child_sock = sv[1];
	s->shared = mmap(NULL, sizeof(*s->shared), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (s->shared == MAP_FAILED) {
		s->shared = NULL;
		return tj_err_set(err, TJ_ERR_INTERNAL, errno, "mmap for the seccomp listener hand-off");
	}
	s->helper_stack = mmap(NULL, HELPER_STACK_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK,
			       -1, 0);
	if (s->helper_stack == MAP_FAILED) {
		s->helper_stack = NULL;
		return tj_err_set(err, TJ_ERR_INTERNAL, errno, "mmap for the seccomp listener helper's stack");
	}
	s->shared->listener_fd = LISTENER_PENDING;
	s->shared->armed = 0;
	s->shared->helper_pid = 0;
	s->hold = tj_testhook("listener-hold");
	s->stall = tj_testhook("listener-stall");
	s->service = (struct tj_listener_service){.ctx = s,
						  .publish = publish,
						  .arm = arm,
						  .take_sock = take_sock,
						  .helper_pid = helper_pid,
						  .helper_error = helper_error};
	return 0;
}

static int listener_link(void *state, struct tj_services *svc, struct tj_err **err)
{
	(void)err;
	struct state *s = state;
	svc->listener = &s->service;
	return 0;
}

/* The helper: waits for the listener's fd number, sends the fd, exits.  It
 * runs before any filter exists and is never filtered.  It shares the
 * child's thread-local errno; the child reads errno only to retry an
 * interrupted start call, and a stray retry is harmless.  Not instrumented
 * by AddressSanitizer, which does not know this stack and warns about it. */
/* The listener cannot reach the supervisor: nobody would ever answer the
 * child's start call, and with an agent the command would run with every
 * notified call failing.  Say why, and end the child (fail closed). */
__attribute__((no_sanitize("address"), noreturn)) static void helper_fail(struct state *s, int e, int code)
{
	__atomic_store_n(&s->shared->helper_errno, e ? e : EIO, __ATOMIC_RELEASE);
	kill(s->shared->child_pid, SIGKILL);
	_exit(code);
}

__attribute__((no_sanitize("address"))) static int helper_main(void *arg)
{
	struct state *s = arg;
	prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	/* Asleep through the child's set-up (rlimits, Landlock, identity),
	 * until it arms us right before loading the filters; at most 10 s. */
	struct timespec limit = {10, 0};
	while (!__atomic_load_n(&s->shared->armed, __ATOMIC_ACQUIRE)) {
		if (syscall(SYS_futex, &s->shared->armed, FUTEX_WAIT, 0, &limit, NULL, 0) < 0 && errno == ETIMEDOUT)
			helper_fail(s, ETIMEDOUT, 4);
	}
	for (unsigned long i = 0;; i++) {
		int fd = __atomic_load_n(&s->shared->listener_fd, __ATOMIC_ACQUIRE);
		if (fd == LISTENER_FAILED)
			_exit(2); /* the child reports its own failure */
		while (fd >= 0 && s->stall) {
			struct timespec ts = {1, 0};
			nanosleep(&ts, NULL);
		}
		if (fd >= 0) {
			char byte = 'L';
			struct iovec iov = {.iov_base = &byte, .iov_len = 1};
			union {
				char buf[CMSG_SPACE(sizeof(int))];
				struct cmsghdr align;
			} u;
			memset(&u, 0, sizeof(u));
			struct msghdr msg = {.msg_iov = &iov,
					     .msg_iovlen = 1,
					     .msg_control = u.buf,
					     .msg_controllen = sizeof(u.buf)};
			struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
			c->cmsg_level = SOL_SOCKET;
			c->cmsg_type = SCM_RIGHTS;
			c->cmsg_len = CMSG_LEN(sizeof(int));
			memcpy(CMSG_DATA(c), &fd, sizeof(int));
			ssize_t n;
			while ((n = sendmsg(s->child_sock, &msg, MSG_NOSIGNAL)) < 0 && errno == EINTR)
				;
			if (n != 1)
				helper_fail(s, errno, 3);
			/* listener-hold keeps the helper for the command to find
			 * (test_security_procs.sh): 3 s, or until tinyjail goes. */
			for (int k = 0; k < 300 && s->hold; k++) {
				struct timespec ts = {0, 10 * 1000 * 1000};
				nanosleep(&ts, NULL);
			}
			_exit(0);
		}
		/* Armed: the child is loading the filters (microseconds);
		 * spin briefly, then poll gently.  Give up after about 10 s. */
		if (i < 2000) {
			sched_yield();
		} else {
			struct timespec ts = {0, 100 * 1000};
			nanosleep(&ts, NULL);
			if (i > 2000 + 100000)
				helper_fail(s, ETIMEDOUT, 4);
		}
	}
}

static int listener_enter(const struct tj_plan *plan, void *state, struct tj_child_error *cerr)
{
	(void)plan;
	struct state *s = state;
	s->shared->child_pid = (int)getpid();
	/* The stack is the child's copy of the parent's mapping, which stays
	 * the helper's when execve gives the child a new one. */
	int pid = clone(helper_main, (char *)s->helper_stack + HELPER_STACK_SIZE,
			CLONE_VM | CLONE_FILES | CLONE_PARENT | SIGCHLD, s);
	if (pid < 0)
		return tj_child_fail(cerr, TJ_ERR_LAYER, errno, LAYER, "cannot start the listener helper");
	__atomic_store_n(&s->shared->helper_pid, (int)pid, __ATOMIC_RELEASE);
	return 0;
}

static int listener_started(const struct tj_plan *plan, void *state, pid_t child, struct tj_err **err)
{
	(void)plan;
	(void)child;
	(void)err;
	struct state *s = state;
	/* The helper holds its own reference now. */
	tj_closep(&s->child_sock);
	s->child_sock = -1;
	return 0;
}

static void listener_release(void *state)
{
	struct state *s = state;
	if (!s)
		return;
	tj_closep(&s->parent_sock);
	tj_closep(&s->child_sock);
	if (s->shared)
		munmap(s->shared, sizeof(*s->shared));
	if (s->helper_stack)
		munmap(s->helper_stack, HELPER_STACK_SIZE);
	free(s);
}

const struct tj_layer tj_layer_listener = {
	.name = LAYER,
	.wanted = listener_wanted,
	.prepare = listener_prepare,
	.link = listener_link,
	.enter = listener_enter,
	.started = listener_started,
	.release = listener_release,
};
