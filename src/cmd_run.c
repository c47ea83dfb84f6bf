/* SPDX-License-Identifier: Apache-2.0 */
/* `tinyjail [run] [options] -- command...` */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>

#include "tj/bpfsim.h"
#include "tj/cleanup.h"
#include "tj/cmd.h"
#include "tj/filter_cache.h"
#include "tj/launch.h"
#include "tj/notify.h"
#include "tj/profile_json.h"

extern char **environ;

struct run_ctx {
	const struct tj_options *o;
	const struct tj_profile *profile;
};

static void describe_kill(const struct tj_syscall_event *e, const char *profile, char *buf, size_t size)
{
	char call[256], action[64];
	tj_format_syscall(&e->data, call, sizeof(call));
	tj_filter_describe_action(e->action, action, sizeof(action));
	int nr = e->data.nr & ~0x40000000;
	snprintf(buf, size, "%s: syscall %d on %s, pid %d (%s): not allowed by %s (%s: %s)", call, nr,
		 tj_arch_short_name(e->data.arch, e->data.nr), (int)e->pid, e->comm[0] ? e->comm : "?", profile,
		 e->rule, action);
}

static void on_kill(void *ctx, const struct tj_syscall_event *e)
{
	const struct run_ctx *rc = ctx;
	char msg[512];
	describe_kill(e, rc->profile->file, msg, sizeof(msg));
	fprintf(stderr, "tinyjail: killed by seccomp: %s\n", msg);
}

/* The launcher's own last step needs execve; a profile that denies it can
 * never start anything, which deserves a clear error rather than a kill. */
static int check_execve_allowed(const struct tj_filter *f, enum tj_mode mode, struct tj_err **err)
{
	struct seccomp_data d = {.nr = SYS_execve, .arch = 0xc000003e /* AUDIT_ARCH_X86_64 */};
	const struct sock_filter *prog = f->truth ? f->truth : f->prog;
	size_t len = f->truth ? f->truth_len : f->len;
	uint32_t action = tj_bpf_run(prog, len, &d) & 0xffff0000u;
	if (mode == TJ_MODE_COMPLAIN || action == 0x7fff0000u /* ALLOW */ || action == 0x7ffc0000u /* LOG */)
		return 0;
	char name[64];
	tj_filter_describe_action(tj_bpf_run(prog, len, &d), name, sizeof(name));
	tj_err_set(err, TJ_ERR_PROFILE, 0, "the profile does not allow execve (%s), so no command could start", name);
	return tj_err_hint(err, "add execve to an SCMP_ACT_ALLOW rule: tinyjail starts the command with it after "
				"the filter is loaded");
}

static void print_summary(const struct tj_events *ev, const struct tj_launch_result *res, const char *profile)
{
	if (ev->n == 0) {
		fprintf(stderr, "tinyjail: complain mode: nothing the command did would have been denied by %s\n", profile);
	} else {
		fprintf(stderr, "tinyjail: complain mode: %s would have denied %zu kind%s of syscall (%llu call%s):\n",
			profile, ev->n, ev->n == 1 ? "" : "s", (unsigned long long)ev->total, ev->total == 1 ? "" : "s");
		for (size_t i = 0; i < ev->n; i++) {
			const struct tj_tally *t = &ev->v[i];
			char name[64], action[64];
			tj_syscall_name(t->arch, t->nr, name, sizeof(name));
			tj_filter_describe_action(t->action, action, sizeof(action));
			const char *arch = tj_arch_short_name(t->arch, t->nr);
			fprintf(stderr, "tinyjail: %8llu  %-20s %-24s by %s%s%s (first pid %d)\n",
				(unsigned long long)t->count, name, action, t->rule, strcmp(arch, "x86_64") ? ", " : "",
				strcmp(arch, "x86_64") ? arch : "", (int)t->first_pid);
		}
	}
	if (res->lost)
		fprintf(stderr,
			"tinyjail: incomplete: up to %llu would-be denial%s may be missing: a signal interrupted the "
			"call before tinyjail received it; a restarted call was recorded, one that failed with EINTR "
			"was not (notes/architecture.md)\n",
			(unsigned long long)res->lost, res->lost == 1 ? "" : "s");
	if (res->outlived)
		fprintf(stderr, "tinyjail: incomplete: processes outlived the command; what they did afterwards was not recorded\n");
	if (!res->lost && !res->outlived)
		fprintf(stderr, "tinyjail: complete: every would-be denial was recorded (seccomp user notification)\n");
}

