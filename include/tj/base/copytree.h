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

struct tj_copy_opts {
	bool keep_owner;	/* copy owners too (root) */
	uint64_t max_file_size; /* larger files (by apparent size) are not copied; 0: any */
	/* Copying back: a file dst already has with the same size, mode, time
	 * and bytes (one the tree was seeded with) is left alone, not counted. */
	bool skip_unchanged;
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

#endif
