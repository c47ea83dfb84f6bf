/* SPDX-License-Identifier: Apache-2.0 */
/* Rule provenance: which rule of a profile decides one syscall. */
#include <linux/audit.h>
#include <string.h>

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

static bool args_match(const struct tj_rule *r, const struct seccomp_data *d, bool abi32)
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

/* True when the profile filters the ABI the call came through. */
static bool abi_listed(const struct tj_seccomp *s, const struct seccomp_data *d)
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

const struct tj_rule *tj_explain_find(const struct tj_seccomp *resolved, const struct seccomp_data *data,
				      uint32_t action, size_t *name_k)
{
	if (!abi_listed(resolved, data))
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
			if (strcmp(r->names.v[k], name) == 0 && args_match(r, data, abi32)) {
				if (name_k)
					*name_k = k;
				return r;
			}
		}
	}
	return NULL;
}

const char *tj_explain_rule(const struct tj_seccomp *resolved, const struct seccomp_data *data, uint32_t action)
{
	/* A call through an ABI the profile does not list meets the bad-arch
	 * action, not the default: "architectures" decides it. */
	if (!abi_listed(resolved, data))
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
			return args_match(r, data, abi32);
	return false;
}
