/* SPDX-License-Identifier: Apache-2.0 */
/* Rule provenance: which rule of a profile decides one syscall. */
#include <linux/audit.h>
#include <string.h>

#include "tj/base/jsonpos.h"
#include "tj/base/util.h"
#include "tj/filter/bpfsim.h"
#include "tj/filter/explain.h"
#include "tj/filter/filter.h"

bool tj_explain_arg_matches(const struct tj_arg *a, uint64_t value, bool abi32)
{
	uint64_t v = value, d = a->value, d2 = a->value_two;
	if (abi32) {
		v &= 0xffffffffu;
		d &= 0xffffffffu;
		d2 &= 0xffffffffu;
	}
	switch (a->op) {
	case TJ_CMP_NE: return v != d;
	case TJ_CMP_LT: return v < d;
	case TJ_CMP_LE: return v <= d;
	case TJ_CMP_EQ: return v == d;
	case TJ_CMP_GE: return v >= d;
	case TJ_CMP_GT: return v > d;
	case TJ_CMP_MASKED_EQ: return (v & d) == (d2 & d); /* libseccomp masks the datum too */
	default: return false;
	}
}

bool tj_explain_args_match(const struct tj_rule *r, const struct seccomp_data *d, bool abi32)
{
	if (r->nargs == 0)
		return true;
	/* Same semantics as the compiler: with a repeated index any one
	 * comparison suffices (OR); otherwise all must hold (AND). */
	bool any = tj_rule_has_repeated_index(r);
	for (size_t i = 0; i < r->nargs; i++) {
		bool m = tj_explain_arg_matches(&r->args[i], d->args[r->args[i].index], abi32);
		if (any && m)
			return true;
		if (!any && !m)
			return false;
	}
	return !any;
}

bool tj_explain_abi_listed(const struct tj_seccomp *s, const struct seccomp_data *d)
{
	const char *needed = NULL;
	if (d->arch == AUDIT_ARCH_I386)
		needed = "SCMP_ARCH_X86";
	else if (d->arch == AUDIT_ARCH_X86_64 && ((uint32_t)d->nr & 0x40000000u))
		needed = "SCMP_ARCH_X32";
	else
		return d->arch == AUDIT_ARCH_X86_64;
	return tj_strv_contains(&s->arches, needed);
}

/* tj_explain_find; *by_args (may be NULL) is set when the answer could be
 * another for other argument values (a rule with argument checks was met). */
static const struct tj_rule *find_rule(const struct tj_seccomp *resolved, const struct seccomp_data *data,
				       uint32_t action, size_t *name_k, bool *by_args)
{
	if (!tj_explain_abi_listed(resolved, data))
		return NULL;
	char name[64];
	tj_syscall_name(data->arch, data->nr, name, sizeof(name));
	/* libseccomp compiles x32 (x86_64 numbers with bit 30 set) as a
	 * 32-bit ABI too: only the low words of its arguments are compared. */
	bool abi32 = data->arch == AUDIT_ARCH_I386 ||
		     (data->arch == AUDIT_ARCH_X86_64 && ((uint32_t)data->nr & 0x40000000u));
	for (size_t i = 0; i < resolved->nrules; i++) {
		const struct tj_rule *r = &resolved->rules[i];
		if (tj_filter_action_value(r->action, tj_rule_effective_errno(r)) != action)
			continue;
		for (size_t k = 0; k < r->names.n; k++) {
			if (strcmp(r->names.v[k], name) != 0)
				continue;
			if (by_args && r->nargs)
				*by_args = true;
			if (tj_explain_args_match(r, data, abi32)) {
				if (name_k)
					*name_k = k;
				return r;
			}
		}
	}
	return NULL;
}

const struct tj_rule *tj_explain_find(const struct tj_seccomp *resolved, const struct seccomp_data *data,
				      uint32_t action, size_t *name_k)
{
	return find_rule(resolved, data, action, name_k, NULL);
}

const char *tj_explain_rule_memo(struct tj_explain_memo *memo, const struct tj_seccomp *resolved,
				 const struct seccomp_data *data, uint32_t action)
{
	size_t i = ((size_t)(uint32_t)data->nr * 31u + data->arch * 7u + action) % TJ_EXPLAIN_MEMO_SIZE;
	struct tj_explain_memo_entry *e = &memo->v[i];
	if (e->rule && e->nr == data->nr && e->arch == data->arch && e->action == action)
		return e->rule;
	if (!tj_explain_abi_listed(resolved, data))
		return "architectures";
	bool by_args = false;
	const struct tj_rule *r = find_rule(resolved, data, action, NULL, &by_args);
	const char *rule = r ? r->json_path : "defaultAction";
	if (!by_args)
		*e = (struct tj_explain_memo_entry){.nr = data->nr, .arch = data->arch, .action = action, .rule = rule};
	return rule;
}

const char *tj_explain_rule(const struct tj_seccomp *resolved, const struct seccomp_data *data, uint32_t action)
{
	/* A call through an ABI the profile does not list meets the bad-arch
	 * action, not the default: "architectures" decides it. */
	if (!tj_explain_abi_listed(resolved, data))
		return "architectures";
	const struct tj_rule *r = tj_explain_find(resolved, data, action, NULL);
	return r ? r->json_path : "defaultAction";
}

