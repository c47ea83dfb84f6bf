/* SPDX-License-Identifier: Apache-2.0 */
/*
 * One line of an event log as read back (notes/events.md): what the JSON
 * reader (json/eventlog.h) fills and the reports (report/) consume.  Plain
 * data; the strings belong to the reader and live until its next line.
 * Fields an event does not have are 0, NULL or false.
 */
#ifndef TJ_EVENTS_RECORD_H
#define TJ_EVENTS_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tj/base/frame.h"

enum tj_record_kind {
	TJ_REC_OTHER = 0, /* an event this reader does not know: ignored, as events.md asks */
	TJ_REC_START,
	TJ_REC_SYSCALL,
	TJ_REC_LIMIT,
	TJ_REC_NETWORK,
	TJ_REC_LAYER,
	TJ_REC_LISTENER,
	TJ_REC_EXIT,
	TJ_REC_PROCESS,
	TJ_REC_USAGE,
	TJ_REC_EXPLAIN,
};

struct tj_record_site {
	unsigned site;
	uint64_t count;
	struct tj_frame *stack;
	size_t stack_n;
	bool stack_truncated;
};

struct tj_record {
	enum tj_record_kind kind;
	const char *event; /* the event's name as written */
	uint64_t time_us;  /* microseconds since the epoch */
	/* start */
	const char *mode, *profile, *source;
	const char **argv; /* start and process; NULL-terminated, or NULL */
	bool rec_usage, rec_processes, rec_explain;
	const char **explain; /* NULL-terminated, or NULL */
	/* syscall, usage, network, process, limit */
	int pid, tgid, ppid; /* 0 when absent */
	const char *comm, *verdict, *arch, *syscall, *call, *action, *rule, *errno_name, *decided_by;
	int nr;
	bool has_args;
	uint64_t args[6];
	uint64_t ip;
	struct tj_frame *stack; /* syscall: the caller's stack, or NULL */
	size_t stack_n;
	bool stack_truncated;
	unsigned site;
	uint64_t count; /* usage; explain: calls */
	/* process */
	const char *cause, *exe, *loader;
	uint64_t loader_start, loader_end;
	bool has_code;
	int code;
	bool killed;
	/* limit, network, layer, listener */
	const char *resource, *unit, *detail, *family, *protocol, *address, *host, *method, *reason, *layer, *status,
		*state;
	bool has_limit, has_value;
	uint64_t limit, value;
	int port, http_status;
	/* exit */
	int exit_code, signal;
	const char *exit_status; /* "exited", "signaled" */
	bool seccomp_kill, complete;
	uint64_t wall_ms, records, lost;
	/* explain */
	uint64_t stacks, skipped, truncated;
	struct tj_record_site *sites;
	size_t nsites;
};

#endif
