/* SPDX-License-Identifier: Apache-2.0 */
/* Call sites, allowed calls and the process tree of a run (tj/launch/observe.h). */
#include <fcntl.h>
#include <linux/audit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "tj/base/proc.h"
#include "tj/base/util.h"
#include "tj/filter/filter.h"
#include "tj/filter/notify.h"
#include "tj/launch/observe.h"
#include "tj/unwind/unwind.h"

const char *const tj_observe_lifecycle_names[] = {"clone",  "clone3",	"fork",	      "vfork",
						  "execve", "execveat", "exit_group", NULL};

struct site {
	unsigned id;
	size_t which; /* the explained syscall it belongs to */
	uint64_t hash;
	uint64_t pcs[TJ_UNWIND_MAX_FRAMES];
	size_t n;
	struct tj_frame *frames; /* symbolized; strings belong to the unwinder */
	bool truncated;
	uint64_t count;
	unsigned logged;
};

struct explained {
	int nr;
	char name[64];
	struct tj_explain_event ev; /* counts, and sites once finished */
	struct tj_explain_site *sites;
};

struct ucount {
	uint32_t arch;
	int nr;
	uint32_t action;
	char *rule;
	uint64_t count;
};

struct oproc {
	pid_t tgid;
	bool announced; /* its start or fork event is written */
	bool is_command;
	bool exec_pending; /* an execve was let through; the next call shows whether it worked */
	uint64_t exec_us;
	char *exe;
	char *cmdline;
	size_t cmdline_len;
	struct ucount *u;
	size_t un, ucap;
};

struct thread {
	pid_t tid, tgid;
};

struct tj_observe {
	struct tj_observe_opts opts;
	struct tj_events *events;
	struct tj_unwind *uw;
	struct explained *ex;
	struct site *sites;
	size_t nsites, sitecap;
	struct oproc **procs;
	size_t nprocs, proccap;
	struct thread *threads;
	size_t nthreads, threadcap;
	bool command_seen;
	struct tj_explain_event *finished;
	struct tj_frame **kills; /* the stacks of killed calls */
	size_t nkills, killcap;
	struct tj_stack kill_stack;
	pid_t kill_tgid;
	bool kill_pending;
	bool launcher_done; /* the launcher's execve of the command has been seen */
};

static uint64_t now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

int tj_observe_new(const struct tj_observe_opts *opts, struct tj_events *events, struct tj_observe **ret,
		   struct tj_err **err)
{
	struct tj_observe *o = tj_xcalloc(1, sizeof(*o));
	o->opts = *opts;
	o->events = events;
	if (!o->opts.explain_stacks)
		o->opts.explain_stacks = 1;
	if ((opts->explain_n || opts->kill_stacks) && tj_unwind_new(&o->uw, err) < 0) {
		free(o);
		return -1;
	}
	if (opts->explain_n) {
		o->ex = tj_xcalloc(opts->explain_n, sizeof(*o->ex));
		for (size_t i = 0; i < opts->explain_n; i++) {
			o->ex[i].nr = opts->explain_nrs[i];
			tj_syscall_name(AUDIT_ARCH_X86_64, opts->explain_nrs[i], o->ex[i].name, sizeof(o->ex[i].name));
			o->ex[i].ev.syscall = o->ex[i].name;
		}
	}
	*ret = o;
	return 0;
}

static void proc_free(struct oproc *p)
{
	for (size_t i = 0; i < p->un; i++)
		free(p->u[i].rule);
	free(p->u);
	free(p->exe);
	free(p->cmdline);
	free(p);
}

void tj_observe_free(struct tj_observe *o)
{
	if (!o)
		return;
	for (size_t i = 0; i < o->nprocs; i++)
		proc_free(o->procs[i]);
	free(o->procs);
	free(o->threads);
	for (size_t i = 0; i < o->nsites; i++)
		free(o->sites[i].frames);
	free(o->sites);
	for (size_t i = 0; o->ex && i < o->opts.explain_n; i++)
		free(o->ex[i].sites);
	free(o->ex);
	free(o->finished);
	for (size_t i = 0; i < o->nkills; i++)
		free(o->kills[i]);
	free(o->kills);
	tj_unwind_free(o->uw);
	free(o);
}

/* --- processes --- */

static struct oproc *find_proc(struct tj_observe *o, pid_t tgid)
{
	for (size_t i = 0; i < o->nprocs; i++)
		if (o->procs[i]->tgid == tgid)
			return o->procs[i];
	return NULL;
}

