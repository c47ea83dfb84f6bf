/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The parent's loop while the command runs: reaps children, forwards
 * signals, receives the seccomp listener from the helper and answers its
 * notifications, and learns from the error pipe whether execve happened.
 *
 * Notifications mean one of two things (notes/architecture.md):
 *   complain mode: the profile would have denied this call; record it and
 *                  let it run (SECCOMP_USER_NOTIF_FLAG_CONTINUE);
 *   enforce mode:  the profile kills for this call; record it, then kill the
 *                  calling process (its whole thread group) with SIGKILL.
 * What the profile would have done is learnt by running the "truth" program
 * on the notification with the BPF simulator.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tj/base/cleanup.h"
#include "tj/base/proc.h"
#include "tj/base/seccomp_abi.h"
#include "tj/base/sys.h"
#include "tj/base/testhook.h"
#include "tj/filter/bpfsim.h"
#include "tj/filter/explain.h"
#include "tj/filter/hardening.h"
#include "tj/filter/notify.h"
#include "tj/launch/launch.h"
#include "tj/launch/observe.h"
#include "tj/launch/pidinit.h"

struct monitor {
	const struct tj_monitor_args *a;
	struct tj_launch_result *res;
	struct tj_notify *notify;
	int listener;
	bool got_listener; /* the helper handed it over */
	int listener_lost; /* why it never will (errno), or 0 */
	bool child_reaped;
	siginfo_t child_info;
	bool err_done;
	struct tj_child_error cerr;
	size_t cerr_got;
	bool have_base;		    /* the start call has been seen */
	uint64_t next_id;	    /* the id the next notification should carry */
	int timer;		    /* timerfd for the timeout, or -1 */
	bool terminating;	    /* the timeout sent SIGTERM; the timer now runs the grace */
	int sigints;		    /* SIGINTs a process sent to tinyjail */
	uint64_t last_terminal_int; /* when the terminal's last Ctrl-C came (ms), or 0 */
	int term_timer;		    /* after a SIGTERM sent to tinyjail: the grace, or -1 */
	bool helper_reaped;	    /* the listener helper's pid may be anyone's now */
	int listener_sock;	    /* where the listener arrives from the helper, or -1 */
	int ret;		    /* -1 once tinyjail itself failed (the command is killed) */
	struct tj_err **err;
	struct tj_comm_cache comm;    /* notified callers' /proc/PID/comm, kept open */
	struct tj_explain_memo rules; /* which rule decided a call, remembered */
	/* The listener's thread (start_listener_thread); while it runs, it and
	 * the loop take turns under lock, so the state above has one user at a
	 * time. */
	pthread_mutex_t lock;
	pthread_t thread;
	bool threaded;		   /* the thread answers the listener, the loop does not poll it */
	bool thread_stop;	   /* (atomic) asked to end */
	int thread_ready_fd;	   /* the thread's end of start_listener_thread's pipe */
	struct sigaction old_wake; /* WAKE_SIGNAL's disposition before the thread */
};

static uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* True when tgid is the command itself: the first child, or, with a pid
 * namespace, pid 2 of that namespace (init's first child). */
static bool is_the_command(const struct monitor *m, pid_t tgid)
{
	if (tgid == m->a->child)
		return true;
	if (!m->a->init_shared)
		return false;
	char path[64], line[256];
	snprintf(path, sizeof(path), "/proc/%d/status", (int)tgid);
	FILE *f = fopen(path, "re");
	if (!f)
		return false;
	int ppid = -1, inner = -1;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "PPid:", 5) == 0)
			ppid = atoi(line + 5);
		if (strncmp(line, "NSpid:", 6) == 0) {
			char *last = strrchr(line, '\t');
			inner = last ? atoi(last + 1) : -1;
		}
	}
	fclose(f);
	return ppid == m->a->child && inner == 2;
}

struct command_check {
	const struct monitor *m;
	bool is_command;
};

/* Whether it is the command, asked while /proc still shows it. */
static void note_command(void *ctx, pid_t tgid)
{
	struct command_check *c = ctx;
	c->is_command = is_the_command(c->m, tgid);
}

/* Kills the process a notified thread belongs to (notify.h: never a
 * recycled pid). */
static bool kill_notified_process(struct monitor *m, const struct tj_notification *n, bool *ret_command)
{
	struct command_check c = {.m = m};
	bool killed = tj_notify_kill_caller(m->listener, n->id, n->pid, note_command, &c);
	*ret_command = c.is_command;
	return killed;
}

/* abort() in the notified thread: it sends SIGABRT to itself. */
static bool self_abort(const struct tj_notification *n)
{
	pid_t tgid, tid;
	if (n->data.nr != SYS_tgkill && n->data.nr != SYS_tkill && n->data.nr != SYS_kill)
		return false;
	return tj_proc_own_ids(n->pid, &tgid, &tid) == 0 && tj_hardening_self_abort(&n->data, tgid, tid);
}

/* In enforce mode every notification is a call the profile kills for.  One
 * that was withdrawn before tinyjail could see which process made it cannot
 * be attributed; the command is ended rather than let that process go on. */
static void fail_closed_on_lost(struct monitor *m)
{
	if (m->child_reaped || m->res->seccomp_kill)
		return;
	tj_sys_pidfd_send_signal(m->a->pidfd, SIGKILL, NULL, 0);
	m->res->seccomp_kill = true;
	m->res->kill_unattributed = true;
}

/* An answer that cannot be given leaves the call blocked for good: the
 * caller must not wait forever (the monitor then ends the command).
 * ENOENT: the caller died meanwhile. */
static int answered(int r, struct tj_err **err)
{
	if (r == 0 || r == -ENOENT)
		return 0;
	return tj_err_set(err, TJ_ERR_INTERNAL, -r, "cannot answer a seccomp notification");
}

static struct tj_observe *observer(const struct monitor *m)
{
	return m->a->hooks ? m->a->hooks->observe : NULL;
}

/* The caller's name (/proc/PID/comm), read while it still waits, so that
 * its program cannot have changed yet. */
