/* SPDX-License-Identifier: Apache-2.0 */
/* Private to src/cli/: the per-verb argument checks (cli_checks.c). */
#ifndef TJ_CLI_INTERNAL_H
#define TJ_CLI_INTERNAL_H

#include "tj/cli/cli.h"

/* supervise takes no positional arguments; write-back needs the profile. */
int tj_cli_check_supervise(const struct tj_options *o, int nrest, struct tj_err **err);
/* --afl (and learn --fuzz): what afl-fuzz's way of running a command allows;
 * what names the option in the message. */
int tj_cli_check_afl(const struct tj_options *o, const char *what, struct tj_err **err);
/* learn: a command, --cases, --check with the profile, --static programs or
 * --fuzz; fills o->command (or the inputs) from rest. */
int tj_cli_check_learn(struct tj_options *o, char **rest, int nrest, struct tj_err **err);

#endif
