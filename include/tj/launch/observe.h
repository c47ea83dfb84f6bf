/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What the monitor records about a run beyond denials (notes/reports.md):
 *
 *   --explain SYSCALL   the user-space call stack of its calls (unwind/):
 *                       every notified call of it is unwound and counted
 *                       per call site; the first N calls of each site go
 *                       into the log with their stack;
 *   --report=usage      allowed calls: the first of each syscall per
 *   (with --log)        process is logged, the rest counted (usage events);
 *   processes           the command's tree: start, fork, exec (with the
 *                       dynamic loader's mapping) and exit, as process events.
 *
 * The monitor calls tj_observe_call for each notification while its caller
 * is still blocked, before answering it.  Never prints.
 */
#ifndef TJ_LAUNCH_OBSERVE_H
#define TJ_LAUNCH_OBSERVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "tj/base/err.h"
#include "tj/events/events.h"

struct tj_observe_opts {
	const int *explain_nrs; /* x86_64 syscall numbers whose stacks are taken */
	size_t explain_n;
	unsigned explain_stacks; /* stacks logged per call site (the first N calls); 0 means 1 */
	bool usage;		 /* log the first allowed call per process and syscall, count the rest */
	bool processes;		 /* process events (needs the lifecycle calls notified: tj_observe_lifecycle_nrs) */
	bool pid_ns;		 /* the command is the child of tinyjail's init, not of tinyjail */
	bool kill_stacks;	 /* take the stack of every call killed for (the kill message names it) */
};

struct tj_observe;

int tj_observe_new(const struct tj_observe_opts *opts, struct tj_events *events, struct tj_observe **ret,
		   struct tj_err **err);
void tj_observe_free(struct tj_observe *o);

/* The syscalls that must notify for process events: the clone family,
 * execve, execveat, exit_group (NULL-terminated names). */
extern const char *const tj_observe_lifecycle_names[];

/* A notification of thread e->pid (e->data, e->verdict, e->action, e->rule
 * filled in), before it is answered.  Sets e->tgid; for an explained call
 * takes its stack (listener and id confirm afterwards that the call is
 * still pending, so the stack is the call's own) and sets e->site and
 * e->stack when it is to be logged; clears e->tally_only for an allowed
 * call that is to be logged.  May write process events first. */
void tj_observe_call(struct tj_observe *o, struct tj_syscall_event *e, int listener, uint64_t id);

/* A killed call's frames, read by tj_observe_call before the kill, get
 * their names (after the kill, which naming would delay). */
void tj_observe_kill_named(struct tj_observe *o, struct tj_syscall_event *e);

/* After the call's own event was written: exit_group ends the process
 * (its usage counts and exit event), exit ends a thread. */
void tj_observe_after(struct tj_observe *o, const struct tj_syscall_event *e);

/* The process was killed for a syscall: its exit event. */
void tj_observe_killed(struct tj_observe *o, pid_t tgid);

/* The run is over: usage counts of processes still open, explain events. */
void tj_observe_finish(struct tj_observe *o);

/* After tj_observe_finish: per explained syscall, its call sites (valid
 * until tj_observe_free). */
const struct tj_explain_event *tj_observe_explained(const struct tj_observe *o, size_t *n);

#endif
