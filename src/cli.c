/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Argument parsing.  The first argument chooses a verb (run, check, compile,
 * help, version); anything else is the run form, `tinyjail [options] [--]
 * command...`, where the first non-option starts the command, as with env(1).
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "tj/cli.h"
#include "tj/util.h"

static const char usage_run[] =
	"usage: tinyjail [run] [options] [--] command [args...]\n"
	"       tinyjail check [--lint] profile...\n"
	"       tinyjail compile profile [--bpf FILE] [--pfc FILE] [--oci FILE]\n"
	"       tinyjail help [verb] | --help | --version\n"
	"\n"
	"Runs the command under a seccomp filter compiled from an OCI seccomp profile.\n"
	"\n"
	"options:\n"
	"  -p, --profile FILE|NAME      the profile (an OCI/Docker/Podman seccomp JSON file, an OCI\n"
	"                               config.json, or a bundled profile: default, strict);\n"
	"                               'none' runs without a syscall filter.  Default: default\n"
	"      --enforce                apply the profile's actions (the default)\n"
	"      --complain               deny nothing; report what the profile would have denied\n"
	"      --mode enforce|complain  the same as the two above\n"
	"      --log FILE               write events as JSON lines (notes/events.md)\n"
	"      --ignore-unknown-syscalls\n"
	"                               skip deny rules naming syscalls libseccomp does not know\n"
	"                               (this weakens the filter; allow rules are always skipped)\n"
	"      --kill-via supervisor|kernel\n"
	"                               who kills on a violation: tinyjail's supervisor names the\n"
	"                               syscall first (default); the kernel kills without a report\n"
	"      --no-cache               compile the profile even if a cached filter exists, and do not\n"
	"                               cache it ($XDG_CACHE_HOME/tinyjail, else ~/.cache/tinyjail)\n"
	"  -v, --verbose                say what is enforced and what was skipped (repeatable)\n"
	"  -q, --quiet                  print only errors\n"
	"  -h, --help                   this help\n"
	"  -V, --version                versions of tinyjail, libseccomp, json-c and the kernel\n"
	"\n"
	"exit status: the command's own; 128+N if it died from signal N (159: killed for a\n"
	"syscall); 125 tinyjail's error; 126 the command cannot run; 127 not found.\n";

static const char usage_check[] =
	"usage: tinyjail check [options] profile...\n"
	"\n"
	"Loads and compiles each profile and checks this host can enforce it; runs nothing.\n"
	"Exit status 0 when every profile is valid, 125 otherwise.\n"
	"\n"
	"options:\n"
	"      --lint                   also report risky rules (see notes/profile-format.md)\n"
	"      --ignore-unknown-syscalls\n"
	"  -v, --verbose                also list skipped rules and what each layer applies\n"
	"  -q, --quiet                  print only errors\n";

static const char usage_compile[] =
	"usage: tinyjail compile profile [options]\n"
	"\n"
	"Compiles a profile to a seccomp program with the profile's own actions.\n"
	"Without an output option the program is shown as libseccomp pseudo code.\n"
	"\n"
	"options:\n"
	"      --bpf FILE               raw BPF (struct sock_filter[]), loadable by bwrap --seccomp\n"
	"      --pfc FILE               libseccomp pseudo filter code\n"
	"      --oci FILE               a plain OCI linux.seccomp object for this host (dialect keys\n"
	"                               and conditions resolved); accepted by runc, crun, Docker, Podman\n"
	"      --optimize 1|2           1 = linear, 2 = binary tree (default: chosen by size)\n"
	"      --ignore-unknown-syscalls\n"
	"  -v, --verbose                report sizes and skipped rules\n"
	"  -q, --quiet                  print only errors\n"
	"FILE may be - for standard output.\n";

const char *tj_cli_usage(enum tj_verb verb)
{
	switch (verb) {
	case TJ_VERB_CHECK: return usage_check;
	case TJ_VERB_COMPILE: return usage_compile;
	default: return usage_run;
	}
}

static const struct {
	const char *name;
	enum tj_verb verb;
} verbs[] = {
	{"run", TJ_VERB_RUN}, {"check", TJ_VERB_CHECK}, {"compile", TJ_VERB_COMPILE},
	{"help", TJ_VERB_HELP}, {"version", TJ_VERB_VERSION},
};

