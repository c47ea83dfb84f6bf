/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Starting the command: resolve it, probe and prepare every wanted layer,
 * clone3, apply the layers in the child in a fixed order, execve, then
 * supervise until it ends.  Never prints: results and events go back to the
 * command layer.
 */
#ifndef TJ_LAUNCH_H
#define TJ_LAUNCH_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "tj/base/err.h"
#include "tj/events/events.h"
#include "tj/filter/notify.h"
#include "tj/launch/pidinit.h"
#include "tj/layers/layer.h"

struct tj_observe;

/* Called by the monitor as things happen, so the command layer can tell the
 * user at once (a kill of a grandchild does not end the run). */
struct tj_launch_hooks {
	void *ctx;
	void (*on_kill)(void *ctx, const struct tj_syscall_event *e);
	/* A call the profile fails with an errno, when such calls pass the
	 * supervisor (--report, learn --check).  May be NULL. */
	void (*on_denied)(void *ctx, const struct tj_syscall_event *e);
	/* When set, the seccomp listener is handed to it as soon as it
	 * arrives (an external seccomp agent, agent.c) and tinyjail keeps no
	 * copy: it returns 0 once the listener is sent, or -1 with err, and
	 * then the command is killed (fail closed). */
	int (*on_listener)(void *ctx, int listener, pid_t child, struct tj_err **err);
	const struct tj_monitor_source *source; /* or NULL */
	/* learn: each notification after the start call, while its caller
	 * waits (listener and n->id let the hook confirm the caller is still
	 * blocked).  Returns 0 to let the call run, or an errno to fail it
	 * with (clone3 gets ENOSYS).  The monitor answers; the hook records. */
	int (*on_notify)(void *ctx, const struct tj_notification *n, int listener);
	/* Call stacks, allowed calls and the process tree (launch/observe.h),
	 * or NULL. */
	struct tj_observe *observe;
};

/* Sources the monitor can watch: the verb's and one per layer. */
#define TJ_MONITOR_SOURCES 16

/* How long the tree may take to end after tinyjail passed on a SIGTERM
 * before it is killed (--kill-after overrides it). */
#define TJ_TERM_GRACE_MS 10000

/* How long the monitor waits for the seccomp listener from its helper
 * (which gives up itself after about 10 s) before it ends the run. */
#define TJ_LISTENER_DEADLINE_MS 30000

struct tj_launch_result {
	int exit_code;		/* what tinyjail exits with */
	bool exited;		/* the command exited normally... */
	int status;		/* ...with this status */
	int signal;		/* or died from this signal (0 if exited) */
	bool seccomp_kill;	/* tinyjail killed the command for a syscall */
	bool kill_unattributed; /* ...one it could not attribute (see lost) */
	struct tj_syscall_event kill_event;
	uint64_t lost;		   /* notifications withdrawn before tinyjail saw them */
	const char *limit;	   /* the limit that ended the command: "timeout", "memory", or NULL */
	bool interrupted;	   /* a second SIGINT killed the tree */
	int terminal_signal;	   /* the last SIGINT or SIGQUIT the terminal sent (the command got it too) */
	bool term_killed;	   /* the tree outlasted a SIGTERM sent to tinyjail and was killed */
	int setup_signal;	   /* tj_launch failed: this signal came before the command started */
	uint64_t leftovers;	   /* processes killed at the end because they outlived the command */
	struct tj_cgroup_stats cg; /* from the cgroup, when there is one */
	uint64_t cpu_usec;	   /* user + system time of the whole tree */
	uint64_t max_rss;	   /* the largest resident set of any one process, bytes */
	char *copy_back;	   /* what was copied out of size-limited directories (caller frees) */
	char *copy_back_error;	   /* why copying back failed: files were lost (caller frees) */
	uint64_t wall_ms;
	uint64_t net_refused;	 /* attempts the host network rules refused (kernel count) */
	uint64_t net_unrecorded; /* ...of which no record reached tinyjail (ring buffer full) */
	int forwarded_signal;	 /* the last signal tinyjail passed on to the command, or 0 */
	bool listener_handed;	 /* the listener went to an external agent */
};

/* Finds the program like execvp: a name with a slash is used as it is,
 * otherwise PATH from envp is searched (default "/usr/local/bin:/usr/bin:/bin").
 * Fails with TJ_ERR_NOT_FOUND (127) or TJ_ERR_CANNOT_EXEC (126). */
int tj_resolve_command(const char *name, char *const envp[], char **ret_path, struct tj_err **err);

/* One row of launch.c's ordered layer table: the layer, where its enter
 * hook runs ("parent": nowhere in the child, "first child", "command"), and
 * why it sits there.  For the tests and notes/layers.md. */
struct tj_launch_step {
	const struct tj_layer *layer;
	const char *phase;
	const char *why;
};
const struct tj_launch_step *tj_launch_order(size_t *n);

/* Replaces the table tj_launch, tj_launch_probe and tj_launch_compose walk
 * with steps (phases as tj_launch_order names them); NULL restores the
 * built-in one.  For unit tests with fake layers, which check the walk's
 * order, its fail-closed paths and its cleanup without root.  -1 for more
 * than TJ_LAUNCH_MAX_LAYERS rows or an unknown phase. */
#define TJ_LAUNCH_MAX_LAYERS 16
int tj_launch_set_table(const struct tj_launch_step *steps, size_t n);

/* Plan time: each layer's compose hook adds what it needs of the other
 * layers' options to iso (plan->iso), in the table's order (plan.c, before
 * the probes). */
void tj_launch_compose(const struct tj_plan *plan, struct tj_isolation *iso);

/* Probes every layer the plan wants; fails closed on the first that cannot
 * be applied.  Fills the manifest for `check` and -v. */
int tj_launch_probe(const struct tj_plan *plan, struct tj_manifest *m, struct tj_err **err);

/* Runs the plan to completion.  Returns -1 only when tinyjail itself failed
 * before or while starting the command (err says why; the command did not
 * run, or was killed).  Otherwise fills res. */
int tj_launch(const struct tj_plan *plan, struct tj_events *events, const struct tj_launch_hooks *hooks,
	      struct tj_launch_result *res, struct tj_err **err);

/* --- internal: the monitor loop, shared by launch.c and its tests --- */
struct tj_monitor_args {
	const struct tj_plan *plan;
	struct tj_events *events;
	const struct tj_launch_hooks *hooks;
	pid_t child;
	int pidfd;
	int errfd;			       /* read end of the child's CLOEXEC error pipe */
	int sigfd;			       /* signalfd for the blocked signals */
	int listener_sock;		       /* where the seccomp listener arrives, or -1 */
	const struct tj_services *services;    /* the layers' (the cgroup, the listener) */
	struct tj_pidinit_shared *init_shared; /* with a pid namespace: the command's real status */
	/* the hooks' source and the layers' */
	const struct tj_monitor_source *const *sources;
	size_t nsources;
};
int tj_monitor_run(const struct tj_monitor_args *a, struct tj_launch_result *res, struct tj_err **err);

#endif
