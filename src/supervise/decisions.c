/* SPDX-License-Identifier: Apache-2.0 */
/* Supervisor decisions: matching, memory, write-back actions (decisions.h). */
#include <stdlib.h>
#include <string.h>

#include "tj/base/util.h"
#include "tj/filter/explain.h"
#include "tj/filter/filter.h"
#include "tj/supervise/decisions.h"

static const char *const decision_names[] = {"allow", "deny", "kill", "ask", NULL};

const char *tj_decision_name(enum tj_decision_kind k)
{
	return k <= TJ_DECIDE_ASK ? decision_names[k] : "?";
}

int tj_decision_from_name(const char *name)
{
	for (int i = 0; decision_names[i]; i++)
		if (strcmp(decision_names[i], name) == 0)
			return i;
	return -1;
}

void tj_decisions_free(struct tj_decisions *d)
{
	if (!d)
		return;
	for (size_t i = 0; i < d->nrules; i++)
		tj_rule_done(&d->rules[i].rule);
	free(d->rules);
	free(d->file);
	free(d);
}

const struct tj_decision_rule *tj_decisions_match(const struct tj_decisions *d, const struct seccomp_data *data)
{
	for (size_t i = 0; d && i < d->nrules; i++)
		if (tj_explain_rule_matches(&d->rules[i].rule, data))
			return &d->rules[i];
	return NULL;
}

static bool same_args(const struct tj_arg *a, size_t na, const struct tj_arg *b, size_t nb)
{
	if (na != nb)
		return false;
	for (size_t i = 0; i < na; i++)
		if (a[i].index != b[i].index || a[i].value != b[i].value || a[i].value_two != b[i].value_two ||
		    a[i].op != b[i].op)
			return false;
	return true;
}

bool tj_memory_add(struct tj_memory *m, const struct seccomp_data *data, const struct tj_decision *d,
		   const struct tj_arg *args, size_t nargs, const char *why)
{
	for (size_t i = 0; i < m->n; i++) {
		const struct tj_learned *l = &m->v[i];
		if (l->arch == data->arch && l->nr == data->nr && same_args(l->args, l->nargs, args, nargs))
			return false;
	}
	tj_xreserve((void **)&m->v, &m->cap, m->n + 1, sizeof(*m->v));
	struct tj_learned *l = &m->v[m->n++];
	memset(l, 0, sizeof(*l));
	char name[64];
	tj_syscall_name(data->arch, data->nr, name, sizeof(name));
	l->name = tj_xstrdup(name);
	l->arch = data->arch;
	l->nr = data->nr;
	l->d = *d;
	if (nargs) {
		l->args = tj_xcalloc(nargs, sizeof(*args));
		memcpy(l->args, args, nargs * sizeof(*args));
		l->nargs = nargs;
	}
	l->why = tj_xstrdup(why ? why : "");
	return true;
}

const struct tj_learned *tj_memory_find(const struct tj_memory *m, const struct seccomp_data *data)
{
	for (size_t i = 0; i < m->n; i++) {
		const struct tj_learned *l = &m->v[i];
		if (l->arch != data->arch || l->nr != data->nr)
			continue;
		if (l->nargs == 0)
			return l;
		struct tj_rule r = {.args = l->args, .nargs = l->nargs};
		tj_strv_add(&r.names, l->name);
		bool match = tj_explain_rule_matches(&r, data);
		tj_strv_done(&r.names);
		if (match)
			return l;
	}
	return NULL;
}

void tj_memory_done(struct tj_memory *m)
{
	for (size_t i = 0; i < m->n; i++) {
		free(m->v[i].name);
		free(m->v[i].args);
		free(m->v[i].why);
	}
	free(m->v);
	memset(m, 0, sizeof(*m));
}

enum tj_action tj_decision_action(const struct tj_decision *d)
{
	switch (d->kind) {
	case TJ_DECIDE_ALLOW: return TJ_ACT_ALLOW;
	case TJ_DECIDE_DENY: return TJ_ACT_ERRNO;
	default: return TJ_ACT_KILL_PROCESS;
	}
}