enum {
	OPT_ENFORCE = 256,
	OPT_COMPLAIN,
	OPT_MODE,
	OPT_LOG,
	OPT_IGNORE_UNKNOWN,
	OPT_KILL_VIA,
	OPT_LINT,
	OPT_BPF,
	OPT_PFC,
	OPT_OCI,
	OPT_OPTIMIZE,
	OPT_NO_CACHE,
};

static const struct option long_options[] = {
	{"profile", required_argument, NULL, 'p'},
	{"enforce", no_argument, NULL, OPT_ENFORCE},
	{"complain", no_argument, NULL, OPT_COMPLAIN},
	{"mode", required_argument, NULL, OPT_MODE},
	{"log", required_argument, NULL, OPT_LOG},
	{"ignore-unknown-syscalls", no_argument, NULL, OPT_IGNORE_UNKNOWN},
	{"kill-via", required_argument, NULL, OPT_KILL_VIA},
	{"lint", no_argument, NULL, OPT_LINT},
	{"bpf", required_argument, NULL, OPT_BPF},
	{"pfc", required_argument, NULL, OPT_PFC},
	{"oci", required_argument, NULL, OPT_OCI},
	{"optimize", required_argument, NULL, OPT_OPTIMIZE},
	{"no-cache", no_argument, NULL, OPT_NO_CACHE},
	{"verbose", no_argument, NULL, 'v'},
	{"quiet", no_argument, NULL, 'q'},
	{"help", no_argument, NULL, 'h'},
	{"version", no_argument, NULL, 'V'},
	{NULL, 0, NULL, 0},
};

/* Options that make sense only for some verbs. */
static bool option_allowed(enum tj_verb verb, int opt)
{
	switch (opt) {
	case 'p': case OPT_ENFORCE: case OPT_COMPLAIN: case OPT_MODE: case OPT_LOG: case OPT_KILL_VIA:
	case OPT_NO_CACHE:
		return verb == TJ_VERB_RUN;
	case OPT_LINT:
		return verb == TJ_VERB_CHECK;
	case OPT_BPF: case OPT_PFC: case OPT_OCI: case OPT_OPTIMIZE:
		return verb == TJ_VERB_COMPILE;
	default:
		return true;
	}
}

static const char *option_name(int opt)
{
	for (size_t i = 0; long_options[i].name; i++)
		if (long_options[i].val == opt)
			return long_options[i].name;
	return "?";
}

