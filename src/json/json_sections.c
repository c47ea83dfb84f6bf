/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The tinyjail and OCI sections of a profile: filesystem, network, hardening,
 * environment, identity, namespaces, rlimits and linux.resources, into the
 * option models (model/).
 */
#include <string.h>

#include "json_internal.h"

/* --- document shapes --- */

/* --- tinyjail profiles: sections --- */

/* A tinyjail profile is read section by section: every key of an object
 * must have an entry here (fail closed: an unknown section could be a
 * confinement this tinyjail does not apply). */
int tj_json_parse_sections(struct loader *L, json_object *obj, const struct section *table)
{
	const char *keys[32];
	size_t n = 0;
	for (; table[n].key && n + 1 < TJ_ARRAY_SIZE(keys); n++)
		keys[n] = table[n].key;
	keys[n] = NULL;
	if (tj_json_expect_type(L, obj, json_type_object, "an object") < 0 ||
	    tj_json_check_keys(L, obj, keys, NULL, true) < 0)
		return -1;
	for (size_t i = 0; table[i].key; i++) {
		json_object *v;
		if (!json_object_object_get_ex(obj, table[i].key, &v) || json_object_get_type(v) == json_type_null)
			continue;
		size_t old = tj_jpath_push_key(&L->path, table[i].key);
		if (table[i].parse(L, v) < 0)
			return -1;
		tj_jpath_pop(&L->path, old);
	}
	return 0;
}

static int parse_duration(struct loader *L, json_object *v, uint64_t *ret)
{
	const char *s;
	if (tj_json_get_string(L, v, true, &s) < 0)
		return -1;
	if (!tj_parse_duration_ms(s, ret) || *ret == 0)
		return tj_json_fail(L, "invalid duration '%s' (e.g. \"120s\", \"2m\", \"500ms\")", s);
	return 0;
}

static int parse_tj_version(struct loader *L, json_object *v)
{
	uint64_t version;
	if (tj_json_get_uint(L, v, UINT32_MAX, &version) < 0)
		return -1;
	if (version != 1)
		return tj_json_fail(L, "profile version %llu is not supported (this tinyjail reads version 1)",
				    (unsigned long long)version);
	return 0;
}

static int parse_tj_description(struct loader *L, json_object *v)
{
	const char *s;
	if (tj_json_get_string(L, v, false, &s) < 0)
		return -1;
	free(L->p->description); /* wins over a seccomp object's comment */
	L->p->description = tj_xstrdup(s);
	return 0;
}

/* tinyjail.extends: a bundled profile's name, or a path (relative to the
 * profile's own directory); loaded once the whole document is read
 * (json_documents.c). */
static int parse_tj_extends(struct loader *L, json_object *v)
{
	const char *s;
	if (tj_json_get_string(L, v, false, &s) < 0)
		return -1;
	if (!*s)
		return tj_json_fail(L, "an empty name: a bundled profile's name or a path");
	L->p->extends = tj_xstrdup(s);
	return 0;
}

static int parse_tj_timeout(struct loader *L, json_object *v)
{
	return parse_duration(L, v, &L->p->limits.timeout_ms);
}

static int parse_tj_kill_after(struct loader *L, json_object *v)
{
	return parse_duration(L, v, &L->p->limits.kill_after_ms);
}

static int degrade_item(struct loader *L, void *ctx, const char *s)
{
	(void)ctx;
	struct tj_err *e = NULL;
	int r = 0;
	if (tj_limits_parse_degrade(&L->p->limits, s, &e) < 0 && tj_isolation_parse_degrade(&L->p->iso, s) < 0)
		r = tj_json_fail(L,
				 "unknown layer '%s' (memory, cpu, pids, cgroup, landlock, landlock-net, net-rules or "
				 "unix-sockets)",
				 s);
	tj_err_free(e);
	return r;
}

static int parse_tj_degrade(struct loader *L, json_object *v)
{
	return tj_json_each_string(L, v, true, degrade_item, NULL);
}

static int name_item(struct loader *L, void *to, const char *s)
{
	struct tj_err *e = NULL;
	int r = 0;
	if (tj_env_add_list(to, s, &e) < 0 || strchr(s, ','))
		r = tj_json_fail(L, "'%s' is not a variable name or pattern (letters, digits, _ and *)", s);
	tj_err_free(e);
	return r;
}

/* Validates a list of names or globs into `to`. */
static int parse_name_list(struct loader *L, json_object *v, struct tj_strv *to)
{
	return tj_json_each_string(L, v, true, name_item, to);
}

