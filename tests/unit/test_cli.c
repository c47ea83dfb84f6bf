/* SPDX-License-Identifier: Apache-2.0 */
/* The command line (src/cli/cli.c): verbs, the run form, options per verb. */
#include "unit.h"

#include <string.h>

#include "tj/cli/cli.h"

#define MAXARGS 32

/* Parses a NULL-terminated list of arguments after "tinyjail".  The
 * strings live in a static array so that o's pointers stay valid. */
static char *argbuf[MAXARGS];
static int parse(struct tj_options *o, struct tj_err **err, ...)
{
	va_list ap;
	va_start(ap, err);
	int argc = 0;
	argbuf[argc++] = "tinyjail";
	const char *a;
	while ((a = va_arg(ap, const char *)) != NULL && argc < MAXARGS - 1)
		argbuf[argc++] = (char *)a;
	va_end(ap);
	argbuf[argc] = NULL;
	return tj_cli_parse(argc, argbuf, o, err);
}

/* Expects a usage error with exactly this message. */
#define EXPECT_USAGE(want_, ...)                                          \
	do {                                                              \
		struct tj_options o_;                                     \
		struct tj_err *e_ = NULL;                                 \
		assert_int_equal(parse(&o_, &e_, __VA_ARGS__, NULL), -1); \
		assert_non_null(e_);                                      \
		assert_int_equal(e_->kind, TJ_ERR_USAGE);                 \
		assert_string_equal(e_->msg, want_);                      \
		assert_int_equal(tj_err_exit_code(e_), TJ_EXIT_ERROR);    \
		tj_err_free(e_);                                          \
	} while (0)

static void expect_ok(struct tj_options *o, int rc, struct tj_err *err)
{
	if (rc != 0)
		fail_msg("unexpected error: %s", err ? err->msg : "(none)");
	assert_null(err);
	(void)o;
}

static void test_run_form(void **state)
{
	(void)state;
	struct tj_options o;
	struct tj_err *err = NULL;
	expect_ok(&o, parse(&o, &err, "ls", "-l", "/", NULL), err);
	assert_int_equal(o.verb, TJ_VERB_RUN);
	assert_null(o.profile);
	assert_int_equal(o.mode, TJ_MODE_ENFORCE);
	assert_false(o.kernel_kills);
	assert_int_equal(o.verbosity, 0);
	assert_string_equal(o.command[0], "ls");
	assert_string_equal(o.command[1], "-l"); /* not an option of tinyjail */
	assert_string_equal(o.command[2], "/");
	assert_null(o.command[3]);
	assert_null(o.inputs);

	/* Options stop at the first non-option, as env(1). */
	expect_ok(&o, parse(&o, &err, "-p", "strict", "--complain", "-v", "sh", "-c", "-p", NULL), err);
	assert_string_equal(o.profile, "strict");
	assert_int_equal(o.mode, TJ_MODE_COMPLAIN);
	assert_int_equal(o.verbosity, 1);
	assert_string_equal(o.command[0], "sh");
	assert_string_equal(o.command[2], "-p");

	/* "--" ends the options; the command may then start with '-'. */
	expect_ok(&o, parse(&o, &err, "--profile=default", "--", "-weird", "--help", NULL), err);
	assert_string_equal(o.profile, "default");
	assert_string_equal(o.command[0], "-weird");
	assert_string_equal(o.command[1], "--help");

	/* The explicit verb, and a command named like a verb. */
	expect_ok(&o, parse(&o, &err, "run", "--log", "ev.json", "--ignore-unknown-syscalls", "true", NULL), err);
	assert_int_equal(o.verb, TJ_VERB_RUN);
	assert_string_equal(o.log_path, "ev.json");
	assert_true(o.ignore_unknown);
	assert_string_equal(o.command[0], "true");
	expect_ok(&o, parse(&o, &err, "run", "--", "check", NULL), err);
	assert_int_equal(o.verb, TJ_VERB_RUN);
	assert_string_equal(o.command[0], "check");
	expect_ok(&o, parse(&o, &err, "--", "compile", NULL), err);
	assert_int_equal(o.verb, TJ_VERB_RUN);
	assert_string_equal(o.command[0], "compile");
	expect_ok(&o, parse(&o, &err, "ls", "check", NULL), err);
	assert_string_equal(o.command[1], "check");
	expect_ok(&o, parse(&o, &err, "run", "-q", "groups", NULL), err);
	assert_string_equal(o.command[0], "groups");
	expect_ok(&o, parse(&o, &err, "-q", "--", "groups", NULL), err);
	assert_string_equal(o.command[0], "groups");
	/* A verb only counts first: elsewhere, a command spelled like one is
	 * refused rather than silently run (the rule in cli.c). */
	EXPECT_USAGE("'groups' is a tinyjail verb, which only counts as the first argument; here it would be the "
		     "command to run",
		     "-q", "groups");
	EXPECT_USAGE("'check' is a tinyjail verb, which only counts as the first argument; here it would be the "
		     "command to run",
		     "--profile", "strict", "check", "p.json");
	/* "--" as an option's value is no end of the options. */
	EXPECT_USAGE("'why' is a tinyjail verb, which only counts as the first argument; here it would be the "
		     "command to run",
		     "--hostname", "--", "why");
	/* One profile per run. */
	EXPECT_USAGE("--profile given twice ('a.json', then 'b.json'): a run has one profile; a profile can build "
		     "on another with \"extends\", and --allow-syscall and --deny-syscall change one on the "
		     "command line",
		     "-p", "a.json", "--profile", "b.json", "ls");

	/* A short option with its value attached, and clustered flags. */
	expect_ok(&o, parse(&o, &err, "-vvpnone", "x", NULL), err);
	assert_string_equal(o.profile, "none");
	assert_int_equal(o.verbosity, 2);
	tj_options_done(&o);
	assert_null(o.command);
	assert_null(o.profile);
}

