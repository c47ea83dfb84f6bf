/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Cgroup discovery and the file helpers both versions share.  Discovery
 * reads mountinfo and /proc/self/cgroup (from a configurable directory, so
 * the unit tests can hand it a fake tree) and decides, per controller,
 * which hierarchy tinyjail uses.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tj/base/cleanup.h"
#include "tj/layers/cgroup.h"

static const char *const controller_names[_TJ_CG_MAX] = {
	[TJ_CG_MEMORY] = "memory",
	[TJ_CG_CPU] = "cpu",
	[TJ_CG_PIDS] = "pids",
	[TJ_CG_FREEZER] = "freezer",
};

const char *tj_cg_controller_name(enum tj_cg_controller c)
{
	return (unsigned)c < _TJ_CG_MAX ? controller_names[c] : "?";
}

static int controller_from_name(const char *name, size_t len)
{
	for (int i = 0; i < _TJ_CG_MAX; i++)
		if (strlen(controller_names[i]) == len && strncmp(controller_names[i], name, len) == 0)
			return i;
	return -1;
}

/* Bits for the controllers named in a comma or space separated list. */
static unsigned controllers_in(const char *list)
{
	unsigned bits = 0;
	for (const char *p = list; *p;) {
		size_t n = strcspn(p, ", \n");
		int c = controller_from_name(p, n);
		if (c >= 0)
			bits |= 1u << c;
		p += n;
		p += strspn(p, ", \n");
	}
	return bits;
}

/* mountinfo escapes spaces and such as \040. */
static char *unescape(const char *s)
{
	char *out = tj_xmalloc(strlen(s) + 1), *o = out;
	while (*s) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' && s[3] >= '0' &&
		    s[3] <= '7') {
			*o++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
			s += 4;
		} else {
			*o++ = *s++;
		}
	}
	*o = '\0';
	return out;
}

/* One line of mountinfo, split in place: "id parent maj:min root
 * mountpoint opts [optional...] - fstype source superopts".  The version is
 * 1 or 2 for cgroup file systems, else 0; false for a line it cannot read. */
struct mount_line {
	char *root, *mount, *fstype, *superopts;
	int version;
};

static bool split_mount_line(char *line, struct mount_line *m)
{
	char *fields[6] = {0}, *save = NULL;
	char *tok = strtok_r(line, " \n", &save);
	for (int i = 0; tok && i < 6; i++, tok = strtok_r(NULL, " \n", &save))
		fields[i] = tok;
	while (tok && strcmp(tok, "-") != 0)
		tok = strtok_r(NULL, " \n", &save);
	char *fstype = tok ? strtok_r(NULL, " \n", &save) : NULL;
	char *source = fstype ? strtok_r(NULL, " \n", &save) : NULL;
	char *superopts = source ? strtok_r(NULL, " \n", &save) : NULL;
	if (!fields[4] || !fstype || !superopts)
		return false;
	*m = (struct mount_line){fields[3], fields[4], fstype, superopts,
				 strcmp(fstype, "cgroup2") == 0	 ? 2
				 : strcmp(fstype, "cgroup") == 0 ? 1
								 : 0};
	return true;
}

int tj_cg_mount_points(const char *proc_self, struct tj_strv *out, struct tj_err **err)
{
	tj_autofree char *mountinfo = tj_xasprintf("%s/mountinfo", proc_self);
	FILE *f = fopen(mountinfo, "re");
	if (!f)
		return tj_err_set(err, TJ_ERR_LAYER, errno, "cannot read %s", mountinfo);
	char line[4096];
	struct mount_line m;
	while (fgets(line, sizeof(line), f))
		if (split_mount_line(line, &m) && m.version) {
			char *mount = unescape(m.mount);
			if (!tj_strv_contains(out, mount))
				tj_strv_add(out, mount);
			free(mount);
		}
	fclose(f);
	return 0;
}

/* The whole of /proc/self/cgroup, read once per discovery: every cgroup
 * mount looks its own path up in it (a dozen on a hybrid host). */
