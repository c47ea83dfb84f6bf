/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The mount layer: the command's view of the filesystem, in its own mount
 * namespace.  Propagation is made private first, so nothing reaches the
 * host; then, in this order:
 *
 *   /proc        a new procfs when there is a pid namespace
 *   --ro P       P read-only, recursively (P may be /)
 *   --rw P       P writable again (a recursive bind with the flag cleared)
 *   --rw-limit   P replaced by a tmpfs of the given size, seeded with P's
 *                content; the parent copies it back into P at the end
 *   --tmpfs P    an empty private tmpfs on P
 *   --noexec P   nothing beneath P can be executed
 *   cgroups      every cgroup file system read-only, when a sandbox cgroup
 *                enforces limits or network rules: a command that could
 *                write cgroup.procs (uid 0, or the owner of a delegated
 *                subtree) would otherwise move itself out of it
 *
 * Binds use the new mount API (open_tree, mount_setattr, move_mount:
 * Linux 5.12) so that flags apply to a whole subtree at once.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tj/base/cleanup.h"
#include "tj/base/copytree.h"
#include "tj/base/sys.h"
#include "tj/layers/cgroup.h"
#include "tj/layers/layer.h"

#define LAYER "mount"
#ifndef AT_RECURSIVE
#define AT_RECURSIVE 0x8000
#endif

struct limited {
	char *path;
	uint64_t bytes;
	/* Opened before the run, so that copying back reaches this directory
	 * even if the command renamed or replaced a part of its path. */
	int host_fd;
};

struct state {
	struct tj_strv ro, rw, noexec, tmpfs; /* resolved host paths */
	struct tj_strv cgroups;		      /* cgroup mount points, made read-only */
	struct limited *lim;
	size_t nlim;
	bool proc;
	int sock[2]; /* the child sends each limited tmpfs's root here */
};

static bool mount_wanted(const struct tj_plan *plan)
{
	return tj_isolation_namespaces(plan->iso, geteuid() == 0) & TJ_NS_MOUNT;
}

/* Adds path's real name to `to`.  With create_for, a missing directory is
 * made (its parent must exist) and given to the plan's user, so that the
 * command can write in it; an existing one is left as it is. */
static int resolve(const char *path, const struct tj_plan *create_for, struct tj_strv *to, struct tj_err **err)
{
	char buf[PATH_MAX];
	if (create_for && mkdir(path, 0755) == 0) {
		if (geteuid() == 0 && chown(path, create_for->uid, create_for->gid) < 0)
			return tj_err_set(err, TJ_ERR_LAYER, errno, "cannot give '%s' to uid %u", path,
					  (unsigned)create_for->uid);
	} else if (create_for && errno != EEXIST) {
		return tj_err_set(err, TJ_ERR_LAYER, errno, "cannot create '%s'", path);
	}
	if (!realpath(path, buf))
		return tj_err_set(err, TJ_ERR_LAYER, errno, "cannot find '%s'", path);
	if (!tj_strv_contains(to, buf))
		tj_strv_add(to, buf);
	return 0;
}

