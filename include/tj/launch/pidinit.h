/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pid 1 of the sandbox's pid namespace.  The first child becomes it after
 * the namespace-wide layers (mounts, hostname, loopback), forks the command
 * (pid 2), and then only reaps orphans and passes signals on.  When the
 * command ends, init exits and the kernel kills whatever is left in the
 * namespace.  notes/isolation.md explains the design.
 */
#ifndef TJ_PIDINIT_H
#define TJ_PIDINIT_H

#include <linux/filter.h>
#include <signal.h>
#include <stddef.h>
#include <sys/types.h>

/* Shared with tinyjail (MAP_SHARED): the command's wait status, since init
 * can only exit, not die from the command's signal. */
struct tj_pidinit_shared {
	int status_set;
	int wait_status;
	/* init could not confine itself: which step (TJ_PIDINIT_STEP_*) and
	 * why; it then exits 125, which takes the namespace down. */
	int failed_step;
	int failed_errno;
};

enum {
	TJ_PIDINIT_STEP_NONE,
	TJ_PIDINIT_STEP_FDS,
	TJ_PIDINIT_STEP_DUMPABLE,
	TJ_PIDINIT_STEP_NNP,
	TJ_PIDINIT_STEP_CAPS,
	TJ_PIDINIT_STEP_SECCOMP,
};
/* What a step was, for the error message. */
const char *tj_pidinit_step_name(int step);

/* The syscalls init needs once it has confined itself (its allowlist). */
extern const char *const tj_pidinit_syscalls[];

/* The signals init takes: SIGCHLD and the ones it passes on. */
#define TJ_PIDINIT_NSIGNALS 10
struct tj_pidinit_signals {
	sigset_t set;				   /* blocked in init, taken with sigtimedwait */
	sigset_t command_mask;			   /* the mask the command starts with */
	struct sigaction old[TJ_PIDINIT_NSIGNALS]; /* the dispositions the command inherits */
};

/* In init, BEFORE it forks the command: blocks init's signals and gives
 * them handlers, so that a SIGCHLD (or a forwarded signal) that comes before
 * init waits stays pending instead of being discarded.  command_mask is
 * the signal mask the command must start with. */
void tj_pidinit_take_signals(struct tj_pidinit_signals *s, const sigset_t *command_mask);
/* In the command, right after the fork: the mask and dispositions it would
 * have had without init. */
int tj_pidinit_release_signals(const struct tj_pidinit_signals *s);

/* Runs init; never returns.  prog is its seccomp allowlist; s comes from
 * tj_pidinit_take_signals. */
__attribute__((noreturn)) void tj_pidinit_main(pid_t command, const struct tj_pidinit_signals *s,
					       struct tj_pidinit_shared *shared, const struct sock_filter *prog,
					       size_t len);

#endif
