/* SPDX-License-Identifier: Apache-2.0 */
/* The argument decoder (src/events/decode.c): names for flags and enums. */
#include "unit.h"

#include <linux/audit.h>
#include <sys/syscall.h>

#include "tj/events/decode.h"

static const char *decode(int nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	static char buf[512];
	struct seccomp_data d = {.nr = nr, .arch = AUDIT_ARCH_X86_64, .args = {a0, a1, a2, a3, a4, a5}};
	tj_decode_call(&d, buf, sizeof(buf));
	return buf;
}

static void test_ptrace(void **state)
{
	(void)state;
	assert_string_equal(decode(SYS_ptrace, 16, 1234, 0, 0, 7, 7), "ptrace(PTRACE_ATTACH, 1234, NULL, NULL)");
	assert_string_equal(decode(SYS_ptrace, 0x4206, 1, 0, 0x10, 0, 0), "ptrace(PTRACE_SEIZE, 1, NULL, 0x10)");
	/* An unknown request is shown as a number, never guessed. */
	assert_string_equal(decode(SYS_ptrace, 12345, (uint64_t)-1, 0, 0, 0, 0), "ptrace(12345, -1, NULL, NULL)");
}

static void test_sockets(void **state)
{
	(void)state;
	assert_string_equal(decode(SYS_socket, 2, 1, 6, 0, 0, 0), "socket(AF_INET, SOCK_STREAM, 6)");
	assert_string_equal(decode(SYS_socket, 10, 2 | 02000000 | 04000, 0, 0, 0, 0),
			    "socket(AF_INET6, SOCK_DGRAM|SOCK_NONBLOCK|SOCK_CLOEXEC, 0)");
	assert_string_equal(decode(SYS_socket, 16, 3, 0, 0, 0, 0), "socket(AF_NETLINK, SOCK_RAW, 0)");
	assert_string_equal(decode(SYS_socket, 9999, 0, 0, 0, 0, 0), "socket(9999, 0, 0)");
	assert_string_equal(decode(SYS_socket, 1, 0x40, 0, 0, 0, 0), "socket(AF_UNIX, 0x40, 0)");
	assert_string_equal(decode(SYS_connect, 3, 0x7ffd0000, 16, 0, 0, 0), "connect(3, 0x7ffd0000, 16)");
}

static void test_process_flags(void **state)
{
	(void)state;
	/* glibc's fork: the exit signal sits in the low byte. */
	assert_string_equal(decode(SYS_clone, 0x1200000 | 17, 0, 0, 0x7f00, 0, 0),
			    "clone(CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, NULL, NULL, 0x7f00, 0x0)");
	assert_string_equal(decode(SYS_clone, 0, 0, 0, 0, 0, 0), "clone(0, NULL, NULL, NULL, 0x0)");
	assert_string_equal(decode(SYS_unshare, 0x10020000, 0, 0, 0, 0, 0), "unshare(CLONE_NEWNS|CLONE_NEWUSER)");
	/* For unshare 0x80 is CLONE_NEWTIME, not a signal. */
	assert_string_equal(decode(SYS_unshare, 0x80, 0, 0, 0, 0, 0), "unshare(CLONE_NEWTIME)");
	assert_string_equal(decode(SYS_setns, 5, 0, 0, 0, 0, 0), "setns(5, 0)");
	assert_string_equal(decode(SYS_kill, 1, 9, 0, 0, 0, 0), "kill(1, SIGKILL)");
	assert_string_equal(decode(SYS_kill, (uint64_t)-1, 0, 0, 0, 0, 0), "kill(-1, 0)");
	assert_string_equal(decode(SYS_prctl, 38, 1, 0, 0, 0, 0), "prctl(PR_SET_NO_NEW_PRIVS, 0x1, 0x0, 0x0, 0x0)");
	assert_string_equal(decode(SYS_getpid, 5, 5, 5, 5, 5, 5), "getpid()");
}