static void test_run_errors(void **state)
{
	(void)state;
	EXPECT_USAGE("no command given (usage: tinyjail [options] -- command [args...])", "-v");
	EXPECT_USAGE("no command given (usage: tinyjail [options] -- command [args...])", "--");
	EXPECT_USAGE("no command given (usage: tinyjail [options] -- command [args...])", "run");
	EXPECT_USAGE("the command name is empty", "");
	EXPECT_USAGE("the command name is empty", "--", "");
	EXPECT_USAGE("unknown option '--bogus'", "--bogus", "ls");
	EXPECT_USAGE("unknown option '-z'", "-z", "ls");
	EXPECT_USAGE("unknown option '-z'", "-vz", "ls");
	EXPECT_USAGE("option '-p' needs a value", "-p");
	EXPECT_USAGE("option '--profile' needs a value", "--profile");
	EXPECT_USAGE("option '--log' needs a value", "--log");
	EXPECT_USAGE("option '--enforce' takes no value", "--enforce=yes", "ls");
	EXPECT_USAGE("option '--enforce' takes no value", "--enf=yes", "ls");
	EXPECT_USAGE("--complain takes 'notify' or 'kmsg', not 'yes'", "--complain=yes", "ls");
	EXPECT_USAGE("option '--verbose' takes no value", "--verbose=2", "ls");
	EXPECT_USAGE("unknown option '-z'", "--complain", "-zv", "ls");
	EXPECT_USAGE("unknown option '--verbose-ish'", "--verbose-ish", "ls");
	EXPECT_USAGE("option '--optimize' does not apply to this command", "--optimize", "2", "ls");
	EXPECT_USAGE("option '--lint' does not apply to this command", "--lint", "ls");
	EXPECT_USAGE("option '--bpf' does not apply to this command", "--bpf", "x", "ls");
	/* An empty argv (no program name) is the run form without a command. */
	struct tj_options o;
	struct tj_err *err = NULL;
	char *none[] = {NULL};
	assert_int_equal(tj_cli_parse(0, none, &o, &err), -1);
	assert_string_equal(err->msg, "no command given (usage: tinyjail [options] -- command [args...])");
	tj_err_free(err);
}

static void test_modes_and_kill_via(void **state)
{
	(void)state;
	struct tj_options o;
	struct tj_err *err = NULL;
	expect_ok(&o, parse(&o, &err, "--mode", "complain", "x", NULL), err);
	assert_int_equal(o.mode, TJ_MODE_COMPLAIN);
	expect_ok(&o, parse(&o, &err, "--mode=enforce", "x", NULL), err);
	assert_int_equal(o.mode, TJ_MODE_ENFORCE);
	expect_ok(&o, parse(&o, &err, "--complain", "--enforce", "x", NULL), err);
	assert_int_equal(o.mode, TJ_MODE_ENFORCE);
	expect_ok(&o, parse(&o, &err, "--enforce", "--mode", "complain", "x", NULL), err);
	assert_int_equal(o.mode, TJ_MODE_COMPLAIN);
	EXPECT_USAGE("unknown mode 'audit' (enforce or complain)", "--mode", "audit", "x");
	EXPECT_USAGE("unknown mode 'Complain' (enforce or complain)", "--mode=Complain", "x");
	EXPECT_USAGE("unknown mode '' (enforce or complain)", "--mode=", "x");

	expect_ok(&o, parse(&o, &err, "--kill-via", "kernel", "x", NULL), err);
	assert_true(o.kernel_kills);
	expect_ok(&o, parse(&o, &err, "--kill-via=kernel", "--kill-via=supervisor", "x", NULL), err);
	assert_false(o.kernel_kills);
	EXPECT_USAGE("--kill-via takes 'supervisor' or 'kernel', not 'signal'", "--kill-via", "signal", "x");
	EXPECT_USAGE("option '--kill-via' needs a value", "--kill-via");

	expect_ok(&o, parse(&o, &err, "x", NULL), err);
	assert_false(o.no_cache);
	expect_ok(&o, parse(&o, &err, "--no-cache", "x", NULL), err);
	assert_true(o.no_cache);
	EXPECT_USAGE("option '--no-cache' takes no value", "--no-cache=1", "x");
}

