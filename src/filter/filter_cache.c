/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The compiled-filter cache (include/tj/filter/filter_cache.h).  An entry file is
 *
 *   header:  "TJFCACHE", u32 format, u32 zero, key[32], u64 payload length,
 *            HMAC-SHA256[32] of everything before it and the payload
 *   payload: the struct tj_filter fields, little-endian, strings as u32
 *            length + bytes (0xffffffff for NULL)
 *
 * The MAC's key is the user's integrity key (base/integrity.h), which no
 * sandboxed command can learn: a command that can write the cache directory
 * cannot make an entry that verifies (a plain hash, which it could compute,
 * would not stop it).  Every read checks the header, the key and the MAC,
 * then decodes with bounds checks and validates both programs as the kernel
 * would; any failure is a miss.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "tj/base/cleanup.h"
#include "tj/filter/bpfsim.h"
#include "tj/filter/filter_cache.h"

#ifndef TJ_VERSION
#define TJ_VERSION "0.0.0-dev"
#endif

#define MAGIC "TJFCACHE"
#define FORMAT 3
#define HEADER_LEN (8 + 4 + 4 + TJ_SHA256_LEN + 8 + TJ_SHA256_LEN)
#define MAX_ENTRY (16u << 20) /* far above any real filter */
#define NO_STRING 0xffffffffu

struct tj_filter_cache {
	int dirfd;
	char *path;
	uint8_t mac_key[TJ_INTEGRITY_KEY_LEN];
};

/* --- where --- */

char *tj_filter_cache_default_dir(void)
{
	const char *xdg = getenv("XDG_CACHE_HOME");
	if (xdg && xdg[0] == '/')
		return tj_xasprintf("%s/tinyjail", xdg);
	const char *home = getenv("HOME");
	if (home && home[0] == '/')
		return tj_xasprintf("%s/.cache/tinyjail", home);
	return NULL;
}

/* Refuses a directory or file another user could have written. */
static int check_owner(const struct stat *st, const char *what, const char *path, struct tj_err **err)
{
	if (st->st_uid != geteuid())
		return tj_err_set(err, TJ_ERR_LAYER, 0, "%s '%s' is owned by uid %u, not by this user (uid %u)", what,
				  path, (unsigned)st->st_uid, (unsigned)geteuid());
	if (st->st_mode & (S_IWGRP | S_IWOTH))
		return tj_err_set(err, TJ_ERR_LAYER, 0, "%s '%s' is writable by group or others (mode %04o)", what,
				  path, (unsigned)(st->st_mode & 07777));
	return 0;
}

int tj_filter_cache_open(const char *dir, const uint8_t mac_key[TJ_INTEGRITY_KEY_LEN], struct tj_filter_cache **ret,
			 struct tj_err **err)
{
	if (!dir || dir[0] != '/')
		return tj_err_set(err, TJ_ERR_LAYER, 0, "no cache directory (set XDG_CACHE_HOME or HOME)");
	/* One missing parent (~/.cache on a fresh account) is created too. */
	tj_autofree char *parent = tj_xstrdup(dir);
	char *slash = strrchr(parent, '/');
	if (slash && slash != parent) {
		*slash = '\0';
		if (mkdir(parent, 0700) < 0 && errno != EEXIST)
			return tj_err_set(err, TJ_ERR_LAYER, errno, "cannot create '%s'", parent);
	}
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return tj_err_set(err, TJ_ERR_LAYER, errno, "cannot create the cache directory '%s'", dir);
	tj_autoclose int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	struct stat st;
	if (fd < 0 && (errno == ELOOP || errno == ENOTDIR))
		return tj_err_set(err, TJ_ERR_LAYER, 0, "the cache directory '%s' is %s", dir,
				  lstat(dir, &st) == 0 && S_ISLNK(st.st_mode) ? "a symbolic link" : "not a directory");
	if (fd < 0)
		return tj_err_set(err, TJ_ERR_LAYER, errno, "cannot open the cache directory '%s'", dir);
	if (fstat(fd, &st) < 0)
		return tj_err_set(err, TJ_ERR_LAYER, errno, "cannot stat '%s'", dir);
	if (check_owner(&st, "the cache directory", dir, err) < 0)
		return -1;
	struct tj_filter_cache *c = tj_xcalloc(1, sizeof(*c));
	c->dirfd = TJ_STEAL_FD(&fd);
	c->path = tj_xstrdup(dir);
	memcpy(c->mac_key, mac_key, TJ_INTEGRITY_KEY_LEN);
	*ret = c;
	return 0;
}

