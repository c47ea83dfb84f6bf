/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The report model as text for a terminal (80 columns, colour only when
 * asked) and as one self-contained HTML page (inline CSS, JavaScript and
 * SVG; nothing is fetched).  Each returns a string the caller prints or
 * writes (notes/reports.md).
 */
#ifndef TJ_REPORT_VIEW_H
#define TJ_REPORT_VIEW_H

#include <stdbool.h>

#include "tj/report/model.h"

struct tj_report_view_opts {
	unsigned width;			       /* columns; 0 means 80 */
	bool color;			       /* ANSI colours (a terminal, and NO_COLOR unset) */
	const char *profile;		       /* the profile compared with, for headings; NULL: none */
	const struct tj_report_unused *unused; /* NULL without a profile */
};

/* Runs, seen, missed, unused and call chains. */
char *tj_report_text(const struct tj_report_model *m, const struct tj_report_view_opts *o);

/* Per run, the process tree with each process's timeline. */
char *tj_report_text_timeline(const struct tj_report_model *m, const struct tj_report_view_opts *o);

/* Everything, as one HTML page. */
char *tj_report_html(const struct tj_report_model *m, const struct tj_report_view_opts *o);

/* The same page given to sink in pieces of a few hundred KiB, never held
 * whole: 0, or the first non-zero value sink returned (it is not called
 * again after that). */
int tj_report_html_write(const struct tj_report_model *m, const struct tj_report_view_opts *o,
			 int (*sink)(void *ctx, const char *s, size_t n), void *ctx);

#endif
