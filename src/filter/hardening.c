/* SPDX-License-Identifier: Apache-2.0 */
/* tinyjail's own seccomp rules, as a model for the compiler (hardening.h). */
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <sys/syscall.h>

#include "tj/filter/hardening.h"

#define LOW32 0xffffffffULL

static struct tj_rule *add_rule(struct tj_seccomp *s, const char *name, unsigned errno_ret, size_t nargs)
{
	s->rules = tj_xrealloc(s->rules, (s->nrules + 1) * sizeof(*s->rules));
	struct tj_rule *r = &s->rules[s->nrules];
	memset(r, 0, sizeof(*r));
	r->json_path = tj_xasprintf("tinyjail.hardening[%zu]", s->nrules);
	s->nrules++;
	tj_strv_add(&r->names, name);
	r->action = TJ_ACT_ERRNO;
	r->has_errno = true;
	r->errno_ret = errno_ret;
	r->nargs = nargs;
	r->args = nargs ? tj_xcalloc(nargs, sizeof(*r->args)) : NULL;
	return r;
}

/* "arg & mask == value": the mask keeps 32-bit arguments honest against
 * high bits the kernel ignores. */
static void masked(struct tj_arg *a, unsigned index, uint64_t mask, uint64_t value)
{
	*a = (struct tj_arg){.index = index, .op = TJ_CMP_MASKED_EQ, .value = mask, .value_two = value};
}

static void deny_masked(struct tj_seccomp *s, const char *name, unsigned index, uint64_t mask, uint64_t value)
{
	masked(&add_rule(s, name, EPERM, 1)->args[0], index, mask, value);
}

static void add_signal_rules(struct tj_seccomp *s, const char *name, unsigned index, uint64_t allowed)
{
	/* Denied: every signal up to the highest allowed one that is not
	 * allowed (plain EQ), and everything above it (GT, which also catches
	 * any value with high bits set, whatever its low word). */
	int top = 0;
	for (int sig = 1; sig <= 64; sig++)
		if (allowed & ((uint64_t)1 << (sig - 1)))
			top = sig;
	for (int sig = 1; sig < top; sig++) {
		if (allowed & ((uint64_t)1 << (sig - 1)))
			continue;
		struct tj_rule *r = add_rule(s, name, EPERM, 1);
		r->args[0] = (struct tj_arg){.index = index, .op = TJ_CMP_EQ, .value = (uint64_t)sig};
	}
	struct tj_rule *r = add_rule(s, name, EPERM, 1);
	r->args[0] = (struct tj_arg){.index = index, .op = TJ_CMP_GT, .value = (uint64_t)top};
}

/* name(target, ..., sig) with target's low 32 bits equal to `target` (the
 * kernel reads a pid_t) and a signal other than 0 in argument sig_index. */
static void deny_signal_to(struct tj_seccomp *s, const char *name, unsigned sig_index, uint32_t target)
{
	struct tj_rule *r = add_rule(s, name, EPERM, 2);
	masked(&r->args[0], 0, LOW32, target);
	r->args[1] = (struct tj_arg){.index = sig_index, .op = TJ_CMP_NE, .value = 0};
}

