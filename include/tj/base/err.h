/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The error record every fallible tinyjail function reports through, and the
 * exit codes users see.  Read notes/errors.md for the convention:
 *
 *   int f(..., struct tj_err **err)   returns >= 0 on success and leaves *err
 *                                     alone; returns -1 and sets *err on failure.
 *
 * Only the command layer (cmd_*.c, main.c) prints an error or picks an exit
 * code.  Everything below it builds records and adds context on the way up.
 */
#ifndef TJ_ERR_H
#define TJ_ERR_H

#include <stdarg.h>
#include <stddef.h>

/* Exit codes, following env(1) and timeout(1). */
enum tj_exit {
	TJ_EXIT_OK = 0,
	TJ_EXIT_FINDINGS = 1,	   /* `check --lint` found high-severity problems */
	TJ_EXIT_REFUSED = 123,	   /* --fail-on-violation: the network rules refused a request */
	TJ_EXIT_TIMEOUT = 124,	   /* the wall-clock limit killed the target */
	TJ_EXIT_ERROR = 125,	   /* tinyjail's own error: bad input, a layer failed */
	TJ_EXIT_CANNOT_EXEC = 126, /* the command exists but could not be executed */
	TJ_EXIT_NOT_FOUND = 127,   /* the command was not found */
	TJ_EXIT_SIGNAL_BASE = 128, /* the target died from signal N: 128 + N */
};

/* What went wrong, which decides the exit code and the message's shape. */
enum tj_err_kind {
	TJ_ERR_INTERNAL = 0, /* a system call or library failed unexpectedly */
	TJ_ERR_USAGE,	     /* bad command line */
	TJ_ERR_PROFILE,	     /* the profile is malformed or asks for something invalid */
	TJ_ERR_LAYER,	     /* a requested confinement layer cannot be applied */
	TJ_ERR_NOT_FOUND,    /* the command to run does not exist (exit 127) */
	TJ_ERR_CANNOT_EXEC,  /* the command exists but cannot be executed (exit 126) */
	_TJ_ERR_KIND_MAX,
};

struct tj_err {
	enum tj_err_kind kind;
	int errnum;	 /* errno value, or 0 */
	char *msg;	 /* "outer context: inner message" */
	char *hint;	 /* optional advice, printed on its own line */
	char *file;	 /* the profile (or other input) the error is about */
	char *json_path; /* e.g. "syscalls[3].names[1]" */
	int line, col;	 /* 1-based position in file, 0 when unknown */
	char *layer;	 /* name of the layer that failed, or NULL */
	char *degrade;	 /* what --allow-degraded takes to run without it ("memory,cpu"), or NULL */
};

/* Creates a record in *err (which must be NULL) and returns -1. */
__attribute__((format(printf, 4, 5))) int tj_err_set(struct tj_err **err, enum tj_err_kind kind, int errnum,
						     const char *fmt, ...);
__attribute__((format(printf, 4, 0))) int tj_err_setv(struct tj_err **err, enum tj_err_kind kind, int errnum,
						      const char *fmt, va_list ap);

/* Prefixes context to an existing record ("ctx: old message"); returns -1. */
__attribute__((format(printf, 2, 3))) int tj_err_wrap(struct tj_err **err, const char *fmt, ...);

/* Setters for the optional fields; each returns -1 so calls can be chained
 * into a return statement.  They accept a NULL *err and do nothing then. */
int tj_err_at(struct tj_err **err, const char *file, const char *json_path);
int tj_err_position(struct tj_err **err, int line, int col);
__attribute__((format(printf, 2, 3))) int tj_err_hint(struct tj_err **err, const char *fmt, ...);
int tj_err_layer(struct tj_err **err, const char *layer);
/* The failure can be skipped with --allow-degraded NAMES (so that a probe
 * can name every such layer at once, launch.c). */
int tj_err_degradable(struct tj_err **err, const char *names);

void tj_err_free(struct tj_err *e);
void tj_err_freep(struct tj_err **e);

/* The exit code this error maps to (125, 126 or 127). */
int tj_err_exit_code(const struct tj_err *e);

/* Renders the record as the user sees it, one or two lines, without the
 * program-name prefix.  Caller frees. */
char *tj_err_format(const struct tj_err *e);

#endif
