/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The agent (supervise.h): accept listeners, decide, answer, as an object
 * driven by its owner's event loop (tj_supervisor_*); tj_supervise_run is
 * the loop of `tinyjail supervise`.  A call whose answer is deferred
 * (the editor's live feed) stays pending in the kernel, its thread blocked,
 * until it is answered, its caller goes away, or the supervisor closes the
 * listener (then the kernel fails it with ENOSYS).
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
/* Notifications received from one listener per dispatch, so that a
 * flooding sandbox cannot starve the owner's other work. */
#define BURST 64
/* How often deferred calls are checked for callers that went away. */
#define CHECK_MS 250

/* A runtime's connection, read as its bytes arrive (issue 16 item 16: one
 * idle client used to hold up every sandbox while it was read). */
struct pending {
	int fd;
	struct tj_agent_reader r;
	long long deadline;
};

struct sandbox {
	int fd;
	uint64_t serial; /* stable, unlike its place in the array */
	struct tj_agent_state st;
	uint64_t calls;
};

/* A call received but not yet answered (TJ_ASK_LATER). */
struct deferred {
	uint64_t ticket;
	uint64_t sandbox; /* its serial */
	uint64_t id;	  /* the notification */
	struct tj_supervised_call c;
};

struct tj_supervisor {
	const struct tj_supervise_opts *o;
	const struct tj_supervise_hooks *h;
	struct tj_memory *mem;
	struct tj_supervise_stats *stats;
	struct tj_notify *notify;
	int stop_fd; /* handed to a synchronous ask hook; -1 */
	bool stop;
	bool learned; /* a decision was remembered: write-back after answering */
	struct sandbox sb[MAX_SANDBOXES];
	size_t nsb;
	uint64_t next_serial, next_ticket;
	struct pending pend[MAX_PENDING];
	size_t npend;
	struct deferred *def;
	size_t ndef, def_cap;
	long long next_check;
	/* What the last tj_supervisor_pollfds handed out, for dispatch. */
	size_t polled_sb, polled_pend;
	bool polled_listen;
};

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void reject(struct tj_supervisor *s, struct tj_err *e)
{
	if (s->h->rejected)
		s->h->rejected(s->h->ctx, e);
	tj_err_free(e);
}

/* A whole message: the state and the listener, or a refusal. */
static void take(struct tj_supervisor *s, struct tj_agent_reader *rd)
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
	b->serial = ++s->next_serial;
	b->st = st;
	b->calls = 0;
	s->stats->sandboxes++;
	tj_events_listener(s->o->events, true, st.pid, st.id, st.metadata);
	if (s->h->attached)
		s->h->attached(s->h->ctx, &b->st);
}

/* A new connection joins the pending ones; it must come from this user or
 * root (the socket's mode says so too). */
static void accept_one(struct tj_supervisor *s)
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

static void drop_pending(struct tj_supervisor *s, size_t i)
{
	close(s->pend[i].fd);
	tj_agent_reader_done(&s->pend[i].r);
	s->pend[i] = s->pend[--s->npend];
}

/* Reads what a pending connection sent; takes its message once whole. */
static void read_pending(struct tj_supervisor *s, size_t i)
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

/* Forgets deferred call k (it was answered, or cannot be any more). */
static void drop_deferred(struct tj_supervisor *s, size_t k, bool withdrawn)
{
	if (withdrawn && s->h->withdrawn)
		s->h->withdrawn(s->h->ctx, s->def[k].ticket);
	s->def[k] = s->def[--s->ndef];
}

static struct sandbox *find_sandbox(struct tj_supervisor *s, uint64_t serial)
{
	for (size_t i = 0; i < s->nsb; i++)
		if (s->sb[i].serial == serial)
			return &s->sb[i];
	return NULL;
}

