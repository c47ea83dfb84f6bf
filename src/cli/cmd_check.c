/* SPDX-License-Identifier: Apache-2.0 */
/* `tinyjail check profile...`: validate, compile and probe; run nothing. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "tj/base/cleanup.h"
#include "tj/base/jsonpos.h"
#include "tj/cli/cmd.h"
#include "tj/filter/hardening.h"
#include "tj/filter/lint.h"
#include "tj/launch/launch.h"
#include "tj/model/identity.h"

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

static int check_one(const struct tj_options *o, const char *arg)
{
	__attribute__((cleanup(tj_profile_freep))) struct tj_profile *p = NULL;
	__attribute__((cleanup(tj_filter_freep))) struct tj_filter *f = NULL;
	int code = tj_cmd_load_profile(arg, o->verbosity, &p);
	if (code)
		return code;
	/* Compile exactly as `run` would in enforce mode. */
	struct tj_host host;
	tj_cmd_target_host(p->iso.keep_caps, &host);
	struct tj_filter_opts fo = {.mode = TJ_MODE_ENFORCE,
				    .supervise_kills = true,
				    .ignore_unknown_deny = o->ignore_unknown,
				    .host = &host};
	if (p->seccomp && (code = tj_cmd_compile_profile(p, &fo, o->verbosity, &f)) != 0)
		return code;

	/* Probe every layer the profile asks for, as `run` would. */
	__attribute__((cleanup(tj_filter_freep))) struct tj_filter *hardening = NULL;
	struct tj_identity id = {.uid = geteuid(), .gid = getegid()};
	struct tj_manifest m = {0};
	struct tj_err *err = NULL;
	/* No command: probes only describe it (they never open it). */
	char *argv[] = {(char *)"true", NULL};
	/* The network mode adds to the isolation as it does for run. */
	tj_layer_proxy_compose(&p->net, &p->iso);
	tj_layer_mount_compose(&p->iso, geteuid() == 0);
	tj_layer_cgroup_compose(&p->limits, &p->net, &p->iso);
	struct tj_plan plan = {.argv = argv,
			       .exec_path = "the command",
			       .mode = TJ_MODE_ENFORCE,
			       .profile = p,
			       .filter = f,
			       .limits = &p->limits,
			       .iso = &p->iso,
			       .net = &p->net};
	if (p->iso.user && tj_identity_resolve(p->iso.user, &id, &err) < 0)
		goto fail;
	if (tj_cmd_hardening(&p->iso, &hardening, &err) < 0)
		goto fail;
	plan.uid = id.uid;
	plan.gid = id.gid;
	plan.hardening = hardening;
	if (tj_launch_probe(&plan, &m, &err) < 0)
		goto fail;
	tj_identity_done(&id);
	if (o->verbosity >= 0 && !f)
		printf("%s: ok: %s without a seccomp section\n", p->file, shape_name(p->shape));
	if (o->verbosity >= 0 && !f)
		for (size_t i = 0; i < m.n; i++)
			printf("  %s: %s: %s\n", m.v[i].layer, tj_layer_status_name(m.v[i].status), m.v[i].detail);
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
		for (size_t i = 0; i < m.n; i++)
			printf("  %s: %s: %s\n", m.v[i].layer, tj_layer_status_name(m.v[i].status), m.v[i].detail);
	}
	tj_manifest_done(&m);
	return o->lint && f ? lint_one(o, p, f) : 0;

fail:
	tj_err_at(&err, p->file, NULL);
	code = tj_cmd_report(err);
	tj_err_free(err);
	tj_identity_done(&id);
	tj_manifest_done(&m);
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
