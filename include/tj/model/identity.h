/* SPDX-License-Identifier: Apache-2.0 */
/* --user: who the command runs as, looked up in the user database. */
#ifndef TJ_IDENTITY_H
#define TJ_IDENTITY_H

#include <sys/types.h>

#include "tj/base/err.h"

struct tj_identity {
	uid_t uid;
	gid_t gid;
	char *name; /* the user name, or the number when the database has none */
	char *home; /* the home directory, or "/" */
};

/* Resolves "USER" or "USER:GROUP", each a name or a number.  A number
 * without a database entry is accepted (as by Docker and setpriv); its
 * group is then the same number, never root's group. */
int tj_identity_resolve(const char *spec, struct tj_identity *out, struct tj_err **err);
void tj_identity_done(struct tj_identity *id);

#endif
