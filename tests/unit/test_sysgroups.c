/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The syscall group data (src/model/sysgroups.c): sorted, unique, every name known
 * to the compiler, no cycles, a meaning and a risk for each group, systemd's
 * sets exactly as systemd 252 prints them (tests/fixtures/systemd/), and the
 * flattening that expansion and `tinyjail groups` use.
 */
#include "unit.h"

#include <ctype.h>
#include <linux/audit.h>

#include "tj/base/util.h"
#include "tj/filter/filter.h"
#include "tj/model/sysgroups.h"

#define SYSTEMD_SNAPSHOT TJ_FIXTURES "/systemd/syscall-filter-252.txt"

/* Syscalls newer than systemd 252's list, and where tinyjail puts them
 * (notes/groups.md).  Everything else in a systemd-named group must match
 * the snapshot exactly. */
static const struct {
	const char *group, *name;
} newer[] = {
	{"@default", "futex_requeue"},
	{"@default", "futex_wait"},
	{"@default", "futex_wake"},
	{"@default", "map_shadow_stack"},
	{"@default", "mseal"},
	{"@file-system", "file_getattr"},
	{"@file-system", "file_setattr"},
	{"@file-system", "getxattrat"},
	{"@file-system", "listmount"},
	{"@file-system", "listxattrat"},
	{"@file-system", "removexattrat"},
	{"@file-system", "setxattrat"},
	{"@file-system", "statmount"},
	{"@mount", "open_tree_attr"},
	{"@process", "process_mrelease"},
	{"@system-service", "cachestat"},
	{"@system-service", "lsm_get_self_attr"},
	{"@system-service", "lsm_list_modules"},
	{"@system-service", "lsm_set_self_attr"},
};

static void test_sorted_unique_named(void **state)
{
	(void)state;
	size_t n;
	const struct tj_sysgroup *g = tj_sysgroups(&n);
	assert_true(n >= 40);
	for (size_t i = 0; i < n; i++) {
		if (i > 0 && strcmp(g[i - 1].name, g[i].name) >= 0)
			fail_msg("groups out of order: %s before %s", g[i - 1].name, g[i].name);
		/* "@" then lower-case words joined by '-' */
		assert_int_equal(g[i].name[0], '@');
		for (const char *c = g[i].name + 1; *c; c++)
			if (!islower((unsigned char)*c) && *c != '-' && !isdigit((unsigned char)*c))
				fail_msg("%s: bad character in the name", g[i].name);
		assert_true(g[i].nmembers > 0);
		for (size_t k = 1; k < g[i].nmembers; k++)
			if (strcmp(g[i].members[k - 1].name, g[i].members[k].name) >= 0)
				fail_msg("%s: %s before %s (unsorted or repeated)", g[i].name, g[i].members[k - 1].name,
					 g[i].members[k].name);
		assert_ptr_equal(tj_sysgroup_find(g[i].name), &g[i]);
	}
	assert_null(tj_sysgroup_find("@no-such-group"));
	assert_null(tj_sysgroup_find("aio"));
	const char *const *names = tj_sysgroup_names();
	size_t count = 0;
	while (names[count])
		count++;
	assert_int_equal(count, n);
}

static void test_meaning_and_risk(void **state)
{
	(void)state;
	size_t n;
	const struct tj_sysgroup *g = tj_sysgroups(&n);
	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(g[i].meaning);
		if (len < 10 || len > 110 || strchr(g[i].meaning, '\n') || g[i].meaning[len - 1] == '.')
			fail_msg("%s: the meaning must be one line of 10-110 characters without a final period",
				 g[i].name);
		assert_true(g[i].risk < _TJ_RISK_MAX);
		assert_string_not_equal(tj_risk_name(g[i].risk), "?");
	}
	assert_string_equal(tj_risk_name(TJ_RISK_BASELINE), "baseline");
	assert_string_equal(tj_risk_name(TJ_RISK_DANGEROUS), "dangerous");
	/* A few risks that must not drift. */
	assert_int_equal(tj_sysgroup_find("@memory-exec")->risk, TJ_RISK_DANGEROUS);
	assert_int_equal(tj_sysgroup_find("@kernel-surface")->risk, TJ_RISK_DANGEROUS);
	assert_int_equal(tj_sysgroup_find("@basic-io")->risk, TJ_RISK_BASELINE);
}

