/* SPDX-License-Identifier: Apache-2.0 */
/* An allocation-free recursive copy between two directory fds (and, for
 * the parent only, the record of what a tree was seeded with). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "tj/base/copytree.h"
#include "tj/base/util.h"

#define MAX_DEPTH 64

struct linux_dirent64 {
	uint64_t d_ino;
	int64_t d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

static int fail(int e, const char *what, const char *name, char *why, size_t size)
{
	snprintf(why, size, "%s '%s': %s", what, name, strerror(e));
	return -e;
}

/* A regular file's mode as copied: never set-user-ID or set-group-ID (what
 * a sandboxed command wrote must not gain privileges on the host once
 * copied back). */
static mode_t file_mode_as_copied(mode_t mode)
{
	return mode & 07777 & ~(mode_t)(S_ISUID | S_ISGID);
}

static void copy_meta(int fd, const struct stat *st, bool keep_owner)
{
	if (keep_owner)
		(void)!fchown(fd, st->st_uid, st->st_gid);
	mode_t mode = S_ISREG(st->st_mode) ? file_mode_as_copied(st->st_mode) : st->st_mode & 07777;
	fchmod(fd, mode);
	struct timespec times[2] = {st->st_atim, st->st_mtim};
	futimens(fd, times);
}

/* The bytes of in into out at the same offsets, skipping holes: a sparse
 * file stays sparse (issue 16 item 12: a 200 MiB file of holes in a 1 MiB
 * tmpfs was written out as 200 MiB of zeros).  Data ranges come from
 * SEEK_DATA/SEEK_HOLE; a file system without them is one data range. */
static int copy_data(int in, int out, off_t size, struct tj_copy_stats *stats)
{
	off_t pos = 0;
	while (pos < size) {
		off_t data = lseek(in, pos, SEEK_DATA);
		if (data < 0 && errno == ENXIO)
			break; /* holes to the end */
		off_t hole = data < 0 ? size : lseek(in, data, SEEK_HOLE);
		if (data < 0)
			data = pos;
		if (hole < 0 || hole > size)
			hole = size;
		off_t in_off = data, out_off = data;
		while (in_off < hole) {
			size_t want = (size_t)(hole - in_off) < (1u << 20) ? (size_t)(hole - in_off) : (1u << 20);
			ssize_t n = copy_file_range(in, &in_off, out, &out_off, want, 0);
			if (n < 0 && (errno == EXDEV || errno == ENOSYS || errno == EINVAL || errno == EOPNOTSUPP)) {
				/* Across file systems on older kernels. */
				char buf[16384];
				ssize_t got = pread(in, buf, want < sizeof(buf) ? want : sizeof(buf), in_off);
				n = got > 0 ? pwrite(out, buf, (size_t)got, out_off) : got;
				if (n >= 0 && n != got) {
					errno = ENOSPC;
					n = -1;
				}
				if (n > 0) {
					in_off += n;
					out_off += n;
				}
			}
			if (n < 0)
				return -errno;
			if (n == 0)
				break; /* the file shrank under us */
			stats->bytes += (uint64_t)n;
		}
		pos = hole;
	}
	/* The length, holes at the end included. */
	return ftruncate(out, size) < 0 ? -errno : 0;
}

/* A new file beside the target, under a name nobody can have planted
 * anything at (O_EXCL), never through a link (O_NOFOLLOW). */
static int create_temp(int dir, char *tmp, size_t size)
{
	for (int tries = 0; tries < 16; tries++) {
		unsigned long long r = 0;
		if (getrandom(&r, sizeof(r), 0) != (ssize_t)sizeof(r))
			r = ((unsigned long long)getpid() << 20) ^ (unsigned long long)tries;
		snprintf(tmp, size, ".tj-copy.%016llx", r);
		int fd = openat(dir, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd >= 0 || errno != EEXIST)
			return fd;
	}
	return -1;
}

/* True when the file open at in has the same size, mode (as copied),
 * modification time and bytes as dst's regular file `name`: the command
 * left what the tree was seeded with as it was. */
