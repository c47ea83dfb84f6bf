/* SPDX-License-Identifier: Apache-2.0 */
/* tinyjail: parse the command line and hand over to one verb. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tj/cli/cmd.h"

int main(int argc, char **argv)
{
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
	case TJ_VERB_HELP:
		fputs(tj_cli_usage(o.help_verb), stdout);
		code = 0;
		break;
	case TJ_VERB_VERSION: code = tj_cmd_version(); break;
	case TJ_VERB_CHECK: code = tj_cmd_check(&o); break;
	case TJ_VERB_COMPILE: code = tj_cmd_compile(&o); break;
	case TJ_VERB_GROUPS: code = tj_cmd_groups(&o); break;
	case TJ_VERB_WHY: code = tj_cmd_why(&o); break;
	case TJ_VERB_SUPERVISE: code = tj_cmd_supervise(&o); break;
	case TJ_VERB_LEARN: code = tj_cmd_learn(&o); break;
	case TJ_VERB_DIFF: code = tj_cmd_diff(&o); break;
	case TJ_VERB_EXPLAIN: code = tj_cmd_explain(&o); break;
	case TJ_VERB_RUN:
	default: code = tj_cmd_run(&o); break;
	}
	tj_options_done(&o);
	return code;
}