static void name_caller(struct monitor *m, struct tj_syscall_event *e)
{
	if (!e->comm[0])
		tj_proc_comm_cached(&m->comm, e->pid, e->comm, sizeof(e->comm));
}

/* Whether the event is written to the log (which names the caller); a call
 * that is only counted, or a complaint with no log to write it to, costs no
 * read of /proc. */
static bool logged(const struct monitor *m, const struct tj_syscall_event *e)
{
	return !e->tally_only && m->a->events->log;
}

/* Logs a notified call; the observer (--explain, usage, processes) sees it
 * first, while its caller still waits, and last, once it is logged. */
static void record(struct monitor *m, struct tj_syscall_event *e, const struct tj_notification *n, bool observed)
{
	struct tj_observe *o = observer(m);
	if (o && !observed) {
		tj_observe_call(o, e, m->listener, n->id);
		/* It may log a call that was only to be counted; the caller
		 * still waits. */
		if (logged(m, e))
			name_caller(m, e);
	}
	tj_events_syscall(m->a->events, e);
	if (o)
		tj_observe_after(o, e);
}

/* Acts on a notification received (r: tj_notify_receive's result).
 * Returns -1 when the listener is unusable: the supervisor then fails
 * closed (the command is killed, since nobody could answer it). */
static int handle_received(struct monitor *m, int r, struct tj_notification n, struct tj_err **err)
{
	const struct tj_monitor_args *a = m->a;
	const struct tj_filter *f = a->plan->filter;
	if (r == -ENOENT || r == -EINTR || r == -EAGAIN)
		return 0; /* the task died before we read it, or nothing pending */
	if (r < 0)
		return tj_err_set(err, TJ_ERR_INTERNAL, -r, "receiving a seccomp notification failed");

	/* The child's start call marks where ids begin (filter.h); answer it
	 * as the kernel would answer a syscall that does not exist. */
	if (n.data.nr == TJ_FILTER_SENTINEL_NR && n.data.arch == AUDIT_ARCH_X86_64 &&
	    n.data.args[0] == TJ_FILTER_SENTINEL_MAGIC) {
		if (!m->have_base) {
			m->have_base = true;
			m->next_id = n.id + 1;
		}
		return answered(tj_notify_deny(m->notify, m->listener, n.id, ENOSYS), err);
	}
	/* Ids count up by one per notification: a gap is a notification the
	 * kernel withdrew before we received it (a signal interrupted the call,
	 * which then failed with EINTR, or the caller died). */
	if (m->have_base && n.id > m->next_id) {
		m->res->lost += n.id - m->next_id;
		/* With --report, errno and allowed calls notify too, so a gap
		 * need not be a kill: the withdrawn call did not run either
		 * way, and it is only counted. */
		if (a->plan->mode == TJ_MODE_ENFORCE && !f->routes_more_than_kills)
			fail_closed_on_lost(m);
	}
	if (!m->have_base || n.id >= m->next_id) {
		m->have_base = true;
		m->next_id = n.id + 1;
	}

	/* learn: the learner records the call and says how to answer it. */
	if (a->hooks && a->hooks->on_notify) {
		int errnum = a->hooks->on_notify(a->hooks->ctx, &n, m->listener);
		if (errnum > 0)
			return answered(tj_notify_deny(m->notify, m->listener, n.id, errnum), err);
		r = tj_notify_continue(m->notify, m->listener, n.id);
		if (r < 0 && r != -ENOENT)
			return tj_err_set(err, TJ_ERR_LAYER, -r, "cannot let a notified call continue");
		return 0;
	}

	const struct sock_filter *truth = f->truth ? f->truth : f->prog;
	size_t truth_len = f->truth ? f->truth_len : f->len;
	uint32_t action = tj_bpf_run(truth, truth_len, &n.data);
	if ((action & SECCOMP_RET_ACTION_FULL) == SECCOMP_RET_KILL_PROCESS && self_abort(&n)) {
		/* A process may always abort itself (hardening.h): it dies of
		 * SIGABRT as it would without tinyjail.  Nothing to report. */
		tj_notify_continue(m->notify, m->listener, n.id);
		return 0;
	}

	struct tj_syscall_event e;
	memset(&e, 0, sizeof(e));
	e.pid = n.pid;
	e.data = n.data;
	e.action = action;
	e.rule = tj_explain_rule_memo(&m->rules, f->resolved, &n.data, action);

	uint32_t kind = action & SECCOMP_RET_ACTION_FULL;
	bool allowed = kind == SECCOMP_RET_ALLOW || kind == SECCOMP_RET_LOG;
	if (a->plan->mode == TJ_MODE_COMPLAIN || allowed) {
		/* Allowed calls arrive only for --report=usage: counted, not
		 * logged.  CONTINUE is safe here: the profile allowed the call
		 * on its register values alone, as the kernel would have. */
		e.verdict = allowed ? TJ_VERDICT_ALLOWED : TJ_VERDICT_WOULD_DENY;
		e.tally_only = allowed;
		/* The caller goes on first unless an observer must see it
		 * waiting (its stack): the log is written meanwhile. */
		bool early = !observer(m);
		if (early && logged(m, &e))
			name_caller(m, &e);
		if (!early)
			record(m, &e, &n, false);
		r = tj_notify_continue(m->notify, m->listener, n.id);
		if (early)
			record(m, &e, &n, false);
		/* ENOENT: the caller died meanwhile.  Anything else leaves the
		 * call blocked for good (a kernel without CONTINUE, before 5.5). */
		if (r < 0 && r != -ENOENT)
			return tj_err_set(err, TJ_ERR_LAYER, -r, "cannot let a notified call continue");
		return 0;
	}

	if (kind == SECCOMP_RET_ERRNO) {
		/* --report: the kernel would have answered this itself. */
		e.verdict = TJ_VERDICT_DENIED;
		e.errnum = (int)(action & SECCOMP_RET_DATA);
		name_caller(m, &e); /* for the log and the hooks' messages */
		record(m, &e, &n, false);
		int r2 = answered(tj_notify_deny(m->notify, m->listener, n.id, e.errnum), err);
		if (a->hooks && a->hooks->on_denied)
			a->hooks->on_denied(a->hooks->ctx, &e);
		return r2;
	}
	if (kind == SECCOMP_RET_KILL_PROCESS) {
		e.verdict = TJ_VERDICT_KILLED;
		name_caller(m, &e); /* for the kill's message */
		/* The stack, if wanted, is read while the caller still waits. */
		if (observer(m))
			tj_observe_call(observer(m), &e, m->listener, n.id);
		bool command = false;
		bool killed = kill_notified_process(m, &n, &command);
		/* Could not kill it (it is already dying): it must not go on. */
		int r2 = killed ? 0 : answered(tj_notify_deny(m->notify, m->listener, n.id, ENOSYS), err);
		if (observer(m))
			tj_observe_kill_named(observer(m), &e);
		record(m, &e, &n, true);
		if (observer(m) && killed)
			tj_observe_killed(observer(m), e.tgid ? e.tgid : e.pid);
		if (r2 < 0)
			return -1;
		if (!m->res->seccomp_kill && command) {
			m->res->seccomp_kill = true;
			m->res->kill_event = e;
		}
		if (a->hooks && a->hooks->on_kill)
			a->hooks->on_kill(a->hooks->ctx, &e);
		return 0;
	}
	/* Any other notification in enforce mode is a rule the profile routes
	 * to an external agent; with none attached, deny as a vanished agent
	 * would (ENOSYS), never let it run. */
	return answered(tj_notify_deny(m->notify, m->listener, n.id, ENOSYS), err);
}

