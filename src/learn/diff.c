/* SPDX-License-Identifier: Apache-2.0 */
/* Profile differences per syscall (diff.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tj/filter/filter.h"
#include "tj/learn/argclass.h"
#include "tj/learn/diff.h"

/* One alternative: comparisons that must all hold. */
struct alt {
	struct tj_arg *args;
	size_t nargs;
};

/* What one profile says about one syscall: per action (and errno), its
 * alternatives. */
struct decision {
	enum tj_action action;
	unsigned errnum;
	struct alt *alts;
	size_t n;
};

struct view {
	struct decision *v;
	size_t n;
};

static void view_done(struct view *w)
{
	for (size_t i = 0; i < w->n; i++) {
		for (size_t k = 0; k < w->v[i].n; k++)
			free(w->v[i].alts[k].args);
		free(w->v[i].alts);
	}
	free(w->v);
	memset(w, 0, sizeof(*w));
}

static void add_alt(struct view *w, enum tj_action action, unsigned errnum, const struct tj_arg *args, size_t n)
{
	struct decision *d = NULL;
	for (size_t i = 0; i < w->n && !d; i++)
		if (w->v[i].action == action && w->v[i].errnum == errnum)
			d = &w->v[i];
	if (!d) {
		w->v = tj_xrealloc(w->v, (w->n + 1) * sizeof(*w->v));
		d = &w->v[w->n++];
		*d = (struct decision){.action = action, .errnum = errnum};
	}
	d->alts = tj_xrealloc(d->alts, (d->n + 1) * sizeof(*d->alts));
	struct alt *a = &d->alts[d->n++];
	a->nargs = n;
	a->args = n ? tj_xcalloc(n, sizeof(*args)) : NULL;
	if (n)
		memcpy(a->args, args, n * sizeof(*args));
}

static void view_of(const struct tj_seccomp *s, const char *name, struct view *w)
{
	for (size_t i = 0; i < s->nrules; i++) {
		const struct tj_rule *r = &s->rules[i];
		if (tj_rule_equals_default(s, r) || !tj_strv_contains(&r->names, name))
			continue;
		enum tj_action a = tj_action_canonical(r->action);
		unsigned e = tj_action_takes_errno(a) ? tj_rule_effective_errno(r) : 0;
		if (tj_rule_has_repeated_index(r))
			for (size_t k = 0; k < r->nargs; k++)
				add_alt(w, a, e, &r->args[k], 1);
		else
			add_alt(w, a, e, r->args, r->nargs);
	}
}

/* --- implication between comparisons --- */

/* The values a comparison admits as an interval, when it is one. */
static bool interval(const struct tj_arg *c, uint64_t *lo, uint64_t *hi)
{
	switch (c->op) {
	case TJ_CMP_EQ: *lo = *hi = c->value; return true;
	case TJ_CMP_LT:
		if (!c->value)
			return false;
		*lo = 0;
		*hi = c->value - 1;
		return true;
	case TJ_CMP_LE: *lo = 0, *hi = c->value; return true;
	case TJ_CMP_GT:
		if (c->value == UINT64_MAX)
			return false;
		*lo = c->value + 1;
		*hi = UINT64_MAX;
		return true;
	case TJ_CMP_GE: *lo = c->value, *hi = UINT64_MAX; return true;
	case TJ_CMP_MASKED_EQ:
		if (c->value != UINT64_MAX)
			return false;
		*lo = *hi = c->value_two;
		return true;
	default: return false;
	}
}

static bool holds(const struct tj_arg *c, uint64_t x)
{
	switch (c->op) {
	case TJ_CMP_NE: return x != c->value;
	case TJ_CMP_LT: return x < c->value;
	case TJ_CMP_LE: return x <= c->value;
	case TJ_CMP_EQ: return x == c->value;
	case TJ_CMP_GE: return x >= c->value;
	case TJ_CMP_GT: return x > c->value;
	case TJ_CMP_MASKED_EQ: return (x & c->value) == (c->value_two & c->value);
	default: return false;
	}
}

/* Every value c1 admits, c2 admits too. */
static bool implies(const struct tj_arg *c1, const struct tj_arg *c2)
{
	uint64_t lo1, hi1, lo2, hi2;
	if (interval(c1, &lo1, &hi1) && lo1 == hi1)
		return holds(c2, lo1);
	if (c1->op == TJ_CMP_MASKED_EQ && c2->op == TJ_CMP_MASKED_EQ)
		return (c2->value & ~c1->value) == 0 &&
		       ((c1->value_two & c1->value) & c2->value) == (c2->value_two & c2->value);
	if (c2->op == TJ_CMP_NE) {
		if (c1->op == TJ_CMP_NE)
			return c1->value == c2->value;
		return interval(c1, &lo1, &hi1) && (c2->value < lo1 || c2->value > hi1);
	}
	if (interval(c1, &lo1, &hi1) && interval(c2, &lo2, &hi2))
		return lo2 <= lo1 && hi1 <= hi2;
	return false;
}

