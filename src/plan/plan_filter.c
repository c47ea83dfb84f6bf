/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The seccomp part of the plan: who holds the listener (tinyjail's
 * supervisor, an external agent, nobody), the compiled filter, and the
 * checks that need it (an agent for SCMP_ACT_NOTIFY rules, execve allowed).
 */
#include <linux/seccomp.h>
#include <stdlib.h>
#include <string.h>

#include "plan_internal.h"
#include "tj/base/cleanup.h"
#include "tj/base/integrity.h"
#include "tj/base/sys.h"
#include "tj/filter/filter_cache.h"
#include "tj/filter/notify.h"

/* Where the seccomp listener goes: --notify-socket, or in enforce mode the
 * profile's listenerPath when it routes calls with SCMP_ACT_NOTIFY. */
static const char *agent_path(const struct tj_options *o, const struct tj_profile *p)
{
	if (o->notify_socket)
		return o->notify_socket;
	const struct tj_seccomp *s = p->seccomp;
	if (o->mode != TJ_MODE_ENFORCE || !s || !s->listener_path)
		return NULL;
	bool notifies = s->default_action == TJ_ACT_NOTIFY;
	for (size_t i = 0; i < s->nrules; i++)
		notifies |= s->rules[i].action == TJ_ACT_NOTIFY;
	return notifies ? s->listener_path : NULL;
}

/* The launcher's own last step needs execve; a profile that denies it can
 * never start anything, which deserves a clear error rather than a kill.
 * With a seccomp agent, SCMP_ACT_NOTIFY on execve is the agent's to answer
 * (runc and crun run such profiles; the manifest says so). */
static int check_execve_allowed(const struct tj_filter *f, enum tj_mode mode, bool agent, struct tj_err **err)
{
	/* With an agent, what the loaded program does: a denying default
	 * goes to the agent (--notify-socket), which may allow the execve. */
	uint32_t ret = agent ? tj_filter_execve_loaded(f) : tj_filter_execve_action(f);
	uint32_t action = ret & SECCOMP_RET_ACTION_FULL;
	if (mode != TJ_MODE_ENFORCE || action == SECCOMP_RET_ALLOW || action == SECCOMP_RET_LOG ||
	    (agent && action == SECCOMP_RET_USER_NOTIF))
		return 0;
	char name[64];
	tj_filter_describe_action(ret, name, sizeof(name));
	tj_err_set(err, TJ_ERR_PROFILE, 0, "the profile does not allow execve (%s), so no command could start", name);
	if (action == SECCOMP_RET_USER_NOTIF)
		return tj_err_hint(err, "name a seccomp agent to answer it (--notify-socket SOCK or listenerPath), or "
					"add execve to an SCMP_ACT_ALLOW rule");
	return tj_err_hint(err, "add execve to an SCMP_ACT_ALLOW rule: tinyjail starts the command with it after "
				"the filter is loaded");
}

static int compile(const struct tj_profile *p, const struct tj_filter_opts *fo, struct tj_plan_msgs *msgs,
		   struct tj_filter **ret, struct tj_err **err)
{
	if (tj_filter_compile(p, fo, ret, err) < 0)
		return -1;
	tj_plan_msg_notes(msgs, 0, "warning", p->file, &(*ret)->warnings);
	tj_plan_msg_notes(msgs, 1, "note", p->file, &(*ret)->info);
	return 0;
}

/* Repeat launches take the compiled filter from the per-user cache
 * (filter_cache.h) and skip libseccomp, which dominates start-up for large
 * profiles (notes/performance.md).  The cache never fails a run: without a
 * usable one the profile is compiled as before. */
static int get_filter(bool use_cache, const struct tj_profile *p, struct tj_filter_opts *fo, struct tj_plan_msgs *msgs,
		      struct tj_filter **ret, struct tj_err **err)
{
	struct tj_host host;
	if (fo->host)
		host = *fo->host;
	else
		tj_host_detect(&host);
	fo->host = &host; /* the key and the compile see the same facts */
	tj_autofree char *dir = use_cache ? tj_filter_cache_default_dir() : NULL;
	__attribute__((cleanup(tj_filter_cache_closep))) struct tj_filter_cache *cache = NULL;
	struct tj_err *cerr = NULL;
	/* Entries are sealed with a key no sandboxed command can learn
	 * (integrity.h); without it, no cache. */
	uint8_t mac_key[TJ_INTEGRITY_KEY_LEN];
	if (dir && tj_integrity_key(mac_key, &cerr) < 0) {
		tj_autofree char *why = tj_err_format(cerr);
		tj_plan_msg_add(msgs, 1, "note: filter cache not used: no integrity key: %s", why);
		tj_err_free(cerr);
		cerr = NULL;
		free(dir);
		dir = NULL;
	}
	if (dir && tj_filter_cache_open(dir, mac_key, &cache, &cerr) < 0) {
		/* An unsafe directory may be an attack: say so.  No writable
		 * home (nobody, a read-only CI sandbox) is normal. */
		tj_autofree char *why = tj_err_format(cerr);
		tj_plan_msg_add(msgs, cerr->errnum ? 1 : 0, "%s: filter cache not used: %s",
				cerr->errnum ? "note" : "warning", why);
		tj_err_free(cerr);
		cerr = NULL;
	}
	explicit_bzero(mac_key, sizeof(mac_key)); /* the cache has its copy */
	uint8_t key[TJ_SHA256_LEN];
	if (cache) {
		tj_filter_cache_key(p, fo, &host, key);
		if (tj_filter_cache_load(cache, key, ret) == 1) {
			tj_plan_msg_notes(msgs, 0, "warning", p->file, &(*ret)->warnings);
			tj_plan_msg_notes(msgs, 1, "note", p->file, &(*ret)->info);
			tj_plan_msg_add(msgs, 1, "seccomp: compiled filter taken from the cache in %s",
					tj_filter_cache_path(cache));
			return 0;
		}
	}
	if (compile(p, fo, msgs, ret, err) < 0)
		return -1;
	if (!cache)
		return 0;
	if (tj_filter_cache_store(cache, key, *ret, &cerr) < 0) {
		tj_autofree char *why = tj_err_format(cerr);
		tj_plan_msg_add(msgs, 1, "note: %s", why);
		tj_err_free(cerr);
	} else {
		tj_plan_msg_add(msgs, 1, "seccomp: compiled filter stored in the cache in %s",
				tj_filter_cache_path(cache));
	}
	return 0;
}

