/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The seccomp layer: loads the compiled program in the child, last of all
 * layers (it cuts off the system calls the others need), and, when the
 * program can notify, gets its listener fd to the supervisor.
 *
 * Getting the listener out is the delicate part: once the filter is loaded,
 * every system call the child makes is judged by the profile, so the child
 * makes none except execve.  Before loading, it starts a helper that shares
 * its file table (CLONE_FILES) and is tinyjail's child, not the target's
 * (CLONE_PARENT).  The child writes the listener's fd number into shared
 * memory (a store, not a system call) and goes on to execve; execve gives the
 * child a private copy of the fd table, so the helper still holds the
 * listener and sends it to the supervisor over a socket, then exits.  This is
 * crun's idea, changed so the target never waits and never gains a child.
 *
 * The helper also shares the child's memory (CLONE_VM) and runs on a stack
 * of its own: a fork would copy the page tables and then pay a copy-on-write
 * fault for every page either side touches, which cost about 1.7 ms per launch
 * on the reference VM (notes/performance.md).
 */
#include <errno.h>
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
#include "tj/filter/bpfsim.h"
#include "tj/layers/layer.h"

#define LAYER "seccomp"
#define LISTENER_PENDING (-1)
#define LISTENER_FAILED (-2)

struct shared {
	int listener_fd; /* LISTENER_PENDING until the child has loaded the filter */
	int helper_pid;
};

#define HELPER_STACK_SIZE (64 * 1024)

struct state {
	int parent_sock; /* the supervisor's end */
	int child_sock;	 /* the helper's end */
	struct shared *shared;
	void *helper_stack;
	unsigned extra_flags; /* flags this kernel offers beyond the compiled ones */
};

#define FLAG_WAIT_KILLABLE_RECV (1u << 5)

static bool seccomp_wanted(const struct tj_plan *plan)
{
	return plan->filter || plan->hardening;
}

/* Collects the distinct actions the program can return. */
static size_t program_actions(const struct sock_filter *prog, size_t len, uint32_t *out, size_t cap)
{
	size_t n = 0;
	for (size_t i = 0; i < len; i++) {
		if (prog[i].code != (BPF_RET | BPF_K))
			continue;
		uint32_t action = prog[i].k & 0xffff0000u;
		bool seen = false;
		for (size_t k = 0; k < n; k++)
			seen |= out[k] == action;
		if (!seen && n < cap)
			out[n++] = action;
	}
	return n;
}

static int seccomp_probe(const struct tj_plan *plan, struct tj_manifest *m, struct tj_err **err)
{
	char why[128];
	const struct tj_filter *h = plan->hardening;
	if (h && tj_bpf_validate(h->prog, h->len, why, sizeof(why)) < 0) {
		tj_err_set(err, TJ_ERR_INTERNAL, 0, "the hardening program is invalid: %s", why);
		return tj_err_layer(err, LAYER);
	}
	if (h)
		tj_manifest_add(m, LAYER, TJ_LAYER_APPLIED,
				"tinyjail's hardening filter: %zu BPF instructions (%s%s%s%s)", h->len,
				"no TIOCSTI/TIOCLINUX",
				plan->iso && plan->iso->deny_write_execute ? ", no W+X memory" : "",
				plan->iso && plan->iso->no_new_processes ? ", no new processes" : "",
				plan->iso && plan->iso->has_signals ? ", restricted signals" : "");
	const struct tj_filter *f = plan->filter;
	if (!f)
		return 0;
	if (tj_bpf_validate(f->prog, f->len, why, sizeof(why)) < 0) {
		tj_err_set(err, TJ_ERR_INTERNAL, 0, "the compiled program is invalid: %s", why);
		return tj_err_layer(err, LAYER);
	}
	if (prctl(PR_GET_SECCOMP, 0, 0, 0, 0) < 0 && errno == EINVAL) {
		tj_err_set(err, TJ_ERR_LAYER, 0, "this kernel has no seccomp support");
		return tj_err_layer(err, LAYER);
	}
	uint32_t actions[16];
	size_t n = program_actions(f->prog, f->len, actions, TJ_ARRAY_SIZE(actions));
	for (size_t i = 0; i < n; i++) {
		int r = tj_sys_seccomp_action_available(actions[i]);
		if (r < 0) {
			char name[64];
			tj_filter_describe_action(actions[i], name, sizeof(name));
			tj_err_set(err, TJ_ERR_LAYER, -r, "the kernel does not support the action %s", name);
			return tj_err_layer(err, LAYER);
		}
	}
	int r = tj_sys_seccomp_flags_supported(f->load_flags);
	if (r < 0) {
		tj_err_set(err, TJ_ERR_LAYER, -r, "the kernel refuses the filter flags 0x%x", f->load_flags);
		return tj_err_layer(err, LAYER);
	}
	tj_manifest_add(m, LAYER, TJ_LAYER_APPLIED, "%zu BPF instructions, %s%s, no_new_privs", f->len,
			plan->mode == TJ_MODE_COMPLAIN ? "complain mode (nothing denied)" : "enforce mode",
			!f->uses_listener   ? ""
			: f->has_start_call ? ", supervised through a seccomp listener"
					    : ", listener handed to a seccomp agent");
	return 0;
}