static int parse_env_keep(struct loader *L, json_object *v)
{
	return parse_name_list(L, v, &L->p->env.keep);
}

static int parse_env_deny(struct loader *L, json_object *v)
{
	return parse_name_list(L, v, &L->p->env.deny);
}

static int parse_env_inherit_all(struct loader *L, json_object *v)
{
	if (tj_json_expect_type(L, v, json_type_boolean, "true or false") < 0)
		return -1;
	L->p->env.inherit_all = json_object_get_boolean(v);
	return 0;
}

/* --- isolation sections --- */

static int path_item(struct loader *L, void *to, const char *s)
{
	char *clean = tj_isolation_clean_path(s);
	if (!clean)
		return tj_json_fail(L, "'%s' is not an absolute path", s);
	tj_strv_add_owned(to, clean);
	return 0;
}

static int parse_path_list(struct loader *L, json_object *v, struct tj_strv *to)
{
	return tj_json_each_string(L, v, true, path_item, to);
}

static int parse_fs_read(struct loader *L, json_object *v)
{
	return parse_path_list(L, v, &L->p->iso.ro);
}
static int parse_fs_write(struct loader *L, json_object *v)
{
	return parse_path_list(L, v, &L->p->iso.rw);
}
static int parse_fs_exec(struct loader *L, json_object *v)
{
	return parse_path_list(L, v, &L->p->iso.exec);
}
static int parse_fs_noexec(struct loader *L, json_object *v)
{
	return parse_path_list(L, v, &L->p->iso.noexec);
}
static int parse_fs_tmpfs(struct loader *L, json_object *v)
{
	return parse_path_list(L, v, &L->p->iso.tmpfs);
}

static int get_bool(struct loader *L, json_object *v, bool *ret)
{
	if (tj_json_expect_type(L, v, json_type_boolean, "true or false") < 0)
		return -1;
	*ret = json_object_get_boolean(v);
	return 0;
}

static int parse_fs_exec_only_self(struct loader *L, json_object *v)
{
	return get_bool(L, v, &L->p->iso.no_exec);
}

/* writeLimits: [{"path": "/tmp/dl", "size": "50M"}] */
static int parse_fs_write_limits(struct loader *L, json_object *v)
{
	static const char *const keys[] = {"path", "size", NULL};
	if (tj_json_expect_type(L, v, json_type_array, "an array of {path, size}") < 0)
		return -1;
	for (size_t i = 0; i < json_object_array_length(v); i++) {
		size_t old = tj_jpath_push_index(&L->path, i);
		json_object *e = json_object_array_get_idx(v, i), *path, *size;
		if (tj_json_expect_type(L, e, json_type_object, "an object with path and size") < 0 ||
		    tj_json_check_keys(L, e, keys, NULL, true) < 0)
			return -1;
		const char *ps, *ss;
		if (!json_object_object_get_ex(e, "path", &path) || !json_object_object_get_ex(e, "size", &size))
			return tj_json_fail(L, "a write limit needs 'path' and 'size'");
		if (tj_json_get_string(L, path, true, &ps) < 0 || tj_json_get_string(L, size, true, &ss) < 0)
			return -1;
		char *arg = tj_xasprintf("%s=%s", ps, ss);
		struct tj_err *e2 = NULL;
		int r = tj_isolation_parse_rw_limit(&L->p->iso, arg, &e2);
		free(arg);
		if (r < 0) {
			r = tj_json_fail(L, "%s", e2->msg);
			tj_err_free(e2);
			return r;
		}
		tj_jpath_pop(&L->path, old);
	}
	return 0;
}

/* workdir: {"path": "/tmp/dl-${UID}", "size": "50M", "noexec": true}: the
 * command's working directory (--workdir replaces the path), size-limited
 * and not executable when said. */
