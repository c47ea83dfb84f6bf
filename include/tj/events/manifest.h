/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The enforcement manifest: what each layer's probe said it will apply
 * (`tinyjail check`, -v, and the `layer` events of --log).  Filled by the
 * layers (layers/), rendered by the verbs and the event log.
 */
#ifndef TJ_MANIFEST_H
#define TJ_MANIFEST_H

#include <stddef.h>

/* One line of the enforcement manifest (`tinyjail check`, -v, --log). */
enum tj_layer_status {
	TJ_LAYER_APPLIED,     /* will be enforced as asked */
	TJ_LAYER_DEGRADED,    /* enforced partly, because the user allowed it */
	TJ_LAYER_UNAVAILABLE, /* cannot be enforced on this host */
};
struct tj_manifest_entry {
	const char *layer;
	enum tj_layer_status status;
	char *detail;
};
struct tj_manifest {
	struct tj_manifest_entry *v;
	size_t n, cap;
};
__attribute__((format(printf, 4, 5))) void tj_manifest_add(struct tj_manifest *m, const char *layer,
							   enum tj_layer_status st, const char *fmt, ...);
void tj_manifest_done(struct tj_manifest *m);
const char *tj_layer_status_name(enum tj_layer_status st);

#endif
