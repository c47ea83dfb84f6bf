/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The summary cache (include/tj/static/cache.h).  An entry file is
 *
 *   header:  "TJSCACHE", u32 format, u32 zero, key[32], u64 payload length,
 *            mac[32]: HMAC-SHA256 under the per-user integrity key
 *            (base/integrity.h) over the header before it and the payload
 *   payload: u32 flags, u32 entry, u64 x 3 statistics, then each array as a
 *            u64 count and its fixed-layout records (little-endian), the
 *            string pool last
 *
 * A read checks the header, the key and the MAC, decodes with bounds checks
 * and validates every index; any failure is a miss.  The MAC, not a plain
 * hash: a sandboxed command that can write the cache (no view) could
 * recompute a hash over a summary of its choosing.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tj/static/cache.h"
#include "tj/static/summary.h"

#ifndef TJ_VERSION
#define TJ_VERSION "0.0.0-dev"
#endif

#define MAGIC "TJSCACHE"
#define FORMAT 2 /* 2: the keyed MAC (1 had a plain SHA-256) */
#define MAC_AT (8 + 4 + 4 + TJ_SHA256_LEN + 8)
#define HEADER_LEN (MAC_AT + TJ_INTEGRITY_MAC_LEN)
#define MAX_ENTRY (512u << 20)

struct tj_static_cache {
	int dirfd;
	uint8_t mac_key[TJ_INTEGRITY_KEY_LEN];
};

/* --- the directory --- */

static int check_owner(const struct stat *st, const char *path, struct tj_err **err)
{
	if (st->st_uid != geteuid())
		return tj_err_set(err, TJ_ERR_LAYER, 0,
				  "the cache directory '%s' is owned by uid %u, not by this user (uid %u)", path,
				  (unsigned)st->st_uid, (unsigned)geteuid());
	if (st->st_mode & (S_IWGRP | S_IWOTH))
		return tj_err_set(err, TJ_ERR_LAYER, 0,
				  "the cache directory '%s' is writable by group or others (mode %04o)", path,
				  (unsigned)(st->st_mode & 07777));
	return 0;
}

