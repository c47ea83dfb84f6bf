/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A classic-BPF evaluator for seccomp programs: runs a compiled filter on a
 * struct seccomp_data without the kernel.  Used by the table tests, by the
 * supervisor to learn what the profile would have done with a notified
 * syscall, and by `tinyjail why`.  Accepts exactly the instructions the
 * kernel's seccomp_check_filter() accepts.
 */
#ifndef TJ_BPFSIM_H
#define TJ_BPFSIM_H

#include <linux/filter.h>
#include <stddef.h>
#include <stdint.h>

#include "tj/base/seccomp_abi.h"

/* Checks the program the way the kernel would before loading it: known
 * opcodes, jumps inside the program, aligned loads within seccomp_data,
 * no constant division by zero or oversized shifts.  (The kernel's check
 * that scratch memory is written before it is read is not repeated:
 * libseccomp never uses scratch memory.)  Returns 0, or -1 with a reason. */
int tj_bpf_validate(const struct sock_filter *prog, size_t len, char *why, size_t why_size);

/* Runs a validated program; returns the 32-bit seccomp action value. */
uint32_t tj_bpf_run(const struct sock_filter *prog, size_t len, const struct seccomp_data *data);

#endif
