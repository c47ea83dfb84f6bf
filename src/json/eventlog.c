/* SPDX-License-Identifier: Apache-2.0 */
/* Event logs read back, one line at a time (tj/json/eventlog.h). */
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tj/base/util.h"
#include "tj/json/eventlog.h"

/* A longer line is not an event tinyjail wrote (an explain event with
 * thousands of call sites is a few MiB). */
#define MAX_LINE (64u << 20)

struct tj_eventlog {
	FILE *f;
	char *path;
	char *buf;
	size_t cap;
	size_t line;
	uint64_t bytes;
	json_tokener *tok;
	json_object *cur; /* the line being handed out */
	/* Scratch arrays, reused from line to line. */
	const char **argv, **explain;
	size_t argv_cap, explain_cap;
	struct tj_frame *frames;
	size_t frames_cap;
	struct tj_record_site *sites;
	size_t sites_cap;
};

int tj_eventlog_open(const char *path, struct tj_eventlog **ret, struct tj_err **err)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "re");
	if (!f)
		return tj_err_set(err, TJ_ERR_USAGE, errno, "cannot read the event log '%s'", path);
	struct tj_eventlog *l = tj_xcalloc(1, sizeof(*l));
	l->f = f;
	l->path = tj_xstrdup(path);
	l->tok = json_tokener_new();
	*ret = l;
	return 0;
}

void tj_eventlog_close(struct tj_eventlog *l)
{
	if (!l)
		return;
	if (l->f && l->f != stdin)
		fclose(l->f);
	json_object_put(l->cur);
	json_tokener_free(l->tok);
	free(l->path);
	free(l->buf);
	free(l->argv);
	free(l->explain);
	free(l->frames);
	free(l->sites);
	free(l);
}

size_t tj_eventlog_line(const struct tj_eventlog *l)
{
	return l->line;
}

uint64_t tj_eventlog_bytes(const struct tj_eventlog *l)
{
	return l->bytes;
}

/* Reads one line into l->buf (without the newline).  Returns its length,
 * -1 at the end, -2 when it is too long (the rest is skipped). */
static long read_line(struct tj_eventlog *l, bool *had_newline)
{
	size_t n = 0;
	bool too_long = false;
	int c;
	*had_newline = false;
	while ((c = getc_unlocked(l->f)) != EOF) {
		l->bytes++;
		if (c == '\n') {
			*had_newline = true;
			break;
		}
		if (n >= MAX_LINE) {
			too_long = true;
			continue;
		}
		if (n + 1 >= l->cap) {
			l->cap = l->cap ? l->cap * 2 : 4096;
			l->buf = tj_xrealloc(l->buf, l->cap);
		}
		l->buf[n++] = (char)c;
	}
	if (c == EOF && n == 0 && !too_long)
		return -1;
	if (!l->buf) {
		l->cap = 16;
		l->buf = tj_xmalloc(l->cap);
	}
	l->buf[n] = '\0';
	return too_long ? -2 : (long)n;
}

static int bad(struct tj_eventlog *l, struct tj_err **err, const char *what)
{
	tj_err_set(err, TJ_ERR_USAGE, 0, "%s", what);
	tj_err_at(err, l->path, NULL);
	tj_err_position(err, (int)l->line, 0);
	return TJ_EVENTLOG_BAD;
}

static json_object *get(json_object *o, const char *key)
{
	json_object *v = NULL;
	return json_object_object_get_ex(o, key, &v) ? v : NULL;
}

static const char *str(json_object *o, const char *key)
{
	json_object *v = get(o, key);
	return v && json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
}

static bool num(json_object *o, const char *key, int64_t *out)
{
	json_object *v = get(o, key);
	if (!v || !json_object_is_type(v, json_type_int))
		return false;
	*out = json_object_get_int64(v);
	return true;
}

static int inum(json_object *o, const char *key)
{
	int64_t v = 0;
	return num(o, key, &v) && v >= -2147483647 - 1 && v <= 2147483647 ? (int)v : 0;
}

static uint64_t unum(json_object *o, const char *key)
{
	int64_t v = 0;
	return num(o, key, &v) && v > 0 ? (uint64_t)v : 0;
}

