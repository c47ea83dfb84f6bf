/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A per-user cache of compiled filters, so that repeat launches skip
 * libseccomp (notes/performance.md).  An entry holds everything tj_launch
 * and the reports need: both programs, the load flags, the resolved rules
 * and the compiler's notes.
 *
 * The key is a SHA-256 over everything that can change the result: the
 * profile's text, the compile options, the host facts the profile's
 * conditions read (kernel version, capabilities), the kernel release,
 * libseccomp's version, and the build ids of tinyjail and its libraries.  Entries live in a
 * directory only the user can write ($XDG_CACHE_HOME/tinyjail, else
 * ~/.cache/tinyjail, mode 0700); a directory or entry owned by someone else
 * or writable by group or others is refused, entries are opened with
 * O_NOFOLLOW, written to a temporary name and renamed into place.
 *
 * A sandboxed command running as the same user can still write that
 * directory, so an entry is never trusted for being there: each carries an
 * HMAC-SHA256 under the user's integrity key (base/integrity.h), which no
 * sandboxed process can learn, checked on every read.  A bad entry is a
 * miss, never an error: the filter is compiled again.
 */
#ifndef TJ_FILTER_CACHE_H
#define TJ_FILTER_CACHE_H

#include <stdint.h>

#include "tj/base/err.h"
#include "tj/base/integrity.h"
#include "tj/base/sha256.h"
#include "tj/filter/filter.h"
#include "tj/model/profile.h"

struct tj_filter_cache;

/* The default directory: $XDG_CACHE_HOME/tinyjail when that is an absolute
 * path, else $HOME/.cache/tinyjail; NULL when neither is set.  Caller frees. */
char *tj_filter_cache_default_dir(void);

/* Opens dir (creating it, and a missing parent, with mode 0700), with the
 * key entries are sealed and checked with (copied).  Fails
 * with TJ_ERR_LAYER: with errnum 0 when the directory exists but is unsafe
 * to trust (a symlink, not a directory, not owned by the effective user, or
 * writable by group or others), with errnum set when it cannot be created
 * or opened (no writable home). */
int tj_filter_cache_open(const char *dir, const uint8_t mac_key[TJ_INTEGRITY_KEY_LEN], struct tj_filter_cache **ret,
			 struct tj_err **err);
void tj_filter_cache_close(struct tj_filter_cache *c);
TJ_DEFINE_CLEANUP(struct tj_filter_cache, tj_filter_cache_close)
const char *tj_filter_cache_path(const struct tj_filter_cache *c);

/* The key for compiling profile p with opts on host (opts->host is ignored:
 * pass the facts the compile will use). */
void tj_filter_cache_key(const struct tj_profile *p, const struct tj_filter_opts *opts, const struct tj_host *host,
			 uint8_t key[TJ_SHA256_LEN]);

/* Returns 1 and a filter on a hit; 0 on a miss, which includes a missing,
 * truncated, corrupted, foreign or unsafe entry. */
int tj_filter_cache_load(struct tj_filter_cache *c, const uint8_t key[TJ_SHA256_LEN], struct tj_filter **ret);

/* Stores f (which must not carry pseudo code) under key, atomically. */
int tj_filter_cache_store(struct tj_filter_cache *c, const uint8_t key[TJ_SHA256_LEN], const struct tj_filter *f,
			  struct tj_err **err);

/* The entry format itself, for the unit tests: encode returns the bytes of
 * an entry (caller frees); decode returns 1 with a filter, or 0 for any
 * entry that is not exactly a valid one for key. */
void *tj_filter_cache_encode(const uint8_t key[TJ_SHA256_LEN], const uint8_t mac_key[TJ_INTEGRITY_KEY_LEN],
			     const struct tj_filter *f, size_t *ret_len);
int tj_filter_cache_decode(const void *data, size_t len, const uint8_t key[TJ_SHA256_LEN],
			   const uint8_t mac_key[TJ_INTEGRITY_KEY_LEN], struct tj_filter **ret);

#endif
