/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Per-object summaries cached by content: $XDG_CACHE_HOME/tinyjail/static
 * (else ~/.cache/tinyjail/static), one file per key.  The key is a SHA-256
 * over the analyser's format, tinyjail's version, the object's build id (or
 * the file's SHA-256 when it has none), its debug file's identity and the
 * wrappers it imports; the path is not part of it, so the same libc in a
 * container or chroot hits.
 *
 * The same rules as the filter cache (filter_cache.h): a directory or entry
 * owned by another user or writable by group or others is refused, entries
 * are opened with O_NOFOLLOW, written to a temporary name and renamed, and
 * are sealed with the filter cache's keyed MAC (base/integrity.h: a key no
 * sandboxed command can learn), checked on every read.  Any bad entry is a
 * miss: the object is analysed again.  Without the MAC a command that can
 * write the cache would choose the profile `learn --static` writes for any
 * program using the library it poisoned.
 */
#ifndef TJ_STATIC_CACHE_H
#define TJ_STATIC_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include "tj/base/err.h"
#include "tj/base/integrity.h"
#include "tj/base/sha256.h"
#include "tj/static/elf.h"
#include "tj/static/summary.h"

struct tj_static_cache;

/* Opens (creating with mode 0700) base/static; base is the user's tinyjail
 * cache directory (tj_filter_cache_default_dir()); entries are sealed and
 * checked with mac_key (tj_integrity_key(); the cache keeps a copy). */
int tj_static_cache_open(const char *base, const uint8_t mac_key[TJ_INTEGRITY_KEY_LEN], struct tj_static_cache **ret,
			 struct tj_err **err);
void tj_static_cache_close(struct tj_static_cache *c);
TJ_DEFINE_CLEANUP(struct tj_static_cache, tj_static_cache_close)

void tj_static_cache_key(const struct tj_elf *e, const char *wrapper_context, uint8_t key[TJ_SHA256_LEN]);
/* 1 and a summary on a hit, 0 on a miss (missing, corrupt, foreign, unsafe). */
int tj_static_cache_load(struct tj_static_cache *c, const uint8_t key[TJ_SHA256_LEN], struct tj_summary **ret);
int tj_static_cache_store(struct tj_static_cache *c, const uint8_t key[TJ_SHA256_LEN], const struct tj_summary *s,
			  struct tj_err **err);

/* The entry format, for the tests and the fuzzer. */
void *tj_static_cache_encode(const uint8_t key[TJ_SHA256_LEN], const uint8_t mac_key[TJ_INTEGRITY_KEY_LEN],
			     const struct tj_summary *s, size_t *len);
int tj_static_cache_decode(const void *data, size_t len, const uint8_t key[TJ_SHA256_LEN],
			   const uint8_t mac_key[TJ_INTEGRITY_KEY_LEN], struct tj_summary **ret);

#endif
