/* SPDX-License-Identifier: Apache-2.0 */
/* Capability names and sets; the only libcap user. */
#ifndef TJ_CAPS_H
#define TJ_CAPS_H

#include <stdbool.h>
#include <stdint.h>

/* CAP_SYS_ADMIN -> 21; accepts "cap_sys_admin" and "SYS_ADMIN" too.
 * Returns -1 for a name this libcap does not know. */
int tj_cap_from_name(const char *name);

/* The permitted capability set of the calling process as a bit mask. */
uint64_t tj_caps_permitted(void);

struct tj_buf;
/* Appends "CAP_NET_BIND_SERVICE,CAP_SYS_PTRACE" for the set bits. */
void tj_caps_describe(uint64_t caps, struct tj_buf *out);

#endif
