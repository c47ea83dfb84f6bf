/* SPDX-License-Identifier: Apache-2.0 */
/* `tinyjail [run] [options] -- command...` */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tj/base/cleanup.h"
#include "tj/base/outfile.h"
#include "tj/base/phase.h"
#include "tj/base/seccomp_abi.h"
#include "tj/cli/cmd.h"
#include "tj/launch/kmsg_source.h"
#include "tj/launch/launch.h"
#include "tj/launch/observe.h"
#include "tj/plan/plan.h"
#include "tj/report/chain.h"
#include "tj/supervise/agent.h"

extern char **environ;

/* The signal the command died of, for tinyjail to die of too (main.c). */
static int die_of_signal;

int tj_cmd_run_signal(void)
{
	return die_of_signal;
}

struct run_ctx {
	const struct tj_options *o;
	const struct tj_profile *profile;
	const char *profile_arg; /* as the user named it (a bundled name, a path) */
	struct tj_strv hinted;	 /* syscalls a kill hint was given for */
	struct tj_agent_client *agent;
	const struct tj_run_ext *ext;
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

/* How to let the call through, once per syscall and run. */
static void kill_hint(struct run_ctx *rc, const struct tj_syscall_event *e)
{
	char name[64];
	tj_syscall_name(e->data.arch, e->data.nr, name, sizeof(name));
	if (tj_strv_contains(&rc->hinted, name))
		return;
	tj_strv_add(&rc->hinted, name);
	if (e->rule && strcmp(e->rule, "--deny-syscall") == 0)
		return; /* asked for on the command line */
	if (strcmp(e->rule ? e->rule : "", "architectures") == 0) {
		fprintf(stderr, "tinyjail: hint: the call came through an ABI the profile does not list; add it to "
				"\"architectures\" to judge such calls by the rules\n");
		return;
	}
	fprintf(stderr,
		"tinyjail: hint: --allow-syscall %s lets every %s call through (or allow it in a profile that "
		"\"extends\": \"%s\"; 'tinyjail why %s %s' shows the rules)\n",
		name, name, rc->profile_arg, name, rc->profile_arg);
}

static void on_kill(void *ctx, const struct tj_syscall_event *e)
{
	struct run_ctx *rc = ctx;
	char msg[768];
	describe_kill(e, rc->profile->file, msg, sizeof(msg));
	fprintf(stderr, "tinyjail: killed by seccomp: %s\n", msg);
	if (e->stack_n) {
		char name[64];
		tj_syscall_name(e->data.arch, e->data.nr, name, sizeof(name));
		tj_autofree char *chain = tj_chain_text_short(name, e->stack, e->stack_n, e->stack_truncated, 16);
		fprintf(stderr, "tinyjail: called from: %s\n", chain);
	}
	if (rc->o->verbosity >= 0)
		kill_hint(rc, e);
}

/* At exit: each explained syscall's call chains, most frequent first. */
static void print_explained(const struct tj_observe *obs)
{
	size_t n;
	const struct tj_explain_event *v = tj_observe_explained(obs, &n);
	for (size_t i = 0; i < n; i++) {
		const struct tj_explain_event *x = &v[i];
		fprintf(stderr, "tinyjail: explain %s: %llu call%s, %zu call site%s", x->syscall,
			(unsigned long long)x->calls, x->calls == 1 ? "" : "s", x->nsites, x->nsites == 1 ? "" : "s");
		if (x->skipped)
			fprintf(stderr, ", %llu stack%s not taken (the process exited meanwhile, or no permission)",
				(unsigned long long)x->skipped, x->skipped == 1 ? "" : "s");
		if (x->truncated)
			fprintf(stderr, ", %llu truncated", (unsigned long long)x->truncated);
		fputs(x->nsites ? ":\n" : "\n", stderr);
		/* Sites with the same text (the same code in two processes) are one line. */
		bool *done = tj_xcalloc(x->nsites + 1, sizeof(*done));
		char **texts = tj_xcalloc(x->nsites + 1, sizeof(*texts));
		uint64_t *counts = tj_xcalloc(x->nsites + 1, sizeof(*counts));
		for (size_t k = 0; k < x->nsites; k++)
			texts[k] = tj_chain_text_short(x->syscall, x->sites[k].stack, x->sites[k].stack_n,
						       x->sites[k].truncated, 16);
		for (size_t k = 0; k < x->nsites; k++) {
			counts[k] = x->sites[k].count;
			for (size_t j = k + 1; j < x->nsites; j++)
				if (!done[j] && strcmp(texts[j], texts[k]) == 0)
					counts[k] += x->sites[j].count, done[j] = true;
		}
		for (;;) {
			size_t best = x->nsites;
			for (size_t k = 0; k < x->nsites; k++)
				if (!done[k] && (best == x->nsites || counts[k] > counts[best]))
					best = k;
			if (best == x->nsites)
				break;
			done[best] = true;
			fprintf(stderr, "tinyjail: %8llu  %s\n", (unsigned long long)counts[best], texts[best]);
		}
		for (size_t k = 0; k < x->nsites; k++)
			free(texts[k]);
		free(texts);
		free(counts);
		free(done);
	}
}

/* learn --check: the kill is reported as usual and handed to learn too. */
static void on_kill_ext(void *ctx, const struct tj_syscall_event *e)
{
	const struct run_ctx *rc = ctx;
	on_kill(ctx, e);
	rc->ext->on_kill(rc->ext->ctx, e);
}

static int on_notify_ext(void *ctx, const struct tj_notification *n, int listener)
{
	const struct run_ctx *rc = ctx;
	return rc->ext->on_notify(rc->ext->ctx, n, listener);
}

static void on_denied_ext(void *ctx, const struct tj_syscall_event *e)
{
	const struct run_ctx *rc = ctx;
	rc->ext->on_denied(rc->ext->ctx, e);
}

static int on_listener(void *ctx, int listener, pid_t child, struct tj_err **err)
{
	const struct run_ctx *rc = ctx;
	return tj_agent_hand_over(rc->agent, listener, child, err);
}

static void on_notice(void *ctx, const char *text)
{
	const struct tj_options *o = ctx;
	/* Notices quote what the command asked for (hosts, names). */
	if (o->verbosity >= 0) {
		tj_autofree char *safe = tj_sanitize(tj_xstrdup(text));
		fprintf(stderr, "tinyjail: %s\n", safe);
	}
}

/* Descriptors besides 0, 1 and 2 that reach the command. */
struct pass_fds {
	int v[64];
	size_t n;
	int jobserver[2]; /* make's, from the caller's MAKEFLAGS, or -1 */
};

static void add_fd(struct pass_fds *p, int fd)
{
	for (size_t i = 0; i < p->n; i++)
		if (p->v[i] == fd)
			return;
	if (p->n < TJ_ARRAY_SIZE(p->v))
		p->v[p->n++] = fd;
}

/* A jobserver end: a pipe (or FIFO) open for reading or writing. */
static bool jobserver_end(int fd, int mode)
{
	struct stat st;
	int fl = fcntl(fd, F_GETFL);
	return fl >= 0 && fstat(fd, &st) == 0 && S_ISFIFO(st.st_mode) &&
	       ((fl & O_ACCMODE) == mode || (fl & O_ACCMODE) == O_RDWR);
}

/* --pass-fd must name open descriptors; make's jobserver (MAKEFLAGS
 * --jobserver-auth=R,W) is noted here and passed once MAKEFLAGS is known to
 * reach the command (pass_jobserver). */
static int collect_pass_fds(const struct tj_options *o, struct pass_fds *p, struct tj_err **err)
{
	for (size_t i = 0; i < o->npass_fds; i++) {
		if (fcntl(o->pass_fds[i], F_GETFD) < 0)
			return tj_err_set(err, TJ_ERR_USAGE, errno, "--pass-fd %d: tinyjail has no descriptor %d",
					  o->pass_fds[i], o->pass_fds[i]);
		if (p->n == TJ_ARRAY_SIZE(p->v))
			return tj_err_set(err, TJ_ERR_USAGE, 0, "--pass-fd: at most %zu descriptors",
					  TJ_ARRAY_SIZE(p->v));
		add_fd(p, o->pass_fds[i]);
	}
	p->jobserver[0] = p->jobserver[1] = -1;
	int fds[2];
	if (tj_env_jobserver_fds(environ, fds) == 0) {
		p->jobserver[0] = fds[0];
		p->jobserver[1] = fds[1];
		if (!jobserver_end(fds[0], O_RDONLY) || !jobserver_end(fds[1], O_WRONLY))
			p->jobserver[0] = -2; /* named, but not open here */
	}
	return 0;
}

/* A sub-make without its jobserver runs one job at a time ("jobserver
 * unavailable: using -j1"), which made builds 2.6x slower. */
static void pass_jobserver(struct pass_fds *p, char *const *command_env, int verbosity)
{
	int fds[2];
	if (p->jobserver[0] == -1 || tj_env_jobserver_fds(command_env, fds) < 0)
		return; /* no jobserver, or MAKEFLAGS does not reach the command */
	if (p->jobserver[0] >= 0) {
		add_fd(p, p->jobserver[0]);
		add_fd(p, p->jobserver[1]);
		if (verbosity > 0)
			fprintf(stderr,
				"tinyjail: environment: make's jobserver (descriptors %d, %d) passed with MAKEFLAGS\n",
				p->jobserver[0], p->jobserver[1]);
	} else if (verbosity >= 0) {
		fprintf(stderr,
			"tinyjail: warning: MAKEFLAGS names make's jobserver on descriptors %d and %d, but make did not "
			"give them to tinyjail: a make inside runs one job at a time (mark the recipe line with '+', "
			"as for a recursive make)\n",
			fds[0], fds[1]);
	}
}

static void add_paths(struct tj_buf *b, const char *what, const struct tj_strv *paths)
{
	if (!paths->n)
		return;
	tj_buf_addf(b, "%s%s ", b->len ? "; " : "", what);
	for (size_t i = 0; i < paths->n; i++)
		tj_buf_addf(b, "%s%s", i ? ", " : "", paths->v[i]);
}

/* Landlock refuses silently (EACCES, "Permission denied", to the command
 * alone).  When a command in a view fails, say that a refusal may be why,
 * and what the view grants.  (The kernel's Landlock audit records, Linux
 * 6.15, are not read: they reach the log only where audit is set up.) */
static void view_hint(const struct tj_isolation *iso)
{
	struct tj_buf b = {0};
	add_paths(&b, "read", &iso->ro);
	add_paths(&b, "read and write", &iso->rw);
	add_paths(&b, "execute", &iso->exec);
	for (size_t i = 0; i < iso->nrw_limits; i++)
		tj_buf_addf(&b, "%s%s", i ? ", " : "; read and write (size-limited) ", iso->rw_limits[i].path);
	fprintf(stderr,
		"tinyjail: hint: the command ran in a filesystem view (Landlock), where everything else fails "
		"with 'Permission denied': it grants %s; add --ro or --rw for what the command needs\n",
		b.s);
	tj_buf_done(&b);
}

/* Names for a message: all of them with -v, else the first few. */
static void add_names(struct tj_buf *b, struct tj_strv *names, int verbosity)
{
	enum {
		FEW = 6
	};
	tj_strv_sort(names);
	size_t shown = verbosity > 0 || names->n <= FEW + 1 ? names->n : FEW;
	for (size_t i = 0; i < shown; i++)
		tj_buf_addf(b, "%s%s", i ? ", " : "", names->v[i]);
	if (shown < names->n)
		tj_buf_addf(b, " and %zu more (-v lists them)", names->n - shown);
}

/* One line on what the command's environment lacks, with the flag that
 * passes it: a variable silently dropped (CC, MAKEFLAGS, a CI variable)
 * changes what a job does.  -v adds the names one's own --env-deny
 * withheld; -vv every name passed. */
static void print_env_report(struct tj_env_report *rep, const struct tj_strv *passed, int verbosity)
{
	if (verbosity < 0)
		return;
	struct tj_buf b = {0};
	if (rep->not_kept.n) {
		tj_buf_add(&b, "not passed: ");
		add_names(&b, &rep->not_kept, verbosity);
		tj_buf_add(&b,
			   rep->not_kept.n == 1 ? " (--env-keep NAME passes it" : " (--env-keep NAME,... passes them");
		tj_buf_add(&b, ", --env-all all but secrets)");
	}
	if (rep->secrets.n) {
		tj_buf_addf(&b, "%ssecrets not passed: ", b.len ? "; " : "");
		add_names(&b, &rep->secrets, verbosity);
		tj_buf_add(&b, " (only --env-keep with the exact name passes one)");
	}
	if (verbosity > 0 && rep->denied.n) {
		tj_buf_addf(&b, "%swithheld by --env-deny: ", b.len ? "; " : "");
		add_names(&b, &rep->denied, verbosity);
	}
	if (b.len)
		fprintf(stderr, "tinyjail: environment: %s\n", b.s);
	tj_buf_done(&b);
	if (verbosity > 1) {
		struct tj_strv names = {0};
		for (size_t i = 0; i < passed->n; i++)
			tj_strv_add_owned(&names, tj_xstrndup(passed->v[i], strcspn(passed->v[i], "=")));
		struct tj_buf all = {0};
		add_names(&all, &names, verbosity);
		fprintf(stderr, "tinyjail: environment: passed: %s\n", names.n ? all.s : "nothing");
		tj_buf_done(&all);
		tj_strv_done(&names);
	}
}

/* What ended the command, and what the limits saw along the way. */
static void report_limits(const struct tj_launch_result *res, const struct tj_limits *l, int verbosity)
{
	char v[32];
	if (res->limit && strcmp(res->limit, "timeout") == 0) {
		tj_format_ms(l->timeout_ms, v, sizeof(v));
		fprintf(stderr, "tinyjail: killed: timeout %s\n", v);
	} else if (res->limit && strcmp(res->limit, "memory") == 0) {
		tj_format_bytes(l->memory, v, sizeof(v));
		fprintf(stderr, "tinyjail: killed: memory limit %s reached\n", v);
	}
	if (res->interrupted)
		fprintf(stderr, "tinyjail: killed: interrupted a second time\n");
	if (res->term_killed)
		fprintf(stderr, "tinyjail: killed: the command did not end after SIGTERM\n");
	if (res->cg.oom_kills && !(res->limit && strcmp(res->limit, "memory") == 0))
		fprintf(stderr, "tinyjail: note: the memory limit killed %llu process%s\n",
			(unsigned long long)res->cg.oom_kills, res->cg.oom_kills == 1 ? "" : "es");
	if (res->cg.pids_refused)
		fprintf(stderr, "tinyjail: note: the pids limit (%llu) refused %llu fork%s\n",
			(unsigned long long)l->pids, (unsigned long long)res->cg.pids_refused,
			res->cg.pids_refused == 1 ? "" : "s");
	if (res->leftovers)
		fprintf(stderr, "tinyjail: killed %llu process%s that outlived the command\n",
			(unsigned long long)res->leftovers, res->leftovers == 1 ? "" : "es");
	if (verbosity > 0) {
		char mem[32] = "?", wall[32], cpu[32];
		if (res->cg.has_memory_peak)
			tj_format_bytes(res->cg.memory_peak, mem, sizeof(mem));
		tj_format_ms(res->wall_ms, wall, sizeof(wall));
		tj_format_ms(res->cpu_usec / 1000, cpu, sizeof(cpu));
		fprintf(stderr, "tinyjail: used: cpu %s, wall %s, peak memory %s%s\n", cpu, wall, mem,
			res->cg.has_memory_peak ? " (cgroup)" : " (no memory cgroup)");
	}
}

/* Refusals were printed as they happened; the exit summary counts them,
 * so that a run that scrolled past them still says.  The proxy counts
 * requests and cuts, the host rules the kernel's refusals. */
static void report_network(const struct tj_events *ev, const struct tj_launch_result *res, enum tj_net_mode mode,
			   int verbosity)
{
	if (verbosity < 0)
		return;
	if (mode == TJ_NET_FILTERED && (ev->net_refusals || ev->net_cuts))
		fprintf(stderr, "tinyjail: network: %llu request%s refused, %llu connection%s cut\n",
			(unsigned long long)ev->net_refusals, ev->net_refusals == 1 ? "" : "s",
			(unsigned long long)ev->net_cuts, ev->net_cuts == 1 ? "" : "s");
	if (res->net_refused)
		fprintf(stderr, "tinyjail: network: the host rules refused %llu attempt%s\n",
			(unsigned long long)res->net_refused, res->net_refused == 1 ? "" : "s");
}

/* The enforcement manifest on stderr: every layer with -v, else only the
 * degraded ones (the user allowed it, but should see it happen).  The log
 * gets it from the monitor, after the start event. */
static void print_manifest(const struct tj_manifest *m, int verbosity)
{
	for (size_t i = 0; i < m->n; i++) {
		const struct tj_manifest_entry *me = &m->v[i];
		if (verbosity > 0)
			fprintf(stderr, "tinyjail: %s: %s: %s\n", me->layer, tj_layer_status_name(me->status),
				me->detail);
		else if (verbosity == 0 && me->status == TJ_LAYER_DEGRADED)
			fprintf(stderr, "tinyjail: warning: %s degraded: %s\n", me->layer, me->detail);
	}
}

/* Limits that were reached, for the log; run prints its own wording
 * (report_limits), so the events' notice stays quiet here. */
static void log_limits(struct tj_events *events, const struct tj_launch_result *res, const struct tj_limits *l)
{
	void (*saved)(void *, const char *) = events->notice;
	events->notice = NULL;
	if (res->limit && strcmp(res->limit, "timeout") == 0)
		tj_events_limit(events, &(struct tj_limit_event){.resource = "wall-time",
								 .source = "timeout",
								 .unit = "ms",
								 .has_limit = true,
								 .limit = l->timeout_ms,
								 .action = "killed"});
	if (res->cg.oom_kills || (res->limit && strcmp(res->limit, "memory") == 0))
		tj_events_limit(events, &(struct tj_limit_event){.resource = "memory",
								 .source = "cgroup",
								 .unit = "bytes",
								 .has_limit = true,
								 .limit = l->memory,
								 .has_value = res->cg.has_memory_peak,
								 .value = res->cg.memory_peak,
								 .action = "killed"});
	if (res->cg.pids_refused)
		tj_events_limit(events, &(struct tj_limit_event){.resource = "pids",
								 .source = "cgroup",
								 .unit = "count",
								 .has_limit = true,
								 .limit = l->pids,
								 .has_value = true,
								 .value = res->cg.pids_refused,
								 .action = "denied",
								 .detail = "forks refused"});
	if (res->cg.cpu_throttled)
		tj_events_limit(events, &(struct tj_limit_event){.resource = "cpu",
								 .source = "cgroup",
								 .unit = "count",
								 .has_value = true,
								 .value = res->cg.cpu_throttled,
								 .action = "throttled",
								 .detail = "periods throttled"});
	events->notice = saved;
}

/* --json-status: the outcome for machines, written whole or not at all,
 * into the directory opened before the command started (outfile.h). */
/* What the supervisor killed, as JSON: one entry per syscall, rule and
 * process that made it first (the tallies of the --log's syscall events). */
static void add_kills(struct tj_buf *b, const struct tj_events *ev)
{
	uint64_t total = 0;
	size_t shown = 0;
	tj_buf_add(b, ",\n  \"seccomp_kills\": [");
	for (size_t i = 0; i < ev->n; i++) {
		const struct tj_tally *t = &ev->v[i];
		if (t->verdict != TJ_VERDICT_KILLED)
			continue;
		char name[64];
		tj_syscall_name(t->arch, t->nr, name, sizeof(name));
		tj_buf_addf(b, "%s\n    {\"syscall\": ", shown++ ? "," : "");
		tj_buf_add_json_string(b, name);
		tj_buf_addf(b, ", \"nr\": %d, \"count\": %llu, \"first_pid\": %d, \"rule\": ", t->nr & ~0x40000000,
			    (unsigned long long)t->count, (int)t->first_pid);
		tj_buf_add_json_string(b, t->rule ? t->rule : "");
		tj_buf_add(b, "}");
		total += t->count;
	}
	tj_buf_addf(b, "%s],\n  \"seccomp_kills_total\": %llu", shown ? "\n  " : "", (unsigned long long)total);
}

static bool killed_any(const struct tj_events *ev, const struct tj_launch_result *res)
{
	for (size_t i = 0; i < ev->n; i++)
		if (ev->v[i].verdict == TJ_VERDICT_KILLED)
			return true;
	return res->seccomp_kill;
}

/* A kill or a refusal anywhere in the tree (--fail-on-violation). */
static bool violated(const struct tj_events *ev, const struct tj_launch_result *res)
{
	return killed_any(ev, res) || ev->net_refusals || res->net_refused;
}

static int write_json_status(struct tj_outfile *status_file, const struct tj_launch_result *res,
			     const struct tj_events *ev)
{
	struct tj_buf b = {0};
	tj_buf_addf(&b, "{\n  \"exit_code\": %d,\n", res->exit_code);
	/* A seccomp kill is SIGSYS, as the exit code (159) and the log's exit
	 * event say, though the supervisor's SIGKILL did it. */
	int sig = res->seccomp_kill ? SIGSYS : res->signal;
	if (sig)
		tj_buf_addf(&b, "  \"status\": \"signaled\",\n  \"signal\": %d,\n", sig);
	else
		tj_buf_addf(&b, "  \"status\": \"exited\",\n  \"code\": %d,\n", res->status);
	tj_buf_add(&b, "  \"limit\": ");
	if (res->limit)
		tj_buf_add_json_string(&b, res->limit);
	else if (res->seccomp_kill)
		tj_buf_add(&b, "\"seccomp\"");
	else if (res->interrupted)
		tj_buf_add(&b, "\"interrupt\"");
	else if (res->term_killed)
		tj_buf_add(&b, "\"terminate\"");
	else
		tj_buf_add(&b, "null");
	tj_buf_add(&b, ",\n  \"peak_memory_bytes\": ");
	if (res->cg.has_memory_peak)
		tj_buf_addf(&b, "%llu", (unsigned long long)res->cg.memory_peak);
	else
		tj_buf_add(&b, "null");
	tj_buf_addf(&b,
		    ",\n  \"largest_process_rss_bytes\": %llu,\n  \"cpu_usec\": %llu,\n  \"wall_ms\": %llu,\n"
		    "  \"oom_kills\": %llu,\n  \"pids_refused\": %llu,\n  \"cpu_throttled_periods\": %llu,\n"
		    "  \"leftovers_killed\": %llu\n}\n",
		    (unsigned long long)res->max_rss, (unsigned long long)res->cpu_usec,
		    (unsigned long long)res->wall_ms, (unsigned long long)res->cg.oom_kills,
		    (unsigned long long)res->cg.pids_refused, (unsigned long long)res->cg.cpu_throttled,
		    (unsigned long long)res->leftovers);
	/* The object is closed above; reopen it for the kills and refusals. */
	b.len -= 3; /* "\n}\n" */
	b.s[b.len] = '\0';
	add_kills(&b, ev);
	tj_buf_addf(&b, ",\n  \"network_refusals\": %llu,\n  \"network_cuts\": %llu,\n  \"violation\": %s\n}\n",
		    (unsigned long long)(ev->net_refusals + res->net_refused), (unsigned long long)ev->net_cuts,
		    violated(ev, res) ? "true" : "false");
	struct tj_err *err = NULL;
	int r = tj_outfile_replace(status_file, b.s, b.len, &err);
	if (r < 0) {
		tj_err_wrap(&err, "the status file");
		tj_cmd_report(err);
		tj_err_free(err);
	}
	tj_buf_done(&b);
	return r;
}

/* --afl: AFL++'s forkserver descriptors pass when tinyjail inherited them
 * as pipes (from afl-fuzz).  Looked at with --pass-fd's, before tinyjail
 * opens anything of its own, so a descriptor of tinyjail's can never be
 * taken for one (and both numbers are taken from then on). */
static void add_afl_fds(struct pass_fds *p)
{
	for (int fd = TJ_AFL_FORKSRV_FD; fd <= TJ_AFL_FORKSRV_FD + 1; fd++) {
		struct stat st;
		if (fstat(fd, &st) == 0 && S_ISFIFO(st.st_mode))
			add_fd(p, fd);
	}
}

int tj_cmd_run(const struct tj_options *o)
{
	return tj_cmd_run_ext(o, NULL);
}

int tj_cmd_run_ext(const struct tj_options *o, const struct tj_run_ext *x)
{
	struct tj_err *err = NULL;
	int code = 0;
	struct tj_launch_plan lp = {0};
	struct tj_events events = {0};
	bool events_open = false;
	__attribute__((cleanup(tj_outfile_done))) struct tj_outfile status_file = TJ_OUTFILE_INIT;
	struct tj_launch_result res = {0};
	struct tj_agent_client agent_client = {.sock = -1};
	struct tj_kmsg_source kmsg;
	bool kmsg_open = false;
	const struct tj_profile *profile = NULL;
	const struct tj_filter *filter = NULL;
	const char *agent = NULL;
	bool nested = false; /* under another tinyjail's listener: no notification */
	enum tj_mode mode = x ? x->mode : o->mode;
	struct tj_observe *observe = NULL;
	tj_autofree const char **explain_names = NULL;

	/* Everything decided before anything starts, and every check, in the
	 * plan builder that `check` shares (plan.h).  learn hands over a
	 * profile in memory and its mode. */
	struct tj_plan_request req = {.o = o, .purpose = TJ_PLAN_RUN};
	if (x) {
		req.profile = x->profile;
		req.in_memory = true;
		req.set_mode = true;
		req.mode = x->mode;
		req.route_errno = x->route_errno;
	}
	/* Descriptors for the command are looked at before tinyjail opens any
	 * of its own, which could take a closed one's number. */
	struct pass_fds pass = {0};
	if (collect_pass_fds(o, &pass, &err) < 0)
		goto fail;
	if (o->iso.afl_forkserver)
		add_afl_fds(&pass);
	int built = tj_plan_build(&req, &lp, &err);
	tj_cmd_print_plan_msgs(&lp.msgs, o->verbosity);
	if (built < 0)
		goto fail;
	profile = lp.profile;
	filter = lp.filter;
	agent = lp.agent;
	nested = lp.nested;
	/* What the command does not get must not stay readable in tinyjail
	 * either (its memory is not dumpable; this is the second wall). */
	tj_env_scrub(environ, &lp.env, "TINYJAIL_");
	print_env_report(&lp.env_report, &lp.env, o->verbosity);
	pass_jobserver(&pass, lp.env.v, o->verbosity);
	lp.plan.pass_fds = pass.v;
	lp.plan.npass_fds = pass.n;
	/* Output files are checked before anything runs, and written later
	 * through their directory's descriptor (outfile.h). */
	if (o->json_status && tj_outfile_prepare(&status_file, o->json_status, "the status file", &err) < 0)
		goto fail;
	if (tj_events_open(&events, o->log_path, &err) < 0)
		goto fail;
	events_open = true;
	events.notice = on_notice;
	events.notice_ctx = (void *)o;
	events.source = agent ? TJ_SOURCE_AGENT : o->complain_kmsg ? TJ_SOURCE_KMSG : TJ_SOURCE_NOTIFY;
	/* Kills name their call site too: one stack per killed process. */
	bool kill_stacks = filter && lp.plan.mode == TJ_MODE_ENFORCE && !o->kernel_kills && !(x && x->on_notify);
	if (filter && filter->uses_listener && !agent && (lp.recording || kill_stacks)) {
		explain_names = tj_xcalloc(o->explain.n + 1, sizeof(*explain_names));
		for (size_t i = 0; i < o->explain.n; i++)
			explain_names[i] = o->explain.v[i];
		events.recording = lp.recording;
		events.explain_names = explain_names;
		struct tj_observe_opts oo = {.explain_nrs = lp.explain_nrs,
					     .explain_n = o->explain.n,
					     .explain_stacks = o->explain_stacks,
					     .usage = lp.recording & TJ_RECORD_USAGE,
					     .processes = lp.recording & TJ_RECORD_PROCESSES,
					     .pid_ns = lp.iso.unshare & TJ_NS_PID,
					     .kill_stacks = kill_stacks};
		if (tj_observe_new(&oo, &events, &observe, &err) < 0)
			goto fail;
	}
	print_manifest(&lp.manifest, o->verbosity);
	if (!filter && o->verbosity >= 0)
		fprintf(stderr, "tinyjail: warning: no syscall filter (%s)\n",
			profile ? "the profile has no seccomp section" : "--profile none");
	if (agent) {
		/* Reached before anything starts: no agent, no run. */
		if (tj_agent_connect(agent, &agent_client.sock, &err) < 0)
			goto fail;
		agent_client.path = agent;
		agent_client.metadata = profile->seccomp->listener_metadata;
		agent_client.profile = profile->file;
		agent_client.command = o->command[0];
	}
	if (x && x->begin && x->begin(x->ctx, lp.exec_path, &events, &err) < 0)
		goto fail;
	if (filter && o->complain_kmsg) {
		if (tj_kmsg_source_start(&kmsg, filter, &events, &err) < 0)
			goto fail;
		kmsg_open = true;
	}

	struct run_ctx rc = {.o = o,
			     .profile = profile,
			     .profile_arg = o->profile ? o->profile
					    : x	       ? profile->file
						       : "default",
			     .agent = &agent_client};
	struct tj_launch_hooks hooks = {.ctx = &rc,
					.on_kill = on_kill,
					.on_listener = agent ? on_listener : NULL,
					.source = kmsg_open ? &kmsg.src : NULL,
					.on_notify = x && x->on_notify ? on_notify_ext : NULL,
					.observe = observe};
	rc.ext = x;
	if (x && x->on_kill)
		hooks.on_kill = on_kill_ext;
	if (x && x->on_denied)
		hooks.on_denied = on_denied_ext;
	tj_phase("launch");
	int launched = tj_launch(&lp.plan, &events, &hooks, &res, &err);
	tj_strv_done(&rc.hinted);
	if (launched < 0)
		goto fail;
	if (x && x->result) {
		/* The copy-back texts stay this function's to print and free. */
		*x->result = res;
		x->result->copy_back = x->result->copy_back_error = NULL;
	}
	if (x && x->started)
		*x->started = true;
	if (observe) {
		tj_observe_finish(observe);
		if (o->verbosity >= 0)
			print_explained(observe);
	}

	struct tj_run_report report = {.o = o,
				       .profile = profile,
				       .filter = filter,
				       .events = &events,
				       .res = &res,
				       .kmsg = kmsg_open ? &kmsg : NULL,
				       .agent = agent != NULL,
				       .agent_path = agent};
	if (o->report && o->verbosity >= 0)
		tj_cmd_print_report(&report);
	else if (mode == TJ_MODE_COMPLAIN && filter && o->verbosity >= 0)
		tj_cmd_print_summary(&report);
	if (o->verbosity >= 0)
		report_limits(&res, &lp.limits, o->verbosity);
	if (!o->report)
		report_network(&events, &res, lp.net.mode, o->verbosity);
	/* File names the command chose are in both. */
	tj_sanitize(res.copy_back);
	tj_sanitize(res.copy_back_error);
	if (res.copy_back && o->verbosity >= 0)
		fprintf(stderr, "tinyjail: %s\n", res.copy_back);
	if (res.copy_back_error) {
		/* Files the command wrote could not all reach the host: that
		 * is tinyjail's failure, even when the command succeeded. */
		fprintf(stderr, "tinyjail: error: %s\n", res.copy_back_error);
		if (res.exit_code == 0)
			res.exit_code = TJ_EXIT_ERROR;
	}
	free(res.copy_back);
	free(res.copy_back_error);
	/* --fail-on-violation: a job whose command succeeded fails all the
	 * same when something of it was killed or refused (a killed helper, a
	 * download the proxy refused). */
	if (o->fail_on_violation && res.exit_code == 0 && violated(&events, &res)) {
		bool killed = killed_any(&events, &res);
		res.exit_code = killed ? TJ_EXIT_SIGNAL_BASE + SIGSYS : TJ_EXIT_REFUSED;
		if (o->verbosity >= 0)
			fprintf(stderr, "tinyjail: the command exited 0, but %s: exit %d (--fail-on-violation)\n",
				killed ? "a process was killed by seccomp" : "the network rules refused a request",
				res.exit_code);
	}
	if (o->json_status && write_json_status(&status_file, &res, &events) < 0 && res.exit_code == 0)
		res.exit_code = TJ_EXIT_ERROR;
	if (res.net_unrecorded && o->verbosity >= 0)
		fprintf(stderr,
			"tinyjail: note: %llu refused network attempt%s could not be recorded (the ring buffer "
			"was full)\n",
			(unsigned long long)res.net_unrecorded, res.net_unrecorded == 1 ? "" : "s");
	if (res.kill_unattributed && o->verbosity >= 0)
		fprintf(stderr,
			"tinyjail: killed by seccomp: a call the profile kills for was interrupted by a signal "
			"before tinyjail could tell which process made it; the command was ended (fail closed)\n");
	/* After the terminal's own Ctrl-C (or Ctrl-\) the death it caused is
	 * no news: the shell says nothing either. */
	bool from_terminal = res.signal && res.signal == res.terminal_signal;
	if (res.signal && !res.seccomp_kill && !res.limit && !res.interrupted && !res.term_killed && !from_terminal &&
	    o->verbosity >= 0) {
		const char *name = sigabbrev_np(res.signal);
		const char *why = "";
		/* Only suggest the supervisor when it was not already in charge:
		 * with it, a SIGSYS comes from the profile's KILL_THREAD or TRAP
		 * rules, or from a call through an ABI the profile does not list. */
		if (res.signal == SIGSYS && nested)
			why = " (a seccomp kill by the kernel: this tinyjail runs under another one's seccomp listener, "
			      "and the kernel allows one, so the syscall is not named; run the outer tinyjail with "
			      "--kill-via kernel to have it named)";
		else if (res.signal == SIGSYS && agent)
			why = " (a seccomp kill by the kernel: the listener belongs to the seccomp agent, so tinyjail "
			      "does not see the call)";
		else if (res.signal == SIGSYS)
			why = o->kernel_kills
				      ? " (a seccomp kill by the kernel, which does not name the syscall; "
					"use --kill-via=supervisor to have it named)"
				      : " (from seccomp, without passing through the supervisor: an "
					"SCMP_ACT_KILL_THREAD or SCMP_ACT_TRAP rule, or a call through an ABI the "
					"profile does not list)";
		char fsize_why[200];
		const struct tj_rlimit *fs = &lp.limits.rlimits[RLIMIT_FSIZE];
		if (res.signal == SIGXFSZ && fs->set) {
			char size[32];
			tj_format_bytes(fs->soft, size, sizeof(size));
			snprintf(fsize_why, sizeof(fsize_why),
				 " (it wrote past its file size limit of %s: RLIMIT_FSIZE, which --rlimit fsize=SIZE sets)",
				 size);
			why = fsize_why;
		}
		fprintf(stderr, "tinyjail: the command was killed by signal SIG%s%s\n", name ? name : "?", why);
	}
	if (res.exited && res.status != 0 && o->verbosity >= 0 && tj_isolation_wants_landlock_view(&lp.iso))
		view_hint(&lp.iso);
	log_limits(&events, &res, &lp.limits);
	struct tj_exit_event xe = {.exit_code = res.exit_code,
				   .status = res.status,
				   .signal = res.seccomp_kill ? SIGSYS : res.signal,
				   .seccomp_kill = res.seccomp_kill,
				   .reason = !res.limit				 ? NULL
					     : strcmp(res.limit, "timeout") == 0 ? "timeout"
										 : "limit",
				   .wall_ms = res.wall_ms,
				   .lost = res.lost,
				   .incomplete = (filter && !agent && !tj_cmd_run_complete(&report)) ||
						 res.net_unrecorded};
	tj_events_exit_ex(&events, &xe);
	code = res.exit_code;
	/* Died of a signal: tinyjail dies of the same one once it is done, so
	 * that a shell loop or make stops on Ctrl-C as it would without it. */
	if (res.interrupted)
		die_of_signal = SIGINT; /* the tree was killed, but the person interrupted it */
	else if (res.signal && !res.seccomp_kill && !res.limit && code == TJ_EXIT_SIGNAL_BASE + res.signal)
		die_of_signal = res.signal;
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
	tj_plan_done(&lp);
	tj_observe_free(observe);
	return code;

fail:
	code = tj_cmd_report(err);
	tj_err_free(err);
	/* Stopped by a signal before the command started: as if it killed us,
	 * so that a shell loop around tinyjail stops on a Ctrl-C that came
	 * during the set-up as well. */
	if (res.setup_signal) {
		code = TJ_EXIT_SIGNAL_BASE + res.setup_signal;
		die_of_signal = res.setup_signal;
	}
	/* Even when the run failed, what it wrote may not have reached the host. */
	tj_sanitize(res.copy_back_error);
	if (res.copy_back_error)
		fprintf(stderr, "tinyjail: error: %s\n", res.copy_back_error);
	free(res.copy_back);
	free(res.copy_back_error);
	if (kmsg_open)
		tj_kmsg_source_done(&kmsg);
	if (agent_client.sock >= 0)
		close(agent_client.sock);
	if (events_open) {
		struct tj_err *e2 = NULL;
		tj_events_close(&events, &e2);
		tj_err_free(e2);
	}
	tj_plan_done(&lp);
	tj_observe_free(observe);
	return code;
}
