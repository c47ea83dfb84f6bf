/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Profile -> BPF through libseccomp (the only libseccomp user apart from
 * notify.c).  The semantics follow runc and crun; every deliberate
 * difference is listed in notes/profile-format.md.
 *
 * The program is built from two libseccomp contexts merged at the end: one
 * for x86_64 alone, which also takes syscall numbers newer than this
 * libseccomp's table, and one for the 32-bit ABIs a profile lists (x86, x32),
 * which keeps libseccomp's own name translation.
 */
#include <errno.h>
#include <linux/audit.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "tj/base/cleanup.h"
#include "tj/base/jsonpos.h"
#include "tj/base/seccomp_abi.h"
#include "tj/filter/bpfflow.h"
#include "tj/filter/bpfsim.h"
#include "tj/filter/expand.h"
#include "tj/filter/filter.h"
#include "tj/filter/verify.h"
#include "tj/model/sysgroups.h"

#define X32_SYSCALL_BIT 0x40000000
#define NATIVE_NR_LIMIT 1024 /* x86_64 syscall numbers, supplements included, stay below */

/* LeakSanitizer builds only (make SAN=1, the fuzz targets): libseccomp
 * (2.5.4 and upstream's 2.6.x alike) loses a few rule-tree nodes when a
 * rule makes part of an earlier one redundant, e.g. mmap a3&M==0 after
 * mmap a2&5==0 && a3&M==0 with mmap a3&9==0 between them (found by the
 * fuzz smoke; reproduced without tinyjail, notes/testing.md).  The filter is
 * right; only the memory is lost, once per compile.  Debian's libseccomp has
 * no frame pointers, so a leak's stack ends inside the library and only the
 * library's name can single it out: what libseccomp allocates is not
 * reported.  tinyjail's own contexts are released by cleanup attributes, and
 * the stress run watches a long-lived supervisor's memory (notes/testing.md). */
#if defined(__SANITIZE_ADDRESS__)
#define TJ_LSAN_BUILD 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TJ_LSAN_BUILD 1
#endif
#endif
#ifdef TJ_LSAN_BUILD
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
	return "leak:libseccomp.so\n";
}
#endif

/* Syscalls the kernel has (6.8 - 6.17) but Debian 12's libseccomp 2.5.4
 * table does not; x86_64 numbers from arch/x86/entry/syscalls/syscall_64.tbl,
 * checked against the running kernel by tests/unit/test_filter.c.  Sorted. */
static const struct {
	const char *name;
	int nr;
} newer_syscalls[] = {
	{"file_getattr", 468}, {"file_setattr", 469},	   {"getxattrat", 464},	      {"listmount", 458},
	{"listxattrat", 465},  {"lsm_get_self_attr", 459}, {"lsm_list_modules", 461}, {"lsm_set_self_attr", 460},
	{"mseal", 462},	       {"open_tree_attr", 467},	   {"removexattrat", 466},    {"setxattrat", 463},
	{"statmount", 457},    {"uretprobe", 335},
};

TJ_DEFINE_CLEANUP(void, seccomp_release)

/* --- names --- */

enum tj_syscall_kind tj_syscall_resolve(const char *name, int *ret_nr)
{
	int nr = seccomp_syscall_resolve_name(name);
	if (nr >= 0) {
		*ret_nr = nr;
		return TJ_SYSCALL_NATIVE;
	}
	if (nr != __NR_SCMP_ERROR) {
		*ret_nr = nr; /* a libseccomp pseudo number */
		return TJ_SYSCALL_FOREIGN;
	}
	for (size_t i = 0; i < TJ_ARRAY_SIZE(newer_syscalls); i++) {
		if (strcmp(newer_syscalls[i].name, name) == 0) {
			*ret_nr = newer_syscalls[i].nr;
			return TJ_SYSCALL_NATIVE;
		}
	}
	return TJ_SYSCALL_UNKNOWN;
}

static uint32_t arch_token(uint32_t arch, int nr)
{
	if (arch == AUDIT_ARCH_X86_64)
		return (nr & X32_SYSCALL_BIT) ? SCMP_ARCH_X32 : SCMP_ARCH_X86_64;
	if (arch == AUDIT_ARCH_I386)
		return SCMP_ARCH_X86;
	return 0;
}

const char *tj_arch_short_name(uint32_t arch, int nr)
{
	switch (arch_token(arch, nr)) {
	case SCMP_ARCH_X86_64: return "x86_64";
	case SCMP_ARCH_X86: return "x86";
	case SCMP_ARCH_X32: return "x32";
	default: return "unknown-arch";
	}
}

void tj_syscall_name(uint32_t arch, int nr, char *buf, size_t size)
{
	uint32_t token = arch_token(arch, nr);
	char *name = token ? seccomp_syscall_resolve_num_arch(token, nr) : NULL;
	if (name) {
		snprintf(buf, size, "%s", name);
		free(name);
		return;
	}
	if (token == SCMP_ARCH_X86_64) {
		for (size_t i = 0; i < TJ_ARRAY_SIZE(newer_syscalls); i++) {
			if (newer_syscalls[i].nr == nr) {
				snprintf(buf, size, "%s", newer_syscalls[i].name);
				return;
			}
		}
	}
	snprintf(buf, size, "syscall_%d", token == SCMP_ARCH_X32 ? nr & ~X32_SYSCALL_BIT : nr);
}

int tj_syscall_number(enum tj_abi abi, const char *name)
{
	static const uint32_t tokens[] =
		{[TJ_ABI_X86_64] = SCMP_ARCH_X86_64, [TJ_ABI_X86] = SCMP_ARCH_X86, [TJ_ABI_X32] = SCMP_ARCH_X32};
	int nr = seccomp_syscall_resolve_name_arch(tokens[abi], name);
	if (nr == __NR_SCMP_ERROR && abi == TJ_ABI_X86_64 && tj_syscall_resolve(name, &nr) != TJ_SYSCALL_NATIVE)
		return -1;
	return nr < 0 ? -1 : nr;
}

/* All x86_64 syscall names, for "did you mean" (NULL-terminated; caller frees). */
static char **all_syscall_names(void)
{
	struct tj_strv sv = {0};
	for (int nr = 0; nr < NATIVE_NR_LIMIT; nr++) {
		char *name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_X86_64, nr);
		if (name)
			tj_strv_add_owned(&sv, name);
	}
	for (size_t i = 0; i < TJ_ARRAY_SIZE(newer_syscalls); i++)
		tj_strv_add(&sv, newer_syscalls[i].name);
	return sv.v;
}