/* Every syscall member resolves to an x86_64 number through the
 * compiler's own resolver; every nested group exists. */
static void test_names_known(void **state)
{
	(void)state;
	size_t n;
	const struct tj_sysgroup *g = tj_sysgroups(&n);
	for (size_t i = 0; i < n; i++) {
		for (size_t k = 0; k < g[i].nmembers; k++) {
			const char *name = g[i].members[k].name;
			int nr;
			if (name[0] == '@') {
				if (!tj_sysgroup_find(name) || strcmp(name, g[i].name) == 0)
					fail_msg("%s: nested group %s does not exist or is itself", g[i].name, name);
			} else if (tj_syscall_resolve(name, &nr) != TJ_SYSCALL_NATIVE) {
				fail_msg("%s: '%s' is not an x86_64 syscall known to the compiler", g[i].name, name);
			}
		}
	}
}

/* Depth-first search with colours: grey on the stack, black done. */
static bool cycle_from(const struct tj_sysgroup *g, int *colour, const struct tj_sysgroup *base)
{
	size_t at = (size_t)(g - base);
	if (colour[at] == 1)
		return true;
	if (colour[at] == 2)
		return false;
	colour[at] = 1;
	for (size_t k = 0; k < g->nmembers; k++)
		if (g->members[k].name[0] == '@' && cycle_from(tj_sysgroup_find(g->members[k].name), colour, base))
			return true;
	colour[at] = 2;
	return false;
}

static void test_no_cycles(void **state)
{
	(void)state;
	size_t n;
	const struct tj_sysgroup *g = tj_sysgroups(&n);
	int *colour = calloc(n, sizeof(*colour));
	for (size_t i = 0; i < n; i++)
		if (cycle_from(&g[i], colour, g))
			fail_msg("a cycle through %s", g[i].name);
	free(colour);
}

/* Constrained members: well-formed alternatives the compiler will take. */
static void test_constraints(void **state)
{
	(void)state;
	size_t n, constrained = 0;
	const struct tj_sysgroup *g = tj_sysgroups(&n);
	for (size_t i = 0; i < n; i++) {
		for (size_t k = 0; k < g[i].nmembers; k++) {
			const struct tj_sysgroup_member *m = &g[i].members[k];
			if (!m->alts) {
				assert_int_equal(m->nalts, 0);
				assert_null(m->when);
				continue;
			}
			constrained++;
			assert_non_null(m->when);
			assert_true(m->nalts > 0);
			assert_true(m->name[0] != '@');
			for (size_t a = 0; a < m->nalts; a++) {
				unsigned seen = 0;
				assert_true(m->alts[a].nargs >= 1 && m->alts[a].nargs <= TJ_SYSCALL_ARGS);
				for (size_t j = 0; j < m->alts[a].nargs; j++) {
					const struct tj_arg *arg = &m->alts[a].args[j];
					assert_true(arg->index < TJ_SYSCALL_ARGS);
					/* a repeated index would turn the AND into Docker's OR */
					assert_false(seen & (1u << arg->index));
					seen |= 1u << arg->index;
					assert_true(arg->op >= TJ_CMP_NE && arg->op < _TJ_CMP_MAX);
					if (arg->op == TJ_CMP_MASKED_EQ)
						assert_int_equal(arg->value_two & ~arg->value, 0);
					else
						assert_int_equal(arg->value_two, 0);
					/* 64-bit compares of int arguments can be dodged */
					if (arg->op == TJ_CMP_MASKED_EQ)
						assert_true(arg->value <= 0xffffffffu);
				}
			}
		}
	}
	assert_true(constrained >= 10);
}

/* --- systemd --- */

struct sd_group {
	char name[64];
	struct tj_strv members;
};