int tj_plan_filter(const struct tj_plan_request *req, const struct tj_profile *profile, struct tj_launch_plan *lp,
		   struct tj_err **err)
{
	const struct tj_options *o = req->o;
	enum tj_mode mode = lp->plan.mode;
	/* The supervisor needs seccomp user notification.  Without it,
	 * enforce mode lets the kernel kill (unnamed); complain mode cannot
	 * keep its promise and refuses (unless the kernel log is its source);
	 * an agent cannot be given a listener. */
	bool notify = tj_notify_available();
	/* Inside another supervised sandbox (tinyjail in tinyjail, a
	 * container's seccomp agent) the kernel refuses a second listener:
	 * behave as without notification, and say why. */
	lp->nested = notify && (!o->kernel_kills || o->mode == TJ_MODE_COMPLAIN || o->report) &&
		     tj_sys_seccomp_listener_taken();
	if (lp->nested)
		notify = false;
	const char *agent = agent_path(o, profile);
	if (!notify && agent) {
		tj_err_set(err, TJ_ERR_LAYER, 0,
			   "a seccomp agent needs seccomp user notification, which this kernel or libseccomp does not "
			   "offer");
		return tj_err_layer(err, "seccomp");
	}
	if (!notify && mode != TJ_MODE_ENFORCE && !o->complain_kmsg) {
		tj_err_set(err, TJ_ERR_LAYER, 0,
			   "%s needs seccomp user notification, which this kernel or libseccomp does not offer",
			   mode == TJ_MODE_LEARN ? "learn" : "complain mode");
		tj_err_hint(err, lp->nested ? "this process already runs under a seccomp listener (tinyjail inside "
					      "tinyjail?) and the kernel allows one per process: run the outer "
					      "tinyjail with --kill-via kernel, or use --complain=kmsg here"
					    : "Linux 5.5 and libseccomp 2.5 or later provide it");
		return tj_err_layer(err, "seccomp");
	}
	if (lp->nested && !o->kernel_kills)
		tj_plan_msg_add(&lp->msgs, 1,
				"note: this process already runs under a seccomp listener (tinyjail inside tinyjail?), "
				"and the kernel allows one: kills are done by the kernel and the syscall is not named");
	else if (!notify && !lp->nested && !o->kernel_kills)
		tj_plan_msg_add(&lp->msgs, 0,
				"warning: seccomp user notification is unavailable here: kills are done by the kernel "
				"and the syscall is not named (as with --kill-via=kernel)");
	/* Conditional rules ("includes": {"caps": ...}) see the capabilities
	 * the command will hold, as in Docker. */
	struct tj_host host;
	tj_plan_target_host(lp->iso.keep_caps, &host);
	/* An agent owns the listener: kills go back to the kernel. */
	bool supervised = notify && !agent;
	struct tj_filter_opts fo = {
		.mode = mode,
		.supervise_kills = supervised && !o->kernel_kills,
		.route_errno = supervised && (o->report || req->route_errno) && mode == TJ_MODE_ENFORCE,
		.track_allowed = supervised && o->report == TJ_REPORT_USAGE,
		.agent = agent != NULL,
		.agent_default = o->notify_socket != NULL,
		.complain_via_log = o->complain_kmsg,
		.ignore_unknown_deny = o->ignore_unknown,
		.host = &host,
		.allow_names = &o->allow_syscalls,
		.deny_names = &o->deny_syscalls,
		.notify_nrs = supervised ? lp->notify_nrs : NULL,
		.notify_n = supervised ? lp->notify_n : 0,
	};
	if (o->explain.n && !supervised) {
		tj_err_set(err, TJ_ERR_LAYER, 0,
			   "--explain needs seccomp user notification, which this kernel or libseccomp does not offer");
		return tj_err_layer(err, "seccomp");
	}
	/* A profile in memory has no text the cache could key on. */
	bool use_cache = req->purpose == TJ_PLAN_RUN && !o->no_cache && !req->in_memory;
	if (get_filter(use_cache, profile, &fo, &lp->msgs, &lp->filter, err) < 0)
		return -1;
	if (agent && !lp->filter->uses_listener) {
		/* A default that allows and no SCMP_ACT_NOTIFY rule. */
		tj_plan_msg_add(&lp->msgs, 0,
				"warning: --notify-socket: %s sends no call to the agent (nothing it does not name is "
				"denied)",
				profile->file);
		agent = NULL;
	}
	lp->agent = agent;
	if (lp->filter->has_agent_rules && mode == TJ_MODE_ENFORCE && !agent) {
		tj_err_set(err, TJ_ERR_PROFILE, 0, "the profile uses SCMP_ACT_NOTIFY, which needs a seccomp agent");
		tj_err_hint(err, "name one with --notify-socket SOCK (e.g. tinyjail supervise --listen SOCK) or in "
				 "the profile's listenerPath");
		return tj_err_at(err, profile->file, NULL);
	}
	if (check_execve_allowed(lp->filter, mode, agent != NULL, err) < 0)
		return tj_err_at(err, profile->file, NULL);
	return 0;
}