static void add_guard_rules(struct tj_seccomp *s, const struct tj_hardening_guard *g)
{
	static const struct {
		const char *name;
		unsigned sig_index;
	} senders[] = {{"kill", 1}, {"tkill", 1}, {"tgkill", 2}, {"rt_sigqueueinfo", 1}, {"rt_tgsigqueueinfo", 2}};
	if (g->self > 0) {
		for (size_t i = 0; i < TJ_ARRAY_SIZE(senders); i++)
			deny_signal_to(s, senders[i].name, senders[i].sig_index, (uint32_t)g->self);
		deny_masked(s, "pidfd_open", 0, LOW32, (uint32_t)g->self);
	}
	deny_signal_to(s, "kill", 1, (uint32_t)-1);
	/* The process group: what stops or ends tinyjail (it blocks every
	 * other signal while the command runs, launch.c). */
	static const int fatal[] = {SIGKILL, SIGSTOP, SIGTSTP};
	uint32_t groups[2] = {0, (uint32_t)-g->pgrp};
	for (size_t k = 0; k < (g->pgrp > 0 ? 2u : 1u); k++)
		for (size_t i = 0; i < TJ_ARRAY_SIZE(fatal); i++) {
			struct tj_rule *r = add_rule(s, "kill", EPERM, 2);
			masked(&r->args[0], 0, LOW32, groups[k]);
			masked(&r->args[1], 1, LOW32, (uint64_t)fatal[i]);
		}
	/* SIGIO (or F_SETSIG's signal) to tinyjail or its group. */
	static const char *const fcntls[] = {"fcntl", "fcntl64"};
	for (size_t i = 0; i < TJ_ARRAY_SIZE(fcntls); i++) {
		for (size_t k = 0; k < 2; k++) {
			uint32_t owner = k == 0 ? (uint32_t)g->self : (uint32_t)-g->pgrp;
			if ((k == 0 && g->self <= 0) || (k == 1 && g->pgrp <= 0))
				continue;
			struct tj_rule *r = add_rule(s, fcntls[i], EPERM, 2);
			masked(&r->args[0], 1, LOW32, F_SETOWN);
			masked(&r->args[1], 2, LOW32, owner);
		}
		deny_masked(s, fcntls[i], 1, LOW32, F_SETOWN_EX);
	}
	deny_masked(s, "ioctl", 1, LOW32, FIOSETOWN);
	deny_masked(s, "ioctl", 1, LOW32, SIOCSPGRP);
	add_rule(s, "pidfd_send_signal", ENOSYS, 0);
}

struct tj_seccomp *tj_hardening_rules(const struct tj_isolation *iso, const struct tj_hardening_guard *guard)
{
	struct tj_seccomp *s = tj_xcalloc(1, sizeof(*s));
	s->json_path = tj_xstrdup("tinyjail.hardening");
	s->default_action = TJ_ACT_ALLOW;
	/* A 32-bit program reaches the same kernel objects: every rule holds
	 * on every ABI an x86_64 kernel runs. */
	tj_strv_add(&s->arches, "SCMP_ARCH_X86_64");
	tj_strv_add(&s->arches, "SCMP_ARCH_X86");
	tj_strv_add(&s->arches, "SCMP_ARCH_X32");

	/* TIOCSTI pushes bytes into the terminal's input as if typed; a
	 * sandboxed program sharing the caller's terminal could type commands
	 * into the caller's shell.  TIOCLINUX can do the same on a console. */
	deny_masked(s, "ioctl", 1, LOW32, TIOCSTI);
	deny_masked(s, "ioctl", 1, LOW32, TIOCLINUX);

