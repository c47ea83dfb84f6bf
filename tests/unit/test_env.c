/* SPDX-License-Identifier: Apache-2.0 */
/* The command's environment: allowlist, secrets, settings. */
#include "unit.h"

#include "tj/model/env.h"

static bool has(const struct tj_strv *v, const char *entry)
{
	for (size_t i = 0; i < v->n; i++)
		if (strcmp(v->v[i], entry) == 0)
			return true;
	return false;
}

static char *host_env[] = {
	"PATH=/usr/bin:/bin",
	"HOME=/home/u",
	"TERM=xterm",
	"LC_ALL=C",
	"LANG=C.UTF-8",
	"EDITOR=vi",
	"MY_APP_DEBUG=1",
	"GITHUB_TOKEN=ghp_x",
	"AWS_SECRET_ACCESS_KEY=k",
	"DB_PASSWORD=p",
	"SSH_AUTH_SOCK=/run/agent",
	"NOEQUALS",
	NULL,
};

static void test_glob(void **state)
{
	(void)state;
	assert_true(tj_env_glob("PATH", "PATH"));
	assert_true(tj_env_glob("path", "PATH")); /* names compare without case */
	assert_false(tj_env_glob("PATH", "PATHS"));
	assert_true(tj_env_glob("LC_*", "LC_ALL"));
	assert_true(tj_env_glob("LC_*", "LC_"));
	assert_false(tj_env_glob("LC_*", "XLC_ALL"));
	assert_true(tj_env_glob("*TOKEN*", "GITHUB_TOKEN"));
	assert_true(tj_env_glob("*TOKEN*", "TOKEN_FILE"));
	assert_true(tj_env_glob("*_KEY", "AWS_SECRET_ACCESS_KEY"));
	assert_true(tj_env_glob("A*B*C", "AxxBxxBxxC"));
	assert_false(tj_env_glob("A*B*C", "AxxBxxBxxD"));
	assert_true(tj_env_glob("*", "ANY"));
}

static void test_default(void **state)
{
	(void)state;
	struct tj_env_policy p = {0};
	struct tj_strv out = {0}, denied = {0};
	tj_env_build(&p, host_env, &out, &denied);
	assert_true(has(&out, "PATH=/usr/bin:/bin"));
	assert_true(has(&out, "HOME=/home/u"));
	assert_true(has(&out, "TERM=xterm"));
	assert_true(has(&out, "LC_ALL=C"));
	assert_true(has(&out, "LANG=C.UTF-8"));
	assert_false(has(&out, "EDITOR=vi")); /* not on the allowlist */
	assert_false(has(&out, "MY_APP_DEBUG=1"));
	assert_false(has(&out, "GITHUB_TOKEN=ghp_x")); /* a secret */
	assert_int_equal(out.n, 5);
	/* Secrets are reported by name (never by value); names merely not
	 * on the allowlist are not. */
	assert_true(tj_strv_contains(&denied, "GITHUB_TOKEN"));
	assert_true(tj_strv_contains(&denied, "AWS_SECRET_ACCESS_KEY"));
	assert_true(tj_strv_contains(&denied, "DB_PASSWORD"));
	assert_true(tj_strv_contains(&denied, "SSH_AUTH_SOCK"));
	assert_false(tj_strv_contains(&denied, "EDITOR"));
	assert_null(out.v[out.n]);
	tj_strv_done(&out);
	tj_strv_done(&denied);
}

