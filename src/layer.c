/* SPDX-License-Identifier: Apache-2.0 */
/* Helpers shared by all layers: the manifest and child-side error records. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tj/layer.h"

void tj_manifest_add(struct tj_manifest *m, const char *layer, enum tj_layer_status st, const char *fmt, ...)
{
	tj_xreserve((void **)&m->v, &m->cap, m->n + 1, sizeof(*m->v));
	va_list ap;
	va_start(ap, fmt);
	m->v[m->n].detail = tj_xvasprintf(fmt, ap);
	va_end(ap);
	m->v[m->n].layer = layer;
	m->v[m->n].status = st;
	m->n++;
}

void tj_manifest_done(struct tj_manifest *m)
{
	for (size_t i = 0; i < m->n; i++)
		free(m->v[i].detail);
	free(m->v);
	memset(m, 0, sizeof(*m));
}

const char *tj_layer_status_name(enum tj_layer_status st)
{
	switch (st) {
	case TJ_LAYER_APPLIED: return "applied";
	case TJ_LAYER_DEGRADED: return "degraded";
	case TJ_LAYER_UNAVAILABLE: return "unavailable";
	}
	return "?";
}

static void copy_str(char *dst, size_t size, const char *src)
{
	size_t i = 0;
	for (; src && src[i] && i + 1 < size; i++)
		dst[i] = src[i];
	dst[i] = '\0';
}

int tj_child_fail(struct tj_child_error *cerr, enum tj_err_kind kind, int errnum, const char *layer,
		  const char *msg)
{
	cerr->kind = (int)kind;
	cerr->errnum = errnum;
	copy_str(cerr->layer, sizeof(cerr->layer), layer);
	copy_str(cerr->msg, sizeof(cerr->msg), msg);
	return -1;
}

int tj_child_fail_path(struct tj_child_error *cerr, enum tj_err_kind kind, int errnum, const char *layer,
		       const char *msg, const char *path)
{
	tj_child_fail(cerr, kind, errnum, layer, msg);
	size_t n = strlen(cerr->msg);
	copy_str(cerr->msg + n, sizeof(cerr->msg) - n, " '");
	n = strlen(cerr->msg);
	copy_str(cerr->msg + n, sizeof(cerr->msg) - n, path);
	n = strlen(cerr->msg);
	copy_str(cerr->msg + n, sizeof(cerr->msg) - n, "'");
	return -1;
}