static bool same_file(int in, int dst_dir, const char *name, const struct stat *st, const struct stat *old)
{
	mode_t mode = file_mode_as_copied(st->st_mode);
	if (old->st_size != st->st_size || (old->st_mode & 07777) != mode ||
	    old->st_mtim.tv_sec != st->st_mtim.tv_sec || old->st_mtim.tv_nsec != st->st_mtim.tv_nsec)
		return false;
	int fd = openat(dst_dir, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return false;
	char a[8192], b[8192];
	bool same = true;
	for (off_t off = 0; same && off < st->st_size;) {
		ssize_t n = pread(in, a, sizeof(a), off);
		ssize_t m = n > 0 ? pread(fd, b, (size_t)n, off) : -1;
		same = n > 0 && m == n && memcmp(a, b, (size_t)n) == 0;
		off += n > 0 ? n : 0;
	}
	close(fd);
	return same;
}

static int seed_cmp(const void *a, const void *b)
{
	return strcmp(((const struct tj_copy_seed_entry *)a)->path, ((const struct tj_copy_seed_entry *)b)->path);
}

/* True when the file at path is still as the tree was seeded with it. */
static bool as_seeded(const struct tj_copy_seed *seed, const char *path, const struct stat *st)
{
	struct tj_copy_seed_entry key = {.path = (char *)path};
	const struct tj_copy_seed_entry *e = seed->n ? bsearch(&key, seed->v, seed->n, sizeof(*e), seed_cmp) : NULL;
	mode_t mode = file_mode_as_copied(st->st_mode);
	return e && e->size == st->st_size && e->mode == mode && e->mtime.tv_sec == st->st_mtim.tv_sec &&
	       e->mtime.tv_nsec == st->st_mtim.tv_nsec;
}

static int copy_file(int src_dir, int dst_dir, const char *name, const char *path, const struct stat *st,
		     const struct tj_copy_opts *opts, struct tj_copy_stats *stats, char *why, size_t size)
{
	if (opts->seeded && path && as_seeded(opts->seeded, path, st)) {
		stats->unchanged++;
		return 0;
	}
	if (opts->max_file_size && (uint64_t)st->st_size > opts->max_file_size) {
		/* Only holes can make a file larger than its tmpfs. */
		if (!stats->too_big++)
			snprintf(stats->first_too_big, sizeof(stats->first_too_big), "%s", name);
		return 0;
	}
	int in = openat(src_dir, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (in < 0)
		return fail(errno, "cannot read", name, why, size);
	/* Left as it was seeded, under its own name: nothing to copy, whatever
	 * its size (a file an earlier run saved as NAME.partial is not cut
	 * short again: it would become NAME.partial.partial on every run). */
	struct stat old;
	if (opts->skip_unchanged && fstatat(dst_dir, name, &old, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(old.st_mode) &&
	    same_file(in, dst_dir, name, st, &old)) {
		close(in);
		stats->unchanged++;
		return 0;
	}
	/* Cut short by the file size limit: never under the name it would
	 * pass for complete with. */
	char partial[300];
	const char *to = name;
	if (opts->partial_size && (uint64_t)st->st_size >= opts->partial_size) {
		snprintf(partial, sizeof(partial), "%s.partial", name);
		to = partial;
	}
	/* A link at the name on this side is not replaced (the copy fails),
	 * as a directory's would not be. */
	if (fstatat(dst_dir, to, &old, AT_SYMLINK_NOFOLLOW) == 0 && !S_ISREG(old.st_mode)) {
		close(in);
		return fail(S_ISLNK(old.st_mode) ? ELOOP : EEXIST, "cannot replace a non-file", to, why, size);
	}
	/* Written beside it and renamed over it: an existing file is replaced,
	 * never written through (it may be a hard link to another file). */
	char tmp[64];
	int out = create_temp(dst_dir, tmp, sizeof(tmp));
	if (out < 0) {
		int e = errno;
		close(in);
		return fail(e, "cannot create", name, why, size);
	}
	int r = copy_data(in, out, st->st_size, stats);
	if (r < 0)
		fail(-r, "cannot copy", name, why, size);
	if (r == 0)
		copy_meta(out, st, opts->keep_owner);
	close(in);
	if (close(out) < 0 && r == 0)
		r = fail(errno, "cannot write", name, why, size);
	if (r == 0 && renameat(dst_dir, tmp, dst_dir, to) < 0)
		r = fail(errno, "cannot replace", to, why, size);
	if (r < 0) {
		unlinkat(dst_dir, tmp, 0);
	} else {
		stats->files++;
		if (to != name && !stats->partial++)
			snprintf(stats->first_partial, sizeof(stats->first_partial), "%s", name);
	}
	return r;
}

/* path: the directory's path in the tree ("" at the top), PATH_MAX bytes,
 * extended in place for what is beneath; NULL beneath a path too long to
 * name (its files are then never taken for seeded ones). */
static int copy_dir(int src, int dst, int depth, char *path, const struct tj_copy_opts *opts,
		    struct tj_copy_stats *stats, char *why, size_t size)
{
	if (depth > MAX_DEPTH)
		return fail(ELOOP, "too deep at", ".", why, size);
	size_t plen = path ? strlen(path) : 0;
	char buf[4096];
	for (;;) {
		long n = syscall(SYS_getdents64, src, buf, sizeof(buf));
		if (n < 0)
			return fail(errno, "cannot list", ".", why, size);
		if (n == 0)
			return 0;
		for (long off = 0; off < n;) {
			struct linux_dirent64 *d = (struct linux_dirent64 *)(buf + off);
			off += d->d_reclen;
			const char *name = d->d_name;
			if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
				continue;
			struct stat st;
			if (fstatat(src, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
				return fail(errno, "cannot stat", name, why, size);
			char *named = path;
			if (path && snprintf(path + plen, PATH_MAX - plen, "%s%s", plen ? "/" : "", name) >=
					    (int)(PATH_MAX - plen)) {
				path[plen] = '\0';
				named = NULL;
			}
			int r = 0;
			if (S_ISREG(st.st_mode)) {
				r = copy_file(src, dst, name, named, &st, opts, stats, why, size);
			} else if (S_ISDIR(st.st_mode)) {
				if (mkdirat(dst, name, 0700) < 0 && errno != EEXIST)
					return fail(errno, "cannot create directory", name, why, size);
				int s2 = openat(src, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
				int d2 = s2 < 0 ? -1
						: openat(dst, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
				if (s2 < 0 || d2 < 0) {
					int e = errno;
					if (s2 >= 0)
						close(s2);
					return fail(e, "cannot open directory", name, why, size);
				}
				r = copy_dir(s2, d2, depth + 1, named, opts, stats, why, size);
				if (r == 0) {
					copy_meta(d2, &st, opts->keep_owner);
					stats->dirs++;
				}
				close(s2);
				close(d2);
			} else if (S_ISLNK(st.st_mode)) {
				char target[4096];
				ssize_t len = readlinkat(src, name, target, sizeof(target) - 1);
				if (len < 0)
					return fail(errno, "cannot read link", name, why, size);
				target[len] = '\0';
				unlinkat(dst, name, 0);
				if (symlinkat(target, dst, name) < 0)
					return fail(errno, "cannot create link", name, why, size);
				if (opts->keep_owner)
					(void)!fchownat(dst, name, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW);
				stats->links++;
			} else {
				stats->skipped++;
			}
			if (path)
				path[plen] = '\0';
			if (r < 0)
				return r;
		}
	}
}

int tj_copytree(int src_dirfd, int dst_dirfd, const struct tj_copy_opts *opts, struct tj_copy_stats *stats, char *why,
		size_t why_size)
{
	memset(stats, 0, sizeof(*stats));
	/* getdents64 reads from the fd's position: work on our own open. */
	int src = openat(src_dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (src < 0)
		return fail(errno, "cannot open", ".", why, why_size);
	char path[PATH_MAX] = "";
	int r = copy_dir(src, dst_dirfd, 0, path, opts, stats, why, why_size);
	close(src);
	return r;
}

static int record_dir(int dir, int depth, char *path, struct tj_copy_seed *seed)
{
	if (depth > MAX_DEPTH)
		return -ELOOP;
	int fd = openat(dir, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = fd < 0 ? NULL : fdopendir(fd);
	if (!d) {
		int e = errno;
		if (fd >= 0)
			close(fd);
		return -e;
	}
	size_t plen = strlen(path);
	int r = 0;
	struct dirent *de;
	while (r == 0 && (de = readdir(d))) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		struct stat st;
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue; /* gone meanwhile: not seeded either */
		if (snprintf(path + plen, PATH_MAX - plen, "%s%s", plen ? "/" : "", de->d_name) >=
		    (int)(PATH_MAX - plen)) {
			; /* too long to name: not recorded (copy-back does not name it either) */
		} else if (S_ISREG(st.st_mode)) {
			tj_xreserve((void **)&seed->v, &seed->cap, seed->n + 1, sizeof(*seed->v));
			seed->v[seed->n++] = (struct tj_copy_seed_entry){tj_xstrdup(path), st.st_size,
									 file_mode_as_copied(st.st_mode), st.st_mtim};
		} else if (S_ISDIR(st.st_mode)) {
			int sub = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (sub >= 0) {
				r = record_dir(sub, depth + 1, path, seed);
				close(sub);
			}
		}
		path[plen] = '\0';
	}
	closedir(d);
	return r;
}

int tj_copy_seed_record(int dirfd, struct tj_copy_seed *seed)
{
	char path[PATH_MAX] = "";
	int r = record_dir(dirfd, 0, path, seed);
	if (seed->n)
		qsort(seed->v, seed->n, sizeof(*seed->v), seed_cmp);
	return r;
}

void tj_copy_seed_done(struct tj_copy_seed *seed)
{
	for (size_t i = 0; i < seed->n; i++)
		free(seed->v[i].path);
	free(seed->v);
	*seed = (struct tj_copy_seed){0};
}
