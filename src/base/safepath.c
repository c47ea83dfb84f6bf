/* SPDX-License-Identifier: Apache-2.0 */
/* A path walk that follows only trusted symbolic links. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tj/base/safepath.h"

#define MAX_LINKS 40

static int fail(int fd, struct tj_err **err, int e, const char *what, const char *path, const char *why)
{
	if (fd >= 0)
		close(fd);
	return tj_err_set(err, TJ_ERR_USAGE, e, "%s: '%s': %s", what, path, why);
}

int tj_safepath_open_dir(const char *path, uid_t trusted, bool *created, mode_t mode, const char *what,
			 struct tj_err **err)
{
	if (created)
		*created = false;
	/* rest: what is left to walk; a link's target is put in front of it. */
	char rest[PATH_MAX], tmp[PATH_MAX];
	if (!*path)
		return tj_err_set(err, TJ_ERR_USAGE, ENOENT, "%s: an empty path", what);
	if (strlen(path) >= sizeof(rest))
		return fail(-1, err, ENAMETOOLONG, what, path, "the path is too long");
	strcpy(rest, path);
	int fd = open(rest[0] == '/' ? "/" : ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return fail(-1, err, errno, what, path, "cannot open the start of the path");
	int links = 0;
	char *p = rest;
	for (;;) {
		while (*p == '/')
			p++;
		if (!*p)
			break;
		size_t len = strcspn(p, "/");
		char name[NAME_MAX + 1];
		if (len > NAME_MAX)
			return fail(fd, err, ENAMETOOLONG, what, path, "a component is too long");
		memcpy(name, p, len);
		name[len] = '\0';
		p += len;
		const char *after = p + strspn(p, "/");
		bool last = *after == '\0';
		if (strcmp(name, ".") == 0)
			continue;
		struct stat st;
		if (fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			if (errno != ENOENT || !last || !created)
				return fail(fd, err, errno, what, path, "cannot find it");
			if (mkdirat(fd, name, mode) == 0)
				*created = true;
			else if (errno != EEXIST)
				return fail(fd, err, errno, what, path, "cannot create it");
			if (fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
				return fail(fd, err, errno, what, path, "cannot find it");
		}
		if (S_ISLNK(st.st_mode)) {
			if (st.st_uid != 0 && st.st_uid != trusted) {
				close(fd);
				tj_err_set(err, TJ_ERR_USAGE, ELOOP,
					   "%s: '%s': '%s' on the way is a symbolic link owned by uid %u (not you or "
					   "root): not followed",
					   what, path, name, (unsigned)st.st_uid);
				return tj_err_hint(err, "name the directory by its real path");
			}
			if (++links > MAX_LINKS)
				return fail(fd, err, ELOOP, what, path, "too many symbolic links");
			ssize_t n = readlinkat(fd, name, tmp, sizeof(tmp) - 1);
			if (n <= 0)
				return fail(fd, err, n < 0 ? errno : ENOENT, what, path, "cannot read a symbolic link");
			size_t tail = strlen(p);
			if ((size_t)n + 1 + tail >= sizeof(tmp))
				return fail(fd, err, ENAMETOOLONG, what, path, "the path is too long");
			tmp[n] = '/';
			memcpy(tmp + n + 1, p, tail + 1);
			memcpy(rest, tmp, (size_t)n + 1 + tail + 1);
			p = rest;
			if (rest[0] == '/') {
				close(fd);
				fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
				if (fd < 0)
					return fail(-1, err, errno, what, path, "cannot open /");
			}
			continue;
		}
		if (!S_ISDIR(st.st_mode))
			return fail(fd, err, ENOTDIR, what, path, "not a directory");
		/* O_NOFOLLOW: an entry swapped for a link since fstatat fails. */
		int next = openat(fd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (next < 0)
			return fail(fd, err, errno, what, path, "cannot open it");
		close(fd);
		fd = next;
	}
	int dir = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int e = errno;
	close(fd);
	if (dir < 0)
		return fail(-1, err, e, what, path, "cannot open it");
	return dir;
}
