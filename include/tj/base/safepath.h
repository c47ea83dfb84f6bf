/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Opening a directory by path without following links someone else planted
 * (issue 16 items 6 and 13).  tinyjail may run as root and write where its
 * user asked (a size-limited directory's copy-back, --json-status, --log);
 * a symbolic link another user put on the way (/tmp/dl -> /root/.ssh)
 * would redirect those writes.  The path is walked one component at a time
 * with O_NOFOLLOW, and a symbolic link is followed only when root or the
 * trusted user (the caller) owns it: the rule of the kernel's
 * fs.protected_symlinks, applied in every directory rather than only in
 * sticky, world-writable ones.
 */
#ifndef TJ_SAFEPATH_H
#define TJ_SAFEPATH_H

#include <stdbool.h>
#include <sys/types.h>

#include "tj/base/err.h"

/* Returns a descriptor (O_RDONLY|O_DIRECTORY|O_CLOEXEC) on the directory
 * at path (relative to the working directory unless absolute).  With
 * created non-NULL, a missing last component is made with mode first (its
 * parent must exist) and *created says whether it was.  `what` names the
 * path in messages ("--rw-limit"). */
int tj_safepath_open_dir(const char *path, uid_t trusted, bool *created, mode_t mode, const char *what,
			 struct tj_err **err);

#endif
