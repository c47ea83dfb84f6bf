/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The kernel cross-check: the simulator (tj_bpf_run) must say what the
 * kernel does.  For every (profile, probe) pair a forked child loads the
 * profile's compiled truth program with seccomp(2) and makes one raw system
 * call; the parent compares how that ended with the action the simulator
 * computes for the same seccomp_data:
 *
 *   ERRNO(n)            the call failed with errno n
 *   KILL_PROCESS/THREAD the child died from SIGSYS before the call returned
 *   TRAP(n)             the SIGSYS handler ran with si_errno n
 *   TRACE, NOTIFY       ENOSYS (no tracer, no listener: the kernel's rule)
 *   ALLOW, LOG          exactly what the call does without any filter
 *
 * Probes are calls that fail harmlessly when allowed (fd -1, NULL pointers,
 * invalid flags) and touch nothing outside the child.  The child reports
 * through shared memory (plain stores, no system call) so a profile may
 * deny even write and exit.  x32 calls are made with the x32 bit set; this
 * kernel has no x32 ABI, so an allowed x32 call fails with ENOSYS, while a
 * filter that does not list x32 kills it.  i386 calls (int 0x80) cannot be
 * made on this host; the tables in tests/sim cover them.
 */
#include "unit.h"

#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tj/filter/bpfsim.h"
#include "tj/filter/filter.h"
#include "tj/json/profile_json.h"

#define X32 0x40000000L

static const struct tj_host kernel_host = {.go_arch = "amd64", .kernel_major = 6, .kernel_minor = 1, .caps = 0};

struct probe {
	const char *name;
	long nr;
	uint64_t a[6];
};

#define NEG1 0xffffffffffffffffULL

/* What each does when allowed is measured, not assumed (the baseline). */
static const struct probe probes[] = {
	{"getpid()", SYS_getpid, {0}},
	{"getppid()", SYS_getppid, {0}},
	{"gettid()", SYS_gettid, {0}},
	{"getuid()", SYS_getuid, {0}},
	{"getgid()", SYS_getgid, {0}},
	{"geteuid()", SYS_geteuid, {0}},
	{"getegid()", SYS_getegid, {0}},
	{"getpgrp()", SYS_getpgrp, {0}},
	{"write(-1, NULL, 0)", SYS_write, {NEG1, 0, 0}},
	{"write(-1, NULL, 4097)", SYS_write, {NEG1, 0, 4097}},
	{"read(-1, NULL, 0)", SYS_read, {NEG1, 0, 0}},
	{"read(666, NULL, 0)", SYS_read, {666, 0, 0}},
	{"close(-1)", SYS_close, {NEG1}},
	{"dup(-1)", SYS_dup, {NEG1}},
	{"fchdir(-1)", SYS_fchdir, {NEG1}},
	{"fsync(-1)", SYS_fsync, {NEG1}},
	{"fsync(1000)", SYS_fsync, {1000}},
	{"fdatasync(-1)", SYS_fdatasync, {NEG1}},
	{"lseek(-1, 0x100000001, 0)", SYS_lseek, {NEG1, 0x100000001ULL, 0}},
	{"lseek(-1, 0x100000000, 0)", SYS_lseek, {NEG1, 0x100000000ULL, 0}},
	{"flock(-1, 0x100000000)", SYS_flock, {NEG1, 0x100000000ULL}},
	{"pread64(-1, NULL, 0, 0x100000000)", SYS_pread64, {NEG1, 0, 0, 0x100000000ULL}},
	{"pread64(-1, NULL, 0, 0x200000000)", SYS_pread64, {NEG1, 0, 0, 0x200000000ULL}},
	{"mmap(NULL, 0, 0, 0, 7, 0x1234)", SYS_mmap, {0, 0, 0, 0, 7, 0x1234}},
	{"mmap(NULL, 0, 0, 0, 7, 0x1235)", SYS_mmap, {0, 0, 0, 0, 7, 0x1235}},
	{"getpriority(0xffffffff, 0)", SYS_getpriority, {0xffffffffULL, 0}},
	{"getpriority(0x100000005, 0)", SYS_getpriority, {0x100000005ULL, 0}},
	{"personality(0xffffffff)", SYS_personality, {0xffffffffULL}},
	{"personality(-1)", SYS_personality, {NEG1}},
	{"dup3(0, -100, 0xffff)", SYS_dup3, {0, (uint64_t)-100, 0xffff}},
	{"dup3(1, -100, 0xffff)", SYS_dup3, {1, (uint64_t)-100, 0xffff}},
	{"dup3(2, -100, 0xffff)", SYS_dup3, {2, (uint64_t)-100, 0xffff}},
	{"dup3(3, -100, 0xffff)", SYS_dup3, {3, (uint64_t)-100, 0xffff}},
	{"ftruncate(123456789, 1337)", SYS_ftruncate, {123456789, 1337}},
	{"ftruncate(123456789, 0)", SYS_ftruncate, {123456789, 0}},
	{"ftruncate(-1, -1)", SYS_ftruncate, {NEG1, NEG1}},
	{"process_vm_readv(100, .., flags ~0)", SYS_process_vm_readv, {100, 0, 0, 0, 0, NEG1}},
	{"process_vm_readv(9001, .., flags ~0)", SYS_process_vm_readv, {9001, 0, 0, 0, 0, NEG1}},
	{"process_vm_readv(0, .., flags ~0)", SYS_process_vm_readv, {0, 0, 0, 0, 0, NEG1}},
	{"process_vm_writev(1337, .., flags ~0)", SYS_process_vm_writev, {1337, 0, 0, 0, 0, NEG1}},
	{"process_vm_writev(2020, .., flags ~0)", SYS_process_vm_writev, {2020, 0, 0, 0, 0, NEG1}},
	{"process_vm_writev(0, .., flags ~0)", SYS_process_vm_writev, {0, 0, 0, 0, 0, NEG1}},
	/* invalid types and protocols: no socket is ever created */
	{"socket(AF_UNIX, SOCK_STREAM, 0xff)", SYS_socket, {1, 1, 0xff}},
	{"socket(AF_UNIX, SOCK_STREAM, 0x100)", SYS_socket, {1, 1, 0x100}},
	{"socket(AF_INET, -1, 0)", SYS_socket, {2, 0xffffffffULL, 0}},
	{"socket(AF_ALG, -1, 0)", SYS_socket, {38, 0xffffffffULL, 0}},
	{"socket(AF_VSOCK, -1, 0)", SYS_socket, {40, 0xffffffffULL, 0}},
	/* clone flags the kernel rejects before creating anything */
	{"clone(CLONE_SIGHAND)", SYS_clone, {0x800}},
	{"clone(CLONE_NEWUSER|CLONE_SIGHAND)", SYS_clone, {0x10000800}},
	{"clone(CLONE_THREAD)", SYS_clone, {0x10000}},
	{"clone3(NULL, 0)", SYS_clone3, {0, 0}},
	{"ioctl(-1, TCGETS)", SYS_ioctl, {NEG1, 0x5401, 0}},
	{"ioctl(-1, TIOCSTI)", SYS_ioctl, {NEG1, 0x5412, 0}},
	/* no such pid: nothing is ever traced */
	{"ptrace(0x7fff, -1)", SYS_ptrace, {0x7fff, NEG1, 0, 0}},
	{"ptrace(PTRACE_ATTACH, -1)", SYS_ptrace, {16, NEG1, 0, 0}},
	{"unshare(0x1)", SYS_unshare, {1}},
	{"setns(-1, 0)", SYS_setns, {NEG1, 0}},
	{"io_uring_setup(0, NULL)", SYS_io_uring_setup, {0, 0}},
	{"mseal(-1, 0, 0)", 462, {NEG1, 0, 0}},
	{"listmount(NULL, NULL, 0, 0)", 458, {0, 0, 0, 0}},
	{"file_setattr(3, NULL, NULL, 0, 0)", 469, {3, 0, 0, 0, 0}},
	{"file_setattr(4, NULL, NULL, 0, 0)", 469, {4, 0, 0, 0, 0}},
	{"syscall 1000", 1000, {0xdeadbeef, 0xcafefeed, 0x1337}},
	/* x32 */
	{"x32 getpid()", X32 | 39, {0}},
	{"x32 getppid()", X32 | 110, {0}},
	{"x32 gettid()", X32 | 186, {0}},
	{"x32 write(-1, NULL, 0)", X32 | 1, {NEG1, 0, 0}},
	{"x32 personality(0xffffffff)", X32 | 135, {0xffffffffULL}},
	{"x32 personality(-1)", X32 | 135, {NEG1}},
	{"x32 personality(0xfffffffe)", X32 | 135, {0xfffffffeULL}},
	{"x32 dup(5)", X32 | 32, {5}},
	{"x32 rt_sigaction (512)", X32 | 512, {0}},
	{"x32 syscall 1000", X32 | 1000, {0}},
};

static const char *const profiles[] = {
	"tests/sim/profiles/modes.json",
	"tests/sim/profiles/operators.json",
	"tests/sim/profiles/compat.json",
	"tests/sim/profiles/allow_x86_64_only.json",
	"tests/sim/profiles/supplement_deny.json",
	"tests/sim/profiles/skip_default_kill.json",
	"tests/sim/profiles/default_trap.json",
	"tests/sim/profiles/default_errno_ret.json",
	"tests/sim/profiles/default_kill_thread.json",
	"tests/fixtures/corpus/runc_seccomp_syscall_test1.json",
	"tests/fixtures/corpus/moby-profiles_default.json",
	"policies/default.json",
	"policies/strict.json",
	/* groups, exclusions and constrained members */
	"tests/sim/profiles/groups.json",
	"policies/curl-download.json",
	"policies/cli-tool.json",
};

/* --- the child --- */

struct outcome {
	int done; /* the call returned (or trapped) and was recorded */
	int trapped;
	int trap_data;
	int trap_nr;
	long ret;
	int err;
	int load_errno; /* seccomp(2) failed */
};

static struct outcome *shared;

static __attribute__((noreturn)) void child_exit(void)
{
	syscall(SYS_exit_group, 0);
	syscall(SYS_exit, 0);
	for (;;) /* both denied: the parent kills us once it has the result */
		;
}

static void on_sigsys(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	if (__atomic_load_n(&shared->done, __ATOMIC_SEQ_CST))
		child_exit(); /* exit_group itself trapped: the result is in */
	shared->trapped = 1;
	shared->trap_data = si->si_errno;
	shared->trap_nr = si->si_syscall;
	__atomic_store_n(&shared->done, 1, __ATOMIC_SEQ_CST);
	child_exit();
}

static __attribute__((noreturn)) void child(const struct sock_filter *prog, size_t len, const struct probe *p)
{
	struct sigaction sa = {.sa_sigaction = on_sigsys, .sa_flags = SA_SIGINFO};
	sigemptyset(&sa.sa_mask);
	sigaction(SIGSYS, &sa, NULL);
	/* A seccomp kill dumps core; not here. */
	struct rlimit no_core = {0, 0};
	setrlimit(RLIMIT_CORE, &no_core);
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	if (prog) {
		struct sock_fprog fprog = {.len = (unsigned short)len, .filter = (struct sock_filter *)prog};
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
		    syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &fprog) < 0) {
			shared->load_errno = errno ? errno : -1;
			__atomic_store_n(&shared->done, 1, __ATOMIC_SEQ_CST);
			child_exit();
		}
	}
	errno = 0;
	long r = syscall(p->nr, p->a[0], p->a[1], p->a[2], p->a[3], p->a[4], p->a[5]);
	int e = errno;
	shared->ret = r;
	shared->err = r == -1 ? e : 0;
	__atomic_store_n(&shared->done, 1, __ATOMIC_SEQ_CST);
	child_exit();
}

