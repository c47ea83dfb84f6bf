/* SPDX-License-Identifier: Apache-2.0 */
/* The hardening filter, run through the BPF simulator: what each option
 * denies, and what it must leave alone for ordinary programs to work. */
#include "unit.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <sys/syscall.h>

#include "tj/filter/bpfsim.h"
#include "tj/filter/hardening.h"

#define ALLOW 0x7fff0000u
#define ERRNO(e) (0x00050000u | (unsigned)(e))

static uint32_t run(const struct tj_filter *f, int nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3)
{
	struct seccomp_data d = {.nr = nr, .arch = AUDIT_ARCH_X86_64, .args = {a0, a1, a2, a3}};
	return tj_bpf_run(f->prog, f->len, &d);
}

static struct tj_filter *compile(const struct tj_isolation *iso)
{
	struct tj_filter *f = NULL;
	struct tj_err *err = NULL;
	if (tj_hardening_compile(iso, NULL, &f, &err) < 0)
		fail_msg("compile: %s", err->msg);
	char why[128];
	assert_int_equal(tj_bpf_validate(f->prog, f->len, why, sizeof(why)), 0);
	return f;
}

static void test_always_on(void **state)
{
	(void)state;
	struct tj_filter *f = compile(NULL);
	assert_int_equal(run(f, SYS_ioctl, 0, TIOCSTI, 0, 0), ERRNO(EPERM));
	assert_int_equal(run(f, SYS_ioctl, 1, TIOCLINUX, 0, 0), ERRNO(EPERM));
	/* High bits the kernel ignores for the 32-bit request do not help. */
	assert_int_equal(run(f, SYS_ioctl, 0, 0xffffffff00000000ull | TIOCSTI, 0, 0), ERRNO(EPERM));
	assert_int_equal(run(f, SYS_ioctl, 0, TCGETS, 0, 0), ALLOW);
	assert_int_equal(run(f, SYS_ioctl, 0, TIOCGWINSZ, 0, 0), ALLOW);
	/* Without options nothing else is touched. */
	assert_int_equal(run(f, SYS_mmap, 0, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_ANONYMOUS), ALLOW);
	assert_int_equal(run(f, SYS_fork, 0, 0, 0, 0), ALLOW);
	assert_int_equal(run(f, SYS_kill, 1, SIGKILL, 0, 0), ALLOW);
	assert_int_equal(run(f, SYS_fcntl, 3, F_SETOWN, 100, 0), ALLOW);
	assert_int_equal(run(f, SYS_ioctl, 3, FIOSETOWN, 0x7fff0000, 0), ALLOW);
	assert_int_equal(run(f, SYS_listen, 3, 16, 0, 0), ALLOW);
	/* Other ABIs are the profile's to judge. */
	/* The same through the i386 and x32 ABIs, which --profile none and a
	 * profile listing them let through (issue 16 item 11). */
	struct seccomp_data d = {.nr = 54, .arch = AUDIT_ARCH_I386, .args = {0, TIOCSTI}};
	assert_int_equal(tj_bpf_run(f->prog, f->len, &d), ERRNO(EPERM));
	d.args[1] = TIOCLINUX;
	assert_int_equal(tj_bpf_run(f->prog, f->len, &d), ERRNO(EPERM));
	d.args[1] = TCGETS;
	assert_int_equal(tj_bpf_run(f->prog, f->len, &d), ALLOW);
	struct seccomp_data x32 = {.nr = 0x40000000 | 514 /* x32 ioctl */,
				   .arch = AUDIT_ARCH_X86_64,
				   .args = {0, TIOCSTI}};
	assert_int_equal(tj_bpf_run(f->prog, f->len, &x32), ERRNO(EPERM));
	tj_filter_free(f);
}

static uint32_t run_guarded(const struct tj_filter *f, int nr, uint64_t a0, uint64_t a1, uint64_t a2)
{
	return run(f, nr, a0, a1, a2, 0);
}