void tj_filter_cache_close(struct tj_filter_cache *c)
{
	if (!c)
		return;
	if (c->dirfd >= 0)
		close(c->dirfd);
	free(c->path);
	explicit_bzero(c->mac_key, sizeof(c->mac_key));
	free(c);
}

const char *tj_filter_cache_path(const struct tj_filter_cache *c)
{
	return c->path;
}

/* --- the key --- */

static void add_str(struct tj_sha256 *h, const char *s)
{
	tj_sha256_add_field(h, s ? s : "", s ? strlen(s) : 0);
}

static void add_u64(struct tj_sha256 *h, uint64_t v)
{
	tj_sha256_update(h, &v, sizeof(v));
}

void tj_filter_cache_key(const struct tj_profile *p, const struct tj_filter_opts *opts, const struct tj_host *host,
			 uint8_t key[TJ_SHA256_LEN])
{
	struct tj_sha256 h;
	tj_sha256_init(&h);
	add_str(&h, "tinyjail filter cache");
	add_u64(&h, FORMAT);
	add_str(&h, TJ_VERSION);
	tj_sha256_add_loaded_build_ids(&h);
	char version[32];
	tj_filter_library_version(version, sizeof(version));
	add_str(&h, version);
	add_u64(&h, tj_filter_api_level());
	struct utsname u;
	if (uname(&u) == 0) {
		add_str(&h, u.release);
		add_str(&h, u.machine);
	}
	add_str(&h, host->go_arch);
	add_u64(&h, host->kernel_major);
	add_u64(&h, host->kernel_minor);
	add_u64(&h, host->caps);
	add_u64(&h, (uint64_t)opts->mode);
	add_u64(&h, opts->supervise_kills);
	add_u64(&h, opts->route_errno);
	add_u64(&h, opts->track_allowed);
	add_u64(&h, opts->agent);
	add_u64(&h, opts->agent_default);
	add_u64(&h, opts->complain_via_log);
	add_u64(&h, opts->bad_arch_allow);
	add_u64(&h, opts->ignore_unknown_deny);
	add_u64(&h, (uint64_t)opts->optimize);
	/* --allow-syscall/--deny-syscall change what the profile compiles to. */
	const struct tj_strv *lists[] = {opts->allow_names, opts->deny_names};
	for (size_t l = 0; l < 2; l++) {
		add_u64(&h, lists[l] ? lists[l]->n : 0);
		for (size_t i = 0; lists[l] && i < lists[l]->n; i++)
			add_str(&h, lists[l]->v[i]);
	}
	add_u64(&h, opts->notify_n);
	for (size_t i = 0; i < opts->notify_n; i++)
		add_u64(&h, (uint64_t)opts->notify_nrs[i]);
	tj_sha256_add_field(&h, p->text, p->text_len);
	tj_sha256_add_field(&h, p->base_text ? p->base_text : "", p->base_text_len); /* tinyjail.extends */
	tj_sha256_final(&h, key);
}

/* --- encoding --- */

struct wbuf {
	uint8_t *p;
	size_t len, cap;
};

static void put(struct wbuf *b, const void *data, size_t n)
{
	tj_xreserve((void **)&b->p, &b->cap, b->len + n, 1);
	memcpy(b->p + b->len, data, n);
	b->len += n;
}

