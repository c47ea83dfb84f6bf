/* SPDX-License-Identifier: Apache-2.0 */
/* The editor's model: a profile's seccomp section, edited, compiled, saved. */
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tj/base/outfile.h"
#include "tj/edit/model.h"
#include "tj/filter/bpfsim.h"
#include "tj/filter/explain.h"
#include "tj/filter/lint.h"
#include "tj/json/eventlog.h"
#include "tj/json/profile_edit.h"
#include "tj/json/profile_json.h"
#include "tj/learn/diff.h"
#include "tj/model/policy.h"

static int read_file(const char *path, char **text, size_t *len, struct tj_err **err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return tj_err_set(err, TJ_ERR_USAGE, errno, "cannot open %s", path);
	struct tj_buf b = {0};
	char chunk[65536];
	ssize_t n;
	while ((n = read(fd, chunk, sizeof(chunk))) > 0) {
		tj_buf_addn(&b, chunk, (size_t)n);
		if (b.len > TJ_PROFILE_MAX_BYTES)
			break;
	}
	int e = errno;
	close(fd);
	if (n < 0) {
		tj_buf_done(&b);
		return tj_err_set(err, TJ_ERR_USAGE, e, "cannot read %s", path);
	}
	tj_buf_add(&b, "");
	*len = b.len;
	*text = tj_buf_steal(&b);
	return 0;
}

static void free_rows(struct tj_edit_model *m)
{
	for (size_t i = 0; i < m->nrows; i++)
		free(m->rows[i].where);
	free(m->rows);
	m->rows = NULL;
	m->nrows = 0;
}

static int cmp_rows(const void *a, const void *b)
{
	return strcmp(((const struct tj_edit_row *)a)->name, ((const struct tj_edit_row *)b)->name);
}

/* Fills the rows from the compiled filter's resolved rules. */
static void build_rows(struct tj_edit_model *m)
{
	uint64_t *used = NULL;
	size_t nused = m->nrows;
	if (nused) {
		used = tj_xcalloc(nused, sizeof(*used));
		for (size_t i = 0; i < nused; i++)
			used[i] = m->rows[i].used;
	}
	free_rows(m);
	const char *const *names = tj_known_syscall_names();
	size_t n = 0;
	while (names[n])
		n++;
	m->rows = tj_xcalloc(n ? n : 1, sizeof(*m->rows));
	const struct tj_seccomp *r = m->filter->resolved;
	for (size_t i = 0; i < n; i++) {
		int nr;
		if (tj_syscall_resolve(names[i], &nr) != TJ_SYSCALL_NATIVE)
			continue;
		struct tj_edit_row *row = &m->rows[m->nrows++];
		row->name = names[i];
		row->nr = nr;
		row->kind = TJ_EDIT_DEFAULT;
		row->action = m->cur->default_action;
		row->errnum = tj_seccomp_effective_default_errno(m->cur);
		for (size_t k = 0; r && k < r->nrules; k++) {
			const struct tj_rule *rule = &r->rules[k];
			for (size_t j = 0; j < rule->names.n; j++) {
				if (strcmp(rule->names.v[j], names[i]) != 0)
					continue;
				row->nrules++;
				bool better = row->kind == TJ_EDIT_DEFAULT ||
					      tj_action_rank(rule->action) < tj_action_rank(row->action);
				if (!rule->nargs) {
					row->kind = TJ_EDIT_RULE;
					better = true;
				} else if (row->kind != TJ_EDIT_RULE)
					row->kind = TJ_EDIT_CONDITIONAL;
				if (better && (row->kind != TJ_EDIT_RULE || !rule->nargs)) {
					row->action = rule->action;
					row->errnum = tj_rule_effective_errno(rule);
					free(row->where);
					row->where = tj_rule_name_where(rule, j);
				}
			}
		}
	}
	qsort(m->rows, m->nrows, sizeof(*m->rows), cmp_rows);
	for (size_t i = 0; i < m->nrows && used && nused == m->nrows; i++)
		m->rows[i].used = used[i];
	free(used);
}

/* The working copy as a profile the compiler and explain accept. */
static struct tj_profile as_profile(const struct tj_edit_model *m)
{
	struct tj_profile p = *m->base;
	p.seccomp = m->cur;
	return p;
}

static int compile(struct tj_edit_model *m, struct tj_err **err)
{
	struct tj_profile p = as_profile(m);
	struct tj_filter_opts fo = {.mode = TJ_MODE_ENFORCE};
	struct tj_filter *f = NULL;
	if (tj_filter_compile(&p, &fo, &f, err) < 0)
		return -1;
	tj_filter_free(m->filter);
	m->filter = f;
	build_rows(m);
	return 0;
}