int tj_cli_parse(int argc, char **argv, struct tj_options *o, struct tj_err **err)
{
	memset(o, 0, sizeof(*o));
	o->verb = TJ_VERB_RUN;
	int first = 1;
	if (argc > 1) {
		for (size_t i = 0; i < TJ_ARRAY_SIZE(verbs); i++) {
			if (strcmp(argv[1], verbs[i].name) == 0) {
				o->verb = verbs[i].verb;
				first = 2;
			}
		}
	}
	if (o->verb == TJ_VERB_VERSION)
		return 0;
	if (o->verb == TJ_VERB_HELP) {
		o->help_verb = TJ_VERB_RUN;
		for (size_t i = 0; argc > 2 && i < TJ_ARRAY_SIZE(verbs); i++)
			if (strcmp(argv[2], verbs[i].name) == 0)
				o->help_verb = verbs[i].verb;
		return 0;
	}

	/* getopt works on argv[first - 1 ...]: it skips element 0. */
	int gargc = argc - (first - 1);
	char **gargv = argv + (first - 1);
	/* The run form stops at the first non-option (the command); the
	 * others take their profile arguments anywhere. */
	const char *shortopts = o->verb == TJ_VERB_RUN ? "+:p:vqhV" : ":p:vqhV";
	optind = 0; /* full reset, so tests can parse repeatedly */
	opterr = 0;
	int c;
	while ((c = getopt_long(gargc, gargv, shortopts, long_options, NULL)) != -1) {
		if (c == '?') {
			const char *bad = gargv[optind - 1];
			/* getopt sets optopt to the character of an unknown short
			 * option, to 0 for an unknown long one, and to the
			 * option's value when a long option got "=value" it does
			 * not take. */
			const char *eq = strncmp(bad, "--", 2) == 0 ? strchr(bad, '=') : NULL;
			if (optopt >= OPT_ENFORCE ||
			    (optopt && eq && strncmp(option_name(optopt), bad + 2, (size_t)(eq - bad - 2)) == 0))
				return tj_err_set(err, TJ_ERR_USAGE, 0, "option '--%s' takes no value", option_name(optopt));
			if (optopt)
				return tj_err_set(err, TJ_ERR_USAGE, 0, "unknown option '-%c'", optopt);
			return tj_err_set(err, TJ_ERR_USAGE, 0, "unknown option '%s'", bad);
		}
		if (c == ':')
			return tj_err_set(err, TJ_ERR_USAGE, 0, "option '%s' needs a value", gargv[optind - 1]);
		if (!option_allowed(o->verb, c))
			return tj_err_set(err, TJ_ERR_USAGE, 0, "option '--%s' does not apply to this command", option_name(c));
		switch (c) {
		case 'p': o->profile = optarg; break;
		case OPT_ENFORCE: o->mode = TJ_MODE_ENFORCE; break;
		case OPT_COMPLAIN: o->mode = TJ_MODE_COMPLAIN; break;
		case OPT_MODE:
			if (strcmp(optarg, "enforce") == 0)
				o->mode = TJ_MODE_ENFORCE;
			else if (strcmp(optarg, "complain") == 0)
				o->mode = TJ_MODE_COMPLAIN;
			else
				return tj_err_set(err, TJ_ERR_USAGE, 0, "unknown mode '%s' (enforce or complain)", optarg);
			break;
		case OPT_LOG: o->log_path = optarg; break;
		case OPT_IGNORE_UNKNOWN: o->ignore_unknown = true; break;
		case OPT_KILL_VIA:
			if (strcmp(optarg, "kernel") == 0)
				o->kernel_kills = true;
			else if (strcmp(optarg, "supervisor") == 0)
				o->kernel_kills = false;
			else
				return tj_err_set(err, TJ_ERR_USAGE, 0, "--kill-via takes 'supervisor' or 'kernel', not '%s'",
						  optarg);
			break;
		case OPT_NO_CACHE: o->no_cache = true; break;
		case OPT_LINT: o->lint = true; break;
		case OPT_BPF: o->out_bpf = optarg; break;
		case OPT_PFC: o->out_pfc = optarg; break;
		case OPT_OCI: o->out_oci = optarg; break;
		case OPT_OPTIMIZE:
			if (strcmp(optarg, "1") == 0)
				o->optimize = 1;
			else if (strcmp(optarg, "2") == 0)
				o->optimize = 2;
			else
				return tj_err_set(err, TJ_ERR_USAGE, 0, "--optimize takes 1 or 2, not '%s'", optarg);
			break;
		case 'v': o->verbosity = o->verbosity < 0 ? 1 : o->verbosity + 1; break;
		case 'q': o->verbosity = -1; break;
		case 'h':
			o->help_verb = o->verb;
			o->verb = TJ_VERB_HELP;
			return 0;
		case 'V': o->verb = TJ_VERB_VERSION; return 0;
		}
	}

	char **rest = gargv + optind;
	int nrest = gargc - optind;
	if (o->verb == TJ_VERB_RUN) {
		if (nrest == 0)
			return tj_err_set(err, TJ_ERR_USAGE, 0, "no command given (usage: tinyjail [options] -- command [args...])");
		if (rest[0][0] == '\0')
			return tj_err_set(err, TJ_ERR_USAGE, 0, "the command name is empty");
		o->command = rest;
		return 0;
	}
	if (nrest == 0)
		return tj_err_set(err, TJ_ERR_USAGE, 0, "no profile given");
	if (o->verb == TJ_VERB_COMPILE && nrest > 1)
		return tj_err_set(err, TJ_ERR_USAGE, 0, "compile takes one profile, got %d", nrest);
	o->inputs = rest;
	o->ninputs = (size_t)nrest;
	return 0;
}

void tj_options_done(struct tj_options *o)
{
	memset(o, 0, sizeof(*o));
}
