/* SPDX-License-Identifier: Apache-2.0 */
/*
 * faultinject: runs a program (tinyjail) under ptrace and makes one of the
 * system calls of its set-up path fail, for tests/faults/faults.py.
 *
 *   faultinject [--fail TASK:NR:OCC --errno E [--match I=V]... [--after T] [--hold T]]
 *               [--out FILE] --command EXE -- PROG ARGS...
 *
 * Every task of the tree is traced (fork, vfork, clone, threads).  A task is
 * named by its place in the tree: "0" is PROG, "0.2" the third task "0"
 * created, and so on, so that names do not depend on pids or on timing.
 * The set-up path is every system call from the marker PROG makes where its
 * own code starts (test builds, testhook.h: prctl(TJ_TESTHOOK_MARKER)),
 * before that the dynamic loader's and the sanitiser's, until a task execs
 * EXE (compared by device and inode): the command has started.  A call site
 * is (task, syscall number, occurrence of that number in that task).
 *
 * Without --fail it only counts: one line per call site of the set-up path.
 * With --fail, the call at that site is not made (its number is replaced by
 * -1, which the kernel skips) and returns -E.  A task that already has a
 * seccomp filter sees the replaced call as syscall -1, which its filter
 * judges (notes/testing.md).
 *
 * For a deterministic test of one fault (tests/faults/smoke.sh):
 *   --match I=V  only calls whose argument I (0-5) is V count toward OCC;
 *   --after T    the faulted call waits (its task held at the call) until
 *                task T exists and has made a system call of its own;
 *   --hold T     once the fault is made, task T is not let go: it stays
 *                stopped, with all it holds (shared descriptors), until it
 *                is killed, so that a hang that needs it alive is certain
 *                instead of a matter of timing.
 *
 * Written to --out (default stderr):
 *
 *   site TASK NR OCC NAME        (counting)
 *   injected TASK NR OCC NAME E  (the fault was made)
 *   exec TASK                    (the command started)
 *   fact KEY VALUE               (what confined the command when it started,
 *                                seen from outside: a command killed before
 *                                it can say so itself is still judged)
 *   exit CODE                    (PROG's status as a shell shows it)
 *   held TASK                    (--hold: still there when PROG ended; killed)
 *
 * x86_64 only; needs PTRACE_GET_SYSCALL_INFO (Linux 5.3).
 */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

#define TJ_TESTHOOK_MARKER 0x544a3139 /* testhook.h */
#define MAX_TASKS 4096
#define MAX_NR 512

struct task {
	pid_t tid;
	char name[128];
	unsigned children;
	bool named;	  /* its creator's event has been seen */
	bool parked;	  /* stopped until it is named */
	bool in_call;	  /* between a syscall's entry and exit */
	bool injecting;	  /* the current call is the fault */
	bool failing_brk; /* the fault is a brk: its argument goes back at the exit */
	unsigned long long brk_arg;
	bool called;	  /* has made a system call */
	bool held;	  /* --hold: left stopped */
	unsigned matched; /* calls of --fail's task and number that --match took */
	unsigned *occ;	  /* per syscall number, calls so far */
	int pending_sig;  /* a signal to pass on when it is resumed */
};

static struct task tasks[MAX_TASKS];
static size_t ntasks;
static FILE *out;
static bool counting, started;
/* Once the fault is made, or the command has started, there is nothing left
 * to do: every task is let go (LeakSanitizer cannot work under ptrace). */
static bool detaching;
static char fail_task[128];
static long fail_nr = -1;
static unsigned fail_occ;
static int fail_errno = EPERM;
static struct {
	unsigned idx;
	unsigned long long val;
} match[6];
static size_t nmatch;
static char after_task[128], hold_task[128];
/* --after: the task held at the faulted call, and that call's place. */
static pid_t waiter;
static unsigned waiter_occ;
static dev_t cmd_dev;
static ino_t cmd_ino;

static const char *syscall_name(long nr)
{
	static char buf[32];
	/* Enough to read the output; faults.py names the rest. */
	static const struct {
		long nr;
		const char *name;
	} names[] = {
		{SYS_read, "read"},	{SYS_write, "write"}, {SYS_openat, "openat"}, {SYS_close, "close"},
		{SYS_mmap, "mmap"},	{SYS_clone, "clone"}, {SYS_clone3, "clone3"}, {SYS_mkdir, "mkdir"},
		{SYS_mount, "mount"},	{SYS_pipe2, "pipe2"}, {SYS_prctl, "prctl"},   {SYS_seccomp, "seccomp"},
		{SYS_execve, "execve"},
	};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].nr == nr)
			return names[i].name;
	snprintf(buf, sizeof(buf), "%ld", nr);
	return buf;
}