static int parse_fs_workdir(struct loader *L, json_object *v)
{
	static const char *const keys[] = {"path", "size", "noexec", NULL};
	if (tj_json_expect_type(L, v, json_type_object, "an object with path (and size, noexec)") < 0 ||
	    tj_json_check_keys(L, v, keys, NULL, true) < 0)
		return -1;
	json_object *path, *size, *noexec;
	const char *ps;
	if (!json_object_object_get_ex(v, "path", &path))
		return tj_json_fail(L, "a working directory needs 'path'");
	size_t old = tj_jpath_push_key(&L->path, "path");
	if (tj_json_get_string(L, path, true, &ps) < 0)
		return -1;
	char *clean = tj_isolation_clean_path(ps);
	if (!clean)
		return tj_json_fail(L, "'%s' is not an absolute path", ps);
	tj_jpath_pop(&L->path, old);
	free(L->p->iso.workdir);
	L->p->iso.workdir = clean;
	if (json_object_object_get_ex(v, "size", &size)) {
		old = tj_jpath_push_key(&L->path, "size");
		const char *ss;
		if (tj_json_get_string(L, size, true, &ss) < 0)
			return -1;
		uint64_t bytes;
		if (!tj_parse_size(ss, &bytes) || bytes < TJ_RW_LIMIT_MIN)
			return tj_json_fail(L, "'%s': expected a size of at least 4K, e.g. 50M", ss);
		L->p->iso.workdir_limit = bytes;
		tj_jpath_pop(&L->path, old);
	}
	if (json_object_object_get_ex(v, "noexec", &noexec)) {
		old = tj_jpath_push_key(&L->path, "noexec");
		if (get_bool(L, noexec, &L->p->iso.workdir_noexec) < 0)
			return -1;
		tj_jpath_pop(&L->path, old);
	}
	return 0;
}

static int parse_filesystem(struct loader *L, json_object *v)
{
	static const struct section table[] = {
		{"read", parse_fs_read},
		{"write", parse_fs_write},
		{"execute", parse_fs_exec},
		{"noexec", parse_fs_noexec},
		{"tmpfs", parse_fs_tmpfs},
		{"writeLimits", parse_fs_write_limits},
		{"executeOnlySelf", parse_fs_exec_only_self},
		{"workdir", parse_fs_workdir},
		{NULL, NULL},
	};
	return tj_json_parse_sections(L, v, table);
}

static int parse_ports(struct loader *L, json_object *v, bool *has, uint16_t **ports, size_t *n)
{
	if (tj_json_expect_type(L, v, json_type_array, "an array of TCP ports") < 0)
		return -1;
	size_t count = json_object_array_length(v);
	free(*ports);
	*ports = tj_xcalloc(count + 1, sizeof(**ports));
	*n = 0;
	*has = true;
	for (size_t i = 0; i < count; i++) {
		size_t old = tj_jpath_push_index(&L->path, i);
		uint64_t p;
		if (tj_json_get_uint(L, json_object_array_get_idx(v, i), TJ_PORT_MAX, &p) < 0)
			return -1;
		(*ports)[(*n)++] = (uint16_t)p;
		tj_jpath_pop(&L->path, old);
	}
	return 0;
}

static int parse_tcp_connect(struct loader *L, json_object *v)
{
	struct tj_isolation *iso = &L->p->iso;
	return parse_ports(L, v, &iso->has_tcp_connect, &iso->tcp_connect.v, &iso->tcp_connect.n);
}

static int parse_tcp_bind(struct loader *L, json_object *v)
{
	struct tj_isolation *iso = &L->p->iso;
	return parse_ports(L, v, &iso->has_tcp_bind, &iso->tcp_bind.v, &iso->tcp_bind.n);
}

/* Hands a string to one of netpolicy.c's parsers; its complaint becomes
 * an error at the current JSON path. */
static int net_parse(struct loader *L, int (*fn)(void *to, const char *s, struct tj_err **err), void *to, const char *s)
{
	struct tj_err *e = NULL;
	if (fn(to, s, &e) == 0)
		return 0;
	int r = tj_json_fail(L, "%s", e->msg);
	tj_err_free(e);
	return r;
}

struct net_list {
	int (*fn)(void *to, const char *s, struct tj_err **err);
	void *to;
};

static int net_item(struct loader *L, void *ctx, const char *s)
{
	const struct net_list *nl = ctx;
	return net_parse(L, nl->fn, nl->to, s);
}

/* An array of strings, each handed to fn. */
static int net_parse_list(struct loader *L, json_object *v, int (*fn)(void *to, const char *s, struct tj_err **err),
			  void *to)
{
	struct net_list nl = {fn, to};
	return tj_json_each_string(L, v, true, net_item, &nl);
}

static int net_allow_fn(void *to, const char *s, struct tj_err **err)
{
	return tj_net_add_allow(to, s, err);
}
static int net_resolve_fn(void *to, const char *s, struct tj_err **err)
{
	return tj_net_add_resolve(to, s, err);
}
static int net_cidrs_fn(void *to, const char *s, struct tj_err **err)
{
	return tj_net_add_cidrs(to, s, err);
}

