/* SPDX-License-Identifier: Apache-2.0 */
/* `tinyjail [run] [options] -- command...` */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "tj/agent.h"
#include "tj/bpfsim.h"
#include "tj/cleanup.h"
#include "tj/cmd.h"
#include "tj/kmsg_source.h"
#include "tj/launch.h"
#include "tj/notify.h"
#include "tj/profile_json.h"

extern char **environ;

struct run_ctx {
	const struct tj_options *o;
	const struct tj_profile *profile;
	struct tj_agent_client *agent;
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
	char msg[768];
	describe_kill(e, rc->profile->file, msg, sizeof(msg));
	fprintf(stderr, "tinyjail: killed by seccomp: %s\n", msg);
}

static int on_listener(void *ctx, int listener, pid_t child, struct tj_err **err)
{
	const struct run_ctx *rc = ctx;
	return tj_agent_hand_over(rc->agent, listener, child, err);
}

static void on_notice(void *ctx, const char *text)
{
	const struct tj_options *o = ctx;
	if (o->verbosity >= 0)
		fprintf(stderr, "tinyjail: %s\n", text);
}

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

/* Option combinations that cannot work, found before anything runs. */
static int check_run_options(const struct tj_options *o, struct tj_err **err)
{
	if (o->notify_socket && o->mode == TJ_MODE_COMPLAIN)
		return tj_err_set(err, TJ_ERR_USAGE, 0, "--notify-socket applies to enforce mode: in complain mode "
							 "tinyjail itself records every call the profile would deny");
	if (o->complain_kmsg && o->report == TJ_REPORT_USAGE)
		return tj_err_set(err, TJ_ERR_USAGE, 0, "--report=usage needs seccomp user notification, not "
							 "--complain=kmsg (the kernel log does not record allowed calls)");
	return 0;
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
	const char *agent = NULL;
	struct tj_agent_client agent_client = {.sock = -1};
	struct tj_kmsg_source kmsg;
	bool kmsg_open = false;

	if (check_run_options(o, &err) < 0) {
		code = tj_cmd_report(err);
		tj_err_free(err);
		return code;
	}
	const char *profile_arg = o->profile ? o->profile : "default";
	if (strcmp(profile_arg, "none") != 0) {
		if ((code = tj_cmd_load_profile(profile_arg, o->verbosity, &profile)) != 0)
			return code;
		if (profile->seccomp) {
			/* The supervisor needs seccomp user notification.  Without
			 * it, enforce mode lets the kernel kill (unnamed); complain
			 * mode cannot keep its promise and refuses (unless the
			 * kernel log is its source); an agent cannot be given a
			 * listener. */
			bool notify = tj_notify_available();
			agent = agent_path(o, profile);
			if (!notify && agent) {
				tj_err_set(&err, TJ_ERR_LAYER, 0,
					   "a seccomp agent needs seccomp user notification, which this kernel or "
					   "libseccomp does not offer");
				tj_err_layer(&err, "seccomp");
				goto fail;
			}
			if (!notify && o->mode == TJ_MODE_COMPLAIN && !o->complain_kmsg) {
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
			/* An agent owns the listener: kills go back to the kernel. */
			bool supervised = notify && !agent;
			struct tj_filter_opts fo = {
				.mode = o->mode,
				.supervise_kills = supervised && !o->kernel_kills,
				.route_errno = supervised && o->report && o->mode == TJ_MODE_ENFORCE,
				.track_allowed = supervised && o->report == TJ_REPORT_USAGE,
				.agent = agent != NULL,
				.agent_default = o->notify_socket != NULL,
				.complain_via_log = o->complain_kmsg,
				.ignore_unknown_deny = o->ignore_unknown,
			};
			if ((code = tj_cmd_compile_profile(profile, &fo, o->verbosity, &filter)) != 0)
				return code;
			if (agent && !filter->uses_listener) {
				/* A default that allows and no SCMP_ACT_NOTIFY rule. */
				if (o->verbosity >= 0)
					fprintf(stderr, "tinyjail: warning: --notify-socket: %s sends no call to the agent "
							"(nothing it does not name is denied)\n", profile->file);
				agent = NULL;
			}
			if (filter->has_agent_rules && o->mode == TJ_MODE_ENFORCE && !agent) {
				tj_err_set(&err, TJ_ERR_PROFILE, 0,
					   "the profile uses SCMP_ACT_NOTIFY, which needs a seccomp agent");
				tj_err_hint(&err, "name one with --notify-socket SOCK (e.g. tinyjail supervise --listen "
						  "SOCK) or in the profile's listenerPath");
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
	events.notice = on_notice;
	events.notice_ctx = (void *)o;
	events.source = agent ? TJ_SOURCE_AGENT : o->complain_kmsg ? TJ_SOURCE_KMSG : TJ_SOURCE_NOTIFY;
	if (agent) {
		/* Reached before anything starts: no agent, no run. */
		if (tj_agent_connect(agent, &agent_client.sock, &err) < 0)
			goto fail;
		agent_client.path = agent;
		agent_client.metadata = profile->seccomp->listener_metadata;
		agent_client.profile = profile->file;
		agent_client.command = o->command[0];
	}
	if (filter && o->complain_kmsg) {
		if (tj_kmsg_source_start(&kmsg, filter, &events, &err) < 0)
			goto fail;
		kmsg_open = true;
	}

	struct run_ctx rc = {.o = o, .profile = profile, .agent = &agent_client};
	struct tj_launch_hooks hooks = {.ctx = &rc, .on_kill = on_kill, .on_listener = agent ? on_listener : NULL,
					.source = kmsg_open ? &kmsg.src : NULL};
	struct tj_launch_result res;
	if (tj_launch(&plan, &events, &hooks, &res, &err) < 0)
		goto fail;

	struct tj_run_report report = {.o = o, .profile = profile, .filter = filter, .events = &events, .res = &res,
				       .kmsg = kmsg_open ? &kmsg : NULL, .agent = agent != NULL, .agent_path = agent};
	if (o->report && o->verbosity >= 0)
		tj_cmd_print_report(&report);
	else if (o->mode == TJ_MODE_COMPLAIN && filter && o->verbosity >= 0)
		tj_cmd_print_summary(&report);
	if (res.kill_unattributed && o->verbosity >= 0)
		fprintf(stderr, "tinyjail: killed by seccomp: a call the profile kills for was interrupted by a signal "
				"before tinyjail could tell which process made it; the command was ended (fail closed)\n");
	if (res.signal && !res.seccomp_kill && o->verbosity >= 0) {
		const char *name = sigabbrev_np(res.signal);
		const char *why = "";
		/* Only suggest the supervisor when it was not already in charge:
		 * with it, a SIGSYS comes from the profile's KILL_THREAD or TRAP
		 * rules, or from a call through an ABI the profile does not list. */
		if (res.signal == SIGSYS && agent)
			why = " (a seccomp kill by the kernel: the listener belongs to the seccomp agent, so tinyjail "
			      "does not see the call)";
		else if (res.signal == SIGSYS)
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
	if (o->mode == TJ_MODE_ENFORCE && filter && filter->uses_listener && !agent && res.outlived && o->verbosity >= 0)
		fprintf(stderr, "tinyjail: warning: processes outlived the command and are no longer supervised: calls "
				"the profile kills for now fail with ENOSYS instead (--kill-via=kernel has the kernel "
				"kill them)\n");
	struct tj_exit_event xe = {.exit_code = res.exit_code, .status = res.status,
				   .signal = res.seccomp_kill ? SIGSYS : res.signal, .seccomp_kill = res.seccomp_kill,
				   .wall_ms = res.wall_ms, .lost = res.lost,
				   .incomplete = filter && !agent && !tj_cmd_run_complete(&report)};
	tj_events_exit_ex(&events, &xe);
	code = res.exit_code;
	if (kmsg_open)
		tj_kmsg_source_done(&kmsg);
	if (agent_client.sock >= 0)
		close(agent_client.sock);
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
	if (kmsg_open)
		tj_kmsg_source_done(&kmsg);
	if (agent_client.sock >= 0)
		close(agent_client.sock);
	if (events_open) {
		struct tj_err *e2 = NULL;
		tj_events_close(&events, &e2);
		tj_err_free(e2);
	}
	tj_manifest_done(&manifest);
	return code;
}