static pid_t tgid_of(struct tj_observe *o, pid_t tid)
{
	/* A tid that is some process's id is its main thread. */
	if (find_proc(o, tid))
		return tid;
	for (size_t i = 0; i < o->nthreads; i++)
		if (o->threads[i].tid == tid)
			return o->threads[i].tgid;
	/* Remembered, main threads too: /proc costs ~10 µs a read.  A stale
	 * entry (the pid was reused) is dropped when reading it fails. */
	pid_t tgid = tj_proc_tgid(tid);
	if (tgid <= 0)
		return tid;
	tj_xreserve((void **)&o->threads, &o->threadcap, o->nthreads + 1, sizeof(*o->threads));
	o->threads[o->nthreads++] = (struct thread){.tid = tid, .tgid = tgid};
	return tgid;
}

static void forget_threads(struct tj_observe *o, pid_t tgid, pid_t tid)
{
	for (size_t i = 0; i < o->nthreads;) {
		if ((tgid && o->threads[i].tgid == tgid) || (tid && o->threads[i].tid == tid))
			o->threads[i] = o->threads[--o->nthreads];
		else
			i++;
	}
}

static char *read_link(pid_t pid, const char *what)
{
	char path[64], buf[4096];
	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, what);
	ssize_t n = readlink(path, buf, sizeof(buf) - 1);
	if (n <= 0)
		return NULL;
	buf[n] = '\0';
	return tj_xstrdup(buf);
}

/* /proc/PID/cmdline: NUL-separated arguments (at most 4 KiB kept). */
static char *read_cmdline(pid_t pid, size_t *len)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	*len = 0;
	if (fd < 0)
		return NULL;
	char *buf = tj_xmalloc(4097);
	ssize_t n = read(fd, buf, 4096);
	close(fd);
	if (n <= 0) {
		free(buf);
		return NULL;
	}
	if (buf[n - 1] != '\0')
		buf[n++] = '\0';
	*len = (size_t)n;
	return buf;
}

/* The arguments as a NULL-terminated vector pointing into cmdline. */
static char **argv_of(const char *cmdline, size_t len)
{
	size_t n = 0;
	for (size_t i = 0; i < len; i++)
		n += cmdline[i] == '\0';
	char **v = tj_xcalloc(n + 1, sizeof(*v));
	size_t k = 0;
	for (size_t i = 0; i < len && k < n; i += strlen(cmdline + i) + 1)
		v[k++] = (char *)cmdline + i;
	return v;
}

/* The dynamic loader's mapping, from /proc/PID/maps: the file whose name
 * is ld-*.so* (PT_INTERP on every glibc and musl system). */
static bool find_loader(pid_t pid, char *path, size_t size, uint64_t *start, uint64_t *end)
{
	char maps[64], line[4352];
	snprintf(maps, sizeof(maps), "/proc/%d/maps", (int)pid);
	FILE *f = fopen(maps, "re");
	if (!f)
		return false;
	bool found = false;
	while (fgets(line, sizeof(line), f)) {
		unsigned long long s, e;
		int off = 0;
		if (sscanf(line, "%llx-%llx %*s %*s %*s %*s %n", &s, &e, &off) < 2 || off <= 0)
			continue;
		char *name = line + off;
		name[strcspn(name, "\n")] = '\0';
		const char *base = strrchr(name, '/');
		base = base ? base + 1 : name;
		if (name[0] != '/' || strncmp(base, "ld-", 3) != 0 || !strstr(base, ".so"))
			continue;
		if (!found) {
			snprintf(path, size, "%s", name);
			*start = s;
			*end = e;
			found = true;
		} else if (strcmp(path, name) == 0) {
			if (s < *start)
				*start = s;
			if (e > *end)
				*end = e;
		}
	}
	fclose(f);
	return found;
}

static void announce(struct tj_observe *o, struct oproc *p, enum tj_process_cause cause, uint64_t when_us)
{
	free(p->exe);
	free(p->cmdline);
	p->exe = read_link(p->tgid, "exe");
	p->cmdline = read_cmdline(p->tgid, &p->cmdline_len);
	if (!o->opts.processes)
		return;
	char comm[17];
	tj_proc_comm(p->tgid, comm, sizeof(comm));
	char **argv = p->cmdline ? argv_of(p->cmdline, p->cmdline_len) : NULL;
	struct tj_process_event e =
		{.cause = cause, .pid = p->tgid, .comm = comm, .exe = p->exe, .argv = argv, .when_us = when_us};
	if (cause == TJ_PROCESS_FORK) {
		pid_t ppid = tj_proc_ppid(p->tgid);
		e.ppid = ppid > 0 ? ppid : 0;
		e.argv = NULL; /* the parent's, until it execs */
	}
	char loader[4096];
	if (cause != TJ_PROCESS_FORK && find_loader(p->tgid, loader, sizeof(loader), &e.loader_start, &e.loader_end))
		e.loader = loader;
	if (cause == TJ_PROCESS_FORK && !e.ppid)
		e.ppid = getpid(); /* its parent is gone: tinyjail, the subreaper, adopted it */
	tj_events_process(o->events, &e);
	free(argv);
}