static struct task *find(pid_t tid)
{
	for (size_t i = 0; i < ntasks; i++)
		if (tasks[i].tid == tid)
			return &tasks[i];
	return NULL;
}

static struct task *add(pid_t tid)
{
	if (ntasks == MAX_TASKS) {
		fprintf(stderr, "faultinject: too many tasks\n");
		exit(2);
	}
	struct task *t = &tasks[ntasks++];
	memset(t, 0, sizeof(*t));
	t->tid = tid;
	t->occ = calloc(MAX_NR, sizeof(unsigned));
	if (!t->occ)
		exit(2);
	return t;
}

static void remove_task(pid_t tid)
{
	struct task *t = find(tid);
	if (!t)
		return;
	free(t->occ);
	*t = tasks[--ntasks];
}

static bool is_command(pid_t tid)
{
	char path[64];
	struct stat st;
	snprintf(path, sizeof(path), "/proc/%d/exe", (int)tid);
	return stat(path, &st) == 0 && st.st_dev == cmd_dev && st.st_ino == cmd_ino;
}

/* The command's confinement at its exec, in probe confinement's words. */
static void exec_facts(pid_t tid)
{
	char path[64], line[512];
	snprintf(path, sizeof(path), "/proc/%d/status", (int)tid);
	FILE *f = fopen(path, "re");
	while (f && fgets(line, sizeof(line), f))
		if (strncmp(line, "Seccomp:", 8) == 0 || strncmp(line, "NoNewPrivs:", 11) == 0 ||
		    strncmp(line, "CapEff:", 7) == 0)
			fprintf(out, "fact %s", line);
	if (f)
		fclose(f);
	static const char *const ns[] = {"user", "mnt", "pid", "net", "ipc", "uts", "cgroup"};
	for (size_t i = 0; i < sizeof(ns) / sizeof(ns[0]); i++) {
		char target[128];
		snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)tid, ns[i]);
		ssize_t k = readlink(path, target, sizeof(target) - 1);
		target[k > 0 ? k : 0] = '\0';
		fprintf(out, "fact ns_%s %s\n", ns[i], target);
	}
	snprintf(path, sizeof(path), "/proc/%d/cgroup", (int)tid);
	f = fopen(path, "re");
	while (f && fgets(line, sizeof(line), f))
		fprintf(out, "fact cgroup %s", line);
	if (f)
		fclose(f);
	snprintf(path, sizeof(path), "/proc/%d/limits", (int)tid);
	f = fopen(path, "re");
	unsigned long long soft;
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "Max open files %llu", &soft) == 1)
			fprintf(out, "fact nofile %llu\n", soft);
	if (f)
		fclose(f);
}

/* A task with a seccomp filter judges the replaced call as syscall -1. */
static bool has_filter(pid_t tid)
{
	char path[64], line[256];
	snprintf(path, sizeof(path), "/proc/%d/status", (int)tid);
	FILE *f = fopen(path, "re");
	bool filtered = false;
	while (f && fgets(line, sizeof(line), f))
		if (strncmp(line, "Seccomp:", 8) == 0)
			filtered = atoi(line + 8) != 0;
	if (f)
		fclose(f);
	return filtered;
}

static void resume(struct task *t)
{
	int sig = t->pending_sig;
	t->pending_sig = 0;
	if (detaching && hold_task[0] && strcmp(t->name, hold_task) == 0) {
		t->held = true; /* stays stopped */
		return;
	}
	if (detaching) {
		ptrace(PTRACE_DETACH, t->tid, 0, (void *)(long)sig);
		return;
	}
	ptrace(PTRACE_SYSCALL, t->tid, 0, (void *)(long)sig);
}

/* Lets every task go: the stopped one now, the others at their next stop. */
static void detach_all(struct task *current)
{
	detaching = true;
	for (size_t i = 0; i < ntasks; i++)
		if (&tasks[i] != current)
			ptrace(PTRACE_INTERRUPT, tasks[i].tid, 0, 0);
}

static bool args_match(const struct __ptrace_syscall_info *info)
{
	for (size_t i = 0; i < nmatch; i++)
		if (info->entry.args[match[i].idx] != match[i].val)
			return false;
	return true;
}

/* --after: task T exists and has run (made a call) on its own. */
static bool after_ready(void)
{
	for (size_t i = 0; i < ntasks; i++)
		if (strcmp(tasks[i].name, after_task) == 0 && tasks[i].named && tasks[i].called)
			return true;
	return false;
}

