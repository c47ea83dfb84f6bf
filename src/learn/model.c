/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The learned model (model.h): entries, merging, and reading a profile back
 * through the comment grammar of learn_internal.h.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "learn_internal.h"
#include "tj/filter/expand.h"
#include "tj/filter/filter.h"

/* --- runs --- */

char *tj_learn_run_id(void)
{
	uint16_t rnd = 0;
	if (getrandom(&rnd, sizeof(rnd), GRND_NONBLOCK) != sizeof(rnd)) {
		struct timespec ts;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		rnd = (uint16_t)(ts.tv_nsec ^ (ts.tv_nsec >> 16));
	}
	return tj_xasprintf("%08llx%04x", (unsigned long long)(uint32_t)time(NULL), rnd);
}

static int run_cmp(const void *a, const void *b)
{
	return strcmp(((const struct tj_learn_run *)a)->id, ((const struct tj_learn_run *)b)->id);
}

void tj_learn_model_add_run(struct tj_learn_model *m, const char *id, const char *command, const char *outcome)
{
	for (size_t i = 0; i < m->nruns; i++) {
		struct tj_learn_run *r = &m->runs[i];
		if (strcmp(r->id, id) != 0)
			continue;
		/* The same run twice: keep one description, chosen so that the
		 * result does not depend on the order of merging. */
		if (strcmp(command, r->command) < 0 ||
		    (strcmp(command, r->command) == 0 && strcmp(outcome, r->outcome) < 0)) {
			free(r->command);
			free(r->outcome);
			r->command = tj_xstrdup(command);
			r->outcome = tj_xstrdup(outcome);
		}
		return;
	}
	m->runs = tj_xrealloc(m->runs, (m->nruns + 1) * sizeof(*m->runs));
	m->runs[m->nruns++] = (struct tj_learn_run){tj_xstrdup(id), tj_xstrdup(command), tj_xstrdup(outcome)};
	qsort(m->runs, m->nruns, sizeof(*m->runs), run_cmp);
}

/* --- entries --- */

int tj_learn_entry_cmp(const struct tj_learn_entry *a, const struct tj_learn_entry *b)
{
	int c = strcmp(a->name, b->name);
	if (c)
		return c;
	if (a->action != b->action)
		return a->action < b->action ? -1 : 1;
	if (a->errnum != b->errnum)
		return a->errnum < b->errnum ? -1 : 1;
	for (size_t i = 0; i < TJ_LEARN_MAX_ARGS; i++)
		if (a->key[i] != b->key[i])
			return a->key[i] < b->key[i] ? -1 : 1;
	return 0;
}

static int entry_qsort_cmp(const void *a, const void *b)
{
	return tj_learn_entry_cmp(a, b);
}

static void entry_done(struct tj_learn_entry *e)
{
	free(e->name);
	for (size_t i = 0; i < e->ncounts; i++)
		free(e->counts[i].run);
	free(e->counts);
	free(e->program);
	memset(e, 0, sizeof(*e));
}

/* Adds calls of run to e; a run already there keeps the larger count (the
 * same run merged twice is one run). */
static void add_count(struct tj_learn_entry *e, const char *run, uint64_t calls)
{
	size_t i = 0;
	while (i < e->ncounts && strcmp(e->counts[i].run, run) < 0)
		i++;
	if (i < e->ncounts && strcmp(e->counts[i].run, run) == 0) {
		if (calls > e->counts[i].calls)
			e->counts[i].calls = calls;
		return;
	}
	e->counts = tj_xrealloc(e->counts, (e->ncounts + 1) * sizeof(*e->counts));
	memmove(&e->counts[i + 1], &e->counts[i], (e->ncounts - i) * sizeof(*e->counts));
	e->counts[i] = (struct tj_learn_count){tj_xstrdup(run), calls};
	e->ncounts++;
}

/* The program of the earliest run wins; between equals, the smaller name. */
static void merge_program(struct tj_learn_entry *e, const char *first_run_before, const char *run, const char *program)
{
	if (!program)
		return;
	if (!e->program) {
		e->program = tj_xstrdup(program);
		return;
	}
	int c = first_run_before ? strcmp(run, first_run_before) : 0;
	if (c < 0 || (c == 0 && strcmp(program, e->program) < 0)) {
		free(e->program);
		e->program = tj_xstrdup(program);
	}
}