static void test_files_and_memory(void **state)
{
	(void)state;
	/* AT_FDCWD arrives zero-extended from some callers. */
	assert_string_equal(decode(SYS_openat, 0xffffff9c, 0x1000, 02000000 | 0100 | 1, 0644, 0, 0),
			    "openat(AT_FDCWD, 0x1000, O_WRONLY|O_CREAT|O_CLOEXEC, 0644)");
	assert_string_equal(decode(SYS_openat, (uint64_t)-100, 0x1000, 0, 0, 0, 0),
			    "openat(AT_FDCWD, 0x1000, O_RDONLY, 00)");
	/* O_SYNC is two bits; it must not be shown as O_DSYNC plus a leftover. */
	assert_string_equal(decode(SYS_open, 0x10, 04010002, 0, 0, 0, 0), "open(0x10, O_RDWR|O_SYNC, 00)");
	assert_string_equal(decode(SYS_mmap, 0, 4096, 3, 0x22, (uint64_t)-1, 0),
			    "mmap(NULL, 4096, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0x0)");
	assert_string_equal(decode(SYS_mprotect, 0x1000, 4096, 0, 0, 0, 0), "mprotect(0x1000, 4096, PROT_NONE)");
	assert_string_equal(decode(SYS_mprotect, 0x1000, 4096, 0x14, 0, 0, 0),
			    "mprotect(0x1000, 4096, PROT_EXEC|0x10)");
	assert_string_equal(decode(SYS_mount, 0, 0x20, 0, 4096 | 16384, 0, 0),
			    "mount(NULL, 0x20, NULL, MS_BIND|MS_REC, NULL)");
	assert_string_equal(decode(SYS_umount2, 0x20, 2, 0, 0, 0, 0), "umount2(0x20, MNT_DETACH)");
}

static void test_ioctl(void **state)
{
	(void)state;
	assert_string_equal(decode(SYS_ioctl, 0, 0x5412, 0x7ffd, 0, 0, 0), "ioctl(0, TIOCSTI, 0x7ffd)");
	assert_string_equal(decode(SYS_ioctl, 1, 0x5401, 0x10, 0, 0, 0), "ioctl(1, TCGETS, 0x10)");
	assert_string_equal(decode(SYS_ioctl, 1, 0x80045430, 0x10, 0, 0, 0), "ioctl(1, TIOCGPTN, 0x10)");
	assert_string_equal(decode(SYS_ioctl, 1, 0xc0186201, 0x10, 0, 0, 0), "ioctl(1, 0xc0186201, 0x10)");
}

static void test_unknown_and_other_abis(void **state)
{
	(void)state;
	/* Not in the table: six raw registers. */
	assert_string_equal(decode(SYS_vhangup, 1, 2, 3, 4, 5, 6), "vhangup(0x1, 0x2, 0x3, 0x4, 0x5, 0x6)");
	/* One-argument calls (and friends) show their own arguments only. */
	assert_string_equal(decode(SYS_getcwd, 1, 2, 3, 4, 5, 6), "getcwd(0x1, 2)");
	assert_string_equal(decode(SYS_flock, 3, 6, 9, 9, 9, 9), "flock(3, LOCK_EX|LOCK_NB)");
	assert_string_equal(decode(SYS_pipe2, 0x7ffe, 0x80800, 9, 9, 9, 9), "pipe2(0x7ffe, O_NONBLOCK|O_CLOEXEC)");
	assert_string_equal(decode(SYS_pipe2, 0x7ffe, 0, 9, 9, 9, 9), "pipe2(0x7ffe, 0)");
	assert_string_equal(decode(SYS_setpgid, 0, 0, 9, 9, 9, 9), "setpgid(0, 0)");
	assert_string_equal(decode(SYS_seccomp, 1, 8, 0x7000, 9, 9, 9),
			    "seccomp(SECCOMP_SET_MODE_FILTER, 0x8, 0x7000)");
	assert_string_equal(decode(SYS_setsid, 9, 9, 9, 9, 9, 9), "setsid()");
	assert_string_equal(decode(SYS_lseek, 3, 10, 2, 9, 9, 9), "lseek(3, 10, SEEK_END)");
	assert_string_equal(decode(SYS_wait4, -1, 0, 1, 0, 9, 9), "wait4(-1, NULL, WNOHANG, NULL)");
	struct seccomp_data d = {.nr = 26, .arch = AUDIT_ARCH_I386, .args = {16, 1}};
	char buf[256];
	tj_decode_call(&d, buf, sizeof(buf));
	/* i386 ptrace is 26: known by name, not decoded (x86_64 table). */
	assert_string_equal(buf, "ptrace(0x10, 0x1, 0x0, 0x0, 0x0, 0x0)");
	assert_false(tj_decode_known(&d));
	d = (struct seccomp_data){.nr = 0x40000000 | SYS_ptrace, .arch = AUDIT_ARCH_X86_64};
	assert_false(tj_decode_known(&d));
	d.nr = SYS_ptrace;
	assert_true(tj_decode_known(&d));
	/* Truncation always leaves a terminated string. */
	char small[8];
	d = (struct seccomp_data){.nr = SYS_ptrace, .arch = AUDIT_ARCH_X86_64, .args = {16}};
	tj_decode_call(&d, small, sizeof(small));
	assert_string_equal(small, "ptrace(");
}

