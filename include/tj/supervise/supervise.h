/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `tinyjail supervise`: an OCI seccomp agent.  Accepts listeners on a unix
 * socket (agent.h), and answers every notified system call from memory, the
 * rules file or a person (decisions.h).  Never prints: the command layer
 * asks and tells through the hooks.
 *
 * TOCTOU: the supervisor reads nothing but the notification itself (number,
 * ABI, argument registers, instruction pointer) and /proc/PID/comm for
 * messages.  It never reads memory an argument points to, so no decision to
 * let a call continue rests on data the target could change after the check.
 */
#ifndef TJ_SUPERVISE_H
#define TJ_SUPERVISE_H

#include <linux/seccomp.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "tj/base/err.h"
#include "tj/events/events.h"
#include "tj/supervise/agent.h"
#include "tj/supervise/decisions.h"

/* One notified call, as the hooks see it. */
struct tj_supervised_call {
	const struct tj_agent_state *sandbox; /* who handed over the listener */
	pid_t pid;			      /* the calling thread, in our pid namespace */
	char comm[17];
	struct seccomp_data data;
};

enum tj_ask_result {
	TJ_ASK_ANSWERED = 0,
	TJ_ASK_NOBODY = -1, /* no terminal: nobody can be asked */
	TJ_ASK_STOP = -2,   /* the supervisor was told to stop while asking */
};

struct tj_supervise_hooks {
	void *ctx;
	/* Asks a person; stop_fd becomes readable when the supervisor must
	 * stop.  Fills *ret and *remember ("always") on TJ_ASK_ANSWERED. */
	enum tj_ask_result (*ask)(void *ctx, const struct tj_supervised_call *c, int stop_fd, struct tj_decision *ret,
				  bool *remember);
	/* A call was answered: by "memory", "rules", "default" or "person". */
	void (*decided)(void *ctx, const struct tj_supervised_call *c, const struct tj_decision *d, const char *by,
			const char *why);
	void (*attached)(void *ctx, const struct tj_agent_state *st);
	void (*detached)(void *ctx, const struct tj_agent_state *st, uint64_t calls);
	/* A connection was refused (bad state, no listener, ...). */
	void (*rejected)(void *ctx, const struct tj_err *why);
	/* New decisions were remembered: a chance to write them back. */
	void (*learned)(void *ctx, struct tj_memory *mem);
	/* The calls an "always" answer to c covers: the comparisons of its
	 * argument class (clone flags within those of c, socket's family
	 * and type, ...), at most max; 0 means every call of the syscall.
	 * NULL: every call. */
	size_t (*arg_class)(void *ctx, const struct seccomp_data *d, struct tj_arg *out, size_t max);
};

struct tj_supervise_opts {
	int listen_sock;
	const struct tj_decisions *rules; /* may be NULL: then every call is asked */
	bool once;			  /* stop when the first sandbox ends */
	struct tj_events *events;	  /* the log, or NULL */
};

struct tj_supervise_stats {
	uint64_t allowed, denied, killed;
	uint64_t sandboxes;
};

/* Runs until SIGINT, SIGTERM or SIGHUP (or, with once, until the first
 * sandbox ends).  The listeners are closed on return, so the kernel fails
 * whatever is still pending with ENOSYS: denial, never a call let through. */
int tj_supervise_run(const struct tj_supervise_opts *o, const struct tj_supervise_hooks *h, struct tj_memory *mem,
		     struct tj_supervise_stats *stats, struct tj_err **err);

#endif
