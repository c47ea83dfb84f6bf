/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Building the launch plan (plan.h): the profile and the flags merged, every
 * cross-option check, the filter, the environment, the command, the probes.
 * The order is run's: an error found earlier wins over one found later.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "plan_internal.h"
#include "tj/base/cleanup.h"
#include "tj/base/exefile.h"
#include "tj/base/jsonpos.h"
#include "tj/base/phase.h"
#include "tj/base/sys.h"
#include "tj/base/testhook.h"
#include "tj/filter/hardening.h"
#include "tj/filter/notify.h"
#include "tj/json/profile_json.h"
#include "tj/launch/launch.h"
#include "tj/launch/observe.h"
#include "tj/model/policy.h"
#include "tj/net/netrules.h"
#include "tj/net/proxy.h"
#include "tj/plan/plan.h"

extern char **environ;

/* --- messages --- */

void tj_plan_msg_add(struct tj_plan_msgs *m, int verbosity, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *text = tj_xvasprintf(fmt, ap);
	va_end(ap);
	m->v = tj_xrealloc(m->v, (m->n + 1) * sizeof(*m->v));
	m->v[m->n++] = (struct tj_plan_msg){.verbosity = verbosity, .text = text};
}

void tj_plan_msg_notes(struct tj_plan_msgs *m, int verbosity, const char *label, const char *file,
		       const struct tj_notes *notes)
{
	for (size_t i = 0; m && i < notes->n; i++) {
		const struct tj_note *n = &notes->v[i];
		bool path = n->json_path && n->json_path[0];
		tj_plan_msg_add(m, verbosity, "%s: %s%s%s%s%s", label, file ? file : "", file ? ": " : "",
				path ? n->json_path : "", path ? ": " : "", n->msg);
	}
}

void tj_plan_msgs_done(struct tj_plan_msgs *m)
{
	for (size_t i = 0; i < m->n; i++)
		free(m->v[i].text);
	free(m->v);
	m->v = NULL;
	m->n = 0;
}

/* --- where a value came from --- */

int tj_plan_fail_at(const struct tj_profile *p, const char *json_path, struct tj_err **err)
{
	if (!p)
		return -1;
	tj_err_at(err, p->file, json_path);
	int line, col;
	if (json_path && p->text && tj_jsonpos_locate(p->text, p->text_len, json_path, &line, &col))
		tj_err_position(err, line, col);
	return -1;
}

/* --- loading --- */

int tj_plan_load_profile(const char *arg, struct tj_plan_msgs *msgs, struct tj_profile **ret, struct tj_err **err)
{
	tj_autofree char *path = NULL;
	/* A bundled profile is shown by its real path, not the search path. */
	tj_autofree char *shown = NULL;
	if (tj_policy_find(arg, &path, err) < 0)
		return -1;
	if (strcmp(path, arg) != 0)
		shown = realpath(path, NULL);
	if (tj_profile_load_file(path, shown ? shown : arg, ret, err) < 0)
		return -1;
	tj_plan_msg_notes(msgs, 0, "warning", (*ret)->file, &(*ret)->warnings);
	return 0;
}

void tj_plan_target_host(uint64_t keep_caps, struct tj_host *host)
{
	tj_host_detect(host);
	host->caps = keep_caps;
}

/* --- cross-option checks --- */

/* Option combinations that cannot work, found before anything runs. */
static int check_run_options(const struct tj_options *o, struct tj_err **err)
{
	if (o->notify_socket && o->mode == TJ_MODE_COMPLAIN)
		return tj_err_set(err, TJ_ERR_USAGE, 0,
				  "--notify-socket applies to enforce mode: in complain mode "
				  "tinyjail itself records every call the profile would deny");
	if (o->complain_kmsg && o->report == TJ_REPORT_USAGE)
		return tj_err_set(err, TJ_ERR_USAGE, 0,
				  "--report=usage needs seccomp user notification, not "
				  "--complain=kmsg (the kernel log does not record allowed calls)");
	if (o->explain.n && (o->complain_kmsg || o->notify_socket || o->kernel_kills))
		return tj_err_set(err, TJ_ERR_USAGE, 0, "--explain needs tinyjail's own seccomp listener, not %s",
				  o->complain_kmsg   ? "--complain=kmsg"
				  : o->notify_socket ? "--notify-socket"
						     : "--kill-via=kernel");
	if (o->explain_stacks && !o->explain.n)
		return tj_err_set(err, TJ_ERR_USAGE, 0, "--explain-stacks goes with --explain");
	return 0;
}

/* --explain: the syscalls' numbers, and what the run records beyond
 * denials (with --log, --report=usage writes allowed calls, and with it or
 * --explain the process tree); the listener is also told of the calls that
 * the records need (forks, execs, exits: a process's modules change, its
 * pid is reused). */
