/* SPDX-License-Identifier: Apache-2.0 */
/* `tinyjail supervise --listen SOCK [--rules FILE] [--profile FILE --write-back]` */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tj/base/cleanup.h"
#include "tj/cli/cmd.h"
#include "tj/events/decode.h"
#include "tj/json/profile_json.h"
#include "tj/json/writeback.h"
#include "tj/learn/model.h"
#include "tj/supervise/supervise.h"

struct sup_ctx {
	const struct tj_options *o;
	struct tj_writeback wb;
	bool write_back;
	size_t written;
};

static void describe_call(const struct tj_supervised_call *c, char *buf, size_t size)
{
	char call[256];
	tj_decode_call(&c->data, call, sizeof(call));
	snprintf(buf, size, "%s by pid %d (%s) in %s", call, (int)c->pid, c->comm[0] ? c->comm : "?",
		 c->sandbox->id ? c->sandbox->id : "?");
}

/* Reads one answer from the terminal, or stops when stop_fd fires. */
static enum tj_ask_result read_answer(int stop_fd, char *buf, size_t size)
{
	struct pollfd p[2] = {{.fd = STDIN_FILENO, .events = POLLIN}, {.fd = stop_fd, .events = POLLIN}};
	for (;;) {
		int r = poll(p, 2, -1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 || p[1].revents)
			return TJ_ASK_STOP;
		if (p[0].revents)
			break;
	}
	ssize_t n = read(STDIN_FILENO, buf, size - 1);
	if (n <= 0)
		return TJ_ASK_NOBODY; /* the terminal went away */
	buf[n] = '\0';
	return TJ_ASK_ANSWERED;
}

/* An "always" answer covers the call's argument class (learn's table:
 * clone flags within those of this call, socket's family and type, ...),
 * or every call of a syscall whose arguments are not classified. */
static size_t arg_class(void *ctx, const struct seccomp_data *d, struct tj_arg *out, size_t max)
{
	(void)ctx;
	struct tj_rule r;
	tj_learn_rule_for_call(d, &r);
	size_t n = r.nargs <= max ? r.nargs : 0;
	if (n)
		memcpy(out, r.args, n * sizeof(*out));
	tj_rule_done(&r);
	return n;
}

/* What "always" will cover, for the prompt. */
static void always_scope(const struct seccomp_data *d, char *buf, size_t size)
{
	struct tj_rule r;
	tj_learn_rule_for_call(d, &r);
	const char *values = strstr(r.comment, ": ");
	if (r.nargs && values)
		snprintf(buf, size, "for calls with %s", values + 2);
	else
		snprintf(buf, size, "for any arguments");
	tj_rule_done(&r);
}

static enum tj_ask_result ask(void *ctx, const struct tj_supervised_call *c, int stop_fd, struct tj_decision *ret,
			      bool *remember)
{
	(void)ctx;
	if (!isatty(STDIN_FILENO))
		return TJ_ASK_NOBODY;
	char what[512], scope[384];
	describe_call(c, what, sizeof(what));
	always_scope(&c->data, scope, sizeof(scope));
	for (int tries = 0; tries < 5; tries++) {
		fprintf(stderr,
			"tinyjail: supervise: %s\n"
			"tinyjail: \"always\" answers the rest of the run, and writes back, %s\n"
			"tinyjail: allow [a], allow always [A], deny [d], deny always [D], kill [k], kill always [K]? ",
			what, scope);
		fflush(stderr);
		char line[64];
		enum tj_ask_result r = read_answer(stop_fd, line, sizeof(line));
		if (r != TJ_ASK_ANSWERED)
			return r;
		char a = line[0];
		*remember = a == 'A' || a == 'D' || a == 'K';
		ret->errnum = EPERM;
		switch (a) {
		case 'a':
		case 'A': ret->kind = TJ_DECIDE_ALLOW; return TJ_ASK_ANSWERED;
		case 'd':
		case 'D': ret->kind = TJ_DECIDE_DENY; return TJ_ASK_ANSWERED;
		case 'k':
		case 'K': ret->kind = TJ_DECIDE_KILL; return TJ_ASK_ANSWERED;
		default: break;
		}
	}
	return TJ_ASK_NOBODY;
}

static void decided(void *ctx, const struct tj_supervised_call *c, const struct tj_decision *d, const char *by,
		    const char *why)
{
	const struct sup_ctx *s = ctx;
	if (s->o->verbosity < 0)
		return;
	char what[512], verdict[64];
	describe_call(c, what, sizeof(what));
	if (d->kind == TJ_DECIDE_DENY)
		snprintf(verdict, sizeof(verdict), "denied (%s)",
			 strerrorname_np(d->errnum) ? strerrorname_np(d->errnum) : "?");
	else
		snprintf(verdict, sizeof(verdict), "%s", d->kind == TJ_DECIDE_ALLOW ? "allowed" : "killed");
	fprintf(stderr, "tinyjail: supervise: %s %s: %s%s%s\n", verdict, what, by, why ? ": " : "", why ? why : "");
}