/* mkdir (0700) then open without following a link, and check the owner. */
static int open_dir(int at, const char *name, const char *display, struct tj_err **err)
{
	if (mkdirat(at, name, 0700) < 0 && errno != EEXIST)
		return tj_err_set(err, TJ_ERR_LAYER, errno, "cannot create the cache directory '%s'", display);
	int fd = openat(at, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return tj_err_set(err, TJ_ERR_LAYER, errno, "cannot open the cache directory '%s'%s", display,
				  errno == ELOOP || errno == ENOTDIR ? " (a symbolic link or not a directory)" : "");
	struct stat st;
	if (fstat(fd, &st) < 0 || check_owner(&st, display, err) < 0) {
		if (err && !*err)
			tj_err_set(err, TJ_ERR_LAYER, errno, "cannot stat '%s'", display);
		close(fd);
		return -1;
	}
	return fd;
}

int tj_static_cache_open(const char *base, const uint8_t mac_key[TJ_INTEGRITY_KEY_LEN], struct tj_static_cache **ret,
			 struct tj_err **err)
{
	if (!base || base[0] != '/')
		return tj_err_set(err, TJ_ERR_LAYER, 0, "no cache directory (set XDG_CACHE_HOME or HOME)");
	tj_autofree char *parent = tj_xstrdup(base);
	char *slash = strrchr(parent, '/');
	*slash = '\0';
	/* The parent of base (~/.cache) may be missing on a fresh account. */
	if (parent[0] && mkdir(parent, 0700) < 0 && errno != EEXIST)
		return tj_err_set(err, TJ_ERR_LAYER, errno, "cannot create '%s'", parent);
	tj_autoclose int pfd = open(parent[0] ? parent : "/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (pfd < 0)
		return tj_err_set(err, TJ_ERR_LAYER, errno, "cannot open '%s'", parent);
	tj_autoclose int bfd = open_dir(pfd, slash + 1, base, err);
	if (bfd < 0)
		return -1;
	tj_autofree char *display = tj_xasprintf("%s/static", base);
	int sfd = open_dir(bfd, "static", display, err);
	if (sfd < 0)
		return -1;
	struct tj_static_cache *c = tj_xcalloc(1, sizeof(*c));
	c->dirfd = sfd;
	memcpy(c->mac_key, mac_key, TJ_INTEGRITY_KEY_LEN);
	*ret = c;
	return 0;
}

void tj_static_cache_close(struct tj_static_cache *c)
{
	if (!c)
		return;
	close(c->dirfd);
	explicit_bzero(c->mac_key, sizeof(c->mac_key));
	free(c);
}

/* --- keys and tags --- */

void tj_static_cache_key(const struct tj_elf *e, const char *wrapper_context, uint8_t key[TJ_SHA256_LEN])
{
	struct tj_sha256 h;
	tj_sha256_init(&h);
	tj_sha256_add_field(&h, "tinyjail static summary", 23);
	uint64_t fmt = FORMAT;
	tj_sha256_update(&h, &fmt, sizeof(fmt));
	tj_sha256_add_field(&h, TJ_VERSION, strlen(TJ_VERSION));
	/* The analyser is part of the key whether or not it ran yet. */
	tj_summary_load_capstone();
	tj_sha256_add_loaded_build_ids(&h);
	if (e->build_id_len) {
		tj_sha256_add_field(&h, e->build_id, e->build_id_len);
	} else {
		uint8_t digest[TJ_SHA256_LEN];
		tj_sha256(e->data, e->size, digest);
		tj_sha256_add_field(&h, digest, sizeof(digest));
	}
	/* Symbols from a debug file installed later make another summary. */
	tj_sha256_add_field(&h, e->debug_file ? e->debug_file : "", e->debug_file ? strlen(e->debug_file) : 0);
	uint64_t nsyms = e->nsyms;
	tj_sha256_update(&h, &nsyms, sizeof(nsyms));
	tj_sha256_add_field(&h, wrapper_context, strlen(wrapper_context));
	tj_sha256_final(&h, key);
}

/* The MAC of an entry: over its header up to the MAC (magic, format, key,
 * length) and its payload, under the per-user key. */
static void entry_tag(const uint8_t mac_key[TJ_INTEGRITY_KEY_LEN], const uint8_t *entry, size_t payload_len,
		      uint8_t tag[TJ_INTEGRITY_MAC_LEN])
{
	tj_integrity_mac2(mac_key, entry, MAC_AT, entry + HEADER_LEN, payload_len, tag);
}

/* --- encoding --- */

struct wbuf {
	uint8_t *p;
	size_t len, cap;
};

static void put(struct wbuf *b, const void *d, size_t n)
{
	tj_xreserve((void **)&b->p, &b->cap, b->len + n, 1);
	if (n)
		memcpy(b->p + b->len, d, n);
	b->len += n;
}

static void put_array(struct wbuf *b, const void *v, size_t n, size_t size)
{
	uint64_t c = n;
	put(b, &c, 8);
	put(b, v, n * size);
}

void *tj_static_cache_encode(const uint8_t key[TJ_SHA256_LEN], const uint8_t mac_key[TJ_INTEGRITY_KEY_LEN],
			     const struct tj_summary *s, size_t *len)
{
	struct wbuf b = {0};
	uint8_t zero[HEADER_LEN] = {0};
	put(&b, zero, HEADER_LEN);
	put(&b, &s->flags, 4);
	put(&b, &s->entry, 4);
	put(&b, &s->ninsns, 8);
	put(&b, &s->nsites, 8);
	put(&b, &s->nsites_resolved, 8);
	put_array(&b, s->funcs, s->nfuncs, sizeof(*s->funcs));
	put_array(&b, s->edges, s->nedges, sizeof(*s->edges));
	put_array(&b, s->sys, s->nsys, sizeof(*s->sys));
	put_array(&b, s->data, s->ndata, sizeof(*s->data));
	put_array(&b, s->exports, s->nexports, sizeof(*s->exports));
	put_array(&b, s->unres, s->nunres, sizeof(*s->unres));
	put_array(&b, s->dlopens, s->ndlopens, sizeof(*s->dlopens));
	put_array(&b, s->wrappers, s->nwrappers, sizeof(*s->wrappers));
	put_array(&b, s->inits, s->ninits, sizeof(*s->inits));
	put_array(&b, s->live, s->nlive, sizeof(*s->live));
	put_array(&b, s->strings, s->strings_len, 1);
	uint32_t fmt = FORMAT, z = 0;
	uint64_t plen = b.len - HEADER_LEN;
	memcpy(b.p, MAGIC, 8);
	memcpy(b.p + 8, &fmt, 4);
	memcpy(b.p + 12, &z, 4);
	memcpy(b.p + 16, key, TJ_SHA256_LEN);
	memcpy(b.p + 16 + TJ_SHA256_LEN, &plen, 8);
	entry_tag(mac_key, b.p, plen, b.p + MAC_AT);
	*len = b.len;
	return b.p;
}

struct rbuf {
	const uint8_t *p;
	size_t len, off;
	bool bad;
};

static void get(struct rbuf *b, void *d, size_t n)
{
	if (b->bad || n > b->len - b->off) {
		b->bad = true;
		memset(d, 0, n);
		return;
	}
	memcpy(d, b->p + b->off, n);
	b->off += n;
}

static void *get_array(struct rbuf *b, size_t *n, size_t size)
{
	uint64_t c = 0;
	get(b, &c, 8);
	if (b->bad || c > (b->len - b->off) / size) {
		b->bad = true;
		*n = 0;
		return tj_xcalloc(1, size);
	}
	void *v = tj_xcalloc(c ? c : 1, size);
	get(b, v, c * size);
	*n = c;
	return v;
}

static bool str_ok(const struct tj_summary *s, uint32_t id)
{
	return id < s->strings_len;
}

static bool edge_ok(const struct tj_summary *s, const struct tj_sedge *e)
{
	switch (e->kind) {
	case TJ_SE_CALL:
	case TJ_SE_ADDR: return e->target < s->nfuncs;
	case TJ_SE_OBJ: return e->target < s->ndata;
	case TJ_SE_IMPORT:
	case TJ_SE_IMPORT_ADDR: return str_ok(s, e->target);
	default: return false;
	}
}

static bool range_ok(uint32_t start, uint32_t n, size_t total)
{
	return (uint64_t)start + n <= total;
}

/* Every index in range, so that composition never reads past an array. */
static bool valid(const struct tj_summary *s)
{
	if (!s->strings_len || s->strings[0] != '\0' || s->strings[s->strings_len - 1] != '\0')
		return false;
	if (s->entry != UINT32_MAX && s->entry >= s->nfuncs)
		return false;
	for (size_t i = 0; i < s->nfuncs; i++) {
		const struct tj_sfunc *f = &s->funcs[i];
		if (!str_ok(s, f->name) || !range_ok(f->edges, f->nedges, s->nedges) ||
		    !range_ok(f->sys, f->nsys, s->nsys))
			return false;
	}
	for (size_t i = 0; i < s->nedges; i++)
		if (!edge_ok(s, &s->edges[i]))
			return false;
	for (size_t i = 0; i < s->nlive; i++)
		if (!edge_ok(s, &s->live[i]))
			return false;
	for (size_t i = 0; i < s->nsys; i++)
		if (s->sys[i].nr >= TJ_STATIC_MAX_NR || !str_ok(s, s->sys[i].via))
			return false;
	for (size_t i = 0; i < s->ndata; i++)
		if (!str_ok(s, s->data[i].name) || !range_ok(s->data[i].edges, s->data[i].nedges, s->nedges))
			return false;
	for (size_t i = 0; i < s->nexports; i++)
		if (!str_ok(s, s->exports[i].name) ||
		    s->exports[i].index >= (s->exports[i].is_data ? s->ndata : s->nfuncs))
			return false;
	for (size_t i = 0; i < s->nunres; i++)
		if (s->unres[i].func >= s->nfuncs || !str_ok(s, s->unres[i].via))
			return false;
	for (size_t i = 0; i < s->ndlopens; i++)
		if (s->dlopens[i].func >= s->nfuncs || !str_ok(s, s->dlopens[i].name))
			return false;
	for (size_t i = 0; i < s->nwrappers; i++)
		if (!str_ok(s, s->wrappers[i].name))
			return false;
	for (size_t i = 0; i < s->ninits; i++)
		if (s->inits[i] >= s->nfuncs)
			return false;
	return true;
}

int tj_static_cache_decode(const void *data, size_t len, const uint8_t key[TJ_SHA256_LEN],
			   const uint8_t mac_key[TJ_INTEGRITY_KEY_LEN], struct tj_summary **ret)
{
	const uint8_t *p = data;
	if (len < HEADER_LEN || memcmp(p, MAGIC, 8) != 0)
		return 0;
	uint32_t fmt;
	uint64_t plen;
	memcpy(&fmt, p + 8, 4);
	memcpy(&plen, p + 16 + TJ_SHA256_LEN, 8);
	if (fmt != FORMAT || memcmp(p + 16, key, TJ_SHA256_LEN) != 0 || plen != len - HEADER_LEN)
		return 0;
	uint8_t tag[TJ_INTEGRITY_MAC_LEN];
	entry_tag(mac_key, p, plen, tag);
	if (!tj_digest_equal(tag, p + MAC_AT, sizeof(tag)))
		return 0;
	struct rbuf b = {p + HEADER_LEN, plen, 0, false};
	struct tj_summary *s = tj_xcalloc(1, sizeof(*s));
	get(&b, &s->flags, 4);
	get(&b, &s->entry, 4);
	get(&b, &s->ninsns, 8);
	get(&b, &s->nsites, 8);
	get(&b, &s->nsites_resolved, 8);
	s->funcs = get_array(&b, &s->nfuncs, sizeof(*s->funcs));
	s->edges = get_array(&b, &s->nedges, sizeof(*s->edges));
	s->sys = get_array(&b, &s->nsys, sizeof(*s->sys));
	s->data = get_array(&b, &s->ndata, sizeof(*s->data));
	s->exports = get_array(&b, &s->nexports, sizeof(*s->exports));
	s->unres = get_array(&b, &s->nunres, sizeof(*s->unres));
	s->dlopens = get_array(&b, &s->ndlopens, sizeof(*s->dlopens));
	s->wrappers = get_array(&b, &s->nwrappers, sizeof(*s->wrappers));
	s->inits = get_array(&b, &s->ninits, sizeof(*s->inits));
	s->live = get_array(&b, &s->nlive, sizeof(*s->live));
	s->strings = get_array(&b, &s->strings_len, 1);
	if (b.bad || b.off != b.len || !valid(s)) {
		tj_summary_free(s);
		return 0;
	}
	*ret = s;
	return 1;
}

/* --- files --- */

static void key_name(const uint8_t key[TJ_SHA256_LEN], char name[2 * TJ_SHA256_LEN + 1])
{
	for (size_t i = 0; i < TJ_SHA256_LEN; i++)
		sprintf(name + 2 * i, "%02x", key[i]);
}

int tj_static_cache_load(struct tj_static_cache *c, const uint8_t key[TJ_SHA256_LEN], struct tj_summary **ret)
{
	char name[2 * TJ_SHA256_LEN + 1];
	key_name(key, name);
	tj_autoclose int fd = openat(c->dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid() ||
	    (st.st_mode & (S_IWGRP | S_IWOTH)) || st.st_size > MAX_ENTRY)
		return 0;
	tj_autofree uint8_t *buf = tj_xmalloc((size_t)st.st_size + 1);
	size_t got = 0;
	while (got < (size_t)st.st_size) {
		ssize_t n = pread(fd, buf + got, (size_t)st.st_size - got, (off_t)got);
		if (n <= 0)
			return 0;
		got += (size_t)n;
	}
	return tj_static_cache_decode(buf, got, key, c->mac_key, ret);
}

int tj_static_cache_store(struct tj_static_cache *c, const uint8_t key[TJ_SHA256_LEN], const struct tj_summary *s,
			  struct tj_err **err)
{
	char name[2 * TJ_SHA256_LEN + 1], tmp[2 * TJ_SHA256_LEN + 32];
	key_name(key, name);
	snprintf(tmp, sizeof(tmp), ".%s.%d", name, (int)getpid());
	size_t len;
	tj_autofree uint8_t *data = tj_static_cache_encode(key, c->mac_key, s, &len);
	tj_autoclose int fd = openat(c->dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return tj_err_set(err, TJ_ERR_INTERNAL, errno, "cannot create a cache entry");
	size_t done = 0;
	while (done < len) {
		ssize_t n = write(fd, data + done, len - done);
		if (n <= 0) {
			int saved = errno;
			unlinkat(c->dirfd, tmp, 0);
			return tj_err_set(err, TJ_ERR_INTERNAL, saved, "cannot write a cache entry");
		}
		done += (size_t)n;
	}
	if (renameat(c->dirfd, tmp, c->dirfd, name) < 0) {
		int saved = errno;
		unlinkat(c->dirfd, tmp, 0);
		return tj_err_set(err, TJ_ERR_INTERNAL, saved, "cannot store a cache entry");
	}
	return 0;
}