static void free_strv(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

/* --- actions --- */

uint32_t tj_filter_action_value(enum tj_action a, unsigned errno_ret)
{
	switch (a) {
	case TJ_ACT_KILL:
	case TJ_ACT_KILL_PROCESS: return SCMP_ACT_KILL_PROCESS;
	case TJ_ACT_KILL_THREAD: return SCMP_ACT_KILL_THREAD;
	case TJ_ACT_TRAP: return SCMP_ACT_TRAP;
	case TJ_ACT_ERRNO: return SCMP_ACT_ERRNO(errno_ret);
	case TJ_ACT_TRACE: return SCMP_ACT_TRACE(errno_ret);
	case TJ_ACT_NOTIFY: return SCMP_ACT_NOTIFY;
	case TJ_ACT_LOG: return SCMP_ACT_LOG;
	case TJ_ACT_ALLOW: return SCMP_ACT_ALLOW;
	default: return SCMP_ACT_KILL_PROCESS;
	}
}

uint32_t tj_filter_execve_action(const struct tj_filter *f)
{
	struct seccomp_data d = {.nr = __NR_execve, .arch = AUDIT_ARCH_X86_64};
	return f->truth ? tj_bpf_run(f->truth, f->truth_len, &d) : tj_bpf_run(f->prog, f->len, &d);
}

uint32_t tj_filter_execve_loaded(const struct tj_filter *f)
{
	struct seccomp_data d = {.nr = __NR_execve, .arch = AUDIT_ARCH_X86_64};
	return tj_bpf_run(f->prog, f->len, &d);
}

void tj_filter_describe_action(uint32_t action, char *buf, size_t size)
{
	uint32_t data = action & SECCOMP_RET_DATA;
	switch (action & SECCOMP_RET_ACTION_FULL) {
	case SCMP_ACT_KILL_PROCESS: snprintf(buf, size, "SCMP_ACT_KILL_PROCESS"); return;
	case SCMP_ACT_KILL_THREAD: snprintf(buf, size, "SCMP_ACT_KILL_THREAD"); return;
	case SCMP_ACT_TRAP: snprintf(buf, size, "SCMP_ACT_TRAP"); return;
	case SCMP_ACT_NOTIFY: snprintf(buf, size, "SCMP_ACT_NOTIFY"); return;
	case SCMP_ACT_LOG: snprintf(buf, size, "SCMP_ACT_LOG"); return;
	case SCMP_ACT_ALLOW: snprintf(buf, size, "SCMP_ACT_ALLOW"); return;
	case SECCOMP_RET_ERRNO: {
		const char *name = strerrorname_np((int)data);
		if (name)
			snprintf(buf, size, "SCMP_ACT_ERRNO(%s)", name);
		else
			snprintf(buf, size, "SCMP_ACT_ERRNO(%u)", data);
		return;
	}
	case SECCOMP_RET_TRACE: snprintf(buf, size, "SCMP_ACT_TRACE(%u)", data); return;
	default: snprintf(buf, size, "0x%08x", action); return;
	}
}

/* How a profile action is compiled into the loaded program. */
enum flavour {
	FLAVOUR_TRUTH,	  /* the profile's own actions */
	FLAVOUR_ENFORCE,  /* truth, with some actions routed through a supervisor */
	FLAVOUR_COMPLAIN, /* nothing denied: would-be denials notify (or log) */
};

static uint32_t compile_action(enum flavour fl, const struct tj_filter_opts *o, enum tj_action a, unsigned errno_ret,
			       bool is_default)
{
	bool allows = a == TJ_ACT_ALLOW || a == TJ_ACT_LOG;
	switch (fl) {
	case FLAVOUR_ENFORCE:
		/* An agent owns the listener: tinyjail routes nothing of its
		 * own through it. */
		if (o->agent) {
			if (is_default && o->agent_default && !allows)
				return SCMP_ACT_NOTIFY;
			break;
		}
		/* KILL_THREAD stays with the kernel: the supervisor can only
		 * kill whole processes.  TRAP and TRACE too: their effect (a
		 * signal, a tracer stop) cannot be given by a supervisor. */
		if (o->supervise_kills && (a == TJ_ACT_KILL || a == TJ_ACT_KILL_PROCESS))
			return SCMP_ACT_NOTIFY;
		if (o->route_errno && a == TJ_ACT_ERRNO)
			return SCMP_ACT_NOTIFY;
		/* Only explicit ALLOW rules: a default ALLOW would route every
		 * call, and it has no rule to find unused. */
		if (o->track_allowed && !is_default && a == TJ_ACT_ALLOW)
			return SCMP_ACT_NOTIFY;
		break;
	case FLAVOUR_COMPLAIN:
		if (!allows)
			return o->complain_via_log ? SCMP_ACT_LOG : SCMP_ACT_NOTIFY;
		if (o->track_allowed && !o->complain_via_log && !is_default && a == TJ_ACT_ALLOW)
			return SCMP_ACT_NOTIFY;
		break;
	case FLAVOUR_TRUTH: break;
	}
	return tj_filter_action_value(a, errno_ret);
}

/* --- resolving the profile for this host --- */

static struct tj_seccomp *resolve_for_host(const struct tj_seccomp *in, const struct tj_host *host,
					   struct tj_notes *info)
{
	struct tj_seccomp *out = tj_xcalloc(1, sizeof(*out));
	out->json_path = tj_xstrdup(in->json_path);
	out->default_action = in->default_action;
	out->has_default_errno = in->has_default_errno;
	out->default_errno = in->default_errno;
	for (size_t i = 0; i < in->arches.n; i++)
		tj_strv_add(&out->arches, in->arches.v[i]);
	out->arches_from_archmap = in->arches_from_archmap;
	out->has_flags = in->has_flags;
	out->flags = in->flags;
	out->listener_path = in->listener_path ? tj_xstrdup(in->listener_path) : NULL;
	out->listener_metadata = in->listener_metadata ? tj_xstrdup(in->listener_metadata) : NULL;
	out->rules = tj_xcalloc(in->nrules ? in->nrules : 1, sizeof(*out->rules));
	for (size_t i = 0; i < in->nrules; i++) {
		const struct tj_rule *r = &in->rules[i];
		const char *why = NULL;
		if (!tj_rule_applies(r, host, &why)) {
			tj_notes_add(info, r->json_path, "rule skipped on this host: %s", why);
			continue;
		}
		/* The conditions stay on the copy only as a record of where the
		 * rule came from (check_conflicts); they have been evaluated. */
		tj_rule_copy(&out->rules[out->nrules++], r);
	}
	return out;
}

static bool is_deny_relative_to_default(const struct tj_seccomp *s, const struct tj_rule *r)
{
	return tj_action_rank(r->action) > tj_action_rank(s->default_action);
}

/* Removes names libseccomp cannot resolve: a warning when that only
 * tightens the filter, an error when it would weaken it. */
/* Syscalls of other architectures that libseccomp 2.5 does not know yet
 * (for x86_64 they are not typos, and can never be called). */
static bool other_arch_only(const char *name)
{
	static const char *const names[] = {"riscv_hwprobe", "riscv_flush_icache", NULL};
	for (size_t i = 0; names[i]; i++)
		if (strcmp(names[i], name) == 0)
			return true;
	return false;
}

static int drop_unknown_names(struct tj_seccomp *s, const struct tj_filter_opts *opts, const char *file,
			      struct tj_notes *warnings, struct tj_notes *info, struct tj_err **err)
{
	char **known = NULL;
	int ret = 0;
	for (size_t i = 0; i < s->nrules && ret == 0; i++) {
		struct tj_rule *r = &s->rules[i];
		struct tj_buf skipped = {0};
		for (size_t k = 0; k < r->names.n; k++) {
			int nr;
			const char *name = r->names.v[k];
			if (tj_syscall_resolve(name, &nr) != TJ_SYSCALL_UNKNOWN)
				continue;
			if (is_deny_relative_to_default(s, r) && !opts->ignore_unknown_deny) {
				if (!known)
					known = all_syscall_names();
				const char *hint = tj_suggest(name, (const char *const *)known);
				char *path = tj_rule_name_path(r, k);
				if (hint)
					tj_err_set(err, TJ_ERR_PROFILE, 0, "unknown syscall '%s' (did you mean '%s'?)",
						   name, hint);
				else
					tj_err_set(err, TJ_ERR_PROFILE, 0,
						   "unknown syscall '%s' in a rule that denies it", name);
				tj_err_at(err, file, path);
				tj_err_hint(err,
					    "skipping this name would let '%s' through under the default action %s; "
					    "fix the name, or pass --ignore-unknown-syscalls to skip it anyway",
					    name, tj_action_name(s->default_action));
				free(path);
				ret = -1;
				break;
			}
			if (other_arch_only(name)) {
				/* Docker's profile lists it for riscv64: nothing to say
				 * on every x86_64 run; -v and check -v show it. */
				tj_notes_add(info, r->json_path,
					     "'%s' exists only on other architectures: skipped on x86_64", name);
				tj_rule_drop_name(r, k--);
				continue;
			}
			tj_buf_addf(&skipped, "%s'%s'", skipped.len ? ", " : "", name);
			tj_rule_drop_name(r, k--);
		}
		if (skipped.len) {
			const char *effect = is_deny_relative_to_default(s, r)
						     ? "this weakens the filter (--ignore-unknown-syscalls)"
						     : "this rule is not a denial, so skipping only tightens the filter";
			char version[32];
			tj_filter_library_version(version, sizeof(version));
			tj_notes_add(warnings, r->json_path, "skipped syscall names unknown to libseccomp %s: %s (%s)",
				     version, skipped.s, effect);
		}
		tj_buf_done(&skipped);
	}
	free_strv(known);
	return ret;
}

static bool from_condition(const struct tj_rule *r)
{
	return r->has_includes || r->has_excludes;
}

/* Drops rules left without names (all unknown, or all overridden). */
static void compact_rules(struct tj_seccomp *s)
{
	size_t out = 0;
	for (size_t i = 0; i < s->nrules; i++) {
		if (s->rules[i].names.n == 0)
			tj_rule_done(&s->rules[i]);
		else
			s->rules[out++] = s->rules[i];
	}
	s->nrules = out;
}

/*
 * libseccomp silently keeps the first of two unconditional rules for one
 * syscall, and silently drops a conditional rule when an unconditional one
 * exists (oci-seccomp.md 3.2).  Between plain rules that is a mistake in the
 * profile and an error here.  Docker and Podman profiles, though, overlap by
 * design through their includes/excludes conditions (Podman allows setns for
 * everyone and denies it again without CAP_SYS_ADMIN), and runc and crun give
 * them libseccomp's outcome; so when either rule is conditional, tinyjail
 * gives the same outcome, warns, and removes the overridden name from the
 * resolved rules so that reports and exports show what is enforced.
 */
static int check_conflicts(struct tj_seccomp *s, const char *file, struct tj_notes *warnings, struct tj_notes *info,
			   struct tj_err **err)
{
	struct slot {
		long uncond_rule; /* index, or -1 */
		size_t name_k;	  /* the name's index in that rule */
		uint32_t value;
	} *slots = tj_xcalloc(NATIVE_NR_LIMIT, sizeof(*slots));
	for (size_t n = 0; n < NATIVE_NR_LIMIT; n++)
		slots[n].uncond_rule = -1;
	int ret = 0;

	for (size_t i = 0; i < s->nrules && !ret; i++) {
		struct tj_rule *r = &s->rules[i];
		if (r->nargs || tj_rule_equals_default(s, r))
			continue;
		uint32_t value = tj_filter_action_value(r->action, tj_rule_effective_errno(r));
		for (size_t k = 0; k < r->names.n && !ret; k++) {
			int nr;
			if (tj_syscall_resolve(r->names.v[k], &nr) != TJ_SYSCALL_NATIVE || nr >= NATIVE_NR_LIMIT)
				continue;
			struct slot *sl = &slots[nr];
			if (sl->uncond_rule < 0) {
				sl->uncond_rule = (long)i;
				sl->name_k = k;
				sl->value = value;
				continue;
			}
			if (sl->value == value)
				continue;
			const struct tj_rule *first = &s->rules[sl->uncond_rule];
			tj_autofree char *first_at = tj_rule_name_where(first, sl->name_k);
			tj_autofree char *here = tj_rule_name_where(r, k);
			char a[64], b[64];
			tj_filter_describe_action(sl->value, a, sizeof(a));
			tj_filter_describe_action(value, b, sizeof(b));
			if (from_condition(r) || from_condition(first)) {
				tj_notes_add(warnings, r->json_path,
					     "'%s' %s is overridden by %s (%s), which comes first: libseccomp keeps the "
					     "first rule, as runc and crun do",
					     r->names.v[k], b, first_at, a);
				tj_rule_drop_name(r, k--);
				continue;
			}
			tj_err_set(err, TJ_ERR_PROFILE, 0, "conflicting rules for '%s': %s says %s, %s says %s",
				   r->names.v[k], first_at, a, r->origins ? here : "this rule", b);
			tj_autofree char *path = r->origins ? tj_rule_name_path(r, k) : tj_xstrdup(r->json_path);
			tj_err_at(err, file, path);
			tj_err_hint(err, "libseccomp would silently keep the first; remove one of them");
			ret = -1;
		}
	}
	for (size_t i = 0; i < s->nrules && !ret; i++) {
		struct tj_rule *r = &s->rules[i];
		if (!r->nargs || tj_rule_equals_default(s, r))
			continue;
		uint32_t value = tj_filter_action_value(r->action, tj_rule_effective_errno(r));
		for (size_t k = 0; k < r->names.n && !ret; k++) {
			int nr;
			if (tj_syscall_resolve(r->names.v[k], &nr) != TJ_SYSCALL_NATIVE || nr >= NATIVE_NR_LIMIT)
				continue;
			const struct slot *sl = &slots[nr];
			if (sl->uncond_rule < 0)
				continue;
			const struct tj_rule *u = &s->rules[sl->uncond_rule];
			tj_autofree char *u_at = tj_rule_name_where(u, sl->name_k);
			if (sl->value != value && tj_action_rank(r->action) > tj_action_rank(u->action)) {
				if (!from_condition(r) && !from_condition(u)) {
					tj_err_set(err, TJ_ERR_PROFILE, 0,
						   "this rule never applies to '%s': %s already decides it (%s) for all "
						   "arguments",
						   r->names.v[k], u_at, tj_action_name(u->action));
					tj_err_at(err, file, r->json_path);
					tj_err_hint(err,
						    "libseccomp drops a conditional rule when an unconditional rule "
						    "exists for the same syscall, so these argument checks would be "
						    "silently ignored");
					ret = -1;
					break;
				}
				tj_notes_add(warnings, r->json_path,
					     "the argument checks for '%s' never apply: %s decides it for all arguments "
					     "(libseccomp, runc and crun drop them too)",
					     r->names.v[k], u_at);
			} else if (sl->value != value) {
				tj_notes_add(info, r->json_path, "no effect for '%s': %s decides it for all arguments",
					     r->names.v[k], u_at);
			}
			tj_rule_drop_name(r, k--);
		}
	}
	free(slots);
	compact_rules(s);
	return ret;
}

/* --- building programs --- */

static int seccomp_fail(struct tj_err **err, int rc, const char *what)
{
	return tj_err_set(err, TJ_ERR_INTERNAL, rc < 0 ? -rc : 0, "libseccomp: %s", what);
}

static scmp_filter_ctx new_ctx(uint32_t def, uint32_t badarch, int optimize, struct tj_err **err)
{
	scmp_filter_ctx ctx = seccomp_init(def);
	if (!ctx) {
		char a[64];
		tj_filter_describe_action(def, a, sizeof(a));
		tj_err_set(err, TJ_ERR_LAYER, 0, "libseccomp refused the default action %s", a);
		tj_err_hint(err,
			    "the kernel or libseccomp may lack this action; see /proc/sys/kernel/seccomp/actions_avail");
		tj_err_layer(err, "seccomp");
		return NULL;
	}
	int rc;
	if ((rc = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, badarch)) < 0 ||
	    (rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0)) < 0 ||
	    (rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, (uint32_t)optimize)) < 0) {
		seccomp_release(ctx);
		seccomp_fail(err, rc, "cannot set filter attributes");
		return NULL;
	}
	return ctx;
}

