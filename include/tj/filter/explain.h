/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Which rule of a (resolved) profile decides a given syscall: provenance for
 * reports, kill messages and `tinyjail why`.  The compiled program is the
 * truth about the action; this module names the rule that produced it.
 */
#ifndef TJ_EXPLAIN_H
#define TJ_EXPLAIN_H

#include <stdint.h>

#include "tj/base/seccomp_abi.h"
#include "tj/base/util.h"
#include "tj/filter/filter.h"
#include "tj/model/profile.h"

/* Returns the JSON path of the first rule that names the syscall in data,
 * whose argument checks match, and whose action equals `action` (the value
 * the compiled program returned); "defaultAction" when no rule does, and
 * "architectures" for a call through an ABI the profile does not list. */
const char *tj_explain_rule(const struct tj_seccomp *resolved, const struct seccomp_data *data, uint32_t action);

/* tj_explain_rule for a stream of calls (a supervisor's): the answer for a
 * syscall, ABI and action that no argument check can change is remembered,
 * so that a notified call costs no name lookup and no walk of the rules.
 * The profile must not change while the memo is used; zero it to start. */
#define TJ_EXPLAIN_MEMO_SIZE 128
struct tj_explain_memo_entry {
	int nr;
	uint32_t arch, action;
	const char *rule; /* NULL: empty */
};
struct tj_explain_memo {
	struct tj_explain_memo_entry v[TJ_EXPLAIN_MEMO_SIZE];
};
const char *tj_explain_rule_memo(struct tj_explain_memo *memo, const struct tj_seccomp *resolved,
				 const struct seccomp_data *data, uint32_t action);

/* The rule tj_explain_rule names, and the index of the syscall's name in it
 * (for its origin: the group it came through); NULL when the default or the
 * architectures decide. */
const struct tj_rule *tj_explain_find(const struct tj_seccomp *resolved, const struct seccomp_data *data,
				      uint32_t action, size_t *name_k);

/* True when the profile filters the ABI the call came through (x86_64,
 * and x86 or x32 when listed). */
bool tj_explain_abi_listed(const struct tj_seccomp *s, const struct seccomp_data *d);

/* True when one comparison matches an argument.  32-bit ABIs compare only
 * the low 32 bits, as libseccomp compiles them. */
bool tj_explain_arg_matches(const struct tj_arg *a, uint64_t value, bool abi32);
/* True when r's argument checks hold for data: all of them, or any one when
 * an index repeats (the compiler's semantics); abi32 as above. */
bool tj_explain_args_match(const struct tj_rule *r, const struct seccomp_data *data, bool abi32);

/* True when the rule names the call and its argument checks hold, with the
 * compiler's semantics (AND across indexes, OR when an index repeats). */
bool tj_explain_rule_matches(const struct tj_rule *r, const struct seccomp_data *data);

/* Why the profile p (compiled as f, with its truth program) gives the
 * x86_64 call d what it gives, in lines for people: "decided by:
 * syscalls[2].names[0], through @basic-io (p.json:12:9)", "when: (arg0 &
 * 0xffffffff) == 0x2", "otherwise: syscalls[3] says SCMP_ACT_ERRNO(EPERM)
 * when ...", and with !args_given a note when arguments matter (`tinyjail
 * why` prints them).  Returns the action the filter takes. */
uint32_t tj_explain_why(const struct tj_profile *p, const struct tj_filter *f, const struct seccomp_data *d,
			bool args_given, struct tj_strv *out);

/* A rule's comparisons for people: "(arg0 & 0xffffffff) == 0x2 and arg1 == 0x1". */
void tj_explain_describe_args(const struct tj_rule *r, struct tj_buf *b);

#endif
