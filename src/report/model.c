/* SPDX-License-Identifier: Apache-2.0 */
/* The report model: seen, missed, unused, timeline, chains (tj/report/model.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tj/base/util.h"
#include "tj/model/sysgroups.h"
#include "tj/report/chain.h"
#include "tj/report/model.h"

/* --- interned strings and small hash maps --- */

struct intern {
	char **v;
	size_t cap, n;
};

static uint64_t hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ULL;
	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	return h;
}

static const char *intern(struct intern *t, const char *s)
{
	if (!s)
		return NULL;
	if ((t->n + 1) * 2 > t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 1024;
		char **v = tj_xcalloc(cap, sizeof(*v));
		for (size_t i = 0; i < t->cap; i++) {
			if (!t->v[i])
				continue;
			size_t k = hash_str(t->v[i]) & (cap - 1);
			while (v[k])
				k = (k + 1) & (cap - 1);
			v[k] = t->v[i];
		}
		free(t->v);
		t->v = v;
		t->cap = cap;
	}
	size_t k = hash_str(s) & (t->cap - 1);
	while (t->v[k]) {
		if (strcmp(t->v[k], s) == 0)
			return t->v[k];
		k = (k + 1) & (t->cap - 1);
	}
	t->v[k] = tj_xstrdup(s);
	t->n++;
	return t->v[k];
}

/* key -> index+1, for interned-pointer pairs and pids. */
struct imap {
	struct {
		uint64_t a, b;
		size_t val; /* index + 1; 0 empty */
	} * v;
	size_t cap, n;
};

static uint64_t mix(uint64_t a, uint64_t b)
{
	uint64_t h = a * 0x9e3779b97f4a7c15ULL ^ (b + 0x7f4a7c15ULL) * 0xff51afd7ed558ccdULL;
	return h ^ (h >> 31);
}

static size_t *imap_slot(struct imap *m, uint64_t a, uint64_t b)
{
	if ((m->n + 1) * 2 > m->cap) {
		size_t cap = m->cap ? m->cap * 2 : 256;
		__typeof__(m->v) v = tj_xcalloc(cap, sizeof(*v));
		for (size_t i = 0; i < m->cap; i++) {
			if (!m->v[i].val)
				continue;
			size_t k = mix(m->v[i].a, m->v[i].b) & (cap - 1);
			while (v[k].val)
				k = (k + 1) & (cap - 1);
			v[k] = m->v[i];
		}
		free(m->v);
		m->v = v;
		m->cap = cap;
	}
	size_t k = mix(a, b) & (m->cap - 1);
	while (m->v[k].val && !(m->v[k].a == a && m->v[k].b == b))
		k = (k + 1) & (m->cap - 1);
	if (!m->v[k].val) {
		m->v[k].a = a;
		m->v[k].b = b;
		m->n++; /* counted as used even if the caller leaves it empty */
	}
	return &m->v[k].val;
}

static void imap_done(struct imap *m)
{
	free(m->v);
	*m = (struct imap){0};
}

struct tj_report_priv {
	struct intern strings;
	struct imap sys;    /* (program, syscall) -> row */
	struct imap chains; /* (syscall, text hash) -> chain */
	struct imap pids;   /* (run, pid) -> proc */
	struct tj_report_log *log;
	/* Stacks of syscall events of the current run, for a log without
	 * its explain event (cut short). */
	struct pending_site {
		unsigned site;
		const char *syscall;
		uint64_t count;
		size_t chain; /* +1 */
	} * pending;
	size_t npending, pendingcap;
};

struct tj_report_model *tj_report_new(bool timeline)
{
	struct tj_report_model *m = tj_xcalloc(1, sizeof(*m));
	m->priv = tj_xcalloc(1, sizeof(*m->priv));
	m->timeline = timeline;
	return m;
}

static void free_items(struct tj_report_item *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i].text);
	free(v);
}

void tj_report_free(struct tj_report_model *m)
{
	if (!m)
		return;
	for (size_t r = 0; r < m->nruns; r++) {
		struct tj_report_run *run = &m->runs[r];
		for (size_t i = 0; i < run->nprocs; i++) {
			free_items(run->procs[i].items, run->procs[i].nitems);
			free(run->procs[i].argv);
			free(run->procs[i].head_argv);
			free(run->procs[i].sys);
		}
		free(run->procs);
		free_items(run->items, run->nitems);
		free(run->log);
		free(run->command);
	}
	free(m->runs);
	for (size_t i = 0; i < m->nsys; i++)
		free(m->sys[i].first_call);
	free(m->sys);
	for (size_t i = 0; i < m->nchains; i++) {
		free(m->chains[i].text);
		free(m->chains[i].frames);
	}
	free(m->chains);
	for (size_t i = 0; i < m->nlogs; i++) {
		free(m->logs[i].path);
		free(m->logs[i].first_bad);
		free(m->logs[i].first_skipped);
	}
	free(m->logs);
	struct tj_report_priv *p = m->priv;
	for (size_t i = 0; i < p->strings.cap; i++)
		free(p->strings.v[i]);
	free(p->strings.v);
	imap_done(&p->sys);
	imap_done(&p->chains);
	imap_done(&p->pids);
	free(p->pending);
	free(p);
	free(m);
}

