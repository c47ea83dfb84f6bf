/* SPDX-License-Identifier: Apache-2.0 */
/* `tinyjail learn --static -o FILE program...` and `tinyjail explain syscall
 * program...`: the static pre-analysis (include/tj/static/analyze.h); the
 * profile is written by the profile writer every generator uses
 * (json/profile_write.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "tj/base/cleanup.h"
#include "tj/base/outfile.h"
#include "tj/cli/cmd.h"
#include "tj/filter/filter_cache.h"
#include "tj/json/profile_write.h"
#include "tj/static/analyze.h"
#include "tj/static/summary.h"

static int analyze(const struct tj_options *o, char *const *programs, size_t n, struct tj_static_result **ret)
{
	tj_autofree char *cache = o->no_cache ? NULL : tj_filter_cache_default_dir();
	/* Summaries are sealed like compiled filters (static/cache.h). */
	uint8_t mac_key[TJ_INTEGRITY_KEY_LEN];
	bool sealed = cache && tj_cmd_cache_key("summary cache", o->verbosity, mac_key);
	struct tj_static_opts so = {.debug_dir = "/usr/lib/debug",
				    .cache_dir = sealed ? cache : NULL,
				    .cache_mac_key = sealed ? mac_key : NULL,
				    .no_vdso = o->no_vdso};
	struct tj_err *err = NULL;
	int rc = tj_static_analyze((const char *const *)programs, n, &so, ret, &err);
	explicit_bzero(mac_key, sizeof(mac_key));
	if (rc < 0) {
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
		fprintf(stderr, "tinyjail: learn --static: %s\n", r->notes.v[i].msg);
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
			fprintf(stderr, "tinyjail: learn --static: accepted: %s\n", r->accepted.v[i].msg);
	}
	fprintf(stderr,
		"tinyjail: learn --static: %s: %zu syscalls reachable from %zu objects (%zu of %zu functions)%s\n",
		program, r->nsys, r->nobjs, r->nreached, r->nfuncs, r->incomplete ? "" : "; complete");
	if (r->incomplete) {
		fprintf(stderr,
			"tinyjail: learn --static: INCOMPLETE: %zu reachable place%s with an unknown syscall number or "
			"library; a run may need more:\n",
			r->nunres, r->nunres == 1 ? "" : "s");
		print_unresolved(r, o->verbosity > 0);
	}
}

static int report(struct tj_err *err)
{
	int code = tj_cmd_report(err);
	tj_err_free(err);
	return code;
}

/* As learn does: the output is checked before anything is analysed, an
 * existing FILE is replaced only with --force, and the profile replaces it
 * whole (outfile.h: a new file renamed into place, never through a link). */
static int prepare_output(const struct tj_options *o, struct tj_outfile *out)
{
	struct tj_err *err = NULL;
	struct stat st;
	if (tj_outfile_prepare(out, o->learn.output, "the profile", &err) < 0)
		return report(err);
	if (!o->learn.force && fstatat(out->dirfd, out->name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
		tj_err_set(&err, TJ_ERR_USAGE, 0, "'%s' exists", o->learn.output);
		tj_err_hint(&err,
			    "--force replaces it; to add what runs do to a static baseline, learn --merge into it");
		return report(err);
	}
	return 0;
}

int tj_cmd_learn_static(const struct tj_options *o)
{
	__attribute__((cleanup(tj_outfile_done))) struct tj_outfile out = TJ_OUTFILE_INIT;
	int code = prepare_output(o, &out);
	if (code)
		return code;
	__attribute__((cleanup(tj_static_result_freep))) struct tj_static_result *res = NULL;
	if ((code = analyze(o, o->inputs, o->ninputs, &res)))
		return code;
	struct tj_seccomp *s = NULL;
	tj_autofree char *comment = NULL, *json = NULL;
	struct tj_err *err = NULL;
	if (tj_static_to_seccomp(res, &s, &comment, &err) < 0)
		return report(err);
	struct tj_profile_write_opts wo = {.flags = TJ_WRITE_SORT, .comment = comment};
	int rc = tj_profile_write_json(s, &wo, o->learn.output, &json, &err);
	tj_seccomp_free(s);
	if (rc < 0 || tj_outfile_replace(&out, json, strlen(json), &err) < 0)
		return report(err);
	print_summary(o, o->inputs[0], res);
	return o->strict && res->incomplete ? TJ_EXIT_FINDINGS : 0;
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
			r->incomplete ? " (but the analysis is incomplete: see tinyjail learn --static -v)" : "");
	return n ? 0 : TJ_EXIT_FINDINGS;
}
