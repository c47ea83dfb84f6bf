/* SPDX-License-Identifier: Apache-2.0 */
/* The report in a terminal: 80 columns, colour only when asked (tj/report/view.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tj/base/util.h"
#include "tj/report/chain.h"
#include "tj/report/view.h"

#define BOLD "\033[1m"
#define RED "\033[31m"
#define YELLOW "\033[33m"
#define GREEN "\033[32m"
#define DIM "\033[2m"
#define RESET "\033[0m"

struct out {
	struct tj_buf b;
	const struct tj_report_view_opts *o;
	unsigned width;
};

static const char *C(const struct out *w, const char *code)
{
	return w->o->color ? code : "";
}

/* Display width of UTF-8 text (continuation bytes do not count). */
static size_t cols(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

/* s cut to at most max columns, with "…" when cut. */
static void add_fit(struct out *w, const char *s, size_t max)
{
	if (cols(s) <= max) {
		tj_buf_add(&w->b, s);
		return;
	}
	size_t n = 0, i = 0;
	for (; s[i] && n + 1 < max; i++)
		n += ((unsigned char)s[i] & 0xc0) != 0x80;
	while (((unsigned char)s[i] & 0xc0) == 0x80)
		i++;
	tj_buf_addn(&w->b, s, i);
	tj_buf_add(&w->b, "\xe2\x80\xa6");
}

/* Words after a prefix, wrapped at the width with a hanging indent. */
/* A line break, without the spaces a separator left at the end of the line. */
static void break_line(struct out *w)
{
	while (w->b.len && w->b.s[w->b.len - 1] == ' ')
		w->b.s[--w->b.len] = '\0';
	tj_buf_add(&w->b, "\n");
}

static void add_wrapped(struct out *w, size_t used, size_t indent, const char *const *words, size_t n, const char *sep)
{
	size_t col = used;
	for (size_t i = 0; i < n; i++) {
		size_t len = cols(words[i]) + (i + 1 < n ? strlen(sep) : 0);
		if (col > indent && col + len > w->width) {
			break_line(w);
			tj_buf_addf(&w->b, "%*s", (int)indent, "");
			col = indent;
		}
		tj_buf_addf(&w->b, "%s%s", words[i], i + 1 < n ? sep : "");
		col += len;
	}
	tj_buf_add(&w->b, "\n");
}

static void human_count(uint64_t v, char *buf, size_t size)
{
	if (v < 10000)
		snprintf(buf, size, "%llu", (unsigned long long)v);
	else if (v < 10000000)
		snprintf(buf, size, "%lluk", (unsigned long long)(v / 1000));
	else
		snprintf(buf, size, "%lluM", (unsigned long long)(v / 1000000));
}

static void rel_time(uint64_t us, uint64_t base, char *buf, size_t size)
{
	if (!us || us < base) {
		snprintf(buf, size, "?");
		return;
	}
	double s = (double)(us - base) / 1e6;
	snprintf(buf, size, "+%.3fs", s);
}

static const char *base_name(const char *p)
{
	const char *s = p ? strrchr(p, '/') : NULL;
	return s ? s + 1 : p ? p : "?";
}

/* --- runs --- */

static void add_runs(struct out *w, const struct tj_report_model *m)
{
	size_t programs = 0;
	for (size_t i = 0; i < m->nsys; i++)
		programs += i == 0 || strcmp(m->sys[i].program, m->sys[i - 1].program) != 0;
	tj_buf_addf(&w->b, "%sruns%s: %zu, from %zu log%s\n", C(w, BOLD), C(w, RESET), m->nruns, m->nlogs,
		    m->nlogs == 1 ? "" : "s");
	for (size_t r = 0; r < m->nruns; r++) {
		const struct tj_report_run *run = &m->runs[r];
		char line[1024];
		const char *end = !run->has_exit      ? "no exit event (cut short)"
				  : run->seccomp_kill ? "killed for a syscall"
						      : NULL;
		char ended[64];
		if (!end) {
			snprintf(ended, sizeof(ended), "exit %d", run->exit_code);
			end = ended;
		}
		snprintf(line, sizeof(line), "  %zu. %s: %s", r + 1, base_name(run->log),
			 run->command ? run->command : "?");
		add_fit(w, line, w->width);
		snprintf(line, sizeof(line), "     %s%s%s: %s after %.3f s%s%s", run->mode ? run->mode : "?",
			 run->profile ? ", " : "", run->profile ? base_name(run->profile) : "", end,
			 (double)run->wall_ms / 1000.0, run->has_exit && !run->complete ? ", incomplete record" : "",
			 run->rec_usage ? "" : ", allowed calls not recorded");
		tj_buf_add(&w->b, "\n");
		add_fit(w, line, w->width);
		tj_buf_add(&w->b, "\n");
	}
	for (size_t i = 0; i < m->nlogs; i++) {
		const struct tj_report_log *l = &m->logs[i];
		if (l->bad)
			tj_buf_addf(&w->b, "  %s%s: %zu bad line%s, the first is line %zu: %s%s\n", C(w, YELLOW),
				    l->path, l->bad, l->bad == 1 ? "" : "s", l->first_bad_line, l->first_bad,
				    C(w, RESET));
		if (l->skipped)
			tj_buf_addf(&w->b, "  %s%s: %zu event%s skipped: %s%s\n", C(w, YELLOW), l->path, l->skipped,
				    l->skipped == 1 ? "" : "s", l->first_skipped, C(w, RESET));
	}
	(void)programs;
}

/* --- seen --- */

struct total {
	const char *syscall;
	uint64_t calls, first_us;
	size_t programs, run;
	const char *rule;
};

/* "+0.012s" after the start of its run; "2:+0.012s" when there are several. */
static void when_in_run(const struct tj_report_model *m, uint64_t us, size_t run, char *buf, size_t size)
{
	char t[32];
	rel_time(us, run < m->nruns ? m->runs[run].start_us : 0, t, sizeof(t));
	if (m->nruns > 1)
		snprintf(buf, size, "%zu:%s", run + 1, t);
	else
		snprintf(buf, size, "%s", t);
}

static int by_calls(const void *a, const void *b)
{
	const struct total *x = a, *y = b;
	if (x->calls != y->calls)
		return x->calls < y->calls ? 1 : -1;
	return strcmp(x->syscall, y->syscall);
}

static void add_seen(struct out *w, const struct tj_report_model *m)
{
	struct total *t = tj_xcalloc(m->nsys + 1, sizeof(*t));
	size_t n = 0;
	uint64_t calls = 0;
	for (size_t i = 0; i < m->nsys; i++) {
		const struct tj_report_sys *s = &m->sys[i];
		if (!s->seen)
			continue;
		calls += s->seen;
		size_t k = 0;
		while (k < n && strcmp(t[k].syscall, s->syscall) != 0)
			k++;
		if (k == n)
			t[n++] = (struct total){.syscall = s->syscall, .rule = s->seen_rule};
		else if (t[k].rule && s->seen_rule && strcmp(t[k].rule, s->seen_rule) != 0)
			t[k].rule = "(several)";
		t[k].calls += s->seen;
		t[k].programs++;
		if (!t[k].first_us || (s->first_seen_us && s->first_seen_us < t[k].first_us)) {
			t[k].first_us = s->first_seen_us;
			t[k].run = s->first_seen_run;
		}
	}
	tj_buf_addf(&w->b, "\n%sseen%s (allowed and used): ", C(w, BOLD), C(w, RESET));
	if (!m->any_usage && !n) {
		tj_buf_add(&w->b, "not recorded: the runs did not log allowed calls (run with --report=usage --log)\n");
		free(t);
		return;
	}
	tj_buf_addf(&w->b, "%zu syscall%s, %llu call%s%s\n", n, n == 1 ? "" : "s", (unsigned long long)calls,
		    calls == 1 ? "" : "s", m->all_usage ? "" : " (some runs did not record allowed calls)");
	qsort(t, n, sizeof(*t), by_calls);
	if (n)
		tj_buf_addf(&w->b, "  %s%-22s %10s %9s %11s  %s%s\n", C(w, DIM), "syscall", "calls", "programs",
			    "first", "rule", C(w, RESET));
	for (size_t i = 0; i < n; i++) {
		char when[48];
		when_in_run(m, t[i].first_us, t[i].run, when, sizeof(when));
		char line[256];
		/* A tinyjail-format profile's rules are all under linux.seccomp:
		 * the column shows the path inside that section. */
		const char *rule = t[i].rule ? t[i].rule : "";
		if (strncmp(rule, "linux.seccomp.", 14) == 0)
			rule += 14;
		snprintf(line, sizeof(line), "  %-22s %10llu %9zu %11s  %s", t[i].syscall,
			 (unsigned long long)t[i].calls, t[i].programs, when, rule);
		add_fit(w, line, w->width);
		tj_buf_add(&w->b, "\n");
	}
	free(t);
	/* Per program: each one's syscalls with counts, wrapped. */
	for (size_t i = 0; i < m->nsys;) {
		size_t j = i, k = 0;
		uint64_t pcalls = 0;
		while (j < m->nsys && strcmp(m->sys[j].program, m->sys[i].program) == 0)
			j++;
		char **words = tj_xcalloc(j - i + 1, sizeof(*words));
		for (size_t x = i; x < j; x++) {
			if (!m->sys[x].seen)
				continue;
			char c[32];
			human_count(m->sys[x].seen, c, sizeof(c));
			words[k++] = tj_xasprintf("%s %s", m->sys[x].syscall, c);
			pcalls += m->sys[x].seen;
		}
		if (k) {
			char head[512];
			snprintf(head, sizeof(head), "  %s (%zu syscall%s, %llu call%s): ", m->sys[i].program, k,
				 k == 1 ? "" : "s", (unsigned long long)pcalls, pcalls == 1 ? "" : "s");
			tj_buf_addf(&w->b, "%s", head);
			add_wrapped(w, cols(head), 6, (const char *const *)words, k, ", ");
		}
		for (size_t x = 0; x < k; x++)
			free(words[x]);
		free(words);
		i = j;
	}
}

/* --- missed --- */

static void add_missed(struct out *w, const struct tj_report_model *m)
{
	size_t n = 0;
	uint64_t calls = 0;
	for (size_t i = 0; i < m->nsys; i++)
		if (m->sys[i].missed)
			n++, calls += m->sys[i].missed;
	tj_buf_addf(&w->b, "\n%smissed%s (denied, killed for, or would have been): ", C(w, BOLD), C(w, RESET));
	if (!n) {
		tj_buf_add(&w->b, "none\n");
		return;
	}
	tj_buf_addf(&w->b, "%zu, %llu call%s\n", n, (unsigned long long)calls, calls == 1 ? "" : "s");
	for (size_t i = 0; i < m->nsys; i++) {
		const struct tj_report_sys *s = &m->sys[i];
		if (!s->missed)
			continue;
		const char *color = strcmp(s->verdict, "killed") == 0 ? RED : YELLOW;
		char when[48], line[512];
		when_in_run(m, s->first_missed_us, s->first_missed_run, when, sizeof(when));
		char action[64];
		snprintf(action, sizeof(action), "%s", s->missed_action ? s->missed_action : "?");
		if (strncmp(action, "SCMP_ACT_", 9) == 0)
			memmove(action, action + 9, strlen(action + 9) + 1);
		snprintf(line, sizeof(line), "%-10s %-20s %8llu call%s  %s (%s)", s->verdict, s->syscall,
			 (unsigned long long)s->missed, s->missed == 1 ? " " : "s",
			 s->missed_rule ? s->missed_rule : "?", action);
		tj_buf_addf(&w->b, "  %s", C(w, color));
		add_fit(w, line, w->width - 2);
		tj_buf_addf(&w->b, "%s\n", C(w, RESET));
		snprintf(line, sizeof(line), "      first %s in %s: %s%s%s", when, s->program,
			 s->first_call ? s->first_call : s->syscall, s->missed_errno ? " = " : "",
			 s->missed_errno ? s->missed_errno : "");
		add_fit(w, line, w->width);
		tj_buf_add(&w->b, "\n");
	}
}

/* --- unused --- */

static void add_unused(struct out *w, const struct tj_report_model *m)
{
	const struct tj_report_unused *u = w->o->unused;
	tj_buf_addf(&w->b, "\n%sunused%s (allowed by %s, never seen): ", C(w, BOLD), C(w, RESET),
		    w->o->profile ? base_name(w->o->profile) : "the profile");
	if (!u) {
		tj_buf_add(&w->b, "no profile to compare with (give --profile, or keep the one the log names)\n");
		return;
	}
	if (!m->any_usage) {
		tj_buf_add(&w->b, "cannot tell: the runs did not log allowed calls (run with --report=usage --log)\n");
		return;
	}
	if (!u->names)
		tj_buf_add(&w->b, "none: every allowed name was used\n");
	else
		tj_buf_addf(&w->b, "%zu name%s in %zu rule%s\n", u->names, u->names == 1 ? "" : "s", u->n,
			    u->n == 1 ? "" : "s");
	for (size_t i = 0; i < u->n; i++) {
		const struct tj_report_unused_rule *r = &u->v[i];
		char head[256];
		snprintf(head, sizeof(head), "  %s %s (%zu of %zu): ", r->rule, r->action, r->names.n, r->total);
		tj_buf_add(&w->b, head);
		add_wrapped(w, cols(head), 6, (const char *const *)r->names.v, r->names.n, ", ");
	}
	if (u->default_allows)
		tj_buf_add(&w->b, "  (the default action allows too: calls no rule names are not listed)\n");
	if (!m->all_usage)
		tj_buf_add(&w->b, "  (some runs did not log allowed calls: a name listed may have been used there)\n");
}

/* --- chains --- */

static void add_chains(struct out *w, const struct tj_report_model *m)
{
	if (!m->nchains)
		return;
	tj_buf_addf(&w->b, "\n%scall chains%s (--explain):\n", C(w, BOLD), C(w, RESET));
	for (size_t i = 0; i < m->nchains; i++) {
		const struct tj_report_chain *c = &m->chains[i];
		char count[32];
		snprintf(count, sizeof(count), "%8llu  ", (unsigned long long)c->count);
		tj_buf_add(&w->b, count);
		/* Wrap at the arrows. */
		size_t col = cols(count);
		char *text = tj_chain_text_short(c->syscall, c->frames, c->n, c->truncated, 16);
		const char *p = text;
		while (*p) {
			const char *next = strstr(p + 1, " \xe2\x86\x90 ");
			size_t len = next ? (size_t)(next - p) : strlen(p);
			char *piece = tj_xstrndup(p, len);
			if (col + cols(piece) > w->width && col > 12) {
				tj_buf_addf(&w->b, "\n%12s", "");
				col = 12;
				if (piece[0] == ' ') {
					char *trim = tj_xstrdup(piece + 1);
					free(piece);
					piece = trim;
				}
			}
			tj_buf_add(&w->b, piece);
			col += cols(piece);
			free(piece);
			p += len;
		}
		free(text);
		tj_buf_add(&w->b, "\n");
	}
}

char *tj_report_text(const struct tj_report_model *m, const struct tj_report_view_opts *o)
{
	struct out w = {.o = o, .width = o->width ? o->width : 80};
	add_runs(&w, m);
	add_seen(&w, m);
	add_missed(&w, m);
	add_unused(&w, m);
	add_chains(&w, m);
	if (o->unused && o->unused->mismatches)
		tj_buf_addf(&w.b, "\n%swarning%s: %s does not match the logs (%zu syscall%s): %s\n", C(&w, YELLOW),
			    C(&w, RESET), o->profile ? o->profile : "the profile", o->unused->mismatches,
			    o->unused->mismatches == 1 ? "" : "s", o->unused->first_mismatch);
	return tj_buf_steal(&w.b);
}

/* --- timeline --- */

static int item_order(const void *a, const void *b)
{
	const struct tj_report_item *x = a, *y = b;
	return x->us < y->us ? -1 : x->us > y->us ? 1 : (int)x->kind - (int)y->kind;
}

struct tree {
	const struct tj_report_run *run;
	uint64_t base;
};

static void line_head(struct out *w, uint64_t us, uint64_t base, unsigned depth)
{
	char when[32];
	rel_time(us, base, when, sizeof(when));
	tj_buf_addf(&w->b, "%s%9s%s ", C(w, DIM), when, C(w, RESET));
	for (unsigned i = 0; i < depth; i++)
		tj_buf_add(&w->b, "\xe2\x94\x82 "); /* "│ " */
}

static void add_item_line(struct out *w, const struct tj_report_item *it, uint64_t base, unsigned depth)
{
	const char *label = "", *color = "";
	switch (it->kind) {
	case TJ_ITEM_DENIED:
		label = "denied ";
		color = YELLOW;
		break;
	case TJ_ITEM_KILLED:
		label = "KILLED ";
		color = RED;
		break;
	case TJ_ITEM_WOULD_DENY:
		label = "would deny ";
		color = YELLOW;
		break;
	case TJ_ITEM_LIMIT:
		label = "limit ";
		color = RED;
		break;
	case TJ_ITEM_NETWORK:
		label = "network ";
		color = YELLOW;
		break;
	case TJ_ITEM_FORK: label = "fork "; break;
	case TJ_ITEM_EXEC:
		label = "exec ";
		color = BOLD;
		break;
	case TJ_ITEM_EXIT:
		label = "exit";
		color = BOLD;
		break;
	case TJ_ITEM_FIRST_USE: break;
	}
	line_head(w, it->us, base, depth);
	char text[1024];
	snprintf(text, sizeof(text), "%s%s%s", label, it->text ? it->text : "",
		 it->kind == TJ_ITEM_EXIT && it->text ? "" : "");
	if (it->kind == TJ_ITEM_EXIT && it->text)
		snprintf(text, sizeof(text), "exit: %s", it->text);
	tj_buf_add(&w->b, C(w, color));
	add_fit(w, text, w->width > 12 + 2 * depth ? w->width - 11 - 2 * depth : 10);
	tj_buf_addf(&w->b, "%s\n", C(w, RESET));
}

static void add_first_uses(struct out *w, const struct tj_report_item *v, size_t n, uint64_t base, unsigned depth,
			   bool loader)
{
	line_head(w, v[0].us, base, depth);
	char head[64];
	snprintf(head, sizeof(head), "%s: ", loader ? "start-up" : "first use");
	tj_buf_addf(&w->b, "%s%s%s", C(w, loader ? DIM : GREEN), head, C(w, RESET));
	const char **words = tj_xcalloc(n + 1, sizeof(*words));
	for (size_t i = 0; i < n; i++)
		words[i] = v[i].name;
	add_wrapped(w, 10 + 2 * depth + cols(head), 10 + 2 * depth + 2, words, n, " ");
	free(words);
}

static void add_proc(struct out *w, const struct tree *t, size_t idx, unsigned depth)
{
	const struct tj_report_proc *p = &t->run->procs[idx];
	line_head(w, p->first_us, t->base, depth);
	char head[1024];
	/* Named by what it ran first; a later exec has its own line. */
	const char *program = p->head_program ? p->head_program : p->program;
	const char *argv = p->head_argv ? p->head_argv : p->argv;
	snprintf(head, sizeof(head), "%d %s%s%s", p->pid, program ? program : "?", argv ? ": " : "", argv ? argv : "");
	tj_buf_add(&w->b, C(w, BOLD));
	add_fit(w, head, w->width > 12 + 2 * depth ? w->width - 11 - 2 * depth : 10);
	tj_buf_addf(&w->b, "%s\n", C(w, RESET));
	struct tj_report_item *items = tj_xcalloc(p->nitems + 1, sizeof(*items));
	if (p->nitems)
		memcpy(items, p->items, p->nitems * sizeof(*items));
	qsort(items, p->nitems, sizeof(*items), item_order);
	/* Start-up lasts, after each exec, until the dynamic loader's last
	 * call; first uses in it are the loader's and libc's initialisation. */
	for (size_t i = 0; i < p->nitems;) {
		size_t j = i + 1;
		while (j < p->nitems && items[j].kind != TJ_ITEM_EXEC)
			j++;
		uint64_t last = 0;
		for (size_t k = i; k < j; k++)
			if (items[k].in_loader)
				last = items[k].us;
		for (size_t k = i; k < j; k++)
			items[k].in_loader = items[k].kind == TJ_ITEM_FIRST_USE && items[k].us <= last;
		i = j;
	}
	/* First uses in a row (and of one phase) share a line. */
	for (size_t i = 0; i < p->nitems;) {
		if (items[i].kind == TJ_ITEM_FIRST_USE) {
			size_t j = i;
			while (j < p->nitems && items[j].kind == TJ_ITEM_FIRST_USE &&
			       items[j].in_loader == items[i].in_loader)
				j++;
			add_first_uses(w, items + i, j - i, t->base, depth + 1, items[i].in_loader);
			i = j;
			continue;
		}
		if (items[i].kind == TJ_ITEM_FORK) {
			/* The child's own lines come right here. */
			int child = atoi(items[i].text ? items[i].text : "0");
			bool shown = false;
			for (long c = p->first_child; c >= 0 && !shown; c = t->run->procs[c].next_sibling)
				if (t->run->procs[c].pid == child && t->run->procs[c].first_us >= items[i].us) {
					add_proc(w, t, (size_t)c, depth + 1);
					shown = true;
				}
			if (!shown)
				add_item_line(w, &items[i], t->base, depth + 1);
			i++;
			continue;
		}
		add_item_line(w, &items[i], t->base, depth + 1);
		i++;
	}
	if (p->denials_dropped) {
		line_head(w, p->last_us, t->base, depth + 1);
		tj_buf_addf(&w->b, "(%llu more denials not shown)\n", (unsigned long long)p->denials_dropped);
	}
	free(items);
	/* Children whose fork was not seen (no fork item): after the parent. */
	for (long c = p->first_child; c >= 0; c = t->run->procs[c].next_sibling) {
		bool listed = false;
		for (size_t i = 0; i < p->nitems && !listed; i++)
			listed = p->items[i].kind == TJ_ITEM_FORK && p->items[i].text &&
				 atoi(p->items[i].text) == t->run->procs[c].pid &&
				 t->run->procs[c].first_us >= p->items[i].us;
		if (!listed)
			add_proc(w, t, (size_t)c, depth + 1);
	}
}

char *tj_report_text_timeline(const struct tj_report_model *m, const struct tj_report_view_opts *o)
{
	struct out w = {.o = o, .width = o->width ? o->width : 80};
	for (size_t r = 0; r < m->nruns; r++) {
		const struct tj_report_run *run = &m->runs[r];
		char head[1024];
		snprintf(head, sizeof(head), "run %zu: %s (%s, %s%s%s)", r + 1, run->command ? run->command : "?",
			 base_name(run->log), run->mode ? run->mode : "?", run->profile ? ", " : "",
			 run->profile ? base_name(run->profile) : "");
		tj_buf_addf(&w.b, "%s%s", r ? "\n" : "", C(&w, BOLD));
		add_fit(&w, head, w.width);
		tj_buf_addf(&w.b, "%s\n", C(&w, RESET));
		if (!run->rec_processes)
			tj_buf_add(&w.b,
				   "  (processes were not recorded: run with --report=usage --log for the tree)\n");
		if (run->procs_without_items)
			tj_buf_addf(&w.b, "  (%zu processes beyond the first %d are shown without their entries)\n",
				    run->procs_without_items, TJ_REPORT_MAX_TIMELINE_PROCS);
		struct tree t = {.run = run, .base = run->start_us};
		for (long i = run->first_root; i >= 0; i = run->procs[i].next_sibling)
			add_proc(&w, &t, (size_t)i, 0);
		struct tj_report_item *items = tj_xcalloc(run->nitems + 1, sizeof(*items));
		if (run->nitems)
			memcpy(items, run->items, run->nitems * sizeof(*items));
		qsort(items, run->nitems, sizeof(*items), item_order);
		for (size_t i = 0; i < run->nitems; i++)
			add_item_line(&w, &items[i], t.base, 0);
		free(items);
		if (run->has_exit) {
			char when[32];
			rel_time(run->end_us, run->start_us, when, sizeof(when));
			tj_buf_addf(&w.b, "%s%9s%s %send: exit %d%s%s\n", C(&w, DIM), when, C(&w, RESET), C(&w, BOLD),
				    run->exit_code, run->complete ? "" : " (incomplete record)", C(&w, RESET));
		} else {
			tj_buf_add(&w.b, "        ? end: the log has no exit event (cut short)\n");
		}
	}
	return tj_buf_steal(&w.b);
}