static size_t parse_snapshot(struct sd_group *out, size_t max)
{
	FILE *f = fopen(SYSTEMD_SNAPSHOT, "r");
	assert_non_null(f);
	char line[256];
	size_t n = 0;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		if (line[0] == '@') {
			assert_true(n < max);
			memset(&out[n], 0, sizeof(out[n]));
			snprintf(out[n].name, sizeof(out[n].name), "%.63s", line);
			n++;
		} else if (n && line[0] == ' ') {
			const char *s = line + strspn(line, " ");
			if (*s && *s != '#')
				tj_strv_add(&out[n - 1].members, s);
		} else if (line[0] == '#' && n) {
			break; /* the "ungrouped" list at the end */
		}
	}
	fclose(f);
	return n;
}

static bool is_newer(const char *group, const char *name)
{
	for (size_t i = 0; i < TJ_ARRAY_SIZE(newer); i++)
		if (!strcmp(newer[i].group, group) && !strcmp(newer[i].name, name))
			return true;
	return false;
}

static bool has_member(const struct tj_sysgroup *g, const char *name)
{
	for (size_t k = 0; k < g->nmembers; k++)
		if (!strcmp(g->members[k].name, name))
			return true;
	return false;
}

static void test_systemd_sets(void **state)
{
	(void)state;
	struct sd_group sd[40];
	size_t n = parse_snapshot(sd, TJ_ARRAY_SIZE(sd));
	assert_int_equal(n, 29); /* systemd 252: 28 sets and @known */
	size_t ng, systemd_groups = 0;
	const struct tj_sysgroup *g = tj_sysgroups(&ng);
	for (size_t i = 0; i < ng; i++)
		systemd_groups += g[i].systemd;
	assert_int_equal(systemd_groups, n);
	for (size_t i = 0; i < n; i++) {
		const struct tj_sysgroup *t = tj_sysgroup_find(sd[i].name);
		if (!t || !t->systemd)
			fail_msg("systemd's %s is missing or not marked systemd", sd[i].name);
		if (!strcmp(sd[i].name, "@known"))
			continue; /* all architectures there; tinyjail's is x86_64 (below) */
		/* systemd -> tinyjail: every x86_64 name and nested set */
		for (size_t k = 0; k < sd[i].members.n; k++) {
			const char *name = sd[i].members.v[k];
			int nr;
			bool wanted = name[0] == '@' || tj_syscall_resolve(name, &nr) == TJ_SYSCALL_NATIVE;
			if (wanted != has_member(t, name))
				fail_msg("%s: '%s' %s", t->name, name,
					 wanted ? "is missing" : "is not x86_64 but listed");
		}
		/* tinyjail -> systemd: nothing else but the newer syscalls */
		for (size_t k = 0; k < t->nmembers; k++) {
			const char *name = t->members[k].name;
			assert_null(t->members[k].alts);
			if (!tj_strv_contains(&sd[i].members, name) && !is_newer(t->name, name))
				fail_msg("%s: '%s' is not in systemd 252's set", t->name, name);
		}
	}
	/* The newer syscalls really are unknown to systemd 252's sets. */
	for (size_t i = 0; i < TJ_ARRAY_SIZE(newer); i++) {
		assert_true(has_member(tj_sysgroup_find(newer[i].group), newer[i].name));
		for (size_t j = 0; j < n; j++)
			if (tj_strv_contains(&sd[j].members, newer[i].name) && strcmp(sd[j].name, "@known") != 0)
				fail_msg("'%s' is in systemd 252's %s after all", newer[i].name, sd[j].name);
	}
	for (size_t i = 0; i < n; i++)
		tj_strv_done(&sd[i].members);
}

/* @known is every x86_64 syscall the compiler can name, and holds every
 * member of every other group. */
static void test_known_complete(void **state)
{
	(void)state;
	const struct tj_sysgroup *known = tj_sysgroup_find("@known");
	size_t found = 0;
	for (int nr = 0; nr < 1024; nr++) {
		char name[64];
		tj_syscall_name(AUDIT_ARCH_X86_64, nr, name, sizeof(name));
		if (!strncmp(name, "syscall_", 8))
			continue;
		found++;
		if (!has_member(known, name))
			fail_msg("@known lacks '%s' (%d)", name, nr);
	}
	assert_int_equal(found, known->nmembers);
	const char *const *names = tj_known_syscall_names();
	assert_string_equal(names[0], known->members[0].name);
	assert_null(names[known->nmembers]);
	size_t n;
	const struct tj_sysgroup *g = tj_sysgroups(&n);
	for (size_t i = 0; i < n; i++) {
		struct tj_sysgroup_set set = {0};
		tj_sysgroup_set_add_group(&set, &g[i], 0);
		for (size_t k = 0; k < set.n; k++)
			if (!has_member(known, set.v[k].name))
				fail_msg("%s: '%s' is not in @known", g[i].name, set.v[k].name);
		tj_sysgroup_set_done(&set);
	}
}

