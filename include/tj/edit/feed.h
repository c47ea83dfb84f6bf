/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `tinyjail edit --listen SOCK`: the live feed.  Running sandboxes
 * (`tinyjail --notify-socket SOCK`) hand their seccomp listener to the
 * editor, whose supervisor (supervise.h, the same agent protocol as
 * `tinyjail supervise`) receives their notified calls.  A call the editor's
 * working profile decides by a rule is answered at once; the others wait,
 * blocked in the kernel, until the person answers them (deferred tickets).
 *
 * Decisions rest on register values only (the TOCTOU rule of supervise.h):
 * the profile is evaluated on the notification's registers, and "always"
 * answers become rules on names and register values.  The program's path
 * (/proc/PID/exe) is read for the screen only, never to decide.
 *
 * No terminal here: the view (view.c) draws the feed and turns keys into
 * answers.
 */
#ifndef TJ_EDIT_FEED_H
#define TJ_EDIT_FEED_H

#include <linux/seccomp.h>
#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "tj/base/err.h"
#include "tj/base/util.h"
#include "tj/edit/model.h"
#include "tj/supervise/supervise.h"

enum tj_edit_answer {
	TJ_EDIT_ALLOW_ONCE,
	TJ_EDIT_ALLOW_VALUES, /* always, for calls of this argument class (learn's table) */
	TJ_EDIT_ALLOW_ANY,    /* always, whatever the arguments */
	TJ_EDIT_DENY_ONCE,    /* with an errno */
	TJ_EDIT_DENY_ALWAYS,
	TJ_EDIT_KILL_ONCE,
	TJ_EDIT_KILL_ALWAYS,
};

/* A call waiting for the person. */
struct tj_edit_request {
	uint64_t ticket;
	pid_t pid;
	char comm[17];
	char program[256]; /* /proc/PID/exe when it arrived, for the screen */
	char sandbox[64];
	struct seccomp_data data;
	long long since_ms; /* arrival, CLOCK_MONOTONIC */
};

/* Calls per syscall: asked (waited for the person) and answered. */
struct tj_edit_count {
	uint32_t arch;
	int nr;
	uint64_t asked, allowed, denied, killed;
};

#define TJ_EDIT_FEED_LOG 200

struct tj_edit_feed {
	struct tj_edit_model *m;
	char *path;
	int sock;
	dev_t dev;
	ino_t ino;
	bool save;	  /* "always" answers are saved at once (false: a read-only file) */
	bool socket_gone; /* the socket file was removed or replaced */
	struct tj_supervisor *sup;
	struct tj_supervise_opts so;
	struct tj_supervise_hooks h;
	struct tj_memory mem;
	struct tj_supervise_stats stats;
	struct tj_events events;     /* no log: the supervisor's tallies only */
	struct tj_edit_request *req; /* oldest first */
	size_t nreq, capreq;
	struct tj_edit_count *counts;
	size_t ncounts, capcounts;
	struct tj_strv log; /* what happened, oldest first, at most TJ_EDIT_FEED_LOG lines */
	long long next_check;
	uint64_t changes; /* grows whenever what the feed shows changed */
};

/* Creates the socket (mode 0600, as supervise) and the supervisor. */
int tj_edit_feed_open(struct tj_edit_feed *f, struct tj_edit_model *m, const char *path, bool save,
		      struct tj_err **err);
/* Closes every listener: the kernel fails the calls still waiting, and
 * every later notified call, with ENOSYS (never lets one through); removes
 * the socket file if it is still the feed's. */
void tj_edit_feed_close(struct tj_edit_feed *f);

/* The descriptors to poll (POLLIN) and when to come back at the latest. */
size_t tj_edit_feed_pollfds(struct tj_edit_feed *f, struct pollfd *out, size_t max, int *timeout_ms);
/* Handles what poll reported (the array of the last tj_edit_feed_pollfds). */
void tj_edit_feed_dispatch(struct tj_edit_feed *f, const struct pollfd *p, size_t n);
/* Answers the waiting calls that the working profile now decides by a
 * rule (after an edit).  Returns how many. */
size_t tj_edit_feed_settle(struct tj_edit_feed *f);

/* Answers the call `ticket`.  "Always" answers change the working profile
 * (one rule, compiled; refused: nothing answered) and save the file at once
 * (with the editor's other unsaved changes; not when read-only), then every
 * waiting call the new rule covers is answered too.  *msg says what
 * happened (for the status line).  -1 with err when nothing was answered. */
int tj_edit_feed_answer(struct tj_edit_feed *f, uint64_t ticket, enum tj_edit_answer a, unsigned errnum, char *msg,
			size_t msg_size, struct tj_err **err);
/* What an "allow always, these values" answer to a call covers: "for calls
 * with family AF_INET, ..." or "for any arguments". */
void tj_edit_feed_scope(const struct seccomp_data *d, char *buf, size_t size);

size_t tj_edit_feed_sandboxes(const struct tj_edit_feed *f);
/* The request with ticket, or NULL. */
const struct tj_edit_request *tj_edit_feed_find(const struct tj_edit_feed *f, uint64_t ticket);

#endif
