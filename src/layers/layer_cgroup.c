/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The cgroup layer: one cgroup per sandbox in every hierarchy it needs
 * (the v2 hierarchy for cgroup.kill and the controllers it offers, v1
 * hierarchies for the others), the limits written before the command runs,
 * the command moved in by the parent before it goes on, and everything
 * killed and removed at the end, on every path.
 *
 * Also a service (struct tj_cgroup_service, link) that the host network
 * rules attach to and the monitor ends the whole tree or signals it
 * through; at the end (collect) peak memory, OOM kills, refused forks and
 * throttling.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "tj/base/cleanup.h"
#include "tj/layers/cgroup.h"
#include "tj/layers/layer.h"
#include "tj/net/netrules.h"

#define LAYER "cgroup"
#define MAX_DIRS 4 /* v2 + v1 memory, cpu, pids (freezer shares when needed) */

struct cg_dir {
	char *path;   /* the sandbox's cgroup */
	int fd;	      /* open directory */
	int procs_fd; /* cgroup.procs, for moving the command in */
	const struct tj_cg_ops *ops;
	unsigned controllers; /* the limits applied here (1u << enum tj_cg_controller) */
	bool freezer;	      /* v1 freezer: how to stop the tree without v2 */
};

struct state {
	struct cg_dir dirs[MAX_DIRS];
	size_t n;
	int v2;		 /* index in dirs of the v2 cgroup (for cgroup.kill), or -1 */
	int frz;	 /* index of the v1 freezer cgroup, or -1 */
	bool born_in_v2; /* clone3 made the child in the v2 cgroup already */
	struct tj_cgroup_service service;
};

static bool wants(const struct tj_limits *l, enum tj_cg_controller c)
{
	switch (c) {
	case TJ_CG_MEMORY: return l->has_memory;
	case TJ_CG_CPU: return l->has_cpu;
	case TJ_CG_PIDS: return l->has_pids;
	default: return false;
	}
}

static unsigned degrade_bit(enum tj_cg_controller c)
{
	switch (c) {
	case TJ_CG_MEMORY: return TJ_DEGRADE_MEMORY;
	case TJ_CG_CPU: return TJ_DEGRADE_CPU;
	case TJ_CG_PIDS: return TJ_DEGRADE_PIDS;
	default: return 0;
	}
}

static bool cgroup_wanted(const struct tj_plan *plan)
{
	/* A timeout alone also wants a cgroup: it is the reliable way to
	 * kill a whole tree.  Without one the monitor falls back to a sweep.
	 * The host network rules attach to its v2 cgroup. */
	return (plan->limits && (tj_limits_want_cgroup(plan->limits) || plan->limits->timeout_ms)) ||
	       tj_net_host_rules(plan->net);
}

/* A sandbox cgroup that enforces something needs the cgroup file systems
 * read-only for the command: a process that may write cgroup.procs could
 * otherwise leave its cgroup, and its limits and network rules with it.  A
 * timeout alone does not: leftovers are swept. */
static void cgroup_compose(const struct tj_plan *plan, struct tj_isolation *iso)
{
	if ((plan->limits && tj_limits_want_cgroup(plan->limits)) || tj_net_host_rules(plan->net))
		iso->protect_cgroups = true;
}

static void describe_limit(const struct tj_limits *l, enum tj_cg_controller c, char *buf, size_t size)
{
	char v[32];
	switch (c) {
	case TJ_CG_MEMORY:
		tj_format_bytes(l->memory, v, sizeof(v));
		snprintf(buf, size, "memory %s (no swap)", v);
		break;
	case TJ_CG_CPU:
		snprintf(buf, size, "cpu %llu%% of one CPU (%llu us per %llu us)",
			 (unsigned long long)(l->cpu_quota * 100 / l->cpu_period), (unsigned long long)l->cpu_quota,
			 (unsigned long long)l->cpu_period);
		break;
	case TJ_CG_PIDS: snprintf(buf, size, "pids %llu", (unsigned long long)l->pids); break;
	default: snprintf(buf, size, "%s", tj_cg_controller_name(c));
	}
}