static int mount_probe(const struct tj_plan *plan, struct tj_manifest *m, struct tj_err **err)
{
	const struct tj_isolation *iso = plan->iso;
	/* EBADF means the syscall exists (Linux 5.12). */
	if (tj_sys_mount_setattr(-1, "", 0, 0, 0) == -ENOSYS && (iso->ro.n || iso->rw.n || iso->noexec.n)) {
		tj_err_set(err, TJ_ERR_LAYER, ENOSYS, "read-only, writable and noexec views need mount_setattr");
		return tj_err_hint(err, "Linux 5.12 or later provides it");
	}
	struct tj_buf b = {0};
	tj_buf_add(&b, "private propagation");
	if (tj_isolation_namespaces(iso, geteuid() == 0) & TJ_NS_PID)
		tj_buf_add(&b, ", a new /proc");
	for (size_t i = 0; i < iso->ro.n; i++)
		tj_buf_addf(&b, ", read-only %s", iso->ro.v[i]);
	for (size_t i = 0; i < iso->rw.n; i++)
		tj_buf_addf(&b, ", writable %s", iso->rw.v[i]);
	for (size_t i = 0; i < iso->nrw_limits; i++) {
		char size[32];
		tj_format_bytes(iso->rw_limits[i].bytes, size, sizeof(size));
		tj_buf_addf(&b, ", %s limited to %s (copied back at the end)", iso->rw_limits[i].path, size);
	}
	for (size_t i = 0; i < iso->tmpfs.n; i++)
		tj_buf_addf(&b, ", tmpfs %s", iso->tmpfs.v[i]);
	for (size_t i = 0; i < iso->noexec.n; i++)
		tj_buf_addf(&b, ", not executable %s", iso->noexec.v[i]);
	if (iso->protect_cgroups)
		tj_buf_add(&b, ", the cgroup file systems read-only (the command cannot leave its cgroup)");
	tj_manifest_add(m, LAYER, TJ_LAYER_APPLIED, "%s", b.s);
	tj_buf_done(&b);
	return 0;
}

static int mount_prepare(const struct tj_plan *plan, void **ret_state, struct tj_err **err)
{
	const struct tj_isolation *iso = plan->iso;
	struct state *s = tj_xcalloc(1, sizeof(*s));
	s->sock[0] = s->sock[1] = -1;
	*ret_state = s;
	s->proc = tj_isolation_namespaces(iso, geteuid() == 0) & TJ_NS_PID;
	/* Size-limited directories first: they may be created, and other
	 * options may name them. */
	if (iso->nrw_limits) {
		s->lim = tj_xcalloc(iso->nrw_limits, sizeof(*s->lim));
		for (size_t i = 0; i < iso->nrw_limits; i++) {
			struct tj_strv one = {0};
			if (resolve(iso->rw_limits[i].path, plan, &one, err) < 0) {
				tj_strv_done(&one);
				return tj_err_wrap(err, "--rw-limit");
			}
			struct limited *l = &s->lim[s->nlim++];
			*l = (struct limited){tj_xstrdup(one.v[0]), iso->rw_limits[i].bytes, -1};
			tj_strv_done(&one);
			l->host_fd = open(l->path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (l->host_fd < 0)
				return tj_err_set(err, TJ_ERR_LAYER, errno, "--rw-limit: cannot open '%s'", l->path);
		}
		if (socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, s->sock) < 0)
			return tj_err_set(err, TJ_ERR_INTERNAL, errno, "socketpair");
	}
	for (size_t i = 0; i < iso->ro.n; i++)
		if (resolve(iso->ro.v[i], NULL, &s->ro, err) < 0)
			return tj_err_wrap(err, "--ro");
	for (size_t i = 0; i < iso->rw.n; i++)
		if (resolve(iso->rw.v[i], NULL, &s->rw, err) < 0)
			return tj_err_wrap(err, "--rw");
	for (size_t i = 0; i < iso->noexec.n; i++)
		if (resolve(iso->noexec.v[i], NULL, &s->noexec, err) < 0)
			return tj_err_wrap(err, "--noexec");
	for (size_t i = 0; i < iso->tmpfs.n; i++)
		if (resolve(iso->tmpfs.v[i], NULL, &s->tmpfs, err) < 0)
			return tj_err_wrap(err, "--tmpfs");
	/* The child's mount namespace starts as a copy of this one. */
	if (iso->protect_cgroups && tj_cg_mount_points("/proc/self", &s->cgroups, err) < 0)
		return -1;
	return 0;
}

/* Clones the tree at path, changes its flags recursively, and mounts the
 * clone back on path. */