/* --- the parent --- */

enum how {
	HOW_RETURNED,
	HOW_TRAPPED,
	HOW_SIGSYS,
	HOW_OTHER
};

struct result {
	enum how how;
	long ret;
	int err;    /* errno when ret == -1 */
	int data;   /* TRAP data */
	int status; /* wait status, for messages */
};

static void sleep_us(long us)
{
	struct timespec ts = {us / 1000000, (us % 1000000) * 1000L};
	nanosleep(&ts, NULL);
}

static struct result run_probe(const struct sock_filter *prog, size_t len, const struct probe *p)
{
	memset(shared, 0, sizeof(*shared));
	fflush(NULL);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		child(prog, len, p);
	struct result res = {.how = HOW_OTHER};
	int status = 0;
	/* Once the child has recorded its result it is killed: it may be
	 * spinning because the profile denies exit_group.  A child that has
	 * not recorded anything within 10 s is a failure. */
	for (long waited_us = 0;; waited_us += 50) {
		pid_t w = waitpid(pid, &status, WNOHANG);
		assert_true(w >= 0);
		if (w == pid)
			break;
		if (__atomic_load_n(&shared->done, __ATOMIC_SEQ_CST) || waited_us > 10 * 1000 * 1000) {
			kill(pid, SIGKILL);
			assert_int_equal(waitpid(pid, &status, 0), pid);
			break;
		}
		sleep_us(50);
	}
	res.status = status;
	if (shared->load_errno)
		fail_msg("the child could not load the filter: %s", strerror(shared->load_errno));
	if (__atomic_load_n(&shared->done, __ATOMIC_SEQ_CST)) {
		if (shared->trapped) {
			res.how = HOW_TRAPPED;
			res.data = shared->trap_data;
		} else {
			res.how = HOW_RETURNED;
			res.ret = shared->ret;
			res.err = shared->err;
		}
	} else if (WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS) {
		res.how = HOW_SIGSYS;
	}
	return res;
}

