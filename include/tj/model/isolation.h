/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What the user asked for beyond seccomp and limits: identity and
 * capabilities, namespaces, the filesystem view and Landlock rights, and the
 * hardening filter's rules.  Pure data and parsing; the layers apply it
 * (layer_ns.c, layer_mount.c, layer_landlock.c, layer_privs.c and the
 * hardening program in the seccomp layer).  notes/isolation.md.
 */
#ifndef TJ_ISOLATION_H
#define TJ_ISOLATION_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "tj/base/err.h"
#include "tj/base/util.h"
#include "tj/model/ports.h"

enum tj_ns {
	TJ_NS_USER = 1u << 0,
	TJ_NS_MOUNT = 1u << 1,
	TJ_NS_PID = 1u << 2,
	TJ_NS_IPC = 1u << 3,
	TJ_NS_UTS = 1u << 4,
	TJ_NS_NET = 1u << 5,
	TJ_NS_CGROUP = 1u << 6,
	TJ_NS_ALL = (1u << 7) - 1,
};

/* Layers (beyond the cgroup limits in limits.h) a user may allow to be
 * skipped where the host lacks them. */
enum tj_iso_degrade {
	TJ_DEGRADE_LANDLOCK = 1u << 0,	   /* filesystem rights without Landlock */
	TJ_DEGRADE_LANDLOCK_NET = 1u << 1, /* TCP port rules (Landlock ABI 4) */
	TJ_DEGRADE_NET_RULES = 1u << 2,	   /* --net host rules without cgroup BPF */
	TJ_DEGRADE_UNIX_SOCKETS = 1u << 3, /* host UNIX sockets reachable despite a view or --net */
};

/* A size-limited writable directory (FS-005): at least this many bytes. */
#define TJ_RW_LIMIT_MIN 4096u
struct tj_rw_limit {
	char *path;
	uint64_t bytes;
};

struct tj_isolation {
	/* identity */
	char *user; /* as given: "nobody", "65534", "nobody:nogroup"; NULL: keep */
	bool has_keep_caps;
	uint64_t keep_caps; /* capabilities the command keeps (default none) */

	/* namespaces */
	unsigned unshare; /* enum tj_ns bits */
	char *hostname;

	/* filesystem: Landlock rights, and the mount view when a mount
	 * namespace is in use */
	struct tj_strv ro;     /* read (and execute) beneath */
	struct tj_strv rw;     /* read, write, create, remove beneath */
	struct tj_strv exec;   /* execute beneath (with --ro/--rw rights not implied) */
	struct tj_strv noexec; /* nothing beneath can be executed (mount) */
	struct tj_strv tmpfs;  /* an empty private tmpfs (mount) */
	struct tj_rw_limit *rw_limits;
	size_t nrw_limits;
	bool no_exec; /* the command may execute nothing but itself */
	/* The command's working directory: --workdir, else the profile's
	 * filesystem.workdir.path, where "${UID}" stands for the caller's uid
	 * (a per-user default such as curl-download's).  The profile may make
	 * it size-limited (workdir_limit bytes, copied back) and not
	 * executable; tj_isolation_apply_workdir turns that into the lists
	 * above once the flags are merged. */
	char *workdir;
	uint64_t workdir_limit;
	bool workdir_noexec;

	/* network rights (Landlock ABI 4); ports in host order */
	bool has_tcp_bind, has_tcp_connect;
	struct tj_port_list tcp_bind, tcp_connect;

	/* the hardening filter */
	bool deny_write_execute; /* MEM-005: no writable or anonymous executable memory */
	bool no_new_processes;	 /* MEM-002: threads only */
	bool has_signals;
	/* No listening TCP sockets: set by run when --net host rules apply,
	 * which judge only outgoing destinations (issue 16 item 14). */
	bool deny_listen;
	uint64_t signals; /* SEC-004: signals the command may send (bit N = signal N) */

	unsigned degrade; /* enum tj_iso_degrade bits */

	/* The cgroup file systems are mounted read-only in the command's
	 * mount namespace, so that it cannot move itself out of the cgroup
	 * that enforces its limits (the cgroup layer's compose hook). */
	bool protect_cgroups;

	/* --afl: the command is afl-fuzz's target; AFL++'s forkserver pipes
	 * (descriptors 198 and 199), when tinyjail inherited them as pipes,
	 * reach it (run passes them; notes/fuzz-learn.md). */
	bool afl_forkserver;
	/* Host UNIX sockets are covered in the command's mount namespace,
	 * and abstract ones scoped: a view or an isolated network asks for it
	 * (the mount layer's compose hook; notes/security.md). */
	bool hide_sockets;
};

/* AFL++'s forkserver descriptors (include/config.h FORKSRV_FD). */
#define TJ_AFL_FORKSRV_FD 198

void tj_isolation_done(struct tj_isolation *iso);
/* Adds everything `over` sets to `base` (lists are appended). */
void tj_isolation_merge(struct tj_isolation *base, const struct tj_isolation *over);

/* "user,mount,pid,ipc,uts,net,cgroup" or "all". */
int tj_isolation_parse_unshare(struct tj_isolation *iso, const char *list, struct tj_err **err);
/* "CAP_NET_BIND_SERVICE,SYS_PTRACE". */
int tj_isolation_parse_caps(struct tj_isolation *iso, const char *list, struct tj_err **err);
/* "TERM,INT" or "15,2" or "SIGTERM". */
int tj_isolation_parse_signals(struct tj_isolation *iso, const char *list, struct tj_err **err);
/* "80,443" into a port list. */
int tj_isolation_parse_ports(const char *list, uint16_t **ret, size_t *ret_n, struct tj_err **err);
/* "PATH=SIZE". */
int tj_isolation_parse_rw_limit(struct tj_isolation *iso, const char *arg, struct tj_err **err);
/* Expands "${UID}" in iso->workdir to uid and adds what the profile said
 * of the directory: a size-limited directory (--rw-limit) and --noexec. */
int tj_isolation_apply_workdir(struct tj_isolation *iso, uid_t uid, struct tj_err **err);
/* "landlock", "landlock-net", "net-rules" or "unix-sockets"; -1 for other
 * names. */
int tj_isolation_parse_degrade(struct tj_isolation *iso, const char *name);

/* True when the filesystem options need a mount namespace (noexec, tmpfs,
 * size-limited directories) or ask for one. */
bool tj_isolation_wants_mount_ns(const struct tj_isolation *iso);
/* The namespaces a run needs: the ones asked for, a mount namespace when
 * the filesystem options or a pid namespace (for its /proc) need one, and a
 * user namespace when anything else is asked for by a user other than root. */
unsigned tj_isolation_namespaces(const struct tj_isolation *iso, bool root);

/* True when the user gave a filesystem view (--ro, --rw, --exec): then
 * nothing outside it can be read, written or executed.  A size-limited
 * directory alone is a mount, not a view; inside a view it is writable. */
bool tj_isolation_wants_landlock_view(const struct tj_isolation *iso);
/* True when Landlock filesystem rules are needed: a view, or --no-exec. */
bool tj_isolation_wants_landlock_fs(const struct tj_isolation *iso);
/* True when the hardening filter has rules beyond the always-on ones. */
bool tj_isolation_wants_hardening(const struct tj_isolation *iso);

/* Normalises a path for the rules: absolute, without "." or ".." parts or
 * repeated slashes (symlinks are resolved later, in the layer).  NULL when
 * the path is not absolute. */
char *tj_isolation_clean_path(const char *path);
/* The same for a command-line path, which may be relative to the current
 * directory.  NULL for an empty path. */
char *tj_isolation_absolute_path(const char *path);

#endif
