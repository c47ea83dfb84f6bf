/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Writing remembered decisions back into a profile (`supervise --write-back`),
 * so that the next run starts from the updated policy.  The decisions become
 * plain OCI rules (profile_json.h, tj_profile_json_add_rules); files are
 * replaced atomically (a temporary file renamed over the old one).
 */
#ifndef TJ_WRITEBACK_H
#define TJ_WRITEBACK_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "tj/base/err.h"
#include "tj/base/util.h"
#include "tj/supervise/decisions.h"

struct tj_writeback {
	const char *profile; /* the profile the runs use */
	const char *out;     /* NULL: update profile in place; else write a copy here */
	bool backed_up;	     /* in place: PROFILE.bak has been written in this run */
};

/* Writes the decisions of mem not yet written.  In place, the profile's
 * previous content is kept once per run as PROFILE.bak; a copy is always
 * the original profile plus every decision.  *ret_written counts the rules
 * added; decisions that cannot be added without a conflict are listed in
 * skipped and marked as written (they will not be tried again). */
int tj_writeback(struct tj_writeback *wb, struct tj_memory *mem, size_t *ret_written, struct tj_notes *skipped,
		 struct tj_err **err);

/* Replaces path with len bytes of text: a new file (mode) in the same
 * directory, written, synced and renamed over path, so a reader sees the old
 * or the new content, never half of one. */
int tj_writeback_replace_file(const char *path, const char *text, size_t len, mode_t mode, struct tj_err **err);

#endif
