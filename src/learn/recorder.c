/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The recorder (recorder.h).  Its hook runs once per notification while the
 * caller waits, so the known-pair path is a hash lookup and nothing else;
 * only a new pair reads /proc (the program) and writes a log line.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/audit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "tj/base/proc.h"
#include "tj/filter/filter.h"
#include "tj/learn/recorder.h"

struct slot {
	bool used;
	int nr;
	uint64_t vals[TJ_LEARN_MAX_ARGS]; /* the classes, flag words exact */
	uint64_t calls;
	uint64_t seq; /* order of first sight */
	char *program;
};

struct tj_learn_recorder {
	struct slot *slots;
	size_t nslots, used;
	uint64_t seq;
	char *exec_path;
	dev_t self_dev;
	ino_t self_ino;
	struct tj_events *events;
	int journal; /* -1: none */
	bool journal_failed;
	struct tj_learn_recorder_stats st;
};

int tj_learn_recorder_new(const char *exec_path, struct tj_events *events, struct tj_learn_recorder **ret,
			  struct tj_err **err)
{
	struct tj_learn_recorder *r = tj_xcalloc(1, sizeof(*r));
	r->nslots = 1024;
	r->slots = tj_xcalloc(r->nslots, sizeof(*r->slots));
	r->exec_path = tj_xstrdup(exec_path);
	r->events = events;
	r->journal = -1;
	struct stat st;
	if (stat("/proc/self/exe", &st) < 0) {
		tj_learn_recorder_free(r);
		return tj_err_set(err, TJ_ERR_INTERNAL, errno, "cannot stat /proc/self/exe");
	}
	r->self_dev = st.st_dev;
	r->self_ino = st.st_ino;
	*ret = r;
	return 0;
}

void tj_learn_recorder_free(struct tj_learn_recorder *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->nslots; i++)
		free(r->slots[i].program);
	free(r->slots);
	free(r->exec_path);
	tj_strv_done(&r->st.setuid);
	tj_strv_done(&r->st.programs);
	free(r);
}

static size_t hash(int nr, const uint64_t v[TJ_LEARN_MAX_ARGS])
{
	uint64_t h = 1469598103934665603ull ^ (uint64_t)(unsigned)nr;
	for (size_t i = 0; i < TJ_LEARN_MAX_ARGS; i++) {
		h ^= v[i];
		h *= 1099511628211ull;
		h ^= h >> 29;
	}
	return (size_t)h;
}

static struct slot *lookup(struct tj_learn_recorder *r, int nr, const uint64_t v[TJ_LEARN_MAX_ARGS], bool *found)
{
	size_t mask = r->nslots - 1;
	for (size_t i = hash(nr, v) & mask;; i = (i + 1) & mask) {
		struct slot *s = &r->slots[i];
		if (!s->used) {
			*found = false;
			return s;
		}
		if (s->nr == nr && memcmp(s->vals, v, sizeof(s->vals)) == 0) {
			*found = true;
			return s;
		}
	}
}

static void grow(struct tj_learn_recorder *r)
{
	struct slot *old = r->slots;
	size_t n = r->nslots;
	r->nslots *= 2;
	r->slots = tj_xcalloc(r->nslots, sizeof(*r->slots));
	for (size_t i = 0; i < n; i++) {
		if (!old[i].used)
			continue;
		bool found;
		*lookup(r, old[i].nr, old[i].vals, &found) = old[i];
	}
	free(old);
}

/* The program the thread runs; the command's own execve is made by
 * tinyjail's child, so there the program is the command. */
static char *program_of(const struct tj_learn_recorder *r, pid_t tid)
{
	char path[64], buf[PATH_MAX];
	snprintf(path, sizeof(path), "/proc/%d/exe", (int)tid);
	struct stat st;
	if (stat(path, &st) == 0 && st.st_dev == r->self_dev && st.st_ino == r->self_ino)
		return tj_xstrdup(r->exec_path);
	ssize_t n = readlink(path, buf, sizeof(buf) - 1);
	if (n <= 0)
		return NULL;
	buf[n] = '\0';
	return tj_xstrdup(buf);
}

