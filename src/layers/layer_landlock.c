/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The Landlock layer: filesystem rights per path, TCP ports, and scoping of
 * signals and abstract UNIX sockets, at the best ABI the kernel has.
 *
 * The ruleset is created in the parent (where a failure can be explained)
 * and its rules are added in the command process, after the mount layer:
 * path rules name inodes, so they must be opened in the command's own view
 * (a tmpfs mounted over a path is a different inode from the host's).
 *
 * Rights handled: every filesystem right of the ABI except IOCTL_DEV (device
 * ioctls are the seccomp profile's business); a path not granted by a rule
 * is then not accessible at all.  --ro grants reading (and executing),
 * --rw everything, --exec executing; --no-exec takes executing away from
 * those and grants it only on the command and its ELF interpreter.
 *
 * Every run puts the command in a Landlock domain, asked for or not
 * (notes/security.md): a process in a domain cannot ptrace, or open the
 * /proc files that need ptrace rights of (mem, environ, fd, ...), any process
 * outside it: tinyjail, its helpers, the user's other processes.  With ABI 6
 * it cannot signal them either.  Without other rules that domain restricts
 * nothing else: ABI 6 signal scoping alone (abstract UNIX sockets are scoped
 * with a view, as host sockets are hidden then), or on ABI 2-5 the REFER
 * right, handled and granted beneath "/" (handling nothing is not a
 * domain).  ABI 1 cannot grant REFER, so any ruleset would break renames
 * across directories: none there.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tj/base/cleanup.h"
#include "tj/base/sys.h"
#include "tj/base/testhook.h"
#include "tj/layers/layer.h"
#include "tj/net/proxy.h"

#define LAYER "landlock"

#define FS_READ (TJ_LANDLOCK_FS_READ_FILE | TJ_LANDLOCK_FS_READ_DIR)
/* Rights that make sense on a file rather than a directory. */
#define FS_FILE_RIGHTS \
	(TJ_LANDLOCK_FS_EXECUTE | TJ_LANDLOCK_FS_WRITE_FILE | TJ_LANDLOCK_FS_READ_FILE | TJ_LANDLOCK_FS_TRUNCATE)

#define MAX_RULES 128

struct rule {
	char path[4096];
	uint64_t access;
	bool optional; /* skipped when the path does not exist */
};

/* Harmless devices every view includes: programs expect to discard output
 * and read randomness. */
static const char *const view_devices[] = {"/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom"};

struct state {
	int ruleset;
	int abi;
	bool own_only; /* no rights asked for: tinyjail's own domain */
	uint64_t handled_fs;
	struct rule *rules;
	size_t nrules;
	const uint16_t *bind_ports, *connect_ports;
	size_t nbind, nconnect;
};

static bool wants_net(const struct tj_isolation *iso)
{
	return iso->has_tcp_bind || iso->has_tcp_connect;
}

/* Rights the user asked for, as opposed to tinyjail's own domain. */
static bool landlock_requested(const struct tj_isolation *iso)
{
	return iso && (tj_isolation_wants_landlock_fs(iso) || wants_net(iso));
}

static bool landlock_wanted(const struct tj_plan *plan)
{
	(void)plan;
	return true; /* every command runs in a domain of its own */
}

static int own_domain_probe(int abi, struct tj_manifest *m)
{
	if (abi >= TJ_LANDLOCK_ABI_SCOPE)
		tj_manifest_add(m, LAYER, TJ_LAYER_APPLIED,
				"ABI %d; filesystem unrestricted; the command cannot ptrace, signal or read the memory "
				"of processes outside the sandbox",
				abi);
	else if (abi >= TJ_LANDLOCK_ABI_REFER)
		tj_manifest_add(m, LAYER, TJ_LAYER_APPLIED,
				"ABI %d; filesystem unrestricted; the command cannot ptrace or read the memory of "
				"processes outside the sandbox; no scoping of signals and abstract sockets (needs ABI "
				"6: the hardening filter refuses signals to tinyjail instead)",
				abi);
	else
		tj_manifest_add(m, LAYER, TJ_LAYER_UNAVAILABLE,
				"%s: tinyjail's processes are protected by being non-dumpable alone, the user's other "
				"processes not at all (a pid namespace hides them)",
				abi < 1 ? "no Landlock on this kernel"
					: "ABI 1 cannot make a domain that restricts nothing");
	return 0;
}

static int landlock_probe(const struct tj_plan *plan, struct tj_manifest *m, struct tj_err **err)
{
	const struct tj_isolation *iso = plan->iso;
	int abi = tj_sys_landlock_abi();
	if (!landlock_requested(iso))
		return own_domain_probe(abi, m);
	if (abi < 1) {
		if (iso->degrade & TJ_DEGRADE_LANDLOCK) {
			tj_manifest_add(m, LAYER, TJ_LAYER_DEGRADED,
					"not enforced (--allow-degraded landlock): this kernel has no Landlock");
			return 0;
		}
		tj_err_set(err, TJ_ERR_LAYER, -abi, "this kernel does not offer Landlock");
		tj_err_hint(err, "Landlock needs Linux 5.13 with CONFIG_SECURITY_LANDLOCK and 'landlock' in the lsm= "
				 "list; --allow-degraded landlock runs without it");
		tj_err_degradable(err, "landlock");
		return tj_err_layer(err, LAYER);
	}
	/* Abstract UNIX sockets have no file to cover: outside a network
	 * namespace of its own only scoping (ABI 6) keeps a view's command
	 * from the host's (security.md). */
	bool netns = tj_isolation_namespaces(iso, geteuid() == 0) & TJ_NS_NET;
	bool abstract_open = tj_isolation_wants_landlock_view(iso) && abi < TJ_LANDLOCK_ABI_SCOPE && !netns;
	if (abstract_open && !(iso->degrade & TJ_DEGRADE_UNIX_SOCKETS)) {
		tj_err_set(err, TJ_ERR_LAYER, 0,
			   "a view cannot keep the command from the host's abstract UNIX sockets without Landlock "
			   "ABI 6 (Linux 6.12); this kernel has ABI %d",
			   abi);
		tj_err_hint(err, "--unshare net gives the command abstract sockets of its own; --allow-degraded "
				 "unix-sockets runs without that");
		tj_err_degradable(err, "unix-sockets");
		return tj_err_layer(err, LAYER);
	}
	if (wants_net(iso) && abi < TJ_LANDLOCK_ABI_NET && !(iso->degrade & TJ_DEGRADE_LANDLOCK_NET)) {
		tj_err_set(err, TJ_ERR_LAYER, 0,
			   "TCP port rules need Landlock ABI 4 (Linux 6.7); this kernel has ABI %d", abi);
		tj_err_hint(err, "--allow-degraded landlock-net runs without them");
		tj_err_degradable(err, "landlock-net");
		return tj_err_layer(err, LAYER);
	}
	struct tj_buf b = {0};
	tj_buf_addf(&b, "ABI %d", abi);
	for (size_t i = 0; i < iso->ro.n; i++)
		tj_buf_addf(&b, "; read %s", iso->ro.v[i]);
	for (size_t i = 0; i < iso->rw.n; i++)
		tj_buf_addf(&b, "; write %s", iso->rw.v[i]);
	for (size_t i = 0; tj_isolation_wants_landlock_view(iso) && i < iso->nrw_limits; i++)
		tj_buf_addf(&b, "; write %s", iso->rw_limits[i].path);
	for (size_t i = 0; tj_isolation_wants_landlock_view(iso) && i < iso->tmpfs.n; i++)
		tj_buf_addf(&b, "; write %s (tmpfs)", iso->tmpfs.v[i]);
	if (tj_isolation_wants_landlock_view(iso))
		tj_buf_add(&b, "; read and write /dev/null, zero, full, random, urandom");
	for (size_t i = 0; i < iso->exec.n; i++)
		tj_buf_addf(&b, "; execute %s", iso->exec.v[i]);
	if (iso->no_exec) {
		tj_buf_addf(&b, "; execute only %s", plan->exec_path);
		for (size_t i = 0; plan->exec_pins && plan->exec_pins[i]; i++)
			tj_buf_addf(&b, " and %s", plan->exec_pins[i]);
	}
	if (!tj_isolation_wants_landlock_view(iso))
		tj_buf_add(&b, iso->no_exec ? "; reading and writing unrestricted" : "; filesystem unrestricted");
	if (wants_net(iso) && abi >= TJ_LANDLOCK_ABI_NET) {
		if (iso->has_tcp_connect) {
			tj_buf_add(&b, "; TCP connect to");
			bool proxy = plan->net && plan->net->mode == TJ_NET_FILTERED;
			for (size_t i = 0; i < iso->tcp_connect.n; i++)
				tj_buf_addf(&b, "%s%u%s", i ? "," : " ", iso->tcp_connect.v[i],
					    proxy && iso->tcp_connect.v[i] == TJ_PROXY_PORT ? " (the proxy)" : "");
			if (!iso->tcp_connect.n)
				tj_buf_add(&b, " no port");
		}
		if (iso->has_tcp_bind) {
			tj_buf_add(&b, "; TCP bind to");
			for (size_t i = 0; i < iso->tcp_bind.n; i++)
				tj_buf_addf(&b, "%s%u", i ? "," : " ", iso->tcp_bind.v[i]);
			if (!iso->tcp_bind.n)
				tj_buf_add(&b, " no port");
		}
	}
	/* Scoping is tinyjail's addition whenever Landlock is in use: applied
	 * where the kernel has it, never a reason to refuse. */
	if (abi >= TJ_LANDLOCK_ABI_SCOPE)
		tj_buf_add(&b, "; signals and abstract UNIX sockets scoped to the sandbox");
	else
		tj_buf_add(&b, "; no scoping of signals and abstract sockets (needs ABI 6)");
	bool degraded = (wants_net(iso) && abi < TJ_LANDLOCK_ABI_NET) || abstract_open ||
			(tj_isolation_wants_landlock_view(iso) && !iso->hide_sockets);
	if (wants_net(iso) && abi < TJ_LANDLOCK_ABI_NET)
		tj_buf_add(&b, "; TCP port rules NOT enforced (ABI 4 needed; allowed by --allow-degraded)");
	if (abstract_open)
		tj_buf_add(&b, "; the host's abstract UNIX sockets reachable (allowed by --allow-degraded)");
	if (tj_isolation_wants_landlock_view(iso) && !iso->hide_sockets)
		tj_buf_add(&b, "; the host's UNIX socket files reachable: no mount namespace to cover them in "
			       "(allowed by --allow-degraded)");
	tj_manifest_add(m, LAYER, degraded ? TJ_LAYER_DEGRADED : TJ_LAYER_APPLIED, "%s", b.s);
	tj_buf_done(&b);
	return 0;
}

static void add_rule(struct state *s, const char *path, uint64_t access)
{
	if (s->nrules == MAX_RULES || !path)
		return;
	struct rule *r = &s->rules[s->nrules++];
	snprintf(r->path, sizeof(r->path), "%s", path);
	r->access = access;
}

static void add_optional_rule(struct state *s, const char *path, uint64_t access)
{
	add_rule(s, path, access);
	if (s->nrules)
		s->rules[s->nrules - 1].optional = true;
}

static int landlock_prepare(const struct tj_plan *plan, void **ret_state, struct tj_err **err)
{
	const struct tj_isolation *iso = plan->iso;
	struct state *s = tj_xcalloc(1, sizeof(*s));
	s->ruleset = -1;
	*ret_state = s;
	s->abi = tj_sys_landlock_abi();
	if (s->abi < 1) {
		/* Degraded as the probe allowed, or only tinyjail's own
		 * domain was wanted; a probe that worked a moment ago and
		 * fails now is an error (fail closed). */
		if (!landlock_requested(iso) || (iso->degrade & TJ_DEGRADE_LANDLOCK))
			return 0;
		return tj_err_set(err, TJ_ERR_LAYER, -s->abi, "cannot query the Landlock ABI");
	}
	if (!landlock_requested(iso)) {
		/* tinyjail's own domain (above): nothing restricted but what
		 * crosses its border.  The no-walls test hook leaves it out
		 * (with the other walls: notes/testing.md). */
		if (tj_testhook("no-walls"))
			return 0;
		struct tj_landlock_ruleset_attr attr = {0};
		size_t size = sizeof(uint64_t);
		if (s->abi >= TJ_LANDLOCK_ABI_SCOPE) {
			attr.scoped = TJ_LANDLOCK_SCOPE_SIGNAL;
			size = sizeof(attr);
		} else if (s->abi >= TJ_LANDLOCK_ABI_REFER) {
			attr.handled_access_fs = TJ_LANDLOCK_FS_REFER;
		} else {
			return 0;
		}
		s->own_only = true;
		s->handled_fs = attr.handled_access_fs;
		s->ruleset = tj_sys_landlock_create_ruleset(&attr, size);
		if (s->ruleset < 0) {
			int e = -s->ruleset;
			s->ruleset = -1;
			return tj_err_set(err, TJ_ERR_LAYER, e, "cannot create a Landlock ruleset");
		}
		if (attr.handled_access_fs) {
			s->rules = tj_xcalloc(MAX_RULES, sizeof(*s->rules));
			add_rule(s, "/", TJ_LANDLOCK_FS_REFER);
		}
		return 0;
	}

	uint64_t all = tj_landlock_fs_rights(s->abi);
	uint64_t exec = iso->no_exec ? 0 : TJ_LANDLOCK_FS_EXECUTE;
	struct tj_landlock_ruleset_attr attr = {0};
	size_t size = sizeof(uint64_t); /* ABI 1-3 know only handled_access_fs */
	if (tj_isolation_wants_landlock_fs(iso))
		attr.handled_access_fs = tj_isolation_wants_landlock_view(iso) ? all : TJ_LANDLOCK_FS_EXECUTE;
	s->handled_fs = attr.handled_access_fs;
	if (s->abi >= TJ_LANDLOCK_ABI_NET && wants_net(iso)) {
		attr.handled_access_net = (iso->has_tcp_bind ? TJ_LANDLOCK_NET_BIND_TCP : 0) |
					  (iso->has_tcp_connect ? TJ_LANDLOCK_NET_CONNECT_TCP : 0);
		size = offsetof(struct tj_landlock_ruleset_attr, scoped);
	}
	if (s->abi >= TJ_LANDLOCK_ABI_SCOPE) {
		attr.scoped = TJ_LANDLOCK_SCOPE_ABSTRACT_UNIX | TJ_LANDLOCK_SCOPE_SIGNAL;
		size = sizeof(attr);
	}
	/* Nothing this kernel can handle (port rules degraded on ABI < 4, no
	 * scoping before ABI 6): no ruleset at all, as the probe reported. */
	if (!attr.handled_access_fs && !attr.handled_access_net && !attr.scoped)
		return 0;
	s->ruleset = tj_sys_landlock_create_ruleset(&attr, size);
	if (s->ruleset < 0) {
		int e = -s->ruleset;
		s->ruleset = -1;
		return tj_err_set(err, TJ_ERR_LAYER, e, "cannot create a Landlock ruleset");
	}

	s->rules = tj_xcalloc(MAX_RULES, sizeof(*s->rules));
	for (size_t i = 0; i < iso->ro.n; i++)
		add_rule(s, iso->ro.v[i], FS_READ | exec);
	for (size_t i = 0; i < iso->rw.n; i++)
		add_rule(s, iso->rw.v[i], (all & ~TJ_LANDLOCK_FS_EXECUTE) | exec);
	/* Private scratch space and size-limited directories are writable
	 * inside a view. */
	for (size_t i = 0; i < iso->nrw_limits; i++)
		add_rule(s, iso->rw_limits[i].path, (all & ~TJ_LANDLOCK_FS_EXECUTE) | exec);
	for (size_t i = 0; i < iso->tmpfs.n; i++)
		add_rule(s, iso->tmpfs.v[i], (all & ~TJ_LANDLOCK_FS_EXECUTE) | exec);
	for (size_t i = 0; tj_isolation_wants_landlock_view(iso) && i < TJ_ARRAY_SIZE(view_devices); i++)
		add_optional_rule(s, view_devices[i], TJ_LANDLOCK_FS_READ_FILE | TJ_LANDLOCK_FS_WRITE_FILE);
	for (size_t i = 0; i < iso->exec.n; i++)
		add_rule(s, iso->exec.v[i], TJ_LANDLOCK_FS_EXECUTE | FS_READ);
	if (iso->no_exec) {
		/* The command itself (readable too: an interpreter reads a
		 * script), and what the kernel opens to start it, which needs
		 * the execute right only. */
		add_rule(s, plan->exec_path, TJ_LANDLOCK_FS_EXECUTE | TJ_LANDLOCK_FS_READ_FILE);
		for (size_t i = 0; plan->exec_pins && plan->exec_pins[i]; i++)
			add_rule(s, plan->exec_pins[i], TJ_LANDLOCK_FS_EXECUTE);
	}
	if (s->nrules == MAX_RULES)
		return tj_err_set(err, TJ_ERR_LAYER, 0, "too many Landlock rules (at most %d)", MAX_RULES);
	if (s->abi >= TJ_LANDLOCK_ABI_NET) {
		s->bind_ports = iso->tcp_bind.v;
		s->nbind = iso->has_tcp_bind ? iso->tcp_bind.n : 0;
		s->connect_ports = iso->tcp_connect.v;
		s->nconnect = iso->has_tcp_connect ? iso->tcp_connect.n : 0;
	}
	return 0;
}

static int landlock_enter(const struct tj_plan *plan, void *state, struct tj_child_error *cerr)
{
	(void)plan;
	struct state *s = state;
	if (s->ruleset < 0)
		return 0;
	for (size_t i = 0; i < s->nrules; i++) {
		const struct rule *r = &s->rules[i];
		int fd = open(r->path, O_PATH | O_CLOEXEC);
		struct stat st;
		if (fd < 0 && r->optional && errno == ENOENT)
			continue;
		if (fd < 0 || fstat(fd, &st) < 0)
			return tj_child_fail_path(cerr, TJ_ERR_LAYER, errno, LAYER, "cannot open the path of a rule",
						  r->path);
		uint64_t access = r->access & s->handled_fs;
		if (!S_ISDIR(st.st_mode))
			access &= FS_FILE_RIGHTS;
		struct tj_landlock_path_beneath_attr pb = {.allowed_access = access, .parent_fd = fd};
		int rc = access ? tj_sys_landlock_add_rule(s->ruleset, TJ_LANDLOCK_RULE_PATH_BENEATH, &pb) : 0;
		close(fd);
		if (rc < 0)
			return tj_child_fail_path(cerr, TJ_ERR_LAYER, -rc, LAYER, "cannot add the rule for", r->path);
	}
	for (size_t i = 0; i < s->nbind + s->nconnect; i++) {
		bool bind = i < s->nbind;
		struct tj_landlock_net_port_attr np = {
			.allowed_access = bind ? TJ_LANDLOCK_NET_BIND_TCP : TJ_LANDLOCK_NET_CONNECT_TCP,
			.port = bind ? s->bind_ports[i] : s->connect_ports[i - s->nbind],
		};
		int rc = tj_sys_landlock_add_rule(s->ruleset, TJ_LANDLOCK_RULE_NET_PORT, &np);
		if (rc < 0)
			return tj_child_fail(cerr, TJ_ERR_LAYER, -rc, LAYER, "cannot add a Landlock port rule");
	}
	/* no_new_privs is already set (launch.c): Landlock requires it. */
	int rc = tj_sys_landlock_restrict_self(s->ruleset);
	if (rc < 0)
		return tj_child_fail(cerr, TJ_ERR_LAYER, -rc, LAYER, "cannot enforce the Landlock ruleset");
	return 0;
}

static void landlock_release(void *state)
{
	struct state *s = state;
	if (!s)
		return;
	tj_closep(&s->ruleset);
	free(s->rules);
	free(s);
}

const struct tj_layer tj_layer_landlock = {
	.name = LAYER,
	.wanted = landlock_wanted,
	.probe = landlock_probe,
	.prepare = landlock_prepare,
	.enter = landlock_enter,
	.release = landlock_release,
};
