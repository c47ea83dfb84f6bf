/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Reading and writing profiles as JSON: src/json/ is the only json-c user.  Parses from a
 * buffer so that the fuzzer can drive it; errors carry the file, the JSON
 * path and the line:column.
 */
#ifndef TJ_PROFILE_JSON_H
#define TJ_PROFILE_JSON_H

#include <stdbool.h>
#include <stddef.h>

#include "tj/base/err.h"
#include "tj/model/profile.h"

/* Reads a profile file ("-" is standard input).  display is the name used in
 * messages (normally the path as the user wrote it). */
int tj_profile_load_file(const char *path, const char *display, struct tj_profile **ret, struct tj_err **err);

/* Parses a profile held in memory; text need not be NUL-terminated. */
int tj_profile_load_buffer(const char *display, const char *text, size_t len, struct tj_profile **ret,
			   struct tj_err **err);

/* Renders a seccomp section as a plain OCI linux.seccomp object that runc,
 * crun, Docker and Podman accept: no dialect keys, rules equal to the default
 * action dropped, same-index argument lists split into separate rules so the
 * OR is explicit.  Caller frees. */
char *tj_seccomp_to_oci_json(const struct tj_seccomp *s);

/* --- the supervisor's documents (json-c stays in this one file) --- */

/* tj_decisions_load_file/_buffer (decisions.h) and tj_agent_state_parse
 * (agent.h) are implemented here too. */

/* A rule to add to a profile (decisions written back by `supervise`). */
struct tj_added_rule {
	const char *name;      /* one syscall */
	enum tj_action action; /* ALLOW, ERRNO or KILL_PROCESS */
	unsigned errno_ret;    /* for ERRNO */
	const struct tj_arg *args;
	size_t nargs;
	const char *comment; /* where the decision came from */
	bool skipped;	     /* set when another rule already decides the name */
};

/* Returns the profile document `text` with `rules` appended to its seccomp
 * section as plain OCI rules.  A name that an unconditional SCMP_ACT_NOTIFY
 * rule lists is moved out of it (that rule no longer needs to ask); a name
 * another rule already decides is left alone and reported in *skipped
 * (adding a rule would conflict with it).  Everything else in the document
 * is kept.  The result is loaded once more before it is returned, so a
 * document tinyjail could not read is never produced.  Caller frees. */
int tj_profile_json_add_rules(const char *display, const char *text, size_t len, struct tj_added_rule *rules,
			      size_t nrules, char **ret_text, struct tj_notes *skipped, struct tj_err **err);

/* The version of json-c in use, for `tinyjail --version`. */
const char *tj_json_library_version(void);

#endif