static void test_verbosity(void **state)
{
	(void)state;
	struct tj_options o;
	struct tj_err *err = NULL;
	expect_ok(&o, parse(&o, &err, "-v", "-v", "--verbose", "x", NULL), err);
	assert_int_equal(o.verbosity, 3);
	expect_ok(&o, parse(&o, &err, "-q", "x", NULL), err);
	assert_int_equal(o.verbosity, -1);
	expect_ok(&o, parse(&o, &err, "-v", "--quiet", "x", NULL), err);
	assert_int_equal(o.verbosity, -1);
	expect_ok(&o, parse(&o, &err, "-q", "-v", "x", NULL), err);
	assert_int_equal(o.verbosity, 1);
}

static void test_help_and_version(void **state)
{
	(void)state;
	struct tj_options o;
	struct tj_err *err = NULL;
	expect_ok(&o, parse(&o, &err, "-h", NULL), err);
	assert_int_equal(o.verb, TJ_VERB_HELP);
	assert_int_equal(o.help_verb, TJ_VERB_RUN);
	expect_ok(&o, parse(&o, &err, "--help", "--bogus", NULL), err);
	assert_int_equal(o.verb, TJ_VERB_HELP);
	expect_ok(&o, parse(&o, &err, "-v", "-h", NULL), err);
	assert_int_equal(o.verb, TJ_VERB_HELP);
	/* After the command, -h belongs to the command. */
	expect_ok(&o, parse(&o, &err, "ls", "-h", NULL), err);
	assert_int_equal(o.verb, TJ_VERB_RUN);
	assert_string_equal(o.command[1], "-h");
	/* Other verbs take options anywhere. */
	expect_ok(&o, parse(&o, &err, "check", "a.json", "-h", NULL), err);
	assert_int_equal(o.verb, TJ_VERB_HELP);
	assert_int_equal(o.help_verb, TJ_VERB_CHECK);
	expect_ok(&o, parse(&o, &err, "compile", "--help", NULL), err);
	assert_int_equal(o.help_verb, TJ_VERB_COMPILE);
	expect_ok(&o, parse(&o, &err, "run", "-h", NULL), err);
	assert_int_equal(o.verb, TJ_VERB_HELP);
	assert_int_equal(o.help_verb, TJ_VERB_RUN);

	expect_ok(&o, parse(&o, &err, "help", NULL), err);
	assert_int_equal(o.verb, TJ_VERB_HELP);
	assert_int_equal(o.help_verb, TJ_VERB_RUN);
	expect_ok(&o, parse(&o, &err, "help", "check", NULL), err);
	assert_int_equal(o.help_verb, TJ_VERB_CHECK);
	expect_ok(&o, parse(&o, &err, "help", "compile", NULL), err);
	assert_int_equal(o.help_verb, TJ_VERB_COMPILE);
	expect_ok(&o, parse(&o, &err, "help", "profiles", NULL), err);
	assert_int_equal(o.help_verb, TJ_VERB_PROFILES);
	/* An unknown verb is an error, with a suggestion when one is close. */
	EXPECT_USAGE("help: unknown verb 'nonsense'", "help", "nonsense");
	EXPECT_USAGE("help: unknown verb 'grops' (did you mean 'groups'?)", "help", "grops");
	EXPECT_USAGE("help takes one verb at most", "help", "check", "compile");
	EXPECT_USAGE("version takes no arguments", "version", "x");
	expect_ok(&o, parse(&o, &err, "profiles", NULL), err);
	assert_int_equal(o.verb, TJ_VERB_PROFILES);
	EXPECT_USAGE("profiles takes no arguments", "profiles", "x");
	/* Every verb has a summary for --help, and help knows it. */
	size_t n;
	const struct tj_verb_info *v = tj_cli_verbs(&n);
	assert_true(n >= 11);
	for (size_t i = 0; i < n; i++) {
		assert_true(v[i].summary && v[i].summary[0]);
		expect_ok(&o, parse(&o, &err, "help", v[i].name, NULL), err);
		assert_int_equal(o.help_verb, v[i].verb);
		assert_non_null(tj_cli_usage(v[i].verb));
		assert_null(strstr(tj_cli_usage(v[i].verb), "%%"));
	}

	expect_ok(&o, parse(&o, &err, "version", NULL), err);
	assert_int_equal(o.verb, TJ_VERB_VERSION);
	expect_ok(&o, parse(&o, &err, "-V", NULL), err);
	assert_int_equal(o.verb, TJ_VERB_VERSION);
	expect_ok(&o, parse(&o, &err, "-q", "--version", "ls", NULL), err);
	assert_int_equal(o.verb, TJ_VERB_VERSION);
	expect_ok(&o, parse(&o, &err, "check", "-V", NULL), err);
	assert_int_equal(o.verb, TJ_VERB_VERSION);
	expect_ok(&o, parse(&o, &err, "compile", "a", "b", "-V", NULL), err);
	assert_int_equal(o.verb, TJ_VERB_VERSION);

	assert_contains(tj_cli_usage(TJ_VERB_RUN), "usage: tinyjail [run] [options] [--] command [args...]");
	assert_contains(tj_cli_usage(TJ_VERB_RUN), "--kill-via supervisor|kernel");
	assert_contains(tj_cli_usage(TJ_VERB_HELP), "usage: tinyjail help [verb]");
	assert_contains(tj_cli_usage(TJ_VERB_CHECK), "usage: tinyjail check [options] profile...");
	assert_contains(tj_cli_usage(TJ_VERB_CHECK), "--lint");
	assert_contains(tj_cli_usage(TJ_VERB_COMPILE), "usage: tinyjail compile profile [options]");
	assert_contains(tj_cli_usage(TJ_VERB_COMPILE), "--optimize 1|2");
}

