/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The mount layer: the command's view of the filesystem, in its own mount
 * namespace.  Propagation is made private first, so nothing reaches the
 * host; then, in this order:
 *
 *   /proc        a new procfs when there is a pid namespace
 *   the view     from the top of the tree down (a mount on a directory
 *                before the mounts beneath it, whatever the order of the
 *                options: `--ro / --tmpfs /tmp --rw /tmp/ws` as with bwrap):
 *     --ro P       P read-only, recursively (P may be /)
 *     --rw P       P writable (a recursive bind with the flag cleared)
 *     --rw-limit   P replaced by a tmpfs of the given size, seeded with P's
 *                  content; the parent copies it back into P at the end
 *     --tmpfs P    an empty private tmpfs on P
 *                The --ro and --rw trees are cloned from the host's view
 *                first, so a tmpfs above them cannot hide them; their mount
 *                points are made in it when missing.
 *   --noexec P   nothing beneath P can be executed (after every bind, so
 *                none brings executable files back)
 *   cgroups      every cgroup file system read-only, when a sandbox cgroup
 *                enforces limits or network rules: a command that could
 *                write cgroup.procs (uid 0, or the owner of a delegated
 *                subtree) would otherwise move itself out of it
 *
 * and before all of them, with a view or an isolated network, every host
 * UNIX socket outside the --rw paths is covered by an unusable node (a
 * /dev/null bound without devices): Landlock does not govern connect(2),
 * and a socket file is reachable from any network namespace.  The sockets
 * are those bound in the host's network namespace (/proc/net/unix), read by
 * the parent; notes/security.md has what this leaves open.
 *   the cwd      re-entered by path: the process's working directory (and
 *                root, for a mount on /) still point at the mounts that
 *                were there before, beneath the new ones, so relative
 *                paths would bypass every mount above (issue 16 item 19)
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
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tj/base/cleanup.h"
#include "tj/base/copytree.h"
#include "tj/base/safepath.h"
#include "tj/base/sys.h"
#include "tj/base/testhook.h"
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
	/* What it held just before the command's copy was seeded: a file
	 * the command left as it was is not copied back over a change made
	 * meanwhile by another run or the user. */
	struct tj_copy_seed seed;
};

/* One mount of the view, in the order they are made (mount_prepare sorts
 * them: parents first). */
enum op_kind {
	OP_RO,
	OP_RW,
	OP_LIMIT,
	OP_TMPFS
};
struct op {
	enum op_kind kind;
	const char *path; /* in state's lists */
	size_t limit;	  /* OP_LIMIT: index into lim */
	int depth;	  /* path components: "/" is 0 */
	int tree;	  /* OP_RO, OP_RW: the clone, taken in the child before any mount */
};

struct state {
	struct tj_strv ro, rw, noexec, tmpfs; /* resolved host paths */
	struct op *ops;
	size_t nops;
	struct tj_strv sockets; /* host UNIX sockets to cover */
	struct tj_strv cgroups; /* cgroup mount points, made read-only */
	struct limited *lim;
	size_t nlim;
	bool proc;
	bool binds;	/* --ro and --rw become mounts too (view_binds) */
	bool over_root; /* something is mounted on / itself */
	char *cwd;	/* the working directory, re-entered in the new view */
	uint64_t fsize; /* the command's file size limit (RLIMIT_FSIZE soft); 0: none */
	int sock[2];	/* the child sends each limited tmpfs's root here */
};

static bool mount_wanted(const struct tj_plan *plan)
{
	return tj_isolation_namespaces(plan->iso, tj_sys_privileged()) & TJ_NS_MOUNT;
}

/* Adds path's real name to `to`. */
static int resolve(const char *path, struct tj_strv *to, struct tj_err **err)
{
	char buf[PATH_MAX];
	if (!realpath(path, buf))
		return tj_err_set(err, TJ_ERR_LAYER, errno, "cannot find '%s'", path);
	if (!tj_strv_contains(to, buf))
		tj_strv_add(to, buf);
	return 0;
}

static bool has_sys_admin(void)
{
	return tj_sys_cap_effective() & ((uint64_t)1 << 21 /* CAP_SYS_ADMIN */);
}

/* Whether the view's paths become mounts too (read-only, writable): when a
 * mount namespace is there for more than covering sockets, as before
 * sockets were covered.  A view alone stays Landlock's, so that --rw on a
 * file system the host mounted read-only still runs. */
