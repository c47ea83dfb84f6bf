/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `tinyjail learn --fuzz SEEDS -o FILE -- program [args] [@@]`: the fuzzing
 * refinement loop (notes/fuzz-learn.md).
 *
 *   1. The profile to start from: -o's with --merge, --from's, or nothing.
 *   2. Calibration: afl-showmap runs every seed through the target's
 *      forkserver under `tinyjail learn --afl --journal`, so the profile
 *      learns what AFL++'s harness needs (shmat, the forkserver's fork and
 *      wait) and what the seeds do.  afl-showmap ends its target with
 *      SIGKILL, so the journal, not the learn run's output, is read.  Every
 *      seed also runs once plainly (no forkserver), so what only the
 *      calibration made is the harness: the rounds' profiles allow it (the
 *      forkserver runs under them), the profile written for the program
 *      does not.
 *   3. Rounds: afl-fuzz (--jobs N instances, -M/-S, one output directory
 *      per round and profile) runs the target under `tinyjail --afl
 *      --kill-via=kernel` with the profile in enforce mode, so a call the
 *      profile does not allow kills the fuzzed child with SIGSYS: a crash
 *      `sig:31` to AFL.  Each such input is replayed by `tinyjail learn
 *      --merge` (complain mode: every missing call on its path, with its
 *      arguments); a replay that ends by a signal is a genuine crash,
 *      reported and never learned from.  Hangs (afl-fuzz's hangs/) are
 *      replayed the same way, with a longer timeout: a slow path can need
 *      a call that afl-fuzz's timeout never let it reach.  When a replay learns something
 *      the round stops and the next starts with the grown profile, seeded
 *      with the seeds, the round's queue and the replayed inputs.
 *   4. A round that runs its whole budget (--budget time, --budget-execs)
 *      without learning anything ends the loop; so do --max-time and
 *      Ctrl-C (the profile so far is written, marked incomplete).
 *
 * Everything runs as child processes (afl-fuzz, afl-showmap, tinyjail
 * itself), so this process never becomes a subreaper or a supervisor.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tj/base/cleanup.h"
#include "tj/base/outfile.h"
#include "tj/cli/cmd.h"
#include "tj/json/profile_json.h"
#include "tj/json/profile_write.h"
#include "tj/launch/launch.h"
#include "tj/learn/model.h"
#include "tj/learn/recorder.h"

extern char **environ;

#define MAX_JOBS 64
#define POLL_MS 250
#define PROGRESS_MS 5000
#define REPLAY_TIMEOUT "30s"
#define HANG_TIMEOUT "10s" /* a hang's replay: afl-fuzz gave it about 1 s */

static volatile sig_atomic_t stop_signal;

static void on_stop(int sig)
{
	stop_signal = sig;
}

static uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void sleep_ms(unsigned ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

/* --- the campaign's state --- */

struct finding {
	char *input;   /* the crash file (or its copy) */
	int sig;       /* what AFL saw; 0: a hang */
	char *verdict; /* "learned: uname socket", "genuine crash: SIGABRT", "nothing new" */
	unsigned round;
};

struct fuzz {
	const struct tj_options *o;
	char *self;	/* tinyjail */
	char *afl_fuzz; /* afl-fuzz */
	char *afl_showmap;
	char *dir;		       /* the campaign's files */
	char *target;		       /* the command, resolved */
	bool at_at;		       /* the command takes the input as a file (@@) */
	struct tj_strv env;	       /* afl-fuzz's and afl-showmap's environment */
	struct tj_learn_model m;       /* the program's: what the -o file gets */
	struct tj_learn_model harness; /* what only the calibration (the forkserver) made */
	uint64_t start_ms;
	uint64_t execs; /* over all rounds */
	unsigned rounds;
	size_t inputs; /* the last round's corpus */
	struct finding *findings;
	size_t nfindings;
	size_t replays;
	FILE *curve; /* seconds, execs, syscalls, pairs */
	struct point {
		double seconds;
		uint64_t execs;
		size_t names, pairs;
	} * points;
	size_t npoints;
	bool converged;
	const char *why_stopped;
	char calibration[32]; /* the calibration's run id */
};

static void fuzz_done(struct fuzz *f)
{
	free(f->self);
	free(f->afl_fuzz);
	free(f->afl_showmap);
	free(f->dir);
	free(f->target);
	tj_strv_done(&f->env);
	tj_learn_model_done(&f->m);
	tj_learn_model_done(&f->harness);
	for (size_t i = 0; i < f->nfindings; i++) {
		free(f->findings[i].input);
		free(f->findings[i].verdict);
	}
	free(f->findings);
	free(f->points);
	if (f->curve)
		fclose(f->curve);
}

/* The allowed syscall names of a model, for "what did this add". */
static void model_names(const struct tj_learn_model *m, struct tj_strv *out)
{
	for (size_t i = 0; i < m->n; i++)
		if (m->v[i].action == TJ_ACT_ALLOW && !tj_strv_contains(out, m->v[i].name))
			tj_strv_add(out, m->v[i].name);
}

static void curve_point(struct fuzz *f)
{
	struct tj_strv names = {0};
	model_names(&f->m, &names);
	struct point pt = {(double)(now_ms() - f->start_ms) / 1000.0, f->execs, names.n, f->m.n};
	fprintf(f->curve, "%.1f\t%" PRIu64 "\t%zu\t%zu\n", pt.seconds, pt.execs, pt.names, pt.pairs);
	fflush(f->curve);
	f->points = tj_xrealloc(f->points, (f->npoints + 1) * sizeof(*f->points));
	f->points[f->npoints++] = pt;
	tj_strv_done(&names);
}

/* --- child processes --- */

/* Starts argv with env, stdin from in_path (or /dev/null), stdout and
 * stderr to log_path, in a session of its own: a program that opens
 * /dev/tty meets no terminal (as under afl-fuzz, which calls setsid) rather
 * than the user's keyboard, and the terminal's Ctrl-C reaches only this
 * process, which stops its children itself.  Returns the pid, or -1
 * (reported). */
static pid_t spawn(char *const argv[], char *const envp[], const char *in_path, const char *log_path)
{
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, in_path ? in_path : "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, log_path, O_WRONLY | O_CREAT | O_APPEND, 0600);
	posix_spawn_file_actions_adddup2(&fa, 1, 2);
	posix_spawnattr_t at;
	posix_spawnattr_init(&at);
	sigset_t none;
	sigemptyset(&none);
	posix_spawnattr_setsigmask(&at, &none);
	/* Signals the shell ignored for a background job stay ignored across
	 * exec: the children get the defaults. */
	sigset_t def;
	sigemptyset(&def);
	sigaddset(&def, SIGINT);
	sigaddset(&def, SIGTERM);
	sigaddset(&def, SIGHUP);
	posix_spawnattr_setsigdefault(&at, &def);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSID);
	pid_t pid;
	int r = posix_spawn(&pid, argv[0], &fa, &at, argv, envp);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&at);
	if (r != 0) {
		fprintf(stderr, "tinyjail: learn --fuzz: cannot start %s: %s\n", argv[0], strerror(r));
		return -1;
	}
	return pid;
}

/* Waits for pid; the status as a shell gives it (128+N for signal N).
 * Ctrl-C (or SIGTERM) meanwhile is passed on once: the child is in its own
 * session and would not see the terminal's. */