static const char *S(struct tj_report_model *m, const char *s)
{
	return intern(&m->priv->strings, s);
}

/* --- logs and runs --- */

void tj_report_begin_log(struct tj_report_model *m, const char *path)
{
	tj_xreserve((void **)&m->logs, &m->logcap, m->nlogs + 1, sizeof(*m->logs));
	m->logs[m->nlogs] = (struct tj_report_log){.path = tj_xstrdup(path)};
	m->priv->log = &m->logs[m->nlogs++];
	m->priv->npending = 0;
}

void tj_report_bad_line(struct tj_report_model *m, size_t line, const char *message, bool skipped)
{
	struct tj_report_log *l = m->priv->log;
	if (skipped) {
		if (!l->skipped++)
			l->first_skipped = tj_xstrdup(message);
		return;
	}
	if (!l->bad++) {
		l->first_bad_line = line;
		l->first_bad = tj_xstrdup(message);
	}
}

static struct tj_report_run *new_run(struct tj_report_model *m, size_t line)
{
	tj_xreserve((void **)&m->runs, &m->runcap, m->nruns + 1, sizeof(*m->runs));
	struct tj_report_run *run = &m->runs[m->nruns++];
	*run = (struct tj_report_run){.log = tj_xstrdup(m->priv->log->path), .first_line = line};
	m->priv->npending = 0;
	return run;
}

/* The run a record belongs to: the last one begun in this log; a log
 * without a start event (a supervisor's, or one cut at the front) gets one. */
static struct tj_report_run *cur_run(struct tj_report_model *m, size_t line)
{
	if (m->nruns && strcmp(m->runs[m->nruns - 1].log, m->priv->log->path) == 0 && m->priv->log->events > 1)
		return &m->runs[m->nruns - 1];
	return new_run(m, line);
}

static char *join(const char **argv)
{
	if (!argv || !argv[0])
		return NULL;
	struct tj_buf b = {0};
	for (size_t i = 0; argv[i]; i++)
		tj_buf_addf(&b, "%s%s", i ? " " : "", argv[i]);
	return tj_buf_steal(&b);
}

static size_t run_index(const struct tj_report_model *m, const struct tj_report_run *run)
{
	return (size_t)(run - m->runs);
}

/* --- processes --- */

/* A process's allowed calls become the seen counts (usage events where the
 * log has them, else the allowed events) once it has ended: its usage
 * events come before its exit.  Its per-syscall table is then freed, so
 * memory follows the processes alive, not all there were. */
static void settle_proc(struct tj_report_model *m, struct tj_report_proc *p)
{
	for (size_t k = 0; k < p->nsys; k++) {
		struct tj_proc_sys *ps = &p->sys[k];
		m->sys[ps->agg].seen += ps->usage ? ps->usage : ps->events;
	}
	free(p->sys);
	p->sys = NULL;
	p->nsys = p->syscap = 0;
}

static struct tj_report_sys *sys_row(struct tj_report_model *m, const char *program, const char *syscall,
				     const char *arch);

static bool proc_has_usage(const struct tj_report_proc *p)
{
	for (size_t k = 0; k < p->nsys; k++)
		if (p->sys[k].usage)
			return true;
	return false;
}
static struct tj_proc_sys *proc_sys(struct tj_report_proc *p, const char *syscall, size_t agg, bool *first);
static const char *program_of(struct tj_report_model *m, struct tj_report_proc *p);

static struct tj_report_proc *proc_new(struct tj_report_model *m, struct tj_report_run *run, int pid, int ppid,
				       uint64_t us)
{
	/* A new process under a pid in use: the old one has ended. */
	size_t *old = imap_slot(&m->priv->pids, run_index(m, run), (uint64_t)pid);
	if (*old)
		settle_proc(m, &run->procs[*old - 1]);
	tj_xreserve((void **)&run->procs, &run->proccap, run->nprocs + 1, sizeof(*run->procs));
	struct tj_report_proc *p = &run->procs[run->nprocs];
	*p = (struct tj_report_proc){.pid = pid,
				     .ppid = ppid,
				     .parent = -1,
				     .first_us = us,
				     .last_us = us,
				     .no_items = run->nprocs >= TJ_REPORT_MAX_TIMELINE_PROCS};
	run->procs_without_items += p->no_items;
	*imap_slot(&m->priv->pids, run_index(m, run), (uint64_t)pid) = ++run->nprocs;
	if (ppid) {
		size_t *par = imap_slot(&m->priv->pids, run_index(m, run), (uint64_t)ppid);
		if (*par)
			p->parent = (long)*par - 1;
	}
	return p;
}