/* The fault: t is stopped at the entry of call nr, its occ-th. */
static void inject(struct task *t, long nr, unsigned occ)
{
	struct user_regs_struct regs;
	if (ptrace(PTRACE_GETREGS, t->tid, 0, &regs) < 0)
		return;
	/* brk never returns -errno: when it cannot move the break
	 * it returns the old one, which brk(0) gives; callers
	 * (malloc) check that, not errno.  Its argument is put
	 * back at the exit: glibc's __brk compares the result
	 * with the register that held it (the kernel keeps it),
	 * and a 0 left there reads as success (malloc then uses
	 * memory it never got: SIGSEGV in sysmalloc). */
	t->failing_brk = nr == SYS_brk;
	if (t->failing_brk) {
		t->brk_arg = regs.rdi;
		regs.rdi = 0;
	} else {
		regs.orig_rax = (unsigned long long)-1;
	}
	if (ptrace(PTRACE_SETREGS, t->tid, 0, &regs) < 0)
		return;
	t->injecting = true;
	fprintf(out, "injected %s %ld %u %s %d%s\n", t->name, nr, occ, syscall_name(nr), fail_errno,
		has_filter(t->tid) ? " filtered" : "");
	fflush(out);
}

/* Whether t is to be resumed (not when it waits for --after's task). */
static bool on_syscall(struct task *t)
{
	struct __ptrace_syscall_info info;
	if (ptrace(PTRACE_GET_SYSCALL_INFO, t->tid, (void *)sizeof(info), &info) < 0)
		return true;
	if (info.op == PTRACE_SYSCALL_INFO_ENTRY) {
		t->in_call = true;
		t->called = true;
		struct task *w = waiter ? find(waiter) : NULL;
		if (w && w != t && after_ready()) {
			waiter = 0;
			inject(w, fail_nr, waiter_occ);
			ptrace(PTRACE_SYSCALL, w->tid, 0, 0);
		}
		long nr = (long)info.entry.nr;
		if (!counting && strcmp(t->name, "0") == 0 && nr == SYS_prctl &&
		    info.entry.args[0] == TJ_TESTHOOK_MARKER) {
			counting = true;
			return true;
		}
		if (!counting || started || nr < 0 || nr >= MAX_NR)
			return true;
		/* Ending a task is not a fault that can happen. */
		if (nr == SYS_exit || nr == SYS_exit_group || nr == SYS_rt_sigreturn || nr == SYS_restart_syscall)
			return true;
		unsigned occ = ++t->occ[nr];
		if (fail_nr < 0) {
			fprintf(out, "site %s %ld %u %s\n", t->name, nr, occ, syscall_name(nr));
			return true;
		}
		if (nr == fail_nr && strcmp(t->name, fail_task) == 0 && args_match(&info) &&
		    (nmatch ? ++t->matched : occ) == fail_occ) {
			if (after_task[0] && !after_ready()) {
				waiter = t->tid;
				waiter_occ = nmatch ? t->matched : occ;
				return false;
			}
			inject(t, nr, nmatch ? t->matched : occ);
		}
	} else if (info.op == PTRACE_SYSCALL_INFO_EXIT) {
		t->in_call = false;
		if (t->injecting) {
			struct user_regs_struct regs;
			if (ptrace(PTRACE_GETREGS, t->tid, 0, &regs) == 0) {
				if (t->failing_brk)
					regs.rdi = t->brk_arg; /* rax: the old break */
				else
					regs.rax = (unsigned long long)(long long)-fail_errno;
				ptrace(PTRACE_SETREGS, t->tid, 0, &regs);
			}
			t->injecting = false;
			detach_all(t);
		}
	}
	return true;
}

static int usage(void)
{
	fprintf(stderr,
		"usage: faultinject [--fail TASK:NR:OCC --errno E [--match I=V]... [--after TASK] [--hold TASK]]\n"
		"                   [--out FILE] --command EXE -- PROG ARGS...\n");
	return 2;
}