static void describe(const struct result *r, char *buf, size_t size)
{
	switch (r->how) {
	case HOW_RETURNED:
		if (r->ret == -1)
			snprintf(buf, size, "errno %d (%s)", r->err, strerrorname_np(r->err) ?: "?");
		else
			snprintf(buf, size, "returned %ld", r->ret);
		break;
	case HOW_TRAPPED: snprintf(buf, size, "trapped with data %d", r->data); break;
	case HOW_SIGSYS: snprintf(buf, size, "killed by SIGSYS"); break;
	default: snprintf(buf, size, "ended otherwise (wait status 0x%x)", r->status); break;
	}
}

static bool same(const struct result *a, const struct result *b)
{
	if (a->how != b->how)
		return false;
	if (a->how == HOW_TRAPPED)
		return a->data == b->data;
	if (a->how != HOW_RETURNED)
		return true;
	if ((a->ret == -1) != (b->ret == -1))
		return false;
	return a->ret == -1 ? a->err == b->err : true;
}

static struct result baseline[TJ_ARRAY_SIZE(probes)];

/* Under a filter of its own (a container's), the kernel would combine it
 * with the probes' filters and the answers would not be the simulator's. */
static bool already_filtered(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	if (!f)
		return false;
	char line[256];
	int mode = 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Seccomp: %d", &mode) == 1)
			break;
	fclose(f);
	return mode != 0;
}

