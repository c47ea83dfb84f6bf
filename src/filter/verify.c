/* SPDX-License-Identifier: Apache-2.0 */
/* A compiled program checked against its rules (verify.h). */
#include <linux/audit.h>
#include <stdlib.h>
#include <string.h>

#include "tj/base/util.h"
#include "tj/filter/bpfsim.h"
#include "tj/filter/explain.h"
#include "tj/filter/filter.h"
#include "tj/filter/verify.h"

#define X32_BIT 0x40000000u
#define ARGS 6
#define NUMBERS 600 /* syscall numbers tried on each ABI: all of them (x32 ends at 547), with room */

static void expect(struct tj_expected *e, uint32_t value)
{
	for (size_t i = 0; i < e->n; i++)
		if (e->v[i] == value)
			return;
	if (e->n < TJ_EXPECTED_MAX)
		e->v[e->n++] = value;
}

static uint32_t own_value(const void *ctx, const struct seccomp_data *d, enum tj_action a, unsigned errno_ret,
			  bool is_default)
{
	(void)ctx, (void)d, (void)is_default;
	return tj_filter_action_value(a, errno_ret);
}

static const struct tj_verify_actions own_actions = {.value = own_value, .bad_arch = SECCOMP_RET_KILL_PROCESS};

/* The rules that name the syscall of d (by its name on d's ABI, as
 * explain.c finds them), minus those equal to the default. */
struct rule_list {
	const struct tj_rule **v;
	size_t n;
};

static void rules_naming(const struct tj_seccomp *s, const char *name, struct rule_list *out)
{
	out->v = tj_xcalloc(s->nrules ? s->nrules : 1, sizeof(*out->v));
	out->n = 0;
	for (size_t i = 0; i < s->nrules; i++)
		if (!tj_rule_equals_default(s, &s->rules[i]) && tj_strv_contains(&s->rules[i].names, name))
			out->v[out->n++] = &s->rules[i];
}

static void expected_from(const struct tj_seccomp *s, const struct tj_verify_actions *acts,
			  const struct seccomp_data *d, const struct rule_list *rules, struct tj_expected *out)
{
	memset(out, 0, sizeof(*out));
	if (!tj_explain_abi_listed(s, d)) {
		expect(out, acts->bad_arch);
		return;
	}
	bool abi32 = d->arch == AUDIT_ARCH_I386 || ((uint32_t)d->nr & X32_BIT);
	uint32_t def = acts->value(acts->ctx, d, s->default_action, tj_seccomp_effective_default_errno(s), true);
	struct tj_expected unconditional = {.n = 0}, conditional = {.n = 0};
	for (size_t i = 0; i < rules->n; i++) {
		const struct tj_rule *r = rules->v[i];
		uint32_t value = acts->value(acts->ctx, d, r->action, tj_rule_effective_errno(r), false);
		if (value == def || !tj_explain_args_match(r, d, abi32))
			continue;
		expect(r->nargs ? &conditional : &unconditional, value);
	}
	if (unconditional.n)
		*out = unconditional;
	else if (conditional.n)
		*out = conditional;
	else
		expect(out, def);
}

void tj_verify_expected(const struct tj_seccomp *s, const struct tj_verify_actions *acts, const struct seccomp_data *d,
			struct tj_expected *out)
{
	if (!acts)
		acts = &own_actions;
	char name[64];
	tj_syscall_name(d->arch, d->nr, name, sizeof(name));
	struct rule_list rules;
	rules_naming(s, name, &rules);
	expected_from(s, acts, d, &rules, out);
	free(rules.v);
}

/* Values worth trying for one argument, without repeats. */
struct pool {
	uint64_t *v;
	size_t n, cap;
};

static void pool_add(struct pool *p, uint64_t v)
{
	for (size_t i = 0; i < p->n; i++)
		if (p->v[i] == v)
			return;
	if (p->n == p->cap) {
		p->cap = p->cap ? 2 * p->cap : 16;
		p->v = tj_xrealloc(p->v, p->cap * sizeof(*p->v));
	}
	p->v[p->n++] = v;
}

/* The values for argument `index` that the rules' comparisons make worth
 * trying: each datum and what a mask keeps first, then neighbours in both
 * words and one bit off a mask, then the edges; a lone 0 when no rule
 * checks it.  narrow: an x86 call, whose arguments the kernel passes as 32
 * bits. */