static void detach(struct tj_supervisor *s, size_t i)
{
	struct sandbox *b = &s->sb[i];
	/* Its calls can no longer be answered: the filter has no task left. */
	for (size_t k = s->ndef; k-- > 0;)
		if (s->def[k].sandbox == b->serial)
			drop_deferred(s, k, true);
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

/* Remembers an "always" answer for calls like c: approving a vfork must
 * not approve CLONE_NEWUSER. */
static void remember_answer(struct tj_supervisor *s, const struct tj_supervised_call *c, const struct tj_decision *d)
{
	struct tj_arg args[TJ_SYSCALL_ARGS];
	size_t nargs = s->h->arg_class ? s->h->arg_class(s->h->ctx, &c->data, args, TJ_SYSCALL_ARGS) : 0;
	s->learned |= tj_memory_add(s->mem, &c->data, d, args, nargs, "a person");
}

enum verdict_source {
	DECIDED,
	DEFERRED, /* the ask hook will answer later */
};

/* Chooses the answer: the owner's own policy, memory, the rules file, its
 * default, then a person.  *by and *why say where it came from. */
static enum verdict_source decide(struct tj_supervisor *s, const struct tj_supervised_call *c, struct tj_decision *d,
				  const char **by, char **why)
{
	if (s->h->consult && s->h->consult(s->h->ctx, c, d, why)) {
		*by = "profile";
		return DECIDED;
	}
	const struct tj_learned *l = tj_memory_find(s->mem, &c->data);
	if (l) {
		*d = l->d;
		*by = "memory";
		*why = tj_xstrdup(l->why);
		return DECIDED;
	}
	const struct tj_decisions *rules = s->o->rules;
	const struct tj_decision_rule *dr = tj_decisions_match(rules, &c->data);
	if (dr && dr->d.kind != TJ_DECIDE_ASK) {
		*d = dr->d;
		*by = "rules";
		*why = tj_xasprintf("%s %s", rules->file, dr->rule.json_path);
		/* Remembered for write-back: the profile learns what was needed. */
		s->learned |= tj_memory_add(s->mem, &c->data, d, dr->rule.args, dr->rule.nargs, *why);
		return DECIDED;
	}
	if (!dr && rules && rules->def.kind != TJ_DECIDE_ASK) {
		*d = rules->def;
		*by = "default";
		*why = tj_xasprintf("%s default", rules->file);
		return DECIDED;
	}
	bool remember = false;
	enum tj_ask_result r = s->h->ask ? s->h->ask(s->h->ctx, c, s->stop_fd, d, &remember) : TJ_ASK_NOBODY;
	if (r == TJ_ASK_LATER)
		return DEFERRED;
	if (r == TJ_ASK_ANSWERED) {
		*by = "person";
		*why = tj_xstrdup(remember ? "a person, for the rest of the run" : "a person, this once");
		if (remember)
			remember_answer(s, c, d);
		return DECIDED;
	}
	/* Nobody to ask (or told to stop): deny, never let it run. */
	d->kind = TJ_DECIDE_DENY;
	d->errnum = EPERM;
	*by = "default";
	*why = tj_xstrdup(r == TJ_ASK_STOP ? "the supervisor is stopping" : "nobody to ask (no terminal)");
	if (r == TJ_ASK_STOP)
		s->stop = true;
	return DECIDED;
}

/* Gives the kernel the answer.  Returns -1 when the call is no longer
 * pending (its thread was killed, or a signal withdrew it). */
static int respond(struct tj_supervisor *s, struct sandbox *b, uint64_t id, const struct tj_supervised_call *c,
		   const struct tj_decision *d, const char *by, const char *why)
{
	struct tj_syscall_event e = {.pid = c->pid,
				     .data = c->data,
				     .action = tj_filter_action_value(TJ_ACT_NOTIFY, 0),
				     .rule = why,
				     .decided_by = by};
	memcpy(e.comm, c->comm, sizeof(e.comm));
	int r;
	switch (d->kind) {
	case TJ_DECIDE_ALLOW:
		/* Safe: decided on register values only (supervise.h). */
		r = tj_notify_continue(s->notify, b->fd, id);
		e.verdict = TJ_VERDICT_ALLOWED;
		s->stats->allowed++;
		break;
	case TJ_DECIDE_KILL:
		r = 0;
		if (!kill_caller(b->fd, id, c->pid))
			r = tj_notify_deny(s->notify, b->fd, id, ENOSYS);
		e.verdict = TJ_VERDICT_KILLED;
		s->stats->killed++;
		break;
	default:
		r = tj_notify_deny(s->notify, b->fd, id, d->errnum);
		e.verdict = TJ_VERDICT_DENIED;
		e.errnum = d->errnum;
		s->stats->denied++;
		break;
	}
	tj_events_syscall(s->o->events, &e);
	if (s->h->decided)
		s->h->decided(s->h->ctx, c, d, by, why);
	/* Written only now, so the caller does not wait for the disk. */
	if (s->learned && s->h->learned)
		s->h->learned(s->h->ctx, s->mem);
	s->learned = false;
	return r < 0 ? -1 : 0;
}

/* Receives and decides one notification of sandbox b. */
static void handle(struct tj_supervisor *s, struct sandbox *b)
{
	struct tj_notification n;
	int r = tj_notify_receive(s->notify, b->fd, &n);
	if (r < 0)
		return; /* the caller died first (ENOENT), or nothing was pending */
	b->calls++;
	struct tj_supervised_call c = {.sandbox = &b->st, .pid = n.pid, .data = n.data, .ticket = ++s->next_ticket};
	tj_proc_comm(n.pid, c.comm, sizeof(c.comm));

	struct tj_decision d;
	const char *by = "default";
	char *why = NULL;
	if (decide(s, &c, &d, &by, &why) == DEFERRED) {
		tj_xreserve((void **)&s->def, &s->def_cap, s->ndef + 1, sizeof(*s->def));
		struct deferred *f = &s->def[s->ndef++];
		*f = (struct deferred){.ticket = c.ticket, .sandbox = b->serial, .id = n.id, .c = c};
		f->c.sandbox = NULL; /* the array moves; found again by serial */
		return;
	}
	respond(s, b, n.id, &c, &d, by, why);
	free(why);
}

/* --- the object --- */

int tj_supervisor_new(const struct tj_supervise_opts *o, const struct tj_supervise_hooks *h, struct tj_memory *mem,
		      struct tj_supervise_stats *stats, struct tj_supervisor **ret, struct tj_err **err)
{
	struct tj_supervisor *s = tj_xcalloc(1, sizeof(*s));
	*s = (struct tj_supervisor){.o = o, .h = h, .mem = mem, .stats = stats, .stop_fd = -1};
	memset(stats, 0, sizeof(*stats));
	if (tj_notify_new(&s->notify, err) < 0) {
		free(s);
		return -1;
	}
	*ret = s;
	return 0;
}

size_t tj_supervisor_pollfds(struct tj_supervisor *s, struct pollfd *out, size_t max, int *timeout_ms)
{
	size_t n = 0;
	/* With every pending slot taken, new runtimes wait in the backlog
	 * rather than being read in turn. */
	s->polled_listen = s->npend < MAX_PENDING && n < max && !s->stop;
	if (s->polled_listen)
		out[n++] = (struct pollfd){.fd = s->o->listen_sock, .events = POLLIN};
	/* With too many calls waiting for a person, more wait in the kernel. */
	s->polled_sb = 0;
	if (s->ndef < TJ_SUPERVISE_MAX_DEFERRED && !s->stop)
		for (size_t i = 0; i < s->nsb && n < max; i++, s->polled_sb++)
			out[n++] = (struct pollfd){.fd = s->sb[i].fd, .events = POLLIN};
	s->polled_pend = 0;
	long long next = -1, now = now_ms();
	for (size_t i = 0; i < s->npend && n < max; i++, s->polled_pend++) {
		out[n++] = (struct pollfd){.fd = s->pend[i].fd, .events = POLLIN};
		if (next < 0 || s->pend[i].deadline < next)
			next = s->pend[i].deadline;
	}
	if (s->ndef && (next < 0 || s->next_check < next))
		next = s->next_check;
	*timeout_ms = next < 0 ? -1 : next <= now ? 0 : (int)(next - now);
	return n;
}

/* Deferred calls whose caller went away (killed, or a signal withdrew the
 * call) can no longer be answered. */
static void check_deferred(struct tj_supervisor *s)
{
	long long now = now_ms();
	if (now < s->next_check)
		return;
	s->next_check = now + CHECK_MS;
	for (size_t k = s->ndef; k-- > 0;) {
		struct sandbox *b = find_sandbox(s, s->def[k].sandbox);
		if (!b || tj_notify_id_valid(b->fd, s->def[k].id) < 0)
			drop_deferred(s, k, true);
	}
}

void tj_supervisor_dispatch(struct tj_supervisor *s, const struct pollfd *p, size_t n)
{
	size_t at = 0;
	bool accept_now = false;
	if (s->polled_listen && at < n)
		accept_now = p[at++].revents & POLLIN;
	size_t nsb = s->polled_sb, npend = s->polled_pend;
	const struct pollfd *sbp = p + at, *pendp = p + at + nsb;
	if (at + nsb + npend > n)
		return;
	/* Backwards, so that detaching (which moves the last entry into the
	 * hole) never skips one. */
	for (size_t i = nsb; i-- > 0 && !s->stop;) {
		short ev = sbp[i].revents;
		if (ev & POLLIN) {
			handle(s, &s->sb[i]);
			/* More of a burst, without blocking: receiving blocks
			 * when nothing is pending. */
			for (int k = 1; k < BURST && !s->stop && s->ndef < TJ_SUPERVISE_MAX_DEFERRED; k++) {
				struct pollfd q = {.fd = s->sb[i].fd, .events = POLLIN};
				if (poll(&q, 1, 0) != 1 || !(q.revents & POLLIN))
					break;
				handle(s, &s->sb[i]);
			}
		} else if (ev & (POLLHUP | POLLERR | POLLNVAL)) {
			detach(s, i); /* no task uses the filter any more */
		}
	}
	/* Pending runtimes: read what arrived, drop the ones past their
	 * deadline (backwards, as above). */
	long long now = now_ms();
	for (size_t i = npend; i-- > 0 && !s->stop;) {
		if (pendp[i].revents) {
			read_pending(s, i);
		} else if (s->pend[i].deadline <= now) {
			struct tj_err *e = NULL;
			tj_err_set(&e, TJ_ERR_INTERNAL, ETIMEDOUT,
				   "a runtime sent no whole container state within %d ms", TJ_AGENT_CLIENT_MS);
			reject(s, e);
			drop_pending(s, i);
		}
	}
	if (accept_now && !s->stop)
		accept_one(s);
	if (s->ndef)
		check_deferred(s);
}

int tj_supervisor_answer(struct tj_supervisor *s, uint64_t ticket, const struct tj_decision *d, bool remember,
			 const char *why)
{
	for (size_t k = 0; k < s->ndef; k++) {
		struct deferred *f = &s->def[k];
		if (f->ticket != ticket)
			continue;
		struct sandbox *b = find_sandbox(s, f->sandbox);
		if (!b) {
			drop_deferred(s, k, false);
			return -1;
		}
		struct tj_supervised_call c = f->c;
		c.sandbox = &b->st;
		if (remember)
			remember_answer(s, &c, d);
		const char *w = why ? why : (remember ? "a person, for the rest of the run" : "a person, this once");
		uint64_t id = f->id;
		drop_deferred(s, k, false);
		return respond(s, b, id, &c, d, "person", w);
	}
	return -1;
}

size_t tj_supervisor_deferred(const struct tj_supervisor *s)
{
	return s->ndef;
}

size_t tj_supervisor_sandboxes(const struct tj_supervisor *s)
{
	return s->nsb;
}

bool tj_supervisor_done(const struct tj_supervisor *s)
{
	return s->stop;
}

void tj_supervisor_free(struct tj_supervisor *s)
{
	if (!s)
		return;
	while (s->npend)
		drop_pending(s, s->npend - 1);
	/* Closing the listeners fails what is still pending with ENOSYS. */
	s->ndef = 0;
	for (size_t i = s->nsb; i-- > 0;) {
		struct sandbox *b = &s->sb[i];
		if (s->h->detached)
			s->h->detached(s->h->ctx, &b->st, b->calls);
		close(b->fd);
		tj_agent_state_done(&b->st);
	}
	s->nsb = 0;
	free(s->def);
	tj_notify_free(s->notify);
	free(s);
}

int tj_supervise_run(const struct tj_supervise_opts *o, const struct tj_supervise_hooks *h, struct tj_memory *mem,
		     struct tj_supervise_stats *stats, struct tj_err **err)
{
	struct tj_supervisor *s;
	if (tj_supervisor_new(o, h, mem, stats, &s, err) < 0)
		return -1;
	sigset_t stopsigs, old;
	sigemptyset(&stopsigs);
	sigaddset(&stopsigs, SIGINT);
	sigaddset(&stopsigs, SIGTERM);
	sigaddset(&stopsigs, SIGHUP);
	sigprocmask(SIG_BLOCK, &stopsigs, &old);
	s->stop_fd = signalfd(-1, &stopsigs, SFD_CLOEXEC | SFD_NONBLOCK);
	int ret = 0;
	if (s->stop_fd < 0) {
		ret = tj_err_set(err, TJ_ERR_INTERNAL, errno, "signalfd");
		s->stop = true;
	}

	while (!s->stop) {
		struct pollfd pfd[1 + 1 + MAX_SANDBOXES + MAX_PENDING];
		pfd[0] = (struct pollfd){.fd = s->stop_fd, .events = POLLIN};
		int timeout;
		size_t n = tj_supervisor_pollfds(s, pfd + 1, TJ_ARRAY_SIZE(pfd) - 1, &timeout);
		int r = poll(pfd, 1 + n, timeout);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			ret = tj_err_set(err, TJ_ERR_INTERNAL, errno, "poll");
			break;
		}
		if (pfd[0].revents)
			break;
		tj_supervisor_dispatch(s, pfd + 1, n);
	}
	int sigfd = s->stop_fd;
	tj_supervisor_free(s);
	if (sigfd >= 0) {
		struct signalfd_siginfo si;
		while (read(sigfd, &si, sizeof(si)) == sizeof(si))
			;
		close(sigfd);
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	return ret;
}