static void test_check(void **state)
{
	(void)state;
	struct tj_options o;
	struct tj_err *err = NULL;
	expect_ok(&o, parse(&o, &err, "check", "a.json", NULL), err);
	assert_int_equal(o.verb, TJ_VERB_CHECK);
	assert_int_equal(o.ninputs, 1);
	assert_string_equal(o.inputs[0], "a.json");
	assert_false(o.lint);
	assert_null(o.command);
	/* Options anywhere, several profiles. */
	expect_ok(&o, parse(&o, &err, "check", "a.json", "--lint", "b.json", "-q", "--ignore-unknown-syscalls", NULL),
		  err);
	assert_true(o.lint);
	assert_int_equal(o.verbosity, -1);
	assert_true(o.ignore_unknown);
	assert_int_equal(o.ninputs, 2);
	assert_string_equal(o.inputs[0], "a.json");
	assert_string_equal(o.inputs[1], "b.json");
	expect_ok(&o, parse(&o, &err, "check", "--", "-odd.json", NULL), err);
	assert_int_equal(o.ninputs, 1);
	assert_string_equal(o.inputs[0], "-odd.json");
	EXPECT_USAGE("no profile given", "check");
	EXPECT_USAGE("no profile given", "check", "--lint");
	EXPECT_USAGE("option '--profile' does not apply to this command", "check", "-p", "x", "a.json");
	EXPECT_USAGE("option '--complain' does not apply to this command", "check", "--complain", "a.json");
	EXPECT_USAGE("option '--mode' does not apply to this command", "check", "--mode", "enforce", "a.json");
	EXPECT_USAGE("option '--kill-via' does not apply to this command", "check", "--kill-via=kernel", "a.json");
	EXPECT_USAGE("option '--log' does not apply to this command", "check", "--log", "f", "a.json");
	EXPECT_USAGE("option '--pfc' does not apply to this command", "check", "--pfc", "-", "a.json");
	EXPECT_USAGE("unknown option '--frob'", "check", "--frob", "a.json");
	EXPECT_USAGE("option '--lint' takes no value", "check", "--lint=yes", "a.json");
}

static void test_compile(void **state)
{
	(void)state;
	struct tj_options o;
	struct tj_err *err = NULL;
	expect_ok(&o, parse(&o, &err, "compile", "p.json", NULL), err);
	assert_int_equal(o.verb, TJ_VERB_COMPILE);
	assert_int_equal(o.ninputs, 1);
	assert_string_equal(o.inputs[0], "p.json");
	assert_int_equal(o.optimize, 0);
	assert_null(o.out_bpf);
	assert_null(o.out_pfc);
	assert_null(o.out_oci);
	expect_ok(&o,
		  parse(&o, &err, "compile", "--bpf", "f.bpf", "p.json", "--pfc=-", "--oci", "o.json", "--optimize",
			"2", "-v", NULL),
		  err);
	assert_string_equal(o.out_bpf, "f.bpf");
	assert_string_equal(o.out_pfc, "-");
	assert_string_equal(o.out_oci, "o.json");
	assert_int_equal(o.optimize, 2);
	assert_string_equal(o.inputs[0], "p.json");
	expect_ok(&o, parse(&o, &err, "compile", "--optimize=1", "p.json", NULL), err);
	assert_int_equal(o.optimize, 1);
	EXPECT_USAGE("--optimize takes 1 or 2, not '3'", "compile", "--optimize", "3", "p.json");
	EXPECT_USAGE("--optimize takes 1 or 2, not '0'", "compile", "--optimize", "0", "p.json");
	EXPECT_USAGE("--optimize takes 1 or 2, not '1x'", "compile", "--optimize=1x", "p.json");
	EXPECT_USAGE("no profile given", "compile");
	EXPECT_USAGE("no profile given", "compile", "--bpf", "out");
	EXPECT_USAGE("compile takes one profile, got 2", "compile", "a.json", "b.json");
	EXPECT_USAGE("compile takes one profile, got 3", "compile", "a", "b", "c");
	EXPECT_USAGE("option '--lint' does not apply to this command", "compile", "--lint", "p.json");
	EXPECT_USAGE("option '--profile' does not apply to this command", "compile", "--profile", "x", "p.json");
	EXPECT_USAGE("option '--bpf' needs a value", "compile", "p.json", "--bpf");
}