static int arch_from_name(const char *name, uint32_t *token)
{
	if (strcmp(name, "SCMP_ARCH_NATIVE") == 0 || strcmp(name, "SCMP_ARCH_X86_64") == 0) {
		*token = SCMP_ARCH_X86_64;
		return 0;
	}
	if (strcmp(name, "SCMP_ARCH_X86") == 0) {
		*token = SCMP_ARCH_X86;
		return 0;
	}
	if (strcmp(name, "SCMP_ARCH_X32") == 0) {
		*token = SCMP_ARCH_X32;
		return 0;
	}
	return -1; /* an ABI that cannot issue syscalls on an x86_64 kernel */
}

static int add_rule(scmp_filter_ctx ctx, uint32_t action, int nr, const struct tj_rule *r, const char *name,
		    size_t *count, const char *file, struct tj_err **err)
{
	struct scmp_arg_cmp cmps[TJ_PROFILE_MAX_ARGS];
	unsigned seen = 0;
	bool repeated = false;
	for (size_t i = 0; i < r->nargs; i++) {
		const struct tj_arg *a = &r->args[i];
		if (seen & (1u << a->index))
			repeated = true;
		seen |= 1u << a->index;
		/* For MASKED_EQ libseccomp takes the mask first, then the datum. */
		cmps[i] = (struct scmp_arg_cmp){.arg = a->index,
						.op = (enum scmp_compare)a->op,
						.datum_a = a->value,
						.datum_b = a->value_two};
	}
	int rc = 0;
	if (!repeated) {
		rc = seccomp_rule_add_array(ctx, action, nr, (unsigned)r->nargs, r->nargs ? cmps : NULL);
		(*count)++;
	} else {
		/* runc and crun: when an index repeats, every comparison becomes
		 * a rule of its own, so the rule matches if any of them does. */
		for (size_t i = 0; i < r->nargs && rc == 0; i++) {
			rc = seccomp_rule_add_array(ctx, action, nr, 1, &cmps[i]);
			(*count)++;
		}
	}
	if (rc == 0)
		return 0;
	if (rc == -EEXIST)
		tj_err_set(err, TJ_ERR_PROFILE, 0,
			   "'%s' already has a rule with the same argument checks and a different action", name);
	else
		tj_err_set(err, TJ_ERR_PROFILE, -rc, "libseccomp rejected the rule for '%s'", name);
	return tj_err_at(err, file, r->json_path);
}

