/* SPDX-License-Identifier: Apache-2.0 */
/* Library search as ld.so does it, NSS modules, the vDSO, #! (loader.h). */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tj/static/loader.h"

#define CACHE_MAGIC "glibc-ld.so.cache"
#define CACHE_VERSION "1.1"
#define CACHE_HEADER 48
#define CACHE_ENTRY 24
#define FLAG_ELF_LIBC6 0x0003
#define FLAG_X8664_LIB64 0x0300

void tj_ldcache_done(struct tj_ldcache *c)
{
	for (size_t i = 0; i < c->n; i++) {
		free(c->v[i].name);
		free(c->v[i].path);
	}
	free(c->v);
	memset(c, 0, sizeof(*c));
}

static const char *cache_string(const uint8_t *base, size_t size, uint32_t off)
{
	if (off >= size)
		return NULL;
	const char *s = (const char *)base + off;
	return memchr(s, '\0', size - off) ? s : NULL;
}

int tj_ldcache_parse(const void *data, size_t size, struct tj_ldcache *ret, struct tj_err **err)
{
	memset(ret, 0, sizeof(*ret));
	const uint8_t *p = data;
	if (size < CACHE_HEADER || memcmp(p, CACHE_MAGIC, 17) != 0 || memcmp(p + 17, CACHE_VERSION, 3) != 0)
		return tj_err_set(err, TJ_ERR_INTERNAL, 0, "not a glibc 1.1 ld.so.cache");
	uint32_t nlibs;
	memcpy(&nlibs, p + 20, 4);
	if (nlibs > (size - CACHE_HEADER) / CACHE_ENTRY)
		return tj_err_set(err, TJ_ERR_INTERNAL, 0, "ld.so.cache: %u entries do not fit in %zu bytes", nlibs,
				  size);
	size_t cap = 0;
	for (uint32_t i = 0; i < nlibs; i++) {
		const uint8_t *e = p + CACHE_HEADER + (size_t)i * CACHE_ENTRY;
		int32_t flags;
		uint32_t key, value;
		uint64_t hwcap;
		memcpy(&flags, e, 4);
		memcpy(&key, e + 4, 4);
		memcpy(&value, e + 8, 4);
		memcpy(&hwcap, e + 16, 8);
		if ((flags & 0xff) != FLAG_ELF_LIBC6 || (flags & 0xff00) != FLAG_X8664_LIB64)
			continue;
		const char *name = cache_string(p, size, key), *path = cache_string(p, size, value);
		if (!name || !path) {
			tj_ldcache_done(ret);
			return tj_err_set(err, TJ_ERR_INTERNAL, 0, "ld.so.cache: entry %u points outside the file", i);
		}
		/* Entries for a glibc-hwcaps subdirectory (bit 62, the extension)
		 * are alternatives of the baseline entry: the baseline is kept. */
		if (hwcap >> 62 & 1)
			continue;
		if (tj_ldcache_find(ret, name))
			continue;
		tj_xreserve((void **)&ret->v, &cap, ret->n + 1, sizeof(*ret->v));
		ret->v[ret->n].name = tj_xstrdup(name);
		ret->v[ret->n++].path = tj_xstrdup(path);
	}
	return 0;
}

int tj_ldcache_load(const char *path, struct tj_ldcache *ret, struct tj_err **err)
{
	memset(ret, 0, sizeof(*ret));
	tj_autoclose int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : tj_err_set(err, TJ_ERR_INTERNAL, errno, "cannot read '%s'", path);
	struct stat st;
	if (fstat(fd, &st) < 0 || st.st_size > (64 << 20))
		return tj_err_set(err, TJ_ERR_INTERNAL, errno, "cannot read '%s'", path);
	tj_autofree uint8_t *buf = tj_xmalloc((size_t)st.st_size + 1);
	ssize_t n = pread(fd, buf, (size_t)st.st_size, 0);
	if (n != st.st_size)
		return tj_err_set(err, TJ_ERR_INTERNAL, errno, "cannot read '%s'", path);
	if (tj_ldcache_parse(buf, (size_t)n, ret, err) < 0)
		return tj_err_wrap(err, "%s", path);
	return 0;
}

