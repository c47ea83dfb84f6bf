/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>

#include "tj/base/cleanup.h"
#include "tj/base/util.h"
#include "tj/model/identity.h"

/* A whole decimal number that fits an id (and is not the -1 "no change"). */
static bool parse_id(const char *s, unsigned *ret)
{
	if (!*s || strspn(s, "0123456789") != strlen(s) || strlen(s) > 10)
		return false;
	unsigned long long v = strtoull(s, NULL, 10);
	if (v >= 0xffffffffull)
		return false;
	*ret = (unsigned)v;
	return true;
}

static int resolve_group(const char *spec, gid_t *gid, struct tj_err **err)
{
	unsigned n;
	struct group *gr = getgrnam(spec);
	if (gr) {
		*gid = gr->gr_gid;
		return 0;
	}
	if (parse_id(spec, &n)) {
		*gid = n;
		return 0;
	}
	tj_err_set(err, TJ_ERR_USAGE, 0, "--user: no group named '%s'", spec);
	return tj_err_hint(err, "give a group name from /etc/group or a number");
}

int tj_identity_resolve(const char *spec, struct tj_identity *out, struct tj_err **err)
{
	*out = (struct tj_identity){0};
	tj_autofree char *user = tj_xstrdup(spec);
	char *group = strchr(user, ':');
	if (group)
		*group++ = '\0';
	if (!*user || (group && !*group))
		return tj_err_set(err, TJ_ERR_USAGE, 0, "--user '%s': expected USER or USER:GROUP", spec);

	unsigned n;
	struct passwd *pw = getpwnam(user);
	if (!pw && parse_id(user, &n))
		pw = getpwuid(n);
	if (pw) {
		out->uid = pw->pw_uid;
		out->gid = pw->pw_gid;
		out->name = tj_xstrdup(pw->pw_name);
		out->home = tj_xstrdup(pw->pw_dir && *pw->pw_dir ? pw->pw_dir : "/");
	} else if (parse_id(user, &n)) {
		out->uid = n;
		out->gid = n;
		out->name = tj_xstrdup(user);
		out->home = tj_xstrdup("/");
	} else {
		tj_err_set(err, TJ_ERR_USAGE, 0, "--user: no user named '%s'", user);
		return tj_err_hint(err, "give a user name from /etc/passwd or a number");
	}
	if (group && resolve_group(group, &out->gid, err) < 0) {
		tj_identity_done(out);
		return -1;
	}
	return 0;
}

void tj_identity_done(struct tj_identity *id)
{
	free(id->name);
	free(id->home);
	*id = (struct tj_identity){0};
}