static int parse_net_mode(struct loader *L, json_object *v)
{
	const char *s;
	if (tj_json_get_string(L, v, true, &s) < 0)
		return -1;
	static const struct {
		const char *name;
		enum tj_net_mode mode;
	} modes[] = {{"none", TJ_NET_NONE}, {"host", TJ_NET_HOST}, {"filtered", TJ_NET_FILTERED}};
	for (size_t i = 0; i < TJ_ARRAY_SIZE(modes); i++) {
		if (strcmp(modes[i].name, s) == 0) {
			L->p->net.mode = modes[i].mode;
			return 0;
		}
	}
	return tj_json_fail(L, "unknown network mode '%s' (none, host or filtered)", s);
}

static int parse_net_allow(struct loader *L, json_object *v)
{
	return net_parse_list(L, v, net_allow_fn, &L->p->net);
}
static int parse_net_allow_cidrs(struct loader *L, json_object *v)
{
	return net_parse_list(L, v, net_cidrs_fn, &L->p->net.allow_cidrs);
}
static int parse_net_deny_cidrs(struct loader *L, json_object *v)
{
	return net_parse_list(L, v, net_cidrs_fn, &L->p->net.deny_cidrs);
}
static int parse_net_dns(struct loader *L, json_object *v)
{
	L->p->net.has_dns = true;
	return net_parse_list(L, v, net_cidrs_fn, &L->p->net.dns);
}

/* "resolve": {"name": "address", ...} */
static int parse_net_resolve(struct loader *L, json_object *v)
{
	if (tj_json_expect_type(L, v, json_type_object, "an object of name: address") < 0)
		return -1;
	json_object_object_foreach (v, name, addr) {
		size_t old = tj_jpath_push_key(&L->path, name);
		const char *a;
		if (tj_json_get_string(L, addr, true, &a) < 0)
			return -1;
		tj_autofree char *arg = tj_xasprintf("%s:%s", name, a);
		if (net_parse(L, net_resolve_fn, &L->p->net, arg) < 0)
			return -1;
		tj_jpath_pop(&L->path, old);
	}
	return 0;
}

static int parse_net_ports(struct loader *L, json_object *v)
{
	struct tj_net_policy *n = &L->p->net;
	if (tj_json_expect_type(L, v, json_type_array, "an array of ports") < 0)
		return -1;
	n->has_ports = true;
	for (size_t i = 0; i < json_object_array_length(v); i++) {
		size_t old = tj_jpath_push_index(&L->path, i);
		uint64_t port;
		if (tj_json_get_uint(L, json_object_array_get_idx(v, i), TJ_PORT_MAX, &port) < 0)
			return -1;
		if (port < TJ_PORT_MIN_DEST)
			return tj_json_fail(L, "port 0 cannot be connected to");
		n->ports.v = tj_xrealloc(n->ports.v, (n->ports.n + 2) * sizeof(*n->ports.v));
		n->ports.v[n->ports.n++] = (uint16_t)port;
		tj_jpath_pop(&L->path, old);
	}
	return 0;
}

static int parse_net_max_conns(struct loader *L, json_object *v)
{
	uint64_t n;
	if (tj_json_get_uint(L, v, TJ_NET_MAX_CONNS_MAX, &n) < 0)
		return -1;
	if (n == 0)
		return tj_json_fail(L, "at least 1 connection");
	L->p->net.max_conns = (unsigned)n;
	return 0;
}

static int parse_net_conn_timeout(struct loader *L, json_object *v)
{
	return parse_duration(L, v, &L->p->net.conn_timeout_ms);
}

static int parse_net_idle_timeout(struct loader *L, json_object *v)
{
	return parse_duration(L, v, &L->p->net.idle_timeout_ms);
}

static int net_upstream_fn(void *to, const char *s, struct tj_err **err)
{
	return tj_net_set_upstream(to, s, err);
}

/* "upstreamProxy": "proxy.example:3128" */
static int parse_net_upstream(struct loader *L, json_object *v)
{
	const char *s;
	if (tj_json_get_string(L, v, true, &s) < 0)
		return -1;
	return net_parse(L, net_upstream_fn, &L->p->net, s);
}

static int parse_net_deny_private(struct loader *L, json_object *v)
{
	return get_bool(L, v, &L->p->net.deny_private);
}