static bool view_binds(const struct tj_isolation *iso)
{
	struct tj_isolation without = *iso;
	without.hide_sockets = false;
	return tj_isolation_namespaces(&without, tj_sys_privileged()) & TJ_NS_MOUNT;
}

/* A size-limited directory is where tinyjail, perhaps as root, writes
 * what the command left: it must be the caller's (or, for root, the
 * command's user's), writable by nobody else, and reached without a link
 * someone else planted (issue 16 item 13: /tmp/curl_downloads made first by
 * another user, or a link on its path, received the downloads).  It is
 * created when missing and held open from here on. */
static int open_limited(const char *path, const struct tj_plan *plan, struct limited *l, struct tj_err **err)
{
	uid_t me = geteuid();
	bool created;
	l->host_fd = tj_safepath_open_dir(path, me, &created, 0755, "--rw-limit", err);
	if (l->host_fd < 0)
		return -1;
	struct stat st;
	if (fstat(l->host_fd, &st) < 0)
		return tj_err_set(err, TJ_ERR_LAYER, errno, "--rw-limit: cannot stat '%s'", path);
	/* Made just now: the command's user gets it, so that it can write in
	 * its tmpfs. */
	if (created && me == 0 && plan->uid != 0) {
		if (fchown(l->host_fd, plan->uid, plan->gid) < 0)
			return tj_err_set(err, TJ_ERR_LAYER, errno, "cannot give '%s' to uid %u", path,
					  (unsigned)plan->uid);
		st.st_uid = plan->uid;
	}
	if (st.st_uid != me && !(me == 0 && st.st_uid == plan->uid)) {
		tj_err_set(err, TJ_ERR_LAYER, EPERM,
			   "--rw-limit: '%s' belongs to uid %u, not to you: what the command writes would land in "
			   "another user's directory",
			   path, (unsigned)st.st_uid);
		return tj_err_hint(err, "use a directory of your own, or remove that one if it should not be there");
	}
	if (st.st_mode & (S_IWGRP | S_IWOTH)) {
		tj_err_set(err, TJ_ERR_LAYER, EPERM,
			   "--rw-limit: '%s' can be written by other users (mode %04o): they could change what is "
			   "copied back",
			   path, (unsigned)(st.st_mode & 07777));
		return tj_err_hint(err, "chmod go-w '%s'", path);
	}
	/* Its real name, for messages and for the mounts made in its place. */
	char proc[64], real[PATH_MAX];
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", l->host_fd);
	ssize_t n = readlink(proc, real, sizeof(real) - 1);
	if (n <= 0 || real[0] != '/')
		return tj_err_set(err, TJ_ERR_LAYER, n < 0 ? errno : ENOENT, "--rw-limit: cannot name '%s'", path);
	real[n] = '\0';
	l->path = tj_xstrdup(real);
	/* Unreadable parts fail the seeding itself, with their name. */
	if (tj_copy_seed_record(l->host_fd, &l->seed) < 0)
		tj_copy_seed_done(&l->seed);
	return 0;
}

/* True when path is a size-limited directory or beneath one (which
 * prepare may create first). */
static bool under_limit(const struct tj_isolation *iso, const char *path)
{
	for (size_t i = 0; i < iso->nrw_limits; i++) {
		size_t n = strlen(iso->rw_limits[i].path);
		if (strncmp(path, iso->rw_limits[i].path, n) == 0 && (path[n] == '\0' || path[n] == '/'))
			return true;
	}
	return false;
}

/* What prepare will find, without creating anything: each path exists,
 * so that `check` refuses what `run` would, with the same message (a
 * size-limited directory, which prepare may create, is checked there). */