static void test_groups_and_why(void **state)
{
	(void)state;
	struct tj_options o;
	struct tj_err *err = NULL;
	expect_ok(&o, parse(&o, &err, "groups", NULL), err);
	assert_int_equal(o.verb, TJ_VERB_GROUPS);
	assert_int_equal(o.ninputs, 0);
	expect_ok(&o, parse(&o, &err, "groups", "@network-io", "openat", NULL), err);
	assert_int_equal(o.ninputs, 2);
	assert_string_equal(o.inputs[0], "@network-io");
	assert_string_equal(o.inputs[1], "openat");
	EXPECT_USAGE("option '--ignore-unknown-syscalls' does not apply to this command", "groups",
		     "--ignore-unknown-syscalls");
	EXPECT_USAGE("option '--lint' does not apply to this command", "groups", "--lint");

	expect_ok(&o, parse(&o, &err, "why", "openat", "p.json", NULL), err);
	assert_int_equal(o.verb, TJ_VERB_WHY);
	assert_int_equal(o.ninputs, 2);
	/* Arguments may be negative numbers: options stop at the syscall. */
	expect_ok(&o,
		  parse(&o, &err, "why", "-q", "--ignore-unknown-syscalls", "openat", "p.json", "-100", "0x1", NULL),
		  err);
	assert_int_equal(o.verbosity, -1);
	assert_true(o.ignore_unknown);
	assert_int_equal(o.ninputs, 4);
	assert_string_equal(o.inputs[2], "-100");
	EXPECT_USAGE("why needs a syscall and a profile", "why", "openat");
	EXPECT_USAGE("why needs a syscall and a profile", "why");
	EXPECT_USAGE("a syscall has at most 6 arguments, got 7", "why", "read", "p", "1", "2", "3", "4", "5", "6", "7");
	EXPECT_USAGE("option '--oci' does not apply to this command", "why", "--oci", "x", "read", "p");
	assert_contains(tj_cli_usage(TJ_VERB_WHY), "usage: tinyjail why");
	assert_contains(tj_cli_usage(TJ_VERB_GROUPS), "usage: tinyjail groups");
	assert_contains(tj_cli_usage(TJ_VERB_RUN), "tinyjail groups [@group|syscall...]");
	expect_ok(&o, parse(&o, &err, "help", "why", NULL), err);
	assert_int_equal(o.help_verb, TJ_VERB_WHY);
	expect_ok(&o, parse(&o, &err, "groups", "--help", NULL), err);
	assert_int_equal(o.help_verb, TJ_VERB_GROUPS);
}

/* The static pre-analysis: learn --static and explain. */
static void test_static_and_explain(void **state)
{
	(void)state;
	struct tj_options o;
	struct tj_err *err = NULL;
	expect_ok(&o, parse(&o, &err, "learn", "--static", "-o", "base.json", "./app", NULL), err);
	assert_int_equal(o.verb, TJ_VERB_LEARN);
	assert_true(o.learn.static_analysis);
	assert_string_equal(o.learn.output, "base.json");
	assert_int_equal(o.ninputs, 1);
	assert_string_equal(o.inputs[0], "./app");
	assert_null(o.command);
	expect_ok(&o,
		  parse(&o, &err, "learn", "--static", "--strict", "--no-cache", "--no-vdso", "--force", "-v", "-o",
			"b.json", "./app", "/bin/sh", NULL),
		  err);
	assert_true(o.strict && o.no_cache && o.no_vdso && o.learn.force);
	assert_int_equal(o.ninputs, 2);
	assert_int_equal(o.verbosity, 1);
	tj_options_done(&o); /* --no-cache is kept for learn's runs */
	expect_ok(&o, parse(&o, &err, "explain", "openat", "./app", NULL), err);
	assert_int_equal(o.verb, TJ_VERB_EXPLAIN);
	assert_string_equal(o.inputs[0], "openat");
	assert_string_equal(o.inputs[1], "./app");
	EXPECT_USAGE("no program given (usage: tinyjail learn --static -o FILE program...)", "learn", "--static", "-o",
		     "x.json");
	EXPECT_USAGE("learn needs the profile to write (-o FILE)", "learn", "--static", "./app");
	EXPECT_USAGE("--static analyses programs without running them: it takes none of --check, --merge, --cases, "
		     "--exact, --plain-names, --group-share, --default-errno",
		     "learn", "--static", "--merge", "-o", "x.json", "./app");
	EXPECT_USAGE("--strict and --no-vdso are options of learn --static", "learn", "--strict", "-o", "x.json", "--",
		     "ls");
	EXPECT_USAGE("a program name is empty", "learn", "--static", "-o", "x.json", "");
	EXPECT_USAGE("explain needs a syscall and a program", "explain", "openat");
	EXPECT_USAGE("option '--output' does not apply to this command", "explain", "-o", "x", "read", "p");
	EXPECT_USAGE("option '--static' does not apply to this command", "check", "--static", "p.json");
	assert_contains(tj_cli_usage(TJ_VERB_LEARN), "tinyjail learn --static -o FILE");
	assert_contains(tj_cli_usage(TJ_VERB_EXPLAIN), "usage: tinyjail explain");
	assert_contains(tj_cli_usage(TJ_VERB_RUN), "tinyjail explain syscall program...");
	expect_ok(&o, parse(&o, &err, "help", "explain", NULL), err);
	assert_int_equal(o.help_verb, TJ_VERB_EXPLAIN);
}