/* The command is tinyjail's child, or in a pid namespace its init's. */
static bool is_command(const struct tj_observe *o, pid_t tgid)
{
	pid_t parent = tj_proc_ppid(tgid);
	if (o->opts.pid_ns && parent > 0)
		parent = tj_proc_ppid(parent);
	return parent == getpid();
}

static bool is_exec(const struct seccomp_data *d)
{
	return d->arch == AUDIT_ARCH_X86_64 && (d->nr == SYS_execve || d->nr == SYS_execveat);
}

/* Whether the program changed since it was last read: a pending execve worked. */
static bool exec_happened(struct oproc *p)
{
	char *exe = read_link(p->tgid, "exe");
	size_t len;
	char *cmdline = read_cmdline(p->tgid, &len);
	bool changed = (exe && (!p->exe || strcmp(exe, p->exe) != 0)) ||
		       (cmdline && (len != p->cmdline_len || memcmp(cmdline, p->cmdline, len) != 0));
	free(exe);
	free(cmdline);
	return changed;
}

static void flush_usage(struct tj_observe *o, struct oproc *p);

static struct oproc *track(struct tj_observe *o, pid_t tgid, const struct seccomp_data *d)
{
	struct oproc *p = find_proc(o, tgid);
	if (!p) {
		p = tj_xcalloc(1, sizeof(*p));
		p->tgid = tgid;
		p->is_command = !o->command_seen && is_command(o, tgid);
		o->command_seen |= p->is_command;
		tj_xreserve((void **)&o->procs, &o->proccap, o->nprocs + 1, sizeof(*o->procs));
		o->procs[o->nprocs++] = p;
		if (p->is_command && is_exec(d)) {
			/* The launcher's own execve of the command: the
			 * command starts once it has worked. */
			p->exe = read_link(tgid, "exe");
			p->cmdline = read_cmdline(tgid, &p->cmdline_len);
		} else {
			announce(o, p, p->is_command ? TJ_PROCESS_START : TJ_PROCESS_FORK, 0);
			p->announced = true;
		}
	} else if (p->exec_pending && exec_happened(p)) {
		/* The counts so far are the old program's: written before the
		 * exec event, so a report puts them under that program (the
		 * launcher's execve of the command stays with the command). */
		if (p->announced)
			flush_usage(o, p);
		announce(o, p, p->announced ? TJ_PROCESS_EXEC : TJ_PROCESS_START, p->exec_us);
		p->announced = true;
		p->exec_pending = false;
		forget_threads(o, tgid, 0); /* execve ended the other threads */
	}
	if (is_exec(d)) {
		p->exec_pending = true;
		p->exec_us = now_us();
	}
	return p;
}

static void flush_usage(struct tj_observe *o, struct oproc *p)
{
	for (size_t i = 0; i < p->un; i++) {
		tj_events_usage(o->events, p->tgid, p->u[i].arch, p->u[i].nr, p->u[i].action, p->u[i].rule,
				p->u[i].count);
		free(p->u[i].rule);
	}
	p->un = 0;
}

static void end_proc(struct tj_observe *o, struct oproc *p, bool has_code, int code, bool killed)
{
	flush_usage(o, p);
	if (o->opts.processes && p->announced) {
		char comm[17];
		tj_proc_comm(p->tgid, comm, sizeof(comm));
		struct tj_process_event e = {.cause = TJ_PROCESS_EXIT,
					     .pid = p->tgid,
					     .comm = comm[0] ? comm : NULL,
					     .has_code = has_code,
					     .code = code,
					     .killed = killed};
		tj_events_process(o->events, &e);
	}
	if (o->uw)
		tj_unwind_forget(o->uw, p->tgid);
	forget_threads(o, p->tgid, 0);
	for (size_t i = 0; i < o->nprocs; i++) {
		if (o->procs[i] == p) {
			o->procs[i] = o->procs[--o->nprocs];
			break;
		}
	}
	proc_free(p);
}

