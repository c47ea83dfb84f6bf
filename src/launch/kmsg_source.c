/* SPDX-License-Identifier: Apache-2.0 */
/* Kernel-log records -> would-deny events (kmsg_source.h). */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tj/base/proc.h"
#include "tj/base/seccomp_abi.h"
#include "tj/base/util.h"
#include "tj/filter/bpfsim.h"
#include "tj/filter/explain.h"
#include "tj/launch/kmsg_source.h"

/* The marker at the end waits this long for the kauditd thread. */
#define END_MARK_MS 1000
#define START_MARK_MS 1000

static bool known(const struct tj_kmsg_source *s, pid_t pid)
{
	for (size_t i = 0; i < s->nknown; i++)
		if (s->known[i] == pid)
			return true;
	return false;
}

/* Whether the profile's answer for this call depends on its arguments,
 * which the kernel log does not record. */
static bool depends_on_args(const struct tj_seccomp *sc, const struct seccomp_data *d)
{
	char name[64];
	tj_syscall_name(d->arch, d->nr, name, sizeof(name));
	for (size_t i = 0; i < sc->nrules; i++) {
		const struct tj_rule *r = &sc->rules[i];
		if (!r->nargs)
			continue;
		for (size_t k = 0; k < r->names.n; k++)
			if (strcmp(r->names.v[k], name) == 0)
				return true;
	}
	return false;
}

static void on_record(void *ctx, const struct tj_kmsg_record *rec)
{
	struct tj_kmsg_source *s = ctx;
	pid_t child = s->child;
	/* The complain-mode program logs every would-be denial and nothing
	 * else kills or traps, so only LOG records can be the command's. */
	if ((rec->code & SECCOMP_RET_ACTION_FULL) != SECCOMP_RET_LOG)
		return;
	if (!known(s, rec->pid)) {
		if (child <= 0 || !tj_proc_descends_from(rec->pid, child)) {
			/* A process that is still there and not ours is someone
			 * else's; one that is gone cannot be placed. */
			if (tj_proc_ppid(rec->pid) < 0)
				s->unattributable++;
			return;
		}
		tj_xreserve((void **)&s->known, &s->cap, s->nknown + 1, sizeof(*s->known));
		s->known[s->nknown++] = rec->pid;
	}
	struct tj_syscall_event e = {.verdict = TJ_VERDICT_WOULD_DENY,
				     .source = TJ_SOURCE_KMSG,
				     .pid = rec->pid,
				     .no_args = true};
	memcpy(e.comm, rec->comm, sizeof(e.comm));
	e.data.nr = rec->nr;
	e.data.arch = rec->arch;
	e.data.instruction_pointer = rec->ip;
	const struct tj_filter *f = s->filter;
	const struct sock_filter *truth = f->truth ? f->truth : f->prog;
	size_t truth_len = f->truth ? f->truth_len : f->len;
	if (depends_on_args(f->resolved, &e.data)) {
		e.action_unknown = true;
		e.rule = "unknown";
	} else {
		e.action = tj_bpf_run(truth, truth_len, &e.data);
		uint32_t kind = e.action & SECCOMP_RET_ACTION_FULL;
		/* The profile's own SCMP_ACT_LOG rules log too: not a denial. */
		if (kind == SECCOMP_RET_LOG || kind == SECCOMP_RET_ALLOW)
			return;
		e.rule = tj_explain_rule(f->resolved, &e.data, e.action);
	}
	s->records++;
	tj_events_syscall(s->events, &e);
}

static void ready(void *ctx, pid_t child)
{
	struct tj_kmsg_source *s = ctx;
	s->child = child;
	tj_kmsg_read(s->k, on_record, s);
}

static void finish(void *ctx, pid_t child)
{
	struct tj_kmsg_source *s = ctx;
	s->child = child;
	/* kauditd prints after the call returned: the marker, queued behind
	 * everything the command caused, says when all of it is through. */
	tj_kmsg_mark(s->k, END_MARK_MS, on_record, s);
	tj_kmsg_loss(s->k, &s->loss);
}

int tj_kmsg_source_start(struct tj_kmsg_source *s, const struct tj_filter *f, struct tj_events *ev, struct tj_err **err)
{
	memset(s, 0, sizeof(*s));
	if (tj_kmsg_open(&s->k, err) < 0)
		return -1;
	s->filter = f;
	s->events = ev;
	s->src.fd = tj_kmsg_fd(s->k);
	s->src.ready = ready;
	s->src.finish = finish;
	s->src.ctx = s;
	tj_kmsg_mark(s->k, START_MARK_MS, NULL, NULL);
	return 0;
}

void tj_kmsg_source_done(struct tj_kmsg_source *s)
{
	tj_kmsg_free(s->k);
	free(s->known);
	memset(s, 0, sizeof(*s));
}

bool tj_kmsg_source_complete(const struct tj_kmsg_source *s)
{
	const struct tj_kmsg_loss *l = &s->loss;
	/* Both markers arrived, so the serials between them are the exact
	 * account of what was printed (the suppressed count is then only
	 * a coarser view of the same gaps). */
	return !l->serial_gaps && !l->audit_lost && !l->overruns && !l->no_start_marker && !l->no_end_marker &&
	       !s->unattributable;
}