static int wait_status(pid_t pid)
{
	int st;
	bool passed = false;
	while (waitpid(pid, &st, 0) < 0) {
		if (errno != EINTR)
			return -1;
		if (stop_signal && !passed) {
			kill(pid, SIGTERM);
			passed = true;
		}
	}
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* The last lines of a log, for an error message (AFL colours stripped). */
static void print_log_tail(const char *path, int lines)
{
	FILE *fp = fopen(path, "re");
	if (!fp)
		return;
	char *ring[16] = {0};
	char *line = NULL;
	size_t cap = 0, n = 0;
	while (getline(&line, &cap, fp) >= 0) {
		char *w = line;
		for (char *r = line; *r; r++) {
			if (*r == '\033') {
				while (*r && *r != 'm')
					r++;
				if (!*r)
					break;
				continue;
			}
			*w++ = *r;
		}
		*w = '\0';
		if (!line[strspn(line, " \t\r\n")])
			continue;
		free(ring[n % 16]);
		ring[n % 16] = tj_xstrdup(line);
		n++;
	}
	free(line);
	fclose(fp);
	size_t first = n > (size_t)lines ? n - (size_t)lines : 0;
	for (size_t i = first; i < n; i++)
		fprintf(stderr, "tinyjail: learn --fuzz:   | %s", ring[i % 16]);
	for (size_t i = 0; i < 16; i++)
		free(ring[i]);
}

/* --- set-up --- */

static int find_tool(const char *name, char **ret)
{
	struct tj_err *err = NULL;
	if (tj_resolve_command(name, environ, ret, &err) == 0)
		return 0;
	tj_err_free(err);
	fprintf(stderr,
		"tinyjail: learn --fuzz: %s not found in PATH: install AFL++ (Debian: apt-get install afl++; "
		"tools/install-deps.sh fuzz)\n",
		name);
	return TJ_EXIT_ERROR;
}

/* A seed directory with at least one readable regular file. */
static int check_seeds(const char *dir)
{
	DIR *d = opendir(dir);
	if (!d) {
		fprintf(stderr, "tinyjail: learn --fuzz: cannot read the seed directory '%s': %s\n", dir,
			strerror(errno));
		return TJ_EXIT_ERROR;
	}
	size_t n = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		struct stat st;
		if (e->d_name[0] == '.' || fstatat(dirfd(d), e->d_name, &st, 0) < 0 || !S_ISREG(st.st_mode))
			continue;
		if (faccessat(dirfd(d), e->d_name, R_OK, AT_EACCESS) == 0)
			n++;
	}
	closedir(d);
	if (n == 0) {
		fprintf(stderr,
			"tinyjail: learn --fuzz: the seed directory '%s' holds no readable file: afl-fuzz needs at "
			"least one input to start from\n",
			dir);
		return TJ_EXIT_ERROR;
	}
	return 0;
}

/* The target must carry AFL++'s instrumentation: afl-fuzz cannot see it
 * through tinyjail (AFL_SKIP_BIN_CHECK), so it is looked for here, with
 * the signatures of persistent mode and deferred start-up, which AFL++
 * would otherwise have found in the binary itself. */
static int check_target(struct fuzz *f, bool *persistent, bool *deferred)
{
	int fd = open(f->target, O_RDONLY | O_CLOEXEC);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0) {
		fprintf(stderr, "tinyjail: learn --fuzz: cannot read '%s': %s\n", f->target, strerror(errno));
		if (fd >= 0)
			close(fd);
		return TJ_EXIT_ERROR;
	}
	void *p = st.st_size > 0 ? mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0) : MAP_FAILED;
	close(fd);
	bool shm = false;
	if (p != MAP_FAILED) {
		/* The signatures are put together at run time: were they in
		 * tinyjail's own binary, afl-showmap, which looks for them in
		 * the program it starts (tinyjail), would take tinyjail for a
		 * persistent, deferred target. */
		char persist[32], defer[32];
		volatile char hash = '#';
		persist[0] = defer[0] = hash;
		memcpy(persist + 1, "#SIG_AFL_PERSISTENT##", 22);
		memcpy(defer + 1, "#SIG_AFL_DEFER_FORKSRV##", 25);
		shm = memmem(p, (size_t)st.st_size, "__AFL_SHM_ID", 12) != NULL;
		*persistent = memmem(p, (size_t)st.st_size, persist, 22) != NULL;
		*deferred = memmem(p, (size_t)st.st_size, defer, 25) != NULL;
		munmap(p, (size_t)st.st_size);
	}
	if (!shm) {
		fprintf(stderr,
			"tinyjail: learn --fuzz: '%s' is not instrumented for AFL++ (no __AFL_SHM_ID in it): build "
			"it with afl-clang-fast or afl-gcc-fast (Debian: afl++, afl++-clang).  Debian does not "
			"package QEMU mode, and AFL's non-instrumented mode has no coverage to tell new paths by, "
			"so the loop refuses rather than fuzz blind.  A shell script around the program is not "
			"seen through either: name the instrumented program itself.\n",
			f->target);
		return TJ_EXIT_ERROR;
	}
	return 0;
}

static void env_set(struct tj_strv *env, const char *name, const char *value, bool override)
{
	size_t len = strlen(name);
	for (size_t i = 0; i < env->n; i++) {
		if (strncmp(env->v[i], name, len) == 0 && env->v[i][len] == '=') {
			if (!override)
				return;
			free(env->v[i]);
			struct tj_buf b = {0};
			tj_buf_addf(&b, "%s=%s", name, value);
			env->v[i] = tj_buf_steal(&b);
			return;
		}
	}
	struct tj_buf b = {0};
	tj_buf_addf(&b, "%s=%s", name, value);
	tj_strv_add_owned(env, tj_buf_steal(&b));
}

/* afl-fuzz's environment: what it needs to run a wrapped target, and the
 * documented variables for the system checks it would otherwise stop at
 * (docs/env_variables.md).  System settings are never changed: each
 * variable set because of one is said. */
static void afl_env(struct fuzz *f, bool persistent, bool deferred)
{
	for (char **e = environ; *e; e++)
		tj_strv_add(&f->env, *e);
	env_set(&f->env, "AFL_SKIP_BIN_CHECK", "1", true); /* the first word is tinyjail */
	env_set(&f->env, "AFL_NO_UI", "1", true);
	env_set(&f->env, "AFL_NO_AFFINITY", "1", false);	    /* a shared machine */
	env_set(&f->env, "AFL_FORKSRV_INIT_TMOUT", "30000", false); /* tinyjail's start-up counts */
	if (persistent)
		env_set(&f->env, "__AFL_PERSISTENT", "1", true);
	if (deferred)
		env_set(&f->env, "__AFL_DEFER_FORKSRV", "1", true);
	bool quiet = f->o->verbosity < 0;
	char buf[256] = "";
	FILE *fp = fopen("/proc/sys/kernel/core_pattern", "re");
	if (fp) {
		if (!fgets(buf, sizeof(buf), fp))
			buf[0] = '\0';
		fclose(fp);
	}
	if (buf[0] == '|' && !getenv("AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES")) {
		env_set(&f->env, "AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES", "1", true);
		if (!quiet)
			fprintf(stderr,
				"tinyjail: learn --fuzz: note: /proc/sys/kernel/core_pattern sends core dumps to a "
				"program, which afl-fuzz refuses; AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 is set for "
				"it (the system setting is left as it is: `echo core > "
				"/proc/sys/kernel/core_pattern` as root would make crashes quicker to see)\n");
	}
	fp = fopen("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor", "re");
	buf[0] = '\0';
	if (fp) {
		if (!fgets(buf, sizeof(buf), fp))
			buf[0] = '\0';
		fclose(fp);
	}
	if (buf[0] && strncmp(buf, "performance", 11) != 0 && !getenv("AFL_SKIP_CPUFREQ")) {
		env_set(&f->env, "AFL_SKIP_CPUFREQ", "1", true);
		if (!quiet)
			fprintf(stderr,
				"tinyjail: learn --fuzz: note: the CPU frequency governor is '%.*s', which afl-fuzz "
				"refuses; AFL_SKIP_CPUFREQ=1 is set for it (the governor is left as it is)\n",
				(int)strcspn(buf, "\n"), buf);
	} else {
		env_set(&f->env, "AFL_SKIP_CPUFREQ", "1", false); /* no cpufreq here: nothing to check */
	}
}