/* True for the first allowed call of this syscall (and rule) by the process. */
static bool count_usage(struct oproc *p, const struct tj_syscall_event *e)
{
	const char *rule = e->rule ? e->rule : "defaultAction";
	for (size_t i = 0; i < p->un; i++) {
		struct ucount *u = &p->u[i];
		if (u->nr == e->data.nr && u->arch == e->data.arch && strcmp(u->rule, rule) == 0) {
			u->count++;
			return false;
		}
	}
	tj_xreserve((void **)&p->u, &p->ucap, p->un + 1, sizeof(*p->u));
	p->u[p->un++] = (struct ucount){.arch = e->data.arch,
					.nr = e->data.nr,
					.action = e->action,
					.rule = tj_xstrdup(rule),
					.count = 1};
	return true;
}

/* --- call sites --- */

static uint64_t pcs_hash(const uint64_t *pcs, size_t n)
{
	uint64_t h = 1469598103934665603ULL;
	for (size_t i = 0; i < n; i++) {
		h ^= pcs[i];
		h *= 1099511628211ULL;
	}
	return h;
}

static struct site *find_site(struct tj_observe *o, size_t which, const struct tj_stack *st, pid_t tgid)
{
	uint64_t h = pcs_hash(st->pcs, st->n);
	for (size_t i = 0; i < o->nsites; i++) {
		struct site *s = &o->sites[i];
		if (s->hash == h && s->which == which && s->n == st->n &&
		    memcmp(s->pcs, st->pcs, st->n * sizeof(st->pcs[0])) == 0)
			return s;
	}
	/* A new site: name its frames now, while the process exists. */
	struct tj_stack named = *st;
	tj_unwind_symbolize(o->uw, tgid, &named);
	tj_xreserve((void **)&o->sites, &o->sitecap, o->nsites + 1, sizeof(*o->sites));
	struct site *s = &o->sites[o->nsites++];
	*s = (struct site){.id = (unsigned)o->nsites, .which = which, .hash = h, .n = st->n, .truncated = st->truncated};
	memcpy(s->pcs, st->pcs, st->n * sizeof(st->pcs[0]));
	s->frames = tj_xcalloc(st->n, sizeof(*s->frames));
	memcpy(s->frames, named.frames, st->n * sizeof(*s->frames));
	return s;
}

/* Returns true when the call is to be logged with its stack. */
static bool take_stack(struct tj_observe *o, size_t which, pid_t tgid, struct tj_syscall_event *e, int listener,
		       uint64_t id)
{
	struct tj_explain_event *ev = &o->ex[which].ev;
	ev->calls++;
	struct tj_stack st;
	struct tj_err *err = NULL;
	int r = tj_unwind_thread(o->uw, tgid, e->pid, e->data.nr, e->data.instruction_pointer, &st, &err);
	tj_err_free(err);
	err = NULL;
	if (r == TJ_UNWIND_GONE) {
		/* Perhaps a remembered thread group that is no longer its own. */
		forget_threads(o, 0, e->pid);
		pid_t fresh = tgid_of(o, e->pid);
		if (fresh != tgid) {
			e->tgid = tgid = fresh;
			r = tj_unwind_thread(o->uw, tgid, e->pid, e->data.nr, e->data.instruction_pointer, &st, &err);
			tj_err_free(err);
		}
	}
	/* The stack is this call's only if the call is still waiting. */
	if (r == 0 && listener >= 0 && tj_notify_id_valid(listener, id) != 0)
		r = TJ_UNWIND_GONE;
	if (r != 0) {
		ev->skipped++;
		return false;
	}
	ev->stacks++;
	ev->truncated += st.truncated;
	struct site *s = find_site(o, which, &st, tgid);
	s->count++;
	e->site = s->id;
	if (s->logged >= o->opts.explain_stacks)
		return false;
	s->logged++;
	e->stack = s->frames;
	e->stack_n = s->n;
	e->stack_truncated = s->truncated;
	return true;
}

/* The stack of a call killed for, for the kill message and its event: the
 * frames are read while the caller waits, and named once it is dead
 * (tj_observe_kill_named), so that naming does not delay the kill. */
static void take_kill_stack(struct tj_observe *o, pid_t tgid, struct tj_syscall_event *e, int listener, uint64_t id)
{
	struct tj_stack st;
	struct tj_err *err = NULL;
	int r = tj_unwind_thread(o->uw, tgid, e->pid, e->data.nr, e->data.instruction_pointer, &st, &err);
	tj_err_free(err);
	o->kill_pending = r == 0 && !(listener >= 0 && tj_notify_id_valid(listener, id) != 0);
	o->kill_stack = st;
	o->kill_tgid = tgid;
}