/* The process a record is about: its thread group, found or made. */
static void proc_item(struct tj_report_model *m, struct tj_report_proc *p, uint64_t us, enum tj_item_kind kind,
		      const char *name, char *text, bool in_loader);

static struct tj_report_proc *proc_of(struct tj_report_model *m, struct tj_report_run *run, const struct tj_record *r)
{
	int pid = r->tgid ? r->tgid : r->pid;
	if (!pid)
		return NULL;
	size_t *slot = imap_slot(&m->priv->pids, run_index(m, run), (uint64_t)pid);
	struct tj_report_proc *p = *slot ? &run->procs[*slot - 1] : proc_new(m, run, pid, 0, r->time_us);
	if (!p->comm && r->comm && r->comm[0])
		p->comm = S(m, r->comm);
	/* A learn log names the program on each call (process events win):
	 * a new name is an exec, whose calls are the new program's. */
	if (r->kind == TJ_REC_SYSCALL && r->exe && !p->from_event) {
		const char *exe = S(m, r->exe);
		if (p->program && p->program != exe && p->program[0] != '[') {
			settle_proc(m, p);
			proc_item(m, p, r->time_us, TJ_ITEM_EXEC, S(m, "exec"), tj_xstrdup(exe), false);
		}
		if (!p->head_program)
			p->head_program = exe;
		p->program = exe;
	}
	if (!p->program && p->comm) {
		char name[40];
		snprintf(name, sizeof(name), "[%s]", p->comm);
		p->program = S(m, name);
	}
	if (r->time_us > p->last_us)
		p->last_us = r->time_us;
	return p;
}

static void add_item(struct tj_report_item **v, size_t *n, size_t *cap, uint64_t us, enum tj_item_kind kind,
		     const char *name, char *text, bool in_loader)
{
	tj_xreserve((void **)v, cap, *n + 1, sizeof(**v));
	(*v)[(*n)++] =
		(struct tj_report_item){.us = us, .kind = kind, .name = name, .text = text, .in_loader = in_loader};
}

static void proc_item(struct tj_report_model *m, struct tj_report_proc *p, uint64_t us, enum tj_item_kind kind,
		      const char *name, char *text, bool in_loader)
{
	if (!m->timeline || p->no_items) {
		free(text);
		return;
	}
	add_item(&p->items, &p->nitems, &p->itemcap, us, kind, name, text, in_loader);
}

static void run_item(struct tj_report_model *m, struct tj_report_run *run, uint64_t us, enum tj_item_kind kind,
		     const char *name, char *text)
{
	if (!m->timeline || run->nitems >= TJ_REPORT_MAX_RUN_ITEMS) {
		run->items_dropped += m->timeline;
		free(text);
		return;
	}
	add_item(&run->items, &run->nitems, &run->itemcap, us, kind, name, text, false);
}

