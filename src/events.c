/* SPDX-License-Identifier: Apache-2.0 */
/* The event log (JSON lines, notes/events.md) and the syscall tally. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tj/events.h"
#include "tj/filter.h"
#include "tj/util.h"

const char *tj_verdict_name(enum tj_verdict v)
{
	switch (v) {
	case TJ_VERDICT_WOULD_DENY: return "would-deny";
	case TJ_VERDICT_KILLED: return "killed";
	}
	return "?";
}

int tj_events_open(struct tj_events *ev, const char *path, struct tj_err **err)
{
	memset(ev, 0, sizeof(*ev));
	if (!path)
		return 0;
	ev->log = fopen(path, "we");
	if (!ev->log)
		return tj_err_set(err, TJ_ERR_USAGE, errno, "cannot open the log file '%s'", path);
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
	free(ev->v);
	ev->v = NULL;
	ev->n = ev->cap = 0;
	return r;
}

static void add_header(struct tj_buf *b, const char *event)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	struct tm tm;
	gmtime_r(&ts.tv_sec, &tm);
	char when[64];
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);
	tj_buf_addf(b, "{\"v\":%d,\"time\":\"%s.%06ldZ\",\"event\":", TJ_EVENTS_VERSION, when, ts.tv_nsec / 1000);
	tj_buf_add_json_string(b, event);
}

static void emit(struct tj_events *ev, struct tj_buf *b)
{
	tj_buf_add(b, "}\n");
	if (ev->log && fputs(b->s, ev->log) == EOF)
		ev->log_failed = true;
	if (ev->log)
		fflush(ev->log);
	tj_buf_done(b);
}

void tj_events_start(struct tj_events *ev, const char *mode, const char *profile, char *const *argv, pid_t pid)
{
	if (!ev->log)
		return;
	struct tj_buf b = {0};
	add_header(&b, "start");
	tj_buf_add(&b, ",\"mode\":");
	tj_buf_add_json_string(&b, mode);
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
	emit(ev, &b);
}

static void tally(struct tj_events *ev, const struct tj_syscall_event *e)
{
	ev->total++;
	for (size_t i = 0; i < ev->n; i++) {
		struct tj_tally *t = &ev->v[i];
		if (t->arch == e->data.arch && t->nr == e->data.nr && t->action == e->action &&
		    t->verdict == e->verdict) {
			t->count++;
			return;
		}
	}
	tj_xreserve((void **)&ev->v, &ev->cap, ev->n + 1, sizeof(*ev->v));
	ev->v[ev->n++] = (struct tj_tally){.arch = e->data.arch, .nr = e->data.nr, .action = e->action,
					   .rule = e->rule, .verdict = e->verdict, .count = 1,
					   .first_pid = e->pid};
}

void tj_events_syscall(struct tj_events *ev, const struct tj_syscall_event *e)
{
	tally(ev, e);
	if (!ev->log)
		return;
	char name[64], action[64];
	tj_syscall_name(e->data.arch, e->data.nr, name, sizeof(name));
	tj_filter_describe_action(e->action, action, sizeof(action));
	struct tj_buf b = {0};
	add_header(&b, "syscall");
	tj_buf_add(&b, ",\"verdict\":");
	tj_buf_add_json_string(&b, tj_verdict_name(e->verdict));
	tj_buf_addf(&b, ",\"pid\":%d,\"comm\":", (int)e->pid);
	tj_buf_add_json_string(&b, e->comm);
	tj_buf_add(&b, ",\"arch\":");
	tj_buf_add_json_string(&b, tj_arch_short_name(e->data.arch, e->data.nr));
	tj_buf_add(&b, ",\"syscall\":");
	tj_buf_add_json_string(&b, name);
	tj_buf_addf(&b, ",\"nr\":%d,\"args\":[", e->data.nr);
	for (int i = 0; i < 6; i++)
		tj_buf_addf(&b, "%s\"0x%llx\"", i ? "," : "", (unsigned long long)e->data.args[i]);
	tj_buf_addf(&b, "],\"ip\":\"0x%llx\",\"action\":", (unsigned long long)e->data.instruction_pointer);
	tj_buf_add_json_string(&b, action);
	tj_buf_add(&b, ",\"rule\":");
	tj_buf_add_json_string(&b, e->rule ? e->rule : "defaultAction");
	emit(ev, &b);
}

void tj_events_exit(struct tj_events *ev, int exit_code, int status_code, int signal, bool seccomp_kill,
		    uint64_t wall_ms, uint64_t lost)
{
	if (!ev->log)
		return;
	struct tj_buf b = {0};
	add_header(&b, "exit");
	tj_buf_addf(&b, ",\"exit_code\":%d", exit_code);
	if (signal)
		tj_buf_addf(&b, ",\"status\":\"signaled\",\"signal\":%d", signal);
	else
		tj_buf_addf(&b, ",\"status\":\"exited\",\"code\":%d", status_code);
	tj_buf_addf(&b, ",\"seccomp_kill\":%s,\"wall_ms\":%llu,\"records\":%llu,\"lost\":%llu",
		    seccomp_kill ? "true" : "false", (unsigned long long)wall_ms, (unsigned long long)ev->total,
		    (unsigned long long)lost);
	emit(ev, &b);
}

void tj_format_syscall(const struct seccomp_data *d, char *buf, size_t size)
{
	char name[64];
	tj_syscall_name(d->arch, d->nr, name, sizeof(name));
	snprintf(buf, size, "%s(0x%llx, 0x%llx, 0x%llx, 0x%llx, 0x%llx, 0x%llx)", name,
		 (unsigned long long)d->args[0], (unsigned long long)d->args[1], (unsigned long long)d->args[2],
		 (unsigned long long)d->args[3], (unsigned long long)d->args[4], (unsigned long long)d->args[5]);
}