static int plan_recording(const struct tj_options *o, struct tj_launch_plan *lp, struct tj_err **err)
{
	if (o->explain.n)
		lp->explain_nrs = tj_xcalloc(o->explain.n, sizeof(*lp->explain_nrs));
	for (size_t i = 0; i < o->explain.n; i++)
		if (tj_syscall_resolve(o->explain.v[i], &lp->explain_nrs[i]) != TJ_SYSCALL_NATIVE)
			return tj_err_set(err, TJ_ERR_USAGE, 0, "--explain: '%s' is not an x86_64 syscall",
					  o->explain.v[i]);
	if (o->log_path && o->report == TJ_REPORT_USAGE)
		lp->recording |= TJ_RECORD_USAGE | TJ_RECORD_PROCESSES;
	if (o->explain.n)
		lp->recording |= TJ_RECORD_EXPLAIN | (o->log_path ? TJ_RECORD_PROCESSES : 0);
	lp->notify_nrs = tj_xcalloc(o->explain.n + 8, sizeof(*lp->notify_nrs));
	for (size_t i = 0; i < o->explain.n; i++)
		lp->notify_nrs[lp->notify_n++] = lp->explain_nrs[i];
	for (size_t i = 0; lp->recording && tj_observe_lifecycle_names[i]; i++) {
		const char *name = tj_observe_lifecycle_names[i];
		bool for_stacks = strncmp(name, "execve", 6) == 0 || strcmp(name, "exit_group") == 0;
		int nr;
		if (((lp->recording & TJ_RECORD_PROCESSES) || for_stacks) && !tj_strv_contains(&o->explain, name) &&
		    tj_syscall_resolve(name, &nr) == TJ_SYSCALL_NATIVE)
			lp->notify_nrs[lp->notify_n++] = nr;
	}
	return 0;
}

/* --net host and a network namespace exclude each other. */
static int check_host_netns(const struct tj_options *o, const struct tj_profile *p, const struct tj_launch_plan *lp,
			    struct tj_err **err)
{
	if (lp->net.mode != TJ_NET_HOST || !(lp->iso.unshare & TJ_NS_NET))
		return 0;
	if (o->net.mode == TJ_NET_HOST || (o->iso.unshare & TJ_NS_NET) || !p)
		return tj_err_set(err, TJ_ERR_USAGE, 0,
				  "--net host contradicts --unshare net (or the profile's network namespace)");
	/* Both from the profile: say where. */
	tj_err_set(err, TJ_ERR_PROFILE, 0,
		   "tinyjail.network.mode host contradicts the network namespace of linux.namespaces");
	return tj_plan_fail_at(p, "linux.namespaces", err);
}

/* Capabilities that would let the command go around the host network
 * rules: raw sockets have no connect or sendmsg hook, and the BPF and
 * admin capabilities can detach the programs or leave the cgroup.  The
 * message names what kept the capability: --cap-keep or the profile's
 * process.capabilities. */
static int check_host_rules(const struct tj_options *o, const struct tj_profile *p, const struct tj_launch_plan *lp,
			    struct tj_err **err)
{
	if (!tj_net_host_rules(&lp->net))
		return 0;
	static const struct {
		int cap;
		const char *name;
	} around[] = {{13, "CAP_NET_RAW"}, {12, "CAP_NET_ADMIN"}, {21, "CAP_SYS_ADMIN"}, {39, "CAP_BPF"}};
	/* Whose rules: the flags' when any --net option asks for them. */
	const char *rules = tj_net_host_rules(&o->net) || !p ? "the --net host rules"
							     : "the host network rules of tinyjail.network";
	for (size_t i = 0; i < TJ_ARRAY_SIZE(around); i++) {
		uint64_t bit = 1ULL << around[i].cap;
		if (!(lp->iso.keep_caps & bit))
			continue;
		if ((o->iso.keep_caps & bit) || !p)
			return tj_err_set(err, TJ_ERR_USAGE, 0, "--cap-keep %s would let the command go around %s",
					  around[i].name, rules);
		tj_err_set(err, TJ_ERR_PROFILE, 0, "the profile keeps %s, which would let the command go around %s",
			   around[i].name, rules);
		tj_err_hint(err, "remove %s from process.capabilities, or use --net allow= (the proxy) instead",
			    around[i].name);
		return tj_plan_fail_at(p, "process.capabilities", err);
	}
	return 0;
}

/* --kill-after is the grace after the timeout's SIGTERM (the profile's
 * loader refuses tinyjail.killAfter alone). */