static int seccomp_prepare(const struct tj_plan *plan, void **ret_state, struct tj_err **err)
{
	struct state *s = tj_xcalloc(1, sizeof(*s));
	s->parent_sock = s->child_sock = -1;
	*ret_state = s;
	if (!plan->filter || !plan->filter->uses_listener)
		return 0;
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
	s->shared->helper_pid = 0;
	/* Once the supervisor has received a notification, a signal must not
	 * withdraw it (the call would fail with EINTR after being recorded);
	 * kernels since 5.19 can wait killably from then on. */
	unsigned flags = plan->filter->load_flags | FLAG_WAIT_KILLABLE_RECV;
	if (tj_sys_seccomp_flags_supported(flags) == 0)
		s->extra_flags = FLAG_WAIT_KILLABLE_RECV;
	return 0;
}

/* The helper: waits for the listener's fd number, sends the fd, exits.  It
 * runs before the filter exists and is never filtered.  It shares the
 * child's thread-local errno; the child reads errno only to retry an
 * interrupted start call, and a stray retry is harmless.  Not instrumented
 * by AddressSanitizer, which does not know this stack and warns about it. */
__attribute__((no_sanitize("address"))) static int helper_main(void *arg)
{
	struct state *s = arg;
	prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	for (unsigned long i = 0;; i++) {
		int fd = __atomic_load_n(&s->shared->listener_fd, __ATOMIC_ACQUIRE);
		if (fd == LISTENER_FAILED)
			_exit(2);
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
			_exit(sendmsg(s->child_sock, &msg, MSG_NOSIGNAL) == 1 ? 0 : 3);
		}
		/* The child loads the filter microseconds after starting us;
		 * spin briefly, then poll gently.  Give up after about 10 s. */
		if (i < 2000) {
			sched_yield();
		} else {
			struct timespec ts = {0, 100 * 1000};
			nanosleep(&ts, NULL);
			if (i > 2000 + 100000)
				_exit(4);
		}
	}
}

static int seccomp_enter(const struct tj_plan *plan, void *state, struct tj_child_error *cerr)
{
	struct state *s = state;
	const struct tj_filter *f = plan->filter;
	const struct tj_filter *h = plan->hardening;

	/* no_new_privs is set (launch.c): unprivileged loading needs it. */
	if (f && f->uses_listener) {
		/* The stack is the child's copy of the parent's mapping, which
		 * stays the helper's when execve gives the child a new one. */
		int pid = clone(helper_main, (char *)s->helper_stack + HELPER_STACK_SIZE,
				CLONE_VM | CLONE_FILES | CLONE_PARENT | SIGCHLD, s);
		if (pid < 0)
			return tj_child_fail(cerr, TJ_ERR_LAYER, errno, LAYER, "cannot start the listener helper");
		__atomic_store_n(&s->shared->helper_pid, (int)pid, __ATOMIC_RELEASE);
	}

	/* tinyjail's own rules first (hardening.h): the kernel runs every
	 * filter and the stricter answer wins, so the order only matters for
	 * the helper above, which must be started before either. */
	if (h) {
		int r = tj_sys_seccomp_load(0, h->prog, (unsigned short)h->len);
		if (r < 0) {
			if (f && f->uses_listener)
				__atomic_store_n(&s->shared->listener_fd, LISTENER_FAILED, __ATOMIC_RELEASE);
			return tj_child_fail(cerr, TJ_ERR_LAYER, -r, LAYER, "the kernel refused the hardening filter");
		}
	}
	if (!f)
		return 0;
	int fd = tj_sys_seccomp_load(f->load_flags | s->extra_flags, f->prog, (unsigned short)f->len);
	if (fd < 0) {
		if (f->uses_listener)
			__atomic_store_n(&s->shared->listener_fd, LISTENER_FAILED, __ATOMIC_RELEASE);
		return tj_child_fail(cerr, TJ_ERR_LAYER, -fd, LAYER, "the kernel refused the filter");
	}
	/* From here on, no system calls but the start call and execve. */
	if (f->uses_listener) {
		__atomic_store_n(&s->shared->listener_fd, fd, __ATOMIC_RELEASE);
		/* The start call (filter.h): it blocks until the supervisor holds
		 * the listener and has seen where notification ids begin.  A
		 * signal may interrupt it; then it is simply made again.  A
		 * filter whose listener goes to an external agent has none. */
		while (f->has_start_call &&
		       syscall(TJ_FILTER_SENTINEL_NR, TJ_FILTER_SENTINEL_MAGIC, 0, 0, 0, 0, 0) < 0 && errno == EINTR)
			;
	}
	return 0;
}

static int seccomp_started(const struct tj_plan *plan, void *state, pid_t child, struct tj_err **err)
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

static void seccomp_release(void *state)
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

int tj_layer_seccomp_take_listener_sock(void *state)
{
	struct state *s = state;
	return s ? TJ_STEAL_FD(&s->parent_sock) : -1;
}

pid_t tj_layer_seccomp_helper_pid(void *state)
{
	struct state *s = state;
	if (!s || !s->shared)
		return 0;
	return __atomic_load_n(&s->shared->helper_pid, __ATOMIC_ACQUIRE);
}

const struct tj_layer tj_layer_seccomp = {
	.name = LAYER,
	.per_process = true,
	.wanted = seccomp_wanted,
	.probe = seccomp_probe,
	.prepare = seccomp_prepare,
	.enter = seccomp_enter,
	.started = seccomp_started,
	.release = seccomp_release,
};
