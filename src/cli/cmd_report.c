/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What `run` prints at exit: the complain-mode summary and --report (why the
 * command ended, what was killed, denied or would have been, which rules
 * were never used, and whether the record is complete).
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tj/cli/cmd.h"
#include "tj/events/decode.h"
#include "tj/launch/kmsg_source.h"

static void print_tally_line(const struct tj_tally *t)
{
	char name[64], action[64];
	tj_syscall_name(t->arch, t->nr, name, sizeof(name));
	if (t->action_unknown)
		snprintf(action, sizeof(action), "(depends on arguments)");
	else
		tj_filter_describe_action(t->action, action, sizeof(action));
	const char *arch = tj_arch_short_name(t->arch, t->nr);
	bool native = strcmp(arch, "x86_64") == 0;
	fprintf(stderr, "tinyjail: %8llu  %-20s %-24s by %s%s%s (first pid %d)\n", (unsigned long long)t->count, name,
		action, t->rule ? t->rule : "defaultAction", native ? "" : ", ", native ? "" : arch, (int)t->first_pid);
}

static void count_verdict(const struct tj_events *ev, enum tj_verdict v, size_t *kinds, uint64_t *calls)
{
	*kinds = 0;
	*calls = 0;
	for (size_t i = 0; i < ev->n; i++) {
		if (ev->v[i].verdict != v)
			continue;
		(*kinds)++;
		*calls += ev->v[i].count;
	}
}

static void print_verdict(const struct tj_events *ev, enum tj_verdict v)
{
	for (size_t i = 0; i < ev->n; i++)
		if (ev->v[i].verdict == v)
			print_tally_line(&ev->v[i]);
}

/* Prints why the record may be incomplete; returns true if it is complete. */
static bool print_completeness(const struct tj_run_report *r, const char *what)
{
	const struct tj_launch_result *res = r->res;
	bool complete = true;
	if (r->kmsg) {
		const struct tj_kmsg_loss *l = &r->kmsg->loss;
		/* With both markers the serials are exact; without, the
		 * kernel's own count is all there is. */
		bool bracketed = !l->no_start_marker && !l->no_end_marker;
		uint64_t dropped = bracketed ? l->serial_gaps : l->suppressed;
		if (dropped || l->audit_lost || l->overruns) {
			char how_many[32] = "some";
			if (dropped)
				snprintf(how_many, sizeof(how_many), "%llu", (unsigned long long)dropped);
			fprintf(stderr,
				"tinyjail: incomplete: the kernel log dropped %s audit record%s during the run (printk "
				"rate limit: kernel.printk_ratelimit_burst per kernel.printk_ratelimit seconds); some may "
				"have been this command's\n",
				how_many, dropped == 1 ? "" : "s");
		} else if (l->no_start_marker || l->no_end_marker)
			fprintf(stderr,
				"tinyjail: incomplete: tinyjail's own marker record did not reach the kernel log "
				"(rate limit, or an audit daemon takes the records): records may be missing\n");
		if (r->kmsg->unattributable)
			fprintf(stderr,
				"tinyjail: incomplete: %llu logged call%s came from processes that had already exited "
				"and could not be placed; they may have been this command's\n",
				(unsigned long long)r->kmsg->unattributable, r->kmsg->unattributable == 1 ? "" : "s");
		complete = tj_kmsg_source_complete(r->kmsg);
		if (complete)
			fprintf(stderr,
				"tinyjail: complete: every %s was recorded (kernel log: no audit record was "
				"dropped during the run)\n",
				what);
		return complete;
	}
	if (res->lost) {
		complete = false;
		fprintf(stderr,
			"tinyjail: incomplete: up to %llu %s%s may be missing: a signal interrupted the call before "
			"tinyjail received it; a restarted call was recorded, one that failed with EINTR was not "
			"(notes/architecture.md)\n",
			(unsigned long long)res->lost, what, res->lost == 1 ? "" : "s");
	}
	if (complete)
		fprintf(stderr, "tinyjail: complete: every %s was recorded (seccomp user notification)\n", what);
	return complete;
}

bool tj_cmd_run_complete(const struct tj_run_report *r)
{
	if (r->kmsg)
		return tj_kmsg_source_complete(r->kmsg);
	return !r->res->lost;
}

void tj_cmd_print_summary(const struct tj_run_report *r)
{
	const struct tj_events *ev = r->events;
	size_t kinds;
	uint64_t calls;
	count_verdict(ev, TJ_VERDICT_WOULD_DENY, &kinds, &calls);
	const char *profile = r->profile->file;
	if (kinds == 0) {
		fprintf(stderr, "tinyjail: complain mode: nothing the command did would have been denied by %s\n",
			profile);
	} else {
		fprintf(stderr, "tinyjail: complain mode: %s would have denied %zu kind%s of syscall (%llu call%s):\n",
			profile, kinds, kinds == 1 ? "" : "s", (unsigned long long)calls, calls == 1 ? "" : "s");
		print_verdict(ev, TJ_VERDICT_WOULD_DENY);
	}
	print_completeness(r, "would-be denial");
}

