/* SPDX-License-Identifier: Apache-2.0 */
/* The editor's live feed (feed.h): a supervisor whose answers come from the
 * editor's working profile or from the person. */
#include <errno.h>
#include <limits.h>
#include <linux/audit.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "tj/base/proc.h"
#include "tj/edit/feed.h"
#include "tj/events/decode.h"
#include "tj/filter/filter.h"
#include "tj/learn/model.h"

/* How often the socket file is checked, and ages on screen move on. */
#define CHECK_MS 1000

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

__attribute__((format(printf, 2, 3))) static void say(struct tj_edit_feed *f, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *s = NULL;
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	if (!s)
		return;
	if (f->log.n == TJ_EDIT_FEED_LOG) {
		free(f->log.v[0]);
		memmove(f->log.v, f->log.v + 1, (f->log.n - 1) * sizeof(*f->log.v));
		f->log.n--;
	}
	tj_strv_add_owned(&f->log, tj_sanitize(s));
	f->changes++;
}

static struct tj_edit_count *count_of(struct tj_edit_feed *f, const struct seccomp_data *d)
{
	for (size_t i = 0; i < f->ncounts; i++)
		if (f->counts[i].arch == d->arch && f->counts[i].nr == d->nr)
			return &f->counts[i];
	tj_xreserve((void **)&f->counts, &f->capcounts, f->ncounts + 1, sizeof(*f->counts));
	struct tj_edit_count *c = &f->counts[f->ncounts++];
	*c = (struct tj_edit_count){.arch = d->arch, .nr = d->nr};
	return c;
}

static void short_call(const struct seccomp_data *d, char *buf, size_t size)
{
	tj_decode_call(d, buf, size);
}

/* --- the supervisor's hooks --- */

/* The working profile decides first: a rule that names the call (evaluated
 * on its registers), or a default that lets calls run. */
static bool consult(void *ctx, const struct tj_supervised_call *c, struct tj_decision *ret, char **why)
{
	struct tj_edit_feed *f = ctx;
	enum tj_action a;
	unsigned errnum = 0;
	bool ruled = tj_edit_decide(f->m, &c->data, &a, &errnum);
	if (!ruled) {
		a = f->m->cur->default_action;
		if (a != TJ_ACT_ALLOW && a != TJ_ACT_LOG)
			return false; /* a denying default: the person decides */
	}
	switch (a) {
	case TJ_ACT_ALLOW:
	case TJ_ACT_LOG: *ret = (struct tj_decision){.kind = TJ_DECIDE_ALLOW}; break;
	case TJ_ACT_ERRNO: *ret = (struct tj_decision){.kind = TJ_DECIDE_DENY, .errnum = (int)errnum}; break;
	case TJ_ACT_NOTIFY: return false;
	default:
		if (tj_action_is_kill(a))
			*ret = (struct tj_decision){.kind = TJ_DECIDE_KILL};
		else /* trap, trace: not an agent's to give; the call fails */
			*ret = (struct tj_decision){.kind = TJ_DECIDE_DENY, .errnum = ENOSYS};
		break;
	}
	*why = tj_xstrdup(ruled ? "a rule of the edited profile" : "the edited profile's default");
	return true;
}

static enum tj_ask_result ask(void *ctx, const struct tj_supervised_call *c, int stop_fd, struct tj_decision *ret,
			      bool *remember)
{
	(void)stop_fd;
	(void)ret;
	(void)remember;
	struct tj_edit_feed *f = ctx;
	tj_xreserve((void **)&f->req, &f->capreq, f->nreq + 1, sizeof(*f->req));
	struct tj_edit_request *r = &f->req[f->nreq++];
	*r = (struct tj_edit_request){.ticket = c->ticket, .pid = c->pid, .data = c->data, .since_ms = now_ms()};
	memcpy(r->comm, c->comm, sizeof(r->comm));
	snprintf(r->sandbox, sizeof(r->sandbox), "%s", c->sandbox && c->sandbox->id ? c->sandbox->id : "?");
	/* For the screen only (a decision never rests on it). */
	char link[64];
	snprintf(link, sizeof(link), "/proc/%d/exe", (int)c->pid);
	ssize_t n = readlink(link, r->program, sizeof(r->program) - 1);
	if (n < 0)
		snprintf(r->program, sizeof(r->program), "?");
	else
		r->program[n] = '\0';
	tj_sanitize(r->program);
	tj_sanitize(r->comm);
	count_of(f, &c->data)->asked++;
	f->changes++;
	return TJ_ASK_LATER;
}