static int export_ctx(scmp_filter_ctx ctx, bool pfc, char **ret_buf, size_t *ret_len, struct tj_err **err)
{
	tj_autoclose int fd = memfd_create(pfc ? "tinyjail-pfc" : "tinyjail-bpf", MFD_CLOEXEC);
	if (fd < 0)
		return tj_err_set(err, TJ_ERR_INTERNAL, errno, "memfd_create");
	int rc = pfc ? seccomp_export_pfc(ctx, fd) : seccomp_export_bpf(ctx, fd);
	if (rc < 0)
		return seccomp_fail(err, rc,
				    pfc ? "cannot export the filter as text" : "cannot generate the BPF program");
	off_t size = lseek(fd, 0, SEEK_END);
	if (size < 0 || lseek(fd, 0, SEEK_SET) < 0)
		return tj_err_set(err, TJ_ERR_INTERNAL, errno, "lseek on memfd");
	char *buf = tj_xmalloc((size_t)size + 1);
	size_t got = 0;
	while (got < (size_t)size) {
		ssize_t n = read(fd, buf + got, (size_t)size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			free(buf);
			return tj_err_set(err, TJ_ERR_INTERNAL, n < 0 ? errno : EIO, "reading the exported filter");
		}
		got += (size_t)n;
	}
	buf[got] = '\0';
	*ret_buf = buf;
	*ret_len = got;
	return 0;
}

static bool is_notify_nr(const struct tj_filter_opts *o, int nr)
{
	for (size_t i = 0; i < o->notify_n; i++)
		if (o->notify_nrs[i] == nr)
			return true;
	return false;
}

static bool names_unconditionally(const struct tj_seccomp *s, const char *name)
{
	for (size_t i = 0; i < s->nrules; i++)
		if (s->rules[i].nargs == 0 && tj_strv_contains(&s->rules[i].names, name))
			return true;
	return false;
}

/* A syscall routed to the supervisor must be one whose every action the
 * supervisor can give as the kernel would: allow (and log), errno, kill the
 * process. */
