/* SPDX-License-Identifier: Apache-2.0 */
/* What the kernel opens to execute a file: a script's interpreter (#!) and
 * the ELF interpreter (PT_INTERP) of the binary that finally runs. */
#ifndef TJ_EXEFILE_H
#define TJ_EXEFILE_H

#include "tj/base/err.h"
#include "tj/base/util.h"

/* Adds to out the files execve(path) opens besides path itself, in order:
 * the #! interpreter (if path is a script) and the ELF interpreter of the
 * binary that runs (if it is dynamically linked). */
int tj_exe_dependencies(const char *path, struct tj_strv *out, struct tj_err **err);

#endif
