/* SPDX-License-Identifier: Apache-2.0 */
/* `tinyjail analyze [-o FILE] program` and `tinyjail explain syscall program`:
 * the static pre-analysis (include/tj/static/analyze.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tj/base/cleanup.h"
#include "tj/base/outfile.h"
#include "tj/cli/cmd.h"
#include "tj/filter/filter_cache.h"
#include "tj/json/profile_json.h"
#include "tj/static/analyze.h"
#include "tj/static/summary.h"

static int analyze(const struct tj_options *o, char *const *programs, size_t n, struct tj_static_result **ret)
{
	tj_autofree char *cache = o->no_cache ? NULL : tj_filter_cache_default_dir();
	struct tj_static_opts so = {.debug_dir = "/usr/lib/debug", .cache_dir = cache, .no_vdso = o->no_vdso};
	struct tj_err *err = NULL;
	if (tj_static_analyze((const char *const *)programs, n, &so, ret, &err) < 0) {
		int code = tj_cmd_report(err);
		tj_err_free(err);
		return code;
	}
	return 0;
}

static const char *kind_name(uint32_t kind)
{
	switch (kind) {
	case TJ_SU_SITE: return "syscall instruction";
	case TJ_SU_WRAPPER_CALL: return "wrapper call";
	case TJ_SU_DLOPEN: return "dlopen";
	default: return "i386 syscall";
	}
}

static void print_unresolved(const struct tj_static_result *r, bool verbose)
{
	size_t shown = verbose ? r->nunres : (r->nunres < 10 ? r->nunres : 10);
	for (size_t i = 0; i < shown; i++) {
		const struct tj_static_unresolved *u = &r->unres[i];
		char why[200];
		tj_sreason_text(u->reasons, why, sizeof(why));
		fprintf(stderr, "tinyjail:   %s: %s at 0x%llx: %s%s%s%s: %s\n", u->object, u->function,
			(unsigned long long)u->addr, kind_name(u->kind), u->via ? " (" : "", u->via ? u->via : "",
			u->via ? ")" : "", why);
		if (verbose)
			fprintf(stderr, "tinyjail:     reached by %s\n", u->chain);
	}
	if (shown < r->nunres)
		fprintf(stderr, "tinyjail:   ... and %zu more (-v lists them all)\n", r->nunres - shown);
}

static void print_summary(const struct tj_options *o, const char *program, const struct tj_static_result *r)
{
	if (o->verbosity < 0)
		return;
	for (size_t i = 0; i < r->notes.n; i++)
		fprintf(stderr, "tinyjail: analyze: %s\n", r->notes.v[i].msg);
	if (o->verbosity > 0) {
		for (size_t i = 0; i < r->nobjs; i++) {
			const struct tj_static_object *x = &r->objs[i];
			fprintf(stderr,
				"tinyjail: object %s (%s): build id %s, %zu functions, %zu of %zu syscall sites "
				"resolved, %s%s%s\n",
				x->path, x->how, x->build_id[0] ? x->build_id : "none", x->nfuncs, x->nresolved,
				x->nsites, x->cached ? "from the cache" : "analysed",
				x->symbols ? (x->debug_file ? ", symbols from " : ", symbols") : ", no symbol table",
				x->debug_file ? x->debug_file : "");
		}
		for (size_t i = 0; i < r->accepted.n; i++)
			fprintf(stderr, "tinyjail: analyze: accepted: %s\n", r->accepted.v[i].msg);
	}
	fprintf(stderr, "tinyjail: analyze: %s: %zu syscalls reachable from %zu objects (%zu of %zu functions)%s\n",
		program, r->nsys, r->nobjs, r->nreached, r->nfuncs, r->incomplete ? "" : "; complete");
	if (r->incomplete) {
		fprintf(stderr,
			"tinyjail: analyze: INCOMPLETE: %zu reachable place%s with an unknown syscall number or "
			"library; a run may need more:\n",
			r->nunres, r->nunres == 1 ? "" : "s");
		print_unresolved(r, o->verbosity > 0);
	}
}

/* The profile replaces -o's file whole (outfile.h: a new file renamed into
 * place, never through a link), so an interrupted run never leaves half a
 * profile. */
static int write_profile(const char *path, const char *text)
{
	if (!path || !strcmp(path, "-")) {
		if (fputs(text, stdout) < 0 || fflush(stdout) != 0) {
			fprintf(stderr, "tinyjail: writing the profile failed: %s\n", strerror(errno));
			return TJ_EXIT_ERROR;
		}
		return 0;
	}
	struct tj_outfile f = TJ_OUTFILE_INIT;
	struct tj_err *err = NULL;
	int rc = tj_outfile_prepare(&f, path, "the profile", &err);
	if (rc == 0)
		rc = tj_outfile_replace(&f, text, strlen(text), &err);
	tj_outfile_done(&f);
	if (rc < 0) {
		int code = tj_cmd_report(err);
		tj_err_free(err);
		return code;
	}
	return 0;
}

int tj_cmd_analyze(const struct tj_options *o)
{
	const char *program = o->inputs[0];
	__attribute__((cleanup(tj_static_result_freep))) struct tj_static_result *r = NULL;
	int code = analyze(o, o->inputs, o->ninputs, &r);
	if (code)
		return code;
	struct tj_seccomp *s = NULL;
	tj_autofree char *comment = NULL;
	struct tj_err *err = NULL;
	if (tj_static_to_seccomp(r, &s, &comment, &err) < 0) {
		code = tj_cmd_report(err);
		tj_err_free(err);
		return code;
	}
	tj_autofree char *json = tj_seccomp_to_commented_json(s, comment);
	tj_seccomp_free(s);
	if ((code = write_profile(o->output, json)))
		return code;
	print_summary(o, program, r);
	return o->strict && r->incomplete ? TJ_EXIT_FINDINGS : 0;
}

int tj_cmd_explain(const struct tj_options *o)
{
	const char *name = o->inputs[0], *program = o->inputs[1];
	int nr;
	if (tj_syscall_resolve(name, &nr) != TJ_SYSCALL_NATIVE) {
		fprintf(stderr, "tinyjail: explain: '%s' is not an x86_64 syscall\n", name);
		return TJ_EXIT_ERROR;
	}
	__attribute__((cleanup(tj_static_result_freep))) struct tj_static_result *r = NULL;
	int code = analyze(o, o->inputs + 1, o->ninputs - 1, &r);
	if (code)
		return code;
	struct tj_strv lines = {0};
	size_t n = tj_static_explain(r, nr, &lines);
	for (size_t i = 0; i < lines.n; i++)
		printf("%s\n", lines.v[i]);
	tj_strv_done(&lines);
	for (size_t i = 0; i < r->nsys; i++)
		if (r->sys[i].nr == nr && r->sys[i].why) {
			printf("%s <- [added] %s\n", name, r->sys[i].why);
			n++;
		}
	if (!n)
		fprintf(stderr, "tinyjail: explain: %s: %s is not reachable%s\n", program, name,
			r->incomplete ? " (but the analysis is incomplete: see tinyjail analyze -v)" : "");
	return n ? 0 : TJ_EXIT_FINDINGS;
}