static void on_process(struct tj_report_model *m, struct tj_report_run *run, const struct tj_record *r)
{
	size_t *slot = imap_slot(&m->priv->pids, run_index(m, run), (uint64_t)r->pid);
	bool fresh = strcmp(r->cause, "start") == 0 || strcmp(r->cause, "fork") == 0;
	struct tj_report_proc *p;
	/* A process first met through its calls (the command's launcher
	 * execve comes before its start event) is the same process. */
	bool lazy = *slot && !run->procs[*slot - 1].from_event;
	if ((fresh && !lazy) || !*slot) {
		p = proc_new(m, run, r->pid, r->ppid, r->time_us);
		if (p->parent >= 0) {
			struct tj_report_proc *parent = &run->procs[p->parent];
			proc_item(m, parent, r->time_us, TJ_ITEM_FORK, S(m, "fork"),
				  tj_xasprintf("%d %s", r->pid, r->exe ? r->exe : ""), false);
		}
	} else {
		p = &run->procs[*slot - 1];
	}
	p->from_event = true;
	/* The counts so far belong to the program it leaves (tinyjail writes
	 * them before the exec event; an older 1.1 log wrote them at exit
	 * only, and its counts stay with the process). */
	bool settled = strcmp(r->cause, "exec") == 0 && (!run->rec_usage || proc_has_usage(p));
	if (settled)
		settle_proc(m, p);
	if (r->comm && r->comm[0])
		p->comm = S(m, r->comm);
	if (r->exe)
		p->program = S(m, r->exe);
	if (r->time_us > p->last_us)
		p->last_us = r->time_us;
	if (strcmp(r->cause, "exit") == 0) {
		settle_proc(m, p);
		p->exited = true;
		p->killed = r->killed;
		p->has_code = r->has_code;
		p->code = r->code;
		proc_item(m, p, r->time_us, TJ_ITEM_EXIT, S(m, "exit"),
			  r->killed	? tj_xstrdup("killed for a syscall")
			  : r->has_code ? tj_xasprintf("status %d", r->code)
					: NULL,
			  false);
		return;
	}
	if (r->argv) {
		free(p->argv);
		p->argv = join(r->argv);
		if (!p->head_argv) {
			p->head_argv = tj_xstrdup(p->argv);
			p->head_program = p->program;
		}
	}
	if (strcmp(r->cause, "exec") == 0 || strcmp(r->cause, "start") == 0) {
		p->loader_start = r->loader_start;
		p->loader_end = r->loader_end;
		p->loader_done_us = 0;
		p->exec_us = r->time_us;
		if (strcmp(r->cause, "exec") == 0)
			proc_item(m, p, r->time_us, TJ_ITEM_EXEC, S(m, "exec"),
				  tj_xstrdup(p->argv  ? p->argv
					     : r->exe ? r->exe
						      : ""),
				  false);
		/* The launcher's execve of the command is the command's; an
		 * exec's execve is counted with the program that made it,
		 * except in an older log, whose counts stay with the process. */
		if (settled)
			return;
		const char *execve = S(m, "execve");
		struct tj_report_sys *row = sys_row(m, program_of(m, p), execve, S(m, "x86_64"));
		bool first;
		struct tj_proc_sys *ps = proc_sys(p, execve, (size_t)(row - m->sys), &first);
		ps->events++;
		if (!row->first_seen_us || r->time_us < row->first_seen_us) {
			row->first_seen_us = r->time_us;
			row->first_seen_run = run_index(m, run);
		}
		if (first)
			proc_item(m, p, r->time_us, TJ_ITEM_FIRST_USE, execve, NULL, false);
	}
}

/* --- syscalls --- */

static struct tj_report_sys *sys_row(struct tj_report_model *m, const char *program, const char *syscall,
				     const char *arch)
{
	size_t *slot = imap_slot(&m->priv->sys, (uint64_t)(uintptr_t)program, (uint64_t)(uintptr_t)syscall);
	if (!*slot) {
		tj_xreserve((void **)&m->sys, &m->syscap, m->nsys + 1, sizeof(*m->sys));
		m->sys[m->nsys] = (struct tj_report_sys){.program = program, .syscall = syscall, .arch = arch};
		*slot = ++m->nsys;
	}
	return &m->sys[*slot - 1];
}

static struct tj_proc_sys *proc_sys(struct tj_report_proc *p, const char *syscall, size_t agg, bool *first)
{
	for (size_t i = 0; i < p->nsys; i++)
		if (p->sys[i].syscall == syscall) {
			*first = false;
			return &p->sys[i];
		}
	tj_xreserve((void **)&p->sys, &p->syscap, p->nsys + 1, sizeof(*p->sys));
	p->sys[p->nsys] = (struct tj_proc_sys){.syscall = syscall, .agg = agg};
	*first = true;
	return &p->sys[p->nsys++];
}

static int verdict_rank(const char *v)
{
	if (!v)
		return 0;
	if (strcmp(v, "killed") == 0)
		return 3;
	if (strcmp(v, "denied") == 0)
		return 2;
	return 1;
}

static const char *program_of(struct tj_report_model *m, struct tj_report_proc *p)
{
	return p && p->program ? p->program : S(m, "[unknown]");
}

static bool in_loader(const struct tj_report_proc *p, uint64_t ip)
{
	return p && p->loader_end && ip >= p->loader_start && ip < p->loader_end;
}