static int handle_notification(struct monitor *m, struct tj_err **err)
{
	struct tj_notification n = {0};
	int r = tj_notify_receive(m->notify, m->listener, &n);
	return handle_received(m, r, n, err);
}

/* Tinyjail itself failed: the command must not go on (fail closed). */
static void fail_run(struct monitor *m)
{
	tj_sys_pidfd_send_signal(m->a->pidfd, SIGKILL, NULL, 0);
	m->ret = -1;
}

/* --- the listener's thread ---
 *
 * Polling the listener with everything else costs a poll(2) per notified
 * call besides the receive and the answer, and a call is notified at a time
 * per thread of the command (it waits for its answer), so the loop would
 * poll once per call.  Instead a thread of its own blocks in the receive
 * ioctl: two system calls per notification, the kernel's floor
 * (notes/performance.md, "A notified call").  It handles each notification
 * exactly as the loop would, holding the monitor's lock, which the loop
 * holds whenever it is not waiting in poll: one of them at a time. */

/* Interrupts the thread's receive when the loop ends it.  Not one tinyjail
 * acts on; only the thread unblocks it. */
#define WAKE_SIGNAL SIGURG

static void on_wake(int sig)
{
	(void)sig;
}

static void *listener_main(void *arg)
{
	struct monitor *m = arg;
	/* Its own mask, set whole rather than inherited: every signal goes
	 * to the loop's signalfd, only WAKE_SIGNAL comes here.  Without it
	 * the thread could never be ended, so it says whether it has it
	 * before the loop hands it the listener. */
	sigset_t mask;
	sigfillset(&mask);
	sigdelset(&mask, WAKE_SIGNAL);
	char ready = pthread_sigmask(SIG_SETMASK, &mask, NULL) == 0;
	if (write(m->thread_ready_fd, &ready, 1) != 1)
		ready = 0;
	close(m->thread_ready_fd); /* the loop reads EOF if the byte did not go */
	if (!ready)
		return NULL;
	while (!__atomic_load_n(&m->thread_stop, __ATOMIC_ACQUIRE)) {
		struct tj_notification n = {0};
		int r = tj_notify_receive(m->notify, m->listener, &n);
		if (r == -EINTR)
			continue;
		pthread_mutex_lock(&m->lock);
		bool end = false;
		if (r == -ENOENT) {
			/* The caller died before it was read, or no task uses
			 * the filter any more (every receive then fails so). */
			struct pollfd p = {.fd = m->listener, .events = POLLIN};
			end = poll(&p, 1, 0) == 1 && (p.revents & (POLLHUP | POLLERR)) && !(p.revents & POLLIN);
		} else if (handle_received(m, r, n, m->err) < 0) {
			fail_run(m);
			end = true;
		}
		if (end) {
			/* As the loop would: nobody answers it any more, so
			 * the kernel fails what else comes (ENOSYS). */
			close(m->listener);
			m->listener = -1;
		}
		pthread_mutex_unlock(&m->lock);
		if (end)
			break;
	}
	return NULL;
}

static void stop_listener_thread(struct monitor *m);

/* Called with the lock held.  False when the thread cannot be had: the
 * loop then polls the listener itself. */
static bool start_listener_thread(struct monitor *m)
{
	/* The thread can only be ended with a signal: where that cannot be
	 * sent (an outer sandbox refuses tgkill, as it may refuse threads),
	 * the loop keeps the listener. */
	if (syscall(SYS_tgkill, getpid(), gettid(), 0) < 0)
		return false;
	sigset_t loop_mask;
	if (pthread_sigmask(SIG_BLOCK, NULL, &loop_mask) != 0)
		return false;
	/* The thread says on a pipe, not with glibc's futex-based waits
	 * (which abort on an error they do not expect), whether it set its
	 * mask. */
	int ready[2];
	if (pipe2(ready, O_CLOEXEC) < 0)
		return false;
	struct sigaction sa = {.sa_handler = on_wake}; /* no SA_RESTART: the receive returns EINTR */
	sigemptyset(&sa.sa_mask);
	if (sigaction(WAKE_SIGNAL, &sa, &m->old_wake) < 0) {
		close(ready[0]);
		close(ready[1]);
		return false;
	}
	m->thread_ready_fd = ready[1];
	bool created = pthread_create(&m->thread, NULL, listener_main, m) == 0;
	/* glibc blocks every signal around the clone and then sets back the
	 * mask it read; where that read failed it sets back whatever its
	 * buffer held (the fault sweep: SIGCHLD let through, lost, a hang).
	 * The loop's own mask is set again. */
	int e = pthread_sigmask(SIG_SETMASK, &loop_mask, NULL);
	if (e != 0) {
		tj_err_set(m->err, TJ_ERR_INTERNAL, e, "cannot set the signal mask again after starting a thread");
		fail_run(m);
	}
	if (!created) {
		close(ready[0]);
		close(ready[1]);
		sigaction(WAKE_SIGNAL, &m->old_wake, NULL);
		return false;
	}
	char b = 0;
	ssize_t n;
	do
		n = read(ready[0], &b, 1);
	while (n < 0 && errno == EINTR);
	close(ready[0]);
	m->threaded = true;
	if (n == 1 && b == 1)
		return true;
	/* It could not set its mask, or what it said was lost: end it
	 * either way (it may be waiting in its receive already). */
	stop_listener_thread(m);
	return false;
}

