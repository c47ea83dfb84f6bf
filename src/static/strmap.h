/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A string pool with interning (private to src/static/): names of functions,
 * imports and libraries become small ids.  Id 0 is the empty string.
 */
#ifndef TJ_STATIC_STRMAP_H
#define TJ_STATIC_STRMAP_H

#include <stddef.h>
#include <stdint.h>

struct tj_strpool {
	char *s; /* NUL-separated strings; s[0] == '\0' */
	size_t len, cap;
	uint32_t *slots; /* open addressing: id + 1, or 0 when empty */
	size_t nslots, used;
};

void tj_strpool_init(struct tj_strpool *p);
void tj_strpool_done(struct tj_strpool *p);
/* The id of s, adding it when new. */
uint32_t tj_strpool_intern(struct tj_strpool *p, const char *s);
/* The id of s, or 0 when it is not in the pool. */
uint32_t tj_strpool_find(const struct tj_strpool *p, const char *s);
static inline const char *tj_strpool_get(const struct tj_strpool *p, uint32_t id)
{
	return p->s + id;
}
/* Rebuilds the index of a pool whose bytes were loaded (from the cache);
 * returns -1 when they are not NUL-terminated strings. */
int tj_strpool_reindex(struct tj_strpool *p);

#endif
