/* SPDX-License-Identifier: Apache-2.0 */
/* The string pool of src/static/strmap.h. */
#include <stdlib.h>
#include <string.h>

#include "strmap.h"
#include "tj/base/util.h"

static uint64_t hash(const char *s)
{
	uint64_t h = 1469598103934665603ull; /* FNV-1a */
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

void tj_strpool_init(struct tj_strpool *p)
{
	memset(p, 0, sizeof(*p));
	tj_xreserve((void **)&p->s, &p->cap, 1, 1);
	p->s[0] = '\0';
	p->len = 1;
}

void tj_strpool_done(struct tj_strpool *p)
{
	free(p->s);
	free(p->slots);
	memset(p, 0, sizeof(*p));
}

static void grow(struct tj_strpool *p);

static void insert_slot(struct tj_strpool *p, uint32_t id)
{
	size_t mask = p->nslots - 1;
	for (size_t i = hash(p->s + id) & mask;; i = (i + 1) & mask) {
		if (!p->slots[i]) {
			p->slots[i] = id + 1;
			p->used++;
			return;
		}
	}
}

static void grow(struct tj_strpool *p)
{
	size_t old = p->nslots;
	uint32_t *slots = p->slots;
	p->nslots = old ? old * 2 : 1024;
	p->slots = tj_xcalloc(p->nslots, sizeof(uint32_t));
	p->used = 0;
	for (size_t i = 0; i < old; i++)
		if (slots[i])
			insert_slot(p, slots[i] - 1);
	free(slots);
}

uint32_t tj_strpool_find(const struct tj_strpool *p, const char *s)
{
	if (!*s || !p->nslots)
		return 0;
	size_t mask = p->nslots - 1;
	for (size_t i = hash(s) & mask; p->slots[i]; i = (i + 1) & mask)
		if (strcmp(p->s + p->slots[i] - 1, s) == 0)
			return p->slots[i] - 1;
	return 0;
}

uint32_t tj_strpool_intern(struct tj_strpool *p, const char *s)
{
	if (!*s)
		return 0;
	uint32_t id = tj_strpool_find(p, s);
	if (id)
		return id;
	size_t n = strlen(s) + 1;
	tj_xreserve((void **)&p->s, &p->cap, p->len + n, 1);
	memcpy(p->s + p->len, s, n);
	id = (uint32_t)p->len;
	p->len += n;
	if ((p->used + 1) * 2 > p->nslots)
		grow(p);
	insert_slot(p, id);
	return id;
}

int tj_strpool_reindex(struct tj_strpool *p)
{
	if (!p->len || p->s[0] != '\0' || p->s[p->len - 1] != '\0')
		return -1;
	free(p->slots);
	p->slots = NULL;
	p->nslots = p->used = 0;
	grow(p);
	for (size_t off = 1; off < p->len; off += strlen(p->s + off) + 1) {
		if ((p->used + 1) * 2 > p->nslots)
			grow(p);
		insert_slot(p, (uint32_t)off);
	}
	return 0;
}
