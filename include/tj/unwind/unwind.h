/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The user-space call stack of a thread that is blocked in a system call
 * (a seccomp notification, or any blocking call), without ptrace:
 *
 *   - pc and sp from /proc/<pid>/task/<tid>/syscall (the only registers the
 *     kernel shows without stopping the thread);
 *   - the stack copied with process_vm_readv;
 *   - frames unwound by elfutils' libdwfl from .eh_frame/.debug_frame, with
 *     our own thread callbacks (dwfl_attach_state), one Dwfl per process;
 *   - where a frame needs rbp (frame-pointer code, VLAs), which
 *     /proc does not show, the frame record is found on the stack and the
 *     unwind is redone with it; an unwind that still ends before an
 *     outermost frame (_start, clone3: return address undefined) is marked
 *     truncated, never passed off as complete;
 *   - names from the symbol tables, file:line from DWARF when debug
 *     information is installed (build-id paths under /usr/lib/debug, the
 *     .gnu_debuglink places; never the network), cached per address.
 *
 * Research and figures: ../shared/research/fuzz-and-stacks.md part B,
 * notes/reports.md.  libdw is included only in src/unwind/.
 */
#ifndef TJ_UNWIND_UNWIND_H
#define TJ_UNWIND_UNWIND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "tj/base/err.h"
#include "tj/base/frame.h"

#define TJ_UNWIND_MAX_FRAMES 64

struct tj_stack {
	uint64_t pcs[TJ_UNWIND_MAX_FRAMES];
	size_t n;
	bool truncated;	   /* the unwind ended before an outermost frame */
	bool fp_recovered; /* a frame needed rbp; it was found on the stack */
	/* After tj_unwind_symbolize; the strings belong to the tj_unwind and
	 * live as long as it does. */
	struct tj_frame frames[TJ_UNWIND_MAX_FRAMES];
	bool symbolized;
};

/* Why a stack could not be taken (tj_unwind_thread returns these >0). */
enum tj_unwind_skip {
	TJ_UNWIND_TAKEN = 0,
	TJ_UNWIND_GONE,	    /* the thread exited, or left the call, while it was read */
	TJ_UNWIND_DENIED,   /* no permission (another uid, not dumpable, Yama) */
	TJ_UNWIND_MISMATCH, /* /proc shows another call than the one expected */
};
const char *tj_unwind_skip_name(enum tj_unwind_skip s);

struct tj_unwind_stats {
	uint64_t taken, truncated, fp_recovered;
	uint64_t gone, denied, mismatch;
	uint64_t dwfl_created, reports;
	uint64_t symbol_lookups, symbol_hits;
};

struct tj_unwind;

int tj_unwind_new(struct tj_unwind **ret, struct tj_err **err);
void tj_unwind_free(struct tj_unwind *u);

/* Takes the stack of thread tid (of process tgid), which must be blocked in
 * system call nr (-1: any) at instruction pointer ip (0: any).  Returns 0
 * with *out filled (pcs only), a tj_unwind_skip value > 0 when the stack
 * could not be read, or -1 with err on an internal failure. */
int tj_unwind_thread(struct tj_unwind *u, pid_t tgid, pid_t tid, long nr, uint64_t ip, struct tj_stack *out,
		     struct tj_err **err);

/* Fills out->frames: module, function+offset, file:line, cached per
 * address.  Call while the process still exists (the first time an address
 * is seen its module is opened through /proc). */
void tj_unwind_symbolize(struct tj_unwind *u, pid_t tgid, struct tj_stack *s);

/* The process exec'd or exited: its modules are read afresh next time. */
void tj_unwind_forget(struct tj_unwind *u, pid_t tgid);

const struct tj_unwind_stats *tj_unwind_stats(const struct tj_unwind *u);

#endif
