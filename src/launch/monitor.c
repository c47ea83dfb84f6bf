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
#include "tj/base/sys.h"
#include "tj/filter/bpfsim.h"
#include "tj/filter/explain.h"
#include "tj/filter/hardening.h"
#include "tj/filter/notify.h"
#include "tj/launch/launch.h"
#include "tj/launch/observe.h"

struct monitor {
	const struct tj_monitor_args *a;
	struct tj_launch_result *res;
	struct tj_notify *notify;
	int listener;
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
	struct tj_comm_cache comm;  /* notified callers' /proc/PID/comm, kept open */
};

static uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* The thread group (process) a thread id belongs to, or -1. */
static pid_t thread_group_of(pid_t tid)
{
	char path[64], line[256];
	snprintf(path, sizeof(path), "/proc/%d/status", (int)tid);
	FILE *f = fopen(path, "re");
	if (!f)
		return -1;
	pid_t tgid = -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Tgid: %d", &tgid) == 1)
			break;
	fclose(f);
	return tgid;
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

/* Kills the process a notified thread belongs to.  The pidfd is opened and
 * then the notification is checked to still be pending, so a recycled pid
 * can never be hit (seccomp_unotify(2)). */
static bool kill_notified_process(struct monitor *m, const struct tj_notification *n, bool *ret_command)
{
	*ret_command = false;
	pid_t tgid = thread_group_of(n->pid);
	if (tgid <= 0)
		return false;
	int pidfd = tj_sys_pidfd_open(tgid, 0);
	if (pidfd < 0)
		return false;
	bool killed = false;
	if (tj_notify_id_valid(m->listener, n->id) == 0) {
		/* Whether it is the command, asked while /proc still shows it. */
		*ret_command = is_the_command(m, tgid);
		killed = tj_sys_pidfd_send_signal(pidfd, SIGKILL, NULL, 0) == 0;
	}
	close(pidfd);
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

static struct tj_observe *observer(const struct monitor *m)
{
	return m->a->hooks ? m->a->hooks->observe : NULL;
}

/* Logs a notified call; the observer (--explain, usage, processes) sees it
 * first, while its caller still waits, and last, once it is logged. */
static void record(struct monitor *m, struct tj_syscall_event *e, const struct tj_notification *n, bool observed)
{
	struct tj_observe *o = observer(m);
	if (o && !observed)
		tj_observe_call(o, e, m->listener, n->id);
	tj_events_syscall(m->a->events, e);
	if (o)
		tj_observe_after(o, e);
}

/* Returns -1 when the listener is unusable: the supervisor then fails
 * closed (the command is killed, since nobody could answer it). */
static int handle_notification(struct monitor *m, struct tj_err **err)
{
	const struct tj_monitor_args *a = m->a;
	const struct tj_filter *f = a->plan->filter;
	struct tj_notification n;
	int r = tj_notify_receive(m->notify, m->listener, &n);
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
		tj_notify_deny(m->notify, m->listener, n.id, ENOSYS);
		return 0;
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
		if (errnum > 0) {
			tj_notify_deny(m->notify, m->listener, n.id, errnum);
			return 0;
		}
		r = tj_notify_continue(m->notify, m->listener, n.id);
		if (r < 0 && r != -ENOENT)
			return tj_err_set(err, TJ_ERR_LAYER, -r, "cannot let a notified call continue");
		return 0;
	}

	const struct sock_filter *truth = f->truth ? f->truth : f->prog;
	size_t truth_len = f->truth ? f->truth_len : f->len;
	uint32_t action = tj_bpf_run(truth, truth_len, &n.data);
	if ((action & 0xffff0000u) == 0x80000000u /* KILL_PROCESS */ && self_abort(&n)) {
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
	e.rule = tj_explain_rule(f->resolved, &n.data, action);
	tj_proc_comm_cached(&m->comm, n.pid, e.comm, sizeof(e.comm));

	uint32_t kind = action & 0xffff0000u;
	bool allowed = kind == 0x7fff0000u /* ALLOW */ || kind == 0x7ffc0000u /* LOG */;
	if (a->plan->mode == TJ_MODE_COMPLAIN || allowed) {
		/* Allowed calls arrive only for --report=usage: counted, not
		 * logged.  CONTINUE is safe here: the profile allowed the call
		 * on its register values alone, as the kernel would have. */
		e.verdict = allowed ? TJ_VERDICT_ALLOWED : TJ_VERDICT_WOULD_DENY;
		e.tally_only = allowed;
		/* The caller goes on first unless an observer must see it
		 * waiting (its stack): the log is written meanwhile. */
		bool early = !observer(m);
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

	if (kind == 0x00050000u /* ERRNO */) {
		/* --report: the kernel would have answered this itself. */
		e.verdict = TJ_VERDICT_DENIED;
		e.errnum = (int)(action & 0xffffu);
		record(m, &e, &n, false);
		tj_notify_deny(m->notify, m->listener, n.id, e.errnum);
		if (a->hooks && a->hooks->on_denied)
			a->hooks->on_denied(a->hooks->ctx, &e);
		return 0;
	}
	if (kind == 0x80000000u /* KILL_PROCESS */) {
		e.verdict = TJ_VERDICT_KILLED;
		/* The stack, if wanted, is read while the caller still waits. */
		if (observer(m))
			tj_observe_call(observer(m), &e, m->listener, n.id);
		bool command = false;
		bool killed = kill_notified_process(m, &n, &command);
		if (!killed) {
			/* Could not kill it (it is already dying): it must not go on. */
			tj_notify_deny(m->notify, m->listener, n.id, ENOSYS);
		}
		if (observer(m))
			tj_observe_kill_named(observer(m), &e);
		record(m, &e, &n, true);
		if (observer(m) && killed)
			tj_observe_killed(observer(m), e.tgid ? e.tgid : e.pid);
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
	tj_notify_deny(m->notify, m->listener, n.id, ENOSYS);
	return 0;
}

static void receive_listener(struct monitor *m, int *sock)
{
	int fd = tj_sys_receive_fd(*sock);
	if (fd < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (fd >= 0)
		m->listener = fd;
	/* One message, or EOF when the helper gave up: either way we are done. */
	close(*sock);
	*sock = -1;
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

/* The listener helper's pid, or 0. */
static pid_t listener_helper(const struct monitor *m)
{
	const struct tj_listener_service *l = m->a->services ? m->a->services->listener : NULL;
	return l ? l->helper_pid(l->ctx) : 0;
}

/* A source's helper process (the proxy): ended by its owner, never swept
 * with the command's tree.  Nor is the listener helper, which may still be
 * exiting when the command has ended (a loaded machine); the loop ends it. */
static bool is_helper(const struct monitor *m, pid_t pid)
{
	for (size_t i = 0; i < TJ_MONITOR_SOURCES; i++)
		if (m->a->sources[i] && m->a->sources[i]->pid > 0 && m->a->sources[i]->pid == pid)
			return true;
	return !m->helper_reaped && !m->a->init_shared && pid == listener_helper(m);
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
	tj_layer_cgroup_kill(m->a->cgroup_state);
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
	if (tj_layer_cgroup_signal(m->a->cgroup_state, sig) < 0)
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
		for (size_t i = 0; i < TJ_MONITOR_SOURCES; i++) {
			const struct tj_monitor_source *src = m->a->sources[i];
			if (src && src->pid > 0 && src->pid == info.si_pid && src->exited)
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

int tj_monitor_run(const struct tj_monitor_args *a, struct tj_launch_result *res, struct tj_err **err)
{
	struct monitor m = {.a = a, .res = res, .listener = -1, .timer = -1, .term_timer = -1};
	int listener_sock = a->listener_sock;
	uint64_t start = now_ms();
	int ret = 0;

	const struct tj_limits *limits = a->plan->limits;
	if (limits && limits->timeout_ms) {
		m.timer = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
		if (m.timer < 0 || arm_timer(m.timer, limits->timeout_ms) < 0) {
			tj_err_set(err, TJ_ERR_INTERNAL, errno, "cannot start the timeout");
			tj_sys_pidfd_send_signal(a->pidfd, SIGKILL, NULL, 0);
			ret = -1;
		}
	}

	if (listener_sock >= 0 && tj_notify_new(&m.notify, err) < 0) {
		tj_sys_pidfd_send_signal(a->pidfd, SIGKILL, NULL, 0);
		ret = -1;
	}
	tj_events_start(a->events,
			a->plan->mode == TJ_MODE_COMPLAIN ? "complain"
			: a->plan->mode == TJ_MODE_LEARN  ? "learn"
							  : "enforce",
			a->plan->profile ? a->plan->profile->file : NULL, a->plan->argv, a->child);
	log_manifest(a->events, a->plan->manifest);
	fcntl(a->errfd, F_SETFL, O_NONBLOCK);

	while (!(m.child_reaped && m.err_done)) {
		struct pollfd pfd[6 + TJ_MONITOR_SOURCES];
		int n = 0, i_err = -1, i_sock = -1, i_lis = -1, i_timer = -1, i_term = -1, i_src[TJ_MONITOR_SOURCES];
		pfd[n++] = (struct pollfd){.fd = a->sigfd, .events = POLLIN};
		if (m.timer >= 0 && !m.child_reaped) {
			i_timer = n;
			pfd[n++] = (struct pollfd){.fd = m.timer, .events = POLLIN};
		}
		if (m.term_timer >= 0 && !m.child_reaped) {
			i_term = n;
			pfd[n++] = (struct pollfd){.fd = m.term_timer, .events = POLLIN};
		}
		if (!m.err_done) {
			i_err = n;
			pfd[n++] = (struct pollfd){.fd = a->errfd, .events = POLLIN};
		}
		if (listener_sock >= 0) {
			i_sock = n;
			pfd[n++] = (struct pollfd){.fd = listener_sock, .events = POLLIN};
		}
		if (m.listener >= 0) {
			i_lis = n;
			pfd[n++] = (struct pollfd){.fd = m.listener, .events = POLLIN};
		}
		for (size_t i = 0; i < TJ_MONITOR_SOURCES; i++) {
			const struct tj_monitor_source *src = a->sources[i];
			i_src[i] = -1;
			if (src && src->fd >= 0) {
				i_src[i] = n;
				pfd[n++] = (struct pollfd){.fd = src->fd, .events = POLLIN};
			}
		}
		/* Once the command is gone, the helper (if it is stuck) is the
		 * only holder of the error pipe; do not wait for it. */
		int timeout = m.child_reaped ? 100 : -1;
		int r = poll(pfd, (nfds_t)n, timeout);
		if (r < 0 && errno != EINTR) {
			tj_err_set(err, TJ_ERR_INTERNAL, errno, "poll");
			tj_sys_pidfd_send_signal(a->pidfd, SIGKILL, NULL, 0);
			ret = -1;
			break;
		}
		if (r == 0 && m.child_reaped) {
			/* In a pid namespace the helper's pid is the namespace's
			 * own (and it died with init): never signal it here. */
			pid_t helper = a->init_shared ? 0 : listener_helper(&m);
			if (helper > 0)
				kill(helper, SIGKILL);
			read_error_pipe(&m);
			m.err_done = true;
			continue;
		}
		if (pfd[0].revents)
			handle_signals(&m);
		if (i_timer >= 0 && pfd[i_timer].revents)
			handle_timer(&m);
		if (i_term >= 0 && pfd[i_term].revents)
			handle_term_timer(&m);
		if (i_err >= 0 && pfd[i_err].revents)
			read_error_pipe(&m);
		if (i_sock >= 0 && pfd[i_sock].revents) {
			receive_listener(&m, &listener_sock);
			/* On failure the command is killed; the loop goes on
			 * to reap it. */
			if (m.listener >= 0 && a->hooks && a->hooks->on_listener && hand_over_listener(&m, err) < 0)
				ret = -1;
		}
		for (size_t i = 0; i < TJ_MONITOR_SOURCES; i++)
			if (i_src[i] >= 0 && pfd[i_src[i]].revents && a->sources[i]->ready)
				a->sources[i]->ready(a->sources[i]->ctx, a->child);
		if (i_lis >= 0 && (pfd[i_lis].revents & POLLIN) && handle_notification(&m, err) < 0) {
			tj_sys_pidfd_send_signal(a->pidfd, SIGKILL, NULL, 0);
			close(m.listener);
			m.listener = -1;
			ret = -1;
		}
		if (i_lis >= 0 && (pfd[i_lis].revents & (POLLHUP | POLLERR)) && !(pfd[i_lis].revents & POLLIN)) {
			/* No task uses the filter any more. */
			close(m.listener);
			m.listener = -1;
		}
	}
	reap_children(&m);
	for (size_t i = 0; i < TJ_MONITOR_SOURCES; i++) {
		const struct tj_monitor_source *src = a->sources[i];
		if (!src)
			continue;
		if (src->finish && ret == 0)
			src->finish(src->ctx, a->child);
		/* A source's helper (the proxy) is its owner's to end, before
		 * anything left behind is counted. */
		if (src->stop)
			src->stop(src->ctx);
	}

	/* Nothing of the tree outlives tinyjail: what is left is killed (and
	 * the cgroups can then be removed). */
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
	tj_layer_cgroup_stats(a->cgroup_state, &res->cg);
	struct rusage ru;
	if (getrusage(RUSAGE_CHILDREN, &ru) == 0) {
		res->cpu_usec = (uint64_t)ru.ru_utime.tv_sec * 1000000 + (uint64_t)ru.ru_utime.tv_usec +
				(uint64_t)ru.ru_stime.tv_sec * 1000000 + (uint64_t)ru.ru_stime.tv_usec;
		res->max_rss = (uint64_t)ru.ru_maxrss * 1024;
	}
	if (listener_sock >= 0)
		close(listener_sock);
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
	/* The memory limit killed the command itself. */
	if (!res->limit && res->cg.oom_kills && res->signal == SIGKILL)
		res->limit = "memory";
	if (res->limit && strcmp(res->limit, "timeout") == 0)
		res->exit_code = TJ_EXIT_TIMEOUT; /* as timeout(1) */
	return 0;
}
