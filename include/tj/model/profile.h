/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The in-memory profile: what the user asked for, independent of JSON and of
 * libseccomp.  src/json/ builds it; filter.c compiles its seccomp part.
 *
 * "Absent" and "zero" differ for several OCI fields (errnoRet, flags), so
 * those carry has_* flags.
 */
#ifndef TJ_PROFILE_H
#define TJ_PROFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tj/base/cleanup.h"
#include "tj/base/err.h"
#include "tj/base/util.h"
#include "tj/model/env.h"
#include "tj/model/isolation.h"
#include "tj/model/limits.h"
#include "tj/model/netpolicy.h"

/* Seccomp actions, in OCI spelling.  SCMP_ACT_KILL is kept apart from
 * KILL_PROCESS only so that exports keep the user's spelling: tinyjail
 * enforces both as "kill the whole process" (notes/profile-format.md). */
enum tj_action {
	TJ_ACT_KILL = 0,
	TJ_ACT_KILL_PROCESS,
	TJ_ACT_KILL_THREAD,
	TJ_ACT_TRAP,
	TJ_ACT_ERRNO,
	TJ_ACT_TRACE,
	TJ_ACT_NOTIFY,
	TJ_ACT_LOG,
	TJ_ACT_ALLOW,
	_TJ_ACT_MAX,
};

/* Argument comparisons; values match libseccomp's enum scmp_compare. */
enum tj_cmp {
	TJ_CMP_NE = 1,
	TJ_CMP_LT,
	TJ_CMP_LE,
	TJ_CMP_EQ,
	TJ_CMP_GE,
	TJ_CMP_GT,
	TJ_CMP_MASKED_EQ,
	_TJ_CMP_MAX,
};

/* OCI seccomp flags; values are the kernel's SECCOMP_FILTER_FLAG_* bits. */
enum tj_seccomp_flag {
	TJ_FLAG_TSYNC = 1u << 0,
	TJ_FLAG_LOG = 1u << 1,
	TJ_FLAG_SPEC_ALLOW = 1u << 2,
	TJ_FLAG_WAIT_KILLABLE_RECV = 1u << 5,
};

/* Limits on what a profile may contain (each violation is a clear error). */
#define TJ_PROFILE_MAX_BYTES (4u << 20)
#define TJ_PROFILE_MAX_DEPTH 32
#define TJ_PROFILE_MAX_RULES 4096
#define TJ_PROFILE_MAX_NAMES 4096 /* per rule */
#define TJ_PROFILE_MAX_ARGS 64	  /* per rule; same-index args are OR'ed */
#define TJ_SYSCALL_ARGS 6
#define TJ_ERRNO_MAX 4094 /* libseccomp rejects larger ERRNO values */

struct tj_arg {
	unsigned index;	    /* 0..5 */
	uint64_t value;	    /* datum, or the mask for MASKED_EQ */
	uint64_t value_two; /* the datum for MASKED_EQ */
	enum tj_cmp op;
};

/* Docker/Podman "includes"/"excludes": a rule applies only on matching hosts. */
struct tj_cond {
	struct tj_strv caps;   /* CAP_* names */
	struct tj_strv arches; /* Go names: amd64, x86, x32, arm64, ... */
	char *min_kernel;      /* "X.Y", or NULL */
	unsigned min_major, min_minor;
};

/* Where one name of a rule came from once syscall groups are expanded
 * (expand.c): a group entry ("@network-io") becomes many names. */
struct tj_name_origin {
	size_t index; /* its entry in the profile's "names" array */
	char *via;    /* "@system-service > @ipc", or NULL if named directly */
};

struct tj_rule {
	char *json_path; /* e.g. "syscalls[3]" */
	struct tj_strv names;
	struct tj_name_origin *origins; /* NULL (names as written), or one per name */
	bool singular_name;		/* written with the deprecated "name" key */
	enum tj_action action;
	bool has_errno;
	unsigned errno_ret; /* errno for ERRNO, message number for TRACE */
	struct tj_arg *args;
	size_t nargs;
	bool has_includes, has_excludes;
	struct tj_cond includes, excludes;
	char *comment;
	/* 0 for a profile's own rules; a profile that "extends" another puts
	 * its rules a layer above the base's, --allow-syscall and
	 * --deny-syscall above all: a rule decides the syscalls it names for
	 * every rule of a lower layer (the compiler drops them there). */
	unsigned layer;
};

struct tj_seccomp {
	char *json_path; /* "" (whole file) or "linux.seccomp" */
	enum tj_action default_action;
	bool has_default_errno;
	unsigned default_errno;
	struct tj_strv arches; /* SCMP_ARCH_* names; native is implied */
	bool arches_from_archmap;
	bool has_flags; /* "flags" present, even if empty */
	unsigned flags; /* enum tj_seccomp_flag bits */
	char *listener_path;
	char *listener_metadata;
	struct tj_rule *rules;
	size_t nrules;
	bool default_inherited; /* no defaultAction: the extended profile's (tinyjail.extends) */
};

enum tj_profile_shape {
	TJ_SHAPE_SECCOMP,    /* a bare OCI/Docker/Podman seccomp object */
	TJ_SHAPE_OCI_CONFIG, /* an OCI runtime config.json: linux.seccomp is used */
	TJ_SHAPE_TINYJAIL,   /* a tinyjail profile: OCI config layout + "tinyjail" key */
};