static struct tj_learn_entry *find_or_add(struct tj_learn_model *m, const struct tj_learn_entry *k)
{
	for (size_t i = 0; i < m->n; i++)
		if (tj_learn_entry_cmp(&m->v[i], k) == 0)
			return &m->v[i];
	m->v = tj_xrealloc(m->v, (m->n + 1) * sizeof(*m->v));
	struct tj_learn_entry *e = &m->v[m->n++];
	*e = (struct tj_learn_entry){.name = tj_xstrdup(k->name),
				     .action = k->action,
				     .errnum = k->errnum,
				     .spec = k->spec};
	memcpy(e->key, k->key, sizeof(e->key));
	return e;
}

static void sort_entries(struct tj_learn_model *m)
{
	if (m->n > 1) /* an empty model has no array: qsort must not see NULL (UBSan) */
		qsort(m->v, m->n, sizeof(*m->v), entry_qsort_cmp);
}

/* Adds one entry's content to m (the entry may come from another model). */
static void absorb(struct tj_learn_model *m, const struct tj_learn_entry *o)
{
	struct tj_learn_entry *e = find_or_add(m, o);
	const char *first_before = e->ncounts ? e->counts[0].run : NULL;
	tj_autofree char *first_copy = first_before ? tj_xstrdup(first_before) : NULL;
	for (size_t i = 0; i < TJ_LEARN_MAX_ARGS; i++)
		e->flags[i] |= o->flags[i];
	for (size_t i = 0; i < o->ncounts; i++)
		add_count(e, o->counts[i].run, o->counts[i].calls);
	const char *o_first = o->ncounts ? o->counts[0].run : "";
	merge_program(e, first_copy, o_first, o->program);
}

void tj_learn_model_add(struct tj_learn_model *m, const char *name, enum tj_action action, unsigned errnum,
			const struct tj_syscall_argspec *spec, const uint64_t key[TJ_LEARN_MAX_ARGS],
			const uint64_t flags[TJ_LEARN_MAX_ARGS], const char *run, uint64_t calls, const char *program)
{
	struct tj_learn_count c = {(char *)run, calls};
	struct tj_learn_entry o = {.name = (char *)name,
				   .action = action,
				   .errnum = errnum,
				   .spec = spec,
				   .counts = &c,
				   .ncounts = 1,
				   .program = (char *)program};
	for (size_t i = 0; i < TJ_LEARN_MAX_ARGS; i++) {
		o.key[i] = key ? key[i] : 0;
		o.flags[i] = flags ? flags[i] : 0;
	}
	absorb(m, &o);
	sort_entries(m);
}

static bool arg_equal(const struct tj_arg *a, const struct tj_arg *b)
{
	return a->index == b->index && a->op == b->op && a->value == b->value && a->value_two == b->value_two;
}

static bool strv_equal(const struct tj_strv *a, const struct tj_strv *b)
{
	if (a->n != b->n)
		return false;
	for (size_t i = 0; i < a->n; i++)
		if (strcmp(a->v[i], b->v[i]) != 0)
			return false;
	return true;
}

/* Foreign rules are the same when they say the same (comments aside). */
static bool same_rule(const struct tj_rule *a, const struct tj_rule *b)
{
	if (!strv_equal(&a->names, &b->names) || tj_action_canonical(a->action) != tj_action_canonical(b->action) ||
	    tj_rule_effective_errno(a) != tj_rule_effective_errno(b) || a->nargs != b->nargs ||
	    a->has_includes != b->has_includes || a->has_excludes != b->has_excludes)
		return false;
	for (size_t i = 0; i < a->nargs; i++)
		if (!arg_equal(&a->args[i], &b->args[i]))
			return false;
	return true;
}

static void add_foreign(struct tj_learn_model *m, const struct tj_rule *r)
{
	for (size_t i = 0; i < m->nforeign; i++) {
		struct tj_rule *f = &m->foreign[i];
		if (!same_rule(f, r))
			continue;
		/* Keep one comment, whatever the order of merging. */
		const char *a = f->comment ? f->comment : "", *b = r->comment ? r->comment : "";
		if (strcmp(b, a) < 0) {
			free(f->comment);
			f->comment = r->comment ? tj_xstrdup(r->comment) : NULL;
		}
		return;
	}
	m->foreign = tj_xrealloc(m->foreign, (m->nforeign + 1) * sizeof(*m->foreign));
	tj_rule_copy(&m->foreign[m->nforeign++], r);
}