static bool boolean(json_object *o, const char *key)
{
	json_object *v = get(o, key);
	return v && json_object_is_type(v, json_type_boolean) && json_object_get_boolean(v);
}

static uint64_t hex(json_object *o, const char *key)
{
	const char *s = str(o, key);
	return s ? strtoull(s, NULL, 16) : 0;
}

/* "2026-11-23T16:01:02.123456Z" */
static bool parse_time(const char *s, uint64_t *us)
{
	struct tm tm = {0};
	int frac_len = 0;
	unsigned frac = 0;
	if (!s || sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d.%u%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
			 &tm.tm_min, &tm.tm_sec, &frac, &frac_len) != 7)
		return false;
	const char *dot = strchr(s, '.');
	size_t digits = dot ? strspn(dot + 1, "0123456789") : 0;
	if (digits != 6 || dot[7] != 'Z')
		return false;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	time_t t = timegm(&tm);
	if (t == (time_t)-1)
		return false;
	*us = (uint64_t)t * 1000000 + frac;
	return true;
}

/* A JSON array of strings as a NULL-terminated vector in scratch space. */
static const char **strings(json_object *a, const char ***v, size_t *cap)
{
	if (!a || !json_object_is_type(a, json_type_array))
		return NULL;
	size_t n = json_object_array_length(a);
	tj_xreserve((void **)v, cap, n + 1, sizeof(**v));
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		json_object *s = json_object_array_get_idx(a, i);
		if (s && json_object_is_type(s, json_type_string))
			(*v)[k++] = json_object_get_string(s);
	}
	(*v)[k] = NULL;
	return *v;
}

/* Frames into frames[first...]; returns how many. */
static size_t frames(struct tj_eventlog *l, json_object *a, size_t first)
{
	if (!a || !json_object_is_type(a, json_type_array))
		return 0;
	size_t n = json_object_array_length(a);
	tj_xreserve((void **)&l->frames, &l->frames_cap, first + n, sizeof(*l->frames));
	for (size_t i = 0; i < n; i++) {
		json_object *f = json_object_array_get_idx(a, i);
		struct tj_frame *fr = &l->frames[first + i];
		*fr = (struct tj_frame){0};
		if (!f || !json_object_is_type(f, json_type_object))
			continue;
		fr->pc = hex(f, "pc");
		fr->module = str(f, "module");
		fr->function = str(f, "function");
		fr->offset = unum(f, "offset");
		fr->file = str(f, "file");
		fr->line = inum(f, "line");
	}
	return n;
}

static const struct {
	const char *name;
	enum tj_record_kind kind;
} kinds[] = {
	{"start", TJ_REC_START}, {"syscall", TJ_REC_SYSCALL},	{"limit", TJ_REC_LIMIT}, {"network", TJ_REC_NETWORK},
	{"layer", TJ_REC_LAYER}, {"listener", TJ_REC_LISTENER}, {"exit", TJ_REC_EXIT},	 {"process", TJ_REC_PROCESS},
	{"usage", TJ_REC_USAGE}, {"explain", TJ_REC_EXPLAIN},
};

static void fill_explain(struct tj_eventlog *l, json_object *o, struct tj_record *r)
{
	json_object *sites = get(o, "sites");
	if (!sites || !json_object_is_type(sites, json_type_array))
		return;
	size_t n = json_object_array_length(sites);
	tj_xreserve((void **)&l->sites, &l->sites_cap, n + 1, sizeof(*l->sites));
	/* First every frame (the scratch array may move), then the pointers. */
	size_t total = 0;
	size_t *first = tj_xcalloc(n + 1, sizeof(*first));
	for (size_t i = 0; i < n; i++) {
		json_object *s = json_object_array_get_idx(sites, i);
		first[i] = total;
		total += frames(l, s ? get(s, "stack") : NULL, total);
	}
	for (size_t i = 0; i < n; i++) {
		json_object *s = json_object_array_get_idx(sites, i);
		size_t len = (i + 1 < n ? first[i + 1] : total) - first[i];
		l->sites[i] = (struct tj_record_site){.site = (unsigned)inum(s, "site"),
						      .count = unum(s, "count"),
						      .stack = len ? l->frames + first[i] : NULL,
						      .stack_n = len,
						      .stack_truncated = boolean(s, "stack_truncated")};
	}
	free(first);
	r->sites = l->sites;
	r->nsites = n;
}