static void kill_tree(struct monitor *m);

/* Called with the lock held; returns with it held and the thread gone.  The
 * thread finishes the notification it is handling; one blocked in the
 * receive is interrupted (again every millisecond: the signal may come
 * just before it enters the receive). */
static void stop_listener_thread(struct monitor *m)
{
	if (!m->threaded)
		return;
	__atomic_store_n(&m->thread_stop, true, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&m->lock);
	for (int tries = 1;; tries++) {
		if (tries % 1000 == 0) {
			/* A second without an answer to the signal: end what
			 * still uses the filter (the run is over; tinyjail
			 * would end it next), so that the receive returns. */
			pthread_mutex_lock(&m->lock);
			kill_tree(m);
			pthread_mutex_unlock(&m->lock);
		}
		pthread_kill(m->thread, WAKE_SIGNAL);
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 1000 * 1000;
		if (ts.tv_nsec >= 1000 * 1000 * 1000) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000 * 1000 * 1000;
		}
		if (pthread_timedjoin_np(m->thread, NULL, &ts) == 0)
			break;
	}
	pthread_mutex_lock(&m->lock);
	sigaction(WAKE_SIGNAL, &m->old_wake, NULL);
	m->threaded = false;
}

/* Returns -1 (errno set; ENOMSG: the helper ended without sending it) when
 * the listener will never come: nobody could answer the child's start call,
 * so the caller ends the command. */
static int receive_listener(struct monitor *m, int *sock)
{
	int fd = tj_sys_receive_fd(*sock);
	if (fd < 0 && (errno == EAGAIN || errno == EINTR))
		return 0;
	int e = errno;
	if (fd >= 0) {
		m->listener = fd;
		m->got_listener = true;
		/* Each notified call then costs two direct switches instead of
		 * two wake-ups on whatever CPU is free (a no-op before 6.6). */
		tj_notify_sync_wakeup(fd);
	}
	/* One message, or EOF: either way we are done. */
	close(*sock);
	*sock = -1;
	errno = e;
	return fd >= 0 ? 0 : -1;
}

/* An external seccomp agent decides from now on; tinyjail keeps no copy of
 * the listener, so that if the agent goes away the kernel fails every
 * pending and later notification (ENOSYS) instead of leaving it blocked. */
static int hand_over_listener(struct monitor *m, struct tj_err **err)
{
	const struct tj_launch_hooks *h = m->a->hooks;
	int r = h->on_listener(h->ctx, m->listener, m->a->child, err);
	close(m->listener);
	m->listener = -1;
	if (r < 0) {
		tj_sys_pidfd_send_signal(m->a->pidfd, SIGKILL, NULL, 0);
		return -1;
	}
	m->res->listener_handed = true;
	return 0;
}

static void read_error_pipe(struct monitor *m)
{
	char *p = (char *)&m->cerr;
	for (;;) {
		ssize_t n = read(m->a->errfd, p + m->cerr_got, sizeof(m->cerr) - m->cerr_got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		if (n <= 0) {
			m->err_done = true; /* EOF: execve happened, or the child is gone */
			return;
		}
		m->cerr_got += (size_t)n;
		if (m->cerr_got == sizeof(m->cerr)) {
			m->err_done = true;
			return;
		}
	}
}

/* tinyjail's direct children, from the kernel's list (tinyjail is a
 * subreaper, so every orphan of the tree is among them). */
static size_t read_children(pid_t pid, pid_t *out, size_t max)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/task/%d/children", (int)pid, (int)pid);
	FILE *f = fopen(path, "re");
	if (!f)
		return 0;
	size_t n = 0;
	long v;
	while (n < max && fscanf(f, "%ld", &v) == 1)
		out[n++] = (pid_t)v;
	fclose(f);
	return n;
}

/* The seccomp listener's helper, our child outside a pid namespace (in one
 * its pid is the namespace's own, and it dies with init); 0 otherwise. */
static pid_t listener_helper(const struct monitor *m)
{
	const struct tj_listener_service *l = m->a->services->listener;
	return m->a->init_shared || !l ? 0 : l->helper_pid(l->ctx);
}

/* A source's helper process (the proxy): ended by its owner, never swept
 * with the command's tree.  Nor is the listener helper, which may still be
 * exiting when the command has ended (a loaded machine); the loop ends it. */
static bool is_helper(const struct monitor *m, pid_t pid)
{
	for (size_t i = 0; i < m->a->nsources; i++)
		if (m->a->sources[i]->pid > 0 && m->a->sources[i]->pid == pid)
			return true;
	return !m->helper_reaped && pid == listener_helper(m);
}

/* Sends sig to every descendant of tinyjail; returns how many it found. */
static size_t signal_descendants(const struct monitor *m, int sig)
{
	pid_t todo[4096];
	size_t n = read_children(getpid(), todo, TJ_ARRAY_SIZE(todo)), done = 0, found = 0;
	while (done < n) {
		pid_t p = todo[done++];
		if (is_helper(m, p))
			continue;
		found++;
		n += read_children(p, todo + n, TJ_ARRAY_SIZE(todo) - n);
		kill(p, sig);
	}
	return found;
}

