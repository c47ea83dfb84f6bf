/* SPDX-License-Identifier: Apache-2.0 */
/*
 * JSON paths and source positions.  json-c parses profiles but keeps no
 * source positions, so this module re-scans the text (already accepted by
 * json-c) to turn a JSON path such as "syscalls[3].names[1]" into line:col,
 * and to find what json-c's strict mode still accepts but JSON forbids:
 * duplicate keys (the last one would win), integers that do not fit in 64
 * bits (json-c saturates them), NaN/Infinity and other malformed literals,
 * single-quoted strings, raw control characters in strings and invalid
 * UTF-8.  No json-c here: this works on bytes.
 */
#ifndef TJ_JSONPOS_H
#define TJ_JSONPOS_H

#include <stdbool.h>
#include <stddef.h>

#include "tj/base/err.h"

/* A JSON path under construction, e.g. "linux.seccomp.syscalls[2].args[0]".
 * Keys that are not plain identifiers are written as ["key"]. */
#define TJ_JPATH_MAX 512
struct tj_jpath {
	char s[TJ_JPATH_MAX];
	size_t len;
};
void tj_jpath_init(struct tj_jpath *p);
/* Both return the previous length, to hand to tj_jpath_pop. */
size_t tj_jpath_push_key(struct tj_jpath *p, const char *key);
size_t tj_jpath_push_index(struct tj_jpath *p, size_t index);
void tj_jpath_pop(struct tj_jpath *p, size_t old_len);

/* 1-based line and column of a byte offset. */
void tj_jsonpos_line_col(const char *text, size_t len, size_t offset, int *line, int *col);

/* Finds where the value at json_path starts; an empty path is the document.
 * Returns false if the path does not exist in text. */
bool tj_jsonpos_locate(const char *text, size_t len, const char *json_path, int *line, int *col);

/* The bytes of the value at json_path: [*start, *end).  *key_start is where
 * its member begins (the opening quote of its key), or *start for an array
 * element or the document.  False when the path does not exist. */
bool tj_jsonpos_span(const char *text, size_t len, const char *json_path, size_t *key_start, size_t *start,
		     size_t *end);

/* Adds the line:column of the error's JSON path to an error record that has
 * a path but no position yet.  Does nothing otherwise. */
void tj_jsonpos_locate_error(const char *text, size_t len, struct tj_err **err);

/* Checks text (valid JSON) for duplicate object keys and out-of-range
 * integers.  On a finding returns -1 with a TJ_ERR_PROFILE record carrying
 * the JSON path and position. */
int tj_jsonpos_check(const char *text, size_t len, struct tj_err **err);

#endif
