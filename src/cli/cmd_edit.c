/* SPDX-License-Identifier: Apache-2.0 */
/* `tinyjail edit [--from NAME] PROFILE`: the terminal profile editor (src/edit/). */
#include <stdio.h>
#include <unistd.h>

#include "tj/cli/cmd.h"
#include "tj/edit/model.h"
#include "tj/edit/view.h"

int tj_cmd_edit(const struct tj_options *o)
{
	struct tj_err *err = NULL;
	struct tj_edit_model m;
	const char *path = o->inputs[0];
	/* The loader's message, and nothing opened for writing: a profile that
	 * does not load is never overwritten. */
	if (tj_edit_model_open(&m, path, o->learn.from, &err) < 0)
		goto fail;
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		tj_edit_model_done(&m);
		tj_err_set(&err, TJ_ERR_USAGE, 0, "edit needs a terminal (standard input and output)");
		goto fail;
	}
	struct tj_edit_opts eo = {.read_only = !m.new_file && access(path, W_OK) != 0};
	if (eo.read_only && o->verbosity >= 0)
		fprintf(stderr, "tinyjail: %s is read-only: the editor will not save it\n", path);
	int r = tj_edit_view_run(&m, &eo, &err);
	tj_edit_model_done(&m);
	if (r < 0)
		goto fail;
	return 0;
fail : {
	int code = tj_cmd_report(err);
	tj_err_free(err);
	return code;
}
}