static int check_notify_nrs(const struct tj_seccomp *s, const struct tj_filter_opts *o, const char *file,
			    struct tj_err **err)
{
	if (o->agent)
		return tj_err_set(err, TJ_ERR_USAGE, 0,
				  "a seccomp agent holds the listener, so tinyjail cannot follow syscalls itself");
	for (size_t k = 0; k < o->notify_n; k++) {
		char name[64];
		tj_syscall_name(SCMP_ARCH_X86_64, o->notify_nrs[k], name, sizeof(name));
		for (size_t i = 0; i <= s->nrules; i++) {
			const struct tj_rule *r = i < s->nrules ? &s->rules[i] : NULL;
			enum tj_action a = r ? r->action : s->default_action;
			if (r && !tj_strv_contains(&r->names, name))
				continue;
			/* The default decides only calls no unconditional rule takes. */
			if (!r && names_unconditionally(s, name))
				continue;
			if (a == TJ_ACT_KILL_THREAD || a == TJ_ACT_TRAP || a == TJ_ACT_TRACE || a == TJ_ACT_NOTIFY) {
				tj_err_set(err, TJ_ERR_PROFILE, 0,
					   "'%s' is decided by %s, which only the kernel (or a seccomp agent) can "
					   "apply: tinyjail cannot follow it",
					   name, tj_action_name(a));
				return tj_err_at(err, file, r ? r->json_path : "defaultAction");
			}
		}
	}
	return 0;
}

/* The syscalls whose argument checks libseccomp may get wrong (verify.h),
 * for messages: "'read', 'write'"; the first such rule's path in *path. */
static void risky_names(const struct tj_seccomp *s, struct tj_buf *b, const char **path)
{
	struct tj_strv seen = {0};
	*path = NULL;
	for (size_t i = 0; i < s->nrules; i++) {
		const struct tj_rule *r = &s->rules[i];
		if (!r->nargs || tj_rule_equals_default(s, r))
			continue;
		for (size_t k = 0; k < r->names.n; k++) {
			const char *name = r->names.v[k];
			size_t rules = 0;
			for (size_t j = 0; j < s->nrules; j++)
				if (s->rules[j].nargs && !tj_rule_equals_default(s, &s->rules[j]) &&
				    tj_strv_contains(&s->rules[j].names, name))
					rules += tj_rule_has_repeated_index(&s->rules[j]) ? 2 : 1;
			if (rules < 2 || tj_strv_contains(&seen, name))
				continue;
			tj_strv_add(&seen, name);
			if (seen.n <= 4)
				tj_buf_addf(b, "%s'%s'", b->len ? ", " : "", name);
			if (!*path)
				*path = r->json_path;
		}
	}
	if (seen.n > 4)
		tj_buf_addf(b, " and %zu more", seen.n - 4);
	tj_strv_done(&seen);
}

/* name: the syscall a call of which the program decided wrongly, or NULL
 * (a path-dependent comparison: the syscalls with several argument-checked
 * rules are named then). */
static int miscompiled(const struct tj_seccomp *s, const char *file, const char *name, const char *what,
		       struct tj_err **err)
{
	char version[32];
	tj_filter_library_version(version, sizeof(version));
	struct tj_buf subject = {0};
	const char *path = NULL;
	if (name) {
		tj_buf_addf(&subject, "the rules for '%s'", name);
		for (size_t i = 0; i < s->nrules && !path; i++)
			if (tj_strv_contains(&s->rules[i].names, name))
				path = s->rules[i].json_path;
	} else {
		risky_names(s, &subject, &path);
		if (subject.len) {
			char *names = tj_xstrdup(subject.s);
			subject.len = 0;
			tj_buf_addf(&subject, "the argument checks of %s", names);
			free(names);
		} else {
			tj_buf_addf(&subject, "this profile");
		}
	}
	tj_err_set(err, TJ_ERR_LAYER, 0, "libseccomp %s compiled %s into a program that %s: %s", version, subject.s,
		   name ? "decides some calls differently from the rules" : "tinyjail cannot prove faithful", what);
	tj_err_hint(err,
		    "a libseccomp bug, mostly with several argument-checked rules for one syscall "
		    "(notes/profile-format.md); fewer rules for it, or EQ and MASKED_EQ comparisons of one argument "
		    "each, avoid it");
	tj_err_layer(err, "seccomp");
	tj_buf_done(&subject);
	return tj_err_at(err, file, path);
}

/* Refuses a program that compares a different argument depending on the
 * path (bpfflow.h). */
static int check_accumulator(const struct tj_seccomp *s, const struct sock_filter *prog, size_t len, const char *file,
			     struct tj_err **err)
{
	size_t at;
	if (tj_bpf_accumulator_consistent(prog, len, &at))
		return 0;
	char what[96];
	snprintf(what, sizeof(what), "the comparison at BPF instruction %zu can read a different argument by path", at);
	return miscompiled(s, file, NULL, what, err);
}

/* What build_program makes of an action (verify.h's tj_verify_actions). */
struct flavour_actions {
	enum flavour fl;
	const struct tj_filter_opts *opts;
};

static uint32_t flavour_value(const void *ctx, const struct seccomp_data *d, enum tj_action a, unsigned errno_ret,
			      bool is_default)
{
	const struct flavour_actions *c = ctx;
	/* Routed syscalls notify whatever the rules say (build_program). */
	if (c->fl != FLAVOUR_TRUTH && d->arch == AUDIT_ARCH_X86_64 && !((uint32_t)d->nr & X32_SYSCALL_BIT) &&
	    is_notify_nr(c->opts, d->nr))
		return SCMP_ACT_NOTIFY;
	return compile_action(c->fl, c->opts, a, errno_ret, is_default);
}

/* Refuses a program that decides a call of a syscall with several
 * argument-checked rules otherwise than the rules it was built from
 * (verify.h). */
static int check_decisions(const struct tj_seccomp *s, enum flavour fl, const struct tj_filter_opts *opts,
			   uint32_t bad_arch, const struct sock_filter *prog, size_t len, const char *file,
			   struct tj_err **err)
{
	const struct flavour_actions ctx = {.fl = fl, .opts = opts};
	const struct tj_verify_actions acts = {.value = flavour_value, .ctx = &ctx, .bad_arch = bad_arch};
	struct tj_verify_result res;
	tj_verify_program(s, &acts, prog, len, 4096, &res);
	if (!res.mismatch)
		return 0;
	char got[64], want[64], what[512], name[64];
	tj_filter_describe_action(res.got, got, sizeof(got));
	tj_filter_describe_action(res.want.v[0], want, sizeof(want));
	const struct seccomp_data *d = &res.data;
	tj_syscall_name(d->arch == AUDIT_ARCH_I386 ? AUDIT_ARCH_I386 : AUDIT_ARCH_X86_64, d->nr, name, sizeof(name));
	snprintf(what, sizeof(what),
		 "%s (%s) with arguments 0x%llx 0x%llx 0x%llx 0x%llx 0x%llx 0x%llx meets %s, the rules say %s", name,
		 tj_arch_short_name(d->arch, d->nr), (unsigned long long)d->args[0], (unsigned long long)d->args[1],
		 (unsigned long long)d->args[2], (unsigned long long)d->args[3], (unsigned long long)d->args[4],
		 (unsigned long long)d->args[5], got, want);
	return miscompiled(s, file, res.name ? res.name : name, what, err);
}

