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

struct tj_copy_stats {
	uint64_t files, dirs, links, bytes;
	uint64_t skipped; /* devices, fifos, sockets: not copied */
};

/* Copies everything beneath src into dst (which exists).  Existing files in
 * dst are replaced; nothing in dst is deleted.  Returns 0, or -errno with a
 * short reason (naming the entry) in why. */
int tj_copytree(int src_dirfd, int dst_dirfd, bool keep_owner, struct tj_copy_stats *stats, char *why, size_t why_size);

#endif