/* Without Landlock's signal scoping: nothing that stops or ends tinyjail
 * (issue 16 item 7). */
static void test_guard(void **state)
{
	(void)state;
	struct tj_hardening_guard g = {.self = 4242, .pgrp = 4200};
	struct tj_filter *f = NULL;
	struct tj_err *err = NULL;
	if (tj_hardening_compile(NULL, &g, &f, &err) < 0)
		fail_msg("compile: %s", err->msg);
	/* tinyjail's pid: every signal but the existence check. */
	assert_int_equal(run_guarded(f, SYS_kill, 4242, SIGSTOP, 0), ERRNO(EPERM));
	assert_int_equal(run_guarded(f, SYS_kill, 4242, SIGTERM, 0), ERRNO(EPERM));
	assert_int_equal(run_guarded(f, SYS_kill, 0xffffffff00000000ull | 4242, SIGKILL, 0), ERRNO(EPERM));
	assert_int_equal(run_guarded(f, SYS_kill, 4242, 0, 0), ALLOW);
	assert_int_equal(run_guarded(f, SYS_tkill, 4242, SIGKILL, 0), ERRNO(EPERM));
	assert_int_equal(run_guarded(f, SYS_tgkill, 4242, 4242, SIGKILL), ERRNO(EPERM));
	assert_int_equal(run_guarded(f, SYS_tgkill, 4242, 4242, 0), ALLOW);
	assert_int_equal(run_guarded(f, SYS_rt_sigqueueinfo, 4242, SIGKILL, 0), ERRNO(EPERM));
	assert_int_equal(run_guarded(f, SYS_rt_tgsigqueueinfo, 4242, 4242, SIGKILL), ERRNO(EPERM));
	assert_int_equal(run_guarded(f, SYS_pidfd_open, 4242, 0, 0), ERRNO(EPERM));
	assert_int_equal(run_guarded(f, SYS_pidfd_open, 4243, 0, 0), ALLOW);
	/* Every process: none. */
	assert_int_equal(run_guarded(f, SYS_kill, (uint32_t)-1, SIGTERM, 0), ERRNO(EPERM));
	/* The process group, own (0) or by number: only stops and kills. */
	assert_int_equal(run_guarded(f, SYS_kill, 0, SIGKILL, 0), ERRNO(EPERM));
	assert_int_equal(run_guarded(f, SYS_kill, 0, SIGSTOP, 0), ERRNO(EPERM));
	assert_int_equal(run_guarded(f, SYS_kill, 0, SIGTSTP, 0), ERRNO(EPERM));
	assert_int_equal(run_guarded(f, SYS_kill, (uint32_t)-4200, SIGKILL, 0), ERRNO(EPERM));
	assert_int_equal(run_guarded(f, SYS_kill, 0, SIGTERM, 0), ALLOW);
	assert_int_equal(run_guarded(f, SYS_kill, (uint32_t)-4300, SIGKILL, 0), ALLOW);
	/* Other processes stay reachable. */
	assert_int_equal(run_guarded(f, SYS_kill, 100, SIGKILL, 0), ALLOW);
	assert_int_equal(run_guarded(f, SYS_tgkill, 100, 101, SIGKILL), ALLOW);
	/* SIGIO to tinyjail or its group; targets in memory; pidfds. */
	assert_int_equal(run_guarded(f, SYS_fcntl, 3, F_SETOWN, 4242), ERRNO(EPERM));
	assert_int_equal(run_guarded(f, SYS_fcntl, 3, F_SETOWN, (uint32_t)-4200), ERRNO(EPERM));
	assert_int_equal(run_guarded(f, SYS_fcntl, 3, F_SETOWN, 100), ALLOW);
	assert_int_equal(run_guarded(f, SYS_fcntl, 3, F_SETOWN_EX, 0x7ff0000), ERRNO(EPERM));
	assert_int_equal(run_guarded(f, SYS_fcntl, 3, F_GETFL, 0), ALLOW);
	assert_int_equal(run_guarded(f, SYS_ioctl, 3, 0x8901 /* FIOSETOWN */, 0), ERRNO(EPERM));
	assert_int_equal(run_guarded(f, SYS_pidfd_send_signal, 3, SIGTERM, 0), ERRNO(ENOSYS));
	/* And through the i386 ABI (kill is 37 there). */
	struct seccomp_data d = {.nr = 37, .arch = AUDIT_ARCH_I386, .args = {4242, SIGKILL}};
	assert_int_equal(tj_bpf_run(f->prog, f->len, &d), ERRNO(EPERM));
	tj_filter_free(f);

	/* In a pid namespace tinyjail's pid means nothing: the group stays. */
	struct tj_hardening_guard ns = {0};
	assert_int_equal(tj_hardening_compile(NULL, &ns, &f, &err), 0);
	assert_int_equal(run_guarded(f, SYS_kill, 4242, SIGKILL, 0), ALLOW);
	assert_int_equal(run_guarded(f, SYS_kill, 0, SIGKILL, 0), ERRNO(EPERM));
	tj_filter_free(f);
}