struct build_out {
	struct sock_filter *prog;
	size_t len;
	char *pfc;
	size_t nrules;
	bool uses_notify;
};

static int build_program(const struct tj_seccomp *s, enum flavour fl, const struct tj_filter_opts *opts,
			 const char *file, struct tj_notes *info, struct build_out *out, struct tj_err **err)
{
	int optimize = opts->optimize;
	if (optimize == 0) {
		/* runc's rule: a binary tree pays off with many rules
		 * (perf-baseline.md: argument-checked syscalls +107 ns instead
		 * of +182 ns behind 350 linear compares). */
		optimize = s->nrules > 32 ? 2 : 1;
		size_t names = 0;
		for (size_t i = 0; i < s->nrules; i++)
			names += s->rules[i].names.n;
		if (names > 32)
			optimize = 2;
	}
	uint32_t def = compile_action(fl, opts, s->default_action, tj_seccomp_effective_default_errno(s), true);
	out->uses_notify = def == SCMP_ACT_NOTIFY || (fl == FLAVOUR_COMPLAIN && !opts->complain_via_log) ||
			   (fl != FLAVOUR_TRUTH && opts->notify_n);
	for (size_t i = 0; i < s->nrules && !out->uses_notify; i++)
		if (!tj_rule_equals_default(s, &s->rules[i]))
			out->uses_notify = compile_action(fl, opts, s->rules[i].action,
							  tj_rule_effective_errno(&s->rules[i]),
							  false) == SCMP_ACT_NOTIFY;
	/* A call through an ABI the profile does not list is killed.  When a
	 * supervisor is listening anyway, it goes there first, so that complain
	 * mode records it and enforce mode names it; complain mode through the
	 * kernel log logs it instead. */
	uint32_t badarch = SCMP_ACT_KILL_PROCESS;
	if (out->uses_notify || (fl == FLAVOUR_COMPLAIN && opts->complain_via_log))
		badarch = compile_action(fl, opts, TJ_ACT_KILL_PROCESS, 0, false);
	if (opts->bad_arch_allow)
		badarch = SCMP_ACT_ALLOW;

	__attribute__((cleanup(seccomp_releasep))) scmp_filter_ctx native = new_ctx(def, badarch, optimize, err);
	if (!native)
		return -1;
	__attribute__((cleanup(seccomp_releasep))) scmp_filter_ctx compat = NULL;
	for (size_t i = 0; i < s->arches.n; i++) {
		uint32_t token;
		if (arch_from_name(s->arches.v[i], &token) < 0) {
			if (fl == FLAVOUR_TRUTH)
				tj_notes_add(info, s->json_path,
					     "architecture %s ignored: it cannot issue syscalls on an x86_64 kernel",
					     s->arches.v[i]);
			continue;
		}
		if (token == SCMP_ARCH_X86_64)
			continue;
		if (!compat) {
			compat = new_ctx(def, badarch, optimize, err);
			if (!compat)
				return -1;
			int rc = seccomp_arch_remove(compat, SCMP_ARCH_NATIVE);
			if (rc < 0)
				return seccomp_fail(err, rc, "cannot remove the native architecture");
		}
		int rc = seccomp_arch_add(compat, token);
		if (rc < 0 && rc != -EEXIST)
			return seccomp_fail(err, rc, "cannot add an architecture");
	}

	for (size_t i = 0; i < s->nrules; i++) {
		const struct tj_rule *r = &s->rules[i];
		if (tj_rule_equals_default(s, r))
			continue;
		uint32_t action = compile_action(fl, opts, r->action, tj_rule_effective_errno(r), false);
		if (action == def)
			continue; /* same effect as the default in this program */
		for (size_t k = 0; k < r->names.n; k++) {
			const char *name = r->names.v[k];
			int nr;
			enum tj_syscall_kind kind = tj_syscall_resolve(name, &nr);
			/* Always notified (below): the supervisor applies this rule. */
			bool routed = fl != FLAVOUR_TRUTH && kind == TJ_SYSCALL_NATIVE && is_notify_nr(opts, nr);
			if (kind == TJ_SYSCALL_NATIVE && !routed &&
			    add_rule(native, action, nr, r, name, &out->nrules, file, err) < 0)
				return -1;
			if (!compat)
				continue;
			/* Names from tinyjail's newer-syscall table are x86_64 only. */
			int lib_nr = seccomp_syscall_resolve_name(name);
			if (lib_nr != __NR_SCMP_ERROR &&
			    add_rule(compat, action, lib_nr, r, name, &out->nrules, file, err) < 0)
				return -1;
		}
	}
	for (size_t i = 0; fl != FLAVOUR_TRUTH && def != SCMP_ACT_NOTIFY && i < opts->notify_n; i++) {
		int rc = seccomp_rule_add_array(native, SCMP_ACT_NOTIFY, opts->notify_nrs[i], 0, NULL);
		if (rc < 0 && rc != -EEXIST)
			return seccomp_fail(err, rc, "cannot route a syscall to the supervisor");
		out->nrules++;
	}
	if (fl != FLAVOUR_TRUTH && out->uses_notify && def != SCMP_ACT_NOTIFY && !opts->agent) {
		/* The child's first notification, which tells the supervisor
		 * where the notification ids start (filter.h). */
		struct scmp_arg_cmp magic = SCMP_A0(SCMP_CMP_EQ, TJ_FILTER_SENTINEL_MAGIC);
		int rc = seccomp_rule_add_array(native, SCMP_ACT_NOTIFY, TJ_FILTER_SENTINEL_NR, 1, &magic);
		if (rc < 0)
			return seccomp_fail(err, rc, "cannot add the supervisor's start rule");
	}
	if (compat) {
		int rc = seccomp_merge(native, compat);
		if (rc < 0)
			return seccomp_fail(err, rc, "cannot merge the 32-bit ABI filter");
		compat = NULL; /* merge consumed it */
	}

	char *bytes = NULL;
	size_t nbytes = 0;
	if (export_ctx(native, false, &bytes, &nbytes, err) < 0)
		return -1;
	if (nbytes % sizeof(struct sock_filter) != 0 || nbytes == 0) {
		free(bytes);
		return tj_err_set(err, TJ_ERR_INTERNAL, 0, "libseccomp produced a malformed program (%zu bytes)",
				  nbytes);
	}
	size_t len = nbytes / sizeof(struct sock_filter);
	if (len > BPF_MAXINSNS) {
		free(bytes);
		tj_err_set(err, TJ_ERR_PROFILE, 0,
			   "the compiled filter has %zu instructions; the kernel accepts at most %d", len,
			   BPF_MAXINSNS);
		tj_err_hint(err, "list fewer architectures or fewer argument checks");
		return tj_err_at(err, file, NULL);
	}
	/* The checks below run the program: only one the kernel would take. */
	char why[128];
	if (tj_bpf_validate((const struct sock_filter *)bytes, len, why, sizeof(why)) < 0) {
		free(bytes);
		return tj_err_set(err, TJ_ERR_INTERNAL, 0, "libseccomp produced an invalid program: %s", why);
	}
	if (check_accumulator(s, (const struct sock_filter *)bytes, len, file, err) < 0 ||
	    check_decisions(s, fl, opts, badarch, (const struct sock_filter *)bytes, len, file, err) < 0) {
		free(bytes);
		return -1;
	}
	if (opts->want_pfc) {
		size_t n;
		if (export_ctx(native, true, &out->pfc, &n, err) < 0) {
			free(bytes);
			return -1;
		}
	}
	/* Only a complete result is handed out: the caller frees nothing
	 * on failure. */
	out->prog = (struct sock_filter *)bytes;
	out->len = len;
	return 0;
}