/* The target's coverage map, when larger than afl-fuzz's default, must be
 * told to afl-fuzz (which cannot ask the binary behind tinyjail). */
static void map_size(struct fuzz *f)
{
	if (getenv("AFL_MAP_SIZE"))
		return;
	tj_autofree char *log = NULL;
	struct tj_buf b = {0};
	tj_buf_addf(&b, "%s/map-size", f->dir);
	log = tj_buf_steal(&b);
	struct tj_strv env = {0};
	for (char **e = environ; *e; e++)
		tj_strv_add(&env, *e);
	env_set(&env, "AFL_DUMP_MAP_SIZE", "1", true);
	char *argv[] = {f->target, NULL};
	pid_t pid = spawn(argv, env.v, NULL, log);
	tj_strv_done(&env);
	if (pid < 0 || wait_status(pid) != 0)
		return;
	FILE *fp = fopen(log, "re");
	unsigned long size = 0;
	if (fp) {
		if (fscanf(fp, "%lu", &size) != 1)
			size = 0;
		fclose(fp);
	}
	if (size > 65536) {
		char v[32];
		snprintf(v, sizeof(v), "%lu", size);
		env_set(&f->env, "AFL_MAP_SIZE", v, true);
	}
}

/* --- profiles --- */

static int write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return -1;
	size_t len = strlen(text), off = 0;
	while (off < len) {
		ssize_t w = write(fd, text + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			close(fd);
			return -1;
		}
		off += (size_t)w;
	}
	return close(fd);
}

/* The model as learn writes it, into path; with_harness: with what AFL++'s
 * forkserver needs (a round's profile, which the forkserver runs under). */
static int write_profile(struct fuzz *f, const char *path, bool with_harness)
{
	tj_autofree char *text = NULL;
	struct tj_err *err = NULL;
	struct tj_learn_model all = {0};
	if (with_harness) {
		tj_learn_model_merge(&all, &f->m);
		tj_learn_model_merge(&all, &f->harness);
	}
	int r = tj_cmd_learn_render_text(f->o, with_harness ? &all : &f->m, path, &text, NULL, &err);
	tj_learn_model_done(&all);
	if (r < 0) {
		int code = tj_cmd_report(err);
		tj_err_free(err);
		return code;
	}
	if (write_file(path, text) < 0) {
		fprintf(stderr, "tinyjail: learn --fuzz: cannot write '%s': %s\n", path, strerror(errno));
		return TJ_EXIT_ERROR;
	}
	return 0;
}

/* Reads a profile learn wrote (or any seccomp profile: its rules are kept
 * as written) and adds it to the model. */
static int merge_profile(struct fuzz *f, const char *path, const char *what)
{
	__attribute__((cleanup(tj_profile_freep))) struct tj_profile *p = NULL;
	struct tj_err *err = NULL;
	struct tj_learn_model add = {0};
	tj_autofree char *comment = NULL;
	if (tj_profile_load_file(path, path, &p, &err) < 0)
		goto fail;
	if (p->shape != TJ_SHAPE_SECCOMP) {
		tj_err_set(&err, TJ_ERR_USAGE, 0,
			   "%s '%s' is not a seccomp profile (an OCI config or a tinyjail profile)", what, path);
		goto fail;
	}
	comment = tj_profile_read_comment(p->text, p->text_len);
	if (tj_learn_model_from_profile(p, comment, &add, &err) < 0)
		goto fail;
	tj_learn_model_merge(&f->m, &add);
	tj_learn_model_done(&add);
	return 0;
fail:;
	tj_learn_model_done(&add);
	tj_err_wrap(&err, "%s", what);
	int code = tj_cmd_report(err);
	tj_err_free(err);
	return code;
}

/* The command with @@ replaced by path (afl-fuzz's own convention). */
static char **command_with(const struct fuzz *f, const char *path)
{
	struct tj_strv v = {0};
	for (char **a = f->o->command; *a; a++)
		tj_strv_add(&v, strcmp(*a, "@@") == 0 && path ? path : *a);
	return v.v;
}

static void argv_free(char **v)
{
	for (char **a = v; a && *a; a++)
		free(*a);
	free(v);
}

/* tinyjail's own words for a run of the target: the verb's, then the run
 * options the user gave, then the command. */
static void tinyjail_words(const struct fuzz *f, struct tj_strv *v, const char *const *own, const char *input)
{
	tj_strv_add(v, f->self);
	for (const char *const *w = own; *w; w++)
		tj_strv_add(v, *w);
	for (size_t i = 0; i < f->o->learn.nrun_args; i++)
		tj_strv_add(v, f->o->learn.run_args[i]);
	tj_strv_add(v, "--");
	char **cmd = command_with(f, input);
	for (char **a = cmd; *a; a++)
		tj_strv_add(v, *a);
	argv_free(cmd);
}