static void forget(struct tj_edit_feed *f, uint64_t ticket)
{
	for (size_t i = 0; i < f->nreq; i++)
		if (f->req[i].ticket == ticket) {
			memmove(&f->req[i], &f->req[i + 1], (f->nreq - i - 1) * sizeof(*f->req));
			f->nreq--;
			f->changes++;
			return;
		}
}

static void withdrawn(void *ctx, uint64_t ticket)
{
	struct tj_edit_feed *f = ctx;
	const struct tj_edit_request *r = tj_edit_feed_find(f, ticket);
	if (r) {
		char call[256];
		short_call(&r->data, call, sizeof(call));
		say(f, "gone before an answer: %s by pid %d (%s)", call, (int)r->pid, r->comm);
	}
	forget(f, ticket);
}

static void decided(void *ctx, const struct tj_supervised_call *c, const struct tj_decision *d, const char *by,
		    const char *why)
{
	struct tj_edit_feed *f = ctx;
	struct tj_edit_count *n = count_of(f, &c->data);
	const char *verdict = d->kind == TJ_DECIDE_ALLOW ? "allowed" : d->kind == TJ_DECIDE_KILL ? "killed" : "denied";
	if (d->kind == TJ_DECIDE_ALLOW)
		n->allowed++;
	else if (d->kind == TJ_DECIDE_KILL)
		n->killed++;
	else
		n->denied++;
	char call[256];
	short_call(&c->data, call, sizeof(call));
	say(f, "%s %s by pid %d (%s): %s%s%s", verdict, call, (int)c->pid, c->comm, by, why ? ", " : "",
	    why ? why : "");
	forget(f, c->ticket);
}

static void attached(void *ctx, const struct tj_agent_state *st)
{
	say(ctx, "sandbox %s attached (pid %d)", st->id ? st->id : "?", (int)st->pid);
}

static void detached(void *ctx, const struct tj_agent_state *st, uint64_t calls)
{
	say(ctx, "sandbox %s ended (%llu notified call%s)", st->id ? st->id : "?", (unsigned long long)calls,
	    calls == 1 ? "" : "s");
}

static void rejected(void *ctx, const struct tj_err *why)
{
	char *t = tj_err_format(why);
	say(ctx, "refused a connection: %s", t);
	free(t);
}

/* --- the feed --- */

int tj_edit_feed_open(struct tj_edit_feed *f, struct tj_edit_model *m, const char *path, bool save, struct tj_err **err)
{
	memset(f, 0, sizeof(*f));
	f->m = m;
	f->sock = -1;
	f->save = save;
	if (tj_agent_listen(path, &f->sock, err) < 0)
		return -1;
	struct stat st;
	if (stat(path, &st) == 0) {
		f->dev = st.st_dev;
		f->ino = st.st_ino;
	}
	f->path = tj_xstrdup(path);
	f->so = (struct tj_supervise_opts){.listen_sock = f->sock, .events = &f->events};
	f->h = (struct tj_supervise_hooks){.ctx = f,
					   .ask = ask,
					   .consult = consult,
					   .withdrawn = withdrawn,
					   .decided = decided,
					   .attached = attached,
					   .detached = detached,
					   .rejected = rejected};
	if (tj_supervisor_new(&f->so, &f->h, &f->mem, &f->stats, &f->sup, err) < 0) {
		tj_edit_feed_close(f);
		return -1;
	}
	f->next_check = now_ms() + CHECK_MS;
	say(f, "listening on %s: tinyjail --profile %s --notify-socket %s -- CMD", path, m->display, path);
	return 0;
}