static void on_syscall(struct tj_report_model *m, struct tj_report_run *run, const struct tj_record *r)
{
	struct tj_report_proc *p = proc_of(m, run, r);
	const char *syscall = S(m, r->syscall);
	struct tj_report_sys *row = sys_row(m, program_of(m, p), syscall, S(m, r->arch));
	size_t agg = (size_t)(row - m->sys);
	bool loader = in_loader(p, r->ip);
	if (p && !loader && p->loader_end && !p->loader_done_us)
		p->loader_done_us = r->time_us;
	if (strcmp(r->verdict, "allowed") == 0) {
		bool first;
		struct tj_proc_sys *ps = p ? proc_sys(p, syscall, agg, &first) : NULL;
		if (ps)
			ps->events++;
		else
			row->seen++;
		if (!row->first_seen_us || r->time_us < row->first_seen_us) {
			row->first_seen_us = r->time_us;
			row->first_seen_run = run_index(m, run);
		}
		if (!row->seen_rule || r->time_us <= row->first_seen_us) {
			row->seen_rule = S(m, r->rule);
			row->seen_action = S(m, r->action);
		}
		if (p && first)
			proc_item(m, p, r->time_us, TJ_ITEM_FIRST_USE, syscall, NULL, loader);
	} else {
		row->missed++;
		if (!row->first_missed_us || r->time_us < row->first_missed_us) {
			row->first_missed_us = r->time_us;
			row->first_missed_run = run_index(m, run);
			free(row->first_call);
			row->first_call = tj_xstrdup(r->call ? r->call : r->syscall);
			row->missed_rule = S(m, r->rule);
			row->missed_action = S(m, r->action);
			row->missed_errno = S(m, r->errno_name);
		}
		if (verdict_rank(r->verdict) > verdict_rank(row->verdict))
			row->verdict = S(m, r->verdict);
		if (p) {
			enum tj_item_kind kind = strcmp(r->verdict, "killed") == 0   ? TJ_ITEM_KILLED
						 : strcmp(r->verdict, "denied") == 0 ? TJ_ITEM_DENIED
										     : TJ_ITEM_WOULD_DENY;
			if (p->denials_kept++ < TJ_REPORT_MAX_DENIALS)
				proc_item(m, p, r->time_us, kind, syscall,
					  tj_xasprintf("%s%s%s", r->call ? r->call : r->syscall,
						       r->errno_name ? ": " : "", r->errno_name ? r->errno_name : ""),
					  loader);
			else
				p->denials_dropped++;
		}
	}
	/* A stack in a log whose explain event is missing (cut short). */
	if (r->site) {
		struct tj_report_priv *pr = m->priv;
		struct pending_site *ps = NULL;
		for (size_t i = 0; i < pr->npending && !ps; i++)
			if (pr->pending[i].site == r->site)
				ps = &pr->pending[i];
		if (!ps) {
			tj_xreserve((void **)&pr->pending, &pr->pendingcap, pr->npending + 1, sizeof(*pr->pending));
			ps = &pr->pending[pr->npending++];
			*ps = (struct pending_site){.site = r->site, .syscall = syscall};
		}
		ps->count++;
	}
}

static void on_usage(struct tj_report_model *m, struct tj_report_run *run, const struct tj_record *r)
{
	struct tj_report_proc *p = proc_of(m, run, r);
	const char *syscall = S(m, r->syscall);
	struct tj_report_sys *row = sys_row(m, program_of(m, p), syscall, S(m, r->arch));
	if (!row->first_seen_us || r->time_us < row->first_seen_us) {
		/* No allowed event came first: the log lost it. */
		row->first_seen_us = r->time_us;
		row->first_seen_run = run_index(m, run);
	}
	if (!row->seen_rule) {
		row->seen_rule = S(m, r->rule);
		row->seen_action = S(m, r->action);
	}
	bool first;
	struct tj_proc_sys *ps = p ? proc_sys(p, syscall, (size_t)(row - m->sys), &first) : NULL;
	if (ps)
		ps->usage += r->count;
	else
		row->seen += r->count;
}

/* --- chains --- */

static struct tj_report_chain *add_chain(struct tj_report_model *m, const char *syscall, const struct tj_frame *frames,
					 size_t n, bool truncated, uint64_t count, const char *program)
{
	char *text = tj_chain_text(syscall, frames, n, truncated);
	size_t *slot = imap_slot(&m->priv->chains, (uint64_t)(uintptr_t)S(m, syscall), hash_str(text));
	if (*slot && strcmp(m->chains[*slot - 1].text, text) == 0) {
		free(text);
		m->chains[*slot - 1].count += count;
		return &m->chains[*slot - 1];
	}
	tj_xreserve((void **)&m->chains, &m->chaincap, m->nchains + 1, sizeof(*m->chains));
	struct tj_report_chain *c = &m->chains[m->nchains];
	*c = (struct tj_report_chain){.syscall = S(m, syscall),
				      .text = text,
				      .n = n,
				      .truncated = truncated,
				      .count = count,
				      .program = program};
	c->frames = tj_xcalloc(n ? n : 1, sizeof(*c->frames));
	for (size_t i = 0; i < n; i++) {
		c->frames[i] = frames[i];
		c->frames[i].module = S(m, frames[i].module);
		c->frames[i].function = S(m, frames[i].function);
		c->frames[i].file = S(m, frames[i].file);
	}
	if (!*slot) /* a hash collision keeps the first; the rest are still listed */
		*slot = m->nchains + 1;
	m->nchains++;
	return c;
}