/* seccomp(2) flag bits (linux/seccomp.h) */
#define FLAG_TSYNC (1u << 0)
#define FLAG_NEW_LISTENER (1u << 3)
#define FLAG_TSYNC_ESRCH (1u << 4)
#define FLAG_WAIT_KILLABLE_RECV (1u << 5)

static int compile(const struct tj_profile *p, const struct tj_filter_opts *opts, struct tj_filter **ret,
		   struct tj_err **err);

int tj_filter_compile(const struct tj_profile *p, const struct tj_filter_opts *opts, struct tj_filter **ret,
		      struct tj_err **err)
{
	if (compile(p, opts, ret, err) < 0) {
		tj_jsonpos_locate_error(p->text, p->text_len, err);
		return -1;
	}
	return 0;
}

#define COMMAND_LINE_LAYER 1000000u /* above any chain of extends */

/* --allow-syscall/--deny-syscall as a rule of their own, groups expanded;
 * NULL with err set when a name is unknown. */
static struct tj_seccomp *override_rules(const struct tj_strv *names, enum tj_action action, const char *flag,
					 struct tj_err **err)
{
	struct tj_seccomp *ov = tj_xcalloc(1, sizeof(*ov));
	ov->json_path = tj_xstrdup("");
	ov->default_action = TJ_ACT_ALLOW;
	ov->rules = tj_xcalloc(1, sizeof(*ov->rules));
	ov->nrules = 1;
	struct tj_rule *r = &ov->rules[0];
	r->json_path = tj_xstrdup(flag);
	r->action = action;
	for (size_t i = 0; i < names->n; i++) {
		const char *name = names->v[i];
		if (name[0] == '@' && !tj_sysgroup_find(name)) {
			const char *hint = tj_suggest(name, tj_sysgroup_names());
			if (hint)
				tj_err_set(err, TJ_ERR_USAGE, 0, "%s: unknown syscall group '%s' (did you mean '%s'?)",
					   flag, name, hint);
			else
				tj_err_set(err, TJ_ERR_USAGE, 0, "%s: unknown syscall group '%s'", flag, name);
			tj_err_hint(err, "'tinyjail groups' lists the groups");
		} else if (!name[0] || name[0] == '!') {
			tj_err_set(err, TJ_ERR_USAGE, 0, "%s: '%s' is not a syscall or @group name", flag, name);
		}
		if (*err) {
			tj_seccomp_free(ov);
			return NULL;
		}
		tj_strv_add(&r->names, name);
	}
	struct tj_notes ignored = {0};
	int rc = tj_expand_groups(ov, "", &ignored, err);
	tj_notes_done(&ignored);
	for (size_t i = 0; rc == 0 && i < ov->nrules; i++) {
		for (size_t k = 0; k < ov->rules[i].names.n; k++) {
			const char *name = ov->rules[i].names.v[k];
			int nr;
			enum tj_syscall_kind kind = tj_syscall_resolve(name, &nr);
			if (kind == TJ_SYSCALL_NATIVE)
				continue;
			char **known = all_syscall_names();
			const char *hint = kind == TJ_SYSCALL_UNKNOWN ? tj_suggest(name, (const char *const *)known)
								      : NULL;
			if (kind == TJ_SYSCALL_FOREIGN)
				tj_err_set(err, TJ_ERR_USAGE, 0, "%s: '%s' exists only on 32-bit ABIs", flag, name);
			else if (hint)
				tj_err_set(err, TJ_ERR_USAGE, 0, "%s: unknown syscall '%s' (did you mean '%s'?)", flag,
					   name, hint);
			else
				tj_err_set(err, TJ_ERR_USAGE, 0, "%s: unknown syscall '%s'", flag, name);
			free_strv(known);
			rc = -1;
			break;
		}
	}
	if (rc < 0) {
		if (*err && (*err)->kind != TJ_ERR_USAGE)
			(*err)->kind = TJ_ERR_USAGE;
		tj_seccomp_free(ov);
		return NULL;
	}
	return ov;
}

static bool named_by(const struct tj_seccomp *ov, const char *name)
{
	for (size_t i = 0; ov && i < ov->nrules; i++)
		if (tj_strv_contains(&ov->rules[i].names, name))
			return true;
	return false;
}

/* The overridden syscalls leave the profile's rules (conditional ones too),
 * and the command line's rules decide them instead. */
static int apply_overrides(struct tj_seccomp *s, const struct tj_filter_opts *opts, struct tj_err **err)
{
	struct tj_seccomp *ov[2] = {NULL, NULL};
	if (opts->allow_names && opts->allow_names->n &&
	    !(ov[0] = override_rules(opts->allow_names, TJ_ACT_ALLOW, "--allow-syscall", err)))
		return -1;
	if (opts->deny_names && opts->deny_names->n &&
	    !(ov[1] = override_rules(opts->deny_names, TJ_ACT_KILL_PROCESS, "--deny-syscall", err))) {
		tj_seccomp_free(ov[0]);
		return -1;
	}
	int rc = 0;
	for (size_t i = 0; ov[0] && ov[1] && i < ov[0]->nrules && rc == 0; i++)
		for (size_t k = 0; k < ov[0]->rules[i].names.n && rc == 0; k++)
			if (named_by(ov[1], ov[0]->rules[i].names.v[k]))
				rc = tj_err_set(err, TJ_ERR_USAGE, 0,
						"--allow-syscall and --deny-syscall both name '%s'",
						ov[0]->rules[i].names.v[k]);
	for (int j = 0; rc == 0 && j < 2; j++) {
		if (!ov[j])
			continue;
		s->rules = tj_xrealloc(s->rules, (s->nrules + ov[j]->nrules) * sizeof(*s->rules));
		for (size_t i = 0; i < ov[j]->nrules; i++) {
			tj_rule_copy(&s->rules[s->nrules], &ov[j]->rules[i]);
			s->rules[s->nrules++].layer = COMMAND_LINE_LAYER;
		}
	}
	tj_seccomp_free(ov[0]);
	tj_seccomp_free(ov[1]);
	return rc;
}

