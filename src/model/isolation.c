/* SPDX-License-Identifier: Apache-2.0 */
/* Isolation options: parsing, merging and the decisions derived from them. */
#include <ctype.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "tj/base/caps.h"
#include "tj/base/cleanup.h"
#include "tj/model/isolation.h"

void tj_isolation_done(struct tj_isolation *iso)
{
	free(iso->user);
	free(iso->hostname);
	free(iso->workdir);
	tj_strv_done(&iso->ro);
	tj_strv_done(&iso->rw);
	tj_strv_done(&iso->exec);
	tj_strv_done(&iso->noexec);
	tj_strv_done(&iso->tmpfs);
	for (size_t i = 0; i < iso->nrw_limits; i++)
		free(iso->rw_limits[i].path);
	free(iso->rw_limits);
	free(iso->tcp_bind.v);
	free(iso->tcp_connect.v);
	memset(iso, 0, sizeof(*iso));
}

static void append_strv(struct tj_strv *to, const struct tj_strv *from)
{
	for (size_t i = 0; i < from->n; i++)
		if (!tj_strv_contains(to, from->v[i]))
			tj_strv_add(to, from->v[i]);
}

static void append_ports(uint16_t **to, size_t *n, const uint16_t *from, size_t m)
{
	*to = tj_xrealloc(*to, (*n + m + 1) * sizeof(**to));
	memcpy(*to + *n, from, m * sizeof(*from));
	*n += m;
}

void tj_isolation_merge(struct tj_isolation *base, const struct tj_isolation *over)
{
	if (over->user) {
		free(base->user);
		base->user = tj_xstrdup(over->user);
	}
	if (over->has_keep_caps) {
		base->has_keep_caps = true;
		base->keep_caps = over->keep_caps;
	}
	base->unshare |= over->unshare;
	if (over->hostname) {
		free(base->hostname);
		base->hostname = tj_xstrdup(over->hostname);
	}
	append_strv(&base->ro, &over->ro);
	append_strv(&base->rw, &over->rw);
	append_strv(&base->exec, &over->exec);
	append_strv(&base->noexec, &over->noexec);
	append_strv(&base->tmpfs, &over->tmpfs);
	for (size_t i = 0; i < over->nrw_limits; i++) {
		base->rw_limits = tj_xrealloc(base->rw_limits, (base->nrw_limits + 1) * sizeof(*base->rw_limits));
		base->rw_limits[base->nrw_limits++] = (struct tj_rw_limit){tj_xstrdup(over->rw_limits[i].path),
									   over->rw_limits[i].bytes};
	}
	base->no_exec |= over->no_exec;
	if (over->workdir) {
		free(base->workdir);
		base->workdir = tj_xstrdup(over->workdir);
	}
	if (over->workdir_limit)
		base->workdir_limit = over->workdir_limit;
	base->workdir_noexec |= over->workdir_noexec;
	if (over->has_tcp_bind) {
		base->has_tcp_bind = true;
		append_ports(&base->tcp_bind.v, &base->tcp_bind.n, over->tcp_bind.v, over->tcp_bind.n);
	}
	if (over->has_tcp_connect) {
		base->has_tcp_connect = true;
		append_ports(&base->tcp_connect.v, &base->tcp_connect.n, over->tcp_connect.v, over->tcp_connect.n);
	}
	base->deny_write_execute |= over->deny_write_execute;
	base->no_new_processes |= over->no_new_processes;
	if (over->has_signals) {
		base->has_signals = true;
		base->signals = over->signals;
	}
	base->degrade |= over->degrade;
	base->afl_forkserver |= over->afl_forkserver;
}

static const struct {
	const char *name;
	unsigned bit;
} ns_names[] = {
	{"user", TJ_NS_USER}, {"mount", TJ_NS_MOUNT}, {"pid", TJ_NS_PID},	{"ipc", TJ_NS_IPC},
	{"uts", TJ_NS_UTS},   {"net", TJ_NS_NET},     {"cgroup", TJ_NS_CGROUP}, {"all", TJ_NS_ALL},
};

static int add_ns(void *ctx, char *item, struct tj_err **err)
{
	struct tj_isolation *iso = ctx;
	for (size_t i = 0; i < TJ_ARRAY_SIZE(ns_names); i++) {
		if (strcmp(ns_names[i].name, item) == 0) {
			iso->unshare |= ns_names[i].bit;
			return 0;
		}
	}
	return tj_err_set(err, TJ_ERR_USAGE, 0,
			  "unknown namespace '%s' (user, mount, pid, ipc, uts, net, cgroup or all)", item);
}

int tj_isolation_parse_unshare(struct tj_isolation *iso, const char *list, struct tj_err **err)
{
	return tj_for_each_item(list, add_ns, iso, err);
}

