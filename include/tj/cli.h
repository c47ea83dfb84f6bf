/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Command line -> options.  No side effects: nothing is opened, printed or
 * run here, so every case is unit-tested (tests/unit/test_cli.c).
 */
#ifndef TJ_CLI_H
#define TJ_CLI_H

#include <stdbool.h>
#include <stddef.h>

#include "tj/err.h"
#include "tj/filter.h"

enum tj_verb {
	TJ_VERB_RUN,
	TJ_VERB_CHECK,
	TJ_VERB_COMPILE,
	TJ_VERB_HELP,
	TJ_VERB_VERSION,
};

struct tj_options {
	enum tj_verb verb;
	enum tj_verb help_verb;     /* for TJ_VERB_HELP: which usage to show */
	const char *profile;        /* --profile; NULL means the bundled "default" */
	enum tj_mode mode;
	const char *log_path;       /* --log */
	int verbosity;              /* -1 quiet, 0 normal, 1+ verbose */
	bool ignore_unknown;        /* --ignore-unknown-syscalls */
	bool kernel_kills;          /* --kill-via=kernel */
	bool no_cache;              /* --no-cache: compile even if a cached filter exists */
	int optimize;               /* --optimize (compile) */
	char **command;             /* run: the command and its arguments */
	char **inputs;              /* check/compile: profile arguments */
	size_t ninputs;
	bool lint;                  /* check --lint */
	const char *out_bpf, *out_pfc, *out_oci; /* compile outputs */
};

/* Parses argv.  On error returns -1 with a TJ_ERR_USAGE record.  The strings
 * in *o point into argv.  Free with tj_options_done. */
int tj_cli_parse(int argc, char **argv, struct tj_options *o, struct tj_err **err);
void tj_options_done(struct tj_options *o);

/* The usage text for a verb (TJ_VERB_RUN is the main one). */
const char *tj_cli_usage(enum tj_verb verb);

#endif