const char *tj_ldcache_find(const struct tj_ldcache *c, const char *name)
{
	for (size_t i = 0; c && i < c->n; i++)
		if (strcmp(c->v[i].name, name) == 0)
			return c->v[i].path;
	return NULL;
}

/* An x86-64 ELF shared object or executable: what ld.so accepts. */
static bool usable(const char *path)
{
	tj_autoclose int fd = open(path, O_RDONLY | O_CLOEXEC);
	Elf64_Ehdr h;
	if (fd < 0 || pread(fd, &h, sizeof(h), 0) != (ssize_t)sizeof(h))
		return false;
	return memcmp(h.e_ident, ELFMAG, SELFMAG) == 0 && h.e_ident[EI_CLASS] == ELFCLASS64 && h.e_machine == EM_X86_64;
}

/* $ORIGIN, $LIB and $PLATFORM in one directory of a search path. */
static char *expand(const char *dir, const struct tj_elf *requester)
{
	struct tj_buf b = {0};
	tj_buf_add(&b, "");
	for (const char *p = dir; *p;) {
		if (*p != '$') {
			tj_buf_addn(&b, p++, 1);
			continue;
		}
		static const char *const names[] = {"ORIGIN", "LIB", "PLATFORM"};
		size_t k, len = 0;
		for (k = 0; k < 3; k++) {
			len = strlen(names[k]);
			if (!strncmp(p + 1, names[k], len)) {
				p += 1 + len;
				break;
			}
			if (p[1] == '{' && !strncmp(p + 2, names[k], len) && p[2 + len] == '}') {
				p += 3 + len;
				break;
			}
		}
		if (k == 0) {
			char real[PATH_MAX];
			if (!realpath(requester->path, real)) {
				tj_buf_done(&b);
				return NULL;
			}
			*strrchr(real, '/') = '\0';
			tj_buf_add(&b, real[0] ? real : "/");
		} else if (k == 1) {
			tj_buf_add(&b, "lib/x86_64-linux-gnu");
		} else if (k == 2) {
			tj_buf_add(&b, "x86_64");
		} else {
			tj_buf_addn(&b, p++, 1);
		}
	}
	return tj_buf_steal(&b);
}

static char *search_path(const char *name, const char *list, const struct tj_elf *requester)
{
	if (!list)
		return NULL;
	tj_autofree char *copy = tj_xstrdup(list);
	char *save = NULL;
	for (char *dir = strtok_r(copy, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
		tj_autofree char *d = expand(dir, requester);
		if (!d)
			continue;
		char *path = tj_xasprintf("%s/%s", d[0] ? d : ".", name);
		if (usable(path))
			return path;
		free(path);
	}
	return NULL;
}

char *tj_loader_find(const char *name, const struct tj_elf *requester, const struct tj_elf *program,
		     const struct tj_ldcache *cache)
{
	if (strchr(name, '/'))
		return usable(name) ? tj_xstrdup(name) : NULL;
	char *p;
	/* DT_RPATH counts only when the requester has no DT_RUNPATH. */
	if (!requester->runpath) {
		if ((p = search_path(name, requester->rpath, requester)))
			return p;
		if (program && program != requester && !program->runpath &&
		    (p = search_path(name, program->rpath, program)))
			return p;
	}
	if ((p = search_path(name, requester->runpath, requester)))
		return p;
	const char *c = tj_ldcache_find(cache, name);
	if (c && usable(c))
		return tj_xstrdup(c);
	return search_path(name, "/lib/x86_64-linux-gnu:/usr/lib/x86_64-linux-gnu:/lib64:/usr/lib64:/lib:/usr/lib",
			   requester);
}

int tj_loader_nss_services(const char *path, bool builtin_files_dns, struct tj_strv *out, struct tj_err **err)
{
	tj_autofclose FILE *f = fopen(path, "re");
	if (!f) {
		if (errno == ENOENT)
			return 0;
		return tj_err_set(err, TJ_ERR_INTERNAL, errno, "cannot read '%s'", path);
	}
	char line[1024];
	while (fgets(line, sizeof(line), f)) {
		char *hash = strchr(line, '#');
		if (hash)
			*hash = '\0';
		char *colon = strchr(line, ':');
		if (!colon)
			continue;
		char *save = NULL;
		for (char *w = strtok_r(colon + 1, " \t\r\n", &save); w; w = strtok_r(NULL, " \t\r\n", &save)) {
			if (w[0] == '[') { /* [NOTFOUND=return], possibly split over words */
				while (w && !strchr(w, ']'))
					w = strtok_r(NULL, " \t\r\n", &save);
				continue;
			}
			bool ok = w[0] != '\0';
			for (const char *c = w; *c; c++)
				if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '_' || *c == '-'))
					ok = false;
			if (!ok || (builtin_files_dns && (!strcmp(w, "files") || !strcmp(w, "dns"))))
				continue;
			if (!tj_strv_contains(out, w))
				tj_strv_add(out, w);
		}
	}
	return 0;
}

