/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What happened in a run, in one vocabulary: the JSON-lines log (--log,
 * version 1, notes/events.md and notes/events.schema.json) and the tallies
 * behind the exit summary and --report.
 *
 * Producers call one function per event.  Each event is written to the log
 * (if any) and, for the events people must see at once (limits, network
 * refusals, degraded layers), rendered as one line of text and handed to the
 * `notice` hook, which the command layer prints.  This module never prints.
 *
 * Other layers use:
 *   tj_events_limit()        a resource limit was reached (cgroups, rlimits, timeouts)
 *   tj_events_net_refused()  a network operation was refused (or a proxied
 *                            connection cut: e->cut)
 *   tj_events_layer()        a confinement layer was applied, degraded or unavailable
 */
#ifndef TJ_EVENTS_H
#define TJ_EVENTS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "tj/base/err.h"
#include "tj/base/frame.h"
#include "tj/base/seccomp_abi.h"
#include "tj/events/manifest.h"

#define TJ_EVENTS_VERSION 1

/* What became of a system call the log records. */
enum tj_verdict {
	TJ_VERDICT_WOULD_DENY, /* complain mode: the profile would have denied it; it ran */
	TJ_VERDICT_KILLED,     /* the process was killed before the call ran */
	TJ_VERDICT_DENIED,     /* the call failed with an errno without running */
	TJ_VERDICT_ALLOWED,    /* a supervisor let it run (or usage tracking saw it) */
};
const char *tj_verdict_name(enum tj_verdict v);

/* Where a syscall record came from. */
enum tj_source {
	TJ_SOURCE_NOTIFY = 0, /* seccomp user notification: lossless, arguments known */
	TJ_SOURCE_KMSG,	      /* SCMP_ACT_LOG records in the kernel log: lossy, no arguments */
	TJ_SOURCE_AGENT,      /* (start event only) an external seccomp agent holds the listener */
};
const char *tj_source_name(enum tj_source s);

struct tj_syscall_event {
	enum tj_verdict verdict;
	enum tj_source source;
	pid_t pid;
	char comm[17];
	struct seccomp_data data;
	bool no_args;		/* the source does not record arguments (kmsg) */
	uint32_t action;	/* what the profile says for this call */
	bool action_unknown;	/* ...not known (kmsg: it depends on the arguments) */
	const char *rule;	/* JSON path of the deciding rule, or "defaultAction" */
	int errnum;		/* TJ_VERDICT_DENIED: the errno returned */
	const char *decided_by; /* a supervisor's reason: "rules", "person", "memory", "default"; NULL: the profile */
	bool tally_only;	/* count it but do not log it (calls seen only for --report=usage) */
	/* Revision 1.1 (optional): */
	const char *exe;	      /* the program that made the call (/proc/PID/exe); NULL: not known */
	pid_t tgid;		      /* the process of thread pid when it is another; 0: pid itself or unknown */
	const struct tj_frame *stack; /* the caller's call stack (--explain), innermost first */
	size_t stack_n;
	bool stack_truncated; /* the unwind ended before an outermost frame */
	unsigned site;	      /* the call site's id in this run (--explain); 0: none */
};

/* What a run records beyond denials (the start event's "recording"). */
enum {
	TJ_RECORD_USAGE = 1u << 0,     /* allowed calls: first per process and syscall, then usage counts */
	TJ_RECORD_PROCESSES = 1u << 1, /* process events */
	TJ_RECORD_EXPLAIN = 1u << 2,   /* call stacks of the --explain syscalls */
};

/* A process of the command's tree (revision 1.1). */
enum tj_process_cause {
	TJ_PROCESS_START, /* the command itself, once its execve succeeded */
	TJ_PROCESS_FORK,  /* another process, first seen */
	TJ_PROCESS_EXEC,  /* it executed a program */
	TJ_PROCESS_EXIT,  /* it called exit_group, or was killed for a syscall */
};

struct tj_process_event {
	enum tj_process_cause cause;
	pid_t pid;	    /* the thread group */
	pid_t ppid;	    /* 0 if unknown */
	const char *comm;   /* may be NULL */
	const char *exe;    /* may be NULL */
	char *const *argv;  /* NULL-terminated, or NULL */
	const char *loader; /* the dynamic loader's path, or NULL */
	uint64_t loader_start, loader_end;
	bool has_code;
	int code;	  /* exit: exit_group's status */
	bool killed;	  /* exit: killed for a syscall */
	uint64_t when_us; /* when it happened (CLOCK_REALTIME, µs), if earlier than now; 0: now */
};

/* One call site of an explained syscall, for the explain event. */
struct tj_explain_site {
	unsigned id;
	uint64_t count;
	const struct tj_frame *stack;
	size_t stack_n;
	bool truncated;
};

struct tj_explain_event {
	const char *syscall;
	uint64_t calls, stacks, skipped, truncated;
	const struct tj_explain_site *sites;
	size_t nsites;
};

/* One line of the tally: a (syscall, action, verdict) and how often. */
struct tj_tally {
	uint32_t arch;
	int nr;
	uint32_t action;
	bool action_unknown;
	char *rule; /* a copy: events may name transient strings */
	enum tj_verdict verdict;
	int errnum;
	uint64_t count;
	pid_t first_pid;
};

