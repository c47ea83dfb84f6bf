/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The plan builder (src/plan/): `run` and `check` agree on every fixture and
 * bundled profile (issue 18: check said ok where run refused), the profiles
 * in tests/fixtures/profiles/refused/ are refused by both with the message
 * of their .expect file (fragment, JSON path, line), and the messages name
 * where a value came from: the flag, or the profile's key.
 *
 * The plans are real: they compile, resolve `true` and probe this host.
 */
#include "unit.h"

#include <unistd.h>

#include "tj/plan/plan.h"

#define PROFILES TJ_FIXTURES "/profiles"

/* What run builds for `tinyjail --profile PATH [flags] -- true`. */
static int build_run(const char *path, const struct tj_options *flags, struct tj_launch_plan *lp, struct tj_err **err)
{
	static char *command[] = {(char *)"true", NULL};
	struct tj_options o = flags ? *flags : (struct tj_options){0};
	o.verb = TJ_VERB_RUN;
	o.profile = path;
	o.command = command;
	o.no_cache = true; /* nothing written into the tester's home */
	struct tj_plan_request req = {.o = &o, .purpose = TJ_PLAN_RUN};
	return tj_plan_build(&req, lp, err);
}

/* What check builds for `tinyjail check PATH` (cmd_check.c). */
static int build_check(const char *path, struct tj_launch_plan *lp, struct tj_err **err)
{
	struct tj_options o = {.verb = TJ_VERB_CHECK, .profile = path};
	struct tj_plan_request req = {.o = &o, .purpose = TJ_PLAN_CHECK};
	return tj_plan_build(&req, lp, err);
}

/* Both verbs on one profile: the same verdict, and the same error. */
static int agree(const char *path)
{
	struct tj_launch_plan a, b;
	struct tj_err *ea = NULL, *eb = NULL;
	int ra = build_run(path, NULL, &a, &ea);
	int rb = build_check(path, &b, &eb);
	int bad = 0;
	if (ra != rb) {
		print_error("%s: run %s, check %s (%s)\n", path, ra ? "refuses" : "accepts", rb ? "refuses" : "accepts",
			    ea	 ? ea->msg
			    : eb ? eb->msg
				 : "");
		bad = 1;
	} else if (ra < 0 && strcmp(ea->msg, eb->msg) != 0) {
		print_error("%s: run says '%s', check '%s'\n", path, ea->msg, eb->msg);
		bad = 1;
	} else if (ra == 0 && a.manifest.n != b.manifest.n) {
		print_error("%s: run probes %zu layer lines, check %zu\n", path, a.manifest.n, b.manifest.n);
		bad = 1;
	}
	tj_err_free(ea);
	tj_err_free(eb);
	tj_plan_done(&a);
	tj_plan_done(&b);
	return bad;
}

static void test_run_and_check_agree_on_every_fixture(void **state)
{
	(void)state;
	assert_true(unit_each_json(PROFILES "/good", agree) >= 20);
	assert_true(unit_each_json(PROFILES "/bad", agree) >= 100);
	assert_true(unit_each_json(PROFILES "/bad-compile", agree) >= 3);
	assert_true(unit_each_json(PROFILES "/refused", agree) >= 4);
	assert_true(unit_each_json(TJ_FIXTURES "/corpus", agree) >= 13);
	assert_true(unit_each_json("policies", agree) >= 8);
}

/* --- tests/fixtures/profiles/refused/: NAME.json + NAME.expect --- */

static int refused_as_expected(const char *path)
{
	char expect[512];
	snprintf(expect, sizeof(expect), "%.*s.expect", (int)(strlen(path) - 5), path);
	FILE *f = fopen(expect, "r");
	if (!f) {
		print_error("%s: no .expect\n", path);
		return 1;
	}
	struct tj_launch_plan lp;
	struct tj_err *err = NULL;
	int bad = 0;
	if (build_check(path, &lp, &err) == 0) {
		print_error("%s: check accepts it\n", path);
		bad = 1;
	}
	char line[512];
	while (!bad && fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		if (strncmp(line, "fragment: ", 10) == 0 && !strstr(err->msg, line + 10)) {
			print_error("%s: '%s' lacks '%s'\n", path, err->msg, line + 10);
			bad = 1;
		} else if (strncmp(line, "path: ", 6) == 0 &&
			   (!err->json_path || strcmp(err->json_path, line + 6) != 0)) {
			print_error("%s: JSON path '%s', expected '%s'\n", path, err->json_path ? err->json_path : "",
				    line + 6);
			bad = 1;
		} else if (strncmp(line, "line: ", 6) == 0 && err->line != atoi(line + 6)) {
			print_error("%s: line %d, expected %s\n", path, err->line, line + 6);
			bad = 1;
		}
	}
	fclose(f);
	tj_err_free(err);
	tj_plan_done(&lp);
	return bad;
}