static int add_cap(void *ctx, char *item, struct tj_err **err)
{
	struct tj_isolation *iso = ctx;
	int c = tj_cap_from_name(item);
	if (c < 0)
		return tj_err_set(err, TJ_ERR_USAGE, 0, "unknown capability '%s'", item);
	iso->keep_caps |= (uint64_t)1 << c;
	return 0;
}

int tj_isolation_parse_caps(struct tj_isolation *iso, const char *list, struct tj_err **err)
{
	iso->has_keep_caps = true;
	return tj_for_each_item(list, add_cap, iso, err);
}

static int add_signal(void *ctx, char *item, struct tj_err **err)
{
	struct tj_isolation *iso = ctx;
	const char *name = strncasecmp(item, "SIG", 3) == 0 ? item + 3 : item;
	int sig = -1;
	uint64_t n;
	if (tj_parse_u64(name, &n) && n >= 1 && n <= 64) {
		sig = (int)n;
	} else {
		for (int i = 1; i < 65 && sig < 0; i++) {
			const char *abbrev = sigabbrev_np(i);
			if (abbrev && strcasecmp(abbrev, name) == 0)
				sig = i;
		}
	}
	if (sig < 0)
		return tj_err_set(err, TJ_ERR_USAGE, 0, "unknown signal '%s'", item);
	iso->signals |= (uint64_t)1 << (sig - 1);
	return 0;
}

int tj_isolation_parse_signals(struct tj_isolation *iso, const char *list, struct tj_err **err)
{
	iso->has_signals = true;
	iso->signals = 0;
	return tj_for_each_item(list, add_signal, iso, err);
}

int tj_isolation_parse_ports(const char *list, uint16_t **ret, size_t *ret_n, struct tj_err **err)
{
	struct tj_port_list l = {0};
	/* "none": the right is handled, and no port is granted. */
	if (strcmp(list, "none") == 0) {
		*ret = tj_xcalloc(1, sizeof(uint16_t));
		*ret_n = 0;
		return 0;
	}
	if (tj_ports_add(&l, list, TJ_PORT_MIN_LANDLOCK, "TCP port", err) < 0) {
		free(l.v);
		return -1;
	}
	*ret = l.v;
	*ret_n = l.n;
	return 0;
}

int tj_isolation_parse_rw_limit(struct tj_isolation *iso, const char *arg, struct tj_err **err)
{
	const char *eq = strrchr(arg, '=');
	uint64_t bytes;
	if (!eq || !tj_parse_size(eq + 1, &bytes) || bytes < TJ_RW_LIMIT_MIN)
		return tj_err_set(err, TJ_ERR_USAGE, 0, "'%s': expected PATH=SIZE with a size of at least 4K", arg);
	char *raw = tj_xstrndup(arg, (size_t)(eq - arg));
	char *path = tj_isolation_absolute_path(raw);
	free(raw);
	if (!path || strcmp(path, "/") == 0) {
		free(path);
		return tj_err_set(err, TJ_ERR_USAGE, 0, "'%s': the directory must not be /", arg);
	}
	iso->rw_limits = tj_xrealloc(iso->rw_limits, (iso->nrw_limits + 1) * sizeof(*iso->rw_limits));
	iso->rw_limits[iso->nrw_limits++] = (struct tj_rw_limit){path, bytes};
	return 0;
}

int tj_isolation_apply_workdir(struct tj_isolation *iso, uid_t uid, struct tj_err **err)
{
	if (!iso->workdir)
		return 0;
	struct tj_buf b = {0};
	for (const char *p = iso->workdir; *p;) {
		if (strncmp(p, "${UID}", 6) == 0) {
			tj_buf_addf(&b, "%u", (unsigned)uid);
			p += 6;
		} else {
			tj_buf_addn(&b, p++, 1);
		}
	}
	char *path = tj_isolation_clean_path(b.s ? b.s : "");
	tj_buf_done(&b);
	if (!path)
		return tj_err_set(err, TJ_ERR_USAGE, 0, "the working directory '%s' is not an absolute path",
				  iso->workdir);
	if (strstr(path, "${")) {
		tj_err_set(err, TJ_ERR_USAGE, 0, "the working directory '%s': only ${UID} is replaced", iso->workdir);
		free(path);
		return -1;
	}
	free(iso->workdir);
	iso->workdir = path;
	if (iso->workdir_limit) {
		if (strcmp(path, "/") == 0)
			return tj_err_set(err, TJ_ERR_USAGE, 0, "a size-limited working directory must not be /");
		bool have = false;
		for (size_t i = 0; i < iso->nrw_limits; i++)
			have |= strcmp(iso->rw_limits[i].path, path) == 0;
		if (!have) {
			iso->rw_limits = tj_xrealloc(iso->rw_limits, (iso->nrw_limits + 1) * sizeof(*iso->rw_limits));
			iso->rw_limits[iso->nrw_limits++] = (struct tj_rw_limit){tj_xstrdup(path), iso->workdir_limit};
		}
	}
	if (iso->workdir_noexec && !tj_strv_contains(&iso->noexec, path))
		tj_strv_add(&iso->noexec, path);
	return 0;
}

