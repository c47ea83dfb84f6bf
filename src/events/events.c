/* SPDX-License-Identifier: Apache-2.0 */
/* The event log (JSON lines, notes/events.md) and the tallies. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tj/base/outfile.h"
#include "tj/base/util.h"
#include "tj/events/decode.h"
#include "tj/events/events.h"
#include "tj/filter/filter.h"
#include "tj/model/limits.h"

const char *tj_verdict_name(enum tj_verdict v)
{
	switch (v) {
	case TJ_VERDICT_WOULD_DENY: return "would-deny";
	case TJ_VERDICT_KILLED: return "killed";
	case TJ_VERDICT_DENIED: return "denied";
	case TJ_VERDICT_ALLOWED: return "allowed";
	}
	return "?";
}

const char *tj_source_name(enum tj_source s)
{
	switch (s) {
	case TJ_SOURCE_NOTIFY: return "notify";
	case TJ_SOURCE_KMSG: return "kmsg";
	case TJ_SOURCE_AGENT: return "agent";
	}
	return "?";
}

int tj_events_open(struct tj_events *ev, const char *path, struct tj_err **err)
{
	memset(ev, 0, sizeof(*ev));
	if (!path)
		return 0;
	if (strcmp(path, "-") == 0) {
		/* Standard error: standard output belongs to the command.  A
		 * copy of the descriptor, so that closing the log leaves it. */
		int fd = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3);
		ev->log = fd >= 0 ? fdopen(fd, "w") : NULL;
		if (!ev->log) {
			if (fd >= 0)
				close(fd);
			return tj_err_set(err, TJ_ERR_INTERNAL, errno, "cannot write the log to standard error");
		}
		setvbuf(ev->log, NULL, _IOLBF, 0); /* whole lines between tinyjail's messages */
		return 0;
	}
	/* A new file, never through a link planted at the path (outfile.h). */
	struct tj_outfile f = TJ_OUTFILE_INIT;
	if (tj_outfile_prepare(&f, path, "the log file", err) < 0)
		return -1;
	int fd = tj_outfile_create(&f, err);
	tj_outfile_done(&f);
	if (fd < 0)
		return tj_err_wrap(err, "the log file");
	ev->log = fdopen(fd, "w");
	if (!ev->log) {
		close(fd);
		return tj_err_set(err, TJ_ERR_INTERNAL, errno, "cannot open the log file '%s'", path);
	}
	return 0;
}

int tj_events_close(struct tj_events *ev, struct tj_err **err)
{
	int r = 0;
	if (ev->log) {
		if (fclose(ev->log) != 0)
			ev->log_failed = true;
		ev->log = NULL;
	}
	if (ev->log_failed)
		r = tj_err_set(err, TJ_ERR_INTERNAL, 0, "writing the event log failed; it is incomplete");
	for (size_t i = 0; i < ev->n; i++)
		free(ev->v[i].rule);
	free(ev->v);
	ev->v = NULL;
	ev->n = ev->cap = 0;
	free(ev->last_limit);
	ev->last_limit = NULL;
	return r;
}

/* when_us: the time the event happened, if not now (0). */
static void add_header_at(struct tj_buf *b, const char *event, uint64_t when_us)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	if (when_us) {
		ts.tv_sec = (time_t)(when_us / 1000000);
		ts.tv_nsec = (long)(when_us % 1000000) * 1000;
	}
	struct tm tm;
	gmtime_r(&ts.tv_sec, &tm);
	char when[64];
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);
	tj_buf_addf(b, "{\"v\":%d,\"time\":\"%s.%06ldZ\",\"event\":", TJ_EVENTS_VERSION, when, ts.tv_nsec / 1000);
	tj_buf_add_json_string(b, event);
}

static void add_header(struct tj_buf *b, const char *event)
{
	add_header_at(b, event, 0);
}

/* ,"key":"value" -- skipped when value is NULL. */
static void add_str(struct tj_buf *b, const char *key, const char *value)
{
	if (!value)
		return;
	tj_buf_addf(b, ",\"%s\":", key);
	tj_buf_add_json_string(b, value);
}

static void emit(struct tj_events *ev, struct tj_buf *b)
{
	tj_buf_add(b, "}\n");
	if (ev->log && fputs(b->s, ev->log) == EOF)
		ev->log_failed = true;
	if (ev->log && fflush(ev->log) == EOF)
		ev->log_failed = true;
	tj_buf_done(b);
}

static void notice(struct tj_events *ev, const char *text)
{
	if (ev->notice)
		ev->notice(ev->notice_ctx, text);
}

