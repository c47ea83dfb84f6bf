/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Edits of a profile document that keep what they do not change
 * (`tinyjail edit`): the editor works on the seccomp model, and this module
 * carries the difference back into the text the profile was read from.
 *
 * Only what changed is rewritten; every other byte of the document is
 * kept: other sections, unknown keys, each rule's comment and Docker
 * conditions, formatting, and the order of the rules.  So a document edited
 * and then restored is the original, byte for byte, and a one-rule change
 * is a one-rule diff.  The rules written anew follow the style of the
 * file's rules (indentation, names on one line or one per line, compact).
 */
#ifndef TJ_JSON_PROFILE_EDIT_H
#define TJ_JSON_PROFILE_EDIT_H

#include <stddef.h>

#include "tj/base/err.h"
#include "tj/model/profile.h"

/* Rewrites document `text`, from which `old` (its seccomp section) was
 * loaded, to say what `edited` says.  `edited` is old's seccomp section
 * changed by the caller: each rule taken from the document keeps its
 * json_path (its origin, "syscalls[3]"); new rules have a NULL or empty json_path.
 * The rules are written in edited's order.  For each rule:
 *   - its names, action, errno, args and comment equal the original's: its
 *     bytes are kept;
 *   - changed: the original JSON object with those fields replaced (keys
 *     it does not manage, includes and excludes kept), in the file's style;
 *   - gone from edited: removed; new: written in the file's style.
 * defaultAction, defaultErrnoRet and Podman's defaultErrno follow edited's
 * default.  When nothing differs the result is text itself.  The result is
 * loaded back before it is returned (display names it in that error).
 * Caller frees *ret. */
int tj_profile_json_rewrite(const char *display, const char *text, size_t len, const struct tj_seccomp *old,
			    const struct tj_seccomp *edited, char **ret, struct tj_err **err);

/* The rule index a json_path such as "linux.seccomp.syscalls[3]" names
 * under section path `section` ("" or "linux.seccomp"), or -1. */
long tj_profile_json_rule_index(const char *section, const char *json_path);

#endif