static int parse_network(struct loader *L, json_object *v)
{
	static const struct section table[] = {
		{"mode", parse_net_mode},
		{"allow", parse_net_allow},
		{"resolve", parse_net_resolve},
		{"ports", parse_net_ports},
		{"maxConnections", parse_net_max_conns},
		{"connectionTimeout", parse_net_conn_timeout},
		{"idleTimeout", parse_net_idle_timeout},
		{"denyPrivate", parse_net_deny_private},
		{"upstreamProxy", parse_net_upstream},
		{"allowCidrs", parse_net_allow_cidrs},
		{"denyCidrs", parse_net_deny_cidrs},
		{"dnsServers", parse_net_dns},
		{"tcpConnect", parse_tcp_connect},
		{"tcpBind", parse_tcp_bind},
		{NULL, NULL},
	};
	if (tj_json_parse_sections(L, v, table) < 0)
		return -1;
	/* An allowlist makes sense only for the proxy. */
	if (L->p->net.nallow && L->p->net.mode != TJ_NET_FILTERED && L->p->net.mode != TJ_NET_UNSET)
		return tj_json_fail(L, "'allow' needs \"mode\": \"filtered\" (it is the proxy's allowlist)");
	if (L->p->net.nallow && L->p->net.mode == TJ_NET_UNSET)
		L->p->net.mode = TJ_NET_FILTERED;
	return 0;
}

static int parse_h_wx(struct loader *L, json_object *v)
{
	return get_bool(L, v, &L->p->iso.deny_write_execute);
}
static int parse_h_nofork(struct loader *L, json_object *v)
{
	return get_bool(L, v, &L->p->iso.no_new_processes);
}

static int signal_item(struct loader *L, void *iso, const char *s)
{
	struct tj_isolation one = {0};
	struct tj_err *e = NULL;
	int r = tj_isolation_parse_signals(&one, s, &e) < 0 ? tj_json_fail(L, "unknown signal '%s'", s) : 0;
	((struct tj_isolation *)iso)->signals |= one.signals;
	tj_err_free(e);
	return r;
}

static int parse_h_signals(struct loader *L, json_object *v)
{
	struct tj_isolation *iso = &L->p->iso;
	iso->has_signals = true;
	iso->signals = 0;
	return tj_json_each_string(L, v, true, signal_item, iso);
}

static int parse_hardening(struct loader *L, json_object *v)
{
	static const struct section table[] = {
		{"denyWriteExecute", parse_h_wx},
		{"noNewProcesses", parse_h_nofork},
		{"signals", parse_h_signals},
		{NULL, NULL},
	};
	return tj_json_parse_sections(L, v, table);
}

static int parse_tj_user(struct loader *L, json_object *v)
{
	const char *s;
	if (tj_json_get_string(L, v, true, &s) < 0)
		return -1;
	free(L->p->iso.user);
	L->p->iso.user = tj_xstrdup(s);
	return 0;
}

/* process.user: {"uid": N, "gid": N} (OCI). */
static int parse_process_user(struct loader *L, json_object *v)
{
	static const char *const keys[] = {"uid", "gid", NULL};
	json_object *u, *g;
	if (tj_json_expect_type(L, v, json_type_object, "an object with uid and gid") < 0 ||
	    tj_json_check_keys(L, v, keys, NULL, true) < 0)
		return -1;
	if (!json_object_object_get_ex(v, "uid", &u) || !json_object_object_get_ex(v, "gid", &g))
		return tj_json_fail(L, "process.user needs 'uid' and 'gid'");
	uint64_t uid, gid;
	size_t old = tj_jpath_push_key(&L->path, "uid");
	if (tj_json_get_uint(L, u, UINT32_MAX - 1, &uid) < 0)
		return -1;
	tj_jpath_pop(&L->path, old);
	old = tj_jpath_push_key(&L->path, "gid");
	if (tj_json_get_uint(L, g, UINT32_MAX - 1, &gid) < 0)
		return -1;
	tj_jpath_pop(&L->path, old);
	free(L->p->iso.user);
	L->p->iso.user = tj_xasprintf("%llu:%llu", (unsigned long long)uid, (unsigned long long)gid);
	return 0;
}

/* process.capabilities: {"bounding": [...], "permitted": [...], ...} (OCI):
 * tinyjail keeps one set, the union of those listed, in all five. */
