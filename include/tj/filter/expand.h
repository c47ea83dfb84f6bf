/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Syscall groups in profile rules (notes/groups.md): the compiler calls this
 * before it resolves names, so every later check (unknown names, conflicts,
 * provenance, the OCI export) sees plain syscalls.
 */
#ifndef TJ_EXPAND_H
#define TJ_EXPAND_H

#include "tj/base/err.h"
#include "tj/base/util.h"
#include "tj/model/profile.h"

/*
 * Rewrites the rules of s in place:
 *   "@group"          becomes the group's syscalls (nested groups too);
 *   "!name", "!@group" takes syscalls out of this rule (tinyjail extension);
 * a group member with argument constraints becomes one extra rule per
 * permitted alternative, right after its rule, with the same JSON path and
 * action.  Each resulting name records its origin (struct tj_name_origin).
 * Rules without '@' or '!' entries are left exactly as they are.
 *
 * Errors (TJ_ERR_PROFILE, with the JSON path of the entry): an unknown group
 * or excluded name (with a suggestion), a rule of exclusions only, and a
 * constrained member in a rule that has argument checks of its own.
 * Exclusions that remove nothing are warnings.
 */
int tj_expand_groups(struct tj_seccomp *s, const char *file, struct tj_notes *warnings, struct tj_err **err);

/* True when a rule name is a group ("@x") or an exclusion ("!x"). */
bool tj_name_is_group_syntax(const char *name);

#endif
