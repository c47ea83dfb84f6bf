/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `tinyjail diff old.json new.json`: what changed, per syscall
 * (learn/diff.h), on standard output as diff(1) does; exit 0 when equal,
 * 1 when different, 125 when a profile does not load.
 */
#include <stdio.h>

#include "tj/base/cleanup.h"
#include "tj/cli/cmd.h"
#include "tj/learn/diff.h"

/* The rules as the compiler reads them: groups expanded, conditions
 * decided for this host. */
static int resolve(const struct tj_options *o, const char *arg, struct tj_profile **p, struct tj_filter **f)
{
	int code = tj_cmd_load_profile(arg, o->verbosity, p);
	if (code)
		return code;
	if (!(*p)->seccomp) {
		fprintf(stderr, "tinyjail: %s: the profile has no seccomp section\n", (*p)->file);
		return TJ_EXIT_ERROR;
	}
	struct tj_host host;
	tj_cmd_target_host((*p)->iso.keep_caps, &host);
	struct tj_filter_opts fo = {.mode = TJ_MODE_ENFORCE, .ignore_unknown_deny = o->ignore_unknown, .host = &host};
	return tj_cmd_compile_profile(*p, &fo, o->verbosity, f);
}

int tj_cmd_diff(const struct tj_options *o)
{
	__attribute__((cleanup(tj_profile_freep))) struct tj_profile *pa = NULL;
	__attribute__((cleanup(tj_profile_freep))) struct tj_profile *pb = NULL;
	__attribute__((cleanup(tj_filter_freep))) struct tj_filter *fa = NULL;
	__attribute__((cleanup(tj_filter_freep))) struct tj_filter *fb = NULL;
	int code = resolve(o, o->inputs[0], &pa, &fa);
	if (code == 0)
		code = resolve(o, o->inputs[1], &pb, &fb);
	if (code)
		return code;
	struct tj_diff d;
	tj_profile_diff(fa->resolved, fb->resolved, &d);
	if (o->verbosity >= 0 && d.n) {
		printf("--- %s\n+++ %s\n", pa->file, pb->file);
		for (size_t i = 0; i < d.n; i++) {
			const struct tj_diff_line *l = &d.v[i];
			switch (l->kind) {
			case TJ_DIFF_DEFAULT: printf("! defaultAction: %s\n", l->text); break;
			case TJ_DIFF_ARCHES: printf("! architectures: %s\n", l->text); break;
			case TJ_DIFF_ADDED: printf("+ %s: added: %s\n", l->syscall, l->text); break;
			case TJ_DIFF_REMOVED: printf("- %s: removed: %s\n", l->syscall, l->text); break;
			case TJ_DIFF_ACTION: printf("! %s: action changed: %s\n", l->syscall, l->text); break;
			case TJ_DIFF_WIDENED: printf("~ %s: widened: %s\n", l->syscall, l->text); break;
			case TJ_DIFF_NARROWED: printf("~ %s: narrowed: %s\n", l->syscall, l->text); break;
			case TJ_DIFF_CHANGED: printf("~ %s: changed: %s\n", l->syscall, l->text); break;
			}
		}
		fflush(stdout);
	}
	code = d.n ? 1 : 0;
	tj_diff_done(&d);
	return code;
}