static void arg_values(const struct tj_rule *const *rules, size_t nrules, unsigned index, bool narrow, struct pool *p)
{
	p->n = 0;
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < nrules; i++) {
			for (size_t k = 0; k < rules[i]->nargs; k++) {
				const struct tj_arg *a = &rules[i]->args[k];
				if (a->index != index)
					continue;
				uint64_t d = a->value, kept = a->value_two & d, hi = d >> 32;
				const uint64_t primary[] = {d, kept};
				const uint64_t around[] = {d + 1,
							   d - 1,
							   d ^ 0x100000000ull,
							   d ^ 0xffffffff00000000ull,
							   (hi + 1) << 32,
							   ((hi - 1) << 32) | 0xffffffffu,
							   kept ^ (d & -d),
							   kept | ~d,
							   a->value_two};
				const uint64_t *v = pass ? around : primary;
				size_t nv = pass ? TJ_ARRAY_SIZE(around) : TJ_ARRAY_SIZE(primary);
				for (size_t c = 0; c < nv; c++)
					pool_add(p, narrow ? v[c] & 0xffffffffu : v[c]);
			}
		}
	}
	if (p->n) {
		static const uint64_t edges[] = {0, 1, 0xffffffffu, UINT64_MAX};
		for (size_t i = 0; i < TJ_ARRAY_SIZE(edges); i++)
			pool_add(p, narrow ? edges[i] & 0xffffffffu : edges[i]);
	} else {
		pool_add(p, 0);
	}
}

static uint64_t next_random(uint64_t *state)
{
	*state = *state * 6364136223846793005ull + 1442695040888963407ull;
	return *state >> 11;
}

static bool allowed_value(const struct tj_expected *e, uint32_t got)
{
	for (size_t i = 0; i < e->n; i++)
		if (e->v[i] == got)
			return true;
	return false;
}

struct sweep {
	const struct tj_seccomp *s;
	const struct tj_verify_actions *acts;
	const struct sock_filter *prog;
	size_t len;
	size_t budget;
	struct tj_verify_result *res;
};

/* One call; false (res filled) on a mismatch. */
static bool try_call(const struct sweep *w, const struct rule_list *rules, const char *name,
		     const struct seccomp_data *d)
{
	struct tj_verify_result *res = w->res;
	struct tj_expected want;
	expected_from(w->s, w->acts, d, rules, &want);
	uint32_t got = tj_bpf_run(w->prog, w->len, d);
	res->calls++;
	if (allowed_value(&want, got))
		return true;
	res->mismatch = true;
	res->data = *d;
	res->got = got;
	res->want = want;
	res->name = name;
	return false;
}

/* Every combination of the pools' values, or `budget` drawn ones. */
static bool try_combinations(const struct sweep *w, const struct rule_list *rules, const char *name, uint32_t arch,
			     int nr, const struct pool *pools)
{
	size_t combos = 1;
	for (unsigned a = 0; a < ARGS; a++)
		combos = combos > w->budget ? combos : combos * pools[a].n;
	bool all = combos <= w->budget;
	size_t count = all ? combos : w->budget;
	uint64_t rng = (uint64_t)(uint32_t)nr * 0x9e3779b97f4a7c15ull + arch;
	for (size_t i = 0; i < count; i++) {
		struct seccomp_data d = {.nr = nr, .arch = arch};
		size_t rest = i;
		for (unsigned a = 0; a < ARGS; a++) {
			d.args[a] = pools[a].v[all ? rest % pools[a].n : next_random(&rng) % pools[a].n];
			rest /= pools[a].n;
		}
		if (!try_call(w, rules, name, &d))
			return false;
	}
	return true;
}

/* Each rule at its own datums (the others' arguments 0: a rule libseccomp
 * dropped shows there, however many rules there are), then all the rules'
 * values together. */
static bool try_syscall(const struct sweep *w, const struct rule_list *rules, const char *name, uint32_t arch, int nr)
{
	bool narrow = arch == AUDIT_ARCH_I386, ok = true;
	struct pool pools[ARGS] = {{0}};
	for (size_t i = 0; i <= rules->n && ok; i++) {
		bool whole = i == rules->n;
		if (!whole && !rules->v[i]->nargs)
			continue;
		for (unsigned a = 0; a < ARGS; a++)
			arg_values(whole ? rules->v : &rules->v[i], whole ? rules->n : 1, a, narrow, &pools[a]);
		ok = try_combinations(w, rules, name, arch, nr, pools);
	}
	for (unsigned a = 0; a < ARGS; a++)
		free(pools[a].v);
	return ok;
}

