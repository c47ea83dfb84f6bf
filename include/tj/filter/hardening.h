/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tinyjail's own seccomp rules, loaded as a second filter before the
 * profile's: the kernel applies both and the stricter answer wins.  A
 * separate filter is needed because libseccomp drops a conditional denial
 * next to an unconditional allow for the same syscall, and profiles allow
 * ioctl, mmap, clone and kill unconditionally.
 *
 * Always:                 ioctl TIOCSTI and TIOCLINUX (terminal input
 *                         injection) fail with EPERM.
 * --deny-write-execute:   mmap of writable+executable or anonymous executable
 *                         memory, mprotect/pkey_mprotect adding PROT_EXEC, and
 *                         shmat with SHM_EXEC fail with EPERM (systemd's
 *                         MemoryDenyWriteExecute).
 * --no-fork:              fork, vfork and clone without CLONE_THREAD fail with
 *                         EPERM; clone3 answers ENOSYS so libc falls back to
 *                         clone for threads.
 * --signals LIST:         kill, tkill, tgkill, rt_(tg)sigqueueinfo and
 *                         pidfd_send_signal fail with EPERM for any other
 *                         signal (0, the existence check, stays allowed).
 *
 * Guard (kernels without Landlock's signal scoping, ABI < 6: the command
 * shares tinyjail's uid and process group, notes/security.md):
 *                         no signal but 0 to tinyjail's pid (kill, tkill,
 *                         tgkill, rt_(tg)sigqueueinfo) and no pidfd of it;
 *                         no signal but 0 to every process (kill -1); no
 *                         SIGKILL, SIGSTOP or SIGTSTP to the process group
 *                         (kill 0, kill -PGRP); no F_SETOWN to tinyjail or
 *                         its group, no F_SETOWN_EX, FIOSETOWN or SIOCSPGRP
 *                         (their target is in memory); pidfd_send_signal
 *                         answers ENOSYS (a /proc/PID directory is a pidfd
 *                         too), so libraries fall back to kill.
 *
 * The rules cover the x86_64, x86 (i386) and x32 ABIs: a 32-bit program
 * runs under --profile none or a profile that lists SCMP_ARCH_X86.
 */
#ifndef TJ_HARDENING_H
#define TJ_HARDENING_H

#include <stdbool.h>
#include <sys/types.h>

#include "tj/base/err.h"
#include "tj/base/seccomp_abi.h"
#include "tj/filter/filter.h"
#include "tj/model/isolation.h"

/* Who the guard protects: tinyjail's pid (0 when the command cannot name
 * it, in a pid namespace) and its process group (0: do not name it). */
struct tj_hardening_guard {
	pid_t self;
	pid_t pgrp;
};

/* Builds the rules as a seccomp model (default SCMP_ACT_ALLOW).  iso may be
 * NULL (only the always-on rules), guard NULL (no guard).  Caller frees
 * with tj_seccomp_free. */
struct tj_seccomp *tj_hardening_rules(const struct tj_isolation *iso, const struct tj_hardening_guard *guard);

/* Compiles them. */
int tj_hardening_compile(const struct tj_isolation *iso, const struct tj_hardening_guard *guard, struct tj_filter **ret,
			 struct tj_err **err);

/* True when the call sends SIGABRT to the calling thread or its own
 * process: tgkill(own tgid, own tid), tkill(own tid) or kill(own pid), the
 * ids as the caller sees them (its innermost pid namespace).  abort(),
 * assert() and glibc's stack-protector report end this way; the supervisor
 * lets it through where the profile kills, so that a failing program exits
 * 134 as it would without tinyjail, not 159 (notes/policies.md).  Decided
 * on register values only: the caller is blocked, so its ids are stable. */
bool tj_hardening_self_abort(const struct seccomp_data *d, pid_t own_tgid, pid_t own_tid);

#endif