int main(int argc, char **argv)
{
	out = stderr;
	const char *command = NULL;
	int i = 1;
	for (; i < argc && strcmp(argv[i], "--") != 0; i++) {
		if (strcmp(argv[i], "--fail") == 0 && i + 1 < argc) {
			char *spec = argv[++i];
			char *c1 = strchr(spec, ':');
			char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
			if (!c2 || (size_t)(c1 - spec) >= sizeof(fail_task))
				return usage();
			memcpy(fail_task, spec, (size_t)(c1 - spec));
			fail_nr = atol(c1 + 1);
			fail_occ = (unsigned)atoi(c2 + 1);
		} else if (strcmp(argv[i], "--match") == 0 && i + 1 < argc && nmatch < 6) {
			char *eq = strchr(argv[++i], '=');
			if (!eq || atoi(argv[i]) < 0 || atoi(argv[i]) > 5)
				return usage();
			match[nmatch].idx = (unsigned)atoi(argv[i]);
			match[nmatch++].val = strtoull(eq + 1, NULL, 0);
		} else if (strcmp(argv[i], "--after") == 0 && i + 1 < argc &&
			   strlen(argv[i + 1]) < sizeof(after_task)) {
			strcpy(after_task, argv[++i]);
		} else if (strcmp(argv[i], "--hold") == 0 && i + 1 < argc && strlen(argv[i + 1]) < sizeof(hold_task)) {
			strcpy(hold_task, argv[++i]);
		} else if (strcmp(argv[i], "--errno") == 0 && i + 1 < argc) {
			fail_errno = atoi(argv[++i]);
		} else if (strcmp(argv[i], "--out") == 0 && i + 1 < argc) {
			out = fopen(argv[++i], "we");
			if (!out)
				return 2;
		} else if (strcmp(argv[i], "--command") == 0 && i + 1 < argc) {
			command = argv[++i];
		} else {
			return usage();
		}
	}
	if (i + 1 >= argc || !command)
		return usage();
	struct stat st;
	if (stat(command, &st) < 0) {
		perror(command);
		return 2;
	}
	cmd_dev = st.st_dev;
	cmd_ino = st.st_ino;
	setvbuf(out, NULL, _IOLBF, 0);

	pid_t root = fork();
	if (root < 0)
		return 2;
	if (root == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		raise(SIGSTOP);
		execvp(argv[i + 1], argv + i + 1);
		_exit(127);
	}
	if (ptrace(PTRACE_SEIZE, root, 0,
		   (void *)(long)(PTRACE_O_TRACESYSGOOD | PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK |
				  PTRACE_O_TRACECLONE | PTRACE_O_TRACEEXEC | PTRACE_O_EXITKILL)) < 0) {
		perror("PTRACE_SEIZE");
		kill(root, SIGKILL);
		return 2;
	}
	fprintf(out, "pid %d\n", (int)root);
	struct task *r = add(root);
	strcpy(r->name, "0");
	r->named = true;
	/* It stopped itself before exec; let it go on, traced. */
	int status;
	if (waitpid(root, &status, WSTOPPED) < 0)
		return 2;
	ptrace(PTRACE_SYSCALL, root, 0, 0);
	kill(root, SIGCONT);

	int root_status = -1;
	for (;;) {
		pid_t tid = waitpid(-1, &status, __WALL);
		if (tid < 0) {
			if (errno == EINTR)
				continue;
			break; /* ECHILD: every task is gone */
		}
		struct task *t = find(tid);
		if (WIFEXITED(status) || WIFSIGNALED(status)) {
			if (tid == root) {
				root_status = status;
				/* What PROG left held: killed, and said. */
				for (size_t k = 0; k < ntasks; k++)
					if (tasks[k].held) {
						fprintf(out, "held %s\n", tasks[k].name);
						kill(tasks[k].tid, SIGKILL);
					}
			}
			/* The faulted call ended its task (its filter killed it). */
			if (t && t->injecting && !detaching)
				detach_all(NULL);
			remove_task(tid);
			continue;
		}
		if (!WIFSTOPPED(status))
			continue;
		if (!t) {
			/* A new task whose creator's event comes later. */
			t = add(tid);
		}
		int sig = WSTOPSIG(status);
		int event = status >> 16;
		if (!t->named && !detaching) {
			/* Its calls cannot be named yet: wait for the creator. */
			if (event == 0 && sig != SIGSTOP)
				t->pending_sig = sig;
			t->parked = true;
			continue;
		}
		if (sig == (SIGTRAP | 0x80)) {
			if (!on_syscall(t))
				continue;
		} else if (event == PTRACE_EVENT_FORK || event == PTRACE_EVENT_VFORK || event == PTRACE_EVENT_CLONE) {
			unsigned long child;
			if (ptrace(PTRACE_GETEVENTMSG, tid, 0, &child) == 0) {
				struct task *c = find((pid_t)child);
				if (!c)
					c = add((pid_t)child);
				snprintf(c->name, sizeof(c->name), "%.100s.%u", t->name, t->children++);
				c->named = true;
				if (c->parked) {
					c->parked = false;
					resume(c);
				}
			}
		} else if (event == PTRACE_EVENT_EXEC) {
			if (!started && tid != root && is_command(tid)) {
				started = true;
				fprintf(out, "exec %s\n", t->name);
				exec_facts(tid);
				detach_all(t);
			}
		} else if (event == PTRACE_EVENT_STOP) {
			/* the initial stop of a new task, or a group stop */
		} else if (event == 0) {
			t->pending_sig = sig; /* a signal on its way: pass it on */
		}
		resume(t);
	}
	if (root_status < 0)
		return 2;
	int code = WIFEXITED(root_status) ? WEXITSTATUS(root_status) : 128 + WTERMSIG(root_status);
	fprintf(out, "exit %d\n", code);
	return 0;
}