struct tj_profile {
	char *file; /* name for messages, as the user wrote it */
	char *text; /* source text, for positions in messages */
	size_t text_len;
	enum tj_profile_shape shape;
	char *description;	    /* tinyjail.description, else the seccomp object's "comment" */
	struct tj_seccomp *seccomp; /* NULL when the profile has no seccomp section */
	struct tj_limits limits;    /* process.rlimits, linux.resources, tinyjail.timeout */
	struct tj_env_policy env;   /* process.env, tinyjail.environment */
	struct tj_isolation iso;    /* process.user/capabilities, linux.namespaces, tinyjail.filesystem ... */
	struct tj_net_policy net;   /* tinyjail.network (mode, allowlist, ...) */
	struct tj_notes warnings;   /* what was ignored, for the command layer to print */
	char *extends;		    /* tinyjail.extends, as written (a bundled name or a path) */
	char *base_text;	    /* the extended profiles' texts, for the filter cache's key */
	size_t base_text_len;
};

/* Builds p on top of base (tinyjail.extends): base's sections first, p's
 * over them as the merges of each option model do; base's rules stay with
 * their layer, p's go a layer above (so p's rules decide the syscalls they
 * name), a missing defaultAction is base's, architectures add up.  base is
 * consumed. */
void tj_profile_extend(struct tj_profile *p, struct tj_profile *base);

void tj_profile_free(struct tj_profile *p);
TJ_DEFINE_CLEANUP(struct tj_profile, tj_profile_free)
void tj_seccomp_free(struct tj_seccomp *s);
/* A deep copy (a rule's NULL json_path becomes ""). */
struct tj_seccomp *tj_seccomp_copy(const struct tj_seccomp *s);
void tj_rule_done(struct tj_rule *r);
void tj_rule_copy(struct tj_rule *dst, const struct tj_rule *src);
/* Removes names.v[k] (and its origin). */
void tj_rule_drop_name(struct tj_rule *r, size_t k);
/* The JSON path of the entry names.v[k] came from: "syscalls[3].names[1]"
 * (or ".name").  Caller frees. */
char *tj_rule_name_path(const struct tj_rule *r, size_t k);
/* The groups names.v[k] came through, or NULL when it was named directly. */
const char *tj_rule_name_via(const struct tj_rule *r, size_t k);
/* For messages: the rule's path, or for a name from a group rule the
 * entry's path and the groups ("syscalls[0].names[2] (@privileged > @chown)").
 * Caller frees. */
char *tj_rule_name_where(const struct tj_rule *r, size_t k);

/* Names and their inverse; *_from_name returns -1 for unknown names. */
const char *tj_action_name(enum tj_action a);
int tj_action_from_name(const char *name);
const char *const *tj_action_names(void);
const char *tj_cmp_name(enum tj_cmp op);
int tj_cmp_from_name(const char *name);
const char *const *tj_cmp_names(void);
const char *tj_flag_name(enum tj_seccomp_flag f);
int tj_flag_from_name(const char *name);
const char *const *tj_flag_names(void);
/* True for a SCMP_ARCH_* name the OCI spec defines (or SCMP_ARCH_NATIVE). */
bool tj_arch_name_valid(const char *name);
const char *const *tj_arch_names(void);
/* True for a big-endian ABI (MIPS, PPC, S390, PARISC, M68K, SHEB), which no
 * filter on this little-endian host can include. */
bool tj_arch_big_endian(const char *name);

/* ERRNO and TRACE carry a number; everything else must not. */
bool tj_action_takes_errno(enum tj_action a);
/* The kernel's precedence: a higher rank is more restrictive (notes/profile-format.md). */
int tj_action_rank(enum tj_action a);
/* True for the actions that end the process or thread. */
bool tj_action_is_kill(enum tj_action a);
/* The action as tinyjail enforces it: SCMP_ACT_KILL is SCMP_ACT_KILL_PROCESS. */
enum tj_action tj_action_canonical(enum tj_action a);
/* True when the rule's enforced action and errno equal the default's: such
 * rules are skipped, as runc and crun skip them (libseccomp refuses them). */
bool tj_rule_equals_default(const struct tj_seccomp *s, const struct tj_rule *r);
/* True when an argument index repeats in the rule: then every comparison is a
 * rule of its own (OR), as runc and crun compile it. */
bool tj_rule_has_repeated_index(const struct tj_rule *r);
/* The errno (or TRACE message) an action carries once defaults apply:
 * absent means EPERM (1), as runc and crun do. */
unsigned tj_rule_effective_errno(const struct tj_rule *r);
unsigned tj_seccomp_effective_default_errno(const struct tj_seccomp *s);

/* What a conditional (Docker/Podman) rule is evaluated against. */
struct tj_host {
	const char *go_arch; /* "amd64" */
	unsigned kernel_major, kernel_minor;
	uint64_t caps; /* capability bits the target will hold */
};
/* Fills host from the running system: native arch, uname, permitted caps. */
void tj_host_detect(struct tj_host *host);

/* Returns true when rule r applies on host (includes/excludes evaluated as
 * moby does); *why is set to a static reason when it does not. */
bool tj_rule_applies(const struct tj_rule *r, const struct tj_host *host, const char **why);

#endif