static void on_explain(struct tj_report_model *m, struct tj_report_run *run, const struct tj_record *r)
{
	run->had_explain = true;
	for (size_t i = 0; i < r->nsites; i++)
		add_chain(m, r->syscall, r->sites[i].stack, r->sites[i].stack_n, r->sites[i].stack_truncated,
			  r->sites[i].count, NULL);
}

/* --- the rest --- */

static void on_start(struct tj_report_model *m, const struct tj_record *r, size_t line)
{
	struct tj_report_run *run = new_run(m, line);
	run->profile = S(m, r->profile);
	run->mode = S(m, r->mode);
	run->source = S(m, r->source);
	run->command = join(r->argv);
	run->start_us = r->time_us;
	run->rec_usage = r->rec_usage;
	run->rec_processes = r->rec_processes;
	run->rec_explain = r->rec_explain;
}

static void on_exit_event(struct tj_report_run *run, const struct tj_record *r)
{
	run->has_exit = true;
	run->exit_code = r->exit_code;
	run->complete = r->complete;
	run->seccomp_kill = r->seccomp_kill;
	run->lost = r->lost;
	run->wall_ms = r->wall_ms;
	run->end_us = r->time_us;
}

static void on_limit_or_net(struct tj_report_model *m, struct tj_report_run *run, const struct tj_record *r)
{
	bool net = r->kind == TJ_REC_NETWORK;
	struct tj_buf t = {0};
	if (net) {
		const char *what = r->method ? r->method : r->syscall ? r->syscall : "";
		const char *dest = r->host ? r->host : r->address ? r->address : NULL;
		tj_buf_addf(&t, "%s %s", r->action ? r->action : "refused", what);
		if (dest)
			tj_buf_addf(&t, " %s", dest);
		if (r->port >= 0)
			tj_buf_addf(&t, " port %d", r->port);
		if (r->reason)
			tj_buf_addf(&t, ": %s", r->reason);
	} else {
		tj_buf_addf(&t, "%s %s", r->resource ? r->resource : "?", r->action ? r->action : "");
		/* The limit, in the event's unit (bytes shown in MiB). */
		bool bytes = r->unit && strcmp(r->unit, "bytes") == 0;
		if (r->has_limit && bytes)
			tj_buf_addf(&t, " at %.1f MiB", (double)r->limit / 1048576.0);
		else if (r->has_limit)
			tj_buf_addf(&t, " at %llu%s%s", (unsigned long long)r->limit, r->unit ? " " : "",
				    r->unit ? r->unit : "");
		if (r->detail)
			tj_buf_addf(&t, ": %s", r->detail);
	}
	char *text = tj_buf_steal(&t);
	const char *name = S(m, net ? "network" : "limit");
	enum tj_item_kind kind = net ? TJ_ITEM_NETWORK : TJ_ITEM_LIMIT;
	struct tj_report_proc *p = r->pid ? proc_of(m, run, r) : NULL;
	if (p)
		proc_item(m, p, r->time_us, kind, name, text, false);
	else
		run_item(m, run, r->time_us, kind, name, text);
}

void tj_report_add(struct tj_report_model *m, const struct tj_record *r, size_t line)
{
	m->priv->log->events++;
	if (r->kind == TJ_REC_START) {
		on_start(m, r, line);
		return;
	}
	if (r->kind == TJ_REC_OTHER)
		return;
	struct tj_report_run *run = cur_run(m, line);
	if (!run->start_us || r->time_us < run->start_us)
		run->start_us = r->time_us;
	if (r->time_us > run->end_us)
		run->end_us = r->time_us;
	switch (r->kind) {
	case TJ_REC_SYSCALL: on_syscall(m, run, r); break;
	case TJ_REC_USAGE: on_usage(m, run, r); break;
	case TJ_REC_PROCESS: on_process(m, run, r); break;
	case TJ_REC_EXPLAIN: on_explain(m, run, r); break;
	case TJ_REC_EXIT: on_exit_event(run, r); break;
	case TJ_REC_LIMIT:
	case TJ_REC_NETWORK: on_limit_or_net(m, run, r); break;
	default: break;
	}
}

/* A run's allowed calls become the seen counts: usage events where the log
 * has them, else the allowed events themselves. */
static void settle_run(struct tj_report_model *m, struct tj_report_run *run)
{
	for (size_t i = 0; i < run->nprocs; i++)
		settle_proc(m, &run->procs[i]);
}

