/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The command layer: one function per verb.  The only code that prints or
 * chooses an exit code.
 */
#ifndef TJ_CMD_H
#define TJ_CMD_H

#include "tj/base/err.h"
#include "tj/base/util.h"
#include "tj/cli/cli.h"
#include "tj/filter/filter.h"
#include "tj/model/profile.h"

int tj_cmd_run(const struct tj_options *o);
int tj_cmd_check(const struct tj_options *o);
int tj_cmd_compile(const struct tj_options *o);
int tj_cmd_version(void);
int tj_cmd_groups(const struct tj_options *o);
int tj_cmd_why(const struct tj_options *o);
int tj_cmd_supervise(const struct tj_options *o);
int tj_cmd_report_logs(const struct tj_options *o);

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

#endif
