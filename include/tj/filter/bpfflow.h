/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Path consistency of a classic-BPF program's accumulator.  libseccomp
 * (2.5.4, and upstream's 2.6.x) omits the load of an argument before a
 * comparison when the accumulator already holds it along the path it laid
 * out, but the same comparison can also be reached along another path that
 * left a different argument (or word) there: the program then compares the
 * wrong value and decides some calls differently from the rules, sometimes
 * more permissively (notes/profile-format.md).  This check follows every path
 * and finds such a comparison.
 */
#ifndef TJ_BPFFLOW_H
#define TJ_BPFFLOW_H

#include <linux/filter.h>
#include <stdbool.h>
#include <stddef.h>

/* True when every instruction that reads the accumulator (a comparison, an
 * ALU operation other than AND with a constant, returning or copying it)
 * sees the same value whichever path led there: the same word of
 * seccomp_data, masked the same way.  Otherwise false, with *at set to the
 * first such instruction.  The program must be valid (tj_bpf_validate). */
bool tj_bpf_accumulator_consistent(const struct sock_filter *prog, size_t len, size_t *at);

#endif
