/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The host-rules layer's refusals as a monitor source (launch.h): each
 * record the BPF programs put on the ring buffer becomes a network event
 * (tj_events_net_refused: the log, a line on stderr, the tallies), with the
 * reason in words from the C reference of the rules (netrules.h).
 */
#ifndef TJ_NET_SOURCE_H
#define TJ_NET_SOURCE_H

#include "tj/events/events.h"
#include "tj/launch/launch.h"
#include "tj/net/netrules.h"

struct tj_net_source {
	struct tj_monitor_source src;
	void *layer; /* the net-rules layer's state */
	struct tj_events *events;
};

/* Fills s for the layer's state; s->src.fd is -1 when it has no records. */
void tj_net_source_init(struct tj_net_source *s, void *layer_state, struct tj_events *events);
/* The event for one record (exposed for the unit tests). */
void tj_net_source_event(const struct tj_net_rules *rules, const struct tj_nr_event *r, struct tj_events *events);

#endif
