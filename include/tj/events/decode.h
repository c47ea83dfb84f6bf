/* SPDX-License-Identifier: Apache-2.0 */
/*
 * System-call arguments as people read them: "ptrace(PTRACE_ATTACH, 1234,
 * NULL, NULL)" instead of six hexadecimal registers.  A small table covers
 * the calls sandboxes usually stop (process tracing, sockets, namespaces,
 * mounts, mappings, tty ioctls, ...); everything else is shown raw.
 *
 * Only register values are decoded: strings and structures that arguments
 * point to are never read (they could change before the call runs).
 */
#ifndef TJ_DECODE_H
#define TJ_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tj/base/seccomp_abi.h"

/* Writes "name(arg, ...)" into buf.  Known x86_64 calls show their real
 * argument count with names for flags and enums; others show six raw
 * registers.  Always NUL-terminates (truncating if buf is small). */
void tj_decode_call(const struct seccomp_data *d, char *buf, size_t size);

/* One argument of x86_64 syscall nr by name ("AF_INET", "O_RDONLY|O_CLOEXEC",
 * "SIGTERM"), as tj_decode_call would show it; hexadecimal when unknown. */
void tj_decode_arg(int nr, unsigned index, uint64_t value, char *buf, size_t size);

/* True when the table knows the call (and so decodes its arguments). */
bool tj_decode_known(const struct seccomp_data *d);

/* --- the names, for choosing argument conditions by name (the editor) --- */

struct tj_decode_name {
	uint64_t value;
	const char *name;
};

/* One table of named values of an argument.  A comparison built from it
 * looks at `mask` only: the low 32 bits for the many arguments the kernel
 * reads as a C int (so high bits cannot get around it), a part of the word
 * for a type packed with flags (socket's type, open's access mode, mmap's
 * sharing type, futex's operation), every bit for a long (ptrace's request). */
struct tj_decode_table {
	const char *what;		    /* "socket family" */
	bool flags;			    /* a flag word (names combine with '|'), else one value of the list */
	uint64_t mask;			    /* the bits the names are about */
	const struct tj_decode_name *names; /* ended by a NULL name */
};

/* The tables of argument `index` of x86_64 syscall nr: 0 (not named), 1,
 * or 2 (a value and flags packed in one word: the value's table first).
 * Returns how many were stored in out (at most max). */
size_t tj_decode_tables(int nr, unsigned index, const struct tj_decode_table **out, size_t max);

#endif