static int parse_process_caps(struct loader *L, json_object *v)
{
	static const char *const keys[] = {"bounding", "effective", "inheritable", "permitted", "ambient", NULL};
	if (tj_json_expect_type(L, v, json_type_object, "an object of capability lists") < 0 ||
	    tj_json_check_keys(L, v, keys, NULL, true) < 0)
		return -1;
	L->p->iso.has_keep_caps = true;
	json_object_object_foreach (v, key, list) {
		size_t old = tj_jpath_push_key(&L->path, key);
		struct tj_strv names = {0};
		if (tj_json_get_string_array(L, list, true, &names) < 0) {
			tj_strv_done(&names);
			return -1;
		}
		for (size_t i = 0; i < names.n; i++) {
			struct tj_err *e = NULL;
			if (tj_isolation_parse_caps(&L->p->iso, names.v[i], &e) < 0) {
				tj_err_free(e);
				tj_jpath_push_index(&L->path, i);
				int r = tj_json_fail(L, "unknown capability '%s'", names.v[i]);
				tj_strv_done(&names);
				return r;
			}
		}
		tj_strv_done(&names);
		tj_jpath_pop(&L->path, old);
	}
	return 0;
}

static int parse_process_nnp(struct loader *L, json_object *v)
{
	bool on;
	if (get_bool(L, v, &on) < 0)
		return -1;
	if (!on)
		return tj_json_fail(L, "tinyjail always sets no_new_privs; false cannot be honoured");
	return 0;
}

/* linux.namespaces: [{"type": "pid"}, ...] (OCI); joining one by path is not supported. */
static int parse_namespaces(struct loader *L, json_object *v)
{
	static const char *const keys[] = {"type", NULL};
	static const struct {
		const char *oci, *ours;
	} map[] = {{"user", "user"}, {"mount", "mount"}, {"pid", "pid"},      {"ipc", "ipc"},
		   {"uts", "uts"},   {"network", "net"}, {"cgroup", "cgroup"}};
	if (tj_json_expect_type(L, v, json_type_array, "an array of {type}") < 0)
		return -1;
	for (size_t i = 0; i < json_object_array_length(v); i++) {
		size_t old = tj_jpath_push_index(&L->path, i);
		json_object *e = json_object_array_get_idx(v, i), *t;
		if (tj_json_expect_type(L, e, json_type_object, "an object with type") < 0)
			return -1;
		if (json_object_object_get_ex(e, "path", NULL))
			return tj_json_fail(L, "joining an existing namespace by path is not supported");
		if (tj_json_check_keys(L, e, keys, NULL, true) < 0)
			return -1;
		const char *type;
		if (!json_object_object_get_ex(e, "type", &t) || tj_json_get_string(L, t, true, &type) < 0)
			return json_object_object_get_ex(e, "type", NULL) ? -1 : tj_json_fail(L, "missing 'type'");
		const char *ours = NULL;
		for (size_t k = 0; k < TJ_ARRAY_SIZE(map) && !ours; k++)
			if (strcmp(map[k].oci, type) == 0)
				ours = map[k].ours;
		if (!ours)
			return tj_json_fail(L,
					    "unknown namespace type '%s' (user, mount, pid, ipc, uts, network, cgroup)",
					    type);
		struct tj_err *e2 = NULL;
		tj_isolation_parse_unshare(&L->p->iso, ours, &e2);
		tj_err_free(e2);
		tj_jpath_pop(&L->path, old);
	}
	return 0;
}

int tj_json_parse_hostname(struct loader *L, json_object *v)
{
	const char *s;
	if (tj_json_get_string(L, v, true, &s) < 0)
		return -1;
	if (strlen(s) > 64)
		return tj_json_fail(L, "a hostname has at most 64 characters");
	free(L->p->iso.hostname);
	L->p->iso.hostname = tj_xstrdup(s);
	return 0;
}

/* tinyjail.environment: which variables of tinyjail's own environment pass. */
static int parse_environment(struct loader *L, json_object *v)
{
	static const struct section table[] = {
		{"keep", parse_env_keep},
		{"deny", parse_env_deny},
		{"inheritAll", parse_env_inherit_all},
		{NULL, NULL},
	};
	return tj_json_parse_sections(L, v, table);
}

int tj_json_parse_tinyjail_section(struct loader *L, json_object *v)
{
	static const struct section table[] = {
		{"environment", parse_environment},
		{"filesystem", parse_filesystem},
		{"network", parse_network},
		{"hardening", parse_hardening},
		{"user", parse_tj_user},
		{"version", parse_tj_version},
		{"extends", parse_tj_extends},
		{"description", parse_tj_description},
		{"timeout", parse_tj_timeout},
		{"killAfter", parse_tj_kill_after},
		{"allowDegraded", parse_tj_degrade},
		{NULL, NULL},
	};
	if (tj_json_expect_type(L, v, json_type_object, "an object with version and description") < 0)
		return -1;
	if (!json_object_object_get_ex(v, "version", NULL))
		return tj_json_fail(L, "missing 'version' (this tinyjail reads version 1)");
	return tj_json_parse_sections(L, v, table);
}