/* The distinct syscall names of the rules, sorted. */
static int compare_names(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static size_t distinct_names(const struct tj_seccomp *s, const char ***ret)
{
	size_t n = 0;
	for (size_t i = 0; i < s->nrules; i++)
		n += s->rules[i].names.n;
	const char **v = tj_xcalloc(n ? n : 1, sizeof(*v));
	n = 0;
	for (size_t i = 0; i < s->nrules; i++)
		for (size_t k = 0; k < s->rules[i].names.n; k++)
			v[n++] = s->rules[i].names.v[k];
	qsort(v, n, sizeof(*v), compare_names);
	size_t out = 0;
	for (size_t i = 0; i < n; i++)
		if (out == 0 || strcmp(v[out - 1], v[i]) != 0)
			v[out++] = v[i];
	*ret = v;
	return out;
}

/* Every syscall number of an ABI once, with all arguments 0 and all ones:
 * what no rule names must meet the default, and a section of the program
 * that compares the wrong word (libseccomp once left an x86 section
 * comparing the architecture with syscall numbers) shows here. */
static bool try_numbers(const struct sweep *w, const char *const *names, size_t nnames, uint32_t arch, uint32_t base)
{
	for (uint32_t n = 0; n < NUMBERS; n++) {
		char name[64];
		tj_syscall_name(arch, (int)(base | n), name, sizeof(name));
		const char *key = name;
		struct rule_list rules = {.v = NULL, .n = 0};
		if (bsearch(&key, names, nnames, sizeof(*names), compare_names))
			rules_naming(w->s, name, &rules);
		bool ok = true;
		for (int v = 0; v < 2 && ok; v++) {
			struct seccomp_data d = {.nr = (int)(base | n), .arch = arch};
			for (unsigned a = 0; a < ARGS; a++)
				d.args[a] = v ? (arch == AUDIT_ARCH_I386 ? 0xffffffffu : UINT64_MAX) : 0;
			ok = try_call(w, &rules, NULL, &d);
		}
		free(rules.v);
		if (!ok)
			return false;
	}
	return true;
}

void tj_verify_program(const struct tj_seccomp *s, const struct tj_verify_actions *acts, const struct sock_filter *prog,
		       size_t len, size_t budget, struct tj_verify_result *res)
{
	memset(res, 0, sizeof(*res));
	if (!acts)
		acts = &own_actions;
	const struct sweep w = {.s = s, .acts = acts, .prog = prog, .len = len, .budget = budget, .res = res};
	/* Each ABI a profile can list, and one it cannot (any number). */
	static const struct {
		uint32_t audit;
		enum tj_abi abi;
	} abis[] = {{AUDIT_ARCH_X86_64, TJ_ABI_X86_64},
		    {AUDIT_ARCH_I386, TJ_ABI_X86},
		    {AUDIT_ARCH_X86_64, TJ_ABI_X32},
		    {AUDIT_ARCH_AARCH64, TJ_ABI_X86_64}};
	const char **names;
	size_t nnames = distinct_names(s, &names);
	bool ok = try_numbers(&w, names, nnames, AUDIT_ARCH_X86_64, 0) &&
		  try_numbers(&w, names, nnames, AUDIT_ARCH_I386, 0) &&
		  try_numbers(&w, names, nnames, AUDIT_ARCH_X86_64, X32_BIT);
	for (size_t i = 0; i < nnames && ok; i++) {
		for (size_t b = 0; b < TJ_ARRAY_SIZE(abis) && ok; b++) {
			int nr = tj_syscall_number(abis[b].abi, names[i]);
			if (nr < 0)
				continue;
			/* The rules that decide this number: by its name there. */
			char name[64];
			tj_syscall_name(abis[b].audit == AUDIT_ARCH_AARCH64 ? AUDIT_ARCH_X86_64 : abis[b].audit, nr,
					name, sizeof(name));
			struct rule_list rules;
			rules_naming(s, name, &rules);
			const struct seccomp_data first = {.nr = nr, .arch = abis[b].audit};
			if (!tj_explain_abi_listed(s, &first))
				ok = try_call(&w, &rules, names[i], &first); /* the bad-arch action: one call says it */
			else
				ok = try_syscall(&w, &rules, names[i], abis[b].audit, nr);
			free(rules.v);
		}
	}
	free(names);
}
