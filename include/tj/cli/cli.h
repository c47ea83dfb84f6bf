/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Command line -> options (struct tj_options, plan/options.h, where the plan
 * builder reads them).  No side effects: nothing is opened, printed or run
 * here, so every case is unit-tested (tests/unit/test_cli.c).
 */
#ifndef TJ_CLI_H
#define TJ_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tj/base/err.h"
#include "tj/plan/options.h"

/* One verb: its name, and one line for `tinyjail --help` (cli.c has the
 * rule that tells verbs from commands). */
struct tj_verb_info {
	const char *name;
	enum tj_verb verb;
	const char *summary;
};

/* Every verb, in the order --help lists them. */
const struct tj_verb_info *tj_cli_verbs(size_t *n);

/* Parses argv.  On error returns -1 with a TJ_ERR_USAGE record.  The strings
 * in *o point into argv.  Free with tj_options_done. */
int tj_cli_parse(int argc, char **argv, struct tj_options *o, struct tj_err **err);
void tj_options_done(struct tj_options *o);

/* The usage text for a verb (TJ_VERB_RUN is the main one). */
const char *tj_cli_usage(enum tj_verb verb);

#endif