/* Every call alternative a admits, b admits: each comparison of b is
 * implied by one of a on the same argument. */
static bool alt_implies(const struct alt *a, const struct alt *b)
{
	for (size_t j = 0; j < b->nargs; j++) {
		bool ok = false;
		for (size_t i = 0; i < a->nargs && !ok; i++)
			ok = a->args[i].index == b->args[j].index && implies(&a->args[i], &b->args[j]);
		if (!ok)
			return false;
	}
	return true;
}

static bool covered(const struct alt *a, const struct decision *d)
{
	for (size_t k = 0; k < d->n; k++)
		if (alt_implies(a, &d->alts[k]))
			return true;
	return false;
}

/* --- words --- */

static void describe_action(enum tj_action a, unsigned errnum, struct tj_buf *b)
{
	char buf[64];
	tj_filter_describe_action(tj_filter_action_value(a, errnum), buf, sizeof(buf));
	tj_buf_add(b, buf);
}

static void describe_alt(const char *name, const struct alt *a, struct tj_buf *b)
{
	if (!a->nargs) {
		tj_buf_add(b, "any arguments");
		return;
	}
	const struct tj_syscall_argspec *sp = tj_argspec_find_name(name);
	for (size_t i = 0; i < a->nargs; i++) {
		const struct tj_arg *c = &a->args[i];
		if (i)
			tj_buf_add(b, ", ");
		bool named = false;
		for (size_t k = 0; sp && k < sp->nargs && !named; k++) {
			uint64_t v;
			if (tj_argspec_from_comparison(&sp->args[k], c, &v)) {
				tj_buf_addf(b, "%s %s", sp->args[k].what,
					    sp->args[k].kind == TJ_AK_FLAGS ? "within " : "");
				tj_argspec_describe(&sp->args[k], v, b);
				named = true;
			}
		}
		if (named)
			continue;
		if (c->op == TJ_CMP_MASKED_EQ)
			tj_buf_addf(b, "arg%u & 0x%llx == 0x%llx", c->index, (unsigned long long)c->value,
				    (unsigned long long)(c->value_two & c->value));
		else
			tj_buf_addf(b, "arg%u %s 0x%llx", c->index, tj_cmp_name(c->op) + strlen("SCMP_CMP_"),
				    (unsigned long long)c->value);
	}
}

static void describe_view(const char *name, const struct view *w, struct tj_buf *b)
{
	for (size_t i = 0; i < w->n; i++) {
		if (i)
			tj_buf_add(b, "; ");
		describe_action(w->v[i].action, w->v[i].errnum, b);
		tj_buf_add(b, " for ");
		for (size_t k = 0; k < w->v[i].n; k++) {
			if (k)
				tj_buf_add(b, " or ");
			describe_alt(name, &w->v[i].alts[k], b);
		}
	}
}

static void add_line(struct tj_diff *d, enum tj_diff_kind k, const char *name, char *text)
{
	d->v = tj_xrealloc(d->v, (d->n + 1) * sizeof(*d->v));
	d->v[d->n++] = (struct tj_diff_line){k, name ? tj_xstrdup(name) : NULL, text};
}

/* The alternatives of one side no alternative of the other covers. */
static void uncovered(const char *name, const struct decision *from, const struct decision *to, const char *sign,
		      struct tj_buf *b, bool *any)
{
	for (size_t k = 0; k < from->n; k++) {
		if (to && covered(&from->alts[k], to))
			continue;
		tj_buf_addf(b, "%s%s ", *any ? "; " : "", sign);
		describe_alt(name, &from->alts[k], b);
		*any = true;
	}
}

static const struct decision *find_decision(const struct view *w, enum tj_action a, unsigned e)
{
	for (size_t i = 0; i < w->n; i++)
		if (w->v[i].action == a && w->v[i].errnum == e)
			return &w->v[i];
	return NULL;
}