/* learn --fuzz, run --afl and learn --journal. */
static void test_fuzz_options(void **state)
{
	(void)state;
	struct tj_options o;
	struct tj_err *err = NULL;
	expect_ok(&o,
		  parse(&o, &err, "learn", "--fuzz", "in", "--budget", "10m", "--budget-execs", "5000", "--max-time",
			"1h", "--jobs", "2", "--from", "base.json", "--fuzz-dir", "d", "--fuzz-seed", "7", "--ro",
			"/usr", "--env-keep", "FOO", "-o", "app.json", "--", "./app-afl", "@@", NULL),
		  err);
	assert_string_equal(o.learn.fuzz, "in");
	assert_true(o.learn.budget_ms == 600000 && o.learn.budget_execs == 5000 && o.learn.max_ms == 3600000);
	assert_int_equal(o.learn.jobs, 2);
	assert_string_equal(o.learn.from, "base.json");
	assert_string_equal(o.learn.fuzz_dir, "d");
	assert_true(o.learn.has_fuzz_seed && o.learn.fuzz_seed == 7);
	assert_string_equal(o.command[0], "./app-afl");
	assert_string_equal(o.command[1], "@@");
	/* The run options, as written, for the tinyjail afl-fuzz starts. */
	assert_int_equal(o.learn.nrun_args, 4);
	assert_string_equal(o.learn.run_args[0], "--ro");
	assert_string_equal(o.learn.run_args[1], "/usr");
	assert_string_equal(o.learn.run_args[2], "--env-keep");
	assert_string_equal(o.learn.run_args[3], "FOO");
	tj_options_done(&o);

	expect_ok(&o, parse(&o, &err, "--afl", "--profile", "p.json", "--", "./app", NULL), err);
	assert_true(o.iso.afl_forkserver);
	assert_true(tj_strv_contains(&o.env.keep, "__AFL_*"));
	assert_true(tj_strv_contains(&o.env.keep, "AFL_*"));
	tj_options_done(&o);
	expect_ok(&o, parse(&o, &err, "learn", "--afl", "--journal", "j", "-o", "x.json", "--", "./app", NULL), err);
	assert_true(o.iso.afl_forkserver);
	assert_string_equal(o.learn.journal, "j");
	tj_options_done(&o);

	EXPECT_USAGE("--budget 0: the campaign would end before it starts; give a duration such as 10m", "learn",
		     "--fuzz", "in", "--budget", "0", "-o", "x.json", "--", "./app");
	EXPECT_USAGE("--jobs '0': expected a number from 1 to 64", "learn", "--fuzz", "in", "--jobs", "0", "-o",
		     "x.json", "--", "./app");
	EXPECT_USAGE("--budget, --budget-execs, --max-time, --jobs, --from, --fuzz-dir and --fuzz-seed are options of "
		     "learn --fuzz",
		     "learn", "--jobs", "2", "-o", "x.json", "--", "./app");
	EXPECT_USAGE("--fuzz takes none of --static, --check, --cases", "learn", "--fuzz", "in", "--static", "-o",
		     "x.json", "./app");
	EXPECT_USAGE("--fuzz gives --afl and --journal to the runs it starts itself", "learn", "--fuzz", "in", "--afl",
		     "-o", "x.json", "--", "./app");
	EXPECT_USAGE("--afl: no pid namespace: afl-fuzz kills the pid the forkserver reports, which must be a pid of "
		     "afl-fuzz's own namespace (name the other namespaces instead of 'all')",
		     "--afl", "--unshare", "all", "--", "./app");
	EXPECT_USAGE("--fuzz: no --timeout: afl-fuzz times each execution itself (-t), and tinyjail's timeout would "
		     "end the forkserver",
		     "learn", "--fuzz", "in", "--timeout", "5s", "-o", "x.json", "--", "./app");
	EXPECT_USAGE("--afl: no --no-fork: afl-fuzz's forkserver forks once per execution", "--afl", "--no-fork", "--",
		     "./app");
	EXPECT_USAGE("--afl: no IPC namespace: the target attaches afl-fuzz's coverage map, a System V shared memory "
		     "segment of afl-fuzz's namespace",
		     "--afl", "--unshare", "ipc", "--", "./app");
	EXPECT_USAGE("--fuzz needs the directory of seed inputs", "learn", "--fuzz", "", "-o", "x.json", "--", "./app");
	EXPECT_USAGE("learn needs the profile to write (-o FILE)", "learn", "--fuzz", "in", "--", "./app");
	EXPECT_USAGE("option '--afl' does not apply to this command", "check", "--afl", "p.json");
	assert_contains(tj_cli_usage(TJ_VERB_LEARN), "tinyjail learn --fuzz SEEDS -o FILE");
	assert_contains(tj_cli_usage(TJ_VERB_RUN), "--afl");
}

