/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Reading and writing profiles as JSON: the only json-c user.  Parses from a
 * buffer so that the fuzzer can drive it; errors carry the file, the JSON
 * path and the line:column.
 */
#ifndef TJ_PROFILE_JSON_H
#define TJ_PROFILE_JSON_H

#include <stddef.h>

#include "tj/err.h"
#include "tj/profile.h"

/* Reads a profile file ("-" is standard input).  display is the name used in
 * messages (normally the path as the user wrote it). */
int tj_profile_load_file(const char *path, const char *display, struct tj_profile **ret,
			 struct tj_err **err);

/* Parses a profile held in memory; text need not be NUL-terminated. */
int tj_profile_load_buffer(const char *display, const char *text, size_t len,
			   struct tj_profile **ret, struct tj_err **err);

/* Renders a seccomp section as a plain OCI linux.seccomp object that runc,
 * crun, Docker and Podman accept: no dialect keys, rules equal to the default
 * action dropped, same-index argument lists split into separate rules so the
 * OR is explicit.  Caller frees. */
char *tj_seccomp_to_oci_json(const struct tj_seccomp *s);

/* The version of json-c in use, for `tinyjail --version`. */
const char *tj_json_library_version(void);

#endif