/* --- flattening --- */

static void test_flatten(void **state)
{
	(void)state;
	struct tj_sysgroup_set set = {0};
	const struct tj_sysgroup *priv = tj_sysgroup_find("@privileged");
	size_t added = tj_sysgroup_set_add_group(&set, priv, 7);
	assert_int_equal(set.n, tj_sysgroup_size(priv));
	assert_true(added >= set.n);
	const struct tj_sysgroup_syscall *e = tj_sysgroup_set_find(&set, "fchownat");
	assert_non_null(e);
	assert_string_equal(e->via, "@privileged > @chown");
	assert_int_equal(e->origin, 7);
	assert_true(e->any_args);
	assert_string_equal(tj_sysgroup_set_find(&set, "bpf")->via, "@privileged");
	assert_true(tj_sysgroup_set_remove(&set, "bpf"));
	assert_false(tj_sysgroup_set_remove(&set, "bpf"));
	assert_null(tj_sysgroup_set_find(&set, "bpf"));
	tj_sysgroup_set_done(&set);

	/* Two ways, both constrained: the union of their members. */
	tj_sysgroup_set_add_group(&set, tj_sysgroup_find("@threads"), 0);
	tj_sysgroup_set_add_group(&set, tj_sysgroup_find("@spawn"), 1);
	e = tj_sysgroup_set_find(&set, "clone");
	assert_false(e->any_args);
	assert_int_equal(e->nconstrained, 2);
	assert_string_equal(e->via, "@threads");
	/* A way without constraints absorbs them, and names the provenance. */
	tj_sysgroup_set_add_name(&set, "clone", 5);
	e = tj_sysgroup_set_find(&set, "clone");
	assert_true(e->any_args);
	assert_int_equal(e->nconstrained, 0);
	assert_null(e->via);
	assert_int_equal(e->origin, 5);
	/* ... and stays unconstrained. */
	tj_sysgroup_set_add_group(&set, tj_sysgroup_find("@namespaces"), 6);
	assert_true(tj_sysgroup_set_find(&set, "clone")->any_args);
	tj_sysgroup_set_done(&set);

	/* @memory then @memory-exec: mmap without constraints, via the latter. */
	tj_sysgroup_set_add_group(&set, tj_sysgroup_find("@memory"), 0);
	assert_false(tj_sysgroup_set_find(&set, "mmap")->any_args);
	assert_int_equal(tj_sysgroup_set_find(&set, "mmap")->constrained[0]->nalts, 2);
	tj_sysgroup_set_add_group(&set, tj_sysgroup_find("@memory-exec"), 1);
	assert_true(tj_sysgroup_set_find(&set, "mmap")->any_args);
	assert_string_equal(tj_sysgroup_set_find(&set, "mmap")->via, "@memory-exec");
	assert_true(tj_sysgroup_set_find(&set, "brk")->any_args);
	tj_sysgroup_set_done(&set);

	/* Sizes count nested groups once per syscall. */
	assert_int_equal(tj_sysgroup_size(tj_sysgroup_find("@network-client")), 14);
	assert_int_equal(tj_sysgroup_size(tj_sysgroup_find("@chown")), 4);
	assert_true(tj_sysgroup_size(tj_sysgroup_find("@system-service")) > 250);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sorted_unique_named), cmocka_unit_test(test_meaning_and_risk),
		cmocka_unit_test(test_names_known),	    cmocka_unit_test(test_no_cycles),
		cmocka_unit_test(test_constraints),	    cmocka_unit_test(test_systemd_sets),
		cmocka_unit_test(test_known_complete),	    cmocka_unit_test(test_flatten),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