static void reap_children(struct monitor *m);

/* Ends the whole tree: through the cgroup when there is one, then by
 * sweeping tinyjail's descendants until none is left (which also finds a
 * process that moved itself out of a cgroup it could write to: with a
 * timeout alone its file systems stay writable, layer_cgroup.c). */
static void kill_tree(struct monitor *m)
{
	const struct tj_cgroup_service *cg = m->a->services->cgroup;
	if (cg)
		cg->kill(cg->ctx);
	for (int round = 0; round < 200; round++) {
		reap_children(m);
		if (signal_descendants(m, SIGKILL) == 0)
			return;
		struct timespec ts = {0, 1000 * 1000};
		nanosleep(&ts, NULL);
	}
}

static void signal_tree(struct monitor *m, int sig)
{
	const struct tj_cgroup_service *cg = m->a->services->cgroup;
	if (!cg || cg->signal(cg->ctx, sig) < 0)
		signal_descendants(m, sig);
}

static int arm_timer(int timer, uint64_t ms)
{
	struct itimerspec its = {.it_value = {.tv_sec = (time_t)(ms / 1000), .tv_nsec = (long)(ms % 1000) * 1000000}};
	return timerfd_settime(timer, 0, &its, NULL);
}

static void handle_timer(struct monitor *m)
{
	uint64_t expirations;
	if (read(m->timer, &expirations, sizeof(expirations)) != sizeof(expirations))
		return;
	const struct tj_limits *l = m->a->plan->limits;
	m->res->limit = "timeout";
	if (l->kill_after_ms && !m->terminating) {
		/* timeout(1)'s --kill-after: ask politely, then insist. */
		m->terminating = true;
		signal_tree(m, SIGTERM);
		arm_timer(m->timer, l->kill_after_ms);
		return;
	}
	kill_tree(m);
}

static void forward_signal(struct monitor *m, const struct signalfd_siginfo *si)
{
	if (si->ssi_code == SI_KERNEL && (si->ssi_signo == SIGINT || si->ssi_signo == SIGQUIT))
		m->res->terminal_signal = (int)si->ssi_signo;
	/* What tinyjail passes on; the others it blocks only (launch.c). */
	static const int forwarded[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGALRM, SIGWINCH};
	bool forward = false;
	for (size_t i = 0; i < TJ_ARRAY_SIZE(forwarded); i++)
		forward |= (int)si->ssi_signo == forwarded[i];
	if (!forward)
		return;
	/* Signals from the terminal (Ctrl-C, Ctrl-\, window size) already
	 * reached the command, which shares tinyjail's process group; only
	 * signals sent to tinyjail itself are passed on. */
	if (si->ssi_code == SI_KERNEL)
		return;
	if (!m->child_reaped && tj_sys_pidfd_send_signal(m->a->pidfd, (int)si->ssi_signo, NULL, 0) == 0)
		m->res->forwarded_signal = (int)si->ssi_signo;
}

/* The helper is tinyjail's: once the command has ended it is ended and
 * reaped here (it may be between its send and its exit), never counted as
 * a process the command left behind.  Not yet reaped, its pid cannot have
 * been reused. */
static void end_listener_helper(struct monitor *m)
{
	pid_t helper = listener_helper(m);
	if (helper <= 0 || m->helper_reaped)
		return;
	kill(helper, SIGKILL);
	waitpid(helper, NULL, __WALL);
	m->helper_reaped = true;
}

static void reap_children(struct monitor *m)
{
	for (;;) {
		siginfo_t info;
		memset(&info, 0, sizeof(info));
		if (waitid(P_ALL, 0, &info, WEXITED | WNOHANG) < 0 || info.si_pid == 0)
			return;
		if (info.si_pid == m->a->child) {
			m->child_reaped = true;
			m->child_info = info;
		}
		if (info.si_pid == listener_helper(m))
			m->helper_reaped = true;
		for (size_t i = 0; i < m->a->nsources; i++) {
			const struct tj_monitor_source *src = m->a->sources[i];
			if (src->pid > 0 && src->pid == info.si_pid && src->exited)
				src->exited(src->ctx, &info);
		}
	}
}

/* Killed processes take a moment to die and reach tinyjail (the subreaper)
 * as orphans: wait until every one is reaped, so that none is still visible
 * when tinyjail exits.  Bounded, in case one is stuck in the kernel. */
static void reap_until_none(struct monitor *m)
{
	for (int round = 0; round < 5000; round++) {
		reap_children(m);
		siginfo_t info;
		memset(&info, 0, sizeof(info));
		if (waitid(P_ALL, 0, &info, WEXITED | WNOHANG | WNOWAIT) < 0 && errno == ECHILD)
			return;
		struct timespec ts = {0, 1000 * 1000};
		nanosleep(&ts, NULL);
	}
}

/* A SIGTERM sent to tinyjail is passed on, and the whole tree must then end
 * within a bounded time even if the command ignores it or a helper on the
 * way (the pid namespace's init) is stuck: a second SIGTERM, or the grace
 * running out, kills the tree. */
static void handle_sigterm(struct monitor *m, const struct signalfd_siginfo *si)
{
	forward_signal(m, si);
	if (m->term_timer >= 0) {
		m->res->term_killed = true;
		kill_tree(m);
		return;
	}
	const struct tj_limits *l = m->a->plan->limits;
	uint64_t grace = l && l->kill_after_ms ? l->kill_after_ms : TJ_TERM_GRACE_MS;
	m->term_timer = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (m->term_timer < 0 || arm_timer(m->term_timer, grace) < 0) {
		/* Without a clock to bound the wait, do not wait. */
		m->res->term_killed = true;
		kill_tree(m);
	}
}

static void handle_term_timer(struct monitor *m)
{
	uint64_t expirations;
	if (read(m->term_timer, &expirations, sizeof(expirations)) != sizeof(expirations))
		return;
	m->res->term_killed = true;
	kill_tree(m);
}