static int check_kill_after(const struct tj_limits *l, struct tj_err **err)
{
	if (l->kill_after_ms && !l->timeout_ms)
		return tj_err_set(err, TJ_ERR_USAGE, 0, "--kill-after needs a timeout (--timeout or tinyjail.timeout)");
	return 0;
}

/* --afl: afl-fuzz's forkserver works in neither a pid nor an IPC
 * namespace, nor with limits that end or confine the command from outside
 * (the merged options: a profile may ask for them). */
static int check_afl_run(const struct tj_isolation *iso, const struct tj_limits *limits, struct tj_err **err)
{
	if (!iso->afl_forkserver)
		return 0;
	if (iso->unshare & (TJ_NS_PID | TJ_NS_IPC))
		return tj_err_set(err, TJ_ERR_USAGE, 0,
				  "--afl: the profile asks for a %s namespace, which afl-fuzz's forkserver cannot work "
				  "in (notes/fuzz-learn.md)",
				  iso->unshare & TJ_NS_PID ? "pid" : "IPC");
	if (limits->timeout_ms || limits->has_memory || limits->has_cpu || limits->has_pids || iso->nrw_limits ||
	    iso->no_new_processes)
		return tj_err_set(err, TJ_ERR_USAGE, 0,
				  "--afl: the profile sets a timeout, a cgroup limit, a size-limited directory or no "
				  "new processes, which afl-fuzz's forkserver cannot work with (notes/fuzz-learn.md)");
	return 0;
}

/* --- the environment and the command --- */

/* The command's environment: the identity's variables, the profile's
 * policy, then the flags'.  The command is found through the new PATH, as
 * env(1) does. */
static void build_env(const struct tj_options *o, const struct tj_profile *profile, struct tj_launch_plan *lp)
{
	struct tj_env_policy envp = {0};
	if (lp->iso.user) {
		tj_autofree char *user = tj_xasprintf("USER=%s", lp->id.name);
		tj_autofree char *logname = tj_xasprintf("LOGNAME=%s", lp->id.name);
		tj_autofree char *home = tj_xasprintf("HOME=%s", lp->id.home);
		tj_strv_add(&envp.set, user);
		tj_strv_add(&envp.set, logname);
		tj_strv_add(&envp.set, home);
	}
	if (profile)
		tj_env_merge(&envp, &profile->env);
	tj_env_merge(&envp, &o->env);
	tj_env_build_report(&envp, environ, &lp->env, &lp->env_report);
	tj_env_done(&envp);
	/* Filtered mode: the proxy is the only way out, so every client that
	 * honours the usual variables uses it; no_proxy would send some names
	 * around it, into a namespace with no route. */
	if (lp->net.mode == TJ_NET_FILTERED)
		tj_env_set_proxy(&lp->env, TJ_PROXY_URL);
}

/* --- tinyjail's own rules --- */

int tj_plan_hardening(const struct tj_isolation *iso, struct tj_filter **ret, struct tj_err **err)
{
	/* Without Landlock's signal scoping (ABI 6) the command could stop or
	 * kill tinyjail, whose uid and process group it shares: the guard
	 * rules refuse that instead.  In a pid namespace tinyjail's pid means
	 * nothing to the command, but its process group still does. */
	struct tj_hardening_guard guard = {0};
	bool pidns = tj_isolation_namespaces(iso, geteuid() == 0) & TJ_NS_PID;
	bool guarded = tj_sys_landlock_abi() < TJ_LANDLOCK_ABI_SCOPE && !tj_testhook("no-walls");
	if (guarded) {
		guard.self = pidns ? 0 : getpid();
		guard.pgrp = pidns ? 0 : getpgrp();
	}
	return tj_hardening_compile(iso, guarded ? &guard : NULL, ret, err);
}

/* --- the whole plan --- */

