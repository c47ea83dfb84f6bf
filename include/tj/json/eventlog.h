/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Reads an event log (--log, notes/events.md) one line at a time, so a log
 * of any size is read in the memory of its longest line.  Each line becomes
 * a struct tj_record.  A line that is not a JSON object of version 1 is
 * reported with its number and skipped; reading goes on.
 */
#ifndef TJ_JSON_EVENTLOG_H
#define TJ_JSON_EVENTLOG_H

#include <stddef.h>

#include "tj/base/err.h"
#include "tj/events/record.h"

struct tj_eventlog;

/* "-" reads stdin. */
int tj_eventlog_open(const char *path, struct tj_eventlog **ret, struct tj_err **err);
void tj_eventlog_close(struct tj_eventlog *l);

enum tj_eventlog_status {
	TJ_EVENTLOG_END = 0,	 /* no more lines */
	TJ_EVENTLOG_RECORD = 1,	 /* *out holds the line's event (until the next call) */
	TJ_EVENTLOG_BAD = 2,	 /* the line is not a valid event: err says why (file:line) */
	TJ_EVENTLOG_SKIPPED = 3, /* an event of another version (v != 1): err says which */
};

/* Returns a tj_eventlog_status, or -1 with err when the file cannot be
 * read at all. */
int tj_eventlog_next(struct tj_eventlog *l, struct tj_record *out, struct tj_err **err);

/* The number of the line last read (1-based), and bytes read so far. */
size_t tj_eventlog_line(const struct tj_eventlog *l);
uint64_t tj_eventlog_bytes(const struct tj_eventlog *l);

#endif