static char *path_in(const struct fuzz *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static char *path_in(const struct fuzz *f, const char *fmt, ...)
{
	char name[PATH_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(name, sizeof(name), fmt, ap);
	va_end(ap);
	struct tj_buf b = {0};
	tj_buf_addf(&b, "%s/%s", f->dir, name);
	return tj_buf_steal(&b);
}

/* One plain learn run of the program on input (no forkserver), from the
 * profile so far, as a child process.  Sets *st to its status; returns 0,
 * or -(exit code) when it did not run. */
static int learn_input(struct fuzz *f, const char *input, const char *what, const char *timeout, int *st,
		       char **prof_out)
{
	size_t k = ++f->replays;
	char *prof = path_in(f, "%s-%zu.json", what, k);
	tj_autofree char *log = path_in(f, "%s-%zu.log", what, k);
	int code = write_profile(f, prof, false);
	if (code) {
		free(prof);
		return -code;
	}
	struct tj_strv v = {0};
	const char *own[] = {"learn", "-q", "--timeout", timeout, "--merge", "-o", prof, NULL};
	tinyjail_words(f, &v, own, input);
	pid_t pid = spawn(v.v, environ, f->at_at ? NULL : input, log);
	tj_strv_done(&v);
	if (pid < 0) {
		free(prof);
		return -TJ_EXIT_ERROR;
	}
	*st = wait_status(pid);
	if (*st == TJ_EXIT_ERROR || *st == 126 || *st == 127) {
		fprintf(stderr, "tinyjail: learn --fuzz: the %s run of '%s' did not run (status %d, log: %s):\n", what,
			input, *st, log);
		print_log_tail(log, 6);
		free(prof);
		return -TJ_EXIT_ERROR;
	}
	*prof_out = prof;
	return 0;
}

/* Whether a learn run's status says the program itself died (SIGSEGV,
 * SIGABRT, ...): a bug, not a gap in the profile. */
static bool genuine_crash(int st)
{
	return st > 128 && st != 128 + SIGSYS && st != 128 + SIGKILL;
}

/* --- calibration --- */

/* Whether every bit of flag words a is in b. */
static bool flags_within(const struct tj_learn_entry *a, const struct tj_learn_entry *b)
{
	for (size_t k = 0; k < TJ_LEARN_MAX_ARGS; k++)
		if (a->flags[k] & ~b->flags[k])
			return false;
	return true;
}

/* The calibration's pairs: those the program's runs made too go to the
 * program's model, the rest (the forkserver's shmat, its fork's clone
 * flags, wait4, ...) to the harness's.  Returns how many went there. */
static size_t split_harness(struct fuzz *f, const struct tj_learn_model *cal, const char *run)
{
	size_t n = 0;
	for (size_t i = 0; i < cal->n; i++) {
		const struct tj_learn_entry *e = &cal->v[i];
		const struct tj_learn_entry *have = NULL;
		for (size_t j = 0; j < f->m.n && !have; j++)
			if (tj_learn_entry_cmp(&f->m.v[j], e) == 0)
				have = &f->m.v[j];
		bool program = have && flags_within(e, have);
		uint64_t calls = e->ncounts ? e->counts[0].calls : 1;
		tj_learn_model_add(program ? &f->m : &f->harness, e->name, e->action, e->errnum, e->spec, e->key,
				   e->flags, run, calls, e->program);
		n += !program;
	}
	return n;
}

/* afl-showmap's maps, one per seed: all the same means the program's path
 * did not depend on which seed it got (it may not read its input). */
static void check_maps(struct fuzz *f, const char *dir)
{
	DIR *d = opendir(dir);
	if (!d)
		return;
	struct dirent *e;
	size_t n = 0;
	bool same = true;
	struct tj_buf first = {0};
	while ((e = readdir(d)) && same) {
		if (e->d_name[0] == '.')
			continue;
		struct tj_buf p = {0};
		tj_buf_addf(&p, "%s/%s", dir, e->d_name);
		tj_autofree char *text = NULL;
		FILE *fp = fopen(p.s, "re");
		if (fp) {
			text = tj_xcalloc(1, 1 << 20);
			if (fread(text, 1, (1 << 20) - 1, fp) == 0)
				text[0] = '\0';
			fclose(fp);
		}
		tj_buf_done(&p);
		if (!text)
			continue;
		if (n++ == 0)
			tj_buf_add(&first, text);
		else
			same = strcmp(first.s ? first.s : "", text) == 0;
	}
	closedir(d);
	tj_buf_done(&first);
	if (n >= 2 && same && f->o->verbosity >= 0)
		fprintf(stderr,
			"tinyjail: learn --fuzz: warning: all %zu seeds took the same path through the program (the same "
			"coverage in %s): it may not read its input (@@ missing or in the wrong place?), or the seeds "
			"are too alike\n",
			n, dir);
}

/* The seeds, once each, through the forkserver, learning. */
static int calibrate(struct fuzz *f)
{
	tj_autofree char *prof = path_in(f, "calibration.json");
	tj_autofree char *journal = path_in(f, "calibration.journal");
	tj_autofree char *map = path_in(f, "calibration.map");
	tj_autofree char *log = path_in(f, "calibration.log");
	/* First every seed as a plain run, so that what only the forkserver
	 * needs can be told apart from what the program does (a seed left out
	 * here would have its calls taken for the harness's). */
	DIR *d = opendir(f->o->learn.fuzz);
	struct dirent *e;
	size_t seeds = 0, failed = 0, crashed = 0;
	int first_status = -1;
	bool same_status = true;
	tj_autofree char *first_log = NULL;
	while (d && (e = readdir(d)) && !stop_signal) {
		struct stat sst;
		if (e->d_name[0] == '.' || fstatat(dirfd(d), e->d_name, &sst, 0) < 0 || !S_ISREG(sst.st_mode))
			continue;
		struct tj_buf in = {0};
		tj_buf_addf(&in, "%s/%s", f->o->learn.fuzz, e->d_name);
		int st = 0;
		tj_autofree char *sp = NULL;
		int r = learn_input(f, in.s, "seed", REPLAY_TIMEOUT, &st, &sp);
		tj_buf_done(&in);
		if (r) {
			closedir(d);
			return -r;
		}
		if (!genuine_crash(st) && (r = merge_profile(f, sp, "a seed's profile"))) {
			closedir(d);
			return r;
		}
		unlink(sp);
		if (first_status < 0) {
			first_status = st;
			first_log = path_in(f, "seed-%zu.log", f->replays);
		}
		same_status &= st == first_status;
		failed += st != 0;
		crashed += genuine_crash(st);
		if (++seeds % 50 == 0 && f->o->verbosity >= 0)
			fprintf(stderr, "tinyjail: learn --fuzz: %zu seeds run once plainly\n", seeds);
	}
	if (d)
		closedir(d);
	if (stop_signal)
		return 0;
	/* afl-fuzz needs one seed that does not crash, and a crash is never
	 * learned from: nothing to start from (and nothing is written). */
	if (seeds && crashed == seeds) {
		const char *name = sigabbrev_np(first_status - 128);
		fprintf(stderr,
			"tinyjail: learn --fuzz: every seed crashes the program (the first with SIG%s, log: %s): a crash "
			"is the program's bug and is never learned from, and afl-fuzz needs at least one seed that "
			"does not crash; fix the program or give other seeds\n",
			name ? name : "?", first_log);
		print_log_tail(first_log, 4);
		return TJ_EXIT_ERROR;
	}
	/* Every seed ending the same way, and not well, is what a program
	 * that needs a terminal (there is none: the runs, like afl-fuzz's, are
	 * in sessions of their own), misses an argument or never looks at its
	 * input looks like.  Said, not refused: seeds can all be bad inputs. */
	if (seeds && failed == seeds && same_status && first_status < 128 && f->o->verbosity >= 0) {
		fprintf(stderr,
			"tinyjail: learn --fuzz: warning: every seed's run ended with status %d: if the program needs "
			"a terminal (it has none here, as under afl-fuzz), other arguments, or its input elsewhere "
			"(@@), fuzzing only explores that refusal; its last words (%s):\n",
			first_status, first_log);
		print_log_tail(first_log, 4);
	}
	int code = write_profile(f, prof, false);
	if (code)
		return code;
	struct tj_strv v = {0};
	tj_strv_add(&v, f->afl_showmap);
	const char *pre[] = {"-q", "-i", f->o->learn.fuzz, "-o", map, "-t", "30000", "--", NULL};
	for (const char **w = pre; *w; w++)
		tj_strv_add(&v, *w);
	const char *own[] = {"learn", "--afl", "-q", "--journal", journal, "--merge", "-o", prof, NULL};
	tinyjail_words(f, &v, own, f->at_at ? "@@" : NULL);
	if (mkdir(map, 0700) < 0 && errno != EEXIST) {
		tj_strv_done(&v);
		fprintf(stderr, "tinyjail: learn --fuzz: cannot create '%s': %s\n", map, strerror(errno));
		return TJ_EXIT_ERROR;
	}
	pid_t pid = spawn(v.v, f->env.v, NULL, log);
	tj_strv_done(&v);
	if (pid < 0)
		return TJ_EXIT_ERROR;
	int st = wait_status(pid);
	struct tj_learn_recorder *r = NULL;
	struct tj_err *err = NULL;
	if (access(journal, F_OK) < 0) {
		fprintf(stderr,
			"tinyjail: learn --fuzz: calibration learnt nothing: afl-showmap exited %d without running "
			"the target under tinyjail (log: %s):\n",
			st, log);
		print_log_tail(log, 8);
		return TJ_EXIT_ERROR;
	}
	if (tj_learn_recorder_new(f->target, NULL, &r, &err) < 0 ||
	    tj_learn_recorder_read_journal(r, journal, &err) < 0) {
		tj_learn_recorder_free(r);
		code = tj_cmd_report(err);
		tj_err_free(err);
		return code;
	}
	tj_autofree char *id = tj_learn_run_id();
	snprintf(f->calibration, sizeof(f->calibration), "%s", id);
	struct tj_learn_model cal = {0};
	tj_learn_recorder_collect(r, &cal, id);
	size_t harness = split_harness(f, &cal, id);
	tj_learn_model_done(&cal);
	struct tj_buf cmd = {0};
	tj_buf_addf(&cmd, "afl-showmap -i %s (the seeds through AFL++'s forkserver)", f->o->learn.fuzz);
	tj_learn_model_add_run(&f->harness, id, cmd.s, "calibration, complete");
	tj_learn_model_add_run(&f->m, id, cmd.s,
			       "calibration, complete; what only AFL++'s forkserver made is left out of this profile");
	if (f->o->verbosity >= 0)
		fprintf(stderr,
			"tinyjail: learn --fuzz: calibration: %" PRIu64
			" (syscall, argument class) pairs through AFL++'s forkserver, %zu of them only there (the "
			"harness: allowed while fuzzing, left out of %s)\n",
			tj_learn_recorder_stats(r)->pairs, harness, f->o->learn.output);
	tj_buf_done(&cmd);
	tj_learn_recorder_free(r);
	check_maps(f, map);
	return 0;
}

/* --- replays --- */

static void add_finding(struct fuzz *f, const char *input, int sig, unsigned round, char *verdict)
{
	f->findings = tj_xrealloc(f->findings, (f->nfindings + 1) * sizeof(*f->findings));
	f->findings[f->nfindings++] =
		(struct finding){.input = tj_xstrdup(input), .sig = sig, .verdict = verdict, .round = round};
}

/* Replays one input under learn (complain mode, every missing call on its
 * path, with arguments); sig 0: a hang, replayed with a longer timeout
 * (what it made until then is learnt too).  Returns 1 when it learnt
 * something, 0 when not, or -(exit code) on tinyjail's error. */
static int replay(struct fuzz *f, const char *input, int sig, unsigned round)
{
	int st = 0;
	tj_autofree char *prof = NULL;
	int code = learn_input(f, input, "replay", sig ? REPLAY_TIMEOUT : HANG_TIMEOUT, &st, &prof);
	if (code)
		return code;
	if (stop_signal) { /* the replay was stopped with the campaign */
		unlink(prof);
		return 0;
	}
	if (genuine_crash(st)) {
		/* Reported, never learned from. */
		const char *name = sigabbrev_np(st - 128);
		struct tj_buf b = {0};
		tj_buf_addf(&b, "genuine crash: the replay died of SIG%s (not learned from)", name ? name : "?");
		if (f->o->verbosity >= 0)
			fprintf(stderr, "tinyjail: learn --fuzz: round %u: %s: %s\n", round, input, b.s);
		add_finding(f, input, sig, round, tj_buf_steal(&b));
		unlink(prof);
		return 0;
	}
	struct tj_strv before = {0}, after = {0};
	model_names(&f->m, &before);
	size_t pairs = f->m.n;
	code = merge_profile(f, prof, "the replay's profile");
	if (code) {
		tj_strv_done(&before);
		return -code;
	}
	model_names(&f->m, &after);
	struct tj_buf b = {0};
	size_t added = 0;
	for (size_t i = 0; i < after.n; i++)
		if (!tj_strv_contains(&before, after.v[i])) {
			tj_buf_addf(&b, "%s%s", added ? " " : "", after.v[i]);
			added++;
		}
	bool learnt = f->m.n > pairs;
	char *verdict;
	if (added) {
		struct tj_buf t = {0};
		tj_buf_addf(&t, "learned %s (%zu new pair%s)", b.s, f->m.n - pairs, f->m.n - pairs == 1 ? "" : "s");
		verdict = tj_buf_steal(&t);
	} else if (learnt) {
		struct tj_buf t = {0};
		tj_buf_addf(&t, "learned %zu new argument class%s of allowed syscalls", f->m.n - pairs,
			    f->m.n - pairs == 1 ? "" : "es");
		verdict = tj_buf_steal(&t);
	} else {
		verdict = tj_xstrdup(st == TJ_EXIT_TIMEOUT
					     ? (sig ? "nothing new (the replay ran into its " REPLAY_TIMEOUT " timeout)"
						    : "nothing new (the replay still hung at " HANG_TIMEOUT ")")
				     : st == 128 + SIGKILL ? "nothing new (the replay was killed)"
							   : "nothing new (already allowed, or not reproduced)");
	}
	if (f->o->verbosity >= 0)
		fprintf(stderr, "tinyjail: learn --fuzz: round %u: %s: %s\n", round, input, verdict);
	add_finding(f, input, sig, round, verdict);
	tj_buf_done(&b);
	tj_strv_done(&before);
	tj_strv_done(&after);
	unlink(prof);
	if (learnt)
		curve_point(f);
	return learnt ? 1 : 0;
}

/* --- rounds --- */

struct instance {
	char name[16];
	char *out; /* the instance's directory */
	char *log;
	pid_t pid;
	int status;
	struct tj_strv seen; /* crash files handled */
};

/* "sig:NN" of an AFL crash file name; 0 when not there. */
static int crash_signal(const char *name)
{
	const char *s = strstr(name, "sig:");
	return s ? atoi(s + 4) : 0;
}

/* New files in an instance's crashes/ or hangs/: a crash by SIGSYS (the
 * filter) or a hang is replayed, a crash by any other signal reported.
 * Returns 1 when one taught something, or -(exit code). */
static int scan_dir(struct fuzz *f, struct instance *in, unsigned round, bool hangs)
{
	tj_autofree char *dir = NULL;
	struct tj_buf b = {0};
	tj_buf_addf(&b, "%s/%s", in->out, hangs ? "hangs" : "crashes");
	dir = tj_buf_steal(&b);
	DIR *d = opendir(dir);
	if (!d)
		return 0;
	struct tj_strv names = {0};
	struct dirent *e;
	while ((e = readdir(d))) {
		if (strncmp(e->d_name, "id:", 3) != 0)
			continue;
		struct tj_buf p = {0};
		tj_buf_addf(&p, "%s/%s", dir, e->d_name);
		if (!tj_strv_contains(&in->seen, p.s))
			tj_strv_add(&names, p.s);
		tj_buf_done(&p);
	}
	closedir(d);
	int learnt = 0;
	for (size_t i = 0; i < names.n && !stop_signal; i++) {
		tj_strv_add(&in->seen, names.v[i]);
		struct tj_buf p = {0};
		tj_buf_add(&p, names.v[i]);
		int sig = hangs ? 0 : crash_signal(strrchr(names.v[i], '/'));
		if (sig == SIGSYS || hangs) {
			int r = replay(f, p.s, sig, round);
			if (r < 0) {
				tj_buf_done(&p);
				tj_strv_done(&names);
				return r;
			}
			learnt |= r;
		} else {
			const char *name = sigabbrev_np(sig);
			struct tj_buf t = {0};
			tj_buf_addf(&t, "genuine crash: SIG%s under the profile (not learned from)", name ? name : "?");
			if (f->o->verbosity >= 0)
				fprintf(stderr, "tinyjail: learn --fuzz: round %u: %s: %s\n", round, p.s, t.s);
			add_finding(f, p.s, sig, round, tj_buf_steal(&t));
		}
		tj_buf_done(&p);
	}
	tj_strv_done(&names);
	return learnt;
}

static int scan_crashes(struct fuzz *f, struct instance *in, unsigned round)
{
	int r = scan_dir(f, in, round, false);
	if (r < 0)
		return r;
	int h = scan_dir(f, in, round, true);
	return h < 0 ? h : r | h;
}

/* A number from a "key : value" line of fuzzer_stats. */
static uint64_t stat_of(const char *out, const char *key)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/fuzzer_stats", out);
	FILE *fp = fopen(path, "re");
	if (!fp)
		return 0;
	char line[512];
	uint64_t v = 0;
	size_t len = strlen(key);
	while (fgets(line, sizeof(line), fp))
		if (strncmp(line, key, len) == 0 && (line[len] == ' ' || line[len] == ':')) {
			const char *c = strchr(line, ':');
			v = c ? strtoull(c + 1, NULL, 10) : 0;
			break;
		}
	fclose(fp);
	return v;
}

/* Executions so far: plot_data's last line (every 5 s), or fuzzer_stats. */
static uint64_t execs_of(const char *out)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/plot_data", out);
	FILE *fp = fopen(path, "re");
	uint64_t v = 0;
	if (fp) {
		char line[512];
		while (fgets(line, sizeof(line), fp)) {
			if (line[0] == '#')
				continue;
			/* relative_time, cycles_done, cur_item, corpus_count, pending_total,
			 * pending_favs, map_size, saved_crashes, saved_hangs, max_depth,
			 * execs_per_sec, total_execs, edges_found */
			char *s = line;
			for (int col = 0; col < 11 && s; col++)
				if ((s = strchr(s, ',')))
					s++;
			if (s)
				v = strtoull(s, NULL, 10);
		}
		fclose(fp);
	}
	uint64_t done = stat_of(out, "execs_done");
	return done > v ? done : v;
}

