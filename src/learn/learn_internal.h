/* SPDX-License-Identifier: Apache-2.0 */
/* Private to src/learn/: the comment grammar shared by rendering and reading back. */
#ifndef TJ_LEARN_INTERNAL_H
#define TJ_LEARN_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "tj/base/util.h"
#include "tj/learn/model.h"

/* Comments of rules learn writes start with one of these. */
#define TJ_LEARN_LEARNED "learned in "
#define TJ_LEARN_GENERALISED "generalised: "
#define TJ_LEARN_GROUP "group "
#define TJ_LEARN_TOP "tinyjail learn: "

/* "learned in 2 runs (ID: N calls, ID: N calls), first by "PROG"; VALUES" */
void tj_learn_entry_comment(const struct tj_learn_entry *e, struct tj_buf *out);
/* The values of an entry for people: "socket domain AF_INET, ...". */
void tj_learn_entry_values(const struct tj_learn_entry *e, struct tj_buf *out);
/* Reads the counts and program of an entry comment (the values part is
 * ignored: the rule's comparisons hold them).  Returns false when text is
 * not such a comment.  text need not be NUL-terminated at len. */
bool tj_learn_parse_entry_comment(const char *text, size_t len, struct tj_learn_entry *e);

/* The comparisons of an entry's rule; returns their number. */
size_t tj_learn_entry_args(const struct tj_learn_entry *e, struct tj_arg out[TJ_LEARN_MAX_ARGS]);

/* A string in double quotes with \" and \\ escaped, and its reader
 * (advances *p past the closing quote; false when malformed). */
void tj_learn_quote(struct tj_buf *b, const char *s);
bool tj_learn_unquote(const char **p, const char *end, char **ret);

#endif