void tj_events_start(struct tj_events *ev, const char *mode, const char *profile, char *const *argv, pid_t pid)
{
	unsigned recording = ev->recording;
	const char *const *explain = ev->explain_names;
	if (!ev->log)
		return;
	struct tj_buf b = {0};
	add_header(&b, "start");
	add_str(&b, "mode", mode);
	tj_buf_add(&b, ",\"profile\":");
	if (profile)
		tj_buf_add_json_string(&b, profile);
	else
		tj_buf_add(&b, "null");
	tj_buf_add(&b, ",\"argv\":[");
	for (size_t i = 0; argv[i]; i++) {
		if (i)
			tj_buf_add(&b, ",");
		tj_buf_add_json_string(&b, argv[i]);
	}
	tj_buf_addf(&b, "],\"pid\":%d", (int)pid);
	add_str(&b, "source", tj_source_name(ev->source));
	if (recording) {
		static const char *const names[] = {"usage", "processes", "explain"};
		tj_buf_add(&b, ",\"recording\":[");
		bool first = true;
		for (size_t i = 0; i < TJ_ARRAY_SIZE(names); i++) {
			if (!(recording & (1u << i)))
				continue;
			tj_buf_addf(&b, "%s\"%s\"", first ? "" : ",", names[i]);
			first = false;
		}
		tj_buf_add(&b, "]");
	}
	if (explain && explain[0]) {
		tj_buf_add(&b, ",\"explain\":[");
		for (size_t i = 0; explain[i]; i++) {
			if (i)
				tj_buf_add(&b, ",");
			tj_buf_add_json_string(&b, explain[i]);
		}
		tj_buf_add(&b, "]");
	}
	emit(ev, &b);
}

/* ,"stack":[{"pc":...},...] */
static void add_stack(struct tj_buf *b, const struct tj_frame *v, size_t n)
{
	tj_buf_add(b, ",\"stack\":[");
	for (size_t i = 0; i < n; i++) {
		const struct tj_frame *f = &v[i];
		tj_buf_addf(b, "%s{\"pc\":\"0x%llx\"", i ? "," : "", (unsigned long long)f->pc);
		add_str(b, "module", f->module && f->module[0] ? f->module : NULL);
		add_str(b, "function", f->function && f->function[0] ? f->function : NULL);
		tj_buf_addf(b, ",\"offset\":%llu", (unsigned long long)f->offset);
		if (f->file && f->file[0] && f->line > 0) {
			add_str(b, "file", f->file);
			tj_buf_addf(b, ",\"line\":%d", f->line);
		}
		tj_buf_add(b, "}");
	}
	tj_buf_add(b, "]");
}

static void tally(struct tj_events *ev, const struct tj_syscall_event *e)
{
	if (!e->tally_only)
		ev->total++;
	for (size_t i = 0; i < ev->n; i++) {
		struct tj_tally *t = &ev->v[i];
		if (t->arch == e->data.arch && t->nr == e->data.nr && t->action == e->action &&
		    t->action_unknown == e->action_unknown && t->verdict == e->verdict && t->errnum == e->errnum &&
		    (t->rule == e->rule || (t->rule && e->rule && strcmp(t->rule, e->rule) == 0))) {
			t->count++;
			return;
		}
	}
	tj_xreserve((void **)&ev->v, &ev->cap, ev->n + 1, sizeof(*ev->v));
	ev->v[ev->n++] = (struct tj_tally){.arch = e->data.arch,
					   .nr = e->data.nr,
					   .action = e->action,
					   .action_unknown = e->action_unknown,
					   .rule = e->rule ? tj_xstrdup(e->rule) : NULL,
					   .verdict = e->verdict,
					   .errnum = e->errnum,
					   .count = 1,
					   .first_pid = e->pid};
}

