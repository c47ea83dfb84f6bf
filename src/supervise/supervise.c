/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The agent's loop (supervise.h): accept listeners, decide, answer.
 * One notification is answered at a time; a call that waits for a person
 * holds up the others, which then simply wait in the kernel.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "tj/base/cleanup.h"
#include "tj/base/proc.h"
#include "tj/base/sys.h"
#include "tj/base/util.h"
#include "tj/filter/filter.h"
#include "tj/filter/notify.h"
#include "tj/supervise/supervise.h"

#define MAX_SANDBOXES 64
/* Connections whose message is still arriving; more wait in the backlog. */
#define MAX_PENDING 16

/* A runtime's connection, read as its bytes arrive (issue 16 item 16: one
 * idle client used to hold up every sandbox while it was read). */
struct pending {
	int fd;
	struct tj_agent_reader r;
	long long deadline;
};

struct sandbox {
	int fd;
	struct tj_agent_state st;
	uint64_t calls;
};

struct sup {
	const struct tj_supervise_opts *o;
	const struct tj_supervise_hooks *h;
	struct tj_memory *mem;
	struct tj_supervise_stats *stats;
	struct tj_notify *notify;
	int sigfd;
	bool stop;
	bool learned; /* a decision was remembered: write-back after answering */
	struct sandbox sb[MAX_SANDBOXES];
	size_t nsb;
	struct pending pend[MAX_PENDING];
	size_t npend;
};

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void reject(struct sup *s, struct tj_err *e)
{
	if (s->h->rejected)
		s->h->rejected(s->h->ctx, e);
	tj_err_free(e);
}

/* A whole message: the state and the listener, or a refusal. */
static void take(struct sup *s, struct tj_agent_reader *rd)
{
	struct tj_err *e = NULL;
	struct tj_agent_state st;
	int listener = -1;
	const char *json = rd->b.s ? rd->b.s : "";
	if (tj_agent_state_parse(json, rd->b.len, &st, &e) == 0) {
		/* The spec names the listener "seccompFd" in "fds"; a runtime
		 * that sends one fd without naming it is taken at its word. */
		int idx = st.seccomp_fd_index >= 0 ? st.seccomp_fd_index : (rd->nfds == 1 ? 0 : -1);
		if (idx < 0 || (size_t)idx >= rd->nfds)
			tj_err_set(&e, TJ_ERR_INTERNAL, 0, "the runtime sent no seccomp listener (%zu fds)", rd->nfds);
		else if (!tj_agent_is_listener(rd->fds[idx]))
			tj_err_set(&e, TJ_ERR_INTERNAL, 0, "the fd '%s' is not a seccomp listener",
				   TJ_AGENT_SECCOMP_FD);
		else if (s->nsb == MAX_SANDBOXES)
			tj_err_set(&e, TJ_ERR_INTERNAL, 0, "already supervising %d sandboxes", MAX_SANDBOXES);
		else
			listener = rd->fds[idx];
		if (e)
			tj_agent_state_done(&st);
	}
	for (size_t i = 0; i < rd->nfds; i++)
		if (rd->fds[i] != listener)
			close(rd->fds[i]);
	rd->nfds = 0;
	if (listener < 0) {
		reject(s, e);
		return;
	}
	/* What a runtime says is printed on a terminal: no escapes. */
	tj_sanitize(st.id);
	tj_sanitize(st.metadata);
	tj_sanitize(st.status);
	tj_sanitize(st.bundle);
	tj_sanitize(st.oci_version);
	struct sandbox *b = &s->sb[s->nsb++];
	b->fd = listener;
	b->st = st;
	b->calls = 0;
	s->stats->sandboxes++;
	tj_events_listener(s->o->events, true, st.pid, st.id, st.metadata);
	if (s->h->attached)
		s->h->attached(s->h->ctx, &b->st);
}

/* A new connection joins the pending ones; it must come from this user or
 * root (the socket's mode says so too). */