static int probe_paths(const struct tj_isolation *iso, struct tj_err **err)
{
	char buf[PATH_MAX];
	const struct {
		const struct tj_strv *v;
		const char *flag;
	} lists[] = {{&iso->ro, "--ro"}, {&iso->rw, "--rw"}, {&iso->noexec, "--noexec"}, {&iso->tmpfs, "--tmpfs"}};
	for (size_t l = 0; l < TJ_ARRAY_SIZE(lists); l++)
		for (size_t i = 0; i < lists[l].v->n; i++)
			if (!under_limit(iso, lists[l].v->v[i]) && !realpath(lists[l].v->v[i], buf))
				return tj_err_set(err, TJ_ERR_LAYER, errno, "%s: cannot find '%s'", lists[l].flag,
						  lists[l].v->v[i]);
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
	if (probe_paths(iso, err) < 0)
		return -1;
	if (iso->hide_sockets && geteuid() == 0 && !has_sys_admin() && !tj_layer_ns_userns_available()) {
		tj_err_set(err, TJ_ERR_LAYER, EPERM,
			   "hiding the host's UNIX sockets from a view or an isolated network needs a mount "
			   "namespace, and this root has no CAP_SYS_ADMIN to make one (nor CAP_SETUID and "
			   "CAP_SETFCAP for a user namespace)");
		tj_err_hint(err, "--allow-degraded unix-sockets runs without hiding them (see notes/security.md)");
		return tj_err_degradable(err, "unix-sockets");
	}
	struct tj_buf b = {0};
	tj_buf_add(&b, "private propagation");
	if (tj_isolation_namespaces(iso, tj_sys_privileged()) & TJ_NS_PID)
		tj_buf_add(&b, ", a new /proc");
	for (size_t i = 0; view_binds(iso) && i < iso->ro.n; i++)
		tj_buf_addf(&b, ", read-only %s", iso->ro.v[i]);
	for (size_t i = 0; view_binds(iso) && i < iso->rw.n; i++)
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
	if (iso->workdir)
		tj_buf_addf(&b, ", working directory %s (--workdir)", iso->workdir);
	if (iso->protect_cgroups)
		tj_buf_add(&b, ", the cgroup file systems read-only (the command cannot leave its cgroup)");
	if (iso->hide_sockets)
		tj_buf_add(&b, ", the host's UNIX sockets outside --rw paths covered");
	tj_manifest_add(m, LAYER, TJ_LAYER_APPLIED, "%s", b.s);
	tj_buf_done(&b);
	return 0;
}

static int depth_of(const char *path)
{
	int d = 0;
	for (const char *p = path; *p; p++)
		d += *p == '/' && p[1] && p[1] != '/';
	return d;
}

static int op_order(const void *a, const void *b)
{
	const struct op *x = a, *y = b;
	if (x->depth != y->depth)
		return x->depth - y->depth;
	return (int)x->kind - (int)y->kind; /* at one path: ro, rw, limit, tmpfs, as before */
}

/* The view's mounts, parents before children (the child makes them in
 * this order, without allocating). */
static void plan_ops(struct state *s)
{
	size_t n = s->ro.n + s->rw.n + s->nlim + s->tmpfs.n;
	s->ops = tj_xcalloc(n ? n : 1, sizeof(*s->ops));
	for (size_t i = 0; i < s->ro.n; i++)
		s->ops[s->nops++] = (struct op){.kind = OP_RO, .path = s->ro.v[i]};
	for (size_t i = 0; i < s->rw.n; i++)
		s->ops[s->nops++] = (struct op){.kind = OP_RW, .path = s->rw.v[i]};
	for (size_t i = 0; i < s->nlim; i++)
		s->ops[s->nops++] = (struct op){.kind = OP_LIMIT, .path = s->lim[i].path, .limit = i};
	for (size_t i = 0; i < s->tmpfs.n; i++)
		s->ops[s->nops++] = (struct op){.kind = OP_TMPFS, .path = s->tmpfs.v[i]};
	for (size_t i = 0; i < s->nops; i++) {
		s->ops[i].depth = depth_of(s->ops[i].path);
		s->ops[i].tree = -1;
	}
	/* qsort is not stable: the kind and then the path break ties. */
	qsort(s->ops, s->nops, sizeof(*s->ops), op_order);
}