static void test_deny_write_execute(void **state)
{
	(void)state;
	struct tj_isolation nolisten = {.deny_listen = true};
	assert_true(tj_isolation_wants_hardening(&nolisten));
	struct tj_filter *nl = compile(&nolisten);
	assert_int_equal(run(nl, SYS_listen, 3, 16, 0, 0), ERRNO(EPERM)); /* --net host rules */
	assert_int_equal(run(nl, SYS_connect, 3, 0, 16, 0), ALLOW);
	tj_filter_free(nl);
	struct tj_isolation iso = {.deny_write_execute = true};
	struct tj_filter *f = compile(&iso);
	int priv = MAP_PRIVATE, anon = MAP_PRIVATE | MAP_ANONYMOUS;
	assert_int_equal(run(f, SYS_mmap, 0, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, priv), ERRNO(EPERM));
	assert_int_equal(run(f, SYS_mmap, 0, 4096, PROT_READ | PROT_EXEC, anon), ERRNO(EPERM));
	/* What the dynamic loader does: map a file executable, data writable. */
	assert_int_equal(run(f, SYS_mmap, 0, 4096, PROT_READ | PROT_EXEC, priv), ALLOW);
	assert_int_equal(run(f, SYS_mmap, 0, 4096, PROT_READ | PROT_WRITE, anon), ALLOW);
	assert_int_equal(run(f, SYS_mprotect, 0, 4096, PROT_READ | PROT_EXEC, 0), ERRNO(EPERM));
	assert_int_equal(run(f, SYS_mprotect, 0, 4096, PROT_READ, 0), ALLOW);
	assert_int_equal(run(f, SYS_pkey_mprotect, 0, 4096, PROT_EXEC, 0), ERRNO(EPERM));
	assert_int_equal(run(f, SYS_shmat, 1, 0, SHM_EXEC, 0), ERRNO(EPERM));
	assert_int_equal(run(f, SYS_shmat, 1, 0, SHM_RDONLY, 0), ALLOW);
	tj_filter_free(f);
}

static void test_no_new_processes(void **state)
{
	(void)state;
	struct tj_isolation iso = {.no_new_processes = true};
	struct tj_filter *f = compile(&iso);
	assert_int_equal(run(f, SYS_fork, 0, 0, 0, 0), ERRNO(EPERM));
	assert_int_equal(run(f, SYS_vfork, 0, 0, 0, 0), ERRNO(EPERM));
	assert_int_equal(run(f, SYS_clone, SIGCHLD, 0, 0, 0), ERRNO(EPERM));
	assert_int_equal(run(f, SYS_clone, CLONE_VM | CLONE_VFORK | SIGCHLD, 0, 0, 0), ERRNO(EPERM));
	/* glibc's pthread_create flags. */
	uint64_t thread = CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD | CLONE_SYSVSEM |
			  CLONE_SETTLS | CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID;
	assert_int_equal(run(f, SYS_clone, thread, 0, 0, 0), ALLOW);
	assert_int_equal(run(f, SYS_clone3, 0, 88, 0, 0), ERRNO(ENOSYS));
	assert_int_equal(run(f, SYS_execve, 0, 0, 0, 0), ALLOW);
	tj_filter_free(f);
}