/* execve of a set-user-ID or set-group-ID program: no_new_privs runs it
 * without its privileges, which the summary says.  The path is read from
 * the caller's memory for this message only; nothing is decided on it. */
static void note_setuid(struct tj_learn_recorder *r, const struct tj_notification *n)
{
	char path[PATH_MAX];
	struct iovec local = {path, sizeof(path) - 1}, remote = {(void *)(uintptr_t)n->data.args[0], sizeof(path) - 1};
	ssize_t got = process_vm_readv(n->pid, &local, 1, &remote, 1, 0);
	if (got <= 0)
		return;
	path[got] = '\0';
	if (strnlen(path, (size_t)got) == (size_t)got)
		return; /* not terminated within the buffer */
	char full[PATH_MAX + 64];
	if (path[0] == '/')
		snprintf(full, sizeof(full), "%s", path);
	else
		snprintf(full, sizeof(full), "/proc/%d/cwd/%s", (int)n->pid, path);
	struct stat st;
	if (stat(full, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & (S_ISUID | S_ISGID)) &&
	    !tj_strv_contains(&r->st.setuid, path))
		tj_strv_add(&r->st.setuid, path);
}

/* One line per new pair, written at once with one write (O_APPEND): the
 * numbers as the kernel gave them, then the program. */
static void journal_pair(struct tj_learn_recorder *r, const struct seccomp_data *d, const char *program)
{
	char line[PATH_MAX + 256];
	int n = snprintf(line, sizeof(line), "%d %llx %llx %llx %llx %llx %llx %s\n", d->nr,
			 (unsigned long long)d->args[0], (unsigned long long)d->args[1], (unsigned long long)d->args[2],
			 (unsigned long long)d->args[3], (unsigned long long)d->args[4], (unsigned long long)d->args[5],
			 program ? program : "-");
	if (n > 0 && (size_t)n < sizeof(line) && write(r->journal, line, (size_t)n) != n)
		r->journal_failed = true;
}

/* Records one x86_64 call; pid 0: from a journal, with its program. */
static int record(struct tj_learn_recorder *r, const struct seccomp_data *d, pid_t pid, const char *program)
{
	int answer = d->nr == SYS_clone3 ? ENOSYS : 0;
	uint64_t vals[TJ_LEARN_MAX_ARGS] = {0};
	const struct tj_syscall_argspec *sp = tj_argspec_find(d->nr);
	if (sp)
		tj_argspec_classify(sp, d, vals);
	bool found;
	struct slot *s = lookup(r, d->nr, vals, &found);
	if (found) {
		s->calls++;
		return answer;
	}

	char name[64];
	tj_syscall_name(d->arch, d->nr, name, sizeof(name));
	int resolved;
	if (tj_syscall_resolve(name, &resolved) != TJ_SYSCALL_NATIVE) {
		r->st.unnamed++;
		return answer;
	}
	*s = (struct slot){.used = true,
			   .nr = d->nr,
			   .calls = 1,
			   .seq = r->seq++,
			   .program = pid	? program_of(r, pid)
				      : program ? tj_xstrdup(program)
						: NULL};
	memcpy(s->vals, vals, sizeof(vals));
	r->st.pairs++;
	if (s->program && !tj_strv_contains(&r->st.programs, s->program))
		tj_strv_add(&r->st.programs, s->program);
	if (r->journal >= 0)
		journal_pair(r, d, s->program);
	if (r->events && pid) {
		struct tj_syscall_event e = {.verdict = answer ? TJ_VERDICT_DENIED : TJ_VERDICT_ALLOWED,
					     .pid = pid,
					     .data = *d,
					     .action = tj_filter_action_value(TJ_ACT_KILL_PROCESS, 0),
					     .rule = "defaultAction",
					     .errnum = answer,
					     .decided_by = "learn",
					     .exe = s->program};
		tj_proc_comm(pid, e.comm, sizeof(e.comm));
		tj_events_syscall(r->events, &e);
	}
	if (++r->used * 2 > r->nslots)
		grow(r);
	return answer;
}