/* Repeat launches take the compiled filter from the per-user cache
 * (filter_cache.h) and skip libseccomp, which dominates start-up for large
 * profiles (notes/performance.md).  The cache never fails a run: without a
 * usable one the profile is compiled as before. */
static int get_filter(const struct tj_options *o, const struct tj_profile *p, struct tj_filter_opts *fo,
		      struct tj_filter **ret)
{
	struct tj_host host;
	tj_host_detect(&host);
	fo->host = &host; /* the key and the compile see the same facts */
	tj_autofree char *dir = o->no_cache ? NULL : tj_filter_cache_default_dir();
	__attribute__((cleanup(tj_filter_cache_closep))) struct tj_filter_cache *cache = NULL;
	struct tj_err *err = NULL;
	if (dir && tj_filter_cache_open(dir, &cache, &err) < 0) {
		/* An unsafe directory may be an attack: say so.  No writable
		 * home (nobody, a read-only CI sandbox) is normal. */
		if (err->errnum == 0 ? o->verbosity >= 0 : o->verbosity > 0) {
			tj_autofree char *why = tj_err_format(err);
			fprintf(stderr, "tinyjail: %s: filter cache not used: %s\n", err->errnum ? "note" : "warning", why);
		}
		tj_err_free(err);
		err = NULL;
	}
	uint8_t key[TJ_SHA256_LEN];
	if (cache) {
		tj_filter_cache_key(p, fo, &host, key);
		if (tj_filter_cache_load(cache, key, ret) == 1) {
			if (o->verbosity >= 0)
				tj_cmd_print_notes("warning", p->file, &(*ret)->warnings);
			if (o->verbosity > 0) {
				tj_cmd_print_notes("note", p->file, &(*ret)->info);
				fprintf(stderr, "tinyjail: seccomp: compiled filter taken from the cache in %s\n",
					tj_filter_cache_path(cache));
			}
			return 0;
		}
	}
	int code = tj_cmd_compile_profile(p, fo, o->verbosity, ret);
	if (code || !cache)
		return code;
	if (tj_filter_cache_store(cache, key, *ret, &err) < 0) {
		if (o->verbosity > 0) {
			tj_autofree char *why = tj_err_format(err);
			fprintf(stderr, "tinyjail: note: %s\n", why);
		}
		tj_err_free(err);
	} else if (o->verbosity > 0) {
		fprintf(stderr, "tinyjail: seccomp: compiled filter stored in the cache in %s\n", tj_filter_cache_path(cache));
	}
	return 0;
}