static void accept_one(struct sup *s)
{
	int conn = accept4(s->o->listen_sock, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (conn < 0)
		return;
	struct ucred peer;
	socklen_t plen = sizeof(peer);
	struct tj_err *e = NULL;
	if (getsockopt(conn, SOL_SOCKET, SO_PEERCRED, &peer, &plen) < 0 || (peer.uid != geteuid() && peer.uid != 0)) {
		tj_err_set(&e, TJ_ERR_INTERNAL, EPERM, "a connection from uid %u, neither this user nor root",
			   (unsigned)peer.uid);
		close(conn);
		reject(s, e);
		return;
	}
	struct pending *p = &s->pend[s->npend++];
	*p = (struct pending){.fd = conn, .deadline = now_ms() + TJ_AGENT_CLIENT_MS};
}

static void drop_pending(struct sup *s, size_t i)
{
	close(s->pend[i].fd);
	tj_agent_reader_done(&s->pend[i].r);
	s->pend[i] = s->pend[--s->npend];
}

/* Reads what a pending connection sent; takes its message once whole. */
static void read_pending(struct sup *s, size_t i)
{
	struct tj_err *e = NULL;
	int r = tj_agent_reader_step(&s->pend[i].r, s->pend[i].fd, &e);
	if (r == 0)
		return;
	if (r > 0)
		take(s, &s->pend[i].r);
	else
		reject(s, e);
	drop_pending(s, i);
}

static void detach(struct sup *s, size_t i)
{
	struct sandbox *b = &s->sb[i];
	tj_events_listener(s->o->events, false, b->st.pid, b->st.id, b->st.metadata);
	if (s->h->detached)
		s->h->detached(s->h->ctx, &b->st, b->calls);
	close(b->fd);
	tj_agent_state_done(&b->st);
	s->sb[i] = s->sb[--s->nsb];
	if (s->o->once)
		s->stop = true;
}

/* Kills the process (thread group) of the caller; the pidfd is opened
 * before the notification is checked to be still pending, so a recycled
 * pid cannot be hit. */
static bool kill_caller(int listener, uint64_t id, pid_t tid)
{
	pid_t tgid = tj_proc_tgid(tid);
	if (tgid <= 0)
		return false;
	int pidfd = tj_sys_pidfd_open(tgid, 0);
	if (pidfd < 0)
		return false;
	bool killed = tj_notify_id_valid(listener, id) == 0 && tj_sys_pidfd_send_signal(pidfd, SIGKILL, NULL, 0) == 0;
	close(pidfd);
	return killed;
}

/* Chooses the answer: memory, then the rules file, then its default,
 * then a person.  *by and *why say where it came from. */
static void decide(struct sup *s, const struct tj_supervised_call *c, struct tj_decision *d, const char **by,
		   char **why)
{
	const struct tj_learned *l = tj_memory_find(s->mem, &c->data);
	if (l) {
		*d = l->d;
		*by = "memory";
		*why = tj_xstrdup(l->why);
		return;
	}
	const struct tj_decisions *rules = s->o->rules;
	const struct tj_decision_rule *dr = tj_decisions_match(rules, &c->data);
	bool ask = true;
	if (dr && dr->d.kind != TJ_DECIDE_ASK) {
		*d = dr->d;
		*by = "rules";
		*why = tj_xasprintf("%s %s", rules->file, dr->rule.json_path);
		/* Remembered for write-back: the profile learns what was needed. */
		s->learned |= tj_memory_add(s->mem, &c->data, d, dr->rule.args, dr->rule.nargs, *why);
		return;
	}
	if (!dr && rules && rules->def.kind != TJ_DECIDE_ASK) {
		*d = rules->def;
		*by = "default";
		*why = tj_xasprintf("%s default", rules->file);
		ask = false;
	}
	if (!ask)
		return;
	bool remember = false;
	enum tj_ask_result r = s->h->ask ? s->h->ask(s->h->ctx, c, s->sigfd, d, &remember) : TJ_ASK_NOBODY;
	if (r == TJ_ASK_ANSWERED) {
		*by = "person";
		*why = tj_xstrdup(remember ? "a person, for the rest of the run" : "a person, this once");
		if (remember) {
			/* "Always" covers calls like this one, not every call
			 * of the syscall: approving a vfork must not approve
			 * CLONE_NEWUSER. */
			struct tj_arg args[TJ_SYSCALL_ARGS];
			size_t nargs = s->h->arg_class ? s->h->arg_class(s->h->ctx, &c->data, args, TJ_SYSCALL_ARGS)
						       : 0;
			s->learned |= tj_memory_add(s->mem, &c->data, d, args, nargs, "a person");
		}
		return;
	}
	/* Nobody to ask (or told to stop): deny, never let it run. */
	d->kind = TJ_DECIDE_DENY;
	d->errnum = EPERM;
	*by = "default";
	*why = tj_xstrdup(r == TJ_ASK_STOP ? "the supervisor is stopping" : "nobody to ask (no terminal)");
	if (r == TJ_ASK_STOP)
		s->stop = true;
}

static void handle(struct sup *s, struct sandbox *b)
{
	struct tj_notification n;
	int r = tj_notify_receive(s->notify, b->fd, &n);
	if (r < 0)
		return; /* the caller died first (ENOENT), or nothing was pending */
	b->calls++;
	struct tj_supervised_call c = {.sandbox = &b->st, .pid = n.pid, .data = n.data};
	tj_proc_comm(n.pid, c.comm, sizeof(c.comm));

	struct tj_decision d;
	const char *by = "default";
	char *why = NULL;
	decide(s, &c, &d, &by, &why);

	struct tj_syscall_event e = {.pid = n.pid,
				     .data = n.data,
				     .action = tj_filter_action_value(TJ_ACT_NOTIFY, 0),
				     .rule = why,
				     .decided_by = by};
	memcpy(e.comm, c.comm, sizeof(e.comm));
	switch (d.kind) {
	case TJ_DECIDE_ALLOW:
		/* Safe: decided on register values only (supervise.h). */
		tj_notify_continue(s->notify, b->fd, n.id);
		e.verdict = TJ_VERDICT_ALLOWED;
		s->stats->allowed++;
		break;
	case TJ_DECIDE_KILL:
		if (!kill_caller(b->fd, n.id, n.pid))
			tj_notify_deny(s->notify, b->fd, n.id, ENOSYS);
		e.verdict = TJ_VERDICT_KILLED;
		s->stats->killed++;
		break;
	default:
		tj_notify_deny(s->notify, b->fd, n.id, d.errnum);
		e.verdict = TJ_VERDICT_DENIED;
		e.errnum = d.errnum;
		s->stats->denied++;
		break;
	}
	tj_events_syscall(s->o->events, &e);
	if (s->h->decided)
		s->h->decided(s->h->ctx, &c, &d, by, why);
	free(why);
	/* Written only now, so the caller does not wait for the disk. */
	if (s->learned && s->h->learned)
		s->h->learned(s->h->ctx, s->mem);
	s->learned = false;
}

int tj_supervise_run(const struct tj_supervise_opts *o, const struct tj_supervise_hooks *h, struct tj_memory *mem,
		     struct tj_supervise_stats *stats, struct tj_err **err)
{
	struct sup s = {.o = o, .h = h, .mem = mem, .stats = stats, .sigfd = -1};
	memset(stats, 0, sizeof(*stats));
	if (tj_notify_new(&s.notify, err) < 0)
		return -1;
	sigset_t stopsigs, old;
	sigemptyset(&stopsigs);
	sigaddset(&stopsigs, SIGINT);
	sigaddset(&stopsigs, SIGTERM);
	sigaddset(&stopsigs, SIGHUP);
	sigprocmask(SIG_BLOCK, &stopsigs, &old);
	s.sigfd = signalfd(-1, &stopsigs, SFD_CLOEXEC | SFD_NONBLOCK);
	int ret = 0;
	if (s.sigfd < 0) {
		ret = tj_err_set(err, TJ_ERR_INTERNAL, errno, "signalfd");
		s.stop = true;
	}

	while (!s.stop) {
		struct pollfd pfd[2 + MAX_SANDBOXES + MAX_PENDING];
		pfd[0] = (struct pollfd){.fd = s.sigfd, .events = POLLIN};
		/* With every pending slot taken, new runtimes wait in the
		 * backlog rather than being read in turn. */
		pfd[1] = (struct pollfd){.fd = s.npend < MAX_PENDING ? o->listen_sock : -1, .events = POLLIN};
		for (size_t i = 0; i < s.nsb; i++)
			pfd[2 + i] = (struct pollfd){.fd = s.sb[i].fd, .events = POLLIN};
		size_t nsb = s.nsb, npend = s.npend;
		long long next = -1, now = now_ms();
		for (size_t i = 0; i < npend; i++) {
			pfd[2 + nsb + i] = (struct pollfd){.fd = s.pend[i].fd, .events = POLLIN};
			if (next < 0 || s.pend[i].deadline < next)
				next = s.pend[i].deadline;
		}
		int timeout = next < 0 ? -1 : next <= now ? 0 : (int)(next - now);
		int r = poll(pfd, 2 + nsb + npend, timeout);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			ret = tj_err_set(err, TJ_ERR_INTERNAL, errno, "poll");
			break;
		}
		if (pfd[0].revents)
			break;
		/* Backwards, so that detaching (which moves the last entry into
		 * the hole) never skips one. */
		for (size_t i = nsb; i-- > 0 && !s.stop;) {
			short ev = pfd[2 + i].revents;
			if (ev & POLLIN)
				handle(&s, &s.sb[i]);
			else if (ev & (POLLHUP | POLLERR | POLLNVAL))
				detach(&s, i); /* no task uses the filter any more */
		}
		/* Pending runtimes: read what arrived, drop the ones past their
		 * deadline (backwards, as above). */
		now = now_ms();
		for (size_t i = npend; i-- > 0 && !s.stop;) {
			if (pfd[2 + nsb + i].revents) {
				read_pending(&s, i);
			} else if (s.pend[i].deadline <= now) {
				struct tj_err *e = NULL;
				tj_err_set(&e, TJ_ERR_INTERNAL, ETIMEDOUT,
					   "a runtime sent no whole container state within %d ms", TJ_AGENT_CLIENT_MS);
				reject(&s, e);
				drop_pending(&s, i);
			}
		}
		if (pfd[1].revents & POLLIN && !s.stop)
			accept_one(&s);
	}
	while (s.npend)
		drop_pending(&s, s.npend - 1);

	for (size_t i = s.nsb; i-- > 0;) {
		struct sandbox *b = &s.sb[i];
		if (h->detached)
			h->detached(h->ctx, &b->st, b->calls);
		close(b->fd);
		tj_agent_state_done(&b->st);
	}
	s.nsb = 0;
	if (s.sigfd >= 0) {
		struct signalfd_siginfo si;
		while (read(s.sigfd, &si, sizeof(si)) == sizeof(si))
			;
		close(s.sigfd);
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	tj_notify_free(s.notify);
	return ret;
}
