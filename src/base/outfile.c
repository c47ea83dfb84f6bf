/* SPDX-License-Identifier: Apache-2.0 */
/* Output files safe against links planted by the sandboxed command. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tj/base/cleanup.h"
#include "tj/base/outfile.h"
#include "tj/base/safepath.h"
#include "tj/base/util.h"

int tj_outfile_prepare(struct tj_outfile *f, const char *path, const char *what, struct tj_err **err)
{
	*f = (struct tj_outfile)TJ_OUTFILE_INIT;
	const char *slash = strrchr(path, '/');
	const char *name = slash ? slash + 1 : path;
	if (!*name || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return tj_err_set(err, TJ_ERR_USAGE, 0, "%s '%s' names a directory, not a file", what, path);
	tj_autofree char *dir = slash ? tj_xstrndup(path, slash == path ? 1 : (size_t)(slash - path)) : NULL;
	/* Its directory, without a link another user planted on the way. */
	int dirfd = tj_safepath_open_dir(dir ? dir : ".", geteuid(), NULL, 0, "its directory", err);
	if (dirfd < 0)
		return tj_err_wrap(err, "cannot open %s '%s'", what, path);
	struct stat st;
	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && !S_ISREG(st.st_mode)) {
		close(dirfd);
		return tj_err_set(err, TJ_ERR_USAGE, 0, "%s '%s' is %s, not a regular file: refused", what, path,
				  S_ISLNK(st.st_mode)	? "a symbolic link"
				  : S_ISDIR(st.st_mode) ? "a directory"
							: "a special file");
	}
	f->dirfd = dirfd;
	f->name = tj_xstrdup(name);
	f->path = tj_xstrdup(path);
	return 0;
}

/* A new file beside the target, under a random name nobody can have
 * planted a link at (O_EXCL), and never through one (O_NOFOLLOW). */
static int create_temp(struct tj_outfile *f, char *tmp, size_t size, struct tj_err **err)
{
	for (int tries = 0; tries < 16; tries++) {
		unsigned long long r = 0;
		if (getrandom(&r, sizeof(r), 0) != (ssize_t)sizeof(r))
			r = (unsigned long long)getpid() * 2654435761u + (unsigned long long)tries;
		snprintf(tmp, size, ".%.200s.%016llx.tmp", f->name, r);
		int fd = openat(f->dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
		if (fd >= 0)
			return fd;
		if (errno != EEXIST)
			break;
	}
	return tj_err_set(err, TJ_ERR_INTERNAL, errno, "cannot create a file beside '%s'", f->path);
}

static int rename_over(struct tj_outfile *f, const char *tmp, struct tj_err **err)
{
	if (renameat(f->dirfd, tmp, f->dirfd, f->name) < 0) {
		int e = errno;
		unlinkat(f->dirfd, tmp, 0);
		return tj_err_set(err, TJ_ERR_INTERNAL, e, "cannot write '%s'", f->path);
	}
	return 0;
}

int tj_outfile_create(struct tj_outfile *f, struct tj_err **err)
{
	char tmp[256];
	int fd = create_temp(f, tmp, sizeof(tmp), err);
	if (fd < 0)
		return -1;
	if (rename_over(f, tmp, err) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

int tj_outfile_write_all(int fd, const void *data, size_t len)
{
	const char *p = data;
	while (len) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? errno : ENOSPC;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int tj_outfile_replace_with(struct tj_outfile *f, int (*fill)(int fd, void *ctx), void *ctx, struct tj_err **err)
{
	char tmp[256];
	int fd = create_temp(f, tmp, sizeof(tmp), err);
	if (fd < 0)
		return -1;
	int e = fill(fd, ctx);
	if (close(fd) < 0 && !e)
		e = errno;
	if (e) {
		unlinkat(f->dirfd, tmp, 0);
		return tj_err_set(err, TJ_ERR_INTERNAL, e, "cannot write '%s'", f->path);
	}
	return rename_over(f, tmp, err);
}

struct whole {
	const void *data;
	size_t len;
};

static int fill_whole(int fd, void *ctx)
{
	const struct whole *w = ctx;
	return tj_outfile_write_all(fd, w->data, w->len);
}

int tj_outfile_replace(struct tj_outfile *f, const void *data, size_t len, struct tj_err **err)
{
	struct whole w = {data, len};
	return tj_outfile_replace_with(f, fill_whole, &w, err);
}

void tj_outfile_done(struct tj_outfile *f)
{
	if (f->dirfd >= 0)
		close(f->dirfd);
	free(f->name);
	free(f->path);
	*f = (struct tj_outfile)TJ_OUTFILE_INIT;
}
