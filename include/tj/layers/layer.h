/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The confinement-layer interface.  Every layer (seccomp now; cgroups,
 * rlimits, Landlock, namespaces, network later) is one file implementing
 * struct tj_layer, and launch.c holds the ordered list with the reason for
 * each position (notes/layers.md).
 *
 * Life of a layer in one run:
 *   probe    parent, no side effects: can this host do what the plan asks?
 *            Feeds `tinyjail check`, -v, and the fail-closed decision.
 *   prepare  parent, before clone: everything that allocates or can fail
 *            with a good message.
 *   link     parent, right after prepare: offer services to the layers
 *            below and the monitor, take those of the layers above.
 *   enter    child, after clone, before execve: system calls only (no
 *            malloc, no stdio).  On failure fill *cerr and return -1.
 *            In the first child or the command's process: launch.c's table
 *            says which.
 *   started  parent, after clone (the child may still be setting up).
 *   release  parent, always: accepts half-prepared state; removes only what
 *            the layer created.
 */
#ifndef TJ_LAYER_H
#define TJ_LAYER_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "tj/base/err.h"
#include "tj/base/util.h"
#include "tj/events/manifest.h"
#include "tj/filter/filter.h"
#include "tj/model/isolation.h"
#include "tj/model/limits.h"
#include "tj/model/netpolicy.h"
#include "tj/model/profile.h"

/* Everything decided before launch; layers read it and never change it. */
struct tj_plan {
	char *const *argv;     /* the command and its arguments */
	const char *exec_path; /* argv[0] resolved against PATH */
	char *const *envp;     /* the command's environment */
	enum tj_mode mode;
	const struct tj_profile *profile;  /* may be NULL */
	const struct tj_filter *filter;	   /* NULL: no seccomp layer */
	const struct tj_limits *limits;	   /* cgroup limits, rlimits, timeout; NULL: none */
	const struct tj_isolation *iso;	   /* namespaces, identity, filesystem; NULL: none */
	const struct tj_net_policy *net;   /* the network policy; NULL: none */
	const struct tj_filter *hardening; /* tinyjail's own rules, loaded before `filter`; NULL: none */
	uid_t uid;			   /* the identity the command runs as (after --user) */
	gid_t gid;
	char *const *exec_pins;		    /* what execve opens besides exec_path: a script's
					   * interpreter, the ELF interpreter (NULL-terminated) */
	const struct tj_manifest *manifest; /* what the probes said, logged after the start
					     * event (NULL: nothing to log) */
	const int *pass_fds;		    /* descriptors besides 0, 1, 2 that reach the command
			      * (--pass-fd, make's jobserver) */
	size_t npass_fds;
};

/* A child-side failure, shipped to the parent over the CLOEXEC pipe as one
 * fixed-size record (no pointers). */
struct tj_child_error {
	int kind; /* enum tj_err_kind */
	int errnum;
	char layer[24];
	char msg[232];
};
/* Fills cerr from constant text; async-signal-safe. Returns -1. */
int tj_child_fail(struct tj_child_error *cerr, enum tj_err_kind kind, int errnum, const char *layer, const char *msg);
/* The same, with " 'path'" after the message. */
int tj_child_fail_path(struct tj_child_error *cerr, enum tj_err_kind kind, int errnum, const char *layer,
		       const char *msg, const char *path);

/* An extra source of events the monitor polls while the command runs (the
 * kernel log, kmsg_source.c; the host network rules'
 * refusals, net_source.c; the proxy, layer_proxy.c).  ready() is called
 * when fd is readable (a source sets its fd to -1 once it is done);
 * finish() once the command has ended, to collect what is still in flight.
 * A source may own a helper process (pid): the monitor hands its status to
 * exited() if it reaps it during the run, and calls stop() after the
 * command has ended and before it looks for processes left behind, so that
 * the helper is ended and reaped by its owner rather than counted as one.
 * Hooks may be NULL. */
struct tj_monitor_source {
	int fd;
	void (*ready)(void *ctx, pid_t child);
	void (*finish)(void *ctx, pid_t child);
	pid_t pid;
	void (*exited)(void *ctx, const siginfo_t *info);
	void (*stop)(void *ctx);
	void *ctx;
};

/* The seccomp listener's way out of the command (layer_listener.c): the
 * seccomp layer publishes the listener's fd number in the child; the
 * monitor takes the socket it arrives on and the helper's pid. */
struct tj_listener_service {
	void *ctx;
	/* Child side, async-signal-safe: the listener's fd number once the
	 * filter is loaded, or -1 when loading failed (the helper gives up). */
	void (*publish)(void *ctx, int fd);
	/* Child side, before the first filter is loaded: the listener follows
	 * shortly.  The helper sleeps until then, so that it spins only while
	 * the filters load, not through the whole set-up. */
	void (*arm)(void *ctx);
	/* The parent's end of the socket; ownership moves to the caller. */
	int (*take_sock)(void *ctx);
	/* The helper that sends it, once started (0 before). */
	pid_t (*helper_pid)(void *ctx);
	/* Why the helper could not send it (it then killed the child), or 0. */
	int (*helper_error)(void *ctx);
};

