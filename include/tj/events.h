/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What happened in a run, in one vocabulary: the JSON-lines log (--log,
 * schema in notes/events.md, version 1) and the per-syscall tally behind the
 * exit summary.  Rendering for people is done by the command layer.
 */
#ifndef TJ_EVENTS_H
#define TJ_EVENTS_H

#include <linux/seccomp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "tj/err.h"

#define TJ_EVENTS_VERSION 1

enum tj_verdict {
	TJ_VERDICT_WOULD_DENY, /* complain mode: the profile would have denied it */
	TJ_VERDICT_KILLED,     /* enforce mode: the process was killed for it */
};
const char *tj_verdict_name(enum tj_verdict v);

struct tj_syscall_event {
	enum tj_verdict verdict;
	pid_t pid;
	char comm[17];
	struct seccomp_data data;
	uint32_t action;  /* what the profile says for this call */
	const char *rule; /* JSON path of the deciding rule, or "defaultAction" */
};

/* One line of the tally: a syscall the profile would deny (or killed for). */
struct tj_tally {
	uint32_t arch;
	int nr;
	uint32_t action;
	const char *rule;
	enum tj_verdict verdict;
	uint64_t count;
	pid_t first_pid;
};

struct tj_events {
	FILE *log;          /* JSON lines, or NULL */
	struct tj_tally *v;
	size_t n, cap;
	uint64_t total;
	bool log_failed;    /* a write to the log failed: the log is incomplete */
};

/* Opens the log file (truncating it) unless path is NULL. */
int tj_events_open(struct tj_events *ev, const char *path, struct tj_err **err);
/* Flushes and closes the log; returns -1 with err if anything was lost. */
int tj_events_close(struct tj_events *ev, struct tj_err **err);

void tj_events_start(struct tj_events *ev, const char *mode, const char *profile, char *const *argv, pid_t pid);
void tj_events_syscall(struct tj_events *ev, const struct tj_syscall_event *e);
void tj_events_exit(struct tj_events *ev, int exit_code, int status_code, int signal, bool seccomp_kill,
		    uint64_t wall_ms, uint64_t lost);

/* Formats "name(0x1, 0x2, ...)" for messages. */
void tj_format_syscall(const struct seccomp_data *d, char *buf, size_t size);

#endif