void tj_events_syscall(struct tj_events *ev, const struct tj_syscall_event *e)
{
	tally(ev, e);
	if (!ev->log || e->tally_only)
		return;
	char name[64], action[64];
	tj_syscall_name(e->data.arch, e->data.nr, name, sizeof(name));
	if (e->action_unknown)
		snprintf(action, sizeof(action), "unknown");
	else
		tj_filter_describe_action(e->action, action, sizeof(action));
	struct tj_buf b = {0};
	add_header(&b, "syscall");
	add_str(&b, "verdict", tj_verdict_name(e->verdict));
	add_str(&b, "source", tj_source_name(e->source));
	tj_buf_addf(&b, ",\"pid\":%d", (int)e->pid);
	add_str(&b, "comm", e->comm);
	add_str(&b, "arch", tj_arch_short_name(e->data.arch, e->data.nr));
	add_str(&b, "syscall", name);
	tj_buf_addf(&b, ",\"nr\":%d,\"args\":", e->data.nr);
	if (e->no_args) {
		tj_buf_add(&b, "null");
	} else {
		tj_buf_add(&b, "[");
		for (int i = 0; i < 6; i++)
			tj_buf_addf(&b, "%s\"0x%llx\"", i ? "," : "", (unsigned long long)e->data.args[i]);
		tj_buf_add(&b, "]");
		char call[512];
		tj_decode_call(&e->data, call, sizeof(call));
		add_str(&b, "call", call);
	}
	tj_buf_addf(&b, ",\"ip\":\"0x%llx\"", (unsigned long long)e->data.instruction_pointer);
	add_str(&b, "action", action);
	add_str(&b, "rule", e->rule ? e->rule : "defaultAction");
	if (e->verdict == TJ_VERDICT_DENIED) {
		const char *en = strerrorname_np(e->errnum);
		if (en)
			add_str(&b, "errno", en);
		else
			tj_buf_addf(&b, ",\"errno\":\"%d\"", e->errnum);
	}
	add_str(&b, "decided_by", e->decided_by);
	add_str(&b, "exe", e->exe);
	if (e->tgid > 0 && e->tgid != e->pid)
		tj_buf_addf(&b, ",\"tgid\":%d", (int)e->tgid);
	if (e->stack && e->stack_n) {
		add_stack(&b, e->stack, e->stack_n);
		tj_buf_addf(&b, ",\"stack_truncated\":%s", e->stack_truncated ? "true" : "false");
	}
	if (e->site)
		tj_buf_addf(&b, ",\"site\":%u", e->site);
	emit(ev, &b);
}

void tj_events_process(struct tj_events *ev, const struct tj_process_event *e)
{
	if (!ev->log)
		return;
	static const char *const causes[] = {"start", "fork", "exec", "exit"};
	struct tj_buf b = {0};
	add_header_at(&b, "process", e->when_us);
	tj_buf_addf(&b, ",\"pid\":%d", (int)e->pid);
	add_str(&b, "cause", causes[e->cause]);
	if (e->ppid > 0)
		tj_buf_addf(&b, ",\"ppid\":%d", (int)e->ppid);
	if (e->comm) {
		char comm[17];
		snprintf(comm, sizeof(comm), "%s", e->comm);
		add_str(&b, "comm", comm);
	}
	add_str(&b, "exe", e->exe);
	if (e->argv) {
		tj_buf_add(&b, ",\"argv\":[");
		for (size_t i = 0; e->argv[i]; i++) {
			if (i)
				tj_buf_add(&b, ",");
			tj_buf_add_json_string(&b, e->argv[i]);
		}
		tj_buf_add(&b, "]");
	}
	if (e->loader && e->cause != TJ_PROCESS_EXIT && e->cause != TJ_PROCESS_FORK) {
		tj_buf_add(&b, ",\"loader\":{\"path\":");
		tj_buf_add_json_string(&b, e->loader);
		tj_buf_addf(&b, ",\"start\":\"0x%llx\",\"end\":\"0x%llx\"}", (unsigned long long)e->loader_start,
			    (unsigned long long)e->loader_end);
	}
	if (e->cause == TJ_PROCESS_EXIT && e->has_code)
		tj_buf_addf(&b, ",\"code\":%d", e->code & 0xff);
	if (e->cause == TJ_PROCESS_EXIT && e->killed)
		tj_buf_add(&b, ",\"killed\":true");
	emit(ev, &b);
}

void tj_events_usage(struct tj_events *ev, pid_t pid, uint32_t arch, int nr, uint32_t action, const char *rule,
		     uint64_t count)
{
	if (!ev->log || !count)
		return;
	char name[64], act[64];
	tj_syscall_name(arch, nr, name, sizeof(name));
	tj_filter_describe_action(action, act, sizeof(act));
	struct tj_buf b = {0};
	add_header(&b, "usage");
	tj_buf_addf(&b, ",\"pid\":%d", (int)pid);
	add_str(&b, "arch", tj_arch_short_name(arch, nr));
	add_str(&b, "syscall", name);
	tj_buf_addf(&b, ",\"nr\":%d", nr);
	add_str(&b, "action", act);
	add_str(&b, "rule", rule ? rule : "defaultAction");
	tj_buf_addf(&b, ",\"count\":%llu", (unsigned long long)count);
	emit(ev, &b);
}

