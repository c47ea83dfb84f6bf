/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `tinyjail edit`'s screen: the one ncurses user (view.c).  A view over
 * the model (model.h): it draws the panes and turns keys into edits.
 */
#ifndef TJ_EDIT_VIEW_H
#define TJ_EDIT_VIEW_H

#include <stdbool.h>

#include "tj/base/err.h"
#include "tj/edit/model.h"

struct tj_edit_opts {
	bool read_only; /* the file cannot be written: said at start, saving refused */
};

/* Runs the editor on the terminal until the person quits.  Returns 0, or -1
 * when the terminal cannot be used (err says why). */
int tj_edit_view_run(struct tj_edit_model *m, const struct tj_edit_opts *o, struct tj_err **err);

#endif
