/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Finding the objects a program loads the way ld.so does, without running
 * anything: DT_NEEDED searched through DT_RPATH/DT_RUNPATH ($ORIGIN, $LIB,
 * $PLATFORM), /etc/ld.so.cache and the default directories; the NSS modules
 * /etc/nsswitch.conf names; the vDSO of the running kernel; the interpreter
 * of a `#!` script.  LD_LIBRARY_PATH and LD_PRELOAD are not read: tinyjail
 * starts commands with a clean environment unless told otherwise.
 */
#ifndef TJ_STATIC_LOADER_H
#define TJ_STATIC_LOADER_H

#include <stddef.h>
#include <stdint.h>

#include "tj/base/cleanup.h"
#include "tj/base/err.h"
#include "tj/base/util.h"
#include "tj/static/elf.h"

/* /etc/ld.so.cache's x86-64 entries (the "glibc-ld.so.cache1.1" format). */
struct tj_ldcache {
	struct tj_ldcache_entry {
		char *name, *path;
	} * v;
	size_t n;
};
/* Reads path; a missing file is an empty cache, a malformed one an error. */
int tj_ldcache_load(const char *path, struct tj_ldcache *ret, struct tj_err **err);
/* Parses a cache image (for the tests and the fuzzer). */
int tj_ldcache_parse(const void *data, size_t size, struct tj_ldcache *ret, struct tj_err **err);
const char *tj_ldcache_find(const struct tj_ldcache *c, const char *name);
void tj_ldcache_done(struct tj_ldcache *c);

/* The path ld.so would load for DT_NEEDED `name` of `requester` (program is
 * the executable, for its DT_RPATH), or NULL when no candidate exists.
 * Caller frees. */
char *tj_loader_find(const char *name, const struct tj_elf *requester, const struct tj_elf *program,
		     const struct tj_ldcache *cache);

/* The NSS services /etc/nsswitch.conf (path) names for any database, in
 * order of appearance, without "files" and "dns" when libc has them built in
 * (glibc 2.34 and later).  A missing file is the glibc default ("files"). */
int tj_loader_nss_services(const char *path, bool builtin_files_dns, struct tj_strv *out, struct tj_err **err);

/* A copy of the running process's vDSO image, or -1 when there is none. */
int tj_loader_vdso(void **ret, size_t *size, struct tj_err **err);

/* For a `#!` script: its interpreter and optional argument; 0 when path is
 * not a script (*interp NULL), -1 on an unreadable file or empty #! line. */
int tj_loader_script(const char *path, char **interp, char **arg, struct tj_err **err);

/* Looks name up in PATH (as the environment has it); caller frees. */
char *tj_loader_which(const char *name);

#endif