static bool skip_all;

static int setup(void **state)
{
	(void)state;
	if (already_filtered()) {
		const char *strict = getenv("TJ_STRICT_SKIPS");
		if (strict && strcmp(strict, "1") == 0) {
			fprintf(stderr,
				"test_sim_kernel: this process already has a seccomp filter (TJ_STRICT_SKIPS=1)\n");
			return -1;
		}
		print_message("test_sim_kernel: skipped: this process already has a seccomp filter\n");
		skip_all = true;
	}
	shared = mmap(NULL, sizeof(*shared), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (shared == MAP_FAILED)
		return -1;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	munmap(shared, sizeof(*shared));
	return 0;
}

/* The kernel's own answers, without a filter; each must be a plain return
 * (no probe may be fatal or trap by itself). */
static void test_baseline(void **state)
{
	(void)state;
	if (skip_all)
		skip();
	for (size_t i = 0; i < TJ_ARRAY_SIZE(probes); i++) {
		baseline[i] = run_probe(NULL, 0, &probes[i]);
		char d[96];
		describe(&baseline[i], d, sizeof(d));
		if (baseline[i].how != HOW_RETURNED)
			fail_msg("probe %s without a filter: %s", probes[i].name, d);
	}
	/* x32 is off on this kernel: every x32 call is ENOSYS. */
	for (size_t i = 0; i < TJ_ARRAY_SIZE(probes); i++) {
		if (probes[i].nr & X32) {
			assert_int_equal(baseline[i].ret, -1);
			assert_int_equal(baseline[i].err, ENOSYS);
		}
	}
}

struct tally {
	size_t pairs, allowed, denied, ambiguous, mismatches;
	bool kind_seen[8]; /* ALLOW LOG ERRNO KILL_PROCESS KILL_THREAD TRAP TRACE NOTIFY */
	bool x32_killed, x32_allowed, x32_errno;
};
static struct tally tally;

/* The result the kernel must produce for a simulated action, given the
 * probe's baseline; false when the action cannot be told apart from the
 * baseline (an ERRNO equal to what the call returns anyway). */
static bool expected_result(uint32_t action, const struct result *base, struct result *want, int *kind)
{
	memset(want, 0, sizeof(*want));
	uint32_t data = action & SECCOMP_RET_DATA;
	switch (action & SECCOMP_RET_ACTION_FULL) {
	case SECCOMP_RET_ALLOW:
	case SECCOMP_RET_LOG:
		*want = *base;
		*kind = (action & SECCOMP_RET_ACTION_FULL) == SECCOMP_RET_ALLOW ? 0 : 1;
		return true;
	case SECCOMP_RET_ERRNO:
		want->how = HOW_RETURNED;
		want->ret = -1;
		want->err = (int)data;
		*kind = 2;
		break;
	case SECCOMP_RET_KILL_PROCESS:
	case SECCOMP_RET_KILL_THREAD:
		want->how = HOW_SIGSYS;
		*kind = (action & SECCOMP_RET_ACTION_FULL) == SECCOMP_RET_KILL_PROCESS ? 3 : 4;
		return true;
	case SECCOMP_RET_TRAP:
		want->how = HOW_TRAPPED;
		want->data = (int)data;
		*kind = 5;
		return true;
	case SECCOMP_RET_TRACE:
	case SECCOMP_RET_USER_NOTIF:
		want->how = HOW_RETURNED;
		want->ret = -1;
		want->err = ENOSYS;
		*kind = (action & SECCOMP_RET_ACTION_FULL) == SECCOMP_RET_TRACE ? 6 : 7;
		break;
	default: fail_msg("unexpected action 0x%08x", action);
	}
	return !same(want, base);
}

static void check_profile(const char *path)
{
	struct tj_profile *p = NULL;
	struct tj_err *err = NULL;
	if (tj_profile_load_file(path, path, &p, &err) < 0) {
		char *m = tj_err_format(err);
		fail_msg("%s", m);
	}
	struct tj_filter_opts o = {.mode = TJ_MODE_ENFORCE, .host = &kernel_host};
	struct tj_filter *f = NULL;
	if (tj_filter_compile(p, &o, &f, &err) < 0) {
		char *m = tj_err_format(err);
		fail_msg("%s", m);
	}
	const struct sock_filter *prog = f->truth ? f->truth : f->prog;
	size_t len = f->truth ? f->truth_len : f->len;
	size_t bad = 0;
	for (size_t i = 0; i < TJ_ARRAY_SIZE(probes); i++) {
		const struct probe *pr = &probes[i];
		struct seccomp_data d = {.nr = (int)pr->nr, .arch = AUDIT_ARCH_X86_64};
		for (int k = 0; k < 6; k++)
			d.args[k] = pr->a[k];
		uint32_t action = tj_bpf_run(prog, len, &d);
		struct result want;
		int kind = 0;
		bool distinct = expected_result(action, &baseline[i], &want, &kind);
		struct result got = run_probe(prog, len, pr);
		tally.pairs++;
		if (kind <= 1)
			tally.allowed++;
		else if (distinct)
			tally.denied++;
		else
			tally.ambiguous++;
		if (!same(&got, &want)) {
			char a[64], g[96], w[96];
			tj_filter_describe_action(action, a, sizeof(a));
			describe(&got, g, sizeof(g));
			describe(&want, w, sizeof(w));
			print_error("%s: %s: the simulator says %s, so the kernel should give %s; it gave %s\n", path,
				    pr->name, a, w, g);
			bad++;
			continue;
		}
		if (distinct || kind == 0 || kind == 1)
			tally.kind_seen[kind] = true;
		if (pr->nr & X32) {
			if (want.how == HOW_SIGSYS)
				tally.x32_killed = true;
			else if (kind == 0)
				tally.x32_allowed = true;
			else if (kind == 2 && distinct)
				tally.x32_errno = true;
		}
	}
	tally.mismatches += bad;
	tj_filter_free(f);
	tj_profile_free(p);
	if (bad)
		fail_msg("%s: %zu of %zu probes disagree with the simulator", path, bad, TJ_ARRAY_SIZE(probes));
}

static void test_profile(void **state)
{
	if (skip_all)
		skip();
	check_profile(*state);
}

/* Spot checks with known answers, so that a simulator and a kernel that
 * agreed on something wrong would still be caught. */
static void test_known_answers(void **state)
{
	(void)state;
	if (skip_all)
		skip();
	struct tj_profile *p = NULL;
	struct tj_err *err = NULL;
	assert_int_equal(tj_profile_load_file("tests/fixtures/corpus/runc_seccomp_syscall_test1.json", "runc1", &p,
					      &err),
			 0);
	struct tj_filter_opts o = {.mode = TJ_MODE_ENFORCE, .host = &kernel_host};
	struct tj_filter *f = NULL;
	assert_int_equal(tj_filter_compile(p, &o, &f, &err), 0);
	struct probe pvw = {"process_vm_writev(1337)", SYS_process_vm_writev, {1337, 0, 0, 0, 0, NEG1}};
	struct result r = run_probe(f->prog, f->len, &pvw);
	assert_int_equal(r.how, HOW_RETURNED);
	assert_int_equal(r.err, ENOANO); /* 55 */
	struct probe pvr = {"process_vm_readv(100)", SYS_process_vm_readv, {100, 0, 0, 0, 0, NEG1}};
	r = run_probe(f->prog, f->len, &pvr);
	assert_int_equal(r.err, EINVAL); /* allowed: the kernel rejects the flags */
	struct probe dup3_2 = {"dup3(2)", SYS_dup3, {2, (uint64_t)-100, 0xffff}};
	r = run_probe(f->prog, f->len, &dup3_2);
	assert_int_equal(r.err, EPERM);
	struct probe x32 = {"x32 write", X32 | 1, {NEG1, 0, 0}};
	r = run_probe(f->prog, f->len, &x32);
	assert_int_equal(r.how, HOW_SIGSYS);
	tj_filter_free(f);
	tj_profile_free(p);
}

static void test_coverage(void **state)
{
	(void)state;
	if (skip_all)
		skip();
	static const char *const names[8] = {"ALLOW",	    "LOG",  "ERRNO", "KILL_PROCESS",
					     "KILL_THREAD", "TRAP", "TRACE", "NOTIFY"};
	print_message("kernel: %zu (profile, call) pairs: %zu allowed, %zu decided by the filter, %zu where the "
		      "filter's answer equals the call's own\n",
		      tally.pairs, tally.allowed, tally.denied, tally.ambiguous);
	assert_int_equal(tally.mismatches, 0);
	assert_true(tally.pairs >= 40);
	assert_true(tally.denied >= 40);
	assert_true(tally.allowed >= 40);
	for (int i = 0; i < 8; i++)
		if (!tally.kind_seen[i])
			fail_msg("no pair checked %s against the kernel", names[i]);
	assert_true(tally.x32_killed);
	assert_true(tally.x32_allowed);
	assert_true(tally.x32_errno);
}

int main(void)
{
	size_t n = TJ_ARRAY_SIZE(profiles) + 3;
	struct CMUnitTest *tests = tj_xcalloc(n, sizeof(*tests));
	size_t k = 0;
	tests[k++] = (struct CMUnitTest){.name = "baseline", .test_func = test_baseline};
	tests[k++] = (struct CMUnitTest){.name = "known_answers", .test_func = test_known_answers};
	for (size_t i = 0; i < TJ_ARRAY_SIZE(profiles); i++)
		tests[k++] = (struct CMUnitTest){.name = profiles[i],
						 .test_func = test_profile,
						 .initial_state = (void *)profiles[i]};
	tests[k++] = (struct CMUnitTest){.name = "coverage", .test_func = test_coverage};
	int failed = _cmocka_run_group_tests("sim_kernel", tests, k, setup, teardown);
	free(tests);
	return failed;
}
