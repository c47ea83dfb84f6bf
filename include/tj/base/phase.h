/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Launch phase timestamps, for measuring where a launch's time goes
 * (bench/phases.py, notes/performance.md).  With TINYJAIL_PHASES=1 in
 * tinyjail's environment every tj_phase() writes one line to stderr:
 *
 *   tinyjail-phase PID NAME NANOSECONDS
 *
 * (CLOCK_MONOTONIC).  Without it, a call costs one branch.  No allocation
 * and no stdio: safe in the child after clone.
 */
#ifndef TJ_PHASE_H
#define TJ_PHASE_H

void tj_phase(const char *name);
/* The same with a second word: "enter:mount", "started:ns". */
void tj_phase2(const char *what, const char *name);

#endif