static int fill(struct tj_eventlog *l, json_object *o, struct tj_record *r, struct tj_err **err)
{
	memset(r, 0, sizeof(*r));
	const char *event = str(o, "event");
	if (!event)
		return bad(l, err, "an event needs \"event\"");
	r->event = event;
	for (size_t i = 0; i < TJ_ARRAY_SIZE(kinds); i++)
		if (strcmp(event, kinds[i].name) == 0)
			r->kind = kinds[i].kind;
	r->pid = inum(o, "pid");
	r->tgid = inum(o, "tgid");
	r->comm = str(o, "comm");
	r->syscall = str(o, "syscall");
	r->action = str(o, "action");
	r->rule = str(o, "rule");
	switch (r->kind) {
	case TJ_REC_START: {
		r->mode = str(o, "mode");
		r->profile = str(o, "profile");
		r->source = str(o, "source");
		r->argv = strings(get(o, "argv"), &l->argv, &l->argv_cap);
		const char **rec = strings(get(o, "recording"), &l->explain, &l->explain_cap);
		for (size_t i = 0; rec && rec[i]; i++) {
			r->rec_usage |= strcmp(rec[i], "usage") == 0;
			r->rec_processes |= strcmp(rec[i], "processes") == 0;
			r->rec_explain |= strcmp(rec[i], "explain") == 0;
		}
		r->explain = strings(get(o, "explain"), &l->explain, &l->explain_cap);
		break;
	}
	case TJ_REC_SYSCALL: {
		if (!r->syscall || !r->pid)
			return bad(l, err, "a syscall event needs \"syscall\" and \"pid\"");
		r->verdict = str(o, "verdict");
		if (!r->verdict)
			return bad(l, err, "a syscall event needs \"verdict\"");
		r->arch = str(o, "arch");
		r->nr = inum(o, "nr");
		r->call = str(o, "call");
		r->errno_name = str(o, "errno");
		r->decided_by = str(o, "decided_by");
		r->exe = str(o, "exe"); /* since 1.1: learn names the program */
		r->ip = hex(o, "ip");
		json_object *args = get(o, "args");
		if (args && json_object_is_type(args, json_type_array) && json_object_array_length(args) == 6) {
			r->has_args = true;
			for (size_t i = 0; i < 6; i++) {
				json_object *a = json_object_array_get_idx(args, i);
				r->args[i] = a && json_object_is_type(a, json_type_string)
						     ? strtoull(json_object_get_string(a), NULL, 16)
						     : 0;
			}
		}
		r->stack_n = frames(l, get(o, "stack"), 0);
		r->stack = r->stack_n ? l->frames : NULL;
		r->stack_truncated = boolean(o, "stack_truncated");
		r->site = (unsigned)inum(o, "site");
		break;
	}
	case TJ_REC_USAGE:
		if (!r->syscall || !r->pid)
			return bad(l, err, "a usage event needs \"syscall\" and \"pid\"");
		r->arch = str(o, "arch");
		r->nr = inum(o, "nr");
		r->count = unum(o, "count");
		break;
	case TJ_REC_PROCESS:
		r->cause = str(o, "cause");
		if (!r->cause || !r->pid)
			return bad(l, err, "a process event needs \"pid\" and \"cause\"");
		r->ppid = inum(o, "ppid");
		r->exe = str(o, "exe");
		r->argv = strings(get(o, "argv"), &l->argv, &l->argv_cap);
		r->has_code = get(o, "code") != NULL;
		r->code = inum(o, "code");
		r->killed = boolean(o, "killed");
		json_object *ld = get(o, "loader");
		if (ld && json_object_is_type(ld, json_type_object)) {
			r->loader = str(ld, "path");
			r->loader_start = hex(ld, "start");
			r->loader_end = hex(ld, "end");
		}
		break;
	case TJ_REC_LIMIT:
	case TJ_REC_NETWORK:
	case TJ_REC_LAYER:
	case TJ_REC_LISTENER:
		r->resource = str(o, "resource");
		r->unit = str(o, "unit");
		r->detail = str(o, "detail");
		r->has_limit = get(o, "limit") != NULL;
		r->limit = unum(o, "limit");
		r->has_value = get(o, "value") != NULL;
		r->value = unum(o, "value");
		r->family = str(o, "family");
		r->protocol = str(o, "protocol");
		r->address = str(o, "address");
		r->host = str(o, "host");
		r->method = str(o, "method");
		r->reason = str(o, "reason");
		r->port = get(o, "port") ? inum(o, "port") : -1;
		r->http_status = inum(o, "status");
		r->layer = str(o, "layer");
		r->status = str(o, "status");
		r->state = str(o, "state");
		break;
	case TJ_REC_EXIT:
		r->exit_code = inum(o, "exit_code");
		r->exit_status = str(o, "status");
		r->code = inum(o, "code");
		r->has_code = get(o, "code") != NULL;
		r->signal = inum(o, "signal");
		r->reason = str(o, "reason");
		r->seccomp_kill = boolean(o, "seccomp_kill");
		r->complete = boolean(o, "complete");
		r->wall_ms = unum(o, "wall_ms");
		r->records = unum(o, "records");
		r->lost = unum(o, "lost");
		break;
	case TJ_REC_EXPLAIN:
		r->count = unum(o, "calls");
		r->stacks = unum(o, "stacks");
		r->skipped = unum(o, "skipped");
		r->truncated = unum(o, "truncated");
		fill_explain(l, o, r);
		break;
	case TJ_REC_OTHER: break;
	}
	return TJ_EVENTLOG_RECORD;
}

