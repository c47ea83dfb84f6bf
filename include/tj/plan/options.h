/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What the user asked for on the command line: the verb and every option.
 * cli.c (level 13) fills it from argv; the plan builder (plan.h, level 10)
 * reads it, so the struct lives here, below both.  Plain data: a verb that
 * drives a run of its own (learn) may copy it and change fields.
 */
#ifndef TJ_PLAN_OPTIONS_H
#define TJ_PLAN_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tj/base/util.h"
#include "tj/filter/filter.h"
#include "tj/model/env.h"
#include "tj/model/isolation.h"
#include "tj/model/limits.h"
#include "tj/model/netpolicy.h"

enum tj_verb {
	TJ_VERB_RUN,
	TJ_VERB_CHECK,
	TJ_VERB_COMPILE,
	TJ_VERB_HELP,
	TJ_VERB_VERSION,
	TJ_VERB_GROUPS,
	TJ_VERB_WHY,
	TJ_VERB_SUPERVISE,
	TJ_VERB_REPORT,
	TJ_VERB_LEARN,
	TJ_VERB_DIFF,
	TJ_VERB_PROFILES,
	TJ_VERB_EXPLAIN,
	TJ_VERB_EDIT,
};

/* learn's own options (cmd_learn.c). */
struct tj_learn_options {
	const char *output;	/* -o FILE */
	bool merge, force;	/* --merge, --force */
	const char *cases;	/* --cases FILE */
	const char *check;	/* --check CASES (the profile is inputs[0]) */
	bool exact;		/* --exact */
	bool plain_names;	/* --plain-names */
	unsigned group_share;	/* --group-share PERCENT; 0: 100 */
	unsigned default_errno; /* --default-errno[=E]; 0: kill */
	bool static_analysis;	/* --static: no run, the programs' ELF files (cmd_static.c) */
	const char *journal;	/* --journal FILE: each new pair appended at once (a run afl-fuzz may SIGKILL) */
	/* --fuzz SEEDS: the fuzzing refinement loop (cmd_fuzz.c, notes/fuzz-learn.md). */
	const char *fuzz;
	uint64_t budget_ms;    /* --budget: nothing new for this long ends it (default 10 min) */
	uint64_t budget_execs; /* --budget-execs: ... or for this many executions; 0: no such bound */
	uint64_t max_ms;       /* --max-time: the whole campaign at most this long; 0: no bound */
	unsigned jobs;	       /* --jobs N: afl-fuzz instances; 0 means 1 */
	const char *from;      /* --from FILE: the profile to start from (e.g. learn --static's) */
	const char *fuzz_dir;  /* --fuzz-dir DIR: the campaign's files (default OUTPUT.fuzz) */
	bool has_fuzz_seed;    /* --fuzz-seed N: afl-fuzz's random seed (-s) */
	uint64_t fuzz_seed;
	/* The run options as written (pointers into argv), which afl-fuzz's
	 * tinyjail is given again. */
	char **run_args;
	size_t nrun_args;
};

/* --report: what is printed at exit (notes/supervise.md). */
enum tj_report {
	TJ_REPORT_NONE = 0,
	TJ_REPORT_SUMMARY, /* --report: denials, kills, unused deny rules, why it ended */
	TJ_REPORT_USAGE,   /* --report=usage: also allowed calls, so unused allow rules */
};

struct tj_options {
	enum tj_verb verb;
	enum tj_verb help_verb; /* for TJ_VERB_HELP: which usage to show */
	const char *profile;	/* --profile; NULL means the bundled "default" */
	enum tj_mode mode;
	const char *log_path; /* --log */
	int verbosity;	      /* -1 quiet, 0 normal, 1+ verbose */
	bool ignore_unknown;  /* --ignore-unknown-syscalls */
	bool kernel_kills;    /* --kill-via=kernel */
	bool no_cache;	      /* --no-cache: compile even if a cached filter exists */
	int optimize;	      /* --optimize (compile) */
	char **command;	      /* run: the command and its arguments */
	char **inputs;	      /* check/compile: profiles; groups: names; why: syscall, profile, args */
	size_t ninputs;
	bool lint;				 /* check --lint */
	struct tj_limits limits;		 /* --memory, --cpu, --pids, --timeout, --rlimit ... */
	const char *json_status;		 /* --json-status */
	struct tj_env_policy env;		 /* --env-keep, --env-deny, --setenv, --env-all */
	struct tj_isolation iso;		 /* --user, --unshare, --ro, --rw, ... */
	struct tj_net_policy net;		 /* --net, --resolve, --net-* */
	const char *out_bpf, *out_pfc, *out_oci; /* compile outputs */
	const char *out_spo, *spo_name;		 /* compile --spo FILE --spo-name NAME */
	enum tj_report report;			 /* run: --report[=usage] */
	bool complain_kmsg;			 /* run: --complain=kmsg (the kernel log is the source) */
	const char *notify_socket;		 /* run: --notify-socket, an OCI seccomp agent */
	const char *listen;			 /* supervise: --listen SOCK */
	const char *rules;			 /* supervise: --rules FILE */
	bool write_back;			 /* supervise: --write-back (the profile, in place) */
	const char *write_back_to;		 /* supervise: --write-back-to FILE (a copy) */
	bool once;				 /* supervise: --once */
	struct tj_strv explain;			 /* run: --explain syscall names */
	unsigned explain_stacks;		 /* run: --explain-stacks (0: 1) */
	bool timeline;				 /* report: --timeline */
	const char *html;			 /* report: --html FILE */
	const char *output;			 /* report: -o FILE, the tightened profile */
	struct tj_learn_options learn;		 /* learn */
	int *pass_fds;				 /* run: --pass-fd N (repeatable) */
	size_t npass_fds;
	struct tj_strv allow_syscalls; /* run: --allow-syscall NAME|@group,... */
	struct tj_strv deny_syscalls;  /* run: --deny-syscall NAME|@group,... */
	bool fail_on_violation;	       /* run: --fail-on-violation */
	bool no_vdso;		       /* learn --static, explain: --no-vdso */
	bool strict;		       /* learn --static: --strict (exit 1 when incomplete) */
};

#endif
