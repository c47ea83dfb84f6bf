/* SPDX-License-Identifier: Apache-2.0 */
/* `tinyjail check profile...`: validate, compile and probe; run nothing. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "tj/base/cleanup.h"
#include "tj/base/jsonpos.h"
#include "tj/cli/cmd.h"
#include "tj/filter/lint.h"
#include "tj/plan/plan.h"

static const char *shape_name(enum tj_profile_shape s)
{
	switch (s) {
	case TJ_SHAPE_SECCOMP: return "seccomp profile";
	case TJ_SHAPE_OCI_CONFIG: return "OCI runtime config (linux.seccomp)";
	case TJ_SHAPE_TINYJAIL: return "tinyjail profile";
	}
	return "profile";
}

static void describe_arches(const struct tj_seccomp *s, struct tj_buf *b)
{
	tj_buf_add(b, "x86_64");
	for (size_t i = 0; i < s->arches.n; i++) {
		const char *a = s->arches.v[i];
		if (strcmp(a, "SCMP_ARCH_X86") == 0)
			tj_buf_add(b, ", x86");
		else if (strcmp(a, "SCMP_ARCH_X32") == 0)
			tj_buf_add(b, ", x32");
	}
}

static void print_finding(const struct tj_profile *p, const struct tj_finding *f)
{
	int line, col;
	if (tj_jsonpos_locate(p->text, p->text_len, f->json_path, &line, &col))
		printf("%s:%d:%d: ", p->file, line, col);
	else
		printf("%s: ", p->file);
	printf("%s: %s: %s [%s]\n", tj_severity_name(f->severity), f->where, f->what, f->check);
	printf("  why: %s\n", f->why);
	printf("  fix: %s\n", f->fix);
}

/* Prints the findings; returns 1 when one is of high severity. */
static int lint_one(const struct tj_options *o, const struct tj_profile *p, const struct tj_filter *f)
{
	struct tj_findings findings = {0};
	tj_lint(p, f, NULL, &findings);
	for (size_t i = 0; i < findings.n; i++)
		print_finding(p, &findings.v[i]);
	size_t high = tj_findings_count(&findings, TJ_SEV_HIGH);
	if (o->verbosity >= 0)
		printf("%s: lint: %zu high, %zu medium, %zu low\n", p->file, high,
		       tj_findings_count(&findings, TJ_SEV_MEDIUM), tj_findings_count(&findings, TJ_SEV_LOW));
	tj_findings_done(&findings);
	return high ? TJ_EXIT_FINDINGS : 0;
}

/* Builds the plan `run --profile ARG` would build, with no command and no
 * other flag (plan.h), so that check says ok exactly when run would start. */
static int check_one(const struct tj_options *o, const char *arg)
{
	struct tj_options po = {.verb = TJ_VERB_CHECK,
				.profile = arg,
				.mode = TJ_MODE_ENFORCE,
				.verbosity = o->verbosity,
				.ignore_unknown = o->ignore_unknown};
	/* Loaded here rather than by the plan: `none` is a file name to check. */
	__attribute__((cleanup(tj_profile_freep))) struct tj_profile *loaded = NULL;
	int code = tj_cmd_load_profile(arg, o->verbosity, &loaded);
	if (code)
		return code;
	struct tj_plan_request req = {.o = &po, .purpose = TJ_PLAN_CHECK, .in_memory = true, .profile = loaded};
	struct tj_launch_plan lp;
	struct tj_err *err = NULL;
	int built = tj_plan_build(&req, &lp, &err);
	tj_cmd_print_plan_msgs(&lp.msgs, o->verbosity);
	if (built < 0) {
		tj_err_at(&err, loaded->file, NULL);
		code = tj_cmd_report(err);
		tj_err_free(err);
		tj_plan_done(&lp);
		return code;
	}
	const struct tj_profile *p = lp.profile;
	const struct tj_filter *f = lp.filter;
	const struct tj_manifest *m = &lp.manifest;
	if (o->verbosity >= 0 && !f)
		printf("%s: ok: %s without a seccomp section\n", p->file, shape_name(p->shape));
	if (o->verbosity >= 0 && f) {
		size_t names = 0, rules = 0;
		for (size_t i = 0; i < f->resolved->nrules; i++) {
			const struct tj_rule *r = &f->resolved->rules[i];
			names += r->names.n;
			/* A rule with groups may have become several (same path). */
			rules += i == 0 || strcmp(r->json_path, f->resolved->rules[i - 1].json_path) != 0;
		}
		struct tj_buf arches = {0};
		describe_arches(f->resolved, &arches);
		char def[64];
		tj_filter_describe_action(tj_filter_action_value(f->resolved->default_action,
								 tj_seccomp_effective_default_errno(f->resolved)),
					  def, sizeof(def));
		printf("%s: ok: %s; %zu of %zu rules apply here (%zu syscall names); default %s; %s; %zu BPF instructions\n",
		       p->file, shape_name(p->shape), rules, p->seccomp->nrules, names, def, arches.s, f->len);
		tj_buf_done(&arches);
	}
	if (o->verbosity >= 0)
		for (size_t i = 0; i < m->n; i++)
			printf("  %s: %s: %s\n", m->v[i].layer, tj_layer_status_name(m->v[i].status), m->v[i].detail);
	code = o->lint && f ? lint_one(o, p, f) : 0;
	tj_plan_done(&lp);
	return code;
}

int tj_cmd_check(const struct tj_options *o)
{
	int worst = 0;
	for (size_t i = 0; i < o->ninputs; i++) {
		int code = check_one(o, o->inputs[i]);
		if (code > worst)
			worst = code;
	}
	return worst;
}