/* The terminal's Ctrl-C reaches the command itself (it shares the process
 * group), which decides what it means: a shell, an editor or a REPL lives
 * on.  Only two in quick succession are "stop now", as are two SIGINTs
 * sent to tinyjail by a process (a CI runner's cancel).  The window is
 * short so that an interactive program is never killed by a Ctrl-C pressed
 * long after another. */
#define INTERRUPT_WINDOW_MS 1000

static bool second_interrupt(struct monitor *m, const struct signalfd_siginfo *si)
{
	if (si->ssi_code != SI_KERNEL)
		return ++m->sigints >= 2;
	uint64_t now = now_ms();
	bool quick = m->last_terminal_int && now - m->last_terminal_int <= INTERRUPT_WINDOW_MS;
	m->last_terminal_int = now;
	return quick;
}

static void handle_signals(struct monitor *m)
{
	struct signalfd_siginfo si;
	while (read(m->a->sigfd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGCHLD) {
			reap_children(m);
		} else if (si.ssi_signo == SIGINT && second_interrupt(m, &si) && !m->child_reaped) {
			/* A second interrupt means "stop now", for the whole tree. */
			m->res->interrupted = true;
			kill_tree(m);
		} else if (si.ssi_signo == SIGTERM && si.ssi_code != SI_KERNEL && !m->child_reaped) {
			handle_sigterm(m, &si);
		} else if (si.ssi_signo != SIGPIPE) {
			forward_signal(m, &si);
		}
	}
}

/* The enforcement manifest, one layer event per line, after the start
 * event.  People already saw it before the run (cmd_run.c): no notice. */
static void log_manifest(struct tj_events *events, const struct tj_manifest *m)
{
	void (*notice)(void *, const char *) = events->notice;
	events->notice = NULL;
	for (size_t i = 0; m && i < m->n; i++)
		tj_events_layer(events, m->v[i].layer, m->v[i].status, m->v[i].detail);
	events->notice = notice;
}

/* --- one dispatch over everything the monitor watches --- */

/* A descriptor the loop polls and what to do when it is ready.  The
 * monitor's own (signals, timers, the error pipe, the listener and the
 * socket it arrives on) and the sources of the layers and the verb
 * (tj_monitor_source) are alike. */
struct watch {
	int fd;
	void (*ready)(struct monitor *m, const struct watch *w, short revents);
	const struct tj_monitor_source *src;
};

static void on_signals(struct monitor *m, const struct watch *w, short revents)
{
	(void)w;
	(void)revents;
	handle_signals(m);
}

/* The command's pidfd is readable once it has exited: the loop sees the
 * exit even if its SIGCHLD was lost (a signal mask that let it through,
 * where nothing took it). */
static void on_child_exit(struct monitor *m, const struct watch *w, short revents)
{
	(void)w;
	(void)revents;
	reap_children(m);
}

static void on_timer(struct monitor *m, const struct watch *w, short revents)
{
	(void)w;
	(void)revents;
	handle_timer(m);
}

static void on_term_timer(struct monitor *m, const struct watch *w, short revents)
{
	(void)w;
	(void)revents;
	handle_term_timer(m);
}

static void on_error_pipe(struct monitor *m, const struct watch *w, short revents)
{
	(void)w;
	(void)revents;
	read_error_pipe(m);
}

static void on_listener_sock(struct monitor *m, const struct watch *w, short revents)
{
	(void)w;
	(void)revents;
	if (receive_listener(m, &m->listener_sock) < 0) {
		m->listener_lost = errno ? errno : EIO;
		tj_sys_pidfd_send_signal(m->a->pidfd, SIGKILL, NULL, 0);
	}
	/* On failure the command is killed; the loop goes on to reap it. */
	if (m->listener >= 0 && m->a->hooks && m->a->hooks->on_listener) {
		if (hand_over_listener(m, m->err) < 0)
			m->ret = -1;
	} else if (m->listener >= 0 && m->notify) {
		start_listener_thread(m);
	}
}

static void on_source(struct monitor *m, const struct watch *w, short revents)
{
	(void)revents;
	if (w->src->ready)
		w->src->ready(w->src->ctx, m->a->child);
}

static void on_listener(struct monitor *m, const struct watch *w, short revents)
{
	(void)w;
	if ((revents & POLLIN) && handle_notification(m, m->err) < 0) {
		fail_run(m);
		close(m->listener);
		m->listener = -1;
	} else if ((revents & (POLLHUP | POLLERR)) && !(revents & POLLIN)) {
		/* No task uses the filter any more. */
		close(m->listener);
		m->listener = -1;
	}
}

/* What to poll now, in the order it is handled. */
static size_t gather(struct monitor *m, struct watch *w)
{
	const struct tj_monitor_args *a = m->a;
	size_t n = 0;
	w[n++] = (struct watch){a->sigfd, on_signals, NULL};
	if (a->pidfd >= 0 && !m->child_reaped)
		w[n++] = (struct watch){a->pidfd, on_child_exit, NULL};
	if (m->timer >= 0 && !m->child_reaped)
		w[n++] = (struct watch){m->timer, on_timer, NULL};
	if (m->term_timer >= 0 && !m->child_reaped)
		w[n++] = (struct watch){m->term_timer, on_term_timer, NULL};
	if (!m->err_done)
		w[n++] = (struct watch){a->errfd, on_error_pipe, NULL};
	if (m->listener_sock >= 0)
		w[n++] = (struct watch){m->listener_sock, on_listener_sock, NULL};
	for (size_t i = 0; i < a->nsources; i++)
		if (a->sources[i]->fd >= 0)
			w[n++] = (struct watch){a->sources[i]->fd, on_source, a->sources[i]};
	/* Without notification buffers (tj_notify_new failed: the run has
	 * failed, the command is being killed) a pending notification is
	 * left to die with its caller. */
	if (m->listener >= 0 && m->notify && !m->threaded)
		w[n++] = (struct watch){m->listener, on_listener, NULL};
	return n;
}

#define MAX_WATCHES (7 + TJ_MONITOR_SOURCES)

