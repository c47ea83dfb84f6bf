/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Control groups: discovering the hierarchies this host mounts, choosing v2
 * or v1 per controller (hybrid hosts put memory, cpu and pids on v1 and keep
 * a controller-less v2 for cgroup.kill; most hosts are pure v2), and
 * creating, limiting, measuring, killing and removing one cgroup per sandbox.
 *
 * tinyjail never remounts or reshapes a hierarchy and touches only
 * directories it created: <base>/tinyjail/tj-<pid>-<starttime>, where <base>
 * is tinyjail's own cgroup (v1), the hierarchy root (v2 as root), or a
 * delegated ancestor (v2 as another user).  notes/limits.md has the rules.
 */
#ifndef TJ_CGROUP_H
#define TJ_CGROUP_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "tj/base/err.h"
#include "tj/base/util.h"

enum tj_cg_controller {
	TJ_CG_MEMORY,
	TJ_CG_CPU,
	TJ_CG_PIDS,
	TJ_CG_FREEZER, /* v1 only: the v1 way to stop a whole tree */
	_TJ_CG_MAX,
};
const char *tj_cg_controller_name(enum tj_cg_controller c);

/* One mounted hierarchy. */
struct tj_cg_hierarchy {
	int version;	      /* 1 or 2 */
	char *mount;	      /* where it is mounted */
	char *own;	      /* this process's cgroup in it, as a path under the mount */
	unsigned controllers; /* v1: the controllers mounted here (1u << enum) */
};

/* What discovery found, and what it chose. */
struct tj_cg_system {
	struct tj_cg_hierarchy *h;
	size_t n;
	int v2;			 /* index of the v2 hierarchy, or -1 */
	char *v2_base;		 /* where tinyjail may create v2 cgroups, or NULL */
	char *v2_base_why;	 /* why there is none */
	unsigned v2_controllers; /* controllers children of v2_base can have */
	unsigned v2_withheld;	 /* ...that v2_base has but does not pass down */
	int chosen[_TJ_CG_MAX];	 /* per controller: hierarchy index, or -1 */
	char *why[_TJ_CG_MAX];	 /* per controller: why it is unavailable */
};

/* Reads <proc_self>/mountinfo and <proc_self>/cgroup ("/proc/self" normally;
 * tests point it at a fake tree) and decides where each controller lives.
 * euid decides whether v2 cgroups go under the hierarchy root (root) or a
 * delegated ancestor; $TINYJAIL_CGROUP_PARENT names a v2 base explicitly. */
/* The directory of this process's own cgroup in hierarchy h.  Caller frees. */
char *tj_cg_own_dir(const struct tj_cg_hierarchy *h);

/* Adds every cgroup (v1) and cgroup2 mount point of mountinfo to out. */
int tj_cg_mount_points(const char *proc_self, struct tj_strv *out, struct tj_err **err);
int tj_cg_discover(const char *proc_self, uid_t euid, struct tj_cg_system *sys, struct tj_err **err);
void tj_cg_system_done(struct tj_cg_system *sys);

/* Version-specific operations on one cgroup directory (an open dirfd). */
struct tj_cg_ops {
	int version;
	int (*set_memory)(int dirfd, uint64_t bytes, struct tj_err **err);
	int (*set_cpu)(int dirfd, uint64_t quota_us, uint64_t period_us, struct tj_err **err);
	int (*set_pids)(int dirfd, uint64_t max, struct tj_err **err);
	/* Each returns 0 and fills *ret, or -1 when the file is missing. */
	int (*memory_peak)(int dirfd, uint64_t *ret);
	int (*oom_kills)(int dirfd, uint64_t *ret);
	int (*pids_refused)(int dirfd, uint64_t *ret);
	int (*cpu_throttled)(int dirfd, uint64_t *ret);
};
extern const struct tj_cg_ops tj_cg_v1;
extern const struct tj_cg_ops tj_cg_v2;

/* --- small file helpers shared by the two implementations --- */

/* Writes a whole string to dirfd/name; -1 with err on failure. */
int tj_cg_write(int dirfd, const char *name, const char *value, struct tj_err **err);
/* Reads "key value" lines (memory.events, cpu.stat) or a lone number. */
int tj_cg_read_key(int dirfd, const char *name, const char *key, uint64_t *ret);
int tj_cg_read_u64(int dirfd, const char *name, uint64_t *ret);
/* Pids listed in dirfd/cgroup.procs; returns the count (at most max). */
size_t tj_cg_read_procs(int dirfd, pid_t *pids, size_t max);

/* The name of this sandbox's cgroup: "tj-<pid>-<starttime>". */
void tj_cg_sandbox_name(pid_t pid, char *buf, size_t size);
/* True when a "tj-<pid>-<starttime>" entry belongs to a tinyjail that is gone. */
bool tj_cg_name_is_stale(const char *name);

#endif