static void diff_syscall(const char *name, const struct tj_seccomp *sa, const struct tj_seccomp *sb, struct tj_diff *d)
{
	struct view a = {0}, b = {0};
	view_of(sa, name, &a);
	view_of(sb, name, &b);
	struct tj_buf t = {0};
	if (!a.n && !b.n)
		goto out;
	if (!a.n || !b.n) {
		/* The other profile decides it by its default action. */
		const struct tj_seccomp *other = a.n ? sb : sa;
		enum tj_action od = tj_action_canonical(other->default_action);
		describe_view(name, a.n ? &a : &b, &t);
		tj_buf_add(&t, a.n ? " (now the default, " : " (was the default, ");
		describe_action(od, tj_action_takes_errno(od) ? tj_seccomp_effective_default_errno(other) : 0, &t);
		tj_buf_add(&t, ")");
		add_line(d, a.n ? TJ_DIFF_REMOVED : TJ_DIFF_ADDED, name, tj_buf_steal(&t));
		goto out;
	}
	bool same_actions = a.n == b.n;
	for (size_t i = 0; i < a.n && same_actions; i++)
		same_actions = find_decision(&b, a.v[i].action, a.v[i].errnum) != NULL;
	if (!same_actions) {
		describe_view(name, &a, &t);
		tj_buf_add(&t, " -> ");
		describe_view(name, &b, &t);
		add_line(d, TJ_DIFF_ACTION, name, tj_buf_steal(&t));
		goto out;
	}
	bool wider = false, narrower = false;
	for (size_t i = 0; i < a.n; i++) {
		const struct decision *da = &a.v[i], *db = find_decision(&b, da->action, da->errnum);
		struct tj_buf more = {0}, less = {0};
		bool any_more = false, any_less = false;
		uncovered(name, db, da, "+", &more, &any_more);
		uncovered(name, da, db, "-", &less, &any_less);
		if (any_more || any_less) {
			if (t.len)
				tj_buf_add(&t, "; ");
			describe_action(da->action, da->errnum, &t);
			tj_buf_addf(&t, ": %s%s%s", any_more ? more.s : "", any_more && any_less ? "; " : "",
				    any_less ? less.s : "");
		}
		wider |= any_more;
		narrower |= any_less;
		tj_buf_done(&more);
		tj_buf_done(&less);
	}
	if (wider || narrower)
		add_line(d,
			 wider && narrower ? TJ_DIFF_CHANGED
			 : wider	   ? TJ_DIFF_WIDENED
					   : TJ_DIFF_NARROWED,
			 name, tj_buf_steal(&t));
out:
	tj_buf_done(&t);
	view_done(&a);
	view_done(&b);
}

static int strp_cmp(const void *x, const void *y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

static void arches_of(const struct tj_seccomp *s, struct tj_strv *out)
{
	tj_strv_add(out, "SCMP_ARCH_X86_64");
	for (size_t i = 0; i < s->arches.n; i++)
		if (!tj_strv_contains(out, s->arches.v[i]) && strcmp(s->arches.v[i], "SCMP_ARCH_NATIVE"))
			tj_strv_add(out, s->arches.v[i]);
	qsort(out->v, out->n, sizeof(char *), strp_cmp);
}

void tj_profile_diff(const struct tj_seccomp *a, const struct tj_seccomp *b, struct tj_diff *out)
{
	memset(out, 0, sizeof(*out));
	enum tj_action da = tj_action_canonical(a->default_action), db = tj_action_canonical(b->default_action);
	unsigned ea = tj_action_takes_errno(da) ? tj_seccomp_effective_default_errno(a) : 0;
	unsigned eb = tj_action_takes_errno(db) ? tj_seccomp_effective_default_errno(b) : 0;
	if (da != db || ea != eb) {
		struct tj_buf t = {0};
		describe_action(da, ea, &t);
		tj_buf_add(&t, " -> ");
		describe_action(db, eb, &t);
		add_line(out, TJ_DIFF_DEFAULT, NULL, tj_buf_steal(&t));
	}
	struct tj_strv xa = {0}, xb = {0};
	arches_of(a, &xa);
	arches_of(b, &xb);
	bool same = xa.n == xb.n;
	for (size_t i = 0; i < xa.n && same; i++)
		same = strcmp(xa.v[i], xb.v[i]) == 0;
	if (!same) {
		struct tj_buf t = {0};
		for (size_t i = 0; i < xa.n; i++)
			tj_buf_addf(&t, "%s%s", i ? ", " : "", xa.v[i]);
		tj_buf_add(&t, " -> ");
		for (size_t i = 0; i < xb.n; i++)
			tj_buf_addf(&t, "%s%s", i ? ", " : "", xb.v[i]);
		add_line(out, TJ_DIFF_ARCHES, NULL, tj_buf_steal(&t));
	}
	tj_strv_done(&xa);
	tj_strv_done(&xb);

	struct tj_strv names = {0};
	const struct tj_seccomp *both[] = {a, b};
	for (size_t s = 0; s < 2; s++)
		for (size_t i = 0; i < both[s]->nrules; i++)
			for (size_t k = 0; k < both[s]->rules[i].names.n; k++)
				if (!tj_strv_contains(&names, both[s]->rules[i].names.v[k]))
					tj_strv_add(&names, both[s]->rules[i].names.v[k]);
	if (names.n)
		qsort(names.v, names.n, sizeof(char *), strp_cmp);
	for (size_t i = 0; i < names.n; i++)
		diff_syscall(names.v[i], a, b, out);
	tj_strv_done(&names);
}

void tj_diff_done(struct tj_diff *d)
{
	for (size_t i = 0; i < d->n; i++) {
		free(d->v[i].syscall);
		free(d->v[i].text);
	}
	free(d->v);
	memset(d, 0, sizeof(*d));
}

const char *tj_diff_mark(enum tj_diff_kind k)
{
	switch (k) {
	case TJ_DIFF_ADDED: return "+";
	case TJ_DIFF_REMOVED: return "-";
	case TJ_DIFF_ACTION: return "!";
	default: return "~";
	}
}
