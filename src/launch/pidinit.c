/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The pid namespace's init.  It runs tinyjail's code inside the sandbox, so
 * it confines itself before doing anything else: no capabilities, not
 * dumpable (the command cannot ptrace it or read its memory), no_new_privs,
 * no descriptors, and a seccomp allowlist of the eight syscalls its loop
 * needs.  Runs in the child after clone: no malloc, no stdio.
 */
#include <errno.h>
#include <linux/capability.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tj/base/sys.h"
#include "tj/launch/pidinit.h"

const char *const tj_pidinit_syscalls[] = {
	"rt_sigtimedwait", "wait4",	      "kill",		"exit_group", "exit",
	"rt_sigreturn",	   "restart_syscall", "rt_sigprocmask", NULL,
};

/* Signals passed on to the command: the ones tinyjail forwards. */
static const int forwarded[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGALRM, SIGWINCH, SIGCONT};

static void ignore(int sig)
{
	(void)sig;
}

__attribute__((noreturn)) void tj_pidinit_main(pid_t command, struct tj_pidinit_shared *shared,
					       const struct sock_filter *prog, size_t len)
{
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	/* pid 1 never receives a signal whose disposition is the default, even
	 * a blocked one: give each a handler, which never runs (they are
	 * blocked and taken with sigtimedwait). */
	struct sigaction sa = {.sa_handler = ignore};
	for (size_t i = 0; i < sizeof(forwarded) / sizeof(forwarded[0]); i++) {
		sigaddset(&set, forwarded[i]);
		sigaction(forwarded[i], &sa, NULL);
	}
	sigprocmask(SIG_BLOCK, &set, NULL);

	close_range(3, ~0U, 0);
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
	for (int c = 0; c <= 63; c++)
		prctl(PR_CAPBSET_DROP, c, 0, 0, 0);
	tj_sys_capset(0, 0, 0);
	if (tj_sys_seccomp_load(0, prog, (unsigned short)len) < 0) {
		/* Without its own confinement init must not go on: take the
		 * namespace down (the command dies with it). */
		_exit(125);
	}

	for (;;) {
		siginfo_t si;
		int sig = sigtimedwait(&set, &si, NULL);
		if (sig < 0)
			continue;
		if (sig != SIGCHLD) {
			/* The terminal signalled the whole process group already. */
			if (si.si_code != SI_KERNEL)
				kill(command, sig);
			continue;
		}
		for (;;) {
			int st;
			pid_t pid = wait4(-1, &st, WNOHANG, NULL);
			if (pid <= 0)
				break;
			if (pid == command) {
				shared->wait_status = st;
				__atomic_store_n(&shared->status_set, 1, __ATOMIC_RELEASE);
				_exit(WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
			}
		}
	}
}