static char *read_cgroup_file(const char *cgroup_file)
{
	FILE *f = fopen(cgroup_file, "re");
	if (!f)
		return NULL;
	struct tj_buf b = {0};
	char chunk[4096];
	size_t n;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		tj_buf_addn(&b, chunk, n);
	fclose(f);
	return tj_buf_steal(&b);
}

/* This process's path in the hierarchy with these controllers (v1) or in
 * the unified hierarchy (v2), from the contents of /proc/self/cgroup. */
static char *own_path(const char *cgroups, int version, unsigned controllers)
{
	if (!cgroups)
		return NULL;
	char *found = NULL;
	for (const char *p = cgroups; !found && *p;) {
		size_t len = strcspn(p, "\n");
		tj_autofree char *line = tj_xstrndup(p, len);
		p += len;
		if (*p == '\n')
			p++;
		char *c1 = strchr(line, ':');
		char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
		if (!c2)
			continue;
		*c2 = '\0';
		const char *list = c1 + 1, *path = c2 + 1;
		if (version == 2 && strncmp(line, "0:", 2) == 0 && *list == '\0')
			found = tj_xstrdup(path);
		else if (version == 1 && *list && (controllers_in(list) & controllers))
			found = tj_xstrdup(path);
	}
	return found;
}

static void add_hierarchy(struct tj_cg_system *sys, int version, const char *mount, const char *root, const char *own,
			  unsigned controllers)
{
	/* A bind mount of a subtree (containers) shows `root` != "/": the
	 * own path is then relative to it; unreachable paths are skipped. */
	const char *rel = own;
	if (strcmp(root, "/") != 0) {
		size_t n = strlen(root);
		if (strncmp(own, root, n) != 0 || (own[n] != '/' && own[n] != '\0'))
			return;
		rel = own + n;
	}
	sys->h = tj_xrealloc(sys->h, (sys->n + 1) * sizeof(*sys->h));
	struct tj_cg_hierarchy *h = &sys->h[sys->n++];
	h->version = version;
	h->mount = tj_xstrdup(mount);
	h->own = tj_xstrdup(*rel ? rel : "/");
	h->controllers = controllers;
}

static bool owned_writable(const char *dir, uid_t euid)
{
	struct stat st;
	return stat(dir, &st) == 0 && S_ISDIR(st.st_mode) && (euid == 0 || st.st_uid == euid) && access(dir, W_OK) == 0;
}

static char *join(const char *a, const char *b)
{
	if (strcmp(b, "/") == 0)
		return tj_xstrdup(a);
	return tj_xasprintf("%s%s%s", a, b[0] == '/' ? "" : "/", b);
}

char *tj_cg_own_dir(const struct tj_cg_hierarchy *h)
{
	return join(h->mount, h->own);
}

/* The controllers listed in one of dir's files ("cpu memory pids"). */
static unsigned read_controllers(const char *dir, const char *name)
{
	tj_autofree char *file = tj_xasprintf("%s/%s", dir, name);
	FILE *f = fopen(file, "re");
	if (!f)
		return 0;
	char line[1024];
	unsigned c = fgets(line, sizeof(line), f) ? controllers_in(line) : 0;
	fclose(f);
	return c;
}

/* Where v2 cgroups can be made: see include/tj/layers/cgroup.h. */
static void choose_v2_base(struct tj_cg_system *sys, uid_t euid)
{
	const struct tj_cg_hierarchy *h = &sys->h[sys->v2];
	const char *env = getenv("TINYJAIL_CGROUP_PARENT");
	if (env && *env) {
		if (owned_writable(env, euid))
			sys->v2_base = tj_xstrdup(env);
		else
			sys->v2_base_why =
				tj_xasprintf("TINYJAIL_CGROUP_PARENT '%s' is not a cgroup directory uid %u may "
					     "write",
					     env, (unsigned)euid);
		return;
	}
	if (euid == 0) {
		if (access(h->mount, W_OK) == 0)
			sys->v2_base = tj_xstrdup(h->mount);
		else
			sys->v2_base_why = tj_xasprintf("cgroup v2 at %s is read-only", h->mount);
		return;
	}
	/* Another user: the nearest ancestor of our own cgroup that systemd
	 * (or an administrator) delegated to us.  Our own cgroup is not used:
	 * it holds tinyjail itself, and v2 allows no processes in a cgroup
	 * whose children get controllers. */
	char *dir = join(h->mount, h->own);
	while (strlen(dir) > strlen(h->mount)) {
		char *slash = strrchr(dir, '/');
		if (!slash || slash == dir)
			break;
		*slash = '\0';
		if (strlen(dir) < strlen(h->mount))
			break;
		if (owned_writable(dir, euid)) {
			sys->v2_base = dir;
			return;
		}
	}
	free(dir);
	sys->v2_base_why = tj_xasprintf("no cgroup v2 subtree is delegated to uid %u", (unsigned)euid);
}