static char *sandbox_parent(const struct tj_cg_system *sys, int index)
{
	const struct tj_cg_hierarchy *h = &sys->h[index];
	if (h->version == 2)
		return tj_xasprintf("%s/tinyjail", sys->v2_base);
	/* v1: under our own cgroup, so that its limits still bound us. */
	tj_autofree char *own = tj_cg_own_dir(h);
	return tj_xasprintf("%s/tinyjail", own);
}

static int cgroup_probe(const struct tj_plan *plan, struct tj_manifest *m, struct tj_err **err)
{
	static const struct tj_limits none;
	const struct tj_limits *l = plan->limits ? plan->limits : &none;
	struct tj_cg_system sys;
	if (tj_cg_discover("/proc/self", geteuid(), &sys, err) < 0)
		return tj_err_layer(err, LAYER);
	int ret = 0;
	/* Every limit this host cannot enforce, named at once with the one
	 * --allow-degraded list that runs without them all. */
	struct tj_buf what_failed = {0}, names = {0};
	for (int c = 0; c < TJ_CG_FREEZER; c++) {
		if (!wants(l, (enum tj_cg_controller)c))
			continue;
		char what[96];
		describe_limit(l, (enum tj_cg_controller)c, what, sizeof(what));
		int idx = sys.chosen[c];
		if (idx >= 0) {
			char *parent = sandbox_parent(&sys, idx);
			tj_manifest_add(m, LAYER, TJ_LAYER_APPLIED, "%s: cgroup v%d, under %s", what,
					sys.h[idx].version, parent);
			free(parent);
		} else if (l->degrade & degrade_bit((enum tj_cg_controller)c)) {
			tj_manifest_add(m, LAYER, TJ_LAYER_DEGRADED, "%s: not enforced (--allow-degraded): %s", what,
					sys.why[c]);
		} else {
			tj_buf_addf(&what_failed, "%s%s: %s", what_failed.len ? "; nor " : "", what, sys.why[c]);
			tj_buf_addf(&names, "%s%s", names.len ? "," : "",
				    tj_cg_controller_name((enum tj_cg_controller)c));
			ret = -1;
		}
	}
	if (ret < 0) {
		tj_err_set(err, TJ_ERR_LAYER, 0, "cannot enforce %s", what_failed.s);
		tj_err_hint(err,
			    geteuid() == 0
				    ? "pass --allow-degraded %s to run without %s"
				    : "run as root, or get a delegated cgroup (systemd-run --user --scope -p "
				      "Delegate=yes tinyjail ...; then TINYJAIL_CGROUP_PARENT=<that scope's parent>), "
				      "or pass --allow-degraded %s to run without %s",
			    names.s, strchr(names.s, ',') ? "these limits" : "this limit");
		tj_err_degradable(err, names.s);
		tj_err_layer(err, LAYER);
	}
	tj_buf_done(&what_failed);
	tj_buf_done(&names);
	if (ret == 0 && l->timeout_ms) {
		const char *how = sys.v2_base ? "cgroup.kill (cgroup v2)"
				  : sys.chosen[TJ_CG_FREEZER] >= 0
					  ? "the cgroup v1 freezer"
					  : "a sweep of tinyjail's descendants (no usable cgroup)";
		char t[32];
		tj_format_ms(l->timeout_ms, t, sizeof(t));
		tj_manifest_add(m, LAYER, TJ_LAYER_APPLIED, "timeout %s: the whole tree is killed with %s", t, how);
	}
	tj_cg_system_done(&sys);
	return ret;
}

/* Kills what is left in a cgroup and removes it; used for our own cgroup at
 * the end and for stale ones a SIGKILLed tinyjail left behind. */
