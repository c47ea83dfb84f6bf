/* SPDX-License-Identifier: Apache-2.0 */
/* The error record: build, extend with context, render.  Never prints. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tj/base/err.h"
#include "tj/base/util.h"

int tj_err_setv(struct tj_err **err, enum tj_err_kind kind, int errnum, const char *fmt, va_list ap)
{
	if (!err)
		return -1;
	/* A second error would lose the first; keep the first, it is the cause. */
	if (*err)
		return -1;
	struct tj_err *e = tj_xcalloc(1, sizeof(*e));
	e->kind = kind;
	e->errnum = errnum;
	e->msg = tj_xvasprintf(fmt, ap);
	*err = e;
	return -1;
}

int tj_err_set(struct tj_err **err, enum tj_err_kind kind, int errnum, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	tj_err_setv(err, kind, errnum, fmt, ap);
	va_end(ap);
	return -1;
}

int tj_err_wrap(struct tj_err **err, const char *fmt, ...)
{
	if (!err || !*err)
		return -1;
	va_list ap;
	va_start(ap, fmt);
	char *ctx = tj_xvasprintf(fmt, ap);
	va_end(ap);
	char *msg = tj_xasprintf("%s: %s", ctx, (*err)->msg);
	free(ctx);
	free((*err)->msg);
	(*err)->msg = msg;
	return -1;
}

int tj_err_at(struct tj_err **err, const char *file, const char *json_path)
{
	if (!err || !*err)
		return -1;
	if (file && !(*err)->file)
		(*err)->file = tj_xstrdup(file);
	if (json_path && !(*err)->json_path)
		(*err)->json_path = tj_xstrdup(json_path);
	return -1;
}

int tj_err_position(struct tj_err **err, int line, int col)
{
	if (!err || !*err)
		return -1;
	if (!(*err)->line) {
		(*err)->line = line;
		(*err)->col = col;
	}
	return -1;
}

int tj_err_hint(struct tj_err **err, const char *fmt, ...)
{
	/* Like the other fields, the innermost hint is the most specific:
	 * one already set stays (notes/errors.md). */
	if (!err || !*err || (*err)->hint)
		return -1;
	va_list ap;
	va_start(ap, fmt);
	(*err)->hint = tj_xvasprintf(fmt, ap);
	va_end(ap);
	return -1;
}

int tj_err_degradable(struct tj_err **err, const char *names)
{
	if (!err || !*err)
		return -1;
	free((*err)->degrade);
	(*err)->degrade = tj_xstrdup(names);
	return -1;
}

int tj_err_layer(struct tj_err **err, const char *layer)
{
	if (!err || !*err)
		return -1;
	if (!(*err)->layer && layer)
		(*err)->layer = tj_xstrdup(layer);
	return -1;
}

void tj_err_free(struct tj_err *e)
{
	if (!e)
		return;
	free(e->msg);
	free(e->hint);
	free(e->file);
	free(e->json_path);
	free(e->layer);
	free(e->degrade);
	free(e);
}

void tj_err_freep(struct tj_err **e)
{
	tj_err_free(*e);
	*e = NULL;
}

int tj_err_exit_code(const struct tj_err *e)
{
	if (!e)
		return TJ_EXIT_OK;
	switch (e->kind) {
	case TJ_ERR_NOT_FOUND: return TJ_EXIT_NOT_FOUND;
	case TJ_ERR_CANNOT_EXEC: return TJ_EXIT_CANNOT_EXEC;
	default: return TJ_EXIT_ERROR;
	}
}

char *tj_err_format(const struct tj_err *e)
{
	struct tj_buf b = {0};
	if (e->file) {
		tj_buf_add(&b, e->file);
		if (e->line > 0)
			tj_buf_addf(&b, ":%d", e->line);
		if (e->line > 0 && e->col > 0)
			tj_buf_addf(&b, ":%d", e->col);
		tj_buf_add(&b, ": ");
	}
	if (e->json_path && e->json_path[0])
		tj_buf_addf(&b, "%s: ", e->json_path);
	if (e->layer)
		tj_buf_addf(&b, "%s layer: ", e->layer);
	tj_buf_add(&b, e->msg);
	if (e->errnum)
		tj_buf_addf(&b, ": %s", strerror(e->errnum));
	if (e->hint)
		tj_buf_addf(&b, "\nhint: %s", e->hint);
	return tj_buf_steal(&b);
}
