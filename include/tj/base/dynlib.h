/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Libraries loaded when a feature first needs them instead of linked: every
 * linked library costs every launch its mapping, relocations and symbol
 * bindings (ncurses and libbpf were a sixth of a launch's instructions:
 * notes/performance.md), and the launch path needs neither.
 *
 * The user (the one module that includes the library's headers) lists the
 * symbols it uses once, as an X-macro, and keeps a table of pointers typed
 * from the headers' own declarations:
 *
 *   #define NC_SYMS(X) X(endwin) X(wgetch) X(LINES)
 *   TJ_DYNLIB_TABLE(nc, NC_SYMS);         // static struct { ... } nc; + names
 *   #define endwin (*nc.endwin)           // call sites stay as they were
 *   ...
 *   if (TJ_DYNLIB_LOAD(nc, NC_SYMS, "libncurses.so.6", why) < 0) ...
 *
 * A function's entry holds the function, a variable's its address, so
 * (*nc.X) is the function or the variable either way.  Security: load
 * before the command starts, never while it runs (it could write where a
 * library is searched for; notes/security.md).
 */
#ifndef TJ_DYNLIB_H
#define TJ_DYNLIB_H

#include <stddef.h>

#define TJ_DYNLIB_MEMBER_(sym) __typeof__(sym) *sym;
#define TJ_DYNLIB_NAME_(sym) #sym,
#define TJ_DYNLIB_TABLE(table, SYMS)    \
	static struct {                 \
		SYMS(TJ_DYNLIB_MEMBER_) \
	} table;                        \
	static const char *const table##_names[] = {SYMS(TJ_DYNLIB_NAME_)}
#define TJ_DYNLIB_LOAD(table, soname, why, whylen)                                                          \
	tj_dynlib_load((soname), table##_names, sizeof(table##_names) / sizeof(table##_names[0]), &(table), \
		       sizeof(table), (why), (whylen))

/* Opens SONAME (once per process; later calls answer from the first) and
 * stores the address of each of the N names, in order, into TABLE, an array
 * of N pointers (TABLE_SIZE bytes).  Returns 0, or -1 with the loader's
 * reason in WHY; the table is then left all NULL. */
int tj_dynlib_load(const char *soname, const char *const *names, size_t n, void *table, size_t table_size, char *why,
		   size_t whylen);

#endif