static void stop_instances(struct instance *in, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		if (in[i].pid > 0)
			kill(in[i].pid, SIGINT); /* afl-fuzz saves its state and ends */
	for (int t = 0; t < 200; t++) {
		bool left = false;
		for (unsigned i = 0; i < n; i++) {
			int st;
			if (in[i].pid > 0 && waitpid(in[i].pid, &st, WNOHANG) == in[i].pid) {
				in[i].status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
				in[i].pid = 0;
			}
			left |= in[i].pid > 0;
		}
		if (!left)
			return;
		sleep_ms(50);
	}
	for (unsigned i = 0; i < n; i++)
		if (in[i].pid > 0) {
			kill(in[i].pid, SIGKILL);
			in[i].status = wait_status(in[i].pid);
			in[i].pid = 0;
		}
}

/* Copies every regular file of dir (not dot files) into to, as prefix-N. */
static size_t copy_inputs(const char *dir, const char *to, const char *prefix, size_t *serial)
{
	DIR *d = opendir(dir);
	if (!d)
		return 0;
	size_t n = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		struct stat st;
		if (e->d_name[0] == '.' || fstatat(dirfd(d), e->d_name, &st, 0) < 0 || !S_ISREG(st.st_mode))
			continue;
		int in = openat(dirfd(d), e->d_name, O_RDONLY | O_CLOEXEC);
		if (in < 0)
			continue;
		char path[PATH_MAX];
		snprintf(path, sizeof(path), "%s/%s-%zu", to, prefix, (*serial)++);
		int out = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		char buf[65536];
		ssize_t r;
		bool ok = out >= 0;
		while (ok && (r = read(in, buf, sizeof(buf))) > 0)
			ok = write(out, buf, (size_t)r) == r;
		close(in);
		if (out >= 0)
			close(out);
		n += ok;
	}
	closedir(d);
	return n;
}

