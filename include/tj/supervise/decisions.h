/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What `tinyjail supervise` answers for a notified system call: the rules
 * file (notes/supervise.md), the decisions remembered during a run, and the
 * list of decisions to write back into a profile.
 *
 * Every decision is taken on register values only (the syscall number, the
 * ABI and the six argument registers), never on memory an argument points
 * to, so letting a call continue cannot be raced (TOCTOU).
 */
#ifndef TJ_DECISIONS_H
#define TJ_DECISIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tj/base/err.h"
#include "tj/base/seccomp_abi.h"
#include "tj/model/profile.h"

#define TJ_DECISIONS_VERSION 1

enum tj_decision_kind {
	TJ_DECIDE_ALLOW = 0, /* the call runs (SECCOMP_USER_NOTIF_FLAG_CONTINUE) */
	TJ_DECIDE_DENY,	     /* the call fails with errnum without running */
	TJ_DECIDE_KILL,	     /* the calling process is killed; the call never runs */
	TJ_DECIDE_ASK,	     /* ask the person at the supervisor's terminal */
};
const char *tj_decision_name(enum tj_decision_kind k);
int tj_decision_from_name(const char *name);

struct tj_decision {
	enum tj_decision_kind kind;
	int errnum; /* TJ_DECIDE_DENY */
};

/* One rule of the file: the names and argument checks of a profile rule
 * (its action is unused), and what to answer. */
struct tj_decision_rule {
	struct tj_rule rule;
	struct tj_decision d;
};

struct tj_decisions {
	char *file;
	struct tj_decision def; /* for calls no rule names: ask unless the file says */
	struct tj_decision_rule *rules;
	size_t nrules;
};

/* In src/json/json_decisions.c (a json-c user).  Unknown keys are errors, as in profiles. */
int tj_decisions_load_file(const char *path, struct tj_decisions **ret, struct tj_err **err);
int tj_decisions_load_buffer(const char *display, const char *text, size_t len, struct tj_decisions **ret,
			     struct tj_err **err);
void tj_decisions_free(struct tj_decisions *d);

/* The first rule that names the call and whose argument checks hold. */
const struct tj_decision_rule *tj_decisions_match(const struct tj_decisions *d, const struct seccomp_data *data);

/* A decision that outlives one call: answered without asking for the rest
 * of the run, and written back into the profile on request. */
struct tj_learned {
	char *name; /* the syscall */
	uint32_t arch;
	int nr;
	struct tj_decision d;
	struct tj_arg *args; /* argument checks (from a rules-file rule), or none */
	size_t nargs;
	char *why;    /* "rules.json rules[2]", "a person", ... */
	bool written; /* already in the written-back profile */
	bool skipped; /* cannot be written back (another rule decides the name) */
};

struct tj_memory {
	struct tj_learned *v;
	size_t n, cap;
};

/* Adds a decision unless an identical one is there; returns true if added. */
bool tj_memory_add(struct tj_memory *m, const struct seccomp_data *data, const struct tj_decision *d,
		   const struct tj_arg *args, size_t nargs, const char *why);
/* The first remembered decision whose argument checks (if any) the call
 * meets, or NULL. */
const struct tj_learned *tj_memory_find(const struct tj_memory *m, const struct seccomp_data *data);
void tj_memory_done(struct tj_memory *m);

/* The profile action a decision is written back as. */
enum tj_action tj_decision_action(const struct tj_decision *d);

#endif
