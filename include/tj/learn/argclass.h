/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Argument classes: which register arguments of a syscall `learn` records,
 * and how a recorded value becomes a seccomp comparison (notes/learn.md has
 * the table and what cannot be constrained).
 *
 * Only values can be checked: seccomp sees the six registers and never the
 * memory a pointer argument points to, so paths, socket addresses, clone3's
 * struct and openat2's flags stay unconstrained.  Every comparison looks at
 * the low 32 bits only (SCMP_CMP_MASKED_EQ with a mask within 0xffffffff):
 * the arguments here are C ints or flag words the kernel reads as 32 bits
 * (clone's flags are lower_32_bits() in the kernel), so a caller cannot get
 * around a check by setting high bits, and every value fits the int64 of a
 * Kubernetes SeccompProfile.
 */
#ifndef TJ_LEARN_ARGCLASS_H
#define TJ_LEARN_ARGCLASS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tj/base/seccomp_abi.h"
#include "tj/base/util.h"
#include "tj/model/profile.h"

#define TJ_LEARN_MAX_ARGS 3

/* How one argument becomes a class and back into a comparison. */
enum tj_argkind {
	TJ_AK_EXACT,	/* the value (under mask) is the class: one rule per value */
	TJ_AK_FLAGS,	/* a flag word: the rule allows the union of the flags seen */
	TJ_AK_NULLNESS, /* a pointer: only NULL or not (EQ 0, NE 0) */
};

struct tj_argspec {
	unsigned index; /* 0..5 */
	enum tj_argkind kind;
	uint64_t mask;	      /* the bits that make the class (within 0xffffffff) */
	const char *what;     /* "socket domain", for notes and comments */
	unsigned char decode; /* how values are named (argclass.c) */
};

struct tj_syscall_argspec {
	const char *name;
	int nr; /* x86_64 */
	struct tj_argspec args[TJ_LEARN_MAX_ARGS];
	size_t nargs;
};

/* The table entry of x86_64 syscall nr, or NULL: its arguments are not
 * recorded (not a value, or not worth a rule). */
const struct tj_syscall_argspec *tj_argspec_find(int nr);
const struct tj_syscall_argspec *tj_argspec_find_name(const char *name);
/* The whole table, for notes and tests. */
const struct tj_syscall_argspec *tj_argspec_table(size_t *n);

/* The class values of a call: for each argument of the spec, its value
 * under the spec's mask (NULLNESS: 0 or 1). */
void tj_argspec_classify(const struct tj_syscall_argspec *sp, const struct seccomp_data *d,
			 uint64_t out[TJ_LEARN_MAX_ARGS]);

/* The comparison that admits class value v of argument a (FLAGS: v is the
 * union of the flags seen).  Returns false when the argument needs no
 * comparison (NULLNESS with both classes seen: v == 2). */
bool tj_argspec_comparison(const struct tj_argspec *a, uint64_t v, struct tj_arg *out);
/* The inverse: the class value a comparison of a generated rule stands for;
 * false when cmp is not one this table writes for argument a. */
bool tj_argspec_from_comparison(const struct tj_argspec *a, const struct tj_arg *cmp, uint64_t *v);

/* The value (or flag set) by name for people: "AF_INET", "O_RDONLY|O_CLOEXEC",
 * "PROT_READ|PROT_WRITE"; unnamed values in hexadecimal. */
void tj_argspec_describe(const struct tj_argspec *a, uint64_t v, struct tj_buf *out);

#endif
