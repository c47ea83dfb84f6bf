/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Starting the command.  Everything that can fail with an explanation
 * happens here in the parent, before clone; the child runs a short ordered
 * list of system calls (the layers' enter hooks), then execve.  A child-side
 * failure travels back as one record on a CLOEXEC pipe, whose EOF means the
 * execve succeeded.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tj/base/cleanup.h"
#include "tj/base/phase.h"
#include "tj/base/sys.h"
#include "tj/base/testhook.h"
#include "tj/launch/launch.h"
#include "tj/launch/pidinit.h"

/* Where a layer's enter hook runs. */
enum phase {
	/* Nowhere in the child: the layer acts from the parent (prepare
	 * before clone3, started after, while the child waits). */
	PHASE_PARENT,
	/* The first child: what the whole sandbox shares (namespaces,
	 * mounts), before the pid namespace's init forks the command.  init
	 * then confines itself (pidinit.c) and carries none of what follows. */
	PHASE_CHILD,
	/* The command's own process (the first child itself when there is
	 * no pid namespace): per-process state. */
	PHASE_COMMAND,
};

static const char *const phase_names[] = {"parent", "first child", "command"};

/* The layers, in the order the child applies them, each with its phase and
 * the reason for its position; notes/layers.md keeps the long form.  step:
 * its name in phase timestamps when not the layer's (base/phase.h). */
static const struct step {
	const struct tj_layer *layer;
	enum phase phase;
	const char *why;
	const char *step;
} builtin[] = {
	{&tj_layer_cgroup, PHASE_PARENT,
	 "first: the parent moves the child into its cgroups before the child does anything, so every byte and "
	 "every process it makes is counted; and before any layer could take the right to be moved away"},
	{&tj_layer_ns, PHASE_CHILD,
	 "namespaces come with clone3 and the parent writes the id maps while the child waits; then, still with "
	 "the namespace's full capabilities, the hostname, loopback and cgroup namespace"},
	{&tj_layer_proxy, PHASE_CHILD,
	 "the proxy's listeners, made in the new network namespace once loopback is up, handed to the proxy "
	 "before anything of the command runs"},
	{&tj_layer_mount, PHASE_CHILD,
	 "the filesystem view needs CAP_SYS_ADMIN in the user namespace and must exist before Landlock opens its "
	 "paths in it; the last namespace-wide step: a pid namespace's init forks the command after it"},
	{&tj_layer_listener, PHASE_COMMAND,
	 "the seccomp listener's helper shares the command's file table, but is tinyjail's process: started "
	 "before the command's rlimits (RLIMIT_NPROC must not count it), Landlock domain and identity apply",
	 "listener"},
	{&tj_layer_rlimit, PHASE_COMMAND,
	 "the command's limits, not init's; before anything drops CAP_SYS_RESOURCE (raising a hard limit)"},
	{&tj_layer_landlock, PHASE_COMMAND,
	 "after the mounts (its rules name inodes of the command's view), before the privilege drop so that "
	 "every path can still be opened; no_new_privs is already set"},
	{&tj_layer_net, PHASE_COMMAND,
	 "the host network rules act from the cgroup (attached before clone3); in the child only their "
	 "Landlock fallback, which needs no_new_privs like the layer above"},
	{&tj_layer_privs, PHASE_COMMAND, "the identity and capabilities: nothing below needs privileges"},
	{&tj_layer_seccomp, PHASE_COMMAND,
	 "last: once loaded, the filter judges every system call the child makes, including those the layers "
	 "above need"},
};
_Static_assert(TJ_ARRAY_SIZE(builtin) <= TJ_LAUNCH_MAX_LAYERS, "TJ_LAUNCH_MAX_LAYERS is too small");

/* The table the parent and the child walk: builtin, or a test's
 * (tj_launch_set_table: fake layers, tests/unit/test_launch_fake.c). */
static const struct step *order = builtin;
static size_t nlayers = TJ_ARRAY_SIZE(builtin);
static struct step custom[TJ_LAUNCH_MAX_LAYERS];

int tj_launch_set_table(const struct tj_launch_step *steps, size_t n)
{
	if (!steps) {
		order = builtin;
		nlayers = TJ_ARRAY_SIZE(builtin);
		return 0;
	}
	if (n > TJ_LAUNCH_MAX_LAYERS)
		return -1;
	for (size_t i = 0; i < n; i++) {
		size_t ph = 0;
		while (ph < TJ_ARRAY_SIZE(phase_names) && strcmp(phase_names[ph], steps[i].phase) != 0)
			ph++;
		if (ph == TJ_ARRAY_SIZE(phase_names))
			return -1;
		custom[i] = (struct step){steps[i].layer, (enum phase)ph, steps[i].why, NULL};
	}
	order = custom;
	nlayers = n;
	return 0;
}

const struct tj_launch_step *tj_launch_order(size_t *n)
{
	static struct tj_launch_step out[TJ_ARRAY_SIZE(builtin)];
	for (size_t i = 0; i < TJ_ARRAY_SIZE(builtin); i++)
		out[i] = (struct tj_launch_step){.layer = builtin[i].layer,
						 .phase = phase_names[builtin[i].phase],
						 .why = builtin[i].why};
	*n = TJ_ARRAY_SIZE(builtin);
	return out;
}

/* While the command runs, tinyjail blocks every signal but SIGTSTP and
 * SIGCONT (job control stops and continues it with the command) and reads
 * them from a signalfd: those it handles are acted on (monitor.c), the
 * others discarded, so that no signal can end it but SIGKILL and stop it
 * but SIGSTOP and SIGTSTP, which the command cannot send it
 * (notes/security.md).  The child unblocks them before execve. */
static void blocked_signals(sigset_t *set)
{
	sigfillset(set);
	sigdelset(set, SIGTSTP);
	sigdelset(set, SIGCONT);
}

/* Signals that stop a set-up still under way (the command never starts). */
static const int setup_stops[] = {SIGTERM, SIGINT, SIGHUP, SIGQUIT};

/* Test builds: the set-up is complete, nothing started; wait here (at most
 * 30 s) until a signal that stops it is pending. */
static void hold_until_signalled(void)
{
	static const char msg[] = "tinyjail: test hook: holding before the command starts\n";
	if (write(STDERR_FILENO, msg, sizeof(msg) - 1) < 0)
		return;
	for (int i = 0; i < 3000; i++) {
		sigset_t pending;
		if (sigpending(&pending) < 0)
			return;
		for (size_t k = 0; k < TJ_ARRAY_SIZE(setup_stops); k++)
			if (sigismember(&pending, setup_stops[k]))
				return;
		struct timespec ts = {0, 10 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
}

/* --- finding the program --- */

static int check_candidate(const char *path, int *saw_eacces)
{
	struct stat st;
	if (stat(path, &st) < 0)
		return -1;
	if (S_ISDIR(st.st_mode) || access(path, X_OK) < 0) {
		*saw_eacces = 1;
		return -1;
	}
	return 0;
}

int tj_resolve_command(const char *name, char *const envp[], char **ret_path, struct tj_err **err)
{
	if (!name || !*name)
		return tj_err_set(err, TJ_ERR_NOT_FOUND, 0, "empty command name");
	if (strchr(name, '/')) {
		struct stat st;
		if (stat(name, &st) < 0) {
			int e = errno;
			return tj_err_set(err, e == ENOENT || e == ENOTDIR ? TJ_ERR_NOT_FOUND : TJ_ERR_CANNOT_EXEC, e,
					  "cannot run '%s'", name);
		}
		if (S_ISDIR(st.st_mode))
			return tj_err_set(err, TJ_ERR_CANNOT_EXEC, EISDIR, "cannot run '%s'", name);
		if (access(name, X_OK) < 0)
			return tj_err_set(err, TJ_ERR_CANNOT_EXEC, errno, "cannot run '%s'", name);
		*ret_path = tj_xstrdup(name);
		return 0;
	}
	const char *path = NULL;
	for (size_t i = 0; envp && envp[i]; i++)
		if (strncmp(envp[i], "PATH=", 5) == 0)
			path = envp[i] + 5;
	if (!path)
		path = "/usr/local/bin:/usr/bin:/bin";
	int saw_eacces = 0;
	const char *p = path;
	for (;;) {
		const char *end = strchr(p, ':');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		char *cand = len ? tj_xasprintf("%.*s/%s", (int)len, p, name) : tj_xasprintf("./%s", name);
		if (check_candidate(cand, &saw_eacces) == 0) {
			*ret_path = cand;
			return 0;
		}
		free(cand);
		if (!end)
			break;
		p = end + 1;
	}
	if (saw_eacces)
		return tj_err_set(err, TJ_ERR_CANNOT_EXEC, EACCES, "cannot run '%s'", name);
	tj_err_set(err, TJ_ERR_NOT_FOUND, 0, "'%s': command not found", name);
	return tj_err_hint(err, "searched PATH=%s", path);
}

/* --- probing --- */

/* A layer that --allow-degraded could skip does not end the probe: the
 * layers after it are probed too, so that one message names every layer
 * this host (or this user) cannot apply, with the one --allow-degraded
 * list that runs without them all, rather than one per attempt. */
int tj_launch_probe(const struct tj_plan *plan, struct tj_manifest *m, struct tj_err **err)
{
	struct tj_err *first = NULL;
	struct tj_buf also = {0}, names = {0};
	for (size_t i = 0; i < nlayers; i++) {
		if (!order[i].layer->wanted(plan) || !order[i].layer->probe)
			continue;
		struct tj_err *e = NULL;
		if (order[i].layer->probe(plan, m, &e) == 0)
			continue;
		tj_err_layer(&e, order[i].layer->name);
		if (!e->degrade) {
			/* Nothing skips this one: it is the answer. */
			tj_err_free(first);
			first = e;
			tj_buf_done(&also);
			break;
		}
		if (!first) {
			first = e;
			tj_buf_add(&names, e->degrade);
			continue;
		}
		tj_buf_addf(&also, "; and the %s layer: %s", e->layer, e->msg);
		tj_buf_addf(&names, ",%s", e->degrade);
		tj_err_free(e);
	}
	if (first && also.len) {
		char *msg = tj_xasprintf("%s%s", first->msg, also.s);
		free(first->msg);
		first->msg = msg;
		char *hint = tj_xasprintf("--allow-degraded %s runs without all of them%s%s", names.s,
					  first->hint ? "; " : "", first->hint ? first->hint : "");
		free(first->hint);
		first->hint = hint;
		free(first->degrade);
		first->degrade = tj_xstrdup(names.s);
	}
	tj_buf_done(&also);
	tj_buf_done(&names);
	*err = first;
	return first ? -1 : 0;
}

/* --- the child --- */

static void report_child_error(int fd, const struct tj_child_error *cerr)
{
	const char *p = (const char *)cerr;
	size_t left = sizeof(*cerr);
	while (left) {
		ssize_t n = write(fd, p, left);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		p += n;
		left -= (size_t)n;
	}
}

/* A step's name in phase timestamps. */
static const char *step_name(size_t i)
{
	return order[i].step ? order[i].step : order[i].layer->name;
}

/* Runs the enter hooks of the layers of one phase, in the table's order. */
static int enter_layers(const struct tj_plan *plan, void **states, enum phase phase, struct tj_child_error *cerr)
{
	for (size_t i = 0; i < nlayers; i++) {
		if (order[i].phase != phase || !order[i].layer->wanted(plan) || !order[i].layer->enter)
			continue;
		/* Before, never after: once the seccomp layer is entered, even a
		 * write to stderr is the profile's to judge. */
		tj_phase2("enter", step_name(i));
		if (order[i].layer->enter(plan, states[i], cerr) < 0) {
			if (!cerr->layer[0])
				tj_child_fail(cerr, (enum tj_err_kind)cerr->kind, cerr->errnum, order[i].layer->name,
					      cerr->msg);
			return -1;
		}
	}
	return 0;
}

struct child_args {
	const struct tj_plan *plan;
	void **states;
	const struct tj_services *svc;
	int errfd, syncfd;
	const sigset_t *oldmask;
	pid_t parent;
	bool pidns;
	bool dumpable_for_maps;
	struct tj_pidinit_shared *init_shared;
	const struct tj_filter *init_filter;
};

/* Test builds: at most 30 s, saying so on stderr. */
static void hold_command(void)
{
	static const char msg[] = "tinyjail: test hook: the command's set-up holds\n";
	if (write(STDERR_FILENO, msg, sizeof(msg) - 1) < 0)
		return;
	for (int i = 0; i < 3000; i++) {
		struct timespec ts = {0, 10 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
}

__attribute__((noreturn)) static void child_main(const struct child_args *a)
{
	const struct tj_plan *plan = a->plan;
	struct tj_child_error cerr;
	memset(&cerr, 0, sizeof(cerr));
	tj_phase("child");

	/* The command gets tinyjail's original mask back; a pid namespace's
	 * init keeps the signals blocked until it has taken them over
	 * (tj_pidinit_take_signals), so that none is lost meanwhile. */
	if (!a->pidns && sigprocmask(SIG_SETMASK, a->oldmask, NULL) < 0) {
		tj_child_fail(&cerr, TJ_ERR_INTERNAL, errno, NULL, "cannot restore the signal mask");
		goto fail;
	}
	/* Die with tinyjail, so that the command never outlives its supervisor. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0) {
		tj_child_fail(&cerr, TJ_ERR_INTERNAL, errno, NULL, "cannot set the parent-death signal");
		goto fail;
	}
	/* In a new pid namespace the parent shows as 0; check by pidfd-less means. */
	if (!a->pidns && getppid() != a->parent)
		_exit(TJ_EXIT_ERROR); /* tinyjail is already gone */
	if (a->syncfd >= 0) {
		/* Wait until the parent has done its part (cgroups, id maps);
		 * EOF means it failed and will report why.  Born dumpable when
		 * the parent must write the id maps (below): no longer once
		 * they are written. */
		char go;
		ssize_t n;
		while ((n = read(a->syncfd, &go, 1)) < 0 && errno == EINTR)
			;
		if (n < 0) {
			tj_child_fail(&cerr, TJ_ERR_INTERNAL, errno, NULL, "cannot wait for the end of the set-up");
			goto fail;
		}
		if (a->dumpable_for_maps && prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0) {
			tj_child_fail(&cerr, TJ_ERR_INTERNAL, errno, NULL, "cannot make the child non-dumpable");
			goto fail;
		}
		if (n != 1)
			_exit(TJ_EXIT_ERROR);
		close(a->syncfd);
		tj_phase("synced");
	}
	/* Descriptors the caller happened to leave open (a directory, a socket)
	 * must not reach the command: only stdin, stdout and stderr pass.
	 * Before the layers: the seccomp filter may deny close_range. */
	if (tj_sys_close_range_cloexec(3) < 0) {
		tj_child_fail(&cerr, TJ_ERR_INTERNAL, errno, NULL, "cannot close inherited file descriptors");
		goto fail;
	}
	/* ...and those the user passed on purpose (checked open in run). */
	for (size_t i = 0; i < plan->npass_fds; i++) {
		if (fcntl(plan->pass_fds[i], F_SETFD, 0) < 0) {
			tj_child_fail(&cerr, TJ_ERR_INTERNAL, errno, NULL, "cannot pass a descriptor (--pass-fd)");
			goto fail;
		}
	}
	if (enter_layers(plan, a->states, PHASE_CHILD, &cerr) < 0)
		goto fail;
	/* --workdir, in the view the mounts made (the mount layer entered it
	 * already when there is one). */
	if (plan->iso && plan->iso->workdir && chdir(plan->iso->workdir) < 0) {
		tj_child_fail_path(&cerr, TJ_ERR_LAYER, errno, NULL, "cannot enter the working directory (--workdir)",
				   plan->iso->workdir);
		goto fail;
	}

	if (a->pidns) {
		/* We are pid 1: fork the command and become its init.  Init's
		 * signals are blocked before the fork, so the command's SIGCHLD
		 * stays pending however soon it comes. */
		struct tj_pidinit_signals sigs;
		tj_pidinit_take_signals(&sigs, a->oldmask);
		tj_phase("init-fork");
		long pid = tj_sys_clone_flags(SIGCHLD);
		if (pid < 0) {
			tj_child_fail(&cerr, TJ_ERR_INTERNAL, (int)-pid, NULL,
				      "cannot start the command in its pid namespace");
			goto fail;
		}
		if (pid > 0)
			tj_pidinit_main((pid_t)pid, &sigs, a->init_shared, a->init_filter->prog, a->init_filter->len);
		if (tj_pidinit_release_signals(&sigs) < 0) {
			tj_child_fail(&cerr, TJ_ERR_INTERNAL, errno, NULL, "cannot restore the signal mask");
			goto fail;
		}
	}
	/* Test builds: the command's set-up waits here (before the listener's
	 * helper exists) until a signal ends it. */
	if (tj_testhook("command-hold"))
		hold_command();
	/* Always: setuid binaries and file capabilities gain nothing, and
	 * Landlock and seccomp may then be applied without privileges. */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
		tj_child_fail(&cerr, TJ_ERR_INTERNAL, errno, NULL, "cannot set no_new_privs");
		goto fail;
	}
	if (enter_layers(plan, a->states, PHASE_COMMAND, &cerr) < 0)
		goto fail;

	execve(plan->exec_path, plan->argv, plan->envp);
	int e = errno;
	tj_child_fail(&cerr, e == ENOENT ? TJ_ERR_NOT_FOUND : TJ_ERR_CANNOT_EXEC, e, NULL, "cannot execute");
	report_child_error(a->errfd, &cerr);
	_exit(e == ENOENT ? TJ_EXIT_NOT_FOUND : TJ_EXIT_CANNOT_EXEC);
fail:
	/* The listener's helper, if started, gives up rather than wait. */
	if (a->svc->listener)
		a->svc->listener->publish(a->svc->listener->ctx, -1);
	report_child_error(a->errfd, &cerr);
	_exit(TJ_EXIT_ERROR);
}

/* --- the parent --- */

/* Plan time (plan.h): every layer adds what it needs of the others'
 * options, in the table's order. */
void tj_launch_compose(const struct tj_plan *plan, struct tj_isolation *iso)
{
	for (size_t i = 0; i < nlayers; i++)
		if (order[i].layer->compose)
			order[i].layer->compose(plan, iso);
}

/* Once the command and its tree have ended, on every path: each layer's
 * statistics, counts and files copied back, into the result. */
static void collect_all(void **states, struct tj_launch_result *res)
{
	struct tj_layer_results out = {0};
	for (size_t i = 0; i < nlayers; i++)
		if (states[i] && order[i].layer->collect)
			order[i].layer->collect(states[i], &out);
	res->cg = out.cg;
	res->copy_back = out.copy_back;
	res->copy_back_error = out.copy_back_error;
	res->net_refused = out.net_refused;
	res->net_unrecorded = out.net_unrecorded;
}

static void release_all(void **states)
{
	for (size_t i = nlayers; i-- > 0;)
		if (order[i].layer->release && states[i])
			order[i].layer->release(states[i]);
}

int tj_launch(const struct tj_plan *plan, struct tj_events *events, const struct tj_launch_hooks *hooks,
	      struct tj_launch_result *res, struct tj_err **err)
{
	void *states[TJ_LAUNCH_MAX_LAYERS] = {0};
	struct tj_services svc = {0};
	int ret = -1;
	int errpipe[2] = {-1, -1};
	tj_autoclose int sigfd = -1;
	tj_autoclose int pidfd = -1;
	sigset_t handled, oldmask;
	bool mask_changed = false;

	int syncpipe[2] = {-1, -1};
	bool need_sync = false;
	uint64_t clone_flags = 0;
	struct tj_pidinit_shared *init_shared = MAP_FAILED;
	__attribute__((cleanup(tj_filter_freep))) struct tj_filter *init_filter = NULL;

	memset(res, 0, sizeof(*res));
	/* Signals are taken over before anything is made (cgroups, the proxy,
	 * directories): a SIGTERM during the set-up must not kill tinyjail
	 * with its default action and leave them behind. */
	blocked_signals(&handled);
	if (sigprocmask(SIG_BLOCK, &handled, &oldmask) < 0) {
		tj_err_set(err, TJ_ERR_INTERNAL, errno, "sigprocmask");
		goto out;
	}
	mask_changed = true;
	sigfd = signalfd(-1, &handled, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sigfd < 0) {
		tj_err_set(err, TJ_ERR_INTERNAL, errno, "signalfd");
		goto out;
	}
	for (size_t i = 0; i < nlayers; i++) {
		if (!order[i].layer->wanted(plan))
			continue;
		need_sync |= order[i].layer->sync_after_started;
		tj_phase2("prepare", step_name(i));
		if (order[i].layer->clone_flags)
			clone_flags |= order[i].layer->clone_flags(plan);
		if ((order[i].layer->prepare && order[i].layer->prepare(plan, &states[i], err) < 0) ||
		    (order[i].layer->link && order[i].layer->link(states[i], &svc, err) < 0)) {
			tj_err_layer(err, order[i].layer->name);
			goto out;
		}
	}
	bool pidns = clone_flags & CLONE_NEWPID;
	if (pidns) {
		/* Init's status page and its own seccomp allowlist. */
		init_shared = mmap(NULL, sizeof(*init_shared), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1,
				   0);
		if (init_shared == MAP_FAILED) {
			tj_err_set(err, TJ_ERR_INTERNAL, errno, "mmap");
			goto out;
		}
		if (tj_filter_allowlist(tj_pidinit_syscalls, &init_filter, err) < 0)
			goto out;
	}
	if (pipe2(errpipe, O_CLOEXEC) < 0 || (need_sync && pipe2(syncpipe, O_CLOEXEC) < 0)) {
		tj_err_set(err, TJ_ERR_INTERNAL, errno, "pipe");
		goto out;
	}
	/* Orphans of the command become tinyjail's children, so that no
	 * process of the tree can slip away from the final kill. */
	if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0) {
		tj_err_set(err, TJ_ERR_INTERNAL, errno, "PR_SET_CHILD_SUBREAPER");
		goto out;
	}

	/* A terminating signal that came during the set-up: nothing has
	 * started yet, so stop here rather than start the command only to
	 * pass the signal on; everything prepared is released. */
	sigset_t pending;
	if (tj_testhook("launch-hold"))
		hold_until_signalled();
	if (sigpending(&pending) == 0)
		for (size_t i = 0; i < TJ_ARRAY_SIZE(setup_stops); i++)
			if (sigismember(&pending, setup_stops[i])) {
				res->setup_signal = setup_stops[i];
				tj_err_set(err, TJ_ERR_INTERNAL, 0, "interrupted by SIG%s before the command started",
					   sigabbrev_np(setup_stops[i]));
				goto out;
			}

	/* A parent without root can write the id maps only of a dumpable
	 * child (the /proc files of a process that is not belong to root):
	 * the child is born dumpable and stops being so once they are written,
	 * before any code of the command exists.  A sandboxed process of
	 * another run cannot reach either meanwhile (Landlock's ptrace rule;
	 * notes/security.md). */
	bool dumpable_for_maps = (clone_flags & CLONE_NEWUSER) && geteuid() != 0;
	if (dumpable_for_maps && prctl(PR_SET_DUMPABLE, 1, 0, 0, 0) < 0) {
		tj_err_set(err, TJ_ERR_INTERNAL, errno, "PR_SET_DUMPABLE");
		goto out;
	}
	pid_t parent = getpid();
	tj_phase("clone");
	struct tj_clone_args ca = {
		.flags = CLONE_PIDFD | clone_flags,
		.pidfd = (uint64_t)(uintptr_t)&pidfd,
		.exit_signal = SIGCHLD,
	};
	/* Born in the sandbox's v2 cgroup: no migration afterwards, which
	 * would wait for an RCU grace period (layer_cgroup.c).  A kernel or
	 * a cgroup that refuses it gets the child moved by the cgroup layer,
	 * as before. */
	bool into_cgroup = svc.cgroup && svc.cgroup->v2_fd >= 0 && svc.cgroup->born_in_v2;
	if (into_cgroup) {
		ca.flags |= CLONE_INTO_CGROUP;
		/* Test builds: a descriptor the kernel refuses (EBADF), so
		 * that the fallback below is exercised. */
		ca.cgroup = tj_testhook("clone-into-cgroup-refused") ? (uint64_t)INT32_MAX
								     : (uint64_t)svc.cgroup->v2_fd;
	}
	long pid = tj_sys_clone3(&ca);
	if (pid < 0 && into_cgroup) {
		ca.flags &= ~(uint64_t)CLONE_INTO_CGROUP;
		ca.cgroup = 0;
		into_cgroup = false;
		pid = tj_sys_clone3(&ca);
	}
	if (pid > 0 && into_cgroup)
		*svc.cgroup->born_in_v2 = true;
	if (pid != 0 && dumpable_for_maps && prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
		abort(); /* cannot happen: the value is valid */
	if (pid < 0) {
		tj_err_set(err, TJ_ERR_INTERNAL, (int)-pid, "clone3");
		goto out;
	}
	if (pid == 0) {
		if (need_sync)
			close(syncpipe[1]);
		struct child_args a = {.plan = plan,
				       .states = states,
				       .svc = &svc,
				       .errfd = errpipe[1],
				       .syncfd = syncpipe[0],
				       .oldmask = &oldmask,
				       .parent = parent,
				       .pidns = pidns,
				       .dumpable_for_maps = dumpable_for_maps,
				       .init_shared = init_shared,
				       .init_filter = init_filter};
		child_main(&a);
	}

	tj_closep(&errpipe[1]);
	errpipe[1] = -1;
	tj_closep(&syncpipe[0]);
	syncpipe[0] = -1;
	for (size_t i = 0; i < nlayers; i++) {
		if (states[i] && order[i].layer->started)
			tj_phase2("started", step_name(i));
		if (states[i] && order[i].layer->started &&
		    order[i].layer->started(plan, states[i], (pid_t)pid, err) < 0) {
			tj_err_layer(err, order[i].layer->name);
			/* Never leave the command running behind an error. */
			tj_sys_pidfd_send_signal(pidfd, SIGKILL, NULL, 0);
			waitpid((pid_t)pid, NULL, 0);
			goto out;
		}
	}
	if (need_sync) {
		/* EPIPE: the child is gone already, and its record on the
		 * error pipe says why; the monitor reads it. */
		if (write(syncpipe[1], "g", 1) != 1 && errno != EPIPE) {
			tj_err_set(err, TJ_ERR_INTERNAL, errno, "cannot release the command");
			tj_sys_pidfd_send_signal(pidfd, SIGKILL, NULL, 0);
			waitpid((pid_t)pid, NULL, 0);
			goto out;
		}
		tj_closep(&syncpipe[1]);
		syncpipe[1] = -1;
	}
	tj_phase("monitor");

	/* What the monitor watches besides its own: the verb's source and
	 * each layer's (the proxy's records, the host rules' refusals). */
	const struct tj_monitor_source *sources[TJ_MONITOR_SOURCES];
	size_t nsources = 0;
	if (hooks && hooks->source)
		sources[nsources++] = hooks->source;
	for (size_t i = 0; i < nlayers && nsources < TJ_MONITOR_SOURCES; i++) {
		const struct tj_monitor_source *src = states[i] && order[i].layer->source
							      ? order[i].layer->source(states[i], events)
							      : NULL;
		if (src)
			sources[nsources++] = src;
	}
	struct tj_monitor_args ma = {
		.plan = plan,
		.events = events,
		.hooks = hooks,
		.child = (pid_t)pid,
		.pidfd = pidfd,
		.errfd = errpipe[0],
		.sigfd = sigfd,
		.listener_sock = svc.listener ? svc.listener->take_sock(svc.listener->ctx) : -1,
		.services = &svc,
		.init_shared = pidns ? init_shared : NULL,
		.sources = sources,
		.nsources = nsources,
	};
	ret = tj_monitor_run(&ma, res, err);
	tj_phase("ended");
	if (ma.listener_sock >= 0)
		close(ma.listener_sock);
	collect_all(states, res);
	if (ret < 0) {
		/* The caller reads nothing of res after a failure (the files
		 * were copied back all the same). */
		free(res->copy_back);
		free(res->copy_back_error);
		res->copy_back = res->copy_back_error = NULL;
	} else if (!res->limit && res->cg.oom_kills && res->signal == SIGKILL) {
		/* The memory limit killed the command itself. */
		res->limit = "memory";
	}

out:
	if (mask_changed) {
		/* Signals that arrived after the command ended are dropped
		 * rather than delivered to tinyjail with their default action. */
		struct signalfd_siginfo si;
		while (sigfd >= 0 && read(sigfd, &si, sizeof(si)) == sizeof(si))
			;
		sigprocmask(SIG_SETMASK, &oldmask, NULL);
	}
	tj_closep(&errpipe[0]);
	tj_closep(&errpipe[1]);
	tj_closep(&syncpipe[0]);
	tj_closep(&syncpipe[1]);
	if (init_shared != MAP_FAILED)
		munmap(init_shared, sizeof(*init_shared));
	release_all(states);
	tj_phase("released");
	return ret;
}
