/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The pid namespace's init.  It runs tinyjail's code inside the sandbox, so
 * it confines itself before doing anything else: no capabilities, not
 * dumpable (the command cannot ptrace it or read its memory), no_new_privs,
 * no descriptors, and a seccomp allowlist of the eight syscalls its loop
 * needs.  Runs in the child after clone: no malloc, no stdio.
 *
 * Its signals are blocked before it forks the command and it reaps before
 * it first waits: a command that exits at once must not leave init waiting
 * for a SIGCHLD that came before it was ready (issue 19).
 */
#include <errno.h>
#include <linux/capability.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tj/base/sys.h"
#include "tj/base/testhook.h"
#include "tj/launch/pidinit.h"

const char *const tj_pidinit_syscalls[] = {
	"rt_sigtimedwait", "wait4",	      "kill",		"exit_group", "exit",
	"rt_sigreturn",	   "restart_syscall", "rt_sigprocmask", NULL,
};

/* Signals passed on to the command: the ones tinyjail forwards. */
static const int forwarded[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGALRM, SIGWINCH, SIGCONT};
_Static_assert(sizeof(forwarded) / sizeof(forwarded[0]) < TJ_PIDINIT_NSIGNALS, "tj_pidinit_signals.old");

static void ignore(int sig)
{
	(void)sig;
}

void tj_pidinit_take_signals(struct tj_pidinit_signals *s, const sigset_t *command_mask)
{
	s->command_mask = *command_mask;
	sigemptyset(&s->set);
	sigaddset(&s->set, SIGCHLD);
	/* pid 1 never receives a signal whose disposition is the default, even
	 * a blocked one: give each a handler, which never runs (they are
	 * blocked and taken with sigtimedwait). */
	struct sigaction sa = {.sa_handler = ignore};
	for (size_t i = 0; i < sizeof(forwarded) / sizeof(forwarded[0]); i++) {
		sigaddset(&s->set, forwarded[i]);
		sigaction(forwarded[i], &sa, &s->old[i]);
	}
	sigprocmask(SIG_BLOCK, &s->set, NULL);
}

int tj_pidinit_release_signals(const struct tj_pidinit_signals *s)
{
	for (size_t i = 0; i < sizeof(forwarded) / sizeof(forwarded[0]); i++)
		if (sigaction(forwarded[i], &s->old[i], NULL) < 0)
			return -1;
	return sigprocmask(SIG_SETMASK, &s->command_mask, NULL);
}

const char *tj_pidinit_step_name(int step)
{
	switch (step) {
	case TJ_PIDINIT_STEP_FDS: return "close its descriptors";
	case TJ_PIDINIT_STEP_DUMPABLE: return "make itself non-dumpable";
	case TJ_PIDINIT_STEP_NNP: return "set no_new_privs";
	case TJ_PIDINIT_STEP_CAPS: return "drop its capabilities";
	case TJ_PIDINIT_STEP_SECCOMP: return "load its seccomp filter";
	default: return "confine itself";
	}
}

/* Without its own confinement init must not go on: say why, and take the
 * namespace down (the command dies with it). */
__attribute__((noreturn, no_sanitize("address"))) static void fail(struct tj_pidinit_shared *shared, int step, int e)
{
	shared->failed_errno = e;
	__atomic_store_n(&shared->failed_step, step, __ATOMIC_RELEASE);
	_exit(125);
}

/* Reaps every child that has ended; exits with the command's status once
 * the command is among them.  (Not instrumented by AddressSanitizer, whose
 * no-return hook would make a call init's filter does not allow.) */
__attribute__((no_sanitize("address"))) static void reap(pid_t command, struct tj_pidinit_shared *shared)
{
	for (;;) {
		int st;
		pid_t pid = wait4(-1, &st, WNOHANG, NULL);
		if (pid <= 0)
			return;
		if (pid == command) {
			shared->wait_status = st;
			__atomic_store_n(&shared->status_set, 1, __ATOMIC_RELEASE);
			_exit(WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
		}
	}
}

__attribute__((noreturn, no_sanitize("address"))) void tj_pidinit_main(pid_t command,
								       const struct tj_pidinit_signals *s,
								       struct tj_pidinit_shared *shared,
								       const struct sock_filter *prog, size_t len)
{
	if (tj_testhook("pidinit-hold")) {
		/* Test builds: let the command exit before init goes on. */
		siginfo_t si;
		waitid(P_PID, (id_t)command, &si, WEXITED | WNOWAIT);
	}
	/* Test builds: an init that is stuck (reaps nothing, passes nothing on). */
	while (tj_testhook("pidinit-stall"))
		pause();
	/* Test builds: an init that passes signals on but is too slow to reap
	 * the command before tinyjail ends it (a loaded machine). */
	bool lag = tj_testhook("pidinit-lag");

	if (close_range(3, ~0U, 0) < 0)
		fail(shared, TJ_PIDINIT_STEP_FDS, errno);
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
		fail(shared, TJ_PIDINIT_STEP_DUMPABLE, errno);
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		fail(shared, TJ_PIDINIT_STEP_NNP, errno);
	int r = tj_sys_capbset_drop(0);
	if (r < 0)
		fail(shared, TJ_PIDINIT_STEP_CAPS, -r);
	r = tj_sys_capset(0, 0, 0);
	if (r < 0)
		fail(shared, TJ_PIDINIT_STEP_CAPS, -r);
	r = tj_sys_seccomp_load(0, prog, (unsigned short)len);
	if (r < 0)
		fail(shared, TJ_PIDINIT_STEP_SECCOMP, -r);

	for (;;) {
		/* Reap first: the command may have ended before init got here
		 * (its SIGCHLD is then pending, but reaping does not rely on
		 * it). */
		reap(command, shared);
		siginfo_t si;
		int sig = sigtimedwait(&s->set, &si, NULL);
		if (sig < 0 || sig == SIGCHLD)
			continue;
		/* The terminal signalled the whole process group already. */
		if (si.si_code != SI_KERNEL)
			kill(command, sig);
		while (lag)
			sigtimedwait(&s->set, &si, NULL);
	}
}
