/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What one or more runs did, built from their event logs (notes/reports.md):
 *
 *   seen     allowed syscalls that were used: count, first time, program
 *   missed   syscalls denied, killed for, or that would have been denied:
 *            count, the first call with its arguments, the rule
 *   unused   names the profile allows that no run used, by rule
 *   timeline per run, the process tree (fork, exec, exit) and per process
 *            the first use of each syscall, denials, limits, network
 *            decisions, with the dynamic loader's start-up told apart
 *   chains   the call chains --explain recorded, merged by text
 *
 * Records are fed one at a time (tj_report_add) and only aggregates are
 * kept, so a log of any size fits in memory bounded by the number of
 * distinct programs, processes, syscalls and call sites (timeline entries
 * per process are capped).  Knows nothing of JSON: json/eventlog.h reads.
 */
#ifndef TJ_REPORT_MODEL_H
#define TJ_REPORT_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tj/base/util.h"
#include "tj/events/record.h"
#include "tj/model/profile.h"

/* Timeline entries kept per process for denials (the rest are counted). */
#define TJ_REPORT_MAX_DENIALS 200
/* ...and per run for limits and network decisions. */
#define TJ_REPORT_MAX_RUN_ITEMS 1000
/* Processes per run whose timeline is kept (later ones are in the tree and
 * the counts, without their entries): keeps a huge log's timeline and page
 * bounded. */
#define TJ_REPORT_MAX_TIMELINE_PROCS 5000

enum tj_item_kind {
	TJ_ITEM_FIRST_USE,  /* the first allowed call of a syscall by the process */
	TJ_ITEM_DENIED,	    /* failed with an errno */
	TJ_ITEM_KILLED,	    /* the process was killed for it */
	TJ_ITEM_WOULD_DENY, /* complain mode */
	TJ_ITEM_LIMIT,
	TJ_ITEM_NETWORK,
	TJ_ITEM_FORK, /* it started a child (text: the child's pid and program) */
	TJ_ITEM_EXEC,
	TJ_ITEM_EXIT,
};

struct tj_report_item {
	uint64_t us;
	enum tj_item_kind kind;
	bool in_loader;	  /* made from inside the dynamic loader (its start-up) */
	const char *name; /* the syscall, or a short label (interned) */
	char *text;	  /* details for people, or NULL */
};

struct tj_report_proc {
	int pid, ppid;
	long parent;			/* index in the run's procs, or -1 */
	long first_child, next_sibling; /* after tj_report_finish: the tree as lists, -1 ends */
	const char *program;		/* exe, else [comm] (interned) */
	const char *comm;
	char *argv; /* joined with spaces, or NULL */
	/* what it ran first (its start, or a fork's first exec): the timeline's heading */
	const char *head_program;
	char *head_argv;
	uint64_t first_us, last_us;
	uint64_t exec_us;	 /* its last exec (or start) */
	bool from_event;	 /* a process event named it (else it was met through its calls) */
	bool no_items;		 /* beyond TJ_REPORT_MAX_TIMELINE_PROCS: no timeline entries kept */
	uint64_t loader_done_us; /* first call from outside the loader after an exec (0: none seen) */
	bool exited, killed, has_code;
	int code;
	uint64_t loader_start, loader_end;
	struct tj_report_item *items;
	size_t nitems, itemcap;
	size_t denials_kept;
	uint64_t denials_dropped;
	/* per syscall of this process: allowed events and usage counts */
	struct tj_proc_sys {
		const char *syscall;
		uint64_t events, usage;
		size_t agg; /* its row in the model's aggregates */
	} * sys;
	size_t nsys, syscap;
};

struct tj_report_run {
	char *log;
	size_t first_line; /* where its start event is */
	const char *profile, *mode, *source;
	char *command;
	uint64_t start_us, end_us;
	bool rec_usage, rec_processes, rec_explain;
	bool has_exit, complete, seccomp_kill;
	int exit_code;
	const char *exit_reason;
	uint64_t lost, wall_ms;
	struct tj_report_proc *procs;
	size_t nprocs, proccap;
	struct tj_report_item *items; /* limits, network decisions without a process */
	size_t nitems, itemcap;
	uint64_t items_dropped;
	long first_root;	    /* after tj_report_finish: the processes without a parent, as a list */
	size_t procs_without_items; /* processes beyond TJ_REPORT_MAX_TIMELINE_PROCS */
	bool had_explain;
};

/* One (program, syscall): the seen and missed views are these rows. */
struct tj_report_sys {
	const char *program, *syscall, *arch;
	/* seen */
	uint64_t seen;
	uint64_t first_seen_us;
	size_t first_seen_run;
	const char *seen_rule, *seen_action;
	/* missed */
	uint64_t missed;
	uint64_t first_missed_us;
	size_t first_missed_run;
	const char *verdict; /* the worst seen: killed, denied, would-deny */
	char *first_call;    /* the first missed call with decoded arguments */
	const char *missed_rule, *missed_action, *missed_errno;
};

struct tj_report_chain {
	const char *syscall;
	char *text;
	struct tj_frame *frames; /* strings interned */
	size_t n;
	bool truncated;
	uint64_t count;
	const char *program;
};

/* What reading the logs met besides events. */
struct tj_report_log {
	char *path;
	size_t lines, events, bad, skipped;
	size_t first_bad_line;
	char *first_bad; /* its message */
	char *first_skipped;
	uint64_t bytes;
	bool truncated_end; /* the last line was cut short */
};

struct tj_report_model {
	struct tj_report_run *runs;
	size_t nruns, runcap;
	struct tj_report_sys *sys;
	size_t nsys, syscap;
	struct tj_report_chain *chains;
	size_t nchains, chaincap;
	struct tj_report_log *logs;
	size_t nlogs, logcap;
	bool any_usage; /* some run recorded allowed calls */
	bool all_usage; /* every run did */
	bool timeline;	/* keep timeline entries */
	/* private */
	struct tj_report_priv *priv;
};

struct tj_report_model *tj_report_new(bool timeline);
void tj_report_free(struct tj_report_model *m);

/* Feeding: a log begins, its records, its end (with what reading met). */
void tj_report_begin_log(struct tj_report_model *m, const char *path);
void tj_report_add(struct tj_report_model *m, const struct tj_record *r, size_t line);
void tj_report_bad_line(struct tj_report_model *m, size_t line, const char *message, bool skipped);
void tj_report_end_log(struct tj_report_model *m, size_t lines, uint64_t bytes);
/* After the last log: orders rows and chains. */
void tj_report_finish(struct tj_report_model *m);

/* --- against a profile --- */

struct tj_report_unused_rule {
	const char *rule; /* its JSON path */
	const char *action;
	struct tj_strv names; /* allowed there, never seen */
	size_t total;	      /* names in the rule */
};

struct tj_report_unused {
	struct tj_report_unused_rule *v;
	size_t n;
	size_t names;	     /* unused names in all */
	bool default_allows; /* the default action allows: calls no rule names cannot be listed */
	/* The profile does not match the logs: rules the logs name that it lacks. */
	size_t mismatches;
	char *first_mismatch;
};

/* Names allowed by the resolved profile (groups expanded) that no run saw. */
void tj_report_unused(const struct tj_report_model *m, const struct tj_seccomp *resolved, struct tj_report_unused *out);
void tj_report_unused_done(struct tj_report_unused *u);

/* A copy of resolved without the unused names (rules left with none are
 * dropped): the tightened profile.  Never widens: missed calls stay denied. */
struct tj_seccomp *tj_report_tighten(const struct tj_seccomp *resolved, const struct tj_report_unused *u);

#endif
