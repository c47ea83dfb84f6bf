/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `tinyjail why SYSCALL PROFILE [ARG...]`: what the profile does with one
 * x86_64 call and which rule decides it.  The action comes from running the
 * compiled truth program in the BPF simulator, the rule from explain.c over
 * the compiler's resolved rules, so the answer is the filter's own.
 */
#include <linux/audit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tj/base/cleanup.h"
#include "tj/base/jsonpos.h"
#include "tj/cli/cmd.h"
#include "tj/events/events.h"
#include "tj/filter/bpfsim.h"
#include "tj/filter/explain.h"
#include "tj/model/sysgroups.h"

/* Reports a usage error (msg is freed) and returns the exit code. */
static int usage_error(char *msg)
{
	struct tj_err *err = NULL;
	tj_err_set(&err, TJ_ERR_USAGE, 0, "%s", msg);
	free(msg);
	int code = tj_cmd_report(err);
	tj_err_free(err);
	return code;
}

static int parse_syscall(const char *arg, int *nr)
{
	uint64_t n;
	if (tj_parse_u64(arg, &n) && n < 1024) {
		*nr = (int)n;
		return 0;
	}
	switch (tj_syscall_resolve(arg, nr)) {
	case TJ_SYSCALL_NATIVE: return 0;
	case TJ_SYSCALL_FOREIGN:
		return usage_error(tj_xasprintf("'%s' exists only on 32-bit ABIs; why explains x86_64 calls", arg));
	default: {
		const char *hint = tj_suggest(arg, tj_known_syscall_names());
		if (hint)
			return usage_error(tj_xasprintf("unknown syscall '%s' (did you mean '%s'?)", arg, hint));
		return usage_error(tj_xasprintf("unknown syscall '%s'", arg));
	}
	}
}

/* A number, in decimal or 0x hex; negative decimals are two's complement
 * (-100 is AT_FDCWD), as a register holds them. */
static int parse_arg(const char *arg, uint64_t *v)
{
	if (tj_parse_u64(arg, v))
		return 0;
	if (arg[0] == '-' && tj_parse_u64(arg + 1, v) && *v <= (uint64_t)INT64_MAX + 1) {
		*v = -*v;
		return 0;
	}
	return usage_error(tj_xasprintf("argument '%s' is not a number", arg));
}

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

static void describe_args(const struct tj_rule *r, struct tj_buf *b)
{
	const char *join = tj_rule_has_repeated_index(r) ? " or " : " and ";
	for (size_t i = 0; i < r->nargs; i++) {
		if (i)
			tj_buf_add(b, join);
		describe_arg(&r->args[i], b);
	}
}

static void print_position(const struct tj_profile *p, const char *path)
{
	int line, col;
	if (tj_jsonpos_locate(p->text, p->text_len, path, &line, &col))
		printf(" (%s:%d:%d)", p->file, line, col);
	printf("\n");
}

static void print_decider(const struct tj_profile *p, const struct tj_rule *r, size_t k)
{
	if (!r) {
		const char *base = p->seccomp->json_path;
		tj_autofree char *path = base[0] ? tj_xasprintf("%s.defaultAction", base) : tj_xstrdup("defaultAction");
		printf("  decided by: %s, as no rule matches", path);
		print_position(p, path);
		return;
	}
	tj_autofree char *path = tj_rule_name_path(r, k);
	const char *via = tj_rule_name_via(r, k);
	printf("  decided by: %s", path);
	if (via)
		printf(", through %s", via);
	print_position(p, path);
	if (r->nargs) {
		struct tj_buf b = {0};
		describe_args(r, &b);
		printf("  when: %s\n", b.s);
		tj_buf_done(&b);
	}
}

/* The other rules for this syscall, with their conditions: what other
 * arguments would meet. */
static void print_others(const struct tj_seccomp *s, const char *name, const struct tj_rule *decider, bool args_given)
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
			describe_args(r, &b);
			printf("  otherwise: %s%s%s%s says %s when %s\n", path, via ? " (" : "", via ? via : "",
			       via ? ")" : "", action, b.len ? b.s : "always");
			tj_buf_done(&b);
			conditional |= r->nargs > 0;
		}
	}
	if (conditional && !args_given)
		printf("  note: the answer depends on the arguments; give them after the profile\n");
}

int tj_cmd_why(const struct tj_options *o)
{
	int nr;
	int code = parse_syscall(o->inputs[0], &nr);
	if (code)
		return code;
	struct seccomp_data d = {.nr = nr, .arch = AUDIT_ARCH_X86_64};
	for (size_t i = 2; i < o->ninputs; i++) {
		uint64_t v;
		if ((code = parse_arg(o->inputs[i], &v)) != 0)
			return code;
		d.args[i - 2] = v;
	}

	__attribute__((cleanup(tj_profile_freep))) struct tj_profile *p = NULL;
	__attribute__((cleanup(tj_filter_freep))) struct tj_filter *f = NULL;
	if ((code = tj_cmd_load_profile(o->inputs[1], o->verbosity, &p)) != 0)
		return code;
	if (!p->seccomp) {
		fprintf(stderr, "tinyjail: %s: the profile has no seccomp section: every syscall is allowed\n",
			p->file);
		return TJ_EXIT_ERROR;
	}
	/* The profile's own actions, as `compile --bpf` writes them. */
	struct tj_filter_opts fo = {.mode = TJ_MODE_ENFORCE, .ignore_unknown_deny = o->ignore_unknown};
	if ((code = tj_cmd_compile_profile(p, &fo, o->verbosity, &f)) != 0)
		return code;

	uint32_t action = tj_bpf_run(f->prog, f->len, &d);
	size_t k = 0;
	const struct tj_rule *r = tj_explain_find(f->resolved, &d, action, &k);
	char name[64], call[256], desc[64];
	tj_syscall_name(d.arch, d.nr, name, sizeof(name));
	tj_format_syscall(&d, call, sizeof(call));
	tj_filter_describe_action(action, desc, sizeof(desc));
	printf("%s on x86_64 (nr %d): %s\n", call, nr, desc);
	print_decider(p, r, k);
	print_others(f->resolved, name, r, o->ninputs > 2);
	return 0;
}