	if (iso && iso->deny_write_execute) {
		deny_masked(s, "mmap", 2, PROT_WRITE | PROT_EXEC, PROT_WRITE | PROT_EXEC);
		deny_masked(s, "mmap2", 2, PROT_WRITE | PROT_EXEC, PROT_WRITE | PROT_EXEC); /* i386 */
		struct tj_rule *anon = add_rule(s, "mmap", EPERM, 2);
		masked(&anon->args[0], 2, PROT_EXEC, PROT_EXEC);
		masked(&anon->args[1], 3, MAP_ANONYMOUS, MAP_ANONYMOUS);
		anon = add_rule(s, "mmap2", EPERM, 2);
		masked(&anon->args[0], 2, PROT_EXEC, PROT_EXEC);
		masked(&anon->args[1], 3, MAP_ANONYMOUS, MAP_ANONYMOUS);
		deny_masked(s, "mprotect", 2, PROT_EXEC, PROT_EXEC);
		deny_masked(s, "pkey_mprotect", 2, PROT_EXEC, PROT_EXEC);
		deny_masked(s, "shmat", 2, SHM_EXEC, SHM_EXEC);
	}
	if (iso && iso->no_new_processes) {
		add_rule(s, "fork", EPERM, 0);
		add_rule(s, "vfork", EPERM, 0);
		deny_masked(s, "clone", 0, CLONE_THREAD, 0);
		/* clone3's flags live in memory seccomp cannot read; ENOSYS makes
		 * libc use clone, whose flags it can. */
		add_rule(s, "clone3", ENOSYS, 0);
	}
	if (iso && iso->has_signals) {
		add_signal_rules(s, "kill", 1, iso->signals);
		add_signal_rules(s, "tkill", 1, iso->signals);
		add_signal_rules(s, "tgkill", 2, iso->signals);
		add_signal_rules(s, "rt_sigqueueinfo", 1, iso->signals);
		add_signal_rules(s, "rt_tgsigqueueinfo", 2, iso->signals);
		add_signal_rules(s, "pidfd_send_signal", 1, iso->signals);
		/* The routes around kill(2) (issue 16 item 8): a descriptor's
		 * owner gets SIGIO, or any signal F_SETSIG names, when it becomes
		 * ready, so owning a socket by another process is a kill.  The
		 * owner is refused (0, no owner, stays allowed), as is any
		 * signal for F_SETSIG; the ioctls take the pid in memory seccomp
		 * cannot read, so they are refused whole. */
		static const char *const fcntls[] = {"fcntl", "fcntl64"}; /* fcntl64: i386 */
		for (size_t i = 0; i < TJ_ARRAY_SIZE(fcntls); i++) {
			struct tj_rule *own = add_rule(s, fcntls[i], EPERM, 2);
			masked(&own->args[0], 1, LOW32, F_SETOWN);
			own->args[1] = (struct tj_arg){.index = 2, .op = TJ_CMP_NE, .value = 0};
			struct tj_rule *sig = add_rule(s, fcntls[i], EPERM, 2);
			masked(&sig->args[0], 1, LOW32, F_SETSIG);
			sig->args[1] = (struct tj_arg){.index = 2, .op = TJ_CMP_NE, .value = 0};
			deny_masked(s, fcntls[i], 1, LOW32, F_SETOWN_EX);
		}
		deny_masked(s, "ioctl", 1, LOW32, FIOSETOWN);
		deny_masked(s, "ioctl", 1, LOW32, SIOCSPGRP);
	}
	if (iso && iso->deny_listen) {
		/* --net host rules judge where a socket connects or sends to;
		 * a connection accepted from a peer the rules would refuse
		 * would carry data to it unjudged.  listen(2) has no address
		 * to judge, so it is refused whole (UDP replies go through
		 * sendmsg, which the rules judge). */
		add_rule(s, "listen", EPERM, 0);
	}
	if (guard)
		add_guard_rules(s, guard);
	return s;
}

int tj_hardening_compile(const struct tj_isolation *iso, const struct tj_hardening_guard *guard, struct tj_filter **ret,
			 struct tj_err **err)
{
	struct tj_profile p = {.file = (char *)"<tinyjail hardening>"};
	p.seccomp = tj_hardening_rules(iso, guard);
	/* An ABI the kernel does not have cannot issue calls. */
	struct tj_host host = {.go_arch = "amd64"};
	struct tj_filter_opts fo = {.mode = TJ_MODE_ENFORCE, .host = &host, .bad_arch_allow = true};
	int r = tj_filter_compile(&p, &fo, ret, err);
	tj_seccomp_free(p.seccomp);
	return r;
}

bool tj_hardening_self_abort(const struct seccomp_data *d, pid_t own_tgid, pid_t own_tid)
{
	if (d->arch != AUDIT_ARCH_X86_64 || own_tgid <= 0 || own_tid <= 0)
		return false;
	/* pid and signal arguments are ints: the kernel reads 32 bits. */
	int a0 = (int)d->args[0], a1 = (int)d->args[1], a2 = (int)d->args[2];
	switch (d->nr) {
	case SYS_tgkill: return a0 == own_tgid && a1 == own_tid && a2 == SIGABRT;
	case SYS_tkill: return a0 == own_tid && a1 == SIGABRT;
	case SYS_kill: return a0 == own_tgid && a1 == SIGABRT;
	default: return false;
	}
}