void tj_report_end_log(struct tj_report_model *m, size_t lines, uint64_t bytes)
{
	struct tj_report_log *l = m->priv->log;
	l->lines = lines;
	l->bytes = bytes;
	l->truncated_end = l->bad && l->first_bad_line == lines && l->bad == 1;
	for (size_t r = 0; r < m->nruns; r++) {
		struct tj_report_run *run = &m->runs[r];
		if (strcmp(run->log, l->path) != 0)
			continue;
		settle_run(m, run);
		m->any_usage |= run->rec_usage;
	}
	m->priv->npending = 0;
}

static int by_count(const void *a, const void *b)
{
	const struct tj_report_chain *x = a, *y = b;
	int s = strcmp(x->syscall, y->syscall);
	if (s)
		return s;
	return x->count < y->count ? 1 : x->count > y->count ? -1 : strcmp(x->text, y->text);
}

static int by_program_syscall(const void *a, const void *b)
{
	const struct tj_report_sys *x = a, *y = b;
	int s = strcmp(x->program, y->program);
	return s ? s : strcmp(x->syscall, y->syscall);
}

void tj_report_finish(struct tj_report_model *m)
{
	m->all_usage = m->nruns > 0;
	for (size_t r = 0; r < m->nruns; r++)
		m->all_usage &= m->runs[r].rec_usage;
	if (m->nsys)
		qsort(m->sys, m->nsys, sizeof(*m->sys), by_program_syscall);
	imap_done(&m->priv->sys);
	if (m->nchains)
		qsort(m->chains, m->nchains, sizeof(*m->chains), by_count);
	imap_done(&m->priv->chains);
	for (size_t r = 0; r < m->nruns; r++) {
		struct tj_report_run *run = &m->runs[r];
		for (size_t i = 0; i < run->nprocs; i++)
			free(run->procs[i].sys), run->procs[i].sys = NULL, run->procs[i].nsys = 0;
		/* The tree as lists, children in the order they appeared. */
		run->first_root = -1;
		for (size_t i = 0; i < run->nprocs; i++)
			run->procs[i].first_child = run->procs[i].next_sibling = -1;
		for (size_t i = run->nprocs; i-- > 0;) {
			struct tj_report_proc *p = &run->procs[i];
			long *head = p->parent >= 0 ? &run->procs[p->parent].first_child : &run->first_root;
			p->next_sibling = *head;
			*head = (long)i;
		}
	}
}

/* --- the profile --- */

static bool is_allow(enum tj_action a)
{
	return a == TJ_ACT_ALLOW || a == TJ_ACT_LOG;
}

/* Whether any run saw name allowed, by this rule where the log says which. */
static bool seen_by(const struct tj_report_model *m, const char *name, const char *rule, bool *other_rule)
{
	bool any = false;
	for (size_t i = 0; i < m->nsys; i++) {
		const struct tj_report_sys *s = &m->sys[i];
		if (!s->seen || strcmp(s->syscall, name) != 0)
			continue;
		if (!s->seen_rule || strcmp(s->seen_rule, rule) == 0)
			return true;
		any = true;
	}
	*other_rule = any;
	return false;
}

/* The rule at a JSON path that names the syscall, else the first rule there
 * (a rule with groups or conditions expands into several). */
static const struct tj_rule *rule_at(const struct tj_seccomp *s, const char *path, const char *syscall)
{
	const struct tj_rule *first = NULL;
	for (size_t i = 0; path && i < s->nrules; i++) {
		if (strcmp(s->rules[i].json_path, path) != 0)
			continue;
		if (tj_strv_contains(&s->rules[i].names, syscall))
			return &s->rules[i];
		if (!first)
			first = &s->rules[i];
	}
	return first;
}

/* A rule the logs name must be in the profile and name the syscall. */
static void check_match(const struct tj_report_model *m, const struct tj_seccomp *resolved, struct tj_report_unused *u)
{
	for (size_t i = 0; i < m->nsys; i++) {
		const struct tj_report_sys *s = &m->sys[i];
		const char *rules[2] = {s->seen ? s->seen_rule : NULL, s->missed ? s->missed_rule : NULL};
		for (int k = 0; k < 2; k++) {
			const char *rule = rules[k];
			if (!rule || strcmp(rule, "defaultAction") == 0 || strcmp(rule, "unknown") == 0 ||
			    strcmp(rule, "architectures") == 0 || strchr(rule, ' '))
				continue; /* a supervisor's "rules.json rules[2]" is not the profile's */
			const struct tj_rule *r = rule_at(resolved, rule, s->syscall);
			if (r && tj_strv_contains(&r->names, s->syscall))
				continue;
			if (!u->mismatches++)
				u->first_mismatch = r ? tj_xasprintf("the logs say %s was decided by %s, which in this "
								     "profile does not name it",
								     s->syscall, rule)
						      : tj_xasprintf("the logs say %s was decided by %s, which this "
								     "profile does not have",
								     s->syscall, rule);
		}
	}
}