/* A rule decides the syscalls it names for every rule of a lower layer
 * (tinyjail.extends, --allow-syscall): they leave the lower rules, whole
 * with their conditions. */
static void drop_lower_layers(struct tj_seccomp *s)
{
	for (size_t i = 0; i < s->nrules; i++) {
		const struct tj_rule *hi = &s->rules[i];
		if (hi->layer == 0)
			continue;
		for (size_t j = 0; j < s->nrules; j++) {
			struct tj_rule *lo = &s->rules[j];
			if (lo->layer >= hi->layer)
				continue;
			for (size_t k = 0; k < lo->names.n; k++)
				if (tj_strv_contains(&hi->names, lo->names.v[k]))
					tj_rule_drop_name(lo, k--);
		}
	}
}

static int compile(const struct tj_profile *p, const struct tj_filter_opts *opts, struct tj_filter **ret,
		   struct tj_err **err)
{
	if (!p->seccomp)
		return tj_err_set(err, TJ_ERR_INTERNAL, 0, "profile '%s' has no seccomp section", p->file);
	__attribute__((cleanup(tj_filter_freep))) struct tj_filter *f = tj_xcalloc(1, sizeof(*f));
	struct tj_host detected;
	const struct tj_host *host = opts->host;
	if (!host) {
		tj_host_detect(&detected);
		host = &detected;
	}

	f->resolved = resolve_for_host(p->seccomp, host, &f->info);
	/* Groups become syscall names first, so that everything below
	 * judges each syscall on its own (notes/groups.md). */
	if (tj_expand_groups(f->resolved, p->file, &f->warnings, err) < 0)
		return -1;
	if (drop_unknown_names(f->resolved, opts, p->file, &f->warnings, &f->info, err) < 0)
		return -1;
	if (apply_overrides(f->resolved, opts, err) < 0)
		return -1;
	drop_lower_layers(f->resolved);
	if (check_conflicts(f->resolved, p->file, &f->warnings, &f->info, err) < 0)
		return -1;

	enum flavour fl = FLAVOUR_TRUTH;
	if (opts->mode == TJ_MODE_COMPLAIN || opts->mode == TJ_MODE_LEARN)
		fl = FLAVOUR_COMPLAIN;
	else if (opts->supervise_kills || opts->route_errno || opts->track_allowed || opts->agent || opts->notify_n)
		fl = FLAVOUR_ENFORCE;
	if (opts->notify_n && check_notify_nrs(f->resolved, opts, p->file, err) < 0)
		return -1;

	struct build_out loaded = {0};
	if (build_program(f->resolved, fl, opts, p->file, &f->info, &loaded, err) < 0)
		return -1;
	f->prog = loaded.prog;
	f->len = loaded.len;
	f->pfc = loaded.pfc;
	f->nrules_added = loaded.nrules;
	f->uses_listener = loaded.uses_notify;
	/* An agent answers what it is sent and knows nothing of tinyjail's
	 * start call; the gap accounting it serves is tinyjail's own. */
	f->has_start_call = fl != FLAVOUR_TRUTH && f->uses_listener && !opts->agent;
	f->routes_more_than_kills = fl == FLAVOUR_ENFORCE && !opts->agent &&
				    (opts->route_errno || opts->track_allowed || opts->notify_n);

	f->has_agent_rules = f->resolved->default_action == TJ_ACT_NOTIFY;
	for (size_t i = 0; i < f->resolved->nrules; i++)
		f->has_agent_rules |= f->resolved->rules[i].action == TJ_ACT_NOTIFY;

	if (fl != FLAVOUR_TRUTH && (f->uses_listener || opts->complain_via_log)) {
		struct tj_filter_opts topts = *opts;
		topts.want_pfc = false;
		struct build_out truth = {0};
		if (build_program(f->resolved, FLAVOUR_TRUTH, &topts, p->file, &f->info, &truth, err) < 0)
			return -1;
		f->truth = truth.prog;
		f->truth_len = truth.len;
	}

	/* The OCI flags map to the kernel's bits one to one.  Without a
	 * "flags" key runc and crun add SPEC_ALLOW; tinyjail does not, so the
	 * machine's speculative-store-bypass policy stays in force. */
	unsigned flags = f->resolved->flags &
			 (TJ_FLAG_TSYNC | TJ_FLAG_LOG | TJ_FLAG_SPEC_ALLOW | TJ_FLAG_WAIT_KILLABLE_RECV);
	if (f->uses_listener) {
		flags |= FLAG_NEW_LISTENER;
		if (flags & FLAG_TSYNC)
			flags |= FLAG_TSYNC_ESRCH; /* the kernel refuses TSYNC with a listener otherwise */
	} else if (flags & FLAG_WAIT_KILLABLE_RECV) {
		flags &= ~FLAG_WAIT_KILLABLE_RECV;
		tj_notes_add(&f->info, f->resolved->json_path,
			     "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV ignored: it only applies to notifying filters");
	}
	f->load_flags = flags;
	*ret = TJ_STEAL(&f);
	return 0;
}

int tj_filter_allowlist(const char *const *names, struct tj_filter **ret, struct tj_err **err)
{
	struct tj_profile p = {.file = (char *)"<tinyjail>"};
	struct tj_seccomp sc = {.json_path = (char *)"", .default_action = TJ_ACT_KILL_PROCESS, .nrules = 1};
	struct tj_rule rule = {.json_path = (char *)"syscalls[0]", .action = TJ_ACT_ALLOW};
	for (size_t i = 0; names[i]; i++)
		tj_strv_add(&rule.names, names[i]);
	sc.rules = &rule;
	p.seccomp = &sc;
	struct tj_host host = {.go_arch = "amd64"};
	struct tj_filter_opts fo = {.mode = TJ_MODE_ENFORCE, .host = &host};
	int r = tj_filter_compile(&p, &fo, ret, err);
	tj_strv_done(&rule.names);
	return r;
}

void tj_filter_free(struct tj_filter *f)
{
	if (!f)
		return;
	free(f->prog);
	free(f->truth);
	tj_seccomp_free(f->resolved);
	free(f->pfc);
	tj_notes_done(&f->warnings);
	tj_notes_done(&f->info);
	free(f);
}

void tj_filter_library_version(char *buf, size_t size)
{
	const struct scmp_version *v = seccomp_version();
	snprintf(buf, size, "%u.%u.%u", v->major, v->minor, v->micro);
}

unsigned tj_filter_api_level(void)
{
	return seccomp_api_get();
}