void tj_observe_kill_named(struct tj_observe *o, struct tj_syscall_event *e)
{
	if (!o->kill_pending)
		return;
	o->kill_pending = false;
	struct tj_stack *st = &o->kill_stack;
	tj_unwind_symbolize(o->uw, o->kill_tgid, st);
	struct tj_frame *frames = tj_xcalloc(st->n, sizeof(*frames));
	memcpy(frames, st->frames, st->n * sizeof(*frames));
	tj_xreserve((void **)&o->kills, &o->killcap, o->nkills + 1, sizeof(*o->kills));
	o->kills[o->nkills++] = frames;
	e->stack = frames;
	e->stack_n = st->n;
	e->stack_truncated = st->truncated;
}

void tj_observe_call(struct tj_observe *o, struct tj_syscall_event *e, int listener, uint64_t id)
{
	pid_t tgid = tgid_of(o, e->pid);
	e->tgid = tgid;
	bool tracking = o->opts.processes || o->opts.usage;
	struct oproc *p = tracking ? track(o, tgid, &e->data) : NULL;
	bool log = false;
	/* After an execve the process's modules are new: read them afresh
	 * (a failed execve costs one re-read). */
	if (o->uw && is_exec(&e->data) && e->verdict == TJ_VERDICT_ALLOWED)
		tj_unwind_forget(o->uw, tgid);
	/* The launcher's own execve of the command is tinyjail's, not the
	 * command's: no stack; counted, not logged (the command's start event
	 * stands for it). */
	bool launcher = false;
	if (!o->launcher_done && is_exec(&e->data) && is_command(o, tgid))
		launcher = o->launcher_done = true;
	for (size_t i = 0; i < o->opts.explain_n && !launcher; i++)
		if (e->data.arch == AUDIT_ARCH_X86_64 && e->data.nr == o->ex[i].nr)
			log |= take_stack(o, i, tgid, e, listener, id);
	if (p && o->opts.usage && e->verdict == TJ_VERDICT_ALLOWED)
		log |= count_usage(p, e) && !launcher;
	if (log)
		e->tally_only = false;
	if (o->opts.kill_stacks && e->verdict == TJ_VERDICT_KILLED && !e->stack && e->data.arch == AUDIT_ARCH_X86_64)
		take_kill_stack(o, tgid, e, listener, id);
}

void tj_observe_after(struct tj_observe *o, const struct tj_syscall_event *e)
{
	if (e->data.arch != AUDIT_ARCH_X86_64)
		return;
	if (e->data.nr == SYS_exit) {
		forget_threads(o, 0, e->pid);
		return;
	}
	/* exit_group ends the process (a call that was denied or killed does
	 * not; a kill comes through tj_observe_killed). */
	if (e->data.nr != SYS_exit_group || (e->verdict != TJ_VERDICT_ALLOWED && e->verdict != TJ_VERDICT_WOULD_DENY))
		return;
	pid_t tgid = e->tgid ? e->tgid : e->pid;
	if (o->uw)
		tj_unwind_forget(o->uw, tgid);
	forget_threads(o, tgid, 0);
	struct oproc *p = find_proc(o, tgid);
	if (p)
		end_proc(o, p, true, (int)(e->data.args[0] & 0xff), false);
}

void tj_observe_finish(struct tj_observe *o)
{
	/* Processes that never called exit_group (killed by a signal, or
	 * still there when the command ended): their counts, no exit event. */
	for (size_t i = 0; i < o->nprocs; i++)
		flush_usage(o, o->procs[i]);
	for (size_t w = 0; w < o->opts.explain_n; w++) {
		struct explained *x = &o->ex[w];
		free(x->sites);
		x->sites = tj_xcalloc(o->nsites + 1, sizeof(*x->sites));
		size_t n = 0;
		for (size_t i = 0; i < o->nsites; i++) {
			const struct site *s = &o->sites[i];
			if (s->which != w)
				continue;
			x->sites[n++] = (struct tj_explain_site){.id = s->id,
								 .count = s->count,
								 .stack = s->frames,
								 .stack_n = s->n,
								 .truncated = s->truncated};
		}
		x->ev.sites = x->sites;
		x->ev.nsites = n;
		tj_events_explain(o->events, &x->ev);
	}
	if (o->opts.explain_n) {
		free(o->finished);
		o->finished = tj_xcalloc(o->opts.explain_n, sizeof(*o->finished));
		for (size_t i = 0; i < o->opts.explain_n; i++)
			o->finished[i] = o->ex[i].ev;
	}
}

const struct tj_explain_event *tj_observe_explained(const struct tj_observe *o, size_t *n)
{
	*n = o->finished ? o->opts.explain_n : 0;
	return o->finished;
}

void tj_observe_killed(struct tj_observe *o, pid_t tgid)
{
	struct oproc *p = find_proc(o, tgid);
	if (p)
		end_proc(o, p, false, 0, true);
}
