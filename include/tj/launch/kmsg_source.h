/* SPDX-License-Identifier: Apache-2.0 */
/*
 * --complain=kmsg: the monitor source (launch.h) that turns the kernel log's
 * SECCOMP_RET_LOG records into would-deny events, attributed to the
 * command's own processes by their place in the process tree (kmsg.h has
 * the record format and the loss accounting; notes/supervise.md the
 * trade-offs against seccomp user notification).
 */
#ifndef TJ_KMSG_SOURCE_H
#define TJ_KMSG_SOURCE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "tj/events/events.h"
#include "tj/events/kmsg.h"
#include "tj/filter/filter.h"
#include "tj/launch/launch.h"

struct tj_kmsg_source {
	struct tj_monitor_source src; /* hand &src to tj_launch_hooks.source */
	struct tj_kmsg *k;
	const struct tj_filter *filter;
	struct tj_events *events;
	pid_t child;  /* the command, once started */
	pid_t *known; /* pids found in the command's tree */
	size_t nknown, cap;
	uint64_t records;	  /* records attributed to the command */
	uint64_t unattributable;  /* logged calls of processes gone before they could be placed */
	struct tj_kmsg_loss loss; /* final once the command has ended */
};

/* Opens the kernel log and makes the first marker.  Call before launch. */
int tj_kmsg_source_start(struct tj_kmsg_source *s, const struct tj_filter *f, struct tj_events *ev,
			 struct tj_err **err);
void tj_kmsg_source_done(struct tj_kmsg_source *s);
/* True when nothing may be missing (no loss, every record attributed). */
bool tj_kmsg_source_complete(const struct tj_kmsg_source *s);

#endif