/* The next round's inputs: the seeds, every instance's queue, and the
 * inputs that taught something (no genuine crash: afl-fuzz would skip it). */
static char *next_inputs(struct fuzz *f, unsigned round, struct instance *in, unsigned n)
{
	char *dir = path_in(f, "round-%u.in", round + 1);
	if (mkdir(dir, 0700) < 0) {
		fprintf(stderr, "tinyjail: learn --fuzz: cannot create '%s': %s\n", dir, strerror(errno));
		free(dir);
		return NULL;
	}
	size_t serial = 0;
	copy_inputs(f->o->learn.fuzz, dir, "seed", &serial);
	for (unsigned i = 0; i < n; i++) {
		struct tj_buf q = {0};
		tj_buf_addf(&q, "%s/queue", in[i].out);
		copy_inputs(q.s, dir, "queue", &serial);
		tj_buf_done(&q);
	}
	for (size_t i = 0; i < f->nfindings; i++) {
		const struct finding *fd = &f->findings[i];
		if (fd->round != round || strncmp(fd->verdict, "learned", 7) != 0)
			continue;
		int src = open(fd->input, O_RDONLY | O_CLOEXEC);
		if (src < 0)
			continue;
		char path[PATH_MAX];
		snprintf(path, sizeof(path), "%s/finding-%zu", dir, serial++);
		int out = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		char buf[65536];
		ssize_t r;
		while (out >= 0 && (r = read(src, buf, sizeof(buf))) > 0)
			if (write(out, buf, (size_t)r) != r)
				break;
		close(src);
		if (out >= 0)
			close(out);
	}
	return dir;
}

static void progress(struct fuzz *f, unsigned round, uint64_t round_start, struct instance *in, unsigned n,
		     uint64_t base_execs)
{
	uint64_t execs = 0, corpus = 0;
	for (unsigned i = 0; i < n; i++) {
		execs += execs_of(in[i].out);
		/* The queue as it is now (afl-fuzz's statistics lag). */
		struct tj_buf q = {0};
		tj_buf_addf(&q, "%s/queue", in[i].out);
		DIR *d = opendir(q.s);
		struct dirent *e;
		while (d && (e = readdir(d)))
			corpus += strncmp(e->d_name, "id:", 3) == 0;
		if (d)
			closedir(d);
		tj_buf_done(&q);
	}
	f->execs = base_execs + execs;
	struct tj_strv names = {0};
	model_names(&f->m, &names);
	fprintf(stderr,
		"tinyjail: learn --fuzz: round %u, %" PRIu64 " s: %" PRIu64 " executions, %" PRIu64
		" inputs, %zu findings, %zu syscalls learnt\n",
		round, (now_ms() - round_start) / 1000, execs, corpus, f->nfindings, names.n);
	tj_strv_done(&names);
}

/* One round; returns 1 when it learnt something, 0 when it ran its budget
 * without, or -(exit code). */
