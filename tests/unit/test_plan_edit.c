/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `edit` and the plan (`run`, `check`) agree where they overlap (issue 18).
 * The editor launches nothing, so it builds no plan (notes/architecture.md,
 * "One plan for every verb"); what it shares with run and check is the
 * profile: loading it (the same refusal, with the same message, for every
 * bad fixture) and what its rules answer for each system call (the editor's
 * verdict is the plan's truth program's, for every x86_64 syscall number of
 * every fixture and bundled profile).
 */
#include "unit.h"

#include <linux/audit.h>
#include <unistd.h>

#include "tj/base/seccomp_abi.h"
#include "tj/edit/model.h"
#include "tj/filter/bpfsim.h"
#include "tj/plan/plan.h"

#define PROFILES TJ_FIXTURES "/profiles"
#define LAST_NR 470 /* past the newest x86_64 syscall */

/* What check builds for `tinyjail check PATH` (cmd_check.c). */
static int build_check(const char *path, struct tj_launch_plan *lp, struct tj_err **err)
{
	struct tj_options o = {.verb = TJ_VERB_CHECK, .profile = path};
	struct tj_plan_request req = {.o = &o, .purpose = TJ_PLAN_CHECK};
	return tj_plan_build(&req, lp, err);
}

static size_t compared_calls;

/* A profile both the editor and the plan take: the same verdict for every
 * syscall number, with no arguments and with all-ones arguments. */
static int same_verdicts(const char *path)
{
	struct tj_launch_plan lp;
	struct tj_err *ep = NULL, *ee = NULL;
	struct tj_edit_model m;
	int rp = build_check(path, &lp, &ep);
	int re = tj_edit_model_open(&m, path, NULL, &ee);
	int bad = 0;
	/* The editor opens profiles no command could start with (one that
	 * denies execve): they are there to be fixed.  Where both hold the
	 * profile, they must answer alike. */
	if (re == 0 && rp == 0 && lp.filter) {
		const struct tj_filter *f = lp.filter;
		const struct sock_filter *prog = f->truth ? f->truth : f->prog;
		size_t len = f->truth ? f->truth_len : f->len;
		for (int nr = 0; nr <= LAST_NR && !bad; nr++) {
			for (int ones = 0; ones < 2; ones++) {
				struct seccomp_data d = {.nr = nr, .arch = AUDIT_ARCH_X86_64};
				for (int i = 0; i < 6; i++)
					d.args[i] = ones ? ~0ull : 0;
				struct tj_strv why = {0};
				uint32_t edit = tj_edit_why(&m, &d, &why);
				tj_strv_done(&why);
				uint32_t plan = tj_bpf_run(prog, len, &d);
				compared_calls++;
				if (edit != plan) {
					print_error("%s: syscall %d: the editor says %#x, the plan's filter %#x\n",
						    path, nr, edit, plan);
					bad = 1;
				}
			}
		}
	}
	if (re == 0)
		tj_edit_model_done(&m);
	tj_plan_done(&lp); /* also after a refusal: what was built so far */
	tj_err_free(ep);
	tj_err_free(ee);
	return bad;
}

/* A profile that does not load or compile: both refuse it, with the same
 * message and position. */
static int same_refusal(const char *path)
{
	struct tj_launch_plan lp;
	struct tj_err *ep = NULL, *ee = NULL;
	struct tj_edit_model m;
	int rp = build_check(path, &lp, &ep);
	int re = tj_edit_model_open(&m, path, NULL, &ee);
	int bad = 0;
	if (rp == 0 || re == 0) {
		print_error("%s: plan %s, editor %s\n", path, rp ? "refuses" : "accepts", re ? "refuses" : "accepts");
		bad = 1;
	} else if (strcmp(ep->msg, ee->msg) != 0 || ep->line != ee->line ||
		   strcmp(ep->json_path ? ep->json_path : "", ee->json_path ? ee->json_path : "") != 0) {
		print_error("%s: plan says %d '%s' (%s), editor %d '%s' (%s)\n", path, ep->line, ep->msg,
			    ep->json_path ? ep->json_path : "", ee->line, ee->msg, ee->json_path ? ee->json_path : "");
		bad = 1;
	}
	if (re == 0)
		tj_edit_model_done(&m);
	tj_plan_done(&lp); /* also after a refusal: what was built so far */
	tj_err_free(ep);
	tj_err_free(ee);
	return bad;
}

static void test_edit_and_plan_decide_alike(void **state)
{
	(void)state;
	compared_calls = 0;
	assert_true(unit_each_json(PROFILES "/good", same_verdicts) >= 20);
	assert_true(unit_each_json(TJ_FIXTURES "/corpus", same_verdicts) >= 13);
	assert_true(unit_each_json("policies", same_verdicts) >= 8);
	/* Not vacuous: most of those profiles have a seccomp section. */
	assert_true(compared_calls > 20 * 2 * LAST_NR);
}

static void test_edit_and_plan_refuse_alike(void **state)
{
	(void)state;
	assert_true(unit_each_json(PROFILES "/bad", same_refusal) >= 100);
	assert_true(unit_each_json(PROFILES "/bad-compile", same_refusal) >= 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_edit_and_plan_decide_alike),
		cmocka_unit_test(test_edit_and_plan_refuse_alike),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