void tj_events_explain(struct tj_events *ev, const struct tj_explain_event *e)
{
	if (!ev->log)
		return;
	struct tj_buf b = {0};
	add_header(&b, "explain");
	add_str(&b, "syscall", e->syscall);
	tj_buf_addf(&b, ",\"calls\":%llu,\"stacks\":%llu,\"skipped\":%llu,\"truncated\":%llu,\"sites\":[",
		    (unsigned long long)e->calls, (unsigned long long)e->stacks, (unsigned long long)e->skipped,
		    (unsigned long long)e->truncated);
	bool first = true;
	for (size_t i = 0; i < e->nsites; i++) {
		const struct tj_explain_site *s = &e->sites[i];
		if (!s->stack_n || !s->count)
			continue;
		tj_buf_addf(&b, "%s{\"site\":%u,\"count\":%llu", first ? "" : ",", s->id, (unsigned long long)s->count);
		add_stack(&b, s->stack, s->stack_n);
		tj_buf_addf(&b, ",\"stack_truncated\":%s}", s->truncated ? "true" : "false");
		first = false;
	}
	tj_buf_add(&b, "]");
	emit(ev, &b);
}

char *tj_events_limit_text(const struct tj_limit_event *e)
{
	struct tj_buf b = {0};
	tj_buf_addf(&b, "limit reached: %s", e->resource ? e->resource : "?");
	if (e->has_limit)
		tj_buf_addf(&b, ": limit %llu%s%s", (unsigned long long)e->limit, e->unit ? " " : "",
			    e->unit ? e->unit : "");
	if (e->has_value)
		tj_buf_addf(&b, ", observed %llu%s%s", (unsigned long long)e->value, e->unit ? " " : "",
			    e->unit ? e->unit : "");
	if (e->source)
		tj_buf_addf(&b, " (%s)", e->source);
	if (e->pid)
		tj_buf_addf(&b, ", pid %d", (int)e->pid);
	tj_buf_addf(&b, ": %s", e->action ? e->action : "reported");
	if (e->detail)
		tj_buf_addf(&b, ": %s", e->detail);
	return tj_buf_steal(&b);
}

void tj_events_limit(struct tj_events *ev, const struct tj_limit_event *e)
{
	ev->limits++;
	char *text = tj_events_limit_text(e);
	notice(ev, text);
	free(ev->last_limit);
	ev->last_limit = text;
	if (!ev->log)
		return;
	struct tj_buf b = {0};
	add_header(&b, "limit");
	add_str(&b, "resource", e->resource ? e->resource : "unknown");
	add_str(&b, "source", e->source);
	add_str(&b, "unit", e->unit);
	if (e->has_limit)
		tj_buf_addf(&b, ",\"limit\":%llu", (unsigned long long)e->limit);
	if (e->has_value)
		tj_buf_addf(&b, ",\"value\":%llu", (unsigned long long)e->value);
	add_str(&b, "action", e->action ? e->action : "warned");
	if (e->pid)
		tj_buf_addf(&b, ",\"pid\":%d", (int)e->pid);
	add_str(&b, "detail", e->detail);
	emit(ev, &b);
}

/* The proxy's requests read as the command asked: "CONNECT example.org
 * port 443 (192.0.2.1)"; system calls as the kernel saw them. */
char *tj_events_net_text(const struct tj_net_event *e)
{
	struct tj_buf b = {0};
	tj_buf_add(&b, e->cut	   ? "network connection cut:"
		       : e->failed ? "network request failed (allowed, but not reached):"
				   : "network refused:");
	if (e->host || e->method) {
		if (e->method)
			tj_buf_addf(&b, " %s", e->method);
		if (e->host && e->host[0])
			tj_buf_addf(&b, " %s", e->host);
		if (e->port >= 0)
			tj_buf_addf(&b, " port %d", e->port);
		if (e->address)
			tj_buf_addf(&b, " (%s)", e->address);
	} else {
		if (e->syscall)
			tj_buf_addf(&b, " %s", e->syscall);
		tj_buf_addf(&b, " %s", e->family ? e->family : "?");
		if (e->protocol)
			tj_buf_addf(&b, "/%s", e->protocol);
		if (e->address && e->port >= 0)
			tj_buf_addf(&b, " %s port %d", e->address, e->port);
		else if (e->address)
			tj_buf_addf(&b, " %s", e->address);
	}
	if (e->pid)
		tj_buf_addf(&b, " by pid %d", (int)e->pid);
	if (e->comm && e->comm[0])
		tj_buf_addf(&b, " (%s)", e->comm);
	if (e->cut) {
		char d[32];
		tj_format_ms(e->duration_ms, d, sizeof(d));
		tj_buf_addf(&b, " after %s", d);
	}
	if (e->reason)
		tj_buf_addf(&b, ": %s", e->reason);
	if (e->rule)
		tj_buf_addf(&b, " [%s]", e->rule);
	return tj_buf_steal(&b);
}