int tj_learn_recorder_notify(void *recorder, const struct tj_notification *n, int listener)
{
	struct tj_learn_recorder *r = recorder;
	(void)listener;
	r->st.notifications++;
	const struct seccomp_data *d = &n->data;
	if (d->arch != AUDIT_ARCH_X86_64 || (d->nr & 0x40000000)) {
		r->st.other_abi++;
		return 0;
	}
	/* Every execve that notifies, not only the first: each may run
	 * another program. */
	if (d->nr == SYS_execve)
		note_setuid(r, n);
	return record(r, d, n->pid, NULL);
}

void tj_learn_recorder_journal(struct tj_learn_recorder *r, int fd)
{
	r->journal = fd;
}

bool tj_learn_recorder_journal_failed(const struct tj_learn_recorder *r)
{
	return r->journal_failed;
}

int tj_learn_recorder_read_journal(struct tj_learn_recorder *r, const char *path, struct tj_err **err)
{
	FILE *f = fopen(path, "re");
	if (!f)
		return tj_err_set(err, TJ_ERR_USAGE, errno, "cannot read the journal '%s'", path);
	char *line = NULL;
	size_t cap = 0, lineno = 0;
	int rc = 0;
	ssize_t len;
	while ((len = getline(&line, &cap, f)) >= 0) {
		lineno++;
		if (len == 0 || line[len - 1] != '\n')
			break; /* the last line of a run killed while writing it */
		line[len - 1] = '\0';
		struct seccomp_data d = {.arch = AUDIT_ARCH_X86_64};
		unsigned long long a[6];
		int used = 0;
		if (sscanf(line, "%d %llx %llx %llx %llx %llx %llx %n", &d.nr, &a[0], &a[1], &a[2], &a[3], &a[4], &a[5],
			   &used) != 7 ||
		    used == 0 || d.nr < 0 || d.nr >= 0x40000000) {
			rc = tj_err_set(err, TJ_ERR_USAGE, 0, "%s:%zu: not a line of a learn journal", path, lineno);
			break;
		}
		for (int i = 0; i < 6; i++)
			d.args[i] = a[i];
		const char *program = line + used;
		record(r, &d, 0, strcmp(program, "-") == 0 ? NULL : program);
	}
	free(line);
	fclose(f);
	return rc;
}

static int seq_cmp(const void *a, const void *b)
{
	const struct slot *x = *(const struct slot *const *)a, *y = *(const struct slot *const *)b;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

void tj_learn_recorder_collect(const struct tj_learn_recorder *r, struct tj_learn_model *m, const char *run)
{
	/* In the order first seen, so each pair's program is the first. */
	const struct slot **v = tj_xcalloc(r->used ? r->used : 1, sizeof(*v));
	size_t n = 0;
	for (size_t i = 0; i < r->nslots; i++)
		if (r->slots[i].used)
			v[n++] = &r->slots[i];
	qsort(v, n, sizeof(*v), seq_cmp);
	for (size_t i = 0; i < n; i++) {
		const struct slot *s = v[i];
		char name[64];
		tj_syscall_name(AUDIT_ARCH_X86_64, s->nr, name, sizeof(name));
		const struct tj_syscall_argspec *sp = tj_argspec_find(s->nr);
		uint64_t key[TJ_LEARN_MAX_ARGS] = {0}, flags[TJ_LEARN_MAX_ARGS] = {0};
		for (size_t k = 0; sp && k < sp->nargs; k++) {
			if (sp->args[k].kind == TJ_AK_FLAGS)
				flags[k] = s->vals[k];
			else
				key[k] = s->vals[k];
		}
		bool enosys = s->nr == SYS_clone3;
		tj_learn_model_add(m, name, enosys ? TJ_ACT_ERRNO : TJ_ACT_ALLOW, enosys ? ENOSYS : 0, sp, key, flags,
				   run, s->calls, s->program);
	}
	free(v);
}

const struct tj_learn_recorder_stats *tj_learn_recorder_stats(const struct tj_learn_recorder *r)
{
	return &r->st;
}