void tj_report_unused(const struct tj_report_model *m, const struct tj_seccomp *resolved, struct tj_report_unused *out)
{
	memset(out, 0, sizeof(*out));
	out->default_allows = is_allow(resolved->default_action);
	check_match(m, resolved, out);
	out->v = tj_xcalloc(resolved->nrules + 1, sizeof(*out->v));
	/* A rule with groups or conditions expands into several with the same
	 * JSON path: one entry per path and action, its names counted once. */
	struct tj_strv *all = tj_xcalloc(resolved->nrules + 1, sizeof(*all));
	size_t n = 0;
	for (size_t i = 0; i < resolved->nrules; i++) {
		const struct tj_rule *r = &resolved->rules[i];
		if (!is_allow(r->action) || tj_rule_equals_default(resolved, r))
			continue;
		const char *action = tj_action_name(r->action);
		size_t at = 0;
		while (at < n && (strcmp(out->v[at].rule, r->json_path) != 0 || strcmp(out->v[at].action, action) != 0))
			at++;
		struct tj_report_unused_rule *ur = &out->v[at];
		if (at == n) {
			*ur = (struct tj_report_unused_rule){.rule = r->json_path, .action = action};
			n++;
		}
		for (size_t k = 0; k < r->names.n; k++) {
			const char *name = r->names.v[k];
			if (tj_strv_contains(&all[at], name))
				continue;
			tj_strv_add(&all[at], name);
			ur->total++;
			bool other = false;
			if (tj_sysgroup_always_needed(name) || seen_by(m, name, r->json_path, &other) || other)
				continue;
			tj_strv_add(&ur->names, name);
		}
	}
	/* Entries with unused names only, in order. */
	for (size_t i = 0; i < n; i++) {
		tj_strv_done(&all[i]);
		if (!out->v[i].names.n) {
			tj_strv_done(&out->v[i].names);
			continue;
		}
		out->names += out->v[i].names.n;
		out->v[out->n++] = out->v[i];
	}
	free(all);
}

void tj_report_unused_done(struct tj_report_unused *u)
{
	for (size_t i = 0; i < u->n; i++)
		tj_strv_done(&u->v[i].names);
	free(u->v);
	free(u->first_mismatch);
	memset(u, 0, sizeof(*u));
}

struct tj_seccomp *tj_report_tighten(const struct tj_seccomp *resolved, const struct tj_report_unused *u)
{
	struct tj_seccomp *t = tj_xcalloc(1, sizeof(*t));
	*t = *resolved;
	t->json_path = tj_xstrdup(resolved->json_path ? resolved->json_path : "");
	t->arches = (struct tj_strv){0};
	for (size_t i = 0; i < resolved->arches.n; i++)
		tj_strv_add(&t->arches, resolved->arches.v[i]);
	t->listener_path = resolved->listener_path ? tj_xstrdup(resolved->listener_path) : NULL;
	t->listener_metadata = resolved->listener_metadata ? tj_xstrdup(resolved->listener_metadata) : NULL;
	t->rules = tj_xcalloc(resolved->nrules + 1, sizeof(*t->rules));
	t->nrules = 0;
	for (size_t i = 0; i < resolved->nrules; i++) {
		const struct tj_rule *r = &resolved->rules[i];
		struct tj_rule *c = &t->rules[t->nrules];
		tj_rule_copy(c, r);
		for (size_t k = 0; k < u->n; k++) {
			if (strcmp(u->v[k].rule, r->json_path) != 0)
				continue;
			struct tj_strv gone = {0};
			for (size_t j = c->names.n; j-- > 0;)
				if (tj_strv_contains(&u->v[k].names, c->names.v[j])) {
					tj_strv_add(&gone, c->names.v[j]);
					tj_rule_drop_name(c, j);
				}
			if (!gone.n)
				continue;
			/* Where the change came from, for whoever reviews it (the
			 * rule's own names, in the profile's order). */
			struct tj_buf note = {0};
			if (r->comment && r->comment[0])
				tj_buf_addf(&note, "%s; ", r->comment);
			tj_buf_addf(&note, "tinyjail report: %zu name%s no run used removed:", gone.n,
				    gone.n == 1 ? "" : "s");
			for (size_t j = gone.n; j-- > 0;)
				tj_buf_addf(&note, " %s", gone.v[j]);
			tj_strv_done(&gone);
			free(c->comment);
			c->comment = tj_buf_steal(&note);
		}
		if (c->names.n)
			t->nrules++;
		else
			tj_rule_done(c);
	}
	return t;
}