int tj_cg_discover(const char *proc_self, uid_t euid, struct tj_cg_system *sys, struct tj_err **err)
{
	memset(sys, 0, sizeof(*sys));
	sys->v2 = -1;
	for (int c = 0; c < _TJ_CG_MAX; c++)
		sys->chosen[c] = -1;

	tj_autofree char *mountinfo = tj_xasprintf("%s/mountinfo", proc_self);
	tj_autofree char *cgroup_file = tj_xasprintf("%s/cgroup", proc_self);
	FILE *f = fopen(mountinfo, "re");
	if (!f)
		return tj_err_set(err, TJ_ERR_LAYER, errno, "cannot read %s", mountinfo);
	tj_autofree char *cgroups = read_cgroup_file(cgroup_file);
	char line[4096];
	struct mount_line m;
	while (fgets(line, sizeof(line), f)) {
		if (!split_mount_line(line, &m) || !m.version)
			continue;
		int version = m.version;
		unsigned controllers = version == 1 ? controllers_in(m.superopts) : 0;
		if (version == 1 && !controllers)
			continue; /* name=systemd and other named hierarchies */
		if (version == 2 && sys->v2 >= 0)
			continue;
		char *own = own_path(cgroups, version, controllers);
		if (!own)
			continue;
		char *root = unescape(m.root), *mount = unescape(m.mount);
		size_t before = sys->n;
		add_hierarchy(sys, version, mount, root, own, controllers);
		if (version == 2 && sys->n > before)
			sys->v2 = (int)before;
		free(root);
		free(mount);
		free(own);
	}
	fclose(f);

	if (sys->v2 >= 0) {
		choose_v2_base(sys, euid);
		if (sys->v2_base) {
			sys->v2_controllers = read_controllers(sys->v2_base, "cgroup.subtree_control");
			sys->v2_withheld = read_controllers(sys->v2_base, "cgroup.controllers") & ~sys->v2_controllers;
		}
	}
	for (int c = 0; c < _TJ_CG_MAX; c++) {
		if (c != TJ_CG_FREEZER && sys->v2_base && (sys->v2_controllers & (1u << c))) {
			sys->chosen[c] = sys->v2;
			continue;
		}
		for (size_t i = 0; i < sys->n && sys->chosen[c] < 0; i++) {
			const struct tj_cg_hierarchy *h = &sys->h[i];
			if (h->version != 1 || !(h->controllers & (1u << c)))
				continue;
			char *dir = join(h->mount, h->own);
			if (owned_writable(dir, euid))
				sys->chosen[c] = (int)i;
			else
				sys->why[c] = tj_xasprintf("cgroup v1 '%s' (%s) is not writable by uid %u: it is not "
							   "delegated to you",
							   controller_names[c], dir, (unsigned)euid);
			free(dir);
		}
		if (sys->chosen[c] < 0 && !sys->why[c]) {
			if (sys->v2 >= 0 && !sys->v2_base)
				sys->why[c] = tj_xstrdup(sys->v2_base_why);
			else if (sys->v2_withheld & (1u << c))
				/* Enabling it would reshape a cgroup tinyjail did not
				 * make: say how, rather than do it. */
				sys->why[c] =
					tj_xasprintf("cgroup v2 at %s has the '%s' controller but does not pass it "
						     "to child cgroups (enable it: echo +%s > %s/cgroup.subtree_control)",
						     sys->v2_base, controller_names[c], controller_names[c],
						     sys->v2_base);
			else
				sys->why[c] =
					tj_xasprintf("neither cgroup v2 nor cgroup v1 offers the '%s' controller here",
						     controller_names[c]);
		}
	}
	return 0;
}