static void put_u32(struct wbuf *b, uint32_t v)
{
	put(b, &v, sizeof(v));
}

static void put_u64(struct wbuf *b, uint64_t v)
{
	put(b, &v, sizeof(v));
}

static void put_str(struct wbuf *b, const char *s)
{
	if (!s) {
		put_u32(b, NO_STRING);
		return;
	}
	size_t n = strlen(s);
	put_u32(b, (uint32_t)n);
	put(b, s, n);
}

static void put_strv(struct wbuf *b, const struct tj_strv *sv)
{
	put_u32(b, (uint32_t)sv->n);
	for (size_t i = 0; i < sv->n; i++)
		put_str(b, sv->v[i]);
}

static void put_notes(struct wbuf *b, const struct tj_notes *notes)
{
	put_u32(b, (uint32_t)notes->n);
	for (size_t i = 0; i < notes->n; i++) {
		put_str(b, notes->v[i].json_path);
		put_str(b, notes->v[i].msg);
	}
}

static void put_prog(struct wbuf *b, const struct sock_filter *prog, size_t len)
{
	put_u32(b, prog ? (uint32_t)len : 0);
	if (prog)
		put(b, prog, len * sizeof(*prog));
}

static void put_cond(struct wbuf *b, const struct tj_cond *c)
{
	put_strv(b, &c->caps);
	put_strv(b, &c->arches);
	put_str(b, c->min_kernel);
	put_u32(b, c->min_major);
	put_u32(b, c->min_minor);
}

static void put_seccomp(struct wbuf *b, const struct tj_seccomp *s)
{
	put_str(b, s->json_path);
	put_u32(b, (uint32_t)s->default_action);
	put_u32(b, s->has_default_errno);
	put_u32(b, s->default_errno);
	put_strv(b, &s->arches);
	put_u32(b, s->arches_from_archmap);
	put_u32(b, s->has_flags);
	put_u32(b, s->flags);
	put_str(b, s->listener_path);
	put_str(b, s->listener_metadata);
	put_u32(b, (uint32_t)s->nrules);
	for (size_t i = 0; i < s->nrules; i++) {
		const struct tj_rule *r = &s->rules[i];
		put_str(b, r->json_path);
		put_strv(b, &r->names);
		put_u32(b, r->singular_name);
		put_u32(b, (uint32_t)r->action);
		put_u32(b, r->has_errno);
		put_u32(b, r->errno_ret);
		put_u32(b, (uint32_t)r->nargs);
		for (size_t k = 0; k < r->nargs; k++) {
			put_u32(b, r->args[k].index);
			put_u64(b, r->args[k].value);
			put_u64(b, r->args[k].value_two);
			put_u32(b, (uint32_t)r->args[k].op);
		}
		put_u32(b, r->has_includes);
		put_u32(b, r->has_excludes);
		put_cond(b, &r->includes);
		put_cond(b, &r->excludes);
		put_str(b, r->comment);
		/* Where each name came from (groups.md): one entry per name. */
		put_u32(b, r->origins != NULL);
		for (size_t k = 0; r->origins && k < r->names.n; k++) {
			put_u64(b, r->origins[k].index);
			put_str(b, r->origins[k].via);
		}
	}
}

void *tj_filter_cache_encode(const uint8_t key[TJ_SHA256_LEN], const uint8_t mac_key[TJ_INTEGRITY_KEY_LEN],
			     const struct tj_filter *f, size_t *ret_len)
{
	struct wbuf pl = {0};
	put_u32(&pl, f->load_flags);
	put_u32(&pl, f->uses_listener);
	put_u32(&pl, f->has_agent_rules);
	put_u32(&pl, f->has_start_call);
	put_u32(&pl, f->routes_more_than_kills);
	put_u64(&pl, f->nrules_added);
	put_prog(&pl, f->prog, f->len);
	put_prog(&pl, f->truth, f->truth_len);
	put_notes(&pl, &f->warnings);
	put_notes(&pl, &f->info);
	put_seccomp(&pl, f->resolved);

	struct wbuf out = {0};
	put(&out, MAGIC, 8);
	put_u32(&out, FORMAT);
	put_u32(&out, 0);
	put(&out, key, TJ_SHA256_LEN);
	put_u64(&out, pl.len);
	uint8_t mac[TJ_INTEGRITY_MAC_LEN];
	tj_integrity_mac2(mac_key, out.p, out.len, pl.p, pl.len, mac);
	put(&out, mac, sizeof(mac));
	put(&out, pl.p, pl.len);
	free(pl.p);
	*ret_len = out.len;
	return out.p;
}

