/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The kernel's seccomp ABI (linux/seccomp.h): struct seccomp_data, the
 * SECCOMP_RET_* return values, the filter flags and the notification
 * structures.  The one file that includes the kernel header; every other
 * file includes this one (tools/check-once.sh), so a definition an old
 * kernel header lacks goes here, once.  libseccomp, the compiler, is a different thing and
 * stays in filter/filter.c and filter/notify.c.
 */
#ifndef TJ_BASE_SECCOMP_ABI_H
#define TJ_BASE_SECCOMP_ABI_H

#include <linux/seccomp.h>

#endif