void tj_edit_feed_close(struct tj_edit_feed *f)
{
	/* Closing the listeners fails what still waits with ENOSYS. */
	tj_supervisor_free(f->sup);
	f->sup = NULL;
	if (f->sock >= 0) {
		struct stat st;
		if (f->path && !f->socket_gone && stat(f->path, &st) == 0 && st.st_dev == f->dev && st.st_ino == f->ino)
			unlink(f->path);
		close(f->sock);
	}
	struct tj_err *e = NULL;
	tj_events_close(&f->events, &e);
	tj_err_free(e);
	free(f->path);
	free(f->req);
	free(f->counts);
	tj_strv_done(&f->log);
	tj_memory_done(&f->mem);
	memset(f, 0, sizeof(*f));
	f->sock = -1;
}

size_t tj_edit_feed_pollfds(struct tj_edit_feed *f, struct pollfd *out, size_t max, int *timeout_ms)
{
	size_t n = tj_supervisor_pollfds(f->sup, out, max, timeout_ms);
	long long left = f->next_check - now_ms();
	int t = left <= 0 ? 0 : left > CHECK_MS ? CHECK_MS : (int)left;
	if (*timeout_ms < 0 || t < *timeout_ms)
		*timeout_ms = t;
	return n;
}

/* The socket file was removed or replaced: sandboxes can no longer reach
 * the editor (the attached ones still are answered). */
static void check_socket(struct tj_edit_feed *f)
{
	long long now = now_ms();
	if (now < f->next_check)
		return;
	f->next_check = now + CHECK_MS;
	f->changes++; /* ages move on */
	if (f->socket_gone)
		return;
	struct stat st;
	bool exists = lstat(f->path, &st) == 0;
	if (exists && S_ISSOCK(st.st_mode) && st.st_dev == f->dev && st.st_ino == f->ino)
		return;
	f->socket_gone = true;
	say(f, "the socket %s %s: no new sandbox can reach the editor (attached ones still are answered)", f->path,
	    exists ? "was replaced" : "was removed");
}

void tj_edit_feed_dispatch(struct tj_edit_feed *f, const struct pollfd *p, size_t n)
{
	tj_supervisor_dispatch(f->sup, p, n);
	check_socket(f);
}

static struct tj_edit_request *find(struct tj_edit_feed *f, uint64_t ticket)
{
	for (size_t i = 0; i < f->nreq; i++)
		if (f->req[i].ticket == ticket)
			return &f->req[i];
	return NULL;
}

const struct tj_edit_request *tj_edit_feed_find(const struct tj_edit_feed *f, uint64_t ticket)
{
	return find((struct tj_edit_feed *)f, ticket);
}

size_t tj_edit_feed_settle(struct tj_edit_feed *f)
{
	size_t answered = 0;
	/* Answering removes the entry (the decided hook), so go by ticket. */
	for (size_t i = 0; i < f->nreq;) {
		struct tj_supervised_call c = {.data = f->req[i].data};
		struct tj_decision d;
		char *why = NULL;
		uint64_t ticket = f->req[i].ticket;
		if (!consult(f, &c, &d, &why)) {
			i++;
			continue;
		}
		if (tj_supervisor_answer(f->sup, ticket, &d, false, why) == 0)
			answered++;
		free(why);
		forget(f, ticket); /* answered, or no longer pending */
	}
	return answered;
}

void tj_edit_feed_scope(const struct seccomp_data *d, char *buf, size_t size)
{
	struct tj_rule r;
	tj_learn_rule_for_call(d, &r);
	const char *values = r.comment ? strstr(r.comment, ": ") : NULL;
	if (r.nargs && values)
		snprintf(buf, size, "for calls with %s", values + 2);
	else
		snprintf(buf, size, "for any arguments");
	tj_rule_done(&r);
}

