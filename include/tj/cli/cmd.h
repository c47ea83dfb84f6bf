/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The command layer: one function per verb.  The only code that prints or
 * chooses an exit code.
 */
#ifndef TJ_CMD_H
#define TJ_CMD_H

#include "tj/base/err.h"
#include "tj/base/integrity.h"
#include "tj/base/util.h"
#include "tj/cli/cli.h"
#include "tj/filter/filter.h"
#include "tj/model/profile.h"

int tj_cmd_run(const struct tj_options *o);

/* What `learn` changes in a run (cmd_learn.c); NULL members change nothing. */
struct tj_events;
struct tj_notification;
struct tj_syscall_event;
struct tj_launch_result;
struct tj_run_ext {
	struct tj_profile *profile; /* the profile, in memory, instead of --profile (not freed) */
	enum tj_mode mode;	    /* TJ_MODE_LEARN, or TJ_MODE_ENFORCE (learn --check) */
	bool route_errno;	    /* enforce: errno denials pass the supervisor too (they are reported) */
	/* Once the command's path is known and the log is open, before anything starts. */
	int (*begin)(void *ctx, const char *exec_path, struct tj_events *events, struct tj_err **err);
	int (*on_notify)(void *ctx, const struct tj_notification *n, int listener); /* launch.h */
	void (*on_kill)(void *ctx, const struct tj_syscall_event *e);		    /* besides the message */
	void (*on_denied)(void *ctx, const struct tj_syscall_event *e);		    /* errno denials (route_errno) */
	void *ctx;
	struct tj_launch_result *result; /* the outcome, when the command was started */
	bool *started;			 /* set when the command was started */
};
/* The run form with learn's changes (x may be NULL: tj_cmd_run). */
int tj_cmd_run_ext(const struct tj_options *o, const struct tj_run_ext *x);
/* After run: the signal the command died of (0: it exited, or tinyjail's
 * own status stands, as for a seccomp kill or a limit).  main dies of it
 * too, once everything is written. */
int tj_cmd_run_signal(void);
int tj_cmd_check(const struct tj_options *o);
int tj_cmd_compile(const struct tj_options *o);
int tj_cmd_version(void);
int tj_cmd_groups(const struct tj_options *o);
int tj_cmd_why(const struct tj_options *o);
int tj_cmd_supervise(const struct tj_options *o);
int tj_cmd_report_logs(const struct tj_options *o);
int tj_cmd_learn(const struct tj_options *o);
/* learn --static (cmd_static.c): the static pre-analysis of o->inputs. */
int tj_cmd_learn_static(const struct tj_options *o);
int tj_cmd_explain(const struct tj_options *o);
/* learn --fuzz (cmd_fuzz.c): the fuzzing refinement loop. */
int tj_cmd_learn_fuzz(const struct tj_options *o);

/* --- learn's pieces, shared with learn --fuzz (cmd_learn.c) --- */

struct tj_learn_model;
struct tj_learn_stats;
struct tj_outfile;
struct tj_learn_one {
	int status;	  /* what tinyjail would exit with */
	int signal;	  /* the signal that ended the command, or 0 */
	bool interrupted; /* Ctrl-C or SIGTERM */
	size_t new_pairs; /* (syscall, argument class) pairs learnt */
};
/* One learn run of argv; what it learns goes into m (and into the journal
 * fd, unless -1).  0 when the command ran, else the exit code of
 * tinyjail's error (reported). */
int tj_cmd_learn_one(const struct tj_options *o, char **argv, int journal, struct tj_learn_model *m,
		     struct tj_learn_one *out);
/* Checks -o before anything runs (and reads it into m with --merge). */
int tj_cmd_learn_prepare_output(const struct tj_options *o, struct tj_outfile *out, struct tj_learn_model *m);
/* m rendered as learn writes it (name: for messages); st may be NULL. */
int tj_cmd_learn_render_text(const struct tj_options *o, const struct tj_learn_model *m, const char *name, char **text,
			     struct tj_learn_stats *st, struct tj_err **err);
/* Writes -o and prints the summary. */
int tj_cmd_learn_write_output(const struct tj_options *o, struct tj_outfile *out, const struct tj_learn_model *m,
			      bool complete, int last_status);
int tj_cmd_diff(const struct tj_options *o);
int tj_cmd_edit(const struct tj_options *o);
/* help [VERB] and --help: the usage, and for the main one the verbs and
 * the bundled profiles (cmd_help.c). */
int tj_cmd_help(const struct tj_options *o);
int tj_cmd_profiles(const struct tj_options *o);

/* --- what run prints at exit (cmd_report.c) --- */

struct tj_launch_result;
struct tj_kmsg_source;
struct tj_events;
struct tj_run_report {
	const struct tj_options *o;
	const struct tj_profile *profile; /* NULL with --profile none */
	const struct tj_filter *filter;	  /* NULL with --profile none */
	const struct tj_events *events;
	const struct tj_launch_result *res;
	const struct tj_kmsg_source *kmsg; /* --complain=kmsg, else NULL */
	bool agent;			   /* an external agent held the listener */
	const char *agent_path;
};
/* The complain-mode summary. */
void tj_cmd_print_summary(const struct tj_run_report *r);
/* --report. */
void tj_cmd_print_report(const struct tj_run_report *r);
/* Whether nothing the run should have recorded may be missing. */
bool tj_cmd_run_complete(const struct tj_run_report *r);

/* --- shared by the verbs (cmd_common.c) --- */

/* Prints "tinyjail: <error>" to stderr and returns the exit code it maps to. */
int tj_cmd_report(const struct tj_err *e);
/* Prints each note as "tinyjail: <label>: file: path: message". */
void tj_cmd_print_notes(const char *label, const char *file, const struct tj_notes *notes);
/* Prints the plan builder's messages that this verbosity shows (plan.h). */
struct tj_plan_msgs;
void tj_cmd_print_plan_msgs(const struct tj_plan_msgs *msgs, int verbosity);
/* Resolves a profile argument (bundled name or path) and loads it; prints
 * its warnings unless quiet.  On error prints it and returns the exit code
 * (always non-zero); returns 0 on success. */
int tj_cmd_load_profile(const char *arg, int verbosity, struct tj_profile **ret);
/* The host as the filter compiler should see it for Docker-style
 * conditions: this kernel, and the capabilities the command will hold
 * (keep_caps: none unless the profile or --cap-keep keeps some). */
void tj_cmd_target_host(uint64_t keep_caps, struct tj_host *host);
/* Compiles and prints warnings (and info when verbose); like the above. */
int tj_cmd_compile_profile(const struct tj_profile *p, const struct tj_filter_opts *fo, int verbosity,
			   struct tj_filter **ret);
/* The key that seals tinyjail's caches (base/integrity.h); false, with a
 * note when verbose naming `what`, where it cannot be had: go without. */
bool tj_cmd_cache_key(const char *what, int verbosity, uint8_t key[TJ_INTEGRITY_KEY_LEN]);

#endif