bool tj_explain_rule_matches(const struct tj_rule *r, const struct seccomp_data *data)
{
	char name[64];
	tj_syscall_name(data->arch, data->nr, name, sizeof(name));
	bool abi32 = data->arch == AUDIT_ARCH_I386 ||
		     (data->arch == AUDIT_ARCH_X86_64 && ((uint32_t)data->nr & 0x40000000u));
	for (size_t k = 0; k < r->names.n; k++)
		if (strcmp(r->names.v[k], name) == 0)
			return tj_explain_args_match(r, data, abi32);
	return false;
}

/* --- `why`, in words --- */

static void describe_arg(const struct tj_arg *a, struct tj_buf *b)
{
	static const char *const ops[] = {[TJ_CMP_NE] = "!=", [TJ_CMP_LT] = "<",  [TJ_CMP_LE] = "<=",
					  [TJ_CMP_EQ] = "==", [TJ_CMP_GE] = ">=", [TJ_CMP_GT] = ">"};
	if (a->op == TJ_CMP_MASKED_EQ)
		tj_buf_addf(b, "(arg%u & 0x%llx) == 0x%llx", a->index, (unsigned long long)a->value,
			    (unsigned long long)a->value_two);
	else
		tj_buf_addf(b, "arg%u %s 0x%llx", a->index, ops[a->op], (unsigned long long)a->value);
}

void tj_explain_describe_args(const struct tj_rule *r, struct tj_buf *b)
{
	const char *join = tj_rule_has_repeated_index(r) ? " or " : " and ";
	for (size_t i = 0; i < r->nargs; i++) {
		if (i)
			tj_buf_add(b, join);
		describe_arg(&r->args[i], b);
	}
}

static void add_position(struct tj_buf *b, const struct tj_profile *p, const char *path)
{
	int line, col;
	if (p->text && tj_jsonpos_locate(p->text, p->text_len, path, &line, &col))
		tj_buf_addf(b, " (%s:%d:%d)", p->file, line, col);
}

static void decider_lines(const struct tj_profile *p, const struct tj_rule *r, size_t k, struct tj_strv *out)
{
	struct tj_buf b = {0};
	if (!r) {
		const char *base = p->seccomp->json_path;
		tj_autofree char *path = base[0] ? tj_xasprintf("%s.defaultAction", base) : tj_xstrdup("defaultAction");
		tj_buf_addf(&b, "decided by: %s, as no rule matches", path);
		add_position(&b, p, path);
		tj_strv_add_owned(out, tj_buf_steal(&b));
		return;
	}
	tj_autofree char *path = tj_rule_name_path(r, k);
	const char *via = tj_rule_name_via(r, k);
	tj_buf_addf(&b, "decided by: %s", path);
	if (via)
		tj_buf_addf(&b, ", through %s", via);
	add_position(&b, p, path);
	tj_strv_add_owned(out, tj_buf_steal(&b));
	if (r->nargs) {
		tj_buf_add(&b, "when: ");
		tj_explain_describe_args(r, &b);
		tj_strv_add_owned(out, tj_buf_steal(&b));
	}
}

/* The other rules for this syscall, with their conditions: what other
 * arguments would meet. */
static bool other_lines(const struct tj_seccomp *s, const char *name, const struct tj_rule *decider,
			struct tj_strv *out)
{
	bool conditional = decider && decider->nargs > 0;
	for (size_t i = 0; i < s->nrules; i++) {
		const struct tj_rule *r = &s->rules[i];
		if (r == decider || tj_rule_equals_default(s, r))
			continue;
		for (size_t k = 0; k < r->names.n; k++) {
			if (strcmp(r->names.v[k], name) != 0)
				continue;
			char action[64];
			tj_filter_describe_action(tj_filter_action_value(r->action, tj_rule_effective_errno(r)), action,
						  sizeof(action));
			tj_autofree char *path = tj_rule_name_path(r, k);
			const char *via = tj_rule_name_via(r, k);
			struct tj_buf b = {0};
			tj_buf_addf(&b, "otherwise: %s%s%s%s says %s when ", path, via ? " (" : "", via ? via : "",
				    via ? ")" : "", action);
			if (r->nargs)
				tj_explain_describe_args(r, &b);
			else
				tj_buf_add(&b, "always");
			tj_strv_add_owned(out, tj_buf_steal(&b));
			conditional |= r->nargs > 0;
		}
	}
	return conditional;
}

uint32_t tj_explain_why(const struct tj_profile *p, const struct tj_filter *f, const struct seccomp_data *d,
			bool args_given, struct tj_strv *out)
{
	const struct sock_filter *prog = f->truth ? f->truth : f->prog;
	size_t len = f->truth ? f->truth_len : f->len;
	uint32_t action = tj_bpf_run(prog, len, d);
	size_t k = 0;
	const struct tj_rule *r = tj_explain_find(f->resolved, d, action, &k);
	char name[64];
	tj_syscall_name(d->arch, d->nr, name, sizeof(name));
	decider_lines(p, r, k, out);
	if (other_lines(f->resolved, name, r, out) && !args_given)
		tj_strv_add(out, "note: the answer depends on the arguments; give them after the profile");
	return action;
}
