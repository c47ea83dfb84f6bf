/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Files tinyjail writes for the user (--json-status, --log), safely in a
 * directory the sandboxed command may also write: tinyjail may run as root
 * while the command, another user, plants a symbolic link, a hard link or a
 * FIFO at the path (issue 16 item 6).  So:
 *
 *   - the directory is opened when the run starts (tj_outfile_prepare),
 *     following no symbolic link another user owns (safepath.h), and every
 *     later step goes through that descriptor, so renaming a part of the
 *     path during the run cannot redirect the file;
 *   - at that point an existing entry that is not a regular file (a symbolic
 *     link, a FIFO, a device, a directory) is refused;
 *   - the content goes into a new file with a random name, created with
 *     O_CREAT|O_EXCL|O_NOFOLLOW (never an existing inode, never through a
 *     link), which is then renamed over the name: rename replaces the entry
 *     itself, never what a link points to, and the old inode (perhaps a hard
 *     link to another file) is left untouched.
 */
#ifndef TJ_OUTFILE_H
#define TJ_OUTFILE_H

#include <stddef.h>

#include "tj/base/err.h"

struct tj_outfile {
	int dirfd;  /* the directory, opened by tj_outfile_prepare; -1 */
	char *name; /* the last component of the path */
	char *path; /* the path as given, for messages */
};

#define TJ_OUTFILE_INIT     \
	{                   \
		.dirfd = -1 \
	}

/* Opens path's directory and checks the entry: missing or a regular file.
 * `what` names the file in messages ("the status file"). */
int tj_outfile_prepare(struct tj_outfile *f, const char *path, const char *what, struct tj_err **err);

/* Creates a new, empty file at the prepared path now and returns its
 * descriptor (O_WRONLY, close-on-exec), for files written as the run goes
 * (the event log). */
int tj_outfile_create(struct tj_outfile *f, struct tj_err **err);

/* Writes data to a new file and renames it over the prepared path: the
 * path holds the old content or the whole new one, never a part. */
int tj_outfile_replace(struct tj_outfile *f, const void *data, size_t len, struct tj_err **err);

/* The same for content made in pieces (a page larger than is worth holding
 * in memory): fill writes it to fd and returns 0, or an errno value. */
int tj_outfile_replace_with(struct tj_outfile *f, int (*fill)(int fd, void *ctx), void *ctx, struct tj_err **err);

/* Writes all of data to fd: 0, or an errno value. */
int tj_outfile_write_all(int fd, const void *data, size_t len);

void tj_outfile_done(struct tj_outfile *f);

#endif
