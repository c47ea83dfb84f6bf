/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The seccomp compiler: profile model -> classic BPF bytes, through
 * libseccomp.  Runs in the parent before anything is started; the child only
 * loads the bytes (notes/architecture.md).
 *
 * Two programs can come out of one compile:
 *   - the program that is loaded, with the actions the run mode needs
 *     (complain: would-be denials become USER_NOTIF; enforce: kills become
 *     USER_NOTIF so that tinyjail can name the syscall before it kills);
 *   - the "truth" program, with the profile's own actions, which the
 *     supervisor evaluates to learn what the profile would have done.
 */
#ifndef TJ_FILTER_H
#define TJ_FILTER_H

#include <linux/filter.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tj/base/err.h"
#include "tj/model/profile.h"

enum tj_mode {
	TJ_MODE_ENFORCE = 0,
	TJ_MODE_COMPLAIN,
	/* `tinyjail learn`: compiled as complain mode (what the profile of
	 * the runs so far does not allow notifies and runs); the monitor hands
	 * each notification to the learner (launch.h, on_notify). */
	TJ_MODE_LEARN,
};

struct tj_filter_opts {
	enum tj_mode mode;
	/* Enforce mode: route kill actions through the supervisor, which
	 * reports the syscall and then kills the process. */
	bool supervise_kills;
	/* Enforce mode, --report: route SCMP_ACT_ERRNO through the
	 * supervisor too, which answers with the same errno (so denials are
	 * seen; one round trip per denied call). */
	bool route_errno;
	/* --report=usage: route the calls explicit SCMP_ACT_ALLOW rules allow
	 * through the supervisor, which counts them and lets them continue
	 * (one round trip per allowed call; notes/supervise.md). */
	bool track_allowed;
	/* An external seccomp agent gets the listener (--notify-socket,
	 * listenerPath): only the profile's SCMP_ACT_NOTIFY rules notify, and
	 * with agent_default also a denying default action; nothing else is
	 * routed and there is no start call. */
	bool agent;
	bool agent_default;
	/* Complain mode through the kernel log: would-be denials become
	 * SCMP_ACT_LOG instead of notifications (--complain=kmsg). */
	bool complain_via_log;
	/* Skip deny rules that name syscalls libseccomp does not know
	 * (weakens the filter; off by default). */
	bool ignore_unknown_deny;
	/* Also produce libseccomp's pseudo-code listing in ->pfc. */
	bool want_pfc;
	/* Let calls through ABIs the profile does not list pass (tinyjail's
	 * hardening filter, which leaves them to the profile). */
	bool bad_arch_allow;
	/* x86_64 syscalls that notify whatever the profile says (--explain,
	 * process events): the supervisor evaluates the truth program and
	 * answers as the kernel would have (allow, errno, kill).  A syscall
	 * the profile decides with KILL_THREAD, TRAP, TRACE or NOTIFY (which
	 * only the kernel or an agent can apply) is refused. */
	const int *notify_nrs;
	size_t notify_n;
	/* 0 = choose (binary tree above 32 rules), 1 = linear, 2 = binary tree. */
	int optimize;
	/* --allow-syscall and --deny-syscall: syscall or group names the
	 * profile's rules no longer decide; they are allowed, or kill (rules
	 * with the json_path "--allow-syscall"/"--deny-syscall").  NULL: none. */
	const struct tj_strv *allow_names, *deny_names;
	const struct tj_host *host; /* NULL = detect */
};

struct tj_filter {
	struct sock_filter *prog; /* what the child loads */
	size_t len;
	struct sock_filter *truth; /* the profile's own actions; NULL if same as prog */
	size_t truth_len;
	unsigned load_flags;	     /* seccomp(2) SECCOMP_FILTER_FLAG_* bits */
	bool uses_listener;	     /* prog can return USER_NOTIF */
	bool has_agent_rules;	     /* the profile itself uses SCMP_ACT_NOTIFY */
	bool has_start_call;	     /* the child makes the start call (below) */
	bool routes_more_than_kills; /* enforce mode notifies ERRNO or allowed calls too (--report, notify_nrs) */
	struct tj_seccomp *resolved; /* the rules in force on this host */
	char *pfc;		     /* when opts.want_pfc */
	size_t nrules_added;	     /* libseccomp rules added to the loaded program */
	struct tj_notes warnings;    /* the user should see these */
	struct tj_notes info;	     /* shown with --verbose */
};

