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

#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "tj/base/err.h"
#include "tj/base/seccomp_abi.h"
#include "tj/events/events.h"
#include "tj/supervise/agent.h"
#include "tj/supervise/decisions.h"

/* One notified call, as the hooks see it (valid during the hook only). */
struct tj_supervised_call {
	const struct tj_agent_state *sandbox; /* who handed over the listener */
	pid_t pid;			      /* the calling thread, in our pid namespace */
	char comm[17];
	struct seccomp_data data;
	uint64_t ticket; /* names the call for tj_supervisor_answer */
};

enum tj_ask_result {
	TJ_ASK_ANSWERED = 0,
	TJ_ASK_NOBODY = -1, /* no terminal: nobody can be asked */
	TJ_ASK_STOP = -2,   /* the supervisor was told to stop while asking */
	TJ_ASK_LATER = -3,  /* the call stays pending until tj_supervisor_answer */
};

/* The most calls that wait for tj_supervisor_answer at once; beyond it
 * new notifications wait in the kernel, unread. */
#define TJ_SUPERVISE_MAX_DEFERRED 4096

struct tj_supervise_hooks {
	void *ctx;
	/* Asks a person; stop_fd becomes readable when the supervisor must
	 * stop.  Fills *ret and *remember ("always") on TJ_ASK_ANSWERED, or
	 * returns TJ_ASK_LATER to answer with tj_supervisor_answer (then it
	 * copies what it needs of c: c is gone after the hook). */
	enum tj_ask_result (*ask)(void *ctx, const struct tj_supervised_call *c, int stop_fd, struct tj_decision *ret,
				  bool *remember);
	/* Decides before anything else, from the owner's own policy (the
	 * editor's profile): true when it did, with *ret and *why (freed by
	 * the supervisor).  NULL: nothing to consult. */
	bool (*consult)(void *ctx, const struct tj_supervised_call *c, struct tj_decision *ret, char **why);
	/* A deferred call can no longer be answered: its sandbox ended, or its
	 * caller went away (killed, or a signal withdrew the call). */
	void (*withdrawn)(void *ctx, uint64_t ticket);
	/* A call was answered: by "profile", "memory", "rules", "default" or "person". */
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

/* --- the supervisor as an object, for its owner's event loop --- */

struct tj_supervisor;

/* o, h, mem and stats must outlive it. */
int tj_supervisor_new(const struct tj_supervise_opts *o, const struct tj_supervise_hooks *h, struct tj_memory *mem,
		      struct tj_supervise_stats *stats, struct tj_supervisor **ret, struct tj_err **err);
/* The descriptors to poll for POLLIN now (at most max), and in *timeout_ms
 * when to come back at the latest (-1: no deadline). */
size_t tj_supervisor_pollfds(struct tj_supervisor *s, struct pollfd *out, size_t max, int *timeout_ms);
/* Handles what poll reported for the descriptors of the last
 * tj_supervisor_pollfds (the same array): new sandboxes, notifications (a
 * bounded burst per sandbox), ended sandboxes, deadlines. */
void tj_supervisor_dispatch(struct tj_supervisor *s, const struct pollfd *p, size_t n);
/* Answers a deferred call (TJ_ASK_LATER); remember keeps the answer for
 * the call's argument class, as an "always" answer.  why is logged (NULL:
 * "a person").  Returns -1 when the call is no longer pending. */
int tj_supervisor_answer(struct tj_supervisor *s, uint64_t ticket, const struct tj_decision *d, bool remember,
			 const char *why);
/* Calls waiting for tj_supervisor_answer; sandboxes supervised now. */
size_t tj_supervisor_deferred(const struct tj_supervisor *s);
size_t tj_supervisor_sandboxes(const struct tj_supervisor *s);
/* True once it stopped (with once, the first sandbox ended). */
bool tj_supervisor_done(const struct tj_supervisor *s);
/* Closes every listener: the kernel fails the calls still pending, and
 * every later notified call, with ENOSYS (never lets one through). */
void tj_supervisor_free(struct tj_supervisor *s);

/* Runs until SIGINT, SIGTERM or SIGHUP (or, with once, until the first
 * sandbox ends).  The listeners are closed on return, so the kernel fails
 * whatever is still pending with ENOSYS: denial, never a call let through. */
int tj_supervise_run(const struct tj_supervise_opts *o, const struct tj_supervise_hooks *h, struct tj_memory *mem,
		     struct tj_supervise_stats *stats, struct tj_err **err);

#endif