void tj_events_net_refused(struct tj_events *ev, const struct tj_net_event *e)
{
	/* A server that could not be reached is not a violation. */
	if (e->cut)
		ev->net_cuts++;
	else if (!e->failed)
		ev->net_refusals++;
	char *text = tj_events_net_text(e);
	notice(ev, text);
	free(text);
	if (!ev->log)
		return;
	struct tj_buf b = {0};
	add_header(&b, "network");
	add_str(&b, "action", e->cut ? "cut" : e->failed ? "failed" : "refused");
	if (e->pid)
		tj_buf_addf(&b, ",\"pid\":%d", (int)e->pid);
	add_str(&b, "comm", e->comm);
	add_str(&b, "syscall", e->syscall);
	add_str(&b, "family", e->family ? e->family : "unknown");
	add_str(&b, "protocol", e->protocol);
	add_str(&b, "address", e->address);
	if (e->port >= 0)
		tj_buf_addf(&b, ",\"port\":%d", e->port);
	add_str(&b, "host", e->host);
	add_str(&b, "method", e->method);
	add_str(&b, "rule", e->rule);
	if (e->status)
		tj_buf_addf(&b, ",\"status\":%d", e->status);
	if (e->cut)
		tj_buf_addf(&b, ",\"duration_ms\":%llu", (unsigned long long)e->duration_ms);
	add_str(&b, "reason", e->reason ? e->reason : "");
	emit(ev, &b);
}

void tj_events_layer(struct tj_events *ev, const char *layer, enum tj_layer_status status, const char *detail)
{
	if (status != TJ_LAYER_APPLIED) {
		ev->layers_degraded++;
		char *text = tj_xasprintf("%s layer %s%s%s", layer, tj_layer_status_name(status), detail ? ": " : "",
					  detail ? detail : "");
		notice(ev, text);
		free(text);
	}
	if (!ev->log)
		return;
	struct tj_buf b = {0};
	add_header(&b, "layer");
	add_str(&b, "layer", layer);
	add_str(&b, "status", tj_layer_status_name(status));
	add_str(&b, "detail", detail ? detail : "");
	emit(ev, &b);
}

void tj_events_listener(struct tj_events *ev, bool attached, pid_t pid, const char *id, const char *metadata)
{
	if (!ev->log)
		return;
	struct tj_buf b = {0};
	add_header(&b, "listener");
	add_str(&b, "state", attached ? "attached" : "closed");
	tj_buf_addf(&b, ",\"pid\":%d", (int)pid);
	add_str(&b, "id", id);
	add_str(&b, "metadata", metadata);
	emit(ev, &b);
}

void tj_events_exit_ex(struct tj_events *ev, const struct tj_exit_event *x)
{
	if (!ev->log)
		return;
	const char *reason = x->reason;
	if (!reason)
		reason = x->seccomp_kill ? "seccomp-kill" : x->signal ? "signaled" : "exited";
	struct tj_buf b = {0};
	add_header(&b, "exit");
	tj_buf_addf(&b, ",\"exit_code\":%d", x->exit_code);
	if (x->signal)
		tj_buf_addf(&b, ",\"status\":\"signaled\",\"signal\":%d", x->signal);
	else
		tj_buf_addf(&b, ",\"status\":\"exited\",\"code\":%d", x->status);
	add_str(&b, "reason", reason);
	tj_buf_addf(&b, ",\"seccomp_kill\":%s,\"wall_ms\":%llu,\"records\":%llu,\"lost\":%llu,\"complete\":%s",
		    x->seccomp_kill ? "true" : "false", (unsigned long long)x->wall_ms, (unsigned long long)ev->total,
		    (unsigned long long)x->lost, x->lost || x->incomplete || ev->log_failed ? "false" : "true");
	emit(ev, &b);
}

void tj_events_exit(struct tj_events *ev, int exit_code, int status_code, int signal, bool seccomp_kill,
		    uint64_t wall_ms, uint64_t lost)
{
	struct tj_exit_event x = {.exit_code = exit_code,
				  .status = status_code,
				  .signal = signal,
				  .seccomp_kill = seccomp_kill,
				  .wall_ms = wall_ms,
				  .lost = lost};
	tj_events_exit_ex(ev, &x);
}

void tj_format_syscall(const struct seccomp_data *d, char *buf, size_t size)
{
	tj_decode_call(d, buf, size);
}