static void snapshots_free(struct tj_edit_snapshot *v, size_t *n)
{
	for (size_t i = 0; i < *n; i++) {
		tj_seccomp_free(v[i].s);
		free(v[i].what);
	}
	*n = 0;
}

int tj_edit_model_load(struct tj_edit_model *m, const char *path, const char *text, size_t len, struct tj_err **err)
{
	memset(m, 0, sizeof(*m));
	m->path = tj_xstrdup(path);
	m->display = tj_xstrdup(path);
	m->text = tj_xstrndup(text, len);
	m->len = len;
	if (tj_profile_load_buffer(path, text, len, &m->base, err) < 0)
		goto fail;
	if (!m->base->seccomp) {
		tj_err_set(err, TJ_ERR_PROFILE, 0, "the profile has no seccomp section to edit");
		tj_err_at(err, path, NULL);
		goto fail;
	}
	m->cur = tj_seccomp_copy(m->base->seccomp);
	if (compile(m, err) < 0)
		goto fail;
	return 0;
fail:
	tj_edit_model_done(m);
	return -1;
}

int tj_edit_model_open(struct tj_edit_model *m, const char *path, const char *from, struct tj_err **err)
{
	char *text = NULL, *src = NULL;
	size_t len = 0;
	bool fresh = false;
	if (from) {
		if (tj_policy_find(from, &src, err) < 0)
			return -1;
		if (access(path, F_OK) == 0) {
			free(src);
			return tj_err_set(err, TJ_ERR_USAGE, EEXIST,
					  "%s exists: --from starts a new file (edit it without --from)", path);
		}
		fresh = true;
	} else
		src = tj_xstrdup(path);
	int r = read_file(src, &text, &len, err);
	free(src);
	if (r < 0)
		return -1;
	r = tj_edit_model_load(m, path, text, len, err);
	free(text);
	if (r == 0) {
		m->new_file = fresh;
		if (fresh)
			m->saved_depth = SIZE_MAX; /* not on disk yet: always worth saving */
	}
	return r;
}

void tj_edit_model_done(struct tj_edit_model *m)
{
	free(m->path);
	free(m->display);
	free(m->text);
	tj_profile_free(m->base);
	tj_seccomp_free(m->cur);
	tj_filter_free(m->filter);
	free_rows(m);
	snapshots_free(m->undo, &m->nundo);
	snapshots_free(m->redo, &m->nredo);
	free(m->undo);
	free(m->redo);
	memset(m, 0, sizeof(*m));
}

struct tj_edit_row *tj_edit_model_row(struct tj_edit_model *m, const char *name)
{
	struct tj_edit_row key = {.name = name};
	return bsearch(&key, m->rows, m->nrows, sizeof(*m->rows), cmp_rows);
}

int tj_edit_model_read_log(struct tj_edit_model *m, const char *path, size_t *ret_bad, struct tj_err **err)
{
	struct tj_eventlog *l = NULL;
	*ret_bad = 0;
	if (tj_eventlog_open(path, &l, err) < 0)
		return -1;
	for (size_t i = 0; i < m->nrows; i++)
		m->rows[i].used = 0;
	int r;
	struct tj_record rec;
	while ((r = tj_eventlog_next(l, &rec, err)) != TJ_EVENTLOG_END) {
		if (r < 0)
			break;
		if (r != TJ_EVENTLOG_RECORD) {
			tj_err_free(*err);
			*err = NULL;
			++*ret_bad;
			continue;
		}
		if ((rec.kind != TJ_REC_SYSCALL && rec.kind != TJ_REC_USAGE) || !rec.syscall)
			continue;
		if (rec.arch && strcmp(rec.arch, "x86_64") != 0)
			continue; /* the rows are x86_64's names */
		struct tj_edit_row *row = tj_edit_model_row(m, rec.syscall);
		if (row)
			row->used += rec.kind == TJ_REC_USAGE ? rec.count : 1;
	}
	tj_eventlog_close(l);
	return r < 0 ? -1 : 0;
}

/* --- edits --- */

static void push(struct tj_edit_snapshot **v, size_t *n, size_t *cap, struct tj_seccomp *s, char *what)
{
	tj_xreserve((void **)v, cap, *n + 1, sizeof(**v));
	(*v)[(*n)++] = (struct tj_edit_snapshot){.s = s, .what = what};
}

/* Starts an edit: the state before it goes on the undo stack. */
static struct tj_seccomp *begin(struct tj_edit_model *m)
{
	return tj_seccomp_copy(m->cur);
}

