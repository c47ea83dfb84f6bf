/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Copying a directory tree between two open directories: directories,
 * regular files and symbolic links, with their modes (less set-user-ID and
 * set-group-ID on files) and times, and owners when asked.  Symbolic links
 * are copied as links and never followed, in either tree.  Allocation-free
 * (getdents64 into stack buffers), so the child may use it after clone.
 * Used for size-limited write directories.
 */
#ifndef TJ_COPYTREE_H
#define TJ_COPYTREE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

/* What a tree held when a copy of it was seeded: each regular file's path
 * (relative to the tree), size, mode and modification time, sorted by path.
 * Copying back, a file still as it was seeded was left alone by the
 * command, whatever the tree holds now. */
struct tj_copy_seed_entry {
	char *path;
	off_t size;
	mode_t mode;
	struct timespec mtime;
};
struct tj_copy_seed {
	struct tj_copy_seed_entry *v;
	size_t n, cap;
};

struct tj_copy_opts {
	bool keep_owner;	/* copy owners too (root) */
	uint64_t max_file_size; /* larger files (by apparent size) are not copied; 0: any */
	/* Copying back: a file dst already has with the same size, mode, time
	 * and bytes (one the tree was seeded with) is left alone, not counted. */
	bool skip_unchanged;
	/* Copying back: a file the tree was seeded with (tj_copy_seed_record)
	 * and whose size, mode and time are still those it was seeded with is
	 * left alone, not counted, even if dst's changed or went away
	 * meanwhile (another run, or the user: their change is kept). */
	const struct tj_copy_seed *seeded;
	/* Files of at least this size reached the command's file size limit
	 * (RLIMIT_FSIZE): they are cut short, and land as NAME.partial rather
	 * than under the name they would pass for complete with; 0: none. */
	uint64_t partial_size;
};

struct tj_copy_stats {
	uint64_t files, dirs, links, bytes; /* bytes: data copied, holes excluded */
	uint64_t skipped;		    /* devices, fifos, sockets: not copied */
	uint64_t too_big;		    /* files over max_file_size: not copied */
	char first_too_big[128];	    /* the first one's name */
	uint64_t unchanged;		    /* skip_unchanged: files left as they were */
	uint64_t partial;		    /* partial_size: files landed as NAME.partial */
	char first_partial[128];	    /* the first one's name (as the command wrote it) */
};

/* Copies everything beneath src into dst (which exists).  Files keep their
 * holes.  Existing files in dst are replaced by a new file renamed over
 * them (never written through: a hard link's other names keep their
 * content); an existing symbolic link or other non-file is an error;
 * nothing in dst is deleted.  Returns 0, or -errno with a short reason
 * (naming the entry) in why. */
int tj_copytree(int src_dirfd, int dst_dirfd, const struct tj_copy_opts *opts, struct tj_copy_stats *stats, char *why,
		size_t why_size);

/* Records what dirfd's tree holds now (allocates: not for the child).
 * Returns 0 or -errno. */
int tj_copy_seed_record(int dirfd, struct tj_copy_seed *seed);
void tj_copy_seed_done(struct tj_copy_seed *seed);

#endif