static void test_signals(void **state)
{
	(void)state;
	struct tj_isolation iso = {0};
	struct tj_err *err = NULL;
	assert_int_equal(tj_isolation_parse_signals(&iso, "TERM,INT", &err), 0);
	struct tj_filter *f = compile(&iso);
	assert_int_equal(run(f, SYS_kill, 100, SIGTERM, 0, 0), ALLOW);
	assert_int_equal(run(f, SYS_kill, 100, SIGINT, 0, 0), ALLOW);
	assert_int_equal(run(f, SYS_kill, 100, 0, 0, 0), ALLOW); /* the existence check */
	assert_int_equal(run(f, SYS_kill, 100, SIGKILL, 0, 0), ERRNO(EPERM));
	assert_int_equal(run(f, SYS_kill, 100, SIGHUP, 0, 0), ERRNO(EPERM));
	assert_int_equal(run(f, SYS_kill, 100, SIGUSR1, 0, 0), ERRNO(EPERM));
	assert_int_equal(run(f, SYS_kill, 100, 64, 0, 0), ERRNO(EPERM));
	assert_int_equal(run(f, SYS_kill, 100, 0x100000000ull | SIGTERM, 0, 0), ERRNO(EPERM));
	assert_int_equal(run(f, SYS_tgkill, 100, 101, SIGKILL, 0), ERRNO(EPERM));
	assert_int_equal(run(f, SYS_tgkill, 100, 101, SIGTERM, 0), ALLOW);
	assert_int_equal(run(f, SYS_tkill, 101, SIGSTOP, 0, 0), ERRNO(EPERM));
	assert_int_equal(run(f, SYS_rt_sigqueueinfo, 100, SIGUSR2, 0, 0), ERRNO(EPERM));
	assert_int_equal(run(f, SYS_rt_tgsigqueueinfo, 100, 101, SIGUSR2, 0), ERRNO(EPERM));
	assert_int_equal(run(f, SYS_pidfd_send_signal, 3, SIGKILL, 0, 0), ERRNO(EPERM));
	assert_int_equal(run(f, SYS_pidfd_send_signal, 3, SIGINT, 0, 0), ALLOW);
	/* Signals through a descriptor's owner (issue 16 item 8). */
	assert_int_equal(run(f, SYS_fcntl, 3, F_SETOWN, 100, 0), ERRNO(EPERM));
	assert_int_equal(run(f, SYS_fcntl, 3, F_SETOWN, (uint64_t)-100, 0), ERRNO(EPERM)); /* a group */
	assert_int_equal(run(f, SYS_fcntl, 3, 0xffffffff00000000ull | F_SETOWN, 100, 0), ERRNO(EPERM));
	assert_int_equal(run(f, SYS_fcntl, 3, F_SETOWN, 0, 0), ALLOW); /* no owner */
	assert_int_equal(run(f, SYS_fcntl, 3, F_SETOWN_EX, 0x7fff0000, 0), ERRNO(EPERM));
	assert_int_equal(run(f, SYS_fcntl, 3, F_SETSIG, SIGKILL, 0), ERRNO(EPERM));
	assert_int_equal(run(f, SYS_fcntl, 3, F_SETSIG, 0, 0), ALLOW);
	assert_int_equal(run(f, SYS_ioctl, 3, FIOSETOWN, 0x7fff0000, 0), ERRNO(EPERM));
	assert_int_equal(run(f, SYS_ioctl, 3, SIOCSPGRP, 0x7fff0000, 0), ERRNO(EPERM));
	/* What programs do with descriptors otherwise stays. */
	assert_int_equal(run(f, SYS_fcntl, 3, F_GETOWN, 0, 0), ALLOW);
	assert_int_equal(run(f, SYS_fcntl, 3, F_SETFL, O_NONBLOCK | O_ASYNC, 0), ALLOW);
	assert_int_equal(run(f, SYS_fcntl, 3, F_SETFD, FD_CLOEXEC, 0), ALLOW);
	assert_int_equal(run(f, SYS_fcntl, 3, F_DUPFD_CLOEXEC, 10, 0), ALLOW);
	assert_int_equal(run(f, SYS_ioctl, 3, FIONREAD, 0x7fff0000, 0), ALLOW);
	tj_filter_free(f);

	/* An empty allowance: no signal at all, but the check still works. */
	struct tj_isolation none = {.has_signals = true, .signals = 0};
	f = compile(&none);
	assert_int_equal(run(f, SYS_kill, 100, 0, 0, 0), ALLOW);
	assert_int_equal(run(f, SYS_kill, 100, SIGHUP, 0, 0), ERRNO(EPERM));
	tj_filter_free(f);
	tj_isolation_done(&iso);
}