/* Ends an edit of `next`: compiled, it becomes the working copy; refused,
 * nothing changed. */
static int commit(struct tj_edit_model *m, struct tj_seccomp *next, char *what, struct tj_err **err)
{
	struct tj_seccomp *before = m->cur;
	m->cur = next;
	if (compile(m, err) < 0) {
		m->cur = before;
		tj_seccomp_free(next);
		free(what);
		return -1;
	}
	push(&m->undo, &m->nundo, &m->capundo, before, what);
	snapshots_free(m->redo, &m->nredo);
	if (m->saved_depth != SIZE_MAX && m->saved_depth >= m->nundo)
		m->saved_depth = SIZE_MAX; /* the saved state was undone and is gone */
	return 0;
}

static void drop_rule(struct tj_seccomp *s, size_t i)
{
	tj_rule_done(&s->rules[i]);
	memmove(&s->rules[i], &s->rules[i + 1], (s->nrules - i - 1) * sizeof(*s->rules));
	s->nrules--;
}

static struct tj_rule *add_rule(struct tj_seccomp *s)
{
	s->rules = tj_xrealloc(s->rules, (s->nrules + 1) * sizeof(*s->rules));
	struct tj_rule *r = &s->rules[s->nrules++];
	memset(r, 0, sizeof(*r));
	r->json_path = tj_xstrdup("");
	return r;
}

static void set_rule_action(struct tj_rule *r, enum tj_action action, unsigned errnum)
{
	r->action = action;
	r->has_errno = tj_action_takes_errno(action);
	r->errno_ret = r->has_errno ? errnum : 0;
}

/* Whether a group entry of r brings name (after the rule's exclusions). */
static bool group_brings(const struct tj_rule *r, const char *name)
{
	bool in = false;
	for (size_t j = 0; j < r->names.n; j++) {
		const char *e = r->names.v[j];
		if (e[0] == '!' && strcmp(e + 1, name) == 0)
			return false;
		if (e[0] != '@')
			continue;
		const struct tj_sysgroup *g = tj_sysgroup_find(e);
		if (!g)
			continue;
		struct tj_sysgroup_set set = {0};
		tj_sysgroup_set_add_group(&set, g, 0);
		in = in || tj_sysgroup_set_find(&set, name);
		tj_sysgroup_set_done(&set);
	}
	return in;
}

/* Takes name out of every rule of s; returns the index of a rule that
 * named only it without conditions (kept for reuse), or -1. */
static long take_out(struct tj_seccomp *s, const char *name, enum tj_action keep_action)
{
	long reuse = -1;
	for (size_t i = 0; i < s->nrules;) {
		struct tj_rule *r = &s->rules[i];
		bool alone = r->names.n == 1 && strcmp(r->names.v[0], name) == 0;
		for (size_t j = 0; j < r->names.n && !alone;) {
			if (strcmp(r->names.v[j], name) == 0)
				tj_rule_drop_name(r, j);
			else
				j++;
		}
		bool direct = alone;
		if (alone && !r->nargs && !r->has_includes && !r->has_excludes && reuse < 0) {
			reuse = (long)i;
			i++;
			continue;
		}
		if (direct) {
			drop_rule(s, i);
			if (reuse > (long)i)
				reuse--;
			continue;
		}
		if (group_brings(r, name) && (r->action != keep_action || r->nargs))
			tj_strv_add_owned(&r->names, tj_xasprintf("!%s", name));
		i++;
	}
	return reuse;
}

int tj_edit_set_action(struct tj_edit_model *m, const char *name, enum tj_action action, unsigned errnum,
		       struct tj_err **err)
{
	struct tj_seccomp *s = begin(m);
	long reuse = take_out(s, name, action);
	bool is_default = tj_action_canonical(action) == tj_action_canonical(s->default_action) &&
			  (!tj_action_takes_errno(action) || errnum == tj_seccomp_effective_default_errno(s));
	if (reuse >= 0 && is_default)
		drop_rule(s, (size_t)reuse);
	else if (reuse >= 0)
		set_rule_action(&s->rules[reuse], action, errnum);
	else if (!is_default) {
		struct tj_rule *r = add_rule(s);
		tj_strv_add(&r->names, name);
		set_rule_action(r, action, errnum);
	}
	char act[64];
	tj_edit_action_text(action, errnum, act, sizeof(act));
	return commit(m, s, tj_xasprintf("%s: %s", name, act), err);
}

