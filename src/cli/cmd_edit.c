/* SPDX-License-Identifier: Apache-2.0 */
/* `tinyjail edit [--from NAME] [--listen SOCK] [--log FILE] PROFILE`: the
 * terminal profile editor (src/edit/), with a running sandbox's requests. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "tj/cli/cmd.h"
#include "tj/edit/feed.h"
#include "tj/edit/model.h"
#include "tj/edit/view.h"

static bool on_terminal(void)
{
	return isatty(STDIN_FILENO) && isatty(STDOUT_FILENO);
}

int tj_cmd_edit(const struct tj_options *o)
{
	struct tj_err *err = NULL;
	struct tj_edit_model m;
	struct tj_edit_feed feed;
	bool listening = false;
	const char *path = o->inputs[0];
	/* A profile that does not load is never overwritten: the loader's
	 * message (file, line, JSON path) in a dialog, then on stderr. */
	if (tj_edit_model_open(&m, path, o->learn.from, &err) < 0) {
		if (on_terminal()) {
			char *text = tj_err_format(err);
			struct tj_err *e2 = NULL;
			tj_edit_view_message("tinyjail edit: the profile does not load", text, &e2);
			tj_err_free(e2);
			free(text);
		}
		goto fail;
	}
	if (!on_terminal()) {
		tj_edit_model_done(&m);
		tj_err_set(&err, TJ_ERR_USAGE, 0, "edit needs a terminal (standard input and output)");
		goto fail;
	}
	struct tj_edit_opts eo = {.read_only = !m.new_file && access(path, W_OK) != 0, .log_path = o->log_path};
	if (o->log_path) {
		size_t bad = 0;
		if (tj_edit_model_read_log(&m, o->log_path, &bad, &err) < 0) {
			tj_edit_model_done(&m);
			goto fail;
		}
		if (bad && o->verbosity >= 0)
			fprintf(stderr, "tinyjail: %s: %zu line%s that are not events skipped\n", o->log_path, bad,
				bad == 1 ? "" : "s");
	}
	if (eo.read_only && o->verbosity >= 0)
		fprintf(stderr, "tinyjail: %s is read-only: the editor will not save it\n", path);
	if (o->listen) {
		if (tj_edit_feed_open(&feed, &m, o->listen, !eo.read_only, &err) < 0) {
			tj_edit_model_done(&m);
			goto fail;
		}
		listening = true;
		eo.feed = &feed;
	}
	int r = tj_edit_view_run(&m, &eo, &err);
	/* The calls still waiting fail (ENOSYS), and every later one. */
	if (listening)
		tj_edit_feed_close(&feed);
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