/* --- decoding: every read is bounds-checked; one failure poisons the rest --- */

struct rbuf {
	const uint8_t *p;
	size_t len, off;
	bool bad;
};

static bool get(struct rbuf *b, void *out, size_t n)
{
	if (b->bad || n > b->len - b->off) {
		b->bad = true;
		memset(out, 0, n);
		return false;
	}
	memcpy(out, b->p + b->off, n);
	b->off += n;
	return true;
}

static uint32_t get_u32(struct rbuf *b)
{
	uint32_t v;
	get(b, &v, sizeof(v));
	return v;
}

static uint64_t get_u64(struct rbuf *b)
{
	uint64_t v;
	get(b, &v, sizeof(v));
	return v;
}

static bool get_bool(struct rbuf *b)
{
	uint32_t v = get_u32(b);
	if (v > 1)
		b->bad = true;
	return v == 1;
}

/* A count of items each at least min_size bytes long: bounded by what is
 * left, so a corrupted count cannot ask for a huge allocation. */
static size_t get_count(struct rbuf *b, size_t min_size)
{
	uint32_t n = get_u32(b);
	if (b->bad || (size_t)n > (b->len - b->off) / min_size) {
		b->bad = true;
		return 0;
	}
	return n;
}

static char *get_str(struct rbuf *b)
{
	uint32_t n = get_u32(b);
	if (b->bad || n == NO_STRING)
		return NULL;
	if ((size_t)n > b->len - b->off || memchr(b->p + b->off, '\0', n)) {
		b->bad = true;
		return NULL;
	}
	char *s = tj_xstrndup((const char *)b->p + b->off, n);
	b->off += n;
	return s;
}

static char *get_str_nonnull(struct rbuf *b)
{
	char *s = get_str(b);
	if (!s)
		b->bad = true;
	return s;
}

static void get_strv(struct rbuf *b, struct tj_strv *sv)
{
	size_t n = get_count(b, 4);
	for (size_t i = 0; i < n && !b->bad; i++) {
		char *s = get_str_nonnull(b);
		if (s)
			tj_strv_add_owned(sv, s);
	}
}

static void get_notes(struct rbuf *b, struct tj_notes *notes)
{
	size_t n = get_count(b, 8);
	for (size_t i = 0; i < n && !b->bad; i++) {
		tj_autofree char *path = get_str(b);
		tj_autofree char *msg = get_str_nonnull(b);
		if (msg)
			tj_notes_add(notes, path, "%s", msg);
	}
}

static struct sock_filter *get_prog(struct rbuf *b, size_t *ret_len)
{
	uint32_t n = get_u32(b);
	*ret_len = 0;
	if (b->bad || n == 0)
		return NULL;
	if (n > BPF_MAXINSNS) {
		b->bad = true;
		return NULL;
	}
	struct sock_filter *prog = tj_xcalloc(n, sizeof(*prog));
	char why[128];
	if (!get(b, prog, n * sizeof(*prog)) || tj_bpf_validate(prog, n, why, sizeof(why)) < 0) {
		b->bad = true;
		free(prog);
		return NULL;
	}
	*ret_len = n;
	return prog;
}