int tj_loader_vdso(void **ret, size_t *size, struct tj_err **err)
{
	unsigned long base = getauxval(AT_SYSINFO_EHDR);
	if (!base)
		return tj_err_set(err, TJ_ERR_INTERNAL, 0, "this process has no vDSO");
	tj_autofclose FILE *f = fopen("/proc/self/maps", "re");
	if (!f)
		return tj_err_set(err, TJ_ERR_INTERNAL, errno, "cannot read /proc/self/maps");
	char line[512];
	while (fgets(line, sizeof(line), f)) {
		unsigned long lo, hi;
		if (sscanf(line, "%lx-%lx", &lo, &hi) == 2 && lo == base && strstr(line, "[vdso]") && hi > lo &&
		    hi - lo <= (1u << 20)) {
			*ret = tj_xmalloc(hi - lo);
			memcpy(*ret, (const void *)lo, hi - lo);
			*size = hi - lo;
			return 0;
		}
	}
	return tj_err_set(err, TJ_ERR_INTERNAL, 0, "the vDSO is not in /proc/self/maps");
}

int tj_loader_script(const char *path, char **interp, char **arg, struct tj_err **err)
{
	*interp = *arg = NULL;
	tj_autoclose int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return tj_err_set(err, errno == ENOENT ? TJ_ERR_NOT_FOUND : TJ_ERR_CANNOT_EXEC, errno,
				  "cannot open '%s'", path);
	char head[256];
	ssize_t n = pread(fd, head, sizeof(head) - 1, 0);
	if (n < 2 || head[0] != '#' || head[1] != '!')
		return 0;
	head[n] = '\0';
	char *nl = strchr(head, '\n');
	if (nl)
		*nl = '\0';
	char *p = head + 2 + strspn(head + 2, " \t");
	size_t len = strcspn(p, " \t");
	if (!len)
		return tj_err_set(err, TJ_ERR_CANNOT_EXEC, ENOEXEC, "'%s' has an empty #! line", path);
	*interp = tj_xstrndup(p, len);
	p += len;
	p += strspn(p, " \t");
	size_t alen = strlen(p);
	while (alen && (p[alen - 1] == ' ' || p[alen - 1] == '\t' || p[alen - 1] == '\r'))
		alen--;
	if (alen)
		*arg = tj_xstrndup(p, alen);
	return 0;
}

char *tj_loader_which(const char *name)
{
	if (strchr(name, '/'))
		return tj_xstrdup(name);
	const char *path = getenv("PATH");
	tj_autofree char *copy = tj_xstrdup(path && *path ? path : "/usr/local/bin:/usr/bin:/bin");
	char *save = NULL;
	for (char *dir = strtok_r(copy, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
		char *p = tj_xasprintf("%s/%s", dir, name);
		struct stat st;
		if (stat(p, &st) == 0 && S_ISREG(st.st_mode) && access(p, X_OK) == 0)
			return p;
		free(p);
	}
	return NULL;
}