/* When the program notifies, the child makes this call once, right after
 * loading it: syscall TJ_FILTER_SENTINEL_NR with TJ_FILTER_SENTINEL_MAGIC in
 * the first argument, which the program routes to the supervisor.  It is the
 * first notification the supervisor sees; notification ids then count up
 * by one per notification, so a gap means a notification was withdrawn
 * before tinyjail received it (a signal interrupted the call).  The number
 * is far beyond any x86_64 syscall, and the call without the magic value
 * meets the profile's default as before. */
#define TJ_FILTER_SENTINEL_NR 1023
#define TJ_FILTER_SENTINEL_MAGIC 0x74696e796a61696cULL /* "tinyjail" */

void tj_filter_free(struct tj_filter *f);
TJ_DEFINE_CLEANUP(struct tj_filter, tj_filter_free)

/* Compiles the profile's seccomp section (which must exist). */
int tj_filter_compile(const struct tj_profile *p, const struct tj_filter_opts *opts, struct tj_filter **ret,
		      struct tj_err **err);

/* Compiles a program that allows exactly the named syscalls (x86_64) and
 * kills the process for anything else: for tinyjail's own helpers, such as
 * the pid namespace's init. */
int tj_filter_allowlist(const char *const *names, struct tj_filter **ret, struct tj_err **err);

/* --- syscall names --- */

enum tj_syscall_kind {
	TJ_SYSCALL_UNKNOWN = 0, /* no architecture has it, as far as libseccomp knows */
	TJ_SYSCALL_NATIVE,	/* exists on x86_64: *ret_nr is its number */
	TJ_SYSCALL_FOREIGN,	/* exists only on other ABIs (socketcall, _llseek) */
};
/* Resolves a syscall name for x86_64, including syscalls newer than this
 * libseccomp (from tinyjail's own table). */
enum tj_syscall_kind tj_syscall_resolve(const char *name, int *ret_nr);
/* Writes the name of syscall nr on audit arch `arch` (AUDIT_ARCH_*) into buf,
 * or "syscall_<nr>" when unknown. */
void tj_syscall_name(uint32_t arch, int nr, char *buf, size_t size);
/* The ABIs a profile can list on an x86_64 kernel. */
enum tj_abi {
	TJ_ABI_X86_64,
	TJ_ABI_X86,
	TJ_ABI_X32
};
/* The number of syscall `name` on an ABI (x86_64 with tinyjail's table of
 * newer syscalls; x32 with its bit set), or -1 when that ABI has none. */
int tj_syscall_number(enum tj_abi abi, const char *name);
/* A short name for an audit arch value: "x86_64", "x86", "x32". */
const char *tj_arch_short_name(uint32_t arch, int nr);

/* What the profile itself (the truth program) returns for the x86_64
 * execve with which tinyjail starts the command. */
uint32_t tj_filter_execve_action(const struct tj_filter *f);
/* What the loaded program returns for it (an agent's --notify-socket turns
 * a denying default into SCMP_ACT_NOTIFY there, not in the truth). */
uint32_t tj_filter_execve_loaded(const struct tj_filter *f);

/* Describes a raw seccomp return value: "SCMP_ACT_ERRNO(EPERM)". */
void tj_filter_describe_action(uint32_t action, char *buf, size_t size);
/* Converts a profile action (with its errno) to the kernel's return value. */
uint32_t tj_filter_action_value(enum tj_action a, unsigned errno_ret);

/* libseccomp's version and API level, for --version and probes. */
void tj_filter_library_version(char *buf, size_t size);
unsigned tj_filter_api_level(void);

#endif
