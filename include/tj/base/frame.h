/* SPDX-License-Identifier: Apache-2.0 */
/*
 * One frame of a user-space call stack, as tinyjail records it: made by the
 * unwinder (unwind/), written to and read from the event log (events/,
 * json/), shown by the reports (report/).  Plain data, shared by levels that
 * may not include each other.
 */
#ifndef TJ_BASE_FRAME_H
#define TJ_BASE_FRAME_H

#include <stdint.h>

struct tj_frame {
	uint64_t pc;	      /* frame 0: after the syscall instruction; others: the return address */
	const char *module;   /* the ELF file's base name ("libc.so.6"), or NULL (no mapping) */
	const char *function; /* the symbol, or NULL (stripped: module + offset) */
	uint64_t offset;      /* from the function's start, or from the module's without one */
	const char *file;     /* source file from DWARF, or NULL */
	int line;	      /* 0 when unknown */
};

#endif
