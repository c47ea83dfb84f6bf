/* SPDX-License-Identifier: Apache-2.0 */
/* The enforcement manifest (manifest.h). */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "tj/base/util.h"
#include "tj/events/manifest.h"

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
