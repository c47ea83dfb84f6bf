/* SPDX-License-Identifier: Apache-2.0 */
/* A compiled program checked against its rules (verify.h). */
#include <linux/audit.h>
#include <string.h>

#include "tj/base/util.h"
#include "tj/filter/bpfsim.h"
#include "tj/filter/explain.h"
#include "tj/filter/filter.h"
#include "tj/filter/verify.h"

#define X32_BIT 0x40000000u
#define POOL_MAX 256
#define ARGS 6

static void expect(struct tj_expected *e, uint32_t value)
{
	for (size_t i = 0; i < e->n; i++)
		if (e->v[i] == value)
			return;
	if (e->n < TJ_EXPECTED_MAX)
		e->v[e->n++] = value;
}

static bool abi_listed(const struct tj_seccomp *s, const struct seccomp_data *d)
{
	if (d->arch == AUDIT_ARCH_I386)
		return tj_strv_contains(&s->arches, "SCMP_ARCH_X86");
	if (d->arch != AUDIT_ARCH_X86_64)
		return false;
	if ((uint32_t)d->nr & X32_BIT)
		return tj_strv_contains(&s->arches, "SCMP_ARCH_X32");
	return true;
}

static uint32_t own_value(const void *ctx, const struct seccomp_data *d, enum tj_action a, unsigned errno_ret,
			  bool is_default)
{
	(void)ctx, (void)d, (void)is_default;
	return tj_filter_action_value(a, errno_ret);
}

static const struct tj_verify_actions own_actions = {.value = own_value, .bad_arch = SECCOMP_RET_KILL_PROCESS};