void tj_learn_model_merge(struct tj_learn_model *m, const struct tj_learn_model *o)
{
	for (size_t i = 0; i < o->nruns; i++)
		tj_learn_model_add_run(m, o->runs[i].id, o->runs[i].command, o->runs[i].outcome);
	for (size_t i = 0; i < o->n; i++)
		absorb(m, &o->v[i]);
	sort_entries(m);
	for (size_t i = 0; i < o->nforeign; i++)
		add_foreign(m, &o->foreign[i]);
	if (o->has_default && !m->has_default) {
		m->has_default = true;
		m->default_action = o->default_action;
		m->default_errno = o->default_errno;
	} else if (o->has_default && m->has_default &&
		   (tj_action_rank(o->default_action) > tj_action_rank(m->default_action) ||
		    (o->default_action == m->default_action && o->default_errno < m->default_errno))) {
		/* Two defaults: the stricter, so the order does not matter. */
		m->default_action = o->default_action;
		m->default_errno = o->default_errno;
	}
}

void tj_learn_model_done(struct tj_learn_model *m)
{
	for (size_t i = 0; i < m->nruns; i++) {
		free(m->runs[i].id);
		free(m->runs[i].command);
		free(m->runs[i].outcome);
	}
	free(m->runs);
	for (size_t i = 0; i < m->n; i++)
		entry_done(&m->v[i]);
	free(m->v);
	for (size_t i = 0; i < m->nforeign; i++)
		tj_rule_done(&m->foreign[i]);
	free(m->foreign);
	memset(m, 0, sizeof(*m));
}

/* --- the comment grammar --- */

void tj_learn_quote(struct tj_buf *b, const char *s)
{
	tj_buf_add(b, "\"");
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			tj_buf_add(b, "\\");
		tj_buf_addn(b, s, 1);
	}
	tj_buf_add(b, "\"");
}

bool tj_learn_unquote(const char **p, const char *end, char **ret)
{
	const char *s = *p;
	if (s >= end || *s != '"')
		return false;
	struct tj_buf b = {0};
	for (s++; s < end && *s != '"'; s++) {
		if (*s == '\\' && s + 1 < end)
			s++;
		tj_buf_addn(&b, s, 1);
	}
	if (s >= end) {
		tj_buf_done(&b);
		return false;
	}
	*p = s + 1;
	*ret = tj_buf_steal(&b);
	return true;
}

size_t tj_learn_entry_args(const struct tj_learn_entry *e, struct tj_arg out[TJ_LEARN_MAX_ARGS])
{
	size_t n = 0;
	for (size_t i = 0; e->spec && i < e->spec->nargs; i++) {
		const struct tj_argspec *a = &e->spec->args[i];
		uint64_t v = a->kind == TJ_AK_FLAGS ? e->flags[i] : e->key[i];
		if (tj_argspec_comparison(a, v, &out[n]))
			n++;
	}
	return n;
}

void tj_learn_entry_values(const struct tj_learn_entry *e, struct tj_buf *out)
{
	for (size_t i = 0; e->spec && i < e->spec->nargs; i++) {
		const struct tj_argspec *a = &e->spec->args[i];
		tj_buf_addf(out, "%s%s %s", i ? ", " : "", a->what, a->kind == TJ_AK_FLAGS ? "within " : "");
		tj_argspec_describe(a, a->kind == TJ_AK_FLAGS ? e->flags[i] : e->key[i], out);
	}
}

void tj_learn_entry_comment(const struct tj_learn_entry *e, struct tj_buf *out)
{
	tj_buf_addf(out, TJ_LEARN_LEARNED "%zu run%s (", e->ncounts, e->ncounts == 1 ? "" : "s");
	for (size_t i = 0; i < e->ncounts; i++)
		tj_buf_addf(out, "%s%s: %llu call%s", i ? ", " : "", e->counts[i].run,
			    (unsigned long long)e->counts[i].calls, e->counts[i].calls == 1 ? "" : "s");
	tj_buf_add(out, "), first by ");
	tj_learn_quote(out, e->program ? e->program : "?");
	if (e->action == TJ_ACT_ERRNO) {
		const char *name = strerrorname_np((int)e->errnum);
		tj_buf_addf(out, "; answered %s", name ? name : "an errno");
	}
	if (e->spec) {
		tj_buf_add(out, "; ");
		tj_learn_entry_values(e, out);
	}
}