static void get_cond(struct rbuf *b, struct tj_cond *c)
{
	get_strv(b, &c->caps);
	get_strv(b, &c->arches);
	c->min_kernel = get_str(b);
	c->min_major = get_u32(b);
	c->min_minor = get_u32(b);
}

static enum tj_action get_action(struct rbuf *b)
{
	uint32_t v = get_u32(b);
	if (v >= _TJ_ACT_MAX)
		b->bad = true;
	return (enum tj_action)(v < _TJ_ACT_MAX ? v : 0);
}

static void get_rule(struct rbuf *b, struct tj_rule *r)
{
	r->json_path = get_str_nonnull(b);
	get_strv(b, &r->names);
	r->singular_name = get_bool(b);
	r->action = get_action(b);
	r->has_errno = get_bool(b);
	r->errno_ret = get_u32(b);
	size_t nargs = get_count(b, 24);
	if (nargs > TJ_PROFILE_MAX_ARGS)
		b->bad = true;
	if (nargs && !b->bad) {
		r->args = tj_xcalloc(nargs, sizeof(*r->args));
		r->nargs = nargs;
	}
	for (size_t k = 0; k < r->nargs && !b->bad; k++) {
		struct tj_arg *a = &r->args[k];
		a->index = get_u32(b);
		a->value = get_u64(b);
		a->value_two = get_u64(b);
		uint32_t op = get_u32(b);
		if (a->index >= TJ_SYSCALL_ARGS || op < TJ_CMP_NE || op >= _TJ_CMP_MAX)
			b->bad = true;
		a->op = (enum tj_cmp)op;
	}
	r->has_includes = get_bool(b);
	r->has_excludes = get_bool(b);
	get_cond(b, &r->includes);
	get_cond(b, &r->excludes);
	r->comment = get_str(b);
	if (get_bool(b) && !b->bad) {
		r->origins = tj_xcalloc(r->names.n ? r->names.n : 1, sizeof(*r->origins));
		for (size_t k = 0; k < r->names.n && !b->bad; k++) {
			r->origins[k].index = (size_t)get_u64(b);
			r->origins[k].via = get_str(b);
		}
	}
}

static struct tj_seccomp *get_seccomp(struct rbuf *b)
{
	struct tj_seccomp *s = tj_xcalloc(1, sizeof(*s));
	s->json_path = get_str_nonnull(b);
	s->default_action = get_action(b);
	s->has_default_errno = get_bool(b);
	s->default_errno = get_u32(b);
	get_strv(b, &s->arches);
	s->arches_from_archmap = get_bool(b);
	s->has_flags = get_bool(b);
	s->flags = get_u32(b);
	s->listener_path = get_str(b);
	s->listener_metadata = get_str(b);
	size_t n = get_count(b, 16);
	s->rules = tj_xcalloc(n ? n : 1, sizeof(*s->rules));
	for (size_t i = 0; i < n && !b->bad; i++)
		get_rule(b, &s->rules[s->nrules++]);
	return s;
}

int tj_filter_cache_decode(const void *data, size_t len, const uint8_t key[TJ_SHA256_LEN],
			   const uint8_t mac_key[TJ_INTEGRITY_KEY_LEN], struct tj_filter **ret)
{
	struct rbuf b = {.p = data, .len = len};
	char magic[8];
	uint8_t got_key[TJ_SHA256_LEN], mac[TJ_INTEGRITY_MAC_LEN], want[TJ_INTEGRITY_MAC_LEN];
	get(&b, magic, sizeof(magic));
	uint32_t format = get_u32(&b);
	uint32_t reserved = get_u32(&b);
	get(&b, got_key, sizeof(got_key));
	uint64_t plen = get_u64(&b);
	size_t head_len = b.off;
	get(&b, mac, sizeof(mac));
	if (b.bad || memcmp(magic, MAGIC, 8) != 0 || format != FORMAT || reserved != 0 ||
	    memcmp(got_key, key, TJ_SHA256_LEN) != 0 || plen != len - b.off)
		return 0;
	tj_integrity_mac2(mac_key, b.p, head_len, b.p + b.off, (size_t)plen, want);
	if (!tj_digest_equal(mac, want, sizeof(mac)))
		return 0;

	__attribute__((cleanup(tj_filter_freep))) struct tj_filter *f = tj_xcalloc(1, sizeof(*f));
	f->load_flags = get_u32(&b);
	f->uses_listener = get_bool(&b);
	f->has_agent_rules = get_bool(&b);
	f->has_start_call = get_bool(&b);
	f->routes_more_than_kills = get_bool(&b);
	f->nrules_added = get_u64(&b);
	f->prog = get_prog(&b, &f->len);
	f->truth = get_prog(&b, &f->truth_len);
	get_notes(&b, &f->warnings);
	get_notes(&b, &f->info);
	f->resolved = get_seccomp(&b);
	if (b.bad || b.off != b.len || !f->prog)
		return 0;
	*ret = TJ_STEAL(&f);
	return 1;
}

