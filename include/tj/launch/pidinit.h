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
#include <stddef.h>
#include <sys/types.h>

/* Shared with tinyjail (MAP_SHARED): the command's wait status, since init
 * can only exit, not die from the command's signal. */
struct tj_pidinit_shared {
	int status_set;
	int wait_status;
};

/* The syscalls init needs once it has confined itself (its allowlist). */
extern const char *const tj_pidinit_syscalls[];

/* Runs init; never returns.  prog is its seccomp allowlist. */
__attribute__((noreturn)) void tj_pidinit_main(pid_t command, struct tj_pidinit_shared *shared,
					       const struct sock_filter *prog, size_t len);

#endif