int tj_edit_clear(struct tj_edit_model *m, const char *name, struct tj_err **err)
{
	struct tj_seccomp *s = begin(m);
	long reuse = take_out(s, name, s->default_action);
	if (reuse >= 0)
		drop_rule(s, (size_t)reuse);
	return commit(m, s, tj_xasprintf("%s: the default", name), err);
}

int tj_edit_add_condition(struct tj_edit_model *m, const char *name, enum tj_action action, unsigned errnum,
			  const struct tj_arg *args, size_t nargs, const char *comment, struct tj_err **err)
{
	struct tj_seccomp *s = begin(m);
	struct tj_rule *r = add_rule(s);
	tj_strv_add(&r->names, name);
	set_rule_action(r, action, errnum);
	r->args = tj_xcalloc(nargs ? nargs : 1, sizeof(*r->args));
	memcpy(r->args, args, nargs * sizeof(*args));
	r->nargs = nargs;
	r->comment = comment ? tj_xstrdup(comment) : NULL;
	char act[64];
	tj_edit_action_text(action, errnum, act, sizeof(act));
	return commit(m, s, tj_xasprintf("%s: %s with a condition", name, act), err);
}

int tj_edit_set_group_action(struct tj_edit_model *m, const char *group, enum tj_action action, unsigned errnum,
			     struct tj_err **err)
{
	if (!tj_sysgroup_find(group))
		return tj_err_set(err, TJ_ERR_USAGE, 0, "unknown syscall group '%s'", group);
	struct tj_seccomp *s = begin(m);
	struct tj_rule *r = NULL;
	for (size_t i = 0; i < s->nrules && !r; i++)
		if (s->rules[i].names.n == 1 && strcmp(s->rules[i].names.v[0], group) == 0 && !s->rules[i].nargs)
			r = &s->rules[i];
	if (!r) {
		r = add_rule(s);
		tj_strv_add(&r->names, group);
	}
	set_rule_action(r, action, errnum);
	char act[64];
	tj_edit_action_text(action, errnum, act, sizeof(act));
	return commit(m, s, tj_xasprintf("%s: %s", group, act), err);
}

int tj_edit_set_default(struct tj_edit_model *m, enum tj_action action, unsigned errnum, struct tj_err **err)
{
	struct tj_seccomp *s = begin(m);
	s->default_action = action;
	s->has_default_errno = tj_action_takes_errno(action);
	s->default_errno = s->has_default_errno ? errnum : 0;
	char act[64];
	tj_edit_action_text(action, errnum, act, sizeof(act));
	return commit(m, s, tj_xasprintf("default: %s", act), err);
}

bool tj_edit_can_undo(const struct tj_edit_model *m)
{
	return m->nundo > 0;
}

bool tj_edit_can_redo(const struct tj_edit_model *m)
{
	return m->nredo > 0;
}

/* Moves the working copy to the top of `from`, pushing it on `to`. */
static const char *swap_top(struct tj_edit_model *m, struct tj_edit_snapshot *from, size_t *nfrom,
			    struct tj_edit_snapshot **to, size_t *nto, size_t *capto)
{
	if (!*nfrom)
		return NULL;
	struct tj_edit_snapshot top = from[--*nfrom];
	struct tj_seccomp *now = m->cur;
	m->cur = top.s;
	struct tj_err *e = NULL;
	if (compile(m, &e) < 0) { /* it compiled before: cannot happen */
		tj_err_free(e);
		m->cur = now;
		from[(*nfrom)++] = top;
		return NULL;
	}
	push(to, nto, capto, now, top.what);
	return top.what;
}

const char *tj_edit_undo(struct tj_edit_model *m)
{
	return swap_top(m, m->undo, &m->nundo, &m->redo, &m->nredo, &m->capredo);
}

const char *tj_edit_redo(struct tj_edit_model *m)
{
	return swap_top(m, m->redo, &m->nredo, &m->undo, &m->nundo, &m->capundo);
}

bool tj_edit_dirty(const struct tj_edit_model *m)
{
	return m->saved_depth != m->nundo;
}

/* --- what the panes show --- */

uint32_t tj_edit_why(const struct tj_edit_model *m, const struct seccomp_data *d, struct tj_strv *out)
{
	struct tj_profile p = as_profile(m);
	return tj_explain_why(&p, m->filter, d, true, out);
}

bool tj_edit_decide(const struct tj_edit_model *m, const struct seccomp_data *d, enum tj_action *action,
		    unsigned *errnum)
{
	const struct tj_filter *f = m->filter;
	const struct sock_filter *prog = f->truth ? f->truth : f->prog;
	size_t len = f->truth ? f->truth_len : f->len;
	uint32_t ret = tj_bpf_run(prog, len, d);
	const struct tj_rule *r = tj_explain_find(f->resolved, d, ret, NULL);
	if (!r)
		return false;
	*action = r->action;
	*errnum = tj_rule_effective_errno(r);
	return true;
}

