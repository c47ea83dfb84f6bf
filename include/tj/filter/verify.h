/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Checks a compiled program against the rules it was compiled from, because
 * libseccomp does not always compile them faithfully: with several
 * argument-checked rules for one syscall, 2.5.4 (and upstream's 2.6.x) can
 * drop a rule from its tree, or lay out a comparison that reads a different
 * argument depending on the path (bpfflow.h); either way some calls are
 * decided differently from the profile, sometimes more permissively
 * (notes/profile-format.md, "What tinyjail checks after libseccomp").
 */
#ifndef TJ_VERIFY_H
#define TJ_VERIFY_H

#include <linux/filter.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tj/base/seccomp_abi.h"
#include "tj/model/profile.h"

#define TJ_EXPECTED_MAX 8

/* What the rules say about one call: the kernel's action values of the
 * rules that may decide it (several when rules of different actions hold at
 * once: libseccomp picks one of them), or the default's, or the program's
 * action for an ABI the profile does not list. */
struct tj_expected {
	uint32_t v[TJ_EXPECTED_MAX];
	size_t n;
};

/* How the program was built from the rules: the kernel's value for a rule's
 * (or, is_default, the default's) action on call d, and for an ABI the
 * profile does not list.  NULL: the profile's own actions
 * (tj_filter_action_value) and SCMP_ACT_KILL_PROCESS, as in a truth program. */
struct tj_verify_actions {
	uint32_t (*value)(const void *ctx, const struct seccomp_data *d, enum tj_action a, unsigned errno_ret,
			  bool is_default);
	const void *ctx;
	uint32_t bad_arch;
};

/* The rules' semantics (runc's, crun's and libseccomp's): rules whose action
 * comes out as the default's are left out; a rule without argument checks
 * decides its syscall for every argument; otherwise every rule whose checks
 * hold may decide (all checks, or any one when an index repeats); 32-bit
 * ABIs compare low words. */
void tj_verify_expected(const struct tj_seccomp *s, const struct tj_verify_actions *acts, const struct seccomp_data *d,
			struct tj_expected *out);

struct tj_verify_result {
	size_t calls;		  /* calls tried */
	bool mismatch;		  /* a call the program decides differently */
	struct seccomp_data data; /* that call */
	uint32_t got;		  /* what the program returned */
	struct tj_expected want;  /* what the rules say */
	const char *name;	  /* its syscall (one of the rules' names), or NULL */
};

/* Runs the program, built from s with acts, on every syscall number of each
 * ABI (arguments 0, then all ones), and on calls of each syscall the rules
 * name, on every ABI the profile lists and one it does not, with argument
 * values at and around each datum the rules compare: each rule at its own
 * values, then all rules' values together (every combination when there
 * are at most `budget`, otherwise `budget` drawn ones).  Stops at the
 * first mismatch; res->name is NULL when the call was one of the numbers. */
void tj_verify_program(const struct tj_seccomp *s, const struct tj_verify_actions *acts, const struct sock_filter *prog,
		       size_t len, size_t budget, struct tj_verify_result *res);

#endif