static void attached(void *ctx, const struct tj_agent_state *st)
{
	const struct sup_ctx *s = ctx;
	if (s->o->verbosity >= 0)
		fprintf(stderr, "tinyjail: supervise: supervising %s (pid %d%s%s)\n", st->id, (int)st->pid,
			st->metadata ? ", metadata " : "", st->metadata ? st->metadata : "");
}

static void detached(void *ctx, const struct tj_agent_state *st, uint64_t calls)
{
	const struct sup_ctx *s = ctx;
	if (s->o->verbosity >= 0)
		fprintf(stderr, "tinyjail: supervise: %s ended (%llu notified call%s)\n", st->id,
			(unsigned long long)calls, calls == 1 ? "" : "s");
}

static void rejected(void *ctx, const struct tj_err *why)
{
	(void)ctx;
	char *text = tj_err_format(why);
	fprintf(stderr, "tinyjail: supervise: refused a connection: %s\n", text);
	free(text);
}

static void write_back(struct sup_ctx *s, struct tj_memory *mem)
{
	struct tj_err *err = NULL;
	struct tj_notes skipped = {0};
	size_t n = 0;
	if (tj_writeback(&s->wb, mem, &n, &skipped, &err) < 0) {
		tj_cmd_report(err);
		tj_err_free(err);
	}
	s->written = 0;
	for (size_t i = 0; i < mem->n; i++)
		s->written += mem->v[i].written && !mem->v[i].skipped;
	if (s->o->verbosity >= 0)
		tj_cmd_print_notes("warning", s->wb.profile, &skipped);
	tj_notes_done(&skipped);
}

static void learned(void *ctx, struct tj_memory *mem)
{
	struct sup_ctx *s = ctx;
	if (s->write_back)
		write_back(s, mem);
}

int tj_cmd_supervise(const struct tj_options *o)
{
	struct tj_err *err = NULL;
	int code = 0;
	struct tj_decisions *rules = NULL;
	struct tj_events events = {0};
	tj_autoclose int sock = -1;
	struct tj_memory mem = {0};
	struct sup_ctx ctx = {.o = o};

	if (o->rules && tj_decisions_load_file(o->rules, &rules, &err) < 0)
		goto fail;
	if (o->profile) {
		/* Check it now: a profile that cannot be read is better found
		 * before the first decision than when writing it back. */
		__attribute__((cleanup(tj_profile_freep))) struct tj_profile *p = NULL;
		if (tj_profile_load_file(o->profile, o->profile, &p, &err) < 0)
			goto fail;
		ctx.wb.profile = o->profile;
		ctx.wb.out = o->write_back_to;
		ctx.write_back = o->write_back || o->write_back_to;
	}
	if (tj_events_open(&events, o->log_path, &err) < 0)
		goto fail;
	if (tj_agent_listen(o->listen, &sock, &err) < 0)
		goto fail;
	if (o->verbosity >= 0)
		fprintf(stderr, "tinyjail: supervise: listening on %s%s%s\n", o->listen, rules ? ", rules from " : "",
			rules ? rules->file : "");

	struct tj_supervise_opts so = {.listen_sock = sock, .rules = rules, .once = o->once, .events = &events};
	struct tj_supervise_hooks h = {.ctx = &ctx,
				       .ask = ask,
				       .arg_class = arg_class,
				       .decided = decided,
				       .attached = attached,
				       .detached = detached,
				       .rejected = rejected,
				       .learned = learned};
	struct tj_supervise_stats st;
	int r = tj_supervise_run(&so, &h, &mem, &st, &err);
	unlink(o->listen);
	if (ctx.write_back)
		write_back(&ctx, &mem);
	if (o->verbosity >= 0) {
		fprintf(stderr, "tinyjail: supervise: %llu sandbox%s: %llu allowed, %llu denied, %llu killed",
			(unsigned long long)st.sandboxes, st.sandboxes == 1 ? "" : "es", (unsigned long long)st.allowed,
			(unsigned long long)st.denied, (unsigned long long)st.killed);
		if (ctx.write_back)
			fprintf(stderr, "; %zu decision%s in %s", ctx.written, ctx.written == 1 ? "" : "s",
				o->write_back_to ? o->write_back_to : o->profile);
		fprintf(stderr, "\n");
	}
	if (r < 0)
		goto fail;
	if (tj_events_close(&events, &err) < 0)
		goto fail;
	tj_memory_done(&mem);
	tj_decisions_free(rules);
	return 0;

fail:
	code = tj_cmd_report(err);
	tj_err_free(err);
	struct tj_err *e2 = NULL;
	tj_events_close(&events, &e2);
	tj_err_free(e2);
	tj_memory_done(&mem);
	tj_decisions_free(rules);
	return code;
}