/* abort() may always end its own process (the supervisor's exception):
 * only SIGABRT, only to the caller's own thread or process. */
static void test_self_abort(void **state)
{
	(void)state;
	struct seccomp_data d = {.arch = AUDIT_ARCH_X86_64};
#define CALL(n, a0, a1, a2) (d.nr = (n), d.args[0] = (a0), d.args[1] = (a1), d.args[2] = (a2), &d)
	assert_true(tj_hardening_self_abort(CALL(SYS_tgkill, 40, 41, SIGABRT), 40, 41));
	assert_true(tj_hardening_self_abort(CALL(SYS_tkill, 41, SIGABRT, 0), 40, 41));
	assert_true(tj_hardening_self_abort(CALL(SYS_kill, 40, SIGABRT, 0), 40, 41));
	/* the kernel reads ints: high bits do not matter, as for the kernel */
	assert_true(tj_hardening_self_abort(CALL(SYS_tgkill, 0x100000028ULL, 41, SIGABRT), 40, 41));
	/* another signal, another thread, another process, a group, everyone */
	assert_false(tj_hardening_self_abort(CALL(SYS_tgkill, 40, 41, SIGKILL), 40, 41));
	assert_false(tj_hardening_self_abort(CALL(SYS_tgkill, 40, 42, SIGABRT), 40, 41));
	assert_false(tj_hardening_self_abort(CALL(SYS_tgkill, 39, 41, SIGABRT), 40, 41));
	assert_false(tj_hardening_self_abort(CALL(SYS_tkill, 42, SIGABRT, 0), 40, 41));
	assert_false(tj_hardening_self_abort(CALL(SYS_kill, 0, SIGABRT, 0), 40, 41));
	assert_false(tj_hardening_self_abort(CALL(SYS_kill, -1, SIGABRT, 0), 40, 41));
	assert_false(tj_hardening_self_abort(CALL(SYS_kill, 39, SIGABRT, 0), 40, 41));
	assert_false(tj_hardening_self_abort(CALL(SYS_rt_sigqueueinfo, 40, SIGABRT, 0), 40, 41));
	/* unknown ids never match */
	assert_false(tj_hardening_self_abort(CALL(SYS_kill, -1, SIGABRT, 0), -1, -1));
	d.arch = AUDIT_ARCH_I386;
	assert_false(tj_hardening_self_abort(CALL(SYS_kill, 40, SIGABRT, 0), 40, 41));
#undef CALL
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_always_on),
		cmocka_unit_test(test_deny_write_execute),
		cmocka_unit_test(test_no_new_processes),
		cmocka_unit_test(test_signals),
		cmocka_unit_test(test_self_abort),
		cmocka_unit_test(test_always_on),
		cmocka_unit_test(test_deny_write_execute),
		cmocka_unit_test(test_no_new_processes),
		cmocka_unit_test(test_signals),
		cmocka_unit_test(test_guard),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