/* The limit flags, their values, and the verbs that take them. */
static void test_limits(void **state)
{
	(void)state;
	struct tj_options o;
	struct tj_err *err = NULL;
	assert_int_equal(parse(&o, &err, "--memory", "100M", "--cpu", "50%", "--pids", "64", "--timeout", "2m",
			       "--kill-after", "5s", "--rlimit", "nofile=256", "--rlimit", "stack=8M",
			       "--allow-degraded", "cpu", "--json-status", "s.json", "--", "true", NULL),
			 0);
	assert_true(o.limits.has_memory && o.limits.memory == 100u << 20);
	assert_true(o.limits.has_cpu && o.limits.cpu_quota == 50000);
	assert_true(o.limits.has_pids && o.limits.pids == 64);
	assert_true(o.limits.timeout_ms == 120000 && o.limits.kill_after_ms == 5000);
	assert_true(o.limits.rlimits[RLIMIT_NOFILE].soft == 256 && o.limits.rlimits[RLIMIT_STACK].hard == 8u << 20);
	assert_int_equal(o.limits.degrade, TJ_DEGRADE_CPU);
	assert_string_equal(o.json_status, "s.json");
	assert_string_equal(o.command[0], "true");

	static const struct {
		const char *opt, *value, *fragment;
	} bad[] = {
		{"--memory", "1K", "at least 4K"},
		{"--memory", "lots", "expected a size"},
		{"--pids", "0", "at least 1"},
		{"--pids", "-3", "at least 1"},
		{"--timeout", "0s", "expected a duration"},
		{"--timeout", "soon", "expected a duration"},
		{"--kill-after", "-1s", "expected a duration"},
		{"--cpu", "900%", "this host has"},
		{"--rlimit", "stack", "NAME=SOFT[:HARD]"},
		{"--allow-degraded", "seccomp", "unknown layer 'seccomp'"},
	};
	for (size_t i = 0; i < TJ_ARRAY_SIZE(bad); i++) {
		assert_int_equal(parse(&o, &err, bad[i].opt, bad[i].value, "--", "true", NULL), -1);
		assert_int_equal(err->kind, TJ_ERR_USAGE);
		assert_contains(err->msg, bad[i].fragment);
		tj_err_freep(&err);
	}
	/* Limits are for running things. */
	assert_int_equal(parse(&o, &err, "check", "--memory", "1M", "p.json", NULL), -1);
	assert_contains(err->msg, "does not apply to this command");
	tj_err_freep(&err);
}

/* Issue 6: --report, --complain=kmsg, --notify-socket, and supervise. */
static void test_report_and_sources(void **state)
{
	(void)state;
	struct tj_options o;
	struct tj_err *err = NULL;
	expect_ok(&o, parse(&o, &err, "ls", NULL), err);
	assert_int_equal(o.report, TJ_REPORT_NONE);
	assert_false(o.complain_kmsg);
	assert_null(o.notify_socket);
	expect_ok(&o, parse(&o, &err, "--report", "ls", NULL), err);
	assert_int_equal(o.report, TJ_REPORT_SUMMARY);
	expect_ok(&o, parse(&o, &err, "--report=usage", "ls", NULL), err);
	assert_int_equal(o.report, TJ_REPORT_USAGE);
	/* An optional value only attaches with '=': here "usage" is the command. */
	expect_ok(&o, parse(&o, &err, "--report", "usage", NULL), err);
	assert_int_equal(o.report, TJ_REPORT_SUMMARY);
	assert_string_equal(o.command[0], "usage");
	EXPECT_USAGE("--report takes 'usage' (or nothing), not 'all'", "--report=all", "ls");

	expect_ok(&o, parse(&o, &err, "--complain", "ls", NULL), err);
	assert_int_equal(o.mode, TJ_MODE_COMPLAIN);
	assert_false(o.complain_kmsg);
	expect_ok(&o, parse(&o, &err, "--complain=kmsg", "ls", NULL), err);
	assert_int_equal(o.mode, TJ_MODE_COMPLAIN);
	assert_true(o.complain_kmsg);
	expect_ok(&o, parse(&o, &err, "--complain=notify", "ls", NULL), err);
	assert_false(o.complain_kmsg);

	expect_ok(&o, parse(&o, &err, "--notify-socket", "/run/a.sock", "ls", NULL), err);
	assert_string_equal(o.notify_socket, "/run/a.sock");
	EXPECT_USAGE("option '--notify-socket' needs a value", "--notify-socket");
	EXPECT_USAGE("option '--listen' does not apply to this command", "--listen", "x", "ls");
	EXPECT_USAGE("option '--notify-socket' does not apply to this command", "check", "--notify-socket", "s",
		     "p.json");
}