/* process.rlimits: [{"type": "RLIMIT_NOFILE", "hard": 256, "soft": 256}] (OCI). */
static int parse_rlimits(struct loader *L, json_object *v)
{
	static const char *const keys[] = {"type", "hard", "soft", NULL};
	if (tj_json_expect_type(L, v, json_type_array, "an array of {type, hard, soft}") < 0)
		return -1;
	for (size_t i = 0; i < json_object_array_length(v); i++) {
		size_t old = tj_jpath_push_index(&L->path, i);
		json_object *e = json_object_array_get_idx(v, i), *t, *h, *so;
		if (tj_json_expect_type(L, e, json_type_object, "an object with type, hard and soft") < 0 ||
		    tj_json_check_keys(L, e, keys, NULL, true) < 0)
			return -1;
		if (!json_object_object_get_ex(e, "type", &t) || !json_object_object_get_ex(e, "hard", &h) ||
		    !json_object_object_get_ex(e, "soft", &so))
			return tj_json_fail(L, "an rlimit needs 'type', 'hard' and 'soft' (the OCI runtime-spec form)");
		const char *name;
		size_t o2 = tj_jpath_push_key(&L->path, "type");
		if (tj_json_get_string(L, t, true, &name) < 0)
			return -1;
		int r = strncmp(name, "RLIMIT_", 7) == 0 ? tj_rlimit_from_name(name) : -1;
		if (r < 0) {
			const char *hint = tj_suggest(name, tj_rlimit_names());
			return hint ? tj_json_fail(L, "unknown rlimit '%s' (did you mean '%s'?)", name, hint)
				    : tj_json_fail(L, "unknown rlimit '%s'", name);
		}
		tj_jpath_pop(&L->path, o2);
		uint64_t hard, soft;
		o2 = tj_jpath_push_key(&L->path, "hard");
		if (tj_json_get_uint(L, h, UINT64_MAX, &hard) < 0)
			return -1;
		tj_jpath_pop(&L->path, o2);
		o2 = tj_jpath_push_key(&L->path, "soft");
		if (tj_json_get_uint(L, so, UINT64_MAX, &soft) < 0)
			return -1;
		if (soft > hard)
			return tj_json_fail(L, "soft %llu is above hard %llu", (unsigned long long)soft,
					    (unsigned long long)hard);
		tj_jpath_pop(&L->path, o2);
		L->p->limits.rlimits[r] = (struct tj_rlimit){.set = true, .soft = soft, .hard = hard};
		tj_jpath_pop(&L->path, old);
	}
	return 0;
}

/* process.env: ["NAME=VALUE", ...] (OCI), set in the command's environment. */
static int env_setting_item(struct loader *L, void *env, const char *s)
{
	struct tj_err *e = NULL;
	int r = tj_env_add_setting(env, s, &e) < 0 ? tj_json_fail(L, "'%s': expected NAME=VALUE", s) : 0;
	tj_err_free(e);
	return r;
}

static int parse_process_env(struct loader *L, json_object *v)
{
	return tj_json_each_string(L, v, false, env_setting_item, &L->p->env);
}

int tj_json_parse_process(struct loader *L, json_object *v)
{
	static const struct section table[] = {
		{"env", parse_process_env},
		{"rlimits", parse_rlimits},
		{"user", parse_process_user},
		{"capabilities", parse_process_caps},
		{"noNewPrivileges", parse_process_nnp},
		{NULL, NULL},
	};
	return tj_json_parse_sections(L, v, table);
}