/* The names offered for conditions are the ones calls are shown with. */
static void test_tables(void **state)
{
	(void)state;
	const struct tj_decode_table *t[4];
	assert_int_equal(tj_decode_tables(SYS_getpid, 0, t, 4), 0);
	assert_int_equal(tj_decode_tables(SYS_socket, 2, t, 4), 0); /* the protocol is a plain int */
	assert_int_equal(tj_decode_tables(SYS_socket, 0, t, 4), 1);
	assert_string_equal(t[0]->what, "socket family");
	assert_false(t[0]->flags);
	assert_int_equal(t[0]->mask, 0xffffffffu);
	assert_int_equal(tj_decode_tables(SYS_socket, 1, t, 4), 2);
	assert_int_equal(t[0]->mask, 0xf);
	assert_true(t[1]->flags);
	assert_int_equal(tj_decode_tables(SYS_socket, 1, t, 1), 1); /* max is respected */
	assert_int_equal(tj_decode_tables(SYS_clone, 0, t, 4), 1);
	assert_true(t[0]->flags);
	assert_int_equal(t[0]->mask & 0xff, 0); /* the exit signal is not a flag */
	assert_int_equal(tj_decode_tables(SYS_ptrace, 0, t, 4), 1);
	assert_int_equal(t[0]->mask, ~0ull); /* a long: every bit counts */

	/* Every name of every table: within its mask, and decoded back to itself. */
	size_t checked = 0;
	for (int nr = 0; nr < 512; nr++) {
		for (unsigned i = 0; i < 6; i++) {
			size_t n = tj_decode_tables(nr, i, t, 4);
			for (size_t k = 0; k < n; k++) {
				for (const struct tj_decode_name *v = t[k]->names; v->name; v++) {
					if (v->value & ~t[k]->mask)
						fail_msg("syscall %d arg %u: %s is outside the mask", nr, i, v->name);
					char buf[256];
					tj_decode_arg(nr, i, v->value, buf, sizeof(buf));
					if (!strstr(buf, v->name) && !(nr == SYS_personality && v->value == 0xffffffff))
						fail_msg("syscall %d arg %u: %s decodes as %s", nr, i, v->name, buf);
					checked++;
				}
			}
		}
	}
	assert_true(checked > 300);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ptrace),
		cmocka_unit_test(test_sockets),
		cmocka_unit_test(test_process_flags),
		cmocka_unit_test(test_files_and_memory),
		cmocka_unit_test(test_ioctl),
		cmocka_unit_test(test_tables),
		cmocka_unit_test(test_unknown_and_other_abis),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