static void test_refused_fixtures(void **state)
{
	(void)state;
	assert_true(unit_each_json(PROFILES "/refused", refused_as_expected) >= 4);
}

/* --- where a value came from --- */

static void test_host_rules_name_the_flag_or_the_key(void **state)
{
	(void)state;
	struct tj_launch_plan lp;
	struct tj_err *err = NULL;
	const char *profile = PROFILES "/refused/host-rules-raw-socket.json";
	/* From the profile alone: the key, with its line. */
	assert_int_equal(build_run(profile, NULL, &lp, &err), -1);
	assert_contains(err->msg, "the profile keeps CAP_NET_RAW");
	assert_string_equal(err->json_path, "process.capabilities");
	assert_true(err->line > 0);
	assert_int_equal(err->kind, TJ_ERR_PROFILE);
	tj_err_free(err);
	tj_plan_done(&lp);

	/* From the flag: --cap-keep, never a key the user did not write. */
	err = NULL;
	struct tj_options flags = {0};
	assert_int_equal(tj_isolation_parse_caps(&flags.iso, "CAP_NET_ADMIN", &err), 0);
	assert_int_equal(tj_net_parse_mode(&flags.net, "host", &err), 0);
	flags.net.deny_private = true;
	assert_int_equal(build_run("policies/strict.json", &flags, &lp, &err), -1);
	assert_string_equal(err->msg, "--cap-keep CAP_NET_ADMIN would let the command go around the --net host rules");
	assert_null(err->json_path);
	tj_err_free(err);
	tj_plan_done(&lp);
	tj_isolation_done(&flags.iso);
	tj_net_policy_done(&flags.net);
}

static void test_execve_denied_refused_by_both(void **state)
{
	(void)state;
	struct tj_launch_plan lp;
	struct tj_err *err = NULL;
	const char *profile = PROFILES "/refused/execve-denied.json";
	assert_int_equal(build_run(profile, NULL, &lp, &err), -1);
	assert_contains(err->msg, "does not allow execve");
	assert_string_equal(err->file, profile);
	tj_err_free(err);
	tj_plan_done(&lp);
	/* Complain mode denies nothing, so the command can start. */
	err = NULL;
	struct tj_options flags = {.mode = TJ_MODE_COMPLAIN};
	assert_int_equal(build_run(profile, &flags, &lp, &err), 0);
	tj_plan_done(&lp);
}

/* The builder prints nothing: its notes come back in order, with the
 * verbosity that shows them (a syscall of other architectures: -v). */
static void test_messages_not_printed(void **state)
{
	(void)state;
	struct tj_launch_plan lp;
	struct tj_err *err = NULL;
	assert_int_equal(build_check(PROFILES "/good/newer-syscalls.json", &lp, &err), -1);
	assert_true(lp.msgs.n >= 1);
	assert_int_equal(lp.msgs.v[0].verbosity, 1);
	assert_contains(lp.msgs.v[0].text, "note: " PROFILES "/good/newer-syscalls.json: syscalls[0]: 'riscv_hwprobe' "
					   "exists only on other architectures: skipped on x86_64");
	tj_err_free(err);
	tj_plan_done(&lp);
}

/* A verb that holds its profile in memory (learn) hands it over. */
static void test_profile_in_memory(void **state)
{
	(void)state;
	struct tj_launch_plan lp;
	struct tj_err *err = NULL;
	struct tj_profile *p = NULL;
	assert_int_equal(tj_plan_load_profile("policies/strict.json", NULL, &p, &err), 0);
	static char *command[] = {(char *)"true", NULL};
	struct tj_options o = {.profile = "not-loaded", .command = command, .no_cache = true};
	struct tj_plan_request req = {.o = &o, .purpose = TJ_PLAN_RUN, .in_memory = true, .profile = p};
	assert_int_equal(tj_plan_build(&req, &lp, &err), 0);
	assert_ptr_equal(lp.profile, p);
	assert_non_null(lp.filter);
	assert_non_null(lp.exec_path);
	assert_ptr_equal(lp.plan.filter, lp.filter);
	assert_ptr_equal(lp.plan.manifest, &lp.manifest);
	tj_plan_done(&lp);
	tj_profile_free(p); /* not the plan's */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_run_and_check_agree_on_every_fixture),
		cmocka_unit_test(test_refused_fixtures),
		cmocka_unit_test(test_host_rules_name_the_flag_or_the_key),
		cmocka_unit_test(test_execve_denied_refused_by_both),
		cmocka_unit_test(test_messages_not_printed),
		cmocka_unit_test(test_profile_in_memory),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