/* The sandbox's cgroup as a service (layer_cgroup.c), for the host network
 * rules, which attach to it, and the monitor, which ends the tree through
 * it.  Present only when the run has a sandbox cgroup. */
struct tj_cgroup_service {
	void *ctx;
	/* Kills every process in the sandbox's cgroup; -1 when this cgroup
	 * cannot (the monitor then sweeps its descendants). */
	int (*kill)(void *ctx);
	/* Sends sig to every process in it; -1 when it cannot. */
	int (*signal)(void *ctx, int sig);
	int v2_fd;	     /* the sandbox's cgroup v2 (an open directory), or -1 */
	const char *v2_path; /* ...and its path, or NULL */
	/* launch.c sets it when clone3 made the child in v2_fd
	 * (CLONE_INTO_CGROUP): started() then does not move it there. */
	bool *born_in_v2;
};

/* What layers offer each other and the monitor.  launch.c calls each wanted
 * layer's link() in the table's order right after its prepare(): a layer
 * that provides a service puts its handle here, a layer that needs one
 * takes it from a layer above it.  NULL: no such service in this run. */
struct tj_services {
	const struct tj_listener_service *listener;
	const struct tj_cgroup_service *cgroup;
};

/* The cgroup's statistics at the end of a run. */
struct tj_cgroup_stats {
	bool has_memory_peak;
	uint64_t memory_peak;	/* bytes */
	uint64_t oom_kills;	/* processes the memory limit killed */
	uint64_t pids_refused;	/* forks the pids limit refused */
	uint64_t cpu_throttled; /* periods in which the CPU limit throttled */
};

/* What layers collect once the command and its tree have ended (their
 * collect hooks), for the run's result and report. */
struct tj_layer_results {
	struct tj_cgroup_stats cg; /* cgroup */
	char *copy_back;	   /* mount: what was copied out of size-limited directories (caller frees) */
	char *copy_back_error;	   /* ...why copying back failed: files were lost (caller frees) */
	uint64_t net_refused;	   /* net-rules: attempts the kernel refused */
	uint64_t net_unrecorded;   /* ...of which no record reached tinyjail (ring buffer full) */
};

struct tj_events;

struct tj_layer {
	const char *name;
	/* The child waits after clone until every started() hook has run
	 * (for example, the parent moves it into its cgroups). */
	bool sync_after_started;
	bool (*wanted)(const struct tj_plan *plan);
	/* Plan time, before the probes, for every layer (wanted or not): what
	 * this layer needs of the other layers' options (the proxy a network
	 * namespace, the cgroup read-only cgroup file systems).  May only add
	 * to iso; plan->iso is iso. */
	void (*compose)(const struct tj_plan *plan, struct tj_isolation *iso);
	/* CLONE_NEW* flags this layer needs clone3 to create, or NULL. */
	uint64_t (*clone_flags)(const struct tj_plan *plan);
	/* Where enter() runs (the first child, or the command's own process)
	 * is not the layer's choice: it is a column of launch.c's table. */
	int (*probe)(const struct tj_plan *plan, struct tj_manifest *m, struct tj_err **err);
	int (*prepare)(const struct tj_plan *plan, void **state, struct tj_err **err);
	int (*link)(void *state, struct tj_services *svc, struct tj_err **err);
	int (*enter)(const struct tj_plan *plan, void *state, struct tj_child_error *cerr);
	int (*started)(const struct tj_plan *plan, void *state, pid_t child, struct tj_err **err);
	/* While the command runs: the monitor's view of this layer (records
	 * to turn into events, a helper process to end), or NULL. */
	const struct tj_monitor_source *(*source)(void *state, struct tj_events *events);
	/* Once the command and its tree have ended, on every path (also when
	 * the run failed), before release: what the layer measured or must
	 * hand back (statistics, counts, files copied back). */
	void (*collect)(void *state, struct tj_layer_results *out);
	void (*release)(void *state);
};

extern const struct tj_layer tj_layer_cgroup;
extern const struct tj_layer tj_layer_ns;
extern const struct tj_layer tj_layer_proxy;
extern const struct tj_layer tj_layer_mount;
extern const struct tj_layer tj_layer_landlock;
extern const struct tj_layer tj_layer_net;
extern const struct tj_layer tj_layer_privs;
extern const struct tj_layer tj_layer_rlimit;
extern const struct tj_layer tj_layer_listener;
extern const struct tj_layer tj_layer_seccomp;

/* Whether this user can create a user namespace here (layer_ns.c; a probe:
 * it forks), for the mount layer's compose hook. */
bool tj_layer_ns_userns_available(void);

#endif