/* --- --report --- */

static void print_ending(const struct tj_run_report *r)
{
	const struct tj_launch_result *res = r->res;
	const char *cmd = r->o->command[0];
	double secs = (double)res->wall_ms / 1000.0;
	if (res->seccomp_kill && !res->kill_unattributed) {
		char call[512];
		tj_decode_call(&res->kill_event.data, call, sizeof(call));
		fprintf(stderr, "tinyjail: report: %s was killed by seccomp after %.3f s: %s, pid %d (%s), %s\n", cmd,
			secs, call, (int)res->kill_event.pid, res->kill_event.comm[0] ? res->kill_event.comm : "?",
			res->kill_event.rule);
	} else if (res->seccomp_kill) {
		fprintf(stderr,
			"tinyjail: report: %s was killed by seccomp after %.3f s: a call the profile kills for "
			"could not be attributed (fail closed)\n",
			cmd, secs);
	} else if (res->signal) {
		const char *name = sigabbrev_np(res->signal);
		const char *by = "";
		if (res->forwarded_signal == res->signal)
			by = " (sent to tinyjail and passed on)";
		else if (res->signal == SIGSYS)
			by = " (from seccomp: a kill by the kernel)";
		else if (res->signal == SIGKILL && r->agent)
			by = " (possibly by the seccomp agent)";
		fprintf(stderr, "tinyjail: report: %s was killed by signal SIG%s after %.3f s%s\n", cmd,
			name ? name : "?", secs, by);
	} else {
		fprintf(stderr, "tinyjail: report: %s exited with status %d after %.3f s\n", cmd, res->status, secs);
	}
	if (r->events->last_limit)
		fprintf(stderr, "tinyjail: report: last limit reached: %s\n", r->events->last_limit);
}

static void print_section(const struct tj_events *ev, enum tj_verdict v, const char *title)
{
	size_t kinds;
	uint64_t calls;
	count_verdict(ev, v, &kinds, &calls);
	if (!kinds)
		return;
	fprintf(stderr, "tinyjail: report: %s (%zu kind%s, %llu call%s):\n", title, kinds, kinds == 1 ? "" : "s",
		(unsigned long long)calls, calls == 1 ? "" : "s");
	print_verdict(ev, v);
}

/* Whether this run would have seen a call decided by an action at all. */
static bool action_tracked(const struct tj_run_report *r, enum tj_action a)
{
	if (r->agent)
		return false;
	bool allow = a == TJ_ACT_ALLOW, log = a == TJ_ACT_LOG;
	if (r->o->mode == TJ_MODE_COMPLAIN) {
		if (r->kmsg)
			return !allow && !log;
		return !log && (!allow || r->o->report == TJ_REPORT_USAGE);
	}
	switch (a) {
	case TJ_ACT_KILL:
	case TJ_ACT_KILL_PROCESS: return !r->o->kernel_kills;
	case TJ_ACT_ERRNO: return true;
	case TJ_ACT_ALLOW: return r->o->report == TJ_REPORT_USAGE;
	default: return false; /* KILL_THREAD, TRAP, TRACE stay with the kernel; LOG is allowed */
	}
}

static bool name_used(const struct tj_events *ev, const char *rule, const char *name)
{
	for (size_t i = 0; i < ev->n; i++) {
		const struct tj_tally *t = &ev->v[i];
		if (!t->rule || strcmp(t->rule, rule) != 0)
			continue;
		char n[64];
		tj_syscall_name(t->arch, t->nr, n, sizeof(n));
		if (strcmp(n, name) == 0)
			return true;
	}
	return false;
}