static void test_keep_all_and_deny(void **state)
{
	(void)state;
	struct tj_env_policy p = {0};
	struct tj_err *err = NULL;
	assert_int_equal(tj_env_add_list(&p.keep, "EDITOR,MY_APP_*,GITHUB_TOKEN", &err), 0);
	assert_int_equal(tj_env_add_list(&p.deny, "LC_*", &err), 0);
	struct tj_strv out = {0};
	tj_env_build(&p, host_env, &out, NULL);
	assert_true(has(&out, "EDITOR=vi"));
	assert_true(has(&out, "MY_APP_DEBUG=1"));
	assert_true(has(&out, "GITHUB_TOKEN=ghp_x")); /* named exactly: an explicit keep wins */
	assert_false(has(&out, "LC_ALL=C"));	      /* a deny of one's own */
	tj_strv_done(&out);
	/* A keep glob never pulls a secret in; one's own deny beats an exact keep. */
	struct tj_env_policy g = {0};
	assert_int_equal(tj_env_add_list(&g.keep, "GITHUB_*,*,DB_PASSWORD", &err), 0);
	assert_int_equal(tj_env_add_list(&g.deny, "DB_*", &err), 0);
	tj_env_build(&g, host_env, &out, NULL);
	assert_false(has(&out, "GITHUB_TOKEN=ghp_x"));
	assert_false(has(&out, "AWS_SECRET_ACCESS_KEY=k"));
	assert_false(has(&out, "DB_PASSWORD=p"));
	assert_true(has(&out, "EDITOR=vi"));
	tj_strv_done(&out);
	tj_env_done(&g);

	struct tj_env_policy all = {.inherit_all = true};
	tj_env_build(&all, host_env, &out, NULL);
	assert_true(has(&out, "EDITOR=vi"));
	assert_false(has(&out, "DB_PASSWORD=p"));
	assert_false(has(&out, "NOEQUALS")); /* malformed entries never pass */
	tj_strv_done(&out);
	tj_env_done(&p);

	assert_int_equal(tj_env_add_list(&p.keep, "OK,BAD-NAME", &err), -1);
	assert_contains(err->msg, "'BAD-NAME' is not a variable name");
	tj_err_free(err);
	err = NULL;
	assert_int_equal(tj_env_add_list(&p.keep, "1ABC", &err), -1);
	tj_err_free(err);
	tj_env_done(&p);
}

/* Issue 16 item 17: a deny pattern matched only names shorter than 256
 * bytes, so with --env-all a long secret name passed. */
static void test_long_names_denied(void **state)
{
	(void)state;
	for (size_t pad = 200; pad <= 5000; pad += 300) {
		char *name = tj_xmalloc(pad + 32);
		memset(name, 'A', pad);
		strcpy(name + pad, "_TOKEN=s3cret");
		char *env[] = {name, "EDITOR=vi", NULL};
		struct tj_env_policy all = {.inherit_all = true};
		struct tj_strv out = {0}, denied = {0};
		tj_env_build(&all, env, &out, &denied);
		assert_false(has(&out, name));
		assert_true(has(&out, "EDITOR=vi"));
		assert_int_equal(denied.n, 1);
		assert_int_equal(strlen(denied.v[0]), pad + 6);
		tj_strv_done(&out);
		tj_strv_done(&denied);

		/* A deny pattern of one's own, and a keep glob, see the whole name. */
		struct tj_env_policy p = {.inherit_all = true};
		struct tj_err *err = NULL;
		memcpy(name + pad, "_MINE=1", 8);
		assert_int_equal(tj_env_add_list(&p.deny, "*_MINE", &err), 0);
		tj_env_build(&p, env, &out, NULL);
		assert_false(has(&out, name));
		tj_strv_done(&out);
		tj_env_done(&p);
		assert_int_equal(tj_env_add_list(&p.keep, "A*_MINE", &err), 0);
		tj_env_build(&p, env, &out, NULL);
		assert_true(has(&out, name));
		tj_strv_done(&out);
		tj_env_done(&p);
		free(name);
	}
}