/* linux.resources.memory: {"limit": bytes, "swap": bytes (memory + swap)} */
static int parse_memory(struct loader *L, json_object *v)
{
	static const char *const keys[] = {"limit", "swap", NULL};
	json_object *lim, *swap;
	if (tj_json_expect_type(L, v, json_type_object, "an object with limit") < 0 ||
	    tj_json_check_keys(L, v, keys, NULL, true) < 0)
		return -1;
	if (!json_object_object_get_ex(v, "limit", &lim))
		return tj_json_fail(L, "missing 'limit' (bytes)");
	size_t old = tj_jpath_push_key(&L->path, "limit");
	if (tj_json_get_uint(L, lim, UINT64_MAX, &L->p->limits.memory) < 0)
		return -1;
	if (L->p->limits.memory < TJ_MEMORY_MIN)
		return tj_json_fail(L, "a memory limit below %u bytes cannot run anything", TJ_MEMORY_MIN);
	tj_jpath_pop(&L->path, old);
	if (json_object_object_get_ex(v, "swap", &swap)) {
		/* OCI's swap is memory + swap; tinyjail never lets swap extend
		 * the limit, so only swap == limit is meaningful. */
		uint64_t total;
		old = tj_jpath_push_key(&L->path, "swap");
		if (tj_json_get_uint(L, swap, UINT64_MAX, &total) < 0)
			return -1;
		if (total != L->p->limits.memory)
			return tj_json_fail(L,
					    "swap must equal limit: tinyjail does not let swap extend the memory limit");
		tj_jpath_pop(&L->path, old);
	}
	L->p->limits.has_memory = true;
	return 0;
}

/* linux.resources.cpu: {"quota": us, "period": us} */
static int parse_cpu(struct loader *L, json_object *v)
{
	static const char *const keys[] = {"quota", "period", NULL};
	json_object *q, *per;
	if (tj_json_expect_type(L, v, json_type_object, "an object with quota and period") < 0 ||
	    tj_json_check_keys(L, v, keys, NULL, true) < 0)
		return -1;
	if (!json_object_object_get_ex(v, "quota", &q))
		return tj_json_fail(L, "missing 'quota' (microseconds of CPU per period)");
	L->p->limits.cpu_period = TJ_CPU_PERIOD_DEFAULT;
	size_t old = tj_jpath_push_key(&L->path, "quota");
	if (tj_json_get_uint(L, q, UINT32_MAX, &L->p->limits.cpu_quota) < 0)
		return -1;
	if (L->p->limits.cpu_quota < TJ_CPU_QUOTA_MIN)
		return tj_json_fail(L, "a CPU quota below %u us per period is not accepted by the kernel",
				    TJ_CPU_QUOTA_MIN);
	tj_jpath_pop(&L->path, old);
	if (json_object_object_get_ex(v, "period", &per)) {
		old = tj_jpath_push_key(&L->path, "period");
		if (tj_json_get_uint(L, per, TJ_CPU_PERIOD_MAX, &L->p->limits.cpu_period) < 0)
			return -1;
		if (L->p->limits.cpu_period < TJ_CPU_PERIOD_MIN)
			return tj_json_fail(L, "the period must be between %u and %u us", TJ_CPU_PERIOD_MIN,
					    TJ_CPU_PERIOD_MAX);
		tj_jpath_pop(&L->path, old);
	}
	L->p->limits.has_cpu = true;
	return 0;
}

/* linux.resources.pids: {"limit": n} */
static int parse_pids(struct loader *L, json_object *v)
{
	static const char *const keys[] = {"limit", NULL};
	json_object *lim;
	if (tj_json_expect_type(L, v, json_type_object, "an object with limit") < 0 ||
	    tj_json_check_keys(L, v, keys, NULL, true) < 0)
		return -1;
	if (!json_object_object_get_ex(v, "limit", &lim))
		return tj_json_fail(L, "missing 'limit' (the number of processes and threads)");
	size_t old = tj_jpath_push_key(&L->path, "limit");
	if (tj_json_get_uint(L, lim, UINT32_MAX, &L->p->limits.pids) < 0)
		return -1;
	if (L->p->limits.pids == 0)
		return tj_json_fail(L, "a pids limit of 0 cannot run anything");
	tj_jpath_pop(&L->path, old);
	L->p->limits.has_pids = true;
	return 0;
}

static int parse_resources(struct loader *L, json_object *v)
{
	static const struct section table[] = {
		{"memory", parse_memory},
		{"cpu", parse_cpu},
		{"pids", parse_pids},
		{NULL, NULL},
	};
	return tj_json_parse_sections(L, v, table);
}

static int parse_linux_seccomp(struct loader *L, json_object *v)
{
	return tj_json_parse_seccomp(L, v, true, &L->p->seccomp);
}

int tj_json_parse_linux(struct loader *L, json_object *v)
{
	static const struct section table[] = {
		{"seccomp", parse_linux_seccomp},
		{"resources", parse_resources},
		{"namespaces", parse_namespaces},
		{NULL, NULL},
	};
	return tj_json_parse_sections(L, v, table);
}
