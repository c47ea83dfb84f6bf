/* SPDX-License-Identifier: Apache-2.0 */
/* An allocation-free recursive copy between two directory fds. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "tj/base/copytree.h"

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

static void copy_meta(int fd, const struct stat *st, bool keep_owner)
{
	if (keep_owner)
		(void)!fchown(fd, st->st_uid, st->st_gid);
	/* Never set-user-ID or set-group-ID files: what a sandboxed command
	 * wrote must not gain privileges on the host once copied back. */
	mode_t mode = st->st_mode & 07777;
	if (S_ISREG(st->st_mode))
		mode &= ~(mode_t)(S_ISUID | S_ISGID);
	fchmod(fd, mode);
	struct timespec times[2] = {st->st_atim, st->st_mtim};
	futimens(fd, times);
}

static int copy_file(int src_dir, int dst_dir, const char *name, const struct stat *st, bool keep_owner,
		     struct tj_copy_stats *stats, char *why, size_t size)
{
	int in = openat(src_dir, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (in < 0)
		return fail(errno, "cannot read", name, why, size);
	int out = openat(dst_dir, name, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (out < 0) {
		int e = errno;
		close(in);
		return fail(e, "cannot create", name, why, size);
	}
	int r = 0;
	for (;;) {
		ssize_t n = copy_file_range(in, NULL, out, NULL, 1 << 20, 0);
		if (n == 0)
			break;
		if (n < 0 && (errno == EXDEV || errno == ENOSYS || errno == EINVAL || errno == EOPNOTSUPP)) {
			/* Across filesystems on older kernels: plain read/write. */
			char buf[16384];
			ssize_t got = read(in, buf, sizeof(buf));
			if (got == 0)
				break;
			n = got > 0 ? write(out, buf, (size_t)got) : -1;
			if (n >= 0 && n != got) {
				errno = ENOSPC;
				n = -1;
			}
		}
		if (n < 0) {
			r = fail(errno, "cannot copy", name, why, size);
			break;
		}
		stats->bytes += (uint64_t)n;
	}
	if (r == 0) {
		copy_meta(out, st, keep_owner);
		stats->files++;
	}
	close(in);
	if (close(out) < 0 && r == 0)
		r = fail(errno, "cannot write", name, why, size);
	return r;
}

static int copy_dir(int src, int dst, int depth, bool keep_owner, struct tj_copy_stats *stats, char *why, size_t size)
{
	if (depth > MAX_DEPTH)
		return fail(ELOOP, "too deep at", ".", why, size);
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
			int r = 0;
			if (S_ISREG(st.st_mode)) {
				r = copy_file(src, dst, name, &st, keep_owner, stats, why, size);
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
				r = copy_dir(s2, d2, depth + 1, keep_owner, stats, why, size);
				if (r == 0) {
					copy_meta(d2, &st, keep_owner);
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
				if (keep_owner)
					(void)!fchownat(dst, name, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW);
				stats->links++;
			} else {
				stats->skipped++;
			}
			if (r < 0)
				return r;
		}
	}
}

int tj_copytree(int src_dirfd, int dst_dirfd, bool keep_owner, struct tj_copy_stats *stats, char *why, size_t why_size)
{
	memset(stats, 0, sizeof(*stats));
	/* getdents64 reads from the fd's position: work on our own open. */
	int src = openat(src_dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (src < 0)
		return fail(errno, "cannot open", ".", why, why_size);
	int r = copy_dir(src, dst_dirfd, 0, keep_owner, stats, why, why_size);
	close(src);
	return r;
}
