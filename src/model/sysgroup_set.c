/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Sets of syscalls built from groups and names (sysgroups.h): a hash
 * index over a vector in insertion order, nested groups walked with the
 * way each name came in ("via"), argument-constrained members kept apart.
 * The group data itself is sysgroups.c's.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tj/base/util.h"
#include "tj/model/sysgroups.h"

/* Nested groups go at most this deep; the tests keep the data far below. */
#define MAX_DEPTH 8

static size_t hash_name(const char *s)
{
	size_t h = 2166136261u; /* FNV-1a */
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

/* The slot for name: the one holding it, or the empty one where it goes. */
static size_t *set_slot(const struct tj_sysgroup_set *set, const char *name)
{
	size_t i = hash_name(name) & (set->nslots - 1);
	while (set->slots[i] && strcmp(set->v[set->slots[i] - 1].name, name) != 0)
		i = (i + 1) & (set->nslots - 1);
	return &set->slots[i];
}

/* Rebuilds the index, at least twice as large as the set. */
static void set_reindex(struct tj_sysgroup_set *set)
{
	size_t want = 64;
	while (want < 2 * (set->n + 1))
		want *= 2;
	if (want != set->nslots) {
		free(set->slots);
		set->slots = tj_xmalloc(want * sizeof(*set->slots));
		set->nslots = want;
	}
	memset(set->slots, 0, set->nslots * sizeof(*set->slots));
	for (size_t i = 0; i < set->n; i++)
		*set_slot(set, set->v[i].name) = i + 1;
}

static struct tj_sysgroup_syscall *set_lookup(const struct tj_sysgroup_set *set, const char *name)
{
	if (!set->nslots)
		return NULL;
	size_t at = *set_slot(set, name);
	return at ? &set->v[at - 1] : NULL;
}

const struct tj_sysgroup_syscall *tj_sysgroup_set_find(const struct tj_sysgroup_set *set, const char *name)
{
	return set_lookup(set, name);
}

static void add_constrained_way(struct tj_sysgroup_syscall *e, const struct tj_sysgroup_member *m, const char *via,
				size_t origin)
{
	size_t n = e->nconstrained + 1;
	e->constrained = tj_xrealloc(e->constrained, n * sizeof(*e->constrained));
	e->constrained_origin = tj_xrealloc(e->constrained_origin, n * sizeof(*e->constrained_origin));
	e->constrained_via = tj_xrealloc(e->constrained_via, n * sizeof(*e->constrained_via));
	e->constrained[e->nconstrained] = m;
	e->constrained_origin[e->nconstrained] = origin;
	e->constrained_via[e->nconstrained] = via ? tj_xstrdup(via) : NULL;
	e->nconstrained = n;
}

static void free_constrained(struct tj_sysgroup_syscall *e)
{
	for (size_t i = 0; i < e->nconstrained; i++)
		free(e->constrained_via[i]);
	free(e->constrained);
	free(e->constrained_origin);
	free(e->constrained_via);
	e->constrained = NULL;
	e->constrained_origin = NULL;
	e->constrained_via = NULL;
	e->nconstrained = 0;
}

/* Adds one syscall reached through member m (NULL: named directly).  A way
 * without constraints absorbs the constrained ones, and then names the
 * provenance, since that way is the one that decides. */
static void set_add(struct tj_sysgroup_set *set, const char *name, const struct tj_sysgroup_member *m, const char *via,
		    size_t origin)
{
	bool any = !m || !m->alts;
	struct tj_sysgroup_syscall *e = set_lookup(set, name);
	if (!e) {
		if (2 * (set->n + 1) > set->nslots)
			set_reindex(set);
		tj_xreserve((void **)&set->v, &set->cap, set->n + 1, sizeof(*set->v));
		*set_slot(set, name) = set->n + 1;
		e = &set->v[set->n++];
		*e = (struct tj_sysgroup_syscall){.name = name,
						  .origin = origin,
						  .via = via ? tj_xstrdup(via) : NULL,
						  .any_args = any};
		if (!any)
			add_constrained_way(e, m, via, origin);
		return;
	}
	if (e->any_args)
		return;
	if (any) {
		free_constrained(e);
		free(e->via);
		e->any_args = true;
		e->origin = origin;
		e->via = via ? tj_xstrdup(via) : NULL;
		return;
	}
	for (size_t i = 0; i < e->nconstrained; i++)
		if (e->constrained[i] == m)
			return;
	add_constrained_way(e, m, via, origin);
}

static size_t walk(struct tj_sysgroup_set *set, const struct tj_sysgroup *g, const char *via, size_t origin, int depth)
{
	size_t count = 0;
	if (depth > MAX_DEPTH)
		return 0;
	for (size_t i = 0; i < g->nmembers; i++) {
		const struct tj_sysgroup_member *m = &g->members[i];
		if (m->name[0] != '@') {
			set_add(set, m->name, m, via, origin);
			count++;
			continue;
		}
		const struct tj_sysgroup *sub = tj_sysgroup_find(m->name);
		if (!sub)
			continue; /* the data tests rule this out */
		char *sub_via = tj_xasprintf("%s > %s", via, sub->name);
		count += walk(set, sub, sub_via, origin, depth + 1);
		free(sub_via);
	}
	return count;
}

size_t tj_sysgroup_set_add_group(struct tj_sysgroup_set *set, const struct tj_sysgroup *g, size_t origin)
{
	return walk(set, g, g->name, origin, 0);
}

void tj_sysgroup_set_add_name(struct tj_sysgroup_set *set, const char *name, size_t origin)
{
	set_add(set, name, NULL, NULL, origin);
}

bool tj_sysgroup_set_remove(struct tj_sysgroup_set *set, const char *name)
{
	struct tj_sysgroup_syscall *e = set_lookup(set, name);
	if (!e)
		return false;
	free(e->via);
	free_constrained(e);
	size_t k = (size_t)(e - set->v);
	memmove(e, e + 1, (set->n - k - 1) * sizeof(*e));
	set->n--;
	set_reindex(set); /* the entries after k moved */
	return true;
}

void tj_sysgroup_set_done(struct tj_sysgroup_set *set)
{
	for (size_t i = 0; i < set->n; i++) {
		free(set->v[i].via);
		free_constrained(&set->v[i]);
	}
	free(set->v);
	free(set->slots);
	*set = (struct tj_sysgroup_set){0};
}