void tj_verify_expected(const struct tj_seccomp *s, const struct tj_verify_actions *acts, const struct seccomp_data *d,
			struct tj_expected *out)
{
	if (!acts)
		acts = &own_actions;
	memset(out, 0, sizeof(*out));
	if (!abi_listed(s, d)) {
		expect(out, acts->bad_arch);
		return;
	}
	char name[64];
	tj_syscall_name(d->arch, d->nr, name, sizeof(name));
	bool abi32 = d->arch == AUDIT_ARCH_I386 || ((uint32_t)d->nr & X32_BIT);
	uint32_t def = acts->value(acts->ctx, d, s->default_action, tj_seccomp_effective_default_errno(s), true);
	struct tj_expected unconditional = {.n = 0}, conditional = {.n = 0};
	for (size_t i = 0; i < s->nrules; i++) {
		const struct tj_rule *r = &s->rules[i];
		if (!tj_strv_contains(&r->names, name) || tj_rule_equals_default(s, r))
			continue;
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

/* Where libseccomp goes wrong: two rules with argument checks for the
 * syscall, or one whose repeated index the compiler splits in several. */
static bool risky(const struct tj_seccomp *s, const char *name)
{
	size_t n = 0;
	for (size_t i = 0; i < s->nrules; i++) {
		const struct tj_rule *r = &s->rules[i];
		if (!r->nargs || tj_rule_equals_default(s, r) || !tj_strv_contains(&r->names, name))
			continue;
		n += tj_rule_has_repeated_index(r) ? 2 : 1;
	}
	return n >= 2;
}

static void pool_add(uint64_t *pool, size_t *n, uint64_t v)
{
	for (size_t i = 0; i < *n; i++)
		if (pool[i] == v)
			return;
	if (*n < POOL_MAX)
		pool[(*n)++] = v;
}

/* Values worth trying for argument `index` of syscall `name`: each datum
 * and what a mask keeps first (so that a long list of rules is covered
 * whole), then neighbours in both words and one bit off a mask.  narrow: an
 * x86 call, whose arguments the kernel passes as 32 bits. */
static size_t arg_values(const struct tj_seccomp *s, const char *name, unsigned index, bool narrow, uint64_t *pool)
{
	size_t n = 0;
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < s->nrules; i++) {
			const struct tj_rule *r = &s->rules[i];
			if (!tj_strv_contains(&r->names, name))
				continue;
			for (size_t k = 0; k < r->nargs; k++) {
				const struct tj_arg *a = &r->args[k];
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
					pool_add(pool, &n, narrow ? v[c] & 0xffffffffu : v[c]);
			}
		}
	}
	if (n) {
		static const uint64_t edges[] = {0, 1, 0xffffffffu, UINT64_MAX};
		for (size_t i = 0; i < TJ_ARRAY_SIZE(edges); i++)
			pool_add(pool, &n, narrow ? edges[i] & 0xffffffffu : edges[i]);
	}
	return n;
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
static bool try_call(const struct sweep *w, const char *name, const struct seccomp_data *d)
{
	struct tj_verify_result *res = w->res;
	struct tj_expected want;
	tj_verify_expected(w->s, w->acts, d, &want);
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

/* Every combination of the argument values, or `budget` drawn ones. */
static bool try_syscall(const struct sweep *w, const char *name, uint32_t arch, int nr)
{
	size_t budget = w->budget;
	uint64_t pool[ARGS][POOL_MAX];
	size_t npool[ARGS], combos = 1;
	for (unsigned a = 0; a < ARGS; a++) {
		npool[a] = arg_values(w->s, name, a, arch == AUDIT_ARCH_I386, pool[a]);
		if (npool[a] == 0) {
			pool[a][0] = 0;
			npool[a] = 1;
		}
		combos = combos > budget ? combos : combos * npool[a];
	}
	uint64_t rng = (uint64_t)nr * 0x9e3779b97f4a7c15ull + arch;
	size_t count = combos <= budget ? combos : budget;
	for (size_t i = 0; i < count; i++) {
		struct seccomp_data d = {.nr = nr, .arch = arch};
		size_t rest = i;
		for (unsigned a = 0; a < ARGS; a++) {
			size_t pick = combos <= budget ? rest % npool[a] : next_random(&rng) % npool[a];
			rest /= npool[a];
			d.args[a] = pool[a][pick];
		}
		if (!try_call(w, name, &d))
			return false;
	}
	return true;
}

/* True when an earlier rule (or name) already named it: checked then. */
static bool named_before(const struct tj_seccomp *s, size_t rule, size_t name_k)
{
	const char *name = s->rules[rule].names.v[name_k];
	for (size_t i = 0; i <= rule; i++)
		for (size_t k = 0; k < (i == rule ? name_k : s->rules[i].names.n); k++)
			if (strcmp(s->rules[i].names.v[k], name) == 0)
				return true;
	return false;
}

void tj_verify_program(const struct tj_seccomp *s, const struct tj_verify_actions *acts, const struct sock_filter *prog,
		       size_t len, bool all_names, size_t budget, struct tj_verify_result *res)
{
	memset(res, 0, sizeof(*res));
	const struct sweep w = {.s = s, .acts = acts, .prog = prog, .len = len, .budget = budget, .res = res};
	/* Each ABI a profile can list, and one it cannot (any number). */
	static const struct {
		uint32_t audit;
		enum tj_abi abi;
	} abis[] = {{AUDIT_ARCH_X86_64, TJ_ABI_X86_64},
		    {AUDIT_ARCH_I386, TJ_ABI_X86},
		    {AUDIT_ARCH_X86_64, TJ_ABI_X32},
		    {AUDIT_ARCH_AARCH64, TJ_ABI_X86_64}};
	for (size_t i = 0; i < s->nrules; i++) {
		for (size_t k = 0; k < s->rules[i].names.n; k++) {
			const char *name = s->rules[i].names.v[k];
			if ((!all_names && !risky(s, name)) || named_before(s, i, k))
				continue;
			for (size_t b = 0; b < TJ_ARRAY_SIZE(abis); b++) {
				int nr = tj_syscall_number(abis[b].abi, name);
				if (nr < 0)
					continue;
				if (!try_syscall(&w, name, abis[b].audit, nr))
					return;
			}
		}
	}
}