int tj_isolation_parse_degrade(struct tj_isolation *iso, const char *name)
{
	if (strcmp(name, "landlock") == 0)
		iso->degrade |= TJ_DEGRADE_LANDLOCK | TJ_DEGRADE_LANDLOCK_NET;
	else if (strcmp(name, "landlock-net") == 0)
		iso->degrade |= TJ_DEGRADE_LANDLOCK_NET;
	else if (strcmp(name, "net-rules") == 0)
		iso->degrade |= TJ_DEGRADE_NET_RULES;
	else if (strcmp(name, "unix-sockets") == 0)
		iso->degrade |= TJ_DEGRADE_UNIX_SOCKETS;
	else
		return -1;
	return 0;
}

/* Whether path is dir or beneath it (both cleaned, absolute). */
static bool path_within(const char *path, const char *dir)
{
	size_t n = strlen(dir);
	if (strcmp(dir, "/") == 0)
		return true;
	return strncmp(path, dir, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

/* Landlock only adds rights: a --ro beneath a --rw would stay writable.
 * Only a read-only mount over it keeps it read-only. */
static bool ro_within_rw(const struct tj_isolation *iso)
{
	for (size_t i = 0; i < iso->ro.n; i++)
		for (size_t j = 0; j < iso->rw.n; j++)
			if (path_within(iso->ro.v[i], iso->rw.v[j]) && strcmp(iso->ro.v[i], iso->rw.v[j]) != 0)
				return true;
	return false;
}

bool tj_isolation_wants_mount_ns(const struct tj_isolation *iso)
{
	return (iso->unshare & TJ_NS_MOUNT) || iso->noexec.n || iso->tmpfs.n || iso->nrw_limits ||
	       iso->protect_cgroups || iso->hide_sockets || ro_within_rw(iso);
}

unsigned tj_isolation_namespaces(const struct tj_isolation *iso, bool root)
{
	if (!iso)
		return 0;
	unsigned ns = iso->unshare;
	if (tj_isolation_wants_mount_ns(iso) || (ns & TJ_NS_PID))
		ns |= TJ_NS_MOUNT;
	if (iso->hostname)
		ns |= TJ_NS_UTS;
	if (!root && (ns & ~TJ_NS_USER))
		ns |= TJ_NS_USER;
	return ns;
}

bool tj_isolation_wants_landlock_view(const struct tj_isolation *iso)
{
	return iso->ro.n || iso->rw.n || iso->exec.n;
}

bool tj_isolation_wants_landlock_fs(const struct tj_isolation *iso)
{
	return tj_isolation_wants_landlock_view(iso) || iso->no_exec;
}

bool tj_isolation_wants_hardening(const struct tj_isolation *iso)
{
	return iso->deny_write_execute || iso->no_new_processes || iso->has_signals || iso->deny_listen;
}

char *tj_isolation_absolute_path(const char *path)
{
	if (!path || !*path)
		return NULL;
	if (path[0] == '/')
		return tj_isolation_clean_path(path);
	char cwd[PATH_MAX];
	if (!getcwd(cwd, sizeof(cwd)))
		return NULL;
	tj_autofree char *joined = tj_xasprintf("%s/%s", cwd, path);
	return tj_isolation_clean_path(joined);
}

char *tj_isolation_clean_path(const char *path)
{
	if (!path || path[0] != '/')
		return NULL;
	/* Split on '/', drop "" and ".", pop on "..". */
	struct tj_strv parts = {0};
	for (const char *p = path; *p;) {
		while (*p == '/')
			p++;
		size_t n = strcspn(p, "/");
		if (n == 0)
			break;
		if (n == 2 && strncmp(p, "..", 2) == 0) {
			if (parts.n) {
				free(parts.v[--parts.n]);
				parts.v[parts.n] = NULL;
			}
		} else if (!(n == 1 && p[0] == '.')) {
			tj_strv_add_owned(&parts, tj_xstrndup(p, n));
		}
		p += n;
	}
	struct tj_buf b = {0};
	for (size_t i = 0; i < parts.n; i++)
		tj_buf_addf(&b, "/%s", parts.v[i]);
	tj_strv_done(&parts);
	if (!b.len)
		tj_buf_add(&b, "/");
	return tj_buf_steal(&b);
}
