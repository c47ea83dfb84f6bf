/* SPDX-License-Identifier: Apache-2.0 */
/* tinyjail: parse the command line and hand over to one verb. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>

#include "tj/base/integrity.h"
#include "tj/base/phase.h"
#include "tj/base/testhook.h"
#include "tj/cli/cmd.h"

/* Dies of the signal the command died of, as a shell's child would: a
 * loop around tinyjail stops on Ctrl-C, a pipeline ends quietly on SIGPIPE.
 * No core file of tinyjail's own for SIGSEGV or SIGABRT. */
static void die_of(int sig)
{
	fflush(NULL);
	struct rlimit none = {0, 0};
	setrlimit(RLIMIT_CORE, &none);
	signal(sig, SIG_DFL);
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, sig);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	raise(sig);
	/* A signal that does not kill (SIGCHLD, SIGWINCH...) never gets here:
	 * tj_cmd_run_signal names only deaths.  Should it not kill anyway,
	 * the exit status stands. */
}

int main(int argc, char **argv)
{
	tj_phase("main");
	/* First of all: nothing of the same user may read or write tinyjail's
	 * memory, environment or descriptors (/proc/PID/mem, environ, fd,
	 * ptrace, process_vm_readv).  The command runs as that user; the
	 * helpers tinyjail forks inherit this (notes/security.md). */
	if (!tj_testhook("no-walls") && prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0) {
		fprintf(stderr, "tinyjail: cannot make itself non-dumpable\n");
		return TJ_EXIT_ERROR;
	}
	/* The per-user key agent, started by tinyjail itself (integrity.h). */
	if (argc == 2 && strcmp(argv[1], TJ_INTEGRITY_AGENT_ARG) == 0)
		return tj_integrity_agent_main();
	struct tj_options o;
	struct tj_err *err = NULL;
	if (tj_cli_parse(argc, argv, &o, &err) < 0) {
		int code = tj_cmd_report(err);
		fprintf(stderr, "tinyjail: see 'tinyjail --help'\n");
		tj_err_free(err);
		return code;
	}
	int code;
	switch (o.verb) {
	case TJ_VERB_HELP: code = tj_cmd_help(&o); break;
	case TJ_VERB_PROFILES: code = tj_cmd_profiles(&o); break;
	case TJ_VERB_VERSION: code = tj_cmd_version(); break;
	case TJ_VERB_CHECK: code = tj_cmd_check(&o); break;
	case TJ_VERB_COMPILE: code = tj_cmd_compile(&o); break;
	case TJ_VERB_GROUPS: code = tj_cmd_groups(&o); break;
	case TJ_VERB_WHY: code = tj_cmd_why(&o); break;
	case TJ_VERB_SUPERVISE: code = tj_cmd_supervise(&o); break;
	case TJ_VERB_REPORT: code = tj_cmd_report_logs(&o); break;
	case TJ_VERB_LEARN: code = tj_cmd_learn(&o); break;
	case TJ_VERB_DIFF: code = tj_cmd_diff(&o); break;
	case TJ_VERB_EXPLAIN: code = tj_cmd_explain(&o); break;
	case TJ_VERB_EDIT: code = tj_cmd_edit(&o); break;
	case TJ_VERB_RUN:
	default: code = tj_cmd_run(&o); break;
	}
	tj_options_done(&o);
	tj_phase("exit");
	int sig = tj_cmd_run_signal();
	if (sig)
		die_of(sig);
	return code;
}