void tj_cg_system_done(struct tj_cg_system *sys)
{
	for (size_t i = 0; i < sys->n; i++) {
		free(sys->h[i].mount);
		free(sys->h[i].own);
	}
	free(sys->h);
	free(sys->v2_base);
	free(sys->v2_base_why);
	for (int c = 0; c < _TJ_CG_MAX; c++)
		free(sys->why[c]);
	memset(sys, 0, sizeof(*sys));
}

/* --- file helpers --- */

int tj_cg_write(int dirfd, const char *name, const char *value, struct tj_err **err)
{
	int fd = openat(dirfd, name, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return tj_err_set(err, TJ_ERR_LAYER, errno, "cannot open cgroup file '%s'", name);
	size_t len = strlen(value);
	ssize_t n = write(fd, value, len);
	int e = errno;
	close(fd);
	if (n != (ssize_t)len)
		return tj_err_set(err, TJ_ERR_LAYER, n < 0 ? e : EIO, "cannot write '%s' to cgroup file '%s'", value,
				  name);
	return 0;
}

static ssize_t read_file(int dirfd, const char *name, char *buf, size_t size)
{
	int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	return n;
}

int tj_cg_read_key(int dirfd, const char *name, const char *key, uint64_t *ret)
{
	char buf[4096];
	if (read_file(dirfd, name, buf, sizeof(buf)) < 0)
		return -1;
	size_t klen = strlen(key);
	for (char *line = buf; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
		if (strncmp(line, key, klen) == 0 && line[klen] == ' ') {
			*ret = strtoull(line + klen + 1, NULL, 10);
			return 0;
		}
	}
	return -1;
}

int tj_cg_read_u64(int dirfd, const char *name, uint64_t *ret)
{
	char buf[64];
	if (read_file(dirfd, name, buf, sizeof(buf)) < 0)
		return -1;
	if (strncmp(buf, "max", 3) == 0) {
		*ret = UINT64_MAX;
		return 0;
	}
	char *end;
	errno = 0;
	unsigned long long v = strtoull(buf, &end, 10);
	if (errno || end == buf)
		return -1;
	*ret = v;
	return 0;
}

size_t tj_cg_read_procs(int dirfd, pid_t *pids, size_t max)
{
	int fd = openat(dirfd, "cgroup.procs", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	FILE *f = fdopen(fd, "r");
	if (!f) {
		close(fd);
		return 0;
	}
	size_t n = 0;
	long v;
	while (n < max && fscanf(f, "%ld", &v) == 1)
		pids[n++] = (pid_t)v;
	fclose(f);
	return n;
}

/* --- names --- */

/* Field 22 of /proc/<pid>/stat: the start time, which tells a live tinyjail
 * from a later process that reused its pid. */
static bool start_time(pid_t pid, unsigned long long *ret)
{
	char path[64], buf[1024];
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	char *p = strrchr(buf, ')');
	if (!p)
		return false;
	/* After ") " come fields 3..: skip to field 22. */
	p += 2;
	for (int field = 3; field < 22 && p; field++) {
		p = strchr(p, ' ');
		if (p)
			p++;
	}
	return p && sscanf(p, "%llu", ret) == 1;
}

void tj_cg_sandbox_name(pid_t pid, char *buf, size_t size)
{
	unsigned long long start = 0;
	start_time(pid, &start);
	snprintf(buf, size, "tj-%d-%llu", (int)pid, start);
}

bool tj_cg_name_is_stale(const char *name)
{
	int pid;
	unsigned long long start, now;
	char tail;
	if (sscanf(name, "tj-%d-%llu%c", &pid, &start, &tail) != 2 || pid <= 0)
		return false; /* not ours: leave it alone */
	return !start_time((pid_t)pid, &now) || now != start;
}