static int run_round(struct fuzz *f, unsigned round, const char *inputs, char **next)
{
	const struct tj_learn_options *l = &f->o->learn;
	unsigned jobs = l->jobs ? l->jobs : 1;
	tj_autofree char *prof = path_in(f, "round-%u.json", round);
	tj_autofree char *out = path_in(f, "round-%u.out", round);
	int code = write_profile(f, prof, true);
	if (code)
		return -code;
	struct instance in[MAX_JOBS];
	memset(in, 0, sizeof(in));
	char budget_s[32] = "", budget_e[32] = "", seed[32] = "";
	/* Neither budget given: 10 minutes (the issue's default). */
	uint64_t budget_ms = l->budget_ms ? l->budget_ms : l->budget_execs ? 0 : 600000;
	if (budget_ms)
		snprintf(budget_s, sizeof(budget_s), "%" PRIu64, (budget_ms + 999) / 1000);
	if (l->budget_execs)
		snprintf(budget_e, sizeof(budget_e), "%" PRIu64, l->budget_execs);
	uint64_t base_execs = f->execs;
	uint64_t round_start = now_ms();
	for (unsigned i = 0; i < jobs; i++) {
		snprintf(in[i].name, sizeof(in[i].name), jobs == 1 ? "default" : i == 0 ? "main" : "secondary%u", i);
		struct tj_buf b = {0};
		tj_buf_addf(&b, "%s/%s", out, in[i].name);
		in[i].out = tj_buf_steal(&b);
		tj_buf_addf(&b, "%s/round-%u.%s.log", f->dir, round, in[i].name);
		in[i].log = tj_buf_steal(&b);
		struct tj_strv v = {0};
		tj_strv_add(&v, f->afl_fuzz);
		/* -t 1000+: a seed slower than afl-fuzz's default timeout is
		 * skipped, not the end of the campaign (afl-fuzz-init.c). */
		const char *pre[] = {"-i", inputs, "-o", out, "-t", "1000+", NULL};
		for (const char **w = pre; *w; w++)
			tj_strv_add(&v, *w);
		if (jobs > 1) {
			tj_strv_add(&v, i == 0 ? "-M" : "-S");
			tj_strv_add(&v, in[i].name);
		}
		if (budget_s[0]) {
			tj_strv_add(&v, "-V");
			tj_strv_add(&v, budget_s);
		}
		if (budget_e[0]) {
			tj_strv_add(&v, "-E");
			tj_strv_add(&v, budget_e);
		}
		if (l->has_fuzz_seed) {
			snprintf(seed, sizeof(seed), "%" PRIu64, l->fuzz_seed + i);
			tj_strv_add(&v, "-s");
			tj_strv_add(&v, seed);
		}
		tj_strv_add(&v, "--");
		const char *own[] = {"--profile", prof, "--kill-via=kernel", "--afl", "-q", NULL};
		tinyjail_words(f, &v, own, f->at_at ? "@@" : NULL);
		in[i].pid = spawn(v.v, f->env.v, NULL, in[i].log);
		tj_strv_done(&v);
		if (in[i].pid < 0) {
			in[i].pid = 0;
			stop_instances(in, jobs);
			code = TJ_EXIT_ERROR;
			goto done;
		}
		if (jobs > 1 && i == 0)
			sleep_ms(1000); /* the main instance creates the output directory's layout first */
	}
	if (f->o->verbosity >= 0)
		fprintf(stderr,
			"tinyjail: learn --fuzz: round %u: afl-fuzz (%u instance%s) with %s, until %s%s%s without "
			"anything new\n",
			round, jobs, jobs == 1 ? "" : "s", prof, budget_s[0] ? budget_s : "", budget_s[0] ? " s" : "",
			budget_e[0] ? (budget_s[0] ? " or the execution budget" : "the execution budget") : "");

	int learnt = 0;
	uint64_t last_progress = now_ms();
	for (;;) {
		sleep_ms(POLL_MS);
		bool running = false;
		for (unsigned i = 0; i < jobs; i++) {
			int st;
			if (in[i].pid > 0 && waitpid(in[i].pid, &st, WNOHANG) == in[i].pid) {
				in[i].status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
				in[i].pid = 0;
			}
			running |= in[i].pid > 0;
		}
		for (unsigned i = 0; i < jobs && !learnt; i++) {
			int r = scan_crashes(f, &in[i], round);
			if (r < 0) {
				stop_instances(in, jobs);
				code = -r;
				goto done;
			}
			learnt |= r;
		}
		if (learnt || stop_signal || !running)
			break;
		if (l->max_ms && now_ms() - f->start_ms >= l->max_ms) {
			f->why_stopped = "--max-time ran out";
			break;
		}
		if (f->o->verbosity >= 0 && now_ms() - last_progress >= PROGRESS_MS) {
			progress(f, round, round_start, in, jobs, base_execs);
			last_progress = now_ms();
		}
	}
	stop_instances(in, jobs);
	/* What the last moments found. */
	for (unsigned i = 0; i < jobs && !stop_signal; i++) {
		int r = scan_crashes(f, &in[i], round);
		if (r < 0) {
			code = -r;
			goto done;
		}
		learnt |= r;
	}
	uint64_t execs = 0;
	f->inputs = 0;
	bool started = false;
	for (unsigned i = 0; i < jobs; i++) {
		execs += execs_of(in[i].out);
		f->inputs += stat_of(in[i].out, "corpus_count");
		struct tj_buf b = {0};
		tj_buf_addf(&b, "%s/fuzzer_stats", in[i].out);
		started |= access(b.s, F_OK) == 0;
		tj_buf_done(&b);
	}
	f->execs = base_execs + execs;
	f->rounds = round;
	curve_point(f);
	if (!started && !stop_signal) {
		fprintf(stderr,
			"tinyjail: learn --fuzz: round %u: afl-fuzz did not start fuzzing (status %d, log: %s):\n",
			round, in[0].status, in[0].log);
		print_log_tail(in[0].log, 10);
		code = TJ_EXIT_ERROR;
		goto done;
	}
	if (f->o->verbosity >= 0)
		fprintf(stderr,
			"tinyjail: learn --fuzz: round %u ended after %" PRIu64 " s: %" PRIu64
			" executions, %zu inputs in the corpus, %s\n",
			round, (now_ms() - round_start) / 1000, execs, f->inputs,
			learnt ? "the profile grew" : "nothing new learnt");
	if (learnt && !stop_signal && !f->why_stopped && !(*next = next_inputs(f, round, in, jobs)))
		code = TJ_EXIT_ERROR;
done:
	for (unsigned i = 0; i < jobs; i++) {
		free(in[i].out);
		free(in[i].log);
		tj_strv_done(&in[i].seen);
	}
	return code ? -code : learnt;
}

/* --- the report --- */

/* The discovery curve as a picture: syscalls and pairs learnt over time
 * (steps), one SVG file, no dependency. */
static void write_svg(const struct fuzz *f, const char *path)
{
	if (f->npoints == 0)
		return;
	FILE *fp = fopen(path, "we");
	if (!fp)
		return;
	const double w = 640, h = 360, left = 60, right = 20, top = 30, bottom = 50;
	double tmax = 1;
	size_t ymax = 1;
	for (size_t i = 0; i < f->npoints; i++) {
		if (f->points[i].seconds > tmax)
			tmax = f->points[i].seconds;
		if (f->points[i].pairs > ymax)
			ymax = f->points[i].pairs;
	}
	double sx = (w - left - right) / tmax, sy = (h - top - bottom) / (double)ymax;
	fprintf(fp,
		"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" font-family=\"sans-serif\" "
		"font-size=\"12\">\n<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n"
		"<text x=\"%.0f\" y=\"18\">tinyjail learn --fuzz: %u round%s, %" PRIu64
		" executions</text>\n<path d=\"M%.0f %.0f V%.0f H%.0f\" stroke=\"black\" fill=\"none\"/>\n"
		"<text x=\"%.0f\" y=\"%.0f\" text-anchor=\"middle\">seconds (0 to %.0f)</text>\n"
		"<text x=\"12\" y=\"%.0f\" transform=\"rotate(-90 12 %.0f)\" text-anchor=\"middle\">learnt (0 to "
		"%zu)</text>\n",
		w, h, left, f->rounds, f->rounds == 1 ? "" : "s", f->execs, left, top, h - bottom, w - right,
		(left + w - right) / 2, h - 15, tmax, (top + h - bottom) / 2, (top + h - bottom) / 2, ymax);
	static const struct {
		const char *colour, *label;
	} lines[] = {{"#1f77b4", "syscalls"}, {"#d62728", "(syscall, argument class) pairs"}};
	for (size_t k = 0; k < 2; k++) {
		fprintf(fp, "<path fill=\"none\" stroke=\"%s\" stroke-width=\"2\" d=\"", lines[k].colour);
		for (size_t i = 0; i < f->npoints; i++) {
			double x = left + f->points[i].seconds * sx;
			double y = h - bottom - (double)(k ? f->points[i].pairs : f->points[i].names) * sy;
			if (i)
				fprintf(fp, " H%.1f V%.1f", x, y);
			else
				fprintf(fp, "M%.1f %.1f", x, y);
		}
		fprintf(fp, "\"/>\n<text x=\"%.0f\" y=\"%.0f\" fill=\"%s\">%s</text>\n", left + 10,
			top + 16 + 16 * (double)k, lines[k].colour, lines[k].label);
	}
	fprintf(fp, "</svg>\n");
	fclose(fp);
}

