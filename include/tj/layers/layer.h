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
	/* The parent's end of the socket; ownership moves to the caller. */
	int (*take_sock)(void *ctx);
	/* The helper that sends it, once started (0 before). */
	pid_t (*helper_pid)(void *ctx);
	/* Why the helper could not send it (it then killed the child), or 0. */
	int (*helper_error)(void *ctx);
};

/* What layers offer each other and the monitor.  launch.c calls each wanted
 * layer's link() in the table's order right after its prepare(): a layer
 * that provides a service puts its handle here, a layer that needs one
 * takes it from a layer above it.  NULL: no such service in this run. */
struct tj_services {
	const struct tj_listener_service *listener;
};

struct tj_layer {
	const char *name;
	/* The child waits after clone until every started() hook has run
	 * (for example, the parent moves it into its cgroups). */
	bool sync_after_started;
	bool (*wanted)(const struct tj_plan *plan);
	/* CLONE_NEW* flags this layer needs clone3 to create, or NULL. */
	uint64_t (*clone_flags)(const struct tj_plan *plan);
	/* Where enter() runs (the first child, or the command's own process)
	 * is not the layer's choice: it is a column of launch.c's table. */
	int (*probe)(const struct tj_plan *plan, struct tj_manifest *m, struct tj_err **err);
	int (*prepare)(const struct tj_plan *plan, void **state, struct tj_err **err);
	int (*link)(void *state, struct tj_services *svc, struct tj_err **err);
	int (*enter)(const struct tj_plan *plan, void *state, struct tj_child_error *cerr);
	int (*started)(const struct tj_plan *plan, void *state, pid_t child, struct tj_err **err);
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

/* The mount layer copies size-limited directories back to the host when the
 * run is over; report gets a line per directory. */
int tj_layer_mount_copy_back(void *state, struct tj_buf *report, struct tj_err **err);
/* compose(): a view (--ro, --rw, --exec) or an isolated network (after
 * tj_layer_proxy_compose) asks for the host's UNIX sockets to be hidden:
 * covered in the command's mount namespace (iso->hide_sockets).  Without
 * root that needs a user namespace; where there is none and the user
 * allowed degrading unix-sockets, they are not. */
void tj_layer_mount_compose(struct tj_isolation *iso, bool root);
/* Whether this user can create a user namespace here (a probe: it forks). */
bool tj_layer_ns_userns_available(void);

/* The filtering-proxy layer (layer_proxy.c, --net allow=...).  compose() adds what the
 * network mode needs to the isolation options: a network namespace for
 * none and filtered, and the proxy's port to Landlock's TCP connect rules
 * when there are any.  source() is the monitor's view of the proxy: its
 * records become events in `events`; NULL without the layer. */
struct tj_events;
void tj_layer_proxy_compose(const struct tj_net_policy *net, struct tj_isolation *iso);
const struct tj_monitor_source *tj_layer_proxy_source(void *state, struct tj_events *events);

/* The cgroup layer, for the monitor.  All accept a NULL state (no cgroup). */
struct tj_cgroup_stats {
	bool has_memory_peak;
	uint64_t memory_peak;	/* bytes */
	uint64_t oom_kills;	/* processes the memory limit killed */
	uint64_t pids_refused;	/* forks the pids limit refused */
	uint64_t cpu_throttled; /* periods in which the CPU limit throttled */
};
/* Kills every process in the sandbox's cgroup; -1 when there is no cgroup
 * that can do it (the monitor then sweeps its descendants). */
int tj_layer_cgroup_kill(void *state);
/* Sends sig to every process in the sandbox's cgroup; -1 without one. */
int tj_layer_cgroup_signal(void *state, int sig);
void tj_layer_cgroup_stats(void *state, struct tj_cgroup_stats *out);
/* What a sandbox cgroup that enforces something needs of the isolation:
 * the cgroup file systems read-only for the command (a process that may
 * write cgroup.procs could otherwise leave its cgroup, and its limits and
 * network rules with it).  A timeout alone does not: leftovers are swept. */
struct tj_limits;
void tj_layer_cgroup_compose(const struct tj_limits *limits, const struct tj_net_policy *net, struct tj_isolation *iso);
/* The sandbox's cgroup v2 (an open directory and its path), or -1 and NULL
 * when it has none; for the host-rules layer, which attaches to it. */
int tj_layer_cgroup_v2_fd(void *state);
const char *tj_layer_cgroup_v2_path(void *state);

/* The host-rules layer (layer_net.c).  All accept a NULL state.
 * attach: the BPF programs onto the sandbox's cgroup v2, before the command
 * exists (launch.c, after every prepare); 0 when the layer uses no BPF. */
struct tj_nr_event;
struct tj_net_rules;
int tj_layer_net_attach(void *state, int cgroup_fd, const char *cgroup_path, struct tj_err **err);
/* The refusals: a pollable descriptor (-1 without BPF), and draining what is
 * there through cb. */
int tj_layer_net_events_fd(void *state);
void tj_layer_net_drain(void *state, void (*cb)(void *ctx, const struct tj_nr_event *e), void *ctx);
/* The rules as enforced (with the resolvers), for the refusals' reasons. */
const struct tj_net_rules *tj_layer_net_rules(void *state);
/* The kernel's counts: every refusal, and those the ring buffer had no room for. */
void tj_layer_net_counts(void *state, uint64_t *refused, uint64_t *unrecorded);

#endif
