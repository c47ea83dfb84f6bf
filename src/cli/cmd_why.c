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
#include "tj/cli/cmd.h"
#include "tj/events/events.h"
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

	struct tj_strv lines = {0};
	uint32_t action = tj_explain_why(p, f, &d, o->ninputs > 2, &lines);
	char call[256], desc[64];
	tj_format_syscall(&d, call, sizeof(call));
	tj_filter_describe_action(action, desc, sizeof(desc));
	printf("%s on x86_64 (nr %d): %s\n", call, nr, desc);
	for (size_t i = 0; i < lines.n; i++)
		printf("  %s\n", lines.v[i]);
	tj_strv_done(&lines);
	return 0;
}
