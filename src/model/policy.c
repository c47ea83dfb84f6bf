/* SPDX-License-Identifier: Apache-2.0 */
/* Bundled-profile lookup. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tj/model/policy.h"
#include "tj_paths.h" /* TJ_POLICY_DIR, generated from PREFIX */

void tj_policy_dirs(struct tj_strv *out)
{
	const char *env = getenv("TINYJAIL_POLICY_DIR");
	if (env && *env)
		tj_strv_add(out, env);
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = '\0';
		char *slash = strrchr(exe, '/');
		if (slash) {
			*slash = '\0';
			tj_strv_add_owned(out, tj_xasprintf("%s/../share/tinyjail/policies", exe));
			tj_strv_add_owned(out, tj_xasprintf("%s/../policies", exe));
		}
	}
	tj_strv_add(out, TJ_POLICY_DIR);
}

/* A bare name is a bundled profile, never a file that happens to carry it
 * in the current directory (someone may have planted ./default). */
static bool looks_like_path(const char *arg)
{
	size_t n = strlen(arg);
	return strchr(arg, '/') || (n > 5 && strcmp(arg + n - 5, ".json") == 0) || strcmp(arg, "-") == 0;
}

void tj_policy_bundled(struct tj_strv *names, struct tj_strv *paths)
{
	struct tj_strv dirs = {0};
	tj_policy_dirs(&dirs);
	for (size_t i = 0; i < dirs.n; i++) {
		DIR *d = opendir(dirs.v[i]);
		if (!d)
			continue;
		struct tj_strv here = {0};
		struct dirent *e;
		while ((e = readdir(d))) {
			size_t n = strlen(e->d_name);
			if (n > 5 && strcmp(e->d_name + n - 5, ".json") == 0)
				tj_strv_add_owned(&here, tj_xstrndup(e->d_name, n - 5));
		}
		closedir(d);
		/* Sorted within a directory; an earlier directory's profile
		 * hides a later one's of the same name, as in tj_policy_find. */
		tj_strv_sort(&here);
		for (size_t k = 0; k < here.n; k++) {
			if (tj_strv_contains(names, here.v[k]))
				continue;
			tj_strv_add(names, here.v[k]);
			if (paths)
				tj_strv_add_owned(paths, tj_xasprintf("%s/%s.json", dirs.v[i], here.v[k]));
		}
		tj_strv_done(&here);
	}
	tj_strv_done(&dirs);
}

static void list_bundled(const struct tj_strv *dirs, struct tj_buf *names)
{
	(void)dirs; /* tj_policy_bundled searches the same directories */
	struct tj_strv seen = {0};
	tj_policy_bundled(&seen, NULL);
	for (size_t i = 0; i < seen.n; i++)
		tj_buf_addf(names, "%s%s", i ? ", " : "", seen.v[i]);
	tj_strv_done(&seen);
}

int tj_policy_find(const char *arg, char **ret_path, struct tj_err **err)
{
	if (looks_like_path(arg)) {
		*ret_path = tj_xstrdup(arg);
		return 0;
	}
	struct tj_strv dirs = {0};
	tj_policy_dirs(&dirs);
	for (size_t i = 0; i < dirs.n; i++) {
		char *cand = tj_xasprintf("%s/%s.json", dirs.v[i], arg);
		struct stat st;
		if (stat(cand, &st) == 0 && S_ISREG(st.st_mode)) {
			tj_strv_done(&dirs);
			*ret_path = cand;
			return 0;
		}
		free(cand);
	}
	struct tj_buf names = {0};
	list_bundled(&dirs, &names);
	tj_err_set(err, TJ_ERR_PROFILE, ENOENT, "no bundled profile named '%s'", arg);
	struct stat st;
	if (stat(arg, &st) == 0)
		tj_err_hint(err, "a file in the current directory needs a path: --profile ./%s", arg);
	else if (names.len)
		tj_err_hint(err, "bundled profiles: %s", names.s);
	else
		tj_err_hint(err, "no bundled profiles were found (searched %zu directories; set TINYJAIL_POLICY_DIR)",
			    dirs.n);
	tj_buf_done(&names);
	tj_strv_done(&dirs);
	return -1;
}