/* A resource limit was reached.  Unset numbers are omitted from the log. */
struct tj_limit_event {
	const char *resource; /* "memory", "pids", "cpu", "wall-time", "file-size", "open-files", ... */
	const char *source;   /* what enforces it: "cgroup", "rlimit", "timeout", ... (may be NULL) */
	const char *unit;     /* "bytes", "count", "ms", "us" (may be NULL) */
	bool has_limit;
	uint64_t limit;
	bool has_value;
	uint64_t value;	    /* the value observed, if known */
	const char *action; /* "killed", "throttled", "denied", "warned" */
	pid_t pid;	    /* 0 when it concerns the whole sandbox */
	const char *detail; /* free text for people (may be NULL) */
};

/* A network operation was refused, or (the proxy) a connection was cut. */
struct tj_net_event {
	pid_t pid;	      /* 0 if unknown */
	const char *comm;     /* may be NULL */
	const char *syscall;  /* "connect", "bind", "sendto", ... (may be NULL) */
	const char *family;   /* "inet", "inet6", "unix", "netlink", ... */
	const char *protocol; /* "tcp", "udp", ... (may be NULL) */
	const char *address;  /* the peer or local address (may be NULL) */
	int port;	      /* -1 if none */
	const char *reason;   /* why it was refused, for people */
	/* The filtering proxy's requests (all may be left unset): */
	bool cut;	      /* a connection that was allowed, ended by a limit */
	bool failed;	      /* allowed, but the server (or upstream proxy) could not be reached */
	const char *host;     /* the name the command asked for */
	const char *method;   /* "CONNECT", "GET", ... */
	const char *rule;     /* what decided: "allowlist", "port", "address", ... */
	int status;	      /* the HTTP status the proxy answered; 0 if none */
	uint64_t duration_ms; /* cut: how long the connection had lived */
};

/* How the run ended, for the exit event. */
struct tj_exit_event {
	int exit_code;	    /* tinyjail's exit status */
	int status;	    /* the command's exit status when it exited */
	int signal;	    /* or the signal it died from (0 if it exited) */
	bool seccomp_kill;  /* tinyjail killed the command for a syscall */
	const char *reason; /* "exited", "signaled", "seccomp-kill", "timeout", "limit", "error"; NULL: derived */
	uint64_t wall_ms;
	uint64_t lost;	 /* records that may be missing */
	bool incomplete; /* records may be missing for another reason (see notes/events.md) */
};

struct tj_events {
	FILE *log; /* JSON lines, or NULL */
	struct tj_tally *v;
	size_t n, cap;
	uint64_t total; /* syscall events, tally_only ones excluded */
	uint64_t limits, net_refusals, net_cuts, layers_degraded;
	char *last_limit;		  /* the text of the last limit event, for "why it ended" */
	bool log_failed;		  /* a write to the log failed: the log is incomplete */
	enum tj_source source;		  /* where syscall records come from in this run */
	unsigned recording;		  /* TJ_RECORD_*, for the start event */
	const char *const *explain_names; /* --explain's syscalls (NULL-terminated), or NULL */
	/* Called with one line of text for people (no "tinyjail: " prefix). */
	void (*notice)(void *ctx, const char *text);
	void *notice_ctx;
};

/* Creates the log file anew (never through a link: outfile.h) unless
 * path is NULL; "-" writes to standard error (standard output belongs to
 * the command), line by line. */
int tj_events_open(struct tj_events *ev, const char *path, struct tj_err **err);
/* Flushes and closes the log; returns -1 with err if anything was lost. */
int tj_events_close(struct tj_events *ev, struct tj_err **err);

void tj_events_start(struct tj_events *ev, const char *mode, const char *profile, char *const *argv, pid_t pid);
void tj_events_syscall(struct tj_events *ev, const struct tj_syscall_event *e);
void tj_events_process(struct tj_events *ev, const struct tj_process_event *e);
/* count allowed calls of (arch, nr) by process pid, decided by rule with action. */
void tj_events_usage(struct tj_events *ev, pid_t pid, uint32_t arch, int nr, uint32_t action, const char *rule,
		     uint64_t count);
void tj_events_explain(struct tj_events *ev, const struct tj_explain_event *e);
void tj_events_limit(struct tj_events *ev, const struct tj_limit_event *e);
void tj_events_net_refused(struct tj_events *ev, const struct tj_net_event *e);
/* A layer's outcome, in the words of the enforcement manifest (manifest.h). */
void tj_events_layer(struct tj_events *ev, const char *layer, enum tj_layer_status status, const char *detail);
void tj_events_exit_ex(struct tj_events *ev, const struct tj_exit_event *x);
/* The original form of tj_events_exit_ex, kept for existing callers. */
void tj_events_exit(struct tj_events *ev, int exit_code, int status_code, int signal, bool seccomp_kill,
		    uint64_t wall_ms, uint64_t lost);

/* A supervisor ("tinyjail supervise") received or lost a listener. */
void tj_events_listener(struct tj_events *ev, bool attached, pid_t pid, const char *id, const char *metadata);

/* Texts for people, as passed to the notice hook.  Caller frees. */
char *tj_events_limit_text(const struct tj_limit_event *e);
char *tj_events_net_text(const struct tj_net_event *e);

/* Formats "name(arg, ...)" for messages, decoding arguments (decode.h). */
void tj_format_syscall(const struct seccomp_data *d, char *buf, size_t size);

#endif
