/* SPDX-License-Identifier: Apache-2.0 */
/* Finding profiles: a file path, or the name of a bundled profile. */
#ifndef TJ_POLICY_H
#define TJ_POLICY_H

#include "tj/base/err.h"
#include "tj/base/util.h"

/* Directories searched for bundled profiles, in order:
 *   $TINYJAIL_POLICY_DIR, <dir of the binary>/../share/tinyjail/policies,
 *   <dir of the binary>/../policies (a build tree), and the install prefix. */
void tj_policy_dirs(struct tj_strv *out);

/* The bundled profiles' names (sorted per directory, the first directory
 * that has a name wins) and, when paths is not NULL, their files. */
void tj_policy_bundled(struct tj_strv *names, struct tj_strv *paths);

/* arg is a path if it contains '/' or ends in ".json" (or is "-");
 * otherwise it is a bundled profile's name, looked up as <dir>/<arg>.json
 * and never as a file of the current directory.  Caller frees. */
int tj_policy_find(const char *arg, char **ret_path, struct tj_err **err);

#endif