void tj_edit_lint(const struct tj_edit_model *m, const char *name, struct tj_strv *out)
{
	struct tj_profile p = as_profile(m);
	struct tj_findings fs = {0};
	tj_lint(&p, m->filter, NULL, &fs);
	for (size_t i = 0; i < fs.n; i++) {
		const struct tj_finding *f = &fs.v[i];
		if (name && !strstr(f->what, name))
			continue;
		tj_strv_add_owned(out, tj_xasprintf("%s: %s (%s)", tj_severity_name(f->severity), f->what, f->where));
	}
	tj_findings_done(&fs);
}

void tj_edit_diff(const struct tj_edit_model *m, struct tj_strv *out)
{
	/* The document as saved against the working copy, both resolved. */
	struct tj_profile saved = *m->base;
	struct tj_filter_opts fo = {.mode = TJ_MODE_ENFORCE};
	struct tj_filter *f = NULL;
	struct tj_err *e = NULL;
	if (tj_filter_compile(&saved, &fo, &f, &e) < 0) {
		tj_strv_add_owned(out, tj_err_format(e));
		tj_err_free(e);
		return;
	}
	struct tj_diff d = {0};
	tj_profile_diff(f->resolved, m->filter->resolved, &d);
	for (size_t i = 0; i < d.n; i++)
		tj_strv_add_owned(out, tj_xasprintf("%s %s %s", tj_diff_mark(d.v[i].kind),
						    d.v[i].syscall ? d.v[i].syscall : "", d.v[i].text));
	tj_diff_done(&d);
	tj_filter_free(f);
}

void tj_edit_action_text(enum tj_action a, unsigned errnum, char *buf, size_t size)
{
	if (tj_action_takes_errno(a) && a == TJ_ACT_ERRNO) {
		const char *n = strerrorname_np((int)errnum);
		snprintf(buf, size, "%s(%s)", tj_action_name(a), n ? n : "?");
	} else
		snprintf(buf, size, "%s", tj_action_name(a));
}

/* --- saving --- */

int tj_edit_render(const struct tj_edit_model *m, char **ret, size_t *ret_len, struct tj_err **err)
{
	if (tj_profile_json_rewrite(m->display, m->text, m->len, m->base->seccomp, m->cur, ret, err) < 0)
		return -1;
	*ret_len = strlen(*ret);
	return 0;
}

int tj_edit_save(struct tj_edit_model *m, bool *backed_up, struct tj_err **err)
{
	char *text = NULL;
	size_t len = 0;
	*backed_up = false;
	if (tj_edit_render(m, &text, &len, err) < 0)
		return -1;
	struct tj_profile *p = NULL;
	if (tj_profile_load_buffer(m->display, text, len, &p, err) < 0) {
		free(text);
		return -1;
	}
	struct tj_outfile out = TJ_OUTFILE_INIT;
	int r = tj_outfile_prepare(&out, m->path, "the profile", err);
	if (r == 0 && !m->new_file && !m->backed_up) {
		char *bak = tj_xasprintf("%s.bak", m->path);
		struct tj_outfile b = TJ_OUTFILE_INIT;
		r = tj_outfile_prepare(&b, bak, "the backup", err);
		if (r == 0)
			r = tj_outfile_replace(&b, m->text, m->len, err);
		tj_outfile_done(&b);
		free(bak);
		if (r == 0)
			*backed_up = m->backed_up = true;
	}
	if (r == 0)
		r = tj_outfile_replace(&out, text, len, err);
	tj_outfile_done(&out);
	if (r < 0) {
		free(text);
		tj_profile_free(p);
		return -1;
	}
	/* The written text is the document now; the working copy and the
	 * undo stack stay (their rules keep the new document's paths only
	 * after a reload, so reload: the same rules, fresh paths). */
	free(m->text);
	m->text = text;
	m->len = len;
	tj_profile_free(m->base);
	m->base = p;
	tj_seccomp_free(m->cur);
	m->cur = tj_seccomp_copy(p->seccomp);
	struct tj_err *e = NULL;
	if (compile(m, &e) < 0)
		tj_err_free(e);
	/* Older snapshots refer to the old document's rule paths: undo past a
	 * save would mix them up, so a save ends the undo history. */
	snapshots_free(m->undo, &m->nundo);
	snapshots_free(m->redo, &m->nredo);
	m->saved_depth = 0;
	m->new_file = false;
	return 0;
}