int tj_eventlog_next(struct tj_eventlog *l, struct tj_record *out, struct tj_err **err)
{
	json_object_put(l->cur);
	l->cur = NULL;
	bool newline;
	long n;
	do {
		n = read_line(l, &newline);
		if (n == -1) {
			if (ferror(l->f))
				return tj_err_set(err, TJ_ERR_USAGE, errno, "reading the event log '%s' failed",
						  l->path);
			return TJ_EVENTLOG_END;
		}
		l->line++;
	} while (n == 0); /* blank lines carry nothing */
	if (n == -2)
		return bad(l, err, "the line is longer than 64 MiB");
	json_tokener_reset(l->tok);
	json_object *o = json_tokener_parse_ex(l->tok, l->buf, (int)n);
	enum json_tokener_error je = json_tokener_get_error(l->tok);
	if (!o || je != json_tokener_success || json_tokener_get_parse_end(l->tok) < (size_t)n) {
		json_object_put(o);
		if (je == json_tokener_continue)
			return bad(l, err,
				   newline ? "the JSON object is cut short"
					   : "the last line is cut short (the run did not finish writing it)");
		char why[160];
		snprintf(why, sizeof(why), "not JSON: %s",
			 je == json_tokener_success ? "text after the object" : json_tokener_error_desc(je));
		return bad(l, err, why);
	}
	if (!json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		return bad(l, err, "not a JSON object");
	}
	l->cur = o;
	int64_t v;
	if (!num(o, "v", &v))
		return bad(l, err, "no version (\"v\"): not a tinyjail event");
	if (v != 1) {
		tj_err_set(err, TJ_ERR_USAGE, 0,
			   "an event of version %lld, which this tinyjail does not read (it reads 1)", (long long)v);
		tj_err_at(err, l->path, NULL);
		tj_err_position(err, (int)l->line, 0);
		return TJ_EVENTLOG_SKIPPED;
	}
	int r = fill(l, o, out, err);
	if (r != TJ_EVENTLOG_RECORD)
		return r;
	if (!parse_time(str(o, "time"), &out->time_us))
		return bad(l, err, "\"time\" is not an RFC 3339 UTC time with microseconds");
	return TJ_EVENTLOG_RECORD;
}