static int rebind(const char *path, uint64_t set, uint64_t clr)
{
	int fd = tj_sys_open_tree(AT_FDCWD, path, TJ_OPEN_TREE_CLONE | O_CLOEXEC | AT_RECURSIVE);
	if (fd < 0)
		return -1;
	int r = tj_sys_mount_setattr(fd, "", AT_EMPTY_PATH | AT_RECURSIVE, set, clr);
	if (r == 0)
		r = tj_sys_move_mount(fd, "", AT_FDCWD, path, TJ_MOVE_MOUNT_F_EMPTY_PATH);
	int e = errno;
	close(fd);
	errno = e;
	return r < 0 ? -1 : 0;
}

/* A tmpfs over path with the directory's mode, owned by uid:gid. */
static int mount_tmpfs(const char *path, uint64_t size, const struct stat *st, uid_t uid, gid_t gid)
{
	char opts[128];
	int n = snprintf(opts, sizeof(opts), "mode=0%o,uid=%u,gid=%u", (unsigned)(st->st_mode & 07777), (unsigned)uid,
			 (unsigned)gid);
	if (size)
		snprintf(opts + n, sizeof(opts) - (size_t)n, ",size=%llu", (unsigned long long)size);
	return mount("tmpfs", path, "tmpfs", MS_NOSUID | MS_NODEV, opts);
}