/* --- files --- */

static void entry_name(const uint8_t key[TJ_SHA256_LEN], char name[2 * TJ_SHA256_LEN + 5])
{
	for (size_t i = 0; i < TJ_SHA256_LEN; i++)
		snprintf(name + 2 * i, 3, "%02x", key[i]);
	memcpy(name + 2 * TJ_SHA256_LEN, ".tjf", 5);
}

int tj_filter_cache_load(struct tj_filter_cache *c, const uint8_t key[TJ_SHA256_LEN], struct tj_filter **ret)
{
	char name[2 * TJ_SHA256_LEN + 5];
	entry_name(key, name);
	/* O_NONBLOCK: a FIFO planted under the name must not block us. */
	tj_autoclose int fd = openat(c->dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return 0;
	struct stat st;
	struct tj_err *err = NULL;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size < HEADER_LEN || st.st_size > MAX_ENTRY)
		return 0;
	if (check_owner(&st, "cache entry", name, &err) < 0) {
		tj_err_free(err);
		return 0;
	}
	size_t size = (size_t)st.st_size;
	tj_autofree uint8_t *buf = tj_xmalloc(size);
	size_t got = 0;
	while (got < size) {
		ssize_t n = pread(fd, buf + got, size - got, (off_t)got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return 0;
		got += (size_t)n;
	}
	return tj_filter_cache_decode(buf, size, key, c->mac_key, ret);
}

static int write_all(int fd, const uint8_t *p, size_t len)
{
	while (len) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int tj_filter_cache_store(struct tj_filter_cache *c, const uint8_t key[TJ_SHA256_LEN], const struct tj_filter *f,
			  struct tj_err **err)
{
	char name[2 * TJ_SHA256_LEN + 5], tmp[2 * TJ_SHA256_LEN + 40];
	entry_name(key, name);
	snprintf(tmp, sizeof(tmp), ".tmp.%d.%s", (int)getpid(), name);
	size_t len;
	tj_autofree uint8_t *data = tj_filter_cache_encode(key, c->mac_key, f, &len);

	/* A leftover of a crashed run with our pid is ours to replace. */
	unlinkat(c->dirfd, tmp, 0);
	tj_autoclose int fd = openat(c->dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return tj_err_set(err, TJ_ERR_INTERNAL, errno, "cannot create a cache entry in '%s'", c->path);
	int e = 0;
	if (write_all(fd, data, len) < 0)
		e = errno ? errno : EIO;
	if (close(TJ_STEAL_FD(&fd)) < 0 && !e)
		e = errno;
	/* Readers see the old entry or the complete new one, never a part. */
	if (!e && renameat(c->dirfd, tmp, c->dirfd, name) < 0)
		e = errno;
	if (e) {
		unlinkat(c->dirfd, tmp, 0);
		return tj_err_set(err, TJ_ERR_INTERNAL, e, "cannot write a cache entry in '%s'", c->path);
	}
	return 0;
}