static void kill_contents(int dirfd, int version)
{
	if (version == 2) {
		struct tj_err *e = NULL;
		if (tj_cg_write(dirfd, "cgroup.kill", "1", &e) == 0)
			return;
		tj_err_free(e); /* before Linux 5.14: kill by list below */
	}
	pid_t pids[512];
	for (int round = 0; round < 50; round++) {
		size_t n = tj_cg_read_procs(dirfd, pids, TJ_ARRAY_SIZE(pids));
		if (n == 0)
			return;
		for (size_t i = 0; i < n; i++)
			kill(pids[i], SIGKILL);
		struct timespec ts = {0, 2 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
}

static void remove_dir(const char *path)
{
	/* The kernel frees a cgroup shortly after its last task exits; rmdir
	 * fails with EBUSY until then.  Wait up to about two seconds. */
	for (int i = 0; i < 200; i++) {
		if (rmdir(path) == 0 || errno == ENOENT)
			return;
		if (errno != EBUSY && errno != ENOTEMPTY)
			return;
		struct timespec ts = {0, 10 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
}

static void reap_stale(const char *parent, int version)
{
	DIR *d = opendir(parent);
	if (!d)
		return;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (!tj_cg_name_is_stale(e->d_name))
			continue;
		tj_autofree char *path = tj_xasprintf("%s/%s", parent, e->d_name);
		int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd >= 0) {
			kill_contents(fd, version);
			close(fd);
		}
		remove_dir(path);
	}
	closedir(d);
}

static int make_dir(struct state *s, const struct tj_cg_system *sys, int index, unsigned controllers, bool freezer,
		    struct tj_err **err)
{
	const struct tj_cg_hierarchy *h = &sys->h[index];
	tj_autofree char *parent = sandbox_parent(sys, index);
	if (mkdir(parent, 0755) < 0 && errno != EEXIST)
		return tj_err_set(err, TJ_ERR_LAYER, errno, "cannot create cgroup '%s'", parent);
	reap_stale(parent, h->version);
	if (h->version == 2 && controllers) {
		/* Our own parent has no processes, so it may hand controllers
		 * down to the sandbox's cgroup. */
		char list[64] = "";
		for (int c = 0; c < TJ_CG_FREEZER; c++)
			if (controllers & (1u << c))
				snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s+%s", *list ? " " : "",
					 tj_cg_controller_name((enum tj_cg_controller)c));
		int pfd = open(parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (pfd < 0)
			return tj_err_set(err, TJ_ERR_LAYER, errno, "cannot open cgroup '%s'", parent);
		int r = tj_cg_write(pfd, "cgroup.subtree_control", list, err);
		close(pfd);
		if (r < 0)
			return tj_err_wrap(err, "%s", parent);
	}
	char name[64];
	tj_cg_sandbox_name(getpid(), name, sizeof(name));
	struct cg_dir *d = &s->dirs[s->n];
	d->path = tj_xasprintf("%s/%s", parent, name);
	d->fd = d->procs_fd = -1;
	if (mkdir(d->path, 0755) < 0) {
		int e = errno;
		free(d->path);
		d->path = NULL;
		return tj_err_set(err, TJ_ERR_LAYER, e, "cannot create cgroup '%s/%s'", parent, name);
	}
	s->n++; /* from here release() removes it */
	d->ops = h->version == 2 ? &tj_cg_v2 : &tj_cg_v1;
	d->controllers = controllers;
	d->freezer = freezer;
	d->fd = open(d->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (d->fd < 0)
		return tj_err_set(err, TJ_ERR_LAYER, errno, "cannot open cgroup '%s'", d->path);
	d->procs_fd = openat(d->fd, "cgroup.procs", O_WRONLY | O_CLOEXEC);
	if (d->procs_fd < 0)
		return tj_err_set(err, TJ_ERR_LAYER, errno, "cannot open '%s/cgroup.procs'", d->path);
	return 0;
}

static int apply_limits(const struct cg_dir *d, const struct tj_limits *l, struct tj_err **err)
{
	int r = 0;
	if (r == 0 && (d->controllers & (1u << TJ_CG_MEMORY)))
		r = d->ops->set_memory(d->fd, l->memory, err);
	if (r == 0 && (d->controllers & (1u << TJ_CG_CPU)))
		r = d->ops->set_cpu(d->fd, l->cpu_quota, l->cpu_period, err);
	if (r == 0 && (d->controllers & (1u << TJ_CG_PIDS)))
		r = d->ops->set_pids(d->fd, l->pids, err);
	if (r < 0)
		tj_err_wrap(err, "%s", d->path);
	return r;
}

static int cgroup_prepare(const struct tj_plan *plan, void **ret_state, struct tj_err **err)
{
	static const struct tj_limits none;
	const struct tj_limits *l = plan->limits ? plan->limits : &none;
	struct state *s = tj_xcalloc(1, sizeof(*s));
	s->v2 = s->frz = -1;
	*ret_state = s;
	struct tj_cg_system sys;
	if (tj_cg_discover("/proc/self", geteuid(), &sys, err) < 0)
		return -1;

	/* The probe found every wanted controller a moment ago; one that is
	 * gone now is an error, not a limit quietly dropped (only those the
	 * user allowed to degrade are skipped). */
	for (int c = 0; c < TJ_CG_FREEZER; c++) {
		if (!wants(l, (enum tj_cg_controller)c) || sys.chosen[c] >= 0 ||
		    (l->degrade & degrade_bit((enum tj_cg_controller)c)))
			continue;
		char what[96];
		describe_limit(l, (enum tj_cg_controller)c, what, sizeof(what));
		tj_err_set(err, TJ_ERR_LAYER, 0, "cannot enforce %s: %s", what, sys.why[c] ? sys.why[c] : "no cgroup");
		tj_cg_system_done(&sys);
		return -1;
	}
	/* Which hierarchy gets which limits; degraded limits are skipped. */
	unsigned per_h[16] = {0};
	for (int c = 0; c < TJ_CG_FREEZER; c++)
		if (wants(l, (enum tj_cg_controller)c) && sys.chosen[c] >= 0 && sys.chosen[c] < 16)
			per_h[sys.chosen[c]] |= 1u << c;
	int ret = 0;
	if (sys.v2_base) {
		/* Always a v2 cgroup when we may make one: cgroup.kill ends the
		 * whole tree, whatever else the command started. */
		ret = make_dir(s, &sys, sys.v2, per_h[sys.v2], false, err);
		s->v2 = ret == 0 ? (int)s->n - 1 : -1;
		per_h[sys.v2] = 0;
	}
	for (size_t i = 0; ret == 0 && i < sys.n && i < 16; i++) {
		bool freezer = s->v2 < 0 && (int)i == sys.chosen[TJ_CG_FREEZER];
		if (!per_h[i] && !freezer)
			continue;
		if (s->n == MAX_DIRS)
			break;
		ret = make_dir(s, &sys, (int)i, per_h[i], freezer, err);
		if (ret == 0 && freezer)
			s->frz = (int)s->n - 1;
	}
	for (size_t i = 0; ret == 0 && i < s->n; i++)
		ret = apply_limits(&s->dirs[i], l, err);
	tj_cg_system_done(&sys);
	return ret;
}

/* The child waits (sync_after_started) until it is in.  Each write to a
 * cgroup.procs takes the kernel's global cgroup_threadgroup_rwsem for
 * writing, and the first of a burst waits for an RCU grace period (1-30 ms
 * here; notes/performance.md): the v2 cgroup is therefore given to clone3
 * (CLONE_INTO_CGROUP, launch.c), and only v1 hierarchies, which have no such
 * flag, are written here. */
static int cgroup_started(const struct tj_plan *plan, void *state, pid_t child, struct tj_err **err)
{
	(void)plan;
	struct state *s = state;
	char pid[32];
	snprintf(pid, sizeof(pid), "%d", (int)child);
	for (size_t i = 0; i < s->n; i++) {
		if ((int)i == s->v2 && s->born_in_v2)
			continue;
		ssize_t n = write(s->dirs[i].procs_fd, pid, strlen(pid));
		if (n != (ssize_t)strlen(pid))
			return tj_err_set(err, TJ_ERR_LAYER, errno, "cannot move the command into cgroup '%s'",
					  s->dirs[i].path);
	}
	return 0;
}

static void cgroup_release(void *state)
{
	struct state *s = state;
	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++) {
		struct cg_dir *d = &s->dirs[i];
		if (d->fd >= 0)
			kill_contents(d->fd, d->ops->version);
		tj_closep(&d->procs_fd);
		tj_closep(&d->fd);
		remove_dir(d->path);
		free(d->path);
	}
	free(s);
}

/* --- the service: for the host network rules and the monitor --- */

static int service_kill(void *ctx)
{
	struct state *s = ctx;
	if (s->v2 >= 0) {
		kill_contents(s->dirs[s->v2].fd, 2);
		return 0;
	}
	if (s->frz < 0)
		return -1;
	/* v1: freeze, so that nothing forks while we kill, then thaw. */
	const struct cg_dir *d = &s->dirs[s->frz];
	struct tj_err *e = NULL;
	if (tj_cg_write(d->fd, "freezer.state", "FROZEN", &e) < 0) {
		tj_err_free(e);
		kill_contents(d->fd, 1);
		return 0;
	}
	pid_t pids[4096];
	size_t n = tj_cg_read_procs(d->fd, pids, TJ_ARRAY_SIZE(pids));
	for (size_t i = 0; i < n; i++)
		kill(pids[i], SIGKILL);
	tj_cg_write(d->fd, "freezer.state", "THAWED", &e);
	tj_err_free(e);
	return 0;
}

static int service_signal(void *ctx, int sig)
{
	struct state *s = ctx;
	if (s->n == 0)
		return -1;
	pid_t pids[4096];
	size_t n = tj_cg_read_procs(s->dirs[0].fd, pids, TJ_ARRAY_SIZE(pids));
	for (size_t i = 0; i < n; i++)
		kill(pids[i], sig);
	return 0;
}

static int cgroup_link(void *state, struct tj_services *svc, struct tj_err **err)
{
	(void)err;
	struct state *s = state;
	if (s->n == 0)
		return 0;
	s->service = (struct tj_cgroup_service){
		.ctx = s,
		.kill = service_kill,
		.signal = service_signal,
		.v2_fd = s->v2 >= 0 ? s->dirs[s->v2].fd : -1,
		.v2_path = s->v2 >= 0 ? s->dirs[s->v2].path : NULL,
		.born_in_v2 = &s->born_in_v2,
	};
	svc->cgroup = &s->service;
	return 0;
}

/* Peak memory, OOM kills, refused forks, throttled periods: read once the
 * tree is gone, before release removes the cgroups. */
static void cgroup_collect(void *state, struct tj_layer_results *out)
{
	struct state *s = state;
	struct tj_cgroup_stats *cg = &out->cg;
	memset(cg, 0, sizeof(*cg));
	for (size_t i = 0; i < s->n; i++) {
		const struct cg_dir *d = &s->dirs[i];
		if (d->controllers & (1u << TJ_CG_MEMORY)) {
			cg->has_memory_peak = d->ops->memory_peak(d->fd, &cg->memory_peak) == 0;
			d->ops->oom_kills(d->fd, &cg->oom_kills);
		}
		if (d->controllers & (1u << TJ_CG_PIDS))
			d->ops->pids_refused(d->fd, &cg->pids_refused);
		if (d->controllers & (1u << TJ_CG_CPU))
			d->ops->cpu_throttled(d->fd, &cg->cpu_throttled);
	}
}

const struct tj_layer tj_layer_cgroup = {
	.name = LAYER,
	.sync_after_started = true,
	.wanted = cgroup_wanted,
	.compose = cgroup_compose,
	.probe = cgroup_probe,
	.prepare = cgroup_prepare,
	.link = cgroup_link,
	.started = cgroup_started,
	.collect = cgroup_collect,
	.release = cgroup_release,
};