static void print_unused(const struct tj_run_report *r)
{
	const struct tj_seccomp *s = r->filter->resolved;
	struct tj_buf untracked = {0};
	struct tj_strv seen = {0}; /* json paths: groups split one rule into several */
	size_t tracked = 0, unused = 0;
	for (size_t i = 0; i < s->nrules; i++) {
		const struct tj_rule *rule = &s->rules[i];
		if (tj_rule_equals_default(s, rule) || tj_strv_contains(&seen, rule->json_path))
			continue;
		tj_strv_add(&seen, rule->json_path);
		if (!action_tracked(r, rule->action)) {
			tj_buf_addf(&untracked, "%s%s", untracked.len ? ", " : "", rule->json_path);
			continue;
		}
		tracked++;
		struct tj_buf names = {0};
		struct tj_strv listed = {0}, all = {0};
		size_t nunused = 0;
		/* Every part of this rule: the resolved rules with its path. */
		for (size_t j = i; j < s->nrules; j++) {
			const struct tj_rule *part = &s->rules[j];
			if (strcmp(part->json_path, rule->json_path) != 0)
				continue;
			for (size_t k = 0; k < part->names.n; k++) {
				if (!tj_strv_contains(&all, part->names.v[k]))
					tj_strv_add(&all, part->names.v[k]);
				if (name_used(r->events, part->json_path, part->names.v[k]) ||
				    tj_strv_contains(&listed, part->names.v[k]))
					continue;
				tj_strv_add(&listed, part->names.v[k]);
				tj_buf_addf(&names, "%s%s", names.len ? ", " : "", part->names.v[k]);
				nunused++;
			}
		}
		size_t nnames = all.n;
		tj_strv_done(&listed);
		tj_strv_done(&all);
		if (nunused) {
			if (!unused)
				fprintf(stderr, "tinyjail: report: rules never used in this run:\n");
			unused++;
			char action[64];
			tj_filter_describe_action(tj_filter_action_value(rule->action, tj_rule_effective_errno(rule)),
						  action, sizeof(action));
			if (nunused == nnames)
				fprintf(stderr, "tinyjail:          %s %s: %s\n", rule->json_path, action, names.s);
			else
				fprintf(stderr, "tinyjail:          %s %s: %zu of %zu names never used: %s\n",
					rule->json_path, action, nunused, nnames, names.s);
		}
		tj_buf_done(&names);
	}
	tj_strv_done(&seen);
	if (tracked && !unused)
		fprintf(stderr, "tinyjail: report: every tracked rule was used (%zu rule%s)\n", tracked,
			tracked == 1 ? "" : "s");
	if (untracked.len) {
		const char *why =
			r->agent ? "a seccomp agent decided, tinyjail saw no calls"
			: r->o->report == TJ_REPORT_USAGE || r->kmsg
				? "their calls are answered by the kernel alone"
				: "their calls are answered by the kernel alone; --report=usage tracks SCMP_ACT_ALLOW rules";
		fprintf(stderr, "tinyjail: report: not tracked (%s): %s\n", why, untracked.s);
	}
	tj_buf_done(&untracked);
}

void tj_cmd_print_report(const struct tj_run_report *r)
{
	print_ending(r);
	if (!r->filter) {
		fprintf(stderr, "tinyjail: report: no syscall filter (--profile none)\n");
		return;
	}
	const struct tj_events *ev = r->events;
	if (r->agent)
		fprintf(stderr,
			"tinyjail: report: the seccomp agent at %s decided the notified calls; see its own log\n",
			r->agent_path);
	print_section(ev, TJ_VERDICT_KILLED, "killed for");
	print_section(ev, TJ_VERDICT_DENIED, "denied with an errno");
	if (r->o->mode == TJ_MODE_COMPLAIN) {
		size_t kinds;
		uint64_t calls;
		count_verdict(ev, TJ_VERDICT_WOULD_DENY, &kinds, &calls);
		if (kinds)
			print_section(ev, TJ_VERDICT_WOULD_DENY, "would have been denied");
		else
			fprintf(stderr, "tinyjail: report: nothing would have been denied by %s\n", r->profile->file);
	}
	if (r->o->report == TJ_REPORT_USAGE) {
		size_t kinds;
		uint64_t calls;
		count_verdict(ev, TJ_VERDICT_ALLOWED, &kinds, &calls);
		fprintf(stderr, "tinyjail: report: allowed by rules: %zu kind%s of syscall, %llu call%s\n", kinds,
			kinds == 1 ? "" : "s", (unsigned long long)calls, calls == 1 ? "" : "s");
	}
	print_unused(r);
	if (ev->limits || ev->net_refusals || ev->net_cuts || ev->layers_degraded)
		fprintf(stderr,
			"tinyjail: report: %llu limit%s reached, %llu network refusal%s, %llu connection%s cut, "
			"%llu layer%s degraded\n",
			(unsigned long long)ev->limits, ev->limits == 1 ? "" : "s",
			(unsigned long long)ev->net_refusals, ev->net_refusals == 1 ? "" : "s",
			(unsigned long long)ev->net_cuts, ev->net_cuts == 1 ? "" : "s",
			(unsigned long long)ev->layers_degraded, ev->layers_degraded == 1 ? "" : "s");
	if (!r->agent)
		print_completeness(r, r->o->mode == TJ_MODE_COMPLAIN ? "would-be denial" : "tracked call");
}
