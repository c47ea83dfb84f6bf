/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What changed between two profiles, per syscall (`tinyjail diff`): added
 * and removed, actions changed, argument rules widened or narrowed.
 *
 * The inputs are seccomp sections as the compiler resolves them (groups
 * expanded, conditions decided for this host), so two profiles that say
 * the same thing in other words compare equal.  A syscall's rules are read
 * per action as a set of alternatives, each a conjunction of comparisons
 * (Docker's repeated indexes are alternatives of their own); B widens A
 * when every alternative of A implies one of B and not the other way
 * round.  Implication is decided for the comparisons profiles use (EQ,
 * MASKED_EQ, NE and the ranges); anything else counts as a change.
 */
#ifndef TJ_LEARN_DIFF_H
#define TJ_LEARN_DIFF_H

#include <stddef.h>

#include "tj/model/profile.h"

enum tj_diff_kind {
	TJ_DIFF_DEFAULT,  /* the default action */
	TJ_DIFF_ARCHES,	  /* the architectures */
	TJ_DIFF_ADDED,	  /* the syscall has rules in B only */
	TJ_DIFF_REMOVED,  /* in A only */
	TJ_DIFF_ACTION,	  /* its actions changed */
	TJ_DIFF_WIDENED,  /* the same action, for more argument values */
	TJ_DIFF_NARROWED, /* for fewer */
	TJ_DIFF_CHANGED,  /* for others */
};

struct tj_diff_line {
	enum tj_diff_kind kind;
	char *syscall; /* NULL for the default and the architectures */
	char *text;    /* for people: "+ O_WRONLY|O_CREAT", "SCMP_ACT_ALLOW -> ..." */
};

struct tj_diff {
	struct tj_diff_line *v;
	size_t n;
};

/* Compares a with b; the lines are in a fixed order (default, arches, then
 * syscalls by name).  Equal profiles give no line. */
void tj_profile_diff(const struct tj_seccomp *a, const struct tj_seccomp *b, struct tj_diff *out);
void tj_diff_done(struct tj_diff *d);

/* The symbol people see for a kind: "+", "-", "~", "!". */
const char *tj_diff_mark(enum tj_diff_kind k);

#endif
