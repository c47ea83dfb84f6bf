/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Pure helpers with no side effects on the system: allocation that aborts on
 * out-of-memory, a growable string, string vectors, number parsing, and the
 * list of warnings that loaders hand back to the command layer.
 */
#ifndef TJ_UTIL_H
#define TJ_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tj/base/err.h"

#define TJ_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Allocation: these never return NULL; they abort with a message instead. */
void *tj_xmalloc(size_t n);
void *tj_xcalloc(size_t n, size_t size);
void *tj_xrealloc(void *p, size_t n);
/* Grows *v (holding *cap elements of size elem) to fit at least need. */
void tj_xreserve(void **v, size_t *cap, size_t need, size_t elem);
char *tj_xstrdup(const char *s);
char *tj_xstrndup(const char *s, size_t n);
/* Makes a string that came from the sandboxed command (a process name, a
 * file name, a host it asked for, a runtime's state) safe to print on a
 * terminal: every C0 control (ESC included), DEL and C1 control (raw or
 * UTF-8 encoded) becomes '?', in place, so no escape sequence reaches the
 * terminal.  Returns s. */
char *tj_sanitize(char *s);
__attribute__((format(printf, 1, 2))) char *tj_xasprintf(const char *fmt, ...);
__attribute__((format(printf, 1, 0))) char *tj_xvasprintf(const char *fmt, va_list ap);

/* A growable, always NUL-terminated string. */
struct tj_buf {
	char *s;
	size_t len, cap;
};
void tj_buf_add(struct tj_buf *b, const char *s);
void tj_buf_addn(struct tj_buf *b, const char *s, size_t n);
__attribute__((format(printf, 2, 3))) void tj_buf_addf(struct tj_buf *b, const char *fmt, ...);
/* Appends s as a JSON string literal, quotes included. */
void tj_buf_add_json_string(struct tj_buf *b, const char *s);
/* Returns the string and resets b; caller frees. */
char *tj_buf_steal(struct tj_buf *b);
void tj_buf_done(struct tj_buf *b);

/* A NULL-terminated vector of owned strings. */
struct tj_strv {
	char **v;
	size_t n, cap;
};
void tj_strv_add(struct tj_strv *sv, const char *s);
void tj_strv_add_owned(struct tj_strv *sv, char *s);
bool tj_strv_contains(const struct tj_strv *sv, const char *s);
/* Sorts the strings (strcmp order). */
void tj_strv_sort(struct tj_strv *sv);
void tj_strv_done(struct tj_strv *sv);

/* Calls fn for each item of a comma-separated list (empty items are
 * skipped), stopping at the first failure; an empty list is an error. */
int tj_for_each_item(const char *list, int (*fn)(void *ctx, char *item, struct tj_err **err), void *ctx,
		     struct tj_err **err);

/* Warnings collected while loading or compiling; the command layer prints
 * them.  json_path may be NULL. */
struct tj_note {
	char *json_path;
	char *msg;
};
struct tj_notes {
	struct tj_note *v;
	size_t n, cap;
};
__attribute__((format(printf, 3, 4))) void tj_notes_add(struct tj_notes *notes, const char *json_path, const char *fmt,
							...);
void tj_notes_done(struct tj_notes *notes);

/* Parses a whole decimal (or 0x hex) unsigned number; false on junk or overflow. */
bool tj_parse_u64(const char *s, uint64_t *ret);
/* Parses a size with an optional K/M/G/T suffix (powers of 1024, an optional
 * trailing B or iB), e.g. "100M", "10MiB", "4096". */
bool tj_parse_size(const char *s, uint64_t *ret);
/* Parses a duration with an optional ms/s/m/h suffix (default seconds) into
 * milliseconds, e.g. "120s", "1.5m", "250ms". */
bool tj_parse_duration_ms(const char *s, uint64_t *ret);

/* Levenshtein distance, capped at 255, for "did you mean" suggestions. */
unsigned tj_edit_distance(const char *a, const char *b);
/* Returns the candidate closest to word if it is close enough to be a likely
 * typo, else NULL.  Candidates is a NULL-terminated array. */
const char *tj_suggest(const char *word, const char *const *candidates);

#endif
