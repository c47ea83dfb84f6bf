/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `tinyjail edit`'s screen: the one ncurses user (view.c).  A view over
 * the model (model.h): it draws the panes and turns keys into edits.
 */
#ifndef TJ_EDIT_VIEW_H
#define TJ_EDIT_VIEW_H

#include <stdbool.h>

#include "tj/base/err.h"
#include "tj/edit/feed.h"
#include "tj/edit/model.h"

struct tj_edit_opts {
	bool read_only;		   /* the file cannot be written: said at start, saving refused */
	struct tj_edit_feed *feed; /* --listen: the live feed, or NULL */
	const char *log_path;	   /* --log: the rows' `used` counts come from it, or NULL */
};

/* Runs the editor on the terminal until the person quits.  Returns 0, or -1
 * when the terminal cannot be used (err says why). */
int tj_edit_view_run(struct tj_edit_model *m, const struct tj_edit_opts *o, struct tj_err **err);
/* Shows a message in a dialog until a key is pressed (a profile that does
 * not load: the loader's words). */
int tj_edit_view_message(const char *title, const char *text, struct tj_err **err);

#endif
