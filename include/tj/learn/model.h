/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What `learn` knows: the (syscall, argument class) pairs the runs made,
 * with their provenance, before generalisation (notes/learn.md).
 *
 * A learned profile file is this model rendered (tj_learn_render); reading
 * the file back (tj_learn_model_from_profile) gives the model again, so a
 * profile carries its own state: each learned rule's `comment` holds the
 * runs that made it, their call counts and the program that first made it;
 * the top-level comment lists the runs.  Rules that generalisation added
 * are dropped when read back (rendering adds them again), and rules learn
 * did not write are kept as they are ("foreign").
 *
 * Merging is a union: entries are keyed by (syscall, action, class); flag
 * unions are OR'ed, call counts are per run (a run merged twice counts
 * once), and the program is the one of the earliest run.  So merging is
 * associative, commutative and idempotent, and so is writing and reading
 * back: A+B = B+A, (A+B)+C = A+(B+C), A+A = A, byte for byte.
 */
#ifndef TJ_LEARN_MODEL_H
#define TJ_LEARN_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tj/base/err.h"
#include "tj/learn/argclass.h"
#include "tj/model/profile.h"

struct tj_learn_run {
	char *id;      /* 12 hex digits: the start time in seconds, then 16 random bits (ids sort by time) */
	char *command; /* the command line, for people */
	char *outcome; /* "exited 0, complete" */
};

struct tj_learn_count {
	char *run; /* a run id */
	uint64_t calls;
};

/* One (syscall, argument class) the runs made. */
struct tj_learn_entry {
	char *name;
	enum tj_action action; /* TJ_ACT_ALLOW, or TJ_ACT_ERRNO (clone3: ENOSYS) */
	unsigned errnum;
	const struct tj_syscall_argspec *spec; /* NULL: its arguments are not classified */
	uint64_t key[TJ_LEARN_MAX_ARGS];       /* exact and NULL-ness classes; 0 for flag words */
	uint64_t flags[TJ_LEARN_MAX_ARGS];     /* flag words: the union seen; 0 for the others */
	struct tj_learn_count *counts;	       /* sorted by run id */
	size_t ncounts;
	char *program; /* the program that made it first, in the earliest run; NULL: not known */
};

struct tj_learn_model {
	struct tj_learn_run *runs; /* sorted by id */
	size_t nruns;
	struct tj_learn_entry *v; /* sorted (tj_learn_entry_cmp) */
	size_t n;
	struct tj_rule *foreign; /* rules of a merged profile that learn did not write, kept */
	size_t nforeign;
	/* The default of a merged profile (else the caller's choice). */
	bool has_default;
	enum tj_action default_action;
	unsigned default_errno;
};

void tj_learn_model_done(struct tj_learn_model *m);

/* A fresh run id (time and randomness). */
char *tj_learn_run_id(void);
void tj_learn_model_add_run(struct tj_learn_model *m, const char *id, const char *command, const char *outcome);

/* Records `calls` calls of one pair in run `run`: name with the class key
 * (exact classes; flag words in flags).  spec may be NULL. */
void tj_learn_model_add(struct tj_learn_model *m, const char *name, enum tj_action action, unsigned errnum,
			const struct tj_syscall_argspec *spec, const uint64_t key[TJ_LEARN_MAX_ARGS],
			const uint64_t flags[TJ_LEARN_MAX_ARGS], const char *run, uint64_t calls, const char *program);

/* m becomes m + o. */
void tj_learn_model_merge(struct tj_learn_model *m, const struct tj_learn_model *o);

/* Two entries are the same pair when they compare equal (flags aside). */
int tj_learn_entry_cmp(const struct tj_learn_entry *a, const struct tj_learn_entry *b);

/* Reads a profile back into a model (above).  top_comment is the
 * document's top-level "comment" (the runs), or NULL.  Only the seccomp
 * section is read. */
int tj_learn_model_from_profile(const struct tj_profile *p, const char *top_comment, struct tj_learn_model *m,
				struct tj_err **err);

/* --- rendering (generalise.c) --- */

struct tj_learn_render_opts {
	bool exact;	      /* no equivalence classes (libc drift, argument values) */
	bool plain_names;     /* never write a group's name */
	unsigned group_share; /* write a group's name when this percentage of its members is allowed (1-100; 0: 100) */
	enum tj_action default_action; /* TJ_ACT_KILL_PROCESS or TJ_ACT_ERRNO */
	unsigned default_errno;
};

struct tj_learn_stats {
	size_t allowed;		/* syscall names allowed, groups expanded */
	size_t arg_capable;	/* of them, in the argument table */
	size_t arg_constrained; /* of those, every allowing rule of which checks arguments */
	size_t observed;	/* allowed names the runs made themselves */
	size_t generalised;	/* allowed names only generalisation added */
	size_t groups;		/* group names written */
	size_t runs;
	size_t foreign; /* rules kept from a merged profile */
};

/* The profile to write: the model's rules, generalised (unless exact),
 * groups folded (unless plain_names), each rule's comment its provenance;
 * *ret_comment is the top-level comment (the runs).  Callers free both. */
int tj_learn_render(const struct tj_learn_model *m, const struct tj_learn_render_opts *o, struct tj_seccomp **ret,
		    char **ret_comment, struct tj_learn_stats *stats, struct tj_err **err);

/* The class of a rule a single call needs (for `learn --check`: the rule
 * that would admit a call that was stopped), rendered as a rule with its
 * comparisons. */
void tj_learn_rule_for_call(const struct seccomp_data *d, struct tj_rule *out);

#endif
