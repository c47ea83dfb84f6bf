/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Call chains as people read them:
 *
 *   openat ← __libc_open64 (libc.so.6) ← fopen ← load_config (app.c:42) ← main (app.c:90)
 *
 * The syscall, then each frame innermost first: its function (or
 * module+0xoffset where the module has no symbol there), with file:line when
 * debug information gave one, else the module where it changes.  The C
 * library's start-up frames above main are left out; a truncated stack ends
 * in "← ?".
 */
#ifndef TJ_REPORT_CHAIN_H
#define TJ_REPORT_CHAIN_H

#include <stdbool.h>
#include <stddef.h>

#include "tj/base/frame.h"

#define TJ_CHAIN_ARROW " \xe2\x86\x90 " /* " ← " */

/* Caller frees. */
char *tj_chain_text(const char *syscall, const struct tj_frame *v, size_t n, bool truncated);

/* The same for a terminal: a chain of more than max frames keeps its first
 * max - 4 and its last 3 around "… (N frames) …". */
char *tj_chain_text_short(const char *syscall, const struct tj_frame *v, size_t n, bool truncated, size_t max);

/* The name a frame is shown by ("fopen", "app+0x1234"), without the symbol
 * version glibc adds ("__libc_start_main@@GLIBC_2.34" -> "__libc_start_main"). */
void tj_chain_frame_name(const struct tj_frame *f, char *buf, size_t size);

#endif
