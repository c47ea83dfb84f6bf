/* SPDX-License-Identifier: Apache-2.0 */
/* Syscall groups and exclusions in profile rules -> plain syscall rules. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "tj/filter/expand.h"
#include "tj/filter/filter.h"
#include "tj/model/sysgroups.h"

bool tj_name_is_group_syntax(const char *name)
{
	return name[0] == '@' || name[0] == '!';
}

static bool rule_uses_groups(const struct tj_rule *r)
{
	for (size_t k = 0; k < r->names.n; k++)
		if (tj_name_is_group_syntax(r->names.v[k]))
			return true;
	return false;
}

static char *entry_path(const struct tj_rule *r, size_t j)
{
	return r->singular_name ? tj_xasprintf("%s.name", r->json_path)
				: tj_xasprintf("%s.names[%zu]", r->json_path, j);
}

__attribute__((format(printf, 5, 6))) static int fail_at(struct tj_err **err, const char *file, const struct tj_rule *r,
							 size_t j, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	tj_err_setv(err, TJ_ERR_PROFILE, 0, fmt, ap);
	va_end(ap);
	char *path = entry_path(r, j);
	tj_err_at(err, file, path);
	free(path);
	return -1;
}

static int unknown_group(struct tj_err **err, const char *file, const struct tj_rule *r, size_t j, const char *name)
{
	const char *hint = tj_suggest(name, tj_sysgroup_names());
	if (hint)
		fail_at(err, file, r, j, "unknown syscall group '%s' (did you mean '%s'?)", name, hint);
	else
		fail_at(err, file, r, j, "unknown syscall group '%s'", name);
	return tj_err_hint(err, "'tinyjail groups' lists the groups");
}

/* Checks an exclusion ("!x") names a group or a syscall that exists. */
static int check_exclusion(const char *file, const struct tj_rule *r, size_t j, struct tj_err **err)
{
	const char *what = r->names.v[j] + 1;
	int nr;
	if (!*what || (what[0] == '!'))
		return fail_at(err, file, r, j, "'%s' is not an exclusion: write '!' and a syscall or group name",
			       r->names.v[j]);
	if (what[0] == '@')
		return tj_sysgroup_find(what) ? 0 : unknown_group(err, file, r, j, what);
	if (tj_syscall_resolve(what, &nr) != TJ_SYSCALL_UNKNOWN)
		return 0;
	const char *hint = tj_suggest(what, tj_known_syscall_names());
	if (hint)
		fail_at(err, file, r, j, "unknown syscall '%s' in an exclusion (did you mean '%s'?)", what, hint);
	else
		fail_at(err, file, r, j, "unknown syscall '%s' in an exclusion", what);
	return tj_err_hint(err, "an exclusion that names nothing would leave the syscall you meant in the rule");
}

/* Collects the positive entries of r into set; exclusions are checked. */
static int collect(const struct tj_rule *r, const char *file, struct tj_sysgroup_set *set, bool *has_exclusions,
		   struct tj_err **err)
{
	size_t ngroups;
	const struct tj_sysgroup *base = tj_sysgroups(&ngroups);
	/* A group named twice adds nothing the second time. */
	bool *added = tj_xcalloc(ngroups, sizeof(*added));
	int ret = 0;
	for (size_t j = 0; j < r->names.n && ret == 0; j++) {
		const char *name = r->names.v[j];
		const struct tj_sysgroup *g = name[0] == '@' ? tj_sysgroup_find(name) : NULL;
		if (name[0] == '!') {
			*has_exclusions = true;
			ret = check_exclusion(file, r, j, err);
		} else if (name[0] == '@' && !g) {
			ret = unknown_group(err, file, r, j, name);
		} else if (g && !added[g - base]) {
			added[g - base] = true;
			tj_sysgroup_set_add_group(set, g, j);
		} else if (!g) {
			tj_sysgroup_set_add_name(set, name, j);
		}
	}
	free(added);
	if (ret == 0 && set->n == 0 && *has_exclusions)
		return fail_at(err, file, r, 0,
			       "this rule only excludes: name the syscalls or groups to take them from");
	return ret;
}

/* Takes the excluded syscalls out of set; an exclusion that removes
 * nothing is probably a mistake, so it is reported. */
static void apply_exclusions(const struct tj_rule *r, struct tj_sysgroup_set *set, struct tj_notes *warnings)
{
	for (size_t j = 0; j < r->names.n; j++) {
		const char *name = r->names.v[j];
		if (name[0] != '!')
			continue;
		size_t removed = 0;
		const struct tj_sysgroup *g = name[1] == '@' ? tj_sysgroup_find(name + 1) : NULL;
		if (g) {
			struct tj_sysgroup_set out = {0};
			tj_sysgroup_set_add_group(&out, g, 0);
			for (size_t i = 0; i < out.n; i++)
				removed += tj_sysgroup_set_remove(set, out.v[i].name);
			tj_sysgroup_set_done(&out);
		} else {
			removed = tj_sysgroup_set_remove(set, name + 1);
		}
		if (!removed) {
			char *path = entry_path(r, j);
			tj_notes_add(warnings, path, "'%s' excludes nothing: no other entry of this rule includes it",
				     name);
			free(path);
		}
	}
}