static bool skip(const char **p, const char *end, const char *lit)
{
	size_t n = strlen(lit);
	if ((size_t)(end - *p) < n || memcmp(*p, lit, n) != 0)
		return false;
	*p += n;
	return true;
}

static bool read_u64(const char **p, const char *end, uint64_t *v)
{
	const char *s = *p;
	uint64_t x = 0;
	if (s >= end || *s < '0' || *s > '9')
		return false;
	for (; s < end && *s >= '0' && *s <= '9'; s++) {
		if (x > (UINT64_MAX - 9) / 10)
			return false;
		x = x * 10 + (uint64_t)(*s - '0');
	}
	*p = s;
	*v = x;
	return true;
}

bool tj_learn_parse_entry_comment(const char *text, size_t len, struct tj_learn_entry *e)
{
	const char *p = text, *end = text + len;
	uint64_t nruns;
	if (!skip(&p, end, TJ_LEARN_LEARNED) || !read_u64(&p, end, &nruns) ||
	    !(skip(&p, end, " runs (") || skip(&p, end, " run (")) || nruns == 0 || nruns > 100000)
		return false;
	struct tj_learn_entry tmp = {0};
	for (uint64_t i = 0; i < nruns; i++) {
		if (i && !skip(&p, end, ", "))
			goto bad;
		const char *id = p;
		while (p < end && ((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
			p++;
		if (p == id || p - id > 64)
			goto bad;
		tj_autofree char *run = tj_xstrndup(id, (size_t)(p - id));
		uint64_t calls;
		if (!skip(&p, end, ": ") || !read_u64(&p, end, &calls) ||
		    !(skip(&p, end, " calls") || skip(&p, end, " call")))
			goto bad;
		add_count(&tmp, run, calls);
	}
	char *program = NULL;
	if (!skip(&p, end, "), first by ") || !tj_learn_unquote(&p, end, &program))
		goto bad;
	/* What follows ("; answered ...", the values) is for people. */
	if (p < end && *p != ';') {
		free(program);
		goto bad;
	}
	e->counts = tmp.counts;
	e->ncounts = tmp.ncounts;
	e->program = strcmp(program, "?") == 0 ? NULL : program;
	if (!e->program)
		free(program);
	return true;
bad:
	for (size_t i = 0; i < tmp.ncounts; i++)
		free(tmp.counts[i].run);
	free(tmp.counts);
	return false;
}

/* --- reading a profile back --- */

/* A single-name rule with an entry comment becomes an entry when its
 * comparisons are the ones learn writes for that syscall. */
static bool entry_from_rule(const struct tj_rule *r, const char *name, const char *comment, size_t clen,
			    struct tj_learn_entry *e)
{
	if (r->action != TJ_ACT_ALLOW && r->action != TJ_ACT_ERRNO)
		return false;
	if (r->has_includes || r->has_excludes || tj_name_is_group_syntax(name))
		return false;
	int nr;
	const struct tj_syscall_argspec *spec = tj_syscall_resolve(name, &nr) == TJ_SYSCALL_NATIVE ? tj_argspec_find(nr)
												   : NULL;
	struct tj_learn_entry tmp = {.action = r->action,
				     .errnum = r->action == TJ_ACT_ERRNO ? tj_rule_effective_errno(r) : 0,
				     .spec = spec};
	size_t want = 0;
	for (size_t i = 0; spec && i < spec->nargs; i++) {
		const struct tj_argspec *a = &spec->args[i];
		bool found = false;
		for (size_t k = 0; k < r->nargs && !found; k++) {
			uint64_t v;
			if (tj_argspec_from_comparison(a, &r->args[k], &v)) {
				found = true;
				if (a->kind == TJ_AK_FLAGS)
					tmp.flags[i] = v;
				else
					tmp.key[i] = v;
			}
		}
		if (!found)
			return false;
		want++;
	}
	/* The rule must hold exactly those comparisons (for the entries learn
	 * writes with arguments of "any" NULL-ness there are none). */
	if (r->nargs != want)
		return false;
	if (!tj_learn_parse_entry_comment(comment, clen, &tmp))
		return false;
	tmp.name = tj_xstrdup(name);
	*e = tmp;
	return true;
}

/* "group @x, ... | member: COMMENT | member: COMMENT" */
static bool group_from_rule(struct tj_learn_model *m, const struct tj_rule *r)
{
	const char *c = r->comment;
	if (r->names.n != 1 || r->names.v[0][0] != '@' || r->nargs || r->action != TJ_ACT_ALLOW ||
	    strncmp(c, TJ_LEARN_GROUP, strlen(TJ_LEARN_GROUP)) != 0)
		return false;
	struct tj_learn_model part = {0};
	const char *p = strstr(c, " | ");
	while (p) {
		p += 3;
		/* A segment ends at the next " | " outside quotes. */
		const char *q = p;
		bool quoted = false;
		for (; *q; q++) {
			if (*q == '\\' && quoted && q[1]) {
				q++;
				continue;
			}
			if (*q == '"')
				quoted = !quoted;
			if (!quoted && strncmp(q, " | ", 3) == 0)
				break;
		}
		const char *colon = memchr(p, ':', (size_t)(q - p));
		if (colon && colon[1] == ' ') {
			tj_autofree char *name = tj_xstrndup(p, (size_t)(colon - p));
			struct tj_rule member = {.action = TJ_ACT_ALLOW};
			struct tj_learn_entry e;
			if (entry_from_rule(&member, name, colon + 2, (size_t)(q - colon - 2), &e)) {
				absorb(&part, &e);
				entry_done(&e);
			}
		}
		p = *q ? q : NULL;
	}
	tj_learn_model_merge(m, &part);
	tj_learn_model_done(&part);
	return true;
}

/* "tinyjail learn: N runs: ID "COMMAND" (OUTCOME); ID "COMMAND" (OUTCOME)" */
static void runs_from_comment(struct tj_learn_model *m, const char *c)
{
	if (!c || strncmp(c, TJ_LEARN_TOP, strlen(TJ_LEARN_TOP)) != 0)
		return;
	const char *p = strstr(c, "runs: ");
	if (!p)
		p = strstr(c, "run: ");
	if (!p)
		return;
	p = strchr(p, ' ') + 1;
	const char *end = c + strlen(c);
	while (p < end) {
		const char *id = p;
		while (p < end && *p != ' ')
			p++;
		tj_autofree char *rid = tj_xstrndup(id, (size_t)(p - id));
		char *command = NULL;
		if (!skip(&p, end, " ") || !tj_learn_unquote(&p, end, &command))
			return;
		const char *o = p;
		if (!skip(&p, end, " (")) {
			free(command);
			return;
		}
		o = p;
		while (p < end && *p != ')')
			p++;
		tj_autofree char *outcome = tj_xstrndup(o, (size_t)(p - o));
		tj_learn_model_add_run(m, rid, command, outcome);
		free(command);
		if (!skip(&p, end, ")") || !skip(&p, end, "; "))
			return;
	}
}

int tj_learn_model_from_profile(const struct tj_profile *p, const char *top_comment, struct tj_learn_model *m,
				struct tj_err **err)
{
	const struct tj_seccomp *s = p->seccomp;
	if (!s) {
		tj_err_set(err, TJ_ERR_PROFILE, 0, "the profile has no seccomp section to merge with");
		return tj_err_at(err, p->file, NULL);
	}
	runs_from_comment(m, top_comment);
	m->has_default = true;
	m->default_action = tj_action_canonical(s->default_action);
	m->default_errno = tj_action_takes_errno(s->default_action) ? tj_seccomp_effective_default_errno(s) : 0;
	for (size_t i = 0; i < s->nrules; i++) {
		const struct tj_rule *r = &s->rules[i];
		const char *c = r->comment ? r->comment : "";
		if (strncmp(c, TJ_LEARN_GENERALISED, strlen(TJ_LEARN_GENERALISED)) == 0)
			continue; /* rendering adds it again */
		if (r->comment && group_from_rule(m, r))
			continue;
		struct tj_learn_entry e;
		if (r->names.n == 1 && entry_from_rule(r, r->names.v[0], c, strlen(c), &e)) {
			absorb(m, &e);
			entry_done(&e);
			continue;
		}
		add_foreign(m, r);
	}
	sort_entries(m);
	return 0;
}