/* True when path is dir or beneath it. */
static bool beneath(const char *path, const char *dir)
{
	size_t n = strlen(dir);
	if (strcmp(dir, "/") == 0)
		return true;
	return strncmp(path, dir, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

/* The host's UNIX sockets with a name in the file system (/proc/net/unix:
 * "Num RefCount Protocol Flags Type St Inode Path"), resolved, that are
 * still sockets and not beneath a --rw path (which grants them). */
static int find_sockets(struct state *s, struct tj_err **err)
{
	tj_autofclose FILE *f = fopen("/proc/net/unix", "re");
	if (!f)
		return tj_err_set(err, TJ_ERR_LAYER, errno, "cannot list the host's UNIX sockets (/proc/net/unix)");
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	while ((n = getline(&line, &cap, f)) > 0) {
		if (line[n - 1] == '\n')
			line[n - 1] = '\0';
		/* The path follows the seventh field; abstract names start
		 * with '@', unnamed sockets have none. */
		char *p = line;
		for (int field = 0; field < 7 && p; field++) {
			p = strchr(p, ' ');
			if (p)
				while (*p == ' ')
					p++;
		}
		if (!p || p[0] != '/')
			continue;
		char real[PATH_MAX];
		struct stat st;
		if (!realpath(p, real) || lstat(real, &st) < 0 || !S_ISSOCK(st.st_mode))
			continue; /* gone, renamed, or not reachable by this user */
		bool granted = false;
		for (size_t i = 0; i < s->rw.n && !granted; i++)
			granted = beneath(real, s->rw.v[i]);
		if (!granted && !tj_strv_contains(&s->sockets, real))
			tj_strv_add(&s->sockets, real);
	}
	free(line);
	return 0;
}

static int mount_prepare(const struct tj_plan *plan, void **ret_state, struct tj_err **err)
{
	const struct tj_isolation *iso = plan->iso;
	struct state *s = tj_xcalloc(1, sizeof(*s));
	s->sock[0] = s->sock[1] = -1;
	*ret_state = s;
	s->proc = tj_isolation_namespaces(iso, tj_sys_privileged()) & TJ_NS_PID;
	s->binds = view_binds(iso);
	const struct tj_rlimit *fs = &plan->limits->rlimits[RLIMIT_FSIZE];
	s->fsize = fs->set && fs->soft != TJ_LIMIT_UNLIMITED ? fs->soft : 0;
	/* Size-limited directories first: they may be created, and other
	 * options may name them. */
	if (iso->nrw_limits) {
		s->lim = tj_xcalloc(iso->nrw_limits, sizeof(*s->lim));
		for (size_t i = 0; i < iso->nrw_limits; i++) {
			struct limited *l = &s->lim[s->nlim++];
			*l = (struct limited){NULL, iso->rw_limits[i].bytes, -1};
			if (open_limited(iso->rw_limits[i].path, plan, l, err) < 0)
				return -1;
		}
		if (socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, s->sock) < 0)
			return tj_err_set(err, TJ_ERR_INTERNAL, errno, "socketpair");
	}
	for (size_t i = 0; i < iso->ro.n; i++)
		if (resolve(iso->ro.v[i], &s->ro, err) < 0)
			return tj_err_wrap(err, "--ro");
	for (size_t i = 0; i < iso->rw.n; i++)
		if (resolve(iso->rw.v[i], &s->rw, err) < 0)
			return tj_err_wrap(err, "--rw");
	for (size_t i = 0; i < iso->noexec.n; i++)
		if (resolve(iso->noexec.v[i], &s->noexec, err) < 0)
			return tj_err_wrap(err, "--noexec");
	for (size_t i = 0; i < iso->tmpfs.n; i++)
		if (resolve(iso->tmpfs.v[i], &s->tmpfs, err) < 0)
			return tj_err_wrap(err, "--tmpfs");
	/* Mounts stacked on / are not seen by a process whose root is /
	 * beneath them (mount_setattr on / changes that mount itself). */
	s->over_root = (s->binds && tj_strv_contains(&s->rw, "/")) || tj_strv_contains(&s->noexec, "/") ||
		       tj_strv_contains(&s->tmpfs, "/");
	for (size_t i = 0; i < s->nlim; i++)
		s->over_root |= strcmp(s->lim[i].path, "/") == 0;
	/* --workdir (a download directory made above) replaces the caller's. */
	s->cwd = iso->workdir ? realpath(iso->workdir, NULL) : getcwd(NULL, 0);
	if (iso->workdir && !s->cwd)
		return tj_err_set(err, TJ_ERR_LAYER, errno, "--workdir: cannot find '%s'", iso->workdir);
	if (!s->cwd || s->cwd[0] != '/') {
		tj_err_set(err, TJ_ERR_LAYER, s->cwd ? ENOENT : errno,
			   "cannot find the working directory to enter it in the command's view");
		return tj_err_hint(err, "run tinyjail from a directory that exists");
	}
	/* The child's mount namespace starts as a copy of this one. */
	if (iso->protect_cgroups && tj_cg_mount_points("/proc/self", &s->cgroups, err) < 0)
		return -1;
	if (iso->hide_sockets && find_sockets(s, err) < 0)
		return -1;
	plan_ops(s);
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

/* A clone of the tree at path (with its submounts), its flags changed, as
 * a detached mount fd; -1 with errno. */
static int clone_tree(const char *path, uint64_t set, uint64_t clr)
{
	int fd = tj_sys_open_tree(AT_FDCWD, path, TJ_OPEN_TREE_CLONE | O_CLOEXEC | AT_RECURSIVE);
	if (fd < 0)
		return -1;
	if (tj_sys_mount_setattr(fd, "", AT_EMPTY_PATH | AT_RECURSIVE, set, clr) < 0) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

/* The directories of path that a tmpfs above it hides, made again (the
 * tmpfs is the command's; mode 0755).  No allocation: the child calls it. */
static int make_mount_point(const char *path)
{
	struct stat st;
	if (stat(path, &st) == 0)
		return 0;
	char buf[PATH_MAX];
	size_t n = strlen(path);
	if (n >= sizeof(buf)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(buf, path, n + 1);
	for (size_t i = 1; i <= n; i++) {
		if (buf[i] != '/' && buf[i] != '\0')
			continue;
		char c = buf[i];
		buf[i] = '\0';
		if (mkdir(buf, 0755) < 0 && errno != EEXIST)
			return -1;
		buf[i] = c;
	}
	return 0;
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

/* A detached tmpfs of `size` bytes with the directory's mode and owner,
 * as a mount fd; -errno on failure. */
static int new_tmpfs(uint64_t size, const struct stat *st)
{
	char mode[16], uid[16], gid[16], bytes[32];
	snprintf(mode, sizeof(mode), "0%o", (unsigned)(st->st_mode & 07777));
	snprintf(uid, sizeof(uid), "%u", (unsigned)st->st_uid);
	snprintf(gid, sizeof(gid), "%u", (unsigned)st->st_gid);
	snprintf(bytes, sizeof(bytes), "%llu", (unsigned long long)size);
	int fs = tj_sys_fsopen("tmpfs");
	if (fs < 0)
		return fs;
	int r = tj_sys_fsconfig_string(fs, "mode", mode);
	if (r == 0)
		r = tj_sys_fsconfig_string(fs, "uid", uid);
	if (r == 0)
		r = tj_sys_fsconfig_string(fs, "gid", gid);
	if (r == 0)
		r = tj_sys_fsconfig_string(fs, "size", bytes);
	if (r == 0)
		r = tj_sys_fsconfig_create(fs);
	if (r == 0)
		r = tj_sys_fsmount(fs, TJ_MOUNT_ATTR_NOSUID | TJ_MOUNT_ATTR_NODEV);
	close(fs);
	return r;
}

/* A size-limited directory: a tmpfs over it, seeded with what it held. */
static int limit_dir(struct state *s, const struct limited *l, struct tj_child_error *cerr)
{
	struct stat st, here;
	if (fstat(l->host_fd, &st) < 0)
		return tj_child_fail_path(cerr, TJ_ERR_LAYER, errno, LAYER, "cannot stat the size-limited directory",
					  l->path);
	/* host_fd belongs to the parent's mount namespace, so nothing can be
	 * mounted on it; the directory is found again by name in ours, and
	 * must be the very one the parent checked (the same inode), whatever
	 * was done to its path in between. */
	int target = open(l->path, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (target < 0 || fstat(target, &here) < 0 || here.st_dev != st.st_dev || here.st_ino != st.st_ino) {
		int e = target < 0 ? errno : EXDEV;
		if (target >= 0)
			close(target);
		return tj_child_fail_path(cerr, TJ_ERR_LAYER, e, LAYER,
					  "the size-limited directory changed since it was checked:", l->path);
	}
	int mnt = new_tmpfs(l->bytes, &st);
	int r = mnt < 0 ? mnt
			: tj_sys_move_mount(mnt, "", target, "",
					    TJ_MOVE_MOUNT_F_EMPTY_PATH | TJ_MOVE_MOUNT_T_EMPTY_PATH);
	close(target);
	if (r < 0) {
		if (mnt >= 0)
			close(mnt);
		return tj_child_fail_path(cerr, TJ_ERR_LAYER, -r, LAYER, "cannot mount the size-limited tmpfs on",
					  l->path);
	}
	int tmp = openat(mnt, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	close(mnt);
	if (tmp < 0)
		return tj_child_fail_path(cerr, TJ_ERR_LAYER, errno, LAYER, "cannot open the size-limited tmpfs on",
					  l->path);
	/* Seeded from the host directory the parent opened (and still holds
	 * the fd on, below the new mount). */
	struct tj_copy_stats stats;
	struct tj_copy_opts opts = {.keep_owner = true, .max_file_size = l->bytes};
	char why[200];
	r = tj_copytree(l->host_fd, tmp, &opts, &stats, why, sizeof(why));
	if (r == 0 && stats.too_big)
		r = -ENOSPC; /* a sparse file larger than the limit: more than it holds */
	if (r == 0 && tj_sys_send_fd(s->sock[1], tmp) < 0)
		r = -errno;
	close(tmp);
	if (r == -ENOSPC)
		return tj_child_fail_path(cerr, TJ_ERR_LAYER, ENOSPC, LAYER,
					  "this size-limited directory already holds more than its limit (the files"
					  " kept from earlier runs count: move some out, raise the limit or name"
					  " another directory):",
					  l->path);
	if (r < 0)
		return tj_child_fail_path(cerr, TJ_ERR_LAYER, -r, LAYER, "cannot copy into the size-limited directory",
					  l->path);
	return 0;
}

/* Test builds (the socket-gone hook): the socket's owner removes it
 * between the open and the cover, or renames another over it (NAME.next),
 * once, and only the test's own socket, by name. */
static void socket_gone_hook(const char *path)
{
	static bool fired; /* once: the name is looked at again after it */
	if (fired || !tj_testhook("socket-gone") || !strstr(path, "/tj-hook-gone"))
		return;
	fired = true;
	char next[PATH_MAX];
	if (snprintf(next, sizeof(next), "%s.next", path) < (int)sizeof(next) && rename(next, path) == 0)
		return;
	(void)unlink(path);
}

/* The cover: /dev/null, bound read-only without devices (so it cannot even
 * be opened), ready to be moved onto a socket. */
static int socket_cover_tree(void)
{
	int tree = tj_sys_open_tree(AT_FDCWD, "/dev/null", TJ_OPEN_TREE_CLONE | O_CLOEXEC);
	if (tree >= 0 && tj_sys_mount_setattr(tree, "", AT_EMPTY_PATH,
					      TJ_MOUNT_ATTR_RDONLY | TJ_MOUNT_ATTR_NOSUID | TJ_MOUNT_ATTR_NODEV |
						      TJ_MOUNT_ATTR_NOEXEC,
					      0) < 0) {
		int e = errno;
		close(tree);
		errno = e;
		return -1;
	}
	return tree;
}

/* Covers a host socket: connect(2) then answers ECONNREFUSED.  The inode
 * checked is the one covered.  A socket this process cannot reach is left
 * alone.  Returns 1 when its name was removed between the open and the
 * cover (the kernel mounts nothing on a removed name: ENOENT), so that the
 * name is looked at again: sockets come and go on a busy host. */
static int cover_socket_once(const char *path, struct tj_child_error *cerr)
{
	/* Made first: the time between the open and the cover is short. */
	int tree = socket_cover_tree();
	if (tree < 0)
		return tj_child_fail_path(cerr, TJ_ERR_LAYER, errno, LAYER,
					  "cannot make the cover for the host's UNIX socket", path);
	int fd = open(path, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 && (errno == ENOENT || errno == EACCES || errno == ENOTDIR || errno == ELOOP)) {
		close(tree);
		return 0;
	}
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0) {
		int e = errno;
		if (fd >= 0)
			close(fd);
		close(tree);
		return tj_child_fail_path(cerr, TJ_ERR_LAYER, e, LAYER, "cannot open the host's UNIX socket", path);
	}
	socket_gone_hook(path);
	int r = 0;
	if (S_ISSOCK(st.st_mode))
		r = tj_sys_move_mount(tree, "", fd, "", TJ_MOVE_MOUNT_F_EMPTY_PATH | TJ_MOVE_MOUNT_T_EMPTY_PATH);
	int e = errno;
	close(tree);
	close(fd);
	if (r < 0 && e == ENOENT)
		return 1;
	if (r < 0)
		return tj_child_fail_path(cerr, TJ_ERR_LAYER, e, LAYER, "cannot cover the host's UNIX socket", path);
	return 0;
}

static int cover_socket(const char *path, struct tj_child_error *cerr)
{
	/* A name replaced over and over while the view is made is left as
	 * one replaced after it (security.md, "what the covers leave
	 * open"): failing the run would let any local user stop everyone's
	 * sandboxes. */
	for (int tries = 0; tries < 8; tries++) {
		int r = cover_socket_once(path, cerr);
		if (r <= 0)
			return r;
	}
	return 0;
}

static int mount_enter(const struct tj_plan *plan, void *state, struct tj_child_error *cerr)
{
	struct state *s = state;
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return tj_child_fail(cerr, TJ_ERR_LAYER, errno, LAYER, "cannot make mount propagation private");
	/* First, so that the binds below carry the covers along. */
	for (size_t i = 0; i < s->sockets.n; i++)
		if (cover_socket(s->sockets.v[i], cerr) < 0)
			return -1;
	if (s->proc && mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
		return tj_child_fail(cerr, TJ_ERR_LAYER, errno, LAYER, "cannot mount /proc for the pid namespace");
	/* --ro / changes the root mount itself, before anything is cloned
	 * from it (a --rw clone then clears the flag again). */
	if (s->binds && tj_strv_contains(&s->ro, "/") &&
	    tj_sys_mount_setattr(AT_FDCWD, "/", AT_RECURSIVE, TJ_MOUNT_ATTR_RDONLY, 0) < 0)
		return tj_child_fail_path(cerr, TJ_ERR_LAYER, errno, LAYER, "--ro: cannot make read-only", "/");
	/* Every bound tree is cloned from the view as it is now, so that a
	 * tmpfs mounted above it next cannot hide it. */
	for (size_t i = 0; i < s->nops; i++) {
		struct op *o = &s->ops[i];
		if ((o->kind != OP_RO && o->kind != OP_RW) || !s->binds ||
		    (o->kind == OP_RO && strcmp(o->path, "/") == 0))
			continue;
		o->tree = clone_tree(o->path, o->kind == OP_RO ? TJ_MOUNT_ATTR_RDONLY : 0,
				     o->kind == OP_RW ? TJ_MOUNT_ATTR_RDONLY : 0);
		if (o->tree < 0)
			return tj_child_fail_path(cerr, TJ_ERR_LAYER, errno, LAYER,
						  o->kind == OP_RO
							  ? "--ro: cannot make read-only"
							  : "--rw: cannot make writable (read-only on the host?)",
						  o->path);
	}
	for (size_t i = 0; i < s->nops; i++) {
		struct op *o = &s->ops[i];
		if (o->kind == OP_LIMIT) {
			if (limit_dir(s, &s->lim[o->limit], cerr) < 0)
				return -1;
		} else if (o->kind == OP_TMPFS) {
			struct stat st;
			/* A scratch area belongs to the command. */
			if (stat(o->path, &st) < 0 || mount_tmpfs(o->path, 0, &st, plan->uid, plan->gid) < 0)
				return tj_child_fail_path(cerr, TJ_ERR_LAYER, errno, LAYER, "--tmpfs: cannot mount on",
							  o->path);
		} else if (o->tree >= 0) {
			/* Beneath a tmpfs made above, the mount point is made. */
			if (make_mount_point(o->path) < 0 ||
			    tj_sys_move_mount(o->tree, "", AT_FDCWD, o->path, TJ_MOVE_MOUNT_F_EMPTY_PATH) < 0)
				return tj_child_fail_path(cerr, TJ_ERR_LAYER, errno, LAYER,
							  o->kind == OP_RO ? "--ro: cannot mount on"
									   : "--rw: cannot mount on",
							  o->path);
			close(o->tree);
			o->tree = -1;
		}
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
	/* "/.." from the root crosses into the mounts stacked on it; that top
	 * becomes the root, so absolute paths see them too. */
	if (s->over_root && (chdir("/..") < 0 || chroot(".") < 0))
		return tj_child_fail(cerr, TJ_ERR_LAYER, errno, LAYER, "cannot enter the mount made on /");
	/* The working directory, by path, in the new view; as bwrap, a run
	 * whose directory is not there (under a --tmpfs) stops rather than
	 * starting elsewhere. */
	if (chdir(s->cwd) < 0)
		return tj_child_fail_path(cerr, TJ_ERR_LAYER, errno, LAYER,
					  "the working directory is not there in the command's view:", s->cwd);
	return 0;
}

/* What the command wrote into size-limited directories goes back into
 * them; report gets a line per directory. */
static int copy_back(void *state, struct tj_buf *report, struct tj_err **err)
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
			break; /* the command never got that far: nothing was written */
		struct tj_copy_stats st;
		/* No file larger than the limit: only holes make one (sparse
		 * files are copied with their holes; these are refused). */
		struct tj_copy_opts opts = {.keep_owner = geteuid() == 0,
					    .max_file_size = s->lim[i].bytes,
					    .skip_unchanged = true,
					    .seeded = &s->lim[i].seed,
					    .partial_size = s->fsize};
		char why[256];
		int r = tj_copytree(tmp, s->lim[i].host_fd, &opts, &st, why, sizeof(why));
		if (r < 0)
			return tj_err_set(err, TJ_ERR_LAYER, -r,
					  "copying the command's files back into '%s' failed: %s", s->lim[i].path, why);
		if (st.too_big && !*err) {
			char size[32];
			tj_format_bytes(s->lim[i].bytes, size, sizeof(size));
			tj_err_set(err, TJ_ERR_LAYER, EFBIG,
				   "%llu sparse file%s larger than the limit of '%s' (%s) not copied back, "
				   "such as '%s'",
				   (unsigned long long)st.too_big, st.too_big == 1 ? "" : "s", s->lim[i].path, size,
				   st.first_too_big);
		}
		/* Only what the command made or changed: the files the directory
		 * was seeded with and left alone are not news. */
		tj_buf_addf(report, "%s%s: %llu new or changed file%s, %llu bytes copied back", report->len ? "; " : "",
			    s->lim[i].path, (unsigned long long)st.files, st.files == 1 ? "" : "s",
			    (unsigned long long)st.bytes);
		if (st.unchanged)
			tj_buf_addf(report, " (%llu unchanged)", (unsigned long long)st.unchanged);
		if (st.skipped)
			tj_buf_addf(report, " (%llu devices, fifos or sockets not copied)",
				    (unsigned long long)st.skipped);
		if (st.partial) {
			char size[32];
			tj_format_bytes(s->fsize, size, sizeof(size));
			tj_buf_addf(report,
				    "; %llu file%s reached the file size limit of %s (RLIMIT_FSIZE; --rlimit fsize=SIZE "
				    "raises it) and %s cut short: saved as '%s.partial'%s",
				    (unsigned long long)st.partial, st.partial == 1 ? "" : "s", size,
				    st.partial == 1 ? "is" : "are", st.first_partial,
				    st.partial == 1 ? "" : " and so on");
		}
	}
	return *err ? -1 : 0;
}

/* Once the command has ended, on every path: files are never lost
 * silently (a failure to copy is the run's error, cmd_run.c). */
static void mount_collect(void *state, struct tj_layer_results *out)
{
	struct tj_buf report = {0};
	struct tj_err *err = NULL;
	if (copy_back(state, &report, &err) < 0) {
		out->copy_back_error = tj_err_format(err);
		tj_err_free(err);
	}
	out->copy_back = report.len ? tj_buf_steal(&report) : NULL;
	tj_buf_done(&report);
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
	free(s->ops);
	tj_strv_done(&s->sockets);
	free(s->cwd);
	for (size_t i = 0; i < s->nlim; i++) {
		free(s->lim[i].path);
		tj_closep(&s->lim[i].host_fd);
		tj_copy_seed_done(&s->lim[i].seed);
	}
	free(s->lim);
	tj_closep(&s->sock[0]);
	tj_closep(&s->sock[1]);
	free(s);
}

/* Whether the mount namespace for the covers can be made here: with
 * CAP_SYS_ADMIN, else in a user namespace (which root without it, in a
 * container that took it away, can make only with CAP_SETUID and
 * CAP_SETFCAP). */
static bool can_cover(const struct tj_isolation *iso, bool root)
{
	if (has_sys_admin())
		return true;
	if (root)
		return tj_layer_ns_userns_available();
	return (tj_isolation_namespaces(iso, false) & TJ_NS_USER) || tj_layer_ns_userns_available();
}

/* A view (--ro, --rw, --exec) or an isolated network (the proxy's compose
 * hook, above in the table, adds it) asks for the host's UNIX sockets to be
 * hidden: covered in the command's mount namespace (iso->hide_sockets).
 * Without root that needs a user namespace; where there is none and the
 * user allowed degrading unix-sockets, they are not. */
static void mount_compose(const struct tj_plan *plan, struct tj_isolation *iso)
{
	(void)plan;
	bool root = geteuid() == 0;
	bool view = tj_isolation_wants_landlock_view(iso);
	/* Without Landlock there is no view to keep sockets out of: the run
	 * is refused for that (or runs without it, if allowed). */
	if (view && tj_sys_landlock_abi() < 1)
		view = false;
	if (!view && !(iso->unshare & TJ_NS_NET))
		return;
	if ((iso->degrade & TJ_DEGRADE_UNIX_SOCKETS) && !can_cover(iso, root))
		return; /* allowed: the view and namespaces asked for, without the covers */
	iso->hide_sockets = true;
}

const struct tj_layer tj_layer_mount = {
	.name = LAYER,
	.wanted = mount_wanted,
	.compose = mount_compose,
	.probe = mount_probe,
	.prepare = mount_prepare,
	.enter = mount_enter,
	.collect = mount_collect,
	.release = mount_release,
};