static void test_supervise(void **state)
{
	(void)state;
	struct tj_options o;
	struct tj_err *err = NULL;
	expect_ok(&o, parse(&o, &err, "supervise", "--listen", "s.sock", NULL), err);
	assert_int_equal(o.verb, TJ_VERB_SUPERVISE);
	assert_string_equal(o.listen, "s.sock");
	assert_null(o.rules);
	assert_false(o.once);
	expect_ok(&o,
		  parse(&o, &err, "supervise", "--rules", "d.json", "--listen", "s", "--once", "-p", "p.json",
			"--write-back", "--log", "l", "-v", NULL),
		  err);
	assert_string_equal(o.rules, "d.json");
	assert_string_equal(o.profile, "p.json");
	assert_true(o.write_back);
	assert_true(o.once);
	assert_string_equal(o.log_path, "l");
	assert_int_equal(o.verbosity, 1);
	expect_ok(&o,
		  parse(&o, &err, "supervise", "--listen", "s", "--profile", "p.json", "--write-back-to", "out.json",
			NULL),
		  err);
	assert_string_equal(o.write_back_to, "out.json");
	EXPECT_USAGE("supervise needs --listen SOCK", "supervise");
	EXPECT_USAGE("supervise takes no arguments besides options", "supervise", "--listen", "s", "extra");
	EXPECT_USAGE("--write-back needs the profile to update (--profile FILE)", "supervise", "--listen", "s",
		     "--write-back");
	EXPECT_USAGE("--write-back and --write-back-to exclude each other", "supervise", "--listen", "s", "-p", "p",
		     "--write-back", "--write-back-to", "o");
	EXPECT_USAGE("option '--complain' does not apply to this command", "supervise", "--complain", "--listen", "s");
	expect_ok(&o, parse(&o, &err, "help", "supervise", NULL), err);
	assert_int_equal(o.help_verb, TJ_VERB_SUPERVISE);
	assert_contains(tj_cli_usage(TJ_VERB_SUPERVISE), "usage: tinyjail supervise --listen SOCK");
	assert_contains(tj_cli_usage(TJ_VERB_RUN), "--notify-socket SOCK");
}

/* Parsing twice in one process starts from scratch (getopt state). */
static void test_reparse(void **state)
{
	(void)state;
	struct tj_options o;
	struct tj_err *err = NULL;
	for (int i = 0; i < 3; i++) {
		expect_ok(&o, parse(&o, &err, "-q", "--complain", "cmd", NULL), err);
		assert_string_equal(o.command[0], "cmd");
		assert_int_equal(o.mode, TJ_MODE_COMPLAIN);
		expect_ok(&o, parse(&o, &err, "check", "x.json", NULL), err);
		assert_int_equal(o.mode, TJ_MODE_ENFORCE);
		assert_int_equal(o.verbosity, 0);
		assert_string_equal(o.inputs[0], "x.json");
	}
}

/* --explain (run) and the report verb (issue 14). */
static void test_explain_and_report(void **state)
{
	(void)state;
	struct tj_options o;
	struct tj_err *err = NULL;
	expect_ok(&o,
		  parse(&o, &err, "--explain", "openat,read", "--explain", "openat", "--explain-stacks", "5", "ls",
			NULL),
		  err);
	assert_int_equal(o.explain.n, 2);
	assert_string_equal(o.explain.v[0], "openat");
	assert_string_equal(o.explain.v[1], "read");
	assert_int_equal(o.explain_stacks, 5);
	tj_options_done(&o);
	EXPECT_USAGE("--explain: 'Open-At' is not a syscall name", "--explain", "Open-At", "ls");
	EXPECT_USAGE("--explain-stacks: '0' is not a number from 1 to 1000000000", "--explain-stacks", "0", "ls");
	EXPECT_USAGE("option '--explain' does not apply to this command", "report", "--explain", "openat", "a.log");

	expect_ok(&o,
		  parse(&o, &err, "report", "a.log", "b.log", "--timeline", "--html", "r.html", "-o", "t.json", "-p",
			"strict", NULL),
		  err);
	assert_int_equal(o.verb, TJ_VERB_REPORT);
	assert_int_equal(o.ninputs, 2);
	assert_string_equal(o.inputs[1], "b.log");
	assert_true(o.timeline);
	assert_string_equal(o.html, "r.html");
	assert_string_equal(o.output, "t.json");
	assert_string_equal(o.profile, "strict");
	tj_options_done(&o);
	EXPECT_USAGE("report needs an event log (tinyjail --log FILE ...)", "report");
	EXPECT_USAGE("option '--timeline' does not apply to this command", "--timeline", "ls");
	EXPECT_USAGE("option '--log' does not apply to this command", "report", "--log", "x", "a.log");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_run_form),
		cmocka_unit_test(test_run_errors),
		cmocka_unit_test(test_modes_and_kill_via),
		cmocka_unit_test(test_verbosity),
		cmocka_unit_test(test_help_and_version),
		cmocka_unit_test(test_check),
		cmocka_unit_test(test_compile),
		cmocka_unit_test(test_groups_and_why),
		cmocka_unit_test(test_static_and_explain),
		cmocka_unit_test(test_fuzz_options),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_report_and_sources),
		cmocka_unit_test(test_supervise),
		cmocka_unit_test(test_reparse),
		cmocka_unit_test(test_explain_and_report),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