/* What was not passed, and why: the one line run prints comes from this. */
static void test_report(void **state)
{
	(void)state;
	char *env[] = {"PATH=/bin",
		       "CC=gcc",
		       "MAKEFLAGS=-j4 --jobserver-auth=3,4",
		       "CI=true",
		       "GITHUB_SHA=abc",
		       "GITHUB_TOKEN=t",
		       "AWS_REGION=x",
		       "NPM_TOKEN=n",
		       "SESSION_MANAGER=local/x",
		       "EDITOR=vi",
		       "MINE=1",
		       "VIRTUAL_ENV=/v",
		       "JAVA_HOME=/jdk",
		       NULL};
	struct tj_env_policy p = {0};
	struct tj_err *err = NULL;
	assert_int_equal(tj_env_add_list(&p.deny, "MINE", &err), 0);
	struct tj_strv out = {0};
	struct tj_env_report rep = {0};
	tj_env_build_report(&p, env, &out, &rep);
	/* Builds and CI are steered by these: on the allowlist. */
	assert_true(has(&out, "CC=gcc"));
	assert_true(has(&out, "MAKEFLAGS=-j4 --jobserver-auth=3,4"));
	assert_true(has(&out, "CI=true"));
	assert_true(has(&out, "VIRTUAL_ENV=/v"));
	assert_true(has(&out, "JAVA_HOME=/jdk"));
	assert_true(tj_strv_contains(&rep.secrets, "GITHUB_TOKEN"));
	assert_true(tj_strv_contains(&rep.secrets, "NPM_TOKEN"));
	assert_int_equal(rep.secrets.n, 2);
	/* Narrow secret patterns: these are not secrets, merely not kept. */
	assert_true(tj_strv_contains(&rep.not_kept, "GITHUB_SHA"));
	assert_true(tj_strv_contains(&rep.not_kept, "AWS_REGION"));
	assert_true(tj_strv_contains(&rep.not_kept, "SESSION_MANAGER"));
	assert_true(tj_strv_contains(&rep.not_kept, "EDITOR"));
	assert_int_equal(rep.not_kept.n, 4);
	assert_true(tj_strv_contains(&rep.denied, "MINE"));
	assert_int_equal(rep.denied.n, 1);
	tj_strv_done(&out);
	tj_env_report_done(&rep);
	tj_env_done(&p);
	/* The secret patterns, against real secret names and near misses. */
	static const char *const secrets[] = {"GITHUB_TOKEN",
					      "GH_TOKEN",
					      "CI_JOB_TOKEN",
					      "AWS_SECRET_ACCESS_KEY",
					      "AWS_ACCESS_KEY_ID",
					      "AWS_SESSION_TOKEN",
					      "OPENAI_API_KEY",
					      "PGPASSWORD",
					      "DB_PASSWORD",
					      "AZURE_CLIENT_SECRET",
					      "GOOGLE_APPLICATION_CREDENTIALS",
					      "NPM_CONFIG__AUTH",
					      "SENTRY_DSN",
					      "DATABASE_URL",
					      "SSH_AUTH_SOCK",
					      "DBUS_SESSION_BUS_ADDRESS",
					      NULL};
	static const char *const plain[] = {"GITHUB_SHA",
					    "GITHUB_REF",
					    "RUNNER_OS",
					    "AWS_REGION",
					    "KEYMAP",
					    "XAUTHORITY",
					    "TOKENIZERS_PARALLELISM",
					    "SESSION_MANAGER",
					    "AUTHOR",
					    "MONKEY_BUSINESS",
					    NULL};
	for (size_t i = 0; secrets[i]; i++) {
		char *e = tj_xasprintf("%s=x", secrets[i]);
		char *one[] = {e, NULL};
		struct tj_env_policy all = {.inherit_all = true};
		tj_env_build_report(&all, one, &out, &rep);
		if (rep.secrets.n != 1)
			fail_msg("%s is not taken for a secret", secrets[i]);
		tj_strv_done(&out);
		tj_env_report_done(&rep);
		free(e);
	}
	for (size_t i = 0; plain[i]; i++) {
		char *e = tj_xasprintf("%s=x", plain[i]);
		char *one[] = {e, NULL};
		struct tj_env_policy all = {.inherit_all = true};
		tj_env_build_report(&all, one, &out, &rep);
		if (rep.secrets.n != 0 || out.n != 1)
			fail_msg("%s is taken for a secret", plain[i]);
		tj_strv_done(&out);
		tj_env_report_done(&rep);
		free(e);
	}
}