int tj_monitor_run(const struct tj_monitor_args *a, struct tj_launch_result *res, struct tj_err **err)
{
	struct monitor m = {.a = a,
			    .res = res,
			    .listener = -1,
			    .timer = -1,
			    .term_timer = -1,
			    .listener_sock = a->listener_sock,
			    .err = err};
	uint64_t start = now_ms();
	/* Test builds: the command's SIGCHLD is delivered and discarded
	 * instead of read from the signalfd (as a wrong signal mask would). */
	if (tj_testhook("sigchld-lost")) {
		sigset_t chld;
		sigemptyset(&chld);
		sigaddset(&chld, SIGCHLD);
		pthread_sigmask(SIG_UNBLOCK, &chld, NULL);
	}
	pthread_mutex_init(&m.lock, NULL);
	pthread_mutex_lock(&m.lock); /* the loop's, but while it waits in poll */

	const struct tj_limits *limits = a->plan->limits;
	if (limits && limits->timeout_ms) {
		m.timer = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
		if (m.timer < 0 || arm_timer(m.timer, limits->timeout_ms) < 0) {
			tj_err_set(err, TJ_ERR_INTERNAL, errno, "cannot start the timeout");
			fail_run(&m);
		}
	}

	if (m.listener_sock >= 0 && tj_notify_new(&m.notify, err) < 0)
		fail_run(&m);
	tj_events_start(a->events,
			a->plan->mode == TJ_MODE_COMPLAIN ? "complain"
			: a->plan->mode == TJ_MODE_LEARN  ? "learn"
							  : "enforce",
			a->plan->profile ? a->plan->profile->file : NULL, a->plan->argv, a->child);
	log_manifest(a->events, a->plan->manifest);
	if (fcntl(a->errfd, F_SETFL, O_NONBLOCK) < 0) {
		/* A blocking read would wait for every holder of the pipe, the
		 * listener's helper too, until it gives up (10 s, far more on a
		 * loaded machine: the fault campaign saw a hang).  The run has
		 * failed: the child's report is not read. */
		if (m.ret == 0)
			tj_err_set(err, TJ_ERR_INTERNAL, errno, "cannot make the error pipe non-blocking");
		fail_run(&m);
		m.err_done = true;
	}

	while (!(m.child_reaped && m.err_done)) {
		struct watch w[MAX_WATCHES];
		struct pollfd pfd[MAX_WATCHES];
		size_t n = gather(&m, w);
		for (size_t i = 0; i < n; i++)
			pfd[i] = (struct pollfd){.fd = w[i].fd, .events = POLLIN};
		/* Once the command is gone, the helper (if it is stuck) is the
		 * only holder of the error pipe; do not wait for it.  While the
		 * listener is awaited, wait for it a bounded time: a helper that
		 * died or is stuck would leave the child waiting forever. */
		int timeout = m.child_reaped ? 100 : -1;
		uint64_t waited = now_ms() - start;
		if (m.listener_sock >= 0 && !m.child_reaped)
			timeout = waited >= TJ_LISTENER_DEADLINE_MS ? 0 : (int)(TJ_LISTENER_DEADLINE_MS - waited);
		pthread_mutex_unlock(&m.lock);
		int r = poll(pfd, (nfds_t)n, timeout);
		int poll_errno = errno;
		pthread_mutex_lock(&m.lock);
		errno = poll_errno;
		if (r < 0 && errno != EINTR) {
			tj_err_set(err, TJ_ERR_INTERNAL, errno, "poll");
			fail_run(&m);
			break;
		}
		if (r == 0 && m.listener_sock >= 0 && !m.child_reaped && now_ms() - start >= TJ_LISTENER_DEADLINE_MS) {
			tj_err_set(err, TJ_ERR_LAYER, ETIMEDOUT,
				   "the seccomp listener did not arrive within %d s (its helper is stuck or gone)",
				   TJ_LISTENER_DEADLINE_MS / 1000);
			tj_err_layer(err, "seccomp");
			kill_tree(&m);
			close(m.listener_sock);
			m.listener_sock = -1;
			m.ret = -1;
			continue;
		}
		if (r == 0 && m.child_reaped) {
			/* The helper (stuck) holds the pipe's other end. */
			end_listener_helper(&m);
			read_error_pipe(&m);
			m.err_done = true;
			continue;
		}
		for (size_t i = 0; r > 0 && i < n; i++)
			if (pfd[i].revents)
				w[i].ready(&m, &w[i], pfd[i].revents);
	}
	/* From here on the loop is alone again. */
	stop_listener_thread(&m);
	pthread_mutex_unlock(&m.lock);
	pthread_mutex_destroy(&m.lock);
	int ret = m.ret;
	reap_children(&m);
	for (size_t i = 0; i < a->nsources; i++) {
		const struct tj_monitor_source *src = a->sources[i];
		if (src->finish && ret == 0)
			src->finish(src->ctx, a->child);
		/* A source's helper (the proxy) is its owner's to end, before
		 * anything left behind is counted. */
		if (src->stop)
			src->stop(src->ctx);
	}

	/* Nothing of the tree outlives tinyjail: what is left is killed (and
	 * the cgroups can then be removed). */
	end_listener_helper(&m);
	res->leftovers = signal_descendants(&m, 0);
	if (res->leftovers)
		kill_tree(&m);
	reap_until_none(&m);
	if (m.listener >= 0)
		close(m.listener);
	if (m.timer >= 0)
		close(m.timer);
	if (m.term_timer >= 0)
		close(m.term_timer);
	struct rusage ru;
	if (getrusage(RUSAGE_CHILDREN, &ru) == 0) {
		res->cpu_usec = (uint64_t)ru.ru_utime.tv_sec * 1000000 + (uint64_t)ru.ru_utime.tv_usec +
				(uint64_t)ru.ru_stime.tv_sec * 1000000 + (uint64_t)ru.ru_stime.tv_usec;
		res->max_rss = (uint64_t)ru.ru_maxrss * 1024;
	}
	if (m.listener_sock >= 0)
		close(m.listener_sock);
	tj_notify_free(m.notify);
	tj_comm_cache_done(&m.comm);

	res->wall_ms = now_ms() - start;
	if (ret < 0)
		return ret;
	if (m.cerr_got == sizeof(m.cerr)) {
		struct tj_child_error *c = &m.cerr;
		c->msg[sizeof(c->msg) - 1] = '\0';
		c->layer[sizeof(c->layer) - 1] = '\0';
		enum tj_err_kind kind = c->kind >= 0 && c->kind < _TJ_ERR_KIND_MAX ? (enum tj_err_kind)c->kind
										   : TJ_ERR_INTERNAL;
		if (kind == TJ_ERR_NOT_FOUND || kind == TJ_ERR_CANNOT_EXEC) {
			tj_err_set(err, kind, c->errnum, "%s '%s'", c->msg, a->plan->exec_path);
			const struct tj_isolation *iso = a->plan->iso;
			if (c->errnum == EACCES && iso && (tj_isolation_wants_landlock_fs(iso) || iso->noexec.n))
				tj_err_hint(err,
					    "the filesystem rules do not let it be executed: it, its interpreter "
					    "and its libraries need --ro, --rw or --exec on a directory above them "
					    "(for example --ro /usr), and no --noexec over them");
		} else
			tj_err_set(err, kind, c->errnum, "%s", c->msg);
		if (c->layer[0])
			tj_err_layer(err, c->layer);
		return -1;
	}
	/* What else went wrong before the command could run, the most
	 * specific first.  init could not confine itself, or died before the
	 * command did (killed: the namespace and the command went with it). */
	int init_step = a->init_shared ? __atomic_load_n(&a->init_shared->failed_step, __ATOMIC_ACQUIRE) : 0;
	if (init_step) {
		tj_err_set(err, TJ_ERR_LAYER, a->init_shared->failed_errno, "the pid namespace's init could not %s",
			   tj_pidinit_step_name(init_step));
		tj_err_layer(err, "namespaces");
		return -1;
	}
	/* The helper could not hand the listener over, and ended the child
	 * rather than let it wait forever (or run with nobody to answer). */
	const struct tj_listener_service *lsvc = a->services ? a->services->listener : NULL;
	int helper_errno = a->listener_sock >= 0 && !m.got_listener && lsvc && lsvc->helper_error
				   ? lsvc->helper_error(lsvc->ctx)
				   : 0;
	/* (A listener lost because the child was dying anyway is not the
	 * cause: then the child did not die of our SIGKILL.) */
	bool killed = m.child_info.si_code == CLD_KILLED && m.child_info.si_status == SIGKILL;
	/* Nor when tinyjail itself ended the run during the set-up (the
	 * timeout fired, a signal came): the helper went with the tree. */
	bool ended = m.res->limit || m.res->interrupted || m.res->term_killed;
	/* A signal passed on before the listener arrived ended the command
	 * (it has no handlers before execve, and it cannot have reached execve
	 * before the start call was answered): its end closed the hand-off
	 * socket, and our SIGKILL may then reach a pid namespace's init before
	 * it reaps the command.  The signal ended the run, not the helper. */
	int sig = m.res->forwarded_signal;
	bool setup_signalled = sig && sig != SIGWINCH && sig != SIGCONT && a->plan->filter &&
			       a->plan->filter->has_start_call && tj_sys_seccomp_mode() != SECCOMP_MODE_FILTER;
	if (!helper_errno && m.listener_lost == ENOMSG && killed && !ended && setup_signalled) {
		res->setup_signal = sig;
		tj_err_set(err, TJ_ERR_INTERNAL, 0, "interrupted by SIG%s before the command started",
			   sigabbrev_np(sig) ? sigabbrev_np(sig) : "?");
		return -1;
	}
	if (helper_errno || (m.listener_lost && killed && !ended)) {
		if (helper_errno)
			tj_err_set(err, TJ_ERR_LAYER, helper_errno,
				   "the listener helper could not hand the seccomp listener over");
		else if (m.listener_lost == ENOMSG)
			tj_err_set(err, TJ_ERR_LAYER, 0,
				   "the listener helper ended without handing the seccomp listener over");
		else
			tj_err_set(err, TJ_ERR_LAYER, m.listener_lost,
				   "cannot receive the seccomp listener from its helper");
		tj_err_layer(err, "seccomp");
		return -1;
	}
	if (a->init_shared && !__atomic_load_n(&a->init_shared->status_set, __ATOMIC_ACQUIRE) &&
	    m.child_info.si_code != CLD_EXITED && !m.res->seccomp_kill && !m.res->limit && !m.res->interrupted &&
	    !m.res->term_killed && !m.res->cg.oom_kills) {
		tj_err_set(err, TJ_ERR_LAYER, 0,
			   "the pid namespace's init was killed by signal %s before the command ended; the command "
			   "died with it",
			   sigabbrev_np(m.child_info.si_status) ? sigabbrev_np(m.child_info.si_status) : "?");
		tj_err_layer(err, "namespaces");
		return -1;
	}

	if (a->init_shared && __atomic_load_n(&a->init_shared->status_set, __ATOMIC_ACQUIRE)) {
		/* The pid namespace's init reported the command's own status. */
		int st = a->init_shared->wait_status;
		if (WIFEXITED(st)) {
			res->exited = true;
			res->status = WEXITSTATUS(st);
			res->exit_code = res->status;
		} else {
			res->signal = WTERMSIG(st);
			res->exit_code = TJ_EXIT_SIGNAL_BASE + res->signal;
		}
	} else if (m.child_info.si_code == CLD_EXITED) {
		res->exited = true;
		res->status = m.child_info.si_status;
		res->exit_code = res->status;
	} else {
		res->signal = m.child_info.si_status;
		res->exit_code = TJ_EXIT_SIGNAL_BASE + res->signal;
	}
	if (res->seccomp_kill)
		res->exit_code = TJ_EXIT_SIGNAL_BASE + SIGSYS;
	if (res->limit && strcmp(res->limit, "timeout") == 0)
		res->exit_code = TJ_EXIT_TIMEOUT; /* as timeout(1) */
	return 0;
}