int tj_cmd_run(const struct tj_options *o)
{
	struct tj_err *err = NULL;
	int code = 0;
	__attribute__((cleanup(tj_profile_freep))) struct tj_profile *profile = NULL;
	__attribute__((cleanup(tj_filter_freep))) struct tj_filter *filter = NULL;
	tj_autofree char *exec_path = NULL;
	struct tj_manifest manifest = {0};
	struct tj_events events = {0};
	bool events_open = false;

	const char *profile_arg = o->profile ? o->profile : "default";
	if (strcmp(profile_arg, "none") != 0) {
		if ((code = tj_cmd_load_profile(profile_arg, o->verbosity, &profile)) != 0)
			return code;
		if (profile->seccomp) {
			/* The supervisor needs seccomp user notification.  Without
			 * it, enforce mode lets the kernel kill (unnamed); complain
			 * mode cannot keep its promise and refuses. */
			bool notify = tj_notify_available();
			if (!notify && o->mode == TJ_MODE_COMPLAIN) {
				tj_err_set(&err, TJ_ERR_LAYER, 0,
					   "complain mode needs seccomp user notification, which this kernel or "
					   "libseccomp does not offer");
				tj_err_hint(&err, "Linux 5.5 and libseccomp 2.5 or later provide it");
				tj_err_layer(&err, "seccomp");
				goto fail;
			}
			if (!notify && !o->kernel_kills && o->verbosity >= 0)
				fprintf(stderr, "tinyjail: warning: seccomp user notification is unavailable here: kills are "
						"done by the kernel and the syscall is not named (as with --kill-via=kernel)\n");
			struct tj_filter_opts fo = {.mode = o->mode, .supervise_kills = notify && !o->kernel_kills,
						    .ignore_unknown_deny = o->ignore_unknown};
			if ((code = get_filter(o, profile, &fo, &filter)) != 0)
				return code;
			if (filter->has_agent_rules && o->mode == TJ_MODE_ENFORCE) {
				tj_err_set(&err, TJ_ERR_PROFILE, 0,
					   "the profile uses SCMP_ACT_NOTIFY, which needs a seccomp agent; this tinyjail "
					   "cannot attach one yet");
				tj_err_at(&err, profile->file, NULL);
				goto fail;
			}
			if (check_execve_allowed(filter, o->mode, &err) < 0) {
				tj_err_at(&err, profile->file, NULL);
				goto fail;
			}
		}
	}

	if (tj_resolve_command(o->command[0], environ, &exec_path, &err) < 0)
		goto fail;

	struct tj_plan plan = {
		.argv = o->command,
		.exec_path = exec_path,
		.envp = environ,
		.mode = o->mode,
		.profile = profile,
		.filter = filter,
	};
	if (tj_launch_probe(&plan, &manifest, &err) < 0)
		goto fail;
	if (o->verbosity > 0)
		for (size_t i = 0; i < manifest.n; i++)
			fprintf(stderr, "tinyjail: %s: %s: %s\n", manifest.v[i].layer,
				tj_layer_status_name(manifest.v[i].status), manifest.v[i].detail);
	if (!filter && o->verbosity >= 0)
		fprintf(stderr, "tinyjail: warning: no syscall filter (--profile none)\n");

	if (tj_events_open(&events, o->log_path, &err) < 0)
		goto fail;
	events_open = true;

	struct run_ctx rc = {.o = o, .profile = profile};
	struct tj_launch_hooks hooks = {.ctx = &rc, .on_kill = on_kill};
	struct tj_launch_result res;
	if (tj_launch(&plan, &events, &hooks, &res, &err) < 0)
		goto fail;

	if (o->mode == TJ_MODE_COMPLAIN && filter && o->verbosity >= 0)
		print_summary(&events, &res, profile->file);
	if (res.kill_unattributed && o->verbosity >= 0)
		fprintf(stderr, "tinyjail: killed by seccomp: a call the profile kills for was interrupted by a signal "
				"before tinyjail could tell which process made it; the command was ended (fail closed)\n");
	if (res.signal && !res.seccomp_kill && o->verbosity >= 0) {
		const char *name = sigabbrev_np(res.signal);
		const char *why = "";
		/* Only suggest the supervisor when it was not already in charge:
		 * with it, a SIGSYS comes from the profile's KILL_THREAD or TRAP
		 * rules, or from a call through an ABI the profile does not list. */
		if (res.signal == SIGSYS)
			why = o->kernel_kills ? " (a seccomp kill by the kernel, which does not name the syscall; "
						"use --kill-via=supervisor to have it named)"
					      : " (from seccomp, without passing through the supervisor: an "
						"SCMP_ACT_KILL_THREAD or SCMP_ACT_TRAP rule, or a call through an ABI the "
						"profile does not list)";
		fprintf(stderr, "tinyjail: the command was killed by signal SIG%s%s\n", name ? name : "?", why);
	}
	/* Once tinyjail exits nobody answers the filter's notifications: the
	 * kernel fails them with ENOSYS, so what the profile kills for is then
	 * only denied. */
	if (o->mode == TJ_MODE_ENFORCE && filter && filter->uses_listener && res.outlived && o->verbosity >= 0)
		fprintf(stderr, "tinyjail: warning: processes outlived the command and are no longer supervised: calls "
				"the profile kills for now fail with ENOSYS instead (--kill-via=kernel has the kernel "
				"kill them)\n");
	tj_events_exit(&events, res.exit_code, res.status, res.seccomp_kill ? SIGSYS : res.signal, res.seccomp_kill,
		       res.wall_ms, res.lost);
	code = res.exit_code;
	if (tj_events_close(&events, &err) < 0) {
		events_open = false;
		tj_cmd_report(err);
		tj_err_free(err);
		if (code == 0)
			code = TJ_EXIT_ERROR;
	}
	tj_manifest_done(&manifest);
	return code;

fail:
	code = tj_cmd_report(err);
	tj_err_free(err);
	if (events_open) {
		struct tj_err *e2 = NULL;
		tj_events_close(&events, &e2);
		tj_err_free(e2);
	}
	tj_manifest_done(&manifest);
	return code;
}
