/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The unwinder (src/unwind/) on a real process: tests/helpers/stackprog.c,
 * built by the Makefile with and without frame pointers, without debug
 * information and stripped, blocked in read(2) with a known call chain.
 * /proc/PID/syscall shows a thread blocked in any system call the way it
 * shows one waiting in a seccomp notification, so no filter is needed here
 * (tests/integration/test_explain.sh covers that path).
 */
#include "unit.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tj/report/chain.h"
#include "tj/unwind/unwind.h"

struct child {
	pid_t pid;
	int in; /* write end of its stdin: closing it lets the read return */
};

/* The build directory: this binary is BUILD/tests/test_unwind. */
static const char *build_dir(void)
{
	static char dir[PATH_MAX];
	if (!dir[0]) {
		char exe[PATH_MAX];
		ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
		assert_true(n > 0);
		exe[n] = '\0';
		snprintf(dir, sizeof(dir), "%s", dirname(dirname(exe)));
	}
	return dir;
}

/* The first thread of pid (other than the main one when want_other) that is
 * blocked in read(2); waits up to 5 s for it. */
static pid_t blocked_thread(pid_t pid, bool want_other)
{
	for (int round = 0; round < 500; round++) {
		char path[64];
		snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
		DIR *d = opendir(path);
		assert_non_null(d);
		struct dirent *e;
		pid_t found = 0;
		while ((e = readdir(d)) && !found) {
			pid_t tid = atoi(e->d_name);
			if (tid <= 0 || (want_other && tid == pid))
				continue;
			char sc[96], buf[256] = "";
			snprintf(sc, sizeof(sc), "/proc/%d/task/%d/syscall", (int)pid, (int)tid);
			int fd = open(sc, O_RDONLY);
			if (fd >= 0) {
				ssize_t n = read(fd, buf, sizeof(buf) - 1);
				close(fd);
				if (n > 2 && strncmp(buf, "0 ", 2) == 0)
					found = tid;
			}
		}
		closedir(d);
		if (found)
			return found;
		struct timespec ts = {0, 10 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
	fail_msg("stackprog never blocked in read");
	return 0;
}

static struct child start(const char *variant, const char *mode, const char *arg)
{
	char prog[PATH_MAX + 64];
	snprintf(prog, sizeof(prog), "%s/stackprog-%s", build_dir(), variant);
	if (access(prog, X_OK) != 0)
		fail_msg("%s is missing: run make tests", prog);
	int p[2];
	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		dup2(p[0], 0);
		execl(prog, prog, mode, arg, (char *)NULL);
		_exit(127);
	}
	close(p[0]);
	return (struct child){.pid = pid, .in = p[1]};
}

static void stop(struct child *c)
{
	close(c->in);
	int st;
	waitpid(c->pid, &st, 0);
}

static bool has_function(const struct tj_stack *s, const char *name)
{
	for (size_t i = 0; i < s->n; i++) {
		char buf[256];
		tj_chain_frame_name(&s->frames[i], buf, sizeof(buf));
		if (strcmp(buf, name) == 0)
			return true;
	}
	return false;
}

/* Unwinds the blocked thread, names its frames, checks the chain. */
static void take(struct tj_unwind *u, struct child *c, pid_t tid, struct tj_stack *s)
{
	struct tj_err *err = NULL;
	int r = tj_unwind_thread(u, c->pid, tid, 0 /* read */, 0, s, &err);
	if (r != 0)
		fail_msg("unwind: %s", r > 0 ? tj_unwind_skip_name((enum tj_unwind_skip)r) : err->msg);
	tj_unwind_symbolize(u, c->pid, s);
}

static void check_block_chain(const char *variant, bool names, bool lines, bool fp)
{
	struct tj_unwind *u = NULL;
	assert_int_equal(tj_unwind_new(&u, NULL), 0);
	struct child c = start(variant, "block", NULL);
	struct tj_stack s;
	take(u, &c, blocked_thread(c.pid, false), &s);
	char *chain = tj_chain_text("read", s.frames, s.n, s.truncated);
	print_message("%s: %s\n", variant, chain);
	assert_false(s.truncated);
	assert_int_equal(s.fp_recovered, fp);
	/* read, inner, middle, outer, run_block, main, libc start-up, _start */
	assert_true(s.n >= 8);
	assert_true(has_function(&s, "read"));
	assert_string_equal(s.frames[0].module, "libc.so.6");
	if (names) {
		assert_contains(chain, "read "
				       "\xe2\x86\x90");
		assert_true(has_function(&s, "run_block"));
		assert_true(has_function(&s, "main"));
		assert_true(has_function(&s, "_start"));
		/* inner, middle, outer in order (gcc may add .constprop.0) */
		const char *in = strstr(chain, "inner"), *mid = strstr(chain, "middle"), *out = strstr(chain, "outer");
		assert_true(in && mid && out && in < mid && mid < out);
	} else {
		/* Stripped: offsets into the program instead of names. */
		char want[64];
		snprintf(want, sizeof(want), "stackprog-%s+0x", variant);
		assert_contains(chain, want);
		assert_false(has_function(&s, "run_block"));
	}
	bool saw_line = false;
	for (size_t i = 0; i < s.n; i++)
		if (s.frames[i].file && strstr(s.frames[i].file, "stackprog.c") && s.frames[i].line > 0)
			saw_line = true;
	assert_int_equal(saw_line, lines);
	if (lines)
		assert_contains(chain, "(stackprog.c:");
	free(chain);
	stop(&c);
	tj_unwind_free(u);
}

static void test_no_frame_pointers(void **state)
{
	(void)state;
	check_block_chain("nofp", true, true, false);
}

/* With frame pointers the CFI needs rbp, which /proc does not show: the
 * frame record is found on the stack (fp_recovered). */
static void test_frame_pointers(void **state)
{
	(void)state;
	check_block_chain("fp", true, true, true);
}

static void test_no_debug_info(void **state)
{
	(void)state;
	check_block_chain("nodebug", true, false, false);
}

static void test_stripped(void **state)
{
	(void)state;
	check_block_chain("stripped", false, false, false);
}

/* A variable-length array makes even -fomit-frame-pointer code use rbp. */
static void test_vla(void **state)
{
	(void)state;
	struct tj_unwind *u = NULL;
	assert_int_equal(tj_unwind_new(&u, NULL), 0);
	struct child c = start("nofp", "vla", "300");
	struct tj_stack s;
	take(u, &c, blocked_thread(c.pid, false), &s);
	assert_false(s.truncated);
	assert_true(s.fp_recovered);
	assert_true(has_function(&s, "main"));
	char *chain = tj_chain_text("read", s.frames, s.n, s.truncated);
	assert_contains(chain, "with_vla");
	free(chain);
	stop(&c);
	tj_unwind_free(u);
}

/* A second thread's stack ends in start_thread and clone3. */
static void test_thread(void **state)
{
	(void)state;
	struct tj_unwind *u = NULL;
	assert_int_equal(tj_unwind_new(&u, NULL), 0);
	struct child c = start("nofp", "thread", NULL);
	struct tj_stack s;
	take(u, &c, blocked_thread(c.pid, true), &s);
	assert_false(s.truncated);
	assert_true(has_function(&s, "thread_main"));
	assert_true(has_function(&s, "start_thread"));
	assert_false(has_function(&s, "main"));
	/* The same stack again: every name now comes from the cache. */
	uint64_t hits = tj_unwind_stats(u)->symbol_hits;
	struct tj_stack again;
	take(u, &c, blocked_thread(c.pid, true), &again);
	assert_int_equal(again.n, s.n);
	assert_int_equal(tj_unwind_stats(u)->symbol_hits, hits + s.n);
	stop(&c);
	tj_unwind_free(u);
}

/* A process that is gone, or a zombie, is skipped and counted, never an error. */
static void test_gone(void **state)
{
	(void)state;
	struct tj_unwind *u = NULL;
	assert_int_equal(tj_unwind_new(&u, NULL), 0);
	struct child c = start("nofp", "block", NULL);
	pid_t tid = blocked_thread(c.pid, false);
	struct tj_stack s;
	kill(c.pid, SIGKILL);
	/* A zombie first (not yet reaped), then nothing at all. */
	siginfo_t info;
	waitid(P_PID, (id_t)c.pid, &info, WEXITED | WNOWAIT);
	assert_int_equal(tj_unwind_thread(u, c.pid, tid, 0, 0, &s, NULL), TJ_UNWIND_GONE);
	stop(&c);
	assert_int_equal(tj_unwind_thread(u, c.pid, tid, 0, 0, &s, NULL), TJ_UNWIND_GONE);
	assert_int_equal(s.n, 0);
	assert_int_equal(tj_unwind_stats(u)->gone, 2);
	tj_unwind_free(u);
}

/* The thread is not in the call the caller expects (another syscall, or
 * another instruction pointer): no stack. */
static void test_mismatch(void **state)
{
	(void)state;
	struct tj_unwind *u = NULL;
	assert_int_equal(tj_unwind_new(&u, NULL), 0);
	struct child c = start("nofp", "block", NULL);
	pid_t tid = blocked_thread(c.pid, false);
	struct tj_stack s;
	assert_int_equal(tj_unwind_thread(u, c.pid, tid, 39 /* getpid */, 0, &s, NULL), TJ_UNWIND_MISMATCH);
	assert_int_equal(tj_unwind_thread(u, c.pid, tid, 0, 0x1234, &s, NULL), TJ_UNWIND_MISMATCH);
	assert_int_equal(tj_unwind_stats(u)->mismatch, 2);
	stop(&c);
	tj_unwind_free(u);
}

/* Another user's process cannot be read (ptrace access mode): skipped as
 * denied.  Needs root to become another user. */
static void test_denied(void **state)
{
	(void)state;
	if (geteuid() != 0) {
		print_message("not root: another user's process cannot be made here\n");
		return;
	}
	struct child c = start("nofp", "block", NULL);
	pid_t tid = blocked_thread(c.pid, false);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		if (setresgid(65534, 65534, 65534) != 0 || setresuid(65534, 65534, 65534) != 0)
			_exit(2);
		struct tj_unwind *u = NULL;
		tj_unwind_new(&u, NULL);
		struct tj_stack s;
		int r = tj_unwind_thread(u, c.pid, tid, 0, 0, &s, NULL);
		_exit(r == TJ_UNWIND_DENIED ? 0 : 1);
	}
	int st;
	waitpid(pid, &st, 0);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
	stop(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_frame_pointers),
		cmocka_unit_test(test_frame_pointers),
		cmocka_unit_test(test_no_debug_info),
		cmocka_unit_test(test_stripped),
		cmocka_unit_test(test_vla),
		cmocka_unit_test(test_thread),
		cmocka_unit_test(test_gone),
		cmocka_unit_test(test_mismatch),
		cmocka_unit_test(test_denied),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