static void add_name_from(struct tj_rule *r, const char *name, size_t origin, const char *via)
{
	tj_strv_add(&r->names, name);
	r->origins = tj_xrealloc(r->origins, r->names.n * sizeof(*r->origins));
	r->origins[r->names.n - 1] = (struct tj_name_origin){.index = origin, .via = via ? tj_xstrdup(via) : NULL};
}

static void add_name(struct tj_rule *r, const struct tj_sysgroup_syscall *e)
{
	add_name_from(r, e->name, e->origin, e->via);
}

/* A copy of r's action, conditions and path with no names and no args. */
static void empty_copy(struct tj_rule *dst, const struct tj_rule *r)
{
	tj_rule_copy(dst, r);
	for (size_t i = 0; dst->origins && i < dst->names.n; i++)
		free(dst->origins[i].via);
	free(dst->origins);
	dst->origins = NULL;
	tj_strv_done(&dst->names);
	free(dst->args);
	dst->args = NULL;
	dst->nargs = 0;
}

struct rules {
	struct tj_rule *v;
	size_t n, cap;
};

static struct tj_rule *push(struct rules *out)
{
	tj_xreserve((void **)&out->v, &out->cap, out->n + 1, sizeof(*out->v));
	return memset(&out->v[out->n++], 0, sizeof(*out->v));
}

/* One rule per permitted alternative of a constrained member. */
static void add_constrained(struct rules *out, const struct tj_rule *r, const struct tj_sysgroup_syscall *e)
{
	for (size_t c = 0; c < e->nconstrained; c++) {
		const struct tj_sysgroup_member *m = e->constrained[c];
		for (size_t a = 0; a < m->nalts; a++) {
			struct tj_rule *sub = push(out);
			empty_copy(sub, r);
			/* Each way keeps the group it came through. */
			add_name_from(sub, e->name, e->constrained_origin[c], e->constrained_via[c]);
			sub->nargs = m->alts[a].nargs;
			sub->args = tj_xcalloc(sub->nargs, sizeof(*sub->args));
			memcpy(sub->args, m->alts[a].args, sub->nargs * sizeof(*sub->args));
		}
	}
}

static int expand_rule(const struct tj_rule *r, const char *file, struct rules *out, struct tj_notes *warnings,
		       struct tj_err **err)
{
	struct tj_sysgroup_set set = {0};
	bool has_exclusions = false;
	int ret = collect(r, file, &set, &has_exclusions, err);
	if (ret == 0) {
		apply_exclusions(r, &set, warnings);
		if (set.n == 0)
			tj_notes_add(warnings, r->json_path,
				     "no syscalls left after the exclusions: the rule has no effect");
	}
	for (size_t i = 0; ret == 0 && i < set.n; i++) {
		const struct tj_sysgroup_syscall *e = &set.v[i];
		if (!e->any_args && r->nargs)
			ret = fail_at(err, file, r, e->origin,
				      "'%s' comes from %s with argument checks of its own, which cannot be combined with this "
				      "rule's args",
				      e->name, e->via);
	}
	if (ret < 0) {
		tj_sysgroup_set_done(&set);
		return tj_err_hint(err, "use the group in a rule without args, or list the syscalls by name");
	}
	struct tj_rule *main_rule = push(out);
	empty_copy(main_rule, r);
	main_rule->nargs = r->nargs;
	main_rule->args = r->nargs ? tj_xcalloc(r->nargs, sizeof(*r->args)) : NULL;
	if (r->nargs)
		memcpy(main_rule->args, r->args, r->nargs * sizeof(*r->args));
	main_rule->origins = tj_xcalloc(1, sizeof(*main_rule->origins));
	for (size_t i = 0; i < set.n; i++)
		if (set.v[i].any_args)
			add_name(main_rule, &set.v[i]);
	for (size_t i = 0; i < set.n; i++)
		if (!set.v[i].any_args)
			add_constrained(out, r, &set.v[i]);
	tj_sysgroup_set_done(&set);
	return 0;
}

int tj_expand_groups(struct tj_seccomp *s, const char *file, struct tj_notes *warnings, struct tj_err **err)
{
	struct rules out = {0};
	int ret = 0;
	for (size_t i = 0; i < s->nrules && ret == 0; i++) {
		struct tj_rule *r = &s->rules[i];
		if (!rule_uses_groups(r)) {
			*push(&out) = *r; /* moved, not copied */
			memset(r, 0, sizeof(*r));
			continue;
		}
		ret = expand_rule(r, file, &out, warnings, err);
	}
	if (ret < 0) {
		/* The rules moved out are freed here; s keeps zeroed slots
		 * for them, which free as nothing. */
		for (size_t i = 0; i < out.n; i++)
			tj_rule_done(&out.v[i]);
		free(out.v);
		return -1;
	}
	for (size_t i = 0; i < s->nrules; i++)
		tj_rule_done(&s->rules[i]);
	free(s->rules);
	s->rules = out.v ? out.v : tj_xcalloc(1, sizeof(*s->rules));
	s->nrules = out.n;
	return 0;
}
