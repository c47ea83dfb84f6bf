/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The launch plan: everything decided before a command starts, built from
 * the options and the profile in ONE place, so that every verb that asks
 * "would this run?" gets the same answer as `run` (issue 18: `check` said ok
 * where `run` refused).
 *
 *   run     tj_plan_build(TJ_PLAN_RUN), then tj_launch(&lp.plan, ...)
 *   check   tj_plan_build(TJ_PLAN_CHECK) per profile: no command, no cache
 *   learn, report, edit: build with TJ_PLAN_RUN (a command to start) or
 *           TJ_PLAN_CHECK (only the answer), handing a profile held in
 *           memory through tj_plan_request.profile; never re-implement a
 *           check of this file in a verb.
 *
 * The builder merges the profile's sections and the flags (flags add to or
 * override the profile: notes/profile-format.md), makes every cross-option
 * check, compiles the filter (from the per-user cache for a run), resolves
 * the command, and probes every layer (fail closed).  An error names where
 * the offending value came from: the flag (`--cap-keep CAP_NET_RAW ...`) or
 * the profile's key, with its file, line and JSON path
 * (`p.json:4:3: process.capabilities: ...`).
 *
 * It prints nothing: what it has to say besides an error (warnings, notes
 * for -v) is in lp->msgs, in order, for the verb to print before the error
 * or the manifest (tj_cmd_print_plan_msgs).
 */
#ifndef TJ_PLAN_H
#define TJ_PLAN_H

#include <stdbool.h>
#include <stddef.h>

#include "tj/base/err.h"
#include "tj/base/util.h"
#include "tj/events/manifest.h"
#include "tj/filter/filter.h"
#include "tj/layers/layer.h"
#include "tj/model/env.h"
#include "tj/model/identity.h"
#include "tj/model/isolation.h"
#include "tj/model/limits.h"
#include "tj/model/netpolicy.h"
#include "tj/model/profile.h"
#include "tj/plan/options.h"

enum tj_plan_purpose {
	/* A command will start: it is resolved (126/127 here), the filter may
	 * come from the per-user cache, --no-exec reads its interpreters. */
	TJ_PLAN_RUN,
	/* Only the answer: no command (the probes describe "the command"),
	 * no cache, nothing written anywhere. */
	TJ_PLAN_CHECK,
};

struct tj_plan_request {
	const struct tj_options *o; /* the flags; o->profile names the profile unless .profile is set */
	enum tj_plan_purpose purpose;
	/* in_memory: a profile held in memory (learn's profile of the runs so
	 * far; NULL: no profile) used instead of loading o->profile; not
	 * freed by the plan. */
	bool in_memory;
	const struct tj_profile *profile;
	/* set_mode: this mode instead of o->mode (TJ_MODE_LEARN). */
	bool set_mode;
	enum tj_mode mode;
	/* Enforce mode: errno denials pass the supervisor too, as with
	 * --report (learn --check reports them). */
	bool route_errno;
};

/* Something to say besides an error: the verb prints "tinyjail: <text>"
 * when its verbosity is at least `verbosity` (0: unless -q; 1: with -v). */
struct tj_plan_msg {
	int verbosity;
	char *text;
};

struct tj_plan_msgs {
	struct tj_plan_msg *v;
	size_t n;
};

struct tj_launch_plan {
	struct tj_plan plan;		  /* what tj_launch and the layers read; points into the fields below */
	const struct tj_profile *profile; /* NULL with --profile none */
	struct tj_filter *filter;	  /* NULL: no syscall filter */
	struct tj_filter *hardening;	  /* tinyjail's own rules, or NULL */
	struct tj_isolation iso;	  /* the profile's, then the flags' */
	struct tj_net_policy net;
	struct tj_limits limits;
	struct tj_identity id;		 /* --user, resolved (uid/gid = euid/egid without it) */
	struct tj_strv env;		 /* the command's environment */
	struct tj_env_report env_report; /* what it lacks, and why (run prints it) */
	struct tj_strv exec_pins;
	char *exec_path;    /* the command, resolved (TJ_PLAN_RUN) */
	const char *agent;  /* the seccomp agent's socket, or NULL */
	bool nested;	    /* under another process's seccomp listener: the kernel kills, unnamed */
	int *explain_nrs;   /* --explain's syscalls (o->explain.n numbers) */
	unsigned recording; /* TJ_RECORD_*: what the run records beyond denials */
	int *notify_nrs;    /* the calls the listener must see for that */
	size_t notify_n;
	struct tj_manifest manifest; /* what each layer will apply (the probes) */
	struct tj_plan_msgs msgs;
	struct tj_profile *owned_profile; /* loaded here (freed by tj_plan_done) */
};

/* Builds the plan.  Returns 0, or -1 with err (tinyjail's error: 125, or
 * 126/127 for the command); lp->msgs holds what to print before the error
 * either way.  Always call tj_plan_done. */
int tj_plan_build(const struct tj_plan_request *req, struct tj_launch_plan *lp, struct tj_err **err);
void tj_plan_done(struct tj_launch_plan *lp);

/* Loads a profile argument: a bundled name (shown by its real path) or a
 * path.  Its warnings go to msgs (may be NULL). */
int tj_plan_load_profile(const char *arg, struct tj_plan_msgs *msgs, struct tj_profile **ret, struct tj_err **err);

/* The host as the filter compiler should see it for Docker-style
 * conditions: this kernel, and the capabilities the command will hold
 * (keep_caps: none unless the profile or --cap-keep keeps some). */
void tj_plan_target_host(uint64_t keep_caps, struct tj_host *host);

/* tinyjail's own seccomp rules for a run with iso (filter/hardening.h),
 * loaded in every run: with the signal guard where the kernel cannot scope
 * signals (Landlock ABI < 6).  The plan compiles them (lp->hardening). */
int tj_plan_hardening(const struct tj_isolation *iso, struct tj_filter **ret, struct tj_err **err);

/* Adds a message (printf-style) / a profile's notes ("label: file: path: msg"). */
__attribute__((format(printf, 3, 4))) void tj_plan_msg_add(struct tj_plan_msgs *m, int verbosity, const char *fmt, ...);
void tj_plan_msg_notes(struct tj_plan_msgs *m, int verbosity, const char *label, const char *file,
		       const struct tj_notes *notes);
void tj_plan_msgs_done(struct tj_plan_msgs *m);

#endif