static void report(struct fuzz *f, FILE *to)
{
	struct tj_strv names = {0};
	model_names(&f->m, &names);
	fprintf(to,
		"tinyjail learn --fuzz: %u round%s, %" PRIu64 " executions, %.0f s; %zu inputs in the last corpus; "
		"%zu finding%s; %zu syscalls learnt (before generalisation); %s\n",
		f->rounds, f->rounds == 1 ? "" : "s", f->execs, (double)(now_ms() - f->start_ms) / 1000.0, f->inputs,
		f->nfindings, f->nfindings == 1 ? "" : "s", names.n,
		f->converged	 ? "converged: the last round ran its budget without a new syscall"
		: f->why_stopped ? f->why_stopped
				 : "stopped");
	/* Pairs only the calibration made: AFL++'s harness, not the program
	 * (every seed ran plainly before). */
	struct tj_buf h = {0};
	for (size_t i = 0; i < f->harness.n; i++) {
		const struct tj_learn_entry *e = &f->harness.v[i];
		if (i == 0 || strcmp(f->harness.v[i - 1].name, e->name) != 0)
			tj_buf_addf(&h, " %s", e->name);
	}
	if (h.s)
		fprintf(to,
			"  only through AFL++'s forkserver (the fuzzing harness; allowed while fuzzing, left out of the "
			"profile written; round-N.json has them):%s\n",
			h.s);
	tj_buf_done(&h);
	for (size_t i = 0; i < f->nfindings; i++) {
		if (f->findings[i].sig)
			fprintf(to, "  round %u, sig %d: %s: %s\n", f->findings[i].round, f->findings[i].sig,
				f->findings[i].input, f->findings[i].verdict);
		else
			fprintf(to, "  round %u, hang: %s: %s\n", f->findings[i].round, f->findings[i].input,
				f->findings[i].verdict);
	}
	tj_strv_done(&names);
}

int tj_cmd_learn_fuzz(const struct tj_options *o)
{
	const struct tj_learn_options *l = &o->learn;
	struct fuzz f = {.o = o, .start_ms = now_ms()};
	__attribute__((cleanup(tj_outfile_done))) struct tj_outfile out = TJ_OUTFILE_INIT;
	tj_autofree char *id = NULL, *curve = NULL, *rid = NULL, *rep = NULL, *svg = NULL;
	int code;
	if ((code = find_tool("afl-fuzz", &f.afl_fuzz)) || (code = find_tool("afl-showmap", &f.afl_showmap)) ||
	    (code = check_seeds(l->fuzz)))
		goto done;
	struct tj_err *err = NULL;
	if (tj_resolve_command(o->command[0], environ, &f.target, &err) < 0) {
		code = tj_cmd_report(err);
		tj_err_free(err);
		goto done;
	}
	bool persistent = false, deferred = false;
	if ((code = check_target(&f, &persistent, &deferred)))
		goto done;
	for (char **a = o->command; *a; a++)
		f.at_at |= strcmp(*a, "@@") == 0;
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n <= 0) {
		fprintf(stderr, "tinyjail: learn --fuzz: cannot find tinyjail itself: %s\n", strerror(errno));
		code = TJ_EXIT_ERROR;
		goto done;
	}
	self[n] = '\0';
	f.self = tj_xstrdup(self);

	/* The profile to start from: -o's (--merge), then --from's. */
	if ((code = tj_cmd_learn_prepare_output(o, &out, &f.m)))
		goto done;
	if (l->from && (code = merge_profile(&f, l->from, "--from")))
		goto done;

	/* The campaign's files: --fuzz-dir, or OUTPUT.fuzz, one directory per
	 * campaign inside. */
	struct tj_buf b = {0};
	if (l->fuzz_dir)
		tj_buf_add(&b, l->fuzz_dir);
	else
		tj_buf_addf(&b, "%s.fuzz", l->output);
	if (mkdir(b.s, 0700) < 0 && errno != EEXIST) {
		fprintf(stderr, "tinyjail: learn --fuzz: cannot create '%s': %s\n", b.s, strerror(errno));
		tj_buf_done(&b);
		code = TJ_EXIT_ERROR;
		goto done;
	}
	id = tj_learn_run_id();
	tj_buf_addf(&b, "/%s", id);
	f.dir = tj_buf_steal(&b);
	if (mkdir(f.dir, 0700) < 0) {
		fprintf(stderr, "tinyjail: learn --fuzz: cannot create '%s': %s\n", f.dir, strerror(errno));
		code = TJ_EXIT_ERROR;
		goto done;
	}
	curve = path_in(&f, "curve.tsv");
	f.curve = fopen(curve, "we");
	if (!f.curve) {
		fprintf(stderr, "tinyjail: learn --fuzz: cannot create '%s': %s\n", curve, strerror(errno));
		code = TJ_EXIT_ERROR;
		goto done;
	}
	fprintf(f.curve, "# seconds\texecutions\tsyscalls_allowed\tpairs_learnt\n");
	afl_env(&f, persistent, deferred);
	map_size(&f);
	if (o->verbosity >= 0)
		fprintf(stderr, "tinyjail: learn --fuzz: the campaign's files are in %s\n", f.dir);

	struct sigaction sa = {.sa_handler = on_stop};
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);

	if ((code = calibrate(&f)))
		goto done;
	curve_point(&f);
	char *inputs = tj_xstrdup(l->fuzz);
	for (unsigned round = 1; !stop_signal; round++) {
		char *next = NULL;
		int r = run_round(&f, round, inputs, &next);
		free(inputs);
		inputs = next;
		if (r < 0) {
			code = -r;
			break;
		}
		if (r == 0) {
			f.converged = !stop_signal && !f.why_stopped;
			break;
		}
		if (f.why_stopped || stop_signal)
			break;
		if (!inputs) {
			code = TJ_EXIT_ERROR;
			break;
		}
	}
	free(inputs);
	if (stop_signal)
		f.why_stopped = "interrupted";

	/* The profile so far, also after an error or an interruption. */
	bool complete = f.converged;
	rid = tj_learn_run_id();
	struct tj_buf cmd = {0}, outcome = {0};
	tj_buf_addf(&cmd, "learn --fuzz %s: %u round%s, %" PRIu64 " executions", l->fuzz, f.rounds,
		    f.rounds == 1 ? "" : "s", f.execs);
	tj_buf_add(&outcome, complete ? "converged, complete" : "incomplete: ");
	if (!complete)
		tj_buf_add(&outcome, f.why_stopped ? f.why_stopped : "stopped by an error");
	tj_learn_model_add_run(&f.m, rid, cmd.s, outcome.s);
	tj_buf_done(&cmd);
	tj_buf_done(&outcome);
	int wcode = tj_cmd_learn_write_output(o, &out, &f.m, complete, 0);
	if (!code)
		code = wcode;
	if (o->verbosity >= 0)
		report(&f, stderr);
	svg = path_in(&f, "curve.svg");
	write_svg(&f, svg);
	rep = path_in(&f, "report.txt");
	FILE *rf = fopen(rep, "we");
	if (rf) {
		report(&f, rf);
		fclose(rf);
	}
	if (!code && stop_signal)
		code = TJ_EXIT_SIGNAL_BASE + stop_signal;
done:
	fuzz_done(&f);
	return code;
}