int tj_plan_build(const struct tj_plan_request *req, struct tj_launch_plan *lp, struct tj_err **err)
{
	const struct tj_options *o = req->o;
	bool run = req->purpose == TJ_PLAN_RUN;
	memset(lp, 0, sizeof(*lp));

	if (check_run_options(o, err) < 0 || plan_recording(o, lp, err) < 0)
		return -1;
	lp->plan.mode = req->set_mode ? req->mode : o->mode;
	const struct tj_profile *profile = req->in_memory ? req->profile : NULL;
	const char *profile_arg = o->profile ? o->profile : "default";
	tj_phase("parse");
	if (!req->in_memory && strcmp(profile_arg, "none") != 0) {
		if (tj_plan_load_profile(profile_arg, &lp->msgs, &lp->owned_profile, err) < 0)
			return -1;
		profile = lp->owned_profile;
	} else if (!req->in_memory && (o->allow_syscalls.n || o->deny_syscalls.n)) {
		return tj_err_set(err, TJ_ERR_USAGE, 0,
				  "--%s-syscall changes a profile's filter, and --profile none has none",
				  o->allow_syscalls.n ? "allow" : "deny");
	} else if (!req->in_memory && o->explain.n) {
		return tj_err_set(err, TJ_ERR_USAGE, 0, "--explain needs a syscall filter (not --profile none)");
	}
	lp->profile = profile;

	tj_phase("isolation");
	/* Isolation: the profile's, then the flags', which add to it. */
	if (profile)
		tj_isolation_merge(&lp->iso, &profile->iso);
	tj_isolation_merge(&lp->iso, &o->iso);
	/* The working directory: per user (${UID} is the caller's), and what
	 * the profile made of it (a size-limited, non-executable download
	 * directory) follows --workdir. */
	if (tj_isolation_apply_workdir(&lp->iso, getuid(), err) < 0)
		return -1;
	if (lp->iso.user && tj_identity_resolve(lp->iso.user, &lp->id, err) < 0)
		return -1;
	/* The network: the profile's policy, then the flags'. */
	if (profile)
		tj_net_policy_merge(&lp->net, &profile->net);
	tj_net_policy_merge(&lp->net, &o->net);
	if (tj_net_policy_check(&lp->net, err) < 0)
		return -1;
	if (check_host_netns(o, profile, lp, err) < 0)
		return -1;
	/* Limits: the profile's, then the flags', which win (checked below,
	 * in run's order). */
	if (profile)
		lp->limits = profile->limits;
	tj_limits_merge(&lp->limits, &o->limits);
	/* What each layer needs of the others' options, in the launch
	 * table's order: the proxy a network namespace and its port in
	 * Landlock's TCP rules, the host rules no listening sockets (the
	 * hardening rules below), the cgroup read-only cgroup file systems. */
	lp->plan = (struct tj_plan){.mode = lp->plan.mode, .limits = &lp->limits, .iso = &lp->iso, .net = &lp->net};
	tj_launch_compose(&lp->plan, &lp->iso);
	if (check_host_rules(o, profile, lp, err) < 0)
		return -1;

	tj_phase("filter");
	if (profile && profile->seccomp && tj_plan_filter(req, profile, lp, err) < 0)
		return -1;
	tj_phase("environment");

	build_env(o, profile, lp);
	if (run) {
		if (tj_resolve_command(o->command[0], lp->env.v, &lp->exec_path, err) < 0)
			return -1;
		/* --no-exec lets the command execute only itself, and what
		 * execve opens for it: a script's interpreter, the ELF
		 * interpreter. */
		if (lp->iso.no_exec && tj_exe_dependencies(lp->exec_path, &lp->exec_pins, err) < 0)
			return -1;
	}

	/* tinyjail's own rules are loaded in every run, alone when there is
	 * no profile filter (TIOCSTI, the signal guard: notes/security.md). */
	if (tj_plan_hardening(&lp->iso, &lp->hardening, err) < 0)
		return -1;

	if (check_afl_run(&lp->iso, &lp->limits, err) < 0 || check_kill_after(&lp->limits, err) < 0)
		return -1;

	/* No command to check: the probes only describe it (never open it). */
	static char *const no_command[] = {(char *)"true", NULL};
	enum tj_mode mode = lp->plan.mode;
	lp->plan = (struct tj_plan){
		.argv = run ? o->command : no_command,
		.exec_path = run ? lp->exec_path : "the command",
		.envp = lp->env.v,
		.mode = mode,
		.profile = profile,
		.filter = lp->filter,
		.limits = &lp->limits,
		.iso = &lp->iso,
		.net = &lp->net,
		.hardening = lp->hardening,
		.uid = lp->iso.user ? lp->id.uid : geteuid(),
		.gid = lp->iso.user ? lp->id.gid : getegid(),
		.exec_pins = lp->exec_pins.n ? lp->exec_pins.v : NULL,
	};
	tj_phase("probe");
	if (tj_launch_probe(&lp->plan, &lp->manifest, err) < 0)
		return -1;
	lp->plan.manifest = &lp->manifest;
	return 0;
}

void tj_plan_done(struct tj_launch_plan *lp)
{
	tj_filter_free(lp->filter);
	tj_filter_free(lp->hardening);
	tj_isolation_done(&lp->iso);
	tj_net_policy_done(&lp->net);
	tj_identity_done(&lp->id);
	tj_strv_done(&lp->env);
	tj_env_report_done(&lp->env_report);
	tj_strv_done(&lp->exec_pins);
	free(lp->exec_path);
	free(lp->explain_nrs);
	free(lp->notify_nrs);
	tj_manifest_done(&lp->manifest);
	tj_plan_msgs_done(&lp->msgs);
	tj_profile_free(lp->owned_profile);
	memset(lp, 0, sizeof(*lp));
}