/* A size-limited directory: a tmpfs over it, seeded with what it held. */
static int limit_dir(struct state *s, const struct limited *l, struct tj_child_error *cerr)
{
	struct stat st;
	if (fstat(l->host_fd, &st) < 0)
		return tj_child_fail_path(cerr, TJ_ERR_LAYER, errno, LAYER, "cannot stat the size-limited directory",
					  l->path);
	if (mount_tmpfs(l->path, l->bytes, &st, st.st_uid, st.st_gid) < 0)
		return tj_child_fail_path(cerr, TJ_ERR_LAYER, errno, LAYER, "cannot mount the size-limited tmpfs on",
					  l->path);
	int tmp = open(l->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (tmp < 0)
		return tj_child_fail_path(cerr, TJ_ERR_LAYER, errno, LAYER, "cannot open the size-limited tmpfs on",
					  l->path);
	/* Seeded from the host directory the parent opened (and still holds
	 * the fd on, below the new mount). */
	struct tj_copy_stats stats;
	char why[200];
	int r = tj_copytree(l->host_fd, tmp, true, &stats, why, sizeof(why));
	if (r == 0 && tj_sys_send_fd(s->sock[1], tmp) < 0)
		r = -errno;
	close(tmp);
	if (r == -ENOSPC)
		return tj_child_fail_path(cerr, TJ_ERR_LAYER, ENOSPC, LAYER,
					  "this size-limited directory already holds more than its limit:", l->path);
	if (r < 0)
		return tj_child_fail_path(cerr, TJ_ERR_LAYER, -r, LAYER, "cannot copy into the size-limited directory",
					  l->path);
	return 0;
}

static int mount_enter(const struct tj_plan *plan, void *state, struct tj_child_error *cerr)
{
	struct state *s = state;
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return tj_child_fail(cerr, TJ_ERR_LAYER, errno, LAYER, "cannot make mount propagation private");
	if (s->proc && mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
		return tj_child_fail(cerr, TJ_ERR_LAYER, errno, LAYER, "cannot mount /proc for the pid namespace");
	for (size_t i = 0; i < s->ro.n; i++) {
		int r = strcmp(s->ro.v[i], "/") == 0
				? tj_sys_mount_setattr(AT_FDCWD, "/", AT_RECURSIVE, TJ_MOUNT_ATTR_RDONLY, 0)
				: rebind(s->ro.v[i], TJ_MOUNT_ATTR_RDONLY, 0);
		if (r < 0)
			return tj_child_fail_path(cerr, TJ_ERR_LAYER, errno, LAYER, "--ro: cannot make read-only",
						  s->ro.v[i]);
	}
	for (size_t i = 0; i < s->rw.n; i++)
		if (rebind(s->rw.v[i], 0, TJ_MOUNT_ATTR_RDONLY) < 0)
			return tj_child_fail_path(cerr, TJ_ERR_LAYER, errno, LAYER,
						  "--rw: cannot make writable (read-only on the host?)", s->rw.v[i]);
	for (size_t i = 0; i < s->nlim; i++)
		if (limit_dir(s, &s->lim[i], cerr) < 0)
			return -1;
	for (size_t i = 0; i < s->tmpfs.n; i++) {
		struct stat st;
		/* A scratch area belongs to the command. */
		if (stat(s->tmpfs.v[i], &st) < 0 || mount_tmpfs(s->tmpfs.v[i], 0, &st, plan->uid, plan->gid) < 0)
			return tj_child_fail_path(cerr, TJ_ERR_LAYER, errno, LAYER, "--tmpfs: cannot mount on",
						  s->tmpfs.v[i]);
	}
	for (size_t i = 0; i < s->noexec.n; i++)
		if (rebind(s->noexec.v[i], TJ_MOUNT_ATTR_NOEXEC, 0) < 0)
			return tj_child_fail_path(cerr, TJ_ERR_LAYER, errno, LAYER,
						  "--noexec: cannot make non-executable", s->noexec.v[i]);
	/* Last, so that the binds above cannot bring a writable copy back. */
	for (size_t i = 0; i < s->cgroups.n; i++)
		if (tj_sys_mount_setattr(AT_FDCWD, s->cgroups.v[i], 0, TJ_MOUNT_ATTR_RDONLY, 0) < 0 && errno != ENOENT)
			return tj_child_fail_path(cerr, TJ_ERR_LAYER, errno, LAYER,
						  "cannot make the cgroup file system read-only at", s->cgroups.v[i]);
	return 0;
}

int tj_layer_mount_copy_back(void *state, struct tj_buf *report, struct tj_err **err)
{
	struct state *s = state;
	if (!s || !s->nlim)
		return 0;
	tj_closep(&s->sock[1]);
	s->sock[1] = -1;
	for (size_t i = 0; i < s->nlim; i++) {
		/* The tmpfs outlives the command's namespace as long as we hold
		 * an fd on it: the one the child sent. */
		tj_autoclose int tmp = tj_sys_receive_fd(s->sock[0]);
		if (tmp < 0)
			return 0; /* the command never got that far: nothing was written */
		struct tj_copy_stats st;
		char why[256];
		int r = tj_copytree(tmp, s->lim[i].host_fd, geteuid() == 0, &st, why, sizeof(why));
		if (r < 0)
			return tj_err_set(err, TJ_ERR_LAYER, -r,
					  "copying the command's files back into '%s' failed: %s", s->lim[i].path, why);
		tj_buf_addf(report, "%s%s: %llu files, %llu bytes copied back", report->len ? "; " : "", s->lim[i].path,
			    (unsigned long long)st.files, (unsigned long long)st.bytes);
		if (st.skipped)
			tj_buf_addf(report, " (%llu devices, fifos or sockets not copied)",
				    (unsigned long long)st.skipped);
	}
	return 0;
}

static void mount_release(void *state)
{
	struct state *s = state;
	if (!s)
		return;
	tj_strv_done(&s->ro);
	tj_strv_done(&s->rw);
	tj_strv_done(&s->noexec);
	tj_strv_done(&s->tmpfs);
	tj_strv_done(&s->cgroups);
	for (size_t i = 0; i < s->nlim; i++) {
		free(s->lim[i].path);
		tj_closep(&s->lim[i].host_fd);
	}
	free(s->lim);
	tj_closep(&s->sock[0]);
	tj_closep(&s->sock[1]);
	free(s);
}

const struct tj_layer tj_layer_mount = {
	.name = LAYER,
	.wanted = mount_wanted,
	.probe = mount_probe,
	.prepare = mount_prepare,
	.enter = mount_enter,
	.release = mount_release,
};