static void test_settings(void **state)
{
	(void)state;
	struct tj_env_policy p = {0}, over = {0};
	struct tj_err *err = NULL;
	assert_int_equal(tj_env_add_setting(&p, "GITHUB_TOKEN=given", &err), 0);
	assert_int_equal(tj_env_add_setting(&p, "HOME=/first", &err), 0);
	assert_int_equal(tj_env_add_setting(&over, "HOME=/second", &err), 0);
	assert_int_equal(tj_env_add_setting(&over, "EMPTY=", &err), 0);
	tj_env_merge(&p, &over);
	struct tj_strv out = {0};
	tj_env_build(&p, host_env, &out, NULL);
	assert_true(has(&out, "GITHUB_TOKEN=given")); /* an explicit setting passes */
	assert_true(has(&out, "HOME=/second"));	      /* the later setting wins */
	assert_false(has(&out, "HOME=/first"));
	assert_false(has(&out, "HOME=/home/u"));
	assert_true(has(&out, "EMPTY="));
	tj_strv_done(&out);
	assert_int_equal(tj_env_add_setting(&p, "NOVALUE", &err), -1);
	assert_contains(err->msg, "expected NAME=VALUE");
	tj_err_free(err);
	err = NULL;
	assert_int_equal(tj_env_add_setting(&p, "=x", &err), -1);
	tj_err_free(err);
	tj_env_done(&p);
	tj_env_done(&over);
}

static void test_empty(void **state)
{
	(void)state;
	struct tj_env_policy p = {0};
	struct tj_strv out = {0};
	char *none[] = {"EDITOR=vi", NULL};
	tj_env_build(&p, none, &out, NULL);
	assert_int_equal(out.n, 0);
	assert_non_null(out.v); /* still a NULL-terminated array for execve */
	assert_null(out.v[0]);
	tj_strv_done(&out);
	/* The defaults are published for the docs and --help. */
	assert_string_equal(tj_env_default_keep()[0], "PATH");
	assert_non_null(tj_env_default_deny()[0]);
}

/* tinyjail's own environment keeps only what the command was given (and
 * its own TINYJAIL_ settings); the others' values are zeroed in place, as
 * /proc/PID/environ would show them. */
static void test_scrub(void **state)
{
	(void)state;
	char token[] = "GITHUB_TOKEN=ghp_secret";
	char path[] = "PATH=/usr/bin";
	char editor[] = "EDITOR=vi";
	char own[] = "TINYJAIL_POLICY_DIR=/p";
	char home[] = "HOME=/home/u";
	char *env[] = {token, path, editor, own, home, NULL};
	struct tj_strv given = {0};
	tj_strv_add(&given, "PATH=/usr/bin");
	tj_strv_add(&given, "HOME=/elsewhere"); /* replaced by a setting */
	assert_int_equal(tj_env_scrub(env, &given, "TINYJAIL_"), 3);
	assert_ptr_equal(env[0], path);
	assert_ptr_equal(env[1], own);
	assert_null(env[2]);
	assert_string_equal(token, "GITHUB_TOKEN=");
	for (size_t i = strlen("GITHUB_TOKEN="); i < sizeof(token); i++)
		assert_int_equal(token[i], 0);
	assert_string_equal(home, "HOME=");
	assert_string_equal(editor, "EDITOR=");
	tj_strv_done(&given);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_glob),
		cmocka_unit_test(test_default),
		cmocka_unit_test(test_keep_all_and_deny),
		cmocka_unit_test(test_long_names_denied),
		cmocka_unit_test(test_report),
		cmocka_unit_test(test_settings),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_scrub),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