/* The edit an "always" answer makes. */
static int always(struct tj_edit_feed *f, const struct tj_edit_request *q, enum tj_edit_answer a, unsigned errnum,
		  const char *name, struct tj_err **err)
{
	switch (a) {
	case TJ_EDIT_ALLOW_VALUES: {
		struct tj_rule r;
		tj_learn_rule_for_call(&q->data, &r);
		int rc;
		if (r.nargs) {
			char scope[256], comment[320];
			tj_edit_feed_scope(&q->data, scope, sizeof(scope));
			snprintf(comment, sizeof(comment), "tinyjail edit: allowed from the live feed %s", scope);
			rc = tj_edit_add_condition(f->m, name, TJ_ACT_ALLOW, 0, r.args, r.nargs, comment, err);
		} else
			rc = tj_edit_set_action(f->m, name, TJ_ACT_ALLOW, 0, err);
		tj_rule_done(&r);
		return rc;
	}
	case TJ_EDIT_ALLOW_ANY: return tj_edit_set_action(f->m, name, TJ_ACT_ALLOW, 0, err);
	case TJ_EDIT_DENY_ALWAYS: return tj_edit_set_action(f->m, name, TJ_ACT_ERRNO, errnum, err);
	default: return tj_edit_set_action(f->m, name, TJ_ACT_KILL_PROCESS, 0, err);
	}
}

int tj_edit_feed_answer(struct tj_edit_feed *f, uint64_t ticket, enum tj_edit_answer a, unsigned errnum, char *msg,
			size_t msg_size, struct tj_err **err)
{
	struct tj_edit_request *q = find(f, ticket);
	if (!q)
		return tj_err_set(err, TJ_ERR_USAGE, 0, "that call is no longer waiting");
	struct tj_edit_request req = *q;
	struct tj_decision d = {.kind = TJ_DECIDE_ALLOW};
	if (a == TJ_EDIT_DENY_ONCE || a == TJ_EDIT_DENY_ALWAYS)
		d = (struct tj_decision){.kind = TJ_DECIDE_DENY, .errnum = (int)errnum};
	else if (a == TJ_EDIT_KILL_ONCE || a == TJ_EDIT_KILL_ALWAYS)
		d = (struct tj_decision){.kind = TJ_DECIDE_KILL};
	char call[256];
	short_call(&req.data, call, sizeof(call));
	bool once = a == TJ_EDIT_ALLOW_ONCE || a == TJ_EDIT_DENY_ONCE || a == TJ_EDIT_KILL_ONCE;
	if (once) {
		if (tj_supervisor_answer(f->sup, ticket, &d, false, "a person in the editor, this once") < 0) {
			forget(f, ticket);
			return tj_err_set(err, TJ_ERR_USAGE, 0, "%s: the call is no longer waiting", call);
		}
		forget(f, ticket);
		snprintf(msg, msg_size, "%s: answered once", call);
		return 0;
	}
	/* A rule is on a native name: another ABI's call (i386, x32) is
	 * answered once only. */
	char name[64];
	int nr;
	tj_syscall_name(req.data.arch, req.data.nr, name, sizeof(name));
	if (req.data.arch != AUDIT_ARCH_X86_64 || tj_syscall_resolve(name, &nr) != TJ_SYSCALL_NATIVE ||
	    nr != (int)req.data.nr)
		return tj_err_set(err, TJ_ERR_USAGE, 0, "%s is not a native x86_64 call: answer it once", call);
	if (always(f, &req, a, errnum, name, err) < 0)
		return -1;
	/* This call first (the new rule covers it by construction), then
	 * every other one it covers. */
	if (tj_supervisor_answer(f->sup, ticket, &d, false, "a person in the editor, always") < 0)
		forget(f, ticket);
	size_t more = tj_edit_feed_settle(f);
	char saved[512] = "";
	if (!f->save)
		snprintf(saved, sizeof(saved), "; %s is read-only: kept for this run, not saved", f->m->display);
	else {
		struct tj_err *e = NULL;
		bool bak = false;
		if (tj_edit_save(f->m, &bak, &e) < 0) {
			char *t = tj_err_format(e);
			snprintf(saved, sizeof(saved), "; NOT saved: %s", t);
			free(t);
			tj_err_free(e);
		} else
			snprintf(saved, sizeof(saved), "; saved %s%s", f->m->display,
				 bak ? " (old content in .bak)" : "");
	}
	char others[64] = "";
	if (more)
		snprintf(others, sizeof(others), " (%zu more waiting call%s answered)", more, more == 1 ? "" : "s");
	snprintf(msg, msg_size, "%s: rule added%s%s", name, others, saved);
	return 0;
}

size_t tj_edit_feed_sandboxes(const struct tj_edit_feed *f)
{
	return tj_supervisor_sandboxes(f->sup);
}
