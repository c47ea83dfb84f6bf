/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Port lists, one type for every option that takes ports: --net's
 * destination ports (netpolicy.h) and Landlock's TCP rights
 * (--tcp-bind/--tcp-connect, isolation.h), from the command line or a
 * profile.  The bounds live here once.
 */
#ifndef TJ_MODEL_PORTS_H
#define TJ_MODEL_PORTS_H

#include <stddef.h>
#include <stdint.h>

#include "tj/base/err.h"
#include "tj/base/util.h"

#define TJ_PORT_MAX 65535u
/* The lowest destination port: 0 cannot be connected to.  Landlock's TCP
 * rights take 0 too (binding to port 0 picks a free one). */
#define TJ_PORT_MIN_DEST 1u
#define TJ_PORT_MIN_LANDLOCK 0u

struct tj_port_list {
	uint16_t *v;
	size_t n;
};

/* Adds "80,443" to l, each a number from min to TJ_PORT_MAX; what names
 * the kind in the error ("'x' is not a port (1-65535)"). */
int tj_ports_add(struct tj_port_list *l, const char *list, unsigned min, const char *what, struct tj_err **err);
/* "80, 443", or "none" for an empty list. */
void tj_ports_format(struct tj_buf *b, const struct tj_port_list *l);

#endif
